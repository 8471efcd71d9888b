/* ppp.c — PPP frames (DLT_PPP, PPTP GRE payloads) and the PPP protocol dispatch. */
#include "decode_int.h"

int sn_decode_ppp_proto(struct sn_worker *w, struct sn_pkt *p, uint16_t proto,
                        const uint8_t *d, uint32_t n)
{
    switch (proto) {
    case 0x0021: /* IPv4 */
    case 0x002f: /* Van Jacobson uncompressed: an IPv4 header with the protocol slot reused */
        if (n < 20 || (d[0] >> 4) != 4) {
            sn_pkt_set_invalid(w, p, SN_EV_PPP_PKT_TOO_SMALL);
            return CS_ERR;
        }
        return sn_decode_ipv4(w, p, d, n);
    case 0x0057: /* IPv6 */
        if (n < 40) {
            sn_pkt_set_invalid(w, p, SN_EV_PPP_PKT_TOO_SMALL);
            return CS_ERR;
        }
        return sn_decode_ipv6(w, p, d, n);
    case 0x0281: /* MPLS unicast */
    case 0x0283: return sn_decode_mpls(w, p, d, n);
    case 0x002d: /* VJ compressed */
    case 0x002b: /* IPX */
    case 0x0023: /* OSI */
    case 0x0025: /* XNS */
    case 0x0027: /* DECnet */
    case 0x0029: /* AppleTalk */
    case 0x0031: /* bridging PDU */
    case 0x0033: /* ST-II */
    case 0x0035: /* Banyan Vines */
    case 0x0201: /* 802.1d hello */
    case 0x0231: /* Luxcom */
    case 0x0233: /* Sigma SNS */
    case 0x8021: /* IPCP */
    case 0x8023: /* OSICP */
    case 0x8025: /* XNSCP */
    case 0x8027: /* DECnet CP */
    case 0x8029: /* AppleTalk CP */
    case 0x802b: /* IPXCP */
    case 0x8033: /* ST-II CP */
    case 0x8035: /* Vines CP */
    case 0x8057: /* IPV6CP */
    case 0x8281: /* MPLSCP */
    case 0xc021: /* LCP */
    case 0xc023: /* PAP */
    case 0xc025: /* LQM */
    case 0xc223: /* CHAP */
        sn_pkt_event(w, p, SN_EV_PPP_UNSUP_PROTO, false);
        return CS_AGAIN;
    default:
        sn_pkt_set_invalid(w, p, SN_EV_PPP_WRONG_TYPE);
        return CS_ERR;
    }
}

int sn_decode_ppp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    /* optional address/control bytes (0xff 0x03) */
    if (n >= 2 && d[0] == 0xff && d[1] == 0x03) {
        d += 2;
        n -= 2;
    }
    if (n < 1) {
        sn_pkt_set_invalid(w, p, SN_EV_PPP_PKT_TOO_SMALL);
        return CS_ERR;
    }
    return sn_decode_ppp_frame(w, p, d, n, SN_EV_PPP_PKT_TOO_SMALL);
}

int sn_decode_ppp_frame(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                        enum sn_event too_small)
{
    uint16_t proto;

    /* protocol field: one byte when compressed (odd value), else two */
    if (d[0] & 1) {
        proto = d[0];
        d += 1;
        n -= 1;
    } else {
        if (n < 2) {
            sn_pkt_set_invalid(w, p, too_small);
            return CS_ERR;
        }
        proto = cs_get_be16(d);
        d += 2;
        n -= 2;
    }
    return sn_decode_ppp_proto(w, p, proto, d, n);
}
