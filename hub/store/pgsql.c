/* pgsql.c — the PostgreSQL store (libpq).
 *
 * Connections: a pool of N equal connections (N = the `readers` argument + 1, or what
 * hub_store_pgsql_open_opts() is given) behind one mutex and a condition variable. An
 * operation takes a connection, runs, and gives it back; a caller that finds every connection
 * busy waits up to `wait_ms` and then gets CS_AGAIN (the API answers 503 "retry"). Results
 * are read whole (PGresult) and the connection is given back before any callback runs, so a
 * callback may itself call the store.
 *
 * Statements: the fixed ones are prepared on every connection when it is opened (PQprepare)
 * and run with PQexecPrepared; the one with a variable shape (the event query: which filters
 * are set) is assembled from constant fragments with $n placeholders and run with
 * PQexecParams. No input text ever becomes SQL text.
 *
 * Schema: an ordered list of migrations; schema_migrations holds one row per applied version.
 * At open, pending ones run in ONE transaction under pg_advisory_xact_lock (keyed by the
 * schema name), so two hubs starting at once apply them once.
 *
 * Events are partitioned by range on ts_us, one partition per UTC day (events_pYYYYMMDD),
 * plus events_before (before 1970) and events_after (from PG_DAY_MAX), so no row is ever
 * rejected and there is no DEFAULT partition (migration 6). Before a batch is stored, the days it
 * needs are created (CREATE TABLE IF NOT EXISTS … PARTITION OF, in its own transaction under
 * an advisory lock); the store remembers which days exist so this costs nothing afterwards,
 * and ANALYZEs a day partition as it fills (see partitions_count()).
 *
 * Ingest: one transaction per batch: INSERT the batch row (ON CONFLICT DO NOTHING on
 * (sensor_id, batch_id): a concurrent retry of the same batch waits on the unique index and
 * then sees the first one's row), then COPY events FROM STDIN in binary format, then COMMIT.
 * `raw` is a bytea column: every byte of the original record is kept (NUL, invalid UTF-8,
 * tabs, backslashes); the indexed text columns are made valid UTF-8 (an invalid byte or a NUL
 * becomes U+FFFD) because PostgreSQL text cannot hold them. The call returns after COMMIT,
 * i.e. after the WAL is flushed (synchronous_commit is left on).
 *
 * Address and flow keys (migration 7): no index on src_ip, dest_ip, flow_id; a thread of the
 * store seals each complete segment of 2^14 ids into key blocks (ev_seg, ev_kb, keyblock.h)
 * behind a barrier that holds across connections and hubs (seal_barrier()), and the queries
 * read the sealed segments through ev_kb and the open ones by id range (query_by_key()).
 *
 * Tenancy is the same as in sqlite.c: scope = the org subtree by materialised path. The audit
 * chain is appended under pg_advisory_xact_lock, so appends from several connections (or
 * several hubs) are serialised. */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/cs_time.h"
#include "cands.h"
#include "keyblock.h"
#include "rollup.h"

#define PG_WAIT_MS_DEFAULT 10000
#define PG_DAY_US INT64_C(86400000000)
#define PG_DAY_MAX 84005 /* 2199-12-31: from it on, rows go to events_after */
#define PG_TS_END 7258032000000000 /* PG_DAY_MAX * PG_DAY_US, as SQL text in migration 6 */
#define PG_STR_(x) #x
#define PG_STR(x) PG_STR_(x)
_Static_assert(PG_TS_END == PG_DAY_MAX * PG_DAY_US, "PG_TS_END");

/* ---- migrations ---------------------------------------------------------------------- */
static const char *const migrations[] = {
    /* 1: tenancy, identity, ingest, events (partitioned by day on ts_us), audit */
    "CREATE TABLE orgs(id bigserial PRIMARY KEY, parent_id bigint REFERENCES orgs(id),"
    " name text NOT NULL UNIQUE, kind text NOT NULL CHECK(kind IN ('city','district','org')),"
    " tags text NOT NULL DEFAULT '', path text COLLATE \"C\" NOT NULL,"
    " created_us bigint NOT NULL);"
    "CREATE INDEX orgs_path ON orgs(path text_pattern_ops);"
    "CREATE TABLE users(id bigserial PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id),"
    " name text NOT NULL UNIQUE, role text NOT NULL CHECK(role IN ('admin','analyst','viewer')),"
    " pwhash text NOT NULL, disabled boolean NOT NULL DEFAULT false,"
    " created_us bigint NOT NULL);"
    "CREATE INDEX users_org ON users(org_id);"
    "CREATE TABLE sensors(id bigserial PRIMARY KEY, org_id bigint NOT NULL REFERENCES orgs(id),"
    " name text NOT NULL UNIQUE, pubkey text NOT NULL DEFAULT '', created_us bigint NOT NULL);"
    "CREATE INDEX sensors_org ON sensors(org_id);"
    "CREATE TABLE credentials(hash text PRIMARY KEY, kind integer NOT NULL,"
    " user_id bigint REFERENCES users(id), sensor_id bigint REFERENCES sensors(id),"
    " label text NOT NULL DEFAULT '', created_us bigint NOT NULL, expires_us bigint NOT NULL);"
    "CREATE INDEX credentials_expires ON credentials(expires_us) WHERE expires_us <> 0;"
    "CREATE TABLE batches(sensor_id bigint NOT NULL, batch_id text COLLATE \"C\" NOT NULL,"
    " org_id bigint NOT NULL, received_us bigint NOT NULL, nevents bigint NOT NULL,"
    " signature text, PRIMARY KEY(sensor_id, batch_id));"
    "CREATE SEQUENCE events_id_seq;"
    "CREATE TABLE events(id bigint NOT NULL DEFAULT nextval('events_id_seq'),"
    " org_id bigint NOT NULL, sensor_id bigint NOT NULL, ts_us bigint NOT NULL,"
    " event_type text NOT NULL, src_ip text, dest_ip text, src_port integer,"
    " dest_port integer, proto text, app_proto text, signature_id bigint, signature text,"
    " severity integer, raw bytea NOT NULL, PRIMARY KEY(id, ts_us)) PARTITION BY RANGE(ts_us);"
    "ALTER SEQUENCE events_id_seq OWNED BY events.id;"
    "CREATE TABLE events_default PARTITION OF events DEFAULT;"
    "CREATE INDEX events_ts ON events(ts_us DESC, id DESC);"
    "CREATE INDEX events_org_ts ON events(org_id, ts_us DESC, id DESC);"
    "CREATE INDEX events_sensor_ts ON events(sensor_id, ts_us DESC, id DESC);"
    "CREATE INDEX events_type_ts ON events(event_type, ts_us DESC, id DESC);"
    "CREATE INDEX events_sid_ts ON events(signature_id, ts_us DESC, id DESC)"
    " WHERE signature_id IS NOT NULL;"
    "CREATE INDEX events_src_ip ON events(src_ip, ts_us DESC, id DESC);"
    "CREATE INDEX events_dest_ip ON events(dest_ip, ts_us DESC, id DESC);"
    "CREATE TABLE audit(seq bigint PRIMARY KEY, ts_us bigint NOT NULL, actor text,"
    " actor_type text, action text, target text, source text, before text, after text,"
    " prev_hash text NOT NULL, hash text NOT NULL);"
    "CREATE TABLE audit_ckpt(seq bigint PRIMARY KEY, hash text NOT NULL,"
    " ts_us bigint NOT NULL, sig bytea NOT NULL);",
    /* 2: the console's statistics (as SQLite's migration 3): flow pivot, industrial
     * operations, rollups kept at ingest (res 60 and 3600 s; bucket = ts_us / (res * 1e6)),
     * sensor status. Existing events are rolled up here once. */
    "ALTER TABLE events ADD COLUMN flow_id bigint, ADD COLUMN ics_op text;"
    "CREATE INDEX events_flow ON events(flow_id) WHERE flow_id IS NOT NULL;"
    "CREATE TABLE ru_ev(res integer NOT NULL, bucket bigint NOT NULL, org_id bigint NOT NULL,"
    " sensor_id bigint NOT NULL, event_type text COLLATE \"C\" NOT NULL,"
    " app_proto text COLLATE \"C\" NOT NULL, ics_op text COLLATE \"C\" NOT NULL,"
    " severity integer NOT NULL, signature_id bigint NOT NULL, n bigint NOT NULL,"
    " PRIMARY KEY(res, bucket, org_id, sensor_id, event_type, app_proto, ics_op, severity,"
    " signature_id));"
    "CREATE TABLE ru_ip(res integer NOT NULL, bucket bigint NOT NULL, org_id bigint NOT NULL,"
    " side integer NOT NULL, ip text COLLATE \"C\" NOT NULL, n bigint NOT NULL,"
    " PRIMARY KEY(res, bucket, org_id, side, ip));"
    "CREATE TABLE ru_sig(signature_id bigint PRIMARY KEY, signature text NOT NULL,"
    " severity integer NOT NULL);"
    "CREATE TABLE sensor_state(sensor_id bigint PRIMARY KEY, last_seen_us bigint NOT NULL,"
    " stats_us bigint NOT NULL DEFAULT 0, packets bigint NOT NULL DEFAULT -1,"
    " drops bigint NOT NULL DEFAULT -1, last_event_id bigint NOT NULL DEFAULT 0);"
    "INSERT INTO ru_ev SELECT r.res, ts_us / (r.res * 1000000::bigint), org_id, sensor_id, event_type,"
    " coalesce(app_proto, ''), '', CASE WHEN severity>0 THEN severity ELSE 0 END,"
    " coalesce(signature_id, -1), count(*) FROM events, (VALUES (60), (3600)) r(res)"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;"
    "INSERT INTO ru_ip SELECT r.res, ts_us / (r.res * 1000000::bigint), org_id, d.side,"
    " CASE d.side WHEN 0 THEN src_ip ELSE dest_ip END, count(*)"
    " FROM events, (VALUES (60), (3600)) r(res), (VALUES (0), (1)) d(side)"
    " WHERE signature_id IS NOT NULL AND CASE d.side WHEN 0 THEN src_ip ELSE dest_ip END"
    " IS NOT NULL GROUP BY 1, 2, 3, 4, 5;"
    "INSERT INTO ru_sig SELECT signature_id, coalesce(max(signature), ''),"
    " coalesce(max(severity), -1) FROM events WHERE signature_id IS NOT NULL"
    " GROUP BY signature_id;"
    "INSERT INTO sensor_state(sensor_id, last_seen_us, last_event_id) SELECT b.sensor_id,"
    " max(b.received_us), coalesce((SELECT max(id) FROM events e"
    " WHERE e.sensor_id=b.sensor_id), 0) FROM batches b GROUP BY b.sensor_id;",
    /* 3 (SQLite's 4): credentials get a stable id (listing and revoking tokens without their
     * hash); from a sequence, so a revoked id never names a newer credential */
    ("ALTER TABLE credentials ADD COLUMN id bigserial NOT NULL UNIQUE;"
     "CREATE INDEX credentials_user ON credentials(user_id);"),
    /* 4: one index fewer to maintain per event: event_type, a text column of a dozen values,
     * had a (event_type, ts_us, id) index over every row; only alerts are rare enough among
     * the newest events to need one (the other types are found walking events_ts). */
    ("DROP INDEX IF EXISTS events_type_ts;"
     "CREATE INDEX events_alert_ts ON events(ts_us DESC, id DESC) WHERE event_type = 'alert';"),
    /* 5: the addresses compare byte by byte (collation "C") instead of through the database's
     * locale (strcoll per comparison): the two (ip, ts_us, id) indexes cost ~4 us less CPU
     * per stored event (measured in docs/hub-postgresql.md). Equality, which is all the
     * queries ask of them, is the same; the indexes are rebuilt once. */
    ("ALTER TABLE events ALTER COLUMN src_ip TYPE text COLLATE \"C\","
     " ALTER COLUMN dest_ip TYPE text COLLATE \"C\";"),
    /* 6: no DEFAULT partition. With one, PostgreSQL cannot read the day partitions one after
     * the other in ts_us order (an ordered Append): every ordered query was a Merge Append
     * that fetched the first matching row of EVERY day, and a filter rare on some days walked
     * those days whole. Timestamps before 1970 and from 2200 get explicit range partitions
     * instead; rows the default partition held (timestamps out of range, or days whose own
     * partition PostgreSQL had refused because the default already held rows of them) move
     * to those or to their day's partition, created here. Nothing is lost: ids stay.
     * And one org's alerts get an index in their order: walking (org_id, ts_us, id) with a
     * filter on event_type reads every event of an org that has few or no alerts; this
     * partial index holds only alerts (a few % of events), so its upkeep at ingest is a
     * fraction of a full index's ~3 us/row (docs/hub-postgresql.md). */
    ("ALTER TABLE events DETACH PARTITION events_default;"
     "CREATE TABLE events_before PARTITION OF events FOR VALUES FROM (MINVALUE) TO (0);"
     "CREATE TABLE events_after PARTITION OF events"
     " FOR VALUES FROM (" PG_STR(PG_TS_END) ") TO (MAXVALUE);"
     "DO $m6$ DECLARE d bigint; BEGIN"
     " FOR d IN SELECT DISTINCT ts_us / 86400000000 FROM events_default"
     "  WHERE ts_us >= 0 AND ts_us < " PG_STR(PG_TS_END) " LOOP"
     "  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events"
     " FOR VALUES FROM (%s) TO (%s)', 'events_p' || to_char(date '1970-01-01' + d::integer,"
     " 'YYYYMMDD'), d * 86400000000, (d + 1) * 86400000000);"
     " END LOOP; END $m6$;"
     "INSERT INTO events(id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port,"
     " dest_port, proto, app_proto, signature_id, signature, severity, raw, flow_id, ics_op)"
     " SELECT id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port, dest_port,"
     " proto, app_proto, signature_id, signature, severity, raw, flow_id, ics_op"
     " FROM events_default;"
     "DROP TABLE events_default;"
     "CREATE INDEX events_org_alert_ts ON events(org_id, ts_us DESC, id DESC)"
     " WHERE event_type = 'alert';"),
    /* 7: the address and flow keys in key blocks (as SQLite's migration 8, same hash and
     * layout: hub/store/keyblock.h). events_src_ip, events_dest_ip and events_flow were three
     * B-trees updated at random places for every stored event (~3 us of server CPU each);
     * a segment of 2^14 consecutive ids now gets its keys written once, when it is complete
     * ("sealed"): 256 ev_kb rows (bucket b, packed entries). ev_seg has one row per sealed
     * segment with its time range; there is no row for an open one (keeping an open
     * segment's range at ingest would be one row every concurrent batch updates and waits
     * for). Everything above the newest sealed segment is open and read by its id range.
     * The existing events are sealed by the hub at its next start, not here (progress on
     * stderr; see seal_pass()). The sequence must hand out ids one by one (CACHE 1, its
     * default): a per-session cache would let a transaction use ids below the sealing
     * barrier's reading of last_value. */
    ("ALTER SEQUENCE events_id_seq CACHE 1;"
     "CREATE TABLE ev_seg(seg bigint PRIMARY KEY, min_ts bigint NOT NULL,"
     " max_ts bigint NOT NULL, n integer NOT NULL);"
     "CREATE TABLE ev_kb(seg bigint NOT NULL, b smallint NOT NULL, v bytea NOT NULL,"
     " PRIMARY KEY(seg, b));"
     /* a bucket (~3 KB) stays in its heap row, uncompressed (hashes do not compress) */
     "ALTER TABLE ev_kb ALTER COLUMN v SET STORAGE EXTERNAL;"
     "ALTER TABLE ev_kb SET (toast_tuple_target = 8160);"
     "DROP INDEX IF EXISTS events_src_ip;"
     "DROP INDEX IF EXISTS events_dest_ip;"
     "DROP INDEX IF EXISTS events_flow;"),
    /* 8 (SQLite's 5): per minute only the counts by severity class are kept (ru_min:
     * severity 0 = not an alert, 1..4, 9 = an alert without one), for the overview's totals
     * and fine chart; ru_ev and ru_ip stay hourly (res 3600). The minute rows of ru_ev (a key
     * per signature, protocol and sensor per minute) and of ru_ip (never read) were most of
     * the rows written per stored event. */
    ("CREATE TABLE ru_min(bucket bigint NOT NULL, org_id bigint NOT NULL,"
     " severity integer NOT NULL, n bigint NOT NULL, PRIMARY KEY(bucket, org_id, severity));"
     "INSERT INTO ru_min SELECT bucket, org_id, CASE WHEN signature_id<0 THEN 0"
     " WHEN severity BETWEEN 1 AND 4 THEN severity ELSE 9 END, sum(n) FROM ru_ev WHERE res=60"
     " GROUP BY 1, 2, 3;"
     "DELETE FROM ru_ev WHERE res=60;"
     "DELETE FROM ru_ip WHERE res=60;"),
    /* 9: the (…, ts_us, id) indexes in ascending order. Newest-first walks read them
     * backwards (the same plans); what changes is ingest: new events have the highest times,
     * and an ascending index takes them on its rightmost leaf, which B-tree inserts reach
     * without a descent from the root (PostgreSQL's rightmost-leaf fast path). Measured in
     * docs/hub-postgresql.md: ~0.5 us less server CPU per stored event and index. */
    ("DROP INDEX IF EXISTS events_ts;"
     "CREATE INDEX events_ts ON events(ts_us, id);"
     "DROP INDEX IF EXISTS events_org_ts;"
     "CREATE INDEX events_org_ts ON events(org_id, ts_us, id);"
     "DROP INDEX IF EXISTS events_sensor_ts;"
     "CREATE INDEX events_sensor_ts ON events(sensor_id, ts_us, id);"
     "DROP INDEX IF EXISTS events_sid_ts;"
     "CREATE INDEX events_sid_ts ON events(signature_id, ts_us, id)"
     " WHERE signature_id IS NOT NULL;"
     "DROP INDEX IF EXISTS events_alert_ts;"
     "CREATE INDEX events_alert_ts ON events(ts_us, id) WHERE event_type = 'alert';"
     "DROP INDEX IF EXISTS events_org_alert_ts;"
     "CREATE INDEX events_org_alert_ts ON events(org_id, ts_us, id) WHERE event_type = 'alert';"),
    /* 10: one B-tree fewer per stored event (~1.7 us of server CPU per event, 15%, measured
     * in docs/hub-postgresql.md): an org's events are its sensors' events (a sensor never
     * changes org), so an org split walks (sensor_id, ts_us, id) per sensor (split_sensors);
     * one org's alerts keep their own partial index. */
    "DROP INDEX IF EXISTS events_org_ts;",
};

