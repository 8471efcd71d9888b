/* stats_cache.c — the overview's top source and target addresses from the hub's memory.
 *
 * An exact top 10 over 7 days adds up every hourly (organisation, side, address, count)
 * rollup row of the range: about a million rows with 10 M events, most addresses seen once.
 * Reading them for every request cost ~1 s of CPU. Here they are read once: the cache keeps,
 * per hour, the rows of every organisation (interned: 16 bytes a row), and per view (a set of
 * organisations: the caller's scope intersected with the org filter) the totals per address
 * over the window it answered last. The next request with the same view slides the window:
 * it subtracts the hours that left and adds the ones that arrived (usually one hour each), and
 * the top 10 is a scan of the totals.
 *
 * Exactness: the ingest path (hub_store_batch_add) notes, after the commit, the hours of the
 * batch's alerts (hub_stats_cache_note, under a lock of its own so ingest never waits for a
 * read). A request first turns those notes into "stale" marks, re-reads every stale or missing
 * hour of its window, and replaces the hour in every view whose window holds it (subtract the
 * old rows, add the new). A batch noted before the re-read is in it (it committed before it
 * was noted); one noted after is re-read by the next request. The current hour is therefore
 * re-read by most requests (one hour: ~1/168 of a week's rows); late events are re-read the
 * same way whatever their age.
 *
 * Bounds: a window longer than IPC_MAX_HOURS is answered without keeping anything (the same
 * code on a private cache); over IPC_MAX_ROWS rows or IPC_MAX_KEYS addresses the cache is
 * dropped after the request; IPC_VIEWS views at most (least recently used goes). Hours no
 * view's window holds are dropped after each request.
 *
 * Order of the lists: count descending, then the address's bytes (memcmp), as the SQLite
 * store's in-memory top did before. */
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPC_HOUR_US (INT64_C(3600) * 1000000)
#define IPC_MAX_HOURS (32 * 24) /* 30 days and a margin */
#define IPC_MAX_ROWS ((size_t)6 << 20)
#define IPC_MAX_KEYS ((size_t)4 << 20)
#define IPC_VIEWS 8
#define IPC_MAX_DIRTY 1024

struct ipc_row {
    uint32_t key, org; /* indexes into keys[] and orgs[] */
    int64_t n;
};
struct ipc_hour {
    int64_t h;
    struct ipc_row *rows;
    size_t n, cap;
    bool stale;
};
struct ipc_key {
    uint32_t off, len; /* text in str[] */
    uint32_t hash;
    int side;
};
struct ipc_slot {
    uint32_t hash, idx1; /* idx1: key index + 1; 0 empty */
};
struct ipc_view {
    bool used, all;
    int64_t *ids; /* sorted organisation ids (when !all) */
    size_t nids;
    uint8_t *in; /* membership by org index */
    size_t nin;
    int64_t from_h, to_h; /* the window cnt[] sums */
    int64_t *cnt;         /* by key index */
    size_t ncnt;
    uint64_t tick;
};
struct hub_stats_cache {
    pthread_mutex_t lock;
    struct ipc_slot *kt;
    size_t kcap;
    struct ipc_key *keys;
    size_t nkeys, keycap;
    char *str;
    size_t slen, scap;
    int64_t *orgs;
    size_t norgs, orgcap, org_last;
    struct ipc_hour *hours; /* sorted by h */
    size_t nhours, hourcap, nrows;
    struct ipc_view views[IPC_VIEWS];
    uint64_t tick;
    struct hub_stats_cache_info info;
    bool oom;
    /* hours noted by the ingest path, under their own lock */
    pthread_mutex_t dlock;
    int64_t dirty[IPC_MAX_DIRTY];
    size_t ndirty;
    bool dall; /* too many to list: everything is stale */
};

/* ---- keys and organisations ---- */

