/* store.c — dispatch of the hub_store_* functions to the implementation's operations, and
 * argument checks shared by every implementation. */
#include "store.h"

#include <string.h>

const struct hub_scope HUB_SCOPE_SYSTEM = {.org_id = 0, .system = true};

static const char *const role_names[] = {"none", "viewer", "analyst", "admin"};

const char *hub_role_name(enum hub_role r)
{
    return (unsigned)r < CS_ARRAY_LEN(role_names) ? role_names[r] : "none";
}

enum hub_role hub_role_parse(const char *s)
{
    for (int r = HUB_ROLE_VIEWER; s && r <= HUB_ROLE_ADMIN; r++)
        if (strcmp(s, role_names[r]) == 0)
            return (enum hub_role)r;
    return HUB_ROLE_NONE;
}

int hub_store_open(const char *url, int readers, struct hub_store **out, struct cs_err *err)
{
    if (!url || !out || !*url) {
        cs_err_set(err, CS_EINVAL, 0, 0, "empty database name");
        return CS_EINVAL;
    }
    if (readers < 1)
        readers = 1;
    if (strncmp(url, "sqlite:", 7) == 0)
        return hub_store_sqlite_open(url + 7, readers, out, err);
    if (strncmp(url, "pg:", 3) == 0)
        return hub_store_pgsql_open(url + 3, readers, out, err);
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return hub_store_pgsql_open(url, readers, out, err);
    return hub_store_sqlite_open(url, readers, out, err);
}

void hub_store_close(struct hub_store *s)
{
    if (s) {
        hub_stats_cache_free(s);
        s->ops->close(s);
    }
}

int hub_store_schema_version(struct hub_store *s)
{
    return s->ops->schema_version(s);
}

static bool scope_ok(const struct hub_scope *sc)
{
    return sc && (sc->system || sc->org_id > 0);
}

/* A fixed-size text field holds a NUL-terminated string of at most max bytes. */
static bool fits(const char *s, size_t max)
{
    return strnlen(s, max + 1) <= max;
}

int hub_store_org_add(struct hub_store *s, const struct hub_scope *sc, struct hub_org *o)
{
    if (!scope_ok(sc) || !o || !o->name[0] || !fits(o->name, HUB_NAME_MAX) ||
        !fits(o->tags, HUB_TAGS_MAX))
        return CS_EINVAL;
    if (strcmp(o->kind, "city") && strcmp(o->kind, "district") && strcmp(o->kind, "org"))
        return CS_EINVAL;
    if (o->parent_id == 0 && !sc->system)
        return HUB_ENOTFOUND; /* a root needs the system scope */
    return s->ops->org_add(s, sc, o);
}

int hub_store_org_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                      struct hub_org *out)
{
    if (!scope_ok(sc) || id <= 0)
        return id <= 0 ? HUB_ENOTFOUND : CS_EINVAL;
    return s->ops->org_get(s, sc, id, NULL, out);
}

int hub_store_org_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                       struct hub_org *out)
{
    if (!scope_ok(sc) || !name)
        return CS_EINVAL;
    return s->ops->org_get(s, sc, 0, name, out);
}

int hub_store_org_list(struct hub_store *s, const struct hub_scope *sc,
                       int (*cb)(void *arg, const struct hub_org *o), void *arg)
{
    if (!scope_ok(sc) || !cb)
        return CS_EINVAL;
    return s->ops->org_list(s, sc, cb, arg);
}

int hub_store_user_add(struct hub_store *s, const struct hub_scope *sc, struct hub_user *u)
{
    if (!scope_ok(sc) || !u || !u->name[0] || u->role == HUB_ROLE_NONE || u->org_id <= 0 ||
        !fits(u->name, HUB_NAME_MAX) || !fits(u->pwhash, HUB_PWHASH_MAX))
        return CS_EINVAL;
    return s->ops->user_add(s, sc, u);
}

