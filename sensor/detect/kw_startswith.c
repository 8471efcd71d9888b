/* kw_startswith.c — startswith: the previous content must be at the start of the buffer. */
#include "kw_content.h"

static int startswith_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_STARTSWITH)
        return sn_kw_error(c, "'startswith' given twice for the same content");
    if (ct->flags &
        (SN_CONTENT_DEPTH | SN_CONTENT_OFFSET | SN_CONTENT_DISTANCE | SN_CONTENT_WITHIN))
        return sn_kw_error(c, "'startswith' cannot be combined with depth, offset, distance "
                              "or within");
    /* as in Suricata: the same as depth:<len>; offset:0; */
    ct->flags |= SN_CONTENT_STARTSWITH | SN_CONTENT_DEPTH | SN_CONTENT_OFFSET;
    ct->depth = (struct sn_kw_val){.v = ct->len, .var = -1};
    ct->offset = (struct sn_kw_val){.v = 0, .var = -1};
    return CS_OK;
}

const struct sn_kw sn_kw_startswith = {
    .name = "startswith",
    .desc = "content modifier: the pattern is at the start of the buffer",
    .flags = SN_KW_NOOPT,
    .setup = startswith_setup,
};
