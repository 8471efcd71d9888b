/* sqlite.c — the SQLite store: one database file in WAL mode.
 *
 * One write connection behind a mutex (SQLite has one writer at a time anyway) and a small
 * pool of read connections, each behind its own mutex, so queries run in parallel with
 * ingest. synchronous=FULL: a commit has reached the disk when sqlite3_step(COMMIT)
 * returns, which is what lets the ingest route acknowledge a batch only after it is durable.
 * Schema migrations are an ordered list of SQL scripts; schema_version holds how many were
 * applied, and pending ones run in one transaction each at open. */
#include "store.h"

#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/cs_time.h"
#include "cands.h"
#include "keyblock.h"
#include "rollup.h"
#include "sqlite.h"

struct sq_reader {
    sqlite3 *db;
    pthread_mutex_t lock;
};

struct sq_store {
    struct hub_store base;
    sqlite3 *wdb;
    pthread_mutex_t wlock;
    sqlite3_stmt *ins_event;
    sqlite3_stmt *ins_events; /* EV_ROWS events in one statement */
    sqlite3_stmt *ins_batch;
    sqlite3_stmt *get_batch; /* nevents of a stored batch */
    sqlite3_stmt *open_segs; /* the open segments (no ev_kb rows yet), oldest first */
    sqlite3_stmt *seg_rows;  /* a segment's events' keys */
    sqlite3_stmt *ins_kb;    /* an ev_kb row */
    sqlite3_stmt *seal_mark; /* … and the segment marked sealed */
    sqlite3_stmt *ins_seg;   /* ev_seg time range upsert */
    sqlite3_stmt *ins_sig;   /* ev_sig dictionary upsert */
    struct sq_rollup *ru;    /* rollup statements and scratch (the statistics section) */
    /* group commit (sq_batch_add): queued batches, whether a leader is writing */
    pthread_mutex_t gclock;
    pthread_cond_t gcdone;
    struct gc_req *gchead, **gctail;
    bool gcleader;
    int nreaders;
    struct sq_reader *readers;
    atomic_uint next_reader;
    int version;

    /* The checkpointer: a thread with its own connection copies the WAL back into the
     * database while the writer goes on, so a commit never waits for a checkpoint's writes
     * and fsync (the writer's own auto-checkpoint stays as a backstop at a larger WAL). */
    sqlite3 *cdb;
    pthread_t cthread;
    bool cthread_on;
    pthread_mutex_t clock;
    pthread_cond_t cwake;
    bool cstop;
    int64_t cpending; /* WAL frames committed since the last checkpoint (approximate) */
    bool seal_due;    /* a segment filled up (seal_background) */
    sqlite3_stmt *c_open_segs, *c_seg_rows; /* on cdb */
    int64_t wmax_id, wseg; /* under wlock: the newest event id written, its segment */
};

#define CKPT_FRAMES 4096       /* the checkpointer runs after this many new WAL frames */
#define CKPT_BACKSTOP "131072" /* the writer checkpoints itself beyond this (512 MiB) */

/* sqlite3_wal_hook: called by the writer after each commit with the WAL's size. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int nframes)
{
    struct sq_store *s = arg;
    (void)db;
    (void)name;
    pthread_mutex_lock(&s->clock);
    s->cpending = nframes;
    if (nframes >= CKPT_FRAMES)
        pthread_cond_signal(&s->cwake);
    pthread_mutex_unlock(&s->clock);
    /* the backstop: what wal_autocheckpoint would do, at a larger size */
    if (nframes >= atoi(CKPT_BACKSTOP))
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

static void seal_background(struct sq_store *s);
static int seal_all(struct sq_store *s);

static void *checkpointer(void *arg)
{
    struct sq_store *s = arg;
    pthread_mutex_lock(&s->clock);
    while (!s->cstop) {
        if (s->cpending < CKPT_FRAMES && !s->seal_due) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&s->cwake, &s->clock, &ts);
            if (s->cstop)
                break;
        }
        bool ckpt = s->cpending > 0;
        s->cpending = 0;
        s->seal_due = false;
        pthread_mutex_unlock(&s->clock);
        seal_background(s); /* one small query when nothing filled up */
        /* PASSIVE: never blocks the writer or the readers; copies what it can */
        if (ckpt)
            sqlite3_wal_checkpoint_v2(s->cdb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&s->clock);
    }
    pthread_mutex_unlock(&s->clock);
    return NULL;
}

/* ---- migrations ---------------------------------------------------------------------- */
static const char *const migrations[] = {
    /* 1: tenancy, identity, ingest, events, audit */
    "CREATE TABLE orgs(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES orgs(id),"
    " name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL CHECK(kind IN ('city','district','org')),"
    " tags TEXT NOT NULL DEFAULT '', path TEXT NOT NULL, created_us INTEGER NOT NULL);"
    "CREATE INDEX orgs_path ON orgs(path);"
    "CREATE TABLE users(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " name TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK(role IN ('admin','analyst','viewer')),"
    " pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_us INTEGER NOT NULL);"
    "CREATE TABLE sensors(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " name TEXT NOT NULL UNIQUE, pubkey TEXT NOT NULL DEFAULT '', created_us INTEGER NOT NULL);"
    "CREATE TABLE credentials(hash TEXT PRIMARY KEY, kind INTEGER NOT NULL,"
    " user_id INTEGER REFERENCES users(id), sensor_id INTEGER REFERENCES sensors(id),"
    " label TEXT NOT NULL DEFAULT '', created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL);"
    "CREATE TABLE batches(sensor_id INTEGER NOT NULL, batch_id TEXT NOT NULL,"
    " org_id INTEGER NOT NULL, received_us INTEGER NOT NULL, nevents INTEGER NOT NULL,"
    " signature TEXT, PRIMARY KEY(sensor_id, batch_id)) WITHOUT ROWID;"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL,"
    " sensor_id INTEGER NOT NULL, ts_us INTEGER NOT NULL, event_type TEXT NOT NULL,"
    " src_ip TEXT, dest_ip TEXT, src_port INTEGER, dest_port INTEGER, proto TEXT,"
    " app_proto TEXT, signature_id INTEGER, signature TEXT, severity INTEGER, raw TEXT NOT NULL);"
    "CREATE INDEX events_org_ts ON events(org_id, ts_us);"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, ts_us INTEGER NOT NULL, actor TEXT,"
    " actor_type TEXT, action TEXT, target TEXT, source TEXT, before TEXT, after TEXT,"
    " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TABLE audit_ckpt(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL,"
    " ts_us INTEGER NOT NULL, sig BLOB NOT NULL);",
    /* 2: address lookups (the "by address" query scanned every event) */
    "CREATE INDEX events_src_ip ON events(src_ip);"
    "CREATE INDEX events_dest_ip ON events(dest_ip);",
    /* 3: the console's statistics: flow pivot, industrial operations, rollups kept at ingest
     * (res 60 and 3600 s; bucket = ts_us / (res * 1e6)), sensor status. Existing events are
     * rolled up here once. */
    "ALTER TABLE events ADD COLUMN flow_id INTEGER;"
    "ALTER TABLE events ADD COLUMN ics_op TEXT;"
    "CREATE INDEX events_flow ON events(flow_id) WHERE flow_id IS NOT NULL;"
    "CREATE TABLE ru_ev(res INTEGER NOT NULL, bucket INTEGER NOT NULL, org_id INTEGER NOT NULL,"
    " sensor_id INTEGER NOT NULL, event_type TEXT NOT NULL, app_proto TEXT NOT NULL,"
    " ics_op TEXT NOT NULL, severity INTEGER NOT NULL, signature_id INTEGER NOT NULL,"
    " n INTEGER NOT NULL, PRIMARY KEY(res, bucket, org_id, sensor_id, event_type, app_proto,"
    " ics_op, severity, signature_id)) WITHOUT ROWID;"
    "CREATE TABLE ru_ip(res INTEGER NOT NULL, bucket INTEGER NOT NULL, org_id INTEGER NOT NULL,"
    " side INTEGER NOT NULL, ip TEXT NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY(res, bucket, org_id, side, ip)) WITHOUT ROWID;"
    "CREATE TABLE ru_sig(signature_id INTEGER PRIMARY KEY, signature TEXT NOT NULL,"
    " severity INTEGER NOT NULL);"
    "CREATE TABLE sensor_state(sensor_id INTEGER PRIMARY KEY, last_seen_us INTEGER NOT NULL,"
    " stats_us INTEGER NOT NULL DEFAULT 0, packets INTEGER NOT NULL DEFAULT -1,"
    " drops INTEGER NOT NULL DEFAULT -1, last_event_id INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO ru_ev SELECT r.res, ts_us / (r.res * 1000000), org_id, sensor_id, event_type,"
    " coalesce(app_proto, ''), '', coalesce(severity, 0), coalesce(signature_id, -1), count(*)"
    " FROM events, (SELECT 60 AS res UNION ALL SELECT 3600) r GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;"
    "INSERT INTO ru_ip SELECT r.res, ts_us / (r.res * 1000000), org_id, s.side,"
    " CASE s.side WHEN 0 THEN src_ip ELSE dest_ip END ip, count(*)"
    " FROM events, (SELECT 60 AS res UNION ALL SELECT 3600) r, (SELECT 0 AS side UNION ALL"
    " SELECT 1) s WHERE signature_id IS NOT NULL AND ip IS NOT NULL GROUP BY 1, 2, 3, 4, 5;"
    "INSERT INTO ru_sig SELECT signature_id, coalesce(max(signature), ''),"
    " coalesce(max(severity), -1) FROM events WHERE signature_id IS NOT NULL"
    " GROUP BY signature_id;"
    "INSERT INTO sensor_state(sensor_id, last_seen_us) SELECT sensor_id, max(received_us)"
    " FROM batches GROUP BY sensor_id;"
    "UPDATE sensor_state SET last_event_id=coalesce((SELECT m FROM (SELECT sensor_id s,"
    " max(id) m FROM events GROUP BY sensor_id) WHERE s=sensor_state.sensor_id), 0);",
    /* 4: credentials get a stable id (listing and revoking tokens without their hash);
     * AUTOINCREMENT so a revoked id never names a newer credential */
    "CREATE TABLE credentials_new(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " hash TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, user_id INTEGER REFERENCES users(id),"
    " sensor_id INTEGER REFERENCES sensors(id), label TEXT NOT NULL DEFAULT '',"
    " created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL);"
    "INSERT INTO credentials_new(id, hash, kind, user_id, sensor_id, label, created_us,"
    " expires_us) SELECT rowid, hash, kind, user_id, sensor_id, label, created_us, expires_us"
    " FROM credentials ORDER BY rowid;"
    "DROP TABLE credentials;"
    "ALTER TABLE credentials_new RENAME TO credentials;"
    "CREATE INDEX credentials_user ON credentials(user_id);",
    /* 5: the minute rollups of migration 3 were as big as the events themselves (a key per
     * signature and address per minute): read over a day they cost seconds. Per minute only
     * the counts by severity class are kept now (ru_min: severity 0 = not an alert, 1..4,
     * 9 = an alert without severity); the breakdowns stay hourly (res 3600). */
    "CREATE TABLE ru_min(bucket INTEGER NOT NULL, org_id INTEGER NOT NULL,"
    " severity INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(bucket, org_id, severity))"
    " WITHOUT ROWID;"
    "INSERT INTO ru_min SELECT bucket, org_id, CASE WHEN signature_id<0 THEN 0"
    " WHEN severity BETWEEN 1 AND 4 THEN severity ELSE 9 END, sum(n) FROM ru_ev WHERE res=60"
    " GROUP BY 1, 2, 3;"
    "DELETE FROM ru_ev WHERE res=60;"
    "DELETE FROM ru_ip WHERE res=60;",
    /* 6: every main event query walks an index in (ts_us, id) order, and fewer indexes take
     * inserts all over their key range. The address and flow indexes (keyed by a random
     * value, so each batch dirtied most of their pages: the bulk of the ingest cost) become
     * ev_key: (segment, key, ts, id) where a segment is 2^14 consecutive event ids, so a
     * batch only touches the newest segment; a lookup seeks each segment (ev_seg keeps their
     * time ranges, so a query stops once older segments cannot hold newer rows). k is an
     * address (text) or a flow_id (integer). Newest-first queries without a key walk
     * events_org_ts org by org (sensor: the orgs of its batches) and merge; a signature id
     * walks events_sig_ts (alerts only). Alerts (event_type 'alert') and severity filters walk
     * events_alert_ts / events_sev_ts, partial (org_id, ts) indexes over the few alerts. */
    "DROP INDEX IF EXISTS events_src_ip;"
    "DROP INDEX IF EXISTS events_dest_ip;"
    "DROP INDEX IF EXISTS events_flow;"
    "CREATE INDEX events_sig_ts ON events(signature_id, ts_us) WHERE signature_id IS NOT NULL;"
    "CREATE INDEX events_alert_ts ON events(org_id, ts_us) WHERE event_type='alert';"
    "CREATE INDEX events_sev_ts ON events(org_id, ts_us) WHERE severity IS NOT NULL;"
    "CREATE TABLE ev_key(seg INTEGER NOT NULL, k NOT NULL, kts INTEGER NOT NULL,"
    " kid INTEGER NOT NULL, PRIMARY KEY(seg, k, kts, kid)) WITHOUT ROWID;"
    "CREATE TABLE ev_seg(seg INTEGER PRIMARY KEY, min_ts INTEGER NOT NULL,"
    " max_ts INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO ev_key SELECT id >> 14, src_ip, ts_us, id FROM events"
    " WHERE src_ip IS NOT NULL;"
    "INSERT OR IGNORE INTO ev_key SELECT id >> 14, dest_ip, ts_us, id FROM events"
    " WHERE dest_ip IS NOT NULL;"
    "INSERT OR IGNORE INTO ev_key SELECT id >> 14, flow_id, ts_us, id FROM events"
    " WHERE flow_id IS NOT NULL AND flow_id<>0;"
    "INSERT INTO ev_seg SELECT id >> 14, min(ts_us), max(ts_us) FROM events GROUP BY 1;",
    /* 7: the signature text filter (a substring) had no index and walked every event of
     * the caller's orgs. ev_sig is the dictionary of stored (signature_id, signature) pairs
     * (-1: an event with a text but no id) with the newest ts_us of each: a substring is
     * matched against the few thousand texts first, then each matching id is walked through
     * events_sig_ts newest first. Severity: events_sev_ts (org_id, ts_us) made a severity-1
     * query read every alert of an org (a table row each) to find the rare ones; keyed
     * (org_id, severity, ts_us) each (org, severity) range is already in time order. */
    "CREATE TABLE ev_sig(signature_id INTEGER NOT NULL, signature TEXT NOT NULL,"
    " max_ts INTEGER NOT NULL, PRIMARY KEY(signature_id, signature)) WITHOUT ROWID;"
    "INSERT INTO ev_sig SELECT coalesce(signature_id, -1), signature, max(ts_us) FROM events"
    " WHERE signature IS NOT NULL GROUP BY 1, 2;"
    "DROP INDEX IF EXISTS events_sev_ts;"
    "CREATE INDEX events_osev_ts ON events(org_id, severity, ts_us) WHERE severity IS NOT NULL;",
    /* 8: ev_key rows were inserted batch by batch at random places of the newest segment's
     * key range: three B-tree rows per event, half of the store's ingest cost. A segment's
     * keys are now written once, when the segment is full ("sealed"), into ev_kb: per
     * segment 256 rows (bucket b = the top byte of a 64-bit hash of the key), each a packed
     * array of (key hash, ts_us, id offset) entries sorted by hash, then newest first (see
     * hub/store/keyblock.h). A lookup reads one row per segment and checks each candidate against
     * its event row. The open (newest) segment, at most 2^14 events, is read by scanning
     * its rowid range. Existing segments are sealed at the next start (seal_all). */
    "CREATE TABLE ev_kb(seg INTEGER NOT NULL, b INTEGER NOT NULL, v BLOB NOT NULL,"
    " PRIMARY KEY(seg, b)) WITHOUT ROWID;"
    "DROP TABLE ev_key;"
    "ALTER TABLE ev_seg ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX ev_seg_open ON ev_seg(seg) WHERE sealed=0;",
};

