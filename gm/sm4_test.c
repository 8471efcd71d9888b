/* sm4_test.c — SM4: GB/T 32907 examples (incl. the 1,000,000-iteration vector), CBC and CTR
 * vectors and round trips, PKCS#7 padding errors, the SM4-CTR + HMAC-SM3 seal/open mode
 * (format known-answer, every kind of tampering), and the Wycheproof / RFC 8998 SM4-GCM and
 * SM4-CCM vectors run through test-only GCM/CCM constructions over libgm's SM4 (OpenSSL 3.0
 * has no SM4-GCM/CCM; this checks the block cipher against 288 more cases). */
#include "gm.h"
#include "gm_testvec.h"

static const uint8_t zero_iv[16];

/* One SM4 block encryption: CBC over one block with a zero IV is ECB. */
static void sm4_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    if (gm_sm4_cbc_encrypt_nopad(key, zero_iv, in, 16, out) != CS_OK)
        memset(out, 0, 16);
}

static unsigned char *rec_hex(const struct tv_record *r, const char *k, size_t *n)
{
    *n = 0;
    return r ? tv_hex(r, k, n) : NULL;
}

CS_TEST(sm4_standard_example1)
{
    struct tv_file tf;
    const struct tv_record *r;
    size_t kl, pl, cl;
    uint8_t out[16], back[16];

    REQUIRE(tv_load("sm4.txt", &tf));
    r = tv_find(&tf, "GBT32907-example1");
    unsigned char *k = rec_hex(r, "Key", &kl), *p = rec_hex(r, "Plaintext", &pl),
                  *c = rec_hex(r, "Ciphertext", &cl);
    REQUIRE(k && p && c && kl == 16 && pl == 16 && cl == 16);
    sm4_block(k, p, out);
    CHECK(memcmp(out, c, 16) == 0);
    CHECK_EQ(gm_sm4_cbc_decrypt_nopad(k, zero_iv, out, 16, back), CS_OK);
    CHECK(memcmp(back, p, 16) == 0);
    /* A different key gives a different block. */
    k[15] ^= 1;
    sm4_block(k, p, out);
    CHECK(memcmp(out, c, 16) != 0);
    free(k);
    free(p);
    free(c);
    tv_free(&tf);
}

/* C_0 = P, C_i = E_K(C_{i-1}) for i = 1..1,000,000. CBC with IV = P over 1,000,000 zero
 * blocks computes exactly that chain (block i is E(0 xor C_{i-1})), in one call. */
CS_TEST(sm4_standard_example2_million)
{
    struct tv_file tf;
    const struct tv_record *r;
    size_t kl, pl, cl, n = 1000000;
    uint8_t *buf;

    REQUIRE(tv_load("sm4.txt", &tf));
    r = tv_find(&tf, "GBT32907-example2-1000000-iterations");
    unsigned char *k = rec_hex(r, "Key", &kl), *p = rec_hex(r, "Plaintext", &pl),
                  *c = rec_hex(r, "Ciphertext", &cl);
    REQUIRE(k && p && c && kl == 16 && pl == 16 && cl == 16);
    CHECK_EQ(atol(tv_get(r, "Iterations")), 1000000);
    buf = calloc(n, 16);
    REQUIRE(buf);
    CHECK_EQ(gm_sm4_cbc_encrypt_nopad(k, p, buf, n * 16, buf), CS_OK);
    CHECK(memcmp(buf + (n - 1) * 16, c, 16) == 0);
    /* Block 1 of the chain is example 1's ciphertext. */
    CHECK(memcmp(buf, "\x68\x1e\xdf\x34\xd2\x06\x96\x5e\x86\xb3\xe9\x4f\x53\x6e\x42\x46", 16) == 0);
    free(buf);
    free(k);
    free(p);
    free(c);
    tv_free(&tf);
}

