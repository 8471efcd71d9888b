/* token.c — API tokens ("cst_…") and session ids ("css_…"): generation, syntax check, stored
 * form (hex HMAC-SM3 with the server key, or SM3), constant-time comparison, expiry (see
 * auth.h). */
#include "auth.h"

#include "b64.h"

#define TOKEN_PREFIX_LEN 4
#define TOKEN_BODY_LEN 43 /* base64url, unpadded, of 32 bytes */

static const char *kind_prefix(enum hub_token_kind kind)
{
    switch (kind) {
    case HUB_TOKEN_API:
        return HUB_TOKEN_PREFIX_API;
    case HUB_TOKEN_SESSION:
        return HUB_TOKEN_PREFIX_SESSION;
    }
    return NULL;
}

static void hex32(const uint8_t d[32], char out[HUB_TOKEN_STORED_LEN + 1])
{
    static const char hx[] = "0123456789abcdef";

    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[HUB_TOKEN_STORED_LEN] = '\0';
}

/* Stored form of an already validated printable token. */
static int stored_of(const uint8_t *key, size_t keylen, const char *s, size_t len,
                     char stored[HUB_TOKEN_STORED_LEN + 1])
{
    uint8_t d[32];
    int rc = key ? gm_hmac_sm3(key, keylen, s, len, d) : gm_sm3(s, len, d);

    if (rc == CS_OK)
        hex32(d, stored);
    gm_cleanse(d, sizeof(d));
    return rc;
}

int hub_token_new(enum hub_token_kind kind, const uint8_t *key, size_t keylen,
                  char token[HUB_TOKEN_STR_LEN + 1], char stored[HUB_TOKEN_STORED_LEN + 1])
{
    const char *prefix = kind_prefix(kind);
    uint8_t raw[HUB_TOKEN_RAW_LEN];
    int rc;

    if (!token || !stored)
        return CS_EINVAL;
    token[0] = stored[0] = '\0';
    if (!prefix || (!key && keylen) || keylen > HUB_TOKEN_KEY_MAX)
        return CS_EINVAL;
    if (gm_random(raw, sizeof(raw)) != CS_OK)
        return CS_ERR;
    memcpy(token, prefix, TOKEN_PREFIX_LEN);
    hub_b64_encode(raw, sizeof(raw), token + TOKEN_PREFIX_LEN, HUB_B64_URL, false);
    gm_cleanse(raw, sizeof(raw));
    rc = stored_of(key, keylen, token, HUB_TOKEN_STR_LEN, stored);
    if (rc != CS_OK) {
        gm_cleanse(token, HUB_TOKEN_STR_LEN + 1);
        stored[0] = '\0';
    }
    return rc;
}

bool hub_token_well_formed(enum hub_token_kind kind, const char *s, size_t len)
{
    const char *prefix = kind_prefix(kind);
    uint8_t raw[HUB_TOKEN_RAW_LEN];
    size_t n;
    bool ok;

    if (!prefix || !s || len != HUB_TOKEN_STR_LEN || memcmp(s, prefix, TOKEN_PREFIX_LEN) != 0)
        return false;
    ok = hub_b64_decode(s + TOKEN_PREFIX_LEN, TOKEN_BODY_LEN, raw, sizeof(raw), &n, HUB_B64_URL,
                        false) == CS_OK &&
         n == HUB_TOKEN_RAW_LEN;
    gm_cleanse(raw, sizeof(raw));
    return ok;
}

int hub_token_stored_form(enum hub_token_kind kind, const uint8_t *key, size_t keylen,
                          const char *s, size_t len, char stored[HUB_TOKEN_STORED_LEN + 1])
{
    if (!stored)
        return CS_EINVAL;
    stored[0] = '\0';
    if ((!key && keylen) || keylen > HUB_TOKEN_KEY_MAX || !hub_token_well_formed(kind, s, len))
        return CS_EINVAL;
    return stored_of(key, keylen, s, len, stored);
}

bool hub_token_stored_equal(const char *a, const char *b)
{
    if (!a || !b || strnlen(a, HUB_TOKEN_STORED_LEN + 1) != HUB_TOKEN_STORED_LEN ||
        strnlen(b, HUB_TOKEN_STORED_LEN + 1) != HUB_TOKEN_STORED_LEN)
        return false;
    return gm_mem_equal(a, b, HUB_TOKEN_STORED_LEN);
}

int64_t hub_token_expiry(int64_t now, int64_t ttl_s)
{
    if (ttl_s <= 0)
        return 0;
    if (now > INT64_MAX - ttl_s)
        return INT64_MAX;
    return now + ttl_s;
}

bool hub_token_expired(int64_t now, int64_t expires_at)
{
    return expires_at != 0 && now >= expires_at;
}

#define SESSION_SKEW_S 60

/* True when t lies more than SESSION_SKEW_S after now (overflow-safe). */
static bool in_future(int64_t now, int64_t t)
{
    return t > now && (uint64_t)t - (uint64_t)now > SESSION_SKEW_S;
}

/* True when at least ttl seconds have passed from t to now (ttl > 0; overflow-safe). */
static bool elapsed(int64_t now, int64_t t, int64_t ttl)
{
    return now >= t && (uint64_t)now - (uint64_t)t >= (uint64_t)ttl;
}

bool hub_session_alive(int64_t now, int64_t created, int64_t last_seen, int64_t idle_ttl,
                       int64_t absolute_ttl)
{
    if (in_future(now, created) || in_future(now, last_seen))
        return false;
    if (absolute_ttl > 0 && elapsed(now, created, absolute_ttl))
        return false;
    if (idle_ttl > 0 && elapsed(now, last_seen, idle_ttl))
        return false;
    return true;
}
