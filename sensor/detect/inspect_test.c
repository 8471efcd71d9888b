/* inspect_test.c — the payload inspector: every payload keyword and modifier with a match
 * and a no-match case, Suricata's relative / backtracking cases, transforms and base64. Each
 * case parses a real rule with sn_rule_parse(), sets up a struct sn_detect_thread by hand
 * with one buffer and calls sn_inspect_buffer() on the run of instances of that buffer. */
#include "../../lib/cs_test.h"
#include "detect.h"
#include "kw.h"
#include "kw_pcre.h"

#include <stdint.h>

struct run {
    struct sn_rule *r;
    struct sn_detect_thread t;
    uint32_t first, end;
};

/* The run of buffer `buf` (-1: the buffer of the first payload instance): the consecutive
 * instances of that buffer, sticky-buffer markers excluded. */
static bool run_find(struct run *x, int buf)
{
    struct sn_rule *r = x->r;
    uint32_t i = 0;
    for (; i < r->nkw; i++) {
        const struct sn_kw *kw = r->kw[i].kw;
        if (kw->flags & SN_KW_STICKY)
            continue;
        if (buf < 0 && !(kw->flags & (SN_KW_PAYLOAD | SN_KW_TRANSFORM)) &&
            strcmp(kw->name, "bsize") != 0 && strcmp(kw->name, "urilen") != 0)
            continue;
        if (buf >= 0 && r->kw[i].buffer != buf)
            continue;
        break;
    }
    if (i == r->nkw)
        return false;
    x->first = i;
    for (x->end = i; x->end < r->nkw && r->kw[x->end].buffer == r->kw[i].buffer &&
                     !(r->kw[x->end].kw->flags & SN_KW_STICKY);
         x->end++)
        ;
    x->t.buf_id = r->kw[i].buffer;
    return true;
}

static bool run_new(struct run *x, const char *proto, const char *opts)
{
    char text[4096];
    struct cs_err e = {0};
    memset(x, 0, sizeof(*x));
    snprintf(text, sizeof(text), "alert %s any any -> any any (%s sid:1;)", proto, opts);
    if (sn_rule_parse(text, strlen(text), NULL, &x->r, &e) != CS_OK) {
        printf("# parse error: %s: %s\n", text, e.msg);
        return false;
    }
    sn_inspect_prepare_rule(x->r);
    x->t.rule = x->r;
    return true;
}

static void run_free(struct run *x)
{
    sn_inspect_thread_free(&x->t);
    for (int k = 0; k < 4; k++)
        cs_free(x->t.scratch[k]);
    sn_rule_free(x->r);
}

static bool run_on(struct run *x, const void *buf, size_t len)
{
    x->t.buf = buf;
    x->t.buf_len = (uint32_t)len;
    return sn_inspect_buffer(&x->t, x->first, x->end);
}

/* 1 match, 0 no match, -1 the rule did not parse / has no payload run */
static int insp_proto(const char *proto, const char *opts, const void *buf, size_t len)
{
    struct run x;
    int rc;
    if (!run_new(&x, proto, opts))
        return -1;
    if (!run_find(&x, -1)) {
        run_free(&x);
        return -1;
    }
    rc = run_on(&x, buf, len) ? 1 : 0;
    run_free(&x);
    return rc;
}

/* buf is a string literal (it may hold NUL bytes): its length comes from sizeof */
#define YES(opts, buf) CHECK_EQ(insp_proto("tcp", opts, buf, sizeof(buf) - 1), 1)
#define NO(opts, buf) CHECK_EQ(insp_proto("tcp", opts, buf, sizeof(buf) - 1), 0)
#define HYES(opts, buf) CHECK_EQ(insp_proto("http", opts, buf, sizeof(buf) - 1), 1)
#define HNO(opts, buf) CHECK_EQ(insp_proto("http", opts, buf, sizeof(buf) - 1), 0)

/* ---- content ------------------------------------------------------------------------------ */

CS_TEST(content_plain)
{
    YES("content:\"abc\";", "xxabcxx");
    NO("content:\"abc\";", "xxabxcx");
    YES("content:\"|00 01|A\";", "\x02\x00\x01"
                                 "A");
    NO("content:\"abc\";", "ab");
    NO("content:\"abc\";", "");
    YES("content:\"abc\"; content:\"x\";", "abcx");
    NO("content:\"abc\"; content:\"y\";", "abcx");
}

CS_TEST(content_nocase)
{
    YES("content:\"AbC\"; nocase;", "xxaBcxx");
    NO("content:\"AbC\";", "xxaBcxx");
    YES("content:\"a1-B\"; nocase;", "zzA1-bzz");
    NO("content:\"a1-B\"; nocase;", "zzA1_bzz");
    /* many candidates of the rarer case before the real match */
    YES("content:\"Ab\"; nocase;", "aaaaaaaaaaAAAAAAaB");
    NO("content:\"Ab\"; nocase;", "aaaaaaaaaaAAAAAAa");
}

