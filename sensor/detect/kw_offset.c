/* kw_offset.c — the 'offset' content modifier (a number or a byte_extract variable). */
#include "kw_content.h"

static int offset_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_OFFSET)
        return sn_kw_error(c, "'offset' given twice for the same content");
    if (ct->flags & (SN_CONTENT_DISTANCE | SN_CONTENT_WITHIN))
        return sn_kw_error(c, "'offset' cannot be combined with %s on the same content",
                           "distance/within");
    if (ct->flags & SN_CONTENT_STARTSWITH)
        return sn_kw_error(c, "'offset' cannot be combined with startswith");
    if (sn_kw_parse_val(c, opt, 0, 65535, &ct->offset) != CS_OK)
        return CS_EINVAL;
    ct->flags |= SN_CONTENT_OFFSET;
    return CS_OK;
}

const struct sn_kw sn_kw_offset = {
    .name = "offset",
    .desc = "content modifier: start looking N bytes into the buffer",
    .flags = SN_KW_NEEDS_OPT,
    .setup = offset_setup,
};
