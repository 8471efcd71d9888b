/* stream.c — TCP session tracking and reassembly (contract in stream.h).
 *
 * Layout of a session: two directions (struct sn_tcp_dir), each described from the point of
 * view of its sender: ISN, highest sequence seen, the last ACK this side sent (which
 * acknowledges the *other* direction), its advertised window, and its reassembly list.
 *
 * Reassembly works on 64-bit stream offsets (offset 0 = the byte after the SYN), so 2^32
 * sequence wraparound is handled by mapping each 32-bit sequence number relative to the
 * current delivery point. A direction keeps a sorted list of NON-overlapping segments:
 * overlapping data is resolved at insertion time (byte comparison, overlap policy), so
 * delivery is a walk along the list. Delivered segments stay in the list until the peer
 * has acknowledged them (or they are KEEP_DELIVERED bytes old) so that retransmissions can
 * be compared with what the application saw.
 *
 * Segment memory comes from per-worker free lists of power-of-two blocks (64 B .. 64 KB);
 * a cs_malloc only happens while the free lists warm up. Sessions come from a free list. */
#include "stream.h"

#include "../config.h"
#include "../pkt.h"

sn_stream_deliver_fn sn_stream_deliver_cb;

#define SEG_MIN_SHIFT 6
#define SEG_CLASSES 11                /* 64 B .. 64 KB */
#define SEG_MAX_DATA (1u << (SEG_MIN_SHIFT + SEG_CLASSES - 1))
#define SEG_FREE_KEEP (1u << 20)      /* bytes of free blocks kept per size class */
#define SSN_FREE_KEEP 4096            /* free sessions kept */
#define KEEP_DELIVERED (64u * 1024)   /* delivered-but-unacked bytes kept for comparison */
#define ACK_SLACK (1u << 24)          /* ACK this far beyond the peer's data: invalid ack */
#define WIN_MAX (1u << 30)
#define MIDSTREAM_WSCALE 14

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

struct sn_seg {
    struct sn_seg *next;
    uint64_t off;                /* stream offset of data[0] */
    uint32_t len;
    uint8_t cls;                 /* size class of the block */
    uint8_t data[];
};

/* per-direction flags */
enum {
    D_SEEN = 1u << 0,            /* a packet of this direction was seen */
    D_ACK_SEEN = 1u << 1,        /* last_ack is valid */
    D_WIN_KNOWN = 1u << 2,       /* win is valid */
    D_WSCALE = 1u << 3,          /* window scale option in this side's SYN */
    D_TS = 1u << 4,              /* timestamp option in this side's SYN */
    D_FIN = 1u << 5,             /* FIN seen; fin_seq / fin_off valid */
    D_STARTED = 1u << 6,         /* something was delivered (START given) */
    D_EOF = 1u << 7,             /* EOF delivered: nothing more for this direction */
    D_DEPTH_EV = 1u << 8,        /* depth event raised */
    D_DEPTH_SENT = 1u << 9,      /* SN_STREAM_DEPTH delivered */
    D_FLUSH = 1u << 10,          /* finishing: deliver regardless of the peer's ACK */
};

struct sn_tcp_dir {
    struct sn_seg *segs;         /* sorted by offset, non-overlapping */
    struct sn_seg *walk;         /* walk start hint: every segment before it ends at or
                                    before base_off (NULL: start at segs) */
    uint64_t base_off;           /* next offset to deliver */
    uint64_t fin_off;
    uint32_t isn, next_seq, last_ack, win, fin_seq, last_ts;
    uint32_t held_regions, max_regions;
    uint16_t flags;              /* D_* */
    uint8_t wscale;              /* effective shift applied to this side's window */
};

/* session flags */
enum {
    SSN_4WHS = 1u << 0,
    SSN_MIDSTREAM = 1u << 1,
    SSN_TS = 1u << 2,            /* timestamps negotiated */
    SSN_HANDSHAKE_DONE = 1u << 3, /* reached established once (flow:established) */
};

struct sn_tcp_ssn {
    struct sn_tcp_ssn *next_free;
    uint8_t state;               /* enum sn_tcp_state */
    uint8_t cdir;                /* direction of the initiator (sender of the first SYN) */
    uint8_t flags;               /* SSN_* */
    struct sn_tcp_dir d[2];      /* indexed by SN_TOSERVER / SN_TOCLIENT */
};

struct sn_stream_ctx {
    const struct sn_config *cfg;
    size_t memcap, memuse;       /* reassembly segments */
    size_t ssn_memcap, ssn_memuse;
    struct sn_seg *free_segs[SEG_CLASSES];
    size_t free_bytes[SEG_CLASSES];
    struct sn_tcp_ssn *free_ssn;
    unsigned nfree_ssn;
};

/* ---- memory ---------------------------------------------------------------------------- */

static size_t seg_size(unsigned cls)
{
    return sizeof(struct sn_seg) + ((size_t)1 << (SEG_MIN_SHIFT + cls));
}

struct sn_stream_ctx *sn_stream_ctx_new(const struct sn_config *cfg, int nworkers)
{
    struct sn_stream_ctx *ctx = cs_calloc(1, sizeof(*ctx));

    if (!ctx)
        return NULL;
    if (nworkers < 1)
        nworkers = 1;
    ctx->cfg = cfg;
    ctx->memcap = (size_t)(cfg->reassembly_memcap / (uint64_t)nworkers);
    ctx->ssn_memcap = (size_t)(cfg->stream_memcap / (uint64_t)nworkers);
    return ctx;
}

void sn_stream_ctx_free(struct sn_stream_ctx *ctx)
{
    if (!ctx)
        return;
    for (unsigned i = 0; i < SEG_CLASSES; i++) {
        while (ctx->free_segs[i]) {
            struct sn_seg *s = ctx->free_segs[i];
            ctx->free_segs[i] = s->next;
            cs_free(s);
        }
    }
    while (ctx->free_ssn) {
        struct sn_tcp_ssn *s = ctx->free_ssn;
        ctx->free_ssn = s->next_free;
        cs_free(s);
    }
    cs_free(ctx);
}

