/* kw_fast_pattern.c — fast_pattern; fast_pattern:only; fast_pattern:X,Y (use Y bytes of the
 * previous content from offset X as the prefilter pattern). One per rule. */
#include "kw_content.h"

static int fast_pattern_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    struct sn_rule *r = c->rule;

    if (!ct)
        return CS_EINVAL;
    for (uint32_t i = 0; i < r->nkw; i++)
        if (sn_kw_is_content(&r->kw[i]) &&
            (((struct sn_content *)r->kw[i].data)->flags & SN_CONTENT_FAST_PATTERN))
            return sn_kw_error(c, "'fast_pattern' can be used on only one content per rule");
    if (opt) {
        char buf[64], *parts[3];
        uint64_t off, len;
        int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
        if (n == 1 && strcmp(parts[0], "only") == 0) {
            if (ct->flags & SN_CONTENT_NEGATED)
                return sn_kw_error(c, "'fast_pattern:only' cannot apply to a negated content");
            if (ct->flags &
                (SN_CONTENT_DEPTH | SN_CONTENT_OFFSET | SN_CONTENT_DISTANCE | SN_CONTENT_WITHIN))
                return sn_kw_error(c, "'fast_pattern:only' cannot be combined with depth, "
                                      "offset, distance or within");
            ct->flags |= SN_CONTENT_FP_ONLY;
        } else if (n == 2 && sn_kw_parse_u64(parts[0], 0, 65535, &off) &&
                   sn_kw_parse_u64(parts[1], 1, 65535, &len)) {
            if (off + len > ct->len)
                return sn_kw_error(c,
                                   "'fast_pattern:%llu,%llu' goes past the content's %u "
                                   "bytes",
                                   (unsigned long long)off, (unsigned long long)len, ct->len);
            ct->flags |= SN_CONTENT_FP_CHOP;
            ct->fp_off = (uint16_t)off;
            ct->fp_len = (uint16_t)len;
        } else {
            return sn_kw_error(c,
                               "invalid fast_pattern option '%s' (expected only or "
                               "<offset>,<length>)",
                               opt);
        }
    }
    ct->flags |= SN_CONTENT_FAST_PATTERN;
    return CS_OK;
}

const struct sn_kw sn_kw_fast_pattern = {
    .name = "fast_pattern",
    .desc = "content modifier: use this content for the prefilter (only, or chop X,Y)",
    .setup = fast_pattern_setup,
};
