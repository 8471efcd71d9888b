/* throttle.c — login brute-force protection: failure counts per user and per source address
 * with exponential backoff, bounded memory with least-recently-failed eviction (see auth.h).
 *
 * Entries are preallocated (max_entries) and found through a chained hash table indexed by a
 * keyed digest: HMAC-SM3 with a per-process random key of (kind byte || name), so an attacker
 * cannot aim many names at one bucket. A doubly linked list orders entries by their last
 * failure; its head is the eviction victim. One mutex guards everything. */
#include "auth.h"

#include <pthread.h>

#include "../../lib/cs_time.h"

enum { KEY_USER = 'u', KEY_ADDR = 'a' };

struct thr_entry {
    uint8_t key[32];
    uint32_t fails;
    uint64_t last_fail;
    uint64_t blocked_until;
    struct thr_entry *hnext;
    struct thr_entry *prev, *next; /* LRU list (in use) or free list (next only) */
};

struct hub_throttle {
    struct hub_throttle_cfg cfg;
    hub_clock_fn clock;
    void *clock_arg;
    pthread_mutex_t mu;
    uint8_t hkey[32];
    struct thr_entry *entries;
    struct thr_entry **buckets;
    size_t nbuckets; /* power of two */
    struct thr_entry *free;
    struct thr_entry *oldest, *newest;
    size_t size;
    uint64_t evictions;
};

void hub_throttle_cfg_default(struct hub_throttle_cfg *c)
{
    c->free_fails = 3;
    c->base_delay_us = 1000000;
    c->max_delay_us = 15ull * 60 * 1000000;
    c->forget_us = 3600ull * 1000000;
    c->max_entries = 65536;
}

static uint64_t default_clock(void *arg)
{
    (void)arg;
    return cs_time_mono_us();
}

struct hub_throttle *hub_throttle_new(const struct hub_throttle_cfg *cfg, hub_clock_fn clock,
                                      void *clock_arg)
{
    struct hub_throttle *t;

    t = cs_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (cfg)
        t->cfg = *cfg;
    else
        hub_throttle_cfg_default(&t->cfg);
    if (t->cfg.max_entries < 2 || t->cfg.base_delay_us == 0 ||
        t->cfg.max_delay_us < t->cfg.base_delay_us)
        goto out_free;
    t->clock = clock ? clock : default_clock;
    t->clock_arg = clock_arg;
    t->nbuckets = 1;
    while (t->nbuckets < t->cfg.max_entries)
        t->nbuckets <<= 1;
    if (gm_random(t->hkey, sizeof(t->hkey)) != CS_OK)
        goto out_free;
    t->entries = cs_calloc(t->cfg.max_entries, sizeof(*t->entries));
    t->buckets = cs_calloc(t->nbuckets, sizeof(*t->buckets));
    if (!t->entries || !t->buckets)
        goto out_free_arrays;
    for (uint32_t i = 0; i < t->cfg.max_entries; i++) {
        t->entries[i].next = t->free;
        t->free = &t->entries[i];
    }
    if (pthread_mutex_init(&t->mu, NULL) != 0)
        goto out_free_arrays;
    return t;

out_free_arrays:
    cs_free(t->entries);
    cs_free(t->buckets);
out_free:
    gm_cleanse(t->hkey, sizeof(t->hkey));
    cs_free(t);
    return NULL;
}

void hub_throttle_free(struct hub_throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    cs_free(t->entries);
    cs_free(t->buckets);
    gm_cleanse(t->hkey, sizeof(t->hkey));
    cs_free(t);
}

/* Keyed digest of (kind, name); false on a libcrypto failure. */
static bool key_of(const struct hub_throttle *t, int kind, const char *name, uint8_t out[32])
{
    struct gm_hmac_sm3_ctx *h = gm_hmac_sm3_new(t->hkey, sizeof(t->hkey));
    uint8_t k = (uint8_t)kind;
    bool ok;

    if (!h)
        return false;
    ok = gm_hmac_sm3_update(h, &k, 1) == CS_OK &&
         gm_hmac_sm3_update(h, name, strlen(name)) == CS_OK && gm_hmac_sm3_final(h, out) == CS_OK;
    gm_hmac_sm3_free(h);
    return ok;
}

static size_t bucket_of(const struct hub_throttle *t, const uint8_t key[32])
{
    return (size_t)cs_get_be64(key) & (t->nbuckets - 1);
}