/* ---- prepared statements --------------------------------------------------------------- */

/* "$k is 0 (system) or column c is an org of $k's subtree" */
#define IN_SCOPE(c, k)                                                                          \
    "(" k "::bigint=0 OR " c " IN (SELECT id FROM orgs WHERE path LIKE"                         \
    " (SELECT path FROM orgs WHERE id=" k ")||'%'))"

#define ORG_COLS "SELECT id, coalesce(parent_id,0), name, kind, tags, path, created_us FROM orgs"
#define USER_COLS                                                                               \
    "SELECT id, org_id, name, role, pwhash, disabled::int, created_us FROM users"
#define SENSOR_COLS "SELECT id, org_id, name, pubkey, created_us FROM sensors"
#define CRED_COLS                                                                               \
    "SELECT id, hash, kind, coalesce(user_id,0), coalesce(sensor_id,0), label, created_us,"     \
    " expires_us"
/* the organisation a credential belongs to: its user's, or its sensor's */
#define CRED_ORG                                                                                \
    "coalesce((SELECT org_id FROM users WHERE id=user_id),"                                     \
    " (SELECT org_id FROM sensors WHERE id=sensor_id))"

enum pg_stmt {
    PS_ORG_BY_ID,
    PS_ORG_BY_NAME,
    PS_ORG_LIST,
    PS_ORG_INS,
    PS_USER_BY_ID,
    PS_USER_BY_NAME,
    PS_USER_LIST,
    PS_USER_INS,
    PS_USER_PW,
    PS_SENSOR_BY_ID,
    PS_SENSOR_BY_NAME,
    PS_SENSOR_LIST,
    PS_SENSOR_INS,
    PS_CRED_INS,
    PS_CRED_GET,
    PS_CRED_DEL,
    PS_CRED_PURGE,
    PS_CRED_LIST,
    PS_CRED_REVOKE,
    PS_BATCH_INS,
    PS_BATCH_N,
    PS_BATCH_MAX,
    PS_EVENT_COUNT,
    PS_SUBTREE,
    PS_AUDIT_LOCK,
    PS_AUDIT_HEAD,
    PS_AUDIT_INS,
    PS_AUDIT_LIST,
    PS_CKPT_INS,
    PS_CKPT_LIST,
    PS_RU_EV,
    PS_RU_IP,
    PS_RU_MIN,
    PS_RU_SIG,
    PS_SENSOR_STATE,
    PS__N
};

static const char *const stmt_sql[PS__N] = {
    [PS_ORG_BY_ID] = ORG_COLS " WHERE id=$1 AND " IN_SCOPE("id", "$2"),
    [PS_ORG_BY_NAME] = ORG_COLS " WHERE name=$1 AND " IN_SCOPE("id", "$2"),
    [PS_ORG_LIST] = ORG_COLS " WHERE " IN_SCOPE("id", "$1") " ORDER BY path",
    /* $1 parent (NULL for a root), $5 the parent's path ("/" for a root) */
    [PS_ORG_INS] = "WITH n AS (SELECT nextval(pg_get_serial_sequence('orgs','id')) AS id)"
                   " INSERT INTO orgs(id, parent_id, name, kind, tags, path, created_us)"
                   " SELECT n.id, $1, $2, $3, $4, $5::text || n.id || '/', $6 FROM n"
                   " RETURNING id, path",
    [PS_USER_BY_ID] = USER_COLS " WHERE id=$1 AND " IN_SCOPE("org_id", "$2"),
    [PS_USER_BY_NAME] = USER_COLS " WHERE name=$1 AND " IN_SCOPE("org_id", "$2"),
    [PS_USER_LIST] = USER_COLS " WHERE " IN_SCOPE("org_id", "$1") " ORDER BY id",
    [PS_USER_INS] = "INSERT INTO users(org_id, name, role, pwhash, disabled, created_us)"
                    " SELECT o.id, $2, $3, $4, $5, $6 FROM orgs o"
                    " WHERE o.id=$1 AND " IN_SCOPE("o.id", "$7") " RETURNING id",
    [PS_USER_PW] = "UPDATE users SET pwhash=$1 WHERE id=$2 AND " IN_SCOPE("org_id", "$3"),
    [PS_SENSOR_BY_ID] = SENSOR_COLS " WHERE id=$1 AND " IN_SCOPE("org_id", "$2"),
    [PS_SENSOR_BY_NAME] = SENSOR_COLS " WHERE name=$1 AND " IN_SCOPE("org_id", "$2"),
    [PS_SENSOR_LIST] = SENSOR_COLS " WHERE " IN_SCOPE("org_id", "$1") " ORDER BY id",
    [PS_SENSOR_INS] = "INSERT INTO sensors(org_id, name, pubkey, created_us)"
                      " SELECT o.id, $2, $3, $4 FROM orgs o"
                      " WHERE o.id=$1 AND " IN_SCOPE("o.id", "$5") " RETURNING id",
    [PS_CRED_INS] = "INSERT INTO credentials(hash, kind, user_id, sensor_id, label, created_us,"
                    " expires_us) VALUES($1, $2, nullif($3::bigint,0), nullif($4::bigint,0),"
                    " $5, $6, $7)",
    [PS_CRED_GET] = CRED_COLS " FROM credentials WHERE hash=$1 AND (expires_us=0 OR expires_us>$2)",
    [PS_CRED_DEL] = "DELETE FROM credentials WHERE hash=$1",
    [PS_CRED_PURGE] = "DELETE FROM credentials WHERE expires_us<>0 AND expires_us<=$1",
    /* $1 now, $2 kind (0 any), $3 user (0 any), $4 scope */
    [PS_CRED_LIST] = CRED_COLS " FROM credentials WHERE (expires_us=0 OR expires_us>$1)"
                     " AND ($2::int=0 OR kind=$2) AND ($3::bigint=0 OR user_id=$3)"
                     " AND " IN_SCOPE(CRED_ORG, "$4") " ORDER BY id",
    /* $1 id, $2 user (0 any), $3 scope: one statement, so a revoke is atomic */
    [PS_CRED_REVOKE] = "DELETE FROM credentials WHERE id=$1 AND ($2::bigint=0 OR user_id=$2)"
                       " AND " IN_SCOPE(CRED_ORG, "$3") " RETURNING id, hash, kind,"
                       " coalesce(user_id,0), coalesce(sensor_id,0), label, created_us, expires_us",
    [PS_BATCH_INS] = "INSERT INTO batches(sensor_id, batch_id, org_id, received_us, nevents,"
                     " signature) VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
    [PS_BATCH_N] = "SELECT nevents FROM batches WHERE sensor_id=$1 AND batch_id=$2",
    /* left() rather than LIKE: the prefix may hold LIKE metacharacters */
    [PS_BATCH_MAX] = "SELECT max(batch_id) FROM batches WHERE sensor_id=$1"
                     " AND left(batch_id, length($2::text))=$2",
    [PS_EVENT_COUNT] = "SELECT count(*) FROM events WHERE " IN_SCOPE("org_id", "$1"),
    [PS_SUBTREE] = "SELECT coalesce(array_agg(id), '{}') FROM orgs WHERE path LIKE"
                   " (SELECT path FROM orgs WHERE id=$1)||'%'",
    [PS_AUDIT_LOCK] = "SELECT pg_advisory_xact_lock(hashtext('citysoc.audit:'||current_schema()))",
    [PS_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    [PS_AUDIT_INS] = "INSERT INTO audit(seq, ts_us, actor, actor_type, action, target, source,"
                     " before, after, prev_hash, hash) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
    [PS_AUDIT_LIST] = "SELECT seq, ts_us, actor, actor_type, action, target, source, before,"
                      " after, prev_hash, hash FROM audit WHERE seq>=$1 ORDER BY seq",
    [PS_CKPT_INS] = "INSERT INTO audit_ckpt(seq, hash, ts_us, sig) VALUES($1,$2,$3,$4)",
    [PS_CKPT_LIST] = "SELECT seq, hash, ts_us, sig FROM audit_ckpt ORDER BY seq",
    /* a batch is COPied into events; its rollup rows (rollup.c) come as arrays, one per
     * column (binary), and are upserted in key order, so concurrent batches lock rollup rows
     * in the same order. $1 org, $2 sensor. */
    [PS_RU_EV] = "INSERT INTO ru_ev SELECT 3600, u.b, $1, $2, u.t, u.a, u.o, u.sev, u.sid, u.n"
                 " FROM unnest($3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[],"
                 " $8::int8[], $9::int8[]) u(b, t, a, o, sev, sid, n) ORDER BY 2, 5, 6, 7, 8, 9"
                 " ON CONFLICT (res, bucket, org_id, sensor_id, event_type, app_proto, ics_op,"
                 " severity, signature_id) DO UPDATE SET n=ru_ev.n+excluded.n",
    [PS_RU_IP] = "INSERT INTO ru_ip SELECT 3600, u.b, $1, u.s, u.ip, u.n FROM unnest($2::int8[],"
                 " $3::int8[], $4::text[], $5::int8[]) u(b, s, ip, n) ORDER BY 2, 4, 5"
                 " ON CONFLICT (res, bucket, org_id, side, ip) DO UPDATE SET n=ru_ip.n+excluded.n",
    [PS_RU_MIN] = "INSERT INTO ru_min SELECT u.b, $1, u.c, u.n FROM unnest($2::int8[], $3::int8[],"
                  " $4::int8[]) u(b, c, n) ORDER BY 1, 3"
                  " ON CONFLICT (bucket, org_id, severity) DO UPDATE SET n=ru_min.n+excluded.n",
    /* the text and severity of each signature as its newest event in the batch has them;
     * rows already so are left out before the upsert (it would lock them: concurrent
     * batches of every sensor share these rows) */
    [PS_RU_SIG] = "INSERT INTO ru_sig SELECT u.sid, u.sig, u.sev FROM unnest($1::int8[],"
                  " $2::text[], $3::int8[]) u(sid, sig, sev) WHERE NOT EXISTS (SELECT 1 FROM"
                  " ru_sig g WHERE g.signature_id=u.sid AND g.signature=u.sig AND"
                  " g.severity=u.sev) ORDER BY 1"
                  " ON CONFLICT (signature_id) DO UPDATE SET signature=excluded.signature,"
                  " severity=excluded.severity WHERE ru_sig.signature<>excluded.signature"
                  " OR ru_sig.severity<>excluded.severity",
    /* $1 sensor, $2 received, $3 newest stats event's ts (0: none), $4 packets, $5 drops,
     * $6 1 when the batch stored events (their newest id: the session's last nextval) */
    [PS_SENSOR_STATE] =
        "INSERT INTO sensor_state(sensor_id, last_seen_us, stats_us, packets, drops,"
        " last_event_id) SELECT $1, $2, $3::bigint, $4, $5,"
        " CASE WHEN $6::int=1 THEN currval('events_id_seq') ELSE 0 END"
        " ON CONFLICT (sensor_id) DO UPDATE SET"
        " last_seen_us=greatest(sensor_state.last_seen_us, excluded.last_seen_us),"
        " last_event_id=greatest(sensor_state.last_event_id, excluded.last_event_id),"
        " packets=CASE WHEN $3>0 AND $3>=sensor_state.stats_us THEN $4::bigint"
        " ELSE sensor_state.packets END,"
        " drops=CASE WHEN $3>0 AND $3>=sensor_state.stats_us THEN $5::bigint"
        " ELSE sensor_state.drops END,"
        " stats_us=CASE WHEN $3>0 AND $3>=sensor_state.stats_us THEN $3"
        " ELSE sensor_state.stats_us END",
};

static const char *stmt_name(enum pg_stmt i)
{
    static const char *const names[PS__N] = {
        "org_by_id",    "org_by_name",     "org_list",       "org_ins",       "user_by_id",
        "user_by_name", "user_list",       "user_ins",       "user_pw",       "sensor_by_id",
        "sensor_by_name", "sensor_list",   "sensor_ins",     "cred_ins",      "cred_get",
        "cred_del",     "cred_purge",      "cred_list",      "cred_revoke",   "batch_ins",      "batch_n",       "batch_max",
        "event_count",  "subtree",         "audit_lock",      "audit_head",     "audit_ins",     "audit_list",
        "ckpt_ins",     "ckpt_list",       "ru_ev",          "ru_ip",         "ru_min",
        "ru_sig",       "sensor_state",
    };
    return names[i];
}

/* ---- the store and its pool ------------------------------------------------------------ */

struct pg_day {
    int32_t day;
    int64_t rows;     /* rows this store added to it */
    int64_t analyzed; /* rows at which this store last ran ANALYZE on it */
};

struct pg_store {
    struct hub_store base;
    char *conninfo;
    int nconn;
    PGconn **conns;
    int *free_idx; /* stack of free connection indexes */
    int nfree;
    int wait_ms;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int version;
    /* days (ts_us / 86400e6) whose partition exists (or was found impossible), sorted */
    pthread_mutex_t part_lock;
    struct pg_day *days;
    size_t ndays, capdays;
    /* the sealer (seal_pass): its own connection, a thread that looks every SEAL_POLL_MS */
    pthread_mutex_t seal_lock; /* seal_conn */
    PGconn *seal_conn;
    pthread_t sealer;
    bool sealer_on, stop;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
};

static struct pg_store *PG(struct hub_store *s)
{
    return (struct pg_store *)s;
}

static int64_t now_us(void)
{
    return (int64_t)cs_time_now_us();
}

/* Maps a failed result to a store code (SQLSTATE classes), logging what is unexpected. */
static int pg_err(PGconn *c, const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (getenv("CS_PG_DEBUG"))
        fprintf(stderr, "store: pgsql: %s %s", st ? st : "-", r ? PQresultErrorMessage(r) : "");
    if (st) {
        if (!strcmp(st, "23505"))
            return HUB_ECONFLICT; /* unique_violation */
        if (!strcmp(st, "23503"))
            return HUB_ENOTFOUND; /* foreign_key_violation: what it names does not exist */
        if (!strncmp(st, "22", 2) || !strcmp(st, "23514") || !strcmp(st, "23502"))
            return CS_EINVAL; /* data exception (bad encoding, out of range), check, not null */
        if (!strcmp(st, "53200"))
            return CS_ENOMEM;
    }
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    fprintf(stderr, "store: pgsql: %s", m && *m ? m : PQerrorMessage(c));
    return CS_EIO;
}

/* Runs a statement without parameters (BEGIN, COMMIT, DDL); CS_OK or a store code. */
static int pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? CS_OK : pg_err(c, r);
    PQclear(r);
    return rc;
}

static int conn_prepare(PGconn *c)
{
    int rc;
    for (int i = 0; i < PS__N; i++) {
        PGresult *r = PQprepare(c, stmt_name((enum pg_stmt)i), stmt_sql[i], 0, NULL);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK ? CS_OK : pg_err(c, r);
        PQclear(r);
        if (rc)
            return rc;
    }
    return CS_OK;
}

/* Session settings, again after a reconnect: UTF-8 both ways; no NOTICE chatter ("relation
 * already exists, skipping") on stderr. */
static int conn_setup(PGconn *c)
{
    if (PQsetClientEncoding(c, "UTF8") != 0)
        return CS_EIO;
    return pg_exec(c, "SET client_min_messages=warning");
}

static int conn_open(const char *conninfo, PGconn **out, struct cs_err *err)
{
    PGconn *c = PQconnectdb(conninfo);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char m[200];
        snprintf(m, sizeof(m), "%s", c ? PQerrorMessage(c) : "out of memory");
        m[strcspn(m, "\n")] = 0;
        cs_err_set(err, CS_EIO, 0, 0, "cannot connect to PostgreSQL: %s", m);
        PQfinish(c);
        return CS_EIO;
    }
    if (conn_setup(c) != CS_OK) {
        cs_err_set(err, CS_EIO, 0, 0, "PostgreSQL session set-up failed: %s", PQerrorMessage(c));
        PQfinish(c);
        return CS_EIO;
    }
    *out = c;
    return CS_OK;
}

/* Re-opens a connection that broke (server restart, backend terminated, network): true when
 * it is usable. Its statements are prepared again. */