static uint32_t key_hash(int side, const char *s, size_t len)
{
    uint32_t h = 2166136261u ^ (uint32_t)side;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool kt_grow(struct hub_stats_cache *c)
{
    size_t cap = c->kcap ? c->kcap * 2 : 1024;
    struct ipc_slot *t = cs_calloc(cap, sizeof(*t));
    if (!t)
        return false;
    for (size_t i = 0; i < c->kcap; i++) {
        if (!c->kt[i].idx1)
            continue;
        size_t j = c->kt[i].hash & (cap - 1);
        while (t[j].idx1)
            j = (j + 1) & (cap - 1);
        t[j] = c->kt[i];
    }
    cs_free(c->kt);
    c->kt = t;
    c->kcap = cap;
    return true;
}

/* The index of (side, ip), added when new; -1 when out of memory. */
static int64_t key_get(struct hub_stats_cache *c, int side, const char *s, size_t len)
{
    if ((c->nkeys + 1) * 2 > c->kcap && !kt_grow(c))
        return -1;
    uint32_t h = key_hash(side, s, len);
    size_t j = h & (c->kcap - 1);
    for (; c->kt[j].idx1; j = (j + 1) & (c->kcap - 1)) {
        const struct ipc_key *k = &c->keys[c->kt[j].idx1 - 1];
        if (c->kt[j].hash == h && k->side == side && k->len == len &&
            (!len || !memcmp(c->str + k->off, s, len)))
            return c->kt[j].idx1 - 1;
    }
    if (c->nkeys >= UINT32_MAX - 1 || c->slen + len > UINT32_MAX)
        return -1;
    if (c->nkeys == c->keycap) {
        size_t cap = c->keycap ? c->keycap * 2 : 1024;
        struct ipc_key *k = cs_realloc(c->keys, cap * sizeof(*k));
        if (!k)
            return -1;
        c->keys = k;
        c->keycap = cap;
    }
    if (c->slen + len > c->scap) {
        size_t cap = c->scap ? c->scap * 2 : 16384;
        while (cap < c->slen + len)
            cap *= 2;
        char *ns = cs_realloc(c->str, cap);
        if (!ns)
            return -1;
        c->str = ns;
        c->scap = cap;
    }
    if (len)
        memcpy(c->str + c->slen, s, len);
    c->keys[c->nkeys] = (struct ipc_key){(uint32_t)c->slen, (uint32_t)len, h, side};
    c->slen += len;
    c->kt[j] = (struct ipc_slot){h, (uint32_t)(c->nkeys + 1)};
    return (int64_t)c->nkeys++;
}

/* The index of an organisation id, added when new; -1 when out of memory. Rows come grouped
 * by organisation, so the last hit answers most calls. */
static int64_t org_get(struct hub_stats_cache *c, int64_t id)
{
    if (c->org_last < c->norgs && c->orgs[c->org_last] == id)
        return (int64_t)c->org_last;
    for (size_t i = 0; i < c->norgs; i++)
        if (c->orgs[i] == id)
            return (int64_t)(c->org_last = i);
    if (c->norgs == c->orgcap) {
        size_t cap = c->orgcap ? c->orgcap * 2 : 64;
        int64_t *o = cs_realloc(c->orgs, cap * sizeof(*o));
        if (!o)
            return -1;
        c->orgs = o;
        c->orgcap = cap;
    }
    c->orgs[c->norgs] = id;
    return (int64_t)(c->org_last = c->norgs++);
}

/* ---- hours ---- */

static struct ipc_hour *hour_find(struct hub_stats_cache *c, int64_t h)
{
    size_t lo = 0, hi = c->nhours;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->hours[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nhours && c->hours[lo].h == h ? &c->hours[lo] : NULL;
}

/* Adds an empty hour h (absent before); NULL when out of memory. */
static struct ipc_hour *hour_add(struct hub_stats_cache *c, int64_t h)
{
    if (c->nhours == c->hourcap) {
        size_t cap = c->hourcap ? c->hourcap * 2 : 256;
        struct ipc_hour *t = cs_realloc(c->hours, cap * sizeof(*t));
        if (!t)
            return NULL;
        c->hours = t;
        c->hourcap = cap;
    }
    size_t i = c->nhours;
    while (i > 0 && c->hours[i - 1].h > h)
        i--;
    memmove(&c->hours[i + 1], &c->hours[i], (c->nhours - i) * sizeof(*c->hours));
    c->hours[i] = (struct ipc_hour){.h = h};
    c->nhours++;
    return &c->hours[i];
}

static void hour_clear(struct hub_stats_cache *c, struct ipc_hour *x)
{
    c->nrows -= x->n;
    cs_free(x->rows);
    x->rows = NULL;
    x->n = x->cap = 0;
}

/* ---- views ---- */

static bool view_fit(struct ipc_view *v, size_t nkeys)
{
    if (v->ncnt >= nkeys)
        return true;
    size_t cap = v->ncnt ? v->ncnt : 1024;
    while (cap < nkeys)
        cap *= 2;
    int64_t *t = cs_realloc(v->cnt, cap * sizeof(*t));
    if (!t)
        return false;
    memset(t + v->ncnt, 0, (cap - v->ncnt) * sizeof(*t));
    v->cnt = t;
    v->ncnt = cap;
    return true;
}

/* cnt += sign * the hour's rows of the view's organisations (cnt fits every key). */
static void view_apply(struct ipc_view *v, const struct ipc_hour *x, int64_t sign)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct ipc_row *r = &x->rows[i];
        if (v->all || (r->org < v->nin && v->in[r->org]))
            v->cnt[r->key] += sign * r->n;
    }
}