size_t sn_stream_memuse(const struct sn_stream_ctx *ctx)
{
    return ctx ? ctx->memuse : 0;
}

/* A block for len (1..SEG_MAX_DATA) bytes, or NULL over the memcap / out of memory. */
static struct sn_seg *seg_alloc(struct sn_stream_ctx *ctx, uint32_t len)
{
    unsigned cls = 0;
    struct sn_seg *s;

    while (((uint32_t)1 << (SEG_MIN_SHIFT + cls)) < len)
        cls++;
    if (ctx->memcap && ctx->memuse + seg_size(cls) > ctx->memcap)
        return NULL;
    s = ctx->free_segs[cls];
    if (s) {
        ctx->free_segs[cls] = s->next;
        ctx->free_bytes[cls] -= seg_size(cls);
    } else {
        s = cs_malloc(seg_size(cls));
        if (!s)
            return NULL;
    }
    ctx->memuse += seg_size(cls);
    s->next = NULL;
    s->cls = (uint8_t)cls;
    s->len = len;
    return s;
}

static void seg_free(struct sn_stream_ctx *ctx, struct sn_seg *s)
{
    size_t sz = seg_size(s->cls);

    ctx->memuse -= sz;
    if (ctx->free_bytes[s->cls] + sz <= SEG_FREE_KEEP) {
        s->next = ctx->free_segs[s->cls];
        ctx->free_segs[s->cls] = s;
        ctx->free_bytes[s->cls] += sz;
    } else {
        cs_free(s);
    }
}

static struct sn_tcp_ssn *ssn_alloc(struct sn_worker *w)
{
    struct sn_stream_ctx *ctx = w->stream;
    struct sn_tcp_ssn *ssn;

    if (ctx->ssn_memcap && ctx->ssn_memuse + sizeof(*ssn) > ctx->ssn_memcap) {
        sn_count(w, SN_CNT_TCP_SSN_MEMCAP_DROP, 1);
        return NULL;
    }
    ssn = ctx->free_ssn;
    if (ssn) {
        ctx->free_ssn = ssn->next_free;
        ctx->nfree_ssn--;
    } else {
        ssn = cs_malloc(sizeof(*ssn));
        if (!ssn) {
            sn_count(w, SN_CNT_TCP_SSN_MEMCAP_DROP, 1);
            return NULL;
        }
    }
    memset(ssn, 0, sizeof(*ssn));
    ctx->ssn_memuse += sizeof(*ssn);
    sn_count(w, SN_CNT_TCP_SESSIONS, 1);
    return ssn;
}

static void ssn_release(struct sn_stream_ctx *ctx, struct sn_tcp_ssn *ssn)
{
    for (int i = 0; i < 2; i++) {
        while (ssn->d[i].segs) {
            struct sn_seg *s = ssn->d[i].segs;
            ssn->d[i].segs = s->next;
            seg_free(ctx, s);
        }
    }
    ctx->ssn_memuse -= sizeof(*ssn);
    if (ctx->nfree_ssn < SSN_FREE_KEEP) {
        ssn->next_free = ctx->free_ssn;
        ctx->free_ssn = ssn;
        ctx->nfree_ssn++;
    } else {
        cs_free(ssn);
    }
}

static void memuse_stat(struct sn_worker *w)
{
    w->counters[SN_CNT_TCP_REASSEMBLY_MEMUSE] = w->stream->memuse;
}

/* ---- delivery -------------------------------------------------------------------------- */

static void emit(struct sn_worker *w, struct sn_flow *f, struct sn_tcp_dir *d, int dir,
                 const uint8_t *data, uint32_t len, unsigned flags)
{
    if (d->flags & D_EOF)
        return;
    if (!(d->flags & D_STARTED)) {
        d->flags |= D_STARTED;
        flags |= SN_STREAM_START;
    }
    if (flags & SN_STREAM_EOF)
        d->flags |= D_EOF;
    if (sn_stream_deliver_cb)
        sn_stream_deliver_cb(w, f, dir, data, len, flags);
}

/* Stream offset of sequence number seq in direction d (may be negative: before the
 * stream start). Relative to the delivery point so that wraparound is transparent. */
static int64_t seq_off(const struct sn_tcp_dir *d, uint32_t seq)
{
    uint32_t base_seq = d->isn + 1 + (uint32_t)d->base_off;

    return (int64_t)d->base_off + (int32_t)(seq - base_seq);
}

static uint64_t depth_of(const struct sn_worker *w)
{
    return w->cfg ? w->cfg->reassembly_depth : 0;
}

/* Frees delivered segments the peer has acknowledged (or that are too old). */
static void dir_prune(struct sn_worker *w, struct sn_tcp_ssn *ssn, int dir)
{
    struct sn_tcp_dir *d = &ssn->d[dir];
    const struct sn_tcp_dir *peer = &ssn->d[dir ^ 1];
    uint64_t keep_from = d->base_off > KEEP_DELIVERED ? d->base_off - KEEP_DELIVERED : 0;

    if (peer->flags & D_ACK_SEEN) {
        int64_t a = seq_off(d, peer->last_ack);
        if (a > (int64_t)keep_from)
            keep_from = (uint64_t)a < d->base_off ? (uint64_t)a : d->base_off;
    }
    while (d->segs && d->segs->off + d->segs->len <= keep_from) {
        struct sn_seg *s = d->segs;
        d->segs = s->next;
        if (d->walk == s)
            d->walk = NULL;
        seg_free(w->stream, s);
    }
}

