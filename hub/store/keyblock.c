/* keyblock.c — packed address and flow keys of sealed event segments (keyblock.h). */
#include "keyblock.h"

#include <stdlib.h>
#include <string.h>

#include "../../lib/cs.h"

/* FNV-1a over a type tag and the key, then a 64-bit finaliser (the bucket is the top byte). */
static uint64_t kb_hash(char tag, const void *key, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = (h ^ (unsigned char)tag) * 0x100000001b3ULL;
    const unsigned char *p = key;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t hub_kb_hash_text(const char *p, size_t n)
{
    return kb_hash('t', p, n);
}

uint64_t hub_kb_hash_flow(uint64_t flow)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(flow >> (8 * i));
    return kb_hash('f', b, 8);
}

int hub_kb_init(struct hub_kb *k)
{
    memset(k, 0, sizeof(*k));
    k->cap = 3u << HUB_KB_SEG_SHIFT;
    k->base = cs_malloc(2 * k->cap * sizeof(*k->base));
    k->buf = cs_malloc(k->cap * HUB_KB_ENTRY);
    if (!k->base || !k->buf) {
        hub_kb_free(k);
        return CS_ENOMEM;
    }
    k->v = k->base;
    return CS_OK;
}

void hub_kb_free(struct hub_kb *k)
{
    cs_free(k->base);
    cs_free(k->buf);
    memset(k, 0, sizeof(*k));
}

void hub_kb_add(struct hub_kb *k, uint32_t off, int64_t ts, const char *src, size_t src_len,
                const char *dst, size_t dst_len, uint64_t flow)
{
    if (k->n + 3 > k->cap)
        return; /* more than a segment: cannot happen with ids of one segment */
    if (src)
        k->v[k->n++] = (struct hub_kb_ent){hub_kb_hash_text(src, src_len), ts, off};
    if (dst && !(src && src_len == dst_len && memcmp(src, dst, dst_len) == 0))
        k->v[k->n++] = (struct hub_kb_ent){hub_kb_hash_text(dst, dst_len), ts, off};
    if (flow)
        k->v[k->n++] = (struct hub_kb_ent){hub_kb_hash_flow(flow), ts, off};
}

static int kb_cmp(const void *pa, const void *pb)
{
    const struct hub_kb_ent *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    if (a->ts != b->ts)
        return a->ts > b->ts ? -1 : 1;
    return (a->off < b->off) - (a->off > b->off);
}

void hub_kb_sort(struct hub_kb *k)
{
    /* by bucket (a counting sort into the second half), then each bucket */
    struct hub_kb_ent *v = k->base, *w = k->base + k->cap;
    size_t at[HUB_KB_BUCKETS + 1] = {0}, n = k->n;
    for (size_t i = 0; i < n; i++)
        at[hub_kb_bucket_of(v[i].h) + 1]++;
    for (int b = 0; b < HUB_KB_BUCKETS; b++)
        at[b + 1] += at[b];
    for (size_t i = 0; i < n; i++)
        w[at[hub_kb_bucket_of(v[i].h)]++] = v[i];
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && hub_kb_bucket_of(w[j].h) == hub_kb_bucket_of(w[i].h))
            j++;
        qsort(w + i, j - i, sizeof(*w), kb_cmp);
        i = j;
    }
    k->v = w;
}

static void kb_put(unsigned char *p, const struct hub_kb_ent *e)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(e->h >> (8 * i));
        p[8 + i] = (unsigned char)((uint64_t)e->ts >> (8 * i));
    }
    p[16] = (unsigned char)e->off;
    p[17] = (unsigned char)(e->off >> 8);
}

size_t hub_kb_next_bucket(struct hub_kb *k, size_t *i, int *bucket)
{
    size_t j = *i;
    if (j >= k->n)
        return 0;
    int b = hub_kb_bucket_of(k->v[j].h);
    while (j < k->n && hub_kb_bucket_of(k->v[j].h) == b) {
        kb_put(k->buf + (j - *i) * HUB_KB_ENTRY, &k->v[j]);
        j++;
    }
    size_t len = (j - *i) * HUB_KB_ENTRY;
    *i = j;
    *bucket = b;
    return len;
}

void hub_kb_get(const unsigned char *blob, size_t i, struct hub_kb_ent *e)
{
    const unsigned char *p = blob + i * HUB_KB_ENTRY;
    uint64_t h = 0, ts = 0;
    for (int b = 7; b >= 0; b--) {
        h = h << 8 | p[b];
        ts = ts << 8 | p[8 + b];
    }
    e->h = h;
    e->ts = (int64_t)ts;
    e->off = (uint32_t)p[16] | (uint32_t)p[17] << 8;
}

size_t hub_kb_find(const unsigned char *blob, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    struct hub_kb_ent e;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        hub_kb_get(blob, mid, &e);
        if (e.h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
