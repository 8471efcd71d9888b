/* kw_target.c — target:src_ip|dest_ip; which side of the alert is the target. */
#include "kw.h"

static int target_setup(struct sn_kw_ctx *c, const char *opt)
{
    if (c->rule->flags & (SN_RULE_TARGET_SRC | SN_RULE_TARGET_DST))
        return sn_kw_error(c, "'target' given twice");
    if (strcmp(opt, "src_ip") == 0)
        c->rule->flags |= SN_RULE_TARGET_SRC;
    else if (strcmp(opt, "dest_ip") == 0)
        c->rule->flags |= SN_RULE_TARGET_DST;
    else
        return sn_kw_error(c, "invalid target '%s' (src_ip or dest_ip)", opt);
    return CS_OK;
}

const struct sn_kw sn_kw_target = {
    .name = "target",
    .desc = "which address is the target: src_ip or dest_ip",
    .flags = SN_KW_NEEDS_OPT,
    .setup = target_setup,
};
