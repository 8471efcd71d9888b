/* ipv6.c — IPv6 header, extension header walk (hop-by-hop, routing, fragment, destination
 * options, AH, ESP, mobility), fragment hand-off, IPv4/IPv6-in-IPv6 tunnels. */
#include "decode_int.h"
#include "defrag.h"

#define IPV6_HDR 40

enum {
    NH_HOP = 0,
    NH_ICMP = 1,
    NH_IPIP = 4,
    NH_TCP = 6,
    NH_UDP = 17,
    NH_IPV6 = 41,
    NH_ROUTING = 43,
    NH_FRAG = 44,
    NH_GRE = 47,
    NH_ESP = 50,
    NH_AH = 51,
    NH_ICMPV6 = 58,
    NH_NONE = 59,
    NH_DSTOPTS = 60,
    NH_MH = 135,
    NH_HIP = 139,
    NH_SHIM6 = 140,
    NH_SCTP = 132,
};

/* Options of a hop-by-hop or destination options header; o/n: the options area. */
static bool decode_opts(struct sn_worker *w, struct sn_pkt *p, const uint8_t *o, uint32_t n,
                        bool hop)
{
    bool only_pad = true;
    uint32_t off = 0;

    while (off < n) {
        uint8_t t = o[off], ol;

        if (t == 0) { /* Pad1 */
            off++;
            continue;
        }
        if (off + 2 > n || off + 2 + (uint32_t)o[off + 1] > n) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            return false;
        }
        ol = o[off + 1];
        if (t == 1) { /* PadN */
            if (ol == 0)
                sn_pkt_event(w, p, SN_EV_IPV6_ZERO_LEN_PADN, false);
        } else {
            only_pad = false;
            /* router alert, jumbo payload, home address, tunnel encapsulation limit */
            if (t != 0x05 && t != 0xc2 && t != 0xc9 && t != 0x04)
                sn_pkt_event(w, p, hop ? SN_EV_IPV6_HOPOPTS_UNKNOWN_OPT
                                       : SN_EV_IPV6_DSTOPTS_UNKNOWN_OPT, false);
        }
        off += 2u + ol;
    }
    if (only_pad)
        sn_pkt_event(w, p, hop ? SN_EV_IPV6_HOPOPTS_ONLY_PADDING
                               : SN_EV_IPV6_DSTOPTS_ONLY_PADDING, false);
    return true;
}

static int decode_l4(struct sn_worker *w, struct sn_pkt *p, uint8_t nh, const uint8_t *d,
                     uint32_t n)
{
    p->proto = nh;
    switch (nh) {
    case NH_TCP: return sn_decode_tcp(w, p, d, n);
    case NH_UDP: return sn_decode_udp(w, p, d, n);
    case NH_ICMPV6: return sn_decode_icmpv6(w, p, d, n);
    case NH_SCTP: return sn_decode_sctp(w, p, d, n);
    case NH_GRE: return sn_decode_gre(w, p, d, n);
    case NH_ICMP:
        sn_pkt_event(w, p, SN_EV_IPV6_ICMPV4, false);
        return CS_OK;
    case NH_IPIP:
        if (n < 20) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_IPV4_IN_IPV6_TOO_SMALL);
            return CS_ERR;
        }
        if ((d[0] >> 4) != 4) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_IPV4_IN_IPV6_WRONG_VERSION);
            return CS_ERR;
        }
        sn_count(w, SN_CNT_DECODER_IPV4_IN_IPV6, 1);
        return sn_decode_ipv4(w, p, d, n);
    case NH_IPV6:
        if (n < IPV6_HDR) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_IPV6_IN_IPV6_TOO_SMALL);
            return CS_ERR;
        }
        if ((d[0] >> 4) != 6) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV6_IPV6_IN_IPV6_WRONG_VERSION);
            return CS_ERR;
        }
        sn_count(w, SN_CNT_DECODER_IPV6_IN_IPV6, 1);
        return sn_decode_ipv6(w, p, d, n);
    default:
        sn_pkt_event(w, p, SN_EV_IPV6_UNKNOWN_NEXT_HEADER, false);
        return CS_OK;
    }
}

