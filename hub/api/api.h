/* api.h — the hub's versioned JSON API (/api/v1/...): routing, authentication, tenancy
 * scope, roles, audit of every state-changing request.
 *
 * hub_api_handle() is the hub_http_handler the server calls. Each request is authenticated
 * from "Authorization: Bearer <secret>" where the secret is a session id (css_…, from
 * POST /api/v1/auth/login), a user's API token (cst_…) or a sensor's token (cst_…); the
 * credential's stored form (hub/auth) is looked up in the store. A user's scope is the
 * subtree of their organisation; every store call is made with that scope, so tenancy is
 * enforced by the store. Errors are {"error":{"code":"…","message":"…"}} with a matching
 * status. docs/api/openapi.yaml describes every route.
 *
 * Thread safety: hub_api_handle may run on several threads at once. */
#ifndef HUB_API_H
#define HUB_API_H

#include "../auth/auth.h"
#include "../http/server.h"
#include "../store/store.h"

struct hub_api_cfg {
    int64_t session_ttl_s;     /* absolute session lifetime (default 8 h) */
    bool require_signature;    /* sensors must sign batches (X-Citysoc-Signature) */
    int64_t sig_window_s;      /* accepted clock skew of signed batches (default 300) */
    size_t max_batch_events;   /* events in one POST /api/v1/events (default 100000) */
    size_t max_decoded;        /* decompressed batch size cap (default 64 MiB) */
    uint32_t audit_ckpt_every; /* SM2 checkpoint every N audit records (default 1000) */
    struct hub_pw_params pw;   /* Argon2id parameters and password policy */
    struct hub_throttle_cfg throttle;
};

void hub_api_cfg_default(struct hub_api_cfg *c);

struct hub_api;

/* Creates the API over `store` (borrowed; must outlive the API). token_key[0..keylen) is the
 * server key for credential hashes (hub/auth; may be NULL/0). hub_key is the hub's SM2 key
 * for audit checkpoints (borrowed; may be NULL: no checkpoints). NULL on allocation failure. */
struct hub_api *hub_api_new(struct hub_store *store, const struct hub_api_cfg *cfg,
                            const uint8_t *token_key, size_t keylen,
                            const struct gm_sm2_key *hub_key);
void hub_api_free(struct hub_api *a);

/* The request handler (app = struct hub_api *). */
void hub_api_handle(void *app, const struct hub_http_req *req, struct hub_http_resp *resp);

/* Writes one audit record (actor, action, target, source, before/after JSON or NULL) into
 * the chain, with an SM2 checkpoint when one is due. Used by the routes and the CLI.
 * Thread-safe. */
int hub_api_audit(struct hub_api *a, const char *actor, const char *actor_type, const char *action,
                  const char *target, const char *source, const char *before, const char *after);

/* Writes a checkpoint over the current head of the audit chain now (at shutdown). */
int hub_api_audit_checkpoint(struct hub_api *a);

#endif