CS_TEST(sm4_corpus_ecb_cbc_ctr)
{
    struct tv_file tf;
    int ecb = 0, cbc = 0, ctr = 0;

    REQUIRE(tv_load("sm4.txt", &tf));
    for (int i = 0; i < tf.n; i++) {
        const struct tv_record *r = &tf.rec[i];
        const char *mode = tv_get(r, "Mode");
        size_t kl, il, pl, cl;
        unsigned char *k, *iv, *p, *c;
        uint8_t *out, *back;

        if (!mode || tv_get(r, "Iterations"))
            continue;
        k = rec_hex(r, "Key", &kl);
        iv = rec_hex(r, "IV", &il);
        p = rec_hex(r, "Plaintext", &pl);
        c = rec_hex(r, "Ciphertext", &cl);
        out = malloc(pl + 32);
        back = malloc(pl + 32);
        if (!k || !p || !c || !out || !back || kl != 16 || pl != cl) {
            free(k), free(iv), free(p), free(c), free(out), free(back);
            continue;
        }
        if (strcmp(mode, "ECB") == 0) {
            for (size_t off = 0; off + 16 <= pl; off += 16)
                sm4_block(k, p + off, out + off);
            CHECK(memcmp(out, c, pl) == 0);
            ecb++;
        } else if (strcmp(mode, "CBC") == 0 && iv && il == 16) {
            size_t n = pl + 32, m = pl + 32;
            CHECK_EQ(gm_sm4_cbc_encrypt_nopad(k, iv, p, pl, out), CS_OK);
            CHECK(memcmp(out, c, pl) == 0);
            CHECK_EQ(gm_sm4_cbc_decrypt_nopad(k, iv, c, cl, back), CS_OK);
            CHECK(memcmp(back, p, pl) == 0);
            /* With PKCS#7 the same prefix, plus one full padding block. */
            CHECK_EQ(gm_sm4_cbc_encrypt(k, iv, p, pl, out, &n), CS_OK);
            CHECK_EQ(n, pl + 16);
            CHECK(memcmp(out, c, pl) == 0);
            CHECK_EQ(gm_sm4_cbc_decrypt(k, iv, out, n, back, &m), CS_OK);
            CHECK_EQ(m, pl);
            CHECK(memcmp(back, p, pl) == 0);
            cbc++;
        } else if (strcmp(mode, "CTR") == 0 && iv && il == 16) {
            CHECK_EQ(gm_sm4_ctr(k, iv, p, pl, out), CS_OK);
            CHECK(memcmp(out, c, pl) == 0);
            CHECK_EQ(gm_sm4_ctr(k, iv, out, pl, out), CS_OK); /* in place */
            CHECK(memcmp(out, p, pl) == 0);
            /* Keystream = E(iv), E(iv + 1), ... */
            uint8_t ks[16];
            sm4_block(k, iv, ks);
            for (int j = 0; j < 16; j++)
                CHECK_EQ(c[j], p[j] ^ ks[j]);
            ctr++;
        }
        free(k), free(iv), free(p), free(c), free(out), free(back);
    }
    CHECK_EQ(ecb, 2);
    CHECK_EQ(cbc, 2);
    CHECK_EQ(ctr, 1);
    tv_free(&tf);
}

CS_TEST(sm4_ctr_counter_wraps_128_bits)
{
    uint8_t key[16] = {1, 2, 3}, iv[16], pt[48] = {0}, ct[48], ks[16], blk[16] = {0};

    memset(iv, 0xff, 16);
    CHECK_EQ(gm_sm4_ctr(key, iv, pt, sizeof(pt), ct), CS_OK);
    sm4_block(key, iv, ks);
    CHECK(memcmp(ct, ks, 16) == 0);
    sm4_block(key, blk, ks); /* ff..ff + 1 = 00..00 */
    CHECK(memcmp(ct + 16, ks, 16) == 0);
    blk[15] = 1;
    sm4_block(key, blk, ks);
    CHECK(memcmp(ct + 32, ks, 16) == 0);
    /* Odd lengths: a prefix of the same keystream. */
    uint8_t ct2[21];
    CHECK_EQ(gm_sm4_ctr(key, iv, pt, sizeof(ct2), ct2), CS_OK);
    CHECK(memcmp(ct2, ct, sizeof(ct2)) == 0);
    CHECK_EQ(gm_sm4_ctr(key, iv, NULL, 0, NULL), CS_OK);
    CHECK_EQ(gm_sm4_ctr(NULL, iv, pt, 16, ct), CS_EINVAL);
}

