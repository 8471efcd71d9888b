/* null.c — BSD loopback: DLT_NULL (family in host byte order) and DLT_LOOP (network byte
 * order). Both orders are accepted for either link type, since captures travel between
 * hosts of different endianness. */
#include "decode_int.h"

static int family_ver(uint32_t fam)
{
    switch (fam) {
    case 2: return 4;   /* AF_INET */
    case 24:            /* AF_INET6 on NetBSD/OpenBSD */
    case 28:            /* FreeBSD */
    case 30: return 6;  /* Darwin */
    default: return 0;
    }
}

int sn_decode_null(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                   bool loop)
{
    int ver;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_NULL, 1);
    if (n < 4) {
        sn_pkt_set_invalid(w, p, SN_EV_LTNULL_PKT_TOO_SMALL);
        return CS_ERR;
    }
    ver = family_ver(loop ? cs_get_be32(d) : cs_get_le32(d));
    if (ver == 0)
        ver = family_ver(loop ? cs_get_le32(d) : cs_get_be32(d));
    if (ver == 4)
        return sn_decode_ipv4(w, p, d + 4, n - 4);
    if (ver == 6)
        return sn_decode_ipv6(w, p, d + 4, n - 4);
    sn_pkt_event(w, p, SN_EV_LTNULL_UNSUPPORTED_TYPE, false);
    return CS_AGAIN;
}
