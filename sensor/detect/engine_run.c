/* engine_run.c — matching: the per-packet loop, the per-transaction loop (sn_detect_app_cb),
 * candidate collection through the prefilters and the IP-only index, full verification,
 * action precedence and the per-flow state. See engine.h. */
#include "engine_int.h"

#include "../app/app.h"
#include "../config.h"
#include "../stream/stream.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

uint32_t de_ipidx_lookup(const struct de_ipidx *x, const struct sn_addr *a, int family,
                         const uint32_t **ids);

/* Buffers of a multi-buffer inspected per transaction at most (dns answers, headers…). */
#define DE_MAX_BUF_INST 256

/* The header a rule's addresses are checked against. */
struct hdr {
    int ip_ver;
    uint8_t proto;
    const struct sn_addr *src, *dst;
    uint16_t sp, dp;
    bool ports;
};

/* ---- per-worker state ----------------------------------------------------------------------- */

static void thread_release_engine(struct de_thread *dt)
{
    if (dt->scratch)
        hs_free_scratch(dt->scratch);
    dt->scratch = NULL;
    cs_free(dt->mark);
    dt->mark = NULL;
    cs_free(dt->words);
    dt->words = NULL;
    cs_free(dt->memo_stamp);
    cs_free(dt->memo_val);
    dt->memo_stamp = NULL;
    dt->memo_val = NULL;
    dt->de = NULL;
}

static bool thread_switch(struct de_thread *dt, struct sn_detect_engine *de)
{
    thread_release_engine(dt);
    dt->de = de;
    dt->t.de = de;
    if (!de)
        return true;
    if (de->scratch && hs_clone_scratch(de->scratch, &dt->scratch) != HS_SUCCESS) {
        dt->de = NULL;
        return false;
    }
    dt->mark = cs_calloc(de->nrules / 64 + 1, sizeof(*dt->mark));
    dt->words = cs_calloc(de->nrules / 64 + 1, sizeof(*dt->words));
    dt->memo_stamp = cs_calloc((size_t)de->nlists * 2 + 2, sizeof(*dt->memo_stamp));
    dt->memo_val = cs_calloc((size_t)de->nlists * 2 + 2, sizeof(*dt->memo_val));
    dt->memo_gen = 0;
    if (!dt->mark || !dt->words || !dt->memo_stamp || !dt->memo_val) {
        thread_release_engine(dt);
        return false;
    }
    dt->nwords = 0;
    dt->t.w->counters[SN_CNT_DETECT_RULES_LOADED] = de->stats.rules_loaded;
    dt->t.w->counters[SN_CNT_DETECT_RULES_FAILED] = de->stats.rules_skipped;
    return true;
}

/* The worker's thread state on the current engine, or NULL when detection is off. */
static struct de_thread *thread_get(struct sn_worker *w)
{
    struct de_thread *dt = (struct de_thread *)w->detect;
    struct sn_detect_engine *cur;

    if (!dt) {
        if (!sn_detect_enabled())
            return NULL;
        dt = cs_calloc(1, sizeof(*dt));
        if (!dt)
            return NULL;
        dt->t.w = w;
        dt->slot = de_slot_register();
        dt->thr = de_thr_new();
        if (!dt->thr) {
            de_slot_release(dt->slot);
            cs_free(dt);
            return NULL;
        }
        w->detect = &dt->t;
    }
    cur = de_current();
    if (cur != dt->de || !dt->synced) {
        if (!thread_switch(dt, cur))
            cur = NULL;
        dt->synced = true;
        de_slot_seen(dt->slot, cur ? cur->gen : de_current_gen());
    }
    return dt->de ? dt : NULL;
}

void sn_detect_worker_sync(struct sn_worker *w)
{
    if (w->detect || sn_detect_enabled())
        thread_get(w);
}

void sn_detect_worker_free(struct sn_worker *w)
{
    struct de_thread *dt = (struct de_thread *)w->detect;
    if (!dt)
        return;
    thread_release_engine(dt);
    de_thr_free(dt->thr);
    sn_inspect_thread_free(&dt->t);
    sn_detect_thread_vars_free(&dt->t);
    for (int i = 0; i < 4; i++)
        cs_free(dt->t.scratch[i]);
    cs_free(dt->cand);
    cs_free(dt->spay);
    de_slot_release(dt->slot);
    cs_free(dt);
    w->detect = NULL;
}

/* ---- per-flow state ---------------------------------------------------------------------- */

static void pend_drop(struct de_flow *df)
{
    for (uint32_t i = 0; i < df->npend; i++)
        cs_free((char *)df->pend[i].a.app_json);
    df->npend = 0;
}

static struct de_flow *flow_state(struct de_thread *dt, struct sn_flow *f)
{
    struct de_flow *df;
    if (!f)
        return NULL;
    if (!f->detect && !(f->detect = cs_calloc(1, sizeof(*f->detect))))
        return NULL;
    df = f->detect->engine;
    if (!df) {
        df = cs_calloc(1, sizeof(*df));
        if (!df)
            return NULL;
        df->gen = dt->de->gen;
        f->detect->engine = df;
    }
    if (df->gen != dt->de->gen) { /* rule ids of another engine: forget per-tx progress */
        for (int i = 0; i < DE_TX_SLOTS; i++) {
            df->txs[i].tx = NULL;
            df->txs[i].n = 0;
        }
        df->raw[0].npkt = df->raw[1].npkt = 0;
        pend_drop(df); /* their rules belong to the old engine */
        df->gen = dt->de->gen;
    }
    return df;
}

