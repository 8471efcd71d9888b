/* teredo.c — Teredo (RFC 4380): IPv6 in UDP, optionally preceded by an authentication and/or
 * an origin indication header. There is no magic number, so the IPv6 header must be
 * consistent with the UDP payload. CS_EINVAL when the payload does not look like Teredo. */
#include "decode_int.h"

int sn_decode_teredo(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint32_t off = 0;

    /* authentication: 0x0001, id-len, auth-len, id, auth, nonce (8), confirmation (1) */
    if (n >= 4 && d[0] == 0 && d[1] == 1) {
        off = 4u + d[2] + d[3] + 9u;
        if (off > n)
            return CS_EINVAL;
    }
    /* origin indication: 0x0000, port (2), address (4) */
    if (n - off >= 8 && d[off] == 0 && d[off + 1] == 0)
        off += 8;
    if (n - off < 40 || (d[off] >> 4) != 6)
        return CS_EINVAL;
    if (d[off + 7] == 0) /* hop limit 0: most likely not Teredo */
        return CS_EINVAL;
    if (d[off + 6] == 0 && cs_get_be16(d + off + 4) < 8) /* hop-by-hop without room */
        return CS_EINVAL;
    if (n - off != 40u + cs_get_be16(d + off + 4))
        return CS_EINVAL;
    sn_count(w, SN_CNT_DECODER_TEREDO, 1);
    return sn_decode_ipv6(w, p, d + off, n - off);
}
