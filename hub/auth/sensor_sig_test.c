/* sensor_sig_test.c — sensor batch signatures: valid, forged, wrong key, stale, future,
 * replayed, malformed headers; the replay cache bounds. */
#include "auth.h"

#include <stdio.h>

#include "../../lib/cs_test.h"

/* GB/T 32918.5 example private key, so a header signed once stays checkable (format
 * stability: a sensor of an older release must still be accepted). */
static const uint8_t fixed_d[32] = {
    0x39, 0x45, 0x20, 0x8F, 0x7B, 0x21, 0x44, 0xB1, 0x3F, 0x36, 0xE3, 0x8A, 0xC6, 0xD3, 0x9F, 0x95,
    0x88, 0x93, 0x93, 0x69, 0x28, 0x60, 0xB5, 0x1A, 0x42, 0xFB, 0x81, 0xEF, 0x4D, 0xF7, 0xC5, 0xB8};

static const char body[] = "{\"event_type\":\"alert\",\"src_ip\":\"10.1.2.3\"}\n"
                           "{\"event_type\":\"flow\",\"src_ip\":\"10.1.2.4\"}\n";
#define NOW 1764900000

/* Made once by hub_sig_sign with fixed_d (see known_header_still_verifies). */
#define KNOWN_HEADER                                                                           \
    "v=1, keyid=sensor-01, batch=b-42, ts=1764900000, "                                        \
    "sig=MEUCIQD8BoxFXINDGHYkt8CMhsEI+VtA543zy57cCkRyYss32wIgepgW1VJ/dRM+Glx97QaEjkaXzprkyHrALKs" \
    "KBZF5ZiU="
#define KNOWN_DIGEST "c21b11a8aa5723d1c44a8a4e9c115922d284e485ede290f1218c19151d8cf995"

struct keys {
    struct gm_sm2_key *sensor, *other;
    char *pub_pem, *other_pem;
    size_t pub_len, other_len;
};

static bool keys_make(struct keys *k)
{
    memset(k, 0, sizeof(*k));
    return gm_sm2_key_generate(&k->sensor) == CS_OK && gm_sm2_key_generate(&k->other) == CS_OK &&
           gm_sm2_key_save_public_pem(k->sensor, &k->pub_pem, &k->pub_len) == CS_OK &&
           gm_sm2_key_save_public_pem(k->other, &k->other_pem, &k->other_len) == CS_OK;
}

static void keys_free(struct keys *k)
{
    gm_sm2_key_free(k->sensor);
    gm_sm2_key_free(k->other);
    cs_free(k->pub_pem);
    cs_free(k->other_pem);
}

static enum hub_sig_status check(const struct keys *k, const char *hdr, const void *b,
                                 size_t blen, int64_t now, struct hub_sig_replay *rp)
{
    struct hub_sig_header h;

    return hub_sig_check(hdr, strlen(hdr), &h, k->pub_pem, k->pub_len, b, blen, now,
                         HUB_SIG_DEFAULT_WINDOW_S, rp);
}

CS_TEST(sign_then_verify)
{
    struct keys k;
    char hdr[HUB_SIG_HEADER_MAX];
    struct hub_sig_header h;

    REQUIRE(keys_make(&k));
    REQUIRE(hub_sig_sign(k.sensor, "sensor-01", "b-000017", NOW, body, strlen(body), hdr,
                         sizeof(hdr)) == HUB_SIG_OK);
    CHECK(strncmp(hdr, "v=1, keyid=sensor-01, batch=b-000017, ts=1764900000, sig=", 57) == 0);
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    CHECK_STR(h.keyid, "sensor-01");
    CHECK_STR(h.batch, "b-000017");
    CHECK_EQ(h.ts, NOW);
    CHECK(h.siglen >= 8 && h.siglen <= GM_SM2_SIG_MAX);
    CHECK_EQ(hub_sig_verify(&h, k.sensor, body, strlen(body)), HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW + 10, NULL), HUB_SIG_OK);
    /* An empty body is allowed. */
    REQUIRE(hub_sig_sign(k.sensor, "s", "b", NOW, NULL, 0, hdr, sizeof(hdr)) == HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, NULL, 0, NOW, NULL), HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, "x", 1, NOW, NULL), HUB_SIG_BAD_SIGNATURE);
    keys_free(&k);
}

