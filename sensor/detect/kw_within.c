/* kw_within.c — the 'within' content modifier (a number or a byte_extract variable). */
#include "kw_content.h"

static int within_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_content *ct = sn_content_for_modifier(c);
    if (!ct)
        return CS_EINVAL;
    if (ct->flags & SN_CONTENT_WITHIN)
        return sn_kw_error(c, "'within' given twice for the same content");
    if (ct->flags & (SN_CONTENT_DEPTH | SN_CONTENT_OFFSET))
        return sn_kw_error(c, "'within' cannot be combined with %s on the same content",
                           "depth/offset");
    if (ct->flags & SN_CONTENT_STARTSWITH)
        return sn_kw_error(c, "'within' cannot be combined with startswith");
    if (sn_kw_parse_val(c, opt, 0, 65535, &ct->within) != CS_OK)
        return CS_EINVAL;
    if (ct->within.var < 0 && ct->within.v < (int64_t)ct->len)
        return sn_kw_error(c, "'within' %lld is smaller than the content length %u",
                           (long long)ct->within.v, ct->len);
    ct->flags |= SN_CONTENT_WITHIN;
    return CS_OK;
}

const struct sn_kw sn_kw_within = {
    .name = "within",
    .desc = "content modifier: the pattern must end within N bytes after the previous match",
    .flags = SN_KW_NEEDS_OPT,
    .setup = within_setup,
};