static bool conn_revive(PGconn *c)
{
    if (PQstatus(c) == CONNECTION_OK)
        return true;
    PQreset(c);
    if (PQstatus(c) == CONNECTION_OK && conn_setup(c) == CS_OK && conn_prepare(c) == CS_OK)
        return true;
    fprintf(stderr, "store: pgsql: reconnect failed: %s", PQerrorMessage(c));
    return false;
}

/* BEGIN; on a connection found broken only now, once more after reconnecting (nothing was
 * done on it yet, so trying again is safe). */
static int begin(PGconn *c)
{
    int rc = pg_exec(c, "BEGIN");
    if (rc != CS_OK && PQstatus(c) == CONNECTION_BAD && conn_revive(c))
        rc = pg_exec(c, "BEGIN");
    return rc;
}

/* Takes a free connection, waiting up to wait_ms; CS_AGAIN when none came free. A broken
 * connection is re-opened (and its statements prepared again) before it is handed out. */
static int conn_get(struct pg_store *s, PGconn **out, int *idx)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += s->wait_ms / 1000;
    dl.tv_nsec += (long)(s->wait_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (s->nfree == 0) {
        if (pthread_cond_timedwait(&s->cond, &s->lock, &dl) == ETIMEDOUT && s->nfree == 0) {
            pthread_mutex_unlock(&s->lock);
            fprintf(stderr, "store: pgsql: all %d connections busy for %d ms\n", s->nconn,
                    s->wait_ms);
            return CS_AGAIN;
        }
    }
    *idx = s->free_idx[--s->nfree];
    pthread_mutex_unlock(&s->lock);
    PGconn *c = s->conns[*idx];
    if (!conn_revive(c)) {
        pthread_mutex_lock(&s->lock);
        s->free_idx[s->nfree++] = *idx;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
        return CS_EIO;
    }
    *out = c;
    return CS_OK;
}

static void conn_put(struct pg_store *s, int idx)
{
    PGconn *c = s->conns[idx];
    /* an operation that failed half-way must not leave its transaction open */
    if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
        pg_exec(c, "ROLLBACK");
    pthread_mutex_lock(&s->lock);
    s->free_idx[s->nfree++] = idx;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* ---- parameters and results ------------------------------------------------------------- */

/* Parameters of one statement: text values (format 0) or bytea in binary (format 1). */
struct pp {
    int n;
    const char *v[16];
    int len[16];
    int fmt[16];
    char num[16][24];
};

static void pp_int(struct pp *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof(p->num[0]), "%" PRId64, x);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void pp_text(struct pp *p, const char *t) /* NULL: SQL NULL */
{
    p->v[p->n] = t;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void pp_bin(struct pp *p, const void *b, size_t len)
{
    p->v[p->n] = b;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static PGresult *pp_run(PGconn *c, enum pg_stmt st, const struct pp *p, int result_fmt)
{
    return PQexecPrepared(c, stmt_name(st), p->n, p->v, p->len, p->fmt, result_fmt);
}

static bool res_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* A column as a number, in text or binary result format (0 when NULL). */
static int64_t col_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const char *v = PQgetvalue(r, row, col);
    if (PQfformat(r, col) == 0)
        return strtoll(v, NULL, 10);
    int len = PQgetlength(r, row, col);
    const uint8_t *b = (const uint8_t *)v;
    switch (len) {
    case 8:
        return (int64_t)cs_get_be64(b);
    case 4:
        return (int32_t)cs_get_be32(b);
    case 2:
        return (int16_t)cs_get_be16(b);
    case 1:
        return b[0];
    default:
        return 0;
    }
}

/* An optional number: -1 when NULL (the convention of struct hub_store_event). */
static int64_t col_opt(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? -1 : col_i64(r, row, col);
}

static const char *col_str(const PGresult *r, int row, int col) /* NULL when NULL */
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static struct hub_text col_text(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return (struct hub_text){NULL, 0};
    return (struct hub_text){PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col)};
}

static void copy_col(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    const char *t = col_str(r, row, col);
    snprintf(dst, cap, "%s", t ? t : "");
}

/* Runs a prepared statement on a pooled connection; *out gets the result (PQclear it) when
 * CS_OK. The connection is back in the pool when this returns. */
static int run(struct pg_store *s, enum pg_stmt st, const struct pp *p, int result_fmt,
               PGresult **out)
{
    PGconn *c;
    int idx;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    PGresult *r = pp_run(c, st, p, result_fmt);
    if (!res_ok(r) && PQstatus(c) == CONNECTION_BAD && !strncmp(stmt_sql[st], "SELECT", 6) &&
        conn_revive(c)) {
        /* a read on a connection that broke while idle: once more on a new one */
        PQclear(r);
        r = pp_run(c, st, p, result_fmt);
    }
    if (res_ok(r)) {
        *out = r;
    } else {
        rc = pg_err(c, r);
        PQclear(r);
    }
    conn_put(s, idx);
    return rc;
}

/* Rows changed by a statement run with run() (it clears the result). */
static int run_changes(struct pg_store *s, enum pg_stmt st, const struct pp *p, int64_t *changes)
{
    PGresult *r;
    int rc = run(s, st, p, 0, &r);
    if (rc)
        return rc;
    *changes = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return CS_OK;
}

static int64_t scope_param(const struct hub_scope *sc)
{
    return sc->system ? 0 : sc->org_id;
}

/* ---- organisations --------------------------------------------------------------------- */

static void org_from_row(const PGresult *r, int i, struct hub_org *o)
{
    o->id = col_i64(r, i, 0);
    o->parent_id = col_i64(r, i, 1);
    copy_col(o->name, sizeof(o->name), r, i, 2);
    copy_col(o->kind, sizeof(o->kind), r, i, 3);
    copy_col(o->tags, sizeof(o->tags), r, i, 4);
    copy_col(o->path, sizeof(o->path), r, i, 5);
    o->created_us = col_i64(r, i, 6);
}

/* A getter: statement `by_id` or `by_name` with (key, scope); HUB_ENOTFOUND without a row. */
static int get_one(struct pg_store *s, enum pg_stmt by_id, enum pg_stmt by_name,
                   const struct hub_scope *sc, int64_t id, const char *name, PGresult **out)
{
    struct pp p = {0};
    if (name)
        pp_text(&p, name);
    else
        pp_int(&p, id);
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(s, name ? by_name : by_id, &p, 0, &r);
    if (rc)
        return rc;
    if (PQntuples(r) < 1) {
        PQclear(r);
        return HUB_ENOTFOUND;
    }
    *out = r;
    return CS_OK;
}

static int pg_org_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                      const char *name, struct hub_org *out)
{
    PGresult *r;
    int rc = get_one(PG(hs), PS_ORG_BY_ID, PS_ORG_BY_NAME, sc, id, name, &r);
    if (rc)
        return rc;
    if (out)
        org_from_row(r, 0, out);
    PQclear(r);
    return CS_OK;
}

static int pg_org_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_org *o)
{
    struct pg_store *s = PG(hs);
    struct hub_org parent = {.path = "/"};
    if (o->parent_id) {
        /* orgs are never deleted or moved: a parent seen here stays valid */
        int rc = pg_org_get(hs, sc, o->parent_id, NULL, &parent);
        if (rc)
            return rc;
    }
    o->created_us = now_us();
    PGconn *c;
    int idx;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = begin(c)) != CS_OK)
        goto out;
    struct pp p = {0};
    if (o->parent_id)
        pp_int(&p, o->parent_id);
    else
        pp_text(&p, NULL);
    pp_text(&p, o->name);
    pp_text(&p, o->kind);
    pp_text(&p, o->tags);
    pp_text(&p, parent.path);
    pp_int(&p, o->created_us);
    PGresult *r = pp_run(c, PS_ORG_INS, &p, 0);
    if (!res_ok(r) || PQntuples(r) != 1) {
        rc = res_ok(r) ? CS_EIO : pg_err(c, r);
        PQclear(r);
        goto out; /* conn_put rolls back */
    }
    if ((size_t)PQgetlength(r, 0, 1) > HUB_PATH_MAX) {
        PQclear(r);
        rc = CS_ELIMIT;
        goto out;
    }
    o->id = col_i64(r, 0, 0);
    copy_col(o->path, sizeof(o->path), r, 0, 1);
    PQclear(r);
    rc = pg_exec(c, "COMMIT");
out:
    conn_put(s, idx);
    return rc;
}

static int pg_org_list(struct hub_store *hs, const struct hub_scope *sc,
                       int (*cb)(void *, const struct hub_org *), void *arg)
{
    struct pp p = {0};
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_ORG_LIST, &p, 0, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_org o;
        org_from_row(r, i, &o);
        rc = cb(arg, &o);
    }
    PQclear(r);
    return rc;
}

/* ---- users ----------------------------------------------------------------------------- */

static void user_from_row(const PGresult *r, int i, struct hub_user *u)
{
    u->id = col_i64(r, i, 0);
    u->org_id = col_i64(r, i, 1);
    copy_col(u->name, sizeof(u->name), r, i, 2);
    u->role = hub_role_parse(col_str(r, i, 3));
    copy_col(u->pwhash, sizeof(u->pwhash), r, i, 4);
    u->disabled = col_i64(r, i, 5) != 0;
    u->created_us = col_i64(r, i, 6);
}

static int pg_user_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                       const char *name, struct hub_user *out)
{
    PGresult *r;
    int rc = get_one(PG(hs), PS_USER_BY_ID, PS_USER_BY_NAME, sc, id, name, &r);
    if (rc)
        return rc;
    if (out)
        user_from_row(r, 0, out);
    PQclear(r);
    return CS_OK;
}

static int pg_user_list(struct hub_store *hs, const struct hub_scope *sc,
                        int (*cb)(void *, const struct hub_user *), void *arg)
{
    struct pp p = {0};
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_USER_LIST, &p, 0, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_user u;
        user_from_row(r, i, &u);
        rc = cb(arg, &u);
    }
    PQclear(r);
    return rc;
}

/* An INSERT … SELECT … WHERE <org in scope> RETURNING id: no row means out of scope. */
static int insert_scoped(struct pg_store *s, enum pg_stmt st, const struct pp *p, int64_t *id)
{
    PGresult *r;
    int rc = run(s, st, p, 0, &r);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        *id = col_i64(r, 0, 0);
    else
        rc = HUB_ENOTFOUND;
    PQclear(r);
    return rc;
}

static int pg_user_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_user *u)
{
    u->created_us = now_us();
    struct pp p = {0};
    pp_int(&p, u->org_id);
    pp_text(&p, u->name);
    pp_text(&p, hub_role_name(u->role));
    pp_text(&p, u->pwhash);
    pp_text(&p, u->disabled ? "true" : "false");
    pp_int(&p, u->created_us);
    pp_int(&p, scope_param(sc));
    return insert_scoped(PG(hs), PS_USER_INS, &p, &u->id);
}

static int pg_user_set_password(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                                const char *pwhash)
{
    struct pp p = {0};
    pp_text(&p, pwhash);
    pp_int(&p, id);
    pp_int(&p, scope_param(sc));
    int64_t changes = 0;
    int rc = run_changes(PG(hs), PS_USER_PW, &p, &changes);
    return rc == CS_OK && changes == 0 ? HUB_ENOTFOUND : rc;
}

/* ---- sensors --------------------------------------------------------------------------- */

static void sensor_from_row(const PGresult *r, int i, struct hub_sensor *se)
{
    se->id = col_i64(r, i, 0);
    se->org_id = col_i64(r, i, 1);
    copy_col(se->name, sizeof(se->name), r, i, 2);
    copy_col(se->pubkey_pem, sizeof(se->pubkey_pem), r, i, 3);
    se->created_us = col_i64(r, i, 4);
}

static int pg_sensor_add(struct hub_store *hs, const struct hub_scope *sc, struct hub_sensor *se)
{
    se->created_us = now_us();
    struct pp p = {0};
    pp_int(&p, se->org_id);
    pp_text(&p, se->name);
    pp_text(&p, se->pubkey_pem);
    pp_int(&p, se->created_us);
    pp_int(&p, scope_param(sc));
    return insert_scoped(PG(hs), PS_SENSOR_INS, &p, &se->id);
}

static int pg_sensor_get(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                         const char *name, struct hub_sensor *out)
{
    PGresult *r;
    int rc = get_one(PG(hs), PS_SENSOR_BY_ID, PS_SENSOR_BY_NAME, sc, id, name, &r);
    if (rc)
        return rc;
    if (out)
        sensor_from_row(r, 0, out);
    PQclear(r);
    return CS_OK;
}

static int pg_sensor_list(struct hub_store *hs, const struct hub_scope *sc,
                          int (*cb)(void *, const struct hub_sensor *), void *arg)
{
    struct pp p = {0};
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_SENSOR_LIST, &p, 0, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_sensor se;
        sensor_from_row(r, i, &se);
        rc = cb(arg, &se);
    }
    PQclear(r);
    return rc;
}

/* ---- credentials ----------------------------------------------------------------------- */

static int pg_cred_add(struct hub_store *hs, const struct hub_cred *c)
{
    struct pp p = {0};
    pp_text(&p, c->hash);
    pp_int(&p, c->kind);
    pp_int(&p, c->user_id);
    pp_int(&p, c->sensor_id);
    pp_text(&p, c->label);
    pp_int(&p, c->created_us ? c->created_us : now_us());
    pp_int(&p, c->expires_us);
    int64_t n;
    return run_changes(PG(hs), PS_CRED_INS, &p, &n);
}

static void cred_from_row(const PGresult *r, int i, struct hub_cred *out)
{
    out->id = col_i64(r, i, 0);
    copy_col(out->hash, sizeof(out->hash), r, i, 1);
    out->kind = (enum hub_cred_kind)col_i64(r, i, 2);
    out->user_id = col_i64(r, i, 3);
    out->sensor_id = col_i64(r, i, 4);
    copy_col(out->label, sizeof(out->label), r, i, 5);
    out->created_us = col_i64(r, i, 6);
    out->expires_us = col_i64(r, i, 7);
}

static int pg_cred_get(struct hub_store *hs, const char *hash, int64_t now, struct hub_cred *out)
{
    struct pp p = {0};
    pp_text(&p, hash);
    pp_int(&p, now);
    PGresult *r;
    int rc = run(PG(hs), PS_CRED_GET, &p, 0, &r);
    if (rc)
        return rc == CS_EINVAL ? HUB_ENOTFOUND : rc; /* e.g. a hash that is not UTF-8 */
    if (PQntuples(r) < 1)
        rc = HUB_ENOTFOUND;
    else
        cred_from_row(r, 0, out);
    PQclear(r);
    return rc;
}

static int pg_cred_list(struct hub_store *hs, const struct hub_scope *sc, int kind,
                        int64_t user_id, int64_t now, int (*cb)(void *, const struct hub_cred *),
                        void *arg)
{
    struct pp p = {0};
    pp_int(&p, now);
    pp_int(&p, kind);
    pp_int(&p, user_id);
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_CRED_LIST, &p, 0, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_cred c;
        cred_from_row(r, i, &c);
        rc = cb(arg, &c);
    }
    PQclear(r);
    return rc;
}

static int pg_cred_revoke(struct hub_store *hs, const struct hub_scope *sc, int64_t id,
                          int64_t user_id, struct hub_cred *out)
{
    struct pp p = {0};
    pp_int(&p, id);
    pp_int(&p, user_id);
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_CRED_REVOKE, &p, 0, &r);
    if (rc)
        return rc;
    if (PQntuples(r) < 1)
        rc = HUB_ENOTFOUND;
    else
        cred_from_row(r, 0, out);
    PQclear(r);
    return rc;
}

static int pg_cred_del(struct hub_store *hs, const char *hash)
{
    struct pp p = {0};
    pp_text(&p, hash);
    int64_t n = 0;
    int rc = run_changes(PG(hs), PS_CRED_DEL, &p, &n);
    return rc == CS_OK && n == 0 ? HUB_ENOTFOUND : rc;
}

static int pg_cred_purge(struct hub_store *hs, int64_t now)
{
    struct pp p = {0};
    pp_int(&p, now);
    int64_t n = 0;
    int rc = run_changes(PG(hs), PS_CRED_PURGE, &p, &n);
    return rc == CS_OK ? (int)CS_MIN(n, INT32_MAX) : rc;
}

/* ---- partitions -------------------------------------------------------------------------- */

static bool ts_day(int64_t ts_us, int32_t *day)
{
    if (ts_us < 0 || ts_us >= (int64_t)PG_DAY_MAX * PG_DAY_US)
        return false;
    *day = (int32_t)(ts_us / PG_DAY_US);
    return true;
}

static struct pg_day *day_find(struct pg_store *s, int32_t day)
{
    size_t lo = 0, hi = s->ndays;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->days[mid].day == day)
            return &s->days[mid];
        if (s->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void day_remember(struct pg_store *s, int32_t day)
{
    if (day_find(s, day))
        return;
    if (s->ndays == s->capdays) {
        size_t cap = s->capdays ? s->capdays * 2 : 64;
        struct pg_day *d = cs_realloc(s->days, cap * sizeof(*d));
        if (!d)
            return; /* only a cache: the partition is looked for again next time */
        s->days = d;
        s->capdays = cap;
    }
    size_t i = s->ndays;
    while (i > 0 && s->days[i - 1].day > day) {
        s->days[i] = s->days[i - 1];
        i--;
    }
    s->days[i] = (struct pg_day){.day = day};
    s->ndays++;
}

static void partition_name(int32_t day, char *out, size_t cap)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "events_p%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Creates the partition of `day` if it does not exist. Its name and bounds are built from the
 * day number only. */
static int partition_create(PGconn *c, int32_t day)
{
    char name[64], sql[512];
    partition_name(day, name, sizeof(name));
    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "SELECT pg_advisory_xact_lock(hashtext('citysoc.partition:'||current_schema()));"
             "CREATE TABLE IF NOT EXISTS %s PARTITION OF events"
             " FOR VALUES FROM (%" PRId64 ") TO (%" PRId64 ");"
             "COMMIT",
             name, (int64_t)day * PG_DAY_US, (int64_t)(day + 1) * PG_DAY_US);
    int rc = pg_exec(c, sql);
    if (rc != CS_OK)
        pg_exec(c, "ROLLBACK");
    return rc;
}

