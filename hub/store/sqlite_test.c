/* sqlite_test.c — the store suite (store_suite.h) on the SQLite implementation, plus what is
 * SQLite's own: WAL mode, a file that is not a database, a schema newer than the code. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
#include "sqlite.h"
#include "store.h"

static char suite_path[256];
static int suite_n;

static struct hub_store *open_path(const char *path)
{
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    if (hub_store_open(path, 2, &s, &err) != CS_OK) {
        printf("open %s: %s\n", path, err.msg);
        return NULL;
    }
    return s;
}

static void rm_db(const char *p)
{
    char b[300];
    unlink(p);
    snprintf(b, sizeof(b), "%s-wal", p);
    unlink(b);
    snprintf(b, sizeof(b), "%s-shm", p);
    unlink(b);
}

static struct hub_store *suite_open(void)
{
    snprintf(suite_path, sizeof(suite_path), "/tmp/cs_store_test_%d_%d.db", (int)getpid(),
             suite_n++);
    rm_db(suite_path);
    return open_path(suite_path);
}

static struct hub_store *suite_reopen(struct hub_store *s)
{
    hub_store_close(s);
    return open_path(suite_path);
}

#include "store_suite.h"

CS_TEST(sqlite_rejects_non_database)
{
    char p[256];
    snprintf(p, sizeof(p), "/tmp/cs_store_junk_%d.db", (int)getpid());
    FILE *f = fopen(p, "w");
    REQUIRE(f);
    fputs("this is not a database, just text that goes on for a while ........", f);
    fclose(f);
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    CHECK(hub_store_open(p, 1, &s, &err) != CS_OK);
    CHECK(s == NULL);
    CHECK(err.msg[0] != 0);
    rm_db(p);
    /* a PostgreSQL URL goes to the PostgreSQL store: nothing listens on port 1 */
    CHECK(hub_store_open("postgresql://127.0.0.1:1/x", 1, &s, &err) == CS_EIO);
    CHECK(s == NULL);
}

/* A database from before the statistics (schema 2): migrations 3 to 5 add the columns and
 * build the rollups and sensor state from the stored events and batches. */
