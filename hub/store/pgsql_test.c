/* pgsql_test.c — the store suite (store_suite.h) on the PostgreSQL implementation, plus what is
 * PostgreSQL's own: day partitions (and the default one), COPY of hostile bytes, concurrent
 * retries of one batch, the connection pool when it runs dry, two hubs migrating and
 * appending to the audit chain at once, a schema newer than the code.
 *
 * The server is the one named by CS_PG_DSN (a libpq keyword string or URI); when it is unset
 * the test starts scripts/pg.sh. Without a server every test FAILS: a PostgreSQL test that
 * passes without PostgreSQL proves nothing. Each store this binary opens lives in its own
 * schema t_<start>_<pid>_<n> (search_path given in the connection options), dropped by the last
 * test
 * (not at exit: libpq cannot connect once OpenSSL's exit handlers ran), so runs of several
 * engineers against one server never see each other. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
#include "store.h"

static char pg_dsn[512];
static int pg_nschema;
static long long pg_run_start; /* time(NULL) at the first schema: in the schema names */
static char suite_url[1024];
static int suite_n;

static const char *dsn(void)
{
    if (pg_dsn[0])
        return pg_dsn;
    const char *e = getenv("CS_PG_DSN");
    if (e && *e) {
        snprintf(pg_dsn, sizeof(pg_dsn), "%s", e);
    } else {
        FILE *p = popen("scripts/pg.sh start 2>/dev/null | tail -1", "r");
        if (p) {
            if (!fgets(pg_dsn, sizeof(pg_dsn), p))
                pg_dsn[0] = 0;
            pclose(p);
            pg_dsn[strcspn(pg_dsn, "\n")] = 0;
        }
    }
    if (!pg_dsn[0])
        printf("no PostgreSQL: CS_PG_DSN is unset and scripts/pg.sh could not start one\n");
    return pg_dsn;
}

static bool is_uri(const char *d)
{
    return !strncmp(d, "postgresql://", 13) || !strncmp(d, "postgres://", 11);
}

/* The store URL of schema t_<start>_<pid>_<k>. */
static void schema_url(int k, char *out, size_t cap)
{
    const char *d = dsn();
    if (is_uri(d))
        snprintf(out, cap, "%s%coptions=-csearch_path%%3Dt_%lld_%d_%d", d, strchr(d, '?') ? '&' : '?',
                 pg_run_start, (int)getpid(), k);
    else
        snprintf(out, cap, "pg:%s options='-c search_path=t_%lld_%d_%d'", d, pg_run_start, (int)getpid(), k);
}

static PGconn *admin(void)
{
    PGconn *c = PQconnectdb(dsn());
    if (PQstatus(c) != CONNECTION_OK) {
        printf("admin connection: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET client_min_messages=warning"));
    return c;
}

/* Runs SQL on a fresh admin connection; returns the first value of the result ("" if none)
 * into out (may be NULL). false on error. */
static bool admin_sql(const char *sql, char *out, size_t cap)
{
    if (out && cap)
        out[0] = 0;
    PGconn *c = admin();
    if (!c)
        return false;
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        printf("admin sql: %s", PQresultErrorMessage(r));
    if (out && cap) {
        out[0] = 0;
        if (ok && st == PGRES_TUPLES_OK && PQntuples(r) > 0)
            snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    PQfinish(c);
    return ok;
}


/* Schemas left by runs that crashed before their last test (t_<start time>_<pid>_<k>, older
 * than six hours: no run lasts that long) are dropped by the next run. */
static void drop_stale_schemas(void)
{
    char sql[600];
    snprintf(sql, sizeof(sql),
             "DO $$DECLARE n text; BEGIN FOR n IN SELECT nspname FROM pg_namespace WHERE"
             " nspname ~ '^t_[0-9]+_[0-9]+_[0-9]+$' AND split_part(nspname, '_', 2)::bigint < %lld"
             " LOOP EXECUTE format('DROP SCHEMA IF EXISTS %%I CASCADE', n); END LOOP; END$$",
             (long long)time(NULL) - 6 * 3600);
    admin_sql(sql, NULL, 0);
}

/* Creates a fresh schema; returns its number (its name is t_<start>_<pid>_<k>) or -1. */
static int new_schema(void)
{
    if (!dsn()[0])
        return -1;
    if (!pg_run_start) {
        pg_run_start = (long long)time(NULL);
        drop_stale_schemas();
    }
    int k = pg_nschema++;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS t_%lld_%d_%d CASCADE; CREATE SCHEMA t_%lld_%d_%d",
             pg_run_start, (int)getpid(), k, pg_run_start, (int)getpid(), k);
    return admin_sql(sql, NULL, 0) ? k : -1;
}

static struct hub_store *open_url(const char *url)
{
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    if (hub_store_open(url, 2, &s, &err) != CS_OK) {
        printf("open %s: %s\n", url, err.msg);
        return NULL;
    }
    return s;
}

static struct hub_store *suite_open(void)
{
    int k = new_schema();
    if (k < 0)
        return NULL;
    suite_n = k;
    schema_url(k, suite_url, sizeof(suite_url));
    return open_url(suite_url);
}

static struct hub_store *suite_reopen(struct hub_store *s)
{
    hub_store_close(s);
    return open_url(suite_url);
}

#include "store_suite.h"

/* A number from SQL over this test's schema (fmt_sql names it t_%lld_%d_%d); -1 on error. */
static int64_t schema_i64(const char *fmt_sql)
{
    char sql[512], got[64];
    snprintf(sql, sizeof(sql), fmt_sql, pg_run_start, (int)getpid(), suite_n);
    return admin_sql(sql, got, sizeof(got)) ? strtoll(got, NULL, 10) : -1;
}

/* ---- PostgreSQL's own ------------------------------------------------------------------- */

static int64_t us_of(int y, int mo, int d, int h, int mi, int sec)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    return (int64_t)timegm(&tm) * 1000000;
}

/* "partition:count,…" of the events in the current suite schema, by partition name. */
static void partition_counts(char *out, size_t cap)
{
    char sql[400];
    snprintf(sql, sizeof(sql),
             "SELECT string_agg(p || ':' || n, ',' ORDER BY p) FROM (SELECT"
             " (SELECT relname FROM pg_class WHERE oid=e.tableoid)::text AS p, count(*) AS n"
             " FROM t_%lld_%d_%d.events e GROUP BY 1) x",
             pg_run_start, (int)getpid(), suite_n);
    if (!admin_sql(sql, out, cap))
        snprintf(out, cap, "error");
}

static int64_t suite_sensor_tree(struct hub_store *s, struct suite_tree *t)
{
    suite_make_tree(s, t);
    return suite_sensor(s, t->oa.id, "sensor-a");
}

/* Migration 8: the minute rows of ru_ev (and ru_ip) of a version-7 database become ru_min
 * rows; the overview per minute and per hour reads the same as before. */
CS_TEST(pg_minute_rollups_migrate)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    int rc;
    struct hub_stats_overview *o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 0, 120, 60, &rc);
    REQUIRE(rc == CS_OK);
    REQUIRE(o->q.res_s == 60);
    struct hub_stats_overview before = *o;
    CHECK_EQ(before.events, 12);
    hub_store_close(s);
    /* back to version 7: minute rows in ru_ev and ru_ip as migration 2 kept them */
    char sql[3000];
    snprintf(sql, sizeof(sql),
             "SET search_path TO t_%lld_%d_%d;"
             "DROP TABLE ru_min; DELETE FROM schema_migrations WHERE version>=8;"
             "INSERT INTO ru_ev SELECT 60, ts_us / 60000000, org_id, sensor_id, event_type,"
             " coalesce(app_proto, ''), coalesce(ics_op, ''), CASE WHEN severity>0 THEN"
             " severity ELSE 0 END, coalesce(signature_id, -1), count(*) FROM events"
             " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;"
             "INSERT INTO ru_ip SELECT 60, ts_us / 60000000, org_id, 0, src_ip, count(*)"
             " FROM events WHERE signature_id IS NOT NULL AND src_ip IS NOT NULL"
             " GROUP BY 1, 2, 3, 4, 5",
             pg_run_start, (int)getpid(), suite_n);
    REQUIRE(admin_sql(sql, NULL, 0));
    s = open_url(suite_url);
    REQUIRE(s);
    CHECK_EQ(hub_store_schema_version(s), 10);
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 0, 120, 60, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, before.events);
    CHECK_EQ(o->alerts, before.alerts);
    REQUIRE(o->npoints == before.npoints);
    for (size_t i = 0; i < o->npoints; i++)
        for (int k = 0; k < 4; k++)
            CHECK_EQ(o->points[i].by_sev[k], before.points[i].by_sev[k]);
    char got[64];
    snprintf(sql, sizeof(sql),
             "SELECT (SELECT count(*) FROM t_%lld_%d_%d.ru_ev WHERE res=60) + (SELECT count(*)"
             " FROM t_%lld_%d_%d.ru_ip WHERE res=60) || ' ' || (SELECT sum(n) FROM"
             " t_%lld_%d_%d.ru_min)",
             pg_run_start, (int)getpid(), suite_n, pg_run_start, (int)getpid(), suite_n,
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, got, sizeof(got)));
    CHECK_STR(got, "0 12");
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 0, 120, 3600, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 12);
    CHECK_EQ(o->alerts, 5);
    hub_store_close(s);
}

