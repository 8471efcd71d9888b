/* sm2_test.c — SM2: the GB/T 32918.5 signature and encryption examples, OpenSSL's SM2_key1
 * ciphertext, sign/verify and encrypt/decrypt round trips (default and custom IDs, wrong ID /
 * key / message), interoperability with the openssl command line (files made here), PEM and
 * raw key import/export, and malformed inputs. OpenSSL takes the signing nonce from its RNG
 * only, so the standard's signature cannot be reproduced byte for byte: the example signature
 * is verified with the standard's public key instead. */
#include "gm.h"
#include "gm_testvec.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *msg_text = "message digest";

/* Public key 04||Px||Py of a sm2.txt record. */
static bool rec_pub(const struct tv_record *r, uint8_t pub[65])
{
    size_t xl = 0, yl = 0;
    unsigned char *x = r ? tv_hex(r, "Px", &xl) : NULL, *y = r ? tv_hex(r, "Py", &yl) : NULL;
    bool ok = x && y && xl == 32 && yl == 32;

    if (ok) {
        pub[0] = 4;
        memcpy(pub + 1, x, 32);
        memcpy(pub + 33, y, 32);
    }
    free(x);
    free(y);
    return ok;
}

static struct gm_sm2_key *rec_priv_key(const struct tv_record *r)
{
    size_t dl = 0;
    unsigned char *d = r ? tv_hex(r, "d", &dl) : NULL;
    struct gm_sm2_key *key = NULL;

    if (d && dl == 32 && gm_sm2_key_from_private_raw(d, &key) != CS_OK)
        key = NULL;
    free(d);
    return key;
}

CS_TEST(sm2_verify_standard_example)
{
    struct tv_file tf;
    const struct tv_record *r;
    struct gm_sm2_key *pub = NULL, *priv = NULL;
    uint8_t raw[65], raw2[65];
    size_t sl = 0;

    REQUIRE(tv_load("sm2.txt", &tf));
    r = tv_find(&tf, "SM2-sign-sm2p256v1-GBT32918.5-AnnexA");
    REQUIRE(r && rec_pub(r, raw));
    CHECK_STR(tv_get(r, "ID"), GM_SM2_DEFAULT_ID);
    CHECK_STR(tv_get(r, "MsgAscii"), msg_text);
    unsigned char *sig = tv_hex(r, "SignatureDER", &sl);
    REQUIRE(sig);
    REQUIRE(gm_sm2_key_from_public_raw(raw, 65, &pub) == CS_OK);
    CHECK(!gm_sm2_key_has_private(pub));
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg_text, 14, sig, sl), CS_OK);
    /* Wrong ID, empty ID, modified message, modified signature: all rejected. */
    CHECK_EQ(gm_sm2_verify(pub, "1234567812345679", 16, msg_text, 14, sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_verify(pub, NULL, 0, msg_text, 14, sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, "message digesT", 14, sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg_text, 13, sig, sl), CS_ERR);
    sig[sl - 1] ^= 1;
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg_text, 14, sig, sl), CS_ERR);
    sig[sl - 1] ^= 1;
    /* The private scalar d of the example yields the example's public key, and a key built
     * from it verifies too and signs verifiable signatures (with a random k). */
    priv = rec_priv_key(r);
    REQUIRE(priv);
    CHECK(gm_sm2_key_has_private(priv));
    CHECK_EQ(gm_sm2_key_public_raw(priv, raw2), CS_OK);
    CHECK(memcmp(raw, raw2, 65) == 0);
    CHECK_EQ(gm_sm2_verify(priv, gm_sm2_default_id, 16, msg_text, 14, sig, sl), CS_OK);
    uint8_t mine[GM_SM2_SIG_MAX];
    size_t ml = sizeof(mine);
    CHECK_EQ(gm_sm2_sign(priv, gm_sm2_default_id, 16, msg_text, 14, mine, &ml), CS_OK);
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg_text, 14, mine, ml), CS_OK);
    CHECK(ml != sl || memcmp(mine, sig, sl) != 0); /* fresh nonce */
    gm_sm2_key_free(pub);
    gm_sm2_key_free(priv);
    free(sig);
    tv_free(&tf);
}