CS_TEST(sm4_cbc_pkcs7_round_trips)
{
    uint8_t key[16], iv[16], pt[80], ct[96], back[96];

    CHECK_EQ(gm_random(key, 16), CS_OK);
    CHECK_EQ(gm_random(iv, 16), CS_OK);
    CHECK_EQ(gm_random(pt, sizeof(pt)), CS_OK);
    for (size_t len = 0; len <= 64; len++) {
        size_t n = sizeof(ct), m = sizeof(back);
        CHECK_EQ(gm_sm4_cbc_encrypt(key, iv, pt, len, ct, &n), CS_OK);
        CHECK_EQ(n, (len / 16 + 1) * 16);
        CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, ct, n, back, &m), CS_OK);
        CHECK_EQ(m, len);
        CHECK(memcmp(back, pt, len) == 0);
    }
    /* In place. */
    uint8_t buf[48];
    size_t n = sizeof(buf), m = sizeof(buf);
    memcpy(buf, pt, 20);
    CHECK_EQ(gm_sm4_cbc_encrypt(key, iv, buf, 20, buf, &n), CS_OK);
    CHECK_EQ(n, 32);
    CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, buf, n, buf, &m), CS_OK);
    CHECK_EQ(m, 20);
    CHECK(memcmp(buf, pt, 20) == 0);
}

CS_TEST(sm4_cbc_errors)
{
    uint8_t key[16] = {9}, iv[16] = {7}, blk[32] = {0}, ct[32], out[32];
    size_t n;

    /* Output too small: CS_ELIMIT and the needed size. */
    n = 15;
    CHECK_EQ(gm_sm4_cbc_encrypt(key, iv, blk, 15, out, &n), CS_ELIMIT);
    CHECK_EQ(n, 16);
    n = 16;
    CHECK_EQ(gm_sm4_cbc_encrypt(key, iv, blk, 16, out, &n), CS_ELIMIT);
    CHECK_EQ(n, 32);
    n = 8;
    CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, blk, 16, out, &n), CS_ELIMIT);
    CHECK_EQ(n, 16);
    /* Bad ciphertext lengths. */
    n = sizeof(out);
    CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, blk, 0, out, &n), CS_EINVAL);
    CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, blk, 17, out, &n), CS_EINVAL);
    CHECK_EQ(gm_sm4_cbc_encrypt_nopad(key, iv, blk, 17, out), CS_EINVAL);
    CHECK_EQ(gm_sm4_cbc_decrypt_nopad(key, iv, blk, 8, out), CS_EINVAL);
    CHECK_EQ(gm_sm4_cbc_encrypt_nopad(key, iv, NULL, 0, NULL), CS_OK);
    /* Bad padding: plaintext blocks whose last byte is 0, 17, or inconsistent. */
    const uint8_t lasts[][2] = {{0x00, 0x00}, {0x11, 0x11}, {0x02, 0x03}, {0x10, 0x0f}};
    for (size_t i = 0; i < CS_ARRAY_LEN(lasts); i++) {
        memset(blk, 0x41, sizeof(blk));
        blk[31] = lasts[i][0];
        blk[30] = lasts[i][1];
        if (lasts[i][0] == 0x10)
            memset(blk + 16, 0x10, 15), blk[16] = 0x0f;
        CHECK_EQ(gm_sm4_cbc_encrypt_nopad(key, iv, blk, 32, ct), CS_OK);
        n = sizeof(out);
        memset(out, 0x55, sizeof(out));
        CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, ct, 32, out, &n), CS_EINVAL);
        /* No partial plaintext left behind. */
        uint8_t zero[32] = {0};
        CHECK(memcmp(out, zero, 32) == 0);
    }
    /* Valid padding 0x01 is accepted. */
    blk[31] = 0x01;
    CHECK_EQ(gm_sm4_cbc_encrypt_nopad(key, iv, blk, 32, ct), CS_OK);
    n = sizeof(out);
    CHECK_EQ(gm_sm4_cbc_decrypt(key, iv, ct, 32, out, &n), CS_OK);
    CHECK_EQ(n, 31);
    CHECK_EQ(gm_sm4_cbc_encrypt(NULL, iv, blk, 16, out, &n), CS_EINVAL);
    CHECK_EQ(gm_sm4_cbc_encrypt(key, NULL, blk, 16, out, &n), CS_EINVAL);
}

/* ---- seal / open ------------------------------------------------------------------------ */