CS_TEST(pg_partitions_by_day_and_out_of_range)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    int64_t sa = suite_sensor_tree(s, &t);
    struct hub_store_event ev[6] = {
        suite_ev(us_of(2026, 6, 11, 23, 59, 59) + 999999, "flow", "10.0.0.1", "10.0.0.2", -1,
                 NULL, -1),
        suite_ev(us_of(2026, 6, 12, 0, 0, 0), "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1),
        suite_ev(us_of(2026, 6, 12, 13, 0, 0), "alert", "10.0.0.1", "10.0.0.2", 7, "x", 1),
        suite_ev(us_of(2026, 6, 14, 1, 0, 0), "dns", "10.0.0.1", "10.0.0.2", -1, NULL, -1),
        suite_ev(-5, "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1),      /* before 1970 */
        suite_ev(us_of(2300, 1, 1, 0, 0, 0), "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1),
    };
    struct hub_store_batch b = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "p-1"};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 6, &res), CS_OK);
    CHECK_EQ(res.stored, 6);
    char got[512];
    partition_counts(got, sizeof(got));
    /* no DEFAULT partition (migration 6): out-of-range times have range partitions of their
     * own */
    CHECK_STR(got, "events_after:1,events_before:1,events_p20260611:1,events_p20260612:2,"
                   "events_p20260614:1");
    /* a query across the day boundary reads both partitions, newest first */
    struct suite_rows rows = {0};
    struct hub_event_filter f = {.from_us = us_of(2026, 6, 11, 12, 0, 0),
                                 .to_us = us_of(2026, 6, 12, 12, 0, 0),
                                 .limit = 10};
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, suite_rows_cb, &rows), CS_OK);
    CHECK_EQ(rows.n, 2);
    CHECK_EQ(rows.ts[0], us_of(2026, 6, 12, 0, 0, 0));
    CHECK_EQ(rows.ts[1], us_of(2026, 6, 12, 0, 0, 0) - 1);

    /* after a restart the existing days are known; a new day is still created */
    s = suite_reopen(s);
    REQUIRE(s);
    ev[0].ts_us = us_of(2026, 6, 12, 5, 0, 0);
    ev[1].ts_us = us_of(2026, 6, 15, 5, 0, 0);
    b.batch_id = "p-2";
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 2, &res), CS_OK);
    partition_counts(got, sizeof(got));
    CHECK_STR(got, "events_after:1,events_before:1,events_p20260611:1,events_p20260612:3,"
                   "events_p20260614:1,events_p20260615:1");

    /* migration 6 on a database of schema 5: the default partition's rows (times out of
     * range, and a day PostgreSQL could not give its own partition because the default one
     * held rows of it) move to events_before/events_after and to a partition of that day,
     * created by the migration; ids are kept and the default partition is gone */
    hub_store_close(s);
    char sql[2000];
    const char *ins = "INSERT INTO events(org_id, sensor_id, ts_us, event_type, raw) VALUES";
    snprintf(sql, sizeof(sql),
             "SET search_path TO t_%lld_%d_%d;"
             "ALTER TABLE events DETACH PARTITION events_before; DROP TABLE events_before;"
             "ALTER TABLE events DETACH PARTITION events_after; DROP TABLE events_after;"
             "DROP INDEX events_org_alert_ts;"
             "CREATE TABLE events_default PARTITION OF events DEFAULT;"
             "%s(%" PRId64 ", %" PRId64 ", -7, 'flow', '\\x7b7d');"
             "%s(%" PRId64 ", %" PRId64 ", %" PRId64 ", 'flow', '\\x7b7d');"
             "%s(%" PRId64 ", %" PRId64 ", %" PRId64 ", 'flow', '\\x7b7d');"
             "%s(%" PRId64 ", %" PRId64 ", %" PRId64 ", 'dns', '\\x7b7d');"
             "DROP TABLE ev_seg, ev_kb, ru_min; DELETE FROM schema_migrations WHERE version>=6",
             pg_run_start, (int)getpid(), suite_n, ins, t.oa.id, sa, ins, t.oa.id, sa,
             us_of(2300, 1, 1, 0, 0, 0), ins, t.oa.id, sa, us_of(2026, 7, 1, 10, 0, 0), ins,
             t.oa.id, sa, us_of(2026, 7, 1, 11, 0, 0));
    REQUIRE(admin_sql(sql, NULL, 0));
    partition_counts(got, sizeof(got));
    CHECK_STR(got, "events_default:4,events_p20260611:1,events_p20260612:3,events_p20260614:1,"
                   "events_p20260615:1");
    char ids[64], ids2[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) || ' ' || sum(id) FROM t_%lld_%d_%d.events",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, ids, sizeof(ids)));
    s = open_url(suite_url);
    REQUIRE(s);
    CHECK_EQ(hub_store_schema_version(s), 10); /* 6 to 10 applied */
    partition_counts(got, sizeof(got));
    CHECK_STR(got, "events_after:1,events_before:1,events_p20260611:1,events_p20260612:3,"
                   "events_p20260614:1,events_p20260615:1,events_p20260701:2");
    CHECK(admin_sql(sql, ids2, sizeof(ids2)));
    CHECK_STR(ids2, ids);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_class WHERE relname='events_default'"
             " AND relnamespace='t_%lld_%d_%d'::regnamespace",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, got, sizeof(got)));
    CHECK_STR(got, "0");
    /* the store knows the migration's partition: a batch of that day goes there */
    ev[0].ts_us = us_of(2026, 7, 1, 12, 0, 0);
    b.batch_id = "p-3";
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 1, &res), CS_OK);
    CHECK_EQ(res.stored, 1);
    partition_counts(got, sizeof(got));
    CHECK_STR(got, "events_after:1,events_before:1,events_p20260611:1,events_p20260612:3,"
                   "events_p20260614:1,events_p20260615:1,events_p20260701:3");
    int64_t n = 0;
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 11);
    /* newest first across the ordered partitions, the one from 2300 first */
    struct suite_rows all = {0};
    struct hub_event_filter fa = {.limit = 3};
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &fa, suite_rows_cb, &all), CS_OK);
    CHECK_EQ(all.n, 3);
    CHECK_EQ(all.ts[0], us_of(2300, 1, 1, 0, 0, 0));
    CHECK_EQ(all.ts[1], us_of(2026, 7, 1, 12, 0, 0));
    CHECK_EQ(all.ts[2], us_of(2026, 7, 1, 11, 0, 0));

    /* a day partition that fills is analysed by the store (at 1000 rows), not left without
     * statistics until autovacuum comes */
    static struct hub_store_event many[1200];
    for (int i = 0; i < 1200; i++)
        many[i] = suite_ev(us_of(2026, 6, 20, 1, 0, 0) + i, "flow", "10.0.0.1", "10.0.0.2", -1,
                           NULL, -1);
    b.batch_id = "p-4";
    CHECK_EQ(hub_store_batch_add(s, &b, many, 1200, &res), CS_OK);
    snprintf(sql, sizeof(sql),
             "SELECT reltuples::bigint FROM pg_class WHERE relname='events_p20260620' AND"
             " relnamespace='t_%lld_%d_%d'::regnamespace",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, got, sizeof(got)));
    CHECK_STR(got, "1200");
    hub_store_close(s);
}

struct raw_back {
    int n;
    size_t len;
    uint8_t raw[200000];
    char sig[256], src[64];
};
static int raw_back_cb(void *arg, const struct hub_event_row *r)
{
    struct raw_back *x = arg;
    x->n++;
    x->len = r->ev.raw.len;
    if (r->ev.raw.len <= sizeof(x->raw))
        memcpy(x->raw, r->ev.raw.p, r->ev.raw.len);
    snprintf(x->sig, sizeof(x->sig), "%.*s", (int)r->ev.signature.len, r->ev.signature.p);
    snprintf(x->src, sizeof(x->src), "%.*s", (int)r->ev.src_ip.len, r->ev.src_ip.p);
    return 0;
}

