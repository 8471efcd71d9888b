/* admin.h — identity operations shared by the API routes and the citysoc CLI: creating
 * users (Argon2id hash), API tokens and sensors (SM2 key pair, sensor token). Each works on
 * a store and a scope, so the CLI (HUB_SCOPE_SYSTEM) and an admin's request (their subtree)
 * go through the same checks. Thread-safe. */
#ifndef HUB_API_ADMIN_H
#define HUB_API_ADMIN_H

#include "../auth/auth.h"
#include "../store/store.h"

/* Checks the password policy, hashes it and stores the user. On a policy failure returns
 * CS_EINVAL/CS_ELIMIT with *why set to a static reason; store errors as in store.h. */
int hub_admin_user_add(struct hub_store *s, const struct hub_scope *sc,
                       const struct hub_pw_params *pw, const char *name, const char *password,
                       enum hub_role role, int64_t org_id, struct hub_user *out, const char **why);
int hub_admin_user_passwd(struct hub_store *s, const struct hub_scope *sc,
                          const struct hub_pw_params *pw, int64_t user_id, const char *password,
                          const char **why);

/* New API token (kind HUB_CRED_TOKEN) for user_id, valid ttl_s seconds (0: never). The
 * printable token goes to token[] (show it once). */
int hub_admin_token_add(struct hub_store *s, const uint8_t *key, size_t keylen, int64_t user_id,
                        const char *label, int64_t ttl_s, char token[HUB_TOKEN_STR_LEN + 1]);

/* Registers a sensor in org_id with its SM2 public key pubkey_pem; when pubkey_pem is NULL a
 * key pair is generated and its private key PEM returned in *priv_pem (cs_free after
 * gm_cleanse). Creates the sensor's token (token[]). */
int hub_admin_sensor_add(struct hub_store *s, const struct hub_scope *sc, const uint8_t *key,
                         size_t keylen, const char *name, int64_t org_id, const char *pubkey_pem,
                         struct hub_sensor *out, char token[HUB_TOKEN_STR_LEN + 1],
                         char **priv_pem);

#endif
