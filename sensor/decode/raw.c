/* raw.c — raw IP link types (DLT_RAW 12/14, LINKTYPE_RAW 101): the version nibble picks
 * IPv4 or IPv6. */
#include "decode_int.h"

int sn_decode_raw(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    sn_count(w, SN_CNT_DECODER_RAW, 1);
    if (n < 20) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_PKT_TOO_SMALL);
        return CS_ERR;
    }
    switch (d[0] >> 4) {
    case 4: return sn_decode_ipv4(w, p, d, n);
    case 6:
        if (n < 40) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_PKT_TOO_SMALL);
            return CS_ERR;
        }
        return sn_decode_ipv6(w, p, d, n);
    default:
        sn_pkt_set_invalid(w, p, SN_EV_IPRAW_INVALID_IP_VERSION);
        return CS_ERR;
    }
}
