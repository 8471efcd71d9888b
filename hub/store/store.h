/* store.h — the hub's storage interface: organisations, users, sensors, credentials, ingest
 * batches, events, audit records.
 *
 * One interface, several implementations behind a table of operations (struct
 * hub_store_ops): SQLite (sqlite.c, the embedded default: one file, WAL) and PostgreSQL
 * (pgsql.c: libpq, a connection pool, COPY for ingest, events partitioned by day). Callers only
 * use the hub_store_* functions below; store_suite.h holds a test suite that any
 * implementation must pass.
 *
 * Tenancy is enforced HERE, not in the HTTP handlers: every read and write of tenant data
 * takes a struct hub_scope, the organisation subtree the caller may see. A record outside
 * the scope behaves exactly as if it did not exist (HUB_ENOTFOUND), so a handler that forgets
 * a check cannot leak another district's data. HUB_SCOPE_SYSTEM (the CLI, start-up, the
 * ingest path after the sensor is authenticated) sees everything.
 *
 * Strings: inputs are NUL-terminated unless a length is given; records handed to callbacks
 * are valid only during the callback (copy what you keep). Fixed-size fields in the records
 * below are truncated nowhere: writers refuse longer values with CS_EINVAL.
 *
 * Thread safety: a struct hub_store may be used by any number of threads at once. Every
 * function returns CS_OK or a negative code: CS_EINVAL (bad argument), HUB_ENOTFOUND,
 * HUB_ECONFLICT (unique key taken), CS_ENOMEM, CS_EIO (database error; see the log). */
#ifndef HUB_STORE_H
#define HUB_STORE_H

#include "../../lib/cs.h"

enum {
    HUB_ENOTFOUND = -100,
    HUB_ECONFLICT = -101,
};

#define HUB_NAME_MAX 128 /* org, user, sensor names (bytes, without NUL) */
#define HUB_TAGS_MAX 256 /* comma-separated industry tags */
#define HUB_PATH_MAX 256 /* materialised org path "/1/4/9/" */
#define HUB_HASH_MAX 160 /* password PHC strings, credential hashes: bigger, see pwhash */
#define HUB_PWHASH_MAX 256
#define HUB_PEM_MAX 1024

/* Which organisations a caller may see: org_id's subtree, or everything when system. */
struct hub_scope {
    int64_t org_id;
    bool system;
};
extern const struct hub_scope HUB_SCOPE_SYSTEM;

/* Organisation kinds form the tree city -> district -> org (an org may hold sub-orgs). */
struct hub_org {
    int64_t id;
    int64_t parent_id; /* 0 for a root (a city) */
    char name[HUB_NAME_MAX + 1];
    char kind[16]; /* "city", "district", "org" */
    char tags[HUB_TAGS_MAX + 1];
    char path[HUB_PATH_MAX + 1];
    int64_t created_us;
};

enum hub_role { HUB_ROLE_NONE = 0, HUB_ROLE_VIEWER = 1, HUB_ROLE_ANALYST = 2, HUB_ROLE_ADMIN = 3 };
const char *hub_role_name(enum hub_role r);
/* "admin" / "analyst" / "viewer" -> role; HUB_ROLE_NONE for anything else. */
enum hub_role hub_role_parse(const char *s);

struct hub_user {
    int64_t id;
    int64_t org_id;
    char name[HUB_NAME_MAX + 1];
    enum hub_role role;
    char pwhash[HUB_PWHASH_MAX + 1]; /* PHC string from hub/auth; never leaves the hub */
    bool disabled;
    int64_t created_us;
};

struct hub_sensor {
    int64_t id;
    int64_t org_id;
    char name[HUB_NAME_MAX + 1];
    char pubkey_pem[HUB_PEM_MAX + 1]; /* SM2 public key that signs its batches; may be "" */
    int64_t created_us;
};

/* A credential is stored only as a hash of its secret (hub/auth decides the hash). */
enum hub_cred_kind { HUB_CRED_SESSION = 1, HUB_CRED_TOKEN = 2, HUB_CRED_SENSOR = 3 };
struct hub_cred {
    int64_t id; /* > 0, assigned by the store, never reused (cred_add ignores it) */
    char hash[HUB_HASH_MAX + 1];
    enum hub_cred_kind kind;
    int64_t user_id;   /* session, token */
    int64_t sensor_id; /* sensor */
    char label[HUB_NAME_MAX + 1];
    int64_t created_us;
    int64_t expires_us; /* 0: never */
};

