/* pppoe.c — PPPoE session stage (RFC 2516); the discovery stage is only counted. */
#include "decode_int.h"

#define PPPOE_SESSION_HDR 6

int sn_decode_pppoe_session(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d,
                            uint32_t n)
{
    uint32_t plen;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_PPPOE, 1);
    if (n < PPPOE_SESSION_HDR + 1) {
        sn_pkt_set_invalid(w, p, SN_EV_PPPOE_PKT_TOO_SMALL);
        return CS_ERR;
    }
    if (d[1] != 0) { /* session data must carry code 0 */
        sn_pkt_event(w, p, SN_EV_PPPOE_WRONG_CODE, false);
        return CS_AGAIN;
    }
    plen = cs_get_be16(d + 4);
    d += PPPOE_SESSION_HDR;
    n -= PPPOE_SESSION_HDR;
    if (plen < n)
        n = plen; /* Ethernet padding after the PPP frame */
    if (n == 0) {
        sn_pkt_set_invalid(w, p, SN_EV_PPPOE_PKT_TOO_SMALL);
        return CS_ERR;
    }
    return sn_decode_ppp_frame(w, p, d, n, SN_EV_PPPOE_PKT_TOO_SMALL);
}
