/* kw_detection_filter.c — detection_filter:track by_src|by_dst|by_rule|by_both, count N,
 * seconds T; alert only after N matches within T seconds. */
#include "kw_flow.h"

int sn_threshold_parse(struct sn_kw_ctx *c, const char *opt, bool filter, struct sn_threshold *t);

static int detection_filter_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_threshold *t;
    if (sn_kw_last(c->rule, "threshold") || sn_kw_last(c->rule, "detection_filter"))
        return sn_kw_error(c, "only one threshold or detection_filter per rule");
    t = cs_calloc(1, sizeof(*t));
    if (!t)
        return CS_ENOMEM;
    if (sn_threshold_parse(c, opt, true, t) != CS_OK) {
        cs_free(t);
        return CS_EINVAL;
    }
    return sn_kw_append(c, t);
}

const struct sn_kw sn_kw_detection_filter = {
    .name = "detection_filter",
    .desc = "alert only after count matches within seconds (track, count, seconds)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = detection_filter_setup,
    .free = cs_free,
};