CS_TEST(pg_copy_keeps_hostile_raw_bytes)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    int64_t sa = suite_sensor_tree(s, &t);
    static const char hostile[] = "{\"a\":\"tab\there\",\"nl\":\"x\ny\r\n\",\"bs\":\"\\\\N\\.\","
                                  "\"nul\":\"\0\",\"bad\":\"\xff\xfe\xc3\x28\xed\xa0\x80\","
                                  "\"q\":\"'\\\"\",\"del\":\"\x7f\",\"end\":\"\\\"}";
    static uint8_t big[150000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7 + (i >> 8)); /* every byte value, many times */
    struct hub_store_event ev[3];
    ev[0] = suite_ev(1000, "alert", "10.0.0.1", "10.0.0.2", 1, "sig", 1);
    ev[0].raw = (struct hub_text){hostile, sizeof(hostile) - 1};
    ev[1] = suite_ev(2000, "alert", "10.0.0.1", "10.0.0.2", 1, "sig", 1);
    ev[1].raw = (struct hub_text){(const char *)big, sizeof(big)};
    /* the indexed text columns cannot hold NUL or invalid UTF-8: made valid, not rejected */
    ev[2] = suite_ev(3000, "alert", "10.0.0.1", "10.0.0.2", 1, NULL, 1);
    ev[2].signature = (struct hub_text){"ET \xff\tX\0Y \xe4\xb8\xad", 12};
    ev[2].src_ip = (struct hub_text){"10.\x80.0.1", 8};
    struct hub_store_batch b = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "h-1"};
    struct hub_store_batch_result res;
    REQUIRE(hub_store_batch_add(s, &b, ev, 3, &res) == CS_OK);
    CHECK_EQ(res.stored, 3);

    static struct raw_back back;
    struct hub_event_filter f = {.from_us = 1000, .to_us = 1001, .limit = 10};
    memset(&back, 0, sizeof(back));
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, raw_back_cb, &back), CS_OK);
    CHECK_EQ(back.n, 1);
    CHECK_EQ(back.len, sizeof(hostile) - 1);
    CHECK(memcmp(back.raw, hostile, sizeof(hostile) - 1) == 0);
    f = (struct hub_event_filter){.from_us = 2000, .to_us = 2001, .limit = 10};
    memset(&back, 0, sizeof(back));
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, raw_back_cb, &back), CS_OK);
    CHECK_EQ(back.len, sizeof(big));
    CHECK(memcmp(back.raw, big, sizeof(big)) == 0);
    f = (struct hub_event_filter){.from_us = 3000, .to_us = 3001, .limit = 10};
    memset(&back, 0, sizeof(back));
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, raw_back_cb, &back), CS_OK);
    CHECK_STR(back.sig, "ET \xef\xbf\xbd\tX\xef\xbf\xbdY \xe4\xb8\xad");
    CHECK_STR(back.src, "10.\xef\xbf\xbd.0.1");
    /* the cleaned text is searchable; a filter value that is not UTF-8 matches nothing */
    CHECK_EQ(suite_query_n(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.signature = "\tX"}), 1);
    CHECK_EQ(suite_query_n(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.signature = "\xff"}),
             0);
    /* invalid UTF-8 in other inputs: a clean refusal or "not found", never a crash */
    struct hub_user u = {.org_id = t.oa.id, .role = HUB_ROLE_VIEWER};
    snprintf(u.name, sizeof(u.name), "bad\xff");
    snprintf(u.pwhash, sizeof(u.pwhash), "h");
    CHECK_EQ(hub_store_user_add(s, &HUB_SCOPE_SYSTEM, &u), CS_EINVAL);
    struct hub_cred c;
    CHECK_EQ(hub_store_cred_get(s, "\xc3\x28", 0, &c), HUB_ENOTFOUND);
    hub_store_close(s);
}

struct race {
    struct hub_store *s;
    struct hub_store_batch b;
    const struct hub_store_event *ev;
    size_t n;
    pthread_barrier_t *go;
    int rc;
    struct hub_store_batch_result res;
};
static void *race_run(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(r->go);
    r->rc = hub_store_batch_add(r->s, &r->b, r->ev, r->n, &r->res);
    return NULL;
}

CS_TEST(pg_duplicate_batch_race)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    int64_t sa = suite_sensor_tree(s, &t);
    static struct hub_store_event ev[500];
    for (int i = 0; i < 500; i++)
        ev[i] = suite_ev(1781251735000000 + i, "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1);
    int rounds = 8, firsts = 0, dups = 0, errors = 0;
    for (int k = 0; k < rounds; k++) {
        char id[32];
        snprintf(id, sizeof(id), "race-%d", k);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct race r[2];
        pthread_t th[2];
        for (int i = 0; i < 2; i++) {
            r[i] = (struct race){.s = s, .ev = ev, .n = 500, .go = &go};
            r[i].b = (struct hub_store_batch){.sensor_id = sa, .org_id = t.oa.id, .batch_id = id};
            pthread_create(&th[i], NULL, race_run, &r[i]);
        }
        for (int i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
            if (r[i].rc != CS_OK)
                errors++;
            else if (r[i].res.duplicate)
                dups++;
            else
                firsts++;
            CHECK_EQ(r[i].res.stored, 500);
        }
        pthread_barrier_destroy(&go);
    }
    CHECK_EQ(errors, 0);
    CHECK_EQ(firsts, rounds);
    CHECK_EQ(dups, rounds);
    int64_t n = 0;
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 500 * rounds);
    hub_store_close(s);
}

/* Concurrent batches of alerts from several sensors touch the same rollup rows (same org,
 * addresses, signatures): every batch is stored (no deadlock) and the rollups add up. */
struct writer {
    struct hub_store *s;
    int64_t sensor, org;
    int k, ok;
};
static void *writer_run(void *arg)
{
    struct writer *w = arg;
    static const char *const ips[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    struct hub_store_event ev[60];
    for (int b = 0; b < 10; b++) {
        for (int i = 0; i < 60; i++) {
            ev[i] = suite_ev(SUITE_T0 + (int64_t)((i * 7 + b) % 120) * SUITE_MIN, "alert",
                             ips[(i + w->k) % 3], ips[(i + 1) % 3], 100 + (i + b) % 5, "sig",
                             1 + i % 3);
        }
        char id[32];
        snprintf(id, sizeof(id), "w%d-%d", w->k, b);
        struct hub_store_batch bt = {.sensor_id = w->sensor, .org_id = w->org, .batch_id = id};
        struct hub_store_batch_result res;
        if (hub_store_batch_add(w->s, &bt, ev, 60, &res) == CS_OK && res.stored == 60)
            w->ok++;
    }
    return NULL;
}

CS_TEST(pg_concurrent_batches_rollups_add_up)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct writer w[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        char name[16];
        snprintf(name, sizeof(name), "w-%d", k);
        w[k] = (struct writer){.s = s, .org = t.oa.id, .k = k};
        w[k].sensor = suite_sensor(s, t.oa.id, name);
    }
    for (int k = 0; k < 4; k++)
        pthread_create(&th[k], NULL, writer_run, &w[k]);
    int ok = 0;
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        ok += w[k].ok;
    }
    CHECK_EQ(ok, 40);
    static struct hub_stats_overview o;
    struct hub_stats_query q = {.from_us = SUITE_T0, .to_us = SUITE_T0 + 120 * SUITE_MIN};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, &o), CS_OK);
    CHECK_EQ(o.events, 2400);
    CHECK_EQ(o.alerts, 2400);
    int64_t srcsum = 0;
    for (size_t i = 0; i < o.nsrc; i++)
        srcsum += o.src[i].count;
    CHECK_EQ(o.nsrc, 3);
    CHECK_EQ(srcsum, 2400);
    CHECK_EQ(o.nsigs, 5);
    int64_t last = 0;
    CHECK_EQ(hub_store_event_last_id(s, &HUB_SCOPE_SYSTEM, &last), CS_OK);
    CHECK_EQ(last, 2400);
    hub_store_close(s);
}

/* The pool runs dry: one connection, held by an audit append whose seal waits. */
struct holder {
    struct hub_store *s;
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool holding, release;
    int rc;
    char hash[32];
};
static int holder_seal(void *arg, struct hub_audit_row *r, const char *prev)
{
    struct holder *h = arg;
    pthread_mutex_lock(&h->m);
    h->holding = true;
    pthread_cond_broadcast(&h->cv);
    while (!h->release)
        pthread_cond_wait(&h->cv, &h->m);
    pthread_mutex_unlock(&h->m);
    snprintf(h->hash, sizeof(h->hash), "held-%" PRId64, r->seq);
    r->prev_hash = prev;
    r->hash = h->hash;
    return CS_OK;
}
static void *holder_run(void *arg)
{
    struct holder *h = arg;
    struct hub_audit_row r = {.ts_us = 1, .actor = "t", .action = "hold"};
    h->rc = hub_store_audit_append(h->s, &r, holder_seal, h);
    return NULL;
}
struct counter {
    struct hub_store *s;
    int rc;
    int64_t n;
};
static void *counter_run(void *arg)
{
    struct counter *c = arg;
    c->rc = hub_store_event_count(c->s, &HUB_SCOPE_SYSTEM, &c->n);
    return NULL;
}
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