CS_TEST(forged_and_wrong_key)
{
    struct keys k;
    char hdr[HUB_SIG_HEADER_MAX], forged[HUB_SIG_HEADER_MAX], b2[sizeof(body)];
    struct hub_sig_header h;

    REQUIRE(keys_make(&k));
    REQUIRE(hub_sig_sign(k.sensor, "sensor-01", "b-1", NOW, body, strlen(body), hdr,
                         sizeof(hdr)) == HUB_SIG_OK);
    /* Body altered by one byte. */
    memcpy(b2, body, sizeof(body));
    b2[30] ^= 1;
    CHECK_EQ(check(&k, hdr, b2, strlen(body), NOW, NULL), HUB_SIG_BAD_SIGNATURE);
    /* Body truncated. */
    CHECK_EQ(check(&k, hdr, body, strlen(body) - 1, NOW, NULL), HUB_SIG_BAD_SIGNATURE);
    /* Header fields changed: batch id, timestamp, key id. */
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    strcpy(h.batch, "b-2");
    CHECK_EQ(hub_sig_verify(&h, k.sensor, body, strlen(body)), HUB_SIG_BAD_SIGNATURE);
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    h.ts += 1;
    CHECK_EQ(hub_sig_verify(&h, k.sensor, body, strlen(body)), HUB_SIG_BAD_SIGNATURE);
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    strcpy(h.keyid, "sensor-02");
    CHECK_EQ(hub_sig_verify(&h, k.sensor, body, strlen(body)), HUB_SIG_BAD_SIGNATURE);
    /* Signature bytes flipped (last DER byte = last byte of s). */
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    h.sig[h.siglen - 1] ^= 0x01;
    CHECK_EQ(hub_sig_verify(&h, k.sensor, body, strlen(body)), HUB_SIG_BAD_SIGNATURE);
    /* Forged: the attacker signs with its own key and claims sensor-01. */
    REQUIRE(hub_sig_sign(k.other, "sensor-01", "b-1", NOW, body, strlen(body), forged,
                         sizeof(forged)) == HUB_SIG_OK);
    CHECK_EQ(check(&k, forged, body, strlen(body), NOW, NULL), HUB_SIG_BAD_SIGNATURE);
    /* Right signature, checked with the wrong sensor's key. */
    CHECK_EQ(hub_sig_check(hdr, strlen(hdr), &h, k.other_pem, k.other_len, body, strlen(body),
                           NOW, 300, NULL),
             HUB_SIG_BAD_SIGNATURE);
    /* No key / garbage PEM. */
    CHECK_EQ(hub_sig_check(hdr, strlen(hdr), &h, NULL, 0, body, strlen(body), NOW, 300, NULL),
             HUB_SIG_NO_KEY);
    CHECK_EQ(hub_sig_check(hdr, strlen(hdr), &h, "-----BEGIN PUBLIC KEY-----\nAAAA\n", 32, body,
                           strlen(body), NOW, 300, NULL),
             HUB_SIG_NO_KEY);
    CHECK_EQ(hub_sig_verify(&h, NULL, body, strlen(body)), HUB_SIG_NO_KEY);
    /* Signing needs the private key. */
    struct gm_sm2_key *pubonly = NULL;
    REQUIRE(gm_sm2_key_load_pem(k.pub_pem, k.pub_len, &pubonly) == CS_OK);
    CHECK_EQ(hub_sig_sign(pubonly, "s", "b", NOW, "", 0, forged, sizeof(forged)),
             HUB_SIG_INTERNAL);
    gm_sm2_key_free(pubonly);
    keys_free(&k);
}

