/* http_test.c — HTTP/1.x parser: real captures through the whole pipeline (also cut into
 * 1-byte deliveries), and hand-built messages fed to the parser directly. */
#include "app_test_util.h"
#include "http.h"

#include "../../lib/cs_cfg.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_http;

/* ---- captures --------------------------------------------------------------------------- */

/* Runs a capture both ways; checks the 1-byte run gives the same EVE text. */
static struct app_run run2(const char *rel, const struct sn_config *cfg)
{
    struct app_run r = app_test_run(rel, cfg, false);
    struct app_run r1 = app_test_run(rel, cfg, true);

    CHECK(r.text != NULL);
    CHECK(r1.text != NULL);
    if (r.text && r1.text && strcmp(r.text, r1.text) != 0)
        CS_FAILF("%s: 1-byte deliveries give different EVE output", rel);
    app_test_free(&r1);
    return r;
}

/* A configuration from YAML text (csum off, midstream on like the harness default). */
static bool load_cfg(struct sn_config *cfg, const char *yaml)
{
    char path[] = "/tmp/cs-http-cfg-XXXXXX";
    struct cs_err err;
    int fd = mkstemp(path);
    bool ok;

    if (fd < 0)
        return false;
    sn_config_defaults(cfg);
    ok = write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml);
    close(fd);
    ok = ok && sn_config_load(cfg, path, NULL, 0, &err) == CS_OK;
    unlink(path);
    if (ok) {
        cfg->csum = SN_CSUM_NONE;
        cfg->midstream = true;
    }
    return ok;
}

CS_TEST(testmyids_http_record)
{
    struct app_run r = run2("pcaps/http/testmyids.pcap", NULL);

    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"tx_id\":0",
                            "\"http\":{\"hostname\":\"testmyids.com\",\"url\":\"/\","
                            "\"http_user_agent\":\"curl/8.5.0\","
                            "\"http_content_type\":\"text/html\",\"http_method\":\"GET\","
                            "\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":39}",
                            NULL),
             1);
    /* no header arrays unless configured */
    CHECK_EQ(app_test_count(&r, "request_headers", NULL), 0);
    /* one file, closed, no hashes by default */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"",
                            "\"fileinfo\":{\"filename\":\"/\",\"sid\":[],\"gaps\":false,"
                            "\"state\":\"CLOSED\",\"stored\":false,\"size\":39,\"tx_id\":0}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"md5\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"app_proto\":\"http\"", "\"event_type\":\"flow\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(testmyids_force_hash)
{
    struct sn_config cfg;
    struct app_run r;

    REQUIRE(load_cfg(&cfg, "outputs:\n  - eve-log:\n      enabled: yes\n      types:\n"
                           "        - http\n        - files:\n"
                           "            force-hash: [md5, sha1, sha256]\n"));
    r = run2("pcaps/http/testmyids.pcap", &cfg);
    /* digests of the 39-byte body, computed with Python's hashlib on tshark's reassembly */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"",
                            "\"md5\":\"c7d0a1ea4ab73fa3e7cd72fc1eb5b492\","
                            "\"sha1\":\"797615cb676469dfb32b8e770a0955c1633fa0ee\","
                            "\"sha256\":\"5ef391d886d04116cf84b584ae37ef136f83950ab69b7bfb2a6d"
                            "a7506f7b3a57\"",
                            NULL),
             1);
    app_test_free(&r);
    sn_config_free(&cfg);
}