CS_TEST(pg_pool_exhaustion_waits_then_fails_busy)
{
    int k = new_schema();
    REQUIRE(k >= 0);
    char url[1024];
    schema_url(k, url, sizeof(url));
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    REQUIRE(hub_store_pgsql_open_opts(url + 3 * !is_uri(dsn()), 1, 300, &s, &err) == CS_OK);
    struct hub_store *bad = NULL;
    CHECK_EQ(hub_store_pgsql_open_opts(url, 0, 300, &bad, &err), CS_EINVAL);

    struct holder h = {.s = s};
    pthread_mutex_init(&h.m, NULL);
    pthread_cond_init(&h.cv, NULL);
    pthread_t th;
    pthread_create(&th, NULL, holder_run, &h);
    pthread_mutex_lock(&h.m);
    while (!h.holding)
        pthread_cond_wait(&h.cv, &h.m);
    pthread_mutex_unlock(&h.m);
    /* the only connection is taken: a caller waits 300 ms, then gets CS_AGAIN */
    int64_t t0 = mono_ms();
    int64_t n = -1;
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_AGAIN);
    int64_t waited = mono_ms() - t0;
    CHECK(waited >= 280 && waited < 3000);
    /* a caller that waits while the connection comes free gets it */
    struct counter cnt = {.s = s, .rc = 1};
    pthread_t tc;
    pthread_create(&tc, NULL, counter_run, &cnt);
    usleep(50 * 1000);
    pthread_mutex_lock(&h.m);
    h.release = true;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.m);
    pthread_join(th, NULL);
    pthread_join(tc, NULL);
    CHECK_EQ(h.rc, CS_OK);
    CHECK_EQ(cnt.rc, CS_OK);
    CHECK_EQ(cnt.n, 0);
    int64_t seq;
    char head[64];
    CHECK_EQ(hub_store_audit_head(s, &seq, head, sizeof(head)), CS_OK);
    CHECK_EQ(seq, 1);
    CHECK_STR(head, "held-1");
    pthread_mutex_destroy(&h.m);
    pthread_cond_destroy(&h.cv);
    hub_store_close(s);
}

/* Two hubs on one database: migrations at the same moment, audit appends interleaved. */
struct hubrun {
    const char *url;
    struct hub_store *s;
    int rc, appended;
    pthread_barrier_t *go;
};
static void *hub_open_run(void *arg)
{
    struct hubrun *h = arg;
    struct cs_err err = {0};
    pthread_barrier_wait(h->go);
    h->rc = hub_store_open(h->url, 2, &h->s, &err);
    if (h->rc)
        printf("open: %s\n", err.msg);
    return NULL;
}
static int chain_seal(void *arg, struct hub_audit_row *r, const char *prev)
{
    char *buf = arg;
    snprintf(buf, 64, "H%" PRId64, r->seq);
    r->prev_hash = prev;
    r->hash = buf;
    return CS_OK;
}
static void *hub_append_run(void *arg)
{
    struct hubrun *h = arg;
    char buf[64];
    pthread_barrier_wait(h->go);
    for (int i = 0; i < 40; i++) {
        struct hub_audit_row r = {.ts_us = i, .actor = "hub", .action = "x"};
        if (hub_store_audit_append(h->s, &r, chain_seal, buf) == CS_OK)
            h->appended++;
    }
    return NULL;
}
struct chain_check {
    int n, broken;
    char prev[64];
};
static int chain_cb(void *arg, const struct hub_audit_row *r)
{
    struct chain_check *c = arg;
    char want[64];
    snprintf(want, sizeof(want), "H%" PRId64, r->seq);
    if (r->seq != c->n + 1 || strcmp(r->prev_hash, c->prev) || strcmp(r->hash, want))
        c->broken++;
    snprintf(c->prev, sizeof(c->prev), "%s", r->hash);
    c->n++;
    return 0;
}

CS_TEST(pg_two_hubs_migrate_and_chain_at_once)
{
    int k = new_schema();
    REQUIRE(k >= 0);
    char url[1024];
    schema_url(k, url, sizeof(url));
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    struct hubrun h[2] = {{.url = url, .go = &go}, {.url = url, .go = &go}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, hub_open_run, &h[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    REQUIRE(h[0].rc == CS_OK && h[1].rc == CS_OK);
    CHECK(hub_store_schema_version(h[0].s) >= 1);
    CHECK_EQ(hub_store_schema_version(h[0].s), hub_store_schema_version(h[1].s));
    char sql[200], got[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) || ':' || max(version) FROM t_%lld_%d_%d.schema_migrations",
             pg_run_start, (int)getpid(), k);
    CHECK(admin_sql(sql, got, sizeof(got)));
    char want[64];
    snprintf(want, sizeof(want), "%d:%d", hub_store_schema_version(h[0].s),
             hub_store_schema_version(h[0].s));
    CHECK_STR(got, want);

    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, hub_append_run, &h[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(h[0].appended + h[1].appended, 80);
    struct chain_check c = {0};
    CHECK_EQ(hub_store_audit_list(h[0].s, 1, chain_cb, &c), CS_OK);
    CHECK_EQ(c.n, 80);
    CHECK_EQ(c.broken, 0);
    pthread_barrier_destroy(&go);
    hub_store_close(h[0].s);
    hub_store_close(h[1].s);
}

CS_TEST(pg_schema_newer_than_code_refused)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    hub_store_close(s);
    char sql[200];
    snprintf(sql, sizeof(sql), "INSERT INTO t_%lld_%d_%d.schema_migrations VALUES(999, 0)",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, NULL, 0));
    struct cs_err err = {0};
    s = NULL;
    CHECK_EQ(hub_store_open(suite_url, 1, &s, &err), CS_EINVAL);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "newer") != NULL);
    /* a server that is not there: an error, not a hang or a crash */
    CHECK_EQ(hub_store_open("pg:host=127.0.0.1 port=1 dbname=x connect_timeout=2", 1, &s, &err),
             CS_EIO);
    CHECK(strstr(err.msg, "PostgreSQL") != NULL);
}

CS_TEST(pg_reconnects_after_backends_killed)
{
    int k = new_schema();
    REQUIRE(k >= 0);
    char url[1100], app[64], sql[256];
    schema_url(k, url, sizeof(url));
    snprintf(app, sizeof(app), "cs_t_%lld_%d_%d", pg_run_start, (int)getpid(), k);
    size_t l = strlen(url);
    snprintf(url + l, sizeof(url) - l, "%sapplication_name=%s", is_uri(dsn()) ? "&" : " ", app);
    struct hub_store *s = open_url(url); /* a pool of 3 */
    REQUIRE(s);
    struct suite_tree t;
    int64_t sa = suite_sensor_tree(s, &t);
    snprintf(sql, sizeof(sql),
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE application_name='%s'",
             app);
    char got[16];
    CHECK(admin_sql(sql, got, sizeof(got)));
    CHECK_STR(got, "4"); /* the pool's 3 and the sealer's */
    /* every connection of the pool (and the sealer's) is dead: reads and transactions reconnect
     * transparently */
    struct hub_org o;
    for (int i = 0; i < 4; i++)
        CHECK_EQ(hub_store_org_find(s, &HUB_SCOPE_SYSTEM, "plant-a", &o), CS_OK);
    CHECK(admin_sql(sql, got, sizeof(got)));
    struct hub_store_event ev[2] = {
        suite_ev(us_of(2026, 8, 1, 0, 0, 0), "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1),
        suite_ev(us_of(2026, 8, 2, 0, 0, 0), "flow", "10.0.0.1", "10.0.0.2", -1, NULL, -1),
    };
    struct hub_store_batch b = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "r-1"};
    struct hub_store_batch_result res;
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof(id), "r-%d", i);
        b.batch_id = id;
        CHECK_EQ(hub_store_batch_add(s, &b, ev, 2, &res), CS_OK);
    }
    char parts[256];
    suite_n = k;
    partition_counts(parts, sizeof(parts));
    CHECK_STR(parts, "events_p20260801:3,events_p20260802:3"); /* not in the default one */
    int64_t seq;
    CHECK(admin_sql(sql, got, sizeof(got)));
    struct hub_audit_row r = {.ts_us = 1, .actor = "t", .action = "x"};
    char buf[64];
    CHECK_EQ(hub_store_audit_append(s, &r, suite_seal, buf), CS_OK);
    CHECK_EQ(hub_store_audit_head(s, &seq, buf, sizeof(buf)), CS_OK);
    CHECK_EQ(seq, 1);
    hub_store_close(s);
}

