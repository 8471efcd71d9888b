/* token_test.c — token and session id generation, syntax, stored forms, expiry. */
#include "auth.h"

#include "../../lib/cs_test.h"

static const uint8_t server_key[32] = "citysoc test server key 0123456";

CS_TEST(new_token_shape_and_stored_form)
{
    char tok[HUB_TOKEN_STR_LEN + 1], st[HUB_TOKEN_STORED_LEN + 1], again[HUB_TOKEN_STORED_LEN + 1];
    uint8_t d[32];
    char hex[65];

    REQUIRE(hub_token_new(HUB_TOKEN_API, server_key, sizeof(server_key), tok, st) == CS_OK);
    CHECK_EQ(strlen(tok), 47);
    CHECK(strncmp(tok, "cst_", 4) == 0);
    CHECK_EQ(strlen(st), 64);
    CHECK(hub_token_well_formed(HUB_TOKEN_API, tok, strlen(tok)));
    CHECK(!hub_token_well_formed(HUB_TOKEN_SESSION, tok, strlen(tok)));
    /* The stored form is hex HMAC-SM3(key, printable token), recomputed independently. */
    REQUIRE(gm_hmac_sm3(server_key, sizeof(server_key), tok, strlen(tok), d) == CS_OK);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK_STR(st, hex);
    REQUIRE(hub_token_stored_form(HUB_TOKEN_API, server_key, sizeof(server_key), tok,
                                  strlen(tok), again) == CS_OK);
    CHECK_STR(again, st);
    CHECK(hub_token_stored_equal(again, st));
    /* Another key gives another stored form; the token no longer matches. */
    REQUIRE(hub_token_stored_form(HUB_TOKEN_API, (const uint8_t *)"other", 5, tok, strlen(tok),
                                  again) == CS_OK);
    CHECK(!hub_token_stored_equal(again, st));
    /* Without a key: plain SM3. */
    REQUIRE(hub_token_stored_form(HUB_TOKEN_API, NULL, 0, tok, strlen(tok), again) == CS_OK);
    REQUIRE(gm_sm3(tok, strlen(tok), d) == CS_OK);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK_STR(again, hex);
}

CS_TEST(session_ids_have_their_own_prefix)
{
    char tok[HUB_TOKEN_STR_LEN + 1], st[HUB_TOKEN_STORED_LEN + 1], x[HUB_TOKEN_STORED_LEN + 1];

    REQUIRE(hub_token_new(HUB_TOKEN_SESSION, NULL, 0, tok, st) == CS_OK);
    CHECK(strncmp(tok, "css_", 4) == 0);
    CHECK(hub_token_well_formed(HUB_TOKEN_SESSION, tok, strlen(tok)));
    /* Presented as an API token, it is refused before hashing. */
    CHECK_EQ(hub_token_stored_form(HUB_TOKEN_API, NULL, 0, tok, strlen(tok), x), CS_EINVAL);
    CHECK_STR(x, "");
    CHECK_EQ(hub_token_new((enum hub_token_kind)7, NULL, 0, tok, st), CS_EINVAL);
}

CS_TEST(tokens_unique)
{
    enum { N = 2000 };
    static char toks[N][HUB_TOKEN_STR_LEN + 1];
    char st[HUB_TOKEN_STORED_LEN + 1];
    int dup = 0;

    for (int i = 0; i < N; i++)
        REQUIRE(hub_token_new(HUB_TOKEN_API, server_key, 32, toks[i], st) == CS_OK);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            dup += strcmp(toks[i], toks[j]) == 0;
    CHECK_EQ(dup, 0);
}

CS_TEST(malformed_tokens_refused)
{
    char tok[HUB_TOKEN_STR_LEN + 1], st[HUB_TOKEN_STORED_LEN + 1], bad[64];

    REQUIRE(hub_token_new(HUB_TOKEN_API, NULL, 0, tok, st) == CS_OK);
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, tok, 46));           /* short */
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, NULL, 47));
    strcpy(bad, tok);
    bad[10] = '+'; /* standard, not url alphabet */
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, bad, 47));
    strcpy(bad, tok);
    bad[0] = 'C';
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, bad, 47));
    /* The last character carries 2 unused bits: a non-canonical one is refused, so one
     * token has one spelling. 'B' = 1 (unused bit set). */
    strcpy(bad, tok);
    bad[46] = 'B';
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, bad, 47));
    bad[46] = 'E'; /* 4 = 0b000100: unused bits clear */
    CHECK(hub_token_well_formed(HUB_TOKEN_API, bad, 47));
    strcpy(bad, tok);
    strcat(bad, "A");
    CHECK(!hub_token_well_formed(HUB_TOKEN_API, bad, 48));
}

CS_TEST(stored_equal)
{
    const char *a = "0000000000000000000000000000000000000000000000000000000000000000";
    const char *b = "0000000000000000000000000000000000000000000000000000000000000001";

    CHECK(hub_token_stored_equal(a, a));
    CHECK(!hub_token_stored_equal(a, b));
    CHECK(!hub_token_stored_equal(a, "00"));
    CHECK(!hub_token_stored_equal(NULL, a));
}

CS_TEST(expiry)
{
    CHECK_EQ(hub_token_expiry(1000, 60), 1060);
    CHECK_EQ(hub_token_expiry(1000, 0), 0);
    CHECK_EQ(hub_token_expiry(INT64_MAX - 5, 60), INT64_MAX);
    CHECK(!hub_token_expired(1059, 1060));
    CHECK(hub_token_expired(1060, 1060));
    CHECK(!hub_token_expired(99999999, 0));
    /* idle 30 min, absolute 12 h */
    CHECK(hub_session_alive(10000, 9000, 9500, 1800, 43200));
    CHECK(!hub_session_alive(11300, 9000, 9500, 1800, 43200)); /* idle */
    CHECK(!hub_session_alive(9000 + 43200, 9000, 9000 + 43000, 1800, 43200)); /* absolute */
    CHECK(!hub_session_alive(10000, 20000, 20000, 1800, 43200)); /* created in the future */
    CHECK(hub_session_alive(10000, 10030, 10030, 1800, 43200));  /* small skew */
    CHECK(!hub_session_alive(INT64_MIN, INT64_MAX, INT64_MAX, 1, 1));
    CHECK(!hub_session_alive(INT64_MAX, INT64_MIN, INT64_MIN, 1, 1));
    CHECK(hub_session_alive(INT64_MAX, INT64_MIN, INT64_MAX, 0, 0));
}

CS_TEST_MAIN()