CS_TEST(gzip_body_decompressed)
{
    struct app_run r = run2("pcaps/http/get-gzip.pcap", NULL);

    /* 165 bytes on the wire, 197 after gunzip (checked with zlib on tshark's stream) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"url\":\"/gzip\"",
                            "\"http_content_type\":\"application/json\"", "\"length\":165",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"filename\":\"/gzip\"",
                            "\"size\":197", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "gzip_decompression_failed", NULL), 0);
    app_test_free(&r);
    r = run2("pcaps/http/x-gzip.pcap", NULL);
    /* Content-Encoding: x-gzip, 39 bytes -> "Encoded gzip header" (19) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"size\":19", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"length\":39", NULL), 1);
    app_test_free(&r);
}

CS_TEST(pipelined_in_order)
{
    static const char *const urls[] = {
        "\"tx_id\":0,\"http\":{\"hostname\":\"www.mozilla.org\",\"url\":\"/style/enhanced.css\"",
        "\"tx_id\":1,\"http\":{\"hostname\":\"www.mozilla.org\",\"url\":\"/script/urchin.js\"",
        "\"tx_id\":2,\"http\":{\"hostname\":\"www.mozilla.org\","
        "\"url\":\"/images/template/screen/bullet_utility.png\"",
        "\"tx_id\":3,\"http\":{\"hostname\":\"www.mozilla.org\","
        "\"url\":\"/images/template/screen/key-point-top.png\"",
        "\"tx_id\":4,\"http\":{\"hostname\":\"www.mozilla.org\","
        "\"url\":\"/projects/calendar/images/header-sunbird.png\""};
    static const char *const lens[] = {"\"length\":946}", "\"length\":6716}",
                                       "\"length\":94}", "\"length\":2349}",
                                       "\"length\":27579}"};
    struct app_run r = run2("pcaps/http/pipelined-requests.pcap", NULL);

    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 5);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", urls[i], lens[i],
                                "\"status\":200", NULL),
                 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"state\":\"CLOSED\"", NULL), 5);
    CHECK_EQ(app_test_count(&r, "unable_to_match", NULL), 0);
    app_test_free(&r);
}

CS_TEST(continue_100_one_transaction)
{
    struct app_run r = run2("pcaps/http/100-continue.pcap", NULL);

    /* POST with Expect: 100-continue: the interim 100 is not a transaction of its own */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"hostname\":\"www.osu.edu\"",
                            "\"http_method\":\"POST\"", "\"status\":200", "\"length\":60731",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"status\":100", NULL), 0);
    app_test_free(&r);
}

CS_TEST(connect_tunnel_not_parsed)
{
    struct app_run r = run2("pcaps/http/connect-with-header.pcap", NULL);

    /* CONNECT then TLS: one transaction, the tunnel's bytes are not HTTP */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"hostname\":\"secure.newegg.com\"",
                            "\"http_port\":443", "\"url\":\"secure.newegg.com:443\"",
                            "\"http_method\":\"CONNECT\"", "\"status\":200", "\"length\":0",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"anomaly\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", NULL), 0);
    app_test_free(&r);
}

CS_TEST(dump_all_headers)
{
    struct sn_config cfg;
    struct app_run r;

    REQUIRE(load_cfg(&cfg, "outputs:\n  - eve-log:\n      enabled: yes\n      types:\n"
                           "        - http:\n            dump-all-headers: both\n"));
    r = run2("pcaps/http/sv-http-all-headers.pcap", &cfg);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"request_headers\":[{\"name\":\"Host\","
                                "\"value\":\"www.ethereal.com\"}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "{\"name\":\"Content-Length\",\"value\":\"18070\"}", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"response_headers\":[", NULL), 1);
    app_test_free(&r);
    sn_config_free(&cfg);

    REQUIRE(load_cfg(&cfg, "outputs:\n  - eve-log:\n      enabled: yes\n      types:\n"
                           "        - http:\n            dump-all-headers: request\n"));
    r = run2("pcaps/http/sv-http-all-headers.pcap", &cfg);
    CHECK_EQ(app_test_count(&r, "\"request_headers\":[", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"response_headers\":[", NULL), 0);
    app_test_free(&r);
    sn_config_free(&cfg);
}