/* ---- key blocks (migration 7) ---------------------------------------------------------- */

/* Every page of f (the cursor from each page's last row, until a short page): the ids, comma
 * separated, appended to out (cap bytes). Returns the rows. */
struct idpage {
    int n;
    int64_t ts, id;
    char *out;
    size_t len, cap;
};
static int idpage_cb(void *arg, const struct hub_event_row *r)
{
    struct idpage *p = arg;
    p->n++;
    p->ts = r->ev.ts_us;
    p->id = r->id;
    int k = snprintf(p->out + p->len, p->cap - p->len, "%s%" PRId64, p->len ? "," : "", r->id);
    p->len = k < 0 ? p->len : CS_MIN(p->cap - 1, p->len + (size_t)k);
    return 0;
}
static int key_pages(struct hub_store *s, const struct hub_scope *sc, struct hub_event_filter f,
                     char *out, size_t cap)
{
    struct idpage p = {.out = out, .cap = cap};
    out[0] = 0;
    for (int page = 0; page < 100000; page++) {
        int before = p.n;
        if (hub_store_event_query(s, sc, &f, idpage_cb, &p) != CS_OK)
            return -1;
        if (p.n - before < f.limit)
            break;
        f.cursor_ts = p.ts;
        f.cursor_id = p.id;
    }
    return p.n;
}

/* The same ids from a plain scan of events (cond: SQL over the columns). */
static bool scan_ids(const char *cond, char *out, size_t cap)
{
    static char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(string_agg(id::text, ',' ORDER BY ts_us DESC, id DESC), '')"
             " FROM t_%lld_%d_%d.events WHERE %s",
             pg_run_start, (int)getpid(), suite_n, cond);
    return admin_sql(sql, out, cap);
}

/* Key lookups over sealed segments (ev_kb) and the open one (its id range) return exactly what
 * a plain scan of events returns, page by page with the cursor, under scope restrictions,
 * time windows and other filters, with the store open and after a reopen. */
CS_TEST(pg_key_blocks_equal_a_plain_scan)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sa"), sb = suite_sensor(s, t.ob.id, "sb");
    /* 3 batches of 20000 (ids 1-60000: segments 0-2 complete, 3 open); times interleave
     * across batches so segments overlap in time; "10.9.9.9" is the source of every 271st
     * event and both sides of every 1013th, flow 7 every 997th; one batch per org but the
     * last, of org A again */
    enum { N = 20000 };
    struct hub_store_event *ev = calloc(N, sizeof(*ev));
    REQUIRE(ev);
    for (int b = 0; b < 3; b++) {
        for (int i = 0; i < N; i++) {
            int64_t ts = SUITE_T0 + ((int64_t)i * 3 + b) * 1000 + (i % 5 == 0 ? 0 : 1);
            bool rare = (i + b) % 271 == 0, both = (i + b) % 1013 == 0;
            ev[i] = suite_ev(ts, i % 7 ? "flow" : "dns", rare || both ? "10.9.9.9" : "10.0.0.1",
                             both ? "10.9.9.9" : "192.0.2.1", -1, NULL, -1);
            ev[i].flow_id = (i + b) % 997 == 0 ? 7 : 1000 + (uint64_t)i;
        }
        char id[16];
        snprintf(id, sizeof(id), "m%d", b);
        struct hub_store_batch hb = {
            .sensor_id = b == 1 ? sb : sa, .org_id = b == 1 ? t.ob.id : t.oa.id, .batch_id = id};
        struct hub_store_batch_result res;
        REQUIRE(hub_store_batch_add(s, &hb, ev, N, &res) == CS_OK);
    }
    free(ev);
    REQUIRE(hub_store_pgsql_seal(s) >= 0);
    CHECK_EQ(schema_i64("SELECT count(*) FROM t_%lld_%d_%d.ev_seg"), 3);
    CHECK_EQ(schema_i64("SELECT max(seg) FROM t_%lld_%d_%d.ev_seg"), 2);
    /* each sealed segment counted every event of its id range */
    CHECK_EQ(schema_i64("SELECT sum(n) - (SELECT count(*) FROM t_%1$lld_%2$d_%3$d.events"
                        " WHERE id < 3 * 16384) FROM t_%1$lld_%2$d_%3$d.ev_seg"),
             0);
    char orga[32], orgb[32];
    snprintf(orga, sizeof(orga), "org_id=%" PRId64, t.oa.id);
    snprintf(orgb, sizeof(orgb), "org_id=%" PRId64, t.ob.id);
    const int64_t from = SUITE_T0 + 20000 * 1000LL, to = from + 9000 * 1000LL;
    char win[96];
    snprintf(win, sizeof(win), "ts_us>=%" PRId64 " AND ts_us<%" PRId64, from, to);
    const struct hub_scope city = {.org_id = t.city.id}, da = {.org_id = t.da.id};
    struct {
        const char *what;
        const struct hub_scope *sc;
        struct hub_event_filter f;
        const char *cond, *scope, *more;
    } c[] = {
        {"ip",
         &city,
         {.ip = "10.9.9.9", .limit = 50},
         "(src_ip='10.9.9.9' OR dest_ip='10.9.9.9')",
         NULL,
         NULL},
        {"ip, limit 7",
         &city,
         {.ip = "10.9.9.9", .limit = 7},
         "(src_ip='10.9.9.9' OR dest_ip='10.9.9.9')",
         NULL,
         NULL},
        {"src_ip", &city, {.src_ip = "10.9.9.9", .limit = 50}, "src_ip='10.9.9.9'", NULL, NULL},
        {"dest_ip", &city, {.dest_ip = "10.9.9.9", .limit = 50}, "dest_ip='10.9.9.9'", NULL, NULL},
        {"flow_id", &city, {.flow_id = 7, .limit = 5}, "flow_id=7", NULL, NULL},
        {"ip, district A",
         &da,
         {.ip = "10.9.9.9", .limit = 50},
         "(src_ip='10.9.9.9' OR dest_ip='10.9.9.9')",
         orga,
         NULL},
        {"flow, district A", &da, {.flow_id = 7, .limit = 50}, "flow_id=7", orga, NULL},
        {"ip, org B filter",
         &city,
         {.ip = "10.9.9.9", .org_id = 0, .limit = 20},
         "(src_ip='10.9.9.9' OR dest_ip='10.9.9.9')",
         orgb,
         NULL},
        {"ip, dns",
         &city,
         {.ip = "10.9.9.9", .event_type = "dns", .limit = 10},
         "(src_ip='10.9.9.9' OR dest_ip='10.9.9.9')",
         "event_type='dns'",
         NULL},
        {"busy dest, window",
         &city,
         {.dest_ip = "192.0.2.1", .from_us = from, .to_us = to, .limit = 100},
         "dest_ip='192.0.2.1'",
         win,
         NULL},
        {"busy src, window, sensor b",
         &city,
         {.src_ip = "10.0.0.1", .sensor_id = sb, .from_us = from, .to_us = to, .limit = 100},
         "src_ip='10.0.0.1'",
         win,
         orgb},
        {"absent",
         &city,
         {.ip = "10.9.9.8", .limit = 50},
         "(src_ip='10.9.9.8' OR dest_ip='10.9.9.8')",
         NULL,
         NULL},
        {"absent flow", &city, {.flow_id = 6, .limit = 50}, "flow_id=6", NULL, NULL},
    };
    c[7].f.org_id = t.ob.id;
    static char got[1 << 20], want[1 << 20];
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            REQUIRE((s = suite_reopen(s)) != NULL);
        for (size_t i = 0; i < CS_ARRAY_LEN(c); i++) {
            char cond[512];
            snprintf(cond, sizeof(cond), "%s%s%s%s%s", c[i].cond, c[i].scope ? " AND " : "",
                     c[i].scope ? c[i].scope : "", c[i].more ? " AND " : "",
                     c[i].more ? c[i].more : "");
            int n = key_pages(s, c[i].sc, c[i].f, got, sizeof(got));
            CHECK(scan_ids(cond, want, sizeof(want)));
            bool ok = n >= 0 && !strcmp(got, want);
            if (!ok)
                printf("%s (round %d): %d rows\n got  %.300s\n want %.300s\n", c[i].what, round, n,
                       got, want);
            CHECK(ok);
            CHECK(n > 0 || !strncmp(c[i].what, "absent", 6));
        }
    }
    hub_store_close(s);
}

/* The sealing barrier: two connections store batches while segments are sealed over and
 * over (the store's thread and this test); ids commit out of order, yet no sealed segment
 * misses an event and every event is found by its address and its flow afterwards. */
