/* routes.c — identity and tenancy routes: login/logout/me, organisations, users, tokens,
 * sensors, the audit log. Every change writes an audit record. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/cs_time.h"
#include "admin.h"
#include "api_int.h"

void hub_json_org(struct cs_json *j, const char *key, const struct hub_org *o)
{
    cs_json_open(j, key);
    cs_json_int(j, "id", o->id);
    if (o->parent_id)
        cs_json_int(j, "parent_id", o->parent_id);
    else
        cs_json_null(j, "parent_id");
    cs_json_str(j, "name", o->name);
    cs_json_str(j, "kind", o->kind);
    cs_json_open_arr(j, "tags");
    for (const char *p = o->tags; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            cs_json_strn(j, NULL, p, n);
        p += n + (e ? 1 : 0);
    }
    cs_json_close_arr(j);
    cs_json_str(j, "path", o->path);
    cs_json_close(j);
}

void hub_json_user(struct cs_json *j, const char *key, const struct hub_user *u)
{
    cs_json_open(j, key);
    cs_json_int(j, "id", u->id);
    cs_json_str(j, "name", u->name);
    cs_json_str(j, "role", hub_role_name(u->role));
    cs_json_int(j, "org_id", u->org_id);
    cs_json_bool(j, "disabled", u->disabled);
    cs_json_close(j);
}

void hub_json_sensor(struct cs_json *j, const char *key, const struct hub_sensor *s)
{
    cs_json_open(j, key);
    cs_json_int(j, "id", s->id);
    cs_json_str(j, "name", s->name);
    cs_json_int(j, "org_id", s->org_id);
    cs_json_str(j, "public_key", s->pubkey_pem);
    cs_json_close(j);
}

/* ---- sessions ----------------------------------------------------------------------- */

void api_route_login(struct api_ctx *x)
{
    struct hub_json_doc d;
    char name[HUB_NAME_MAX + 1], pw[1100];
    static const char *const fields[] = {"username", "password", NULL};
    hub_json_doc_init(&d);
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "username", name, sizeof(name), true) ||
        api_body_str(x, &d, "password", pw, sizeof(pw), true))
        goto out;
    uint64_t wait_us = 0;
    if (hub_throttle_check(x->api->throttle, name, x->req->client, &wait_us) == CS_AGAIN) {
        char ra[32];
        snprintf(ra, sizeof(ra), "%" PRIu64, (wait_us + 999999) / 1000000);
        hub_http_error(x->w, 429, "too_many_attempts", "too many failed logins; retry in %s s", ra);
        hub_http_resp_header(x->w, "Retry-After", ra);
        goto out;
    }
    struct hub_user u;
    int rc = hub_store_user_find(x->api->store, &HUB_SCOPE_SYSTEM, name, &u);
    if (rc == CS_OK && !u.disabled)
        rc = hub_pw_verify(u.pwhash, pw, strlen(pw));
    else if (rc == HUB_ENOTFOUND || rc == CS_OK) {
        hub_pw_verify_dummy(&x->api->cfg.pw, pw, strlen(pw));
        rc = CS_ERR;
    }
    if (rc != CS_OK) {
        hub_throttle_fail(x->api->throttle, name, x->req->client);
        hub_api_audit(x->api, name, "user", "login.fail", "session", x->req->client, NULL, NULL);
        hub_http_error(x->w, 401, "invalid_credentials", "wrong user name or password");
        goto out;
    }
    hub_throttle_success(x->api->throttle, name);
    if (hub_pw_needs_rehash(&x->api->cfg.pw, u.pwhash)) {
        char phc[HUB_PW_PHC_MAX];
        if (hub_pw_hash(&x->api->cfg.pw, pw, strlen(pw), phc, sizeof(phc)) == CS_OK)
            hub_store_user_set_password(x->api->store, &HUB_SCOPE_SYSTEM, u.id, phc);
    }
    char token[HUB_TOKEN_STR_LEN + 1];
    struct hub_cred c = {.kind = HUB_CRED_SESSION, .user_id = u.id};
    rc = hub_token_new(HUB_TOKEN_SESSION, x->api->keylen ? x->api->token_key : NULL, x->api->keylen,
                       token, c.hash);
    if (rc) {
        hub_http_error(x->w, 500, "internal", "cannot create a session");
        goto out;
    }
    c.created_us = (int64_t)cs_time_now_us();
    c.expires_us = c.created_us + x->api->cfg.session_ttl_s * 1000000;
    snprintf(c.label, sizeof(c.label), "login from %s", x->req->client);
    if (api_store_fail(x, hub_store_cred_add(x->api->store, &c), "session"))
        goto out;
    x->p.kind = API_P_USER;
    x->p.user = u;
    x->p.cred = c;
    api_audit(x, "login", "session", NULL, NULL);
    cs_json_open(&x->w->body, NULL);
    cs_json_str(&x->w->body, "token", token);
    cs_json_int(&x->w->body, "expires_at_us", c.expires_us);
    hub_json_user(&x->w->body, "user", &u);
    cs_json_close(&x->w->body);
    gm_cleanse(token, sizeof(token));
