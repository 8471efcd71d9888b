/* icmpv6.c — ICMPv6: type/code validation (RFC 4443 and the IANA registry), MLD hop limit,
 * echo id/seq and the IPv6 header quoted by error messages. */
#include "decode_int.h"

#define ICMP6_HDR 8

static void check_quoted(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (n == 0)
        return;
    if (n < 40) {
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV6_IPV6_TRUNC_PKT);
        return;
    }
    if ((d[0] >> 4) != 6)
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV6_IPV6_UNKNOWN_VERSION);
}

int sn_decode_icmpv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint8_t type, code;
    int max_code = 0;     /* -1: any code */
    bool error = false;

    if (n < ICMP6_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV6_PKT_TOO_SMALL);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_ICMPV6, 1);
    type = d[0];
    code = d[1];
    p->l4_hdr = d;
    p->l4_hlen = ICMP6_HDR;
    p->icmp_type = type;
    p->icmp_code = code;
    p->sp = type;
    p->dp = code;
    p->payload = d + ICMP6_HDR;
    p->payload_len = n - ICMP6_HDR;
    p->flags |= SN_PKT_HAS_L4;

    switch (type) {
    case 1: /* destination unreachable */
        max_code = 7;
        error = true;
        break;
    case 2: /* packet too big */
        error = true;
        break;
    case 3: /* time exceeded */
        max_code = 1;
        error = true;
        break;
    case 4: /* parameter problem */
        max_code = 3;
        error = true;
        break;
    case 128: /* echo request */
    case 129: /* echo reply */
        p->icmp_id = cs_get_be16(d + 4);
        p->icmp_seq = cs_get_be16(d + 6);
        break;
    case 130: /* MLD query, report, done; MLDv2 report */
    case 131:
    case 132:
    case 143:
        if (p->ttl != 1)
            sn_pkt_event(w, p, SN_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL, false);
        break;
    case 138: /* router renumbering: 0, 1, 255 */
        if (code != 0 && code != 1 && code != 255)
            sn_pkt_event(w, p, SN_EV_ICMPV6_UNKNOWN_CODE, false);
        max_code = -1;
        break;
    case 139: /* node information query / reply */
    case 140:
        max_code = 2;
        break;
    case 157: /* duplicate address request / confirmation codes 0..4 */
    case 158:
        max_code = 4;
        break;
    default:
        if (type >= 133 && type <= 161)
            break; /* ND, inverse ND, mobile IPv6, RPL, MPL …: code 0 */
        if (type == 100 || type == 101 || type == 200 || type == 201)
            sn_pkt_event(w, p, SN_EV_ICMPV6_EXPERIMENTATION_TYPE, false);
        else if ((type > 4 && type < 100) || (type > 101 && type < 127) ||
                 (type > 161 && type < 200) || (type > 201 && type < 255))
            sn_pkt_event(w, p, SN_EV_ICMPV6_UNASSIGNED_TYPE, false);
        else
            sn_pkt_event(w, p, SN_EV_ICMPV6_UNKNOWN_TYPE, false);
        return CS_OK;
    }
    if (max_code >= 0 && code > max_code)
        sn_pkt_event(w, p, SN_EV_ICMPV6_UNKNOWN_CODE, false);
    else if (error)
        check_quoted(w, p, d + ICMP6_HDR, n - ICMP6_HDR);
    return CS_OK;
}