/* Number of disjoint regions held beyond the delivery point. */
static void dir_count_regions(struct sn_tcp_dir *d)
{
    uint32_t n = 0;
    uint64_t prev_end = 0;
    bool first = true;

    for (const struct sn_seg *s = d->walk ? d->walk : d->segs; s; s = s->next) {
        if (s->off + s->len <= d->base_off)
            continue;
        if (first || s->off != prev_end)
            n++;
        first = false;
        prev_end = s->off + s->len;
    }
    d->held_regions = n;
    if (n > d->max_regions)
        d->max_regions = n;
}

/* How far direction dir may be delivered to the application: as Suricata in IDS mode, data
 * goes to the app layer once the receiver has acknowledged it (so app-layer records and
 * transactions appear at the ACK, where Suricata has them), except when the receiver has
 * sent no ACK at all (one-sided capture, midstream server data first), after the sender's
 * FIN, when the flow is finishing (D_FLUSH), with stream.async-oneside or stream.inline. */
static uint64_t deliver_limit(const struct sn_worker *w, const struct sn_tcp_ssn *ssn, int dir)
{
    const struct sn_tcp_dir *d = &ssn->d[dir], *peer = &ssn->d[dir ^ 1];
    int64_t a;

    if ((d->flags & (D_FIN | D_FLUSH)) || !(peer->flags & D_ACK_SEEN) ||
        ssn->state == SN_TCP_CLOSED ||
        (w->cfg && (w->cfg->async_oneside || w->cfg->stream_inline)))
        return UINT64_MAX;
    a = seq_off(d, peer->last_ack);
    return a > (int64_t)d->base_off ? (uint64_t)a : d->base_off;
}

/* Delivers contiguous data at the delivery point, then DEPTH / EOF when due. */
static void dir_deliver(struct sn_worker *w, struct sn_flow *f, struct sn_tcp_ssn *ssn, int dir)
{
    struct sn_tcp_dir *d = &ssn->d[dir];
    uint64_t depth = depth_of(w);

    uint64_t limit = deliver_limit(w, ssn, dir);

    if (d->flags & D_EOF)
        return;
    for (struct sn_seg *s = d->walk ? d->walk : d->segs; s; s = s->next) {
        uint64_t end = s->off + s->len;
        if (end > d->base_off) {
            if (s->off > d->base_off || d->base_off >= limit)
                break;
            uint32_t skip = (uint32_t)(d->base_off - s->off);
            uint64_t upto = end < limit ? end : limit;
            d->base_off = upto;
            emit(w, f, d, dir, s->data + skip, (uint32_t)(upto - s->off) - skip, 0);
            if (upto < end)
                break; /* the rest when the peer acknowledges it */
        }
        d->walk = s;
    }
    if (depth && d->base_off >= depth && !(d->flags & D_DEPTH_SENT)) {
        d->flags |= D_DEPTH_SENT;
        emit(w, f, d, dir, NULL, 0, SN_STREAM_DEPTH);
    }
    if ((d->flags & D_FIN) && (d->base_off >= d->fin_off || (d->flags & D_DEPTH_SENT)))
        emit(w, f, d, dir, NULL, 0, SN_STREAM_EOF);
    dir_prune(w, ssn, dir);
    dir_count_regions(d);
    memuse_stat(w);
}

/* Data before `target` is missing: deliver a gap up to the next held segment (or target),
 * then the data that became contiguous. p may be NULL (flow end). */
static void dir_gap_to(struct sn_worker *w, struct sn_pkt *p, struct sn_flow *f,
                       struct sn_tcp_ssn *ssn, int dir, uint64_t target)
{
    struct sn_tcp_dir *d = &ssn->d[dir];
    uint64_t depth = depth_of(w);

    if (depth && target > depth)
        target = depth;
    if ((d->flags & D_FIN) && target > d->fin_off)
        target = d->fin_off;
    dir_deliver(w, f, ssn, dir);
    while (!(d->flags & D_EOF) && target > d->base_off) {
        uint64_t upto = target;
        for (const struct sn_seg *s = d->walk ? d->walk : d->segs; s; s = s->next) {
            if (s->off > d->base_off) {
                if (s->off < upto)
                    upto = s->off;
                break;
            }
        }
        if (p)
            sn_pkt_event(w, p, SN_EV_STREAM_REASSEMBLY_SEQ_GAP, false);
        sn_count(w, SN_CNT_TCP_REASSEMBLY_GAP, 1);
        uint64_t len = upto - d->base_off;
        d->base_off = upto;
        emit(w, f, d, dir, NULL, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, SN_STREAM_GAP);
        dir_deliver(w, f, ssn, dir);
    }
}

/* Everything that can still be given for this direction: in-order data, held data after
 * gap notices, then EOF. */
static void dir_finish(struct sn_worker *w, struct sn_flow *f, struct sn_tcp_ssn *ssn, int dir)
{
    struct sn_tcp_dir *d = &ssn->d[dir];
    uint64_t target = d->base_off;
    int64_t n;

    d->flags |= D_FLUSH;

    for (const struct sn_seg *s = d->walk ? d->walk : d->segs; s; s = s->next)
        if (s->off + s->len > target)
            target = s->off + s->len;
    n = seq_off(d, d->next_seq);
    if ((d->flags & D_SEEN) && n > (int64_t)target)
        target = (uint64_t)n;
    if ((d->flags & D_FIN) && d->fin_off > target)
        target = d->fin_off;
    dir_gap_to(w, NULL, f, ssn, dir, target);
    emit(w, f, d, dir, NULL, 0, SN_STREAM_EOF);
    dir_count_regions(d);
}

/* The session ends (RST, flow end): in-order data still waiting for an ACK goes out in both
 * directions first, then each direction is finished (gaps, EOF), so that no parser sees one
 * side end before the other side's data. */