CS_TEST(content_offset_depth)
{
    YES("content:\"abc\"; offset:2;", "xxabc");
    NO("content:\"abc\"; offset:3;", "xxabc");
    YES("content:\"abc\"; depth:5;", "xxabc");
    NO("content:\"abc\"; depth:4;", "xxabc");
    /* depth counts from offset */
    YES("content:\"abc\"; offset:2; depth:3;", "xxabcyy");
    NO("content:\"abc\"; offset:3; depth:3;", "xxabcyy");
    YES("content:\"abc\"; offset:1; depth:4;", "xxabcyy");
    NO("content:\"abc\"; offset:1; depth:3;", "xxabcyy");
    NO("content:\"abc\"; offset:10;", "xxabc");
}

CS_TEST(content_distance_within)
{
    YES("content:\"a\"; content:\"b\"; distance:2;", "a..b");
    NO("content:\"a\"; content:\"b\"; distance:3;", "a..b");
    YES("content:\"a\"; content:\"b\"; within:3;", "a..b");
    NO("content:\"a\"; content:\"b\"; within:2;", "a..b");
    YES("content:\"a\"; content:\"b\"; distance:1; within:2;", "a.b");
    NO("content:\"a\"; content:\"b\"; distance:1; within:2;", "ab..");
    YES("content:\"a\"; content:\"b\"; distance:0;", "ab");
    NO("content:\"b\"; content:\"a\"; distance:0;", "ab");
}

CS_TEST(content_distance_negative)
{
    /* the second pattern may start before the end of the first */
    YES("content:\"abcd\"; content:\"cd\"; distance:-2; within:2;", "xabcdx");
    NO("content:\"abcd\"; content:\"bc\"; distance:-2; within:2;", "xabcdx");
    YES("content:\"abcd\"; content:\"bc\"; distance:-3; within:2;", "xabcdx");
    /* a negative distance before the buffer start clamps to 0 */
    YES("content:\"ab\"; content:\"xa\"; distance:-10;", "xab");
    NO("content:\"ab\"; content:\"q\"; distance:-10;", "xab");
}

CS_TEST(content_backtracking)
{
    /* the first "a" has no "b" right after it; the retry at the next "a" does */
    YES("content:\"a\"; content:\"b\"; within:1;", "a a b ab");
    NO("content:\"a\"; content:\"b\"; within:1;", "a a b");
    YES("content:\"a\"; content:\"b\"; distance:1; within:1;", "a a b a.b");
    /* three levels */
    YES("content:\"x\"; content:\"y\"; within:1; content:\"z\"; within:1;", "xy xyq xyz");
    NO("content:\"x\"; content:\"y\"; within:1; content:\"z\"; within:1;", "xy xyq xy z");
}

CS_TEST(content_distance_only_no_retry)
{
    /* a distance-only follower does not retry the previous content (Suricata marks it
     * "distance next" only): the first "a" is the best anchor anyway */
    YES("content:\"a\"; content:\"b\"; distance:0;", "a a b");
    NO("content:\"a\"; content:\"b\"; distance:0;", "b a a");
}

CS_TEST(content_negated)
{
    NO("content:!\"abc\";", "xxabcxx");
    YES("content:!\"abc\";", "xxabxcx");
    YES("content:!\"abc\"; depth:4;", "xxxabc");
    NO("content:!\"abc\"; depth:5;", "xxabc");
    YES("content:!\"abc\"; offset:3;", "xxabc");
    NO("content:!\"abc\"; offset:2;", "xxabc");
    YES("content:\"a\"; content:!\"b\"; within:2;", "ac b");
    NO("content:\"a\"; content:!\"b\"; within:2;", "ab");
    /* negated relative: the retry finds an "a" not followed by "b" */
    YES("content:\"a\"; content:!\"b\"; within:2;", "ab ac");
    NO("content:\"a\"; content:!\"b\"; within:2;", "ab ab");
    YES("content:\"a\"; content:!\"b\"; distance:0; within:1;", "ab a");
    /* a negated content with only distance retries too ("relative next") */
    YES("content:\"a\"; content:!\"b\"; distance:0;", "ab a");
    NO("content:\"a\"; content:!\"b\"; distance:0;", "ab ab");
}

