/* sm2_key.c — SM2 key objects: generation, raw import/export, PEM load/save. */
#include "sm2_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#define SM2_FIELD_LEN 32

/* Wraps pkey (taking ownership) into a new key object; frees pkey on failure. */
static int key_wrap(EVP_PKEY *pkey, bool has_private, struct gm_sm2_key **keyp)
{
    struct gm_sm2_key *key = cs_calloc(1, sizeof(*key));

    if (!key) {
        EVP_PKEY_free(pkey);
        return CS_ENOMEM;
    }
    key->pkey = pkey;
    key->has_private = has_private;
    *keyp = key;
    return CS_OK;
}

int gm_sm2_key_generate(struct gm_sm2_key **keyp)
{
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *pkey = NULL;
    int rc = CS_ERR;

    if (!keyp)
        return CS_EINVAL;
    *keyp = NULL;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (!ctx)
        goto out;
    if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &pkey) != 1)
        goto out_free_ctx;
    rc = key_wrap(pkey, true, keyp);

out_free_ctx:
    EVP_PKEY_CTX_free(ctx);
out:
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

void gm_sm2_key_free(struct gm_sm2_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    cs_free(key);
}

bool gm_sm2_key_has_private(const struct gm_sm2_key *key)
{
    return key && key->has_private;
}

/* Builds an SM2 EVP_PKEY from an uncompressed public point and optionally d. The point must
 * be a valid public key on the curve. */
static int key_fromdata(const uint8_t pub[GM_SM2_PUB_RAW_LEN], const BIGNUM *d,
                        struct gm_sm2_key **keyp)
{
    OSSL_PARAM_BLD *bld;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL, *check = NULL;
    EVP_PKEY *pkey = NULL;
    int rc = CS_ERR;

    bld = OSSL_PARAM_BLD_new();
    if (!bld)
        return CS_ENOMEM;
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, GM_SM2_PUB_RAW_LEN) !=
            1 ||
        (d && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1))
        goto out_free_bld;
    params = OSSL_PARAM_BLD_to_param(bld);
    if (!params)
        goto out_free_bld;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1)
        goto out_free;
    if (EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
        rc = CS_EINVAL;
        goto out_free;
    }
    /* Full public-key validation: on the curve, not infinity, correct order. */
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!check)
        goto out_free;
    if (EVP_PKEY_public_check(check) != 1) {
        rc = CS_EINVAL;
        goto out_free;
    }
    rc = key_wrap(pkey, d != NULL, keyp);
    pkey = NULL;

out_free:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* OSSL_PARAM_free clears secure BNs' copies */
out_free_bld:
    OSSL_PARAM_BLD_free(bld);
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_sm2_key_from_public_raw(const uint8_t *raw, size_t len, struct gm_sm2_key **keyp)
{
    if (!keyp)
        return CS_EINVAL;
    *keyp = NULL;
    if (!raw || len != GM_SM2_PUB_RAW_LEN || raw[0] != 0x04)
        return CS_EINVAL;
    return key_fromdata(raw, NULL, keyp);
}

int gm_sm2_key_from_private_raw(const uint8_t d[GM_SM2_PRIV_RAW_LEN], struct gm_sm2_key **keyp)
{
    EC_GROUP *group = NULL;
    EC_POINT *point = NULL;
    BN_CTX *bnctx = NULL;
    BIGNUM *bd = NULL, *limit = NULL;
    uint8_t pub[GM_SM2_PUB_RAW_LEN];
    int rc = CS_ERR;

    if (!keyp)
        return CS_EINVAL;
    *keyp = NULL;
    if (!d)
        return CS_EINVAL;
    group = EC_GROUP_new_by_curve_name(NID_sm2);
    bnctx = BN_CTX_secure_new();
    bd = BN_secure_new();
    limit = BN_new();
    if (!group || !bnctx || !bd || !limit)
        goto out;
    point = EC_POINT_new(group);
    if (!point || !BN_bin2bn(d, GM_SM2_PRIV_RAW_LEN, bd))
        goto out;
    /* GB/T 32918.1: d in [1, n - 2] (the signature uses (1 + d)^-1 mod n). */
    if (!BN_copy(limit, EC_GROUP_get0_order(group)) || !BN_sub_word(limit, 2))
        goto out;
    if (BN_is_zero(bd) || BN_cmp(bd, limit) > 0) {
        rc = CS_EINVAL;
        goto out;
    }
    if (EC_POINT_mul(group, point, bd, NULL, NULL, bnctx) != 1 ||
        EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bnctx) !=
            sizeof(pub))
        goto out;
    rc = key_fromdata(pub, bd, keyp);

