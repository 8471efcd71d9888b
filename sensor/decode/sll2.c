/* sll2.c — Linux "cooked" capture v2 (DLT_LINUX_SLL2, 20-byte header). */
#include "decode_int.h"

#define SLL2_HDR 20

int sn_decode_sll2(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_SLL2, 1);
    if (n < SLL2_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_SLL2_PKT_TOO_SMALL);
        return CS_ERR;
    }
    /* bytes 0..1: protocol type, 2..3 reserved, 4..7 interface index, 8..9 ARPHRD type */
    return sn_decode_ethertype(w, p, cs_get_be16(d), d + SLL2_HDR, n - SLL2_HDR);
}
