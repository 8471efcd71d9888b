#include "cs_json.h"
#include "cs_test.h"

static const char *text(struct cs_json *j)
{
    cs_json_append(j, "", 1); /* NUL terminator, not counted */
    j->len--;
    return j->buf;
}

CS_TEST(json_object_and_array)
{
    struct cs_json j;
    cs_json_init(&j);
    cs_json_open(&j, NULL);
    cs_json_str(&j, "a", "x");
    cs_json_int(&j, "n", -42);
    cs_json_uint(&j, "u", 18446744073709551615ull);
    cs_json_open_arr(&j, "v");
    cs_json_int(&j, NULL, 1);
    cs_json_int(&j, NULL, 10);
    cs_json_close_arr(&j);
    cs_json_bool(&j, "t", true);
    cs_json_null(&j, "z");
    cs_json_open(&j, "o");
    cs_json_close(&j);
    cs_json_close(&j);
    CHECK(cs_json_ok(&j));
    CHECK_STR(text(&j),
              "{\"a\":\"x\",\"n\":-42,\"u\":18446744073709551615,\"v\":[1,10],\"t\":true,"
              "\"z\":null,\"o\":{}}");
    cs_json_free(&j);
}

CS_TEST(json_int_min)
{
    struct cs_json j;
    cs_json_init(&j);
    cs_json_int(&j, NULL, INT64_MIN);
    CHECK_STR(text(&j), "-9223372036854775808");
    cs_json_free(&j);
}

CS_TEST(json_escapes_control_and_quotes)
{
    struct cs_json j;
    cs_json_init(&j);
    cs_json_strn(&j, NULL, "a\"b\\c\n\r\t\x01\x7f", 10);
    CHECK_STR(text(&j), "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f\"");
    cs_json_free(&j);
}

CS_TEST(json_utf8_valid_kept_invalid_escaped)
{
    struct cs_json j;
    cs_json_init(&j);
    /* 城市 valid; lone 0xff, overlong 0xc0 0xaf, surrogate ED A0 80, truncated E5 */
    cs_json_strn(&j, NULL, "\xe5\x9f\x8e\xe5\xb8\x82\xff\xc0\xaf\xed\xa0\x80\xe5", 13);
    CHECK_STR(text(&j), "\"城市\\u00ff\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00e5\"");
    cs_json_free(&j);
}

CS_TEST(json_embedded_nul)
{
    struct cs_json j;
    cs_json_init(&j);
    cs_json_strn(&j, "k\x00", "a\0b", 3);
    CHECK_STR(text(&j), "\"k\":\"a\\u0000b\"");
    cs_json_free(&j);
}

CS_TEST(json_limit_sets_error)
{
    struct cs_json j;
    cs_json_init(&j);
    j.max = 16;
    cs_json_open(&j, NULL);
    cs_json_str(&j, "key", "a long value that does not fit");
    cs_json_close(&j);
    CHECK_EQ(j.err, CS_ELIMIT);
    CHECK(!cs_json_ok(&j));
    cs_json_reset(&j);
    CHECK(cs_json_ok(&j));
    cs_json_free(&j);
}

CS_TEST(json_depth_limit)
{
    struct cs_json j;
    cs_json_init(&j);
    for (int i = 0; i < 40; i++)
        cs_json_open_arr(&j, NULL);
    CHECK_EQ(j.err, CS_ELIMIT);
    cs_json_free(&j);
}

CS_TEST(json_double)
{
    struct cs_json j;
    cs_json_init(&j);
    cs_json_open_arr(&j, NULL);
    cs_json_double(&j, NULL, 0.5);
    cs_json_double(&j, NULL, 1.0 / 0.0);
    cs_json_close_arr(&j);
    CHECK_STR(text(&j), "[0.5,null]");
    cs_json_free(&j);
}

/* The one-pass paths for keys and short strings: every length around the 4-byte rounds and
 * the 64-byte limit, a byte needing escape at each position, exactly as the general path. */
CS_TEST(json_short_paths_match_general)
{
    char s[80], want[200];
    struct cs_json j;

    for (size_t n = 0; n <= 70; n++) {
        for (size_t bad = 0; bad <= n; bad++) { /* bad == n: all plain */
            size_t w = 0;
            memset(s, 'a', n);
            s[n] = 0;
            if (bad < n)
                s[bad] = '"';
            want[w++] = '{';
            want[w++] = '"';
            for (size_t i = 0; i < n; i++) {
                if (s[i] == '"')
                    want[w++] = '\\';
                want[w++] = s[i];
            }
            memcpy(want + w, "\":\"", 3);
            w += 3;
            for (size_t i = 0; i < n; i++) {
                if (s[i] == '"')
                    want[w++] = '\\';
                want[w++] = s[i];
            }
            memcpy(want + w, "\",\"k\":7}", 9);
            cs_json_init(&j);
            cs_json_open(&j, NULL);
            cs_json_str(&j, s, s); /* the string as key and as value */
            cs_json_uint(&j, "k", 7);
            cs_json_close(&j);
            REQUIRE(cs_json_ok(&j));
            CHECK_STR(text(&j), want);
            cs_json_free(&j);
        }
    }
}

/* A fast path asks for more room than it uses: near the size limit it must fall back, not
 * fail the record. */
CS_TEST(json_short_path_near_limit)
{
    struct cs_json j;
    cs_json_init(&j);
    j.max = 26; /* the 25-byte record and text()'s NUL */
    cs_json_open(&j, NULL);
    cs_json_str(&j, "a", "bcdefgh");
    cs_json_uint(&j, "n", 12345);
    cs_json_close(&j);
    CHECK(cs_json_ok(&j));
    CHECK_STR(text(&j), "{\"a\":\"bcdefgh\",\"n\":12345}");
    cs_json_free(&j);
}

CS_TEST(json_uint_digits)
{
    static const uint64_t v[] = {0, 9, 10, 99, 100, 101, 999, 1000, 65535, 4294967296ull};
    static const char *want = "[0,9,10,99,100,101,999,1000,65535,4294967296]";
    struct cs_json j;
    cs_json_init(&j);
    cs_json_open_arr(&j, NULL);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        cs_json_uint(&j, NULL, v[i]);
    cs_json_close_arr(&j);
    CHECK(cs_json_ok(&j));
    CHECK_STR(text(&j), want);
    cs_json_free(&j);
}

CS_TEST_MAIN()