CS_TEST(content_startswith_endswith)
{
    YES("content:\"GET\"; startswith;", "GET /");
    NO("content:\"GET\"; startswith;", " GET /");
    YES("content:\".com\"; endswith;", "a.com");
    NO("content:\".com\"; endswith;", "a.com.");
    YES("content:\".com\"; endswith;", ".com.com");
    YES("content:\"COM\"; nocase; endswith;", "a.com");
    YES("content:\"ab\"; startswith; endswith;", "ab");
    NO("content:\"ab\"; startswith; endswith;", "abab");
    YES("content:\"a\"; content:\"z\"; distance:0; endswith;", "a..z");
    NO("content:\"a\"; content:\"z\"; distance:0; endswith;", "a..z.");
    NO("content:!\".com\"; endswith;", "x.com");
    YES("content:!\".com\"; endswith;", "x.com.");
}

CS_TEST(content_rawbytes_fast_pattern)
{
    YES("content:\"abc\"; rawbytes;", "abc");
    YES("content:\"x\"; content:\"abc\"; fast_pattern;", "x abc");
    NO("content:\"x\"; content:\"abc\"; fast_pattern;", "x ab");
    YES("content:\"abcd\"; fast_pattern:1,2;", "abcd");
    NO("content:\"abcd\"; fast_pattern:1,2;", "bc");
}

/* ---- pcre --------------------------------------------------------------------------------- */

CS_TEST(pcre_basic)
{
    YES("pcre:\"/a[0-9]+b/\";", "xx a123b");
    NO("pcre:\"/a[0-9]+b/\";", "xx ab");
    YES("pcre:\"/abc/i\";", "ABC");
    NO("pcre:\"/abc/\";", "ABC");
    YES("pcre:\"/a.b/s\";", "a\nb");
    NO("pcre:\"/a.b/\";", "a\nb");
    YES("pcre:\"/^b$/m\";", "a\nb\nc");
    NO("pcre:\"/^b$/\";", "a\nb\nc");
    YES("pcre:\"/a b c/x\";", "abc");
    NO("pcre:\"/a b c/\";", "abc");
    YES("pcre:\"/bc/\";", "abc");
    NO("pcre:\"/bc/A\";", "abc");
    YES("pcre:\"/ab/A\";", "abc");
    YES("pcre:\"/c$/\";", "abc\n");
    NO("pcre:\"/c$/E\";", "abc\n");
    NO("pcre:!\"/abc/\";", "abc");
    YES("pcre:!\"/abd/\";", "abc");
    YES("pcre:\"/abc/O\";", "abc");
}

CS_TEST(pcre_ungreedy_sets_cursor)
{
    /* G makes a+ lazy: the cursor ends after the first "a", so "aa" follows within 2 */
    YES("pcre:\"/a+/G\"; content:\"aa\"; within:2;", "aaa");
    NO("pcre:\"/a+/\"; content:\"aa\"; within:2;", "aaa");
}

CS_TEST(pcre_relative)
{
    YES("content:\"id=\"; pcre:\"/^[0-9]+/R\";", "x id=123");
    NO("content:\"id=\"; pcre:\"/^[0-9]+/R\";", "x id=abc");
    /* R anchors at the cursor: ^ means right after the content */
    NO("content:\"id=\"; pcre:\"/^1/R\";", "1 id=2");
    /* backtracking into content: the second "id=" is followed by digits */
    YES("content:\"id=\"; pcre:\"/^[0-9]/R\";", "id=x id=5");
    /* pcre then relative content, with pcre retried at its next match */
    YES("pcre:\"/k[0-9]/\"; content:\"!\"; within:1;", "k1 k2!");
    NO("pcre:\"/k[0-9]/\"; content:\"!\"; within:1;", "k1 k2 !");
    YES("pcre:\"/a/\"; content:\"b\"; distance:0;", "a..b");
}

CS_TEST(pcre_match_limit)
{
    /* catastrophic backtracking stops at Suricata's match limit: no match, no hang */
    char buf[64];
    memset(buf, 'a', 40);
    buf[40] = 0;
    CHECK_EQ(insp_proto("tcp", "pcre:\"/(a+)+b/\";", buf, 40), 0);
    CHECK_EQ(insp_proto("tcp", "pcre:\"/(a+)+$/\";", buf, 40), 1);
}

CS_TEST(pcre_prepare_jits)
{
    struct run x;
    size_t jit = 0;
    const struct sn_pcre *pe;
    REQUIRE(run_new(&x, "tcp", "pcre:\"/a[0-9]+b/i\";"));
    REQUIRE(run_find(&x, -1));
    pe = x.r->kw[x.first].data;
    REQUIRE(pe && pe->re);
    CHECK(pcre2_pattern_info(pe->re, PCRE2_INFO_JITSIZE, &jit) == 0);
    CHECK(jit > 0);
    CHECK(run_on(&x, "xA12B", 5));
    CHECK(!run_on(&x, "xA12C", 5));
    run_free(&x);
}

