/* seal.c — authenticated encryption for libgm: SM4-CTR + HMAC-SM3, encrypt-then-MAC, with
 * encryption and MAC keys derived from one master key. OpenSSL 3.0 (Debian bookworm) has no
 * SM4-GCM or SM4-CCM, so the AEAD is composed from primitives it does have. Format and key
 * derivation: gm.h and docs/internals/gm.md. */
#include "gm.h"

#include <openssl/crypto.h>

#define LABEL_ENC "citysoc-gm-seal-v1 enc"
#define LABEL_MAC "citysoc-gm-seal-v1 mac"

struct seal_keys {
    uint8_t enc[GM_HMAC_SM3_LEN]; /* first GM_SM4_KEY_LEN bytes used */
    uint8_t mac[GM_HMAC_SM3_LEN];
};

static int derive_keys(const uint8_t key[GM_SEAL_KEY_LEN], struct seal_keys *k)
{
    int rc = gm_hmac_sm3(key, GM_SEAL_KEY_LEN, LABEL_ENC, sizeof(LABEL_ENC) - 1, k->enc);
    if (rc == CS_OK)
        rc = gm_hmac_sm3(key, GM_SEAL_KEY_LEN, LABEL_MAC, sizeof(LABEL_MAC) - 1, k->mac);
    return rc;
}

/* tag = HMAC-SM3(mac_key, be64(aadlen) || aad || iv || ct) */
static int compute_tag(const uint8_t mac_key[GM_HMAC_SM3_LEN], const void *aad, size_t aadlen,
                       const uint8_t *iv, const uint8_t *ct, size_t ctlen,
                       uint8_t tag[GM_SEAL_TAG_LEN])
{
    struct gm_hmac_sm3_ctx *h;
    uint8_t be[8];
    uint64_t a = aadlen;
    int rc;

    for (int i = 7; i >= 0; i--) {
        be[i] = (uint8_t)(a & 0xff);
        a >>= 8;
    }
    h = gm_hmac_sm3_new(mac_key, GM_HMAC_SM3_LEN);
    if (!h)
        return CS_ENOMEM;
    rc = gm_hmac_sm3_update(h, be, sizeof(be));
    if (rc == CS_OK)
        rc = gm_hmac_sm3_update(h, aad, aadlen);
    if (rc == CS_OK)
        rc = gm_hmac_sm3_update(h, iv, GM_SEAL_IV_LEN);
    if (rc == CS_OK)
        rc = gm_hmac_sm3_update(h, ct, ctlen);
    if (rc == CS_OK)
        rc = gm_hmac_sm3_final(h, tag);
    gm_hmac_sm3_free(h);
    return rc;
}

int gm_sm4_seal(const uint8_t key[GM_SEAL_KEY_LEN], const void *aad, size_t aadlen,
                const uint8_t *pt, size_t ptlen, uint8_t *out, size_t *outlen)
{
    struct seal_keys k;
    uint8_t *iv, *ct;
    int rc;

    if (!key || (!aad && aadlen) || (!pt && ptlen) || !out || !outlen)
        return CS_EINVAL;
    if (ptlen > SIZE_MAX - GM_SEAL_OVERHEAD)
        return CS_ELIMIT;
    if (*outlen < ptlen + GM_SEAL_OVERHEAD) {
        *outlen = ptlen + GM_SEAL_OVERHEAD;
        return CS_ELIMIT;
    }
    /* out must not overlap pt except exactly: we write iv first, so refuse aliasing. */
    if (ptlen && out < pt + ptlen && pt < out + ptlen + GM_SEAL_OVERHEAD)
        return CS_EINVAL;
    iv = out;
    ct = out + GM_SEAL_IV_LEN;
    rc = derive_keys(key, &k);
    if (rc != CS_OK)
        goto out_wipe;
    rc = gm_random(iv, GM_SEAL_IV_LEN);
    if (rc != CS_OK)
        goto out_wipe;
    rc = gm_sm4_ctr(k.enc, iv, pt, ptlen, ct);
    if (rc != CS_OK)
        goto out_wipe;
    rc = compute_tag(k.mac, aad, aadlen, iv, ct, ptlen, ct + ptlen);
    if (rc != CS_OK)
        goto out_wipe;
    *outlen = ptlen + GM_SEAL_OVERHEAD;

out_wipe:
    OPENSSL_cleanse(&k, sizeof(k));
    if (rc != CS_OK)
        OPENSSL_cleanse(out, ptlen + GM_SEAL_OVERHEAD);
    return rc;
}

int gm_sm4_open(const uint8_t key[GM_SEAL_KEY_LEN], const void *aad, size_t aadlen,
                const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
    struct seal_keys k;
    uint8_t tag[GM_SEAL_TAG_LEN];
    const uint8_t *iv, *ct;
    size_t ctlen;
    int rc;

    if (!key || (!aad && aadlen) || !in || !outlen)
        return CS_EINVAL;
    if (inlen < GM_SEAL_OVERHEAD)
        return CS_EINVAL;
    ctlen = inlen - GM_SEAL_OVERHEAD;
    if (ctlen && !out)
        return CS_EINVAL;
    if (*outlen < ctlen) {
        *outlen = ctlen;
        return CS_ELIMIT;
    }
    iv = in;
    ct = in + GM_SEAL_IV_LEN;
    rc = derive_keys(key, &k);
    if (rc != CS_OK)
        goto out_wipe;
    rc = compute_tag(k.mac, aad, aadlen, iv, ct, ctlen, tag);
    if (rc != CS_OK)
        goto out_wipe;
    if (!gm_mem_equal(tag, ct + ctlen, GM_SEAL_TAG_LEN)) {
        rc = CS_ERR;
        goto out_wipe;
    }
    rc = gm_sm4_ctr(k.enc, iv, ct, ctlen, out);
    if (rc != CS_OK) {
        OPENSSL_cleanse(out, ctlen);
        goto out_wipe;
    }
    *outlen = ctlen;

out_wipe:
    OPENSSL_cleanse(&k, sizeof(k));
    OPENSSL_cleanse(tag, sizeof(tag));
    return rc;
}