CS_TEST(sqlite_migration_3_rolls_up_old_events)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    struct hub_stats_overview *want = cs_calloc(1, sizeof(*want)),
                              *got = cs_calloc(1, sizeof(*got));
    REQUIRE(want && got);
    struct hub_stats_query q = {.from_us = SUITE_T0, .to_us = SUITE_T0 + 120 * SUITE_MIN};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, want), CS_OK);
    int64_t last_want = 0, last_got = -1;
    CHECK_EQ(hub_store_event_last_id(s, &HUB_SCOPE_SYSTEM, &last_want), CS_OK);
    hub_store_close(s);

    sqlite3 *db;
    REQUIRE(sqlite3_open(suite_path, &db) == SQLITE_OK);
    CHECK_EQ(
        sqlite3_exec(db,
                     "DROP TABLE ru_ev; DROP TABLE ru_ip; DROP TABLE ru_sig;"
                     " DROP TABLE sensor_state; DROP TABLE ru_min; DROP TABLE ev_kb;"
                     " DROP TABLE ev_seg; DROP INDEX events_sig_ts; DROP INDEX events_alert_ts;"
                     " DROP INDEX events_osev_ts; DROP TABLE ev_sig; CREATE INDEX "
                     "events_src_ip ON events(src_ip);"
                     " CREATE INDEX events_dest_ip ON events(dest_ip);"
                     " ALTER TABLE events DROP COLUMN flow_id;"
                     " ALTER TABLE events DROP COLUMN ics_op;"
                     " DELETE FROM schema_version WHERE version>=3;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    s = open_path(suite_path);
    REQUIRE(s);
    CHECK(hub_store_schema_version(s) >= 3);
    q = (struct hub_stats_query){.from_us = SUITE_T0, .to_us = SUITE_T0 + 120 * SUITE_MIN};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, got), CS_OK);
    CHECK_EQ(got->events, want->events);
    CHECK_EQ(got->alerts, want->alerts);
    CHECK_EQ(got->npoints, want->npoints);
    for (size_t i = 0; i < got->npoints && i < want->npoints; i++)
        for (int k = 0; k < 4; k++)
            CHECK_EQ(got->points[i].by_sev[k], want->points[i].by_sev[k]);
    REQUIRE(got->nsigs == want->nsigs);
    for (size_t i = 0; i < got->nsigs; i++) {
        CHECK_EQ(got->sigs[i].signature_id, want->sigs[i].signature_id);
        CHECK_EQ(got->sigs[i].count, want->sigs[i].count);
        CHECK_STR(got->sigs[i].signature, want->sigs[i].signature);
    }
    CHECK_EQ(got->nsrc, want->nsrc);
    CHECK_EQ(got->nprotos, want->nprotos);
    CHECK_EQ(got->nics, 0); /* the class was never stored for these events */
    REQUIRE(got->nsensors == 2);
    CHECK_EQ(got->sensors[0].last_seen_us, x.recv_a3);
    CHECK_EQ(got->sensors[0].packets, -1); /* counters come with the next stats record */
    CHECK_EQ(hub_store_event_last_id(s, &HUB_SCOPE_SYSTEM, &last_got), CS_OK);
    CHECK_EQ(last_got, last_want);
    /* new batches keep adding to the rebuilt rollups */
    struct hub_store_event e =
        suite_evx(90, "alert", "10.9.9.9", "10.0.0.1", 2001, "ET one", 1, NULL, 0, NULL);
    struct hub_store_batch b = {.sensor_id = x.sb, .org_id = x.t.ob.id, .batch_id = "after"};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &b, &e, 1, &res), CS_OK);
    q = (struct hub_stats_query){.from_us = SUITE_T0, .to_us = SUITE_T0 + 120 * SUITE_MIN};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, got), CS_OK);
    CHECK_EQ(got->alerts, want->alerts + 1);
    cs_free(want);
    cs_free(got);
    hub_store_close(s);
}

/* ---- query plans: every main console query walks an index in order ---------------------- */

struct plans {
    char text[64][1024]; /* one EXPLAIN QUERY PLAN per prepared event query */
    int n;
};