int sn_decode_ipv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint32_t plen, off, nh_off, total;
    uint8_t nh;
    bool seen_hop = false, seen_rh = false, seen_fh = false, seen_ah = false;
    unsigned dst_cnt = 0;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    if (n < IPV6_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV6_PKT_TOO_SMALL);
        return CS_ERR;
    }
    if ((d[0] >> 4) != 6) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV6_WRONG_IP_VERSION);
        return CS_ERR;
    }
    plen = cs_get_be16(d + 4);
    if (n < IPV6_HDR + plen) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV6_TRUNC_PKT);
        return CS_ERR;
    }
    total = IPV6_HDR + plen;

    sn_decode_tunnel_enter(p);
    sn_count(w, SN_CNT_DECODER_IPV6, 1);
    p->ip_ver = 6;
    p->ip_hdr = d;
    p->ip_len = total;
    p->tos = (uint8_t)(cs_get_be16(d) >> 4);
    p->ttl = d[7];
    memcpy(p->src.u8, d + 8, 16);
    memcpy(p->dst.u8, d + 24, 16);

    nh = d[6];
    nh_off = 6;
    off = IPV6_HDR;
    for (;;) {
        const uint8_t *h = d + off;
        uint32_t left = total - off, hl;

        p->ip_hlen = (uint16_t)off;
        switch (nh) {
        case NH_HOP:
        case NH_DSTOPTS:
        case NH_ROUTING:
        case NH_MH:
        case NH_HIP:
        case NH_SHIM6:
            if (left < 2 || left < ((uint32_t)h[1] + 1) * 8) {
                sn_pkt_set_invalid(w, p, SN_EV_IPV6_TRUNC_EXTHDR);
                return CS_ERR;
            }
            hl = ((uint32_t)h[1] + 1) * 8;
            if (nh == NH_HOP) {
                if (seen_hop)
                    sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_DUPL_HH, false);
                seen_hop = true;
                if (!decode_opts(w, p, h + 2, hl - 2, true))
                    return CS_ERR;
            } else if (nh == NH_DSTOPTS) {
                if (++dst_cnt > 2)
                    sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_DUPL_DH, false);
                if (!decode_opts(w, p, h + 2, hl - 2, false))
                    return CS_ERR;
            } else if (nh == NH_ROUTING) {
                if (seen_rh)
                    sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_DUPL_RH, false);
                seen_rh = true;
                if (h[2] == 0)
                    sn_pkt_event(w, p, SN_EV_IPV6_RH_TYPE_0, false);
            }
            break;
        case NH_AH:
            if (left < 8 || left < ((uint32_t)h[1] + 2) * 4) {
                sn_pkt_set_invalid(w, p, SN_EV_IPV6_TRUNC_EXTHDR);
                return CS_ERR;
            }
            hl = ((uint32_t)h[1] + 2) * 4;
            if (seen_ah)
                sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_DUPL_AH, false);
            seen_ah = true;
            if (cs_get_be16(h + 2) != 0)
                sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_AH_RES_NOT_NULL, false);
            break;
        case NH_FRAG: {
            uint16_t fo;
            bool mf;

            if (left < 8) {
                sn_pkt_set_invalid(w, p, SN_EV_IPV6_TRUNC_EXTHDR);
                return CS_ERR;
            }
            hl = 8;
            if (seen_fh)
                sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_DUPL_FH, false);
            seen_fh = true;
            if (h[1] != 0 || (h[3] & 0x06))
                sn_pkt_event(w, p, SN_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD, false);
            fo = cs_get_be16(h + 2) & 0xfff8;
            mf = h[3] & 1;
            if (fo == 0 && !mf) { /* atomic fragment: decode as a whole packet */
                sn_pkt_event(w, p, SN_EV_IPV6_EXTHDR_USELESS_FH, false);
                break;
            }
            if (mf && (left - 8) % 8) {
                sn_pkt_set_invalid(w, p, SN_EV_IPV6_FRAG_INVALID_LENGTH);
                return CS_ERR;
            }
            p->proto = h[0];
            p->ip_hlen = (uint16_t)(off + 8);
            p->flags |= SN_PKT_IS_FRAGMENT;
            sn_defrag_ipv6(w, p, d, total, off, nh_off);
            return CS_AGAIN;
        }
        case NH_ESP:
            p->proto = NH_ESP;
            return CS_OK; /* encrypted: tracked without ports */
        case NH_NONE:
            p->proto = NH_NONE;
            if (left > 0)
                sn_pkt_event(w, p, SN_EV_IPV6_DATA_AFTER_NONE_HEADER, false);
            return CS_OK;
        default: return decode_l4(w, p, nh, h, left);
        }
        nh_off = off;
        nh = h[0];
        off += hl;
    }
}
