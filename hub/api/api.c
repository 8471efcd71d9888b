/* api.c — routing, authentication, request helpers and the audit writer of the JSON API.
 * The routes themselves are in routes.c (identity, tenancy, audit) and events.c (ingest and
 * query); api_int.h is what they share. */
#include "api_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cs_time.h"
#include "../audit/audit.h"

void hub_api_cfg_default(struct hub_api_cfg *c)
{
    memset(c, 0, sizeof(*c));
    c->session_ttl_s = 8 * 3600;
    c->sig_window_s = HUB_SIG_DEFAULT_WINDOW_S;
    c->max_batch_events = 100000;
    c->max_decoded = 64u << 20;
    c->audit_ckpt_every = 1000;
    hub_pw_params_default(&c->pw);
    hub_throttle_cfg_default(&c->throttle);
}

struct hub_api *hub_api_new(struct hub_store *store, const struct hub_api_cfg *cfg,
                            const uint8_t *token_key, size_t keylen,
                            const struct gm_sm2_key *hub_key)
{
    if (keylen > sizeof(((struct hub_api *)0)->token_key))
        return NULL;
    struct hub_api *a = cs_calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->store = store;
    a->cfg = *cfg;
    if (keylen)
        memcpy(a->token_key, token_key, keylen);
    a->keylen = keylen;
    a->hub_key = hub_key;
    pthread_mutex_init(&a->audit_lock, NULL);
    a->throttle = hub_throttle_new(&a->cfg.throttle, NULL, NULL);
    if (!a->throttle) {
        hub_api_free(a);
        return NULL;
    }
    return a;
}

void hub_api_free(struct hub_api *a)
{
    if (!a)
        return;
    hub_throttle_free(a->throttle);
    pthread_mutex_destroy(&a->audit_lock);
    gm_cleanse(a->token_key, sizeof(a->token_key));
    cs_free(a);
}

/* ---- audit ---------------------------------------------------------------------------- */

struct seal_ctx {
    char hash[HUB_AUDIT_HEX_LEN + 1];
    char prev[HUB_AUDIT_HEX_LEN + 1];
};

static int seal(void *arg, struct hub_audit_row *r, const char *prev_hex)
{
    struct seal_ctx *c = arg;
    struct hub_audit_rec rec = {
        .seq = (uint64_t)r->seq,
        .ts_us = r->ts_us,
        .actor = r->actor,
        .actor_type = r->actor_type,
        .action = r->action,
        .target = r->target,
        .src_addr = r->source,
        .before = r->before,
        .after = r->after,
    };
    if (prev_hex[0] && hub_audit_hex_decode(prev_hex, rec.prev_hash) != CS_OK)
        return CS_EIO;
    int rc = hub_audit_hash(&rec, rec.prev_hash, rec.hash);
    if (rc)
        return rc;
    hub_audit_hex(rec.prev_hash, c->prev);
    hub_audit_hex(rec.hash, c->hash);
    r->prev_hash = c->prev;
    r->hash = c->hash;
    return CS_OK;
}

static int checkpoint_now(struct hub_api *a)
{
    int64_t seq;
    char hex[HUB_AUDIT_HEX_LEN + 8];
    uint8_t hash[HUB_AUDIT_HASH_LEN];
    struct hub_audit_ckpt ck;
    if (!a->hub_key)
        return CS_OK;
    int rc = hub_store_audit_head(a->store, &seq, hex, sizeof(hex));
    if (rc || seq == 0)
        return rc;
    if ((rc = hub_audit_hex_decode(hex, hash)) != CS_OK)
        return rc;
    if ((rc = hub_audit_ckpt_make(a->hub_key, (uint64_t)seq, hash, (int64_t)cs_time_now_us(),
                                  &ck)) != CS_OK)
        return rc;
    struct hub_audit_ckpt_row row = {
        .seq = seq, .hash = hex, .ts_us = ck.ts_us, .sig = ck.sig, .siglen = ck.siglen};
    rc = hub_store_audit_ckpt_add(a->store, &row);
    return rc == HUB_ECONFLICT ? CS_OK : rc;
}

int hub_api_audit_checkpoint(struct hub_api *a)
{
    pthread_mutex_lock(&a->audit_lock);
    int rc = checkpoint_now(a);
    a->since_ckpt = 0;
    pthread_mutex_unlock(&a->audit_lock);
    return rc;
}

