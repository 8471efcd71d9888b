/* json_test.c — the strict JSON tokenizer: valid documents, every class of hostile input. */
#include "json.h"

#include "../../lib/cs_test.h"

static int parse(struct hub_json_doc *d, const char *s, struct hub_json_err *e)
{
    return hub_json_parse(d, s, strlen(s), NULL, e);
}

CS_TEST(json_object_members_and_types)
{
    struct hub_json_doc d;
    struct hub_json_err e;
    const char *s = " {\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\\u00e9y\"},\"e\":-2.5e3} ";
    uint32_t v;
    int64_t i;
    double x;
    char buf[16];

    hub_json_doc_init(&d);
    REQUIRE(parse(&d, s, &e) == CS_OK);
    CHECK_EQ(d.toks[0].type, HUB_JSON_OBJECT);
    CHECK_EQ(d.toks[0].len, 4);
    CHECK_EQ(d.toks[0].next, d.ntoks);
    v = hub_json_get(&d, 0, "a", 1);
    REQUIRE(v);
    CHECK(hub_json_int(&d, v, &i) == CS_OK && i == 1);
    v = hub_json_get(&d, 0, "b", 1);
    CHECK_EQ(d.toks[v].type, HUB_JSON_ARRAY);
    CHECK_EQ(d.toks[v].len, 3);
    CHECK_EQ(d.toks[v + 1].type, HUB_JSON_TRUE);
    CHECK_EQ(d.toks[v + 3].type, HUB_JSON_NULL);
    v = hub_json_get(&d, hub_json_get(&d, 0, "c", 1), "d", 1);
    REQUIRE(v);
    CHECK_EQ(hub_json_str_decode(&d, v, buf, sizeof(buf)), 4);
    CHECK_STR(buf, "x\xc3\xa9y");
    CHECK(hub_json_str_eq(&d, v, "x\xc3\xa9y", 4));
    v = hub_json_get(&d, 0, "e", 1);
    CHECK(hub_json_int(&d, v, &i) == CS_EINVAL);
    CHECK(hub_json_double(&d, v, &x) == CS_OK && x == -2500.0);
    CHECK_EQ(hub_json_get(&d, 0, "zz", 2), 0);
    hub_json_doc_free(&d);
}

CS_TEST(json_surrogate_pair_and_escapes_decode)
{
    struct hub_json_doc d;
    char buf[32];

    hub_json_doc_init(&d);
    REQUIRE(parse(&d, "\"\\ud83d\\ude00 \\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\"", NULL) == CS_OK);
    CHECK_EQ(hub_json_str_decode(&d, 0, buf, sizeof(buf)), 4 + 1 + 8 + 1);
    CHECK(memcmp(buf, "\xf0\x9f\x98\x80 \"\\/\b\f\n\r\t\0", 14) == 0);
    hub_json_doc_free(&d);
}

CS_TEST(json_integer_bounds)
{
    struct hub_json_doc d;
    int64_t v;
    double x;

    hub_json_doc_init(&d);
    REQUIRE(parse(&d, "[9223372036854775807,-9223372036854775808,9223372036854775808,"
                      "123456789012345678901234567890,1e400]",
                  NULL) == CS_OK);
    CHECK(hub_json_int(&d, 1, &v) == CS_OK && v == INT64_MAX);
    CHECK(hub_json_int(&d, 2, &v) == CS_OK && v == INT64_MIN);
    CHECK_EQ(hub_json_int(&d, 3, &v), CS_ELIMIT);
    CHECK_EQ(hub_json_int(&d, 4, &v), CS_ELIMIT);
    CHECK_EQ(hub_json_double(&d, 5, &x), CS_ELIMIT);
    hub_json_doc_free(&d);
}

struct bad {
    const char *text;
    size_t len; /* 0: strlen */
    int code;
    size_t offset;
};