static void finish_both(struct sn_worker *w, struct sn_flow *f, struct sn_tcp_ssn *ssn)
{
    for (int i = 0; i < 2; i++) {
        int dir = i ? ssn->cdir ^ 1 : ssn->cdir;
        ssn->d[dir].flags |= D_FLUSH;
        dir_deliver(w, f, ssn, dir);
    }
    dir_finish(w, f, ssn, ssn->cdir);
    dir_finish(w, f, ssn, ssn->cdir ^ 1);
}

/* ---- insertion and overlaps ----------------------------------------------------------- */

/* Whether new data replaces old data where a new segment [no, ne) overlaps a stored one
 * [oo, oe). The classic target-based rules (Novak & Sturges) as implemented here; stored
 * segments may be pieces of earlier packets, so "old segment" means the stored piece:
 *   FIRST    old data always wins.
 *   LAST     new data always wins.
 *   BSD      old wins, unless the new segment starts before the old one.
 *   LINUX    as BSD, and new also wins when it starts with the old one and is longer.
 *   WINDOWS  old wins, unless the new segment starts before the old one and covers it
 *            completely.
 *   SOLARIS  new wins when it ends after the old one or starts before it (old wins only
 *            when the new segment lies inside the old one). */
static bool new_wins(enum sn_overlap_policy pol, uint64_t no, uint64_t ne, uint64_t oo,
                     uint64_t oe)
{
    switch (pol) {
    case SN_OVERLAP_FIRST:
        return false;
    case SN_OVERLAP_LAST:
        return true;
    case SN_OVERLAP_LINUX:
        return no < oo || (no == oo && ne > oe);
    case SN_OVERLAP_WINDOWS:
        return no < oo && ne >= oe;
    case SN_OVERLAP_SOLARIS:
        return no < oo || ne > oe;
    case SN_OVERLAP_BSD:
    default:
        return no < oo;
    }
}

/* Stores bytes [o, o+len) as new segment(s) before *link. Returns false on memcap. */
static bool store_piece(struct sn_worker *w, struct sn_tcp_dir *d, struct sn_seg **link,
                        uint64_t o, const uint8_t *data, uint32_t len)
{
    if (d->walk && o < d->walk->off)
        d->walk = NULL; /* inserted before the hint */
    while (len > 0) {
        uint32_t n = len > SEG_MAX_DATA ? SEG_MAX_DATA : len;
        struct sn_seg *s = seg_alloc(w->stream, n);
        if (!s)
            return false;
        s->off = o;
        memcpy(s->data, data, n);
        s->next = *link;
        *link = s;
        link = &s->next;
        o += n;
        data += n;
        len -= n;
    }
    return true;
}

/* Inserts payload bytes at stream offset off of direction dir. */
static void dir_insert(struct sn_worker *w, struct sn_pkt *p, struct sn_tcp_ssn *ssn, int dir,
                       int64_t off, const uint8_t *data, uint32_t len)
{
    struct sn_tcp_dir *d = &ssn->d[dir];
    uint64_t depth = depth_of(w);
    enum sn_overlap_policy pol = w->cfg ? w->cfg->overlap_policy : SN_OVERLAP_BSD;
    bool diff = false, dropped = false;
    struct sn_seg **link;
    uint64_t o, e, pos;

    if (len == 0 || (d->flags & D_EOF))
        return;
    if (off < 0) {
        if ((uint64_t)-off >= len)
            return;
        data += (uint64_t)-off;
        len -= (uint32_t)(uint64_t)-off;
        off = 0;
    }
    o = (uint64_t)off;
    e = o + len;
    if (depth && e > depth) {
        if (!(d->flags & D_DEPTH_EV)) {
            d->flags |= D_DEPTH_EV;
            sn_pkt_event(w, p, SN_EV_STREAM_REASSEMBLY_DEPTH_REACHED, false);
            sn_count(w, SN_CNT_TCP_STREAM_DEPTH_REACHED, 1);
        }
        if (o >= depth)
            return;
        e = depth;
    }

    pos = o;
    /* segments before the walk hint end at or before base_off: no overlap possible */
    link = (d->walk && o >= d->base_off) ? &d->walk->next : &d->segs;
    while (pos < e) {
        struct sn_seg *s = *link;
        if (s && s->off + s->len <= pos) {
            link = &s->next;
            continue;
        }
        /* uncovered piece [pos, gap_end) */
        uint64_t gap_end = (s && s->off < e) ? s->off : e;
        if (gap_end > pos) {
            uint64_t from = pos < d->base_off ? d->base_off : pos; /* delivered: drop */
            if (from < gap_end) {
                if (!store_piece(w, d, link, from, data + (from - o), (uint32_t)(gap_end - from)))
                    dropped = true;
                while (*link && *link != s)
                    link = &(*link)->next;
            }
            pos = gap_end;
            continue;
        }
        /* overlap with stored segment s on [pos, ov_end) */
        uint64_t ov_end = CS_MIN(e, s->off + s->len);
        uint8_t *old = s->data + (pos - s->off);
        const uint8_t *nw = data + (pos - o);
        size_t n = (size_t)(ov_end - pos);
        sn_count(w, SN_CNT_TCP_OVERLAP, 1);
        if (memcmp(old, nw, n) != 0) {
            diff = true;
            if (ov_end > d->base_off && new_wins(pol, o, e, s->off, s->off + s->len)) {
                uint64_t from = pos < d->base_off ? d->base_off : pos;
                memcpy(s->data + (from - s->off), data + (from - o), (size_t)(ov_end - from));
            }
        }
        pos = ov_end;
        link = &s->next;
    }
    if (diff) {
        sn_pkt_event(w, p, SN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA, false);
        sn_count(w, SN_CNT_TCP_OVERLAP_DIFF_DATA, 1);
    }
    if (dropped)
        sn_count(w, SN_CNT_TCP_SEGMENT_MEMCAP_DROP, 1);
    dir_count_regions(d);
}