void sn_detect_flow_free(struct sn_flow *f)
{
    struct de_flow *df;
    if (!f->detect)
        return;
    df = f->detect->engine;
    if (df) {
        for (int i = 0; i < DE_TX_SLOTS; i++)
            cs_free(df->txs[i].ids);
        for (int i = 0; i < 2; i++) {
            cs_free(df->raw[i].buf);
            cs_free(df->raw[i].pkt_alerted);
        }
        pend_drop(df);
        cs_free(df->pend);
        cs_free(df);
    }
    if (f->detect->vars)
        sn_flowvars_free(f->detect->vars);
    cs_free(f->detect);
    f->detect = NULL;
}

/* The alerted-rule list of transaction (tx, id) (a slot is reused round-robin). */
static int tx_slot(struct de_flow *df, const void *tx, uint64_t id)
{
    int s;
    for (int i = 0; i < DE_TX_SLOTS; i++)
        if (df->txs[i].tx == tx && df->txs[i].tx_id == id)
            return i;
    s = (int)(df->next_slot++ % DE_TX_SLOTS);
    df->txs[s].tx = tx;
    df->txs[s].tx_id = id;
    df->txs[s].n = 0;
    return s;
}

/* What one callback is, by protocol (the hook's contract in app.h): dns and dnp3 call once
 * per message (a message is inspected once: no per-tx list, -1); modbus and enip reuse one
 * transaction object, and a to-server call starts a new transaction; http, tls, ssh and
 * others call several times for one transaction object. As in Suricata, each direction of
 * a transaction is inspected on its own: a rule alerts at most once per transaction and
 * direction (its alerted list is kept per transaction pointer, number and direction: the
 * number tells apart a new transaction that got a freed one's address). */
static int tx_policy(const char *proto, int dir, struct de_flow *df, const void *tx)
{
    const uint8_t *key = (const uint8_t *)tx; /* keys, never dereferenced */
    uint64_t id;
    int s;
    if (proto && (strcmp(proto, "dns") == 0 || strcmp(proto, "dnp3") == 0))
        return -1;
    id = sn_app_tx_id(proto, tx);
    if (proto && dir == SN_TOSERVER && (strcmp(proto, "modbus") == 0 || strcmp(proto, "enip") == 0))
        df->txs[tx_slot(df, key + 1, id)].n = 0; /* a new transaction: forget its response side */
    s = tx_slot(df, key + (dir == SN_TOCLIENT), id);
    if (proto && dir == SN_TOSERVER && (strcmp(proto, "modbus") == 0 || strcmp(proto, "enip") == 0))
        df->txs[s].n = 0;
    return s;
}

static bool tx_has(const struct de_flow *df, int s, uint32_t id)
{
    for (uint32_t i = 0; i < df->txs[s].n; i++)
        if (df->txs[s].ids[i] == id)
            return true;
    return false;
}

static void tx_add(struct de_flow *df, int s, uint32_t id)
{
    if (df->txs[s].n == df->txs[s].cap) {
        uint32_t nc = df->txs[s].cap ? df->txs[s].cap * 2 : 8;
        uint32_t *nv = cs_realloc(df->txs[s].ids, nc * sizeof(*nv));
        if (!nv)
            return;
        df->txs[s].ids = nv;
        df->txs[s].cap = nc;
    }
    df->txs[s].ids[df->txs[s].n++] = id;
}

/* ---- candidates ---------------------------------------------------------------------------- */

/* Candidates are bits of a per-thread bitmap (rule index = evaluation order), turned into a
 * sorted list by cand_collect(): no sort of rules per packet. The words set are listed as
 * they are first touched, so collecting costs what was marked, not the span between the
 * lowest and the highest rule (IP-only and prefiltered rules lie far apart: a span of
 * hundreds of words for a handful of candidates). */
static void cand_begin(struct de_thread *dt)
{
    for (uint32_t i = 0; i < dt->nwords; i++) /* none unless a pass was left uncollected */
        dt->mark[dt->words[i]] = 0;
    dt->nwords = 0;
    dt->ncand = 0;
}

static inline void cand_add(struct de_thread *dt, uint32_t id)
{
    uint32_t w = id / 64;
    if (!dt->mark[w])
        dt->words[dt->nwords++] = w;
    dt->mark[w] |= 1ull << (id % 64);
}