out:
    gm_cleanse(pw, sizeof(pw));
    hub_json_doc_free(&d);
}

void api_route_logout(struct api_ctx *x)
{
    if (x->p.cred.kind != HUB_CRED_SESSION) {
        hub_http_error(x->w, 400, "not_a_session", "logout ends sessions, not API tokens");
        return;
    }
    if (api_store_fail(x, hub_store_cred_del(x->api->store, x->p.cred.hash), "session"))
        return;
    api_audit(x, "logout", "session", NULL, NULL);
    x->w->status = 204;
}

void api_route_me(struct api_ctx *x)
{
    struct hub_org o;
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    hub_json_user(j, "user", &x->p.user);
    if (hub_store_org_get(x->api->store, &x->p.scope, x->p.user.org_id, &o) == CS_OK)
        hub_json_org(j, "org", &o);
    cs_json_str(j, "auth", x->p.cred.kind == HUB_CRED_SESSION ? "session" : "token");
    if (x->p.cred.expires_us)
        cs_json_int(j, "expires_at_us", x->p.cred.expires_us);
    cs_json_close(j);
}

/* ---- organisations -------------------------------------------------------------------- */

static int org_cb(void *arg, const struct hub_org *o)
{
    hub_json_org(arg, NULL, o);
    return 0;
}

void api_route_orgs_list(struct api_ctx *x)
{
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    cs_json_open_arr(j, "orgs");
    int rc = hub_store_org_list(x->api->store, &x->p.scope, org_cb, j);
    cs_json_close_arr(j);
    cs_json_close(j);
    api_store_fail(x, rc, "organisation");
}

void api_route_orgs_get(struct api_ctx *x)
{
    struct hub_org o;
    if (api_store_fail(x, hub_store_org_get(x->api->store, &x->p.scope, x->id, &o), "organisation"))
        return;
    hub_json_org(&x->w->body, NULL, &o);
}

/* Tags: comma-separated words of [a-z0-9_-]. */
static bool tags_ok(const char *t)
{
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '_' || *t == '-' ||
              *t == ','))
            return false;
    return true;
}

