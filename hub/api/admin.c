/* admin.c — users, tokens and sensors as the API and the CLI create them. */
#include "admin.h"

#include <stdio.h>
#include <string.h>

#include "../../lib/cs_time.h"

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@' || c == ':'))
            return false;
    }
    return true;
}

int hub_admin_user_add(struct hub_store *s, const struct hub_scope *sc,
                       const struct hub_pw_params *pw, const char *name, const char *password,
                       enum hub_role role, int64_t org_id, struct hub_user *out, const char **why)
{
    struct hub_user u = {.org_id = org_id, .role = role};
    *why = NULL;
    if (!name_ok(name)) {
        *why = "user names are 1..64 characters of A-Z a-z 0-9 . _ - @ :";
        return CS_EINVAL;
    }
    if (role == HUB_ROLE_NONE) {
        *why = "role must be admin, analyst or viewer";
        return CS_EINVAL;
    }
    int rc = hub_pw_policy_check(pw, password, strlen(password), why);
    if (rc)
        return rc;
    *why = NULL;
    /* Check the org is visible before spending time on the hash. */
    if ((rc = hub_store_org_get(s, sc, org_id, NULL)) != CS_OK)
        return rc;
    snprintf(u.name, sizeof(u.name), "%s", name);
    if ((rc = hub_pw_hash(pw, password, strlen(password), u.pwhash, sizeof(u.pwhash))) != CS_OK) {
        *why = "password hashing failed";
        return rc;
    }
    rc = hub_store_user_add(s, sc, &u);
    if (rc == CS_OK && out)
        *out = u;
    return rc;
}

int hub_admin_user_passwd(struct hub_store *s, const struct hub_scope *sc,
                          const struct hub_pw_params *pw, int64_t user_id, const char *password,
                          const char **why)
{
    char phc[HUB_PW_PHC_MAX];
    *why = NULL;
    int rc = hub_pw_policy_check(pw, password, strlen(password), why);
    if (rc)
        return rc;
    *why = NULL;
    if ((rc = hub_store_user_get(s, sc, user_id, NULL)) != CS_OK)
        return rc;
    if ((rc = hub_pw_hash(pw, password, strlen(password), phc, sizeof(phc))) != CS_OK) {
        *why = "password hashing failed";
        return rc;
    }
    return hub_store_user_set_password(s, sc, user_id, phc);
}

int hub_admin_token_add(struct hub_store *s, const uint8_t *key, size_t keylen, int64_t user_id,
                        const char *label, int64_t ttl_s, char token[HUB_TOKEN_STR_LEN + 1])
{
    struct hub_cred c = {.kind = HUB_CRED_TOKEN, .user_id = user_id};
    int rc = hub_token_new(HUB_TOKEN_API, key, keylen, token, c.hash);
    if (rc)
        return rc;
    snprintf(c.label, sizeof(c.label), "%s", label ? label : "");
    c.created_us = (int64_t)cs_time_now_us();
    c.expires_us = ttl_s > 0 ? c.created_us + ttl_s * 1000000 : 0;
    return hub_store_cred_add(s, &c);
}

int hub_admin_sensor_add(struct hub_store *s, const struct hub_scope *sc, const uint8_t *key,
                         size_t keylen, const char *name, int64_t org_id, const char *pubkey_pem,
                         struct hub_sensor *out, char token[HUB_TOKEN_STR_LEN + 1], char **priv_pem)
{
    struct hub_sensor se = {.org_id = org_id};
    struct gm_sm2_key *k = NULL;
    char *pub = NULL;
    int rc;
    if (priv_pem)
        *priv_pem = NULL;
    if (!name_ok(name))
        return CS_EINVAL;
    snprintf(se.name, sizeof(se.name), "%s", name);
    if (pubkey_pem) {
        if ((rc = gm_sm2_key_load_pem(pubkey_pem, strlen(pubkey_pem), &k)) != CS_OK)
            return CS_EINVAL;
        if ((rc = gm_sm2_key_save_public_pem(k, &pub, NULL)) != CS_OK)
            goto out;
    } else {
        if (!priv_pem)
            return CS_EINVAL;
        if ((rc = gm_sm2_key_generate(&k)) != CS_OK ||
            (rc = gm_sm2_key_save_public_pem(k, &pub, NULL)) != CS_OK ||
            (rc = gm_sm2_key_save_private_pem(k, priv_pem, NULL)) != CS_OK)
            goto out;
    }
    if (strlen(pub) > HUB_PEM_MAX) {
        rc = CS_EINVAL;
        goto out;
    }
    snprintf(se.pubkey_pem, sizeof(se.pubkey_pem), "%s", pub);
    if ((rc = hub_store_sensor_add(s, sc, &se)) != CS_OK)
        goto out;
    struct hub_cred c = {.kind = HUB_CRED_SENSOR, .sensor_id = se.id};
    if ((rc = hub_token_new(HUB_TOKEN_API, key, keylen, token, c.hash)) != CS_OK)
        goto out;
    snprintf(c.label, sizeof(c.label), "sensor %.64s", se.name);
    c.created_us = (int64_t)cs_time_now_us();
    rc = hub_store_cred_add(s, &c);
    if (rc == CS_OK && out)
        *out = se;
out:
    if (rc && priv_pem && *priv_pem) {
        gm_cleanse(*priv_pem, strlen(*priv_pem));
        cs_free(*priv_pem);
        *priv_pem = NULL;
    }
    cs_free(pub);
    gm_sm2_key_free(k);
    return rc;
}