static int word_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Moves the marked rules into dt->cand in increasing order and clears the bitmap. */
static void cand_collect(struct de_thread *dt)
{
    uint32_t nw = dt->nwords;

    dt->ncand = 0;
    dt->nwords = 0;
    if (nw < 16) { /* the usual few words: insertion sort */
        for (uint32_t i = 1; i < nw; i++) {
            uint32_t v = dt->words[i], k = i;
            for (; k > 0 && dt->words[k - 1] > v; k--)
                dt->words[k] = dt->words[k - 1];
            dt->words[k] = v;
        }
    } else {
        qsort(dt->words, nw, sizeof(*dt->words), word_cmp);
    }
    for (uint32_t i = 0; i < nw; i++) {
        uint32_t w = dt->words[i];
        uint64_t m = dt->mark[w];
        dt->mark[w] = 0;
        while (m) {
            if (dt->ncand == dt->cand_cap) {
                uint32_t nc = dt->cand_cap ? dt->cand_cap * 2 : 256;
                uint32_t *nv = cs_realloc(dt->cand, nc * sizeof(*nv));
                if (!nv) { /* out of memory: this pass goes without the rest */
                    for (; i < nw; i++)
                        dt->mark[dt->words[i]] = 0;
                    return;
                }
                dt->cand = nv;
                dt->cand_cap = nc;
            }
            dt->cand[dt->ncand++] = w * 64 + (uint32_t)__builtin_ctzll(m);
            m &= m - 1;
        }
    }
}

struct scan_ctx {
    struct de_thread *dt;
    const struct de_pf *pf;
};

static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void *ctx)
{
    struct scan_ctx *sc = ctx;
    (void)from, (void)to, (void)flags;
    if (id < sc->pf->npat)
        cand_add(sc->dt, sc->pf->pat_rule[id]);
    return 0;
}

static bool get_buf(struct de_thread *dt, int buf, uint32_t idx, const uint8_t **d, uint32_t *n)
{
    struct sn_detect_thread *t = &dt->t;
    /* a stream chunk: its contiguous runs (raw stream inspection, or a TCP transaction's
     * packet-payload keywords: the stream of the transaction's direction) */
    if (buf == SN_BUF_PKT && dt->sraw) {
        const struct de_raw *r = dt->sraw;
        uint32_t k = 0, s;
        while (k < r->nrun && r->run_end[k] <= dt->sraw_from) /* runs before the window */
            k++;
        if (idx >= r->nrun - k)
            return false;
        k += idx;
        s = k ? r->run_end[k - 1] : 0;
        if (s < dt->sraw_from)
            s = dt->sraw_from;
        *d = r->buf + s;
        *n = r->run_end[k] - s;
        return true;
    }
    /* the packet payload, without a getter; in a transaction of a datagram protocol too
     * (the packet that carried the message) */
    if (buf == SN_BUF_PKT && t->p) {
        if (idx)
            return false;
        *d = t->p->payload;
        *n = t->p->payload_len;
        return true;
    }
    return sn_detect_get_buffer(t, buf, idx, d, n);
}

static void scan_group(struct de_thread *dt, const struct de_group *g)
{
    for (uint32_t i = 0; i < g->npf; i++) {
        const struct de_pf *pf = &g->pf[i];
        struct scan_ctx sc = {dt, pf};
        for (uint32_t idx = 0; idx < DE_MAX_BUF_INST; idx++) {
            const uint8_t *d;
            uint32_t n;
            if (!get_buf(dt, pf->buf, idx, &d, &n))
                break;
            if (n && d)
                hs_scan(pf->db, (const char *)d, n, 0, dt->scratch, on_hs_match, &sc);
        }
    }
    for (uint32_t i = 0; i < g->nalways; i++)
        cand_add(dt, g->always[i]);
}

/* ---- verification ------------------------------------------------------------------------- */

static bool proto_ok(const struct sn_rule *r, const struct hdr *h)
{
    if (r->proto.ip_version && r->proto.ip_version != h->ip_ver)
        return false;
    switch (r->proto.l4) {
    case SN_L4_ANY:
        return true;
    case SN_L4_TCP:
        return h->proto == IPPROTO_TCP;
    case SN_L4_UDP:
        return h->proto == IPPROTO_UDP;
    case SN_L4_ICMP:
        return h->proto == IPPROTO_ICMP || h->proto == IPPROTO_ICMPV6;
    case SN_L4_ICMPV4:
        return h->proto == IPPROTO_ICMP;
    case SN_L4_ICMPV6:
        return h->proto == IPPROTO_ICMPV6;
    case SN_L4_SCTP:
        return h->proto == IPPROTO_SCTP;
    }
    return false;
}

/* Address list `al` (interned as list id `lid`) against the header's source (which 0) or
 * destination (1), remembered for the rest of the packet / transaction. */
static bool list_ok(struct de_thread *dt, const struct sn_addr_list *al, uint32_t lid, int which,
                    const struct hdr *h)
{
    uint32_t k = lid * 2 + (uint32_t)which;
    if (al->any)
        return true;
    if (dt->memo_stamp[k] != dt->memo_gen) {
        dt->memo_stamp[k] = dt->memo_gen;
        dt->memo_val[k] = sn_addr_list_match(al, which ? h->dst : h->src, h->ip_ver);
    }
    return dt->memo_val[k];
}

static bool side_ok(struct de_thread *dt, const struct sn_addr_list *al, uint32_t lid,
                    const struct sn_port_list *pl, int which, uint16_t port, const struct hdr *h)
{
    if (!list_ok(dt, al, lid, which, h))
        return false;
    if (pl->any)
        return true;
    return h->ports && sn_port_list_match(pl, port);
}

