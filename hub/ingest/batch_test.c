/* batch_test.c — batch bodies (identity, gzip, zlib, zstd), the decompression cap, corrupt
 * bodies, per-line errors, and the line reader for tailed files. */
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include "batch.h"
#include "../norm/norm_test_util.h"

#include "../../lib/cs_test.h"

/* gzip (wbits 31) or zlib (15) of in; caller frees. */
static char *deflate_buf(const char *in, size_t n, int wbits, size_t *out_len)
{
    z_stream z;
    size_t cap = compressBound((uLong)n) + 64;
    char *out = malloc(cap);

    memset(&z, 0, sizeof(z));
    if (!out || deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static char *zstd_buf(const char *in, size_t n, size_t *out_len)
{
    size_t cap = ZSTD_compressBound(n);
    char *out = malloc(cap);
    size_t r;

    if (!out)
        return NULL;
    r = ZSTD_compress(out, cap, in, n, 3);
    if (ZSTD_isError(r)) {
        free(out);
        return NULL;
    }
    *out_len = r;
    return out;
}

static void check_eve_batch(struct hub_batch *b)
{
    CHECK_EQ(b->nevents, 35);
    CHECK_EQ(b->nerrors, 0);
    CHECK_EQ(b->nlines, 35);
    if (b->nevents == 35) {
        CHECK_HSTR(b->events[0].event_type, "dns");
        CHECK_HSTR(b->events[0].dns_rrname, "google.com");
        CHECK_EQ(b->events[0].line, 1);
        CHECK_EQ(b->events[34].line, 35);
        CHECK(b->events[34].raw.len > 0 && b->events[34].raw.p[b->events[34].raw.len - 1] == '}');
    }
}

CS_TEST(batch_identity_gzip_zlib_zstd_decode_the_same)
{
    struct hub_batch b;
    struct cs_err err;
    size_t len, clen;
    char *text = read_data("eve/citysoc-eve.json", &len), *c;

    REQUIRE(text);
    hub_batch_init(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_IDENTITY, text, len, &err), CS_OK);
    check_eve_batch(&b);
    CHECK_EQ(b.decoded_bytes, len);

    hub_batch_reset(&b);
    c = deflate_buf(text, len, 31, &clen);
    REQUIRE(c);
    CHECK(clen < len);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_GZIP, c, clen, &err), CS_OK);
    check_eve_batch(&b);
    CHECK_EQ(b.decoded_bytes, len);
    /* two gzip members back to back (gzip -c a b) */
    {
        char *two = malloc(2 * clen);
        REQUIRE(two);
        memcpy(two, c, clen);
        memcpy(two + clen, c, clen);
        hub_batch_reset(&b);
        CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_GZIP, two, 2 * clen, &err),
                 CS_OK);
        CHECK_EQ(b.nevents, 70);
        free(two);
    }
    /* truncated gzip */
    hub_batch_reset(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_GZIP, c, clen / 2, &err),
             CS_EINVAL);
    CHECK_STR(err.msg, "corrupt or truncated compressed body");
    CHECK_EQ(b.nevents, 0);
    free(c);

    hub_batch_reset(&b);
    c = deflate_buf(text, len, 15, &clen);
    REQUIRE(c);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_GZIP, c, clen, &err), CS_OK);
    check_eve_batch(&b);
    free(c);

    hub_batch_reset(&b);
    c = zstd_buf(text, len, &clen);
    REQUIRE(c);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_ZSTD, c, clen, &err), CS_OK);
    check_eve_batch(&b);
    hub_batch_reset(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_ZSTD, c, clen - 3, &err),
             CS_EINVAL);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_ZSTD, text, 100, &err),
             CS_EINVAL); /* not zstd at all */
    CHECK_EQ(b.nevents, 0);
    free(c);
    hub_batch_free(&b);
    free(text);
}

CS_TEST(batch_decompression_bomb_is_capped)
{
    size_t big = 8u << 20, clen;
    char *zeros = calloc(1, big), *gz, *zs;
    struct hub_batch b;
    struct cs_err err;

    REQUIRE(zeros);
    memset(zeros, '\n', big);
    gz = deflate_buf(zeros, big, 31, &clen);
    REQUIRE(gz);
    CHECK(clen < 64 * 1024); /* 8 MiB in a few KiB */
    hub_batch_init(&b);
    b.max_decoded = 1u << 20;
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_GZIP, gz, clen, &err), CS_ELIMIT);
    CHECK_STR(err.msg, "decompressed body is over the size cap");
    CHECK_EQ(b.nlines, 0);
    free(gz);
    zs = zstd_buf(zeros, big, &clen);
    REQUIRE(zs);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_ZSTD, zs, clen, &err), CS_ELIMIT);
    b.max_decoded = 0; /* default cap 64 MiB: 8 MiB of blank lines is fine */
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_ZSTD, zs, clen, &err), CS_OK);
    CHECK_EQ(b.nevents, 0);
    CHECK_EQ(b.counters.skipped, big);
    free(zs);
    /* identity bodies are capped too */
    b.max_decoded = 10;
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_IDENTITY, zeros, 11, &err),
             CS_ELIMIT);
    hub_batch_free(&b);
    free(zeros);
}

