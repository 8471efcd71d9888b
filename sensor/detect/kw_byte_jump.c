/* kw_byte_jump.c — byte_jump:N, offset [, relative][, multiplier M][, big|little]
 * [, string, hex|dec|oct][, align][, from_beginning|from_end][, post_offset P][, dce]
 * [, bitmask X]; move the detection pointer by the value read. */
#include "kw_payload.h"

static int byte_jump_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);
    struct sn_byte *d;
    uint64_t nb;

    if (n < 2)
        return sn_kw_error(c, "byte_jump needs bytes, offset");
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    d->var = -1;
    d->multiplier = 1;
    if (!sn_kw_parse_u64(parts[0], 1, 10, &nb)) {
        sn_kw_error(c, "byte_jump: invalid byte count '%s'", parts[0]);
        goto out_free;
    }
    d->nbytes = (uint8_t)nb;
    if (sn_kw_parse_val(c, parts[1], -65535, 65535, &d->offset) != CS_OK ||
        sn_byte_opts(c, parts + 2, n - 2, d,
                     SN_BYTE_OPT_MULT | SN_BYTE_OPT_ALIGN | SN_BYTE_OPT_FROM | SN_BYTE_OPT_POST |
                         SN_BYTE_OPT_BITMASK) != CS_OK)
        goto out_free;
    return sn_kw_append(c, d);
out_free:
    cs_free(d);
    return CS_EINVAL;
}

const struct sn_kw sn_kw_byte_jump = {
    .name = "byte_jump",
    .desc = "read a number at an offset and move the detection pointer by it",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = byte_jump_setup,
    .free = cs_free,
};
