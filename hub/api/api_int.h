/* api_int.h — what the API's route files share (not for use outside hub/api/). */
#ifndef HUB_API_INT_H
#define HUB_API_INT_H

#include <pthread.h>

#include "../norm/json.h"
#include "api.h"

struct hub_api {
    struct hub_store *store;
    struct hub_api_cfg cfg;
    uint8_t token_key[HUB_TOKEN_KEY_MAX];
    size_t keylen;
    const struct gm_sm2_key *hub_key;
    struct hub_throttle *throttle;
    pthread_mutex_t audit_lock;
    uint32_t since_ckpt;
};

enum api_pkind { API_P_NONE = 0, API_P_USER, API_P_SENSOR };

/* Who is calling, resolved from the bearer token. */
struct api_principal {
    enum api_pkind kind;
    struct hub_cred cred;
    struct hub_user user;     /* API_P_USER */
    struct hub_sensor sensor; /* API_P_SENSOR */
    enum hub_role role;
    struct hub_scope scope;
};

struct api_ctx {
    struct hub_api *api;
    const struct hub_http_req *req;
    struct hub_http_resp *w;
    struct api_principal p;
    int64_t id; /* the {id} of the route, 0 if none */
};

enum api_auth { API_AUTH_NONE = 0, API_AUTH_USER, API_AUTH_SENSOR };

struct api_route {
    const char *method;
    const char *pattern;
    void (*fn)(struct api_ctx *x);
    enum api_auth auth;
    enum hub_role min_role;
};

bool api_content_type_is(const struct hub_http_req *r, const char *want);
int api_parse_body(struct api_ctx *x, struct hub_json_doc *d);
int api_body_only(struct api_ctx *x, const struct hub_json_doc *d, const char *const *allowed);
int api_body_str(struct api_ctx *x, const struct hub_json_doc *d, const char *key, char *out,
                 size_t cap, bool required);
/* Same, and multiline allows \n and \r (PEM text). */
int api_body_text(struct api_ctx *x, const struct hub_json_doc *d, const char *key, char *out,
                  size_t cap, bool required, bool multiline);
int api_body_int(struct api_ctx *x, const struct hub_json_doc *d, const char *key, int64_t *out,
                 bool required);
bool api_parse_i64(const char *s, int64_t *out);
/* The writer's text NUL-terminated (NULL if the writer failed). */
const char *api_json_cstr(struct cs_json *j);
bool api_store_fail(struct api_ctx *x, int rc, const char *what);
void api_audit(struct api_ctx *x, const char *action, const char *target, const char *before,
               const char *after);

/* routes.c */
void api_route_login(struct api_ctx *x);
void api_route_logout(struct api_ctx *x);
void api_route_me(struct api_ctx *x);
void api_route_orgs_list(struct api_ctx *x);
void api_route_orgs_add(struct api_ctx *x);
void api_route_orgs_get(struct api_ctx *x);
void api_route_users_list(struct api_ctx *x);
void api_route_users_add(struct api_ctx *x);
void api_route_users_passwd(struct api_ctx *x);
void api_route_tokens_add(struct api_ctx *x);
void api_route_tokens_list(struct api_ctx *x);
void api_route_tokens_revoke(struct api_ctx *x);
void api_route_sensors_list(struct api_ctx *x);
void api_route_sensors_add(struct api_ctx *x);
void api_route_audit_list(struct api_ctx *x);
/* events.c */
void api_route_events_ingest(struct api_ctx *x);
void api_route_events_query(struct api_ctx *x);
void api_route_events_get(struct api_ctx *x);
/* One query argument of the event filters into f (values are borrowed from the request):
 * 0 taken, 1 not an event filter, -1 an invalid value. */
int api_event_filter_arg(struct hub_event_filter *f, const char *k, const char *v);
/* stats.c */
void api_route_stats_overview(struct api_ctx *x);
void api_route_stats_agg(struct api_ctx *x);
void api_route_stats_orgs(struct api_ctx *x);

/* JSON of store records (routes.c), shared with the CLI's listing. */
void hub_json_org(struct cs_json *j, const char *key, const struct hub_org *o);
void hub_json_user(struct cs_json *j, const char *key, const struct hub_user *u);
void hub_json_sensor(struct cs_json *j, const char *key, const struct hub_sensor *s);
void hub_json_cred(struct cs_json *j, const char *key, const struct hub_cred *c, bool current);

#endif
