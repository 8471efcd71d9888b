/* kw_threshold.c — threshold:type limit|threshold|both, track by_src|by_dst|by_rule|by_both,
 * count N, seconds T; (any order). Also the parser detection_filter uses. */
#include "kw_flow.h"

#include <ctype.h>

int sn_threshold_parse(struct sn_kw_ctx *c, const char *opt, bool filter, struct sn_threshold *t);

int sn_threshold_parse(struct sn_kw_ctx *c, const char *opt, bool filter, struct sn_threshold *t)
{
    char buf[256], *parts[6];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 5);
    bool have_type = filter, have_track = false, have_count = false, have_secs = false;

    if (n <= 0)
        return sn_kw_error(c, "invalid %s '%s'", c->kw->name, opt);
    t->type = SN_THR_DETECTION_FILTER;
    for (int i = 0; i < n; i++) {
        char *k = parts[i], *v = k;
        uint64_t u;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v) {
            *v++ = 0;
            while (isspace((unsigned char)*v))
                v++;
        }
        if (strcmp(k, "type") == 0 && !filter && !have_type) {
            if (strcmp(v, "limit") == 0)
                t->type = SN_THR_LIMIT;
            else if (strcmp(v, "threshold") == 0)
                t->type = SN_THR_THRESHOLD;
            else if (strcmp(v, "both") == 0)
                t->type = SN_THR_BOTH;
            else
                return sn_kw_error(c, "%s: invalid type '%s'", c->kw->name, v);
            have_type = true;
        } else if (strcmp(k, "track") == 0 && !have_track) {
            if (strcmp(v, "by_src") == 0)
                t->track = SN_THR_BY_SRC;
            else if (strcmp(v, "by_dst") == 0)
                t->track = SN_THR_BY_DST;
            else if (strcmp(v, "by_rule") == 0)
                t->track = SN_THR_BY_RULE;
            else if (strcmp(v, "by_both") == 0)
                t->track = SN_THR_BY_BOTH;
            else if (strcmp(v, "by_flow") == 0)
                t->track = SN_THR_BY_FLOW;
            else
                return sn_kw_error(c, "%s: invalid track '%s'", c->kw->name, v);
            have_track = true;
        } else if (strcmp(k, "count") == 0 && !have_count) {
            if (!sn_kw_parse_u64(v, 1, UINT32_MAX, &u))
                return sn_kw_error(c, "%s: invalid count '%s'", c->kw->name, v);
            t->count = (uint32_t)u;
            have_count = true;
        } else if (strcmp(k, "seconds") == 0 && !have_secs) {
            if (!sn_kw_parse_u64(v, 1, UINT32_MAX, &u))
                return sn_kw_error(c, "%s: invalid seconds '%s'", c->kw->name, v);
            t->seconds = (uint32_t)u;
            have_secs = true;
        } else {
            return sn_kw_error(c, "%s: unknown or repeated option '%s'", c->kw->name, k);
        }
    }
    if (!have_type || !have_track || !have_count || !have_secs)
        return sn_kw_error(c, "%s needs %stype, track, count and seconds", c->kw->name,
                           filter ? "" : "");
    return CS_OK;
}

static int threshold_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_threshold *t;
    if (sn_kw_last(c->rule, "threshold") || sn_kw_last(c->rule, "detection_filter"))
        return sn_kw_error(c, "only one threshold or detection_filter per rule");
    t = cs_calloc(1, sizeof(*t));
    if (!t)
        return CS_ENOMEM;
    if (sn_threshold_parse(c, opt, false, t) != CS_OK) {
        cs_free(t);
        return CS_EINVAL;
    }
    return sn_kw_append(c, t);
}

const struct sn_kw sn_kw_threshold = {
    .name = "threshold",
    .desc = "alert rate control: type limit|threshold|both, track, count, seconds",
    .flags = SN_KW_NEEDS_OPT,
    .setup = threshold_setup,
    .free = cs_free,
};
