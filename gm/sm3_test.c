/* sm3_test.c — SM3 and HMAC-SM3: GB/T 32905 examples and the corpus vectors, incremental vs
 * one-shot, HMAC-SM3 (GM/T 0042 and RFC 2202-style inputs), Wycheproof HMAC-SM3. */
#include "gm.h"
#include "gm_testvec.h"

static void hex32(const char *hex, uint8_t out[32])
{
    size_t n = 0;
    unsigned char *b = tv_unhex(hex, &n);
    memset(out, 0, 32);
    if (b && n == 32)
        memcpy(out, b, 32);
    free(b);
}

CS_TEST(sm3_standard_examples)
{
    uint8_t d[32], want[32];
    char msg2[65];

    /* GB/T 32905-2016 Appendix A, example 1: "abc". */
    hex32("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", want);
    CHECK_EQ(gm_sm3("abc", 3, d), CS_OK);
    CHECK(memcmp(d, want, 32) == 0);
    /* Example 2: "abcd" x 16 (one full 64-byte block plus padding block). */
    for (int i = 0; i < 16; i++)
        memcpy(msg2 + 4 * i, "abcd", 4);
    hex32("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732", want);
    CHECK_EQ(gm_sm3(msg2, 64, d), CS_OK);
    CHECK(memcmp(d, want, 32) == 0);
    /* One bit of difference changes the digest. */
    msg2[63] ^= 1;
    CHECK_EQ(gm_sm3(msg2, 64, d), CS_OK);
    CHECK(memcmp(d, want, 32) != 0);
    /* Empty message (Python hashlib 'sm3'). */
    hex32("1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b", want);
    CHECK_EQ(gm_sm3(NULL, 0, d), CS_OK);
    CHECK(memcmp(d, want, 32) == 0);
}

CS_TEST(sm3_corpus_vectors)
{
    struct tv_file tf;
    int checked = 0;

    REQUIRE(tv_load("sm3.txt", &tf));
    for (int i = 0; i < tf.n; i++) {
        size_t mlen = 0, dlen = 0;
        unsigned char *m = tv_hex(&tf.rec[i], "Msg", &mlen);
        unsigned char *want = tv_hex(&tf.rec[i], "Digest", &dlen);
        uint8_t d[32];
        if (m && want && dlen == 32) {
            CHECK_EQ(gm_sm3(m, mlen, d), CS_OK);
            if (memcmp(d, want, 32) != 0)
                CS_FAILF("digest mismatch for %s", tv_get(&tf.rec[i], "Name"));
            checked++;
        }
        free(m);
        free(want);
    }
    CHECK_EQ(checked, 10);
    tv_free(&tf);
}

CS_TEST(sm3_incremental_equals_oneshot)
{
    uint8_t buf[1000], one[32], inc[32];
    struct gm_sm3_ctx *ctx = gm_sm3_ctx_new();

    REQUIRE(ctx);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    /* Several split sizes, including splits inside and across 64-byte blocks. */
    const size_t steps[] = {1, 3, 63, 64, 65, 500, 1000};
    for (size_t s = 0; s < CS_ARRAY_LEN(steps); s++) {
        for (size_t len = 0; len <= sizeof(buf); len += 111) {
            CHECK_EQ(gm_sm3(buf, len, one), CS_OK);
            for (size_t off = 0; off < len; off += steps[s])
                CHECK_EQ(gm_sm3_update(ctx, buf + off, CS_MIN(steps[s], len - off)), CS_OK);
            CHECK_EQ(gm_sm3_final(ctx, inc), CS_OK); /* also resets ctx for the next round */
            CHECK(memcmp(one, inc, 32) == 0);
        }
    }
    /* A reset context hashes "abc" correctly after previous use. */
    uint8_t want[32];
    hex32("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", want);
    CHECK_EQ(gm_sm3_update(ctx, "a", 1), CS_OK);
    CHECK_EQ(gm_sm3_update(ctx, NULL, 0), CS_OK);
    CHECK_EQ(gm_sm3_update(ctx, "bc", 2), CS_OK);
    CHECK_EQ(gm_sm3_final(ctx, inc), CS_OK);
    CHECK(memcmp(inc, want, 32) == 0);
    gm_sm3_ctx_free(ctx);
    gm_sm3_ctx_free(NULL);
}

CS_TEST(sm3_bad_arguments)
{
    uint8_t d[32];

    CHECK_EQ(gm_sm3(NULL, 5, d), CS_EINVAL);
    CHECK_EQ(gm_sm3("abc", 3, NULL), CS_EINVAL);
    CHECK_EQ(gm_sm3_update(NULL, "a", 1), CS_EINVAL);
    CHECK_EQ(gm_sm3_final(NULL, d), CS_EINVAL);
    CHECK_EQ(gm_hmac_sm3(NULL, 3, "a", 1, d), CS_EINVAL);
    CHECK_EQ(gm_hmac_sm3("k", 1, NULL, 1, d), CS_EINVAL);
    CHECK(gm_hmac_sm3_new(NULL, 4) == NULL);
}