struct ingest {
    struct hub_store *s;
    int64_t sensor, org;
    int k, ok;
};
enum { ING_BATCHES = 40, ING_PER = 800 };
static void *ingest_run(void *arg)
{
    struct ingest *w = arg;
    static __thread struct hub_store_event ev[ING_PER];
    static __thread char src[32];
    for (int b = 0; b < ING_BATCHES; b++) {
        snprintf(src, sizeof(src), "10.%d.%d.1", w->k, b);
        for (int i = 0; i < ING_PER; i++) {
            ev[i] = suite_ev(SUITE_T0 + ((int64_t)b * ING_PER + i) * 1000 + w->k, "flow", src,
                             "192.0.2.1", -1, NULL, -1);
            ev[i].flow_id = ((uint64_t)(w->k + 1) << 32) | ((uint64_t)b << 16) | (uint64_t)i;
        }
        char id[32];
        snprintf(id, sizeof(id), "i%d-%d", w->k, b);
        struct hub_store_batch bt = {.sensor_id = w->sensor, .org_id = w->org, .batch_id = id};
        struct hub_store_batch_result res;
        w->ok +=
            hub_store_batch_add(w->s, &bt, ev, ING_PER, &res) == CS_OK && res.stored == ING_PER;
    }
    return NULL;
}

CS_TEST(pg_sealing_waits_for_inflight_ingest)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    int64_t sa = suite_sensor_tree(s, &t);
    struct ingest w[2] = {{.s = s, .sensor = sa, .org = t.oa.id, .k = 0},
                          {.s = s, .sensor = sa, .org = t.oa.id, .k = 1}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, ingest_run, &w[i]);
    int passes = 0, sealed = 0;
    while (w[0].ok + w[1].ok < 2 * ING_BATCHES && passes < 100000) {
        int k = hub_store_pgsql_seal(s);
        CHECK(k >= 0);
        sealed += k > 0 ? k : 0;
        passes++;
        if (schema_i64("SELECT count(*) FROM t_%lld_%d_%d.batches") >= 2 * ING_BATCHES)
            break;
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(w[0].ok + w[1].ok, 2 * ING_BATCHES);
    CHECK(hub_store_pgsql_seal(s) >= 0);
    /* 64000 events: segments 0-2 sealed (here or by the store's thread), while the writers ran
     * for at least one of them */
    CHECK_EQ(schema_i64("SELECT count(*) FROM t_%lld_%d_%d.ev_seg"), 3);
    printf("  %d sealing passes during ingest sealed %d segments\n", passes, sealed);
    /* no sealed segment was cut short: each counted every event of its id range */
    CHECK_EQ(schema_i64("SELECT sum(n) - (SELECT count(*) FROM t_%1$lld_%2$d_%3$d.events"
                        " WHERE id < 3 * 16384) FROM t_%1$lld_%2$d_%3$d.ev_seg"),
             0);
    static char got[1 << 16];
    int missing = 0;
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < ING_BATCHES; b++) {
            char src[32];
            snprintf(src, sizeof(src), "10.%d.%d.1", k, b);
            struct hub_event_filter f = {.src_ip = src, .limit = 1000};
            int n = key_pages(s, &HUB_SCOPE_SYSTEM, f, got, sizeof(got));
            missing += ING_PER - n;
            for (int i = 0; i < ING_PER; i += 97) {
                struct hub_event_filter ff = {.flow_id = ((uint64_t)(k + 1) << 32) |
                                                         ((uint64_t)b << 16) | (uint64_t)i,
                                              .limit = 10};
                missing += 1 - key_pages(s, &HUB_SCOPE_SYSTEM, ff, got, sizeof(got));
            }
        }
    CHECK_EQ(missing, 0);
    hub_store_close(s);
}

/* Last (tests run in the order they are defined): drops this run's schemas. */
/* True when plan (EXPLAIN text, with costs) reads events through indexes. ordered: in the
 * order of the result (an Index (Only) Scan, no Sort node, no bitmap scan), so it stops after
 * the limit. Otherwise a part of the plan may look rows up (bitmap) and sort them, as long as
 * the planner expects at most `bound` rows there (an address that is rare on one side); nothing
 * is read whole either way (no Seq Scan, except of the out-of-range partitions, empty). */
static bool plan_uses_index(const char *plan, bool ordered, long bound)
{
    bool index = false;
    for (const char *l = plan; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        const char *p = l;
        while (p < l + n && (*p == ' ' || *p == '-' || *p == '>'))
            p++;
        bool sort = (!strncmp(p, "Sort", 4) && strncmp(p, "Sort Key", 8)) ||
                    !strncmp(p, "Incremental Sort", 16);
        /* an ordered walk sorts nothing, but the branch of an org the statistics say holds
         * (next to) no rows may be sorted: its few rows */
        if (ordered && sort) {
            const char *r = strstr(p, "rows=");
            if (!r || r > l + n || strtol(r + 5, NULL, 10) > 10)
                return false;
        }
        if (ordered && !strncmp(p, "Bitmap", 6))
            return false;
        if (sort) {
            const char *r = strstr(p, "rows=");
            if (!r || r > l + n || strtol(r + 5, NULL, 10) > bound)
                return false;
        }
        /* events_before and events_after hold only events outside 1970..2199: empty here */
        if (!strncmp(p, "Seq Scan", 8) && strncmp(p, "Seq Scan on events_before", 25) &&
            strncmp(p, "Seq Scan on events_after", 24))
            return false;
        if (!strncmp(p, "Seq Scan", 8) && ordered) {
            const char *r = strstr(p, "rows=");
            if (!r || r > l + n || strtol(r + 5, NULL, 10) > 10)
                return false;
        }
        if (!strncmp(p, "Index Scan", 10) || !strncmp(p, "Index Only Scan", 15) ||
            !strncmp(p, "Bitmap Index Scan", 17))
            index = true;
        l = e ? e + 1 : l + n;
    }
    return index;
}

static void plan_check(struct hub_store *s, const struct hub_scope *sc,
                       const struct hub_event_filter *f, int64_t id, bool ordered,
                       const char *what)
{
    static char plan[65536];
    int rc = hub_store_pgsql_explain(s, sc, f, id, plan, sizeof(plan));
    CHECK_EQ(rc, CS_OK);
    bool ok = rc == CS_OK && plan_uses_index(plan, ordered, 2000);
    if (!ok || getenv("CS_PLAN_SHOW"))
        printf("%s: not an %sindex walk:\n%s", what, ordered ? "ordered " : "", plan);
    CHECK(ok);
}

struct ts_sum {
    int n;
    int64_t sum, last_ts, last_id;
    bool ordered;
    int64_t org[2]; /* rows of org[0] counted in norg[0], … */
    int norg[2];
};
static int ts_sum_cb(void *arg, const struct hub_event_row *r)
{
    struct ts_sum *x = arg;
    if (x->n == 0)
        x->ordered = true;
    else if (r->ev.ts_us > x->last_ts || (r->ev.ts_us == x->last_ts && r->id >= x->last_id))
        x->ordered = false;
    x->n++;
    x->sum += r->ev.ts_us % 1000003;
    x->last_ts = r->ev.ts_us;
    x->last_id = r->id;
    for (int i = 0; i < 2; i++)
        x->norg[i] += r->org_id == x->org[i];
    return 0;
}

/* Migration 10: an org's events are found through its sensors' (sensor_id, ts_us, id) walks
 * (no (org_id, ts_us, id) index): an org with two sensors (two branches), an org with more
 * sensors than SENSOR_SPLIT_MAX (its set stays a filter), an org without sensors (a branch
 * that finds nothing) each return what a plain scan returns; the two-sensor org is read
 * through the sensor index, and (org_id, ts_us, id) is gone. */