/* After a commit: counts the rows of each day and runs ANALYZE on a day partition when the
 * rows this store put in it reach 1000 and 8000. A new day's partition has no statistics
 * until autovacuum comes by (up to a minute later), and without them the planner scans and
 * sorts the whole scope instead of walking a (…, ts_us) index for the newest rows. Keeping
 * them current as the day grows is autovacuum's job (it analyses a partition once a tenth
 * of it is new); the store's further ANALYZEs at 64,000, 512,000… rows sampled 30,000 rows
 * each and were 6-13% of the server's CPU in the ingest benchmark, whose events span days. */
static void partitions_count(struct pg_store *s, PGconn *c, const struct hub_store_event *ev,
                             size_t n)
{
    for (size_t i = 0; i < n;) {
        int32_t day;
        size_t j = i + 1;
        if (!ts_day(ev[i].ts_us, &day)) {
            i = j;
            continue;
        }
        int32_t d2;
        while (j < n && ts_day(ev[j].ts_us, &d2) && d2 == day)
            j++;
        bool analyze = false;
        pthread_mutex_lock(&s->part_lock);
        struct pg_day *d = day_find(s, day);
        if (d) {
            d->rows += (int64_t)(j - i);
            int64_t next = d->analyzed ? d->analyzed * 8 : 1000;
            if (d->rows >= next && d->analyzed < 8000) {
                d->analyzed = d->rows;
                analyze = true;
            }
        }
        pthread_mutex_unlock(&s->part_lock);
        if (analyze) {
            /* the columns queries filter on; not raw (sorting 30,000 sampled records for
             * statistics nobody reads was a third of the ANALYZE) */
            char name[64], sql[256];
            partition_name(day, name, sizeof(name));
            snprintf(sql, sizeof(sql),
                     "ANALYZE %s(id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip,"
                     " app_proto, signature_id, severity, flow_id)",
                     name);
            pg_exec(c, sql);
        }
        i = j;
    }
}

/* Makes sure every day the batch touches has its partition (outside the batch's transaction:
 * DDL there would hold locks on the parent table until the batch commits). */
static void partitions_ensure(struct pg_store *s, PGconn *c, const struct hub_store_event *ev,
                              size_t n)
{
    int32_t last = -1;
    for (size_t i = 0; i < n; i++) {
        int32_t day;
        if (!ts_day(ev[i].ts_us, &day) || day == last)
            continue;
        last = day;
        pthread_mutex_lock(&s->part_lock);
        bool known = day_find(s, day) != NULL;
        pthread_mutex_unlock(&s->part_lock);
        if (known)
            continue;
        int prc = partition_create(c, day);
        if (prc != CS_OK && PQstatus(c) != CONNECTION_OK) {
            /* not PostgreSQL's refusal: the connection broke (the batch fails if it stays so) */
            if (!conn_revive(c) || ((prc = partition_create(c, day)) != CS_OK &&
                                    PQstatus(c) != CONNECTION_OK))
                return;
        }
        if (prc != CS_OK) {
            /* no partition takes the rows of that day (there is no default one): the batch
             * fails, and the next batch of that day tries again */
            char name[64];
            partition_name(day, name, sizeof(name));
            fprintf(stderr, "store: pgsql: cannot create partition %s\n", name);
            continue;
        }
        pthread_mutex_lock(&s->part_lock);
        day_remember(s, day);
        pthread_mutex_unlock(&s->part_lock);
    }
}

/* ---- events ---------------------------------------------------------------------------- */

/* A growing byte buffer for the COPY stream. */
struct cbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static bool cb_room(struct cbuf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *p = cs_realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void cb_put(struct cbuf *b, const void *d, size_t n)
{
    if (cb_room(b, n)) {
        memcpy(b->p + b->len, d, n);
        b->len += n;
    }
}

static void cb_be(struct cbuf *b, uint64_t v, int bytes)
{
    uint8_t t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    cb_put(b, t, (size_t)bytes);
}

static void cb_null(struct cbuf *b)
{
    cb_be(b, 0xffffffffu, 4);
}

static void cb_int8(struct cbuf *b, int64_t v)
{
    cb_be(b, 8, 4);
    cb_be(b, (uint64_t)v, 8);
}

static void cb_opt4(struct cbuf *b, int64_t v) /* integer column; < 0: NULL */
{
    if (v < 0 || v > INT32_MAX) {
        cb_null(b);
        return;
    }
    cb_be(b, 4, 4);
    cb_be(b, (uint64_t)v, 4);
}

static void cb_opt8(struct cbuf *b, int64_t v) /* bigint column; < 0: NULL */
{
    if (v < 0)
        cb_null(b);
    else
        cb_int8(b, v);
}

/* Length of the valid UTF-8 sequence at p (as PostgreSQL accepts it: no overlongs, no
 * surrogates, <= U+10FFFF, no NUL), 0 if the bytes there are not one. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c >= 0x01 && c < 0x80)
        return 1;
    size_t len;
    uint32_t min, cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* A text column: NULL when t.p is NULL, else the bytes made valid UTF-8 (each byte that does
 * not start a valid sequence, and each NUL, becomes U+FFFD). */
static void cb_text(struct cbuf *b, struct hub_text t)
{
    if (!t.p) {
        cb_null(b);
        return;
    }
    size_t at = b->len;
    cb_be(b, 0, 4);
    const uint8_t *p = (const uint8_t *)t.p;
    size_t i = 0;
    while (i < t.len) {
        size_t run = 0, k;
        while (i + run < t.len && (k = utf8_seq(p + i + run, t.len - i - run)) > 0)
            run += k;
        cb_put(b, p + i, run);
        i += run;
        if (i < t.len) {
            cb_put(b, "\xef\xbf\xbd", 3);
            i++;
        }
    }
    if (!b->oom) {
        size_t len = b->len - at - 4;
        uint8_t *q = b->p + at;
        q[0] = (uint8_t)(len >> 24), q[1] = (uint8_t)(len >> 16);
        q[2] = (uint8_t)(len >> 8), q[3] = (uint8_t)len;
    }
}

static void cb_bytea(struct cbuf *b, struct hub_text t)
{
    cb_be(b, (uint64_t)t.len, 4);
    cb_put(b, t.p, t.len);
}

#define COPY_EVENTS                                                                             \
    "COPY events(org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port, dest_port," \
    " proto, app_proto, signature_id, signature, severity, raw, flow_id, ics_op)"               \
    " FROM STDIN (FORMAT binary)"

/* The binary COPY stream of a batch (header, one tuple per event, trailer). */
static int copy_build(struct cbuf *b, const struct hub_store_batch *bt,
                      const struct hub_store_event *ev, size_t n)
{
    cb_put(b, "PGCOPY\n\377\r\n\0", 11);
    cb_be(b, 0, 4); /* flags */
    cb_be(b, 0, 4); /* header extension */
    for (size_t i = 0; i < n; i++) {
        const struct hub_store_event *e = &ev[i];
        cb_be(b, 16, 2);
        cb_int8(b, bt->org_id);
        cb_int8(b, bt->sensor_id);
        cb_int8(b, e->ts_us);
        cb_text(b, e->event_type);
        cb_text(b, e->src_ip);
        cb_text(b, e->dest_ip);
        cb_opt4(b, e->src_port);
        cb_opt4(b, e->dest_port);
        cb_text(b, e->proto);
        cb_text(b, e->app_proto);
        cb_opt8(b, e->signature_id);
        cb_text(b, e->signature);
        cb_opt4(b, e->severity);
        cb_bytea(b, e->raw);
        if (e->flow_id)
            cb_int8(b, (int64_t)e->flow_id); /* as SQLite: the bits, read back as uint64 */
        else
            cb_null(b);
        cb_text(b, e->ics_op);
    }
    cb_be(b, 0xffff, 2);
    return b->oom ? CS_ENOMEM : CS_OK;
}

static int copy_send(PGconn *c, const char *copy_sql, const struct cbuf *b)
{
    PGresult *r = PQexec(c, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = pg_err(c, r);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    const size_t chunk = 1 << 20;
    for (size_t off = 0; off < b->len; off += chunk) {
        size_t k = CS_MIN(chunk, b->len - off);
        if (PQputCopyData(c, (const char *)b->p + off, (int)k) != 1) {
            PQputCopyEnd(c, "client error");
            break;
        }
    }
    PQputCopyEnd(c, NULL);
    int rc = CS_OK;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == CS_OK)
            rc = pg_err(c, r);
        PQclear(r);
    }
    return rc;
}

/* A one-dimensional array parameter in PostgreSQL's binary format: ndim, flags, element
 * type, then the dimension (its length patched by arr_end) and lower bound; each element
 * as a COPY field (length, bytes). */
struct arr {
    struct cbuf b;
    uint32_t n;
};

enum { OID_INT8 = 20, OID_TEXT = 25 };

static void arr_begin(struct arr *a, uint32_t oid)
{
    cb_be(&a->b, 1, 4);
    cb_be(&a->b, 0, 4);
    cb_be(&a->b, oid, 4);
    cb_be(&a->b, 0, 4);
    cb_be(&a->b, 1, 4);
}

static void arr_i64(struct arr *a, int64_t v)
{
    cb_int8(&a->b, v);
    a->n++;
}

static void arr_text(struct arr *a, struct hub_text t) /* absent: "" */
{
    cb_text(&a->b, t.p ? t : (struct hub_text){"", 0});
    a->n++;
}

/* Adds a as the next parameter (binary); false when out of memory. */
static bool arr_param(struct pp *p, struct arr *a)
{
    if (a->b.oom || a->b.len < 20)
        return false;
    uint8_t *q = a->b.p + 12;
    q[0] = (uint8_t)(a->n >> 24), q[1] = (uint8_t)(a->n >> 16);
    q[2] = (uint8_t)(a->n >> 8), q[3] = (uint8_t)a->n;
    pp_bin(p, a->b.p, a->b.len);
    return true;
}

static void arrs_begin(struct arr *a, const uint32_t *oids, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] = (struct arr){0};
        arr_begin(&a[i], oids[i]);
    }
}

/* Runs one rollup statement with p and the arrays a[0..na) when rc is CS_OK and there are
 * rows; frees the arrays either way. Returns rc, or the statement's result. */
static int ru_run(int rc, PGconn *c, enum pg_stmt st, struct pp *p, struct arr *a, int na,
                  size_t rows)
{
    for (int i = 0; i < na && rc == CS_OK; i++)
        if (!arr_param(p, &a[i]))
            rc = CS_ENOMEM;
    if (rc == CS_OK && rows) {
        PGresult *r = pp_run(c, st, p, 0);
        rc = res_ok(r) ? CS_OK : pg_err(c, r);
        PQclear(r);
    }
    for (int i = 0; i < na; i++)
        cs_free(a[i].b.p);
    return rc;
}

/* Inside the batch's transaction, after the COPY: the rollups (aggregated by rollup.c), one
 * statement per table over arrays (one per column, in the order of the statement's unnest),
 * and the sensor's state. */
static int rollup(PGconn *c, const struct hub_store_batch *b, const struct hub_store_event *ev,
                  size_t n)
{
    enum { I8 = OID_INT8, TX = OID_TEXT };
    static const uint32_t ev_t[] = {I8, TX, TX, TX, I8, I8, I8}, ip_t[] = {I8, I8, TX, I8},
                          min_t[] = {I8, I8, I8}, sig_t[] = {I8, TX, I8};
    struct hub_rollup ru;
    int rc = hub_rollup_build(&ru, ev, n);
    if (rc)
        return rc;
    struct arr a[7];
    struct pp p = {0};
    arrs_begin(a, ev_t, 7);
    for (size_t k = 0; k < ru.nev; k++) {
        const struct hub_store_event *e = ru.ev[k].last;
        arr_i64(&a[0], ru.ev[k].hour);
        arr_text(&a[1], e->event_type);
        arr_text(&a[2], e->app_proto);
        arr_text(&a[3], e->ics_op);
        arr_i64(&a[4], hub_ru_sev(e));
        arr_i64(&a[5], hub_ru_sid(e));
        arr_i64(&a[6], ru.ev[k].n);
    }
    pp_int(&p, b->org_id);
    pp_int(&p, b->sensor_id);
    rc = ru_run(rc, c, PS_RU_EV, &p, a, 7, ru.nev);

    arrs_begin(a, ip_t, 4);
    for (size_t k = 0; k < ru.nip; k++) {
        arr_i64(&a[0], ru.ip[k].hour);
        arr_i64(&a[1], ru.ip[k].side);
        arr_text(&a[2], ru.ip[k].ip);
        arr_i64(&a[3], ru.ip[k].n);
    }
    p = (struct pp){0};
    pp_int(&p, b->org_id);
    rc = ru_run(rc, c, PS_RU_IP, &p, a, 4, ru.nip);

    arrs_begin(a, min_t, 3);
    for (size_t k = 0; k < ru.nmin; k++) {
        arr_i64(&a[0], ru.min[k].minute);
        arr_i64(&a[1], ru.min[k].cls);
        arr_i64(&a[2], ru.min[k].n);
    }
    p = (struct pp){0};
    pp_int(&p, b->org_id);
    rc = ru_run(rc, c, PS_RU_MIN, &p, a, 3, ru.nmin);

    arrs_begin(a, sig_t, 3);
    for (size_t k = 0; k < ru.nsig; k++) {
        const struct hub_store_event *e = ru.sig[k].last;
        arr_i64(&a[0], ru.sig[k].sid);
        arr_text(&a[1], e->signature);
        arr_i64(&a[2], e->severity > 0 ? e->severity : -1);
    }
    p = (struct pp){0};
    rc = ru_run(rc, c, PS_RU_SIG, &p, a, 3, ru.nsig);

    if (rc == CS_OK) {
        p = (struct pp){0};
        pp_int(&p, b->sensor_id);
        pp_int(&p, b->received_us ? b->received_us : now_us());
        pp_int(&p, ru.stats_us);
        pp_int(&p, ru.packets);
        pp_int(&p, ru.drops);
        pp_int(&p, n ? 1 : 0);
        PGresult *r = pp_run(c, PS_SENSOR_STATE, &p, 0);
        rc = res_ok(r) ? CS_OK : pg_err(c, r);
        PQclear(r);
    }
    hub_rollup_free(&ru);
    return rc;
}

static int batch_stored_before(PGconn *c, const struct hub_store_batch *b,
                               struct hub_store_batch_result *res)
{
    struct pp p = {0};
    pp_int(&p, b->sensor_id);
    pp_text(&p, b->batch_id);
    PGresult *r = pp_run(c, PS_BATCH_N, &p, 0);
    int rc = res_ok(r) ? CS_OK : pg_err(c, r);
    if (rc == CS_OK) {
        res->duplicate = true;
        res->stored = PQntuples(r) ? col_i64(r, 0, 0) : 0;
    }
    PQclear(r);
    return rc;
}

static int pg_batch_add(struct hub_store *hs, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n,
                        struct hub_store_batch_result *res)
{
    struct pg_store *s = PG(hs);
    res->duplicate = false;
    res->stored = 0;
    struct cbuf buf = {0};
    int rc = copy_build(&buf, b, ev, n);
    if (rc) {
        cs_free(buf.p);
        return rc;
    }
    PGconn *c;
    int idx;
    if ((rc = conn_get(s, &c, &idx)) != CS_OK) {
        cs_free(buf.p);
        return rc;
    }
    partitions_ensure(s, c, ev, n);
    if ((rc = begin(c)) != CS_OK)
        goto out;
    struct pp p = {0};
    pp_int(&p, b->sensor_id);
    pp_text(&p, b->batch_id);
    pp_int(&p, b->org_id);
    pp_int(&p, b->received_us ? b->received_us : now_us());
    pp_int(&p, (int64_t)n);
    pp_text(&p, b->signature);
    PGresult *r = pp_run(c, PS_BATCH_INS, &p, 0);
    if (!res_ok(r)) {
        rc = pg_err(c, r);
        PQclear(r);
        goto out;
    }
    bool inserted = strtoll(PQcmdTuples(r), NULL, 10) == 1;
    PQclear(r);
    if (!inserted) {
        /* the same (sensor, batch id) is committed already (a concurrent first delivery
         * was waited for by the unique index): report what it stored */
        pg_exec(c, "ROLLBACK");
        rc = batch_stored_before(c, b, res);
        goto out;
    }
    /* the sealing barrier (seal_barrier): the COPY takes ROW EXCLUSIVE on events when it
     * starts, before it draws the batch's ids from the sequence (the id column's default),
     * and the transaction holds it until COMMIT */
    if ((n && (rc = copy_send(c, COPY_EVENTS, &buf)) != CS_OK) ||
        (rc = rollup(c, b, ev, n)) != CS_OK)
        goto out;
    if ((rc = pg_exec(c, "COMMIT")) == CS_OK) {
        res->stored = (int64_t)n;
        partitions_count(s, c, ev, n);
    }
out:
    conn_put(s, idx); /* rolls back whatever is still open */
    cs_free(buf.p);
    return rc;
}