/* Events per segment: 2^SEG_SHIFT consecutive ids (must match migration 6). */
#define SEG_SHIFT HUB_KB_SEG_SHIFT

static int sq_err(sqlite3 *db, int rc)
{
    if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
        return HUB_ECONFLICT;
    if (rc == SQLITE_NOMEM)
        return CS_ENOMEM;
    fprintf(stderr, "store: sqlite: %s\n", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return CS_EIO;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "store: sqlite: %s\n", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return sq_err(NULL, rc);
    }
    return CS_OK;
}

static int migrate(struct sq_store *s, struct cs_err *err)
{
    sqlite3 *db = s->wdb;
    int rc = exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);");
    if (rc)
        goto fail;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st, NULL)) {
        rc = CS_EIO;
        goto fail;
    }
    int v = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v > (int)CS_ARRAY_LEN(migrations)) {
        cs_err_set(err, CS_EINVAL, 0, 0, "database schema version %d is newer than this hub (%d)",
                   v, (int)CS_ARRAY_LEN(migrations));
        return CS_EINVAL;
    }
    for (; v < (int)CS_ARRAY_LEN(migrations); v++) {
        char ver[96];
        snprintf(ver, sizeof(ver), "INSERT INTO schema_version VALUES(%d);", v + 1);
        if ((rc = exec(db, "BEGIN IMMEDIATE")) != CS_OK)
            goto fail;
        if ((rc = exec(db, migrations[v])) != CS_OK || (rc = exec(db, ver)) != CS_OK) {
            exec(db, "ROLLBACK");
            goto fail;
        }
        if ((rc = exec(db, "COMMIT")) != CS_OK)
            goto fail;
    }
    s->version = v;
    return CS_OK;
fail:
    cs_err_set(err, CS_EIO, 0, 0, "schema migration failed: %s", sqlite3_errmsg(db));
    return CS_EIO;
}

/* ---- small helpers --------------------------------------------------------------------- */

/* A SQL text under construction with its parameters. */
struct q {
    char sql[8192];
    size_t len;
    int n;
    struct {
        int kind; /* 0 int, 1 text */
        int64_t i;
        const char *s;
        int slen;
    } p[64];
    bool overflow;
};

static void q_sql(struct q *q, const char *s)
{
    size_t l = strlen(s);
    if (q->len + l + 1 > sizeof(q->sql)) {
        q->overflow = true;
        return;
    }
    memcpy(q->sql + q->len, s, l + 1);
    q->len += l;
}

static void q_int(struct q *q, int64_t v)
{
    if (q->n >= (int)CS_ARRAY_LEN(q->p)) {
        q->overflow = true;
        return;
    }
    q->p[q->n].kind = 0;
    q->p[q->n++].i = v;
}

static void q_text(struct q *q, const char *s)
{
    if (q->n >= (int)CS_ARRAY_LEN(q->p)) {
        q->overflow = true;
        return;
    }
    q->p[q->n].kind = 1;
    q->p[q->n].s = s;
    q->p[q->n++].slen = -1;
}

/* Restricts rows of a table with an org_id column to the scope's subtree. */
static void q_scope(struct q *q, const struct hub_scope *sc, const char *col)
{
    if (sc->system)
        return;
    q_sql(q, " AND ");
    q_sql(q, col);
    q_sql(q, " IN (SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs WHERE id=?)||'%')");
    q_int(q, sc->org_id);
}

static int q_prepare(sqlite3 *db, struct q *q, sqlite3_stmt **st)
{
    if (q->overflow)
        return CS_EINVAL;
    int rc = sqlite3_prepare_v2(db, q->sql, (int)q->len, st, NULL);
    if (rc != SQLITE_OK)
        return sq_err(db, rc);
    for (int i = 0; i < q->n; i++) {
        if (q->p[i].kind == 0)
            rc = sqlite3_bind_int64(*st, i + 1, q->p[i].i);
        else
            rc = sqlite3_bind_text(*st, i + 1, q->p[i].s, q->p[i].slen, SQLITE_STATIC);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*st);
            return sq_err(db, rc);
        }
    }
    return CS_OK;
}

static struct sq_reader *reader_get(struct sq_store *s)
{
    unsigned i = atomic_fetch_add(&s->next_reader, 1) % (unsigned)s->nreaders;
    for (int k = 0; k < s->nreaders; k++) {
        struct sq_reader *r = &s->readers[(i + (unsigned)k) % (unsigned)s->nreaders];
        if (pthread_mutex_trylock(&r->lock) == 0)
            return r;
    }
    struct sq_reader *r = &s->readers[i];
    pthread_mutex_lock(&r->lock);
    return r;
}

static void reader_put(struct sq_reader *r)
{
    pthread_mutex_unlock(&r->lock);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int64_t now_us(void)
{
    return (int64_t)cs_time_now_us();
}

/* ---- organisations --------------------------------------------------------------------- */

static struct sq_store *SQ(struct hub_store *s)
{
    return (struct sq_store *)s;
}

static void org_from_row(sqlite3_stmt *st, struct hub_org *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->parent_id = sqlite3_column_int64(st, 1);
    copy_col(o->name, sizeof(o->name), st, 2);
    copy_col(o->kind, sizeof(o->kind), st, 3);
    copy_col(o->tags, sizeof(o->tags), st, 4);
    copy_col(o->path, sizeof(o->path), st, 5);
    o->created_us = sqlite3_column_int64(st, 6);
}

#define ORG_COLS "SELECT id, coalesce(parent_id,0), name, kind, tags, path, created_us FROM orgs"

static int org_get_on(sqlite3 *db, const struct hub_scope *sc, int64_t id, const char *name,
                      struct hub_org *out)
{
    struct q q = {0};
    q_sql(&q, ORG_COLS " WHERE 1");
    if (name) {
        q_sql(&q, " AND name=?");
        q_text(&q, name);
    } else {
        q_sql(&q, " AND id=?");
        q_int(&q, id);
    }
    q_scope(&q, sc, "id");
    sqlite3_stmt *st;
    int rc = q_prepare(db, &q, &st);
    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (out)
            org_from_row(st, out);
        rc = CS_OK;
    } else {
        rc = rc == SQLITE_DONE ? HUB_ENOTFOUND : sq_err(db, rc);
    }
    sqlite3_finalize(st);
    return rc;
}

static int sq_org_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                      const char *name, struct hub_org *out)
{
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = org_get_on(r->db, sc, id, name, out);
    reader_put(r);
    return rc;
}

static int sq_org_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_org *o)
{
    struct sq_store *s = SQ(hs);
    pthread_mutex_lock(&s->wlock);
    struct hub_org parent = {0};
    sqlite3_stmt *st = NULL;
    int rc = exec(s->wdb, "BEGIN IMMEDIATE");
    if (rc)
        goto out;
    if (o->parent_id && (rc = org_get_on(s->wdb, sc, o->parent_id, NULL, &parent)) != CS_OK)
        goto rollback;
    o->created_us = now_us();
    rc = sqlite3_prepare_v2(s->wdb,
                            "INSERT INTO orgs(parent_id, name, kind, tags, path, created_us)"
                            " VALUES(?,?,?,?,'',?)",
                            -1, &st, NULL);
    if (rc) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    if (o->parent_id)
        sqlite3_bind_int64(st, 1, o->parent_id);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->tags, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, o->created_us);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    o->id = sqlite3_last_insert_rowid(s->wdb);
    int n = snprintf(o->path, sizeof(o->path), "%s%s%" PRId64 "/", parent.path,
                     o->parent_id ? "" : "/", o->id);
    if (n < 0 || (size_t)n >= sizeof(o->path)) {
        rc = CS_ELIMIT;
        goto rollback;
    }
    rc = sqlite3_prepare_v2(s->wdb, "UPDATE orgs SET path=? WHERE id=?", -1, &st, NULL);
    if (rc) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    sqlite3_bind_text(st, 1, o->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, o->id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    rc = exec(s->wdb, "COMMIT");
    goto out;
rollback:
    exec(s->wdb, "ROLLBACK");
out:
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

struct org_cb {
    int (*cb)(void *, const struct hub_org *);
    void *arg;
};
static int org_row(sqlite3_stmt *st, void *ctx)
{
    struct org_cb *c = ctx;
    struct hub_org o;
    org_from_row(st, &o);
    return c->cb(c->arg, &o);
}

static int each_row(sqlite3 *db, sqlite3_stmt *st, int (*fn)(sqlite3_stmt *st, void *ctx),
                    void *ctx);

/* The read path shared by the org/user/sensor getters and lists: `cols` (a SELECT … FROM
 * table) restricted to the caller's scope on column `scope_col`; with `by_key`, to the row
 * named `name` (or, when name is NULL, with id `id`); ordered by `order` (may be NULL).
 * Each row goes to fn(st, ctx) as in each_row(); returns what each_row() returns. */
static int sq_select(struct hub_store *hs, const char *cols, const struct hub_scope *sc,
                     const char *scope_col, bool by_key, const char *name, int64_t id,
                     const char *order, int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx)
{
    struct sq_reader *r = reader_get(SQ(hs));
    struct q q = {0};
    sqlite3_stmt *st;
    int rc;

    q_sql(&q, cols);
    q_sql(&q, " WHERE 1");
    if (by_key && name) {
        q_sql(&q, " AND name=?");
        q_text(&q, name);
    } else if (by_key) {
        q_sql(&q, " AND id=?");
        q_int(&q, id);
    }
    q_scope(&q, sc, scope_col);
    if (order)
        q_sql(&q, order);
    rc = q_prepare(r->db, &q, &st);
    if (rc == CS_OK)
        rc = each_row(r->db, st, fn, ctx);
    reader_put(r);
    return rc;
}

/* A getter's result from sq_select() with a callback that stops at the first row (1). */
static int one_row_rc(int rc)
{
    return rc == 1 ? CS_OK : rc == CS_OK ? HUB_ENOTFOUND : rc;
}

static int sq_org_list(struct hub_store *hs, const struct hub_scope *sc,
                       int (*cb)(void *, const struct hub_org *), void *arg)
{
    struct org_cb c = {cb, arg};
    return sq_select(hs, ORG_COLS, sc, "id", false, NULL, 0, " ORDER BY path", org_row, &c);
}

/* ---- users ----------------------------------------------------------------------------- */

#define USER_COLS "SELECT id, org_id, name, role, pwhash, disabled, created_us FROM users"

static void user_from_row(sqlite3_stmt *st, struct hub_user *u)
{
    char role[16];
    u->id = sqlite3_column_int64(st, 0);
    u->org_id = sqlite3_column_int64(st, 1);
    copy_col(u->name, sizeof(u->name), st, 2);
    copy_col(role, sizeof(role), st, 3);
    u->role = hub_role_parse(role);
    copy_col(u->pwhash, sizeof(u->pwhash), st, 4);
    u->disabled = sqlite3_column_int(st, 5) != 0;
    u->created_us = sqlite3_column_int64(st, 6);
}

/* Runs a prepared statement that returns rows of one kind; fn converts and calls back. */
static int each_row(sqlite3 *db, sqlite3_stmt *st, int (*fn)(sqlite3_stmt *st, void *ctx),
                    void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = fn(st, ctx);
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CS_OK : sq_err(db, rc);
}

struct user_cb {
    int (*cb)(void *, const struct hub_user *);
    void *arg;
};
static int user_row(sqlite3_stmt *st, void *ctx)
{
    struct user_cb *c = ctx;
    struct hub_user u;
    user_from_row(st, &u);
    return c->cb(c->arg, &u);
}
static int user_one(void *arg, const struct hub_user *u)
{
    *(struct hub_user *)arg = *u;
    return 1;
}

static int sq_user_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                       const char *name, struct hub_user *out)
{
    struct hub_user tmp;
    struct user_cb c = {user_one, out ? out : &tmp};
    return one_row_rc(sq_select(hs, USER_COLS, sc, "org_id", true, name, id, NULL, user_row, &c));
}

static int sq_user_list(struct hub_store *hs, const struct hub_scope *sc,
                        int (*cb)(void *, const struct hub_user *), void *arg)
{
    struct user_cb c = {cb, arg};
    return sq_select(hs, USER_COLS, sc, "org_id", false, NULL, 0, " ORDER BY id", user_row, &c);
}

/* Runs one write statement in its own transaction after checking that org_id is in scope. */
static int write_in_scope(struct sq_store *s, const struct hub_scope *sc, int64_t org_id,
                          struct q *q, int64_t *rowid, int *changes)
{
    pthread_mutex_lock(&s->wlock);
    sqlite3_stmt *st = NULL;
    int rc = exec(s->wdb, "BEGIN IMMEDIATE");
    if (rc)
        goto out;
    if (org_id && (rc = org_get_on(s->wdb, sc, org_id, NULL, NULL)) != CS_OK)
        goto rollback;
    if ((rc = q_prepare(s->wdb, q, &st)) != CS_OK)
        goto rollback;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    if (rowid)
        *rowid = sqlite3_last_insert_rowid(s->wdb);
    if (changes)
        *changes = sqlite3_changes(s->wdb);
    rc = exec(s->wdb, "COMMIT");
    goto out;
rollback:
    exec(s->wdb, "ROLLBACK");
out:
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

static int sq_user_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_user *u)
{
    u->created_us = now_us();
    struct q q = {0};
    q_sql(&q, "INSERT INTO users(org_id, name, role, pwhash, disabled, created_us)"
              " VALUES(?,?,?,?,?,?)");
    q_int(&q, u->org_id);
    q_text(&q, u->name);
    q_text(&q, hub_role_name(u->role));
    q_text(&q, u->pwhash);
    q_int(&q, u->disabled);
    q_int(&q, u->created_us);
    return write_in_scope(SQ(hs), sc, u->org_id, &q, &u->id, NULL);
}

static int sq_user_set_password(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                                const char *pwhash)
{
    struct q q = {0};
    int changes = 0;
    q_sql(&q, "UPDATE users SET pwhash=? WHERE id=?");
    q_text(&q, pwhash);
    q_int(&q, id);
    q_scope(&q, sc, "org_id");
    int rc = write_in_scope(SQ(hs), sc, 0, &q, NULL, &changes);
    return rc == CS_OK && changes == 0 ? HUB_ENOTFOUND : rc;
}

/* ---- sensors --------------------------------------------------------------------------- */