CS_TEST(stale_and_future)
{
    struct keys k;
    char hdr[HUB_SIG_HEADER_MAX];

    REQUIRE(keys_make(&k));
    REQUIRE(hub_sig_sign(k.sensor, "sensor-01", "b-1", NOW, body, strlen(body), hdr,
                         sizeof(hdr)) == HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW + 300, NULL), HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW + 301, NULL), HUB_SIG_STALE);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW - 300, NULL), HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW - 301, NULL), HUB_SIG_FUTURE);
    CHECK_EQ(hub_sig_check_time(0, INT64_MAX, 300), HUB_SIG_STALE);
    CHECK_EQ(hub_sig_check_time(INT64_MAX, INT64_MIN, 300), HUB_SIG_FUTURE);
    CHECK_EQ(hub_sig_check_time(5, 5, -1), HUB_SIG_OK);
    CHECK_EQ(hub_sig_check_time(6, 5, -1), HUB_SIG_FUTURE);
    keys_free(&k);
}

CS_TEST(replay_detected_only_after_valid_signature)
{
    struct keys k;
    char hdr[HUB_SIG_HEADER_MAX], hdr2[HUB_SIG_HEADER_MAX], b2[sizeof(body)];
    struct hub_sig_replay *rp = hub_sig_replay_new(1024, 300);

    REQUIRE(rp);
    REQUIRE(keys_make(&k));
    REQUIRE(hub_sig_sign(k.sensor, "sensor-01", "b-1", NOW, body, strlen(body), hdr,
                         sizeof(hdr)) == HUB_SIG_OK);
    /* A forged request with the same batch id must not poison the cache. */
    memcpy(b2, body, sizeof(body));
    b2[0] = '[';
    CHECK_EQ(check(&k, hdr, b2, strlen(body), NOW, rp), HUB_SIG_BAD_SIGNATURE);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW, rp), HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW + 1, rp), HUB_SIG_REPLAY);
    /* A re-signed upload of the same batch id (new timestamp) is still a replay. */
    REQUIRE(hub_sig_sign(k.sensor, "sensor-01", "b-1", NOW + 5, body, strlen(body), hdr2,
                         sizeof(hdr2)) == HUB_SIG_OK);
    CHECK_EQ(check(&k, hdr2, body, strlen(body), NOW + 5, rp), HUB_SIG_REPLAY);
    /* Same batch id from another sensor is a different batch. */
    CHECK_EQ(hub_sig_replay_check_add(rp, "sensor-02", "b-1", NOW, NOW), HUB_SIG_OK);
    /* ("sensor-0", "1b-1") must not collide with ("sensor-01", "b-1"). */
    CHECK_EQ(hub_sig_replay_check_add(rp, "sensor-0", "1b-1", NOW, NOW), HUB_SIG_OK);
    /* Once the window has passed, the old header is stale before it is a replay. */
    CHECK_EQ(check(&k, hdr, body, strlen(body), NOW + 301, rp), HUB_SIG_STALE);
    hub_sig_replay_free(rp);
    keys_free(&k);
}

