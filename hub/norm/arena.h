/* arena.h — a bump allocator for the strings of a batch of events.
 *
 * Allocations come from chunks (default 64 KiB; larger requests get their own chunk) and
 * are freed all at once by hub_arena_reset() (keeps the first chunk for reuse) or
 * hub_arena_free(). `max` caps the total bytes handed out: past it an allocation returns
 * NULL (the caller reports CS_ELIMIT). An arena belongs to one thread; not thread-safe. */
#ifndef HUB_NORM_ARENA_H
#define HUB_NORM_ARENA_H

#include "../../lib/cs.h"

struct hub_arena_chunk;

struct hub_arena {
    struct hub_arena_chunk *head; /* current chunk (list of chunks, newest first) */
    size_t used;                  /* bytes handed out since the last reset */
    size_t max;                   /* 0: no cap */
    size_t chunk_size;            /* 0: 64 KiB */
};

/* Zeroes the arena; `max` = 0 for no cap. No allocation happens until the first use. */
void hub_arena_init(struct hub_arena *a, size_t max);
/* Frees every chunk; the arena may be reused after hub_arena_init(). */
void hub_arena_free(struct hub_arena *a);
/* Forgets every allocation (pointers into it become invalid); keeps one chunk. */
void hub_arena_reset(struct hub_arena *a);
/* `n` bytes aligned to 8, uninitialised; NULL on allocation failure or past `max`. */
void *hub_arena_alloc(struct hub_arena *a, size_t n);
/* Copy of `n` bytes at `s` followed by a NUL; NULL on failure. */
char *hub_arena_strndup(struct hub_arena *a, const char *s, size_t n);

#endif