static bool addr_ok(struct de_thread *dt, const struct de_rule *dr, const struct hdr *h)
{
    const struct sn_rule *r = dr->r;
    /* '=>': as '->' from the transaction's client, here the destination of the response */
    if (r->flags & SN_RULE_TXBOTH)
        return side_ok(dt, &r->src, dr->src_list, &r->sp, 1, h->dp, h) &&
               side_ok(dt, &r->dst, dr->dst_list, &r->dp, 0, h->sp, h);
    if (side_ok(dt, &r->src, dr->src_list, &r->sp, 0, h->sp, h) &&
        side_ok(dt, &r->dst, dr->dst_list, &r->dp, 1, h->dp, h))
        return true;
    return (r->flags & SN_RULE_BIDIR) && side_ok(dt, &r->src, dr->src_list, &r->sp, 1, h->dp, h) &&
           side_ok(dt, &r->dst, dr->dst_list, &r->dp, 0, h->sp, h);
}

/* A '=>' rule inspects each keyword on its side of the transaction (t->dir set per keyword,
 * restored after). */
static bool verify_one(struct de_thread *dt, const struct de_rule *dr, const struct hdr *h,
                       bool both);

static bool verify(struct de_thread *dt, const struct de_rule *dr, const struct hdr *h)
{
    struct sn_detect_thread *t = &dt->t;
    uint8_t dir = t->dir;
    bool ok;

    if (!(dr->r->flags & SN_RULE_TXBOTH))
        return verify_one(dt, dr, h, false);
    ok = verify_one(dt, dr, h, true);
    t->dir = dir;
    return ok;
}

