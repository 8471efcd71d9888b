/* decode.c — decoder entry point: link-type dispatch, packet counters, layer guard and the
 * worker dispatch hash. */
#include "decode_int.h"

sn_rebuilt_fn sn_decode_rebuilt_cb;

bool sn_decode_layer_enter(struct sn_worker *w, struct sn_pkt *p)
{
    unsigned max = (w && w->cfg && w->cfg->max_layers) ? w->cfg->max_layers : 16;

    if (++p->layers > max) {
        sn_pkt_set_invalid(w, p, SN_EV_TOO_MANY_LAYERS);
        return false;
    }
    return true;
}

void sn_decode_tunnel_enter(struct sn_pkt *p)
{
    if (p->ip_ver == 0)
        return;
    p->flags |= SN_PKT_TUNNEL;
    p->flags &= ~SN_PKT_HAS_L4;
    if (p->tunnel_depth < UINT8_MAX)
        p->tunnel_depth++;
    p->ip4_opts = 0;
    p->l4_hdr = NULL;
    p->l4_hlen = 0;
    p->sp = p->dp = 0;
    p->tcp_flags = 0;
    p->tcp_win = 0;
    p->tcp_seq = p->tcp_ack = 0;
    memset(&p->tcpo, 0, sizeof(p->tcpo));
    p->icmp_type = p->icmp_code = 0;
    p->icmp_id = p->icmp_seq = 0;
    p->payload = NULL;
    p->payload_len = 0;
}

int sn_decode_inner_ethernet(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d,
                             uint32_t n)
{
    const uint8_t *eth = p->eth;
    uint16_t vlan[SN_MAX_VLAN];
    uint8_t vlan_cnt = p->vlan_cnt;
    int rc;

    memcpy(vlan, p->vlan_id, sizeof(vlan));
    p->tun_payload = d;
    rc = sn_decode_ethernet(w, p, d, n);
    p->eth = eth;
    memcpy(p->vlan_id, vlan, sizeof(vlan));
    p->vlan_cnt = vlan_cnt;
    return rc;
}

bool sn_decode_dlt_supported(int dlt)
{
    switch (dlt) {
    case SN_DLT_NULL:
    case SN_DLT_EN10MB:
    case SN_DLT_RAW:
    case SN_DLT_RAW_ALT:
    case SN_DLT_PPP:
    case SN_DLT_LOOP:
    case SN_DLT_LINUX_SLL:
    case SN_DLT_LINKTYPE_RAW:
    case SN_DLT_IPV4:
    case SN_DLT_IPV6:
    case SN_DLT_LINUX_SLL2: return true;
    default: return false;
    }
}

int sn_decode(struct sn_worker *w, struct sn_pkt *p)
{
    uint8_t *owned = p->owned;
    const uint8_t *d = p->data;
    uint32_t n = d ? p->caplen : 0;
    int rc;

    sn_pkt_reset(p);
    p->owned = owned;
    sn_count(w, SN_CNT_DECODER_PKTS, 1);
    sn_count(w, SN_CNT_DECODER_BYTES, n);
    if (w->counters[SN_CNT_DECODER_MAX_PKT_SIZE] < n)
        w->counters[SN_CNT_DECODER_MAX_PKT_SIZE] = n;
    if (p->caplen < p->wirelen)
        p->flags |= SN_PKT_WIRE_TRUNC;
    if (p->ts_us > w->now_us)
        w->now_us = p->ts_us;

    switch (p->datalink) {
    case SN_DLT_EN10MB: rc = sn_decode_ethernet(w, p, d, n); break;
    case SN_DLT_LINUX_SLL: rc = sn_decode_sll(w, p, d, n); break;
    case SN_DLT_LINUX_SLL2: rc = sn_decode_sll2(w, p, d, n); break;
    case SN_DLT_NULL: rc = sn_decode_null(w, p, d, n, false); break;
    case SN_DLT_LOOP: rc = sn_decode_null(w, p, d, n, true); break;
    case SN_DLT_PPP:
        sn_count(w, SN_CNT_DECODER_PPP, 1);
        rc = sn_decode_ppp(w, p, d, n);
        break;
    case SN_DLT_RAW:
    case SN_DLT_RAW_ALT:
    case SN_DLT_LINKTYPE_RAW: rc = sn_decode_raw(w, p, d, n); break;
    case SN_DLT_IPV4:
        sn_count(w, SN_CNT_DECODER_RAW, 1);
        rc = sn_decode_ipv4(w, p, d, n);
        break;
    case SN_DLT_IPV6:
        sn_count(w, SN_CNT_DECODER_RAW, 1);
        rc = sn_decode_ipv6(w, p, d, n);
        break;
    default:
        sn_pkt_set_invalid(w, p, SN_EV_UNSUPPORTED_LINKTYPE);
        rc = CS_ERR;
        break;
    }
    if (p->flags & SN_PKT_INVALID)
        sn_count(w, SN_CNT_DECODER_INVALID, 1);
    if (rc != CS_OK && rc != CS_AGAIN)
        rc = CS_ERR;
    return rc;
}