static void view_free(struct ipc_view *v)
{
    cs_free(v->ids);
    cs_free(v->in);
    cs_free(v->cnt);
    memset(v, 0, sizeof(*v));
}

static bool view_holds(const struct ipc_view *v, int64_t h)
{
    return v->used && h >= v->from_h && h < v->to_h;
}

/* ---- the cache ---- */

static void ipc_clear(struct hub_stats_cache *c)
{
    for (size_t i = 0; i < c->nhours; i++)
        cs_free(c->hours[i].rows);
    for (size_t i = 0; i < IPC_VIEWS; i++)
        view_free(&c->views[i]);
    cs_free(c->hours);
    cs_free(c->kt);
    cs_free(c->keys);
    cs_free(c->str);
    cs_free(c->orgs);
    c->hours = NULL;
    c->kt = NULL;
    c->keys = NULL;
    c->str = NULL;
    c->orgs = NULL;
    c->nhours = c->hourcap = c->nrows = c->kcap = c->nkeys = c->keycap = 0;
    c->slen = c->scap = c->norgs = c->orgcap = c->org_last = 0;
    c->oom = false;
}

static struct hub_stats_cache *ipc_new(void)
{
    struct hub_stats_cache *c = cs_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->dlock, NULL);
    return c;
}

static void ipc_free(struct hub_stats_cache *c)
{
    if (!c)
        return;
    ipc_clear(c);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->dlock);
    cs_free(c);
}