void api_route_orgs_add(struct api_ctx *x)
{
    struct hub_json_doc d;
    struct hub_org o = {0};
    static const char *const fields[] = {"name", "kind", "parent_id", "tags", NULL};
    hub_json_doc_init(&d);
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "name", o.name, sizeof(o.name), true) ||
        api_body_str(x, &d, "kind", o.kind, sizeof(o.kind), true) ||
        api_body_int(x, &d, "parent_id", &o.parent_id, true) ||
        api_body_str(x, &d, "tags", o.tags, sizeof(o.tags), false) == CS_EINVAL)
        goto out;
    if (!tags_ok(o.tags)) {
        hub_http_error(x->w, 400, "invalid_field", "tags are comma-separated [a-z0-9_-] words");
        goto out;
    }
    if (strcmp(o.kind, "district") && strcmp(o.kind, "org") && strcmp(o.kind, "city")) {
        hub_http_error(x->w, 400, "invalid_field", "kind must be city, district or org");
        goto out;
    }
    if (api_store_fail(x, hub_store_org_add(x->api->store, &x->p.scope, &o), "organisation"))
        goto out;
    struct cs_json after;
    cs_json_init(&after);
    hub_json_org(&after, NULL, &o);
    char target[64];
    snprintf(target, sizeof(target), "org:%" PRId64, o.id);
    api_audit(x, "org.create", target, NULL, api_json_cstr(&after));
    cs_json_free(&after);
    x->w->status = 201;
    hub_json_org(&x->w->body, NULL, &o);
out:
    hub_json_doc_free(&d);
}

/* ---- users ---------------------------------------------------------------------------- */

static int user_cb(void *arg, const struct hub_user *u)
{
    hub_json_user(arg, NULL, u);
    return 0;
}

void api_route_users_list(struct api_ctx *x)
{
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    cs_json_open_arr(j, "users");
    int rc = hub_store_user_list(x->api->store, &x->p.scope, user_cb, j);
    cs_json_close_arr(j);
    cs_json_close(j);
    api_store_fail(x, rc, "user");
}

static void fail_why(struct api_ctx *x, int rc, const char *why, const char *what)
{
    if (why)
        hub_http_error(x->w, 400, "invalid_field", "%s", why);
    else
        api_store_fail(x, rc, what);
}

void api_route_users_add(struct api_ctx *x)
{
    struct hub_json_doc d;
    char name[HUB_NAME_MAX + 1], pw[1100], role[16];
    int64_t org_id = 0;
    static const char *const fields[] = {"name", "password", "role", "org_id", NULL};
    hub_json_doc_init(&d);
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "name", name, sizeof(name), true) ||
        api_body_str(x, &d, "password", pw, sizeof(pw), true) ||
        api_body_str(x, &d, "role", role, sizeof(role), true) ||
        api_body_int(x, &d, "org_id", &org_id, true))
        goto out;
    enum hub_role r = hub_role_parse(role);
    if (r == HUB_ROLE_NONE) {
        hub_http_error(x->w, 400, "invalid_field", "role must be admin, analyst or viewer");
        goto out;
    }
    struct hub_user u;
    const char *why = NULL;
    int rc = hub_admin_user_add(x->api->store, &x->p.scope, &x->api->cfg.pw, name, pw, r, org_id,
                                &u, &why);
    if (rc) {
        fail_why(x, rc, why, "user or organisation");
        goto out;
    }
    struct cs_json after;
    cs_json_init(&after);
    hub_json_user(&after, NULL, &u);
    char target[64];
    snprintf(target, sizeof(target), "user:%" PRId64, u.id);
    api_audit(x, "user.create", target, NULL, api_json_cstr(&after));
    cs_json_free(&after);
    x->w->status = 201;
    hub_json_user(&x->w->body, NULL, &u);
out:
    gm_cleanse(pw, sizeof(pw));
    hub_json_doc_free(&d);
}

/* A user changes their own password (with the current one); an admin sets any password in
 * their subtree. */
