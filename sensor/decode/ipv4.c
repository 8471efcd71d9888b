/* ipv4.c — IPv4 header, options, checksum, fragment hand-off and protocol dispatch; also
 * the checksum helpers and SCTP (ports only). */
#include "decode_int.h"
#include "defrag.h"

#define IPV4_HDR 20
#define IPPROTO_V_ICMP 1
#define IPPROTO_V_IPIP 4
#define IPPROTO_V_TCP 6
#define IPPROTO_V_UDP 17
#define IPPROTO_V_IPV6 41
#define IPPROTO_V_GRE 47
#define IPPROTO_V_ICMPV6 58
#define IPPROTO_V_SCTP 132

/* option types */
#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_RR 7
#define OPT_QS 25
#define OPT_TS 68
#define OPT_SEC 130
#define OPT_LSRR 131
#define OPT_ESEC 133
#define OPT_CIPSO 134
#define OPT_SID 136
#define OPT_SSRR 137
#define OPT_RTRALT 148

uint32_t sn_csum_add(uint32_t sum, const uint8_t *d, uint32_t n)
{
    uint64_t w = 0, s;
    uint32_t i = 0;

    /* Bulk: add native-order 32-bit words (the one's complement sum does not care about
     * byte order but for a final swap), fold to 16 bits, swap to big-endian if needed. */
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, d + i, 8);
        w += (v & 0xffffffffu) + (v >> 32);
    }
    for (; i + 4 <= n; i += 4) {
        uint32_t v;
        memcpy(&v, d + i, 4);
        w += v;
    }
    while (w >> 16)
        w = (w & 0xffff) + (w >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = ((w & 0xff) << 8) | (w >> 8);
#endif
    s = (uint64_t)sum + w;
    for (; i + 1 < n; i += 2)
        s += (uint32_t)d[i] << 8 | d[i + 1];
    if (i < n)
        s += (uint32_t)d[i] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t sn_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

bool sn_csum_l4_ok(const struct sn_pkt *p, uint8_t proto, const uint8_t *d, uint32_t len)
{
    uint32_t sum = 0;

    if (p->ip_ver == 4) {
        sum = sn_csum_add(sum, p->src.u8, 4);
        sum = sn_csum_add(sum, p->dst.u8, 4);
        sum += proto;
        sum += len & 0xffff;
    } else {
        sum = sn_csum_add(sum, p->src.u8, 16);
        sum = sn_csum_add(sum, p->dst.u8, 16);
        sum += len >> 16;
        sum += len & 0xffff;
        sum += proto;
    }
    sum = sn_csum_add(sum, d, len);
    return sn_csum_fold(sum) == 0;
}

bool sn_csum_enabled(const struct sn_worker *w, bool ip)
{
    enum sn_csum_mode m = (w && w->cfg) ? w->cfg->csum : SN_CSUM_AUTO;

    (void)ip;
    return m != SN_CSUM_NONE;
}

int sn_decode_sctp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    sn_count(w, SN_CNT_DECODER_SCTP, 1);
    if (n < 12)
        return CS_OK; /* no event defined: tracked without ports */
    p->l4_hdr = d;
    p->l4_hlen = 12;
    p->sp = cs_get_be16(d);
    p->dp = cs_get_be16(d + 2);
    p->payload = d + 12;
    p->payload_len = n - 12;
    p->flags |= SN_PKT_HAS_L4;
    return CS_OK;
}

/* ---- options ------------------------------------------------------------------------- */

static uint16_t opt_bit(uint8_t type)
{
    switch (type) {
    case OPT_RR: return SN_IPOPT_RR;
    case OPT_LSRR: return SN_IPOPT_LSRR;
    case OPT_TS: return SN_IPOPT_TS;
    case OPT_SEC: return SN_IPOPT_SEC;
    case OPT_ESEC: return SN_IPOPT_ESEC;
    case OPT_SSRR: return SN_IPOPT_SSRR;
    case OPT_SID: return SN_IPOPT_SATID;
    case OPT_RTRALT: return SN_IPOPT_RTRALT;
    case OPT_CIPSO: return SN_IPOPT_CIPSO;
    case OPT_QS: return SN_IPOPT_QS;
    default: return 0;
    }
}

/* Checks one known option's length and content; raises the event and returns false when
 * it is wrong. o points at the type byte, len is the option length (>= 2, fits). */
static bool opt_valid(struct sn_worker *w, struct sn_pkt *p, const uint8_t *o, uint8_t len)
{
    uint8_t ptr, flag, rec;

    switch (o[0]) {
    case OPT_RR:
    case OPT_LSRR:
    case OPT_SSRR:
        if (len < 3)
            goto bad_len;
        ptr = o[2];
        if (ptr < 4 || ptr % 4 || ptr > len + 1)
            goto malformed;
        return true;
    case OPT_TS:
        if (len < 5)
            goto bad_len;
        ptr = o[2];
        flag = o[3] & 0x0f;
        if (flag != 0 && flag != 1 && flag != 3)
            goto malformed;
        rec = flag ? 8 : 4;
        if (ptr < 5 || ptr > len + 1 || (ptr - 5) % rec)
            goto malformed;
        return true;
    case OPT_SEC:
        if (len != 11)
            goto bad_len;
        return true;
    case OPT_ESEC:
        if (len < 3)
            goto bad_len;
        return true;
    case OPT_CIPSO:
        if (len < 6)
            goto bad_len;
        return true;
    case OPT_SID:
    case OPT_RTRALT:
        if (len != 4)
            goto bad_len;
        return true;
    case OPT_QS:
        if (len != 8)
            goto bad_len;
        return true;
    default: return true;
    }
bad_len:
    sn_pkt_set_invalid(w, p, SN_EV_IPV4_OPT_INVALID_LEN);
    return false;
malformed:
    sn_pkt_set_invalid(w, p, SN_EV_IPV4_OPT_MALFORMED);
    return false;
}