static void plan_hook(void *arg, sqlite3 *db, const char *sql)
{
    struct plans *p = arg;
    if (p->n >= 64)
        return;
    char *x = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st;
    char *out = p->text[p->n++];
    out[0] = 0;
    if (sqlite3_prepare_v2(db, x, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            size_t l = strlen(out);
            snprintf(out + l, 1024 - l, "%s; ", (const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_finalize(st);
    } else {
        snprintf(out, 1024, "PREPARE FAILED: %s", sqlite3_errmsg(db));
    }
    sqlite3_free(x);
}

/* Runs one query with the hook on; every plan it prepared must read events through an index
 * (SEARCH, never a bare SCAN of events) and sort nothing (but the open segment's
 * bounded rowid range). Returns the rows. */
static int plan_check(struct hub_store *s, const char *name, const struct hub_scope *sc,
                      struct hub_event_filter f, const char *want_index)
{
    struct plans *p = calloc(1, sizeof(*p));
    hub_sqlite_query_hook = plan_hook;
    hub_sqlite_query_hook_arg = p;
    int n = suite_query_n(s, sc, f);
    hub_sqlite_query_hook = NULL;
    CHECK(p->n >= 1);
    bool seen = false;
    for (int i = 0; i < p->n; i++) {
        const char *t = p->text[i];
        /* the open segment is read by its rowid range: at most 2^14 rows, sorted */
        bool open_seg = strstr(t, "SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)");
        bool ok = (open_seg || !strstr(t, "TEMP B-TREE")) && !strstr(t, "SCAN events") &&
                  !strstr(t, "SCAN e;") && !strstr(t, "PREPARE FAILED");
        if (!ok)
            printf("  %s: plan %s\n", name, t);
        CHECK(ok);
        seen |= strstr(t, want_index) != NULL;
    }
    if (!seen)
        printf("  %s: expected %s in %s\n", name, want_index, p->text[0]);
    CHECK(seen);
    free(p);
    return n;
}

CS_TEST(sqlite_event_queries_walk_an_index_in_order)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sa"), sb = suite_sensor(s, t.ob.id, "sb");
    struct hub_store_event ev[40];
    for (int i = 0; i < 40; i++) {
        ev[i] = suite_ev(SUITE_T0 + i * 1000, i % 4 ? "flow" : "alert",
                         i % 2 ? "10.0.0.1" : "10.0.0.2", "192.0.2.1", i % 4 ? -1 : 2001 + i % 3,
                         i % 4 ? NULL : "ET TEST", i % 4 ? -1 : 1 + i % 3);
        ev[i].flow_id = 100 + (uint64_t)i;
    }
    struct hub_store_batch_result res;
    struct hub_store_batch ba = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "p1"};
    struct hub_store_batch bb = {.sensor_id = sb, .org_id = t.ob.id, .batch_id = "p1"};
    REQUIRE(hub_store_batch_add(s, &ba, ev, 20, &res) == CS_OK);
    REQUIRE(hub_store_batch_add(s, &bb, ev + 20, 20, &res) == CS_OK);
    const struct hub_scope city = {.org_id = t.city.id}, da = {.org_id = t.da.id};
    const struct hub_scope *sys = &HUB_SCOPE_SYSTEM;
    int64_t mid = SUITE_T0 + 20 * 1000;
    CHECK_EQ(
        plan_check(s, "newest", &city, (struct hub_event_filter){.limit = 100}, "events_org_ts"),
        40);
    CHECK_EQ(plan_check(s, "newest system", sys, (struct hub_event_filter){.limit = 100},
                        "events_org_ts"),
             40);
    CHECK_EQ(plan_check(s, "district scope", &da, (struct hub_event_filter){.limit = 100},
                        "events_org_ts"),
             20);
    CHECK_EQ(plan_check(s, "alerts", &city,
                        (struct hub_event_filter){.event_type = "alert", .limit = 100},
                        "events_alert_ts"),
             10);
    CHECK_EQ(plan_check(s, "severity 1", &city,
                        (struct hub_event_filter){.severity_max = 1, .limit = 100},
                        "events_osev_ts (org_id=? AND severity=?)"),
             4);
    CHECK_EQ(plan_check(s, "org subtree", &city,
                        (struct hub_event_filter){.org_id = t.db.id, .limit = 100},
                        "events_org_ts"),
             20);
    CHECK_EQ(plan_check(s, "org leaf", &city,
                        (struct hub_event_filter){.org_id = t.oa.id, .limit = 100},
                        "events_org_ts"),
             20);
    CHECK_EQ(plan_check(s, "sensor", &city,
                        (struct hub_event_filter){.sensor_id = sb, .limit = 100}, "events_org_ts"),
             20);
    CHECK_EQ(plan_check(s, "signature text", &city,
                        (struct hub_event_filter){.signature = "TEST", .limit = 100},
                        "events_sig_ts"),
             10);
    CHECK_EQ(plan_check(s, "signature id", &city,
                        (struct hub_event_filter){.signature_id = 2001, .limit = 100},
                        "events_sig_ts"),
             4);
    CHECK_EQ(plan_check(s, "ip", &city, (struct hub_event_filter){.ip = "10.0.0.1", .limit = 100},
                        "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"),
             20);
    CHECK_EQ(plan_check(s, "dest ip", &da,
                        (struct hub_event_filter){.dest_ip = "192.0.2.1", .limit = 100},
                        "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"),
             20);
    CHECK_EQ(plan_check(s, "flow", &city, (struct hub_event_filter){.flow_id = 105, .limit = 100},
                        "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"),
             1);
    CHECK_EQ(
        plan_check(s, "time range", &city,
                   (struct hub_event_filter){.from_us = mid, .to_us = mid + 5000, .limit = 100},
                   "events_org_ts"),
        5);
    CHECK_EQ(plan_check(s, "time + alerts", &city,
                        (struct hub_event_filter){.from_us = mid - 8000,
                                                  .to_us = mid + 8000,
                                                  .event_type = "alert",
                                                  .limit = 100},
                        "events_alert_ts"),
             4);
    CHECK_EQ(plan_check(s, "deep cursor", &city,
                        (struct hub_event_filter){.cursor_ts = mid, .cursor_id = 21, .limit = 100},
                        "events_org_ts"),
             20);
    CHECK_EQ(plan_check(s, "since id", &city,
                        (struct hub_event_filter){.since_id = 30, .limit = 100},
                        "INTEGER PRIMARY KEY"),
             10);
    int n = 0;
    struct plans *p = calloc(1, sizeof(*p));
    hub_sqlite_query_hook = plan_hook;
    hub_sqlite_query_hook_arg = p;
    CHECK_EQ(hub_store_event_get(s, &city, 7, suite_count_cb, &n), CS_OK);
    hub_sqlite_query_hook = NULL;
    CHECK_EQ(n, 1);
    CHECK(p->n == 1 && strstr(p->text[0], "INTEGER PRIMARY KEY") &&
          !strstr(p->text[0], "TEMP B-TREE"));
    free(p);
    hub_store_close(s);
}

/* ---- the merges: many key-block segments with overlapping times, many orgs ------------------ */

struct idlist {
    int64_t ts[600], id[600];
    int n;
};

static int idlist_cb(void *arg, const struct hub_event_row *r)
{
    struct idlist *l = arg;
    if (l->n < 600) {
        l->ts[l->n] = r->ev.ts_us;
        l->id[l->n++] = r->id;
    }
    return 0;
}

/* Pages through a query 37 rows at a time with the cursor; checks the order is (ts, id)
 * descending with no repeat, returns the rows seen. */
static int page_all(struct hub_store *s, const struct hub_scope *sc, struct hub_event_filter f,
                    struct idlist *all)
{
    all->n = 0;
    f.limit = 37;
    for (int guard = 0; guard < 100; guard++) {
        struct idlist l = {.n = 0};
        if (hub_store_event_query(s, sc, &f, idlist_cb, &l) != CS_OK)
            return -1;
        for (int i = 0; i < l.n && all->n < 600; i++) {
            if (all->n) {
                int64_t pts = all->ts[all->n - 1], pid = all->id[all->n - 1];
                CHECK(l.ts[i] < pts || (l.ts[i] == pts && l.id[i] < pid));
            }
            all->ts[all->n] = l.ts[i];
            all->id[all->n++] = l.id[i];
        }
        if (l.n < 37)
            break;
        f.cursor_ts = l.ts[l.n - 1];
        f.cursor_id = l.id[l.n - 1];
    }
    return all->n;
}

CS_TEST(sqlite_segment_and_org_merges_exact)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sa"), sb = suite_sensor(s, t.ob.id, "sb");
    /* 3 batches of 20000 (ids span 4 segments of 2^14); times interleave across batches so
     * segments overlap in time; "10.9.9.9" appears every 271st event, flow 7 every 997th */
    enum { N = 20000 };
    struct hub_store_event *ev = calloc(N, sizeof(*ev));
    REQUIRE(ev);
    int64_t want_ip = 0, want_flow = 0, want_b = 0;
    for (int b = 0; b < 3; b++) {
        for (int i = 0; i < N; i++) {
            int64_t ts = SUITE_T0 + ((int64_t)i * 3 + b) * 1000 + (i % 5 == 0 ? 0 : 1);
            bool rare = (i + b) % 271 == 0;
            ev[i] = suite_ev(ts, "flow", rare ? "10.9.9.9" : "10.0.0.1", "192.0.2.1", -1, NULL, -1);
            ev[i].flow_id = (i + b) % 997 == 0 ? 7 : 1000 + (uint64_t)i;
            want_ip += rare;
            want_flow += ev[i].flow_id == 7;
        }
        char id[16];
        snprintf(id, sizeof(id), "m%d", b);
        struct hub_store_batch hb = {
            .sensor_id = b == 1 ? sb : sa, .org_id = b == 1 ? t.ob.id : t.oa.id, .batch_id = id};
        struct hub_store_batch_result res;
        REQUIRE(hub_store_batch_add(s, &hb, ev, N, &res) == CS_OK);
        want_b += b == 1 ? N : 0;
    }
    const struct hub_scope city = {.org_id = t.city.id}, da = {.org_id = t.da.id};
    struct idlist *all = calloc(1, sizeof(*all));
    REQUIRE(all);
    /* the district sees only org A's rare addresses (batches 0 and 2) */
    int64_t want_da = 0;
    for (int b = 0; b < 3; b += 2)
        for (int i = 0; i < N; i++)
            want_da += (i + b) % 271 == 0;
    /* the three full segments are sealed in the background, while the store is open */
    int sealed = 0;
    for (int tries = 0; tries < 100 && sealed < 3; tries++) {
        sqlite3 *db;
        REQUIRE(sqlite3_open_v2(suite_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        sqlite3_stmt *st;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM ev_seg WHERE sealed=1", -1, &st,
                                   NULL) == SQLITE_OK);
        sealed = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (sealed < 3)
            usleep(50000);
    }
    CHECK_EQ(sealed, 3);
    /* key lookups with the store open and after a reopen: the same answers */
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            REQUIRE((s = suite_reopen(s)) != NULL);
        CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.ip = "10.9.9.9"}, all), want_ip);
        CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.src_ip = "10.9.9.9"}, all), want_ip);
        CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.dest_ip = "10.9.9.9"}, all), 0);
        CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.flow_id = 7}, all), want_flow);
        CHECK_EQ(page_all(s, &da, (struct hub_event_filter){.ip = "10.9.9.9"}, all), want_da);
        CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.ip = "10.9.9.8"}, all), 0);
    }
    /* newest rows over the city (two orgs merged) equal the brute-force newest */
    struct idlist top = {.n = 0};
    struct hub_event_filter f = {.limit = 50};
    REQUIRE(hub_store_event_query(s, &city, &f, idlist_cb, &top) == CS_OK);
    CHECK_EQ(top.n, 50);
    /* the newest timestamp is batch 2's last event; ties broken by id */
    CHECK_EQ(top.ts[0], SUITE_T0 + ((int64_t)(N - 1) * 3 + 2) * 1000 + 1);
    CHECK_EQ(top.ts[1], SUITE_T0 + ((int64_t)(N - 1) * 3 + 1) * 1000 + 1);
    CHECK_EQ(top.ts[2], SUITE_T0 + ((int64_t)(N - 1) * 3 + 0) * 1000 + 1);
    /* a time window in the middle, both orgs, paged */
    int64_t from = SUITE_T0 + 30000 * 1000LL, to = from + 300 * 1000;
    CHECK_EQ(page_all(s, &city, (struct hub_event_filter){.from_us = from, .to_us = to}, all), 300);
    CHECK_EQ(page_all(s, &city,
                      (struct hub_event_filter){.sensor_id = sb, .from_us = from, .to_us = to},
                      all),
             100);
    CHECK_EQ(page_all(s, &city,
                      (struct hub_event_filter){.ip = "10.9.9.9", .from_us = from, .to_us = to},
                      all),
             3);
    CHECK(want_b == N);
    free(all);
    free(ev);
    hub_store_close(s);

    /* 60,000 ids: segments 0-2 are sealed, each with exactly its events' keys (an address
     * once when both sides are equal, flows but 0); segment 3 is open, keyless */
    sqlite3 *db;
    REQUIRE(sqlite3_open_v2(suite_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *st;
    REQUIRE(sqlite3_prepare_v2(
                db,
                "SELECT g.seg, g.sealed, (SELECT coalesce(sum(length(v)), 0) / 18 FROM ev_kb"
                " WHERE seg=g.seg),"
                " (SELECT count(src_ip) + count(CASE WHEN dest_ip<>src_ip THEN 1 END)"
                " + count(nullif(flow_id, 0)) FROM events WHERE id>>14=g.seg)"
                " FROM ev_seg g ORDER BY g.seg",
                -1, &st, NULL) == SQLITE_OK);
    int nseg = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t seg = sqlite3_column_int64(st, 0), keys = sqlite3_column_int64(st, 2),
                want = sqlite3_column_int64(st, 3);
        CHECK_EQ(seg, nseg);
        CHECK_EQ(sqlite3_column_int(st, 1), seg < 3);
        CHECK_EQ(keys, seg < 3 ? want : 0);
        CHECK(want > 0);
        nseg++;
    }
    sqlite3_finalize(st);
    CHECK_EQ(nseg, 4);
    /* 256 buckets at most per segment, each with whole entries */
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT count(*), max(b), sum(length(v) % 18) FROM ev_kb"
                               " GROUP BY seg",
                               -1, &st, NULL) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        CHECK(sqlite3_column_int(st, 0) > 200 && sqlite3_column_int(st, 1) <= 255);
        CHECK_EQ(sqlite3_column_int(st, 2), 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- signature text and severity: the dictionary walk and the (org, severity) merge equal a
 * plain scan ------------------------------------------------------------------------------- */

/* The ids a plain scan returns, newest first: every event of the orgs under scope_org (0: all)
 * whose signature contains sub (NULL: any) and severity <= sev (0: any), read with the
 * plain SQL over the file, no index chosen by the store. */
static int scan_ids(const char *sub, int sev, int64_t scope_org, int64_t *out, int cap)
{
    sqlite3 *db;
    if (sqlite3_open_v2(suite_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(
            db,
            "SELECT id FROM events NOT INDEXED WHERE (?1 IS NULL OR"
            " signature LIKE '%'||?1||'%') AND (?1 IS NULL OR instr(signature, ?1)>0)"
            " AND (?2=0 OR severity<=?2) AND (?3=0 OR org_id IN (SELECT id FROM"
            " orgs WHERE path LIKE (SELECT path FROM orgs WHERE id=?3)||'%'))"
            " ORDER BY ts_us DESC, id DESC",
            -1, &st, NULL) == SQLITE_OK) {
        if (sub)
            sqlite3_bind_text(st, 1, sub, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, sev);
        sqlite3_bind_int64(st, 3, scope_org);
        n = 0;
        while (sqlite3_step(st) == SQLITE_ROW && n < cap)
            out[n++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

/* The store's answer (paged, 37 rows at a time) must be the scan's ids in the same order. */
static void check_like_scan(struct hub_store *s, const struct hub_scope *sc, int64_t scope_org,
                            struct hub_event_filter f, const char *what)
{
    struct idlist *all = calloc(1, sizeof(*all));
    int64_t *want = calloc(600, sizeof(*want));
    REQUIRE(all && want);
    int nw = scan_ids(f.signature, f.severity_max, scope_org, want, 600);
    int n = page_all(s, sc, f, all);
    CHECK(nw > 0 && nw < 600);
    CHECK_EQ(n, nw);
    bool same = n == nw;
    for (int i = 0; i < n && i < nw; i++)
        same &= all->id[i] == want[i];
    if (!same)
        printf("  %s: %d rows, scan %d\n", what, n, nw);
    CHECK(same);
    free(want);
    free(all);
}

CS_TEST(sqlite_signature_and_severity_match_a_plain_scan)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sa"), sb = suite_sensor(s, t.ob.id, "sb");
    /* 4 batches of 500, every 4th event an alert: 40 ids, EXPLOIT in the texts of ids = 0
     * mod 3; id 2007 has two texts (one with EXPLOIT); severities 1..4 and 7; times of the
     * batches interleave so ids' newest events differ per org */
    enum { N = 500 };
    static char texts[N][48];
    struct hub_store_event *ev = calloc(N, sizeof(*ev));
    REQUIRE(ev);
    for (int b = 0; b < 4; b++) {
        for (int i = 0; i < N; i++) {
            int64_t ts = SUITE_T0 + ((int64_t)i * 4 + (3 - b)) * 1000 + (i % 7 == 0);
            int k = (i * 7 + b) % 40;
            int64_t sid = i % 4 ? -1 : 2000 + k;
            if (sid == 2007)
                snprintf(texts[i], sizeof(texts[i]), "%s %d", i % 8 ? "ET POLICY" : "ET EXPLOIT",
                         k);
            else
                snprintf(texts[i], sizeof(texts[i]), "ET %s rule %d", k % 3 ? "SCAN" : "EXPLOIT",
                         k);
            int sev = i % 4 ? -1 : (i / 4) % 13 == 0 ? 1 : (i / 4) % 13 == 5 ? 7 : 2 + (i / 4) % 3;
            ev[i] = suite_ev(ts, i % 4 ? "flow" : "alert", "10.0.0.1", "192.0.2.1", sid,
                             i % 4 ? NULL : texts[i], sev);
        }
        char id[16];
        snprintf(id, sizeof(id), "sig%d", b);
        struct hub_store_batch hb = {
            .sensor_id = b % 2 ? sb : sa, .org_id = b % 2 ? t.ob.id : t.oa.id, .batch_id = id};
        struct hub_store_batch_result res;
        REQUIRE(hub_store_batch_add(s, &hb, ev, N, &res) == CS_OK);
    }
    const struct hub_scope city = {.org_id = t.city.id}, da = {.org_id = t.da.id};
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.signature = "EXPLOIT"},
                    "EXPLOIT city");
    check_like_scan(s, &da, t.da.id, (struct hub_event_filter){.signature = "EXPLOIT"},
                    "EXPLOIT district");
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.signature = "rule 1"},
                    "rule 1");
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.signature = "POLICY"},
                    "POLICY");
    CHECK_EQ(suite_query_n(s, &city, (struct hub_event_filter){.signature = "exploit"}), 0);
    CHECK_EQ(suite_query_n(s, &city, (struct hub_event_filter){.signature = "no such"}), 0);
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.severity_max = 1}, "sev 1");
    check_like_scan(s, &da, t.da.id, (struct hub_event_filter){.severity_max = 2}, "sev 2");
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.severity_max = 3}, "sev 3");
    /* a text stored without an id: no index holds it, the query falls back and stays exact */
    struct hub_store_event x =
        suite_ev(SUITE_T0 + 5000 * 1000, "alert", "10.0.0.9", "192.0.2.1", -1, "EXPLOIT no id", 1);
    struct hub_store_batch hx = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "noid"};
    struct hub_store_batch_result res;
    REQUIRE(hub_store_batch_add(s, &hx, &x, 1, &res) == CS_OK);
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.signature = "EXPLOIT"},
                    "EXPLOIT with an id-less text");
    check_like_scan(s, &city, t.city.id, (struct hub_event_filter){.severity_max = 7},
                    "sev 7 (any)");
    free(ev);
    hub_store_close(s);
}