/* ---- session state --------------------------------------------------------------------- */

static void set_state(struct sn_flow *f, struct sn_tcp_ssn *ssn, enum sn_tcp_state st)
{
    ssn->state = (uint8_t)st;
    if (st >= SN_TCP_ESTABLISHED && st != SN_TCP_CLOSED)
        ssn->flags |= SSN_HANDSHAKE_DONE;
    if (st == SN_TCP_CLOSED || ((ssn->d[0].flags & D_FIN) && (ssn->d[1].flags & D_FIN)))
        f->state = SN_FLOW_CLOSED;
    else if (st >= SN_TCP_ESTABLISHED)
        f->state = SN_FLOW_ESTABLISHED;
    else
        f->state = SN_FLOW_NEW;
}

/* Records the options of a SYN or SYN/ACK sent by direction d. */
static void syn_opts(struct sn_tcp_dir *d, const struct sn_pkt *p)
{
    d->flags &= (uint16_t) ~(D_WSCALE | D_TS);
    if (p->tcpo.has_wscale) {
        d->flags |= D_WSCALE;
        d->wscale = p->tcpo.wscale > 14 ? 14 : p->tcpo.wscale;
    }
    if (p->tcpo.has_ts) {
        d->flags |= D_TS;
        d->last_ts = p->tcpo.ts_val;
    }
    d->win = p->tcp_win; /* never scaled in SYNs */
    d->flags |= D_WIN_KNOWN | D_SEEN;
}

/* Both SYNs seen: window scaling and timestamps apply only when both sides offered them. */
static void negotiate(struct sn_tcp_ssn *ssn)
{
    if (!((ssn->d[0].flags & D_WSCALE) && (ssn->d[1].flags & D_WSCALE)))
        ssn->d[0].wscale = ssn->d[1].wscale = 0;
    if ((ssn->d[0].flags & D_TS) && (ssn->d[1].flags & D_TS))
        ssn->flags |= SSN_TS;
}

static bool ack_covers_fin(const struct sn_tcp_dir *d, uint32_t ack)
{
    return (d->flags & D_FIN) && SEQ_GEQ(ack, d->fin_seq + 1);
}

static void do_rst(struct sn_worker *w, struct sn_flow *f, struct sn_tcp_ssn *ssn)
{
    set_state(f, ssn, SN_TCP_CLOSED);
    finish_both(w, f, ssn);
}

/* ACK handling for a packet of direction dir: acknowledges data of the other direction,
 * which lets us declare data missing from the capture (gap). */
static void handle_ack(struct sn_worker *w, struct sn_pkt *p, struct sn_tcp_ssn *ssn, int dir)
{
    struct sn_tcp_dir *s = &ssn->d[dir], *r = &ssn->d[dir ^ 1];
    uint32_t ack = p->tcp_ack;

    if (!(p->tcp_flags & SN_TH_ACK))
        return;
    if ((r->flags & D_SEEN) && SEQ_GT(ack, r->next_seq + ACK_SLACK)) {
        sn_pkt_event(w, p, SN_EV_STREAM_EST_INVALID_ACK, false);
        return;
    }
    if (!(s->flags & D_ACK_SEEN) || SEQ_GT(ack, s->last_ack))
        s->last_ack = ack;
    s->flags |= D_ACK_SEEN;
    if (SEQ_GT(ack, r->next_seq))
        r->next_seq = ack; /* data we did not see */
    int64_t a = seq_off(r, ack);
    if (a > (int64_t)r->base_off)
        dir_gap_to(w, p, p->flow, ssn, dir ^ 1, (uint64_t)a);
    else
        dir_prune(w, ssn, dir ^ 1);
}

/* Connection teardown transitions for a packet of direction dir. The state names follow
 * Suricata's (they appear in EVE tcp.state): they are the server's view, so a client that
 * closes first puts the session in close_wait, a server that closes first in fin_wait1. */
static void close_states(struct sn_flow *f, struct sn_tcp_ssn *ssn, const struct sn_pkt *p,
                         int dir, bool new_fin)
{
    int c = ssn->cdir ^ 1; /* the side whose view names the states: the server */
    bool has_ack = (p->tcp_flags & SN_TH_ACK) != 0;
    const struct sn_tcp_dir *other = &ssn->d[dir ^ 1];
    bool acks_other_fin = has_ack && ack_covers_fin(other, p->tcp_ack);

    if (new_fin) {
        switch (ssn->state) {
        case SN_TCP_SYN_SENT:
        case SN_TCP_SYN_RECV:
        case SN_TCP_ESTABLISHED:
            set_state(f, ssn, dir == c ? SN_TCP_FIN_WAIT1 : SN_TCP_CLOSE_WAIT);
            break;
        case SN_TCP_FIN_WAIT1:
            if (dir != c)
                set_state(f, ssn, acks_other_fin ? SN_TCP_TIME_WAIT : SN_TCP_CLOSING);
            break;
        case SN_TCP_FIN_WAIT2:
            if (dir != c)
                set_state(f, ssn, SN_TCP_TIME_WAIT);
            break;
        case SN_TCP_CLOSE_WAIT:
            if (dir == c)
                set_state(f, ssn, SN_TCP_LAST_ACK);
            break;
        default:
            break;
        }
        return;
    }
    if (!acks_other_fin)
        return;
    switch (ssn->state) {
    case SN_TCP_FIN_WAIT1:
        if (dir != c)
            set_state(f, ssn, SN_TCP_FIN_WAIT2);
        break;
    case SN_TCP_CLOSING:
        set_state(f, ssn, SN_TCP_TIME_WAIT);
        break;
    case SN_TCP_LAST_ACK:
        if (dir != c)
            set_state(f, ssn, SN_TCP_CLOSED);
        break;
    case SN_TCP_TIME_WAIT:
        if (other->flags & D_FIN && (ssn->d[dir].flags & D_FIN))
            set_state(f, ssn, SN_TCP_CLOSED);
        break;
    default:
        break;
    }
}

