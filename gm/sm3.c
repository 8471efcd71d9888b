/* sm3.c — SM3 hash (GB/T 32905) and HMAC-SM3 over OpenSSL 3 EVP_MD / EVP_MAC. */
#include "gm.h"

#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/* Algorithms are fetched once per process and kept (fetching per call costs a locked lookup
 * in the provider store). They are never freed: they live as long as libcrypto. */
static EVP_MD *g_sm3;
static EVP_MAC *g_hmac;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void fetch_algs(void)
{
    g_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
    g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const EVP_MD *sm3_md(void)
{
    pthread_once(&g_once, fetch_algs);
    return g_sm3;
}

static EVP_MAC *hmac_mac(void)
{
    pthread_once(&g_once, fetch_algs);
    return g_hmac;
}

/* ---- SM3 -------------------------------------------------------------------------------- */

struct gm_sm3_ctx {
    EVP_MD_CTX *md;
};

int gm_sm3(const void *data, size_t len, uint8_t out[GM_SM3_DIGEST_LEN])
{
    const EVP_MD *md = sm3_md();
    unsigned int n = 0;

    if ((!data && len) || !out)
        return CS_EINVAL;
    if (!md)
        return CS_ERR;
    if (EVP_Digest(len ? data : "", len, out, &n, md, NULL) != 1 || n != GM_SM3_DIGEST_LEN) {
        ERR_clear_error();
        return CS_ERR;
    }
    return CS_OK;
}

struct gm_sm3_ctx *gm_sm3_ctx_new(void)
{
    const EVP_MD *md = sm3_md();
    struct gm_sm3_ctx *ctx;

    if (!md)
        return NULL;
    ctx = cs_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->md = EVP_MD_CTX_new();
    if (!ctx->md)
        goto out_free;
    if (EVP_DigestInit_ex2(ctx->md, md, NULL) != 1)
        goto out_free_md;
    return ctx;

out_free_md:
    EVP_MD_CTX_free(ctx->md);
out_free:
    cs_free(ctx);
    ERR_clear_error();
    return NULL;
}

int gm_sm3_update(struct gm_sm3_ctx *ctx, const void *data, size_t len)
{
    if (!ctx || (!data && len))
        return CS_EINVAL;
    if (len == 0)
        return CS_OK;
    if (EVP_DigestUpdate(ctx->md, data, len) != 1) {
        ERR_clear_error();
        return CS_ERR;
    }
    return CS_OK;
}

int gm_sm3_final(struct gm_sm3_ctx *ctx, uint8_t out[GM_SM3_DIGEST_LEN])
{
    unsigned int n = 0;

    if (!ctx || !out)
        return CS_EINVAL;
    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != GM_SM3_DIGEST_LEN ||
        EVP_DigestInit_ex2(ctx->md, sm3_md(), NULL) != 1) {
        ERR_clear_error();
        return CS_ERR;
    }
    return CS_OK;
}

void gm_sm3_ctx_free(struct gm_sm3_ctx *ctx)
{
    if (!ctx)
        return;
    EVP_MD_CTX_free(ctx->md);
    cs_free(ctx);
}

/* ---- HMAC-SM3 --------------------------------------------------------------------------- */

struct gm_hmac_sm3_ctx {
    EVP_MAC_CTX *mac;
};

/* A zero-length key still needs a non-NULL pointer: OpenSSL treats key == NULL as "keep the
 * previous key" rather than "empty key". */
static const uint8_t empty_key[1];

/* Initialises mac with key; returns 1 on success like OpenSSL. */
static int hmac_init(EVP_MAC_CTX *mac, const void *key, size_t keylen)
{
    OSSL_PARAM params[2];

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(mac, keylen ? key : empty_key, keylen, params);
}

static EVP_MAC_CTX *hmac_ctx_new(const void *key, size_t keylen)
{
    EVP_MAC *alg = hmac_mac();
    EVP_MAC_CTX *mac;

    if (!alg)
        return NULL;
    mac = EVP_MAC_CTX_new(alg);
    if (!mac)
        return NULL;
    if (hmac_init(mac, key, keylen) != 1) {
        EVP_MAC_CTX_free(mac);
        return NULL;
    }
    return mac;
}

static int hmac_finish(EVP_MAC_CTX *mac, uint8_t out[GM_HMAC_SM3_LEN])
{
    size_t n = 0;

    if (EVP_MAC_final(mac, out, &n, GM_HMAC_SM3_LEN) != 1 || n != GM_HMAC_SM3_LEN)
        return 0;
    return 1;
}

int gm_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
                uint8_t out[GM_HMAC_SM3_LEN])
{
    EVP_MAC_CTX *mac;
    int rc = CS_ERR;

    if ((!key && keylen) || (!data && len) || !out)
        return CS_EINVAL;
    mac = hmac_ctx_new(key, keylen);
    if (!mac)
        goto out;
    if ((len && EVP_MAC_update(mac, data, len) != 1) || hmac_finish(mac, out) != 1)
        goto out_free;
    rc = CS_OK;

out_free:
    EVP_MAC_CTX_free(mac);
out:
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_hmac_sm3_verify(const void *key, size_t keylen, const void *data, size_t len,
                       const uint8_t *tag, size_t taglen)
{
    uint8_t mac[GM_HMAC_SM3_LEN];
    int rc;

    if (!tag || taglen < GM_HMAC_SM3_MIN_TAG || taglen > GM_HMAC_SM3_LEN)
        return CS_EINVAL;
    rc = gm_hmac_sm3(key, keylen, data, len, mac);
    if (rc == CS_OK && !gm_mem_equal(mac, tag, taglen))
        rc = CS_ERR;
    OPENSSL_cleanse(mac, sizeof(mac));
    return rc;
}

struct gm_hmac_sm3_ctx *gm_hmac_sm3_new(const void *key, size_t keylen)
{
    struct gm_hmac_sm3_ctx *ctx;

    if (!key && keylen)
        return NULL;
    ctx = cs_calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->mac = hmac_ctx_new(key, keylen);
    if (!ctx->mac) {
        cs_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    return ctx;
}

int gm_hmac_sm3_update(struct gm_hmac_sm3_ctx *ctx, const void *data, size_t len)
{
    if (!ctx || (!data && len))
        return CS_EINVAL;
    if (len && EVP_MAC_update(ctx->mac, data, len) != 1) {
        ERR_clear_error();
        return CS_ERR;
    }
    return CS_OK;
}

int gm_hmac_sm3_final(struct gm_hmac_sm3_ctx *ctx, uint8_t out[GM_HMAC_SM3_LEN])
{
    if (!ctx || !out)
        return CS_EINVAL;
    /* EVP_MAC_init with a NULL key re-initialises HMAC with the key it already holds. */
    if (hmac_finish(ctx->mac, out) != 1 || EVP_MAC_init(ctx->mac, NULL, 0, NULL) != 1) {
        ERR_clear_error();
        return CS_ERR;
    }
    return CS_OK;
}

void gm_hmac_sm3_free(struct gm_hmac_sm3_ctx *ctx)
{
    if (!ctx)
        return;
    EVP_MAC_CTX_free(ctx->mac); /* the HMAC provider wipes its key copy */
    cs_free(ctx);
}