static void check_decrypt_record(const struct tv_file *tf, const char *name, const char *ptkey)
{
    const struct tv_record *r = tv_find(tf, name);
    const char *keyname = r ? tv_get(r, "Key") : NULL;
    struct gm_sm2_key *key = rec_priv_key(keyname ? tv_find(tf, keyname) : r);
    size_t cl = 0, pl = 0;
    unsigned char *ct = r ? tv_hex(r, "CiphertextDER_GMT0009", &cl) : NULL;
    unsigned char *want = r ? tv_hex(r, ptkey, &pl) : NULL;
    uint8_t out[256];
    size_t n = sizeof(out);

    if (!key || !ct || !want) {
        CS_FAILF("record %s incomplete", name);
        goto out;
    }
    CHECK_EQ(gm_sm2_decrypt(key, ct, cl, out, &n), CS_OK);
    CHECK_EQ(n, pl);
    CHECK(n == pl && memcmp(out, want, pl) == 0);
    /* Exact-size buffer works, one byte less is reported. */
    n = pl;
    CHECK_EQ(gm_sm2_decrypt(key, ct, cl, out, &n), CS_OK);
    n = pl - 1;
    CHECK_EQ(gm_sm2_decrypt(key, ct, cl, out, &n), CS_ELIMIT);
    CHECK_EQ(n, pl);
    /* Any flipped byte (C1 coordinates, C3 hash, C2 body, DER framing) is rejected. */
    for (size_t i = 0; i < cl; i++) {
        ct[i] ^= 0x01;
        n = sizeof(out);
        if (gm_sm2_decrypt(key, ct, cl, out, &n) == CS_OK)
            CS_FAILF("%s: flip of byte %zu accepted", name, i);
        ct[i] ^= 0x01;
    }
    /* Every truncation is rejected. */
    for (size_t len = 0; len < cl; len++) {
        n = sizeof(out);
        if (gm_sm2_decrypt(key, ct, len, out, &n) == CS_OK)
            CS_FAILF("%s: truncation to %zu accepted", name, len);
    }
out:
    gm_sm2_key_free(key);
    free(ct);
    free(want);
}

CS_TEST(sm2_decrypt_standard_examples)
{
    struct tv_file tf;

    REQUIRE(tv_load("sm2.txt", &tf));
    check_decrypt_record(&tf, "SM2-encrypt-sm2p256v1-GBT32918.5-AnnexC", "Msg");
    check_decrypt_record(&tf, "OpenSSL-SM2_key1-decrypt", "Plaintext");
    /* The raw C1||C3||C2 and C1||C2||C3 byte strings are not the DER format: refused. */
    const struct tv_record *r = tv_find(&tf, "SM2-encrypt-sm2p256v1-GBT32918.5-AnnexC");
    struct gm_sm2_key *key = rec_priv_key(r);
    REQUIRE(key);
    const char *fields[] = {"Ciphertext_C1C3C2", "Ciphertext_C1C2C3"};
    for (size_t i = 0; i < 2; i++) {
        size_t cl = 0, n = 256;
        uint8_t out[256];
        unsigned char *ct = tv_hex(r, fields[i], &cl);
        CHECK(ct != NULL);
        if (ct)
            CHECK(gm_sm2_decrypt(key, ct, cl, out, &n) != CS_OK);
        free(ct);
    }
    gm_sm2_key_free(key);
    tv_free(&tf);
}

