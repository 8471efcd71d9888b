/* kw_tag.c — tag:session|host[, count, packets|seconds|bytes[, src|dst]]; log the packets
 * that follow a match. */
#include "kw_app.h"

static int tag_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[128], *parts[5];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 4);
    struct sn_tag *t;
    uint64_t v;

    if (n <= 0 || n == 2)
        return sn_kw_error(c, "invalid tag '%s' (session|host[, count, metric[, src|dst]])", opt);
    t = cs_calloc(1, sizeof(*t));
    if (!t)
        return CS_ENOMEM;
    if (strcmp(parts[0], "host") == 0)
        t->host = true;
    else if (strcmp(parts[0], "session") != 0)
        goto bad;
    if (n >= 3) {
        if (!sn_kw_parse_u64(parts[1], 1, UINT32_MAX, &v))
            goto bad;
        t->count = (uint32_t)v;
        if (strcmp(parts[2], "packets") == 0)
            t->metric = 'p';
        else if (strcmp(parts[2], "seconds") == 0)
            t->metric = 's';
        else if (strcmp(parts[2], "bytes") == 0)
            t->metric = 'b';
        else
            goto bad;
    }
    if (n == 4) {
        if (!t->host || (strcmp(parts[3], "src") && strcmp(parts[3], "dst")))
            goto bad;
        t->dir = parts[3][0];
    }
    return sn_kw_append(c, t);
bad:
    cs_free(t);
    return sn_kw_error(c, "invalid tag '%s' (session|host[, count, metric[, src|dst]])", opt);
}

const struct sn_kw sn_kw_tag = {
    .name = "tag",
    .desc = "log following packets: session|host[, count, packets|seconds|bytes[, src|dst]]",
    .flags = SN_KW_NEEDS_OPT,
    .setup = tag_setup,
    .free = cs_free,
};