int hub_store_user_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                       struct hub_user *out)
{
    if (!scope_ok(sc))
        return CS_EINVAL;
    return s->ops->user_get(s, sc, id, NULL, out);
}

int hub_store_user_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                        struct hub_user *out)
{
    if (!scope_ok(sc) || !name)
        return CS_EINVAL;
    return s->ops->user_get(s, sc, 0, name, out);
}

int hub_store_user_set_password(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                                const char *pwhash)
{
    if (!scope_ok(sc) || !pwhash || strlen(pwhash) > HUB_PWHASH_MAX)
        return CS_EINVAL;
    return s->ops->user_set_password(s, sc, id, pwhash);
}

int hub_store_user_list(struct hub_store *s, const struct hub_scope *sc,
                        int (*cb)(void *arg, const struct hub_user *u), void *arg)
{
    if (!scope_ok(sc) || !cb)
        return CS_EINVAL;
    return s->ops->user_list(s, sc, cb, arg);
}

int hub_store_sensor_add(struct hub_store *s, const struct hub_scope *sc, struct hub_sensor *se)
{
    if (!scope_ok(sc) || !se || !se->name[0] || se->org_id <= 0 ||
        !fits(se->name, HUB_NAME_MAX) || !fits(se->pubkey_pem, HUB_PEM_MAX))
        return CS_EINVAL;
    return s->ops->sensor_add(s, sc, se);
}

int hub_store_sensor_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                         struct hub_sensor *out)
{
    if (!scope_ok(sc))
        return CS_EINVAL;
    return s->ops->sensor_get(s, sc, id, NULL, out);
}

int hub_store_sensor_find(struct hub_store *s, const struct hub_scope *sc, const char *name,
                          struct hub_sensor *out)
{
    if (!scope_ok(sc) || !name)
        return CS_EINVAL;
    return s->ops->sensor_get(s, sc, 0, name, out);
}

int hub_store_sensor_list(struct hub_store *s, const struct hub_scope *sc,
                          int (*cb)(void *arg, const struct hub_sensor *se), void *arg)
{
    if (!scope_ok(sc) || !cb)
        return CS_EINVAL;
    return s->ops->sensor_list(s, sc, cb, arg);
}

int hub_store_cred_add(struct hub_store *s, const struct hub_cred *c)
{
    if (!c || !c->hash[0] || !fits(c->hash, HUB_HASH_MAX) || !fits(c->label, HUB_NAME_MAX))
        return CS_EINVAL;
    if (c->kind == HUB_CRED_SENSOR ? c->sensor_id <= 0 : c->user_id <= 0)
        return CS_EINVAL;
    return s->ops->cred_add(s, c);
}

int hub_store_cred_get(struct hub_store *s, const char *hash, int64_t now_us, struct hub_cred *out)
{
    if (!hash || !*hash || strlen(hash) > HUB_HASH_MAX)
        return HUB_ENOTFOUND;
    return s->ops->cred_get(s, hash, now_us, out);
}

int hub_store_cred_del(struct hub_store *s, const char *hash)
{
    if (!hash || !*hash)
        return CS_EINVAL;
    return s->ops->cred_del(s, hash);
}

int hub_store_cred_purge(struct hub_store *s, int64_t now_us)
{
    return s->ops->cred_purge(s, now_us);
}

int hub_store_cred_list(struct hub_store *s, const struct hub_scope *sc, enum hub_cred_kind kind,
                        int64_t user_id, int64_t now_us,
                        int (*cb)(void *arg, const struct hub_cred *c), void *arg)
{
    if (!scope_ok(sc) || !cb || user_id < 0 || (int)kind < 0 || kind > HUB_CRED_SENSOR ||
        !s->ops->cred_list)
        return CS_EINVAL;
    return s->ops->cred_list(s, sc, (int)kind, user_id, now_us, cb, arg);
}