/* ---- isdataat ----------------------------------------------------------------------------- */

CS_TEST(isdataat)
{
    YES("isdataat:4;", "abcde");
    NO("isdataat:5;", "abcde");
    YES("isdataat:!5;", "abcde");
    NO("isdataat:!4;", "abcde");
    YES("content:\"ab\"; isdataat:3,relative;", "abcde");
    NO("content:\"ab\"; isdataat:4,relative;", "abcde");
    /* !isdataat:1,relative: the content ends the buffer */
    YES("content:\"de\"; isdataat:!1,relative;", "abcde");
    NO("content:\"cd\"; isdataat:!1,relative;", "abcde");
    /* negated relative retries the content: the second "ab" ends the buffer */
    YES("content:\"ab\"; isdataat:!1,relative;", "abxab");
    YES("content:\"ab\"; isdataat:1,relative, rawbytes;", "abx");
}

/* ---- bsize, urilen ------------------------------------------------------------------------ */

CS_TEST(bsize)
{
    HYES("http.uri; bsize:5;", "/abcd");
    HNO("http.uri; bsize:5;", "/abc");
    HYES("http.uri; bsize:<5;", "/abc");
    HNO("http.uri; bsize:>5;", "/abc");
    HYES("http.uri; bsize:3<>6;", "/abc");
    HNO("http.uri; bsize:4<>6;", "/abc");
    HYES("http.uri; content:\"/a\"; bsize:4;", "/abc");
    HNO("http.uri; content:\"/a\"; bsize:5;", "/abc");
}

CS_TEST(urilen)
{
    HYES("urilen:4;", "/abc");
    HNO("urilen:5;", "/abc");
    HYES("urilen:<5;", "/abc");
    HYES("urilen:>3, norm;", "/abc");
    HNO("urilen:2<>4;", "/abc");
    HYES("urilen:3<>5, raw;", "/abc");
}

/* ---- byte_test ---------------------------------------------------------------------------- */

CS_TEST(byte_test_binary)
{
    YES("byte_test:2, =, 258, 0;", "\x01\x02");
    NO("byte_test:2, =, 257, 0;", "\x01\x02");
    YES("byte_test:2, =, 513, 0, little;", "\x01\x02");
    YES("byte_test:1, >, 5, 1;", "\x00\x06");
    NO("byte_test:1, >, 6, 1;", "\x00\x06");
    YES("byte_test:1, <, 7, 1;", "\x00\x06");
    YES("byte_test:1, <=, 6, 1;", "\x00\x06");
    YES("byte_test:1, >=, 6, 1;", "\x00\x06");
    NO("byte_test:1, >=, 7, 1;", "\x00\x06");
    YES("byte_test:1, &, 2, 1;", "\x00\x06");
    NO("byte_test:1, &, 1, 1;", "\x00\x06");
    YES("byte_test:1, ^, 1, 1;", "\x00\x06");
    NO("byte_test:1, ^, 6, 1;", "\x00\x06");
    YES("byte_test:1, !=, 7, 1;", "\x00\x06");
    NO("byte_test:1, !=, 6, 1;", "\x00\x06");
    NO("byte_test:4, =, 1, 0;", "\x00\x00\x01"); /* not enough data */
    /* bitmask: 0x0ff0 of 0x1234 is 0x230, shifted right by 4 -> 0x23 */
    YES("byte_test:2, =, 35, 0, bitmask 0x0ff0;", "\x12\x34");
    NO("byte_test:2, =, 0x230, 0, bitmask 0x0ff0;", "\x12\x34");
}

CS_TEST(byte_test_string_relative)
{
    YES("byte_test:3, =, 123, 0, string, dec;", "123");
    NO("byte_test:3, =, 124, 0, string, dec;", "123");
    YES("byte_test:2, =, 255, 0, string, hex;", "ff");
    YES("byte_test:3, =, 8, 0, string, oct;", "010");
    NO("byte_test:3, =, 1, 0, string, dec;", "abc"); /* not a number */
    YES("content:\"len=\"; byte_test:2, >, 10, 0, relative, string, dec;", "xx len=42");
    NO("content:\"len=\"; byte_test:2, >, 50, 0, relative, string, dec;", "xx len=42");
    YES("content:\"A\"; byte_test:1, =, 0x42, 1, relative;", "A.B");
    NO("content:\"A\"; byte_test:1, =, 0x42, 2, relative;", "A.B");
}

/* ---- byte_jump ---------------------------------------------------------------------------- */