CS_TEST(seal_round_trip)
{
    uint8_t key[32], pt[1100], ct[1200], back[1100];
    const size_t lens[] = {0, 1, 15, 16, 17, 31, 32, 33, 1000, 1100};

    CHECK_EQ(gm_random(key, sizeof(key)), CS_OK);
    CHECK_EQ(gm_random(pt, sizeof(pt)), CS_OK);
    for (size_t i = 0; i < CS_ARRAY_LEN(lens); i++) {
        size_t n = sizeof(ct), m = sizeof(back);
        CHECK_EQ(gm_sm4_seal(key, "hdr", 3, pt, lens[i], ct, &n), CS_OK);
        CHECK_EQ(n, lens[i] + GM_SEAL_OVERHEAD);
        CHECK_EQ(gm_sm4_open(key, "hdr", 3, ct, n, back, &m), CS_OK);
        CHECK_EQ(m, lens[i]);
        CHECK(memcmp(back, pt, lens[i]) == 0);
        /* Without aad. */
        n = sizeof(ct), m = sizeof(back);
        CHECK_EQ(gm_sm4_seal(key, NULL, 0, pt, lens[i], ct, &n), CS_OK);
        CHECK_EQ(gm_sm4_open(key, NULL, 0, ct, n, back, &m), CS_OK);
        CHECK(memcmp(back, pt, lens[i]) == 0);
    }
    /* Two seals of the same message differ (fresh random iv). */
    uint8_t a[64], b[64];
    size_t na = sizeof(a), nb = sizeof(b);
    CHECK_EQ(gm_sm4_seal(key, NULL, 0, pt, 16, a, &na), CS_OK);
    CHECK_EQ(gm_sm4_seal(key, NULL, 0, pt, 16, b, &nb), CS_OK);
    CHECK(memcmp(a, b, 16) != 0);
    CHECK(memcmp(a + 16, b + 16, 16) != 0);
}

/* The documented format, recomputed from the primitives. */
CS_TEST(seal_format_known_answer)
{
    uint8_t key[32], enc[32], mac[32], out[64], ks_ct[16], tag[32];
    const char *msg = "sixteen byte msg";
    const char *aad = "org=7";
    size_t n = sizeof(out);

    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    CHECK_EQ(gm_sm4_seal(key, aad, 5, (const uint8_t *)msg, 16, out, &n), CS_OK);
    REQUIRE(n == 16 + 16 + 32);
    CHECK_EQ(gm_hmac_sm3(key, 32, "citysoc-gm-seal-v1 enc", 22, enc), CS_OK);
    CHECK_EQ(gm_hmac_sm3(key, 32, "citysoc-gm-seal-v1 mac", 22, mac), CS_OK);
    CHECK_EQ(gm_sm4_ctr(enc, out, (const uint8_t *)msg, 16, ks_ct), CS_OK);
    CHECK(memcmp(ks_ct, out + 16, 16) == 0);
    uint8_t macin[8 + 5 + 16 + 16] = {0, 0, 0, 0, 0, 0, 0, 5};
    memcpy(macin + 8, aad, 5);
    memcpy(macin + 13, out, 32);
    CHECK_EQ(gm_hmac_sm3(mac, 32, macin, sizeof(macin), tag), CS_OK);
    CHECK(memcmp(tag, out + 32, 32) == 0);
}

