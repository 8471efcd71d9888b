/* keyblock.h — the address and flow keys of a sealed event segment, packed for storage.
 *
 * Both stores cut events into segments of 2^HUB_KB_SEG_SHIFT consecutive ids. When a segment
 * is full its keys (each address of an event, once when source = destination, and its flow
 * id) are hashed and stored as 256 buckets (bucket b: the keys whose hash has top byte b),
 * each a packed array of HUB_KB_ENTRY-byte entries, little-endian: the key's hash (8),
 * ts_us (8), the event id minus the segment's first id (2), sorted by hash, then newest
 * first (ts_us, then id, descending). A lookup reads one bucket per segment, finds the
 * key's hash and checks each candidate against its event row (a collision costs a row
 * read, never a wrong answer).
 *
 * The hash and the layout are on disk: they must never change. */
#ifndef HUB_STORE_KEYBLOCK_H
#define HUB_STORE_KEYBLOCK_H
#include <stddef.h>
#include <stdint.h>

#define HUB_KB_SEG_SHIFT 14 /* events per segment: 2^14 */
#define HUB_KB_ENTRY 18     /* bytes per entry */
#define HUB_KB_BUCKETS 256

struct hub_kb_ent {
    uint64_t h;
    int64_t ts;
    uint32_t off; /* id - first id of the segment */
};

/* The key hashes: an address (its text) and a flow id. */
uint64_t hub_kb_hash_text(const char *p, size_t n);
uint64_t hub_kb_hash_flow(uint64_t flow);

static inline int hub_kb_bucket_of(uint64_t h)
{
    return (int)(h >> 56);
}

/* A segment's entries being built. */
struct hub_kb {
    struct hub_kb_ent *base, *v; /* v: the entries (sorted after hub_kb_sort) */
    size_t n, cap;
    unsigned char *buf; /* packing room for one bucket */
};

/* Room for a full segment; CS_ENOMEM on failure (hub_kb_free is then still safe). */
int hub_kb_init(struct hub_kb *k);
void hub_kb_free(struct hub_kb *k);
/* Adds an event's keys: its addresses (NULL: absent; the destination is skipped when it
 * equals the source) and flow id (0: absent). */
void hub_kb_add(struct hub_kb *k, uint32_t off, int64_t ts, const char *src, size_t src_len,
                const char *dst, size_t dst_len, uint64_t flow);
/* Sorts the entries by bucket, hash, newest first. */
void hub_kb_sort(struct hub_kb *k);
/* Packs the bucket that starts at sorted entry *i into k->buf: returns its length in bytes
 * (0 when *i is past the end), sets *bucket and advances *i past it. */
size_t hub_kb_next_bucket(struct hub_kb *k, size_t *i, int *bucket);

/* In a stored bucket of n entries: the first entry whose hash is >= h (n if none), and
 * entry i unpacked. */
size_t hub_kb_find(const unsigned char *blob, size_t n, uint64_t h);
void hub_kb_get(const unsigned char *blob, size_t i, struct hub_kb_ent *e);

#endif