static int pg_batch_max_id(struct hub_store *hs, int64_t sensor_id, const char *prefix, char *out,
                           size_t cap)
{
    struct pp p = {0};
    pp_int(&p, sensor_id);
    pp_text(&p, prefix);
    PGresult *r;
    int rc = run(PG(hs), PS_BATCH_MAX, &p, 0, &r);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        copy_col(out, cap, r, 0, 0);
    PQclear(r);
    return CS_OK;
}

/* ---- key blocks: sealing (migration 7, keyblock.h) ------------------------------------- */

#define SEG_SHIFT HUB_KB_SEG_SHIFT
#define SEAL_POLL_MS 500

/* Runs sql (no parameters) on c and returns the first column of its first row in *v (0 when
 * NULL or no row; *isnull says which, when not NULL). */
static int one_i64(PGconn *c, const char *sql, int64_t *v, bool *isnull)
{
    PGresult *r = PQexec(c, sql);
    if (!res_ok(r)) {
        int rc = pg_err(c, r);
        PQclear(r);
        return rc;
    }
    bool null = PQntuples(r) < 1 || PQgetisnull(r, 0, 0);
    *v = null ? 0 : col_i64(r, 0, 0);
    if (isnull)
        *isnull = null;
    PQclear(r);
    return CS_OK;
}

/* The last id the sequence handed out (0: none yet). */
static int seq_last(PGconn *c, int64_t *last)
{
    return one_i64(c,
                   "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END"
                   " FROM events_id_seq",
                   last, NULL);
}

/* The barrier across connections and hub processes. Ids come from a sequence and become
 * visible when their transaction commits, not in their order: a segment may be sealed only
 * when no transaction that could still commit ids in it is in flight. Every ingest takes
 * ROW EXCLUSIVE on events before it draws ids (its COPY into events) and holds it to its
 * end; this
 * reads the sequence's last value L, then takes SHARE on events, which is granted once every
 * transaction holding ROW EXCLUSIVE at that moment has ended. A transaction that drew an id
 * <= L drew it before L was read, so it held the lock then and has ended now: every id <= L
 * is committed or will never be. The lock is released at once (new ingests wait only while
 * the in-flight ones finish); lock_timeout bounds that wait when an inserter hangs. Sets
 * *complete to the first segment that may still get ids: all below it are complete. */
static int seal_barrier(PGconn *c, int64_t *complete)
{
    int64_t last;
    int rc = seq_last(c, &last);
    if (rc)
        return rc;
    rc = pg_exec(c, "BEGIN; SET LOCAL lock_timeout='2s';"
                    " LOCK TABLE ONLY events IN SHARE MODE; COMMIT");
    if (rc != CS_OK) {
        pg_exec(c, "ROLLBACK");
        return rc;
    }
    *complete = (last + 1) >> SEG_SHIFT;
    return CS_OK;
}

/* Reads segment seg's keys into k (sorted), and its time range and row count. */
static int kb_build(PGconn *c, int64_t seg, struct hub_kb *k, int64_t *mn, int64_t *mx, int64_t *n)
{
    struct pp p = {0};
    int64_t first = seg << SEG_SHIFT;
    pp_int(&p, first);
    pp_int(&p, first + (1 << SEG_SHIFT));
    PGresult *r = PQexecParams(c,
                               "SELECT id, ts_us, src_ip, dest_ip, flow_id FROM events"
                               " WHERE id>=$1 AND id<$2",
                               p.n, NULL, p.v, NULL, NULL, 1);
    if (!res_ok(r)) {
        int rc = pg_err(c, r);
        PQclear(r);
        return rc;
    }
    if (hub_kb_init(k) != CS_OK) {
        PQclear(r);
        return CS_ENOMEM;
    }
    int rows = PQntuples(r);
    *mn = INT64_MAX;
    *mx = INT64_MIN;
    for (int i = 0; i < rows; i++) {
        int64_t ts = col_i64(r, i, 1);
        struct hub_text a = col_text(r, i, 2), d = col_text(r, i, 3);
        hub_kb_add(k, (uint32_t)(col_i64(r, i, 0) - first), ts, a.p, a.len, d.p, d.len,
                   (uint64_t)col_i64(r, i, 4));
        *mn = CS_MIN(*mn, ts);
        *mx = CS_MAX(*mx, ts);
    }
    *n = rows;
    PQclear(r);
    hub_kb_sort(k);
    return CS_OK;
}

/* Writes segment seg's 256 rows (one COPY) and its ev_seg row, in one transaction. */
static int kb_write(PGconn *c, int64_t seg, struct hub_kb *k, int64_t mn, int64_t mx, int64_t n)
{
    struct cbuf b = {0};
    cb_put(&b, "PGCOPY\n\377\r\n\0", 11);
    cb_be(&b, 0, 4);
    cb_be(&b, 0, 4);
    size_t i = 0, len;
    int bucket;
    while ((len = hub_kb_next_bucket(k, &i, &bucket)) > 0) {
        cb_be(&b, 3, 2);
        cb_int8(&b, seg);
        cb_be(&b, 2, 4);
        cb_be(&b, (uint64_t)bucket, 2);
        cb_be(&b, len, 4);
        cb_put(&b, k->buf, len);
    }
    cb_be(&b, 0xffff, 2);
    int rc = b.oom ? CS_ENOMEM : pg_exec(c, "BEGIN");
    if (rc == CS_OK)
        rc = copy_send(c, "COPY ev_kb(seg, b, v) FROM STDIN (FORMAT binary)", &b);
    if (rc == CS_OK) {
        struct pp p = {0};
        pp_int(&p, seg);
        pp_int(&p, mn);
        pp_int(&p, mx);
        pp_int(&p, n);
        PGresult *r = PQexecParams(c,
                                   "INSERT INTO ev_seg(seg, min_ts, max_ts, n)"
                                   " VALUES($1,$2,$3,$4)",
                                   p.n, NULL, p.v, NULL, NULL, 0);
        rc = res_ok(r) ? CS_OK : pg_err(c, r);
        PQclear(r);
    }
    if (rc == CS_OK)
        rc = pg_exec(c, "COMMIT");
    if (rc != CS_OK)
        pg_exec(c, "ROLLBACK");
    cs_free(b.p);
    return rc;
}

/* Seals the complete segments above the newest sealed one, oldest first, on the sealer's
 * connection (seal_lock held). Segments without events are skipped (they get no row; the
 * ones below the newest sealed one are all sealed or empty). One sealer at a time per
 * schema, across hubs (a session advisory lock; the other hubs skip their pass). Returns the
 * number sealed, or an error. */
static int seal_pass(struct pg_store *s, bool progress)
{
    PGconn *c = s->seal_conn;
    if (!conn_revive(c))
        return CS_EIO;
    int64_t last, next, complete, got;
    bool null;
    int rc = seq_last(c, &last);
    if (rc == CS_OK)
        rc = one_i64(c, "SELECT coalesce(max(seg) + 1, 0) FROM ev_seg", &next, NULL);
    if (rc != CS_OK || ((last + 1) >> SEG_SHIFT) <= next)
        return rc; /* nothing can be complete: no lock taken */
    if ((rc = one_i64(c,
                      "SELECT pg_try_advisory_lock(hashtext('citysoc.seal:'||current_schema()))"
                      "::int",
                      &got, NULL)) != CS_OK ||
        !got)
        return rc;
    int total = 0;
    int64_t t0 = now_us(), shown = t0;
    if ((rc = seal_barrier(c, &complete)) != CS_OK)
        goto out;
    for (;;) {
        if ((rc = one_i64(c, "SELECT coalesce(max(seg) + 1, 0) FROM ev_seg", &next, NULL)) !=
                CS_OK ||
            next >= complete)
            break;
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "SELECT min(id) FROM events WHERE id>=%" PRId64 " AND id<%" PRId64,
                 next << SEG_SHIFT, complete << SEG_SHIFT);
        int64_t m;
        if ((rc = one_i64(c, sql, &m, &null)) != CS_OK || null)
            break; /* the complete segments left are empty */
        int64_t seg = m >> SEG_SHIFT, mn = 0, mx = 0, n = 0;
        struct hub_kb k;
        if ((rc = kb_build(c, seg, &k, &mn, &mx, &n)) != CS_OK)
            break;
        rc = kb_write(c, seg, &k, mn, mx, n);
        hub_kb_free(&k);
        if (rc != CS_OK)
            break;
        total++;
        if (progress && now_us() - shown > 2000000) {
            shown = now_us();
            fprintf(stderr, "store: indexed addresses and flows of %d segments (%d events)\n",
                    total, total << SEG_SHIFT);
        }
    }
    if (progress && total > 8)
        fprintf(stderr, "store: indexed addresses and flows of %d segments in %.1f s\n", total,
                (double)(now_us() - t0) / 1e6);
out:
    pg_exec(c, "SELECT pg_advisory_unlock(hashtext('citysoc.seal:'||current_schema()))");
    return rc != CS_OK ? rc : total;
}

int hub_store_pgsql_seal(struct hub_store *hs)
{
    struct pg_store *s = PG(hs);
    pthread_mutex_lock(&s->seal_lock);
    int rc = seal_pass(s, false);
    pthread_mutex_unlock(&s->seal_lock);
    return rc;
}

/* The sealer thread: a pass every SEAL_POLL_MS (one small query when nothing is complete),
 * off the ingest's path; only the barrier makes new ingests wait, while the in-flight
 * ones finish. */
static void *sealer_run(void *arg)
{
    struct pg_store *s = arg;
    pthread_mutex_lock(&s->stop_lock);
    while (!s->stop) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += SEAL_POLL_MS * 1000000L;
        dl.tv_sec += dl.tv_nsec / 1000000000L;
        dl.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &dl);
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->stop_lock);
        hub_store_pgsql_seal(&s->base);
        pthread_mutex_lock(&s->stop_lock);
    }
    pthread_mutex_unlock(&s->stop_lock);
    return NULL;
}

/* The event and statistics queries, assembled from constant fragments; values only as $n
 * parameters. */
