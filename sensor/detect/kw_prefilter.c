/* kw_prefilter.c — prefilter; use the previous keyword (not a content) as the rule's
 * prefilter. */
#include "kw.h"

static int prefilter_setup(struct sn_kw_ctx *c, const char *opt)
{
    if (c->rule->nkw == 0)
        return sn_kw_error(c, "'prefilter' needs a preceding keyword");
    return sn_kw_append(c, NULL);
}

const struct sn_kw sn_kw_prefilter = {
    .name = "prefilter",
    .desc = "use the previous keyword as the prefilter",
    .flags = SN_KW_NOOPT,
    .setup = prefilter_setup,
};