CS_TEST(seal_rejects_tampering)
{
    uint8_t key[32], pt[40], ct[40 + GM_SEAL_OVERHEAD], back[40];
    size_t n = sizeof(ct), m;

    CHECK_EQ(gm_random(key, sizeof(key)), CS_OK);
    memset(pt, 'p', sizeof(pt));
    CHECK_EQ(gm_sm4_seal(key, "aad", 3, pt, sizeof(pt), ct, &n), CS_OK);
    REQUIRE(n == sizeof(ct));
    /* Any single bit flipped anywhere: iv (0..15), ciphertext (16..55), tag (56..87). */
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            ct[i] ^= (uint8_t)(1 << bit);
            m = sizeof(back);
            memset(back, 0xee, sizeof(back));
            if (gm_sm4_open(key, "aad", 3, ct, n, back, &m) != CS_ERR)
                CS_FAILF("flip of byte %zu bit %d accepted", i, bit);
            CHECK(back[0] == 0xee); /* nothing decrypted */
            ct[i] ^= (uint8_t)(1 << bit);
        }
    }
    /* Wrong / missing / extended aad. */
    m = sizeof(back);
    CHECK_EQ(gm_sm4_open(key, "aaD", 3, ct, n, back, &m), CS_ERR);
    CHECK_EQ(gm_sm4_open(key, NULL, 0, ct, n, back, &m), CS_ERR);
    CHECK_EQ(gm_sm4_open(key, "aad\0", 4, ct, n, back, &m), CS_ERR);
    CHECK_EQ(gm_sm4_open(key, "aa", 2, ct, n, back, &m), CS_ERR);
    /* Wrong key. */
    key[31] ^= 1;
    CHECK_EQ(gm_sm4_open(key, "aad", 3, ct, n, back, &m), CS_ERR);
    key[31] ^= 1;
    /* Truncation at every length, and an appended byte. */
    for (size_t len = 0; len < n; len++) {
        m = sizeof(back);
        int rc = gm_sm4_open(key, "aad", 3, ct, len, back, &m);
        if (rc == CS_OK)
            CS_FAILF("truncated to %zu accepted", len);
        if (len < GM_SEAL_OVERHEAD)
            CHECK_EQ(rc, CS_EINVAL);
    }
    uint8_t longer[sizeof(ct) + 1], big[41];
    memcpy(longer, ct, n);
    longer[n] = 0;
    m = sizeof(big);
    CHECK_EQ(gm_sm4_open(key, "aad", 3, longer, n + 1, big, &m), CS_ERR);
    /* Moving the aad/ciphertext boundary (aad grows by the first sealed byte) must fail: the
     * aad length is part of the MAC input. */
    uint8_t aad4[4] = {'a', 'a', 'd', ct[0]};
    m = sizeof(big);
    CHECK_EQ(gm_sm4_open(key, aad4, 4, ct + 1, n - 1, big, &m), CS_ERR);
    /* The untouched message still opens. */
    m = sizeof(back);
    CHECK_EQ(gm_sm4_open(key, "aad", 3, ct, n, back, &m), CS_OK);
    CHECK(memcmp(back, pt, sizeof(pt)) == 0);
    /* Output buffer too small is reported, not overrun. */
    m = 39;
    CHECK_EQ(gm_sm4_open(key, "aad", 3, ct, n, back, &m), CS_ELIMIT);
    CHECK_EQ(m, 40);
    m = 10;
    CHECK_EQ(gm_sm4_seal(key, NULL, 0, pt, 40, ct, &m), CS_ELIMIT);
    CHECK_EQ(m, 40 + GM_SEAL_OVERHEAD);
    CHECK_EQ(gm_sm4_seal(NULL, NULL, 0, pt, 40, ct, &n), CS_EINVAL);
}

/* ---- test-only GCM and CCM over libgm's SM4 (for the Wycheproof / RFC 8998 vectors) --------- */

static void gf_mul(uint8_t x[16], const uint8_t y[16])
{
    uint8_t z[16] = {0}, v[16];

    memcpy(v, y, 16);
    for (int i = 0; i < 128; i++) {
        if (x[i / 8] >> (7 - i % 8) & 1)
            for (int j = 0; j < 16; j++)
                z[j] ^= v[j];
        int lsb = v[15] & 1;
        for (int j = 15; j > 0; j--)
            v[j] = (uint8_t)(v[j] >> 1 | v[j - 1] << 7);
        v[0] >>= 1;
        if (lsb)
            v[0] ^= 0xe1;
    }
    memcpy(x, z, 16);
}

static void ghash_update(uint8_t y[16], const uint8_t h[16], const uint8_t *d, size_t n)
{
    for (size_t off = 0; off < n; off += 16) {
        for (size_t j = 0; j < 16 && off + j < n; j++)
            y[j] ^= d[off + j];
        gf_mul(y, h);
    }
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* SP 800-38D GCM; returns false for parameters GCM forbids (empty IV). ct/tag are outputs of
 * encryption of pt. */
static bool gcm_seal(const uint8_t key[16], const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                     size_t aadlen, const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16])
{
    uint8_t h[16] = {0}, j0[16] = {0}, cb[16], ks[16], lens[16], s[16] = {0};

    if (ivlen == 0)
        return false;
    sm4_block(key, h, h);
    if (ivlen == 12) {
        memcpy(j0, iv, 12);
        j0[15] = 1;
    } else {
        ghash_update(j0, h, iv, ivlen);
        memset(lens, 0, 8);
        put_be64(lens + 8, (uint64_t)ivlen * 8);
        ghash_update(j0, h, lens, 16);
    }
    memcpy(cb, j0, 16);
    for (size_t off = 0; off < len; off += 16) {
        uint32_t c = cs_get_be32(cb + 12) + 1; /* inc32 */
        cb[12] = (uint8_t)(c >> 24), cb[13] = (uint8_t)(c >> 16), cb[14] = (uint8_t)(c >> 8);
        cb[15] = (uint8_t)c;
        sm4_block(key, cb, ks);
        for (size_t j = 0; j < 16 && off + j < len; j++)
            ct[off + j] = pt[off + j] ^ ks[j];
    }
    ghash_update(s, h, aad, aadlen);
    ghash_update(s, h, ct, len);
    put_be64(lens, (uint64_t)aadlen * 8);
    put_be64(lens + 8, (uint64_t)len * 8);
    ghash_update(s, h, lens, 16);
    sm4_block(key, j0, ks);
    for (int j = 0; j < 16; j++)
        tag[j] = s[j] ^ ks[j];
    return true;
}