#define SENSOR_COLS "SELECT id, org_id, name, pubkey, created_us FROM sensors"

struct sensor_cb {
    int (*cb)(void *, const struct hub_sensor *);
    void *arg;
};
static int sensor_row(sqlite3_stmt *st, void *ctx)
{
    struct sensor_cb *c = ctx;
    struct hub_sensor se;
    se.id = sqlite3_column_int64(st, 0);
    se.org_id = sqlite3_column_int64(st, 1);
    copy_col(se.name, sizeof(se.name), st, 2);
    copy_col(se.pubkey_pem, sizeof(se.pubkey_pem), st, 3);
    se.created_us = sqlite3_column_int64(st, 4);
    return c->cb(c->arg, &se);
}
static int sensor_one(void *arg, const struct hub_sensor *se)
{
    *(struct hub_sensor *)arg = *se;
    return 1;
}

static int sq_sensor_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_sensor *se)
{
    se->created_us = now_us();
    struct q q = {0};
    q_sql(&q, "INSERT INTO sensors(org_id, name, pubkey, created_us) VALUES(?,?,?,?)");
    q_int(&q, se->org_id);
    q_text(&q, se->name);
    q_text(&q, se->pubkey_pem);
    q_int(&q, se->created_us);
    return write_in_scope(SQ(hs), sc, se->org_id, &q, &se->id, NULL);
}

static int sq_sensor_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                         const char *name, struct hub_sensor *out)
{
    struct hub_sensor tmp;
    struct sensor_cb c = {sensor_one, out ? out : &tmp};
    return one_row_rc(
        sq_select(hs, SENSOR_COLS, sc, "org_id", true, name, id, NULL, sensor_row, &c));
}

static int sq_sensor_list(struct hub_store *hs, const struct hub_scope *sc,
                          int (*cb)(void *, const struct hub_sensor *), void *arg)
{
    struct sensor_cb c = {cb, arg};
    return sq_select(hs, SENSOR_COLS, sc, "org_id", false, NULL, 0, " ORDER BY id", sensor_row, &c);
}

/* ---- credentials ----------------------------------------------------------------------- */

static int sq_cred_add(struct hub_store *hs, const struct hub_cred *c)
{
    struct q q = {0};
    q_sql(&q, "INSERT INTO credentials(hash, kind, user_id, sensor_id, label, created_us,"
              " expires_us) VALUES(?,?,nullif(?,0),nullif(?,0),?,?,?)");
    q_text(&q, c->hash);
    q_int(&q, c->kind);
    q_int(&q, c->user_id);
    q_int(&q, c->sensor_id);
    q_text(&q, c->label);
    q_int(&q, c->created_us ? c->created_us : now_us());
    q_int(&q, c->expires_us);
    return write_in_scope(SQ(hs), &HUB_SCOPE_SYSTEM, 0, &q, NULL, NULL);
}

#define CRED_COLS                                                                                  \
    "SELECT id, hash, kind, coalesce(user_id,0), coalesce(sensor_id,0), label, created_us,"        \
    " expires_us FROM credentials"
/* The organisation a credential belongs to: its user's, or its sensor's. */
#define CRED_ORG                                                                                   \
    "coalesce((SELECT org_id FROM users WHERE id=user_id),"                                        \
    " (SELECT org_id FROM sensors WHERE id=sensor_id))"

static void cred_from_row(sqlite3_stmt *st, struct hub_cred *out)
{
    out->id = sqlite3_column_int64(st, 0);
    copy_col(out->hash, sizeof(out->hash), st, 1);
    out->kind = (enum hub_cred_kind)sqlite3_column_int(st, 2);
    out->user_id = sqlite3_column_int64(st, 3);
    out->sensor_id = sqlite3_column_int64(st, 4);
    copy_col(out->label, sizeof(out->label), st, 5);
    out->created_us = sqlite3_column_int64(st, 6);
    out->expires_us = sqlite3_column_int64(st, 7);
}

static int sq_cred_get(struct hub_store *hs, const char *hash, int64_t now, struct hub_cred *out)
{
    struct sq_reader *r = reader_get(SQ(hs));
    struct q q = {0};
    q_sql(&q, CRED_COLS " WHERE hash=? AND (expires_us=0 OR expires_us>?)");
    q_text(&q, hash);
    q_int(&q, now);
    sqlite3_stmt *st;
    int rc = q_prepare(r->db, &q, &st);
    if (rc == CS_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            cred_from_row(st, out);
            rc = CS_OK;
        } else {
            rc = rc == SQLITE_DONE ? HUB_ENOTFOUND : sq_err(r->db, rc);
        }
        sqlite3_finalize(st);
    }
    reader_put(r);
    return rc;
}

static int sq_cred_del(struct hub_store *hs, const char *hash)
{
    struct q q = {0};
    int changes = 0;
    q_sql(&q, "DELETE FROM credentials WHERE hash=?");
    q_text(&q, hash);
    int rc = write_in_scope(SQ(hs), &HUB_SCOPE_SYSTEM, 0, &q, NULL, &changes);
    return rc == CS_OK && changes == 0 ? HUB_ENOTFOUND : rc;
}

struct cred_cb {
    int (*cb)(void *, const struct hub_cred *);
    void *arg;
};
static int cred_row(sqlite3_stmt *st, void *ctx)
{
    struct cred_cb *c = ctx;
    struct hub_cred cr;
    cred_from_row(st, &cr);
    return c->cb(c->arg, &cr);
}

static int sq_cred_list(struct hub_store *hs, const struct hub_scope *sc, int kind, int64_t user_id,
                        int64_t now, int (*cb)(void *, const struct hub_cred *), void *arg)
{
    struct cred_cb c = {cb, arg};
    struct q q = {0};
    sqlite3_stmt *st;
    q_sql(&q, CRED_COLS " WHERE (expires_us=0 OR expires_us>?)");
    q_int(&q, now);
    if (kind) {
        q_sql(&q, " AND kind=?");
        q_int(&q, kind);
    }
    if (user_id) {
        q_sql(&q, " AND user_id=?");
        q_int(&q, user_id);
    }
    q_scope(&q, sc, CRED_ORG);
    q_sql(&q, " ORDER BY id");
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = q_prepare(r->db, &q, &st);
    if (rc == CS_OK)
        rc = each_row(r->db, st, cred_row, &c);
    reader_put(r);
    return rc;
}

static int cred_one(void *arg, const struct hub_cred *c)
{
    *(struct hub_cred *)arg = *c;
    return 1;
}

static int sq_cred_revoke(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                          int64_t user_id, struct hub_cred *out)
{
    struct sq_store *s = SQ(hs);
    struct cred_cb c = {cred_one, out};
    struct q q = {0};
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->wlock);
    int rc = exec(s->wdb, "BEGIN IMMEDIATE");
    if (rc)
        goto out;
    q_sql(&q, CRED_COLS " WHERE id=?");
    q_int(&q, id);
    if (user_id) {
        q_sql(&q, " AND user_id=?");
        q_int(&q, user_id);
    }
    q_scope(&q, sc, CRED_ORG);
    if ((rc = q_prepare(s->wdb, &q, &st)) != CS_OK)
        goto rollback;
    if ((rc = one_row_rc(each_row(s->wdb, st, cred_row, &c))) != CS_OK)
        goto rollback;
    rc = sqlite3_prepare_v2(s->wdb, "DELETE FROM credentials WHERE id=?", -1, &st, NULL);
    if (rc) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    rc = exec(s->wdb, "COMMIT");
    goto out;
rollback:
    exec(s->wdb, "ROLLBACK");
out:
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

static int sq_cred_purge(struct hub_store *hs, int64_t now)
{
    struct q q = {0};
    int changes = 0;
    q_sql(&q, "DELETE FROM credentials WHERE expires_us<>0 AND expires_us<=?");
    q_int(&q, now);
    int rc = write_in_scope(SQ(hs), &HUB_SCOPE_SYSTEM, 0, &q, NULL, &changes);
    return rc == CS_OK ? changes : rc;
}

/* ---- events ---------------------------------------------------------------------------- */

static void bind_str(sqlite3_stmt *st, int i, struct hub_text v)
{
    if (v.p)
        sqlite3_bind_text(st, i, v.p, (int)v.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static int rollup_batch(struct sq_store *s, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n, int64_t last_id);

/* Widens segment seg's time range in ev_seg to [mn, mx]. */
static int seg_put(struct sq_store *s, int64_t seg, int64_t mn, int64_t mx)
{
    sqlite3_stmt *st = s->ins_seg;
    sqlite3_bind_int64(st, 1, seg);
    sqlite3_bind_int64(st, 2, mn);
    sqlite3_bind_int64(st, 3, mx);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CS_OK : sq_err(s->wdb, rc);
}

/* ---- ev_kb: the address and flow keys of sealed segments (migration 8, keyblock.h) ---- */

/* A segment's keys, by its id range. */
#define SEG_ROWS_SQL "SELECT id, ts_us, src_ip, dest_ip, flow_id FROM events WHERE id>=? AND id<?"

/* Reads segment seg's keys with st (SEG_ROWS_SQL prepared on db) into k, sorted. Needs no
 * write lock. */
static int kb_build(sqlite3 *db, sqlite3_stmt *st, int64_t seg, struct hub_kb *k)
{
    if (hub_kb_init(k) != CS_OK)
        return CS_ENOMEM;
    int64_t first = seg << SEG_SHIFT;
    int src;
    sqlite3_bind_int64(st, 1, first);
    sqlite3_bind_int64(st, 2, first + (1 << SEG_SHIFT));
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 2);
        size_t al = (size_t)sqlite3_column_bytes(st, 2);
        const char *d = (const char *)sqlite3_column_text(st, 3);
        size_t dl = (size_t)sqlite3_column_bytes(st, 3);
        hub_kb_add(k, (uint32_t)(sqlite3_column_int64(st, 0) - first), sqlite3_column_int64(st, 1),
                   a, al, d, dl, (uint64_t)sqlite3_column_int64(st, 4));
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE) {
        hub_kb_free(k);
        return sq_err(db, src);
    }
    hub_kb_sort(k);
    return CS_OK;
}

/* Writes built rows of segment seg and marks it sealed: write lock and transaction held. */
static int kb_write(struct sq_store *s, int64_t seg, struct hub_kb *k)
{
    int rc = CS_OK, src, b;
    size_t i = 0, len;
    while (rc == CS_OK && (len = hub_kb_next_bucket(k, &i, &b)) > 0) {
        sqlite3_stmt *st = s->ins_kb;
        sqlite3_bind_int64(st, 1, seg);
        sqlite3_bind_int64(st, 2, b);
        sqlite3_bind_blob(st, 3, k->buf, (int)len, SQLITE_STATIC);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src != SQLITE_DONE)
            rc = sq_err(s->wdb, src);
    }
    if (rc == CS_OK) {
        sqlite3_stmt *st = s->seal_mark;
        sqlite3_bind_int64(st, 1, seg);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if (src != SQLITE_DONE)
            rc = sq_err(s->wdb, src);
    }
    return rc;
}

/* Seals segment seg with the writer's connection (write lock and transaction held). */
static int seal_one(struct sq_store *s, int64_t seg)
{
    struct hub_kb k;
    int rc = kb_build(s->wdb, s->seg_rows, seg, &k);
    if (rc == CS_OK)
        rc = kb_write(s, seg, &k);
    hub_kb_free(&k);
    return rc;
}

/* The background sealer (in the checkpointer's thread, with its connection): a segment
 * that filled up is read and sorted there, on the other core, and only its 256 rows are
 * written under the write lock, between two ingest groups. Once per 2^SEG_SHIFT events. */
static void seal_background(struct sq_store *s)
{
    for (int guard = 0; guard < 64; guard++) {
        int64_t open[2];
        size_t n = 0;
        sqlite3_stmt *st = s->c_open_segs;
        int rc;
        while (n < 2 && (rc = sqlite3_step(st)) == SQLITE_ROW)
            open[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (n < 2)
            return; /* the newest segment stays open */
        struct hub_kb k;
        if (kb_build(s->cdb, s->c_seg_rows, open[0], &k) != CS_OK)
            return;
        pthread_mutex_lock(&s->wlock);
        rc = exec(s->wdb, "BEGIN IMMEDIATE");
        if (rc == CS_OK)
            rc = kb_write(s, open[0], &k);
        if (rc == CS_OK)
            rc = exec(s->wdb, "COMMIT");
        if (rc != CS_OK && sqlite3_get_autocommit(s->wdb) == 0)
            exec(s->wdb, "ROLLBACK");
        pthread_mutex_unlock(&s->wlock);
        hub_kb_free(&k);
        if (rc != CS_OK)
            return;
    }
}

/* Seals complete segments: open ones but the newest (ids only grow, so an older segment gets
 * no more events), at most `max` of them. Inside a write transaction. Returns the number
 * sealed, or an error. */
static int seal_segments(struct sq_store *s, int max)
{
    int64_t open[16];
    size_t n = 0;
    sqlite3_stmt *st = s->open_segs;
    int rc;
    while (n < CS_ARRAY_LEN(open) && (rc = sqlite3_step(st)) == SQLITE_ROW)
        open[n++] = sqlite3_column_int64(st, 0);
    if (n < CS_ARRAY_LEN(open) && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return sq_err(s->wdb, rc);
    }
    sqlite3_reset(st);
    int done = 0;
    for (size_t i = 0; i + 1 < n && done < max; i++, done++)
        if ((rc = seal_one(s, open[i])) != CS_OK)
            return rc;
    return done;
}

/* Seals every complete segment, a few per transaction: after migration 8 every segment of
 * an existing database (about 1 s per million events, with progress on stderr). */
static int seal_all(struct sq_store *s)
{
    int total = 0, k;
    int64_t t0 = now_us();
    do {
        if ((k = exec(s->wdb, "BEGIN IMMEDIATE")) != CS_OK)
            return k;
        if ((k = seal_segments(s, 8)) < 0) {
            exec(s->wdb, "ROLLBACK");
            return k;
        }
        int rc = exec(s->wdb, "COMMIT");
        if (rc != CS_OK)
            return rc;
        total += k;
        if (k && now_us() - t0 > 2000000)
            fprintf(stderr, "store: indexed addresses and flows of %d segments (%d events)\n",
                    total, total << SEG_SHIFT);
    } while (k > 0);
    if (total > 8)
        fprintf(stderr, "store: indexed addresses and flows of %d segments in %.1f s\n", total,
                (double)(now_us() - t0) / 1e6);
    return CS_OK;
}

/* The distinct signatures of a batch, with the newest time of each, for ev_sig. A batch
 * holds few (alerts repeat); when the table fills it is written out and reused. */
#define SIGSET_MAX 64
struct sigset {
    size_t n;
    struct {
        int64_t id; /* -1: none */
        struct hub_text text;
        int64_t max_ts;
    } v[SIGSET_MAX];
};

static int sigset_flush(struct sq_store *s, struct sigset *ss)
{
    sqlite3_stmt *st = s->ins_sig;
    for (size_t i = 0; i < ss->n; i++) {
        sqlite3_bind_int64(st, 1, ss->v[i].id);
        sqlite3_bind_text(st, 2, ss->v[i].text.p, (int)ss->v[i].text.len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, ss->v[i].max_ts);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return sq_err(s->wdb, rc);
    }
    ss->n = 0;
    return CS_OK;
}

static int sigset_add(struct sq_store *s, struct sigset *ss, const struct hub_store_event *e)
{
    int64_t id = e->signature_id < 0 ? -1 : e->signature_id;
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].id == id && ss->v[i].text.len == e->signature.len &&
            memcmp(ss->v[i].text.p, e->signature.p, e->signature.len) == 0) {
            if (e->ts_us > ss->v[i].max_ts)
                ss->v[i].max_ts = e->ts_us;
            return CS_OK;
        }
    }
    if (ss->n == SIGSET_MAX) {
        int rc = sigset_flush(s, ss);
        if (rc != CS_OK)
            return rc;
    }
    ss->v[ss->n].id = id;
    ss->v[ss->n].text = e->signature;
    ss->v[ss->n++].max_ts = e->ts_us;
    return CS_OK;
}