/* ---- group commit: concurrent batches share transactions, each reports its own result ---- */

struct gc_arg {
    struct hub_store *s;
    int64_t sensor, org;
    int k, errors, dups;
};

static void *gc_thread(void *p)
{
    struct gc_arg *a = p;
    struct hub_store_event ev[50];
    char ip[32];
    snprintf(ip, sizeof(ip), "10.77.0.%d", a->k);
    for (int b = 0; b <= 20; b++) {
        for (int i = 0; i < 50; i++) {
            ev[i] = suite_ev(SUITE_T0 + (b * 50 + i) * 1000, "flow", ip, "192.0.2.1", -1, NULL, -1);
            ev[i].flow_id = (uint64_t)(a->k * 100000 + b * 50 + i + 1);
        }
        char id[32];
        snprintf(id, sizeof(id), "g%d-%d", a->k, b == 20 ? 0 : b); /* the last resends 0 */
        struct hub_store_batch hb = {.sensor_id = a->sensor, .org_id = a->org, .batch_id = id};
        struct hub_store_batch_result res;
        if (hub_store_batch_add(a->s, &hb, ev, 50, &res) != CS_OK || res.stored != 50)
            a->errors++;
        a->dups += res.duplicate;
    }
    return NULL;
}

CS_TEST(sqlite_group_commit_concurrent_batches)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct gc_arg a[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        char name[16];
        snprintf(name, sizeof(name), "gs%d", k);
        a[k] = (struct gc_arg){.s = s, .org = k % 2 ? t.ob.id : t.oa.id, .k = k};
        a[k].sensor = suite_sensor(s, a[k].org, name);
    }
    for (int k = 0; k < 4; k++)
        REQUIRE(pthread_create(&th[k], NULL, gc_thread, &a[k]) == 0);
    for (int k = 0; k < 4; k++)
        pthread_join(th[k], NULL);
    int64_t n = 0;
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 4 * 20 * 50);
    for (int k = 0; k < 4; k++) {
        CHECK_EQ(a[k].errors, 0);
        CHECK_EQ(a[k].dups, 1);
        char ip[32];
        snprintf(ip, sizeof(ip), "10.77.0.%d", k);
        CHECK_EQ(suite_query_n(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.ip = ip}), 1000);
        CHECK_EQ(suite_query_n(s, &HUB_SCOPE_SYSTEM,
                               (struct hub_event_filter){.sensor_id = a[k].sensor}),
                 1000);
    }
    /* and it is all there after a reopen */
    s = suite_reopen(s);
    REQUIRE(s);
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 4 * 20 * 50);
    hub_store_close(s);
}