CS_TEST(head_with_odd_transfer_encoding)
{
    struct app_run r = run2("pcaps/http/sv-http-chunked.pcap", NULL);

    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"http_method\":\"HEAD\"",
                            "\"url\":\"/resources/fonts/SourceSansPro-Regular.ttf\"", NULL),
             1);
    /* "Transfer-Encoding: ,<TAB>chunked," ends with the chunked coding: no event */
    CHECK_EQ(app_test_count(&r, "http.invalid_transfer_encoding_value_in_request", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    app_test_free(&r);
}

/* ---- hand-built messages ---------------------------------------------------------------- */

struct direct {
    struct sn_config cfg;
    struct sn_worker w;
    struct sn_flow f;
    struct sn_eve_sink *sink;
    char path[64];
    struct sn_http_state *st;
    uint8_t *buf[2];
    uint32_t len[2];
    int consumed_err;
};

static void d_init(struct direct *d)
{
    int fd;

    memset(d, 0, sizeof(*d));
    sn_config_defaults(&d->cfg);
    snprintf(d->path, sizeof(d->path), "/tmp/cs-http-direct-XXXXXX");
    fd = mkstemp(d->path);
    if (fd >= 0)
        close(fd);
    d->sink = sn_eve_sink_open(d->path, NULL, NULL);
    d->w.cfg = &d->cfg;
    d->w.eve = d->sink ? sn_eve_new(&d->cfg, d->sink) : NULL;
    d->f.proto = IPPROTO_TCP;
    d->f.ip_ver = 4;
    d->f.app_proto = (uint16_t)sn_app_lookup("http");
    d->st = sn_app_http.state_new();
}

/* Feeds like the registry does: unconsumed bytes come back with the next call. */
static void d_feed(struct direct *d, int dir, const void *data, size_t n, unsigned flags)
{
    uint8_t *nb;
    int rc;

    if (flags & SN_STREAM_GAP) {
        /* the registry drops what it holds and reports the gap without data */
        d->len[dir] = 0;
        sn_app_http.parse(&d->w, &d->f, d->st, dir, NULL, (uint32_t)n, flags);
        return;
    }
    nb = realloc(d->buf[dir], d->len[dir] + n + 1);
    if (!nb)
        return;
    d->buf[dir] = nb;
    if (n)
        memcpy(nb + d->len[dir], data, n);
    d->len[dir] += (uint32_t)n;
    rc = sn_app_http.parse(&d->w, &d->f, d->st, dir, d->buf[dir], d->len[dir], flags);
    if (rc < 0) {
        d->consumed_err = 1;
        return;
    }
    memmove(d->buf[dir], d->buf[dir] + rc, d->len[dir] - (uint32_t)rc);
    d->len[dir] -= (uint32_t)rc;
}

static void d_str(struct direct *d, int dir, const char *s, bool one_byte)
{
    size_t n = strlen(s);

    if (!one_byte) {
        d_feed(d, dir, s, n, 0);
        return;
    }
    for (size_t i = 0; i < n; i++)
        d_feed(d, dir, s + i, 1, 0);
}

/* EOF both ways, frees everything; returns the EVE text (caller frees). */
static struct app_run d_finish(struct direct *d)
{
    struct app_run r = {0};
    FILE *fp;

    d_feed(d, SN_TOSERVER, NULL, 0, SN_STREAM_EOF);
    d_feed(d, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    sn_app_http.state_free(d->st);
    if (d->w.eve)
        sn_eve_free(d->w.eve);
    if (d->sink)
        sn_eve_sink_close(d->sink);
    free(d->buf[0]);
    free(d->buf[1]);
    fp = fopen(d->path, "rb");
    if (fp) {
        r.text = calloc(1, 1 << 20);
        if (r.text)
            r.len = fread(r.text, 1, (1 << 20) - 1, fp);
        fclose(fp);
    }
    unlink(d->path);
    return r;
}

CS_TEST(probe)
{
    const struct sn_app_parser *p = &sn_app_http;

    CHECK_EQ(p->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, SN_TOSERVER, 80), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"POS", 3, SN_TOSERVER, 8080), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"FOO /x HTTP/1.0", 15, SN_TOSERVER, 81), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"USER anon\r\n", 11, SN_TOSERVER, 21), SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"\x16\x03\x01", 3, SN_TOSERVER, 443), SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"HTTP/1.1 200 OK", 15, SN_TOCLIENT, 80), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"HTT", 3, SN_TOCLIENT, 80), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"SSH-2.0-x", 9, SN_TOCLIENT, 80), SN_PROBE_NO);
}

