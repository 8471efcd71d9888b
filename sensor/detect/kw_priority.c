/* kw_priority.c — priority:N; (1..255) overrides the classtype's priority. */
#include "kw.h"

static int priority_setup(struct sn_kw_ctx *c, const char *opt)
{
    uint64_t v;
    if (!sn_kw_parse_u64(opt, 1, 255, &v))
        return sn_kw_error(c, "invalid priority '%s' (1..255)", opt);
    c->rule->priority = (int)v;
    c->rule->flags |= SN_RULE_HAS_PRIORITY;
    return CS_OK;
}

const struct sn_kw sn_kw_priority = {
    .name = "priority",
    .desc = "the alert's priority (1 highest), overrides the classtype's",
    .flags = SN_KW_NEEDS_OPT,
    .setup = priority_setup,
};
