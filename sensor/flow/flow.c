/* flow.c — the per-worker bidirectional flow table.
 *
 * Layout: a power-of-two array of bucket heads with chained flows (f->hnext); flows come from
 * a pool of chunks (up to FLOW_CHUNK flows each) with a free list threaded through hnext.
 *
 * Activity lists: instead of one LRU list the table keeps one list per timeout class
 * (protocol class x flow state). All flows in one list share the same timeout, so each list
 * ordered by last activity is also ordered by expiry: a sweep stops at the first live flow
 * of every list, which makes it O(expired + number of lists). The global least recently
 * active flow (emergency eviction) is the oldest of the list heads. The lists are circular
 * with a sentinel per class, so a flow can be unlinked without knowing its list.
 *
 * f->state of TCP flows is changed by the stream module while it processes the packet that
 * sn_flow_handle() returned the flow for; the table re-files that flow (t->last_flow) at the
 * start of the next call, when its class may have changed. A flow found in the wrong list by
 * a sweep anyway is handled by its own timeout and moved, so it still ends. */
#include "flow.h"

#include "../config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#define FLOW_CHUNK 1024u
#define FLOW_NSTATES 3u
#define FLOW_NCLASSES ((unsigned)SN_FP_MAX * FLOW_NSTATES)
#define FLOW_ID_MASK ((UINT64_C(1) << 51) - 1)
/* ICMP flows: f->sp/dp are not ports. Echo request/reply: sp = echo id, dp = ICMP_ECHO_MARK;
 * error messages: sp = 0, dp = ICMP_ERROR_MARK; other messages: 0, 0. */
#define ICMP_ECHO_MARK 1u
#define ICMP_ERROR_MARK 2u

struct flow_chunk {
    struct flow_chunk *next;
    size_t n;
    struct sn_flow flows[];
};

struct sn_flow_table {
    struct sn_flow **buckets;
    uint32_t mask;
    uint32_t seed; /* bucket hash seed (does not affect any output) */
    sn_flow_end_fn on_end;

    struct flow_chunk *chunks;
    struct sn_flow *free_list; /* through hnext */
    size_t nflows;             /* flows in chunks (capacity of the pool) */
    size_t nactive;            /* flows in the table */
    size_t memuse;             /* bucket array + chunks */
    size_t memcap;
    uint32_t recovery_pct; /* flow_emergency_recovery */
    bool emergency;

    struct sn_flow_timeouts timeouts[SN_FP_MAX];
    uint8_t class_of_proto[256]; /* IP protocol -> SN_FP_* */

    struct sn_flow *last_flow;           /* flow returned by the previous sn_flow_handle() */
    unsigned last_class;                 /* the list it was filed in */
    struct sn_flow lists[FLOW_NCLASSES]; /* sentinels of the activity lists */
};

/* The lookup key of a packet. */
struct flow_key {
    const struct sn_addr *src, *dst;
    uint16_t sp, dp;
    uint8_t proto, ip_ver, vlan_cnt;
    bool sym_ports; /* ICMP: the same port values in both directions */
    uint16_t vlan_id[SN_MAX_VLAN];
    uint32_t hash;
};

/* ---- hashing ----------------------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

static inline uint64_t addr_hash(const struct sn_addr *a, uint64_t seed)
{
    return mix64(a->u64[0] ^ seed) ^ mix64(a->u64[1] + UINT64_C(0x9e3779b97f4a7c15));
}

/* Symmetric: the endpoints are put in a canonical order, so a->b and b->a hash the same. */
static uint32_t key_hash(const struct flow_key *k, uint32_t seed)
{
    uint64_t ha = addr_hash(k->src, seed), hb = addr_hash(k->dst, seed);
    uint64_t lo = CS_MIN(ha, hb), hi = CS_MAX(ha, hb);
    uint32_t plo = CS_MIN(k->sp, k->dp), phi = CS_MAX(k->sp, k->dp);
    uint64_t v = k->vlan_cnt;
    for (unsigned i = 0; i < k->vlan_cnt; i++)
        v = v * 4099 + k->vlan_id[i];
    uint64_t misc = (uint64_t)k->proto << 8 | k->ip_ver | v << 16;
    uint64_t h = mix64(lo * UINT64_C(0x9e3779b97f4a7c15) + hi);
    h = mix64(h ^ ((uint64_t)plo << 16 | phi) ^ misc << 32 ^ misc >> 32);
    return (uint32_t)(h ^ h >> 32);
}

