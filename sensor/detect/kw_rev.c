/* kw_rev.c — rev:N; the rule's revision. */
#include "kw.h"

static int rev_setup(struct sn_kw_ctx *c, const char *opt)
{
    uint64_t v;
    if (!sn_kw_parse_u64(opt, 0, UINT32_MAX, &v))
        return sn_kw_error(c, "invalid rev '%s'", opt);
    c->rule->rev = (uint32_t)v;
    return CS_OK;
}

const struct sn_kw sn_kw_rev = {
    .name = "rev",
    .desc = "the rule's revision",
    .flags = SN_KW_NEEDS_OPT,
    .setup = rev_setup,
};