struct q {
    char sql[16384];
    size_t len;
    int n;
    const char *v[160];
    char num[160][24];
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

/* Adds a text parameter without placing it; returns its number k (for "$k"), 0 when full. */
static int q_param(struct q *q, const char *s)
{
    if (q->n >= (int)CS_ARRAY_LEN(q->v)) {
        q->overflow = true;
        return 0;
    }
    q->v[q->n++] = s;
    return q->n;
}

/* Appends "$k". */
static void q_ref(struct q *q, int k)
{
    char ph[16];
    snprintf(ph, sizeof(ph), "$%d", k);
    q_sql(q, ph);
}

/* Appends the placeholder of a new text parameter ("$k"). */
static void q_text(struct q *q, const char *s)
{
    int k = q_param(q, s);
    if (k)
        q_ref(q, k);
}

static void q_int(struct q *q, int64_t x)
{
    if (q->n >= (int)CS_ARRAY_LEN(q->v)) {
        q->overflow = true;
        return;
    }
    snprintf(q->num[q->n], sizeof(q->num[0]), "%" PRId64, x);
    q_text(q, q->num[q->n]);
    if (!q->overflow)
        q_sql(q, "::bigint");
}

/* Runs q on c; *out gets the result when CS_OK. */
static int q_run(PGconn *c, const struct q *q, int result_fmt, PGresult **out)
{
    if (q->overflow)
        return CS_EINVAL;
    PGresult *r = PQexecParams(c, q->sql, q->n, NULL, q->v, NULL, NULL, result_fmt);
    if (!res_ok(r)) {
        int rc = pg_err(c, r);
        PQclear(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

/* The ids of org's subtree as an array literal ("{1,4,9}"; "{}" for an unknown org), into
 * *out (cs_free it). The queries take them as a parameter rather than as a subquery: the
 * planner then sees real org ids, and picks the (event_type|ip|…, ts_us) indexes when the
 * scope holds most events instead of scanning and sorting every row of it. */
static int subtree_ids(PGconn *c, int64_t org, char **out)
{
    struct pp p = {0};
    pp_int(&p, org);
    PGresult *r = pp_run(c, PS_SUBTREE, &p, 0);
    int rc = CS_OK;
    if (!res_ok(r) || PQntuples(r) != 1)
        rc = res_ok(r) ? CS_EIO : pg_err(c, r);
    else if (!(*out = cs_strdup(PQgetvalue(r, 0, 0))))
        rc = CS_ENOMEM;
    PQclear(r);
    return rc;
}

/* The org ids of the scope (NULL when system) and of a filter org (NULL when 0). */
struct orgsets {
    char *scope, *filter;
    char *sensors; /* the sensors of the split org set, when split by sensor (split_sensors) */
    bool unsplit;  /* the org set stays a filter (split_sensors) */
};

static int orgsets_get(PGconn *c, const struct hub_scope *sc, int64_t org, struct orgsets *o)
{
    int rc = CS_OK;
    o->scope = o->filter = NULL;
    if (!sc->system)
        rc = subtree_ids(c, sc->org_id, &o->scope);
    if (rc == CS_OK && org)
        rc = subtree_ids(c, org, &o->filter);
    return rc;
}

static void orgsets_free(struct orgsets *o)
{
    cs_free(o->scope);
    cs_free(o->filter);
    cs_free(o->sensors);
}

/* " AND col = ANY($k)" for each set present but `skip` */
static void q_orgs_but(struct q *q, const char *col, const struct orgsets *o, const char *skip)
{
    const char *sets[2] = {o->scope, o->filter};
    for (int i = 0; i < 2; i++) {
        if (!sets[i] || sets[i] == skip)
            continue;
        q_sql(q, " AND ");
        q_sql(q, col);
        q_sql(q, " = ANY(");
        q_text(q, sets[i]);
        q_sql(q, "::bigint[])");
    }
}

static void q_orgs(struct q *q, const char *col, const struct orgsets *o)
{
    q_orgs_but(q, col, o, NULL);
}

/* The conditions of f over events (" AND …"), the scope and org filter included (but the set
 * `split`, which the caller matches one org at a time). */
static void ev_where(struct q *q, const struct orgsets *o, const struct hub_event_filter *f,
                     const char *split)
{
    q_orgs_but(q, "org_id", o, split);
    if (f->from_us) {
        q_sql(q, " AND ts_us>=");
        q_int(q, f->from_us);
    }
    if (f->to_us) {
        q_sql(q, " AND ts_us<");
        q_int(q, f->to_us);
    }
    if (f->sensor_id) {
        q_sql(q, " AND sensor_id=");
        q_int(q, f->sensor_id);
    }
    if (f->event_type) {
        q_sql(q, " AND event_type=");
        q_text(q, f->event_type);
    }
    if (f->signature) {
        q_sql(q, " AND strpos(signature, ");
        q_text(q, f->signature);
        q_sql(q, ")>0");
    }
    if (f->signature_id) {
        q_sql(q, " AND signature_id=");
        q_int(q, f->signature_id);
    }
    if (f->severity_max) {
        q_sql(q, " AND severity<=");
        q_int(q, f->severity_max);
    }
    if (f->src_ip) {
        q_sql(q, " AND src_ip=");
        q_text(q, f->src_ip);
    }
    if (f->dest_ip) {
        q_sql(q, " AND dest_ip=");
        q_text(q, f->dest_ip);
    }
    if (f->ip) {
        q_sql(q, " AND (src_ip=");
        q_text(q, f->ip);
        q_sql(q, " OR dest_ip=");
        q_text(q, f->ip);
        q_sql(q, ")");
    }
    if (f->flow_id) {
        q_sql(q, " AND flow_id=");
        q_int(q, (int64_t)f->flow_id);
    }
    if (f->app_proto && strcmp(f->app_proto, "none") == 0) {
        q_sql(q, " AND app_proto IS NULL");
    } else if (f->app_proto) {
        q_sql(q, " AND app_proto=");
        q_text(q, f->app_proto);
    }
    if (f->proto) {
        q_sql(q, " AND proto=");
        q_text(q, f->proto);
    }
    if (f->q) {
        /* raw is bytea: the needle as its UTF-8 bytes (no LIKE: % and _ are plain) */
        q_sql(q, " AND position(convert_to(");
        q_text(q, f->q);
        q_sql(q, "::text, 'UTF8') in raw)>0");
    }
    if (f->since_id) {
        q_sql(q, " AND id>");
        q_int(q, f->since_id);
    }
}

/* A query failed because a filter value is not valid text (not UTF-8…): it matches nothing. */
static int no_match(int rc)
{
    return rc == CS_EINVAL ? CS_OK : rc;
}

/* How many org ids a set literal ("{1,4,9}") holds. */
static int set_len(const char *set)
{
    int n = 0;
    bool digit = false;
    for (const char *p = set; *p; p++) {
        bool d = *p >= '0' && *p <= '9';
        n += d && !digit;
        digit = d;
    }
    return n;
}

#define ORG_SPLIT_MAX 16

/* The org set an event query is split by, one branch per org (NULL: none). A set of orgs
 * (a subtree filter or a user's scope) as "org_id = ANY(…)" is a filter on whatever index
 * the planner walks: with PostgreSQL 15 an array comparison on the first column of
 * (org_id, ts_us, id) gives rows in org order, not time order, so the planner either reads
 * and sorts every row of the orgs, or walks (ts_us, id) and skips the rows of every other org
 * (857 ms p99 for a leaf org over 10 M events). "org_id = <one id>" walks (org_id, ts_us, id)
 * in order and stops after the limit; an org filter's set becomes one such branch per org,
 * merged. Only when no other filter has its own index, and for sets of at most ORG_SPLIT_MAX
 * orgs (a larger set holds most events: walking (ts_us, id) finds its rows soon). */
static const char *org_split(const struct orgsets *o, const struct hub_event_filter *f,
                             int64_t id)
{
    if (id || f->since_id || f->ip || f->src_ip || f->dest_ip || f->sensor_id ||
        f->signature_id || f->flow_id)
        return NULL;
    if (o->filter) {
        int n = set_len(o->filter);
        return n >= 1 && n <= ORG_SPLIT_MAX ? o->filter : NULL;
    }
    /* a scope of several orgs is left a filter: it usually holds most of what the user's
     * query reads, and with another filter (alerts…) a branch per org would walk every
     * partition of each org (see docs/hub-postgresql.md); a scope of one org is "org_id = x" */
    return o->scope && set_len(o->scope) == 1 ? o->scope : NULL;
}

/* One SELECT of the event query; with `set` (param $set_k), only its org number `arm` (1-based)
 * and no other condition on that set; with o->sensors, only that set's sensor number `arm`
 * (the org set stays a filter). */
static void ev_select(struct q *q, const struct orgsets *o, const struct hub_event_filter *f,
                      int64_t id, const char *set, int set_k, int arm)
{
    q_sql(q, "SELECT id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port,"
             " dest_port, proto, app_proto, signature_id, signature, severity, raw, flow_id,"
             " ics_op FROM events WHERE true");
    if (id) {
        q_sql(q, " AND id=");
        q_int(q, id);
    }
    if (set) {
        char a[32];
        q_sql(q, o->sensors ? " AND sensor_id=(" : " AND org_id=(");
        q_ref(q, set_k);
        snprintf(a, sizeof(a), "::bigint[])[%d]", arm);
        q_sql(q, a);
    }
    ev_where(q, o, f, o->sensors ? NULL : set);
    if (f->since_id) {
        q_sql(q, " ORDER BY id LIMIT ");
    } else {
        if (f->cursor_id) {
            q_sql(q, " AND (ts_us, id) < (");
            q_int(q, f->cursor_ts);
            q_sql(q, ", ");
            q_int(q, f->cursor_id);
            q_sql(q, ")");
        }
        q_sql(q, " ORDER BY ts_us DESC, id DESC LIMIT ");
    }
    q_int(q, f->limit);
}

/* ---- address and flow queries through the key blocks (migration 7) ---------------------- */

/* The id and time arrays ("{1,2,3}") are built in a struct cbuf (the COPY stream's buffer). */
static void ab_i64(struct cbuf *a, int64_t v)
{
    if (cb_room(a, 24))
        a->len += (size_t)snprintf((char *)a->p + a->len, a->cap - a->len, "%c%" PRId64,
                                   a->len ? ',' : '{', v);
}

/* Closes the array ("{}" when empty); NULL when out of memory. */
static const char *ab_end(struct cbuf *a)
{
    if (!a->len && !a->oom)
        return "{}";
    if (!cb_room(a, 2))
        return NULL;
    memcpy(a->p + a->len, "}", 2);
    return (const char *)a->p;
}

/* One key query: its connection, what EXPLAIN collects (hub_store_pgsql_explain) and the
 * candidates. */
struct kq {
    PGconn *c;
    const struct orgsets *o;
    const struct hub_event_filter *f;
    char *explain; /* NULL: run only */
    size_t cap, len;
    unsigned explained; /* which kinds of statement were explained (one plan each) */
    struct hub_cands cands;
};

/* Runs q (result format fmt); with kq->explain, first appends its plan (once per kind). */
static int kq_run(struct kq *k, struct q *q, unsigned kind, int fmt, PGresult **out)
{
    if (k->explain && !(k->explained & kind)) {
        k->explained |= kind;
        struct q *e = cs_malloc(sizeof(*e));
        if (!e)
            return CS_ENOMEM;
        *e = (struct q){0};
        q_sql(e, "EXPLAIN ");
        q_sql(e, q->sql);
        e->n = q->n;
        memcpy(e->v, q->v, sizeof(q->v)); /* q's numbers stay where they are */
        e->overflow |= q->overflow;
        PGresult *r;
        int rc = q_run(k->c, e, 0, &r);
        cs_free(e);
        if (rc)
            return rc;
        for (int i = 0; i < PQntuples(r) && k->len + 1 < k->cap; i++) {
            int n = snprintf(k->explain + k->len, k->cap - k->len, "%s\n", PQgetvalue(r, i, 0));
            k->len = n < 0 ? k->len : CS_MIN(k->cap - 1, k->len + (size_t)n);
        }
        PQclear(r);
    }
    return q_run(k->c, q, fmt, out);
}

enum { KQ_OPEN = 1, KQ_VERIFY = 2, KQ_ROWS = 4 };

/* Adds the rows (ts_us, id) of r to the candidates. */
static int kq_add(struct kq *k, PGresult *r)
{
    int rc = CS_OK;
    for (int i = 0; i < PQntuples(r) && rc == CS_OK; i++)
        rc = hub_cands_push(&k->cands, col_i64(r, i, 0), col_i64(r, i, 1));
    return rc;
}

/* " AND (ts_us, id) < cursor" */
static void q_cursor(struct q *q, const struct hub_event_filter *f)
{
    if (f->cursor_id) {
        q_sql(q, " AND (ts_us, id) < (");
        q_int(q, f->cursor_ts);
        q_sql(q, ", ");
        q_int(q, f->cursor_id);
        q_sql(q, ")");
    }
}

/* The open segments: every id from `from` on (the newest, not yet sealed; a materialised
 * id range, read through each day partition's primary key (id, ts_us)), newest first. */
static int kq_open(struct kq *k, int64_t from)
{
    const struct hub_event_filter *f = k->f;
    struct q q = {0};
    q_sql(&q, "WITH o AS MATERIALIZED (SELECT id, org_id, sensor_id, ts_us, event_type, src_ip,"
              " dest_ip, proto, app_proto, signature_id, signature, severity, flow_id");
    if (f->q)
        q_sql(&q, ", raw");
    q_sql(&q, " FROM events WHERE id>=");
    q_int(&q, from);
    q_sql(&q, ") SELECT ts_us, id FROM o WHERE true");
    ev_where(&q, k->o, f, NULL);
    q_cursor(&q, f);
    q_sql(&q, " ORDER BY ts_us DESC, id DESC LIMIT ");
    q_int(&q, f->limit);
    PGresult *r;
    int rc = kq_run(k, &q, KQ_OPEN, 1, &r);
    if (rc)
        return rc;
    rc = kq_add(k, r);
    PQclear(r);
    if (rc == CS_OK)
        hub_cands_trim(&k->cands);
    return rc;
}

/* A sealed segment being read: its bucket's entries of the key, from `at` to `end`. */
struct kseg {
    int64_t seg;
    const unsigned char *blob;
    size_t at, end;
    size_t taken;
};

/* Checks the candidates (id, ts) against their event rows: the key, the scope and every other
 * filter (a hash collision costs a row read, never a wrong answer). */
static int kq_verify(struct kq *k, struct cbuf *ids, struct cbuf *tss, PGresult **out)
{
    const char *ia = ab_end(ids), *ta = ab_end(tss);
    if (!ia || !ta)
        return CS_ENOMEM;
    struct q q = {0};
    q_sql(&q, "SELECT ts_us, id FROM events WHERE id = ANY(");
    q_text(&q, ia);
    q_sql(&q, "::bigint[]) AND ts_us = ANY(");
    q_text(&q, ta);
    q_sql(&q, "::bigint[])");
    ev_where(&q, k->o, k->f, NULL);
    q_cursor(&q, k->f);
    return kq_run(k, &q, KQ_VERIFY, 1, out);
}

/* Segments segs[0..n) (newest time range first): their key bucket rows in one statement,
 * then rounds of verification, each taking from every segment the next entries of the key
 * it still needs (up to `limit` rows per segment; entries are newest first, so a segment
 * stops at the time filter or the oldest row kept). */
static int kq_sealed(struct kq *k, const int64_t *segs, size_t n, uint64_t h)
{
    const struct hub_event_filter *f = k->f;
    const struct hub_cand *fl = hub_cands_floor(&k->cands);
    struct hub_cand floor = fl ? *fl : (struct hub_cand){0};
    struct cbuf sa = {0}, ids = {0}, tss = {0};
    for (size_t i = 0; i < n; i++)
        ab_i64(&sa, segs[i]);
    const char *sarr = ab_end(&sa);
    char bnum[8];
    snprintf(bnum, sizeof(bnum), "%d", hub_kb_bucket_of(h));
    const char *pv[2] = {bnum, sarr};
    PGresult *r = NULL;
    struct kseg *ks = cs_calloc(n ? n : 1, sizeof(*ks));
    int rc = CS_ENOMEM;
    if (!sarr || !ks)
        goto out;
    r = PQexecParams(k->c,
                     "SELECT seg, v FROM ev_kb WHERE b=$1::smallint AND seg = ANY($2::bigint[])", 2,
                     NULL, pv, NULL, NULL, 1);
    if (!res_ok(r)) {
        rc = pg_err(k->c, r);
        goto out;
    }
    size_t nk = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const unsigned char *p = (const unsigned char *)PQgetvalue(r, i, 1);
        size_t ne = (size_t)PQgetlength(r, i, 1) / HUB_KB_ENTRY;
        size_t a = hub_kb_find(p, ne, h), e = a;
        struct hub_kb_ent ent;
        while (e < ne && (hub_kb_get(p, e, &ent), ent.h == h))
            e++;
        if (a < e)
            ks[nk++] = (struct kseg){.seg = col_i64(r, i, 0), .blob = p, .at = a, .end = e};
    }
    rc = CS_OK;
    /* a round asks each segment for the rows it still needs, twice as many as the round
     * before (the scope or another filter may reject most candidates) */
    for (int round = 0; nk > 0 && rc == CS_OK; round++) {
        bool more = false;
        ids.len = tss.len = 0;
        for (size_t i = 0; i < nk; i++) {
            struct kseg *s = &ks[i];
            size_t want = (k->cands.limit - CS_MIN(k->cands.limit, s->taken)) << CS_MIN(round, 6);
            for (size_t got = 0; got < want && s->at < s->end; s->at++) {
                struct hub_kb_ent e;
                hub_kb_get(s->blob, s->at, &e);
                int64_t id = (s->seg << SEG_SHIFT) + e.off;
                if ((f->to_us && e.ts >= f->to_us) ||
                    (f->cursor_id &&
                     (e.ts > f->cursor_ts || (e.ts == f->cursor_ts && id >= f->cursor_id))))
                    continue; /* newer than asked: older entries follow */
                if ((f->from_us && e.ts < f->from_us) ||
                    (fl && (e.ts < floor.ts || (e.ts == floor.ts && id < floor.id)))) {
                    s->at = s->end; /* newest first: the rest are older still */
                    break;
                }
                ab_i64(&ids, id);
                ab_i64(&tss, e.ts);
                got++;
            }
        }
        if (!ids.len)
            break;
        PGresult *v;
        if ((rc = kq_verify(k, &ids, &tss, &v)) != CS_OK)
            break;
        for (int i = 0; i < PQntuples(v) && rc == CS_OK; i++) {
            int64_t id = col_i64(v, i, 1);
            for (size_t j = 0; j < nk; j++)
                if (ks[j].seg == id >> SEG_SHIFT)
                    ks[j].taken++;
            rc = hub_cands_push(&k->cands, col_i64(v, i, 0), id);
        }
        PQclear(v);
        for (size_t i = 0; i < nk; i++)
            more |= ks[i].at < ks[i].end && ks[i].taken < k->cands.limit;
        if (!more)
            break;
    }
    if (rc == CS_OK)
        hub_cands_trim(&k->cands);
out:
    PQclear(r);
    cs_free(ks);
    cs_free(sa.p);
    cs_free(ids.p);
    cs_free(tss.p);
    return rc;
}

/* Newest first among the events with an address or flow key: the open segments by their id
 * range, then the sealed ones through ev_kb, newest time range first, in groups of 4, 8,
 * 16, … segments; stops when the remaining segments are all older than every row kept. */
static int query_by_key(struct kq *k)
{
    const struct hub_event_filter *f = k->f;
    const char *key = f->ip ? f->ip : f->src_ip ? f->src_ip : f->dest_ip;
    uint64_t h = f->flow_id ? hub_kb_hash_flow(f->flow_id) : hub_kb_hash_text(key, strlen(key));
    PGresult *segs = PQexec(k->c, "SELECT seg, min_ts, max_ts FROM ev_seg ORDER BY max_ts DESC");
    if (!res_ok(segs)) {
        int rc = pg_err(k->c, segs);
        PQclear(segs);
        return rc;
    }
    int nseg = PQntuples(segs);
    int64_t from = 0;
    for (int i = 0; i < nseg; i++)
        from = CS_MAX(from, (col_i64(segs, i, 0) + 1) << SEG_SHIFT);
    int64_t *batch = cs_malloc(((size_t)nseg + 1) * sizeof(*batch));
    int rc = batch ? kq_open(k, from) : CS_ENOMEM;
    size_t group = 4, nb = 0;
    for (int i = 0; i < nseg && rc == CS_OK; i++) {
        int64_t seg = col_i64(segs, i, 0), mn = col_i64(segs, i, 1), mx = col_i64(segs, i, 2);
        const struct hub_cand *fl = hub_cands_floor(&k->cands);
        if (fl && fl->ts > mx)
            break; /* this segment and all after it are older than every row kept */
        if ((f->from_us && mx < f->from_us) || (f->to_us && mn >= f->to_us) ||
            (f->cursor_id && mn > f->cursor_ts))
            continue;
        batch[nb++] = seg;
        if (nb == group) {
            rc = kq_sealed(k, batch, nb, h);
            nb = 0;
            group *= 2;
        }
    }
    if (rc == CS_OK && nb)
        rc = kq_sealed(k, batch, nb, h);
    cs_free(batch);
    PQclear(segs);
    return rc;
}

/* The event rows of the candidates, newest first, into *out (binary results). */
static int kq_rows(struct kq *k, PGresult **out)
{
    struct cbuf ids = {0}, tss = {0};
    for (size_t i = 0; i < k->cands.n; i++) {
        ab_i64(&ids, k->cands.v[i].id);
        ab_i64(&tss, k->cands.v[i].ts);
    }
    const char *ia = ab_end(&ids), *ta = ab_end(&tss);
    int rc = CS_ENOMEM;
    if (ia && ta) {
        struct q q = {0};
        q_sql(&q, "SELECT id, org_id, sensor_id, ts_us, event_type, src_ip, dest_ip, src_port,"
                  " dest_port, proto, app_proto, signature_id, signature, severity, raw, flow_id,"
                  " ics_op FROM events WHERE id = ANY(");
        q_text(&q, ia);
        q_sql(&q, "::bigint[]) AND ts_us = ANY(");
        q_text(&q, ta);
        q_sql(&q, "::bigint[]) ORDER BY ts_us DESC, id DESC");
        rc = kq_run(k, &q, KQ_ROWS, 1, out);
    }
    cs_free(ids.p);
    cs_free(tss.p);
    return rc;
}

/* Whether an event query takes the key path. */
static bool by_key(const struct hub_event_filter *f, int64_t id)
{
    return !id && !f->since_id && (f->ip || f->src_ip || f->dest_ip || f->flow_id);
}

#define SENSOR_SPLIT_MAX 64  /* sensors of one org */
#define SENSOR_SPLIT_MULTI 4 /* sensors of several orgs */

/* Since migration 10 there is no (org_id, ts_us, id) index: a sensor belongs to one org for
 * good (nothing moves it), so an org's events are its sensors' events, and an org split walks
 * (sensor_id, ts_us, id) once per sensor of the set, merged. Sets o->sensors to those sensors
 * ("{0}" when there are none: a branch that finds nothing at once). Alerts keep the org
 * split: (org_id, ts_us, id) of alerts only is an index (an org whose alerts are rare would
 * walk all its events). Each branch costs ~1-3 ms of planning over 30 day partitions, and a
 * set of several orgs (a district) usually holds a good share of the events, which a walk of
 * (ts_us, id) with the set as a filter finds at once (8 branches: 53/95 ms p50/p99 over 10 M
 * events; the filter walk: 1 ms planning, 0.1 ms execution): such a set is split only when it
 * has at most SENSOR_SPLIT_MULTI sensors, one org's set up to SENSOR_SPLIT_MAX (sets o->unsplit
 * otherwise). */
static int split_sensors(PGconn *c, struct orgsets *o, const struct hub_event_filter *f,
                         int64_t id)
{
    const char *set = org_split(o, f, id);
    if (!set || (f->event_type && !strcmp(f->event_type, "alert")))
        return CS_OK;
    const char *v[1] = {set};
    PGresult *r = PQexecParams(c,
                               "SELECT coalesce(array_agg(id ORDER BY id)::text, '{0}')"
                               " FROM sensors WHERE org_id = ANY($1::bigint[])",
                               1, NULL, v, NULL, NULL, 0);
    int rc = res_ok(r) && PQntuples(r) == 1 ? CS_OK : pg_err(c, r);
    if (rc == CS_OK && !(o->sensors = cs_strdup(PQgetvalue(r, 0, 0))))
        rc = CS_ENOMEM;
    PQclear(r);
    if (rc == CS_OK) {
        int ns = set_len(o->sensors);
        o->unsplit = ns > (set_len(set) == 1 ? SENSOR_SPLIT_MAX : SENSOR_SPLIT_MULTI);
    }
    return rc;
}

/* The event query of f (or of the event `id` when non-zero) into q. */
static void ev_query_sql(struct q *q, const struct orgsets *o, const struct hub_event_filter *f,
                         int64_t id)
{
    const char *set = org_split(o, f, id);
    struct orgsets unsplit = *o;
    if (set && o->unsplit) {
        unsplit.sensors = NULL;
        o = &unsplit;
        set = NULL; /* the org set as a filter */
    } else if (set && o->sensors) {
        set = o->sensors;
    }
    int n = set ? set_len(set) : 0;
    if (n <= 1) {
        ev_select(q, o, f, id, set, set ? q_param(q, set) : 0, 1);
        return;
    }
    /* the newest rows of each sensor (or org) from its (…, ts_us, id) index, merged */
    int k = q_param(q, set);
    q_sql(q, "SELECT * FROM (");
    for (int i = 1; i <= n; i++) {
        q_sql(q, i > 1 ? " UNION ALL (" : "(");
        ev_select(q, o, f, 0, set, k, i);
        q_sql(q, ")");
    }
    q_sql(q, ") u ORDER BY ts_us DESC, id DESC LIMIT ");
    q_int(q, f->limit);
}

int hub_store_pgsql_explain(struct hub_store *hs, const struct hub_scope *sc,
                            const struct hub_event_filter *f, int64_t id, char *out, size_t cap)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets o = {0};
    PGresult *r = NULL;
    if (!cap)
        return CS_EINVAL;
    out[0] = 0;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, f->org_id, &o)) != CS_OK ||
        (!by_key(f, id) && (rc = split_sensors(c, &o, f, id)) != CS_OK))
        goto out;
    if (by_key(f, id)) {
        /* every statement on events the key path runs, one plan each (open segments,
         * verification of a sealed segment's candidates, the rows) */
        struct kq k = {.c = c,
                       .o = &o,
                       .f = f,
                       .explain = out,
                       .cap = cap,
                       .cands = {.limit = (size_t)(f->limit > 0 ? f->limit : 1)}};
        if ((rc = query_by_key(&k)) == CS_OK && (rc = kq_rows(&k, &r)) == CS_OK)
            PQclear(r);
        cs_free(k.cands.v);
        goto out;
    }
    struct q q = {0};
    q_sql(&q, "EXPLAIN ");
    ev_query_sql(&q, &o, f, id);
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    size_t len = 0;
    for (int i = 0; i < PQntuples(r) && len + 1 < cap; i++) {
        int k = snprintf(out + len, cap - len, "%s\n", PQgetvalue(r, i, 0));
        len = k < 0 ? len : CS_MIN(cap - 1, len + (size_t)k);
    }
    PQclear(r);
