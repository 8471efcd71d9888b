/* kw_distance.c — the 'distance' content modifier (a number or a byte_extract variable). */
#include "kw_content.h"

static int distance_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_DISTANCE)
        return sn_kw_error(c, "'distance' given twice for the same content");
    if (ct->flags & (SN_CONTENT_DEPTH | SN_CONTENT_OFFSET))
        return sn_kw_error(c, "'distance' cannot be combined with %s on the same content",
                           "depth/offset");
    if (ct->flags & SN_CONTENT_STARTSWITH)
        return sn_kw_error(c, "'distance' cannot be combined with startswith");
    if (sn_kw_parse_val(c, opt, -65535, 65535, &ct->distance) != CS_OK)
        return CS_EINVAL;
    ct->flags |= SN_CONTENT_DISTANCE;
    return CS_OK;
}

const struct sn_kw sn_kw_distance = {
    .name = "distance",
    .desc = "content modifier: start N bytes (may be negative) after the previous match",
    .flags = SN_KW_NEEDS_OPT,
    .setup = distance_setup,
};