CS_TEST(replay_cache_bounded_and_expiring)
{
    struct hub_sig_replay *rp = hub_sig_replay_new(8, 300);
    char b[16];

    REQUIRE(rp);
    for (int i = 0; i < 8; i++) {
        snprintf(b, sizeof(b), "b%d", i);
        CHECK_EQ(hub_sig_replay_check_add(rp, "s", b, NOW, NOW), HUB_SIG_OK);
    }
    CHECK_EQ(hub_sig_replay_check_add(rp, "s", "b3", NOW, NOW), HUB_SIG_REPLAY);
    CHECK_EQ(hub_sig_replay_evictions(rp), 0);
    /* Full, nothing expired: the oldest (b0) is evicted and counted. */
    CHECK_EQ(hub_sig_replay_check_add(rp, "s", "b8", NOW, NOW), HUB_SIG_OK);
    CHECK_EQ(hub_sig_replay_evictions(rp), 1);
    CHECK_EQ(hub_sig_replay_check_add(rp, "s", "b1", NOW, NOW), HUB_SIG_REPLAY);
    /* After 2 windows everything has expired: no eviction counted, old ids forgotten. */
    CHECK_EQ(hub_sig_replay_check_add(rp, "s", "b3", NOW + 601, NOW + 601), HUB_SIG_OK);
    CHECK_EQ(hub_sig_replay_check_add(rp, "s", "fresh", NOW + 601, NOW + 601), HUB_SIG_OK);
    CHECK_EQ(hub_sig_replay_evictions(rp), 1);
    CHECK(hub_sig_replay_new(0, 300) == NULL);
    hub_sig_replay_free(rp);
}

CS_TEST(malformed_headers)
{
    static const char *bad[] = {
        "",
        "v=1",
        "v=2, keyid=s, batch=b, ts=1, sig=MEUCIQ==",
        "keyid=s, batch=b, ts=1, sig=MEUCIQ==",
        "v=1, batch=b, keyid=s, ts=1, sig=MEUCIQ==",              /* order */
        "v=1, keyid=s, batch=b, ts=1",                            /* no sig */
        "v=1, keyid=s, batch=b, ts=1, sig=MEUCIQ==, extra=1",
        "v=1, keyid=s, batch=b, ts=-1, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=01, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=99999999999999999999, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=9223372036854775808, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=1x, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b, ts=1, sig=MEUCIQ",                /* padding missing */
        "v=1, keyid=s, batch=b, ts=1, sig=MEU*IQ==",
        "v=1, keyid=s, batch=b, ts=1, sig=",
        "v=1, keyid=s, batch=b, ts=1, sig=AAAA",                  /* too short to be DER */
        "v=1; keyid=s; batch=b; ts=1; sig=MEUCIQ==",
        "v=1,, keyid=s, batch=b, ts=1, sig=MEUCIQ==",
        "V=1, keyid=s, batch=b, ts=1, sig=MEUCIQ==",
    };
    static const char *bad_id[] = {
        "v=1, keyid=, batch=b, ts=1, sig=MEUCIQDpJrrr",
        "v=1, keyid=s p, batch=b, ts=1, sig=MEUCIQ==",
        "v=1, keyid=s, batch=b/../x, ts=1, sig=MEUCIQ==",
        "v=1, keyid=s\"x, batch=b, ts=1, sig=MEUCIQ==",
        "v=1, keyid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA, batch=b, "
        "ts=1, sig=MEUCIQ==", /* 65 chars */
    };
    struct hub_sig_header h;

    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++) {
        enum hub_sig_status st = hub_sig_parse(bad[i], strlen(bad[i]), &h);
        if (st != HUB_SIG_MALFORMED)
            CS_FAILF("bad #%zu gave %s: %s", i, hub_sig_status_str(st), bad[i]);
        CHECK_EQ(h.keyid[0], 0);
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(bad_id); i++) {
        enum hub_sig_status st = hub_sig_parse(bad_id[i], strlen(bad_id[i]), &h);
        if (st != HUB_SIG_BAD_ID)
            CS_FAILF("bad id #%zu gave %s", i, hub_sig_status_str(st));
    }
    /* Embedded NUL: the explicit length is honoured, so the text after it is not ignored. */
    const char nul[] = "v=1, keyid=s\0x, batch=b, ts=1, sig=MEUCIQ==";
    CHECK_EQ(hub_sig_parse(nul, sizeof(nul) - 1, &h), HUB_SIG_BAD_ID);
    CHECK_EQ(hub_sig_parse(NULL, 10, &h), HUB_SIG_MALFORMED);
    /* Spaces are optional around the separators. */
    struct keys k;
    char hdr[HUB_SIG_HEADER_MAX], loose[HUB_SIG_HEADER_MAX + 16];
    REQUIRE(keys_make(&k));
    REQUIRE(hub_sig_sign(k.sensor, "s-9", "b.1:2_3", NOW, body, 5, hdr, sizeof(hdr)) ==
            HUB_SIG_OK);
    const char *sig = strstr(hdr, "sig=") + 4;
    snprintf(loose, sizeof(loose), "v=1,keyid=s-9 ,batch=b.1:2_3,\tts=%d ,  sig=%s  ", NOW, sig);
    CHECK_EQ(check(&k, loose, body, 5, NOW, NULL), HUB_SIG_OK);
    /* Bad sensor id on the signing side. */
    CHECK_EQ(hub_sig_sign(k.sensor, "bad id", "b", NOW, body, 5, hdr, sizeof(hdr)),
             HUB_SIG_BAD_ID);
    CHECK_EQ(hub_sig_sign(k.sensor, "s", "b", NOW, body, 5, hdr, 20), HUB_SIG_INTERNAL);
    CHECK_STR(hdr, "");
    keys_free(&k);
}