/* A string view; p may be NULL when len is 0 (stored as SQL NULL). */
struct hub_text {
    const char *p;
    size_t len;
};

/* One event as the store keeps it: the indexed columns plus the original record. */
struct hub_store_event {
    int64_t ts_us;
    struct hub_text event_type;
    struct hub_text src_ip, dest_ip;
    int32_t src_port, dest_port; /* -1: absent */
    struct hub_text proto;
    struct hub_text app_proto;
    int64_t signature_id; /* -1: absent */
    struct hub_text signature;
    int32_t severity;    /* 1..4, -1: absent */
    struct hub_text raw; /* the original record (JSON), kept verbatim */
    uint64_t flow_id;    /* EVE flow_id; 0: absent */
    /* Industrial operation class decided once at ingest (hub_ics_classify() in
     * hub/ingest/ics.h): "write", "control", "program", "stop", "restart"; absent: none. */
    struct hub_text ics_op;
    /* event_type "stats": the sensor's capture counters (packets seen, kernel drops). */
    bool has_stats;
    int64_t stats_packets, stats_drops;
};

/* An event read back: the stored columns and where it belongs. */
struct hub_event_row {
    int64_t id;
    int64_t org_id;
    int64_t sensor_id;
    struct hub_store_event ev;
};

/* An ingest batch: who sent it and its id (unique per sensor; a retried batch with the same
 * id stores nothing and reports duplicate). */
struct hub_store_batch {
    int64_t sensor_id;
    int64_t org_id;
    const char *batch_id;  /* 1..128 printable bytes */
    const char *signature; /* the verified signature header as received, or NULL */
    int64_t received_us;
};
struct hub_store_batch_result {
    bool duplicate; /* the batch had been stored before; nothing stored now */
    int64_t stored; /* events stored by this call (or by the first call, if duplicate) */
};

/* Filters on the event query; zero/NULL fields do not filter. */
struct hub_event_filter {
    int64_t from_us, to_us; /* ts_us in [from, to); 0: open */
    int64_t org_id;         /* subtree of this org (intersected with the scope) */
    int64_t sensor_id;
    const char *event_type;
    const char *signature;             /* substring, case-sensitive */
    int64_t signature_id;              /* 0: any */
    int32_t severity_max;              /* severity <= this (1 is the most severe); 0: any */
    const char *src_ip, *dest_ip, *ip; /* exact text; ip matches either side */
    /* Keyset pagination, newest first: rows strictly after (cursor_ts, cursor_id) in
     * (ts_us DESC, id DESC) order. cursor_id 0: from the newest. */
    int64_t cursor_ts, cursor_id;
    int limit; /* 1..1000 */
    uint64_t flow_id;      /* 0: any */
    const char *app_proto; /* exact; "none" matches events without one */
    const char *proto;     /* exact ("TCP", "UDP", …) */
    const char *q;         /* substring of the original record (scans: see docs/hub.md) */
    /* > 0: only events with id > since_id, oldest first (id ASC; the cursor is ignored):
     * polling for what arrived since the last call. */
    int64_t since_id;
};

/* Audit records as stored; hashing and verification belong to hub/audit. Every text field
 * may be NULL, stored as SQL NULL and given back as NULL (the chain hashes NULL and ""
 * differently). */
struct hub_audit_row {
    int64_t seq;
    int64_t ts_us;
    const char *actor, *actor_type, *action, *target, *source;
    const char *before, *after;   /* JSON text or NULL */
    const char *prev_hash, *hash; /* hex */
};

/* An SM2-signed checkpoint over the audit chain up to seq. */
struct hub_audit_ckpt_row {
    int64_t seq;
    const char *hash; /* hex hash of record seq */
    int64_t ts_us;
    const uint8_t *sig;
    size_t siglen;
};

struct hub_store;