/* SP 800-38C CCM; false for parameters CCM forbids (nonce not 7..13 bytes, bad tag size). */
static bool ccm_seal(const uint8_t key[16], const uint8_t *nonce, size_t nlen, const uint8_t *aad,
                     size_t aadlen, const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag,
                     size_t taglen)
{
    uint8_t b[16], y[16], ctr[16], s[16];
    size_t q = 15 - nlen;

    if (nlen < 7 || nlen > 13 || taglen < 4 || taglen > 16 || taglen % 2)
        return false;
    b[0] = (uint8_t)((aadlen ? 64 : 0) | ((taglen - 2) / 2) << 3 | (q - 1));
    memcpy(b + 1, nonce, nlen);
    for (size_t i = 0; i < q; i++)
        b[15 - i] = (uint8_t)(len >> (8 * i));
    sm4_block(key, b, y);
    if (aadlen) {
        /* Associated data with its length prefix, as a stream of zero-padded blocks. */
        size_t hdr = aadlen < 0xff00 ? 2 : 6, total = hdr + aadlen, pos = 0;
        uint8_t pre[6];
        if (hdr == 2) {
            pre[0] = (uint8_t)(aadlen >> 8), pre[1] = (uint8_t)aadlen;
        } else {
            pre[0] = 0xff, pre[1] = 0xfe;
            pre[2] = (uint8_t)(aadlen >> 24), pre[3] = (uint8_t)(aadlen >> 16);
            pre[4] = (uint8_t)(aadlen >> 8), pre[5] = (uint8_t)aadlen;
        }
        while (pos < total) {
            for (int j = 0; j < 16; j++, pos++)
                if (pos < total)
                    y[j] ^= pos < hdr ? pre[pos] : aad[pos - hdr];
            sm4_block(key, y, y);
        }
    }
    for (size_t off = 0; off < len; off += 16) {
        for (size_t j = 0; j < 16 && off + j < len; j++)
            y[j] ^= pt[off + j];
        sm4_block(key, y, y);
    }
    memset(ctr, 0, 16);
    ctr[0] = (uint8_t)(q - 1);
    memcpy(ctr + 1, nonce, nlen);
    sm4_block(key, ctr, s);
    for (size_t j = 0; j < taglen; j++)
        tag[j] = y[j] ^ s[j];
    for (size_t off = 0, i = 1; off < len; off += 16, i++) {
        for (size_t k = 0; k < q; k++)
            ctr[15 - k] = (uint8_t)(i >> (8 * k));
        sm4_block(key, ctr, s);
        for (size_t j = 0; j < 16 && off + j < len; j++)
            ct[off + j] = pt[off + j] ^ s[j];
    }
    return true;
}

/* Runs one AEAD case: encrypts msg and compares with ct||tag. "valid" must match exactly;
 * "invalid" must either be refused (bad parameters) or produce a different ct or tag. */
static bool aead_case_ok(bool ccm, const uint8_t *k, const uint8_t *iv, size_t ivlen,
                         const uint8_t *aad, size_t aadlen, const uint8_t *msg, size_t len,
                         const uint8_t *ct, const uint8_t *tag, size_t taglen, bool valid)
{
    uint8_t *out = malloc(len + 1), t[16];
    bool ok, same;

    if (!out)
        return false;
    if (ccm)
        ok = ccm_seal(k, iv, ivlen, aad, aadlen, msg, len, out, t, taglen);
    else
        ok = taglen == 16 && gcm_seal(k, iv, ivlen, aad, aadlen, msg, len, out, t);
    same = ok && memcmp(out, ct, len) == 0 && memcmp(t, tag, taglen) == 0;
    free(out);
    return valid ? same : !same;
}