static bool verify_one(struct de_thread *dt, const struct de_rule *dr, const struct hdr *h,
                       bool both)
{
    struct sn_detect_thread *t = &dt->t;
    const struct sn_rule *r = dr->r;

    if (t->in_stream ? !dr->stream : dr->stream_only && h->proto == IPPROTO_TCP)
        return false;
    if (!proto_ok(r, h) || !addr_ok(dt, dr, h))
        return false;
    if (dr->app_idx && (!t->f || t->f->app_proto != dr->app_idx))
        return false;
    t->rule = r;
    memset(t->vars, 0, sizeof(t->vars));
    for (uint32_t i = 0; i < dr->nconds; i++) {
        const struct sn_kw_inst *in = &r->kw[dr->conds[i]];
        bool ok = false;
        if (both)
            t->dir = (uint8_t)in->dir;
        t->kw_idx = dr->conds[i];
        t->buf_id = in->buffer;
        t->buf = NULL;
        t->buf_len = 0;
        t->buf_idx = 0;
        t->cursor = 0;
        if (in->buffer == SN_BUF_PKT) {
            if (!in->kw->match(t, in))
                return false;
            continue;
        }
        /* a keyword on a sticky buffer (dataset) holds when it holds for one instance of
         * a multi-buffer, as payload keywords below */
        for (uint32_t idx = 0; idx < DE_MAX_BUF_INST && !ok; idx++) {
            if (!get_buf(dt, in->buffer, idx, &t->buf, &t->buf_len))
                break;
            t->buf_idx = idx;
            ok = in->kw->match(t, in);
        }
        if (!ok)
            return false;
    }
    for (uint32_t s = 0; s < dr->nsegs; s++) {
        const struct de_seg *sg = &dr->segs[s];
        bool ok = false;
        if (both)
            t->dir = (uint8_t)sg->dir;
        for (uint32_t idx = 0; idx < DE_MAX_BUF_INST && !ok; idx++) {
            const uint8_t *d;
            uint32_t n;
            if (!get_buf(dt, sg->buf, idx, &d, &n))
                break;
            t->buf_id = sg->buf;
            t->buf = d;
            t->buf_len = d ? n : 0;
            t->buf_idx = idx;
            t->cursor = 0;
            t->kw_idx = sg->first;
            ok = sn_inspect_buffer(t, sg->first, sg->end);
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- raw stream bookkeeping ----------------------------------------------------------------- */

static bool raw_pkt_alerted(const struct de_raw *r, uint32_t id)
{
    for (uint32_t i = 0; r && i < r->npkt; i++)
        if (r->pkt_alerted[i] == id)
            return true;
    return false;
}

static void raw_note_pkt_alert(struct de_raw *r, uint32_t id)
{
    if (raw_pkt_alerted(r, id))
        return;
    if (r->npkt == r->pkt_cap) {
        uint32_t nc = r->pkt_cap ? r->pkt_cap * 2 : 4;
        uint32_t *nv;
        if (nc > 1024)
            return; /* pathological: a second (stream) alert is the worst outcome */
        nv = cs_realloc(r->pkt_alerted, nc * sizeof(*nv));
        if (!nv)
            return;
        r->pkt_alerted = nv;
        r->pkt_cap = nc;
    }
    r->pkt_alerted[r->npkt++] = id;
}

/* ---- transaction alerts: on the packet that inspects them ----------------------------------- */

/* Suricata inspects a transaction on packets of the transaction's direction: TCP data is
 * parsed when the other side acknowledges it, so a request's alert comes with the next
 * to-server packet (or the flow's end), and by then the parser may have added the response
 * to the transaction, which the alert's app-layer object shows. An alert of direction d
 * found while the packet at hand goes the other way waits in df->pend: its app-layer object
 * is rendered now and again whenever its transaction gets new data (pend_refresh). */

/* The flow direction of the worker's packet p (the app layer may have turned the flow
 * round during this packet: the stream catches up after it). */
static int pkt_dir(const struct sn_pkt *p, const struct sn_flow *f)
{
    return (p->dir & 1) ^ ((f->flags & SN_FLOW_F_REVERSE_PENDING) ? 1 : 0);
}

static void alert_out(struct de_thread *dt, struct de_flow *df, struct de_alert *a)
{
    struct sn_detect_thread *t = &dt->t;
    struct sn_flow *f = t->f;
    const struct sn_pkt *p = t->p;
    struct de_pending *pe;

    if (!t->tx || !df || !f || f->proto != IPPROTO_TCP || !p || p->flow != f || a->dir < 0 ||
        pkt_dir(p, f) == a->dir) {
        de_alert_emit(t, a);
        return;
    }
    if (df->npend == df->pend_cap) {
        uint32_t nc = df->pend_cap ? df->pend_cap * 2 : 4;
        struct de_pending *np = cs_realloc(df->pend, nc * sizeof(*np));
        if (!np) {
            de_alert_emit(t, a); /* no room to wait: report it now */
            return;
        }
        df->pend = np;
        df->pend_cap = nc;
    }
    pe = &df->pend[df->npend++];
    pe->a = *a;
    pe->a.stream = false;
    pe->a.stream_payload = NULL;
    pe->a.stream_len = 0;
    pe->a.app_json = de_alert_app_render(t, t->tx_proto, t->tx, a->dir, &pe->a.app_json_len);
    pe->tx = t->tx;
    pe->has_id = sn_app_has_tx_id(t->tx_proto);
    pe->tx_id = sn_app_tx_id(t->tx_proto, t->tx);
}

/* Transaction tx of proto has new data: the waiting alerts on it get its object anew. A
 * transaction is recognised by its number when the parser gives one, else by its pointer
 * when that is the flow's parser state itself (tls, ssh: one transaction per flow); other
 * pointers (dns messages) are reused for new transactions, their alerts keep what they had. */
static void pend_refresh(struct de_thread *dt, struct de_flow *df, void *tx, const char *proto)
{
    struct sn_detect_thread *t = &dt->t;
    bool has_id = sn_app_has_tx_id(proto);
    uint64_t id = has_id ? sn_app_tx_id(proto, tx) : 0;

    for (uint32_t i = 0; i < df->npend; i++) {
        struct de_pending *pe = &df->pend[i];
        size_t n;
        char *js;
        if (!pe->a.tx_proto || !proto || strcmp(pe->a.tx_proto, proto) != 0)
            continue;
        if (has_id ? (!pe->has_id || pe->tx_id != id)
                   : (pe->tx != tx || tx != sn_app_state(t->f)))
            continue;
        js = de_alert_app_render(t, proto, tx, pe->a.dir, &n);
        if (!js)
            continue;
        cs_free((char *)pe->a.app_json);
        pe->a.app_json = js;
        pe->a.app_json_len = n;
    }
}

/* Reports the waiting alerts of direction dir (-1: all) on packet p (NULL: flow end). */
static void pend_flush(struct de_thread *dt, struct de_flow *df, struct sn_flow *f,
                       const struct sn_pkt *p, int dir)
{
    struct sn_detect_thread *t = &dt->t;
    uint32_t k = 0;

    if (!df->npend)
        return;
    t->p = p;
    t->f = f;
    t->tx = NULL;
    t->tx_proto = NULL;
    for (uint32_t i = 0; i < df->npend; i++) {
        struct de_pending *pe = &df->pend[i];
        if (dir >= 0 && pe->a.dir != dir) {
            df->pend[k++] = *pe;
            continue;
        }
        t->dir = (uint8_t)pe->a.dir;
        t->rule = pe->a.dr->r;
        de_alert_emit(t, &pe->a);
        cs_free((char *)pe->a.app_json);
    }
    df->npend = k;
    t->rule = NULL;
}

/* ---- one evaluation pass ------------------------------------------------------------------ */

/* Verifies the candidates in order; postmatch, pass and alerts. tx_s >= 0: the per-tx
 * alerted list to honour. */
static void evaluate(struct de_thread *dt, const struct hdr *h, struct de_flow *df, int tx_s,
                     int dir)
{
    struct sn_detect_thread *t = &dt->t;
    const struct sn_detect_engine *de = dt->de;

    cand_collect(dt);
    if (++dt->memo_gen == 0) { /* wrapped: forget every stamp */
        memset(dt->memo_stamp, 0, ((size_t)de->nlists * 2 + 2) * sizeof(*dt->memo_stamp));
        dt->memo_gen = 1;
    }
    for (uint32_t i = 0; i < dt->ncand; i++) {
        const struct de_rule *dr = &de->rules[dt->cand[i]];
        enum sn_action action = dr->r->action;
        struct de_alert a;
        if (tx_s >= 0 && tx_has(df, tx_s, dt->cand[i]))
            continue;
        /* '=>': once per transaction, when its response side has data (both sides then) */
        if ((dr->r->flags & SN_RULE_TXBOTH) && (!t->tx || dir != SN_TOCLIENT))
            continue;
        if (t->in_stream && raw_pkt_alerted(dt->sraw, dt->cand[i]))
            continue; /* the packet alert already reported this data */
        if (!verify(dt, dr, h))
            continue;
        if (tx_s >= 0)
            tx_add(df, tx_s, dt->cand[i]);
        t->rule = dr->r;
        sn_detect_postmatch(t);
        if (action == SN_ACT_PASS) {
            if (df && dr->flow_pass)
                df->passed = true;
            break;
        }
        if (dr->r->flags & SN_RULE_NOALERT)
            continue;
        if (!de_thr_check(de, dt->thr, dr, h->ip_ver, h->src, h->dst, t->f ? t->f->flow_id : 0,
                          t->p ? t->p->ts_us : t->w->now_us, &action) ||
            action == SN_ACT_PASS) {
            sn_count(t->w, SN_CNT_DETECT_ALERTS_SUPPRESSED, 1);
            continue;
        }
        memset(&a, 0, sizeof(a));
        a.dr = dr;
        a.action = action;
        a.ip_ver = h->ip_ver;
        a.proto = h->proto;
        a.src = *h->src;
        a.dst = *h->dst;
        a.sp = h->sp;
        a.dp = h->dp;
        a.ports = h->ports;
        a.dir = dir;
        a.tx_proto = t->tx_proto;
        a.stream = t->in_stream;
        a.stream_payload = dt->spay;
        a.stream_len = dt->spay_len;
        alert_out(dt, df, &a);
        if (!t->in_stream && dr->stream && df && t->p && t->p->proto == IPPROTO_TCP &&
            t->p->payload_len)
            raw_note_pkt_alert(&df->raw[t->p->dir & 1], dt->cand[i]);
    }
}

static int l4_class(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP:
        return DE_L4_TCP;
    case IPPROTO_UDP:
        return DE_L4_UDP;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return DE_L4_ICMP;
    default:
        return DE_L4_OTHER;
    }
}

static void add_iponly(struct de_thread *dt, const struct sn_pkt *p)
{
    const struct sn_detect_engine *de = dt->de;
    const uint32_t *ids;
    uint32_t n;
    int fi = p->ip_ver == 4 ? 0 : 1;

    n = de_ipidx_lookup(&de->ip_src[fi], &p->src, p->ip_ver, &ids);
    for (uint32_t i = 0; i < n; i++)
        cand_add(dt, ids[i]);
    n = de_ipidx_lookup(&de->ip_dst[fi], &p->dst, p->ip_ver, &ids);
    for (uint32_t i = 0; i < n; i++)
        cand_add(dt, ids[i]);
    for (uint32_t i = 0; i < de->nip_always; i++)
        cand_add(dt, de->ip_always[i]);
}

/* ---- raw stream inspection --------------------------------------------------------------- */

/* Upper bound of a gathered chunk: deliveries are appended whole, then the chunk is due. */
#define DE_RAW_MAX (1u << 20)

static bool spay_put(struct de_thread *dt, const void *d, uint32_t n)
{
    if (dt->spay_len + n > dt->spay_cap) {
        uint32_t nc = dt->spay_cap ? dt->spay_cap : 4096;
        uint8_t *nb;
        while (nc < dt->spay_len + n)
            nc *= 2;
        nb = cs_realloc(dt->spay, nc);
        if (!nb)
            return false;
        dt->spay = nb;
        dt->spay_cap = nc;
    }
    memcpy(dt->spay + dt->spay_len, d, n);
    dt->spay_len += n;
    return true;
}

/* The chunk as alerts log it: runs joined by "[N bytes missing]" (Suricata's notation). */
static void raw_payload(struct de_thread *dt, const struct de_raw *r)
{
    dt->spay_len = 0;
    for (uint32_t i = 0; i < r->nrun; i++) {
        uint32_t s = i ? r->run_end[i - 1] : 0;
        if (r->gap[i]) {
            char g[48];
            int n = snprintf(g, sizeof(g), "[%u bytes missing]", r->gap[i]);
            if (n > 0 && !spay_put(dt, g, (uint32_t)n))
                return;
        }
        if (!spay_put(dt, r->buf + s, r->run_end[i] - s))
            return;
    }
}

/* Inspects the gathered chunk of direction dir with the stream-eligible rules, then starts
 * a new chunk. p: the packet at hand, NULL at flow end. */
static void raw_inspect(struct de_thread *dt, struct sn_flow *f, struct de_flow *df, int dir,
                        const struct sn_pkt *p)
{
    struct de_raw *r = &df->raw[dir];
    struct sn_detect_thread *t = &dt->t;
    struct hdr h;

    /* without stream-eligible rules the chunk was kept for transaction rules only */
    if (r->nrun && !df->passed && dt->de->nstream) {
        raw_payload(dt, r);
        t->p = p;
        t->f = f;
        t->dir = (uint8_t)dir;
        t->tx = NULL;
        t->tx_proto = NULL;
        t->in_stream = true;
        h.ip_ver = f->ip_ver;
        h.proto = f->proto;
        h.src = dir == SN_TOSERVER ? &f->src : &f->dst;
        h.dst = dir == SN_TOSERVER ? &f->dst : &f->src;
        h.sp = dir == SN_TOSERVER ? f->sp : f->dp;
        h.dp = dir == SN_TOSERVER ? f->dp : f->sp;
        h.ports = true;
        dt->sraw = r;
        dt->sraw_from = 0;
        cand_begin(dt);
        if (dt->de->port_group[DE_L4_TCP][h.dp])
            scan_group(dt, dt->de->port_group[DE_L4_TCP][h.dp]);
        scan_group(dt, &dt->de->any[DE_L4_TCP]);
        evaluate(dt, &h, df, -1, dir);
        dt->sraw = NULL;
        t->in_stream = false;
        sn_count(t->w, SN_CNT_DETECT_STREAM_CHUNKS, 1);
    }
    r->len = 0;
    r->nrun = 0;
    r->npkt = 0;
    r->flush = false;
    r->deliv_start = r->tx_from = r->tx_seen = 0;
    if (r->cap > 2 * DE_RAW_MAX / 16) { /* a big delivery: do not keep its buffer */
        cs_free(r->buf);
        r->buf = NULL;
        r->cap = 0;
    }
}

void sn_detect_stream_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                           uint32_t len, unsigned flags)
{
    struct de_thread *dt;
    struct de_flow *df;
    struct de_raw *r;

    if ((dir != SN_TOSERVER && dir != SN_TOCLIENT) || !(dt = thread_get(w)) ||
        !(dt->de->nstream || dt->de->ntxraw) || !(df = flow_state(dt, f)) || df->passed)
        return;
    r = &df->raw[dir];
    if (!data && (flags & SN_STREAM_GAP))
        r->pending_gap = len > UINT32_MAX - r->pending_gap ? UINT32_MAX : r->pending_gap + len;
    if (data && len) {
        if (r->len + (uint64_t)len > DE_RAW_MAX)
            len = DE_RAW_MAX - r->len; /* past the bound: the chunk is due, the rest is lost */
        if (r->len + len > r->cap) {
            uint32_t nc = r->cap ? r->cap : 1024;
            uint8_t *nb;
            while (nc < r->len + len)
                nc *= 2;
            nb = cs_realloc(r->buf, nc);
            if (!nb) {
                r->flush = true;
                return;
            }
            r->buf = nb;
            r->cap = nc;
        }
        r->deliv_start = r->len;
        if (!r->nrun || r->pending_gap) {
            if (r->nrun < DE_RAW_RUNS) {
                r->gap[r->nrun] = r->pending_gap;
                r->run_end[r->nrun] = r->len;
                r->nrun++;
            } else {
                r->flush = true; /* too many gaps in one chunk: joined to the last run */
            }
            r->pending_gap = 0;
        }
        memcpy(r->buf + r->len, data, len);
        r->len += len;
        r->run_end[r->nrun - 1] = r->len;
        if (r->len >= (w->cfg ? w->cfg->raw_chunk[dir] : 2560) || r->len >= DE_RAW_MAX)
            r->flush = true;
    }
    if (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH))
        r->flush = true;
}