out:
    EC_POINT_free(point);
    EC_GROUP_free(group);
    BN_clear_free(bd);
    BN_free(limit);
    BN_CTX_free(bnctx);
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_sm2_key_public_raw(const struct gm_sm2_key *key, uint8_t out[GM_SM2_PUB_RAW_LEN])
{
    BIGNUM *x = NULL, *y = NULL;
    int rc = CS_ERR;

    if (!key || !out)
        return CS_EINVAL;
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
        goto out;
    out[0] = 0x04;
    if (BN_bn2binpad(x, out + 1, SM2_FIELD_LEN) != SM2_FIELD_LEN ||
        BN_bn2binpad(y, out + 1 + SM2_FIELD_LEN, SM2_FIELD_LEN) != SM2_FIELD_LEN)
        goto out;
    rc = CS_OK;

out:
    BN_free(x);
    BN_free(y);
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

/* ---- PEM -------------------------------------------------------------------------------- */

/* Passphrase callback that always refuses: encrypted keys fail instead of prompting on the
 * terminal (OpenSSL's default callback would). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Is pkey on the curve sm2p256v1? */
static bool group_is_sm2(EVP_PKEY *pkey)
{
    char name[64];
    size_t n = 0;

    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &n) !=
        1)
        return false;
    return strcmp(name, "SM2") == 0;
}

/* Full validation of a decoded key: the public point (on the curve, right order) and, for a
 * private key, the scalar's range and that the stored public point really is d*G (a PEM file
 * can carry any public key next to d). */
static bool key_valid(EVP_PKEY *pkey, bool has_private)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok;

    if (!ctx)
        return false;
    ok = (has_private ? EVP_PKEY_check(ctx) : EVP_PKEY_public_check(ctx)) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* Turns a decoded EVP_PKEY into a gm key after checking it. OpenSSL 3 decodes keys on the SM2
 * curve (id-ecPublicKey + OID 1.2.156.10197.1.301) as type "SM2"; anything else (other
 * curves, RSA, ...) is refused. Takes ownership of pkey. */
static int key_adopt(EVP_PKEY *pkey, bool has_private, struct gm_sm2_key **keyp)
{
    if (!EVP_PKEY_is_a(pkey, "SM2") || !group_is_sm2(pkey) || !key_valid(pkey, has_private)) {
        EVP_PKEY_free(pkey);
        return CS_EINVAL;
    }
    return key_wrap(pkey, has_private, keyp);
}

int gm_sm2_key_load_pem(const char *pem, size_t len, struct gm_sm2_key **keyp)
{
    EVP_PKEY *pkey = NULL;
    BIO *bio;
    int rc = CS_EINVAL;

    if (!keyp)
        return CS_EINVAL;
    *keyp = NULL;
    if (!pem || len == 0)
        return CS_EINVAL;
    if (len > GM_PEM_MAX)
        return CS_ELIMIT;
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return CS_ENOMEM;
    pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
    if (pkey) {
        rc = key_adopt(pkey, true, keyp);
        goto out;
    }
    ERR_clear_error();
    BIO_free(bio);
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return CS_ENOMEM;
    pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
    if (pkey)
        rc = key_adopt(pkey, false, keyp);

out:
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

/* Reads a whole file of at most GM_PEM_MAX bytes into a new buffer. */
static int read_file(const char *path, char **bufp, size_t *lenp)
{
    struct stat st;
    char *buf;
    size_t done = 0;
    int fd, rc = CS_EIO;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return CS_EIO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out_close;
    if (st.st_size > GM_PEM_MAX) {
        rc = CS_ELIMIT;
        goto out_close;
    }
    buf = cs_malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = CS_ENOMEM;
        goto out_close;
    }
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    *bufp = buf;
    *lenp = done;
    rc = CS_OK;

out_close:
    close(fd);
    return rc;
}