CS_TEST(byte_jump)
{
    /* length 3 at 0: jump over "abc" to "X" */
    YES("byte_jump:1, 0; content:\"X\"; within:1;", "\x03"
                                                   "abcX");
    NO("byte_jump:1, 0; content:\"X\"; within:1;", "\x02"
                                                  "abcX");
    YES("byte_jump:1, 0, multiplier 2; content:\"X\"; within:1;", "\x02"
                                                                 "abcdX");
    YES("byte_jump:1, 0, align; content:\"X\"; within:1;", "\x03"
                                                          "abcdX");
    YES("byte_jump:1, 0, post_offset 1; content:\"X\"; within:1;", "\x02"
                                                                  "abcX");
    YES("byte_jump:1, 0, post_offset -1; content:\"X\"; within:1;", "\x04"
                                                                   "abcX");
    YES("byte_jump:1, 0, from_beginning; content:\"X\"; within:1;", "\x03"
                                                                   "abX");
    YES("byte_jump:1, 0, from_end, post_offset 0; content:\"X\"; distance:-1; within:1;",
        "\x00"
        "abX");
    YES("byte_jump:2, 0, little; content:\"X\"; within:1;", "\x01\x00"
                                                           "aX");
    YES("byte_jump:2, 0, string, dec; content:\"X\"; within:1;", "03abcX");
    YES("byte_jump:2, 0, string, hex; content:\"X\"; within:1;", "0aabcdefghijX");
    NO("byte_jump:1, 0;", "\x09"
                          "abc"); /* beyond the end */
    YES("byte_jump:1, 0;", "\x03"
                           "abc"); /* exactly to the end */
}

CS_TEST(byte_jump_relative_then_content)
{
    YES("content:\"L\"; byte_jump:1, 0, relative; content:\"OK\"; within:2;", "xL\x02..OK");
    NO("content:\"L\"; byte_jump:1, 0, relative; content:\"OK\"; within:2;", "xL\x03..OK");
    /* the jump from the second "L" works after the first fails (retry of the content) */
    YES("content:\"L\"; byte_jump:1, 0, relative; content:\"OK\"; within:2;",
        "L\x09 L\x01.OK");
}

/* ---- byte_extract / byte_math ------------------------------------------------------------- */

CS_TEST(byte_extract)
{
    /* the extracted length bounds the next content */
    YES("byte_extract:1, 0, len; content:\"abc\"; within:len;", "\x04"
                                                                 "xabc");
    NO("byte_extract:1, 0, len; content:\"abc\"; within:len;", "\x03"
                                                                "xabc");
    YES("byte_extract:1, 0, off; content:\"Z\"; offset:off;", "\x02"
                                                               "xZ");
    NO("byte_extract:1, 0, off; content:\"Z\"; offset:off;", "\x03"
                                                              "xZ");
    YES("byte_extract:1, 0, d; content:\"Z\"; depth:d;", "\x02Z");
    NO("byte_extract:1, 0, d; content:\"Z\"; offset:1; depth:d;", "\x01.Z");
    YES("byte_extract:1, 0, dist; content:\"Z\"; distance:dist;", "\x01.Z");
    NO("byte_extract:1, 0, dist; content:\"Z\"; distance:dist;", "\x02.Z");
    YES("byte_extract:2, 0, v, string, dec; byte_test:1, =, v, 2;", "65A");
    NO("byte_extract:2, 0, v, string, dec; byte_test:1, =, v, 2;", "66A");
    YES("byte_extract:1, 0, v, multiplier 2; byte_test:1, =, v, 1;", "\x03\x06");
    YES("byte_extract:1, 0, v, align 4; byte_test:1, =, v, 1;", "\x05\x08");
    YES("byte_extract:1, 0, n; isdataat:n;", "\x03xyz");
    NO("byte_extract:1, 0, n; isdataat:n;", "\x04xyz");
    /* relative to a content, and the cursor moves past the extracted bytes */
    YES("content:\"T\"; byte_extract:1, 0, v, relative; content:\"!\"; within:1;", "T\x01!");
}

CS_TEST(byte_math)
{
    YES("byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1, =, r, 1;",
        "\x03\x05");
    NO("byte_math:bytes 1, offset 0, oper +, rvalue 2, result r; byte_test:1, =, r, 1;",
       "\x03\x06");
    YES("byte_math:bytes 1, offset 0, oper -, rvalue 2, result r; byte_test:1, =, r, 1;",
        "\x03\x01");
    YES("byte_math:bytes 1, offset 0, oper *, rvalue 3, result r; byte_test:1, =, r, 1;",
        "\x03\x09");
    YES("byte_math:bytes 1, offset 0, oper /, rvalue 2, result r; byte_test:1, =, r, 1;",
        "\x07\x03");
    NO("byte_math:bytes 1, offset 0, oper /, rvalue 0, result r; byte_test:1, =, 0, 1;",
       "\x07\x00");
    YES("byte_math:bytes 1, offset 0, oper <<, rvalue 2, result r; byte_test:1, =, r, 1;",
        "\x03\x0c");
    YES("byte_math:bytes 1, offset 0, oper >>, rvalue 1, result r; byte_test:1, =, r, 1;",
        "\x08\x04");
    YES("byte_math:bytes 2, offset 0, oper +, rvalue 0, result r, bitmask 0xff00; "
        "byte_test:1, =, r, 2;",
        "\x05\x99\x05");
    YES("byte_extract:1, 0, k; byte_math:bytes 1, offset 1, oper +, rvalue k, result r; "
        "byte_test:1, =, r, 2;",
        "\x02\x03\x05");
    YES("byte_math:bytes 2, offset 0, oper +, rvalue 1, result r, string dec; "
        "byte_test:1, =, r, 2;",
        "12\x0d");
}