static void lru_unlink(struct hub_throttle *t, struct thr_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        t->oldest = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        t->newest = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(struct hub_throttle *t, struct thr_entry *e)
{
    e->next = NULL;
    e->prev = t->newest;
    if (t->newest)
        t->newest->next = e;
    else
        t->oldest = e;
    t->newest = e;
}

static void entry_remove(struct hub_throttle *t, struct thr_entry *e)
{
    struct thr_entry **pp = &t->buckets[bucket_of(t, e->key)];

    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    lru_unlink(t, e);
    memset(e, 0, sizeof(*e));
    e->next = t->free;
    t->free = e;
    t->size--;
}

/* The live entry for key, or NULL; an entry past forget_us is dropped on the way. */
static struct thr_entry *entry_find(struct hub_throttle *t, const uint8_t key[32], uint64_t now)
{
    struct thr_entry *e = t->buckets[bucket_of(t, key)];

    while (e && memcmp(e->key, key, 32) != 0)
        e = e->hnext;
    if (e && now >= e->last_fail && now - e->last_fail >= t->cfg.forget_us) {
        entry_remove(t, e);
        return NULL;
    }
    return e;
}

static struct thr_entry *entry_get(struct hub_throttle *t, const uint8_t key[32], uint64_t now)
{
    struct thr_entry *e = entry_find(t, key, now);
    size_t b;

    if (e)
        return e;
    if (!t->free) {
        entry_remove(t, t->oldest);
        t->evictions++;
    }
    e = t->free;
    t->free = e->next;
    memset(e, 0, sizeof(*e));
    memcpy(e->key, key, 32);
    b = bucket_of(t, key);
    e->hnext = t->buckets[b];
    t->buckets[b] = e;
    lru_push(t, e);
    t->size++;
    return e;
}

static uint64_t backoff(const struct hub_throttle_cfg *c, uint32_t fails)
{
    uint32_t shift;

    if (fails <= c->free_fails)
        return 0;
    shift = fails - c->free_fails - 1;
    if (shift >= 63 || c->base_delay_us > (c->max_delay_us >> shift))
        return c->max_delay_us;
    return c->base_delay_us << shift;
}

/* Remaining block of one key (0 when free). */
static uint64_t blocked_for(struct hub_throttle *t, int kind, const char *name, uint64_t now)
{
    uint8_t key[32];
    struct thr_entry *e;

    if (!name || !key_of(t, kind, name, key))
        return 0;
    e = entry_find(t, key, now);
    return e && e->blocked_until > now ? e->blocked_until - now : 0;
}

int hub_throttle_check(struct hub_throttle *t, const char *user, const char *addr,
                       uint64_t *retry_after_us)
{
    uint64_t now, wu, wa;

    if (retry_after_us)
        *retry_after_us = 0;
    if (!t)
        return CS_EINVAL;
    pthread_mutex_lock(&t->mu);
    now = t->clock(t->clock_arg);
    wu = blocked_for(t, KEY_USER, user, now);
    wa = blocked_for(t, KEY_ADDR, addr, now);
    pthread_mutex_unlock(&t->mu);
    if (retry_after_us)
        *retry_after_us = CS_MAX(wu, wa);
    return wu || wa ? CS_AGAIN : CS_OK;
}

static void fail_one(struct hub_throttle *t, int kind, const char *name, uint64_t now)
{
    uint8_t key[32];
    struct thr_entry *e;

    if (!name || !key_of(t, kind, name, key))
        return;
    e = entry_get(t, key, now);
    if (e->fails < UINT32_MAX)
        e->fails++;
    e->last_fail = now;
    e->blocked_until = now + backoff(&t->cfg, e->fails);
    lru_unlink(t, e);
    lru_push(t, e);
}

void hub_throttle_fail(struct hub_throttle *t, const char *user, const char *addr)
{
    uint64_t now;

    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    now = t->clock(t->clock_arg);
    fail_one(t, KEY_USER, user, now);
    fail_one(t, KEY_ADDR, addr, now);
    pthread_mutex_unlock(&t->mu);
}

void hub_throttle_success(struct hub_throttle *t, const char *user)
{
    uint8_t key[32];
    struct thr_entry *e;

    if (!t || !user || !key_of(t, KEY_USER, user, key))
        return;
    pthread_mutex_lock(&t->mu);
    e = entry_find(t, key, t->clock(t->clock_arg));
    if (e)
        entry_remove(t, e);
    pthread_mutex_unlock(&t->mu);
}

static uint32_t fails_of(struct hub_throttle *t, int kind, const char *name)
{
    uint8_t key[32];
    struct thr_entry *e;
    uint32_t n;

    if (!t || !name || !key_of(t, kind, name, key))
        return 0;
    pthread_mutex_lock(&t->mu);
    e = entry_find(t, key, t->clock(t->clock_arg));
    n = e ? e->fails : 0;
    pthread_mutex_unlock(&t->mu);
    return n;
}

uint32_t hub_throttle_fails_user(struct hub_throttle *t, const char *user)
{
    return fails_of(t, KEY_USER, user);
}

uint32_t hub_throttle_fails_addr(struct hub_throttle *t, const char *addr)
{
    return fails_of(t, KEY_ADDR, addr);
}

size_t hub_throttle_size(struct hub_throttle *t)
{
    size_t n;

    if (!t)
        return 0;
    pthread_mutex_lock(&t->mu);
    n = t->size;
    pthread_mutex_unlock(&t->mu);
    return n;
}

uint64_t hub_throttle_evictions(struct hub_throttle *t)
{
    uint64_t n;

    if (!t)
        return 0;
    pthread_mutex_lock(&t->mu);
    n = t->evictions;
    pthread_mutex_unlock(&t->mu);
    return n;
}