/* Events are inserted EV_ROWS per statement: per row, a statement run (start, cursors on the
 * table and its four indexes, halt, reset) cost about a third of the insert. */
#define EV_ROWS 16
#define EV_COLS_N 16

static void event_bind(sqlite3_stmt *st, int at, const struct hub_store_batch *b,
                       const struct hub_store_event *e)
{
    sqlite3_bind_int64(st, at + 1, b->org_id);
    sqlite3_bind_int64(st, at + 2, b->sensor_id);
    sqlite3_bind_int64(st, at + 3, e->ts_us);
    bind_str(st, at + 4, e->event_type);
    bind_str(st, at + 5, e->src_ip);
    bind_str(st, at + 6, e->dest_ip);
    bind_opt(st, at + 7, e->src_port);
    bind_opt(st, at + 8, e->dest_port);
    bind_str(st, at + 9, e->proto);
    bind_str(st, at + 10, e->app_proto);
    bind_opt(st, at + 11, e->signature_id);
    bind_str(st, at + 12, e->signature);
    bind_opt(st, at + 13, e->severity);
    bind_str(st, at + 14, e->raw);
    /* 0 (no flow) binds NULL: nullif() in one statement per row cost as much as this */
    if (e->flow_id)
        sqlite3_bind_int64(st, at + 15, (int64_t)e->flow_id);
    else
        sqlite3_bind_null(st, at + 15);
    bind_str(st, at + 16, e->ics_op);
}

/* Writes one batch inside the open group transaction (write lock held). A batch id seen
 * before (also earlier in the same group) stores nothing and reports what the first delivery
 * stored: the constraint error only undoes that statement. Any other error leaves the
 * transaction to be rolled back by the caller. */
static int batch_one(struct sq_store *s, const struct hub_store_batch *b,
                     const struct hub_store_event *ev, size_t n, struct hub_store_batch_result *res)
{
    sqlite3_stmt *st = s->ins_batch;
    sqlite3_bind_int64(st, 1, b->sensor_id);
    sqlite3_bind_text(st, 2, b->batch_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, b->org_id);
    sqlite3_bind_int64(st, 4, b->received_us ? b->received_us : now_us());
    sqlite3_bind_int64(st, 5, (int64_t)n);
    if (b->signature)
        sqlite3_bind_text(st, 6, b->signature, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        if (rc != HUB_ECONFLICT)
            return rc;
        /* The same batch id again: report what the first delivery stored. */
        st = s->get_batch;
        sqlite3_bind_int64(st, 1, b->sensor_id);
        sqlite3_bind_text(st, 2, b->batch_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            res->stored = sqlite3_column_int64(st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? CS_OK : sq_err(s->wdb, rc);
        sqlite3_reset(st);
        res->duplicate = true;
        return rc;
    }
    int64_t seg = -1, seg_min = 0, seg_max = 0, last_id = 0;
    struct sigset sigs;
    sigs.n = 0;
    size_t next = 0; /* the first event of the next statement */
    int64_t id0 = 0; /* id of ev[i] is id0 + i */
    for (size_t i = 0; i < n; i++) {
        const struct hub_store_event *e = &ev[i];
        if (i == next) {
            /* EV_ROWS rows in one statement while that many are left, then one by one */
            size_t k = n - i >= EV_ROWS ? EV_ROWS : 1;
            st = k == EV_ROWS ? s->ins_events : s->ins_event;
            for (size_t j = 0; j < k; j++)
                event_bind(st, (int)j * EV_COLS_N, b, &ev[i + j]);
            rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return sq_err(s->wdb, rc);
            /* the rows of one statement get consecutive rowids (max + 1 each: one writer) */
            id0 = sqlite3_last_insert_rowid(s->wdb) - (int64_t)(i + k - 1);
            next = i + k;
        }
        int64_t id = id0 + (int64_t)i;
        last_id = id;
        if (id >> SEG_SHIFT != seg) {
            if (seg >= 0 && (rc = seg_put(s, seg, seg_min, seg_max)) != CS_OK)
                return rc;
            seg = id >> SEG_SHIFT;
            seg_min = seg_max = e->ts_us;
        }
        seg_min = e->ts_us < seg_min ? e->ts_us : seg_min;
        seg_max = e->ts_us > seg_max ? e->ts_us : seg_max;
        if (e->signature.p && (rc = sigset_add(s, &sigs, e)) != CS_OK)
            return rc;
    }
    sqlite3_clear_bindings(s->ins_event);
    sqlite3_clear_bindings(s->ins_events);
    if ((rc = sigset_flush(s, &sigs)) != CS_OK)
        return rc;
    if (seg >= 0 && (rc = seg_put(s, seg, seg_min, seg_max)) != CS_OK)
        return rc;
    if ((rc = rollup_batch(s, b, ev, n, last_id)) != CS_OK)
        return rc;
    if (last_id > s->wmax_id)
        s->wmax_id = last_id;
    res->stored = (int64_t)n;
    return CS_OK;
}

/* Group commit. A batch joins the queue; the first caller that finds no leader becomes the
 * leader: it takes every queued batch, writes them all in one transaction and commits once
 * (one WAL append and one fsync for the group; pages that several batches dirty - the
 * table's tail, the newest index leaves, the rollups - are written once), then wakes the
 * others. Each caller returns only after the commit that holds its batch is durable
 * (synchronous=FULL), so an acknowledgement still means the data is on disk. A failure
 * other than a duplicate batch id rolls the whole group back and every batch of it reports
 * the error (the senders retry). */
struct gc_req {
    const struct hub_store_batch *b;
    const struct hub_store_event *ev;
    size_t n;
    struct hub_store_batch_result *res;
    int rc;
    bool done;
    struct gc_req *next;
};

static void group_write(struct sq_store *s, struct gc_req *list)
{
    pthread_mutex_lock(&s->wlock);
    int rc = exec(s->wdb, "BEGIN IMMEDIATE");
    for (struct gc_req *r = list; r && rc == CS_OK; r = r->next)
        rc = batch_one(s, r->b, r->ev, r->n, r->res);
    if (rc == CS_OK && (rc = exec(s->wdb, "COMMIT")) != CS_OK)
        exec(s->wdb, "ROLLBACK");
    else if (rc != CS_OK && sqlite3_get_autocommit(s->wdb) == 0)
        exec(s->wdb, "ROLLBACK");
    /* a segment filled up: the checkpointer's thread seals it */
    bool full = rc == CS_OK && s->wmax_id >> SEG_SHIFT > s->wseg;
    if (full)
        s->wseg = s->wmax_id >> SEG_SHIFT;
    pthread_mutex_unlock(&s->wlock);
    if (full) {
        pthread_mutex_lock(&s->clock);
        s->seal_due = true;
        pthread_cond_signal(&s->cwake);
        pthread_mutex_unlock(&s->clock);
    }
    for (struct gc_req *r = list; r; r = r->next) {
        r->rc = rc;
        if (rc != CS_OK) {
            r->res->stored = 0;
            r->res->duplicate = false;
        }
    }
}

static int sq_batch_add(struct hub_store *hs, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n,
                        struct hub_store_batch_result *res)
{
    struct sq_store *s = SQ(hs);
    res->duplicate = false;
    res->stored = 0;
    struct gc_req me = {.b = b, .ev = ev, .n = n, .res = res};
    pthread_mutex_lock(&s->gclock);
    *s->gctail = &me;
    s->gctail = &me.next;
    while (!me.done) {
        if (s->gcleader) {
            pthread_cond_wait(&s->gcdone, &s->gclock);
            continue;
        }
        s->gcleader = true;
        struct gc_req *list = s->gchead;
        s->gchead = NULL;
        s->gctail = &s->gchead;
        pthread_mutex_unlock(&s->gclock);
        group_write(s, list);
        pthread_mutex_lock(&s->gclock);
        for (struct gc_req *r = list; r; r = r->next)
            r->done = true;
        s->gcleader = false;
        pthread_cond_broadcast(&s->gcdone);
    }
    pthread_mutex_unlock(&s->gclock);
    return me.rc;
}

static int sq_batch_max_id(struct hub_store *hs, int64_t sensor_id, const char *prefix, char *out,
                           size_t cap)
{
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3_stmt *st;
    /* substr() rather than LIKE: the prefix may hold LIKE metacharacters */
    int rc = sqlite3_prepare_v2(r->db,
                                "SELECT max(batch_id) FROM batches WHERE sensor_id=?"
                                " AND substr(batch_id, 1, length(?2))=?2",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, sensor_id);
        sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            copy_col(out, cap, st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? CS_OK : sq_err(r->db, rc);
        sqlite3_finalize(st);
    } else {
        rc = sq_err(r->db, rc);
    }
    reader_put(r);
    return rc;
}

static struct hub_text col_str(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return (struct hub_text){(const char *)t, t ? (size_t)sqlite3_column_bytes(st, col) : 0};
}

static int64_t col_opt(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

/* The organisations an event query may return rows of: the scope's subtree intersected with
 * the filter's subtree (and, with a sensor filter, with the organisations its batches were
 * stored under). restricted is false when no org condition is needed at all. */
#define ORGSET_MAX 1024
struct orgset {
    bool restricted;
    bool overflow; /* more than ORGSET_MAX: the caller falls back to one plain query */
    size_t n;
    int64_t ids[ORGSET_MAX];
};

static int orgset_row(sqlite3_stmt *st, void *ctx)
{
    struct orgset *os = ctx;
    if (os->n == CS_ARRAY_LEN(os->ids)) {
        os->overflow = true;
        return 1;
    }
    os->ids[os->n++] = sqlite3_column_int64(st, 0);
    return 0;
}

static int run_q(sqlite3 *db, struct q *q, int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx);

static int orgset_load(sqlite3 *db, const struct hub_scope *sc, const struct hub_event_filter *f,
                       struct orgset *os)
{
    memset(os, 0, sizeof(*os));
    os->restricted = !sc->system || f->org_id;
    struct q q = {0};
    q_sql(&q, "SELECT id FROM orgs WHERE 1");
    q_scope(&q, sc, "id");
    if (f->org_id) {
        q_sql(&q, " AND path LIKE (SELECT path FROM orgs WHERE id=?)||'%'");
        q_int(&q, f->org_id);
    }
    if (f->sensor_id) {
        /* every event came in a batch that names its org: exact even if orgs differ */
        q_sql(&q, " AND id IN (SELECT DISTINCT org_id FROM batches WHERE sensor_id=?)");
        q_int(&q, f->sensor_id);
    }
    q_sql(&q, " ORDER BY id");
    int rc = run_q(db, &q, orgset_row, os);
    return rc < 0 ? rc : CS_OK;
}

/* Appends the conditions of f (and the scope) to q: " AND …" clauses over events.
 * plus: the org, sensor and signature conditions are written "+col" so that they filter but
 * never choose the index (the caller picks the driving index and writes its condition).
 * os: the caller's org set when it already restricts the rows to it (then no org condition
 * is written); NULL: the scope and org filter as subqueries. */
static void event_where(struct q *q, const struct hub_scope *sc, const struct hub_event_filter *f,
                        bool plus, const struct orgset *os)
{
    if (!os || os->restricted) {
        q_scope(q, sc, plus ? "+org_id" : "org_id");
        if (f->org_id) {
            q_sql(q, plus ? " AND +org_id" : " AND org_id");
            q_sql(q, " IN (SELECT id FROM orgs WHERE path LIKE"
                     " (SELECT path FROM orgs WHERE id=?)||'%')");
            q_int(q, f->org_id);
        }
    }
    if (f->from_us) {
        q_sql(q, " AND ts_us>=?");
        q_int(q, f->from_us);
    }
    if (f->to_us) {
        q_sql(q, " AND ts_us<?");
        q_int(q, f->to_us);
    }
    if (f->sensor_id) {
        q_sql(q, plus ? " AND +sensor_id=?" : " AND sensor_id=?");
        q_int(q, f->sensor_id);
    }
    if (f->event_type && strcmp(f->event_type, "alert") == 0) {
        q_sql(q, " AND event_type='alert'"); /* a literal: events_alert_ts can serve it */
    } else if (f->event_type) {
        q_sql(q, " AND event_type=?");
        q_text(q, f->event_type);
    }
    if (f->signature) {
        q_sql(q, " AND instr(signature, ?)>0");
        q_text(q, f->signature);
    }
    if (f->signature_id) {
        q_sql(q, plus ? " AND +signature_id=?" : " AND signature_id=?");
        q_int(q, f->signature_id);
    }
    if (f->severity_max) {
        q_sql(q, plus ? " AND +severity<=?" : " AND severity<=?");
        q_int(q, f->severity_max);
    }
    if (f->src_ip) {
        q_sql(q, " AND src_ip=?");
        q_text(q, f->src_ip);
    }
    if (f->dest_ip) {
        q_sql(q, " AND dest_ip=?");
        q_text(q, f->dest_ip);
    }
    if (f->ip) {
        q_sql(q, " AND (src_ip=? OR dest_ip=?)");
        q_text(q, f->ip);
        q_text(q, f->ip);
    }
    if (f->flow_id) {
        q_sql(q, " AND flow_id=?");
        q_int(q, (int64_t)f->flow_id);
    }
    if (f->app_proto && strcmp(f->app_proto, "none") == 0) {
        q_sql(q, " AND app_proto IS NULL");
    } else if (f->app_proto) {
        q_sql(q, " AND app_proto=?");
        q_text(q, f->app_proto);
    }
    if (f->proto) {
        q_sql(q, " AND proto=?");
        q_text(q, f->proto);
    }
    if (f->q) {
        q_sql(q, " AND instr(raw, ?)>0");
        q_text(q, f->q);
    }
    if (f->since_id) {
        q_sql(q, " AND id>?");
        q_int(q, f->since_id);
    }
}

/* Keyset cursor over columns ts/id: strictly after (cursor_ts, cursor_id) going down. The
 * "ts<=?" bound is redundant but lets the index start at the cursor instead of the top. */
static void q_cursor(struct q *q, const struct hub_event_filter *f, const char *ts, const char *id)
{
    if (!f->cursor_id || f->since_id)
        return;
    char b[160];
    snprintf(b, sizeof(b), " AND %s<=? AND (%s<? OR (%s=? AND %s<?))", ts, ts, ts, id);
    q_sql(q, b);
    q_int(q, f->cursor_ts);
    q_int(q, f->cursor_ts);
    q_int(q, f->cursor_ts);
    q_int(q, f->cursor_id);
}

void (*hub_sqlite_query_hook)(void *arg, sqlite3 *db, const char *sql);
void *hub_sqlite_query_hook_arg;

static int q_prepare_ev(sqlite3 *db, struct q *q, sqlite3_stmt **st)
{
    int rc = q_prepare(db, q, st);
    if (rc == CS_OK && hub_sqlite_query_hook)
        hub_sqlite_query_hook(hub_sqlite_query_hook_arg, db, q->sql);
    return rc;
}

#define EV_COLS                                                                                    \
    "SELECT id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port, dest_port,"       \
    " proto, app_proto, signature_id, signature, severity, raw, flow_id, ics_op FROM events"

static void row_from_stmt(sqlite3_stmt *st, struct hub_event_row *row)
{
    memset(row, 0, sizeof(*row));
    row->id = sqlite3_column_int64(st, 0);
    row->org_id = sqlite3_column_int64(st, 1);
    row->sensor_id = sqlite3_column_int64(st, 2);
    row->ev.ts_us = sqlite3_column_int64(st, 3);
    row->ev.event_type = col_str(st, 4);
    row->ev.src_ip = col_str(st, 5);
    row->ev.dest_ip = col_str(st, 6);
    row->ev.src_port = (int32_t)col_opt(st, 7);
    row->ev.dest_port = (int32_t)col_opt(st, 8);
    row->ev.proto = col_str(st, 9);
    row->ev.app_proto = col_str(st, 10);
    row->ev.signature_id = col_opt(st, 11);
    row->ev.signature = col_str(st, 12);
    row->ev.severity = (int32_t)col_opt(st, 13);
    row->ev.raw = col_str(st, 14);
    row->ev.flow_id = (uint64_t)sqlite3_column_int64(st, 15);
    row->ev.ics_op = col_str(st, 16);
    row->ev.has_stats = false;
}

/* Runs a prepared row query, cb per row. Returns CS_OK, cb's non-zero value, or an error;
 * *nrows counts the rows. */
static int emit_rows(sqlite3 *db, sqlite3_stmt *st, int (*cb)(void *, const struct hub_event_row *),
                     void *arg, int *nrows)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hub_event_row row;
        row_from_stmt(st, &row);
        (*nrows)++;
        int stop = cb(arg, &row);
        if (stop)
            return stop;
    }
    return rc == SQLITE_DONE ? CS_OK : sq_err(db, rc);
}

/* ---- partitioned "newest first": the top `limit` rows over several ordered index ranges.
 * Each partition (an organisation of a subtree, or a key-block segment) is read newest first
 * through its index with LIMIT; the candidates (ts, id) are merged and cut to the limit, then
 * the rows are fetched by id (cands.h). No partition is sorted. */
/* Steps st (parameter 1 already bound to the partition) and adds its rows. */
static int cands_add(sqlite3 *db, sqlite3_stmt *st, struct hub_cands *c)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (hub_cands_push(c, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)) != CS_OK) {
            sqlite3_reset(st);
            return CS_ENOMEM;
        }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_err(db, rc);
    hub_cands_trim(c);
    return CS_OK;
}

