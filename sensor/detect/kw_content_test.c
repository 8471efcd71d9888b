/* kw_content_test.c — content and its modifiers, sticky buffers and old-style modifiers,
 * pcre flags and compile errors, and the byte_* / isdataat family. */
#include "../../lib/cs_test.h"
#include "kw_content.h"
#include "kw_payload.h"
#include "kw_pcre.h"

static struct sn_rule *parse(const char *opts, struct cs_err *e)
{
    char text[2048];
    struct sn_rule *r = NULL;
    struct cs_err tmp;
    if (!e)
        e = &tmp;
    memset(e, 0, sizeof(*e));
    snprintf(text, sizeof(text), "alert http any any -> any any (%s sid:1;)", opts);
    if (sn_rule_parse(text, strlen(text), NULL, &r, e) != CS_OK)
        return NULL;
    return r;
}

/* Options start at column 32, after "alert http any any -> any any (". */
static bool fails(const char *opts, int col, const char *msg)
{
    struct cs_err e;
    struct sn_rule *r = parse(opts, &e);
    if (r) {
        printf("# unexpectedly parsed: %s\n", opts);
        sn_rule_free(r);
        return false;
    }
    if ((col && e.col != col) || !strstr(e.msg, msg)) {
        printf("# %s\n#   got col %d '%s', want col %d '%s'\n", opts, e.col, e.msg, col, msg);
        return false;
    }
    return true;
}

static struct sn_content *content_at(struct sn_rule *r, int nth)
{
    for (uint32_t i = 0; i < r->nkw; i++)
        if (sn_kw_is_content(&r->kw[i]) && nth-- == 0)
            return r->kw[i].data;
    return NULL;
}

static int content_buf(struct sn_rule *r, int nth)
{
    for (uint32_t i = 0; i < r->nkw; i++)
        if (sn_kw_is_content(&r->kw[i]) && nth-- == 0)
            return r->kw[i].buffer;
    return -1;
}

CS_TEST(content_bytes)
{
    struct sn_rule *r = parse("content:\"GET |20 2f|a\\\"b\\;c\\\\|0a|\"; content:!\"x\"; "
                              "content:|41 42 43|; content:\"a|3A|b\";",
                              NULL);
    struct sn_content *c;
    REQUIRE(r);
    c = content_at(r, 0);
    REQUIRE(c);
    CHECK_EQ(c->len, 13);
    CHECK(memcmp(c->pat, "GET  /a\"b;c\\\n", 13) == 0);
    CHECK(!(c->flags & SN_CONTENT_NEGATED));
    c = content_at(r, 1);
    REQUIRE(c);
    CHECK(c->flags & SN_CONTENT_NEGATED);
    c = content_at(r, 2);
    REQUIRE(c);
    CHECK_EQ(c->len, 3);
    CHECK(memcmp(c->pat, "ABC", 3) == 0);
    c = content_at(r, 3);
    REQUIRE(c);
    CHECK(memcmp(c->pat, "a:b", 3) == 0);
    sn_rule_free(r);

    CHECK(fails("content:\"|4|\";", 32, "odd number of hex digits"));
    CHECK(fails("content:\"|4G|\";", 32, "invalid hex character 'G'"));
    CHECK(fails("content:\"|41\";", 32, "unterminated hex"));
    CHECK(fails("content:\"\";", 32, "empty pattern"));
    CHECK(fails("content:\"abc;", 32, "unterminated string"));
    CHECK(fails("content:\"a\\x\";", 32, "invalid escape"));
    CHECK(fails("content:\"abc\\\";", 32, "unterminated string"));
    CHECK(fails("msg:\"m\"; content:\"a\"b\";", 41, "unescaped"));
}

