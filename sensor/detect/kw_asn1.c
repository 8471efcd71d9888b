/* kw_asn1.c — asn1:bitstring_overflow, double_overflow, oversize_length N,
 * absolute_offset N | relative_offset N; checks on BER-encoded data. */
#include "kw_payload.h"

#include <ctype.h>

struct sn_asn1 {
    bool bitstring_overflow, double_overflow, relative;
    uint32_t oversize_length;
    int64_t offset;
};

static int asn1_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[256], *parts[6];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 5);
    struct sn_asn1 *a;
    bool have_offset = false;

    if (n <= 0)
        return sn_kw_error(c, "invalid asn1 '%s'", opt);
    a = cs_calloc(1, sizeof(*a));
    if (!a)
        return CS_ENOMEM;
    for (int i = 0; i < n; i++) {
        char *k = parts[i], *v = k;
        uint64_t u;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v) {
            *v++ = 0;
            while (isspace((unsigned char)*v))
                v++;
        }
        if (strcmp(k, "bitstring_overflow") == 0 && !*v) {
            a->bitstring_overflow = true;
        } else if (strcmp(k, "double_overflow") == 0 && !*v) {
            a->double_overflow = true;
        } else if (strcmp(k, "oversize_length") == 0 && sn_kw_parse_u64(v, 0, UINT32_MAX, &u)) {
            a->oversize_length = (uint32_t)u;
        } else if ((strcmp(k, "absolute_offset") == 0 || strcmp(k, "relative_offset") == 0) &&
                   !have_offset && sn_kw_parse_i64(v, -65535, 65535, &a->offset)) {
            a->relative = k[0] == 'r';
            have_offset = true;
        } else {
            cs_free(a);
            return sn_kw_error(c, "invalid asn1 option '%s'", k);
        }
    }
    return sn_kw_append(c, a);
}

const struct sn_kw sn_kw_asn1 = {
    .name = "asn1",
    .desc = "ASN.1 checks (bitstring_overflow, double_overflow, oversize_length N, offsets)",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = asn1_setup,
    .free = cs_free,
};
