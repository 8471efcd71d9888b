/* defrag.c — per-worker IPv4/IPv6 fragment reassembly (see defrag.h). */
#include "defrag.h"

#include "decode_int.h"

#define DEFRAG_BUCKETS 4096
#define DEFRAG_MAX_DGRAM 65535

struct frag {
    struct frag *next; /* sorted by offset, no overlap between stored pieces */
    uint32_t off, len;
    uint8_t data[];
};

struct tracker {
    struct tracker *hnext;
    struct tracker *lprev, *lnext; /* LRU: head is the least recently updated */
    uint32_t hash;
    uint8_t ver, proto, vlan_cnt;
    uint16_t vlan[SN_MAX_VLAN];
    uint32_t id;
    struct sn_addr src, dst;
    uint64_t last_us;
    struct frag *frags;
    uint8_t *hdr;       /* unfragmentable part, from the offset-0 fragment */
    uint32_t hdr_len;
    uint8_t *link;      /* what came before the IP header in the offset-0 fragment's packet */
    uint32_t link_len;  /* (link layer, or tunnel payload header such as PPP's) */
    bool link_tunnel;   /* that fragment was tunnelled */
    uint32_t nh_off;    /* IPv6: offset in hdr of the next-header byte to patch */
    uint8_t inner_nh;   /* IPv6: next header named by the offset-0 fragment header */
    bool have_last;
    uint32_t total;     /* fragmentable part length, known once the last fragment came */
    uint64_t mem;
};

struct sn_defrag {
    struct tracker *buckets[DEFRAG_BUCKETS];
    struct tracker *lhead, *ltail;
    uint64_t memcap, memuse, timeout_us;
    uint32_t max_trackers, ntrackers;
};

struct frag_in {
    uint8_t ver, proto;
    uint32_t id;
    const uint8_t *hdr; /* unfragmentable part of this fragment */
    uint32_t hdr_len, nh_off;
    const uint8_t *link; /* the bytes before the IP header kept for the rebuilt packet */
    uint32_t link_len;
    bool tunnel;
    uint8_t inner_nh;
    uint32_t off, len;
    bool more;
    const uint8_t *data;
};

struct sn_defrag *sn_defrag_new(const struct sn_config *cfg, int nworkers)
{
    struct sn_defrag *d = cs_calloc(1, sizeof(*d));
    uint32_t nw = nworkers > 0 ? (uint32_t)nworkers : 1;

    if (!d)
        return NULL;
    d->memcap = cfg->defrag_memcap / nw;
    d->max_trackers = cfg->defrag_max_frags / nw;
    if (d->max_trackers == 0)
        d->max_trackers = 1;
    d->timeout_us = (uint64_t)cfg->defrag_timeout_s * 1000000u;
    return d;
}