int hub_store_cred_revoke(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                          int64_t user_id, struct hub_cred *out)
{
    struct hub_cred tmp;
    if (!scope_ok(sc) || user_id < 0 || !s->ops->cred_revoke)
        return CS_EINVAL;
    if (id <= 0)
        return HUB_ENOTFOUND;
    return s->ops->cred_revoke(s, sc, id, user_id, out ? out : &tmp);
}

int hub_store_batch_add(struct hub_store *s, const struct hub_store_batch *b,
                        const struct hub_store_event *ev, size_t n,
                        struct hub_store_batch_result *res)
{
    if (!b || !res || (n && !ev) || b->sensor_id <= 0 || b->org_id <= 0 || !b->batch_id)
        return CS_EINVAL;
    size_t bl = strlen(b->batch_id);
    if (bl == 0 || bl > 128)
        return CS_EINVAL;
    for (size_t i = 0; i < bl; i++)
        if ((unsigned char)b->batch_id[i] <= 0x20 || (unsigned char)b->batch_id[i] >= 0x7f)
            return CS_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!ev[i].event_type.p || !ev[i].raw.p || ev[i].raw.len > INT32_MAX ||
            ev[i].event_type.len > 64)
            return CS_EINVAL;
    int rc = s->ops->batch_add(s, b, ev, n, res);
    if (rc == CS_OK && !res->duplicate)
        hub_stats_cache_note(s, ev, n); /* after the commit: see stats_cache.c */
    return rc;
}

int hub_store_event_query(struct hub_store *s, const struct hub_scope *sc,
                          const struct hub_event_filter *f,
                          int (*cb)(void *arg, const struct hub_event_row *r), void *arg)
{
    if (!scope_ok(sc) || !f || !cb || f->limit < 1 || f->limit > 1000)
        return CS_EINVAL;
    return s->ops->event_query(s, sc, f, 0, cb, arg);
}

int hub_store_event_get(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                        int (*cb)(void *arg, const struct hub_event_row *r), void *arg)
{
    if (!scope_ok(sc) || !cb)
        return CS_EINVAL;
    if (id <= 0)
        return HUB_ENOTFOUND;
    struct hub_event_filter f = {.limit = 1};
    return s->ops->event_query(s, sc, &f, id, cb, arg);
}

int hub_store_event_count(struct hub_store *s, const struct hub_scope *sc, int64_t *out)
{
    if (!scope_ok(sc) || !out)
        return CS_EINVAL;
    return s->ops->event_count(s, sc, out);
}

int hub_store_audit_append(struct hub_store *s, struct hub_audit_row *r,
                           int (*seal)(void *arg, struct hub_audit_row *r, const char *prev_hash),
                           void *arg)
{
    if (!r || !seal)
        return CS_EINVAL;
    return s->ops->audit_append(s, r, seal, arg);
}

int hub_store_audit_list(struct hub_store *s, int64_t from_seq,
                         int (*cb)(void *arg, const struct hub_audit_row *r), void *arg)
{
    if (!cb)
        return CS_EINVAL;
    return s->ops->audit_list(s, from_seq, cb, arg);
}

int hub_store_audit_ckpt_add(struct hub_store *s, const struct hub_audit_ckpt_row *c)
{
    if (!c || c->seq <= 0 || !c->hash || !c->sig || !c->siglen)
        return CS_EINVAL;
    return s->ops->audit_ckpt_add(s, c);
}

int hub_store_audit_ckpt_list(struct hub_store *s,
                              int (*cb)(void *arg, const struct hub_audit_ckpt_row *c), void *arg)
{
    if (!cb)
        return CS_EINVAL;
    return s->ops->audit_ckpt_list(s, cb, arg);
}

int hub_store_audit_head(struct hub_store *s, int64_t *seq, char *hash, size_t cap)
{
    if (!seq || !hash || !cap)
        return CS_EINVAL;
    return s->ops->audit_head(s, seq, hash, cap);
}

