/* kw_bsize.c — bsize:N / <N / >N / N<>M; the length of the active sticky buffer. */
#include "kw.h"

static int bsize_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_u64cmp *m;
    if (c->buffer == SN_BUF_PKT)
        return sn_kw_error(c, "'bsize' needs a sticky buffer before it (use dsize for packets)");
    m = cs_calloc(1, sizeof(*m));
    if (!m)
        return CS_ENOMEM;
    if (sn_kw_parse_cmp(c, opt, UINT32_MAX, m) != CS_OK) {
        cs_free(m);
        return CS_EINVAL;
    }
    return sn_kw_append(c, m);
}

const struct sn_kw sn_kw_bsize = {
    .name = "bsize",
    .desc = "length of the sticky buffer (N, <N, >N, N<>M)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = bsize_setup,
    .free = cs_free,
};