/* Deterministic 51-bit non-zero id from the flow's directional tuple and start time. */
static uint64_t flow_id_of(const struct sn_flow *f)
{
    uint64_t h = mix64(f->start_us ^ UINT64_C(0x5bd1e9955bd1e995));
    h = mix64(h ^ f->src.u64[0]);
    h = mix64(h ^ f->src.u64[1]);
    h = mix64(h ^ f->dst.u64[0]);
    h = mix64(h ^ f->dst.u64[1]);
    h = mix64(
        h ^ ((uint64_t)f->sp << 48 | (uint64_t)f->dp << 32 | (uint64_t)f->proto << 8 | f->ip_ver));
    h = mix64(h ^ ((uint64_t)f->vlan_cnt << 48 | (uint64_t)f->vlan_id[0] << 32 |
                   (uint64_t)f->vlan_id[1] << 16 | f->vlan_id[2]));
    h &= FLOW_ID_MASK;
    return h ? h : 1;
}

/* ---- activity lists ---------------------------------------------------------------------- */

static inline void list_unlink(struct sn_flow *f)
{
    f->lprev->lnext = f->lnext;
    f->lnext->lprev = f->lprev;
    f->lprev = f->lnext = NULL;
}

static inline void list_append(struct sn_flow_table *t, unsigned cls, struct sn_flow *f)
{
    struct sn_flow *s = &t->lists[cls];
    f->lnext = s;
    f->lprev = s->lprev;
    s->lprev->lnext = f;
    s->lprev = f;
}

static inline struct sn_flow *list_head(struct sn_flow_table *t, unsigned cls)
{
    struct sn_flow *h = t->lists[cls].lnext;
    return h == &t->lists[cls] ? NULL : h;
}

static inline unsigned state_idx(const struct sn_flow *f)
{
    return f->state <= SN_FLOW_CLOSED ? f->state : SN_FLOW_CLOSED;
}

static inline unsigned class_of(const struct sn_flow_table *t, const struct sn_flow *f)
{
    return t->class_of_proto[f->proto] * FLOW_NSTATES + state_idx(f);
}

/* Oldest flow of all lists (ties: lowest class), or NULL when the table is empty. */
static struct sn_flow *oldest_flow(struct sn_flow_table *t)
{
    struct sn_flow *best = NULL;
    for (unsigned c = 0; c < FLOW_NCLASSES; c++) {
        struct sn_flow *h = list_head(t, c);
        if (h && (!best || h->last_us < best->last_us))
            best = h;
    }
    return best;
}

/* Moves the flow handed out by the previous call to the list of its current class (its state
 * may have been changed by the stream module). It is the most recent flow, so the tail. */
static void refile_last(struct sn_flow_table *t)
{
    struct sn_flow *f = t->last_flow;
    if (!f)
        return;
    unsigned cls = class_of(t, f);
    if (cls != t->last_class) {
        list_unlink(f);
        list_append(t, cls, f);
        t->last_class = cls;
    }
}

/* ---- timeouts ---------------------------------------------------------------------------- */

static uint32_t timeout_s(const struct sn_flow_table *t, const struct sn_flow *f)
{
    const struct sn_flow_timeouts *to = &t->timeouts[t->class_of_proto[f->proto]];
    switch (state_idx(f)) {
    case SN_FLOW_NEW:
        return t->emergency ? to->emerg_new_s : to->new_s;
    case SN_FLOW_ESTABLISHED:
        return t->emergency ? to->emerg_est_s : to->est_s;
    default:
        return t->emergency ? to->emerg_closed_s : to->closed_s;
    }
}

/* Idle strictly longer than its timeout at now_us. */
static bool flow_expired(const struct sn_flow_table *t, const struct sn_flow *f, uint64_t now_us)
{
    if (now_us <= f->last_us)
        return false;
    return now_us - f->last_us > (uint64_t)timeout_s(t, f) * 1000000u;
}

uint32_t sn_flow_timeout_of(const struct sn_worker *w, const struct sn_flow *f)
{
    const struct sn_flow_table *t = w->flows;
    if (t)
        return timeout_s(t, f);
    if (!w->cfg)
        return 0;
    const struct sn_flow_timeouts *to = sn_config_timeouts(w->cfg, f->proto);
    switch (state_idx(f)) {
    case SN_FLOW_NEW:
        return to->new_s;
    case SN_FLOW_ESTABLISHED:
        return to->est_s;
    default:
        return to->closed_s;
    }
}