CS_TEST(hmac_sm3_corpus_vectors)
{
    struct tv_file tf;
    int checked = 0;

    REQUIRE(tv_load("hmac-sm3.txt", &tf));
    for (int i = 0; i < tf.n; i++) {
        size_t klen = 0, mlen = 0, tlen = 0;
        unsigned char *k = tv_hex(&tf.rec[i], "Key", &klen);
        unsigned char *m = tv_hex(&tf.rec[i], "Msg", &mlen);
        unsigned char *want = tv_hex(&tf.rec[i], "Mac", &tlen);
        uint8_t mac[32];
        if (k && m && want && tlen == 32) {
            CHECK_EQ(gm_hmac_sm3(k, klen, m, mlen, mac), CS_OK);
            if (memcmp(mac, want, 32) != 0)
                CS_FAILF("mac mismatch for %s", tv_get(&tf.rec[i], "Name"));
            CHECK_EQ(gm_hmac_sm3_verify(k, klen, m, mlen, want, 32), CS_OK);
            /* Incremental, byte by byte. */
            struct gm_hmac_sm3_ctx *h = gm_hmac_sm3_new(k, klen);
            REQUIRE(h);
            for (size_t j = 0; j < mlen; j++)
                CHECK_EQ(gm_hmac_sm3_update(h, m + j, 1), CS_OK);
            CHECK_EQ(gm_hmac_sm3_final(h, mac), CS_OK);
            CHECK(memcmp(mac, want, 32) == 0);
            /* final re-keys with the same key: a second identical message gives the same MAC. */
            CHECK_EQ(gm_hmac_sm3_update(h, m, mlen), CS_OK);
            CHECK_EQ(gm_hmac_sm3_final(h, mac), CS_OK);
            CHECK(memcmp(mac, want, 32) == 0);
            gm_hmac_sm3_free(h);
            /* Wrong key or message fails verification. */
            k[0] ^= 0x80;
            CHECK_EQ(gm_hmac_sm3_verify(k, klen, m, mlen, want, 32), CS_ERR);
            k[0] ^= 0x80;
            CHECK_EQ(gm_hmac_sm3_verify(k, klen, m, mlen - 1, want, 32), CS_ERR);
            checked++;
        }
        free(k);
        free(m);
        free(want);
    }
    CHECK_EQ(checked, 4);
    tv_free(&tf);
}

CS_TEST(hmac_sm3_edge_keys)
{
    uint8_t mac[32], want[32], longkey[100];

    /* Empty key and empty message (values from Python hmac + hashlib 'sm3'). */
    hex32("9fec5c067fefc95ef6c8222776840c0b0561ab63d77c7c19e6d9cae2d892d50d", want);
    CHECK_EQ(gm_hmac_sm3(NULL, 0, "citysoc", 7, mac), CS_OK);
    CHECK(memcmp(mac, want, 32) == 0);
    struct gm_hmac_sm3_ctx *h = gm_hmac_sm3_new("", 0);
    REQUIRE(h);
    CHECK_EQ(gm_hmac_sm3_update(h, "citysoc", 7), CS_OK);
    CHECK_EQ(gm_hmac_sm3_final(h, mac), CS_OK);
    CHECK(memcmp(mac, want, 32) == 0);
    gm_hmac_sm3_free(h);
    gm_hmac_sm3_free(NULL);
    /* Key longer than the block (hashed first), empty message. */
    memset(longkey, 'k', sizeof(longkey));
    hex32("2d576bdc4da7785b340213b647715b9f148511da717c2bf00eb1968e04d23ccc", want);
    CHECK_EQ(gm_hmac_sm3(longkey, sizeof(longkey), NULL, 0, mac), CS_OK);
    CHECK(memcmp(mac, want, 32) == 0);
    /* Tag length limits of verify. */
    CHECK_EQ(gm_hmac_sm3_verify(longkey, sizeof(longkey), NULL, 0, want, 16), CS_OK);
    CHECK_EQ(gm_hmac_sm3_verify(longkey, sizeof(longkey), NULL, 0, want, 15), CS_EINVAL);
    CHECK_EQ(gm_hmac_sm3_verify(longkey, sizeof(longkey), NULL, 0, want, 33), CS_EINVAL);
    CHECK_EQ(gm_hmac_sm3_verify(longkey, sizeof(longkey), NULL, 0, NULL, 32), CS_EINVAL);
}

/* Every case of Wycheproof hmac_sm3_test.json: "valid" must verify (and equal the computed
 * MAC prefix), "invalid" must be rejected. */
CS_TEST(hmac_sm3_wycheproof)
{
    char *json = tv_read("wycheproof/hmac_sm3_test.json", NULL);
    const char *pos, *s, *e;
    int total = 0, valid = 0, invalid = 0;

    REQUIRE(json);
    pos = json;
    while (wy_next(json, &pos, &s, &e)) {
        size_t klen = 0, mlen = 0, tlen = 0;
        unsigned char *k = wy_hex(s, e, "key", &klen);
        unsigned char *m = wy_hex(s, e, "msg", &mlen);
        unsigned char *t = wy_hex(s, e, "tag", &tlen);
        char *result = wy_str(s, e, "result");
        long id = wy_int(s, e, "tcId");
        uint8_t mac[32];

        if (!k || !m || !t || !result) {
            CS_FAILF("tcId %ld: unreadable case", id);
        } else {
            bool want_valid = strcmp(result, "valid") == 0;
            int rc = gm_hmac_sm3_verify(k, klen, m, mlen, t, tlen);
            CHECK_EQ(gm_hmac_sm3(k, klen, m, mlen, mac), CS_OK);
            if (want_valid && (rc != CS_OK || memcmp(mac, t, tlen) != 0))
                CS_FAILF("tcId %ld: valid tag rejected (rc %d)", id, rc);
            if (!want_valid && rc == CS_OK)
                CS_FAILF("tcId %ld: invalid tag accepted", id);
            want_valid ? valid++ : invalid++;
        }
        total++;
        free(k);
        free(m);
        free(t);
        free(result);
    }
    CHECK_EQ(total, 174);
    CHECK(valid > 0 && invalid > 0);
    free(json);
}

CS_TEST_MAIN()
