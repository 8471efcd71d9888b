/* kw_noalert.c — noalert: the rule matches (sets flowbits…) but produces no alert. */
#include "kw.h"

static int noalert_setup(struct sn_kw_ctx *c, const char *opt)
{
    c->rule->flags |= SN_RULE_NOALERT;
    return CS_OK;
}

const struct sn_kw sn_kw_noalert = {
    .name = "noalert",
    .desc = "match without alerting",
    .flags = SN_KW_NOOPT,
    .setup = noalert_setup,
};