void sn_detect_flow_reverse(struct sn_flow *f)
{
    struct de_flow *df = f->detect ? f->detect->engine : NULL;
    struct de_raw r;
    bool b;

    if (!df)
        return;
    r = df->raw[0];
    df->raw[0] = df->raw[1];
    df->raw[1] = r;
    b = df->iponly_done[0];
    df->iponly_done[0] = df->iponly_done[1];
    df->iponly_done[1] = b;
    df->raw_turned = true;
}

void sn_detect_flow_end(struct sn_worker *w, struct sn_flow *f)
{
    struct de_thread *dt;
    struct de_flow *df;

    if (!f->detect || !f->detect->engine || f->proto != IPPROTO_TCP || !(dt = thread_get(w)) ||
        !(df = flow_state(dt, f)))
        return;
    df->raw_turned = false;
    pend_flush(dt, df, f, NULL, -1);
    for (int d = 0; d < 2; d++)
        if (df->raw[d].nrun)
            raw_inspect(dt, f, df, d, NULL);
    dt->t.p = NULL;
    dt->t.f = NULL;
    dt->t.rule = NULL;
}

void sn_detect_packet(struct sn_worker *w, const struct sn_pkt *p)
{
    struct de_thread *dt;
    struct sn_detect_thread *t;
    struct de_flow *df = NULL;
    struct sn_flow *f;
    struct hdr h;
    int cls;

    if (!p->ip_ver || !(dt = thread_get(w)))
        return;
    t = &dt->t;
    f = p->flow;
    if (f && !(df = flow_state(dt, f)))
        return;
    if (df)
        df->raw_turned = false; /* the stream has caught up with a turn of the flow */
    if (df && df->npend)
        pend_flush(dt, df, f, p, p->dir & 1);
    if (df && df->passed)
        return;
    t->p = p;
    t->f = f;
    t->dir = p->dir;
    t->tx = NULL;
    t->tx_proto = NULL;
    h.ip_ver = p->ip_ver;
    h.proto = p->proto;
    h.src = &p->src;
    h.dst = &p->dst;
    h.sp = p->sp;
    h.dp = p->dp;
    h.ports = (p->flags & SN_PKT_HAS_L4) &&
              (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP || p->proto == IPPROTO_SCTP);
    cand_begin(dt);
    /* IP-only rules: once per flow direction (Suricata), every packet without a flow */
    if (!df || !df->iponly_done[p->dir & 1]) {
        add_iponly(dt, p);
        if (df)
            df->iponly_done[p->dir & 1] = true;
    }
    cls = l4_class(p->proto);
    if (cls <= DE_L4_UDP && h.ports && dt->de->port_group[cls][p->dp])
        scan_group(dt, dt->de->port_group[cls][p->dp]);
    scan_group(dt, &dt->de->any[cls]);
    evaluate(dt, &h, df, -1, f ? p->dir : -1);
    /* stream chunks that became due with this packet (chunk size, EOF, depth) */
    if (df && f->proto == IPPROTO_TCP && (df->raw[0].flush || df->raw[1].flush))
        for (int d = 0; d < 2; d++)
            if (df->raw[d].flush && !df->passed)
                raw_inspect(dt, f, df, d, p);
    t->p = NULL;
    t->f = NULL;
    t->rule = NULL;
}