/* ---- pool -------------------------------------------------------------------------------- */

static size_t chunk_bytes(size_t n)
{
    return sizeof(struct flow_chunk) + n * sizeof(struct sn_flow);
}

/* Adds a chunk of up to `want` flows to the free list, as many as the cap allows.
 * Returns the number of flows added (0: cap reached or no memory). */
static size_t pool_grow(struct sn_flow_table *t, size_t want)
{
    size_t room, n;
    struct flow_chunk *c;

    if (t->memuse + chunk_bytes(1) > t->memcap)
        return 0;
    room = (t->memcap - t->memuse - sizeof(struct flow_chunk)) / sizeof(struct sn_flow);
    n = CS_MIN(want, room);
    if (n == 0)
        return 0;
    c = cs_malloc(chunk_bytes(n));
    if (!c)
        return 0;
    c->n = n;
    c->next = t->chunks;
    t->chunks = c;
    for (size_t i = n; i-- > 0;) {
        c->flows[i].hnext = t->free_list;
        t->free_list = &c->flows[i];
    }
    t->nflows += n;
    t->memuse += chunk_bytes(n);
    return n;
}

static struct sn_flow *pool_get(struct sn_flow_table *t)
{
    struct sn_flow *f = t->free_list;
    if (!f && pool_grow(t, FLOW_CHUNK))
        f = t->free_list;
    if (f)
        t->free_list = f->hnext;
    return f;
}

/* ---- table ------------------------------------------------------------------------------- */

static uint32_t random_seed(void)
{
    uint32_t s = 0;
    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
        s = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&s;
    return s;
}

struct sn_flow_table *sn_flow_table_new(const struct sn_config *cfg, int nworkers,
                                        sn_flow_end_fn on_end)
{
    struct sn_flow_table *t;
    uint32_t nb = 16;

    if (nworkers < 1)
        nworkers = 1;
    t = cs_calloc(1, sizeof(*t));
    if (!t)
        goto out;
    while (nb < cfg->flow_hash_size && nb < (UINT32_C(1) << 30))
        nb <<= 1;
    t->buckets = cs_calloc(nb, sizeof(*t->buckets));
    if (!t->buckets)
        goto out_free_table;
    t->mask = nb - 1;
    t->seed = random_seed();
    t->on_end = on_end;
    t->memuse = (size_t)nb * sizeof(*t->buckets);
    t->memcap = (size_t)(cfg->flow_memcap / (uint64_t)nworkers);
    t->recovery_pct = CS_MIN(cfg->flow_emergency_recovery, 100u);
    memcpy(t->timeouts, cfg->timeouts, sizeof(t->timeouts));
    for (unsigned p = 0; p < 256; p++) {
        ptrdiff_t i = sn_config_timeouts(cfg, (uint8_t)p) - cfg->timeouts;
        t->class_of_proto[p] = (i >= 0 && i < SN_FP_MAX) ? (uint8_t)i : SN_FP_DEFAULT;
    }
    for (unsigned c = 0; c < FLOW_NCLASSES; c++)
        t->lists[c].lprev = t->lists[c].lnext = &t->lists[c];

    /* prealloc: best effort within the cap */
    size_t want = cfg->flow_prealloc / (uint32_t)nworkers;
    while (t->nflows < want) {
        if (!pool_grow(t, CS_MIN(want - t->nflows, (size_t)FLOW_CHUNK)))
            break;
    }
    return t;

out_free_table:
    cs_free(t);
out:
    return NULL;
}

void sn_flow_table_free(struct sn_flow_table *t)
{
    if (!t)
        return;
    struct flow_chunk *c = t->chunks;
    while (c) {
        struct flow_chunk *next = c->next;
        cs_free(c);
        c = next;
    }
    cs_free(t->buckets);
    cs_free(t);
}

size_t sn_flow_count(const struct sn_flow_table *t)
{
    return t ? t->nactive : 0;
}

size_t sn_flow_memuse(const struct sn_flow_table *t)
{
    return t ? t->memuse : 0;
}

static void hash_unlink(struct sn_flow_table *t, struct sn_flow *f)
{
    struct sn_flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    f->hnext = NULL;
}

/* Leaves emergency mode once the flows in use are below (100 - recovery)% of the pool the
 * cap allowed (the bucket array is a fixed cost and is left out so recovery stays reachable
 * whatever the hash size). */
