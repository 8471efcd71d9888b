/* kw_gid.c — gid:N; the generator id (default 1). */
#include "kw.h"

static int gid_setup(struct sn_kw_ctx *c, const char *opt)
{
    uint64_t v;
    if (!sn_kw_parse_u64(opt, 0, UINT32_MAX, &v))
        return sn_kw_error(c, "invalid gid '%s'", opt);
    c->rule->gid = (uint32_t)v;
    return CS_OK;
}

const struct sn_kw sn_kw_gid = {
    .name = "gid",
    .desc = "the generator id (default 1)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = gid_setup,
};
