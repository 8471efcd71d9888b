/* kw_msg.c — msg:"text"; the alert's signature text (escapes \" \\ \; resolved). */
#include "kw.h"

static int msg_setup(struct sn_kw_ctx *c, const char *opt)
{
    char *s;
    int rc;
    if (c->rule->msg)
        return sn_kw_error(c, "'msg' given twice");
    rc = sn_kw_unquote(c, opt, &s);
    if (rc != CS_OK)
        return rc;
    c->rule->msg = s;
    return CS_OK;
}

const struct sn_kw sn_kw_msg = {
    .name = "msg",
    .desc = "the rule's message (alert.signature)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = msg_setup,
};
