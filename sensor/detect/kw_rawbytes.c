/* kw_rawbytes.c — rawbytes: kept for compatibility (no effect in Suricata 5+), refused on
 * contents of app-layer buffers. */
#include "kw_content.h"

static int rawbytes_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_kw_inst *i = sn_content_last(c->rule);
    if (!i)
        return sn_kw_error(c, "'rawbytes' needs a preceding content");
    if (i->buffer != SN_BUF_PKT)
        return sn_kw_error(c, "'rawbytes' cannot apply to a content in buffer '%s'",
                           sn_buf_name(i->buffer));
    ((struct sn_content *)i->data)->flags |= SN_CONTENT_RAWBYTES;
    return CS_OK;
}

const struct sn_kw sn_kw_rawbytes = {
    .name = "rawbytes",
    .desc = "content modifier: inspect raw packet bytes (no effect, compatibility)",
    .flags = SN_KW_NOOPT,
    .setup = rawbytes_setup,
};