/* Where the bytes of transaction tx (reported now in direction dir) begin in r, the stream
 * gathered in that direction since the last chunk inspection (the worker gathers a delivery
 * before the parsers see it, so it holds what the parser was given). A transaction reported
 * again (http headers, then body) keeps its start; a new one starts after the data seen when
 * the previous one was last reported, or at the current delivery's start if that was
 * reported within it (several commands in one segment: each sees the whole segment, as a
 * packet would show them). dns and dnp3 report each message, modbus and enip start a
 * transaction with each request (as tx_policy). Delivery granularity: a command whose first
 * bytes came in the segment that ended the previous one is seen without them. */
static uint32_t tx_window(struct de_raw *r, const char *proto, int dir, const void *tx)
{
    uint64_t id = sn_app_tx_id(proto, tx);
    bool fresh = !r->tx_set || r->tx_key != tx || r->tx_id != id;

    if (proto && (strcmp(proto, "dns") == 0 || strcmp(proto, "dnp3") == 0))
        fresh = true;
    if (proto && dir == SN_TOSERVER && (strcmp(proto, "modbus") == 0 || strcmp(proto, "enip") == 0))
        fresh = true;
    if (fresh) {
        r->tx_from = r->tx_seen < r->deliv_start ? r->tx_seen : r->deliv_start;
        r->tx_key = tx;
        r->tx_id = id;
        r->tx_set = true;
    }
    if (r->tx_from > r->len)
        r->tx_from = r->len;
    return r->tx_from;
}