/* Opens the store named by `url`: "sqlite:PATH", or a bare PATH (SQLite);
 * "postgresql://…" / "postgres://…" (a libpq URI) or "pg:KEYWORDS" (a libpq keyword string,
 * e.g. "pg:host=127.0.0.1 dbname=citysoc user=citysoc") for PostgreSQL. Creates the file
 * when missing and applies pending schema migrations. `readers` is the number of read
 * connections (>= 1; PostgreSQL: a pool of readers + 1 connections). On error fills err and
 * returns CS_EINVAL/CS_EIO. */
int hub_store_open(const char *url, int readers, struct hub_store **out, struct cs_err *err);
void hub_store_close(struct hub_store *s);
/* Schema version after open (the number of migrations applied). */
int hub_store_schema_version(struct hub_store *s);

/* ---- organisations ---- */
/* Creates an org under parent_id (0: a root, only with HUB_SCOPE_SYSTEM); the parent must be
 * inside the scope. Fills o->id, o->path, o->created_us. */
int hub_store_org_add(struct hub_store *s, const struct hub_scope *sc, struct hub_org *o);
int hub_store_org_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                      struct hub_org *out);
int hub_store_org_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                       struct hub_org *out);
/* Calls cb for each org of the scope, by path. cb returning non-zero stops (returned). */
int hub_store_org_list(struct hub_store *s, const struct hub_scope *sc,
                       int (*cb)(void *arg, const struct hub_org *o), void *arg);

/* ---- users ---- */
int hub_store_user_add(struct hub_store *s, const struct hub_scope *sc, struct hub_user *u);
int hub_store_user_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                       struct hub_user *out);
int hub_store_user_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                        struct hub_user *out);
int hub_store_user_set_password(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                                const char *pwhash);
int hub_store_user_list(struct hub_store *s, const struct hub_scope *sc,
                        int (*cb)(void *arg, const struct hub_user *u), void *arg);

/* ---- sensors ---- */
int hub_store_sensor_add(struct hub_store *s, const struct hub_scope *sc, struct hub_sensor *se);
int hub_store_sensor_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                         struct hub_sensor *out);
int hub_store_sensor_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                          struct hub_sensor *out);
int hub_store_sensor_list(struct hub_store *s, const struct hub_scope *sc,
                          int (*cb)(void *arg, const struct hub_sensor *se), void *arg);

/* ---- credentials (sessions, API tokens, sensor tokens) ---- */
/* HUB_ECONFLICT when the hash exists. */
int hub_store_cred_add(struct hub_store *s, const struct hub_cred *c);
/* Looks a credential up by its stored hash; HUB_ENOTFOUND also when expired at now_us. */
int hub_store_cred_get(struct hub_store *s, const char *hash, int64_t now_us, struct hub_cred *out);
int hub_store_cred_del(struct hub_store *s, const char *hash);
/* Deletes expired credentials; returns the count removed (>= 0) or an error. */
int hub_store_cred_purge(struct hub_store *s, int64_t now_us);
/* Credentials whose owner (the user; for sensor tokens the sensor) is in the scope, by id;
 * kind 0: every kind, user_id 0: every user; those expired at now_us are left out. cb
 * non-zero stops (returned). The hash is filled but must never leave the hub. */
int hub_store_cred_list(struct hub_store *s, const struct hub_scope *sc, enum hub_cred_kind kind,
                        int64_t user_id, int64_t now_us,
                        int (*cb)(void *arg, const struct hub_cred *c), void *arg);
/* Deletes credential `id` when its owner is in the scope and, user_id != 0, it is that
 * user's (expired or not); the deleted credential goes to *out (may be NULL). HUB_ENOTFOUND
 * otherwise. Takes effect at once: the next hub_store_cred_get() of it fails. */
int hub_store_cred_revoke(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                          int64_t user_id, struct hub_cred *out);

/* ---- events ---- */
/* Stores a batch in one transaction; returns only after the commit is durable. */
int hub_store_batch_add(struct hub_store *s, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n,
                        struct hub_store_batch_result *res);
/* The greatest batch id of sensor_id that starts with prefix, into out[cap] ("" if none):
 * lets a reader that encodes its position in batch ids resume after a restart. */