static int cands_emit(sqlite3 *db, struct hub_cands *c,
                      int (*cb)(void *, const struct hub_event_row *), void *arg)
{
    if (c->n == 0)
        return CS_OK;
    qsort(c->v, c->n, sizeof(*c->v), hub_cand_cmp);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, EV_COLS " WHERE id=?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_err(db, rc);
    int nrows = 0;
    rc = CS_OK;
    for (size_t i = 0; i < c->n && rc == CS_OK; i++) {
        sqlite3_bind_int64(st, 1, c->v[i].id);
        rc = emit_rows(db, st, cb, arg, &nrows);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Newest first over the organisations of os, each through events_org_ts. */
static int query_by_org(sqlite3 *db, const struct hub_scope *sc, const struct hub_event_filter *f,
                        const struct orgset *os, struct hub_cands *c)
{
    struct q q = {0};
    q_sql(&q, "SELECT ts_us, id FROM events WHERE org_id=?");
    q_int(&q, 0);             /* the partition */
    struct orgset none = {0}; /* org_id=? already restricts to the set */
    event_where(&q, sc, f, true, &none);
    q_cursor(&q, f, "ts_us", "id");
    q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ?");
    q_int(&q, f->limit);
    sqlite3_stmt *st;
    int rc = q_prepare_ev(db, &q, &st);
    if (rc)
        return rc;
    for (size_t i = 0; i < os->n && rc == CS_OK; i++) {
        sqlite3_bind_int64(st, 1, os->ids[i]);
        rc = cands_add(db, st, c);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Newest first over the organisations of os and, in each, over its severities <=
 * f->severity_max, each (org, severity) range read through events_osev_ts (org_id, severity,
 * ts_us) already in time order. The severities present are found by skipping through the
 * same index (one seek per value), so any stored value is covered. */
static int query_by_org_sev(sqlite3 *db, const struct hub_scope *sc,
                            const struct hub_event_filter *f, const struct orgset *os,
                            struct hub_cands *c)
{
    struct q q = {0};
    q_sql(&q, "SELECT ts_us, id FROM events WHERE org_id=? AND severity=?");
    q_int(&q, 0); /* the partition */
    q_int(&q, 0);
    struct orgset none = {0};
    event_where(&q, sc, f, true, &none);
    q_cursor(&q, f, "ts_us", "id");
    q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ?");
    q_int(&q, f->limit);
    sqlite3_stmt *st = NULL, *next = NULL;
    int rc = q_prepare_ev(db, &q, &st);
    if (rc)
        return rc;
    struct q qn = {0};
    q_sql(&qn, "SELECT severity FROM events WHERE org_id=? AND severity>? AND severity<=?"
               " ORDER BY severity LIMIT 1");
    q_int(&qn, 0);
    q_int(&qn, INT64_MIN);
    q_int(&qn, f->severity_max);
    if ((rc = q_prepare_ev(db, &qn, &next)) != CS_OK)
        goto out;
    for (size_t i = 0; i < os->n && rc == CS_OK; i++) {
        int64_t sev = INT64_MIN;
        for (;;) {
            sqlite3_bind_int64(next, 1, os->ids[i]);
            sqlite3_bind_int64(next, 2, sev);
            int r2 = sqlite3_step(next);
            if (r2 == SQLITE_ROW)
                sev = sqlite3_column_int64(next, 0);
            sqlite3_reset(next);
            if (r2 == SQLITE_DONE)
                break;
            if (r2 != SQLITE_ROW) {
                rc = sq_err(db, r2);
                break;
            }
            sqlite3_bind_int64(st, 1, os->ids[i]);
            sqlite3_bind_int64(st, 2, sev);
            if ((rc = cands_add(db, st, c)) != CS_OK)
                break;
        }
    }
out:
    sqlite3_finalize(next);
    sqlite3_finalize(st);
    return rc;
}

/* Newest first among the events whose signature contains f->signature. The dictionary ev_sig
 * gives the signature ids with a matching text, newest last event first; each id is walked
 * through events_sig_ts (signature_id, ts_us) newest first, the text still checked on every
 * row (an id may have several texts), from the oldest row kept once the list is full. The
 * walk stops when the remaining ids' last events are older than every row kept. Returns 1
 * (nothing kept) when a matching text stored without an id could still contribute: no index
 * holds those rows, and the caller takes the general path. */
static int query_by_sig(sqlite3 *db, const struct hub_scope *sc, const struct hub_event_filter *f,
                        struct hub_cands *c)
{
    struct q q = {0};
    q_sql(&q, "SELECT ts_us, id FROM events WHERE signature_id=? AND ts_us>=?");
    q_int(&q, 0); /* the partition */
    q_int(&q, INT64_MIN);
    event_where(&q, sc, f, true, NULL);
    q_cursor(&q, f, "ts_us", "id");
    q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ?");
    q_int(&q, f->limit);
    sqlite3_stmt *st = NULL, *sids = NULL;
    int rc = q_prepare_ev(db, &q, &st);
    if (rc)
        return rc;
    rc = sqlite3_prepare_v2(db,
                            "SELECT signature_id, max(max_ts) FROM ev_sig WHERE"
                            " instr(signature, ?)>0 GROUP BY 1 ORDER BY 2 DESC",
                            -1, &sids, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_err(db, rc);
        goto out;
    }
    sqlite3_bind_text(sids, 1, f->signature, -1, SQLITE_STATIC);
    rc = CS_OK;
    int src = SQLITE_DONE;
    while (rc == CS_OK && (src = sqlite3_step(sids)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(sids, 0), mx = sqlite3_column_int64(sids, 1);
        const struct hub_cand *fl = hub_cands_floor(c);
        if (fl && fl->ts > mx)
            break; /* this id and all after it are older than every row kept */
        if (sid < 0) {
            c->n = 0;
            rc = 1;
            break;
        }
        if (f->from_us && mx < f->from_us)
            continue;
        sqlite3_bind_int64(st, 1, sid);
        sqlite3_bind_int64(st, 2, fl ? fl->ts : INT64_MIN);
        rc = cands_add(db, st, c);
    }
    if (rc == CS_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_err(db, src);
out:
    sqlite3_finalize(sids);
    sqlite3_finalize(st);
    return rc;
}

/* One sealed segment's candidates for key hash h: its ev_kb bucket row, the entries of h
 * newest first, each checked against its event row by verify (parameter 1: the id; the
 * filter, the scope and the cursor). Stops at `limit` rows or below the floor. */
static int kb_segment(sqlite3 *db, sqlite3_stmt *kb, sqlite3_stmt *verify, int64_t seg, uint64_t h,
                      const struct hub_event_filter *f, const struct hub_cand *floor,
                      struct hub_cands *c)
{
    /* a copy: the pushes below may move the list the floor points into */
    struct hub_cand fl_copy = floor ? *floor : (struct hub_cand){0, 0};
    const struct hub_cand *fl = floor ? &fl_copy : NULL;
    sqlite3_bind_int64(kb, 1, seg);
    sqlite3_bind_int64(kb, 2, hub_kb_bucket_of(h));
    int rc = sqlite3_step(kb), out = CS_OK;
    if (rc != SQLITE_ROW) {
        sqlite3_reset(kb);
        return rc == SQLITE_DONE ? CS_OK : sq_err(db, rc);
    }
    const unsigned char *p = sqlite3_column_blob(kb, 0);
    size_t n = (size_t)sqlite3_column_bytes(kb, 0) / HUB_KB_ENTRY;
    struct hub_kb_ent e;
    size_t taken = 0;
    for (size_t i = hub_kb_find(p, n, h); i < n && taken < c->limit && out == CS_OK; i++) {
        hub_kb_get(p, i, &e);
        if (e.h != h)
            break;
        int64_t id = (seg << SEG_SHIFT) + e.off;
        if (f->to_us && e.ts >= f->to_us)
            continue;
        if ((f->from_us && e.ts < f->from_us) ||
            (fl && (e.ts < fl->ts || (e.ts == fl->ts && id < fl->id))))
            break; /* newest first: the rest are older still */
        sqlite3_bind_int64(verify, 1, id);
        rc = sqlite3_step(verify);
        if (rc == SQLITE_ROW) {
            out = hub_cands_push(c, sqlite3_column_int64(verify, 0), id);
            taken++;
        } else if (rc != SQLITE_DONE) {
            out = sq_err(db, rc);
        }
        sqlite3_reset(verify);
    }
    sqlite3_reset(kb);
    hub_cands_trim(c);
    return out;
}

/* Newest first among the events with an address or flow key, segment by segment, newest
 * segments first; stops when the older segments cannot beat what is kept. A sealed segment
 * is read through ev_kb, the open one (at most 2^SEG_SHIFT events) by its rowid range. */
static int query_by_key(sqlite3 *db, const struct hub_scope *sc, const struct hub_event_filter *f,
                        struct hub_cands *c)
{
    struct q qo = {0}, qv = {0};
    q_sql(&qo, "SELECT ts_us, id FROM events NOT INDEXED WHERE id>=? AND id<?");
    q_int(&qo, 0); /* the partition's ids */
    q_int(&qo, 0);
    q_cursor(&qo, f, "ts_us", "id");
    event_where(&qo, sc, f, true, NULL);
    q_sql(&qo, " ORDER BY ts_us DESC, id DESC LIMIT ?");
    q_int(&qo, f->limit);
    q_sql(&qv, "SELECT ts_us, id FROM events WHERE id=?");
    q_int(&qv, 0); /* the candidate */
    q_cursor(&qv, f, "ts_us", "id");
    event_where(&qv, sc, f, true, NULL);
    const char *key = f->ip ? f->ip : f->src_ip ? f->src_ip : f->dest_ip;
    uint64_t h = f->flow_id ? hub_kb_hash_flow(f->flow_id) : hub_kb_hash_text(key, strlen(key));
    sqlite3_stmt *sto = NULL, *stv = NULL, *kb = NULL, *segs = NULL;
    int rc;
    if ((rc = q_prepare_ev(db, &qo, &sto)) != CS_OK || (rc = q_prepare_ev(db, &qv, &stv)) != CS_OK)
        goto out;
    if ((rc = sqlite3_prepare_v2(db, "SELECT v FROM ev_kb WHERE seg=? AND b=?", -1, &kb, NULL)) !=
            SQLITE_OK ||
        (rc = sqlite3_prepare_v2(db,
                                 "SELECT seg, min_ts, max_ts, sealed FROM ev_seg"
                                 " ORDER BY max_ts DESC",
                                 -1, &segs, NULL)) != SQLITE_OK) {
        rc = sq_err(db, rc);
        goto out;
    }
    rc = CS_OK;
    int src;
    while (rc == CS_OK && (src = sqlite3_step(segs)) == SQLITE_ROW) {
        int64_t seg = sqlite3_column_int64(segs, 0), mn = sqlite3_column_int64(segs, 1),
                mx = sqlite3_column_int64(segs, 2);
        const struct hub_cand *fl = hub_cands_floor(c);
        if (fl && fl->ts > mx)
            break; /* this segment and all after it are older than every row kept */
        if ((f->from_us && mx < f->from_us) || (f->to_us && mn >= f->to_us) ||
            (f->cursor_id && mn > f->cursor_ts))
            continue;
        if (sqlite3_column_int(segs, 3)) {
            rc = kb_segment(db, kb, stv, seg, h, f, fl, c);
        } else {
            sqlite3_bind_int64(sto, 1, seg << SEG_SHIFT);
            sqlite3_bind_int64(sto, 2, (seg + 1) << SEG_SHIFT);
            rc = cands_add(db, sto, c);
        }
    }
    if (rc == CS_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_err(db, src);
out:
    sqlite3_finalize(segs);
    sqlite3_finalize(kb);
    sqlite3_finalize(stv);
    sqlite3_finalize(sto);
    return rc;
}

static int sq_event_query(struct hub_store *hs, const struct hub_scope *sc,
                          const struct hub_event_filter *f, int64_t id,
                          int (*cb)(void *, const struct hub_event_row *), void *arg)
{
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3 *db = r->db;
    struct q q = {0};
    struct orgset *os = NULL;
    struct hub_cands c = {.limit = (size_t)(f->limit > 0 ? f->limit : 1)};
    int nrows = 0;
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN"); /* one snapshot for the org set, the candidates and the rows */
    if (rc)
        goto out;
    if (id || f->since_id) {
        /* by id, or polling in id order: the rowid drives */
        q_sql(&q, EV_COLS " WHERE 1");
        if (id) {
            q_sql(&q, " AND id=?");
            q_int(&q, id);
        }
        event_where(&q, sc, f, true, NULL);
        if (f->since_id)
            q_sql(&q, " ORDER BY id LIMIT ?");
        else
            q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ?");
        q_int(&q, f->limit);
        goto plain;
    }
    if (f->flow_id || f->ip || f->src_ip || f->dest_ip) {
        /* key blocks (ev_kb), segment by segment */
        if ((rc = query_by_key(db, sc, f, &c)) == CS_OK)
            rc = cands_emit(db, &c, cb, arg);
        goto out_end;
    }
    bool plus = true;
    q_sql(&q, EV_COLS " WHERE 1");
    if (f->signature_id) {
        q_sql(&q, " AND signature_id=?"); /* events_sig_ts, in order */
        q_int(&q, f->signature_id);
        goto plain_where;
    }
    if (f->signature) {
        /* the signature dictionary, then events_sig_ts id by id */
        rc = query_by_sig(db, sc, f, &c);
        if (rc == CS_OK)
            rc = cands_emit(db, &c, cb, arg);
        if (rc != 1)
            goto out_end;
        c.n = 0; /* an id-less text matches: the general path below */
    }
    os = cs_malloc(sizeof(*os));
    if (!os) {
        rc = CS_ENOMEM;
        goto out_end;
    }
    if ((rc = orgset_load(db, sc, f, os)) != CS_OK)
        goto out_end;
    if (!os->overflow && f->severity_max && !f->signature) {
        /* events_osev_ts, (org, severity) by (org, severity) */
        if ((rc = query_by_org_sev(db, sc, f, os, &c)) == CS_OK)
            rc = cands_emit(db, &c, cb, arg);
        goto out_end;
    }
    if (!os->overflow) {
        /* events_org_ts, org by org */
        if ((rc = query_by_org(db, sc, f, os, &c)) == CS_OK)
            rc = cands_emit(db, &c, cb, arg);
        goto out_end;
    }
    /* more organisations than the merge takes: one query (may sort) */
    plus = false;
plain_where:
    event_where(&q, sc, f, plus, NULL);
    q_cursor(&q, f, "ts_us", "id");
    q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ?");
    q_int(&q, f->limit);
plain:
    if ((rc = q_prepare_ev(db, &q, &st)) != CS_OK)
        goto out_end;
    rc = emit_rows(db, st, cb, arg, &nrows);
    sqlite3_finalize(st);
    if (rc == CS_OK && id && nrows == 0)
        rc = HUB_ENOTFOUND;
out_end:
    exec(db, "COMMIT");
out:
    cs_free(c.v);
    cs_free(os);
    reader_put(r);
    return rc;
}

static int sq_event_count(struct hub_store *hs, const struct hub_scope *sc, int64_t *out)
{
    struct q q = {0};
    q_sql(&q, "SELECT count(*) FROM events WHERE 1");
    q_scope(&q, sc, "org_id");
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3_stmt *st;
    int rc = q_prepare(r->db, &q, &st);
    if (rc == CS_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = CS_OK;
        } else {
            rc = sq_err(r->db, rc);
        }
        sqlite3_finalize(st);
    }
    reader_put(r);
    return rc;
}

/* ---- audit ----------------------------------------------------------------------------- */

static int sq_audit_append(struct hub_store *hs, struct hub_audit_row *r,
                           int (*seal)(void *, struct hub_audit_row *, const char *), void *arg)
{
    struct sq_store *s = SQ(hs);
    char prev[160] = "";
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->wlock);
    int rc = exec(s->wdb, "BEGIN IMMEDIATE");
    if (rc)
        goto out;
    r->seq = 1;
    rc = sqlite3_prepare_v2(s->wdb, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1,
                            &st, NULL);
    if (rc) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->seq = sqlite3_column_int64(st, 0) + 1;
        copy_col(prev, sizeof(prev), st, 1);
    }
    sqlite3_finalize(st);
    if ((rc = seal(arg, r, prev)) != CS_OK)
        goto rollback;
    rc = sqlite3_prepare_v2(s->wdb,
                            "INSERT INTO audit(seq, ts_us, actor, actor_type, action, target,"
                            " source, before, after, prev_hash, hash)"
                            " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                            -1, &st, NULL);
    if (rc) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    const char *t[] = {r->actor,  r->actor_type, r->action, r->target,
                       r->source, r->before,     r->after,  r->prev_hash ? r->prev_hash : prev,
                       r->hash};
    sqlite3_bind_int64(st, 1, r->seq);
    sqlite3_bind_int64(st, 2, r->ts_us);
    for (int i = 0; i < 9; i++) {
        if (t[i])
            sqlite3_bind_text(st, 3 + i, t[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 3 + i);
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = sq_err(s->wdb, rc);
        goto rollback;
    }
    rc = exec(s->wdb, "COMMIT");
    goto out;
rollback:
    exec(s->wdb, "ROLLBACK");
out:
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

static int sq_audit_list(struct hub_store *hs, int64_t from_seq,
                         int (*cb)(void *, const struct hub_audit_row *), void *arg)
{
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db,
                                "SELECT seq, ts_us, actor, actor_type, action, target, source,"
                                " before, after, prev_hash, hash FROM audit WHERE seq>=?"
                                " ORDER BY seq",
                                -1, &st, NULL);
    if (rc) {
        rc = sq_err(r->db, rc);
        goto out;
    }
    sqlite3_bind_int64(st, 1, from_seq);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hub_audit_row a;
        a.seq = sqlite3_column_int64(st, 0);
        a.ts_us = sqlite3_column_int64(st, 1);
        const char **f[] = {&a.actor,  &a.actor_type, &a.action,    &a.target, &a.source,
                            &a.before, &a.after,      &a.prev_hash, &a.hash};
        for (int i = 0; i < 9; i++) {
            const unsigned char *t = sqlite3_column_text(st, 2 + i);
            *f[i] = (const char *)t;
        }
        int stop = cb(arg, &a);
        if (stop) {
            rc = stop;
            goto fin;
        }
    }
    rc = rc == SQLITE_DONE ? CS_OK : sq_err(r->db, rc);
fin:
    sqlite3_finalize(st);
out:
    reader_put(r);
    return rc;
}

static int sq_audit_ckpt_add(struct hub_store *hs, const struct hub_audit_ckpt_row *c)
{
    struct sq_store *s = SQ(hs);
    sqlite3_stmt *st;
    pthread_mutex_lock(&s->wlock);
    int rc = sqlite3_prepare_v2(
        s->wdb, "INSERT INTO audit_ckpt(seq, hash, ts_us, sig) VALUES(?,?,?,?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, c->seq);
        sqlite3_bind_text(st, 2, c->hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, c->ts_us);
        sqlite3_bind_blob(st, 4, c->sig, (int)c->siglen, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? CS_OK : sq_err(s->wdb, rc);
    } else {
        rc = sq_err(s->wdb, rc);
    }
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

static int sq_audit_ckpt_list(struct hub_store *hs,
                              int (*cb)(void *, const struct hub_audit_ckpt_row *), void *arg)
{
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(r->db, "SELECT seq, hash, ts_us, sig FROM audit_ckpt ORDER BY seq",
                                -1, &st, NULL);
    if (rc) {
        rc = sq_err(r->db, rc);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hub_audit_ckpt_row c = {
            .seq = sqlite3_column_int64(st, 0),
            .hash = (const char *)sqlite3_column_text(st, 1),
            .ts_us = sqlite3_column_int64(st, 2),
            .sig = sqlite3_column_blob(st, 3),
            .siglen = (size_t)sqlite3_column_bytes(st, 3),
        };
        int stop = cb(arg, &c);
        if (stop) {
            rc = stop;
            goto fin;
        }
    }
    rc = rc == SQLITE_DONE ? CS_OK : sq_err(r->db, rc);
fin:
    sqlite3_finalize(st);
out:
    reader_put(r);
    return rc;
}

static int sq_audit_head(struct hub_store *hs, int64_t *seq, char *hash, size_t cap)
{
    struct sq_store *s = SQ(hs);
    sqlite3_stmt *st;
    *seq = 0;
    hash[0] = 0;
    pthread_mutex_lock(&s->wlock);
    int rc = sqlite3_prepare_v2(s->wdb, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *seq = sqlite3_column_int64(st, 0);
            copy_col(hash, cap, st, 1);
        }
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? CS_OK : sq_err(s->wdb, rc);
        sqlite3_finalize(st);
    } else {
        rc = sq_err(s->wdb, rc);
    }
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

/* ---- statistics ------------------------------------------------------------------------
 *
 * Rollups kept at ingest, inside the batch transaction: ru_ev counts events per (bucket,
 * org, sensor, event_type, app_proto, ics_op, severity, signature_id) and ru_ip counts alerts
 * per (bucket, org, side, address), hourly (res 3600; bucket = ts_us / (res * 10^6)); ru_min
 * counts events per (minute, org, severity class) for the fine chart. A batch is first
 * aggregated in memory (its events sorted by key), then one upsert per distinct key. ru_sig
 * remembers each signature's text and severity; sensor_state the last batch and the newest stats
 * counters of a sensor. The overview reads only these tables, so its cost follows the number of
 * distinct keys in the range, not the number of events. */

#define SQ_US 1000000LL
#define RU_RES HUB_STATS_HOUR_RES

struct sq_rollup {
    sqlite3_stmt *ev, *ip, *sig, *sensor, *min;
};

static void bind_txt0(sqlite3_stmt *st, int i, struct hub_text v)
{
    sqlite3_bind_text(st, i, v.p ? v.p : "", (int)v.len, SQLITE_STATIC);
}

static int ru_step(struct sq_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CS_OK : sq_err(s->wdb, rc);
}

/* Upserts the batch's rollup rows (aggregated by rollup.c); runs inside the batch
 * transaction (write lock held). last_id: the batch's newest event id (0 when n is 0). */
static int rollup_batch(struct sq_store *s, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n, int64_t last_id)
{
    struct sq_rollup *ru = s->ru;
    struct hub_rollup r;
    int rc = hub_rollup_build(&r, ev, n);
    if (rc)
        return rc;
    for (size_t k = 0; k < r.nev && rc == CS_OK; k++) {
        const struct hub_store_event *e = r.ev[k].last;
        sqlite3_stmt *st = ru->ev;
        sqlite3_bind_int64(st, 1, RU_RES);
        sqlite3_bind_int64(st, 2, r.ev[k].hour);
        sqlite3_bind_int64(st, 3, b->org_id);
        sqlite3_bind_int64(st, 4, b->sensor_id);
        bind_txt0(st, 5, e->event_type);
        bind_txt0(st, 6, e->app_proto);
        bind_txt0(st, 7, e->ics_op);
        sqlite3_bind_int64(st, 8, hub_ru_sev(e));
        sqlite3_bind_int64(st, 9, hub_ru_sid(e));
        sqlite3_bind_int64(st, 10, r.ev[k].n);
        rc = ru_step(s, st);
    }
    /* a signature may come again (another hour, type…): unchanged, no write */
    for (size_t k = 0; k < r.nsig && rc == CS_OK; k++) {
        sqlite3_stmt *st = ru->sig;
        sqlite3_bind_int64(st, 1, r.sig[k].sid);
        bind_txt0(st, 2, r.sig[k].last->signature);
        sqlite3_bind_int64(st, 3, r.sig[k].last->severity > 0 ? r.sig[k].last->severity : -1);
        rc = ru_step(s, st);
    }
    for (size_t k = 0; k < r.nip && rc == CS_OK; k++) {
        sqlite3_stmt *st = ru->ip;
        sqlite3_bind_int64(st, 1, RU_RES);
        sqlite3_bind_int64(st, 2, r.ip[k].hour);
        sqlite3_bind_int64(st, 3, b->org_id);
        sqlite3_bind_int64(st, 4, r.ip[k].side);
        bind_txt0(st, 5, r.ip[k].ip);
        sqlite3_bind_int64(st, 6, r.ip[k].n);
        rc = ru_step(s, st);
    }
    for (size_t k = 0; k < r.nmin && rc == CS_OK; k++) {
        sqlite3_stmt *st = ru->min;
        sqlite3_bind_int64(st, 1, r.min[k].minute);
        sqlite3_bind_int64(st, 2, b->org_id);
        sqlite3_bind_int64(st, 3, r.min[k].cls);
        sqlite3_bind_int64(st, 4, r.min[k].n);
        rc = ru_step(s, st);
    }
    if (rc == CS_OK) {
        sqlite3_stmt *st = ru->sensor;
        sqlite3_bind_int64(st, 1, b->sensor_id);
        sqlite3_bind_int64(st, 2, b->received_us ? b->received_us : now_us());
        sqlite3_bind_int64(st, 3, r.stats_us);
        sqlite3_bind_int64(st, 4, r.packets);
        sqlite3_bind_int64(st, 5, r.drops);
        sqlite3_bind_int64(st, 6, last_id);
        rc = ru_step(s, st);
    }
    hub_rollup_free(&r);
    return rc;
}

static int rollup_prepare(struct sq_store *s)
{
    static const char *const sql[5] = {
        "INSERT INTO ru_ev(res, bucket, org_id, sensor_id, event_type, app_proto, ics_op,"
        " severity, signature_id, n) VALUES(?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(res, bucket, org_id, sensor_id, event_type, app_proto, ics_op, severity,"
        " signature_id) DO UPDATE SET n=n+excluded.n",
        "INSERT INTO ru_ip(res, bucket, org_id, side, ip, n) VALUES(?,?,?,?,?,?)"
        " ON CONFLICT(res, bucket, org_id, side, ip) DO UPDATE SET n=n+excluded.n",
        "INSERT INTO ru_sig(signature_id, signature, severity) VALUES(?,?,?)"
        " ON CONFLICT(signature_id) DO UPDATE SET signature=excluded.signature,"
        " severity=excluded.severity WHERE signature<>excluded.signature"
        " OR severity<>excluded.severity",
        "INSERT INTO sensor_state(sensor_id, last_seen_us, stats_us, packets, drops,"
        " last_event_id) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(sensor_id) DO UPDATE SET"
        " last_seen_us=max(last_seen_us, excluded.last_seen_us),"
        " last_event_id=max(last_event_id, excluded.last_event_id),"
        " packets=CASE WHEN ?3>0 AND ?3>=stats_us THEN ?4 ELSE packets END,"
        " drops=CASE WHEN ?3>0 AND ?3>=stats_us THEN ?5 ELSE drops END,"
        " stats_us=CASE WHEN ?3>0 AND ?3>=stats_us THEN ?3 ELSE stats_us END",
        "INSERT INTO ru_min(bucket, org_id, severity, n) VALUES(?,?,?,?)"
        " ON CONFLICT(bucket, org_id, severity) DO UPDATE SET n=n+excluded.n",
    };
    s->ru = cs_calloc(1, sizeof(*s->ru));
    if (!s->ru)
        return CS_ENOMEM;
    sqlite3_stmt **st[5] = {&s->ru->ev, &s->ru->ip, &s->ru->sig, &s->ru->sensor, &s->ru->min};
    for (int i = 0; i < 5; i++)
        if (sqlite3_prepare_v3(s->wdb, sql[i], -1, SQLITE_PREPARE_PERSISTENT, st[i], NULL))
            return CS_EIO;
    return CS_OK;
}

static void rollup_close(struct sq_store *s)
{
    if (!s->ru)
        return;
    sqlite3_finalize(s->ru->ev);
    sqlite3_finalize(s->ru->ip);
    sqlite3_finalize(s->ru->sig);
    sqlite3_finalize(s->ru->sensor);
    sqlite3_finalize(s->ru->min);
    cs_free(s->ru);
    s->ru = NULL;
}

/* The hourly range that covers [from, to): what the breakdowns are read over. */
static void ru_hours(const struct hub_stats_query *sq, int64_t *from_h, int64_t *to_h)
{
    int64_t h = RU_RES * SQ_US;
    *from_h = sq->from_us / h;
    *to_h = (sq->to_us + h - 1) / h;
}

/* " WHERE" over ru_ev/ru_ip (hourly, res 3600), or ru_min when minutes: the range (widened
 * to whole hours for the hourly tables), scope and org. */
static void ru_where(struct q *q, const struct hub_scope *sc, const struct hub_stats_query *sq,
                     bool minutes)
{
    int64_t from, to;
    if (minutes) {
        from = sq->from_us / (HUB_STATS_MIN_RES * SQ_US);
        to = (sq->to_us + HUB_STATS_MIN_RES * SQ_US - 1) / (HUB_STATS_MIN_RES * SQ_US);
        q_sql(q, " WHERE bucket>=? AND bucket<?");
    } else {
        ru_hours(sq, &from, &to);
        q_sql(q, " WHERE res=? AND bucket>=? AND bucket<?");
        q_int(q, RU_RES);
    }
    q_int(q, from);
    q_int(q, to);
    q_scope(q, sc, "org_id");
    if (sq->org_id) {
        q_sql(q, " AND org_id IN (SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs"
                 " WHERE id=?)||'%')");
        q_int(q, sq->org_id);
    }
}

/* Runs q on db, calling fn per row (each_row() semantics). */
static int run_q(sqlite3 *db, struct q *q, int (*fn)(sqlite3_stmt *st, void *ctx), void *ctx)
{
    sqlite3_stmt *st;
    int rc = q_prepare(db, q, &st);
    return rc ? rc : each_row(db, st, fn, ctx);
}

/* The overview reads ru_ev once and aggregates in memory: one pass for the totals, points,
 * signatures, protocols and ICS operations. (A GROUP BY per section read the same rows five
 * times.) The address lists come from store.c's cache (stats_cache.c) through
 * sq_stats_ip_hours. */

/* A counting hash table keyed by (k, text); texts are copied into an arena. */
struct ov_ent {
    uint64_t h;
    int64_t k, n;
    uint32_t off, len;
};
struct ov_map {
    struct ov_ent *t;
    size_t cap, n;
    char *s;
    size_t slen, scap;
    bool oom;
};

static uint64_t ov_hash(int64_t k, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)k * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h | 1; /* 0 marks an empty slot */
}

static bool ov_grow(struct ov_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    struct ov_ent *t = cs_calloc(cap, sizeof(*t));
    if (!t)
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->t[i].h)
            continue;
        size_t j = m->t[i].h & (cap - 1);
        while (t[j].h)
            j = (j + 1) & (cap - 1);
        t[j] = m->t[i];
    }
    cs_free(m->t);
    m->t = t;
    m->cap = cap;
    return true;
}

static void ov_add(struct ov_map *m, int64_t k, const char *s, size_t len, int64_t n)
{
    if (m->oom)
        return;
    if ((m->n + 1) * 2 > m->cap && !ov_grow(m)) {
        m->oom = true;
        return;
    }
    uint64_t h = ov_hash(k, s, len);
    size_t j = h & (m->cap - 1);
    for (; m->t[j].h; j = (j + 1) & (m->cap - 1)) {
        struct ov_ent *e = &m->t[j];
        if (e->h == h && e->k == k && e->len == len && (!len || !memcmp(m->s + e->off, s, len))) {
            e->n += n;
            return;
        }
    }
    if (m->slen + len > m->scap) {
        size_t cap = m->scap ? m->scap * 2 : 4096;
        while (cap < m->slen + len)
            cap *= 2;
        char *ns = cs_realloc(m->s, cap);
        if (!ns) {
            m->oom = true;
            return;
        }
        m->s = ns;
        m->scap = cap;
    }
    if (len)
        memcpy(m->s + m->slen, s, len);
    m->t[j] = (struct ov_ent){h, k, n, (uint32_t)m->slen, (uint32_t)len};
    m->slen += len;
    m->n++;
}

static void ov_free(struct ov_map *m)
{
    cs_free(m->t);
    cs_free(m->s);
    memset(m, 0, sizeof(*m));
}

/* Order: count descending, then k, then text (as the SQL it replaces: ORDER BY c DESC, key). */
static int ov_cmp(const struct ov_map *m, const struct ov_ent *a, const struct ov_ent *b)
{
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    size_t l = a->len < b->len ? a->len : b->len;
    int c = l ? memcmp(m->s + a->off, m->s + b->off, l) : 0;
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The first `max` entries in ov_cmp() order into top[] (insertion into a short sorted
 * list); returns how many. */
static size_t ov_top(const struct ov_map *m, const struct ov_ent **top, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const struct ov_ent *e = &m->t[i];
        if (!e->h || (n == max && ov_cmp(m, e, top[n - 1]) >= 0))
            continue;
        size_t j = n < max ? n++ : n - 1;
        while (j > 0 && ov_cmp(m, e, top[j - 1]) < 0) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = e;
    }
    return n;
}

static void ov_copy(char *dst, size_t cap, const struct ov_map *m, const struct ov_ent *e)
{
    snprintf(dst, cap, "%.*s", (int)e->len, m->s + e->off);
}

static int sq_stats_overview(struct hub_store *hs, const struct hub_scope *sc,
                             const struct hub_stats_query *sq, struct hub_stats_overview *o)
{
    struct sq_reader *r = reader_get(SQ(hs));
    int64_t step = sq->bucket_s / sq->res_s, b0 = sq->from_us / (sq->res_s * SQ_US);
    bool minutes = sq->res_s == HUB_STATS_MIN_RES; /* totals and chart from ru_min */
    struct ov_map sigs = {0}, protos = {0}, ics = {0};
    const struct ov_ent **top = cs_malloc(HUB_STATS_MAX_ROWS * sizeof(*top));
    sqlite3_stmt *st = NULL;
    int rc = top ? exec(r->db, "BEGIN") : CS_ENOMEM; /* one snapshot for both tables */
    if (rc)
        goto out;
    o->npoints =
        (size_t)((sq->to_us - sq->from_us + sq->bucket_s * SQ_US - 1) / (sq->bucket_s * SQ_US));
    for (size_t i = 0; i < o->npoints; i++)
        o->points[i].ts_us = sq->from_us + (int64_t)i * sq->bucket_s * SQ_US;
    ru_hours(sq, &o->brk_from_us, &o->brk_to_us);
    o->brk_from_us *= RU_RES * SQ_US;
    o->brk_to_us *= RU_RES * SQ_US;

    struct q q = {0};
    if (minutes) {
        q_sql(&q, "SELECT bucket, severity, n FROM ru_min");
        ru_where(&q, sc, sq, true);
        if ((rc = q_prepare(r->db, &q, &st)) != CS_OK)
            goto end;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t i = (sqlite3_column_int64(st, 0) - b0) / step;
            int64_t cls = sqlite3_column_int64(st, 1), n = sqlite3_column_int64(st, 2);
            o->events += n;
            o->alerts += cls ? n : 0;
            if (cls >= 1 && cls <= 4 && i >= 0 && (size_t)i < o->npoints)
                o->points[i].by_sev[cls - 1] += n;
        }
        sqlite3_finalize(st);
        st = NULL;
        if (rc != SQLITE_DONE) {
            rc = sq_err(r->db, rc);
            goto end;
        }
        q = (struct q){0};
    }
    q_sql(&q, "SELECT bucket, app_proto, ics_op, severity, signature_id, n FROM ru_ev");
    ru_where(&q, sc, sq, false);
    if ((rc = q_prepare(r->db, &q, &st)) != CS_OK)
        goto end;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t bucket = sqlite3_column_int64(st, 0), sev = sqlite3_column_int64(st, 3);
        int64_t sid = sqlite3_column_int64(st, 4), n = sqlite3_column_int64(st, 5);
        struct hub_text app = col_str(st, 1), op = col_str(st, 2);
        o->events += minutes ? 0 : n;
        ov_add(&protos, 0, app.p, app.len, n);
        if (op.len) {
            char key[96];
            int kl = snprintf(key, sizeof(key), "%.*s%c%.*s", (int)CS_MIN(app.len, 40),
                              app.p ? app.p : "", 0, (int)CS_MIN(op.len, 40), op.p);
            ov_add(&ics, 0, key, (size_t)kl, n);
        }
        if (sid < 0)
            continue;
        ov_add(&sigs, sid, NULL, 0, n);
        if (minutes)
            continue;
        o->alerts += n;
        int64_t i = (bucket - b0) / step;
        if (sev >= 1 && sev <= 4 && i >= 0 && (size_t)i < o->npoints)
            o->points[i].by_sev[sev - 1] += n;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        rc = sq_err(r->db, rc);
        goto end;
    }

    if (sigs.oom || protos.oom || ics.oom) {
        rc = CS_ENOMEM;
        goto end;
    }

    size_t n = ov_top(&sigs, top, HUB_STATS_TOP);
    rc = sqlite3_prepare_v2(r->db, "SELECT signature, severity FROM ru_sig WHERE signature_id=?",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_err(r->db, rc);
        goto end;
    }
    for (size_t i = 0; i < n; i++) {
        struct hub_stats_sig *g = &o->sigs[o->nsigs++];
        g->signature_id = top[i]->k;
        g->count = top[i]->n;
        g->severity = -1;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, g->signature_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            copy_col(g->signature, sizeof(g->signature), st, 0);
            g->severity = (int32_t)sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_finalize(st);
    st = NULL;

    n = ov_top(&protos, top, HUB_STATS_MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        struct hub_stats_proto *p = &o->protos[o->nprotos++];
        ov_copy(p->app_proto, sizeof(p->app_proto), &protos, top[i]);
        if (!p->app_proto[0])
            snprintf(p->app_proto, sizeof(p->app_proto), "none");
        p->count = top[i]->n;
    }
    n = ov_top(&ics, top, HUB_STATS_MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        struct hub_stats_ics *x = &o->ics[o->nics++];
        const char *key = ics.s + top[i]->off;
        size_t al = strnlen(key, top[i]->len);
        snprintf(x->app_proto, sizeof(x->app_proto), "%.*s", (int)al, key);
        snprintf(x->op, sizeof(x->op), "%.*s", (int)(top[i]->len - al - (al < top[i]->len)),
                 key + al + 1);
        x->count = top[i]->n;
    }
    rc = CS_OK;
end:
    sqlite3_finalize(st);
    exec(r->db, "COMMIT");
out:
    reader_put(r);
    ov_free(&sigs);
    ov_free(&protos);
    ov_free(&ics);
    cs_free(top);
    return rc;
}

static int sq_stats_ip_hours(struct hub_store *hs, int64_t from_h, int64_t to_h,
                             int (*cb)(void *, const struct hub_stats_ip_row *), void *arg)
{
    struct sq_reader *r = reader_get(SQ(hs));
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db,
                                "SELECT bucket, org_id, side, ip, n FROM ru_ip"
                                " WHERE res=? AND bucket>=? AND bucket<?",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_err(r->db, rc);
        goto out;
    }
    sqlite3_bind_int64(st, 1, RU_RES);
    sqlite3_bind_int64(st, 2, from_h);
    sqlite3_bind_int64(st, 3, to_h);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hub_stats_ip_row row = {
            .hour = sqlite3_column_int64(st, 0),
            .org_id = sqlite3_column_int64(st, 1),
            .side = (int)sqlite3_column_int64(st, 2),
            .ip = col_str(st, 3),
            .n = sqlite3_column_int64(st, 4),
        };
        int c = cb(arg, &row);
        if (c) {
            rc = c;
            goto out;
        }
    }
    rc = rc == SQLITE_DONE ? CS_OK : sq_err(r->db, rc);
out:
    sqlite3_finalize(st);
    reader_put(r);
    return rc;
}

struct stats_org_cb {
    int (*cb)(void *, const struct hub_stats_org *);
    void *arg;
};
static int stats_org_row(sqlite3_stmt *st, void *ctx)
{
    struct stats_org_cb *c = ctx;
    struct hub_stats_org o;
    o.id = sqlite3_column_int64(st, 0);
    o.parent_id = sqlite3_column_int64(st, 1);
    copy_col(o.name, sizeof(o.name), st, 2);
    copy_col(o.kind, sizeof(o.kind), st, 3);
    copy_col(o.path, sizeof(o.path), st, 4);
    o.sensors = sqlite3_column_int64(st, 5);
    o.events = sqlite3_column_int64(st, 6);
    o.alerts = sqlite3_column_int64(st, 7);
    return c->cb(c->arg, &o);
}

static int sq_stats_orgs(struct hub_store *hs, const struct hub_scope *sc,
                         const struct hub_stats_query *sq,
                         int (*cb)(void *, const struct hub_stats_org *), void *arg)
{
    struct q q = {0};
    struct hub_stats_query all = *sq; /* hourly whatever the overview's resolution */
    all.org_id = 0;
    q_sql(&q, "SELECT o.id, coalesce(o.parent_id, 0), o.name, o.kind, o.path,"
              " (SELECT count(*) FROM sensors WHERE org_id=o.id), coalesce(r.ev, 0),"
              " coalesce(r.al, 0) FROM orgs o LEFT JOIN (SELECT org_id, sum(n) ev,"
              " sum(CASE WHEN signature_id>=0 THEN n ELSE 0 END) al FROM ru_ev");
    ru_where(&q, sc, &all, false);
    q_sql(&q, " GROUP BY org_id) r ON r.org_id=o.id WHERE 1");
    q_scope(&q, sc, "o.id");
    if (sq->org_id) {
        q_sql(&q, " AND o.path LIKE (SELECT path FROM orgs WHERE id=?)||'%'");
        q_int(&q, sq->org_id);
    }
    q_sql(&q, " ORDER BY o.path");
    struct stats_org_cb c = {cb, arg};
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = run_q(r->db, &q, stats_org_row, &c);
    reader_put(r);
    return rc;
}

struct stats_sensor_cb {
    int (*cb)(void *, const struct hub_stats_sensor *);
    void *arg;
};
static int stats_sensor_row(sqlite3_stmt *st, void *ctx)
{
    struct stats_sensor_cb *c = ctx;
    struct hub_stats_sensor se;
    se.id = sqlite3_column_int64(st, 0);
    se.org_id = sqlite3_column_int64(st, 1);
    copy_col(se.name, sizeof(se.name), st, 2);
    se.last_seen_us = sqlite3_column_int64(st, 3);
    se.packets = sqlite3_column_int64(st, 4);
    se.drops = sqlite3_column_int64(st, 5);
    se.stats_us = sqlite3_column_int64(st, 6);
    return c->cb(c->arg, &se);
}

static int sq_stats_sensors(struct hub_store *hs, const struct hub_scope *sc, int64_t org_id,
                            int (*cb)(void *, const struct hub_stats_sensor *), void *arg)
{
    struct q q = {0};
    q_sql(&q, "SELECT s.id, s.org_id, s.name, coalesce(t.last_seen_us, 0),"
              " coalesce(t.packets, -1), coalesce(t.drops, -1), coalesce(t.stats_us, 0)"
              " FROM sensors s LEFT JOIN sensor_state t ON t.sensor_id=s.id WHERE 1");
    q_scope(&q, sc, "s.org_id");
    if (org_id) {
        q_sql(&q, " AND s.org_id IN (SELECT id FROM orgs WHERE path LIKE"
                  " (SELECT path FROM orgs WHERE id=?)||'%')");
        q_int(&q, org_id);
    }
    q_sql(&q, " ORDER BY s.id");
    struct stats_sensor_cb c = {cb, arg};
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = run_q(r->db, &q, stats_sensor_row, &c);
    reader_put(r);
    return rc;
}

struct stats_agg_cb {
    int (*cb)(void *, const struct hub_stats_agg_row *);
    void *arg;
};
static int stats_agg_row(sqlite3_stmt *st, void *ctx)
{
    struct stats_agg_cb *c = ctx;
    struct hub_stats_agg_row a = {
        .key = col_str(st, 0),
        .key_id = col_opt(st, 1),
        .label = col_str(st, 2),
        .count = sqlite3_column_int64(st, 3),
        .last_us = sqlite3_column_int64(st, 4),
    };
    return c->cb(c->arg, &a);
}

static int sq_stats_agg(struct hub_store *hs, const struct hub_scope *sc,
                        const struct hub_event_filter *f, enum hub_stats_by by,
                        int (*cb)(void *, const struct hub_stats_agg_row *), void *arg)
{
    static const struct {
        const char *select, *group;
    } g[] = {
        [HUB_BY_SIGNATURE] = {"SELECT NULL, signature_id, max(signature), count(*), max(ts_us)"
                              " FROM events WHERE signature_id IS NOT NULL",
                              " GROUP BY signature_id"},
        [HUB_BY_SRC_IP] = {"SELECT src_ip, NULL, NULL, count(*), max(ts_us) FROM events"
                           " WHERE src_ip IS NOT NULL",
                           " GROUP BY src_ip"},
        [HUB_BY_DEST_IP] = {"SELECT dest_ip, NULL, NULL, count(*), max(ts_us) FROM events"
                            " WHERE dest_ip IS NOT NULL",
                            " GROUP BY dest_ip"},
        [HUB_BY_APP_PROTO] = {"SELECT coalesce(app_proto, 'none'), NULL, NULL, count(*),"
                              " max(ts_us) FROM events WHERE 1",
                              " GROUP BY 1"},
        [HUB_BY_SEVERITY] = {"SELECT NULL, severity, NULL, count(*), max(ts_us) FROM events"
                             " WHERE severity IS NOT NULL",
                             " GROUP BY severity"},
        [HUB_BY_ORG] = {"SELECT NULL, org_id, (SELECT name FROM orgs WHERE id=events.org_id),"
                        " count(*), max(ts_us) FROM events WHERE 1",
                        " GROUP BY org_id"},
        [HUB_BY_SENSOR] = {"SELECT NULL, sensor_id, (SELECT name FROM sensors"
                           " WHERE id=events.sensor_id), count(*), max(ts_us) FROM events"
                           " WHERE 1",
                           " GROUP BY sensor_id"},
        [HUB_BY_EVENT_TYPE] = {"SELECT event_type, NULL, NULL, count(*), max(ts_us) FROM events"
                               " WHERE 1",
                               " GROUP BY event_type"},
    };
    struct hub_event_filter ff = *f;
    ff.since_id = 0; /* a grouping has no order to poll in */
    struct q q = {0};
    if (by == HUB_BY_IP) {
        q_sql(&q, "SELECT ip, NULL, NULL, count(*), max(t) FROM (SELECT src_ip ip, ts_us t"
                  " FROM events WHERE src_ip IS NOT NULL");
        event_where(&q, sc, &ff, false, NULL);
        q_sql(&q, " UNION ALL SELECT dest_ip, ts_us FROM events WHERE dest_ip IS NOT NULL");
        event_where(&q, sc, &ff, false, NULL);
        q_sql(&q, ") GROUP BY ip");
    } else {
        q_sql(&q, g[by].select);
        event_where(&q, sc, &ff, false, NULL);
        q_sql(&q, g[by].group);
    }
    q_sql(&q, " ORDER BY 4 DESC, 1, 2 LIMIT ?");
    q_int(&q, f->limit);
    struct stats_agg_cb c = {cb, arg};
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = run_q(r->db, &q, stats_agg_row, &c);
    reader_put(r);
    return rc;
}

static int last_id_row(sqlite3_stmt *st, void *ctx)
{
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 0;
}

/* From sensor_state (kept at ingest): an index scan of events by org would visit every
 * event of the scope. */
static int sq_event_last_id(struct hub_store *hs, const struct hub_scope *sc, int64_t *out)
{
    struct q q = {0};
    q_sql(&q, "SELECT coalesce(max(t.last_event_id), 0) FROM sensor_state t JOIN sensors s"
              " ON s.id=t.sensor_id WHERE 1");
    q_scope(&q, sc, "s.org_id");
    struct sq_reader *r = reader_get(SQ(hs));
    int rc = run_q(r->db, &q, last_id_row, out);
    reader_put(r);
    return rc;
}

/* ---- open / close ---------------------------------------------------------------------- */

static int sq_schema_version(struct hub_store *hs)
{
    return SQ(hs)->version;
}

static void sq_close(struct hub_store *hs)
{
    struct sq_store *s = SQ(hs);
    if (s->cthread_on) {
        pthread_mutex_lock(&s->clock);
        s->cstop = true;
        pthread_cond_signal(&s->cwake);
        pthread_mutex_unlock(&s->clock);
        pthread_join(s->cthread, NULL);
        /* a segment that filled up since the thread's last round: sealed now */
        seal_all(s);
    }
    sqlite3_finalize(s->c_open_segs);
    sqlite3_finalize(s->c_seg_rows);
    if (s->cdb)
        sqlite3_close(s->cdb);
    pthread_mutex_destroy(&s->clock);
    pthread_cond_destroy(&s->cwake);
    sqlite3_finalize(s->ins_event);
    sqlite3_finalize(s->ins_events);
    sqlite3_finalize(s->ins_batch);
    sqlite3_finalize(s->open_segs);
    sqlite3_finalize(s->seg_rows);
    sqlite3_finalize(s->ins_kb);
    sqlite3_finalize(s->seal_mark);
    sqlite3_finalize(s->get_batch);
    sqlite3_finalize(s->ins_seg);
    sqlite3_finalize(s->ins_sig);
    rollup_close(s);
    for (int i = 0; i < s->nreaders; i++) {
        sqlite3_close(s->readers[i].db);
        pthread_mutex_destroy(&s->readers[i].lock);
    }
    cs_free(s->readers);
    if (s->wdb)
        sqlite3_close(s->wdb);
    pthread_mutex_destroy(&s->wlock);
    pthread_mutex_destroy(&s->gclock);
    pthread_cond_destroy(&s->gcdone);
    cs_free(s);
}

static const struct hub_store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .org_add = sq_org_add,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_set_password = sq_user_set_password,
    .user_list = sq_user_list,
    .sensor_add = sq_sensor_add,
    .sensor_get = sq_sensor_get,
    .sensor_list = sq_sensor_list,
    .cred_add = sq_cred_add,
    .cred_get = sq_cred_get,
    .cred_del = sq_cred_del,
    .cred_purge = sq_cred_purge,
    .cred_list = sq_cred_list,
    .cred_revoke = sq_cred_revoke,
    .batch_add = sq_batch_add,
    .batch_max_id = sq_batch_max_id,
    .event_query = sq_event_query,
    .event_count = sq_event_count,
    .audit_append = sq_audit_append,
    .audit_list = sq_audit_list,
    .audit_ckpt_add = sq_audit_ckpt_add,
    .audit_ckpt_list = sq_audit_ckpt_list,
    .audit_head = sq_audit_head,
    .stats_overview = sq_stats_overview,
    .stats_ip_hours = sq_stats_ip_hours,
    .stats_orgs = sq_stats_orgs,
    .stats_sensors = sq_stats_sensors,
    .stats_agg = sq_stats_agg,
    .event_last_id = sq_event_last_id,
};

