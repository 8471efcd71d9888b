/* cands.c — newest-first candidates of partitioned event queries (cands.h). */
#include "cands.h"

#include <stdlib.h>

#include "../../lib/cs.h"

int hub_cand_cmp(const void *pa, const void *pb)
{
    const struct hub_cand *a = pa, *b = pb;
    if (a->ts != b->ts)
        return a->ts > b->ts ? -1 : 1;
    return (a->id < b->id) - (a->id > b->id);
}

int hub_cands_push(struct hub_cands *c, int64_t ts, int64_t id)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 2 * c->limit + 16;
        struct hub_cand *v = cs_realloc(c->v, cap * sizeof(*v));
        if (!v)
            return CS_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = (struct hub_cand){ts, id};
    return CS_OK;
}

void hub_cands_trim(struct hub_cands *c)
{
    if (c->n > 1)
        qsort(c->v, c->n, sizeof(*c->v), hub_cand_cmp);
    if (c->n > c->limit)
        c->n = c->limit;
}

const struct hub_cand *hub_cands_floor(const struct hub_cands *c)
{
    return c->n && c->n >= c->limit ? &c->v[c->n - 1] : NULL;
}