int hub_store_batch_max_id(struct hub_store *s, int64_t sensor_id, const char *prefix, char *out,
                           size_t cap);
/* Events of the scope matching f, newest first; cb per row (non-zero stops, returned). */
int hub_store_event_query(struct hub_store *s, const struct hub_scope *sc,
                          const struct hub_event_filter *f,
                          int (*cb)(void *arg, const struct hub_event_row *r), void *arg);
int hub_store_event_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                        int (*cb)(void *arg, const struct hub_event_row *r), void *arg);
/* Number of events in the scope (tests, stats). */
int hub_store_event_count(struct hub_store *s, const struct hub_scope *sc, int64_t *out);

/* ---- statistics (the console's overview; answered from rollup tables) ---- */

#define HUB_STATS_TOP 10         /* top signatures / addresses */
#define HUB_STATS_MAX_POINTS 1440 /* alerts_over_time buckets at most */
#define HUB_STATS_MAX_ROWS 256   /* protocols, ics, sensors, orgs at most */
#define HUB_STATS_SIG_MAX 255
#define HUB_STATS_MIN_RES 60     /* the fine resolution (s): totals and chart only */
#define HUB_STATS_HOUR_RES 3600  /* the coarse resolution (s): everything */

/* A range for the overview. hub_store_stats_overview() rounds it to the resolution it
 * answers at (res_s: 60 or 3600) and writes back what it used. */
struct hub_stats_query {
    int64_t from_us, to_us; /* required, from < to */
    int64_t org_id;         /* subtree of this org (intersected with the scope); 0: all */
    int64_t bucket_s;       /* alerts_over_time bucket; 0: automatic */
    int64_t res_s;          /* set by the store: 60 or 3600 */
};

struct hub_stats_point {
    int64_t ts_us;     /* bucket start */
    int64_t by_sev[4]; /* alerts of severity 1..4 */
};
struct hub_stats_sig {
    int64_t signature_id;
    char signature[HUB_STATS_SIG_MAX + 1];
    int32_t severity; /* -1 unknown */
    int64_t count;
};
struct hub_stats_ip {
    char ip[64];
    int64_t count;
};
struct hub_stats_proto {
    char app_proto[33]; /* "none" for events without one */
    int64_t count;
};
struct hub_stats_ics {
    char app_proto[33];
    char op[17];
    int64_t count;
};
struct hub_stats_sensor {
    int64_t id, org_id;
    char name[HUB_NAME_MAX + 1];
    int64_t last_seen_us;   /* last batch received; 0: never */
    int64_t packets, drops; /* from its newest stats event; -1: none yet */
    int64_t stats_us;       /* that stats event's timestamp; 0: none */
};
struct hub_stats_org {
    int64_t id, parent_id;
    char name[HUB_NAME_MAX + 1];
    char kind[16];
    char path[HUB_PATH_MAX + 1];
    int64_t sensors;        /* sensors registered directly in this org */
    int64_t events, alerts; /* in the range, this org's own (not its subtree) */
};

/* The overview (big: allocate it; hub_store_stats_overview() clears it first). */
struct hub_stats_overview {
    struct hub_stats_query q; /* as applied (rounded): totals and points cover this */
    /* The breakdowns (signatures, addresses, protocols, ics, orgs) come from hourly rollups:
     * they cover [brk_from_us, brk_to_us), q widened to whole hours. */
    int64_t brk_from_us, brk_to_us;
    int64_t events, alerts;
    size_t npoints;
    struct hub_stats_point points[HUB_STATS_MAX_POINTS];
    size_t nsigs, nsrc, ndest;
    struct hub_stats_sig sigs[HUB_STATS_TOP];
    struct hub_stats_ip src[HUB_STATS_TOP], dest[HUB_STATS_TOP];
    size_t nprotos, nics;
    struct hub_stats_proto protos[HUB_STATS_MAX_ROWS];
    struct hub_stats_ics ics[HUB_STATS_MAX_ROWS];
    size_t nsensors, norgs;
    struct hub_stats_sensor sensors[HUB_STATS_MAX_ROWS]; /* by id */
    struct hub_stats_org orgs[HUB_STATS_MAX_ROWS];       /* by alerts, then events, desc */
};