int hub_store_batch_max_id(struct hub_store *s, int64_t sensor_id, const char *prefix, char *out,
                           size_t cap)
{
    if (!prefix || !out || !cap || sensor_id <= 0)
        return CS_EINVAL;
    out[0] = 0;
    return s->ops->batch_max_id(s, sensor_id, prefix, out, cap);
}

/* ---- statistics --------------------------------------------------------------------- */

static const char *const by_names[] = {
    [HUB_BY_NONE] = "",          [HUB_BY_SIGNATURE] = "signature", [HUB_BY_SRC_IP] = "src_ip",
    [HUB_BY_DEST_IP] = "dest_ip", [HUB_BY_IP] = "ip",              [HUB_BY_APP_PROTO] = "app_proto",
    [HUB_BY_SEVERITY] = "severity", [HUB_BY_ORG] = "org",          [HUB_BY_SENSOR] = "sensor",
    [HUB_BY_EVENT_TYPE] = "event_type",
};

enum hub_stats_by hub_stats_by_parse(const char *s)
{
    for (int i = HUB_BY_SIGNATURE; s && i < (int)CS_ARRAY_LEN(by_names); i++)
        if (strcmp(s, by_names[i]) == 0)
            return (enum hub_stats_by)i;
    return HUB_BY_NONE;
}

const char *hub_stats_by_name(enum hub_stats_by by)
{
    return (unsigned)by < CS_ARRAY_LEN(by_names) ? by_names[by] : "";
}

#define US 1000000LL

/* Checks and rounds a stats range: picks the rollup resolution (60 s or 3600 s) and the
 * bucket, widens [from, to) outwards to whole resolution steps. The fine resolution serves
 * buckets under an hour on ranges of at most two days; anything else is hourly. */
static int stats_norm(struct hub_stats_query *q)
{
    static const int64_t autob[] = {60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400};
    if (q->from_us < 0 || q->to_us <= q->from_us || q->bucket_s < 0 || q->org_id < 0 ||
        q->to_us > INT64_MAX / 2)
        return CS_EINVAL;
    int64_t range_s = (q->to_us - q->from_us + US - 1) / US;
    int64_t b = q->bucket_s;
    if (b == 0) {
        b = autob[CS_ARRAY_LEN(autob) - 1];
        for (size_t i = 0; i < CS_ARRAY_LEN(autob); i++)
            if (range_s / autob[i] <= 120 && (autob[i] >= 3600 || range_s <= 6 * 3600)) {
                b = autob[i];
                break;
            }
    }
    int64_t res = b < HUB_STATS_HOUR_RES && range_s <= 2 * 86400 ? HUB_STATS_MIN_RES
                                                                  : HUB_STATS_HOUR_RES;
    if (b > INT64_MAX / US / 2)
        return CS_EINVAL;
    b = (b + res - 1) / res * res;
    int64_t r = res * US;
    q->from_us = q->from_us / r * r;
    q->to_us = (q->to_us + r - 1) / r * r;
    q->bucket_s = b;
    q->res_s = res;
    int64_t npoints = (q->to_us - q->from_us + b * US - 1) / (b * US);
    return npoints > HUB_STATS_MAX_POINTS ? CS_EINVAL : CS_OK;
}

static int ov_sensor_cb(void *arg, const struct hub_stats_sensor *se)
{
    struct hub_stats_overview *o = arg;
    if (o->nsensors < HUB_STATS_MAX_ROWS)
        o->sensors[o->nsensors++] = *se;
    return 0;
}

static bool org_before(const struct hub_stats_org *a, const struct hub_stats_org *b)
{
    if (a->alerts != b->alerts)
        return a->alerts > b->alerts;
    if (a->events != b->events)
        return a->events > b->events;
    return strcmp(a->path, b->path) < 0;
}

