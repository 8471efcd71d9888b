/* sll.c — Linux "cooked" capture v1 (DLT_LINUX_SLL, 16-byte header). */
#include "decode_int.h"

#define SLL_HDR 16

int sn_decode_sll(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_SLL, 1);
    if (n < SLL_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_SLL_PKT_TOO_SMALL);
        return CS_ERR;
    }
    /* bytes 2..3: ARPHRD type; 14..15: protocol (an ethertype for Ethernet devices) */
    return sn_decode_ethertype(w, p, cs_get_be16(d + 14), d + SLL_HDR, n - SLL_HDR);
}
