/* kw_urilen.c — urilen:N / <N / >N / N<>M [,norm|raw]; the length of the HTTP URI. */
#include "kw_payload.h"

static int urilen_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[96], *parts[3];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 2), saved = c->buffer, rc;
    struct sn_urilen *u;

    if (n <= 0)
        return sn_kw_error(c, "invalid urilen '%s'", opt);
    u = cs_calloc(1, sizeof(*u));
    if (!u)
        return CS_ENOMEM;
    if (sn_kw_parse_cmp(c, parts[0], 65535, &u->cmp) != CS_OK)
        goto out_free;
    if (n == 2) {
        if (strcmp(parts[1], "raw") == 0)
            u->raw = true;
        else if (strcmp(parts[1], "norm") != 0) {
            sn_kw_error(c, "invalid urilen option '%s' (norm or raw)", parts[1]);
            goto out_free;
        }
    }
    c->buffer = u->raw ? SN_BUF_HTTP_URI_RAW : SN_BUF_HTTP_URI;
    rc = sn_kw_append(c, u);
    c->buffer = saved;
    return rc;
out_free:
    cs_free(u);
    return CS_EINVAL;
}

const struct sn_kw sn_kw_urilen = {
    .name = "urilen",
    .desc = "length of the HTTP URI (N, <N, >N, N<>M [,norm|raw])",
    .flags = SN_KW_NEEDS_OPT,
    .setup = urilen_setup,
    .free = cs_free,
};