/* Fills `out` for the scope and query (totals, alerts over time, top signatures, top
 * source/destination addresses of alerts, events by app_proto, industrial operations,
 * sensors, organisations ranked by alerts). Answers from rollup tables kept at ingest, so
 * its cost does not grow with the number of stored events. CS_EINVAL for a bad range or a
 * bucket that would give more than HUB_STATS_MAX_POINTS points. */
int hub_store_stats_overview(struct hub_store *s, const struct hub_scope *sc,
                             struct hub_stats_query *q, struct hub_stats_overview *out);
/* Every org of the scope (by path) with its sensors and event/alert counts in the range
 * (rounded as for the overview). cb non-zero stops (returned). */
int hub_store_stats_orgs(struct hub_store *s, const struct hub_scope *sc,
                         struct hub_stats_query *q,
                         int (*cb)(void *arg, const struct hub_stats_org *o), void *arg);
/* The overview's address lists (src, dest) come from a cache of the hourly address rollups
 * kept in the hub's memory (stats_cache.c; docs/console.md "The address lists over 7 days"):
 * per cached hour the (organisation, side, address, count) rows, and per scope (set of
 * organisations) the totals over its last window, slid hour by hour. An hour is re-read
 * when a batch with alerts in it was stored since it was read, so the lists are exact.
 * What the cache holds, for tests and operators: */
struct hub_stats_cache_info {
    size_t hours, rows, keys, views; /* held now */
    uint64_t reads;                  /* stats_ip_hours calls */
    uint64_t hours_read, rows_read;  /* hours and rows read from the store so far */
    uint64_t resets;                 /* dropped whole (over its caps or after an error) */
};
/* Fills *out (zero when nothing was cached yet). Thread-safe. */
void hub_store_stats_cache_info(struct hub_store *s, struct hub_stats_cache_info *out);
/* Fills the cache for the overview's longest range the console offers over stored rollups
 * (the 7 days up to now_us, every organisation), so that the first 7-day overview after a
 * start does not read them. citysoc-hub runs it in a thread at start-up. */
int hub_store_stats_warm(struct hub_store *s, int64_t now_us);

/* Sensors of the scope (org_id: subtree filter, 0 all) with their status, by id. */
int hub_store_stats_sensors(struct hub_store *s, const struct hub_scope *sc, int64_t org_id,
                            int (*cb)(void *arg, const struct hub_stats_sensor *se), void *arg);

/* Grouping of the events matching a filter (the alerts table): one row per key, by count
 * descending, at most f->limit rows. Scans the matching events (use a time range). */
enum hub_stats_by {
    HUB_BY_NONE = 0,
    HUB_BY_SIGNATURE, /* key: signature_id (text: the signature) */
    HUB_BY_SRC_IP,
    HUB_BY_DEST_IP,
    HUB_BY_IP, /* either side: an event counts for both of its addresses */
    HUB_BY_APP_PROTO,
    HUB_BY_SEVERITY,
    HUB_BY_ORG,
    HUB_BY_SENSOR,
    HUB_BY_EVENT_TYPE,
};
/* "signature" … -> HUB_BY_*; HUB_BY_NONE if unknown. */
enum hub_stats_by hub_stats_by_parse(const char *s);
const char *hub_stats_by_name(enum hub_stats_by by);
struct hub_stats_agg_row {
    struct hub_text key; /* text key (ip, app_proto ("none" when absent), event_type) */
    int64_t key_id;      /* numeric key (signature_id, severity, org id, sensor id); -1 none */
    struct hub_text label; /* signature text, org or sensor name; may be empty */
    int64_t count;
    int64_t last_us; /* newest ts_us in the group */
};
int hub_store_stats_agg(struct hub_store *s, const struct hub_scope *sc,
                        const struct hub_event_filter *f, enum hub_stats_by by,
                        int (*cb)(void *arg, const struct hub_stats_agg_row *r), void *arg);

/* Id of the newest event in the scope (0 when none): where a live ticker starts. */
int hub_store_event_last_id(struct hub_store *s, const struct hub_scope *sc, int64_t *out);

