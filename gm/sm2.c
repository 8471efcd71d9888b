/* sm2.c — SM2 signatures (GB/T 32918.2, SM3, explicit distinguishing ID) and public-key
 * encryption (GB/T 32918.4, GM/T 0009 DER ciphertext) over OpenSSL 3 EVP. */
#include "sm2_int.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

static bool id_ok(const void *id, size_t idlen)
{
    return (id || idlen == 0) && idlen <= GM_SM2_ID_MAX;
}

/* Starts a DigestSign/DigestVerify with SM3 and the distinguishing id. The id can only be
 * set after init (the provider refuses it before the Z digest is armed) and before the first
 * update. Returns the EVP_MD_CTX or NULL. */
static EVP_MD_CTX *digest_ctx(const struct gm_sm2_key *key, bool sign, const void *id, size_t idlen)
{
    static const uint8_t empty[1];
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (!mctx)
        return NULL;
    if (sign)
        ok = EVP_DigestSignInit_ex(mctx, &pctx, "SM3", NULL, NULL, key->pkey, NULL);
    else
        ok = EVP_DigestVerifyInit_ex(mctx, &pctx, "SM3", NULL, NULL, key->pkey, NULL);
    if (ok != 1 || !pctx || EVP_PKEY_CTX_set1_id(pctx, idlen ? id : empty, (int)idlen) != 1) {
        EVP_MD_CTX_free(mctx); /* also frees pctx, which mctx owns */
        return NULL;
    }
    return mctx;
}

int gm_sm2_sign(const struct gm_sm2_key *key, const void *id, size_t idlen, const void *msg,
                size_t len, uint8_t *sig, size_t *siglen)
{
    uint8_t buf[GM_SM2_SIG_MAX];
    size_t n = sizeof(buf);
    EVP_MD_CTX *mctx;
    int rc = CS_ERR;

    if (!key || !id_ok(id, idlen) || (!msg && len) || !sig || !siglen)
        return CS_EINVAL;
    if (!key->has_private)
        return CS_EINVAL;
    mctx = digest_ctx(key, true, id, idlen);
    if (!mctx)
        goto out;
    if (EVP_DigestSign(mctx, buf, &n, len ? msg : (const void *)"", len) != 1)
        goto out_free;
    if (*siglen < n) {
        *siglen = n;
        rc = CS_ELIMIT;
        goto out_free;
    }
    memcpy(sig, buf, n);
    *siglen = n;
    rc = CS_OK;

out_free:
    EVP_MD_CTX_free(mctx);
out:
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_sm2_verify(const struct gm_sm2_key *key, const void *id, size_t idlen, const void *msg,
                  size_t len, const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *mctx;
    int rc = CS_ERR;

    if (!key || !id_ok(id, idlen) || (!msg && len) || (!sig && siglen))
        return CS_EINVAL;
    if (siglen == 0 || siglen > GM_SM2_SIG_MAX)
        return CS_ERR;
    mctx = digest_ctx(key, false, id, idlen);
    if (!mctx)
        goto out;
    if (EVP_DigestVerify(mctx, sig, siglen, len ? msg : (const void *)"", len) == 1)
        rc = CS_OK;
    EVP_MD_CTX_free(mctx);
out:
    ERR_clear_error();
    return rc;
}

/* Creates an encrypt (enc) or decrypt context on key; NULL on failure. SM3 is the default
 * digest of OpenSSL's SM2 cipher. */
static EVP_PKEY_CTX *cipher_ctx(const struct gm_sm2_key *key, bool enc)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);

    if (!ctx)
        return NULL;
    if ((enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int gm_sm2_encrypt(const struct gm_sm2_key *key, const uint8_t *pt, size_t ptlen, uint8_t *out,
                   size_t *outlen)
{
    EVP_PKEY_CTX *ctx;
    size_t need = 0;
    int rc = CS_ERR;

    if (!key || !pt || ptlen == 0 || !out || !outlen)
        return CS_EINVAL;
    if (ptlen > SIZE_MAX - GM_SM2_CIPHER_OVERHEAD)
        return CS_ELIMIT;
    ctx = cipher_ctx(key, true);
    if (!ctx)
        goto out;
    /* The provider ignores the output capacity: ask for the (maximum) size first. */
    if (EVP_PKEY_encrypt(ctx, NULL, &need, pt, ptlen) != 1)
        goto out_free;
    if (*outlen < need) {
        *outlen = need;
        rc = CS_ELIMIT;
        goto out_free;
    }
    if (EVP_PKEY_encrypt(ctx, out, &need, pt, ptlen) != 1)
        goto out_free;
    *outlen = need;
    rc = CS_OK;

out_free:
    EVP_PKEY_CTX_free(ctx);
out:
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_sm2_decrypt(const struct gm_sm2_key *key, const uint8_t *ct, size_t ctlen, uint8_t *out,
                   size_t *outlen)
{
    EVP_PKEY_CTX *ctx;
    size_t need = 0;
    int rc = CS_ERR;

    if (!key || !ct || !outlen || (!out && *outlen))
        return CS_EINVAL;
    if (!key->has_private)
        return CS_EINVAL;
    ctx = cipher_ctx(key, false);
    if (!ctx)
        goto out;
    /* Parses the DER and yields the exact C2 length; the provider then writes exactly that
     * many bytes without checking the capacity, so check it here. */
    if (EVP_PKEY_decrypt(ctx, NULL, &need, ct, ctlen) != 1 || need == 0) {
        rc = CS_EINVAL;
        goto out_free;
    }
    if (*outlen < need || !out) {
        *outlen = need;
        rc = CS_ELIMIT;
        goto out_free;
    }
    if (EVP_PKEY_decrypt(ctx, out, &need, ct, ctlen) != 1) {
        OPENSSL_cleanse(out, *outlen);
        goto out_free;
    }
    *outlen = need;
    rc = CS_OK;

out_free:
    EVP_PKEY_CTX_free(ctx);
out:
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}