static void decode_options(struct sn_worker *w, struct sn_pkt *p, const uint8_t *o,
                           uint32_t n)
{
    uint16_t seen = 0;

    if (n % 8)
        sn_pkt_event(w, p, SN_EV_IPV4_OPT_PAD_REQUIRED, false);
    while (n > 0) {
        uint8_t type = o[0], len;
        uint16_t bit;

        if (type == OPT_EOL) {
            p->ip4_opts |= SN_IPOPT_EOL;
            break;
        }
        if (type == OPT_NOP) {
            p->ip4_opts |= SN_IPOPT_NOP;
            o++;
            n--;
            continue;
        }
        if (n < 2) {
            sn_pkt_event(w, p, SN_EV_IPV4_OPT_EOL_REQUIRED, false);
            break;
        }
        len = o[1];
        if (len < 2 || len > n) {
            sn_pkt_set_invalid(w, p, SN_EV_IPV4_OPT_INVALID_LEN);
            break;
        }
        bit = opt_bit(type);
        if (bit == 0) {
            sn_pkt_event(w, p, SN_EV_IPV4_OPT_INVALID, false);
        } else if (seen & bit) {
            sn_pkt_event(w, p, SN_EV_IPV4_OPT_DUPLICATE, false);
        } else {
            seen |= bit;
            if (opt_valid(w, p, o, len))
                p->ip4_opts |= bit;
        }
        o += len;
        n -= len;
    }
}

/* ---- header ---------------------------------------------------------------------------- */

int sn_decode_ipv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint32_t hlen, iplen, l4n;
    uint16_t frag;
    const uint8_t *l4;

    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    if (n < IPV4_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_PKT_TOO_SMALL);
        return CS_ERR;
    }
    if ((d[0] >> 4) != 4) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_WRONG_IP_VERSION);
        return CS_ERR;
    }
    hlen = (uint32_t)(d[0] & 0x0f) * 4;
    if (hlen < IPV4_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_HLEN_TOO_SMALL);
        return CS_ERR;
    }
    iplen = cs_get_be16(d + 2);
    if (iplen < hlen) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
        return CS_ERR;
    }
    if (n < iplen) {
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_TRUNC_PKT);
        return CS_ERR;
    }

    sn_decode_tunnel_enter(p);
    sn_count(w, SN_CNT_DECODER_IPV4, 1);
    p->ip_ver = 4;
    p->ip_hdr = d;
    p->ip_hlen = (uint16_t)hlen;
    p->ip_len = iplen;
    p->tos = d[1];
    p->ip_id = cs_get_be16(d + 4);
    p->ttl = d[8];
    p->proto = d[9];
    memset(&p->src, 0, sizeof(p->src));
    memset(&p->dst, 0, sizeof(p->dst));
    memcpy(p->src.u8, d + 12, 4);
    memcpy(p->dst.u8, d + 16, 4);

    if (hlen > IPV4_HDR)
        decode_options(w, p, d + IPV4_HDR, hlen - IPV4_HDR);
    if (sn_csum_enabled(w, true) && sn_csum_fold(sn_csum_add(0, d, hlen)) != 0) {
        p->flags |= SN_PKT_CSUM_BAD;
        sn_count(w, SN_CNT_IPV4_INVALID_CHECKSUM, 1);
    }

    frag = cs_get_be16(d + 6);
    if (frag & 0x3fff) { /* MF or a non-zero offset */
        p->flags |= SN_PKT_IS_FRAGMENT;
        sn_defrag_ipv4(w, p, d, iplen);
        return CS_AGAIN;
    }

    l4 = d + hlen;
    l4n = iplen - hlen;
    switch (p->proto) {
    case IPPROTO_V_TCP: return sn_decode_tcp(w, p, l4, l4n);
    case IPPROTO_V_UDP: return sn_decode_udp(w, p, l4, l4n);
    case IPPROTO_V_ICMP: return sn_decode_icmpv4(w, p, l4, l4n);
    case IPPROTO_V_GRE: return sn_decode_gre(w, p, l4, l4n);
    case IPPROTO_V_SCTP: return sn_decode_sctp(w, p, l4, l4n);
    case IPPROTO_V_IPIP:
        sn_count(w, SN_CNT_DECODER_IPV4_IN_IPV4, 1);
        return sn_decode_ipv4(w, p, l4, l4n);
    case IPPROTO_V_IPV6:
        sn_count(w, SN_CNT_DECODER_IPV6_IN_IPV4, 1);
        return sn_decode_ipv6(w, p, l4, l4n);
    case IPPROTO_V_ICMPV6:
        sn_pkt_set_invalid(w, p, SN_EV_IPV4_ICMPV6);
        return CS_ERR;
    default: return CS_OK; /* tracked by the flow without ports */
    }
}