/* sn_detect_app_cb: a transaction of f has new data in direction dir. */
void de_app_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto);
void de_app_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    struct de_thread *dt = thread_get(w);
    struct sn_detect_thread *t;
    const struct de_group *g;
    struct de_flow *df;
    struct de_raw *raw;
    struct hdr h;
    unsigned ai;
    int s;

    if (!dt || !f)
        return;
    ai = f->app_proto;
    if (proto && (!ai || strcmp(sn_app_get(ai)->name, proto) != 0))
        ai = sn_app_lookup(proto);
    if (!ai || ai >= SN_APP_MAX)
        return;
    g = &dt->de->app[ai];
    if (!g->npf && !g->nalways)
        return;
    if (!(df = flow_state(dt, f)))
        return;
    t = &dt->t;
    if (df->npend) {
        t->f = f;
        pend_refresh(dt, df, tx, proto);
    }
    if (df->passed)
        return;
    t->p = w->pkt;
    t->f = f;
    t->dir = (uint8_t)dir;
    t->tx = tx;
    t->tx_proto = proto;
    h.ip_ver = f->ip_ver;
    h.proto = f->proto;
    h.src = dir == SN_TOSERVER ? &f->src : &f->dst;
    h.dst = dir == SN_TOSERVER ? &f->dst : &f->src;
    h.sp = dir == SN_TOSERVER ? f->sp : f->dp;
    h.dp = dir == SN_TOSERVER ? f->dp : f->sp;
    h.ports = f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == IPPROTO_SCTP;
    /* packet-payload keywords of a TCP transaction rule inspect the transaction's bytes in
     * the reassembled stream of its direction (tx_window), not the packet at hand, which
     * for TCP is usually the other side's acknowledgement. raw[] follow a turn of the flow
     * (sn_detect_flow_reverse) once the parser that turned it has returned. */
    raw = NULL;
    if (f->proto == IPPROTO_TCP) {
        int ri = dir & 1;
        if ((f->flags & SN_FLOW_F_REVERSE_PENDING) && !df->raw_turned)
            ri ^= 1;
        raw = &df->raw[ri];
        dt->sraw_from = tx_window(raw, proto, dir, tx);
    }
    dt->sraw = raw;
    cand_begin(dt);
    scan_group(dt, g);
    s = tx_policy(proto, dir, df, tx);
    evaluate(dt, &h, df, s, dir);
    dt->sraw = NULL;
    dt->sraw_from = 0;
    if (raw)
        raw->tx_seen = raw->len;
    t->p = NULL;
    t->f = NULL;
    t->tx = NULL;
    t->tx_proto = NULL;
    t->rule = NULL;
}
