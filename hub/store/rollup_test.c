/* rollup_test.c — a batch's statistics rows against counts made one event at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cs.h"
#include "../../lib/cs_test.h"
#include "rollup.h"

#define HOUR_US (3600LL * 1000000)
#define MIN_US (60LL * 1000000)

static struct hub_text txt(const char *s)
{
    return (struct hub_text){s, s ? strlen(s) : 0};
}

static bool teq(struct hub_text a, struct hub_text b)
{
    return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

/* A pseudo-random batch over three hours: types, protocols, operations, signatures with
 * severities, a few addresses (some absent), stats events. */
static void make_batch(struct hub_store_event *ev, size_t n, unsigned seed)
{
    static const char *const types[] = {"alert", "flow", "dns", "alert"};
    static const char *const protos[] = {NULL, "http", "modbus", "dnp3"};
    static const char *const ops[] = {NULL, NULL, "write", "control"};
    static const char *const ips[] = {"10.0.0.1", "10.0.0.2", "192.0.2.7", NULL, "10.0.0.10"};
    static char sigs[8][32];
    for (int i = 0; i < 8; i++)
        snprintf(sigs[i], sizeof(sigs[i]), "SIG %d", i);
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        struct hub_store_event *e = &ev[i];
        memset(e, 0, sizeof(*e));
        e->ts_us = 1781251735000000LL + (int64_t)(rand() % (3 * 3600)) * 1000000;
        e->event_type = txt(types[rand() % 4]);
        e->app_proto = txt(protos[rand() % 4]);
        e->ics_op = txt(ops[rand() % 4]);
        e->src_ip = txt(ips[rand() % 5]);
        e->dest_ip = txt(ips[rand() % 5]);
        e->signature_id = -1;
        e->severity = -1;
        if (!strcmp(e->event_type.p, "alert")) {
            int k = rand() % 8;
            e->signature_id = 2000 + k;
            e->signature = txt(sigs[(k + rand() % 2) % 8]); /* the text may change */
            e->severity = rand() % 6 - 1;                   /* -1 (absent), 0..4 */
        }
        if (rand() % 50 == 0) {
            e->has_stats = true;
            e->stats_packets = rand();
            e->stats_drops = rand() % 100;
        }
    }
}

CS_TEST(rollup_counts_match_event_by_event)
{
    enum { N = 3000 };
    struct hub_store_event *ev = calloc(N, sizeof(*ev));
    REQUIRE(ev);
    make_batch(ev, N, 7);
    struct hub_rollup r;
    REQUIRE(hub_rollup_build(&r, ev, N) == CS_OK);

    /* every event is in exactly one hourly group, with its key */
    int64_t total = 0;
    for (size_t k = 0; k < r.nev; k++) {
        total += r.ev[k].n;
        int64_t n = 0;
        const struct hub_store_event *g = r.ev[k].last, *last = NULL;
        for (size_t i = 0; i < N; i++) {
            const struct hub_store_event *e = &ev[i];
            if (e->ts_us / HOUR_US == r.ev[k].hour && teq(e->event_type, g->event_type) &&
                teq(e->app_proto, g->app_proto) && teq(e->ics_op, g->ics_op) &&
                hub_ru_sev(e) == hub_ru_sev(g) && hub_ru_sid(e) == hub_ru_sid(g)) {
                n++;
                last = e;
            }
        }
        CHECK_EQ(n, r.ev[k].n);
        CHECK(last == g); /* the group's last event */
        if (k)
            CHECK(r.ev[k - 1].last < r.ev[k].last); /* in the order of their last event */
    }
    CHECK_EQ(total, N);

    /* signatures: one each, sorted, the batch's last alert of the id */
    size_t nsid = 0;
    for (int64_t sid = 2000; sid < 2008; sid++) {
        const struct hub_store_event *last = NULL;
        for (size_t i = 0; i < N; i++)
            if (ev[i].signature_id == sid)
                last = &ev[i];
        if (!last)
            continue;
        REQUIRE(nsid < r.nsig);
        CHECK_EQ(r.sig[nsid].sid, sid);
        CHECK(r.sig[nsid].last == last);
        nsid++;
    }
    CHECK_EQ(nsid, r.nsig);

    /* addresses of alerts, both sides, sorted by (hour, side, address) */
    int64_t nip = 0, want_ip = 0;
    for (size_t i = 0; i < N; i++)
        if (ev[i].signature_id >= 0)
            want_ip += (ev[i].src_ip.p != NULL) + (ev[i].dest_ip.p != NULL);
    for (size_t k = 0; k < r.nip; k++) {
        int64_t n = 0;
        for (size_t i = 0; i < N; i++) {
            struct hub_text a = r.ip[k].side ? ev[i].dest_ip : ev[i].src_ip;
            if (ev[i].signature_id >= 0 && a.p && ev[i].ts_us / HOUR_US == r.ip[k].hour &&
                teq(a, r.ip[k].ip))
                n++;
        }
        CHECK_EQ(n, r.ip[k].n);
        nip += r.ip[k].n;
        if (k) {
            const struct hub_ru_ip *a = &r.ip[k - 1], *b = &r.ip[k];
            size_t l = a->ip.len < b->ip.len ? a->ip.len : b->ip.len;
            int c = memcmp(a->ip.p, b->ip.p, l);
            bool less = a->hour != b->hour   ? a->hour < b->hour
                        : a->side != b->side ? a->side < b->side
                                             : (c ? c < 0 : a->ip.len < b->ip.len);
            CHECK(less);
        }
    }
    CHECK_EQ(nip, want_ip);

    /* minutes by class */
    int64_t nmin = 0;
    for (size_t k = 0; k < r.nmin; k++) {
        int64_t n = 0;
        for (size_t i = 0; i < N; i++)
            if (ev[i].ts_us / MIN_US == r.min[k].minute && hub_ru_cls(&ev[i]) == r.min[k].cls)
                n++;
        CHECK_EQ(n, r.min[k].n);
        nmin += n;
        if (k)
            CHECK(r.min[k - 1].minute < r.min[k].minute ||
                  (r.min[k - 1].minute == r.min[k].minute && r.min[k - 1].cls < r.min[k].cls));
    }
    CHECK_EQ(nmin, N);

    /* the newest stats event's counters */
    int64_t sts = 0, pk = -1, dr = -1;
    for (size_t i = 0; i < N; i++)
        if (ev[i].has_stats && ev[i].ts_us >= sts) {
            sts = ev[i].ts_us;
            pk = ev[i].stats_packets;
            dr = ev[i].stats_drops;
        }
    CHECK(sts > 0);
    CHECK_EQ(r.stats_us, sts);
    CHECK_EQ(r.packets, pk);
    CHECK_EQ(r.drops, dr);
    hub_rollup_free(&r);
    free(ev);
}

CS_TEST(rollup_of_nothing)
{
    struct hub_rollup r;
    REQUIRE(hub_rollup_build(&r, NULL, 0) == CS_OK);
    CHECK_EQ(r.nev, 0);
    CHECK_EQ(r.nip, 0);
    CHECK_EQ(r.nmin, 0);
    CHECK_EQ(r.nsig, 0);
    CHECK_EQ(r.stats_us, 0);
    CHECK_EQ(r.packets, -1);
    hub_rollup_free(&r);
}

CS_TEST_MAIN()