/* Bytes this process has written (all threads), from /proc/self/io. */
static int64_t proc_wchar(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    long long v = -1;
    char line[128];
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "wchar: %lld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* A batch writes its pages to the WAL and nothing else: a multi-row statement that may abort
 * half-way makes SQLite keep a statement journal, a temporary file of every page it changes
 * (it had made ingest write ~10 times the WAL). */
CS_TEST(sqlite_batch_writes_only_the_wal)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sa");
    enum { N = 5000 };
    struct hub_store_event *ev = calloc(N, sizeof(*ev));
    REQUIRE(ev);
    char(*ips)[32] = calloc(N, 32);
    REQUIRE(ips);
    for (int i = 0; i < N; i++) {
        snprintf(ips[i], 32, "10.%d.%d.%d", i % 7, (i / 250) % 250, i % 250);
        ev[i] = suite_ev(SUITE_T0 + i * 1000, i % 4 ? "flow" : "alert", ips[i], "192.0.2.1",
                         i % 4 ? -1 : 2001 + i % 3, i % 4 ? NULL : "ET TEST", i % 4 ? -1 : 1);
        ev[i].flow_id = 1 + (uint64_t)i;
    }
    char w[300];
    snprintf(w, sizeof(w), "%s-wal", suite_path);
    struct stat st0, st1;
    REQUIRE(stat(w, &st0) == 0);
    int64_t before = proc_wchar();
    REQUIRE(before >= 0);
    struct hub_store_batch b = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "w1"};
    struct hub_store_batch_result res;
    REQUIRE(hub_store_batch_add(s, &b, ev, N, &res) == CS_OK);
    int64_t written = proc_wchar() - before;
    REQUIRE(stat(w, &st1) == 0);
    int64_t wal = (int64_t)st1.st_size - (int64_t)st0.st_size;
    CHECK(wal > 0);
    if (written > 2 * wal + (1 << 20))
        printf("  wrote %lld bytes, the WAL grew %lld\n", (long long)written, (long long)wal);
    CHECK(written <= 2 * wal + (1 << 20));
    free(ips);
    free(ev);
    hub_store_close(s);
}

CS_TEST(sqlite_wal_file_and_cleanup)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct hub_org o = {.parent_id = 0};
    snprintf(o.name, sizeof(o.name), "c");
    snprintf(o.kind, sizeof(o.kind), "city");
    CHECK_EQ(hub_store_org_add(s, &HUB_SCOPE_SYSTEM, &o), CS_OK);
    char w[300];
    snprintf(w, sizeof(w), "%s-wal", suite_path);
    CHECK(access(w, F_OK) == 0);
    hub_store_close(s);
    for (int i = 0; i < suite_n; i++) {
        snprintf(suite_path, sizeof(suite_path), "/tmp/cs_store_test_%d_%d.db", (int)getpid(), i);
        rm_db(suite_path);
    }
}

CS_TEST_MAIN()