void api_route_users_passwd(struct api_ctx *x)
{
    struct hub_json_doc d;
    char pw[1100], cur[1100];
    static const char *const fields[] = {"password", "current_password", NULL};
    hub_json_doc_init(&d);
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "password", pw, sizeof(pw), true) ||
        api_body_str(x, &d, "current_password", cur, sizeof(cur), false) == CS_EINVAL)
        goto out;
    bool self = x->id == x->p.user.id;
    if (!self && x->p.role < HUB_ROLE_ADMIN) {
        hub_http_error(x->w, 403, "forbidden", "only an admin may set another user's password");
        goto out;
    }
    if (self && x->p.role < HUB_ROLE_ADMIN &&
        hub_pw_verify(x->p.user.pwhash, cur, strlen(cur)) != CS_OK) {
        hub_http_error(x->w, 403, "forbidden", "current_password is wrong");
        goto out;
    }
    const char *why = NULL;
    int rc = hub_admin_user_passwd(x->api->store, &x->p.scope, &x->api->cfg.pw, x->id, pw, &why);
    if (rc) {
        fail_why(x, rc, why, "user");
        goto out;
    }
    char target[64];
    snprintf(target, sizeof(target), "user:%" PRId64, x->id);
    api_audit(x, "user.password", target, NULL, NULL);
    x->w->status = 204;
out:
    gm_cleanse(pw, sizeof(pw));
    gm_cleanse(cur, sizeof(cur));
    hub_json_doc_free(&d);
}

/* ---- tokens --------------------------------------------------------------------------- */

void api_route_tokens_add(struct api_ctx *x)
{
    struct hub_json_doc d;
    char label[HUB_NAME_MAX + 1];
    int64_t ttl = 0;
    static const char *const fields[] = {"label", "ttl_s", NULL};
    hub_json_doc_init(&d);
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "label", label, sizeof(label), true) ||
        api_body_int(x, &d, "ttl_s", &ttl, false) == CS_EINVAL)
        goto out;
    if (ttl < 0 || ttl > 10ll * 365 * 86400) {
        hub_http_error(x->w, 400, "invalid_field", "ttl_s must be 0..315360000");
        goto out;
    }
    char token[HUB_TOKEN_STR_LEN + 1];
    int rc = hub_admin_token_add(x->api->store, x->api->keylen ? x->api->token_key : NULL,
                                 x->api->keylen, x->p.user.id, label, ttl, token);
    if (api_store_fail(x, rc, "token"))
        goto out;
    char target[64];
    snprintf(target, sizeof(target), "user:%" PRId64, x->p.user.id);
    api_audit(x, "token.create", target, NULL, NULL);
    x->w->status = 201;
    cs_json_open(&x->w->body, NULL);
    cs_json_str(&x->w->body, "token", token);
    cs_json_str(&x->w->body, "label", label);
    cs_json_close(&x->w->body);
    gm_cleanse(token, sizeof(token));
out:
    hub_json_doc_free(&d);
}

static const char *cred_kind_name(enum hub_cred_kind k)
{
    return k == HUB_CRED_SESSION ? "session" : k == HUB_CRED_SENSOR ? "sensor" : "token";
}

/* A credential as the API shows it: never its hash. */
void hub_json_cred(struct cs_json *j, const char *key, const struct hub_cred *c, bool current)
{
    cs_json_open(j, key);
    cs_json_int(j, "id", c->id);
    cs_json_str(j, "kind", cred_kind_name(c->kind));
    if (c->kind == HUB_CRED_SENSOR)
        cs_json_int(j, "sensor_id", c->sensor_id);
    else
        cs_json_int(j, "user_id", c->user_id);
    cs_json_str(j, "label", c->label);
    cs_json_int(j, "created_us", c->created_us);
    if (c->expires_us)
        cs_json_int(j, "expires_us", c->expires_us);
    else
        cs_json_null(j, "expires_us");
    cs_json_bool(j, "current", current);
    cs_json_close(j);
}

struct cred_list {
    struct cs_json *j;
    int64_t current;
};

static int cred_cb(void *arg, const struct hub_cred *c)
{
    struct cred_list *l = arg;
    hub_json_cred(l->j, NULL, c, c->id == l->current);
    return 0;
}

/* Own API tokens; an admin sees every user's in their subtree. ?kind=session lists login
 * sessions instead, ?kind=sensor (admins) sensor tokens; ?user_id= narrows an admin's list. */