/* Request fields a rule inspects, before the response arrives (the tx is still held). */
CS_TEST(request_buffers_and_folding)
{
    for (int ob = 0; ob < 2; ob++) {
        struct direct d;
        const struct sn_http_tx *tx;
        uint32_t n;
        const uint8_t *v;
        struct app_run r;

        d_init(&d);
        d_str(&d, SN_TOSERVER,
              "POST /a/./b/../c%41?q=%2f HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\n"
              "X-Long: one\r\n  two\r\nCookie: k=v\r\nContent-Length: 5\r\n\r\nhello",
              ob);
        tx = sn_http_tx_first(d.st);
        REQUIRE(tx != NULL);
        CHECK(tx->method.len == 4 && !memcmp(tx->method.p, "POST", 4));
        CHECK(tx->uri_raw.len == 20 && !memcmp(tx->uri_raw.p, "/a/./b/../c%41?q=%2f", 20));
        CHECK(tx->uri_norm.len == 9 && !memcmp(tx->uri_norm.p, "/a/cA?q=/", 9));
        CHECK(tx->host.len == 15 && !memcmp(tx->host.p, "www.example.com", 15));
        CHECK_EQ(tx->port, 8080);
        v = sn_http_header_get(&tx->req_hdrs, "x-long", &n);
        CHECK(v && n == 7 && !memcmp(v, "one two", 7));
        v = sn_http_header_get(&tx->req_hdrs, "cookie", &n);
        CHECK(v && n == 3 && !memcmp(v, "k=v", 3));
        CHECK(sn_http_header_get(&tx->req_hdrs, "absent", &n) == NULL);
        CHECK(tx->req_body.len == 5 && !memcmp(tx->req_body.p, "hello", 5));
        CHECK(tx->request_line.len == 34);
        CHECK(tx->progress & SN_HTTP_REQ_DONE);
        CHECK(!(tx->progress & SN_HTTP_RESP_LINE));
        r = d_finish(&d);
        /* logged at the end without a response */
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"http_port\":8080",
                                "\"url\":\"/a/./b/../c%41?q=%2f\"", "\"length\":0", NULL),
                 1);
        CHECK_EQ(app_test_count(&r, "\"status\"", NULL), 0);
        app_test_free(&r);
    }
}

CS_TEST(chunked_response_with_trailers)
{
    for (int ob = 0; ob < 2; ob++) {
        struct direct d;
        struct app_run r;

        d_init(&d);
        d_str(&d, SN_TOSERVER, "GET /f.txt HTTP/1.1\r\nHost: h\r\n\r\n", ob);
        d_str(&d, SN_TOCLIENT,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain; "
              "charset=x\r\nLocation: /next\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n"
              "X-Trailer: t\r\n\r\n",
              ob);
        /* the transaction is complete and logged before EOF */
        CHECK(sn_http_tx_first(d.st) == NULL);
        r = d_finish(&d);
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"",
                                "\"http_content_type\":\"text/plain\"",
                                "\"redirect\":\"/next\"", "\"status\":200", "\"length\":12}",
                                NULL),
                 1);
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"filename\":\"/f.txt\"",
                                "\"state\":\"CLOSED\"", "\"size\":12", NULL),
                 1);
        CHECK_EQ(app_test_count(&r, "http.response_chunk_extension", NULL), 1);
        app_test_free(&r);
    }
}

CS_TEST(head_304_204_no_body)
{
    struct direct d;
    struct app_run r;

    d_init(&d);
    d_str(&d, SN_TOSERVER,
          "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
          "GET /c HTTP/1.1\r\nHost: h\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n\r\n",
          false);
    d_str(&d, SN_TOCLIENT,
          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
          "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
          "HTTP/1.1 204 No Content\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
          false);
    CHECK(sn_http_tx_first(d.st) == NULL);
    r = d_finish(&d);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 4);
    CHECK_EQ(app_test_count(&r, "\"url\":\"/a\"", "\"status\":200", "\"length\":0", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"url\":\"/b\"", "\"status\":304", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"url\":\"/c\"", "\"status\":204", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"url\":\"/d\"", "\"tx_id\":3",
                            "\"length\":2", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"anomaly\"", NULL), 0);
    app_test_free(&r);
}

CS_TEST(body_to_eof_and_deflate)
{
    /* zlib-wrapped and raw deflate of "aaaaaaaaaa" (10 bytes) */
    static const uint8_t zl[] = {0x78, 0x9c, 0x4b, 0x4c, 0x84, 0x01, 0x00, 0x14, 0xe1, 0x03, 0xcb};
    static const uint8_t raw[] = {0x4b, 0x4c, 0x84, 0x01, 0x00};
    const uint8_t *bodies[2] = {zl, raw};
    size_t lens[2] = {sizeof(zl), sizeof(raw)};

    for (int k = 0; k < 2; k++) {
        struct direct d;
        struct app_run r;
        char hdr[128];

        d_init(&d);
        d_str(&d, SN_TOSERVER, "GET /z HTTP/1.0\r\n\r\n", false);
        snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\n");
        d_str(&d, SN_TOCLIENT, hdr, false);
        d_feed(&d, SN_TOCLIENT, bodies[k], lens[k], 0);
        /* no length: the body ends with the connection */
        CHECK(sn_http_tx_first(d.st) != NULL);
        r = d_finish(&d);
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"status\":200", NULL), 1);
        char want[32];
        snprintf(want, sizeof(want), "\"length\":%zu", lens[k]);
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", want, NULL), 1);
        CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"size\":10",
                                "\"state\":\"CLOSED\"", NULL),
                 1);
        app_test_free(&r);
    }
}