int hub_api_audit(struct hub_api *a, const char *actor, const char *actor_type, const char *action,
                  const char *target, const char *source, const char *before, const char *after)
{
    struct seal_ctx c;
    struct hub_audit_row r = {
        .ts_us = (int64_t)cs_time_now_us(),
        .actor = actor,
        .actor_type = actor_type,
        .action = action,
        .target = target,
        .source = source,
        .before = before,
        .after = after,
    };
    pthread_mutex_lock(&a->audit_lock);
    int rc = hub_store_audit_append(a->store, &r, seal, &c);
    if (rc == CS_OK && a->cfg.audit_ckpt_every && ++a->since_ckpt >= a->cfg.audit_ckpt_every) {
        checkpoint_now(a);
        a->since_ckpt = 0;
    }
    pthread_mutex_unlock(&a->audit_lock);
    if (rc)
        fprintf(stderr, "hub: audit record %s %s failed: %s\n", action, target ? target : "",
                cs_strerror(rc));
    return rc;
}

/* ---- request helpers ------------------------------------------------------------------ */

bool api_content_type_is(const struct hub_http_req *r, const char *want)
{
    const char *ct = hub_http_header(r, "Content-Type");
    if (!ct)
        return false;
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0)
        return false;
    return ct[n] == 0 || ct[n] == ';' || ct[n] == ' ';
}

int api_parse_body(struct api_ctx *x, struct hub_json_doc *d)
{
    if (!api_content_type_is(x->req, "application/json")) {
        hub_http_error(x->w, 415, "unsupported_media_type",
                       "the body must be JSON (Content-Type: application/json)");
        return CS_EINVAL;
    }
    struct hub_json_limits lim = {.max_len = 1u << 20, .max_depth = 16, .max_tokens = 4096};
    struct hub_json_err e = {0};
    if (hub_json_parse(d, x->req->body, x->req->body_len, &lim, &e) != CS_OK) {
        hub_http_error(x->w, 400, "invalid_json", "malformed JSON at byte %zu: %s", e.offset,
                       e.msg ? e.msg : "error");
        return CS_EINVAL;
    }
    if (d->toks[0].type != HUB_JSON_OBJECT) {
        hub_http_error(x->w, 400, "invalid_json", "the body must be a JSON object");
        return CS_EINVAL;
    }
    return CS_OK;
}

/* Only the listed members may appear (so a typo is an error, not silently ignored). */
int api_body_only(struct api_ctx *x, const struct hub_json_doc *d, const char *const *allowed)
{
    uint32_t end = d->toks[0].next;
    for (uint32_t k = hub_json_first(d, 0); k; k = hub_json_next_in(d, k + 1, end)) {
        bool ok = false;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = hub_json_str_eq(d, k, allowed[i], strlen(allowed[i]));
        if (!ok) {
            char name[64];
            hub_json_str_decode(d, k, name, sizeof(name));
            hub_http_error(x->w, 400, "invalid_field", "unknown field '%s'", name);
            return CS_EINVAL;
        }
    }
    return CS_OK;
}

/* String member into out[cap]: CS_OK, HUB_ENOTFOUND (absent), CS_EINVAL (400 sent: wrong
 * type, too long, empty, or a control character). */
int api_body_str(struct api_ctx *x, const struct hub_json_doc *d, const char *key, char *out,
                 size_t cap, bool required)
{
    return api_body_text(x, d, key, out, cap, required, false);
}

int api_body_text(struct api_ctx *x, const struct hub_json_doc *d, const char *key, char *out,
                  size_t cap, bool required, bool multiline)
{
    uint32_t t = hub_json_get(d, 0, key, strlen(key));
    out[0] = 0;
    if (!t) {
        if (required) {
            hub_http_error(x->w, 400, "missing_field", "field '%s' is required", key);
            return CS_EINVAL;
        }
        return HUB_ENOTFOUND;
    }
    if (d->toks[t].type != HUB_JSON_STRING) {
        hub_http_error(x->w, 400, "invalid_field", "field '%s' must be a string", key);
        return CS_EINVAL;
    }
    long n = hub_json_str_decode(d, t, out, cap);
    if (n < 0 || (size_t)n >= cap) {
        hub_http_error(x->w, 400, "invalid_field", "field '%s' is longer than %zu bytes", key,
                       cap - 1);
        return CS_EINVAL;
    }
    for (long i = 0; i < n; i++)
        if (((unsigned char)out[i] < 0x20 || out[i] == 0x7f) &&
            !(multiline && (out[i] == '\n' || out[i] == '\r'))) {
            hub_http_error(x->w, 400, "invalid_field", "field '%s' has a control character", key);
            return CS_EINVAL;
        }
    if (n == 0 && required) {
        hub_http_error(x->w, 400, "invalid_field", "field '%s' must not be empty", key);
        return CS_EINVAL;
    }
    return CS_OK;
}