void api_route_tokens_list(struct api_ctx *x)
{
    enum hub_cred_kind kind = HUB_CRED_TOKEN;
    int64_t user_id = x->p.user.id;
    const char *k = hub_http_query(x->req, "kind");
    const char *u = hub_http_query(x->req, "user_id");
    if (k && !strcmp(k, "session"))
        kind = HUB_CRED_SESSION;
    else if (k && !strcmp(k, "sensor") && x->p.role >= HUB_ROLE_ADMIN)
        kind = HUB_CRED_SENSOR;
    else if (k && strcmp(k, "token")) {
        hub_http_error(x->w, 400, "invalid_parameter",
                       "kind must be token, session or (admins) sensor");
        return;
    }
    if (x->p.role >= HUB_ROLE_ADMIN)
        user_id = 0;
    if (u && (!api_parse_i64(u, &user_id) || user_id <= 0 ||
              (x->p.role < HUB_ROLE_ADMIN && user_id != x->p.user.id))) {
        hub_http_error(x->w, 400, "invalid_parameter",
                       "user_id must be a user id (your own unless you are an admin)");
        return;
    }
    if (kind == HUB_CRED_SENSOR)
        user_id = 0;
    struct cred_list l = {.j = &x->w->body, .current = x->p.cred.id};
    cs_json_open(l.j, NULL);
    cs_json_open_arr(l.j, "tokens");
    int rc = hub_store_cred_list(x->api->store, &x->p.scope, kind, user_id,
                                 (int64_t)cs_time_now_us(), cred_cb, &l);
    cs_json_close_arr(l.j);
    cs_json_close(l.j);
    api_store_fail(x, rc, "token");
}

/* Revokes a credential at once (the next request with it gets 401): a user their own tokens
 * and sessions, an admin any of their subtree's, sensor tokens included. */
void api_route_tokens_revoke(struct api_ctx *x)
{
    struct hub_cred c = {0};
    int rc = hub_store_cred_revoke(x->api->store, &x->p.scope, x->id,
                                   x->p.role >= HUB_ROLE_ADMIN ? 0 : x->p.user.id, &c);
    if (api_store_fail(x, rc, "token"))
        return;
    struct cs_json before;
    cs_json_init(&before);
    hub_json_cred(&before, NULL, &c, false);
    char target[64];
    snprintf(target, sizeof(target), "token:%" PRId64, c.id);
    api_audit(x, "token.revoke", target, api_json_cstr(&before), NULL);
    cs_json_free(&before);
    gm_cleanse(c.hash, sizeof(c.hash));
    x->w->status = 204;
}

/* ---- sensors -------------------------------------------------------------------------- */

static int sensor_cb(void *arg, const struct hub_sensor *s)
{
    hub_json_sensor(arg, NULL, s);
    return 0;
}

void api_route_sensors_list(struct api_ctx *x)
{
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    cs_json_open_arr(j, "sensors");
    int rc = hub_store_sensor_list(x->api->store, &x->p.scope, sensor_cb, j);
    cs_json_close_arr(j);
    cs_json_close(j);
    api_store_fail(x, rc, "sensor");
}

