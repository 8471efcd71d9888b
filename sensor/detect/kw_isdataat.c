/* kw_isdataat.c — isdataat:[!]N[,relative][,rawbytes]; data present at offset N. */
#include "kw_payload.h"

static int isdataat_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[128], *parts[4];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
    struct sn_isdataat *d;
    const char *v;

    if (n <= 0)
        return sn_kw_error(c, "invalid isdataat '%s'", opt);
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    v = parts[0];
    if (*v == '!') {
        d->negated = true;
        v++;
    }
    if (sn_kw_parse_val(c, v, 0, 65535, &d->n) != CS_OK)
        goto out_free;
    for (int i = 1; i < n; i++) {
        if (strcmp(parts[i], "relative") == 0)
            d->relative = true;
        else if (strcmp(parts[i], "rawbytes") != 0) {
            sn_kw_error(c, "unknown isdataat option '%s'", parts[i]);
            goto out_free;
        }
    }
    return sn_kw_append(c, d);
out_free:
    cs_free(d);
    return CS_EINVAL;
}

const struct sn_kw sn_kw_isdataat = {
    .name = "isdataat",
    .desc = "data exists at offset N ([!]N[,relative])",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = isdataat_setup,
    .free = cs_free,
};