CS_TEST(content_modifiers)
{
    struct sn_rule *r = parse("content:\"abcd\"; nocase; depth:10; offset:2; fast_pattern; "
                              "content:\"ef\"; distance:-2; within:8; rawbytes; "
                              "content:\"gh\"; startswith; content:\"ij\"; endswith; "
                              "content:\"klmnop\"; fast_pattern:1,3;",
                              NULL);
    struct sn_content *c;
    REQUIRE(!r);
    /* one fast_pattern per rule: the second one is refused */
    r = parse("content:\"abcd\"; nocase; depth:10; offset:2; fast_pattern; "
              "content:\"ef\"; distance:-2; within:8; "
              "content:\"gh\"; startswith; content:\"ij\"; endswith; content:\"klmnop\";",
              NULL);
    REQUIRE(r);
    c = content_at(r, 0);
    CHECK_EQ(c->flags & (SN_CONTENT_NOCASE | SN_CONTENT_DEPTH | SN_CONTENT_OFFSET |
                         SN_CONTENT_FAST_PATTERN),
             SN_CONTENT_NOCASE | SN_CONTENT_DEPTH | SN_CONTENT_OFFSET | SN_CONTENT_FAST_PATTERN);
    CHECK_EQ(c->depth.v, 10);
    CHECK_EQ(c->offset.v, 2);
    c = content_at(r, 1);
    CHECK_EQ(c->distance.v, -2);
    CHECK_EQ(c->within.v, 8);
    CHECK(!(c->flags & SN_CONTENT_NOCASE));
    c = content_at(r, 2);
    CHECK(c->flags & SN_CONTENT_STARTSWITH);
    CHECK_EQ(c->depth.v, 2);
    c = content_at(r, 3);
    CHECK(c->flags & SN_CONTENT_ENDSWITH);
    sn_rule_free(r);

    r = parse("content:\"klmnop\"; fast_pattern:1,3; content:\"q\"; content:\"rs\"; "
              "fast_pattern:only;",
              NULL);
    REQUIRE(!r);
    r = parse("content:\"klmnop\"; fast_pattern:1,3;", NULL);
    REQUIRE(r);
    c = content_at(r, 0);
    CHECK(c->flags & SN_CONTENT_FP_CHOP);
    CHECK_EQ(c->fp_off, 1);
    CHECK_EQ(c->fp_len, 3);
    sn_rule_free(r);
    r = parse("content:\"rs\"; fast_pattern:only;", NULL);
    REQUIRE(r);
    CHECK(content_at(r, 0)->flags & SN_CONTENT_FP_ONLY);
    sn_rule_free(r);

    CHECK(fails("nocase;", 32, "needs a preceding content"));
    CHECK(fails("content:\"a\"; nocase; nocase;", 53, "twice"));
    CHECK(fails("content:\"abcd\"; depth:2;", 48, "smaller than the content length"));
    CHECK(fails("content:\"ab\"; within:1;", 46, "smaller than the content length"));
    CHECK(fails("content:\"a\"; depth:5; distance:1;", 54, "cannot be combined"));
    CHECK(fails("content:\"a\"; within:5; offset:1;", 55, "cannot be combined"));
    CHECK(fails("content:\"a\"; depth:5; startswith;", 54, "cannot be combined"));
    CHECK(fails("content:\"a\"; depth:x;", 45, "unknown variable 'x'"));
    CHECK(fails("content:\"a\"; offset:-1;", 45, "invalid value"));
    CHECK(fails("content:\"abc\"; fast_pattern:2,5;", 47, "goes past"));
    CHECK(fails("content:\"abc\"; fast_pattern:sometimes;", 47, "invalid fast_pattern"));
    CHECK(fails("content:!\"abc\"; fast_pattern:only;", 48, "negated"));
    CHECK(fails("content:\"abc\"; depth:3; fast_pattern:only;", 56, "cannot be combined"));
    CHECK(
        fails("content:\"a\"; fast_pattern; content:\"b\"; fast_pattern;", 72, "only one content"));
    CHECK(fails("http.uri; content:\"a\"; rawbytes;", 55, "rawbytes"));
}

