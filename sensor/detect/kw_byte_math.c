/* kw_byte_math.c — byte_math:bytes N, offset O, oper + - * / << >>, rvalue V, result name
 * [, relative][, endian big|little][, string hex|dec|oct][, dce][, bitmask X]. */
#include "kw_payload.h"

#include <ctype.h>

static int byte_math_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16], *rest[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16), nrest = 0;
    struct sn_byte *d;
    const char *result = NULL;
    bool have_bytes = false, have_off = false, have_oper = false, have_rval = false;

    if (n < 5)
        return sn_kw_error(c, "byte_math needs bytes, offset, oper, rvalue, result");
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    d->var = -1;
    for (int i = 0; i < n; i++) {
        char *k = parts[i], *v = k, *nul = NULL;
        uint64_t u;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v) {
            nul = v;
            *v++ = 0;
            while (isspace((unsigned char)*v))
                v++;
        }
        if (strcmp(k, "bytes") == 0) {
            if (!sn_kw_parse_u64(v, 1, 10, &u)) {
                sn_kw_error(c, "byte_math: invalid bytes '%s'", v);
                goto out_free;
            }
            d->nbytes = (uint8_t)u;
            have_bytes = true;
        } else if (strcmp(k, "offset") == 0) {
            if (sn_kw_parse_val(c, v, -65535, 65535, &d->offset) != CS_OK)
                goto out_free;
            have_off = true;
        } else if (strcmp(k, "oper") == 0) {
            if (strcmp(v, "+") && strcmp(v, "-") && strcmp(v, "*") && strcmp(v, "/") &&
                strcmp(v, "<<") && strcmp(v, ">>")) {
                sn_kw_error(c, "byte_math: invalid oper '%s'", v);
                goto out_free;
            }
            snprintf(d->oper, sizeof(d->oper), "%s", v);
            have_oper = true;
        } else if (strcmp(k, "rvalue") == 0) {
            if (sn_kw_parse_val(c, v, 0, UINT32_MAX, &d->rvalue) != CS_OK)
                goto out_free;
            have_rval = true;
        } else if (strcmp(k, "result") == 0) {
            result = v;
        } else {
            if (nul)
                *nul = ' '; /* give the pair back to the shared parser */
            rest[nrest++] = k;
        }
    }
    if (!have_bytes || !have_off || !have_oper || !have_rval || !result || !*result) {
        sn_kw_error(c, "byte_math needs bytes, offset, oper, rvalue and result");
        goto out_free;
    }
    if (sn_byte_opts(c, rest, nrest, d, SN_BYTE_OPT_BITMASK | SN_BYTE_OPT_KV_STRING) != CS_OK)
        goto out_free;
    d->var = sn_byte_define_var(c, result);
    if (d->var < 0)
        goto out_free;
    return sn_kw_append(c, d);
out_free:
    cs_free(d);
    return c->err->code == CS_OK ? CS_ENOMEM : CS_EINVAL;
}

const struct sn_kw sn_kw_byte_math = {
    .name = "byte_math",
    .desc = "arithmetic on bytes read at an offset, result in a rule variable",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = byte_math_setup,
    .free = cs_free,
};
