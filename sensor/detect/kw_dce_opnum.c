/* kw_dce_opnum.c — dce_opnum:N[,N-M…]; the DCERPC operation number(s). */
#include "kw.h"

struct sn_dce_opnum {
    uint32_t n;
    struct {
        uint16_t lo, hi;
    } r[16];
};

static int dce_opnum_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[256], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);
    struct sn_dce_opnum *d;

    if (n <= 0)
        return sn_kw_error(c, "invalid dce_opnum '%s'", opt);
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    for (int i = 0; i < n; i++) {
        char *dash = strchr(parts[i], '-');
        uint64_t lo, hi;
        if (dash)
            *dash = 0;
        if (!sn_kw_parse_u64(parts[i], 0, 65535, &lo) ||
            (dash && (!sn_kw_parse_u64(dash + 1, 0, 65535, &hi) || hi < lo))) {
            cs_free(d);
            return sn_kw_error(c, "invalid dce_opnum '%s'", opt);
        }
        d->r[d->n].lo = (uint16_t)lo;
        d->r[d->n].hi = (uint16_t)(dash ? hi : lo);
        d->n++;
    }
    return sn_kw_append(c, d);
}

const struct sn_kw sn_kw_dce_opnum = {
    .name = "dce_opnum",
    .desc = "DCERPC operation numbers (N, N-M, list)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dce_opnum_setup,
    .free = cs_free,
};