CS_TEST(sticky_buffers_and_modifiers)
{
    struct sn_rule *r = parse("content:\"GET\"; http_method; content:\"/a\"; http_uri; "
                              "content:\"x\"; http.host; content:\"h\"; pkt_data; content:\"p\"; "
                              "file_data; content:\"f\"; dns_query; content:\"d\";",
                              NULL);
    CHECK(r == NULL); /* dns_query in an http rule */
    r = parse("content:\"GET\"; http_method; content:\"/a\"; http_uri; "
              "content:\"x\"; http.host; content:\"h\"; pkt_data; content:\"p\"; "
              "file_data; content:\"f\"; uricontent:\"u\"; content:\"g\";",
              NULL);
    REQUIRE(r);
    CHECK_EQ(content_buf(r, 0), SN_BUF_HTTP_METHOD);
    CHECK_EQ(content_buf(r, 1), SN_BUF_HTTP_URI);
    CHECK_EQ(content_buf(r, 2), SN_BUF_PKT);
    CHECK_EQ(content_buf(r, 3), SN_BUF_HTTP_HOST);
    CHECK_EQ(content_buf(r, 4), SN_BUF_PKT);
    CHECK_EQ(content_buf(r, 5), SN_BUF_FILE_DATA);
    CHECK_EQ(content_buf(r, 6), SN_BUF_HTTP_URI);  /* uricontent */
    CHECK_EQ(content_buf(r, 7), SN_BUF_FILE_DATA); /* the sticky buffer is still active */
    CHECK_STR(sn_buf_name(SN_BUF_HTTP_URI), "http.uri");
    CHECK_STR(sn_buf_proto(SN_BUF_TLS_SNI), "tls");
    sn_rule_free(r);
    CHECK(fails("http_uri;", 32, "needs a preceding content"));
    CHECK(fails("content:\"a\"; http_uri; http_header;", 55, "already in buffer 'http.uri'"));
    CHECK(fails("http.uri; bsize;", 42, "needs a value"));
    CHECK(fails("bsize:10;", 32, "needs a sticky buffer"));
    CHECK(fails("http.uri:1;", 32, "takes no value"));
}

CS_TEST(pcre_flags)
{
    struct sn_rule *r = parse("content:\"a\"; pcre:\"/^x[0-9]+\\;y/smiR\"; "
                              "pcre:!\"/foo/Ui\"; http.header; pcre:\"/bar/H\"; "
                              "pcre:\"/z/AEGO\";",
                              NULL);
    struct sn_pcre *p;
    int i;
    REQUIRE(r);
    i = sn_rule_find_kw(r, "pcre", 0);
    REQUIRE(i >= 0);
    p = r->kw[i].data;
    CHECK(p->re != NULL);
    CHECK_STR(p->src, "^x[0-9]+\\;y");
    CHECK_EQ(p->opts, PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_CASELESS);
    CHECK(p->flags & SN_PCRE_RELATIVE);
    CHECK_EQ(r->kw[i].buffer, SN_BUF_PKT);
    i = sn_rule_find_kw(r, "pcre", (uint32_t)i + 1);
    REQUIRE(i >= 0);
    p = r->kw[i].data;
    CHECK(p->flags & SN_PCRE_NEGATED);
    CHECK_EQ(r->kw[i].buffer, SN_BUF_HTTP_URI);
    i = sn_rule_find_kw(r, "pcre", (uint32_t)i + 1);
    REQUIRE(i >= 0);
    CHECK_EQ(r->kw[i].buffer, SN_BUF_HTTP_HEADER);
    i = sn_rule_find_kw(r, "pcre", (uint32_t)i + 1);
    REQUIRE(i >= 0);
    p = r->kw[i].data;
    CHECK_EQ(p->opts, PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY | PCRE2_UNGREEDY);
    CHECK(p->flags & SN_PCRE_NO_LIMIT);
    sn_rule_free(r);

    CHECK(fails("pcre:\"/a(b/\";", 32, "pcre compile error at offset 3"));
    CHECK(fails("pcre:\"/ab/q\";", 32, "unknown pcre flag 'q'"));
    CHECK(fails("pcre:\"/ab\";", 32, "no closing '/'"));
    CHECK(fails("pcre:\"ab\";", 32, "must look like"));
    CHECK(fails("pcre:\"/ab/UH\";", 32, "two buffers"));
    CHECK(fails("http.cookie; pcre:\"/ab/U\";", 45, "inside sticky buffer"));
    CHECK(fails("pcre:\"/ab/UB\";", 32, "rawbytes"));
}

