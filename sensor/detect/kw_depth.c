/* kw_depth.c — the 'depth' content modifier (a number or a byte_extract variable). */
#include "kw_content.h"

static int depth_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_DEPTH)
        return sn_kw_error(c, "'depth' given twice for the same content");
    if (ct->flags & (SN_CONTENT_DISTANCE | SN_CONTENT_WITHIN))
        return sn_kw_error(c, "'depth' cannot be combined with %s on the same content",
                           "distance/within");
    if (ct->flags & SN_CONTENT_STARTSWITH)
        return sn_kw_error(c, "'depth' cannot be combined with startswith");
    if (sn_kw_parse_val(c, opt, 0, 65535, &ct->depth) != CS_OK)
        return CS_EINVAL;
    if (ct->depth.var < 0 && ct->depth.v < (int64_t)ct->len)
        return sn_kw_error(c, "'depth' %lld is smaller than the content length %u",
                           (long long)ct->depth.v, ct->len);
    ct->flags |= SN_CONTENT_DEPTH;
    return CS_OK;
}

const struct sn_kw sn_kw_depth = {
    .name = "depth",
    .desc = "content modifier: the pattern must end within N bytes of the buffer start",
    .flags = SN_KW_NEEDS_OPT,
    .setup = depth_setup,
};