static void check_recovery(struct sn_flow_table *t)
{
    if (t->emergency && (uint64_t)t->nactive * 100 < (uint64_t)t->nflows * (100 - t->recovery_pct))
        t->emergency = false;
}

/* Ends f: unlinks it, sets the reason, calls on_end once, returns it to the pool. */
static void flow_end(struct sn_worker *w, struct sn_flow_table *t, struct sn_flow *f,
                     enum sn_flow_end reason)
{
    static const enum sn_counter cnt[] = {
        [SN_FLOW_END_TIMEOUT] = SN_CNT_FLOW_END_TIMEOUT,
        [SN_FLOW_END_FORCED] = SN_CNT_FLOW_END_FORCED,
        [SN_FLOW_END_SHUTDOWN] = SN_CNT_FLOW_END_SHUTDOWN,
    };

    if (t->last_flow == f)
        t->last_flow = NULL;
    hash_unlink(t, f);
    list_unlink(f);
    t->nactive--;
    f->end_reason = (uint8_t)reason;
    if ((unsigned)reason < CS_ARRAY_LEN(cnt))
        sn_count(w, cnt[reason], 1);
    w->counters[SN_CNT_FLOW_ACTIVE] = t->nactive;
    if (t->on_end)
        t->on_end(w, f);
    f->hnext = t->free_list;
    t->free_list = f;
    check_recovery(t);
}

/* Ends expired flows of every list at now_us, at most max (0: no bound). */
static unsigned sweep(struct sn_worker *w, struct sn_flow_table *t, uint64_t now_us, unsigned max)
{
    unsigned ended = 0;

    for (unsigned c = 0; c < FLOW_NCLASSES; c++) {
        struct sn_flow *s = &t->lists[c];
        struct sn_flow *f = s->lnext;
        while (f != s) {
            if (max && ended >= max)
                return ended;
            struct sn_flow *next = f->lnext;
            unsigned fc = class_of(t, f);
            if (flow_expired(t, f, now_us)) {
                flow_end(w, t, f, SN_FLOW_END_TIMEOUT);
                ended++;
            } else if (fc != c) {
                /* misfiled (state changed outside of its packet): re-file, keep walking */
                list_unlink(f);
                list_append(t, fc, f);
                if (t->last_flow == f)
                    t->last_class = fc;
            } else {
                break;
            }
            f = next;
        }
    }
    return ended;
}

unsigned sn_flow_timeout_sweep(struct sn_worker *w, uint64_t now_us, unsigned max)
{
    struct sn_flow_table *t = w->flows;
    unsigned n;

    if (!t)
        return 0;
    refile_last(t);
    n = sweep(w, t, now_us, max);
    check_recovery(t);
    w->counters[SN_CNT_FLOW_MEMUSE] = t->memuse;
    return n;
}

void sn_flow_flush(struct sn_worker *w, enum sn_flow_end reason)
{
    struct sn_flow_table *t = w->flows;
    struct sn_flow *f;

    if (!t)
        return;
    while ((f = oldest_flow(t)) != NULL)
        flow_end(w, t, f, reason);
    t->emergency = false;
    w->counters[SN_CNT_FLOW_MEMUSE] = t->memuse;
}

/* A free flow for a new tuple at time now_us: from the pool, else (emergency) by ending an
 * expired flow or evicting the least recently active one. NULL when none can be had. */
static struct sn_flow *flow_alloc(struct sn_worker *w, struct sn_flow_table *t, uint64_t now_us)
{
    struct sn_flow *f = pool_get(t);
    if (f)
        return f;
    if (!t->emergency) {
        t->emergency = true;
        sn_count(w, SN_CNT_FLOW_EMERG_MODE_ENTERED, 1);
    }
    if (sweep(w, t, now_us, 1) == 0) {
        struct sn_flow *victim = oldest_flow(t);
        if (!victim)
            return NULL;
        victim->flags |= SN_FLOW_F_EMERG_EVICTED;
        sn_count(w, SN_CNT_FLOW_MEMCAP, 1);
        flow_end(w, t, victim, SN_FLOW_END_FORCED);
    }
    f = pool_get(t);
    return f;
}

static bool is_echo(uint8_t proto, uint8_t type)
{
    if (proto == IPPROTO_ICMP)
        return type == 8 || type == 0;
    return type == 128 || type == 129;
}