CS_TEST(malformed_events)
{
    struct direct d;
    struct app_run r;

    d_init(&d);
    d_str(&d, SN_TOSERVER,
          "GET /x HTTP/1.1\r\nNoColonHere\r\nContent-Length: 12abc\r\n\r\n"
          "POST /y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"
          "GET /z HTTP/1.1\r\nHost: h\r\n\r\n",
          false);
    d_str(&d, SN_TOCLIENT,
          "HTTP/1.1 abc Weird\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n",
          false);
    r = d_finish(&d);
    CHECK_EQ(app_test_count(&r, "http.request_field_missing_colon", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.invalid_content_length_field_in_request", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.missing_host_header", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.invalid_request_chunk_len", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.response_invalid_status", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.duplicate_content_length_field_in_response", NULL), 1);
    /* resynchronised after the bad chunk: /z is parsed */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"url\":\"/z\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"status_string\":\"abc\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(limits)
{
    struct direct d;
    struct app_run r;
    char *big = malloc(70000);
    const struct sn_http_tx *tx;

    REQUIRE(big);
    d_init(&d);
    /* a header line longer than the field limit: skipped with an event, parsing goes on */
    memcpy(big, "X-Big: ", 7);
    memset(big + 7, 'a', 20000);
    memcpy(big + 20007, "\r\n", 3);
    d_str(&d, SN_TOSERVER, "GET /l HTTP/1.1\r\nHost: h\r\n", false);
    d_str(&d, SN_TOSERVER, big, false);
    for (int i = 0; i < 1100; i++)
        d_str(&d, SN_TOSERVER, "A: b\r\n", false);
    d_str(&d, SN_TOSERVER, "\r\n", false);
    tx = sn_http_tx_first(d.st);
    REQUIRE(tx != NULL);
    CHECK_EQ(tx->req_hdrs.n, 1024);
    CHECK(tx->progress & SN_HTTP_REQ_DONE);
    /* lying Content-Length: the body is cut by the end of the stream */
    d_str(&d, SN_TOCLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n", false);
    memset(big, 'b', 70000);
    d_feed(&d, SN_TOCLIENT, big, 70000, 0);
    tx = sn_http_tx_first(d.st);
    REQUIRE(tx != NULL);
    CHECK_EQ(tx->resp_body.len, 100 * 1024 > 70000 ? 70000 : 100 * 1024);
    CHECK_EQ(tx->resp_msg_len, 70000);
    r = d_finish(&d);
    CHECK_EQ(app_test_count(&r, "http.request_field_too_long", NULL), 1);
    CHECK_EQ(app_test_count(&r, "http.request_too_many_headers", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"state\":\"TRUNCATED\"",
                            "\"size\":70000", NULL),
             1);
    app_test_free(&r);
    free(big);
}

CS_TEST(gap_in_body_and_resync)
{
    struct direct d;
    struct app_run r;

    d_init(&d);
    d_str(&d, SN_TOSERVER, "GET /g HTTP/1.1\r\nHost: h\r\n\r\nGET /h HTTP/1.1\r\nHost: h\r\n\r\n",
          false);
    d_str(&d, SN_TOCLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", false);
    d_feed(&d, SN_TOCLIENT, NULL, 4, SN_STREAM_GAP);
    d_str(&d, SN_TOCLIENT, "xyzHTTP/1.1 404 NF\r\nContent-Length: 0\r\n\r\n", false);
    r = d_finish(&d);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"url\":\"/g\"", "\"status\":200",
                            "\"length\":10", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"fileinfo\"", "\"gaps\":true", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"url\":\"/h\"", "\"status\":404", NULL), 1);
    app_test_free(&r);
}

CS_TEST(response_without_request)
{
    struct direct d;
    struct app_run r;

    d_init(&d);
    d_str(&d, SN_TOCLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", true);
    r = d_finish(&d);
    CHECK_EQ(app_test_count(&r, "http.unable_to_match_response_to_request", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"status\":200", NULL), 1);
    app_test_free(&r);
}

CS_TEST_MAIN()