void api_route_sensors_add(struct api_ctx *x)
{
    struct hub_json_doc d;
    char name[HUB_NAME_MAX + 1];
    char *pem = cs_malloc(HUB_PEM_MAX + 2);
    int64_t org_id = 0;
    static const char *const fields[] = {"name", "org_id", "public_key", NULL};
    hub_json_doc_init(&d);
    if (!pem) {
        hub_http_error(x->w, 500, "internal", "out of memory");
        goto out;
    }
    int has_pem;
    if (api_parse_body(x, &d) || api_body_only(x, &d, fields) ||
        api_body_str(x, &d, "name", name, sizeof(name), true) ||
        api_body_int(x, &d, "org_id", &org_id, true) ||
        (has_pem = api_body_text(x, &d, "public_key", pem, HUB_PEM_MAX + 1, false, true)) ==
            CS_EINVAL)
        goto out;
    struct hub_sensor se;
    char token[HUB_TOKEN_STR_LEN + 1];
    char *priv = NULL;
    int rc = hub_admin_sensor_add(x->api->store, &x->p.scope,
                                  x->api->keylen ? x->api->token_key : NULL, x->api->keylen, name,
                                  org_id, has_pem == CS_OK ? pem : NULL, &se, token, &priv);
    if (rc == CS_EINVAL) {
        hub_http_error(x->w, 400, "invalid_field",
                       "bad sensor name or public_key (an SM2 public key in PEM)");
        goto out;
    }
    if (api_store_fail(x, rc, "sensor or organisation"))
        goto out;
    struct cs_json after;
    cs_json_init(&after);
    hub_json_sensor(&after, NULL, &se);
    char target[64];
    snprintf(target, sizeof(target), "sensor:%" PRId64, se.id);
    api_audit(x, "sensor.create", target, NULL, api_json_cstr(&after));
    cs_json_free(&after);
    x->w->status = 201;
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    hub_json_sensor(j, "sensor", &se);
    cs_json_str(j, "token", token);
    if (priv)
        cs_json_str(j, "private_key", priv);
    cs_json_close(j);
    gm_cleanse(token, sizeof(token));
    if (priv) {
        gm_cleanse(priv, strlen(priv));
        cs_free(priv);
    }
out:
    cs_free(pem);
    hub_json_doc_free(&d);
}

/* ---- audit ---------------------------------------------------------------------------- */

struct audit_list {
    struct cs_json *j;
    int n, limit;
    int64_t next;
};

static int audit_cb(void *arg, const struct hub_audit_row *r)
{
    struct audit_list *a = arg;
    if (a->n >= a->limit) {
        a->next = r->seq;
        return 1;
    }
    struct cs_json *j = a->j;
    cs_json_open(j, NULL);
    cs_json_int(j, "seq", r->seq);
    cs_json_int(j, "ts_us", r->ts_us);
    const char *k[] = {"actor",  "actor_type", "action",    "target", "source",
                       "before", "after",      "prev_hash", "hash"};
    const char *v[] = {r->actor,  r->actor_type, r->action,    r->target, r->source,
                       r->before, r->after,      r->prev_hash, r->hash};
    for (int i = 0; i < 9; i++) {
        if (!v[i])
            cs_json_null(j, k[i]);
        else
            cs_json_str(j, k[i], v[i]);
    }
    cs_json_close(j);
    a->n++;
    return 0;
}

/* The audit log is the whole hub's: only admins of a root organisation (the city) read it. */
void api_route_audit_list(struct api_ctx *x)
{
    struct hub_org o;
    if (hub_store_org_get(x->api->store, &HUB_SCOPE_SYSTEM, x->p.user.org_id, &o) != CS_OK ||
        o.parent_id != 0) {
        hub_http_error(x->w, 403, "forbidden", "the audit log is for the city's admins");
        return;
    }
    int64_t from = 1, limit = 100;
    const char *s = hub_http_query(x->req, "from_seq");
    if (s && (!api_parse_i64(s, &from) || from < 1)) {
        hub_http_error(x->w, 400, "invalid_parameter", "from_seq must be a positive integer");
        return;
    }
    s = hub_http_query(x->req, "limit");
    if (s && (!api_parse_i64(s, &limit) || limit < 1 || limit > 1000)) {
        hub_http_error(x->w, 400, "invalid_parameter", "limit must be 1..1000");
        return;
    }
    struct audit_list a = {.j = &x->w->body, .limit = (int)limit};
    cs_json_open(a.j, NULL);
    cs_json_open_arr(a.j, "records");
    int rc = hub_store_audit_list(x->api->store, from, audit_cb, &a);
    cs_json_close_arr(a.j);
    if (a.next)
        cs_json_int(a.j, "next_seq", a.next);
    else
        cs_json_null(a.j, "next_seq");
    cs_json_close(a.j);
    if (rc < 0)
        api_store_fail(x, rc, "audit log");
}
