/* kw_byte_extract.c — byte_extract:N, offset, name [, relative][, multiplier M]
 * [, big|little][, dce][, string[, hex|dec|oct]][, align 2|4]; stores the value in a rule
 * variable usable by later depth/offset/distance/within/isdataat/byte_test. */
#include "kw_payload.h"

static int byte_extract_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);
    struct sn_byte *d;
    uint64_t nb;

    if (n < 3)
        return sn_kw_error(c, "byte_extract needs bytes, offset, name");
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    d->multiplier = 1;
    if (!sn_kw_parse_u64(parts[0], 1, 10, &nb)) {
        sn_kw_error(c, "byte_extract: invalid byte count '%s'", parts[0]);
        goto out_free;
    }
    d->nbytes = (uint8_t)nb;
    if (sn_kw_parse_val(c, parts[1], -65535, 65535, &d->offset) != CS_OK ||
        sn_byte_opts(c, parts + 3, n - 3, d, SN_BYTE_OPT_MULT | SN_BYTE_OPT_ALIGN_N) != CS_OK)
        goto out_free;
    d->var = sn_byte_define_var(c, parts[2]);
    if (d->var < 0)
        goto out_free;
    return sn_kw_append(c, d);
out_free:
    cs_free(d);
    return c->err->code == CS_OK ? CS_ENOMEM : CS_EINVAL;
}

const struct sn_kw sn_kw_byte_extract = {
    .name = "byte_extract",
    .desc = "read a number at an offset into a rule variable",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = byte_extract_setup,
    .free = cs_free,
};
