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

CS_TEST_MAIN()