CS_TEST(sm2_sign_verify_round_trip)
{
    struct gm_sm2_key *a = NULL, *b = NULL, *apub = NULL;
    uint8_t sig[GM_SM2_SIG_MAX], sig2[GM_SM2_SIG_MAX], raw[65];
    size_t sl = sizeof(sig), sl2 = sizeof(sig2);
    const char *m = "batch 42: 1000 events";
    const char *cid = "sensor-17@district-3";
    size_t mlen = strlen(m), clen = strlen(cid);

    REQUIRE(gm_sm2_key_generate(&a) == CS_OK);
    REQUIRE(gm_sm2_key_generate(&b) == CS_OK);
    REQUIRE(gm_sm2_key_public_raw(a, raw) == CS_OK);
    CHECK_EQ(raw[0], 4);
    REQUIRE(gm_sm2_key_from_public_raw(raw, 65, &apub) == CS_OK);

    /* Default ID. */
    CHECK_EQ(gm_sm2_sign(a, gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, m, mlen, sig, &sl), CS_OK);
    CHECK(sl >= 8 && sl <= GM_SM2_SIG_MAX);
    CHECK_EQ(gm_sm2_verify(apub, GM_SM2_DEFAULT_ID, 16, m, mlen, sig, sl), CS_OK);
    CHECK_EQ(gm_sm2_verify(a, GM_SM2_DEFAULT_ID, 16, m, mlen, sig, sl), CS_OK);
    CHECK_EQ(gm_sm2_verify(b, GM_SM2_DEFAULT_ID, 16, m, mlen, sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_verify(apub, cid, clen, m, mlen, sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_verify(apub, GM_SM2_DEFAULT_ID, 16, "batch 43: 1000 events", mlen, sig, sl),
             CS_ERR);
    /* Custom ID. */
    CHECK_EQ(gm_sm2_sign(a, cid, clen, m, mlen, sig2, &sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(apub, cid, clen, m, mlen, sig2, sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(apub, GM_SM2_DEFAULT_ID, 16, m, mlen, sig2, sl2), CS_ERR);
    CHECK_EQ(gm_sm2_verify(apub, cid, clen - 1, m, mlen, sig2, sl2), CS_ERR);
    /* Empty ID and empty message are legal. */
    sl2 = sizeof(sig2);
    CHECK_EQ(gm_sm2_sign(a, NULL, 0, NULL, 0, sig2, &sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(apub, NULL, 0, NULL, 0, sig2, sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(apub, GM_SM2_DEFAULT_ID, 16, NULL, 0, sig2, sl2), CS_ERR);
    /* Long ID at the limit; over the limit refused. */
    static char longid[GM_SM2_ID_MAX + 1];
    memset(longid, 'i', sizeof(longid));
    sl2 = sizeof(sig2);
    CHECK_EQ(gm_sm2_sign(a, longid, GM_SM2_ID_MAX, m, mlen, sig2, &sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(apub, longid, GM_SM2_ID_MAX, m, mlen, sig2, sl2), CS_OK);
    CHECK_EQ(gm_sm2_sign(a, longid, GM_SM2_ID_MAX + 1, m, mlen, sig2, &sl2), CS_EINVAL);
    CHECK_EQ(gm_sm2_verify(apub, longid, GM_SM2_ID_MAX + 1, m, mlen, sig2, sl2), CS_EINVAL);
    /* Errors: public-only key cannot sign; small output buffer; NULL arguments. */
    sl2 = sizeof(sig2);
    CHECK_EQ(gm_sm2_sign(apub, NULL, 0, m, mlen, sig2, &sl2), CS_EINVAL);
    sl2 = 8;
    CHECK_EQ(gm_sm2_sign(a, NULL, 0, m, mlen, sig2, &sl2), CS_ELIMIT);
    CHECK(sl2 > 8 && sl2 <= GM_SM2_SIG_MAX);
    CHECK_EQ(gm_sm2_sign(NULL, NULL, 0, m, mlen, sig2, &sl2), CS_EINVAL);
    CHECK_EQ(gm_sm2_sign(a, NULL, 5, m, mlen, sig2, &sl2), CS_EINVAL);
    CHECK_EQ(gm_sm2_verify(apub, NULL, 0, m, mlen, NULL, 0), CS_ERR);
    gm_sm2_key_free(a);
    gm_sm2_key_free(b);
    gm_sm2_key_free(apub);
    gm_sm2_key_free(NULL);
}

CS_TEST(sm2_malformed_signatures)
{
    struct gm_sm2_key *k = NULL;
    uint8_t sig[GM_SM2_SIG_MAX + 2], bad[GM_SM2_SIG_MAX + 2];
    size_t sl = GM_SM2_SIG_MAX;
    const char *m = "x";

    REQUIRE(gm_sm2_key_generate(&k) == CS_OK);
    REQUIRE(gm_sm2_sign(k, NULL, 0, m, 1, sig, &sl) == CS_OK);
    CHECK_EQ(gm_sm2_verify(k, NULL, 0, m, 1, sig, sl), CS_OK);
    /* Every truncation. */
    for (size_t len = 0; len < sl; len++)
        if (gm_sm2_verify(k, NULL, 0, m, 1, sig, len) != CS_ERR)
            CS_FAILF("truncated signature (%zu bytes) not rejected", len);
    /* Trailing garbage (strict DER). */
    memcpy(bad, sig, sl);
    bad[sl] = 0;
    CHECK_EQ(gm_sm2_verify(k, NULL, 0, m, 1, bad, sl + 1), CS_ERR);
    /* Every single-byte corruption. */
    for (size_t i = 0; i < sl; i++) {
        memcpy(bad, sig, sl);
        bad[i] ^= 0x41;
        if (gm_sm2_verify(k, NULL, 0, m, 1, bad, sl) != CS_ERR)
            CS_FAILF("corrupted byte %zu accepted", i);
    }
    /* Hand-made structures: r = 0, s = 0; non-minimal INTEGER; wrong tags; huge lengths. */
    const uint8_t zeros[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
    const uint8_t ones[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    const uint8_t nonmin[] = {0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x00, 0x01};
    const uint8_t badtag[] = {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
    const uint8_t hugelen[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01};
    const uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01};
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {{zeros, sizeof(zeros)},     {ones, sizeof(ones)},
                 {nonmin, sizeof(nonmin)},   {badtag, sizeof(badtag)},
                 {hugelen, sizeof(hugelen)}, {negative, sizeof(negative)}};
    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++)
        if (gm_sm2_verify(k, NULL, 0, m, 1, cases[i].p, cases[i].n) != CS_ERR)
            CS_FAILF("hand-made signature %zu accepted", i);
    /* Oversized input is refused without parsing. */
    uint8_t big[200] = {0x30};
    CHECK_EQ(gm_sm2_verify(k, NULL, 0, m, 1, big, sizeof(big)), CS_ERR);
    gm_sm2_key_free(k);
}

CS_TEST(sm2_encrypt_decrypt_round_trip)
{
    struct gm_sm2_key *k = NULL, *kpub = NULL, *other = NULL;
    uint8_t raw[65], pt[300], ct[300 + GM_SM2_CIPHER_OVERHEAD], back[300];
    const size_t lens[] = {1, 2, 31, 32, 33, 100, 300};

    REQUIRE(gm_sm2_key_generate(&k) == CS_OK);
    REQUIRE(gm_sm2_key_generate(&other) == CS_OK);
    REQUIRE(gm_sm2_key_public_raw(k, raw) == CS_OK);
    REQUIRE(gm_sm2_key_from_public_raw(raw, 65, &kpub) == CS_OK);
    CHECK_EQ(gm_random(pt, sizeof(pt)), CS_OK);
    for (size_t i = 0; i < CS_ARRAY_LEN(lens); i++) {
        size_t n = lens[i] + GM_SM2_CIPHER_OVERHEAD, m = sizeof(back);
        CHECK_EQ(gm_sm2_encrypt(kpub, pt, lens[i], ct, &n), CS_OK);
        CHECK(n > lens[i] + 96 && n <= lens[i] + GM_SM2_CIPHER_OVERHEAD);
        CHECK_EQ(ct[0], 0x30);
        CHECK_EQ(gm_sm2_decrypt(k, ct, n, back, &m), CS_OK);
        CHECK_EQ(m, lens[i]);
        CHECK(memcmp(back, pt, lens[i]) == 0);
        m = sizeof(back);
        CHECK(gm_sm2_decrypt(other, ct, n, back, &m) != CS_OK);
        m = sizeof(back);
        CHECK_EQ(gm_sm2_decrypt(kpub, ct, n, back, &m), CS_EINVAL);
    }
    /* Buffer too small for the ciphertext: the needed size is reported. */
    size_t n = 10;
    CHECK_EQ(gm_sm2_encrypt(kpub, pt, 20, ct, &n), CS_ELIMIT);
    CHECK(n > 20 && n <= 20 + GM_SM2_CIPHER_OVERHEAD);
    n = sizeof(ct);
    CHECK_EQ(gm_sm2_encrypt(kpub, pt, 0, ct, &n), CS_EINVAL);
    CHECK_EQ(gm_sm2_encrypt(NULL, pt, 1, ct, &n), CS_EINVAL);
    /* Garbage ciphertexts. */
    size_t m = sizeof(back);
    CHECK(gm_sm2_decrypt(k, (const uint8_t *)"", 0, back, &m) != CS_OK);
    m = sizeof(back);
    CHECK(gm_sm2_decrypt(k, (const uint8_t *)"\x30\x00", 2, back, &m) != CS_OK);
    m = sizeof(back);
    CHECK(gm_sm2_decrypt(k, pt, sizeof(pt), back, &m) != CS_OK);
    gm_sm2_key_free(k);
    gm_sm2_key_free(kpub);
    gm_sm2_key_free(other);
}

CS_TEST(sm2_raw_key_import_errors)
{
    struct tv_file tf;
    struct gm_sm2_key *k = (struct gm_sm2_key *)1;
    uint8_t raw[65], d[32];
    size_t nl = 0;

    REQUIRE(tv_load("sm2.txt", &tf));
    REQUIRE(rec_pub(tv_find(&tf, "SM2-sign-sm2p256v1-GBT32918.5-AnnexA"), raw));
    CHECK_EQ(gm_sm2_key_from_public_raw(raw, 64, &k), CS_EINVAL);
    CHECK(k == NULL);
    raw[0] = 0x02;
    CHECK_EQ(gm_sm2_key_from_public_raw(raw, 65, &k), CS_EINVAL);
    raw[0] = 0x04;
    raw[64] ^= 1; /* off the curve */
    CHECK_EQ(gm_sm2_key_from_public_raw(raw, 65, &k), CS_EINVAL);
    raw[64] ^= 1;
    CHECK_EQ(gm_sm2_key_from_public_raw(raw, 65, &k), CS_OK);
    gm_sm2_key_free(k);
    memset(raw + 1, 0, 64);
    CHECK_EQ(gm_sm2_key_from_public_raw(raw, 65, &k), CS_EINVAL);
    CHECK_EQ(gm_sm2_key_from_public_raw(NULL, 65, &k), CS_EINVAL);
    /* Private scalar range [1, n-2]. */
    unsigned char *n = tv_hex(tv_find(&tf, "sm2p256v1 (recommended curve, GB/T 32918.5-2016; OID "
                                           "1.2.156.10197.1.301)"),
                              "n", &nl);
    REQUIRE(n && nl == 32);
    memset(d, 0, 32);
    CHECK_EQ(gm_sm2_key_from_private_raw(d, &k), CS_EINVAL);
    memcpy(d, n, 32);
    CHECK_EQ(gm_sm2_key_from_private_raw(d, &k), CS_EINVAL); /* n */
    d[31] -= 1;
    CHECK_EQ(gm_sm2_key_from_private_raw(d, &k), CS_EINVAL); /* n - 1 */
    d[31] -= 1;
    CHECK_EQ(gm_sm2_key_from_private_raw(d, &k), CS_OK); /* n - 2 */
    gm_sm2_key_free(k);
    memset(d, 0, 32);
    d[31] = 1;
    CHECK_EQ(gm_sm2_key_from_private_raw(d, &k), CS_OK); /* public key = G */
    CHECK_EQ(gm_sm2_key_public_raw(k, raw), CS_OK);
    CHECK_EQ(raw[1], 0x32);  /* Gx = 32C4AE2C... */
    CHECK_EQ(raw[33], 0xBC); /* Gy = BC3736A2... */
    gm_sm2_key_free(k);
    free(n);
    tv_free(&tf);
}

static struct gm_sm2_key *load_data_pem(const char *name, int *rc)
{
    size_t len = 0;
    char *pem = tv_read(name, &len);
    struct gm_sm2_key *k = NULL;

    *rc = pem ? gm_sm2_key_load_pem(pem, len, &k) : CS_EIO;
    free(pem);
    return k;
}

CS_TEST(sm2_pem_load_formats)
{
    const char *privs[] = {"key-pkcs8.pem", "key-sec1.pem", "key-sec1-ec.pem"};
    struct gm_sm2_key *pub;
    uint8_t want[65], got[65];
    int rc;

    pub = load_data_pem("pub.pem", &rc);
    REQUIRE(rc == CS_OK && pub);
    CHECK(!gm_sm2_key_has_private(pub));
    CHECK_EQ(gm_sm2_key_public_raw(pub, want), CS_OK);
    for (size_t i = 0; i < CS_ARRAY_LEN(privs); i++) {
        struct gm_sm2_key *k = load_data_pem(privs[i], &rc);
        if (rc != CS_OK || !k) {
            CS_FAILF("%s: rc %d", privs[i], rc);
            continue;
        }
        CHECK(gm_sm2_key_has_private(k));
        CHECK_EQ(gm_sm2_key_public_raw(k, got), CS_OK);
        CHECK(memcmp(want, got, 65) == 0);
        gm_sm2_key_free(k);
    }
    /* SEC1 files preceded by a parameters block ("SM2 PARAMETERS" / "EC PARAMETERS"). */
    const char *withparams[] = {"key-sec1-params.pem", "key-sec1-ec-params.pem"};
    for (size_t i = 0; i < 2; i++) {
        struct gm_sm2_key *k = load_data_pem(withparams[i], &rc);
        CHECK_EQ(rc, CS_OK);
        CHECK(k && gm_sm2_key_has_private(k));
        gm_sm2_key_free(k);
    }
    gm_sm2_key_free(pub);
}

CS_TEST(sm2_pem_rejects_bad_input)
{
    struct gm_sm2_key *k;
    int rc;
    char buf[400];
    size_t len = 0;

    /* Encrypted key: refused (no passphrase prompt). Other curve: refused. */
    k = load_data_pem("key-encrypted.pem", &rc);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(k == NULL);
    k = load_data_pem("key-p256.pem", &rc);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(k == NULL);
    /* Private scalar altered, embedded public key left as it was (found by fuzz_gm): the pair
     * is inconsistent and must not load (it would sign for a key nobody can verify with). */
    k = load_data_pem("key-mismatched-pub.pem", &rc);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(k == NULL);
    /* Garbage, empty, header only, truncated body, corrupted base64. */
    k = (struct gm_sm2_key *)1;
    CHECK_EQ(gm_sm2_key_load_pem("hello", 5, &k), CS_EINVAL);
    CHECK(k == NULL);
    CHECK_EQ(gm_sm2_key_load_pem("", 0, &k), CS_EINVAL);
    CHECK_EQ(gm_sm2_key_load_pem(NULL, 10, &k), CS_EINVAL);
    const char *hdr = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n";
    CHECK_EQ(gm_sm2_key_load_pem(hdr, strlen(hdr), &k), CS_EINVAL);
    char *pem = tv_read("key-pkcs8.pem", &len);
    REQUIRE(pem && len < sizeof(buf));
    for (size_t cut = 0; cut < len - 30; cut += 7) {
        if (gm_sm2_key_load_pem(pem, cut, &k) == CS_OK) {
            CS_FAILF("truncated PEM (%zu bytes) accepted", cut);
            gm_sm2_key_free(k);
        }
    }
    memcpy(buf, pem, len);
    buf[40] = buf[40] == 'A' ? 'B' : 'A'; /* inside the key's DER */
    buf[41] = '!';
    CHECK(gm_sm2_key_load_pem(buf, len, &k) != CS_OK);
    /* Too large. */
    CHECK_EQ(gm_sm2_key_load_pem(pem, GM_PEM_MAX + 1, &k), CS_ELIMIT);
    free(pem);
    /* Files. */
    CHECK_EQ(gm_sm2_key_load_pem_file("/nonexistent/key.pem", &k), CS_EIO);
    CHECK_EQ(gm_sm2_key_load_pem_file("/", &k), CS_EIO);
}

CS_TEST(sm2_pem_save_load_round_trip)
{
    struct gm_sm2_key *k = NULL, *k2 = NULL, *p2 = NULL;
    char *pem = NULL, *ppem = NULL;
    size_t len = 0, plen = 0;
    uint8_t r1[65], r2[65], sig[GM_SM2_SIG_MAX];
    size_t sl = sizeof(sig);

    REQUIRE(gm_sm2_key_generate(&k) == CS_OK);
    REQUIRE(gm_sm2_key_save_private_pem(k, &pem, &len) == CS_OK);
    CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);
    CHECK_EQ(strlen(pem), len);
    REQUIRE(gm_sm2_key_save_public_pem(k, &ppem, &plen) == CS_OK);
    CHECK(strncmp(ppem, "-----BEGIN PUBLIC KEY-----", 26) == 0);
    CHECK_EQ(gm_sm2_key_load_pem(pem, len, &k2), CS_OK);
    CHECK_EQ(gm_sm2_key_load_pem(ppem, plen, &p2), CS_OK);
    REQUIRE(k2 && p2);
    CHECK(gm_sm2_key_has_private(k2));
    CHECK(!gm_sm2_key_has_private(p2));
    CHECK_EQ(gm_sm2_key_public_raw(k, r1), CS_OK);
    CHECK_EQ(gm_sm2_key_public_raw(p2, r2), CS_OK);
    CHECK(memcmp(r1, r2, 65) == 0);
    /* The reloaded private key signs for the original public key. */
    CHECK_EQ(gm_sm2_sign(k2, "id", 2, "m", 1, sig, &sl), CS_OK);
    CHECK_EQ(gm_sm2_verify(k, "id", 2, "m", 1, sig, sl), CS_OK);
    CHECK_EQ(gm_sm2_verify(p2, "id", 2, "m", 1, sig, sl), CS_OK);
    /* A public-only key has no private PEM. */
    char *none = (char *)1;
    CHECK_EQ(gm_sm2_key_save_private_pem(p2, &none, NULL), CS_EINVAL);
    CHECK(none == NULL);
    gm_cleanse(pem, len);
    cs_free(pem);
    cs_free(ppem);
    gm_sm2_key_free(k2);
    gm_sm2_key_free(p2);
    k2 = p2 = NULL;

    /* Files: private 0600 (even over an existing 0644 file), public loadable. */
    char dir[] = "/tmp/gm_test_XXXXXX", priv_path[64], pub_path[64];
    struct stat st;
    REQUIRE(mkdtemp(dir));
    snprintf(priv_path, sizeof(priv_path), "%s/k.pem", dir);
    snprintf(pub_path, sizeof(pub_path), "%s/p.pem", dir);
    CHECK_EQ(gm_sm2_key_save_public_pem_file(k, priv_path), CS_OK);
    CHECK_EQ(chmod(priv_path, 0644), 0);
    CHECK_EQ(gm_sm2_key_save_private_pem_file(k, priv_path), CS_OK);
    CHECK(stat(priv_path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_EQ(gm_sm2_key_save_public_pem_file(k, pub_path), CS_OK);
    CHECK_EQ(gm_sm2_key_load_pem_file(priv_path, &k2), CS_OK);
    CHECK_EQ(gm_sm2_key_load_pem_file(pub_path, &p2), CS_OK);
    CHECK(k2 && gm_sm2_key_has_private(k2));
    CHECK(p2 && !gm_sm2_key_has_private(p2));
    CHECK_EQ(gm_sm2_key_public_raw(p2, r2), CS_OK);
    CHECK(memcmp(r1, r2, 65) == 0);
    CHECK_EQ(gm_sm2_key_save_public_pem_file(k, "/nonexistent/dir/p.pem"), CS_EIO);
    unlink(priv_path);
    unlink(pub_path);
    rmdir(dir);
    gm_sm2_key_free(k);
    gm_sm2_key_free(k2);
    gm_sm2_key_free(p2);
}

/* Files made here with the openssl 3.0 command line (see tests/data/SOURCES.md). */
CS_TEST(sm2_openssl_cli_interop)
{
    struct gm_sm2_key *pub, *priv;
    size_t ml = 0, sl = 0, sl2 = 0, cl = 0;
    char *msg = tv_read("interop-msg.txt", &ml);
    char *sig = tv_read("interop-sig-default-id.der", &sl);
    char *sig2 = tv_read("interop-sig-custom-id.der", &sl2);
    char *ct = tv_read("interop-ct.der", &cl);
    uint8_t out[128];
    size_t n = sizeof(out);
    int rc;

    REQUIRE(msg && sig && sig2 && ct);
    pub = load_data_pem("pub.pem", &rc);
    priv = load_data_pem("key-pkcs8.pem", &rc);
    REQUIRE(pub && priv);
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg, ml, (uint8_t *)sig, sl), CS_OK);
    CHECK_EQ(gm_sm2_verify(pub, "sensor-42@citysoc", 17, msg, ml, (uint8_t *)sig2, sl2), CS_OK);
    CHECK_EQ(gm_sm2_verify(pub, gm_sm2_default_id, 16, msg, ml, (uint8_t *)sig2, sl2), CS_ERR);
    CHECK_EQ(gm_sm2_verify(pub, "sensor-42@citysoc", 17, msg, ml, (uint8_t *)sig, sl), CS_ERR);
    CHECK_EQ(gm_sm2_decrypt(priv, (uint8_t *)ct, cl, out, &n), CS_OK);
    CHECK(n == ml && memcmp(out, msg, ml) == 0);
    gm_sm2_key_free(pub);
    gm_sm2_key_free(priv);
    free(msg);
    free(sig);
    free(sig2);
    free(ct);
}

/* One key shared by threads signing and verifying concurrently (the documented contract). */
static struct gm_sm2_key *shared_key;
static void *sign_loop(void *arg)
{
    long bad = 0;
    for (int i = 0; i < 50; i++) {
        uint8_t sig[GM_SM2_SIG_MAX];
        size_t sl = sizeof(sig);
        char m[32];
        int n = snprintf(m, sizeof(m), "t%ld-%d", (long)(intptr_t)arg, i);
        if (gm_sm2_sign(shared_key, "id", 2, m, (size_t)n, sig, &sl) != CS_OK ||
            gm_sm2_verify(shared_key, "id", 2, m, (size_t)n, sig, sl) != CS_OK)
            bad++;
    }
    return (void *)(intptr_t)bad;
}

CS_TEST(sm2_key_shared_between_threads)
{
    pthread_t t[4];
    long bad = 0;

    REQUIRE(gm_sm2_key_generate(&shared_key) == CS_OK);
    for (intptr_t i = 0; i < 4; i++)
        REQUIRE(pthread_create(&t[i], NULL, sign_loop, (void *)i) == 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)(intptr_t)r;
    }
    CHECK_EQ(bad, 0);
    gm_sm2_key_free(shared_key);
}

CS_TEST_MAIN()