CS_TEST(json_rejects_hostile_input_with_offsets)
{
    static const struct bad cases[] = {
        {"", 0, CS_EINVAL, 0},
        {"{\"a\":1", 0, CS_EINVAL, 6},            /* truncated */
        {"{\"a\":\"abc", 0, CS_EINVAL, 9},        /* unterminated string */
        {"{\"a\":1,}", 0, CS_EINVAL, 7},          /* trailing comma */
        {"[1,]", 0, CS_EINVAL, 3},
        {"{\"a\":1}x", 0, CS_EINVAL, 7},          /* trailing data */
        {"{\"a\":1,\"a\":2}", 0, CS_EINVAL, 7},   /* duplicate key */
        {"{\"a\":1,\"\\u0061\":2}", 0, CS_EINVAL, 7}, /* duplicate after decoding */
        {"{\"a\":\"\xc3\x28\"}", 0, CS_EINVAL, 6},   /* invalid UTF-8 */
        {"{\"a\":\"\xc0\xaf\"}", 0, CS_EINVAL, 6},   /* overlong */
        {"{\"a\":\"\xed\xa0\x80\"}", 0, CS_EINVAL, 6}, /* encoded surrogate */
        {"{\"a\":\"\xf4\x90\x80\x80\"}", 0, CS_EINVAL, 6}, /* above U+10FFFF */
        {"{\"a\":\"\\ud800\"}", 0, CS_EINVAL, 6},   /* lone high surrogate */
        {"{\"a\":\"\\udc00\"}", 0, CS_EINVAL, 6},   /* lone low surrogate */
        {"{\"a\":\"\\x41\"}", 0, CS_EINVAL, 6},     /* bad escape */
        {"{\"a\":\"\\u12G4\"}", 0, CS_EINVAL, 6},
        {"{\"a\":\"x\ty\"}", 0, CS_EINVAL, 7},      /* raw control character */
        {"{\"a\":\"x\0y\"}", 11, CS_EINVAL, 7},     /* NUL inside a string */
        {"{\"a\":1}\0", 8, CS_EINVAL, 7},           /* NUL after the value */
        {"{\"a\":01}", 0, CS_EINVAL, 6},            /* leading zero */
        {"{\"a\":1.}", 0, CS_EINVAL, 7},
        {"{\"a\":-}", 0, CS_EINVAL, 6},
        {"{\"a\":1e}", 0, CS_EINVAL, 7},
        {"{\"a\":NaN}", 0, CS_EINVAL, 5},
        {"{\"a\":tru}", 0, CS_EINVAL, 5},
        {"{a:1}", 0, CS_EINVAL, 1},
        {"{\"a\" 1}", 0, CS_EINVAL, 5},
        {"/* c */{}", 0, CS_EINVAL, 0},
    };
    struct hub_json_doc d;
    struct hub_json_err e;

    hub_json_doc_init(&d);
    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++) {
        size_t n = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int rc = hub_json_parse(&d, cases[i].text, n, NULL, &e);
        if (rc != cases[i].code || e.offset != cases[i].offset)
            CS_FAILF("case %zu: rc %d offset %zu (%s)", i, rc, e.offset, rc ? e.msg : "");
        CHECK_EQ(d.ntoks, 0);
    }
    hub_json_doc_free(&d);
}

CS_TEST(json_limits_depth_size_tokens)
{
    struct hub_json_doc d;
    struct hub_json_err e;
    struct hub_json_limits lim = {.max_depth = 8, .max_len = 64, .max_tokens = 5};
    char deep[4096];

    hub_json_doc_init(&d);
    memset(deep, '[', sizeof(deep));
    CHECK_EQ(hub_json_parse(&d, deep, sizeof(deep), NULL, &e), CS_ELIMIT);
    CHECK_EQ(e.offset, 64); /* the 65th '[' */
    CHECK_EQ(hub_json_parse(&d, "[[[[[[[[[1]]]]]]]]]", 19, &lim, &e), CS_ELIMIT);
    CHECK_EQ(hub_json_parse(&d, "[[[[[[[[1]]]]]]]]", 17, &lim, &e), CS_ELIMIT); /* 9 tokens */
    lim.max_tokens = 0;
    CHECK_EQ(hub_json_parse(&d, "[[[[[[[[1]]]]]]]]", 17, &lim, &e), CS_OK);
    CHECK_EQ(hub_json_parse(&d, deep, 65, &lim, &e), CS_ELIMIT);
    CHECK_STR(e.msg, "record too long");
    lim.allow_dup_keys = true;
    CHECK_EQ(hub_json_parse(&d, "{\"a\":1,\"a\":2}", 13, &lim, &e), CS_OK);
    CHECK_EQ(hub_json_get(&d, 0, "a", 1), 2); /* the first one wins */
    hub_json_doc_free(&d);
}

CS_TEST(json_duplicate_keys_in_large_object)
{
    struct hub_json_doc d;
    struct hub_json_err e;
    char buf[2048];
    size_t n = 0;

    hub_json_doc_init(&d);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "}");
    CHECK_EQ(hub_json_parse(&d, buf, n, NULL, &e), CS_OK);
    CHECK_EQ(d.toks[0].len, 100);
    buf[n - 1] = ',';
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\"k\\u0037\":0}");
    CHECK_EQ(hub_json_parse(&d, buf, n, NULL, &e), CS_EINVAL);
    CHECK_STR(e.msg, "duplicate key");
    hub_json_doc_free(&d);
}

CS_TEST_MAIN()