static int open_conn(const char *path, int flags, sqlite3 **db, struct cs_err *err)
{
    int rc = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open database %s: %s", path,
                   *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
        return CS_EIO;
    }
    sqlite3_busy_timeout(*db, 10000);
    /* Bigger page cache and memory-mapped reads: fewer read() copies on ingest and query. */
    sqlite3_exec(*db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;", NULL, NULL, NULL);
    return CS_OK;
}

int hub_store_sqlite_open(const char *path, int readers, struct hub_store **out, struct cs_err *err)
{
    struct sq_store *s = cs_calloc(1, sizeof(*s));
    if (!s) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    s->base.ops = &sq_ops;
    pthread_mutex_init(&s->wlock, NULL);
    pthread_mutex_init(&s->gclock, NULL);
    pthread_cond_init(&s->gcdone, NULL);
    s->gctail = &s->gchead;
    pthread_mutex_init(&s->clock, NULL);
    pthread_cond_init(&s->cwake, NULL);
    int rc = open_conn(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s->wdb, err);
    if (rc)
        goto fail;
    /* 16 KiB pages (new databases only; an existing file keeps its size): about 20% less
     * CPU per ingested event than 4 KiB in bench/hub_fill (fewer pages per batch to find,
     * dirty, sort and write to the WAL), and shallower event and index B-trees. */
    if (exec(s->wdb, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA foreign_keys=ON;") != CS_OK) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: not a usable SQLite database: %s", path,
                   sqlite3_errmsg(s->wdb));
        rc = CS_EIO;
        goto fail;
    }
    if ((rc = migrate(s, err)) != CS_OK)
        goto fail;
    /* OR FAIL: a statement of several rows that may abort half-way (a NOT NULL column) makes
     * SQLite keep a statement journal, a temporary file of every page it changes; FAIL keeps
     * what the statement did, and any error rolls the whole group back anyway */
    char ev_sql[256 + EV_ROWS * 36] =
        "INSERT OR FAIL INTO events(org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, "
        "src_port,"
        " dest_port, proto, app_proto, signature_id, signature, severity, raw, flow_id, ics_op)"
        " VALUES";
    size_t ev_head = strlen(ev_sql);
    for (int i = 0; i < EV_ROWS; i++)
        strcat(ev_sql,
               i ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (sqlite3_prepare_v3(s->wdb, ev_sql, -1, SQLITE_PREPARE_PERSISTENT, &s->ins_events, NULL) ||
        sqlite3_prepare_v3(s->wdb, ev_sql, (int)(ev_head + 33), SQLITE_PREPARE_PERSISTENT,
                           &s->ins_event, NULL) ||
        sqlite3_prepare_v3(s->wdb,
                           "INSERT INTO batches(sensor_id, batch_id, org_id, received_us,"
                           " nevents, signature) VALUES(?,?,?,?,?,?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->ins_batch, NULL) ||
        sqlite3_prepare_v3(s->wdb, "SELECT nevents FROM batches WHERE sensor_id=? AND batch_id=?",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->get_batch, NULL) ||
        sqlite3_prepare_v3(s->wdb, "SELECT seg FROM ev_seg WHERE sealed=0 ORDER BY seg", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->open_segs, NULL) ||
        sqlite3_prepare_v3(s->wdb, SEG_ROWS_SQL, -1, SQLITE_PREPARE_PERSISTENT, &s->seg_rows,
                           NULL) ||
        sqlite3_prepare_v3(s->wdb, "INSERT INTO ev_kb(seg, b, v) VALUES(?,?,?)", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->ins_kb, NULL) ||
        sqlite3_prepare_v3(s->wdb, "UPDATE ev_seg SET sealed=1 WHERE seg=?", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->seal_mark, NULL) ||
        sqlite3_prepare_v3(s->wdb,
                           "INSERT INTO ev_seg(seg, min_ts, max_ts, sealed) VALUES(?,?,?,0)"
                           " ON CONFLICT(seg) DO UPDATE SET min_ts=min(min_ts, excluded.min_ts),"
                           " max_ts=max(max_ts, excluded.max_ts)",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->ins_seg, NULL) ||
        sqlite3_prepare_v3(s->wdb,
                           "INSERT INTO ev_sig(signature_id, signature, max_ts) VALUES(?,?,?)"
                           " ON CONFLICT DO UPDATE SET max_ts=max(max_ts, excluded.max_ts)",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->ins_sig, NULL)) {
        cs_err_set(err, CS_EIO, 0, 0, "prepare: %s", sqlite3_errmsg(s->wdb));
        rc = CS_EIO;
        goto fail;
    }
    if ((rc = rollup_prepare(s)) != CS_OK) {
        cs_err_set(err, rc, 0, 0, "prepare rollups: %s", sqlite3_errmsg(s->wdb));
        goto fail;
    }
    if ((rc = seal_all(s)) != CS_OK) {
        cs_err_set(err, rc, 0, 0, "indexing event keys: %s", sqlite3_errmsg(s->wdb));
        goto fail;
    }
    if ((rc = open_conn(path, SQLITE_OPEN_READWRITE, &s->cdb, err)) != CS_OK)
        goto fail;
    sqlite3_exec(s->cdb, "PRAGMA synchronous=FULL;", NULL, NULL, NULL);
    if (sqlite3_prepare_v3(s->cdb, "SELECT seg FROM ev_seg WHERE sealed=0 ORDER BY seg LIMIT 2", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->c_open_segs, NULL) ||
        sqlite3_prepare_v3(s->cdb, SEG_ROWS_SQL, -1, SQLITE_PREPARE_PERSISTENT, &s->c_seg_rows,
                           NULL)) {
        cs_err_set(err, CS_EIO, 0, 0, "prepare: %s", sqlite3_errmsg(s->cdb));
        rc = CS_EIO;
        goto fail;
    }
    s->wseg = -1;
    sqlite3_wal_hook(s->wdb, wal_hook, s); /* replaces wal_autocheckpoint */
    if (pthread_create(&s->cthread, NULL, checkpointer, s) != 0) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot start the checkpoint thread");
        rc = CS_ENOMEM;
        goto fail;
    }
    s->cthread_on = true;
    s->readers = cs_calloc((size_t)readers, sizeof(*s->readers));
    if (!s->readers) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        rc = CS_ENOMEM;
        goto fail;
    }
    for (int i = 0; i < readers; i++) {
        pthread_mutex_init(&s->readers[i].lock, NULL);
        s->nreaders = i + 1;
        if ((rc = open_conn(path, SQLITE_OPEN_READONLY, &s->readers[i].db, err)) != CS_OK)
            goto fail;
    }
    *out = &s->base;
    return CS_OK;
fail:
    sq_close(&s->base);
    return rc;
}