out:
    conn_put(s, idx);
    orgsets_free(&o);
    return rc;
}

static int pg_event_query(struct hub_store *hs, const struct hub_scope *sc,
                          const struct hub_event_filter *f, int64_t id,
                          int (*cb)(void *, const struct hub_event_row *), void *arg)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets o = {0};
    PGresult *r = NULL;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, f->org_id, &o)) != CS_OK ||
        (!by_key(f, id) && (rc = split_sensors(c, &o, f, id)) != CS_OK))
        goto out;
    if (by_key(f, id)) {
        /* through the key blocks: candidates, then their rows */
        struct kq k = {
            .c = c, .o = &o, .f = f, .cands = {.limit = (size_t)(f->limit > 0 ? f->limit : 1)}};
        if ((rc = query_by_key(&k)) == CS_OK)
            rc = kq_rows(&k, &r);
        cs_free(k.cands.v);
        goto out;
    }
    struct q q = {0};
    ev_query_sql(&q, &o, f, id);
    /* binary results: raw (bytea) comes back byte for byte, numbers without parsing */
    rc = q_run(c, &q, 1, &r);
out:
    conn_put(s, idx);
    orgsets_free(&o);
    if (rc)
        return no_match(rc) == CS_OK && id ? HUB_ENOTFOUND : no_match(rc);
    int nrows = PQntuples(r);
    for (int i = 0; i < nrows && rc == CS_OK; i++) {
        struct hub_event_row row = {0};
        row.id = col_i64(r, i, 0);
        row.org_id = col_i64(r, i, 1);
        row.sensor_id = col_i64(r, i, 2);
        row.ev.ts_us = col_i64(r, i, 3);
        row.ev.event_type = col_text(r, i, 4);
        row.ev.src_ip = col_text(r, i, 5);
        row.ev.dest_ip = col_text(r, i, 6);
        row.ev.src_port = (int32_t)col_opt(r, i, 7);
        row.ev.dest_port = (int32_t)col_opt(r, i, 8);
        row.ev.proto = col_text(r, i, 9);
        row.ev.app_proto = col_text(r, i, 10);
        row.ev.signature_id = col_opt(r, i, 11);
        row.ev.signature = col_text(r, i, 12);
        row.ev.severity = (int32_t)col_opt(r, i, 13);
        row.ev.raw = col_text(r, i, 14);
        row.ev.flow_id = (uint64_t)col_i64(r, i, 15);
        row.ev.ics_op = col_text(r, i, 16);
        rc = cb(arg, &row);
    }
    PQclear(r);
    if (rc == CS_OK && id && nrows == 0)
        rc = HUB_ENOTFOUND;
    return rc;
}

static int pg_event_count(struct hub_store *hs, const struct hub_scope *sc, int64_t *out)
{
    struct pp p = {0};
    pp_int(&p, scope_param(sc));
    PGresult *r;
    int rc = run(PG(hs), PS_EVENT_COUNT, &p, 0, &r);
    if (rc)
        return rc;
    *out = col_i64(r, 0, 0);
    PQclear(r);
    return CS_OK;
}

/* ---- statistics (from the rollups kept at ingest; see rollup()) ------------------------ */

#define PG_US INT64_C(1000000)

/* " WHERE" over a rollup table: the range in the query's resolution, scope and org. */
/* " WHERE" over ru_ev/ru_ip (res 3600), or ru_min when sq is in minutes: range, orgs. */
static void ru_where(struct q *q, const struct orgsets *o, const struct hub_stats_query *sq)
{
    int64_t div = sq->res_s * PG_US;
    if (sq->res_s == HUB_STATS_MIN_RES) {
        q_sql(q, " WHERE true");
    } else {
        q_sql(q, " WHERE res=");
        q_int(q, sq->res_s);
    }
    q_sql(q, " AND bucket>=");
    q_int(q, sq->from_us / div);
    q_sql(q, " AND bucket<");
    q_int(q, sq->to_us / div);
    q_orgs(q, "org_id", o);
}

/* The breakdowns (top lists, protocols, ics, orgs) are hourly whatever the chart's
 * resolution: q widened to whole hours (see store.h, struct hub_stats_overview). */
static struct hub_stats_query hourly(const struct hub_stats_query *sq)
{
    struct hub_stats_query h = *sq;
    int64_t d = HUB_STATS_HOUR_RES * PG_US;
    h.res_s = HUB_STATS_HOUR_RES;
    h.from_us = sq->from_us / d * d;
    h.to_us = (sq->to_us + d - 1) / d * d;
    return h;
}

static int pg_stats_overview(struct hub_store *hs, const struct hub_scope *sc,
                             const struct hub_stats_query *sq, struct hub_stats_overview *o)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets os = {0};
    PGresult *r = NULL;
    int64_t step = sq->bucket_s / sq->res_s, b0 = sq->from_us / (sq->res_s * PG_US);
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    /* one snapshot for every section */
    if ((rc = pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) != CS_OK ||
        (rc = orgsets_get(c, sc, sq->org_id, &os)) != CS_OK)
        goto out;
    o->npoints = (size_t)((sq->to_us - sq->from_us + sq->bucket_s * PG_US - 1) /
                          (sq->bucket_s * PG_US));
    for (size_t i = 0; i < o->npoints; i++)
        o->points[i].ts_us = sq->from_us + (int64_t)i * sq->bucket_s * PG_US;
    struct hub_stats_query hq = hourly(sq);
    o->brk_from_us = hq.from_us;
    o->brk_to_us = hq.to_us;

    /* totals and chart: per minute from ru_min (severity there is the class: 0 not an
     * alert), per hour from ru_ev */
    bool minutes = sq->res_s == HUB_STATS_MIN_RES;
    struct q q = {0};
    q_sql(&q, minutes ? "SELECT coalesce(sum(n), 0), coalesce(sum(CASE WHEN severity>0 THEN n END),"
                        " 0) FROM ru_min"
                      : "SELECT coalesce(sum(n), 0), coalesce(sum(CASE WHEN signature_id>=0"
                        " THEN n END), 0) FROM ru_ev");
    ru_where(&q, &os, sq);
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    o->events = col_i64(r, 0, 0);
    o->alerts = col_i64(r, 0, 1);
    PQclear(r);

    q = (struct q){0};
    q_sql(&q, "SELECT (bucket-");
    q_int(&q, b0);
    q_sql(&q, ")/");
    q_int(&q, step);
    q_sql(&q, minutes ? ", severity, sum(n) FROM ru_min" : ", severity, sum(n) FROM ru_ev");
    ru_where(&q, &os, sq);
    q_sql(&q, minutes ? " AND severity BETWEEN 1 AND 4 GROUP BY 1, 2"
                      : " AND signature_id>=0 AND severity BETWEEN 1 AND 4 GROUP BY 1, 2");
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        int64_t k = col_i64(r, i, 0), sev = col_i64(r, i, 1);
        if (k >= 0 && (size_t)k < o->npoints && sev >= 1 && sev <= 4)
            o->points[k].by_sev[sev - 1] += col_i64(r, i, 2);
    }
    PQclear(r);

    q = (struct q){0};
    q_sql(&q, "SELECT t.signature_id, t.c, g.signature, g.severity FROM (SELECT signature_id,"
              " sum(n) c FROM ru_ev");
    ru_where(&q, &os, &hq);
    q_sql(&q, " AND signature_id>=0 GROUP BY signature_id ORDER BY c DESC, signature_id LIMIT 10)"
              " t LEFT JOIN ru_sig g ON g.signature_id=t.signature_id ORDER BY t.c DESC,"
              " t.signature_id");
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n && o->nsigs < HUB_STATS_TOP; i++) {
        struct hub_stats_sig *g = &o->sigs[o->nsigs++];
        g->signature_id = col_i64(r, i, 0);
        g->count = col_i64(r, i, 1);
        copy_col(g->signature, sizeof(g->signature), r, i, 2);
        g->severity = (int32_t)col_opt(r, i, 3);
    }
    PQclear(r);

    q = (struct q){0};
    q_sql(&q, "SELECT app_proto, sum(n) c FROM ru_ev");
    ru_where(&q, &os, &hq);
    q_sql(&q, " GROUP BY app_proto ORDER BY c DESC, app_proto LIMIT 256");
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n && o->nprotos < HUB_STATS_MAX_ROWS; i++) {
        struct hub_stats_proto *x = &o->protos[o->nprotos++];
        copy_col(x->app_proto, sizeof(x->app_proto), r, i, 0);
        if (!x->app_proto[0])
            snprintf(x->app_proto, sizeof(x->app_proto), "none");
        x->count = col_i64(r, i, 1);
    }
    PQclear(r);

    q = (struct q){0};
    q_sql(&q, "SELECT app_proto, ics_op, sum(n) c FROM ru_ev");
    ru_where(&q, &os, &hq);
    q_sql(&q, " AND ics_op<>'' GROUP BY app_proto, ics_op ORDER BY c DESC, app_proto, ics_op"
              " LIMIT 256");
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n && o->nics < HUB_STATS_MAX_ROWS; i++) {
        struct hub_stats_ics *x = &o->ics[o->nics++];
        copy_col(x->app_proto, sizeof(x->app_proto), r, i, 0);
        copy_col(x->op, sizeof(x->op), r, i, 1);
        x->count = col_i64(r, i, 2);
    }
    PQclear(r);
    rc = pg_exec(c, "COMMIT");
out:
    conn_put(s, idx); /* rolls back after an error */
    orgsets_free(&os);
    return rc;
}

/* The address rollup rows of hours [from_h, to_h), every organisation (stats_cache.c). */
static int pg_stats_ip_hours(struct hub_store *hs, int64_t from_h, int64_t to_h,
                             int (*cb)(void *, const struct hub_stats_ip_row *), void *arg)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    PGresult *r = NULL;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    struct q q = {0};
    q_sql(&q, "SELECT bucket, org_id, side, ip, n FROM ru_ip WHERE res=");
    q_int(&q, HUB_STATS_HOUR_RES);
    q_sql(&q, " AND bucket>=");
    q_int(&q, from_h);
    q_sql(&q, " AND bucket<");
    q_int(&q, to_h);
    if ((rc = q_run(c, &q, 0, &r)) != CS_OK)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_stats_ip_row row = {
            .hour = col_i64(r, i, 0),
            .org_id = col_i64(r, i, 1),
            .side = (int)col_i64(r, i, 2),
            .ip = col_text(r, i, 3),
            .n = col_i64(r, i, 4),
        };
        rc = cb(arg, &row);
    }
    PQclear(r);
out:
    conn_put(s, idx);
    return rc;
}

static int pg_stats_orgs(struct hub_store *hs, const struct hub_scope *sc,
                         const struct hub_stats_query *sq,
                         int (*cb)(void *, const struct hub_stats_org *), void *arg)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets os = {0};
    PGresult *r = NULL;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, 0, &os)) != CS_OK)
        goto out;
    struct hub_stats_query all = hourly(sq);
    all.org_id = 0;
    struct q q = {0};
    q_sql(&q, "SELECT o.id, coalesce(o.parent_id, 0), o.name, o.kind, o.path,"
              " (SELECT count(*) FROM sensors WHERE org_id=o.id), coalesce(r.ev, 0),"
              " coalesce(r.al, 0) FROM orgs o LEFT JOIN (SELECT org_id, sum(n) ev,"
              " sum(CASE WHEN signature_id>=0 THEN n ELSE 0 END) al FROM ru_ev");
    ru_where(&q, &os, &all);
    q_sql(&q, " GROUP BY org_id) r ON r.org_id=o.id WHERE true");
    q_orgs(&q, "o.id", &os);
    if (sq->org_id) {
        q_sql(&q, " AND o.path LIKE (SELECT path FROM orgs WHERE id=");
        q_int(&q, sq->org_id);
        q_sql(&q, ")||'%'");
    }
    q_sql(&q, " ORDER BY o.path");
    rc = q_run(c, &q, 0, &r);
out:
    conn_put(s, idx);
    orgsets_free(&os);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_stats_org g;
        g.id = col_i64(r, i, 0);
        g.parent_id = col_i64(r, i, 1);
        copy_col(g.name, sizeof(g.name), r, i, 2);
        copy_col(g.kind, sizeof(g.kind), r, i, 3);
        copy_col(g.path, sizeof(g.path), r, i, 4);
        g.sensors = col_i64(r, i, 5);
        g.events = col_i64(r, i, 6);
        g.alerts = col_i64(r, i, 7);
        rc = cb(arg, &g);
    }
    PQclear(r);
    return rc;
}

static int pg_stats_sensors(struct hub_store *hs, const struct hub_scope *sc, int64_t org_id,
                            int (*cb)(void *, const struct hub_stats_sensor *), void *arg)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets os = {0};
    PGresult *r = NULL;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, org_id, &os)) != CS_OK)
        goto out;
    struct q q = {0};
    q_sql(&q, "SELECT s.id, s.org_id, s.name, coalesce(t.last_seen_us, 0),"
              " coalesce(t.packets, -1), coalesce(t.drops, -1), coalesce(t.stats_us, 0)"
              " FROM sensors s LEFT JOIN sensor_state t ON t.sensor_id=s.id WHERE true");
    q_orgs(&q, "s.org_id", &os);
    q_sql(&q, " ORDER BY s.id");
    rc = q_run(c, &q, 0, &r);
out:
    conn_put(s, idx);
    orgsets_free(&os);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_stats_sensor se;
        se.id = col_i64(r, i, 0);
        se.org_id = col_i64(r, i, 1);
        copy_col(se.name, sizeof(se.name), r, i, 2);
        se.last_seen_us = col_i64(r, i, 3);
        se.packets = col_i64(r, i, 4);
        se.drops = col_i64(r, i, 5);
        se.stats_us = col_i64(r, i, 6);
        rc = cb(arg, &se);
    }
    PQclear(r);
    return rc;
}

