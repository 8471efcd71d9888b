/* kw_endswith.c — endswith: the previous content must end at the end of the buffer. */
#include "kw_content.h"

static int endswith_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_ENDSWITH)
        return sn_kw_error(c, "'endswith' given twice for the same content");
    ct->flags |= SN_CONTENT_ENDSWITH;
    return CS_OK;
}

const struct sn_kw sn_kw_endswith = {
    .name = "endswith",
    .desc = "content modifier: the pattern is at the end of the buffer",
    .flags = SN_KW_NOOPT,
    .setup = endswith_setup,
};
