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
    if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "the PostgreSQL store is not built yet: %s", url);
        return CS_EINVAL;
    }
    return hub_store_sqlite_open(url, readers, out, err);
}

void hub_store_close(struct hub_store *s)
{
    if (s)
        s->ops->close(s);
}

int hub_store_schema_version(struct hub_store *s)
{
    return s->ops->schema_version(s);
}

static bool scope_ok(const struct hub_scope *sc)
{
    return sc && (sc->system || sc->org_id > 0);
}

int hub_store_org_add(struct hub_store *s, const struct hub_scope *sc, struct hub_org *o)
{
    if (!scope_ok(sc) || !o || !o->name[0])
        return CS_EINVAL;
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
    if (!scope_ok(sc) || !u || !u->name[0] || u->role == HUB_ROLE_NONE || u->org_id <= 0)
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
    if (!scope_ok(sc) || !se || !se->name[0] || se->org_id <= 0)
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
    if (!c || !c->hash[0])
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
    if (!scope_ok(sc) || !cb || user_id < 0 || (int)kind < 0 || kind > HUB_CRED_SENSOR)
        return CS_EINVAL;
    return s->ops->cred_list(s, sc, (int)kind, user_id, now_us, cb, arg);
}

int hub_store_cred_revoke(struct hub_store *s, const struct hub_scope *sc, int64_t id,
                          int64_t user_id, struct hub_cred *out)
{
    struct hub_cred tmp;
    if (!scope_ok(sc) || user_id < 0)
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
    return s->ops->batch_add(s, b, ev, n, res);
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