/* ---- transforms --------------------------------------------------------------------------- */

CS_TEST(transforms_case_whitespace)
{
    HYES("http.uri; to_lowercase; content:\"/admin\";", "/ADMIN");
    HNO("http.uri; content:\"/admin\";", "/ADMIN");
    HYES("http.uri; to_uppercase; content:\"/ADMIN\";", "/admin");
    HNO("http.uri; to_uppercase; content:\"/admin\";", "/admin");
    HYES("http.uri; strip_whitespace; content:\"a(b)\";", "a (\tb )");
    HNO("http.uri; content:\"a(b)\";", "a (\tb )");
    HYES("http.uri; compress_whitespace; content:\"a b\";", "a  \t b");
    HNO("http.uri; compress_whitespace; content:\"a  b\";", "a   b");
    HYES("http.uri; url_decode; content:\"/a b<\";", "/a+b%3c");
    HNO("http.uri; url_decode; content:\"%3c\";", "/a+b%3c");
    HYES("http.uri; url_decode; content:\"%zz\";", "%zz"); /* invalid escape kept */
    /* Suricata's decoder: "%00%ZZ%4" stays; the byte after a bad '%' is not re-read */
    HYES("http.uri; url_decode; content:\"is 'awesome!'%00%ZZ%4\"; endswith;",
         "Suricata%20is+%27%61wesome%21%27%25%30%30%ZZ%4");
    HYES("http.uri; url_decode; content:\"%%41\"; bsize:4;", "%%41");
    HYES("http.uri; url_decode; content:\"%+\"; bsize:2;", "%+");
    HYES("http.uri; url_decode; content:\"%4+\"; bsize:3;", "%4+");
    HYES("http.uri; dotprefix; content:\".a.com\"; startswith;", "a.com");
    HNO("http.uri; content:\".a.com\";", "a.com");
    /* chained: strip then lower */
    HYES("http.uri; strip_whitespace; to_lowercase; content:\"abc\"; bsize:3;", "A B C");
}

CS_TEST(transforms_hash)
{
    /* md5("abc") = 900150983cd24fb0d6963f7d28e17f72 */
    HYES("http.uri; to_md5; content:\"|90 01 50 98 3c d2 4f b0 d6 96 3f 7d 28 e1 7f 72|\"; "
         "bsize:16;",
         "abc");
    HNO("http.uri; to_md5; content:\"|90 01 50 98|\";", "abd");
    /* sha1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d */
    HYES("http.uri; to_sha1; content:\"|a9 99 3e 36 47 06 81 6a|\"; startswith; bsize:20;", "abc");
    /* sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad */
    HYES("http.uri; to_sha256; content:\"|f2 00 15 ad|\"; endswith; bsize:32;", "abc");
    HNO("http.uri; to_sha256; content:\"|f2 00 15 ad|\"; endswith;", "abcd");
}

CS_TEST(transforms_headers)
{
    HYES("http.header; header_lowercase; content:\"content-type: Text\";",
         "Content-Type: Text\r\nHost: X\r\n");
    HNO("http.header; header_lowercase; content:\"content-type: text\";",
        "Content-Type: Text\r\nHost: X\r\n");
    HYES("http.header; header_lowercase; content:\"host: X\";", "Content-Type: Text\r\nHost: X\r\n");
    HYES("http.header; header_lowercase; content:\"header1: Value1|0a|header2:Value2\";",
         "Header1: Value1\nHEADER2:Value2\n");
    /* the name ends at the first ':', even when it opens the line (pseudo headers) */
    HNO("http.header; header_lowercase; content:\":method\";", ":Method: GET\r\n");
    HYES("http.header; strip_pseudo_headers; content:\"a: b\"; startswith;",
         ":method: GET\r\na: b\r\n");
    HNO("http.header; strip_pseudo_headers; content:\":method\";", ":method: GET\r\na: b\r\n");
    HYES("http.header; strip_pseudo_headers; content:\"a:1|0a|b:2|0a|\"; bsize:8;",
         "a:1\n:m:get\nb:2\n:s:https\n");
    HYES("http.header; strip_pseudo_headers; bsize:0;", ":method:get");
    /* an empty buffer stays empty through every transform (no hash of nothing) */
    HYES("http.uri; dotprefix; to_sha256; bsize:0;", "");
    HNO("http.uri; to_md5; bsize:16;", "");
}