/* ---- dispatch hash --------------------------------------------------------------------- */

static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return h;
}

static uint32_t hash_addr(const uint8_t *a, unsigned len)
{
    uint32_t h = 0x9e3779b9U;
    for (unsigned i = 0; i + 4 <= len; i += 4)
        h = mix32(h ^ cs_get_be32(a + i));
    return h;
}

/* Finds the IP header behind the link layer; returns its offset or -1. */
static long find_ip(int dlt, const uint8_t *d, uint32_t n, uint16_t *vlan, unsigned *nvlan)
{
    uint32_t off = 0;
    uint16_t type;

    switch (dlt) {
    case SN_DLT_EN10MB:
        if (n < 14)
            return -1;
        type = cs_get_be16(d + 12);
        off = 14;
        break;
    case SN_DLT_LINUX_SLL:
        if (n < 16)
            return -1;
        type = cs_get_be16(d + 14);
        off = 16;
        break;
    case SN_DLT_LINUX_SLL2:
        if (n < 20)
            return -1;
        type = cs_get_be16(d);
        off = 20;
        break;
    case SN_DLT_NULL:
    case SN_DLT_LOOP:
        if (n < 5)
            return -1;
        return (d[4] >> 4) == 4 || (d[4] >> 4) == 6 ? 4 : -1;
    case SN_DLT_RAW:
    case SN_DLT_RAW_ALT:
    case SN_DLT_LINKTYPE_RAW:
    case SN_DLT_IPV4:
    case SN_DLT_IPV6: return 0;
    case SN_DLT_PPP:
        if (n >= 4 && d[0] == 0xff && d[1] == 0x03)
            off = 2;
        if (n < off + 2)
            return -1;
        type = cs_get_be16(d + off);
        off += 2;
        return (type == 0x0021 || type == 0x0057) ? (long)off : -1;
    default: return -1;
    }
    for (int guard = 0; guard < 8; guard++) {
        switch (type) {
        case SN_ETH_IPV4:
        case SN_ETH_IPV6: return off;
        case SN_ETH_VLAN:
        case SN_ETH_QINQ:
        case SN_ETH_QINQ_OLD:
            if (n < off + 4)
                return -1;
            if (*nvlan < SN_MAX_VLAN)
                vlan[(*nvlan)++] = cs_get_be16(d + off) & 0x0fff;
            type = cs_get_be16(d + off + 2);
            off += 4;
            break;
        case SN_ETH_PPPOE_SESS:
            if (n < off + 8)
                return -1;
            type = cs_get_be16(d + off + 6);
            off += 8;
            if (type == 0x0021)
                return off;
            if (type == 0x0057)
                return off;
            return -1;
        case SN_ETH_MPLS_UC:
        case SN_ETH_MPLS_MC:
            while (n >= off + 4) {
                bool bos = d[off + 2] & 1;
                off += 4;
                if (bos)
                    return n > off && ((d[off] >> 4) == 4 || (d[off] >> 4) == 6) ? (long)off
                                                                                   : -1;
            }
            return -1;
        default: return -1;
        }
    }
    return -1;
}

uint32_t sn_decode_dispatch_hash(int dlt, const uint8_t *data, uint32_t caplen)
{
    uint16_t vlan[SN_MAX_VLAN] = {0, 0, 0};
    unsigned nvlan = 0;
    long off;
    const uint8_t *ip;
    uint32_t n, ha, hb, h;

    if (!data)
        return 0;
    off = find_ip(dlt, data, caplen, vlan, &nvlan);
    if (off < 0 || (uint32_t)off >= caplen)
        return 0;
    ip = data + off;
    n = caplen - (uint32_t)off;
    if ((ip[0] >> 4) == 4 && n >= 20) {
        ha = hash_addr(ip + 12, 4);
        hb = hash_addr(ip + 16, 4);
    } else if ((ip[0] >> 4) == 6 && n >= 40) {
        ha = hash_addr(ip + 8, 16);
        hb = hash_addr(ip + 24, 16);
    } else {
        return 0;
    }
    h = (ha ^ hb) + (ha + hb) * 31; /* symmetric in (ha, hb) */
    for (unsigned i = 0; i < nvlan; i++)
        h = mix32(h ^ (vlan[i] + 1u) * 0x9e3779b1U);
    return mix32(h);
}