int api_body_int(struct api_ctx *x, const struct hub_json_doc *d, const char *key, int64_t *out,
                 bool required)
{
    uint32_t t = hub_json_get(d, 0, key, strlen(key));
    if (!t) {
        if (required) {
            hub_http_error(x->w, 400, "missing_field", "field '%s' is required", key);
            return CS_EINVAL;
        }
        return HUB_ENOTFOUND;
    }
    if (d->toks[t].type != HUB_JSON_NUMBER || hub_json_int(d, t, out) != CS_OK) {
        hub_http_error(x->w, 400, "invalid_field", "field '%s' must be an integer", key);
        return CS_EINVAL;
    }
    return CS_OK;
}

/* Decimal int64 from text, the whole string; false otherwise. */
bool api_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return false;
    int64_t v = 0;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
        if (!*s)
            return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v > (INT64_MAX - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    return true;
}

const char *api_json_cstr(struct cs_json *j)
{
    if (!cs_json_ok(j))
        return NULL;
    cs_json_append(j, "", 1);
    if (j->err)
        return NULL;
    j->len--;
    return j->buf;
}

/* Maps a store error to a response; returns true if it was an error. */
bool api_store_fail(struct api_ctx *x, int rc, const char *what)
{
    switch (rc) {
    case CS_OK:
        return false;
    case HUB_ENOTFOUND:
        hub_http_error(x->w, 404, "not_found", "%s not found", what);
        break;
    case HUB_ECONFLICT:
        hub_http_error(x->w, 409, "conflict", "%s already exists", what);
        break;
    case CS_EINVAL:
        hub_http_error(x->w, 400, "invalid_request", "invalid %s", what);
        break;
    default:
        hub_http_error(x->w, 500, "internal", "storage error (%s)", cs_strerror(rc));
        break;
    }
    return true;
}

void api_audit(struct api_ctx *x, const char *action, const char *target, const char *before,
               const char *after)
{
    const char *actor = "anonymous", *type = "anonymous";
    if (x->p.kind == API_P_USER) {
        actor = x->p.user.name;
        type = x->p.cred.kind == HUB_CRED_TOKEN ? "token" : "user";
    } else if (x->p.kind == API_P_SENSOR) {
        actor = x->p.sensor.name;
        type = "sensor";
    }
    hub_api_audit(x->api, actor, type, action, target, x->req->client, before, after);
}

/* ---- authentication ------------------------------------------------------------------- */

static int authenticate(struct api_ctx *x)
{
    const char *h = hub_http_header(x->req, "Authorization");
    if (!h)
        return HUB_ENOTFOUND;
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        hub_http_error(x->w, 401, "invalid_token", "Authorization must be 'Bearer <token>'");
        return CS_EINVAL;
    }
    const char *tok = h + 7;
    size_t n = strlen(tok);
    enum hub_token_kind kind =
        strncmp(tok, HUB_TOKEN_PREFIX_SESSION, 4) == 0 ? HUB_TOKEN_SESSION : HUB_TOKEN_API;
    char stored[HUB_TOKEN_STORED_LEN + 1];
    if (hub_token_stored_form(kind, x->api->keylen ? x->api->token_key : NULL, x->api->keylen, tok,
                              n, stored) != CS_OK) {
        hub_http_error(x->w, 401, "invalid_token", "malformed token");
        return CS_EINVAL;
    }
    int rc = hub_store_cred_get(x->api->store, stored, (int64_t)cs_time_now_us(), &x->p.cred);
    if (rc == CS_OK && (kind == HUB_TOKEN_SESSION) != (x->p.cred.kind == HUB_CRED_SESSION))
        rc = HUB_ENOTFOUND;
    if (rc == HUB_ENOTFOUND) {
        hub_http_error(x->w, 401, "invalid_token", "unknown, revoked or expired token");
        return CS_EINVAL;
    }
    if (rc) {
        api_store_fail(x, rc, "credential");
        return rc;
    }
    if (x->p.cred.kind == HUB_CRED_SENSOR) {
        rc = hub_store_sensor_get(x->api->store, &HUB_SCOPE_SYSTEM, x->p.cred.sensor_id,
                                  &x->p.sensor);
        if (rc == CS_OK) {
            x->p.kind = API_P_SENSOR;
            x->p.scope = (struct hub_scope){.org_id = x->p.sensor.org_id};
        }
    } else {
        rc = hub_store_user_get(x->api->store, &HUB_SCOPE_SYSTEM, x->p.cred.user_id, &x->p.user);
        if (rc == CS_OK && x->p.user.disabled)
            rc = HUB_ENOTFOUND;
        if (rc == CS_OK) {
            x->p.kind = API_P_USER;
            x->p.role = x->p.user.role;
            x->p.scope = (struct hub_scope){.org_id = x->p.user.org_id};
        }
    }
    if (rc == HUB_ENOTFOUND) {
        hub_http_error(x->w, 401, "invalid_token", "the token's owner no longer exists");
        return CS_EINVAL;
    }
    if (rc)
        api_store_fail(x, rc, "credential owner");
    return rc;
}