CS_TEST(batch_collects_per_line_errors)
{
    static const char body[] = "{\"event_type\":\"flow\"}\n"
                               "{\"event_type\":\n"
                               "not json\r\n"
                               "{\"event_type\":\"dns\"}"; /* last line without \n */
    struct hub_batch b;
    struct cs_err err;

    hub_batch_init(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_SURICATA_EVE, HUB_ENC_IDENTITY, body, sizeof(body) - 1,
                              &err),
             CS_OK);
    CHECK_EQ(b.nevents, 2);
    CHECK_EQ(b.nlines, 4);
    REQUIRE(b.nerrors == 2 && b.nerrors_kept == 2);
    CHECK_EQ(b.errors[0].line, 2);
    CHECK_EQ(b.errors[0].code, CS_EINVAL);
    CHECK_STR(b.errors[0].msg, "line 2:15: truncated");
    CHECK_EQ(b.errors[1].line, 3);
    CHECK_STR(b.errors[1].msg, "line 3:1: bad literal");
    CHECK_EQ(b.counters.err_json, 2);
    CHECK_HSTR(b.events[1].event_type, "dns");
    CHECK_EQ(b.events[1].line, 4);
    CHECK_EQ(b.events[0].fmt, HUB_FMT_SURICATA_EVE);

    /* max_events: the body is refused as a whole */
    hub_batch_reset(&b);
    b.max_events = 1;
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_SURICATA_EVE, HUB_ENC_IDENTITY, body, sizeof(body) - 1,
                              &err),
             CS_ELIMIT);
    CHECK_EQ(b.nevents, 0);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_NONE, HUB_ENC_IDENTITY, body, 3, &err), CS_EINVAL);
    hub_batch_free(&b);
}

CS_TEST(batch_many_errors_keep_the_first_hundred)
{
    char *body = malloc(1000 * 4);
    struct hub_batch b;
    struct cs_err err;

    REQUIRE(body);
    for (int i = 0; i < 1000; i++)
        memcpy(body + 4 * i, "{{{\n", 4);
    hub_batch_init(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_IDENTITY, body, 4000, &err), CS_OK);
    CHECK_EQ(b.nerrors, 1000);
    CHECK_EQ(b.nerrors_kept, HUB_BATCH_MAX_ERRORS);
    CHECK_EQ(b.errors[99].line, 100);
    hub_batch_free(&b);
    free(body);
}

CS_TEST(batch_zeek_tsv_body_with_headers)
{
    struct hub_batch b;
    struct cs_err err;
    size_t len, clen;
    char *text = read_data("zeek/wrccdc-dns.log", &len), *c;

    REQUIRE(text);
    c = zstd_buf(text, len, &clen);
    REQUIRE(c);
    hub_batch_init(&b);
    CHECK_EQ(hub_batch_decode(&b, HUB_FMT_ZEEK_TSV, HUB_ENC_ZSTD, c, clen, &err), CS_OK);
    CHECK_EQ(b.nevents, 22);
    CHECK_EQ(b.counters.skipped, 8);
    CHECK_EQ(b.nerrors, 0);
    hub_batch_free(&b);
    free(c);
    free(text);
}

CS_TEST(batch_encoding_names)
{
    enum hub_encoding e;

    CHECK(hub_encoding_parse(NULL, &e) == CS_OK && e == HUB_ENC_IDENTITY);
    CHECK(hub_encoding_parse("identity", &e) == CS_OK && e == HUB_ENC_IDENTITY);
    CHECK(hub_encoding_parse("GZIP", &e) == CS_OK && e == HUB_ENC_GZIP);
    CHECK(hub_encoding_parse("x-gzip", &e) == CS_OK && e == HUB_ENC_GZIP);
    CHECK(hub_encoding_parse("deflate", &e) == CS_OK && e == HUB_ENC_GZIP);
    CHECK(hub_encoding_parse("zstd", &e) == CS_OK && e == HUB_ENC_ZSTD);
    CHECK_EQ(hub_encoding_parse("br", &e), CS_EINVAL);
}

CS_TEST(linereader_keeps_partial_last_line)
{
    struct hub_linereader r;
    const char *line;
    size_t len;

    hub_linereader_init(&r, 16);
    CHECK_EQ(hub_linereader_feed(&r, "{\"a\":1}\n{\"b\"", 12), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 1);
    CHECK(len == 7 && memcmp(line, "{\"a\":1}", 7) == 0);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 0); /* partial: wait */
    CHECK_EQ(hub_linereader_pending(&r), 4);
    CHECK_EQ(hub_linereader_feed(&r, ":2}\r\n\n", 6), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 1);
    CHECK(len == 7 && memcmp(line, "{\"b\":2}", 7) == 0); /* \r dropped */
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 1);
    CHECK_EQ(len, 0);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 0);
    CHECK_EQ(r.lineno, 3);
    /* a line longer than 16 bytes arriving in pieces is dropped once, then reading goes on */
    CHECK_EQ(hub_linereader_feed(&r, "0123456789", 10), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 0);
    CHECK_EQ(hub_linereader_feed(&r, "0123456789", 10), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), CS_ELIMIT);
    CHECK_EQ(hub_linereader_feed(&r, "more of it\nok\n", 14), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 1);
    CHECK(len == 2 && memcmp(line, "ok", 2) == 0);
    CHECK_EQ(r.too_long, 1);
    CHECK_EQ(r.lineno, 5);
    /* a complete over-long line */
    CHECK_EQ(hub_linereader_feed(&r, "0123456789abcdefXYZ\nz\n", 22), CS_OK);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), CS_ELIMIT);
    CHECK_EQ(len, 19);
    CHECK_EQ(hub_linereader_next(&r, &line, &len), 1);
    CHECK(len == 1 && line[0] == 'z');
    hub_linereader_free(&r);
}

CS_TEST_MAIN()
