/* ethernet.c — Ethernet II frames and the ethertype dispatch shared by every link layer. */
#include "decode_int.h"

int sn_decode_ethernet(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    if (n < 14) {
        sn_pkt_set_invalid(w, p, SN_EV_ETHERNET_PKT_TOO_SMALL);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_ETHERNET, 1);
    p->eth = d;
    return sn_decode_ethertype(w, p, cs_get_be16(d + 12), d + 14, n - 14);
}

int sn_decode_ethertype(struct sn_worker *w, struct sn_pkt *p, uint16_t type,
                        const uint8_t *d, uint32_t n)
{
    switch (type) {
    case SN_ETH_IPV4: return sn_decode_ipv4(w, p, d, n);
    case SN_ETH_IPV6: return sn_decode_ipv6(w, p, d, n);
    case SN_ETH_VLAN:
    case SN_ETH_QINQ:
    case SN_ETH_QINQ_OLD: return sn_decode_vlan(w, p, d, n, type);
    case SN_ETH_MPLS_UC:
    case SN_ETH_MPLS_MC: return sn_decode_mpls(w, p, d, n);
    case SN_ETH_PPPOE_SESS: return sn_decode_pppoe_session(w, p, d, n);
    case SN_ETH_PPPOE_DISC:
        sn_count(w, SN_CNT_DECODER_PPPOE, 1);
        return CS_AGAIN;
    case SN_ETH_TEB: return sn_decode_inner_ethernet(w, p, d, n);
    case SN_ETH_ARP:
        sn_count(w, SN_CNT_DECODER_UNKNOWN_ETHERTYPE, 1);
        return CS_AGAIN;
    default:
        sn_count(w, SN_CNT_DECODER_UNKNOWN_ETHERTYPE, 1);
        /* values below 0x0600 are 802.3 lengths (LLC frames): not an anomaly */
        if (type >= 0x0600)
            sn_pkt_event(w, p, SN_EV_ETHERNET_UNKNOWN_ETHERTYPE, false);
        return CS_AGAIN;
    }
}