CS_TEST(byte_keywords)
{
    struct sn_rule *r = parse("content:\"a\"; byte_extract:2,0,len,relative,little; "
                              "byte_test:4,!&,0x10,len,relative,string,hex; "
                              "byte_jump:2,0,relative,multiplier 2,post_offset -1,align,from_end; "
                              "byte_math:bytes 2, offset 1, oper <<, rvalue len, result sh, "
                              "endian little, relative; isdataat:!sh,relative; "
                              "content:\"b\"; distance:len; within:sh;",
                              NULL);
    int i;
    struct sn_byte *b;
    REQUIRE(r);
    REQUIRE(r->nvars == 2);
    CHECK_STR(r->vars[0], "len");
    CHECK_STR(r->vars[1], "sh");
    i = sn_rule_find_kw(r, "byte_test", 0);
    REQUIRE(i >= 0);
    b = r->kw[i].data;
    CHECK_EQ(b->nbytes, 4);
    CHECK_STR(b->op, "&");
    CHECK(b->flags & SN_BYTE_NEGATED);
    CHECK(b->flags & SN_BYTE_STRING);
    CHECK_EQ(b->base, 16);
    CHECK_EQ(b->value.v, 16);
    CHECK_EQ(b->offset.var, 0);
    i = sn_rule_find_kw(r, "byte_jump", 0);
    REQUIRE(i >= 0);
    b = r->kw[i].data;
    CHECK_EQ(b->multiplier, 2);
    CHECK_EQ(b->post_offset, -1);
    CHECK(b->flags & SN_BYTE_ALIGN);
    CHECK(b->flags & SN_BYTE_FROM_END);
    i = sn_rule_find_kw(r, "byte_math", 0);
    REQUIRE(i >= 0);
    b = r->kw[i].data;
    CHECK_STR(b->oper, "<<");
    CHECK_EQ(b->rvalue.var, 0);
    CHECK_EQ(b->var, 1);
    CHECK(b->flags & SN_BYTE_LITTLE);
    i = sn_rule_find_kw(r, "isdataat", 0);
    REQUIRE(i >= 0);
    CHECK(((struct sn_isdataat *)r->kw[i].data)->negated);
    CHECK_EQ(((struct sn_isdataat *)r->kw[i].data)->n.var, 1);
    CHECK_EQ(content_at(r, 1)->distance.var, 0);
    sn_rule_free(r);

    CHECK(fails("byte_test:9,=,1,0;", 32, "out of range"));
    CHECK(fails("byte_test:4,~,1,0;", 32, "invalid operator"));
    CHECK(fails("byte_test:4,=,1;", 32, "needs"));
    CHECK(fails("byte_test:4,=,1,0,sideways;", 32, "unknown option 'sideways'"));
    CHECK(fails("byte_test:4,=,1,0,dce,big;", 32, "dce"));
    CHECK(fails("byte_jump:4,0,from_beginning,from_end;", 32, "from_beginning and from_end"));
    CHECK(fails("byte_extract:4,0,v; byte_extract:2,0,v;", 52, "defined twice"));
    CHECK(fails("byte_extract:4,0,1v;", 32, "invalid variable name"));
    CHECK(fails("byte_extract:4,0,v,align 3;", 32, "align"));
    CHECK(fails("byte_math:bytes 2, offset 0, oper %, rvalue 1, result r;", 32, "invalid oper"));
    CHECK(fails("byte_math:bytes 2, offset 0, oper +, rvalue 1;", 32, "needs"));
    CHECK(fails("isdataat:5,sideways;", 32, "unknown isdataat option"));
    CHECK(fails("urilen:5,weird;", 32, "invalid urilen option"));
}

CS_TEST_MAIN()