/* A packet in an established (or closing) session. */
static void process_est(struct sn_worker *w, struct sn_pkt *p, struct sn_tcp_ssn *ssn, int dir)
{
    struct sn_flow *f = p->flow;
    struct sn_tcp_dir *s = &ssn->d[dir], *r = &ssn->d[dir ^ 1];
    uint8_t fl = p->tcp_flags;
    uint32_t dseq = p->tcp_seq;
    uint32_t len = p->payload ? p->payload_len : 0;
    bool new_fin = false;

    p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
    if (fl & SN_TH_SYN) {
        if (fl & SN_TH_FIN)
            sn_pkt_event(w, p, SN_EV_STREAM_FIN_SYN, false);
        else if (ssn->state > SN_TCP_ESTABLISHED)
            sn_pkt_event(w, p, SN_EV_STREAM_SHUTDOWN_SYN_RESEND, false);
        else if (fl & SN_TH_ACK)
            sn_pkt_event(w, p, SN_EV_STREAM_EST_SYNACK_RESEND, false);
        else if (dir != ssn->cdir)
            sn_pkt_event(w, p, SN_EV_STREAM_EST_SYN_TOCLIENT, false);
        else if (p->tcp_seq == s->isn)
            sn_pkt_event(w, p, SN_EV_STREAM_EST_SYN_RESEND, false);
        else
            sn_pkt_event(w, p, SN_EV_STREAM_EST_SYN_RESEND_DIFF_SEQ, false);
        return;
    }
    if (fl & SN_TH_RST) {
        do_rst(w, f, ssn);
        return;
    }
    s->flags |= D_SEEN;
    if ((ssn->flags & SSN_TS) && !p->tcpo.has_ts)
        sn_pkt_event(w, p, SN_EV_STREAM_PKT_INVALID_TIMESTAMP, false);
    if (p->tcpo.has_ts)
        s->last_ts = p->tcpo.ts_val;

    handle_ack(w, p, ssn, dir);
    uint64_t win = (uint64_t)p->tcp_win << s->wscale;
    s->win = win > WIN_MAX ? WIN_MAX : (uint32_t)win;
    s->flags |= D_WIN_KNOWN;

    if (len > 0) {
        bool in_window = true;
        if ((r->flags & (D_ACK_SEEN | D_WIN_KNOWN)) == (D_ACK_SEEN | D_WIN_KNOWN)) {
            /* tolerance of one more window (at least 64 KB): ACKs missing from the
             * capture make the receiver's window look older than it is */
            uint32_t allow = r->win + CS_MAX(r->win, 65535u);
            if (allow > WIN_MAX)
                allow = WIN_MAX;
            if (SEQ_GT(dseq, r->last_ack + allow))
                in_window = false;
        }
        if (!in_window) {
            p->stream_flags |= SN_STREAM_PKT_OUT_OF_WINDOW;
            sn_pkt_event(w, p, SN_EV_STREAM_EST_PACKET_OUT_OF_WINDOW, false);
            len = 0;
        } else {
            int64_t off = seq_off(s, dseq);
            if (((r->flags & D_ACK_SEEN) && SEQ_LEQ(dseq + len, r->last_ack)) ||
                off + (int64_t)len <= (int64_t)s->base_off) {
                p->stream_flags |= SN_STREAM_PKT_RETRANS;
                sn_pkt_event(w, p, SN_EV_STREAM_PKT_RETRANSMISSION, false);
            }
            dir_insert(w, p, ssn, dir, off, p->payload, len);
            if (SEQ_GT(dseq + len, s->next_seq))
                s->next_seq = dseq + len;
        }
    }
    if ((fl & SN_TH_FIN) && !(s->flags & D_FIN) &&
        (len > 0 || !(p->stream_flags & SN_STREAM_PKT_OUT_OF_WINDOW))) {
        int64_t fo = seq_off(s, dseq + len);
        s->flags |= D_FIN;
        s->fin_seq = dseq + len;
        s->fin_off = fo > 0 ? (uint64_t)fo : 0;
        if (s->fin_off < s->base_off)
            s->fin_off = s->base_off;
        if (SEQ_GT(s->fin_seq + 1, s->next_seq))
            s->next_seq = s->fin_seq + 1;
        new_fin = true;
    }
    dir_deliver(w, f, ssn, dir);
    close_states(f, ssn, p, dir, new_fin);
}

/* First packet of a flow without session. Returns the new session or NULL. */
static struct sn_tcp_ssn *ssn_start(struct sn_worker *w, struct sn_pkt *p, int dir)
{
    const struct sn_config *cfg = w->cfg;
    bool midstream = cfg && cfg->midstream;
    uint8_t fl = p->tcp_flags;
    struct sn_flow *f = p->flow;
    struct sn_tcp_ssn *ssn;