CS_TEST(pg_org_split_by_sensor)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct hub_org empty;
    suite_org(s, &empty, t.db.id, "plant-empty", "org");
    int64_t a1 = suite_sensor(s, t.oa.id, "a-1"), a2 = suite_sensor(s, t.oa.id, "a-2");
    int64_t bs[70];
    for (int i = 0; i < 70; i++) {
        char name[32];
        snprintf(name, sizeof(name), "b-%d", i);
        bs[i] = suite_sensor(s, t.ob.id, name);
    }
    /* interleaved batches: a-1, a-2 and three of plant-b's sensors, 300 events each */
    static struct hub_store_event ev[300];
    const int64_t sensors[5] = {a1, a2, bs[0], bs[33], bs[69]};
    const int64_t orgs[5] = {t.oa.id, t.oa.id, t.ob.id, t.ob.id, t.ob.id};
    for (int b = 0; b < 10; b++) {
        for (int i = 0; i < 300; i++)
            ev[i] = suite_ev(SUITE_T0 + ((int64_t)b * 300 + i) * 1000000, i % 5 ? "flow" : "alert",
                             "10.0.0.1", "10.0.0.2", i % 5 ? -1 : 7, i % 5 ? NULL : "x", 1);
        char id[32];
        snprintf(id, sizeof(id), "s-%d", b);
        struct hub_store_batch bt = {
            .sensor_id = sensors[b % 5], .org_id = orgs[b % 5], .batch_id = id};
        struct hub_store_batch_result res;
        CHECK_EQ(hub_store_batch_add(s, &bt, ev, 300, &res), CS_OK);
    }
    const struct {
        int64_t org;
        const char *type;
        int want; /* rows */
    } q[] = {{t.oa.id, NULL, 250}, {t.ob.id, NULL, 250}, {empty.id, NULL, 0},
             {t.oa.id, "flow", 250}, {t.ob.id, "alert", 250}, {t.db.id, NULL, 250}};
    for (size_t i = 0; i < CS_ARRAY_LEN(q); i++) {
        struct ts_sum got = {0};
        struct hub_event_filter f = {.org_id = q[i].org, .event_type = q[i].type, .limit = 250};
        CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, ts_sum_cb, &got), CS_OK);
        CHECK_EQ(got.n, q[i].want);
        CHECK(got.n == 0 || got.ordered);
        char sql[1024], want[64], have[64];
        snprintf(sql, sizeof(sql),
                 "SELECT coalesce(sum(ts_us %% 1000003), 0) FROM (SELECT ts_us FROM"
                 " t_%lld_%d_%d.events WHERE org_id IN (SELECT id FROM t_%lld_%d_%d.orgs WHERE"
                 " path LIKE (SELECT path FROM t_%lld_%d_%d.orgs WHERE id=%" PRId64 ")||'%%')"
                 " AND ('%s'='' OR event_type='%s') ORDER BY ts_us DESC, id DESC LIMIT 250) x",
                 pg_run_start, (int)getpid(), suite_n, pg_run_start, (int)getpid(), suite_n,
                 pg_run_start, (int)getpid(), suite_n, q[i].org, q[i].type ? q[i].type : "",
                 q[i].type ? q[i].type : "");
        CHECK(admin_sql(sql, want, sizeof(want)));
        snprintf(have, sizeof(have), "%" PRId64, got.sum);
        CHECK_STR(have, want);
        static char plan[65536];
        CHECK_EQ(hub_store_pgsql_explain(s, &HUB_SCOPE_SYSTEM, &f, 0, plan, sizeof(plan)), CS_OK);
        bool ok = q[i].org != t.oa.id || strstr(plan, "sensor_id_ts_us_id_idx");
        if (!ok)
            printf("org %" PRId64 " %s:\n%s", q[i].org, q[i].type ? q[i].type : "", plan);
        CHECK(ok);
    }
    char got_ix[16];
    char sqlx[256];
    snprintf(sqlx, sizeof(sqlx),
             "SELECT count(*) FROM pg_class WHERE relname='events_org_ts'"
             " AND relnamespace='t_%lld_%d_%d'::regnamespace",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sqlx, got_ix, sizeof(got_ix)));
    CHECK_STR(got_ix, "0");
    /* a leaf user's scope is one org: split by its sensors too */
    struct hub_scope leaf = {.org_id = t.oa.id};
    struct ts_sum got = {0};
    struct hub_event_filter f = {.limit = 1000};
    CHECK_EQ(hub_store_event_query(s, &leaf, &f, ts_sum_cb, &got), CS_OK);
    CHECK_EQ(got.n, 1000);
    CHECK(got.ordered);
    hub_store_close(s);
}

/* The console's main event queries over three days of two plants' events (statistics as
 * ANALYZE leaves them): each walks an index in (ts_us, id) order and stops after the limit;
 * none reads and sorts the matching rows. */
/* Whether a plan merges day partitions (a Merge Append whose first input is a scan), as
 * opposed to merging the branches of a split (each a Limit over its own ordered Append). */
static bool merges_partitions(const char *plan)
{
    for (const char *m = strstr(plan, "Merge Append"); m; m = strstr(m + 1, "Merge Append")) {
        const char *child = strstr(m, "->  ");
        if (!child || strncmp(child + 4, "Limit", 5) != 0)
            return true;
    }
    return false;
}