/* Keeps the HUB_STATS_MAX_ROWS first orgs in org_before() order (insertion: the list is
 * short and orgs come by path). */
static int ov_org_cb(void *arg, const struct hub_stats_org *org)
{
    struct hub_stats_overview *o = arg;
    size_t n = o->norgs;
    if (n == HUB_STATS_MAX_ROWS) {
        if (!org_before(org, &o->orgs[n - 1]))
            return 0;
        n--;
    }
    size_t i = n;
    while (i > 0 && org_before(org, &o->orgs[i - 1])) {
        o->orgs[i] = o->orgs[i - 1];
        i--;
    }
    o->orgs[i] = *org;
    o->norgs = n + 1;
    return 0;
}

int hub_store_stats_overview(struct hub_store *s, const struct hub_scope *sc,
                             struct hub_stats_query *q, struct hub_stats_overview *out)
{
    if (!scope_ok(sc) || !q || !out)
        return CS_EINVAL;
    int rc = stats_norm(q);
    if (rc)
        return rc;
    if (!s->ops->stats_overview || !s->ops->stats_sensors || !s->ops->stats_orgs ||
        !s->ops->stats_ip_hours)
        return CS_EINVAL; /* an implementation without the statistics yet */
    memset(out, 0, sizeof(*out));
    out->q = *q;
    if ((rc = s->ops->stats_overview(s, sc, q, out)) != CS_OK)
        return rc;
    if ((rc = hub_stats_cache_ips(s, sc, q, out)) != CS_OK)
        return rc;
    if ((rc = s->ops->stats_sensors(s, sc, q->org_id, ov_sensor_cb, out)) != CS_OK)
        return rc;
    return s->ops->stats_orgs(s, sc, q, ov_org_cb, out);
}

int hub_store_stats_warm(struct hub_store *s, int64_t now_us)
{
    struct hub_stats_query q = {.from_us = now_us - 7 * 86400LL * 1000000, .to_us = now_us};
    struct hub_stats_overview *o = cs_malloc(sizeof(*o));
    int rc;
    if (!o)
        return CS_ENOMEM;
    rc = hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o);
    cs_free(o);
    return rc;
}

int hub_store_stats_orgs(struct hub_store *s, const struct hub_scope *sc,
                         struct hub_stats_query *q,
                         int (*cb)(void *arg, const struct hub_stats_org *o), void *arg)
{
    if (!scope_ok(sc) || !q || !cb)
        return CS_EINVAL;
    if (!s->ops->stats_orgs)
        return CS_EINVAL;
    int rc = stats_norm(q);
    return rc ? rc : s->ops->stats_orgs(s, sc, q, cb, arg);
}

int hub_store_stats_sensors(struct hub_store *s, const struct hub_scope *sc, int64_t org_id,
                            int (*cb)(void *arg, const struct hub_stats_sensor *se), void *arg)
{
    if (!scope_ok(sc) || !cb || org_id < 0 || !s->ops->stats_sensors)
        return CS_EINVAL;
    return s->ops->stats_sensors(s, sc, org_id, cb, arg);
}

int hub_store_stats_agg(struct hub_store *s, const struct hub_scope *sc,
                        const struct hub_event_filter *f, enum hub_stats_by by,
                        int (*cb)(void *arg, const struct hub_stats_agg_row *r), void *arg)
{
    if (!scope_ok(sc) || !f || !cb || f->limit < 1 || f->limit > 1000 || by <= HUB_BY_NONE ||
        by > HUB_BY_EVENT_TYPE || !s->ops->stats_agg)
        return CS_EINVAL;
    return s->ops->stats_agg(s, sc, f, by, cb, arg);
}

int hub_store_event_last_id(struct hub_store *s, const struct hub_scope *sc, int64_t *out)
{
    if (!scope_ok(sc) || !out || !s->ops->event_last_id)
        return CS_EINVAL;
    *out = 0;
    return s->ops->event_last_id(s, sc, out);
}
