/* kw_bytetest.c — byte_test:N, [!]op, value, offset [, relative][, big|little]
 * [, string, hex|dec|oct][, dce][, bitmask X]. (Not kw_byte_test.c: the build treats
 * *_test.c files as unit tests.) */
#include "kw_payload.h"

#include <stdio.h>

static int byte_test_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);
    struct sn_byte *d;
    uint64_t nb;
    const char *op;

    if (n < 4)
        return sn_kw_error(c, "byte_test needs bytes, operator, value, offset");
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    d->var = -1;
    if (!sn_kw_parse_u64(parts[0], 0, 10, &nb)) {
        sn_kw_error(c, "byte_test: invalid byte count '%s'", parts[0]);
        goto out_free;
    }
    d->nbytes = (uint8_t)nb;
    op = parts[1];
    if (*op == '!') {
        d->flags |= SN_BYTE_NEGATED;
        op++;
    }
    if (strcmp(op, "<") && strcmp(op, ">") && strcmp(op, "=") && strcmp(op, "<=") &&
        strcmp(op, ">=") && strcmp(op, "&") && strcmp(op, "^")) {
        sn_kw_error(c, "byte_test: invalid operator '%s'", parts[1]);
        goto out_free;
    }
    snprintf(d->op, sizeof(d->op), "%s", op);
    if (sn_kw_parse_val(c, parts[2], 0, INT64_MAX, &d->value) != CS_OK ||
        sn_kw_parse_val(c, parts[3], -65535, 65535, &d->offset) != CS_OK ||
        sn_byte_opts(c, parts + 4, n - 4, d, SN_BYTE_OPT_BITMASK) != CS_OK)
        goto out_free;
    return sn_kw_append(c, d);
out_free:
    cs_free(d);
    return CS_EINVAL;
}

const struct sn_kw sn_kw_byte_test = {
    .name = "byte_test",
    .desc = "compare bytes read at an offset with a value",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = byte_test_setup,
    .free = cs_free,
};