static bool is_error(uint8_t proto, uint8_t type)
{
    if (proto == IPPROTO_ICMP)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type < 128;
}

/* Builds the key of p; false when p gets no flow. */
static bool key_of(const struct sn_flow_table *t, const struct sn_pkt *p, struct flow_key *k)
{
    if ((p->flags & SN_PKT_IS_FRAGMENT) || (p->ip_ver != 4 && p->ip_ver != 6))
        return false;
    memset(k, 0, sizeof(*k));
    k->src = &p->src;
    k->dst = &p->dst;
    k->proto = p->proto;
    k->ip_ver = p->ip_ver;
    k->vlan_cnt = CS_MIN(p->vlan_cnt, SN_MAX_VLAN);
    for (unsigned i = 0; i < k->vlan_cnt; i++)
        k->vlan_id[i] = p->vlan_id[i];
    switch (p->proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        if (!(p->flags & SN_PKT_HAS_L4))
            return false;
        k->sp = p->sp;
        k->dp = p->dp;
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        if (!(p->flags & SN_PKT_HAS_L4))
            return false;
        if (is_echo(p->proto, p->icmp_type)) {
            k->sp = p->icmp_id;
            k->dp = ICMP_ECHO_MARK;
        } else if (is_error(p->proto, p->icmp_type)) {
            k->dp = ICMP_ERROR_MARK;
        }
        k->sym_ports = true;
        break;
    default:
        break;
    }
    k->hash = key_hash(k, t->seed);
    return true;
}

void sn_flow_reverse(struct sn_flow *f)
{
    struct sn_addr a = f->src;
    uint16_t sp = f->sp;
    uint32_t pk = f->pkts[0];
    uint64_t by = f->bytes[0];
    uint8_t x;

    f->src = f->dst;
    f->dst = a;
    f->sp = f->dp;
    f->dp = sp;
    f->pkts[0] = f->pkts[1];
    f->pkts[1] = pk;
    f->bytes[0] = f->bytes[1];
    f->bytes[1] = by;
    x = f->tcp_flags[0], f->tcp_flags[0] = f->tcp_flags[1], f->tcp_flags[1] = x;
    x = f->icmp_type[0], f->icmp_type[0] = f->icmp_type[1], f->icmp_type[1] = x;
    x = f->icmp_code[0], f->icmp_code[0] = f->icmp_code[1], f->icmp_code[1] = x;
    f->flow_id = flow_id_of(f);
}

/* 0: no match, 1: same direction as the flow, 2: reverse direction. */
static int key_match(const struct sn_flow *f, const struct flow_key *k)
{
    if (f->hash != k->hash || f->proto != k->proto || f->ip_ver != k->ip_ver ||
        f->vlan_cnt != k->vlan_cnt)
        return 0;
    for (unsigned i = 0; i < k->vlan_cnt; i++)
        if (f->vlan_id[i] != k->vlan_id[i])
            return 0;
    if (sn_addr_eq(&f->src, k->src) && sn_addr_eq(&f->dst, k->dst) && f->sp == k->sp &&
        f->dp == k->dp)
        return 1;
    if (sn_addr_eq(&f->src, k->dst) && sn_addr_eq(&f->dst, k->src)) {
        if (k->sym_ports ? (f->sp == k->sp && f->dp == k->dp) : (f->sp == k->dp && f->dp == k->sp))
            return 2;
    }
    return 0;
}

static void flow_init(struct sn_flow_table *t, struct sn_flow *f, const struct flow_key *k,
                      uint64_t ts)
{
    memset(f, 0, sizeof(*f));
    f->src = *k->src;
    f->dst = *k->dst;
    f->sp = k->sp;
    f->dp = k->dp;
    f->proto = k->proto;
    f->ip_ver = k->ip_ver;
    f->vlan_cnt = k->vlan_cnt;
    memcpy(f->vlan_id, k->vlan_id, sizeof(f->vlan_id));
    f->hash = k->hash;
    f->state = SN_FLOW_NEW;
    f->start_us = f->last_us = ts;
    f->flow_id = flow_id_of(f);
}

/* Doubles the bucket array when the table holds more than two flows per bucket on average
 * (and the memory cap leaves room), so chains stay short whatever flow.hash-size says.
 * O(flows), amortised over the insertions that filled the table. */
