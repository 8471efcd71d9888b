/* arena.c — see arena.h. */
#include "arena.h"

struct hub_arena_chunk {
    struct hub_arena_chunk *next;
    size_t cap;
    size_t off;
    _Alignas(8) unsigned char data[];
};

#define HUB_ARENA_CHUNK_DEFAULT (64 * 1024)

void hub_arena_init(struct hub_arena *a, size_t max)
{
    memset(a, 0, sizeof(*a));
    a->max = max;
}

void hub_arena_free(struct hub_arena *a)
{
    struct hub_arena_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        cs_free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void hub_arena_reset(struct hub_arena *a)
{
    struct hub_arena_chunk *c = a->head, *next, *keep = NULL;

    /* Keep the oldest ordinary-sized chunk; free the rest. */
    while (c) {
        next = c->next;
        if (!keep && c->cap == (a->chunk_size ? a->chunk_size : HUB_ARENA_CHUNK_DEFAULT)) {
            keep = c;
        } else {
            cs_free(c);
        }
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->off = 0;
    }
    a->head = keep;
    a->used = 0;
}

void *hub_arena_alloc(struct hub_arena *a, size_t n)
{
    size_t need = (n + 7) & ~(size_t)7;
    size_t csize = a->chunk_size ? a->chunk_size : HUB_ARENA_CHUNK_DEFAULT;
    struct hub_arena_chunk *c = a->head;
    void *p;

    if (need < n || (a->max && (need > a->max || a->used > a->max - need)))
        return NULL;
    if (!c || c->cap - c->off < need) {
        size_t cap = need > csize ? need : csize;
        c = cs_malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->off = 0;
        if (cap > csize && a->head) {
            /* A big one-off chunk goes behind the current one so the current one keeps
             * serving small allocations. */
            c->next = a->head->next;
            a->head->next = c;
            c->off = need;
            a->used += need;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->off;
    c->off += need;
    a->used += need;
    return p;
}

char *hub_arena_strndup(struct hub_arena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = hub_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}