/* A header made once by this code with the fixed key: the message format must not drift. */
CS_TEST(known_header_still_verifies)
{
    static const char hdr[] = KNOWN_HEADER;
    struct gm_sm2_key *key = NULL;
    struct hub_sig_header h;
    uint8_t d[32];
    char hex[65];

    REQUIRE(gm_sm2_key_from_private_raw(fixed_d, &key) == CS_OK);
    REQUIRE(hub_sig_parse(hdr, strlen(hdr), &h) == HUB_SIG_OK);
    CHECK_EQ(hub_sig_verify(&h, key, "hello batch\n", 12), HUB_SIG_OK);
    CHECK_EQ(hub_sig_verify(&h, key, "hello batch!", 12), HUB_SIG_BAD_SIGNATURE);
    REQUIRE(hub_sig_message_digest("sensor-01", "b-42", 1764900000, "hello batch\n", 12, d) ==
            HUB_SIG_OK);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK_STR(hex, KNOWN_DIGEST);
    /* The documented layout of M, built by hand: SM2 with the default ID verifies it. */
    uint8_t m[200];
    size_t n = 0;
    memcpy(m, "citysoc-batch-v1", 16);
    n = 16;
    m[n++] = 0, m[n++] = 9;
    memcpy(m + n, "sensor-01", 9), n += 9;
    m[n++] = 0, m[n++] = 4;
    memcpy(m + n, "b-42", 4), n += 4;
    const uint8_t ts[8] = {0, 0, 0, 0, 0x69, 0x32, 0x3c, 0xa0}; /* 1764900000 */
    memcpy(m + n, ts, 8), n += 8;
    REQUIRE(gm_sm3("hello batch\n", 12, m + n) == CS_OK);
    n += 32;
    REQUIRE(gm_sm3(m, n, d) == CS_OK);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK_STR(hex, KNOWN_DIGEST);
    CHECK_EQ(gm_sm2_verify(key, GM_SM2_DEFAULT_ID, 16, m, n, h.sig, h.siglen), CS_OK);
    CHECK_EQ(gm_sm2_verify(key, "sensor-01", 9, m, n, h.sig, h.siglen), CS_ERR);
    gm_sm2_key_free(key);
}

CS_TEST(status_strings)
{
    for (int s = HUB_SIG_OK; s <= HUB_SIG_INTERNAL; s++)
        CHECK(strcmp(hub_sig_status_str((enum hub_sig_status)s), "unknown status") != 0);
    CHECK_STR(hub_sig_status_str(HUB_SIG_STALE), "stale timestamp");
}

CS_TEST_MAIN()