/* ---- routing -------------------------------------------------------------------------- */

static void route_health(struct api_ctx *x)
{
    cs_json_open(&x->w->body, NULL);
    cs_json_str(&x->w->body, "status", "ok");
    cs_json_int(&x->w->body, "schema_version", hub_store_schema_version(x->api->store));
    cs_json_close(&x->w->body);
}

static const struct api_route routes[] = {
    {"GET", "/api/v1/health", route_health, API_AUTH_NONE, HUB_ROLE_NONE},
    {"POST", "/api/v1/auth/login", api_route_login, API_AUTH_NONE, HUB_ROLE_NONE},
    {"POST", "/api/v1/auth/logout", api_route_logout, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/me", api_route_me, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/orgs", api_route_orgs_list, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"POST", "/api/v1/orgs", api_route_orgs_add, API_AUTH_USER, HUB_ROLE_ADMIN},
    {"GET", "/api/v1/orgs/{id}", api_route_orgs_get, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/users", api_route_users_list, API_AUTH_USER, HUB_ROLE_ADMIN},
    {"POST", "/api/v1/users", api_route_users_add, API_AUTH_USER, HUB_ROLE_ADMIN},
    {"POST", "/api/v1/users/{id}/password", api_route_users_passwd, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"POST", "/api/v1/tokens", api_route_tokens_add, API_AUTH_USER, HUB_ROLE_ANALYST},
    {"GET", "/api/v1/tokens", api_route_tokens_list, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"DELETE", "/api/v1/tokens/{id}", api_route_tokens_revoke, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/sensors", api_route_sensors_list, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"POST", "/api/v1/sensors", api_route_sensors_add, API_AUTH_USER, HUB_ROLE_ADMIN},
    {"POST", "/api/v1/events", api_route_events_ingest, API_AUTH_SENSOR, HUB_ROLE_NONE},
    {"GET", "/api/v1/events", api_route_events_query, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/events/{id}", api_route_events_get, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/audit", api_route_audit_list, API_AUTH_USER, HUB_ROLE_ADMIN},
    {"GET", "/api/v1/stats/overview", api_route_stats_overview, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/stats/agg", api_route_stats_agg, API_AUTH_USER, HUB_ROLE_VIEWER},
    {"GET", "/api/v1/stats/orgs", api_route_stats_orgs, API_AUTH_USER, HUB_ROLE_VIEWER},
};

/* Matches path against pattern; "{id}" matches a positive decimal id. */
static bool match(const char *pat, const char *path, int64_t *id)
{
    while (*pat) {
        if (strncmp(pat, "{id}", 4) == 0) {
            const char *s = path;
            while (*path >= '0' && *path <= '9')
                path++;
            if (path == s || path - s > 18 || *s == '0')
                return false;
            char num[24];
            memcpy(num, s, (size_t)(path - s));
            num[path - s] = 0;
            *id = strtoll(num, NULL, 10);
            pat += 4;
            continue;
        }
        if (*pat++ != *path++)
            return false;
    }
    return *path == 0;
}

void hub_api_handle(void *app, const struct hub_http_req *req, struct hub_http_resp *w)
{
    struct api_ctx x = {.api = app, .req = req, .w = w};
    const struct api_route *rt = NULL;
    bool path_known = false;
    for (size_t i = 0; i < CS_ARRAY_LEN(routes); i++) {
        int64_t id = 0;
        if (!match(routes[i].pattern, req->path, &id))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            rt = &routes[i];
            x.id = id;
            break;
        }
    }
    if (!rt) {
        if (path_known)
            hub_http_error(w, 405, "method_not_allowed", "%s is not allowed here", req->method);
        else
            hub_http_error(w, 404, "not_found", "no such route");
        return;
    }
    if (rt->auth != API_AUTH_NONE) {
        int rc = authenticate(&x);
        if (rc == HUB_ENOTFOUND) {
            hub_http_error(w, 401, "unauthenticated", "this route needs a bearer token");
            hub_http_resp_header(w, "WWW-Authenticate", "Bearer");
            return;
        }
        if (rc) {
            if (w->status == 401)
                hub_http_resp_header(w, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return;
        }
        if (rt->auth == API_AUTH_SENSOR && x.p.kind != API_P_SENSOR) {
            hub_http_error(w, 403, "forbidden", "only sensors may post events");
            return;
        }
        if (rt->auth == API_AUTH_USER && x.p.kind != API_P_USER) {
            hub_http_error(w, 403, "forbidden", "a sensor token cannot use this route");
            return;
        }
        if (rt->auth == API_AUTH_USER && x.p.role < rt->min_role) {
            hub_http_error(w, 403, "forbidden", "this needs the %s role",
                           hub_role_name(rt->min_role));
            return;
        }
    }
    rt->fn(&x);
}