int gm_sm2_key_load_pem_file(const char *path, struct gm_sm2_key **keyp)
{
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (!keyp)
        return CS_EINVAL;
    *keyp = NULL;
    if (!path)
        return CS_EINVAL;
    rc = read_file(path, &buf, &len);
    if (rc != CS_OK)
        return rc;
    rc = gm_sm2_key_load_pem(buf, len, keyp);
    gm_cleanse(buf, len);
    cs_free(buf);
    return rc;
}

/* Copies a memory BIO's content into a new NUL-terminated buffer. */
static int bio_to_string(BIO *bio, char **pem, size_t *len)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s;

    if (n <= 0 || !data)
        return CS_ERR;
    s = cs_malloc((size_t)n + 1);
    if (!s)
        return CS_ENOMEM;
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    *pem = s;
    if (len)
        *len = (size_t)n;
    return CS_OK;
}

static int save_pem(const struct gm_sm2_key *key, bool private_part, char **pem, size_t *len)
{
    BIO *bio;
    int ok, rc;

    if (!pem)
        return CS_EINVAL;
    *pem = NULL;
    if (!key || (private_part && !key->has_private))
        return CS_EINVAL;
    bio = BIO_new(BIO_s_mem());
    if (!bio)
        return CS_ENOMEM;
    if (private_part)
        ok = PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL);
    else
        ok = PEM_write_bio_PUBKEY(bio, key->pkey);
    rc = ok == 1 ? bio_to_string(bio, pem, len) : CS_ERR;
    BIO_free(bio); /* BUF_MEM_free wipes the buffer */
    if (rc != CS_OK)
        ERR_clear_error();
    return rc;
}

int gm_sm2_key_save_private_pem(const struct gm_sm2_key *key, char **pem, size_t *len)
{
    return save_pem(key, true, pem, len);
}

int gm_sm2_key_save_public_pem(const struct gm_sm2_key *key, char **pem, size_t *len)
{
    return save_pem(key, false, pem, len);
}

static int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    size_t done = 0;
    int fd, rc = CS_EIO;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return CS_EIO;
    /* An existing file keeps its old mode through O_CREAT: tighten it for private keys. */
    if ((mode & 077) == 0 && fchmod(fd, mode) != 0)
        goto out_close;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto out_close;
        done += (size_t)n;
    }
    if (fsync(fd) != 0)
        goto out_close;
    rc = CS_OK;

out_close:
    if (close(fd) != 0)
        rc = CS_EIO;
    return rc;
}

static int save_pem_file(const struct gm_sm2_key *key, bool private_part, const char *path)
{
    char *pem = NULL;
    size_t len = 0;
    int rc;

    if (!path)
        return CS_EINVAL;
    rc = save_pem(key, private_part, &pem, &len);
    if (rc != CS_OK)
        return rc;
    rc = write_file(path, pem, len, private_part ? 0600 : 0644);
    gm_cleanse(pem, len);
    cs_free(pem);
    return rc;
}

int gm_sm2_key_save_private_pem_file(const struct gm_sm2_key *key, const char *path)
{
    return save_pem_file(key, true, path);
}

int gm_sm2_key_save_public_pem_file(const struct gm_sm2_key *key, const char *path)
{
    return save_pem_file(key, false, path);
}
