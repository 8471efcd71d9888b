/* cands.h — the newest-first candidates of a partitioned event query.
 *
 * A query that reads several ordered ranges (the organisations of a subtree, key-block
 * segments, …) keeps each range's (ts, id) candidates here, cut to the query's limit after
 * every range; the rows are fetched by id at the end. Both stores use it. */
#ifndef HUB_STORE_CANDS_H
#define HUB_STORE_CANDS_H
#include <stddef.h>
#include <stdint.h>

struct hub_cand {
    int64_t ts, id;
};

struct hub_cands {
    struct hub_cand *v;
    size_t n, cap, limit; /* limit >= 1 */
};

/* Newest first: ts descending, then id descending (a qsort comparator). */
int hub_cand_cmp(const void *a, const void *b);
/* CS_OK or CS_ENOMEM. */
int hub_cands_push(struct hub_cands *c, int64_t ts, int64_t id);
/* Sorts newest first and keeps the best `limit` (call after each range). */
void hub_cands_trim(struct hub_cands *c);
/* After a trim: the oldest candidate kept when the list is full, else NULL (a range whose
 * rows are all older cannot contribute). */
const struct hub_cand *hub_cands_floor(const struct hub_cands *c);

#endif
