/* kw_dce_iface.c — dce_iface:<uuid>[, <|>|=|!<version>][, any_frag]; the DCERPC interface
 * bound. */
#include "kw.h"

#include <ctype.h>

struct sn_dce_iface {
    uint8_t uuid[16];
    char op; /* 0 when no version given */
    uint16_t version;
    bool any_frag;
};

static int dce_iface_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[128], *parts[4];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
    struct sn_dce_iface *d;
    const char *u;
    int nib = 0;

    if (n <= 0)
        return sn_kw_error(c, "invalid dce_iface '%s'", opt);
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    u = parts[0];
    if (strlen(u) != 36)
        goto bad;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (u[i] == '-') || (!dash && !isxdigit((unsigned char)u[i])))
            goto bad;
        if (!dash) {
            int v = isdigit((unsigned char)u[i]) ? u[i] - '0'
                                                 : (tolower((unsigned char)u[i]) - 'a' + 10);
            d->uuid[nib / 2] = (uint8_t)(d->uuid[nib / 2] | (nib % 2 ? v : v << 4));
            nib++;
        }
    }
    for (int i = 1; i < n; i++) {
        uint64_t v;
        if (strcmp(parts[i], "any_frag") == 0) {
            d->any_frag = true;
        } else if (strchr("<>=!", parts[i][0]) && sn_kw_parse_u64(parts[i] + 1, 0, 65535, &v)) {
            d->op = parts[i][0];
            d->version = (uint16_t)v;
        } else {
            goto bad;
        }
    }
    return sn_kw_append(c, d);
bad:
    cs_free(d);
    return sn_kw_error(c, "invalid dce_iface '%s'", opt);
}

const struct sn_kw sn_kw_dce_iface = {
    .name = "dce_iface",
    .desc = "DCERPC interface UUID[, version comparison][, any_frag]",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dce_iface_setup,
    .free = cs_free,
};