/* ---- base64 ------------------------------------------------------------------------------- */

static int b64(const char *opts, const char *buf, bool *data_run)
{
    struct run x;
    int rc = -1;
    if (!run_new(&x, "tcp", opts))
        return -1;
    if (run_find(&x, SN_BUF_PKT)) {
        rc = run_on(&x, buf, strlen(buf)) ? 1 : 0;
        /* then, as the engine does, the base64_data run on the decoded bytes */
        if (rc == 1 && data_run && run_find(&x, SN_BUF_BASE64_DATA)) {
            *data_run = run_on(&x, NULL, 0);
        }
    }
    run_free(&x);
    return rc;
}

CS_TEST(base64)
{
    bool d = false;
    /* "aGVsbG8gd29ybGQ=" is "hello world" */
    CHECK_EQ(b64("content:\"q=\"; base64_decode:relative; base64_data; content:\"world\";",
                 "GET /?q=aGVsbG8gd29ybGQ=", &d),
             1);
    CHECK(d);
    CHECK_EQ(b64("content:\"q=\"; base64_decode:relative; base64_data; content:\"earth\";",
                 "GET /?q=aGVsbG8gd29ybGQ=", NULL),
             0);
    /* bytes: only "aGVs" ("hel") is decoded */
    CHECK_EQ(b64("content:\"q=\"; base64_decode:bytes 4, relative; base64_data; "
                  "content:\"hel\"; bsize:3;",
                  "q=aGVsbG8gd29ybGQ=", NULL),
             1);
    CHECK_EQ(b64("content:\"q=\"; base64_decode:bytes 4, relative; base64_data; "
                  "content:\"hello\";",
                  "q=aGVsbG8gd29ybGQ=", NULL),
             0);
    /* offset skips bytes of input */
    CHECK_EQ(b64("base64_decode:offset 2; base64_data; content:\"hello\"; startswith;",
                  "q=aGVsbG8=", NULL),
             1);
    CHECK_EQ(b64("base64_decode:offset 3; base64_data; content:\"hello\"; startswith;",
                  "q=aGVsbG8=", NULL),
             0);
    /* decoding stops at the first byte outside the alphabet; '=' only pads */
    CHECK_EQ(b64("base64_decode; base64_data; content:\"hel\"; bsize:3;", "aGVs bG8=", NULL), 1);
    CHECK_EQ(b64("base64_decode; base64_data; content:\"lo\"; endswith;", "aGVsbG8=", NULL), 1);
    CHECK_EQ(b64("base64_decode; base64_data; content:\"low\";", "aGVsbG8=d29y", NULL), 1);
    /* a partial last block: "aGVsb" holds "hel" + 1 byte */
    CHECK_EQ(b64("base64_decode; base64_data; bsize:4;", "aGVsb", NULL), 1);
    CHECK_EQ(b64("base64_decode; base64_data; bsize:4;", "!aGVsb", NULL), 0);
    /* without base64_data nothing can match (Suricata) */
    CHECK_EQ(b64("content:\"q=\"; base64_decode:relative;", "q=aGVsbG8=", NULL), 0);
    /* a failing base64_data does not retry the content before it: Suricata does not mark
     * base64_decode:relative as depending on it (the second q= holds "world") */
    CHECK_EQ(b64("content:\"q=\"; base64_decode:relative; base64_data; content:\"world\";",
                  "q=aGVsbG8= q=d29ybGQ=", NULL),
             0);
    CHECK_EQ(b64("content:\"q=d\"; base64_decode:relative, offset 0; base64_data; "
                  "content:\"orld\";",
                  "q=aGVsbG8= q=d29ybGQ=", NULL),
             0); /* relative starts after "q=d": "29ybGQ=" decodes to other bytes */
    CHECK_EQ(b64("content:\" q=\"; base64_decode:relative; base64_data; content:\"world\";",
                  "q=aGVsbG8= q=d29ybGQ=", &d),
             1);
    /* the data run sees the decoded bytes of the successful decode */
    CHECK(d);
}

/* ---- recursion limit ---------------------------------------------------------------------- */

