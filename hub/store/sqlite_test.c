/* sqlite_test.c — the store suite (store_suite.h) on the SQLite implementation, plus what is
 * SQLite's own: WAL mode, a file that is not a database, a schema newer than the code. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
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
    CHECK_EQ(sqlite3_exec(db,
                          "DROP TABLE ru_ev; DROP TABLE ru_ip; DROP TABLE ru_sig;"
                          " DROP TABLE sensor_state; DROP TABLE ru_min; DROP TABLE ev_key;"
                          " DROP TABLE ev_seg; DROP INDEX events_ts; DROP INDEX events_sensor_ts;"
                          " DROP INDEX events_sig_ts; CREATE INDEX events_src_ip ON events(src_ip);"
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
    struct hub_store_event e = suite_evx(90, "alert", "10.9.9.9", "10.0.0.1", 2001, "ET one", 1,
                                         NULL, 0, NULL);
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