static void maybe_grow(struct sn_flow_table *t)
{
    size_t nb = (size_t)t->mask + 1, nn = nb * 2;
    size_t extra = (nn - nb) * sizeof(*t->buckets);
    struct sn_flow **nbk;

    if (t->nactive <= nb * 2 || nn > ((size_t)1 << 28) || t->memuse + extra > t->memcap)
        return;
    nbk = cs_calloc(nn, sizeof(*nbk));
    if (!nbk)
        return;
    for (size_t i = 0; i < nb; i++) {
        struct sn_flow *f = t->buckets[i];
        while (f) {
            struct sn_flow *next = f->hnext;
            size_t b = f->hash & (nn - 1);
            f->hnext = nbk[b];
            nbk[b] = f;
            f = next;
        }
    }
    cs_free(t->buckets);
    t->buckets = nbk;
    t->mask = (uint32_t)(nn - 1);
    t->memuse += extra;
}

static void count_new(struct sn_worker *w, uint8_t proto)
{
    sn_count(w, SN_CNT_FLOW_TOTAL, 1);
    switch (proto) {
    case IPPROTO_TCP:
        sn_count(w, SN_CNT_FLOW_TCP, 1);
        break;
    case IPPROTO_UDP:
        sn_count(w, SN_CNT_FLOW_UDP, 1);
        break;
    case IPPROTO_ICMP:
        sn_count(w, SN_CNT_FLOW_ICMPV4, 1);
        break;
    case IPPROTO_ICMPV6:
        sn_count(w, SN_CNT_FLOW_ICMPV6, 1);
        break;
    default:
        break;
    }
}

struct sn_flow *sn_flow_handle(struct sn_worker *w, struct sn_pkt *p)
{
    struct sn_flow_table *t = w->flows;
    struct sn_flow *f = NULL;
    struct flow_key k;
    int m = 0;
    uint32_t b;

    p->flow = NULL;
    if (!t || !key_of(t, p, &k))
        goto out;
    refile_last(t);

    b = k.hash & t->mask;
    for (f = t->buckets[b]; f; f = f->hnext) {
        m = key_match(f, &k);
        if (m)
            break;
    }
    if (f && flow_expired(t, f, p->ts_us)) {
        flow_end(w, t, f, SN_FLOW_END_TIMEOUT);
        f = NULL;
    }
    if (!f) {
        f = flow_alloc(w, t, p->ts_us);
        if (!f) {
            sn_count(w, SN_CNT_FLOW_MEMCAP, 1);
            goto out;
        }
        flow_init(t, f, &k, p->ts_us);
        m = 1;
        if (f->proto == IPPROTO_TCP &&
            (p->tcp_flags & (SN_TH_SYN | SN_TH_ACK)) == (SN_TH_SYN | SN_TH_ACK)) {
            /* a SYN/ACK first (the SYN was not captured): the sender is the server, so
             * the flow is kept the other way round, as Suricata does */
            struct sn_addr a = f->src;
            uint16_t sp = f->sp;
            f->src = f->dst;
            f->dst = a;
            f->sp = f->dp;
            f->dp = sp;
            f->flow_id = flow_id_of(f);
            m = 2;
        }
        f->hnext = t->buckets[b];
        t->buckets[b] = f;
        t->nactive++;
        count_new(w, f->proto);
        w->counters[SN_CNT_FLOW_ACTIVE] = t->nactive;
        maybe_grow(t);
    } else {
        list_unlink(f);
    }

    uint8_t dir = m == 1 ? SN_TOSERVER : SN_TOCLIENT;
    if ((f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) && f->pkts[dir] == 0) {
        f->icmp_type[dir] = p->icmp_type;
        f->icmp_code[dir] = p->icmp_code;
    }
    f->pkts[dir]++;
    f->bytes[dir] += p->wirelen;
    if (f->proto == IPPROTO_TCP)
        f->tcp_flags[dir] |= p->tcp_flags;
    if (p->ts_us > f->last_us)
        f->last_us = p->ts_us;
    if (f->proto != IPPROTO_TCP && f->state == SN_FLOW_NEW && f->pkts[0] && f->pkts[1])
        f->state = SN_FLOW_ESTABLISHED;

    t->last_class = class_of(t, f);
    list_append(t, t->last_class, f);
    t->last_flow = f;
    p->flow = f;
    p->dir = dir;
out:
    if (t)
        w->counters[SN_CNT_FLOW_MEMUSE] = t->memuse;
    return f;
}
