/* kw_sid.c — sid:N; the signature id (required, 1..4294967295). */
#include "kw.h"

static int sid_setup(struct sn_kw_ctx *c, const char *opt)
{
    uint64_t v;
    if (!sn_kw_parse_u64(opt, 1, UINT32_MAX, &v))
        return sn_kw_error(c, "invalid sid '%s'", opt);
    c->rule->sid = (uint32_t)v;
    c->rule->flags |= SN_RULE_HAS_SID;
    return CS_OK;
}

const struct sn_kw sn_kw_sid = {
    .name = "sid",
    .desc = "the signature id (required, 1..4294967295)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sid_setup,
};
