/* kw_nocase.c — nocase: the previous content matches case-insensitively. */
#include "kw_content.h"

static int nocase_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_NOCASE)
        return sn_kw_error(c, "'nocase' given twice for the same content");
    ct->flags |= SN_CONTENT_NOCASE;
    return CS_OK;
}

const struct sn_kw sn_kw_nocase = {
    .name = "nocase",
    .desc = "content modifier: case-insensitive match",
    .flags = SN_KW_NOOPT,
    .setup = nocase_setup,
};