CS_TEST(recursion_limit)
{
    /* "a" everywhere, "b" within 1 never: every "a" is retried at every level */
    char buf[4096];
    struct run x;
    memset(buf, 'a', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = 0;
    REQUIRE(run_new(&x, "tcp",
                    "content:\"a\"; content:\"a\"; within:1; content:\"a\"; within:1; "
                    "content:\"b\"; within:1;"));
    REQUIRE(run_find(&x, -1));
    CHECK(!run_on(&x, buf, strlen(buf)));
    CHECK_EQ(x.t.inspect_recursion_hits, 1);
    /* a short buffer does not hit the limit */
    CHECK(!run_on(&x, "aaaa", 4));
    CHECK_EQ(x.t.inspect_recursion_hits, 1);
    CHECK(run_on(&x, "aaaab", 5));
    run_free(&x);
}

CS_TEST(cursor_and_vars_out)
{
    struct run x;
    REQUIRE(run_new(&x, "tcp", "content:\"ab\"; byte_extract:1, 0, v, relative;"));
    REQUIRE(run_find(&x, -1));
    CHECK(run_on(&x, "xab\x07yz", 6));
    CHECK_EQ(x.t.cursor, 4);
    CHECK_EQ(x.t.vars[0], 7);
    CHECK(!run_on(&x, "xab", 3));
    run_free(&x);
}

/* ---- differential checks against a brute-force model ------------------------------------- */

static uint32_t rnd_state = 12345;
static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}

static uint8_t lc(uint8_t ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
}

/* whether p occurs in b at some q with lo <= q and q + pl <= hi */
static bool occurs(const char *b, int lo, int hi, const char *p, int pl, bool nocase)
{
    for (int q = lo < 0 ? 0 : lo; q + pl <= hi; q++) {
        int k = 0;
        while (k < pl && (nocase ? lc((uint8_t)b[q + k]) == lc((uint8_t)p[k]) : b[q + k] == p[k]))
            k++;
        if (k == pl)
            return true;
    }
    return false;
}

static void rnd_str(char *out, int n, const char *alpha)
{
    int an = (int)strlen(alpha);
    for (int k = 0; k < n; k++)
        out[k] = alpha[rnd((uint32_t)an)];
    out[n] = 0;
}

CS_TEST(random_content_offset_depth_nocase)
{
    for (int iter = 0; iter < 3000; iter++) {
        char b[40], pat[6], opts[256];
        int bl = (int)rnd(30), pl = 1 + (int)rnd(4), off = (int)rnd(8), dep = pl + (int)rnd(10);
        bool nocase = rnd(2), use_off = rnd(2), use_dep = rnd(2);
        int lo, hi, got;
        bool want;
        rnd_str(b, bl, "aAbB-");
        rnd_str(pat, pl, "aAbB");
        snprintf(opts, sizeof(opts), "content:\"%s\";%s", pat, nocase ? " nocase;" : "");
        if (use_off)
            snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " offset:%d;", off);
        if (use_dep)
            snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " depth:%d;", dep);
        lo = use_off ? off : 0;
        hi = use_dep ? lo + dep : bl;
        if (hi > bl)
            hi = bl;
        want = occurs(b, lo, hi, pat, pl, nocase);
        got = insp_proto("tcp", opts, b, (size_t)bl);
        if (got != (int)want) {
            CS_FAILF("%s on \"%s\": got %d want %d", opts, b, got, want);
            return;
        }
    }
}

CS_TEST(random_relative_pair)
{
    /* content:A; content:B; distance:d; within:w — Suricata retries every occurrence of A
     * (B has within), so the rule matches when some A is followed by B inside its window */
    for (int iter = 0; iter < 3000; iter++) {
        char b[40], pa[4], pb[4], opts[256];
        int bl = (int)rnd(24), la = 1 + (int)rnd(2), lb = 1 + (int)rnd(2);
        int d = (int)rnd(11) - 5, w = lb + (int)rnd(4), got;
        bool want = false;
        rnd_str(b, bl, "abc");
        rnd_str(pa, la, "ab");
        rnd_str(pb, lb, "bc");
        snprintf(opts, sizeof(opts), "content:\"%s\"; content:\"%s\"; distance:%d; within:%d;",
                 pa, pb, d, w);
        for (int p = 0; p + la <= bl && !want; p++) {
            int prev = p + la, off, hi;
            if (!occurs(b, p, p + la, pa, la, false))
                continue;
            off = (d < 0 && -d > prev) ? 0 : prev + d;
            hi = prev + d + w;
            if (hi > bl)
                hi = bl;
            want = occurs(b, off, hi, pb, lb, false);
        }
        got = insp_proto("tcp", opts, b, (size_t)bl);
        if (got != (int)want) {
            CS_FAILF("%s on \"%s\": got %d want %d", opts, b, got, want);
            return;
        }
    }
}

CS_TEST_MAIN()
