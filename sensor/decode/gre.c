/* gre.c — GRE version 0 (RFC 2784/2890, with the RFC 1701 routing field) and version 1
 * (PPTP enhanced GRE, RFC 2637) with IPv4, IPv6, Ethernet (TEB, ERSPAN) and PPP payloads. */
#include "decode_int.h"

#define GRE_HDR 4
#define F_C 0x8000      /* checksum present */
#define F_R 0x4000      /* routing present */
#define F_K 0x2000      /* key present */
#define F_S 0x1000      /* sequence present */
#define F_SSR 0x0800    /* strict source route */
#define F_RECUR 0x0700
#define F_A 0x0080      /* v1: acknowledgment present */
#define F_V0_FLAGS 0x00f8
#define F_V1_FLAGS 0x0078

static int gre_payload(struct sn_worker *w, struct sn_pkt *p, uint16_t proto,
                       const uint8_t *d, uint32_t n)
{
    switch (proto) {
    case SN_ETH_IPV4: return sn_decode_ipv4(w, p, d, n);
    case SN_ETH_IPV6: return sn_decode_ipv6(w, p, d, n);
    case SN_ETH_TEB: return sn_decode_inner_ethernet(w, p, d, n);
    case SN_ETH_ERSPAN2: /* type II: 8-byte header then the mirrored frame */
        if (n < 8)
            return CS_OK;
        return sn_decode_inner_ethernet(w, p, d + 8, n - 8);
    case SN_ETH_ERSPAN3: { /* type III: 12 bytes, plus 8 when the O bit is set */
        uint32_t hl = 12;
        if (n < hl)
            return CS_OK;
        if (d[11] & 0x01)
            hl += 8;
        if (n < hl)
            return CS_OK;
        return sn_decode_inner_ethernet(w, p, d + hl, n - hl);
    }
    case SN_ETH_PPP: return sn_decode_ppp(w, p, d, n); /* PPP in version-0 GRE */
    case SN_ETH_MPLS_UC:
    case SN_ETH_MPLS_MC: return sn_decode_mpls(w, p, d, n);
    default: return CS_OK; /* tracked as a GRE flow */
    }
}

int sn_decode_gre(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint16_t flags, proto;
    uint32_t hl = GRE_HDR;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    if (n < GRE_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_GRE_PKT_TOO_SMALL);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_GRE, 1);
    flags = cs_get_be16(d);
    proto = cs_get_be16(d + 2);
    p->l4_hdr = d;

    switch (flags & 0x7) {
    case 0:
        if (flags & F_RECUR) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION0_RECUR);
            return CS_ERR;
        }
        if (flags & F_V0_FLAGS) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION0_FLAGS);
            return CS_ERR;
        }
        if (flags & (F_C | F_R))
            hl += 4;
        if (flags & F_K)
            hl += 4;
        if (flags & F_S)
            hl += 4;
        if (hl > n) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION0_HDR_TOO_BIG);
            return CS_ERR;
        }
        if (flags & F_R) { /* source route entries until the NULL SRE */
            for (;;) {
                uint8_t sre_len;
                if (n - hl < 4) {
                    sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
                    return CS_ERR;
                }
                sre_len = d[hl + 3];
                hl += 4;
                if (cs_get_be16(d + hl - 4) == 0 && sre_len == 0)
                    break;
                if (n - hl < sre_len) {
                    sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
                    return CS_ERR;
                }
                hl += sre_len;
            }
        }
        break;
    case 1:
        if (flags & F_C) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_CHKSUM);
            return CS_ERR;
        }
        if (flags & F_R) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_ROUTE);
            return CS_ERR;
        }
        if (flags & F_SSR) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_SSR);
            return CS_ERR;
        }
        if (flags & F_RECUR) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_RECUR);
            return CS_ERR;
        }
        if (flags & F_V1_FLAGS) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_FLAGS);
            return CS_ERR;
        }
        if (proto != SN_ETH_PPP) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_WRONG_PROTOCOL);
            return CS_ERR;
        }
        if (!(flags & F_K)) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_NO_KEY);
            return CS_ERR;
        }
        hl += 4; /* payload length + call id */
        if (flags & F_S)
            hl += 4;
        if (flags & F_A)
            hl += 4;
        if (hl > n) {
            sn_pkt_set_invalid(w, p, SN_EV_GRE_VERSION1_HDR_TOO_BIG);
            return CS_ERR;
        }
        p->l4_hlen = (uint16_t)hl;
        if (n == hl)
            return CS_AGAIN; /* acknowledgment only */
        p->tun_payload = d + hl;
        return sn_decode_ppp(w, p, d + hl, n - hl);
    default:
        sn_pkt_set_invalid(w, p, SN_EV_GRE_WRONG_VERSION);
        return CS_ERR;
    }
    p->l4_hlen = (uint16_t)hl;
    p->tun_payload = d + hl;
    return gre_payload(w, p, proto, d + hl, n - hl);
}