/* The store's cache, made on first use (NULL when out of memory). */
static struct hub_stats_cache *ipc_of(struct hub_store *s)
{
    struct hub_stats_cache *c = __atomic_load_n(&s->ipc, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    struct hub_stats_cache *nc = ipc_new();
    if (!nc)
        return NULL;
    if (__atomic_compare_exchange_n(&s->ipc, &c, nc, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return nc;
    ipc_free(nc); /* another thread made it first: c holds it */
    return c;
}

void hub_stats_cache_free(struct hub_store *s)
{
    ipc_free(s->ipc);
    s->ipc = NULL;
}

void hub_stats_cache_note(struct hub_store *s, const struct hub_store_event *ev, size_t n)
{
    struct hub_stats_cache *c = __atomic_load_n(&s->ipc, __ATOMIC_ACQUIRE);
    if (!c)
        return; /* nothing read yet: the first read sees this batch */
    int64_t last = INT64_MIN;
    pthread_mutex_lock(&c->dlock);
    for (size_t i = 0; i < n && !c->dall; i++) {
        if (ev[i].signature_id < 0 || (!ev[i].src_ip.p && !ev[i].dest_ip.p))
            continue; /* not in the address rollup */
        int64_t h = ev[i].ts_us / IPC_HOUR_US;
        if (h == last)
            continue;
        last = h;
        size_t j = 0;
        while (j < c->ndirty && c->dirty[j] != h)
            j++;
        if (j < c->ndirty)
            continue;
        if (c->ndirty == IPC_MAX_DIRTY)
            c->dall = true;
        else
            c->dirty[c->ndirty++] = h;
    }
    pthread_mutex_unlock(&c->dlock);
}

/* Takes the noted hours and marks them stale (lock held). */
static void take_notes(struct hub_stats_cache *c)
{
    int64_t d[IPC_MAX_DIRTY];
    pthread_mutex_lock(&c->dlock);
    size_t n = c->ndirty;
    bool all = c->dall;
    memcpy(d, c->dirty, n * sizeof(*d));
    c->ndirty = 0;
    c->dall = false;
    pthread_mutex_unlock(&c->dlock);
    for (size_t i = 0; i < c->nhours; i++)
        c->hours[i].stale |= all;
    for (size_t i = 0; i < n && !all; i++) {
        struct ipc_hour *x = hour_find(c, d[i]);
        if (x)
            x->stale = true;
    }
}

struct load_ctx {
    struct hub_stats_cache *c;
    struct ipc_hour *x; /* the hour of the previous row */
};

static int load_row(void *arg, const struct hub_stats_ip_row *r)
{
    struct load_ctx *l = arg;
    struct hub_stats_cache *c = l->c;
    if (!l->x || l->x->h != r->hour) {
        l->x = hour_find(c, r->hour);
        if (!l->x)
            return CS_EINVAL; /* a row outside the range asked for */
    }
    struct ipc_hour *x = l->x;
    int64_t key = key_get(c, r->side ? 1 : 0, r->ip.p ? r->ip.p : "", r->ip.len);
    int64_t org = org_get(c, r->org_id);
    if (key < 0 || org < 0)
        return CS_ENOMEM;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct ipc_row *t = cs_realloc(x->rows, cap * sizeof(*t));
        if (!t)
            return CS_ENOMEM;
        x->rows = t;
        x->cap = cap;
    }
    x->rows[x->n++] = (struct ipc_row){(uint32_t)key, (uint32_t)org, r->n};
    c->nrows++;
    c->info.rows_read++;
    return 0;
}

/* Reads hours [a, b) (present, empty) from the store. */
static int load(struct hub_stats_cache *c, struct hub_store *s, int64_t a, int64_t b)
{
    struct load_ctx l = {c, NULL};
    c->info.reads++;
    c->info.hours_read += (uint64_t)(b - a);
    return s->ops->stats_ip_hours(s, a, b, load_row, &l);
}

/* Makes every hour of [from, to) present and fresh: stale ones are re-read and replaced in
 * the views that hold them. */
static int refresh(struct hub_stats_cache *c, struct hub_store *s, int64_t from, int64_t to)
{
    int64_t h = from;
    while (h < to) {
        struct ipc_hour *x = hour_find(c, h);
        if (x && !x->stale) {
            h++;
            continue;
        }
        int64_t b = h; /* a run of hours to read */
        for (; b < to; b++) {
            x = hour_find(c, b);
            if (x && !x->stale)
                break;
            if (!x && !hour_add(c, b))
                return CS_ENOMEM;
            x = hour_find(c, b);
            for (size_t v = 0; v < IPC_VIEWS && x->stale; v++)
                if (view_holds(&c->views[v], b))
                    view_apply(&c->views[v], x, -1);
            hour_clear(c, x);
        }
        int rc = load(c, s, h, b);
        if (rc)
            return rc;
        for (int64_t k = h; k < b; k++) {
            x = hour_find(c, k);
            for (size_t v = 0; v < IPC_VIEWS && x->stale; v++) {
                struct ipc_view *w = &c->views[v];
                if (!view_holds(w, k))
                    continue;
                if (!view_fit(w, c->nkeys))
                    return CS_ENOMEM;
                view_apply(w, x, 1);
            }
            x->stale = false;
        }
        h = b;
    }
    return CS_OK;
}

/* The organisations a request may count: all, or a sorted id list. */
struct orgset {
    bool all;
    int64_t *ids;
    size_t n, cap;
    char prefix[HUB_PATH_MAX + 1];
    bool oom;
};

static int orgset_cb(void *arg, const struct hub_org *o)
{
    struct orgset *os = arg;
    if (strncmp(o->path, os->prefix, strlen(os->prefix)) != 0)
        return 0;
    if (os->n == os->cap) {
        size_t cap = os->cap ? os->cap * 2 : 32;
        int64_t *t = cs_realloc(os->ids, cap * sizeof(*t));
        if (!t) {
            os->oom = true;
            return 1;
        }
        os->ids = t;
        os->cap = cap;
    }
    os->ids[os->n++] = o->id;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The scope, narrowed to the subtree of org_id when non-zero (as the stores' SQL does:
 * organisations whose path starts with that org's path). */
static int orgset_get(struct hub_store *s, const struct hub_scope *sc, int64_t org_id,
                      struct orgset *os)
{
    memset(os, 0, sizeof(*os));
    if (sc->system && !org_id) {
        os->all = true;
        return CS_OK;
    }
    if (org_id) {
        struct hub_org o;
        int rc = hub_store_org_get(s, sc, org_id, &o);
        if (rc == HUB_ENOTFOUND)
            return CS_OK; /* nothing to count */
        if (rc)
            return rc;
        snprintf(os->prefix, sizeof(os->prefix), "%s", o.path);
    }
    int rc = hub_store_org_list(s, sc, orgset_cb, os);
    if (os->oom)
        rc = CS_ENOMEM;
    if (rc == CS_OK && os->n)
        qsort(os->ids, os->n, sizeof(*os->ids), cmp_i64);
    return rc;
}

/* The view for os (made, or the least recently used one replaced); NULL when out of memory. */
static struct ipc_view *view_get(struct hub_stats_cache *c, const struct orgset *os)
{
    struct ipc_view *v = NULL;
    for (size_t i = 0; i < IPC_VIEWS; i++) {
        struct ipc_view *w = &c->views[i];
        if (w->used && w->all == os->all && w->nids == os->n &&
            (!os->n || !memcmp(w->ids, os->ids, os->n * sizeof(*os->ids))))
            return w;
        if (!v || !w->used || (v->used && w->tick < v->tick))
            v = w;
    }
    view_free(v);
    v->all = os->all;
    if (os->n) {
        v->ids = cs_malloc(os->n * sizeof(*v->ids));
        if (!v->ids)
            return NULL;
        memcpy(v->ids, os->ids, os->n * sizeof(*v->ids));
        v->nids = os->n;
    }
    for (size_t i = 0; i < os->n; i++) {
        int64_t k = org_get(c, os->ids[i]);
        if (k < 0)
            goto oom;
        if ((size_t)k >= v->nin) {
            size_t cap = (size_t)k + 16;
            uint8_t *t = cs_realloc(v->in, cap);
            if (!t)
                goto oom;
            memset(t + v->nin, 0, cap - v->nin);
            v->in = t;
            v->nin = cap;
        }
        v->in[k] = 1;
    }
    v->used = true;
    return v;
oom:
    view_free(v);
    return NULL;
}

/* Slides v's window to [from, to) (every hour of it present and fresh). */
static int view_slide(struct hub_stats_cache *c, struct ipc_view *v, int64_t from, int64_t to)
{
    if (!view_fit(v, c->nkeys))
        return CS_ENOMEM;
    if (v->to_h <= from || to <= v->from_h || v->from_h == v->to_h) {
        if (v->ncnt) /* no address seen yet: no array either */
            memset(v->cnt, 0, v->ncnt * sizeof(*v->cnt));
        v->from_h = v->to_h = from;
    }
    for (int64_t h = v->from_h; h < v->to_h; h++)
        if (h < from || h >= to)
            view_apply(v, hour_find(c, h), -1);
    for (int64_t h = from; h < to; h++)
        if (h < v->from_h || h >= v->to_h)
            view_apply(v, hour_find(c, h), 1);
    v->from_h = from;
    v->to_h = to;
    return CS_OK;
}

/* a before b: count descending, then the address's bytes. */
static bool ip_before(const struct hub_stats_cache *c, const struct ipc_view *v, uint32_t a,
                      uint32_t b)
{
    if (v->cnt[a] != v->cnt[b])
        return v->cnt[a] > v->cnt[b];
    const struct ipc_key *x = &c->keys[a], *y = &c->keys[b];
    size_t l = x->len < y->len ? x->len : y->len;
    int r = l ? memcmp(c->str + x->off, c->str + y->off, l) : 0;
    return r ? r < 0 : x->len < y->len;
}

static void view_top(const struct hub_stats_cache *c, const struct ipc_view *v,
                     struct hub_stats_overview *o)
{
    uint32_t best[2][HUB_STATS_TOP];
    size_t nb[2] = {0, 0};
    for (size_t i = 0; i < c->nkeys; i++) {
        if (v->cnt[i] <= 0)
            continue;
        int side = c->keys[i].side;
        uint32_t *t = best[side];
        size_t k = nb[side];
        if (k == HUB_STATS_TOP && !ip_before(c, v, (uint32_t)i, t[k - 1]))
            continue;
        size_t j = k < HUB_STATS_TOP ? nb[side]++ : k - 1;
        while (j > 0 && ip_before(c, v, (uint32_t)i, t[j - 1])) {
            t[j] = t[j - 1];
            j--;
        }
        t[j] = (uint32_t)i;
    }
    for (int side = 0; side < 2; side++) {
        struct hub_stats_ip *dst = side ? o->dest : o->src;
        for (size_t i = 0; i < nb[side]; i++) {
            const struct ipc_key *k = &c->keys[best[side][i]];
            snprintf(dst[i].ip, sizeof(dst[i].ip), "%.*s", (int)k->len, c->str + k->off);
            dst[i].count = v->cnt[best[side][i]];
        }
        *(side ? &o->ndest : &o->nsrc) = nb[side];
    }
}

/* Drops the hours no view holds. */
static void evict(struct hub_stats_cache *c)
{
    size_t m = 0;
    for (size_t i = 0; i < c->nhours; i++) {
        bool keep = false;
        for (size_t v = 0; v < IPC_VIEWS && !keep; v++)
            keep = view_holds(&c->views[v], c->hours[i].h);
        if (keep)
            c->hours[m++] = c->hours[i];
        else
            hour_clear(c, &c->hours[i]);
    }
    c->nhours = m;
}

/* The lists of os over [from, to) with c locked (or private). */
static int ipc_query(struct hub_stats_cache *c, struct hub_store *s, const struct orgset *os,
                     int64_t from, int64_t to, struct hub_stats_overview *o)
{
    c->tick++;
    take_notes(c);
    int rc = refresh(c, s, from, to);
    if (rc)
        return rc;
    struct ipc_view *v = view_get(c, os);
    if (!v)
        return CS_ENOMEM;
    v->tick = c->tick;
    if ((rc = view_slide(c, v, from, to)) != CS_OK)
        return rc;
    view_top(c, v, o);
    evict(c);
    return CS_OK;
}

int hub_stats_cache_ips(struct hub_store *s, const struct hub_scope *sc,
                        const struct hub_stats_query *q, struct hub_stats_overview *o)
{
    struct orgset os;
    int rc = orgset_get(s, sc, q->org_id, &os);
    if (rc || (!os.all && !os.n))
        goto out; /* an empty scope counts nothing */
    int64_t from = o->brk_from_us / IPC_HOUR_US, to = o->brk_to_us / IPC_HOUR_US;
    struct hub_stats_cache *c = to - from <= IPC_MAX_HOURS ? ipc_of(s) : NULL;
    if (!c) {
        /* too long to keep (or no memory for the cache): the same on a private one */
        struct hub_stats_cache *tmp = ipc_new();
        rc = tmp ? ipc_query(tmp, s, &os, from, to, o) : CS_ENOMEM;
        ipc_free(tmp);
        goto out;
    }
    pthread_mutex_lock(&c->lock);
    rc = ipc_query(c, s, &os, from, to, o);
    if (rc || c->nrows > IPC_MAX_ROWS || c->nkeys > IPC_MAX_KEYS) {
        ipc_clear(c); /* after an error the views may not match the hours: start again */
        c->info.resets++;
    }
    pthread_mutex_unlock(&c->lock);
out:
    cs_free(os.ids);
    if (rc) {
        o->nsrc = o->ndest = 0;
    }
    return rc;
}

void hub_store_stats_cache_info(struct hub_store *s, struct hub_stats_cache_info *out)
{
    memset(out, 0, sizeof(*out));
    struct hub_stats_cache *c = __atomic_load_n(&s->ipc, __ATOMIC_ACQUIRE);
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    *out = c->info;
    out->hours = c->nhours;
    out->rows = c->nrows;
    out->keys = c->nkeys;
    for (size_t i = 0; i < IPC_VIEWS; i++)
        out->views += c->views[i].used;
    pthread_mutex_unlock(&c->lock);
}
