/* mpls.c — MPLS label stack; the payload type is taken from the last label (explicit null
 * labels) or guessed from the first nibble after the stack, as Suricata does. */
#include "decode_int.h"

#define MPLS_LABEL_IPV4_NULL 0
#define MPLS_LABEL_ROUTER_ALERT 1
#define MPLS_LABEL_IPV6_NULL 2
#define MPLS_LABEL_IMPLICIT_NULL 3
#define MPLS_LABEL_RESERVED_MAX 16
#define MPLS_PW_LEN 4 /* pseudowire control word before an Ethernet payload */

int sn_decode_mpls(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint32_t shim, label;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_MPLS, 1);
    do {
        if (n < 4) {
            sn_pkt_set_invalid(w, p, SN_EV_MPLS_HEADER_TOO_SMALL);
            return CS_ERR;
        }
        shim = cs_get_be32(d);
        d += 4;
        n -= 4;
    } while (!(shim & 0x100));

    label = shim >> 12;
    if (label == MPLS_LABEL_IPV4_NULL)
        return sn_decode_ipv4(w, p, d, n);
    if (label == MPLS_LABEL_IPV6_NULL)
        return sn_decode_ipv6(w, p, d, n);
    if (label == MPLS_LABEL_ROUTER_ALERT) {
        sn_pkt_event(w, p, SN_EV_MPLS_BAD_LABEL_ROUTER_ALERT, false);
        return CS_ERR;
    }
    if (label == MPLS_LABEL_IMPLICIT_NULL) {
        sn_pkt_event(w, p, SN_EV_MPLS_BAD_LABEL_IMPLICIT_NULL, false);
        return CS_ERR;
    }
    if (label < MPLS_LABEL_RESERVED_MAX) {
        sn_pkt_event(w, p, SN_EV_MPLS_BAD_LABEL_RESERVED, false);
        return CS_ERR;
    }
    if (n == 0) {
        sn_pkt_set_invalid(w, p, SN_EV_MPLS_PKT_TOO_SMALL);
        return CS_ERR;
    }
    switch (d[0] >> 4) {
    case 4: return sn_decode_ipv4(w, p, d, n);
    case 6: return sn_decode_ipv6(w, p, d, n);
    case 0:
        if (n < MPLS_PW_LEN + 14) {
            sn_pkt_set_invalid(w, p, SN_EV_MPLS_PKT_TOO_SMALL);
            return CS_ERR;
        }
        return sn_decode_inner_ethernet(w, p, d + MPLS_PW_LEN, n - MPLS_PW_LEN);
    default:
        sn_pkt_event(w, p, SN_EV_MPLS_UNKNOWN_PAYLOAD_TYPE, false);
        return CS_AGAIN;
    }
}