    if (fl & SN_TH_RST) {
        sn_pkt_event(w, p, SN_EV_STREAM_RST_BUT_NO_SESSION, false);
        return NULL;
    }
    if ((fl & SN_TH_SYN) && !(fl & SN_TH_ACK)) {
        ssn = ssn_alloc(w);
        if (!ssn)
            return NULL;
        ssn->cdir = (uint8_t)dir;
        struct sn_tcp_dir *c = &ssn->d[dir];
        c->isn = p->tcp_seq;
        c->next_seq = p->tcp_seq + 1;
        syn_opts(c, p);
        f->tcp = ssn;
        set_state(f, ssn, SN_TCP_SYN_SENT);
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        if (p->tcpo.has_tfo && p->payload && p->payload_len) {
            dir_insert(w, p, ssn, dir, 0, p->payload, p->payload_len);
            c->next_seq += p->payload_len;
            dir_deliver(w, f, ssn, dir);
        }
        return ssn;
    }
    if (!midstream || !(fl & SN_TH_ACK)) {
        if (fl & SN_TH_FIN)
            sn_pkt_event(w, p, SN_EV_STREAM_FIN_BUT_NO_SESSION, false);
        return NULL;
    }
    ssn = ssn_alloc(w);
    if (!ssn)
        return NULL;
    sn_count(w, SN_CNT_TCP_MIDSTREAM_PICKUPS, 1);
    ssn->flags |= SSN_MIDSTREAM;
    f->tcp = ssn;
    struct sn_tcp_dir *s = &ssn->d[dir], *r = &ssn->d[dir ^ 1];
    if (fl & SN_TH_SYN) {
        /* SYN/ACK first: its sender is the responder; wait for the final ACK */
        ssn->cdir = (uint8_t)(dir ^ 1);
        s->isn = p->tcp_seq;
        s->next_seq = p->tcp_seq + 1;
        syn_opts(s, p);
        s->last_ack = p->tcp_ack;
        s->flags |= D_ACK_SEEN;
        r->isn = p->tcp_ack - 1;
        r->next_seq = p->tcp_ack;
        r->flags |= D_WSCALE;
        r->wscale = MIDSTREAM_WSCALE;
        negotiate(ssn);
        set_state(f, ssn, SN_TCP_SYN_RECV);
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        return ssn;
    }
    ssn->cdir = (uint8_t)dir;
    s->isn = p->tcp_seq - 1;
    s->next_seq = p->tcp_seq;
    r->isn = p->tcp_ack - 1;
    r->next_seq = p->tcp_ack;
    s->wscale = r->wscale = MIDSTREAM_WSCALE; /* unknown: assume the largest */
    s->flags |= D_SEEN;
    set_state(f, ssn, SN_TCP_ESTABLISHED);
    process_est(w, p, ssn, dir);
    return ssn;
}

static void state_syn_sent(struct sn_worker *w, struct sn_pkt *p, struct sn_tcp_ssn *ssn,
                           int dir)
{
    struct sn_flow *f = p->flow;
    int c = ssn->cdir;
    struct sn_tcp_dir *cd = &ssn->d[c], *sd = &ssn->d[c ^ 1];
    uint8_t fl = p->tcp_flags;

    if (fl & SN_TH_RST) {
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        do_rst(w, f, ssn);
        return;
    }
    if ((fl & SN_TH_SYN) && !(fl & SN_TH_ACK)) {
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        if (dir == c) {
            if (p->tcp_seq != cd->isn && !cd->segs) { /* new ISN: start over */
                cd->isn = p->tcp_seq;
                cd->next_seq = p->tcp_seq + 1;
            }
            syn_opts(cd, p);
        } else { /* SYN from the responder: 4-way split handshake */
            ssn->flags |= SSN_4WHS;
            sd->isn = p->tcp_seq;
            sd->next_seq = p->tcp_seq + 1;
            syn_opts(sd, p);
        }
        return;
    }
    if (fl & SN_TH_SYN) { /* SYN/ACK */
        if (!(ssn->flags & SSN_4WHS)) {
            if (dir == c) {
                sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION, false);
                return;
            }
            if (p->tcp_ack != cd->isn + 1 && p->tcp_ack != cd->next_seq) {
                sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK, false);
                return;
            }
            sd->isn = p->tcp_seq;
            sd->next_seq = p->tcp_seq + 1;
        } else {
            if (dir != c) {
                sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION, false);
                return;
            }
            if (p->tcp_ack != sd->isn + 1) {
                sn_pkt_event(w, p, SN_EV_STREAM_4WHS_SYNACK_WITH_WRONG_ACK, false);
                return;
            }
            if (p->tcp_seq != cd->isn) {
                sn_pkt_event(w, p, SN_EV_STREAM_4WHS_SYNACK_WITH_WRONG_SYN, false);
                return;
            }
        }
        struct sn_tcp_dir *x = &ssn->d[dir];
        syn_opts(x, p);
        x->last_ack = p->tcp_ack;
        x->flags |= D_ACK_SEEN;
        negotiate(ssn);
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        set_state(f, ssn, SN_TCP_SYN_RECV);
        return;
    }
    /* no SYN: the responder is not visible (async) or we missed the SYN/ACK */
    if (dir == c && (fl & SN_TH_ACK) && w->cfg && (w->cfg->async_oneside || w->cfg->midstream)) {
        sd->isn = p->tcp_ack - 1;
        sd->next_seq = p->tcp_ack;
        cd->wscale = sd->wscale = (cd->flags & D_WSCALE) ? MIDSTREAM_WSCALE : 0;
        set_state(f, ssn, SN_TCP_ESTABLISHED);
        process_est(w, p, ssn, dir);
    }
}

