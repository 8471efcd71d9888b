/* kw_base64_decode.c — base64_decode[:bytes N][, offset N][, relative]; decodes into the
 * base64_data buffer. */
#include "kw_payload.h"

#include <ctype.h>

static int base64_decode_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[128], *parts[4];
    int n = opt ? sn_kw_split(opt, buf, sizeof(buf), parts, 3) : 0;
    struct sn_base64 *b;

    if (n < 0)
        return sn_kw_error(c, "invalid base64_decode '%s'", opt);
    b = cs_calloc(1, sizeof(*b));
    if (!b)
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
        if (strcmp(k, "relative") == 0 && !*v) {
            b->relative = true;
        } else if (strcmp(k, "bytes") == 0 && sn_kw_parse_u64(v, 1, UINT32_MAX, &u)) {
            b->bytes = (uint32_t)u;
        } else if (strcmp(k, "offset") == 0 && sn_kw_parse_u64(v, 0, UINT32_MAX, &u)) {
            b->offset = (uint32_t)u;
        } else {
            cs_free(b);
            return sn_kw_error(c, "invalid base64_decode option '%s'", k);
        }
    }
    return sn_kw_append(c, b);
}

const struct sn_kw sn_kw_base64_decode = {
    .name = "base64_decode",
    .desc = "decode base64 from the buffer into base64_data ([bytes N][, offset N][, relative])",
    .flags = SN_KW_PAYLOAD,
    .setup = base64_decode_setup,
    .free = cs_free,
};