static void tracker_unlink(struct sn_defrag *d, struct tracker *t)
{
    struct tracker **pp = &d->buckets[t->hash % DEFRAG_BUCKETS];

    while (*pp && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = t->hnext;
    if (t->lprev)
        t->lprev->lnext = t->lnext;
    else
        d->lhead = t->lnext;
    if (t->lnext)
        t->lnext->lprev = t->lprev;
    else
        d->ltail = t->lprev;
    d->ntrackers--;
}

static void tracker_free(struct sn_defrag *d, struct tracker *t)
{
    struct frag *f = t->frags, *next;

    for (; f; f = next) {
        next = f->next;
        cs_free(f);
    }
    cs_free(t->hdr);
    cs_free(t->link);
    d->memuse -= t->mem;
    cs_free(t);
}

void sn_defrag_free(struct sn_defrag *d)
{
    struct tracker *t, *next;

    if (!d)
        return;
    for (t = d->lhead; t; t = next) {
        next = t->lnext;
        tracker_free(d, t);
    }
    cs_free(d);
}

uint64_t sn_defrag_memuse(const struct sn_defrag *d)
{
    return d ? d->memuse : 0;
}

uint32_t sn_defrag_trackers(const struct sn_defrag *d)
{
    return d ? d->ntrackers : 0;
}

void sn_defrag_timeout(struct sn_worker *w, uint64_t now_us)
{
    struct sn_defrag *d = w->defrag;

    while (d && d->lhead && d->lhead->last_us + d->timeout_us < now_us) {
        struct tracker *t = d->lhead;
        tracker_unlink(d, t);
        tracker_free(d, t);
    }
}

static uint32_t key_hash(const struct sn_pkt *p, const struct frag_in *in)
{
    uint32_t h = 2166136261u;
    const uint8_t *a = p->src.u8, *b = p->dst.u8;

    for (int i = 0; i < 16; i++)
        h = (h ^ a[i]) * 16777619u;
    for (int i = 0; i < 16; i++)
        h = (h ^ b[i]) * 16777619u;
    h = (h ^ in->id) * 16777619u;
    h = (h ^ in->proto) * 16777619u;
    for (unsigned i = 0; i < p->vlan_cnt; i++)
        h = (h ^ p->vlan_id[i]) * 16777619u;
    return h;
}

static struct tracker *lookup(struct sn_defrag *d, const struct sn_pkt *p,
                              const struct frag_in *in, uint32_t h)
{
    struct tracker *t;

    for (t = d->buckets[h % DEFRAG_BUCKETS]; t; t = t->hnext) {
        if (t->hash != h || t->ver != in->ver || t->id != in->id || t->proto != in->proto ||
            t->vlan_cnt != p->vlan_cnt || !sn_addr_eq(&t->src, &p->src) ||
            !sn_addr_eq(&t->dst, &p->dst))
            continue;
        if (memcmp(t->vlan, p->vlan_id, sizeof(t->vlan)) != 0)
            continue;
        return t;
    }
    return NULL;
}

static bool mem_reserve(struct sn_worker *w, struct sn_defrag *d, uint64_t n)
{
    if (d->memuse + n > d->memcap) {
        sn_count(w, SN_CNT_DEFRAG_MEMCAP_EXCEPTION, 1);
        return false;
    }
    d->memuse += n;
    return true;
}

/* Adds [off, off+len) of `data` to t, keeping data already present (first wins).
 * Returns whether any byte overlapped. */
static bool insert_data(struct sn_worker *w, struct sn_defrag *d, struct tracker *t,
                        const struct frag_in *in)
{
    struct frag **pp = &t->frags;
    uint32_t cur = in->off, end = in->off + in->len;
    bool overlap = false;

    while (cur < end) {
        struct frag *e = *pp, *nf;
        uint32_t piece_end;

        if (e && e->off + e->len <= cur) { /* entirely before */
            pp = &e->next;
            continue;
        }
        if (e && e->off <= cur) { /* covers cur: skip the covered part */
            overlap = true;
            cur = e->off + e->len;
            pp = &e->next;
            continue;
        }
        piece_end = e ? CS_MIN(end, e->off) : end;
        if (e && e->off < end)
            overlap = true;
        if (!mem_reserve(w, d, sizeof(*nf) + (piece_end - cur)))
            break;
        nf = cs_malloc(sizeof(*nf) + (piece_end - cur));
        if (!nf) {
            d->memuse -= sizeof(*nf) + (piece_end - cur);
            break;
        }
        t->mem += sizeof(*nf) + (piece_end - cur);
        nf->off = cur;
        nf->len = piece_end - cur;
        memcpy(nf->data, in->data + (cur - in->off), nf->len);
        nf->next = e;
        *pp = nf;
        pp = &nf->next;
        cur = piece_end;
    }
    return overlap;
}

static bool complete(const struct tracker *t)
{
    uint32_t cur = 0;

    if (!t->have_last || !t->hdr)
        return false;
    for (const struct frag *f = t->frags; f; f = f->next) {
        if (f->off > cur)
            return false;
        cur = CS_MAX(cur, f->off + f->len);
    }
    return cur >= t->total;
}

/* Builds the datagram, frees the tracker, decodes the rebuilt packet and hands it on. */
static void rebuild(struct sn_worker *w, struct sn_pkt *p, struct tracker *t)
{
    struct sn_defrag *d = w->defrag;
    uint32_t len = t->hdr_len + t->total, ll = t->link_len;
    uint8_t *whole = cs_malloc((size_t)ll + len), *buf = whole ? whole + ll : NULL;
    struct sn_pkt rp;
    uint8_t ver = t->ver;
    bool tunnel = t->link_tunnel;

    if (buf) {
        if (ll)
            memcpy(whole, t->link, ll);
        memcpy(buf, t->hdr, t->hdr_len);
        for (const struct frag *f = t->frags; f; f = f->next) {
            if (f->off >= t->total)
                break;
            memcpy(buf + t->hdr_len + f->off, f->data, CS_MIN(f->len, t->total - f->off));
        }
        if (ver == 4) {
            uint16_t sum;
            buf[2] = (uint8_t)(len >> 8);
            buf[3] = (uint8_t)len;
            buf[6] &= 0x40; /* keep DF, clear MF and the offset */
            buf[7] = 0;
            buf[10] = buf[11] = 0;
            sum = sn_csum_fold(sn_csum_add(0, buf, t->hdr_len));
            buf[10] = (uint8_t)(sum >> 8);
            buf[11] = (uint8_t)sum;
        } else {
            uint32_t plen = len - 40;
            buf[4] = (uint8_t)(plen >> 8);
            buf[5] = (uint8_t)plen;
            buf[t->nh_off] = t->inner_nh;
        }
    }
    tracker_unlink(d, t);
    tracker_free(d, t);
    if (!buf)
        return;

    sn_count(w, ver == 4 ? SN_CNT_DEFRAG_IPV4_REASSEMBLED : SN_CNT_DEFRAG_IPV6_REASSEMBLED, 1);
    memset(&rp, 0, sizeof(rp));
    /* the packet as Suricata rebuilds it: the offset-0 fragment's bytes before its IP
     * header (link layer and VLAN tags, or for a tunnelled datagram the tunnel payload's
     * own header such as PPP's, the tunnel packet starting there as raw data), then the
     * datagram */
    rp.data = whole;
    rp.caplen = rp.wirelen = ll + len;
    rp.ts_us = p->ts_us;
    rp.pcap_cnt = p->pcap_cnt;
    rp.datalink = tunnel ? SN_DLT_RAW : p->datalink;
    rp.eth = p->eth;
    memcpy(rp.vlan_id, p->vlan_id, sizeof(rp.vlan_id));
    rp.vlan_cnt = p->vlan_cnt;
    rp.flags = SN_PKT_REBUILT | (p->flags & SN_PKT_TUNNEL);
    rp.tunnel_depth = p->tunnel_depth;
    rp.layers = p->layers;
    rp.owned = whole;
    if (ver == 4)
        sn_decode_ipv4(w, &rp, buf, len);
    else
        sn_decode_ipv6(w, &rp, buf, len);
    if (sn_decode_rebuilt_cb)
        sn_decode_rebuilt_cb(w, &rp);
    else
        cs_free(whole);
}

static void insert(struct sn_worker *w, struct sn_pkt *p, const struct frag_in *in)
{
    struct sn_defrag *d = w->defrag;
    struct frag_in clipped;
    struct tracker *t;
    uint32_t h, end = in->off + in->len;
    uint32_t unfrag = in->ver == 4 ? in->hdr_len : in->hdr_len - 40;

    if (!d)
        return;
    if (unfrag + end > DEFRAG_MAX_DGRAM) {
        sn_pkt_set_invalid(w, p, in->ver == 4 ? SN_EV_IPV4_FRAG_PKT_TOO_LARGE
                                              : SN_EV_IPV6_FRAG_PKT_TOO_LARGE);
        return;
    }
    sn_defrag_timeout(w, p->ts_us);
    h = key_hash(p, in);
    t = lookup(d, p, in, h);
    if (!t) {
        if (d->ntrackers >= d->max_trackers) {
            sn_count(w, SN_CNT_DEFRAG_MAX_TRACKERS_REACHED, 1);
            return;
        }
        if (!mem_reserve(w, d, sizeof(*t)))
            return;
        t = cs_calloc(1, sizeof(*t));
        if (!t) {
            d->memuse -= sizeof(*t);
            return;
        }
        t->mem = sizeof(*t);
        t->hash = h;
        t->ver = in->ver;
        t->proto = in->proto;
        t->id = in->id;
        t->src = p->src;
        t->dst = p->dst;
        t->vlan_cnt = p->vlan_cnt;
        memcpy(t->vlan, p->vlan_id, sizeof(t->vlan));
        t->hnext = d->buckets[h % DEFRAG_BUCKETS];
        d->buckets[h % DEFRAG_BUCKETS] = t;
        t->lprev = d->ltail;
        if (d->ltail)
            d->ltail->lnext = t;
        else
            d->lhead = t;
        d->ltail = t;
        d->ntrackers++;
    } else if (t != d->ltail) { /* move to the LRU tail */
        if (t->lprev)
            t->lprev->lnext = t->lnext;
        else
            d->lhead = t->lnext;
        t->lnext->lprev = t->lprev;
        t->lprev = d->ltail;
        t->lnext = NULL;
        d->ltail->lnext = t;
        d->ltail = t;
    }
    t->last_us = p->ts_us;

    if (in->off == 0 && !t->hdr) {
        if (!mem_reserve(w, d, in->hdr_len))
            return;
        t->hdr = cs_malloc(in->hdr_len);
        if (!t->hdr) {
            d->memuse -= in->hdr_len;
            return;
        }
        t->mem += in->hdr_len;
        memcpy(t->hdr, in->hdr, in->hdr_len);
        t->hdr_len = in->hdr_len;
        t->link_tunnel = in->tunnel;
        if (in->link_len && mem_reserve(w, d, in->link_len)) {
            if ((t->link = cs_malloc(in->link_len))) {
                memcpy(t->link, in->link, in->link_len);
                t->link_len = in->link_len;
                t->mem += in->link_len;
            } else {
                d->memuse -= in->link_len; /* rebuilt without it */
            }
        }
        t->nh_off = in->nh_off;
        t->inner_nh = in->inner_nh;
    }
    if (!in->more) {
        if (!t->have_last) {
            t->have_last = true;
            t->total = end;
        }
    }
    if (t->have_last && end > t->total) {
        /* data past the end announced by the last fragment is ignored */
        if (in->off >= t->total)
            return;
        clipped = *in;
        clipped.len = t->total - in->off;
        in = &clipped;
    }
    if (in->len > 0 && insert_data(w, d, t, in))
        sn_pkt_event(w, p, in->ver == 4 ? SN_EV_IPV4_FRAG_OVERLAP : SN_EV_IPV6_FRAG_OVERLAP,
                     false);
    if (complete(t))
        rebuild(w, p, t);
}

/* The bytes of p before its IP header d that the rebuilt packet keeps: from the link layer
 * on, or for a tunnelled fragment from the tunnel payload on (nothing for IP in IP). */
static void link_part(const struct sn_pkt *p, const uint8_t *d, struct frag_in *in)
{
    const uint8_t *start = p->data;

    in->tunnel = p->flags & SN_PKT_TUNNEL;
    if (in->tunnel)
        start = p->tun_payload;
    if (!start || start > d || !p->data || d < p->data || d > p->data + p->caplen ||
        start < p->data)
        return;
    in->link = start;
    in->link_len = (uint32_t)(d - start);
}

void sn_defrag_ipv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    struct frag_in in;
    uint16_t fl = cs_get_be16(d + 6);

    sn_count(w, SN_CNT_DEFRAG_IPV4_FRAGMENTS, 1);
    memset(&in, 0, sizeof(in));
    in.ver = 4;
    in.proto = d[9];
    in.id = cs_get_be16(d + 4);
    in.hdr = d;
    in.hdr_len = p->ip_hlen;
    in.off = (uint32_t)(fl & 0x1fff) * 8;
    in.more = fl & 0x2000;
    in.data = d + p->ip_hlen;
    in.len = n - p->ip_hlen;
    link_part(p, d, &in);
    insert(w, p, &in);
}

void sn_defrag_ipv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                    uint32_t fh_off, uint32_t nh_off)
{
    struct frag_in in;
    const uint8_t *fh = d + fh_off;

    sn_count(w, SN_CNT_DEFRAG_IPV6_FRAGMENTS, 1);
    memset(&in, 0, sizeof(in));
    in.ver = 6;
    in.id = cs_get_be32(fh + 4);
    in.hdr = d;
    in.hdr_len = fh_off;
    in.nh_off = nh_off;
    in.inner_nh = fh[0];
    in.off = cs_get_be16(fh + 2) & 0xfff8;
    in.more = fh[3] & 1;
    in.data = fh + 8;
    in.len = n - fh_off - 8;
    link_part(p, d, &in);
    insert(w, p, &in);
}