static void state_syn_recv(struct sn_worker *w, struct sn_pkt *p, struct sn_tcp_ssn *ssn,
                           int dir)
{
    struct sn_flow *f = p->flow;
    int c = ssn->cdir;
    /* side that sends the final ACK: the initiator, or the responder in a 4WHS */
    int a = (ssn->flags & SSN_4WHS) ? c ^ 1 : c;
    struct sn_tcp_dir *ad = &ssn->d[a], *sa = &ssn->d[a ^ 1];
    uint8_t fl = p->tcp_flags;
    uint32_t len = p->payload ? p->payload_len : 0;

    if (fl & SN_TH_RST) {
        p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        do_rst(w, f, ssn);
        return;
    }
    if ((fl & SN_TH_SYN) && (fl & SN_TH_ACK)) {
        if (dir == a) {
            sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_TOSERVER_ON_SYN_RECV, false);
        } else if (p->tcp_seq != sa->isn) {
            sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ, false);
        } else if (p->tcp_ack != sa->last_ack) {
            sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK, false);
        } else {
            p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        }
        return;
    }
    if (fl & SN_TH_SYN) {
        if (dir != c && !(ssn->flags & SSN_4WHS))
            sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYN_TOCLIENT_ON_SYN_RECV, false);
        else if (dir == c && p->tcp_seq != ssn->d[c].isn)
            sn_pkt_event(w, p, SN_EV_STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV, false);
        else
            p->stream_flags |= SN_STREAM_PKT_IN_SESSION;
        return;
    }
    if (!(fl & SN_TH_ACK))
        return;
    if (dir != a) {
        sn_pkt_event(w, p, SN_EV_STREAM_3WHS_ACK_IN_WRONG_DIR, false);
        if (len == 0)
            return;
        /* data from the responder before the final ACK: captures reorder, keep it */
        set_state(f, ssn, SN_TCP_ESTABLISHED);
        process_est(w, p, ssn, dir);
        return;
    }
    bool ack_ok = SEQ_GEQ(p->tcp_ack, sa->isn + 1) && SEQ_LEQ(p->tcp_ack, sa->next_seq);
    if (!ack_ok) {
        bool seq_ok = !(ad->flags & D_SEEN) || p->tcp_seq == ad->isn + 1 ||
                      p->tcp_seq == ad->next_seq;
        sn_pkt_event(w, p,
                     seq_ok ? SN_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION
                            : SN_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK,
                     false);
        return;
    }
    set_state(f, ssn, SN_TCP_ESTABLISHED);
    process_est(w, p, ssn, dir);
}

void sn_stream_packet(struct sn_worker *w, struct sn_pkt *p)
{
    struct sn_flow *f;
    struct sn_tcp_ssn *ssn;
    int dir;

    if (!w || !w->stream || !p || !p->flow || p->proto != 6)
        return;
    if (p->flags & SN_PKT_CSUM_BAD)
        return;
    f = p->flow;
    dir = p->dir ? SN_TOCLIENT : SN_TOSERVER;
    if ((p->tcp_flags & (SN_TH_SYN | SN_TH_ACK)) == SN_TH_SYN)
        sn_count(w, SN_CNT_TCP_SYN, 1);
    else if ((p->tcp_flags & (SN_TH_SYN | SN_TH_ACK)) == (SN_TH_SYN | SN_TH_ACK))
        sn_count(w, SN_CNT_TCP_SYNACK, 1);
    if (p->tcp_flags & SN_TH_RST)
        sn_count(w, SN_CNT_TCP_RST, 1);

    ssn = f->tcp;
    if (!ssn) {
        ssn_start(w, p, dir);
        goto out;
    }
    switch (ssn->state) {
    case SN_TCP_SYN_SENT:
        state_syn_sent(w, p, ssn, dir);
        break;
    case SN_TCP_SYN_RECV:
        state_syn_recv(w, p, ssn, dir);
        break;
    case SN_TCP_CLOSED:
        break;
    default:
        process_est(w, p, ssn, dir);
        break;
    }
out:
    memuse_stat(w);
}

void sn_stream_flow_end(struct sn_worker *w, struct sn_flow *f)
{
    struct sn_tcp_ssn *ssn;

    if (!f || !f->tcp)
        return;
    ssn = f->tcp;
    if (w && w->stream) {
        finish_both(w, f, ssn);
    }
}

void sn_stream_flow_free(struct sn_worker *w, struct sn_flow *f)
{
    if (!f || !f->tcp)
        return;
    if (w && w->stream) {
        ssn_release(w->stream, f->tcp);
        memuse_stat(w);
    }
    f->tcp = NULL;
}

bool sn_stream_dir_bytes(const struct sn_flow *f, int dir, uint64_t *out)
{
    const struct sn_tcp_ssn *ssn = f->tcp;
    if (!ssn || (dir != SN_TOSERVER && dir != SN_TOCLIENT))
        return false;
    *out = (uint32_t)(ssn->d[dir].next_seq - ssn->d[dir].isn);
    return true;
}

bool sn_stream_midstream(const struct sn_flow *f)
{
    return f->tcp && (f->tcp->flags & SSN_MIDSTREAM);
}

void sn_stream_reverse(struct sn_flow *f)
{
    struct sn_tcp_ssn *ssn = f->tcp;
    struct sn_tcp_dir d;

    if (!ssn)
        return;
    d = ssn->d[0];
    ssn->d[0] = ssn->d[1];
    ssn->d[1] = d;
    ssn->cdir ^= 1;
}

bool sn_stream_handshake_done(const struct sn_flow *f)
{
    const struct sn_tcp_ssn *ssn = f->tcp;
    return ssn && (ssn->flags & SSN_HANDSHAKE_DONE);
}

const char *sn_stream_state_name(const struct sn_flow *f)
{
    static const char *const names[] = {
        [SN_TCP_NONE] = "none",
        [SN_TCP_SYN_SENT] = "syn_sent",
        [SN_TCP_SYN_RECV] = "syn_recv",
        [SN_TCP_ESTABLISHED] = "established",
        [SN_TCP_FIN_WAIT1] = "fin_wait1",
        [SN_TCP_FIN_WAIT2] = "fin_wait2",
        [SN_TCP_TIME_WAIT] = "time_wait",
        [SN_TCP_LAST_ACK] = "last_ack",
        [SN_TCP_CLOSE_WAIT] = "close_wait",
        [SN_TCP_CLOSING] = "closing",
        [SN_TCP_CLOSED] = "closed",
    };

    if (!f || !f->tcp || f->tcp->state >= CS_ARRAY_LEN(names))
        return NULL;
    return names[f->tcp->state];
}

unsigned sn_stream_max_regions(const struct sn_flow *f, int dir)
{
    if (!f || !f->tcp || (dir != SN_TOSERVER && dir != SN_TOCLIENT))
        return 0;
    return CS_MAX(f->tcp->d[dir].max_regions, 1u);
}