CS_TEST(pg_main_queries_walk_an_index)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sens[4] = {suite_sensor(s, t.oa.id, "sa-1"), suite_sensor(s, t.oa.id, "sa-2"),
                       suite_sensor(s, t.ob.id, "sb-1"), suite_sensor(s, t.ob.id, "sb-2")};
    enum { NB = 48, PER = 1250 };
    static struct hub_store_event ev[PER];
    static char src[PER][20], dst[PER][20], sig[PER][32];
    const int64_t t0 = us_of(2026, 6, 10, 0, 0, 0), span = 3 * INT64_C(86400000000);
    uint32_t x = 7;
    for (int k = 0; k < NB; k++) {
        for (int i = 0; i < PER; i++) {
            x = x * 1103515245u + 12345u;
            int64_t ts = t0 + span / (NB * PER) * (k * PER + i);
            bool alert = (x >> 8) % 25 == 0;
            snprintf(src[i], sizeof(src[i]), "10.%d.%u.%u", k % 4, (x >> 12) % 4, (x >> 16) % 250);
            /* a few busy addresses, as in a city's traffic: 40% of events go to .1 */
            snprintf(dst[i], sizeof(dst[i]), "198.51.100.%u",
                     (x >> 14) % 10 < 4 ? 1 : (x >> 20) % 60);
            snprintf(sig[i], sizeof(sig[i]), "ET TEST %u", (x >> 4) % 10);
            ev[i] = suite_ev(ts, alert ? "alert" : (x >> 9) % 3 ? "flow" : "dns", src[i],
                             dst[i], alert ? 2000000 + (int64_t)((x >> 4) % 10) : -1, alert ? sig[i] : NULL,
                             alert ? 1 + (int)((x >> 6) % 3) : -1);
        }
        char bid[32];
        snprintf(bid, sizeof(bid), "plan-%d", k);
        struct hub_store_batch b = {.sensor_id = sens[k % 4], .org_id = k % 4 < 2 ? t.oa.id : t.ob.id,
                                    .batch_id = bid};
        struct hub_store_batch_result res;
        REQUIRE(hub_store_batch_add(s, &b, ev, PER, &res) == CS_OK);
    }
    /* a third plant with a few events of the first hours, one in five an alert: its alerts
     * are rare among the alerts of every day */
    struct hub_org oc;
    suite_org(s, &oc, t.db.id, "plant-c", "org");
    int64_t sc = suite_sensor(s, oc.id, "sc-1");
    for (int i = 0; i < 50; i++)
        ev[i] = suite_ev(t0 + 1000 * i + 7, i % 5 ? "flow" : "alert", "10.9.0.1", "10.9.0.2",
                         i % 5 ? -1 : 2000001, i % 5 ? NULL : "ET TEST 1", i % 5 ? -1 : 2);
    struct hub_store_batch bc = {.sensor_id = sc, .org_id = oc.id, .batch_id = "plan-c"};
    struct hub_store_batch_result rc;
    REQUIRE(hub_store_batch_add(s, &bc, ev, 50, &rc) == CS_OK);
    char sql[200];
    snprintf(sql, sizeof(sql), "ANALYZE t_%lld_%d_%d.events", pg_run_start, (int)getpid(),
             suite_n);
    CHECK(admin_sql(sql, NULL, 0));
    /* 60,050 events: segments 0-2 sealed (their keys in ev_kb), 3 open */
    CHECK(hub_store_pgsql_seal(s) >= 0);
    CHECK_EQ(schema_i64("SELECT count(*) FROM t_%lld_%d_%d.ev_seg"), 3);

    const int64_t mid = t0 + span / 2, hour = INT64_C(3600000000);
    struct hub_scope district = {.org_id = t.da.id}, plant = {.org_id = t.oa.id};
    struct {
        const char *what;
        const struct hub_scope *sc;
        struct hub_event_filter f;
        int64_t id;
        bool addr; /* by address: a side where it is rare may be looked up and sorted */
    } q[] = {
        {"newest", &HUB_SCOPE_SYSTEM, {.limit = 100}, 0, 0},
        {"alerts", &HUB_SCOPE_SYSTEM, {.event_type = "alert", .limit = 100}, 0, 0},
        {"severity 1", &HUB_SCOPE_SYSTEM, {.severity_max = 1, .limit = 100}, 0, 0},
        {"district scope", &district, {.limit = 100}, 0, 0},
        {"org subtree filter", &HUB_SCOPE_SYSTEM, {.org_id = t.da.id, .limit = 100}, 0, 0},
        {"leaf org", &HUB_SCOPE_SYSTEM, {.org_id = t.oa.id, .limit = 100}, 0, 0},
        {"one-org scope", &plant, {.limit = 100}, 0, 0},
        {"leaf org alerts", &HUB_SCOPE_SYSTEM,
         {.org_id = t.oa.id, .event_type = "alert", .limit = 100}, 0, 0},
        {"one-org scope alerts", &plant, {.event_type = "alert", .limit = 100}, 0, 0},
        {"org subtree, 1 h", &HUB_SCOPE_SYSTEM,
         {.org_id = t.city.id, .from_us = mid, .to_us = mid + hour, .limit = 100}, 0, 0},
        {"org subtree, deep cursor", &district,
         {.org_id = t.city.id, .cursor_ts = mid, .cursor_id = NB * PER / 2, .limit = 100}, 0, 0},
        {"sensor", &HUB_SCOPE_SYSTEM, {.sensor_id = sens[2], .limit = 100}, 0, 0},
        {"signature_id", &HUB_SCOPE_SYSTEM, {.signature_id = 2000003, .limit = 100}, 0, 0},
        {"busy ip either side", &HUB_SCOPE_SYSTEM, {.ip = "198.51.100.1", .limit = 100}, 0, 1},
        {"busy ip, district", &district, {.ip = "198.51.100.1", .limit = 100}, 0, 1},
        {"rare ip either side", &HUB_SCOPE_SYSTEM, {.ip = "198.51.100.7", .limit = 100}, 0, 1},
        {"rare ip, district", &district, {.ip = "10.0.1.3", .limit = 100}, 0, 1},
        {"rare src_ip", &HUB_SCOPE_SYSTEM, {.src_ip = "10.1.2.3", .limit = 100}, 0, 1},
        {"time 1 h", &HUB_SCOPE_SYSTEM, {.from_us = mid, .to_us = mid + hour, .limit = 100}, 0, 0},
        {"time 1 h alerts", &HUB_SCOPE_SYSTEM,
         {.event_type = "alert", .from_us = mid, .to_us = mid + hour, .limit = 100}, 0, 0},
        {"deep cursor", &HUB_SCOPE_SYSTEM, {.cursor_ts = mid, .cursor_id = NB * PER / 2,
                                            .limit = 100}, 0, 0},
        {"since_id", &HUB_SCOPE_SYSTEM, {.since_id = NB * PER - 500, .limit = 100}, 0, 0},
        {"by id", &HUB_SCOPE_SYSTEM, {.limit = 1}, NB * PER / 3, 0},
        {"rare org alerts", &HUB_SCOPE_SYSTEM,
         {.org_id = oc.id, .event_type = "alert", .limit = 100}, 0, 0},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(q); i++)
        plan_check(s, q[i].sc, &q[i].f, q[i].id, !q[i].addr, q[i].what);
    /* the address queries (no index on the addresses any more, migration 7): the open segment
     * is read by its id range through each day's primary key (id, ts_us), a sealed segment's
     * candidates from ev_kb by their (id, ts_us) through the primary key or (ts_us, id) (a
     * rare address is in the sealed segments; a busy one has its 100 newest rows in the open
     * segment) */
    for (size_t i = 0; i < CS_ARRAY_LEN(q); i++) {
        if (!q[i].addr)
            continue;
        static char plan[65536];
        CHECK_EQ(hub_store_pgsql_explain(s, q[i].sc, &q[i].f, q[i].id, plan, sizeof(plan)), CS_OK);
        bool rare = strstr(q[i].what, "rare") != NULL;
        bool ok = strstr(plan, "_pkey on events_p") && strstr(plan, "Index Cond: (id >= ") &&
                  (!rare || strstr(plan, "Index Cond: (id = ANY") ||
                   strstr(plan, "Index Cond: (ts_us = ANY")) &&
                  !strstr(plan, "src_ip_ts") &&
                  !strstr(plan, "dest_ip_ts");
        if (!ok)
            printf("%s: not by id range and ids:\n%s", q[i].what, plan);
        CHECK(ok);
    }
    /* one branch: the day partitions are read one after the other, newest first (an ordered
     * Append, possible without a DEFAULT partition), not merged (a Merge Append fetches the
     * first matching row of every day: a whole day's walk where an org has no alerts) */
    const size_t one[] = {0, 1, 5, 6, 7, 8, 23};
    for (size_t i = 0; i < CS_ARRAY_LEN(one); i++) {
        static char plan[16384];
        const size_t k = one[i];
        CHECK_EQ(hub_store_pgsql_explain(s, q[k].sc, &q[k].f, q[k].id, plan, sizeof(plan)),
                 CS_OK);
        bool ok = strstr(plan, "Append") && !merges_partitions(plan);
        if (!ok)
            printf("%s: not an ordered Append:\n%s", q[k].what, plan);
        CHECK(ok);
        /* one org's alerts: an index of alerts only is walked (events_org_alert_ts or
         * events_alert_ts), not an org's every event filtered on its type; for an org whose
         * alerts are rare, only its alerts (events_org_alert_ts), not all alerts filtered on
         * the org */
        if (q[k].f.event_type) {
            ok = !strstr(plan, "Filter: (event_type") &&
                 (k != 23 || !strstr(plan, "Filter: (org_id"));
            if (!ok)
                printf("%s: events filtered on their type:\n%s", q[k].what, plan);
            CHECK(ok);
        }
    }

    /* the either-side address query returns what the plain OR returns */
    struct ts_sum a = {0};
    struct hub_event_filter f = {.ip = "198.51.100.1", .limit = 100};
    CHECK_EQ(hub_store_event_query(s, &HUB_SCOPE_SYSTEM, &f, ts_sum_cb, &a), CS_OK);
    CHECK_EQ(a.n, 100);
    CHECK(a.ordered);
    char want[64], got[64];
    snprintf(sql, sizeof(sql),
             "SELECT sum(ts_us %% 1000003) FROM (SELECT ts_us FROM t_%lld_%d_%d.events WHERE"
             " src_ip='198.51.100.1' OR dest_ip='198.51.100.1' ORDER BY ts_us DESC, id DESC"
             " LIMIT 100) x",
             pg_run_start, (int)getpid(), suite_n);
    CHECK(admin_sql(sql, want, sizeof(want)));
    snprintf(got, sizeof(got), "%" PRId64, a.sum);
    CHECK_STR(got, want);

    /* an org set queried one org at a time and merged returns what one query over the set
     * returns: the city subtree from inside batch 2 (plant-b's) back into batch 1
     * (plant-a's), both scoped by the city and by district A */
    const int64_t cur = t0 + span / (NB * PER) * (2 * PER + 500);
    struct hub_scope city = {.org_id = t.city.id};
    const struct hub_scope *scopes[] = {&HUB_SCOPE_SYSTEM, &city, &district};
    for (size_t k = 0; k < CS_ARRAY_LEN(scopes); k++) {
        struct ts_sum m = {.org = {t.oa.id, t.ob.id}};
        struct hub_event_filter fo = {.org_id = t.city.id, .cursor_ts = cur,
                                      .cursor_id = INT64_MAX, .limit = 1000};
        CHECK_EQ(hub_store_event_query(s, scopes[k], &fo, ts_sum_cb, &m), CS_OK);
        CHECK(m.ordered);
        int64_t oset = scopes[k] == &district ? t.oa.id : t.ob.id;
        char sq[512];
        snprintf(sq, sizeof(sq),
                 "SELECT count(*) || ' ' || coalesce(sum(ts_us %% 1000003), 0) FROM (SELECT ts_us"
                 " FROM t_%lld_%d_%d.events WHERE org_id IN (%" PRId64 ", %" PRId64 ") AND"
                 " (ts_us, id) < (%" PRId64 ", %" PRId64 ") ORDER BY ts_us DESC, id DESC"
                 " LIMIT 1000) x",
                 pg_run_start, (int)getpid(), suite_n, t.oa.id, oset, cur, INT64_MAX);
        CHECK(admin_sql(sq, want, sizeof(want)));
        snprintf(got, sizeof(got), "%d %" PRId64, m.n, m.sum);
        CHECK_STR(got, want);
        CHECK_EQ(m.n, 1000);
        CHECK(m.norg[0] > 0);
        CHECK_EQ(m.norg[1] > 0, scopes[k] != &district);
    }
    hub_store_close(s);
}

CS_TEST(pg_zz_drop_test_schemas)
{
    char sql[128], got[16];
    for (int k = 0; k < pg_nschema; k++) {
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS t_%lld_%d_%d CASCADE", pg_run_start, (int)getpid(), k);
        CHECK(admin_sql(sql, NULL, 0));
    }
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%lld\\_%d\\_%%'",
             pg_run_start, (int)getpid());
    CHECK(admin_sql(sql, got, sizeof(got)));
    CHECK_STR(got, "0");
}

CS_TEST_MAIN()