/* ---- audit ---- */
/* Appends r (r->seq is assigned: last + 1) after calling seal(arg, r, prev_hash) under the
 * store's audit lock, so records are chained in order even with concurrent writers. seal
 * fills r->hash (it may keep pointers into its own storage valid until the call returns).
 * prev_hash is "" for the first record. */
int hub_store_audit_append(struct hub_store *s, struct hub_audit_row *r,
                           int (*seal)(void *arg, struct hub_audit_row *r, const char *prev_hash),
                           void *arg);
/* Audit records with seq >= from_seq in order; cb non-zero stops (returned). */
int hub_store_audit_list(struct hub_store *s, int64_t from_seq,
                         int (*cb)(void *arg, const struct hub_audit_row *r), void *arg);

/* Stores a checkpoint (HUB_ECONFLICT if one exists for seq). */
int hub_store_audit_ckpt_add(struct hub_store *s, const struct hub_audit_ckpt_row *c);
/* Checkpoints in seq order; cb non-zero stops (returned). */
int hub_store_audit_ckpt_list(struct hub_store *s,
                              int (*cb)(void *arg, const struct hub_audit_ckpt_row *c), void *arg);
/* The last record's seq (0 when empty) and hash (hex, "" when empty) into hash[cap]. */
int hub_store_audit_head(struct hub_store *s, int64_t *seq, char *hash, size_t cap);

/* ---- implementations ---- */
/* One row of stats_ip_hours: alerts of an hour, organisation, side and address. */
struct hub_stats_ip_row {
    int64_t hour, org_id;
    int side; /* 0 source, 1 destination */
    struct hub_text ip;
    int64_t n;
};

struct hub_store_ops {
    const char *name;
    void (*close)(struct hub_store *s);
    int (*schema_version)(struct hub_store *s);
    int (*org_add)(struct hub_store *, const struct hub_scope *, struct hub_org *);
    int (*org_get)(struct hub_store *, const struct hub_scope *, int64_t, const char *,
                   struct hub_org *);
    int (*org_list)(struct hub_store *, const struct hub_scope *,
                    int (*)(void *, const struct hub_org *), void *);
    int (*user_add)(struct hub_store *, const struct hub_scope *, struct hub_user *);
    int (*user_get)(struct hub_store *, const struct hub_scope *, int64_t, const char *,
                    struct hub_user *);
    int (*user_set_password)(struct hub_store *, const struct hub_scope *, int64_t, const char *);
    int (*user_list)(struct hub_store *, const struct hub_scope *,
                     int (*)(void *, const struct hub_user *), void *);
    int (*sensor_add)(struct hub_store *, const struct hub_scope *, struct hub_sensor *);
    int (*sensor_get)(struct hub_store *, const struct hub_scope *, int64_t, const char *,
                      struct hub_sensor *);
    int (*sensor_list)(struct hub_store *, const struct hub_scope *,
                       int (*)(void *, const struct hub_sensor *), void *);
    int (*cred_add)(struct hub_store *, const struct hub_cred *);
    int (*cred_get)(struct hub_store *, const char *, int64_t, struct hub_cred *);
    int (*cred_del)(struct hub_store *, const char *);
    int (*cred_purge)(struct hub_store *, int64_t);
    int (*cred_list)(struct hub_store *, const struct hub_scope *, int, int64_t, int64_t,
                     int (*)(void *, const struct hub_cred *), void *);
    int (*cred_revoke)(struct hub_store *, const struct hub_scope *, int64_t, int64_t,
                       struct hub_cred *);
    int (*batch_add)(struct hub_store *, const struct hub_store_batch *,
                     const struct hub_store_event *, size_t, struct hub_store_batch_result *);
    int (*batch_max_id)(struct hub_store *, int64_t, const char *, char *, size_t);
    int (*event_query)(struct hub_store *, const struct hub_scope *,
                       const struct hub_event_filter *, int64_t id,
                       int (*)(void *, const struct hub_event_row *), void *);
    int (*event_count)(struct hub_store *, const struct hub_scope *, int64_t *);
    int (*audit_append)(struct hub_store *, struct hub_audit_row *,
                        int (*)(void *, struct hub_audit_row *, const char *), void *);
    int (*audit_list)(struct hub_store *, int64_t, int (*)(void *, const struct hub_audit_row *),
                      void *);
    int (*audit_ckpt_add)(struct hub_store *, const struct hub_audit_ckpt_row *);
    int (*audit_ckpt_list)(struct hub_store *, int (*)(void *, const struct hub_audit_ckpt_row *),
                           void *);
    int (*audit_head)(struct hub_store *, int64_t *, char *, size_t);
    /* statistics: q is already checked and rounded by store.c; out is cleared, and the
     * sensors/orgs sections are filled by store.c from stats_sensors/stats_orgs. An
     * implementation that leaves these NULL makes the hub_store_stats_* functions and
     * hub_store_event_last_id() return CS_EINVAL. */
    int (*stats_overview)(struct hub_store *, const struct hub_scope *,
                          const struct hub_stats_query *, struct hub_stats_overview *);
    int (*stats_orgs)(struct hub_store *, const struct hub_scope *,
                      const struct hub_stats_query *,
                      int (*)(void *, const struct hub_stats_org *), void *);
    int (*stats_sensors)(struct hub_store *, const struct hub_scope *, int64_t,
                         int (*)(void *, const struct hub_stats_sensor *), void *);
    int (*stats_agg)(struct hub_store *, const struct hub_scope *,
                     const struct hub_event_filter *, enum hub_stats_by,
                     int (*)(void *, const struct hub_stats_agg_row *), void *);
    int (*event_last_id)(struct hub_store *, const struct hub_scope *, int64_t *);
    /* The hourly address rollup rows of hours [from_h, to_h) (hour = ts_us / 3600e6), every
     * organisation (no scope: the cache in stats_cache.c filters), in any order; cb non-zero
     * stops (returned). stats_overview leaves src/dest to store.c, which reads them so. */
    int (*stats_ip_hours)(struct hub_store *, int64_t from_h, int64_t to_h,
                          int (*)(void *, const struct hub_stats_ip_row *), void *);
};