static int pg_stats_agg(struct hub_store *hs, const struct hub_scope *sc,
                        const struct hub_event_filter *f, enum hub_stats_by by,
                        int (*cb)(void *, const struct hub_stats_agg_row *), void *arg)
{
    static const struct {
        const char *select, *group;
    } g[] = {
        [HUB_BY_SIGNATURE] = {"SELECT NULL::text, signature_id, max(signature), count(*),"
                              " max(ts_us) FROM events WHERE signature_id IS NOT NULL",
                              " GROUP BY signature_id"},
        [HUB_BY_SRC_IP] = {"SELECT src_ip, NULL::bigint, NULL::text, count(*), max(ts_us)"
                           " FROM events WHERE src_ip IS NOT NULL",
                           " GROUP BY src_ip"},
        [HUB_BY_DEST_IP] = {"SELECT dest_ip, NULL::bigint, NULL::text, count(*), max(ts_us)"
                            " FROM events WHERE dest_ip IS NOT NULL",
                            " GROUP BY dest_ip"},
        [HUB_BY_APP_PROTO] = {"SELECT coalesce(app_proto, 'none'), NULL::bigint, NULL::text,"
                              " count(*), max(ts_us) FROM events WHERE true",
                              " GROUP BY 1"},
        [HUB_BY_SEVERITY] = {"SELECT NULL::text, severity::bigint, NULL::text, count(*),"
                             " max(ts_us) FROM events WHERE severity IS NOT NULL",
                             " GROUP BY severity"},
        [HUB_BY_ORG] = {"SELECT NULL::text, org_id, (SELECT name FROM orgs WHERE"
                        " id=events.org_id), count(*), max(ts_us) FROM events WHERE true",
                        " GROUP BY org_id"},
        [HUB_BY_SENSOR] = {"SELECT NULL::text, sensor_id, (SELECT name FROM sensors"
                           " WHERE id=events.sensor_id), count(*), max(ts_us) FROM events"
                           " WHERE true",
                           " GROUP BY sensor_id"},
        [HUB_BY_EVENT_TYPE] = {"SELECT event_type, NULL::bigint, NULL::text, count(*),"
                               " max(ts_us) FROM events WHERE true",
                               " GROUP BY event_type"},
    };
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets os = {0};
    PGresult *r = NULL;
    struct hub_event_filter ff = *f;
    ff.since_id = 0; /* a grouping has no order to poll in */
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, f->org_id, &os)) != CS_OK)
        goto out;
    struct q q = {0};
    q_sql(&q, "SELECT * FROM (");
    if (by == HUB_BY_IP) {
        q_sql(&q, "SELECT ip, NULL::bigint, NULL::text, count(*), max(t) FROM (SELECT src_ip ip,"
                  " ts_us t FROM events WHERE src_ip IS NOT NULL");
        ev_where(&q, &os, &ff, NULL);
        q_sql(&q, " UNION ALL SELECT dest_ip, ts_us FROM events WHERE dest_ip IS NOT NULL");
        ev_where(&q, &os, &ff, NULL);
        q_sql(&q, ") u GROUP BY ip");
    } else {
        q_sql(&q, g[by].select);
        ev_where(&q, &os, &ff, NULL);
        q_sql(&q, g[by].group);
    }
    /* byte order on the key, as SQLite's; NULL keys first, as SQLite's */
    q_sql(&q, ") a(k, kid, label, n, last) ORDER BY n DESC, k COLLATE \"C\" NULLS FIRST,"
              " kid NULLS FIRST LIMIT ");
    q_int(&q, f->limit);
    rc = q_run(c, &q, 0, &r);
out:
    conn_put(s, idx);
    orgsets_free(&os);
    if (rc)
        return no_match(rc);
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_stats_agg_row a = {
            .key = col_text(r, i, 0),
            .key_id = col_opt(r, i, 1),
            .label = col_text(r, i, 2),
            .count = col_i64(r, i, 3),
            .last_us = col_i64(r, i, 4),
        };
        rc = cb(arg, &a);
    }
    PQclear(r);
    return rc;
}

/* From sensor_state (kept at ingest), not a scan of the scope's events. */
static int pg_event_last_id(struct hub_store *hs, const struct hub_scope *sc, int64_t *out)
{
    struct pg_store *s = PG(hs);
    PGconn *c;
    int idx;
    struct orgsets os = {0};
    PGresult *r = NULL;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    if ((rc = orgsets_get(c, sc, 0, &os)) != CS_OK)
        goto out;
    struct q q = {0};
    q_sql(&q, "SELECT coalesce(max(t.last_event_id), 0) FROM sensor_state t JOIN sensors s"
              " ON s.id=t.sensor_id WHERE true");
    q_orgs(&q, "s.org_id", &os);
    if ((rc = q_run(c, &q, 0, &r)) == CS_OK) {
        *out = col_i64(r, 0, 0);
        PQclear(r);
    }
out:
    conn_put(s, idx);
    orgsets_free(&os);
    return rc;
}

/* ---- audit ----------------------------------------------------------------------------- */

static int pg_audit_append(struct hub_store *hs, struct hub_audit_row *a,
                           int (*seal)(void *, struct hub_audit_row *, const char *), void *arg)
{
    struct pg_store *s = PG(hs);
    char prev[160] = "";
    PGconn *c;
    int idx;
    int rc = conn_get(s, &c, &idx);
    if (rc)
        return rc;
    struct pp none = {0};
    PGresult *r = NULL;
    if ((rc = begin(c)) != CS_OK)
        goto out;
    /* the chain lock: held until COMMIT/ROLLBACK, across every connection and hub */
    r = pp_run(c, PS_AUDIT_LOCK, &none, 0);
    if (!res_ok(r))
        goto fail;
    PQclear(r);
    r = pp_run(c, PS_AUDIT_HEAD, &none, 0);
    if (!res_ok(r))
        goto fail;
    a->seq = 1;
    if (PQntuples(r) == 1) {
        a->seq = col_i64(r, 0, 0) + 1;
        copy_col(prev, sizeof(prev), r, 0, 1);
    }
    PQclear(r);
    r = NULL;
    if ((rc = seal(arg, a, prev)) != CS_OK)
        goto out;
    struct pp p = {0};
    pp_int(&p, a->seq);
    pp_int(&p, a->ts_us);
    const char *t[] = {a->actor,  a->actor_type, a->action, a->target,
                       a->source, a->before,     a->after,  a->prev_hash ? a->prev_hash : prev,
                       a->hash};
    for (size_t i = 0; i < CS_ARRAY_LEN(t); i++)
        pp_text(&p, t[i]);
    r = pp_run(c, PS_AUDIT_INS, &p, 0);
    if (!res_ok(r))
        goto fail;
    PQclear(r);
    r = NULL;
    rc = pg_exec(c, "COMMIT");
    goto out;
fail:
    rc = pg_err(c, r);
    PQclear(r);
out:
    conn_put(s, idx);
    return rc;
}

static int pg_audit_list(struct hub_store *hs, int64_t from_seq,
                         int (*cb)(void *, const struct hub_audit_row *), void *arg)
{
    struct pp p = {0};
    pp_int(&p, from_seq);
    PGresult *r;
    int rc = run(PG(hs), PS_AUDIT_LIST, &p, 0, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_audit_row a;
        a.seq = col_i64(r, i, 0);
        a.ts_us = col_i64(r, i, 1);
        const char **f[] = {&a.actor,  &a.actor_type, &a.action,    &a.target, &a.source,
                            &a.before, &a.after,      &a.prev_hash, &a.hash};
        for (int k = 0; k < 9; k++)
            *f[k] = col_str(r, i, 2 + k);
        rc = cb(arg, &a);
    }
    PQclear(r);
    return rc;
}

static int pg_audit_ckpt_add(struct hub_store *hs, const struct hub_audit_ckpt_row *ck)
{
    struct pp p = {0};
    pp_int(&p, ck->seq);
    pp_text(&p, ck->hash);
    pp_int(&p, ck->ts_us);
    pp_bin(&p, ck->sig, ck->siglen);
    int64_t n;
    return run_changes(PG(hs), PS_CKPT_INS, &p, &n);
}

static int pg_audit_ckpt_list(struct hub_store *hs,
                              int (*cb)(void *, const struct hub_audit_ckpt_row *), void *arg)
{
    struct pp p = {0};
    PGresult *r;
    int rc = run(PG(hs), PS_CKPT_LIST, &p, 1, &r);
    if (rc)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n && rc == CS_OK; i++) {
        struct hub_audit_ckpt_row ck = {
            .seq = col_i64(r, i, 0),
            .hash = col_str(r, i, 1),
            .ts_us = col_i64(r, i, 2),
            .sig = (const uint8_t *)PQgetvalue(r, i, 3),
            .siglen = (size_t)PQgetlength(r, i, 3),
        };
        rc = cb(arg, &ck);
    }
    PQclear(r);
    return rc;
}

static int pg_audit_head(struct hub_store *hs, int64_t *seq, char *hash, size_t cap)
{
    struct pp p = {0};
    PGresult *r;
    *seq = 0;
    hash[0] = 0;
    int rc = run(PG(hs), PS_AUDIT_HEAD, &p, 0, &r);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *seq = col_i64(r, 0, 0);
        copy_col(hash, cap, r, 0, 1);
    }
    PQclear(r);
    return CS_OK;
}

/* ---- open / close ---------------------------------------------------------------------- */

static int migrate(struct pg_store *s, PGconn *c, struct cs_err *err)
{
    int rc;
    PGresult *r = NULL;
    int v = 0;
    const int nmig = (int)CS_ARRAY_LEN(migrations);
    if ((rc = pg_exec(c, "BEGIN")) != CS_OK)
        goto fail;
    /* two hubs starting at once: the second waits here, then finds nothing pending */
    if ((rc = pg_exec(c, "SELECT pg_advisory_xact_lock(hashtext('citysoc.migrate:'||"
                         "current_schema()))")) != CS_OK ||
        (rc = pg_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations(version integer"
                         " PRIMARY KEY, applied_us bigint NOT NULL)")) != CS_OK)
        goto fail;
    r = PQexec(c, "SELECT coalesce(max(version),0) FROM schema_migrations");
    if (!res_ok(r)) {
        rc = pg_err(c, r);
        goto fail;
    }
    v = (int)col_i64(r, 0, 0);
    PQclear(r);
    r = NULL;
    if (v > nmig) {
        pg_exec(c, "ROLLBACK");
        cs_err_set(err, CS_EINVAL, 0, 0, "database schema version %d is newer than this hub (%d)",
                   v, nmig);
        return CS_EINVAL;
    }
    const int from = v;
    for (; v < nmig; v++) {
        /* an upgrade may rebuild indexes over every stored event: say what is going on */
        int64_t t0 = now_us();
        if (from)
            fprintf(stderr, "store: pgsql: applying schema migration %d of %d\n", v + 1, nmig);
        if ((rc = pg_exec(c, migrations[v])) != CS_OK)
            goto fail;
        if (from)
            fprintf(stderr, "store: pgsql: migration %d done in %.1f s\n", v + 1,
                    (double)(now_us() - t0) / 1e6);
        struct pp p = {0};
        pp_int(&p, v + 1);
        pp_int(&p, now_us());
        r = PQexecParams(c, "INSERT INTO schema_migrations(version, applied_us) VALUES($1,$2)", 2,
                         NULL, p.v, NULL, NULL, 0);
        if (!res_ok(r)) {
            rc = pg_err(c, r);
            goto fail;
        }
        PQclear(r);
        r = NULL;
    }
    if ((rc = pg_exec(c, "COMMIT")) != CS_OK)
        goto fail;
    s->version = v;
    return CS_OK;
fail:
    PQclear(r);
    char m[180];
    snprintf(m, sizeof(m), "%s", PQerrorMessage(c));
    m[strcspn(m, "\n")] = 0;
    pg_exec(c, "ROLLBACK");
    cs_err_set(err, CS_EIO, 0, 0, "schema migration failed: %s", m);
    return CS_EIO;
}

/* Loads the days that have a partition already (a restart need not try to create them). */
static void partitions_load(struct pg_store *s, PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT c.relname FROM pg_inherits i JOIN pg_class c"
                            " ON c.oid=i.inhrelid WHERE i.inhparent='events'::regclass");
    if (res_ok(r)) {
        for (int i = 0, n = PQntuples(r); i < n; i++) {
            int y, m, d;
            struct tm tm = {0};
            if (sscanf(PQgetvalue(r, i, 0), "events_p%4d%2d%2d", &y, &m, &d) != 3)
                continue;
            tm.tm_year = y - 1900;
            tm.tm_mon = m - 1;
            tm.tm_mday = d;
            time_t t = timegm(&tm);
            if (t >= 0)
                day_remember(s, (int32_t)(t / 86400));
        }
    }
    PQclear(r);
}

static int pg_schema_version(struct hub_store *hs)
{
    return PG(hs)->version;
}

static void pg_close(struct hub_store *hs)
{
    struct pg_store *s = PG(hs);
    if (s->sealer_on) {
        pthread_mutex_lock(&s->stop_lock);
        s->stop = true;
        pthread_cond_signal(&s->stop_cond);
        pthread_mutex_unlock(&s->stop_lock);
        pthread_join(s->sealer, NULL);
    }
    for (int i = 0; i < s->nconn; i++)
        PQfinish(s->conns[i]);
    cs_free(s->conns);
    cs_free(s->free_idx);
    cs_free(s->days);
    cs_free(s->conninfo);
    PQfinish(s->seal_conn);
    pthread_mutex_destroy(&s->seal_lock);
    pthread_mutex_destroy(&s->stop_lock);
    pthread_cond_destroy(&s->stop_cond);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->part_lock);
    cs_free(s);
}

static const struct hub_store_ops pg_ops = {
    .name = "pgsql",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .org_add = pg_org_add,
    .org_get = pg_org_get,
    .org_list = pg_org_list,
    .user_add = pg_user_add,
    .user_get = pg_user_get,
    .user_set_password = pg_user_set_password,
    .user_list = pg_user_list,
    .sensor_add = pg_sensor_add,
    .sensor_get = pg_sensor_get,
    .sensor_list = pg_sensor_list,
    .cred_add = pg_cred_add,
    .cred_get = pg_cred_get,
    .cred_del = pg_cred_del,
    .cred_purge = pg_cred_purge,
    .cred_list = pg_cred_list,
    .cred_revoke = pg_cred_revoke,
    .batch_add = pg_batch_add,
    .batch_max_id = pg_batch_max_id,
    .event_query = pg_event_query,
    .event_count = pg_event_count,
    .audit_append = pg_audit_append,
    .audit_list = pg_audit_list,
    .audit_ckpt_add = pg_audit_ckpt_add,
    .audit_ckpt_list = pg_audit_ckpt_list,
    .audit_head = pg_audit_head,
    .stats_overview = pg_stats_overview,
    .stats_ip_hours = pg_stats_ip_hours,
    .stats_orgs = pg_stats_orgs,
    .stats_sensors = pg_stats_sensors,
    .stats_agg = pg_stats_agg,
    .event_last_id = pg_event_last_id,
};

int hub_store_pgsql_open_opts(const char *conninfo, int pool, int wait_ms, struct hub_store **out,
                              struct cs_err *err)
{
    if (pool < 1 || pool > 256 || wait_ms < 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "bad PostgreSQL pool size %d or wait %d ms", pool,
                   wait_ms);
        return CS_EINVAL;
    }
    struct pg_store *s = cs_calloc(1, sizeof(*s));
    if (!s) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    s->base.ops = &pg_ops;
    s->wait_ms = wait_ms;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_mutex_init(&s->part_lock, NULL);
    pthread_mutex_init(&s->seal_lock, NULL);
    pthread_mutex_init(&s->stop_lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);
    int rc = CS_ENOMEM;
    s->conninfo = cs_strdup(conninfo);
    s->conns = cs_calloc((size_t)pool, sizeof(*s->conns));
    s->free_idx = cs_calloc((size_t)pool, sizeof(*s->free_idx));
    if (!s->conninfo || !s->conns || !s->free_idx) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        goto fail;
    }
    for (int i = 0; i < pool; i++) {
        if ((rc = conn_open(conninfo, &s->conns[i], err)) != CS_OK)
            goto fail;
        s->nconn = i + 1;
        if (i == 0) {
            if ((rc = migrate(s, s->conns[0], err)) != CS_OK)
                goto fail;
            partitions_load(s, s->conns[0]);
        }
        if ((rc = conn_prepare(s->conns[i])) != CS_OK) {
            cs_err_set(err, rc, 0, 0, "cannot prepare statements: %s",
                       PQerrorMessage(s->conns[i]));
            goto fail;
        }
        s->free_idx[s->nfree++] = i;
    }
    /* the sealer's connection; the segments completed since the last hub stopped (all of
     * them after migration 7) are sealed now, then by the thread as they fill */
    if ((rc = conn_open(conninfo, &s->seal_conn, err)) != CS_OK)
        goto fail;
    if ((rc = seal_pass(s, true)) < 0) {
        cs_err_set(err, rc, 0, 0, "cannot index the addresses and flows of stored events: %s",
                   PQerrorMessage(s->seal_conn));
        goto fail;
    }
    if (pthread_create(&s->sealer, NULL, sealer_run, s) != 0) {
        rc = CS_ENOMEM;
        cs_err_set(err, rc, 0, 0, "cannot start the sealer thread");
        goto fail;
    }
    s->sealer_on = true;
    *out = &s->base;
    return CS_OK;
fail:
    pg_close(&s->base);
    return rc;
}

int hub_store_pgsql_open(const char *conninfo, int readers, struct hub_store **out,
                         struct cs_err *err)
{
    int pool = readers + 1;
    if (pool < 2)
        pool = 2;
    return hub_store_pgsql_open_opts(conninfo, pool, PG_WAIT_MS_DEFAULT, out, err);
}
