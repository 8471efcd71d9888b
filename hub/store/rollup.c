/* rollup.c — one ingest batch's statistics rows (rollup.h). */
#include "rollup.h"

#include <stdlib.h>
#include <string.h>

#include "../../lib/cs.h"

#define RU_US 1000000LL

static int64_t hour_of(int64_t ts_us)
{
    return ts_us / (HUB_STATS_HOUR_RES * RU_US);
}

static int tcmp(struct hub_text a, struct hub_text b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* Equal hourly groups: same hour and key columns. */
static bool ev_same(int64_t ha, const struct hub_store_event *a, int64_t hb,
                    const struct hub_store_event *b)
{
    return ha == hb && hub_ru_sev(a) == hub_ru_sev(b) && hub_ru_sid(a) == hub_ru_sid(b) &&
           !tcmp(a->event_type, b->event_type) && !tcmp(a->app_proto, b->app_proto) &&
           !tcmp(a->ics_op, b->ics_op);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return (h ^ 0xff) * 0x100000001b3ULL; /* a separator: ("ab","") differs from ("a","b") */
}

static uint64_t ev_hash(int64_t hour, const struct hub_store_event *e)
{
    int64_t v[3] = {hour, hub_ru_sev(e), hub_ru_sid(e)};
    uint64_t h = mix(0xcbf29ce484222325ULL, v, sizeof(v));
    h = mix(h, e->event_type.p, e->event_type.len);
    h = mix(h, e->app_proto.p, e->app_proto.len);
    return mix(h, e->ics_op.p, e->ics_op.len);
}

struct slot {
    uint64_t h;
    int64_t hour;
    uint32_t first, last, n; /* n 0: empty */
};

static int by_last(const void *pa, const void *pb)
{
    const struct hub_ru_ev *a = pa, *b = pb;
    return (a->last > b->last) - (a->last < b->last);
}

static int ip_cmp(const void *pa, const void *pb)
{
    const struct hub_ru_ip *a = pa, *b = pb;
    if (a->hour != b->hour)
        return a->hour < b->hour ? -1 : 1;
    if (a->side != b->side)
        return a->side - b->side;
    return tcmp(a->ip, b->ip);
}

static int min_cmp(const void *pa, const void *pb)
{
    const struct hub_ru_min *a = pa, *b = pb;
    if (a->minute != b->minute)
        return a->minute < b->minute ? -1 : 1;
    return (a->cls > b->cls) - (a->cls < b->cls);
}

/* by signature id, then by position in the batch (a stable order for "the last one") */
static int sig_cmp(const void *pa, const void *pb)
{
    const struct hub_ru_sig *a = pa, *b = pb;
    if (a->sid != b->sid)
        return a->sid < b->sid ? -1 : 1;
    return (a->last > b->last) - (a->last < b->last);
}

/* The hourly groups (a hash table: a sort by these keys cost ~2,000 instructions per
 * event), in the order of their last event; then the signatures from them. */
static int build_ev(struct hub_rollup *r, const struct hub_store_event *ev, size_t n)
{
    size_t tsize = 16;
    while (tsize < 2 * n)
        tsize *= 2;
    struct slot *tab = cs_calloc(tsize, sizeof(*tab));
    if (!tab)
        return CS_ENOMEM;
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t hour = hour_of(ev[i].ts_us);
        uint64_t h = ev_hash(hour, &ev[i]);
        size_t k = (size_t)h & (tsize - 1);
        while (tab[k].n &&
               !(tab[k].h == h && ev_same(tab[k].hour, &ev[tab[k].first], hour, &ev[i])))
            k = (k + 1) & (tsize - 1);
        if (!tab[k].n) {
            tab[k] = (struct slot){h, hour, (uint32_t)i, (uint32_t)i, 0};
            ng++;
        }
        tab[k].last = (uint32_t)i;
        tab[k].n++;
    }
    r->ev = cs_malloc((ng ? ng : 1) * sizeof(*r->ev));
    r->sig = cs_malloc((ng ? ng : 1) * sizeof(*r->sig));
    if (!r->ev || !r->sig) {
        cs_free(tab);
        return CS_ENOMEM;
    }
    for (size_t k = 0; k < tsize; k++)
        if (tab[k].n)
            r->ev[r->nev++] = (struct hub_ru_ev){tab[k].hour, &ev[tab[k].last], tab[k].n};
    cs_free(tab);
    qsort(r->ev, r->nev, sizeof(*r->ev), by_last);
    size_t m = 0;
    for (size_t k = 0; k < r->nev; k++)
        if (hub_ru_sid(r->ev[k].last) >= 0)
            r->sig[m++] = (struct hub_ru_sig){hub_ru_sid(r->ev[k].last), r->ev[k].last};
    qsort(r->sig, m, sizeof(*r->sig), sig_cmp);
    for (size_t k = 0; k < m; k++) /* keep the last of each id */
        if (k + 1 == m || r->sig[k + 1].sid != r->sig[k].sid)
            r->sig[r->nsig++] = r->sig[k];
    return CS_OK;
}

/* The addresses of alerts, both sides. */
static int build_ip(struct hub_rollup *r, const struct hub_store_event *ev, size_t n)
{
    size_t m = 0;
    struct hub_ru_ip *v = cs_malloc((n ? 2 * n : 1) * sizeof(*v));
    if (!v)
        return CS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].signature_id < 0)
            continue;
        int64_t hour = hour_of(ev[i].ts_us);
        if (ev[i].src_ip.p)
            v[m++] = (struct hub_ru_ip){hour, 0, ev[i].src_ip, 1};
        if (ev[i].dest_ip.p)
            v[m++] = (struct hub_ru_ip){hour, 1, ev[i].dest_ip, 1};
    }
    qsort(v, m, sizeof(*v), ip_cmp);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (k && !ip_cmp(&v[k - 1], &v[i]))
            v[k - 1].n++;
        else
            v[k++] = v[i];
    }
    r->ip = v;
    r->nip = k;
    return CS_OK;
}

static int build_min(struct hub_rollup *r, const struct hub_store_event *ev, size_t n)
{
    struct hub_ru_min *v = cs_malloc((n ? n : 1) * sizeof(*v));
    if (!v)
        return CS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] =
            (struct hub_ru_min){ev[i].ts_us / (HUB_STATS_MIN_RES * RU_US), hub_ru_cls(&ev[i]), 1};
    qsort(v, n, sizeof(*v), min_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && !min_cmp(&v[k - 1], &v[i]))
            v[k - 1].n++;
        else
            v[k++] = v[i];
    }
    r->min = v;
    r->nmin = k;
    return CS_OK;
}

int hub_rollup_build(struct hub_rollup *r, const struct hub_store_event *ev, size_t n)
{
    *r = (struct hub_rollup){.packets = -1, .drops = -1};
    for (size_t i = 0; i < n; i++)
        if (ev[i].has_stats && ev[i].ts_us >= r->stats_us) {
            r->stats_us = ev[i].ts_us;
            r->packets = ev[i].stats_packets;
            r->drops = ev[i].stats_drops;
        }
    int rc = build_ev(r, ev, n);
    if (rc == CS_OK)
        rc = build_ip(r, ev, n);
    if (rc == CS_OK)
        rc = build_min(r, ev, n);
    if (rc != CS_OK)
        hub_rollup_free(r);
    return rc;
}

void hub_rollup_free(struct hub_rollup *r)
{
    cs_free(r->ev);
    cs_free(r->ip);
    cs_free(r->min);
    cs_free(r->sig);
    *r = (struct hub_rollup){.packets = -1, .drops = -1};
}