/* Every implementation's handle starts with this (zeroed by the implementation's open). */
struct hub_store {
    const struct hub_store_ops *ops;
    struct hub_stats_cache *ipc; /* stats_cache.c: made by the first overview, freed by close */
};

/* stats_cache.c, for store.c: the overview's src/dest of the scope over q's hours
 * ([o->brk_from_us, o->brk_to_us)); notes a stored batch's alert hours as stale; frees the
 * cache (close). */
int hub_stats_cache_ips(struct hub_store *s, const struct hub_scope *sc,
                        const struct hub_stats_query *q, struct hub_stats_overview *o);
void hub_stats_cache_note(struct hub_store *s, const struct hub_store_event *ev, size_t n);
void hub_stats_cache_free(struct hub_store *s);

/* Implementation constructors (used by hub_store_open). */
int hub_store_sqlite_open(const char *path, int readers, struct hub_store **out,
                          struct cs_err *err);
/* PostgreSQL with a pool of max(readers + 1, 2) connections that waits 10 s for a free one. */
int hub_store_pgsql_open(const char *conninfo, int readers, struct hub_store **out,
                         struct cs_err *err);
/* The same with the pool size (1..256) and how long an operation waits for a free
 * connection before it fails with CS_AGAIN. */
int hub_store_pgsql_open_opts(const char *conninfo, int pool, int wait_ms, struct hub_store **out,
                              struct cs_err *err);
/* PostgreSQL only, for tests and operators: the plan (EXPLAIN, one line per plan
 * line, '\n'-terminated, truncated to cap - 1 bytes) of the query that event_query would run for
 * sc, f and id. hs must come from hub_store_pgsql_open*(). Thread-safe as the store is. */
int hub_store_pgsql_explain(struct hub_store *hs, const struct hub_scope *sc,
                            const struct hub_event_filter *f, int64_t id, char *out, size_t cap);
/* PostgreSQL only, for tests: seals now (on the sealer's connection, as its thread does every
 * 0.5 s) every complete segment of events not sealed yet; returns how many, or an error. */
int hub_store_pgsql_seal(struct hub_store *hs);

#endif
