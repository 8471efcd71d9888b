/* icmpv4.c — ICMPv4: type/code validation against the assigned values, echo id/seq, the
 * header length by type (timestamps, router advertisement entries) and the IPv4 header
 * quoted by error messages. p->sp = type, p->dp = code. */
#include "decode_int.h"

#define ICMP_HDR 8

/* Checks the quoted IPv4 header of an error message. */
static void check_quoted(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    if (n == 0)
        return; /* no context quoted */
    if (n < 20) {
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV4_IPV4_TRUNC_PKT);
        return;
    }
    if ((d[0] >> 4) != 4)
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV4_IPV4_UNKNOWN_VER);
}

int sn_decode_icmpv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint8_t type, code, max_code = 0;
    bool known = true, echo = false, error = false;

    if (n < ICMP_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_ICMPV4_PKT_TOO_SMALL);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_ICMPV4, 1);
    type = d[0];
    code = d[1];
    p->l4_hdr = d;
    p->l4_hlen = ICMP_HDR;
    p->icmp_type = type;
    p->icmp_code = code;
    p->sp = type;
    p->dp = code;
    p->payload = d + ICMP_HDR;
    p->payload_len = n - ICMP_HDR;
    p->flags |= SN_PKT_HAS_L4;

    switch (type) {
    case 0:  /* echo reply */
    case 8:  /* echo request */
    case 13: /* timestamp */
    case 14: /* timestamp reply */
    case 15: /* information request */
    case 16: /* information reply */
    case 17: /* address mask request */
    case 18: /* address mask reply */
        echo = true;
        break;
    case 3: /* destination unreachable */
        max_code = 15;
        error = true;
        break;
    case 4: /* source quench */
        error = true;
        break;
    case 5: /* redirect */
        max_code = 3;
        error = true;
        break;
    case 9:  /* router advertisement */
    case 10: /* router solicitation */
        break;
    case 11: /* time exceeded */
        max_code = 1;
        error = true;
        break;
    case 12: /* parameter problem */
        max_code = 2;
        error = true;
        break;
    default: known = false; break;
    }
    if (!known) {
        sn_pkt_event(w, p, SN_EV_ICMPV4_UNKNOWN_TYPE, false);
        return CS_OK;
    }
    if (code > max_code)
        sn_pkt_event(w, p, SN_EV_ICMPV4_UNKNOWN_CODE, false);
    if (echo) {
        p->icmp_id = cs_get_be16(d + 4);
        p->icmp_seq = cs_get_be16(d + 6);
    }
    /* the header (icmpv4.hdr, as Suricata) takes in the fixed part that follows the first
     * 8 bytes: three timestamps, or a router advertisement's address entries */
    {
        uint32_t extra = 0;
        if (type == 13 || type == 14)
            extra = 12;
        else if (type == 9)
            extra = (uint32_t)d[4] * d[5] * 4; /* entries x words per entry */
        if (extra && n < ICMP_HDR + extra) {
            sn_pkt_event(w, p, SN_EV_ICMPV4_IPV4_TRUNC_PKT, false);
        } else if (extra) {
            p->l4_hlen = (uint16_t)(ICMP_HDR + extra);
            p->payload = d + p->l4_hlen;
            p->payload_len = n - p->l4_hlen;
        }
    }
    if (error && code <= max_code)
        check_quoted(w, p, d + ICMP_HDR, n - ICMP_HDR);
    return CS_OK;
}