static void run_wycheproof_aead(const char *file, bool ccm, int expect_total)
{
    char *json = tv_read(file, NULL);
    const char *pos, *s, *e;
    int total = 0, valid = 0;

    if (!json) {
        CS_FAILF("cannot read %s", file);
        return;
    }
    pos = json;
    while (wy_next(json, &pos, &s, &e)) {
        size_t kl = 0, il = 0, al = 0, ml = 0, cl = 0, tl = 0;
        unsigned char *k = wy_hex(s, e, "key", &kl), *iv = wy_hex(s, e, "iv", &il),
                      *aad = wy_hex(s, e, "aad", &al), *m = wy_hex(s, e, "msg", &ml),
                      *c = wy_hex(s, e, "ct", &cl), *t = wy_hex(s, e, "tag", &tl);
        char *result = wy_str(s, e, "result");
        long id = wy_int(s, e, "tcId");

        total++;
        if (!k || !iv || !aad || !m || !c || !t || !result || kl != 16 || ml != cl) {
            CS_FAILF("%s tcId %ld: unreadable case", file, id);
        } else {
            bool want = strcmp(result, "valid") == 0;
            valid += want;
            if (!aead_case_ok(ccm, k, iv, il, aad, al, m, ml, c, t, tl, want))
                CS_FAILF("%s tcId %ld: expected %s", file, id, result);
        }
        free(k), free(iv), free(aad), free(m), free(c), free(t), free(result);
    }
    CHECK_EQ(total, expect_total);
    CHECK(valid > 0 && valid < total);
    free(json);
}

CS_TEST(sm4_wycheproof_gcm)
{
    run_wycheproof_aead("wycheproof/sm4_gcm_test.json", false, 104);
}

CS_TEST(sm4_wycheproof_ccm)
{
    run_wycheproof_aead("wycheproof/sm4_ccm_test.json", true, 184);
}

CS_TEST(sm4_rfc8998_gcm_ccm)
{
    struct tv_file tf;
    int n = 0;

    REQUIRE(tv_load("sm4-aead-rfc8998.txt", &tf));
    for (int i = 0; i < tf.n; i++) {
        const struct tv_record *r = &tf.rec[i];
        const char *mode = tv_get(r, "Mode");
        size_t kl, il, al, pl, cl, tl;
        unsigned char *k = rec_hex(r, "Key", &kl), *iv = rec_hex(r, "IV", &il),
                      *aad = rec_hex(r, "AAD", &al), *p = rec_hex(r, "Plaintext", &pl),
                      *c = rec_hex(r, "Ciphertext", &cl), *t = rec_hex(r, "Tag", &tl);
        if (mode && k && iv && aad && p && c && t) {
            bool ccm = strcmp(mode, "CCM") == 0;
            CHECK(aead_case_ok(ccm, k, iv, il, aad, al, p, pl, c, t, tl, true));
            t[0] ^= 1;
            CHECK(aead_case_ok(ccm, k, iv, il, aad, al, p, pl, c, t, tl, false));
            n++;
        }
        free(k), free(iv), free(aad), free(p), free(c), free(t);
    }
    CHECK_EQ(n, 2);
    tv_free(&tf);
}

CS_TEST(random_and_compare_helpers)
{
    uint8_t a[32] = {0}, b[32] = {0};

    CHECK(gm_mem_equal(a, b, 32));
    b[31] = 1;
    CHECK(!gm_mem_equal(a, b, 32));
    CHECK(gm_mem_equal(a, b, 31));
    CHECK(gm_mem_equal(NULL, NULL, 0));
    CHECK_EQ(gm_random(a, 32), CS_OK);
    CHECK_EQ(gm_random(b, 32), CS_OK);
    CHECK(!gm_mem_equal(a, b, 32));
    CHECK_EQ(gm_random(NULL, 3), CS_EINVAL);
    CHECK_EQ(gm_random(NULL, 0), CS_OK);
    gm_cleanse(a, 32);
    CHECK(a[0] == 0 && a[31] == 0);
}

CS_TEST_MAIN()
