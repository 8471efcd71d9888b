/* sm4.c — SM4 block cipher (GB/T 32907) in CBC (PKCS#7 or no padding) and CTR modes over
 * OpenSSL 3 EVP_CIPHER. ECB is not exported: a lone block cipher call is never what a caller
 * should use. */
#include "gm.h"

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

static EVP_CIPHER *g_cbc;
static EVP_CIPHER *g_ctr;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void fetch_ciphers(void)
{
    g_cbc = EVP_CIPHER_fetch(NULL, "SM4-CBC", NULL);
    g_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
}

/* EVP_*Update takes an int length: feed at most this much per call (a multiple of 16). */
#define CHUNK_MAX ((size_t)1 << 30)

/* Runs one whole message through cipher. enc: 1 encrypt, 0 decrypt. pad: PKCS#7 on/off.
 * out must hold the full result (checked by the callers). *outlen gets the bytes written.
 * Returns CS_OK, or CS_ERR (bad padding on decrypt, or a libcrypto failure). */
static int cipher_run(const EVP_CIPHER *cipher, int enc, int pad, const uint8_t *key,
                      const uint8_t *iv, const uint8_t *in, size_t inlen, uint8_t *out,
                      size_t *outlen)
{
    EVP_CIPHER_CTX *ctx;
    size_t done = 0, written = 0;
    int n, rc = CS_ERR;

    if (!cipher)
        return CS_ERR;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return CS_ENOMEM;
    if (EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, pad) != 1)
        goto out_free;
    while (done < inlen) {
        size_t chunk = CS_MIN(inlen - done, CHUNK_MAX);
        if (EVP_CipherUpdate(ctx, out + written, &n, in + done, (int)chunk) != 1)
            goto out_free;
        done += chunk;
        written += (size_t)n;
    }
    if (EVP_CipherFinal_ex(ctx, out + written, &n) != 1)
        goto out_free;
    written += (size_t)n;
    *outlen = written;
    rc = CS_OK;

out_free:
    EVP_CIPHER_CTX_free(ctx);
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

static bool args_ok(const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t inlen,
                    const uint8_t *out)
{
    return key && iv && (in || inlen == 0) && (out || inlen == 0);
}

int gm_sm4_cbc_encrypt(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                       const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    size_t need;

    if (!key || !iv || (!in && inlen) || !out || !outlen)
        return CS_EINVAL;
    if (inlen > SIZE_MAX - 2 * GM_SM4_BLOCK_LEN)
        return CS_ELIMIT;
    need = (inlen / GM_SM4_BLOCK_LEN + 1) * GM_SM4_BLOCK_LEN;
    if (*outlen < need) {
        *outlen = need;
        return CS_ELIMIT;
    }
    pthread_once(&g_once, fetch_ciphers);
    return cipher_run(g_cbc, 1, 1, key, iv, in, inlen, out, outlen);
}

int gm_sm4_cbc_decrypt(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                       const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    int rc;

    if (!key || !iv || !in || !out || !outlen)
        return CS_EINVAL;
    if (inlen == 0 || inlen % GM_SM4_BLOCK_LEN)
        return CS_EINVAL;
    if (*outlen < inlen) {
        *outlen = inlen;
        return CS_ELIMIT;
    }
    pthread_once(&g_once, fetch_ciphers);
    rc = cipher_run(g_cbc, 0, 1, key, iv, in, inlen, out, outlen);
    if (rc != CS_OK) {
        OPENSSL_cleanse(out, inlen); /* no partial plaintext after a padding error */
        if (rc == CS_ERR)
            rc = CS_EINVAL;
    }
    return rc;
}

static int cbc_nopad(int enc, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t len,
                     uint8_t *out)
{
    size_t n = 0;
    int rc;

    if (!args_ok(key, iv, in, len, out) || len % GM_SM4_BLOCK_LEN)
        return CS_EINVAL;
    if (len == 0)
        return CS_OK;
    pthread_once(&g_once, fetch_ciphers);
    rc = cipher_run(g_cbc, enc, 0, key, iv, in, len, out, &n);
    if (rc == CS_OK && n != len)
        rc = CS_ERR;
    return rc;
}

int gm_sm4_cbc_encrypt_nopad(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                             const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc_nopad(1, key, iv, in, len, out);
}

int gm_sm4_cbc_decrypt_nopad(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                             const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc_nopad(0, key, iv, in, len, out);
}

int gm_sm4_ctr(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
               const uint8_t *in, size_t len, uint8_t *out)
{
    size_t n = 0;
    int rc;

    if (!args_ok(key, iv, in, len, out))
        return CS_EINVAL;
    if (len == 0)
        return CS_OK;
    pthread_once(&g_once, fetch_ciphers);
    rc = cipher_run(g_ctr, 1, 0, key, iv, in, len, out, &n);
    if (rc == CS_OK && n != len)
        rc = CS_ERR;
    return rc;
}
