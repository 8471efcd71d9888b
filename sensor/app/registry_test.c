/* registry_test.c — protocol detection and buffering in the app-layer registry, driven with
 * hand-made deliveries on a hand-made flow (the real HTTP and DNS parsers answer). */
#include "../../lib/cs_test.h"
#include "../config.h"
#include "../output/eve.h"
#include "../stream/stream.h"
#include "../worker.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct env {
    struct sn_config cfg;
    struct sn_worker w;
    struct sn_eve_sink *sink;
    struct sn_flow f;
    char path[64];
};

static bool env_init(struct env *e, uint16_t dp)
{
    int fd;
    memset(e, 0, sizeof(*e));
    sn_config_defaults(&e->cfg);
    strcpy(e->path, "/tmp/cs-regtest-XXXXXX");
    fd = mkstemp(e->path);
    if (fd < 0)
        return false;
    close(fd);
    e->sink = sn_eve_sink_open(e->path, NULL, NULL);
    if (!e->sink || sn_worker_init(&e->w, 0, &e->cfg, 1, e->sink) != CS_OK)
        return false;
    e->f.proto = IPPROTO_TCP;
    e->f.ip_ver = 4;
    e->f.src.u8[0] = 10, e->f.src.u8[3] = 1;
    e->f.dst.u8[0] = 10, e->f.dst.u8[3] = 2;
    e->f.sp = 40000;
    e->f.dp = dp;
    e->f.start_us = e->f.last_us = 1700000000000000ull;
    return true;
}

/* Ends the flow's app layer and returns the EVE text (caller frees). */
static char *env_done(struct env *e, const char **app)
{
    char *text = NULL;
    long n;
    FILE *fp;

    sn_app_on_data(&e->w, &e->f, SN_TOSERVER, NULL, 0, SN_STREAM_EOF);
    sn_app_on_data(&e->w, &e->f, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    *app = sn_app_proto_name(&e->f);
    sn_app_flow_free(&e->w, &e->f);
    sn_worker_destroy(&e->w);
    sn_eve_sink_close(e->sink);
    fp = fopen(e->path, "rb");
    if (fp) {
        fseek(fp, 0, SEEK_END);
        n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        text = calloc(1, (size_t)n + 1);
        if (text && n > 0 && fread(text, 1, (size_t)n, fp) != (size_t)n)
            text[0] = 0;
        fclose(fp);
    }
    unlink(e->path);
    return text;
}

static void deliver(struct env *e, int dir, const char *s, size_t n, unsigned flags)
{
    sn_app_on_data(&e->w, &e->f, dir, (const uint8_t *)s, (uint32_t)n, flags);
}

CS_TEST(large_first_delivery_is_not_lost)
{
    struct env e;
    const char *app;
    size_t body = 20000;
    char *req = malloc(body + 200), *text;
    int hl;

    REQUIRE(req && env_init(&e, 8081)); /* not a default port: found by probing */
    hl = snprintf(req, 200, "POST /upload HTTP/1.1\r\nHost: a.example\r\nContent-Length: %zu\r\n\r\n",
                  body);
    memset(req + hl, 'x', body);
    deliver(&e, SN_TOSERVER, req, (size_t)hl + body, SN_STREAM_START); /* > probe buffer */
    static const char resp[] = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    deliver(&e, SN_TOCLIENT, resp, sizeof(resp) - 1, SN_STREAM_START);
    text = env_done(&e, &app);
    REQUIRE(text);
    CHECK_STR(app, "http");
    CHECK(strstr(text, "\"url\":\"/upload\"") != NULL);
    CHECK(strstr(text, "\"http_method\":\"POST\"") != NULL);
    CHECK(strstr(text, "\"status\":201") != NULL);
    free(text);
    free(req);
}

CS_TEST(detection_waits_for_more_bytes)
{
    struct env e;
    const char *app;
    char *text;
    static const char req[] = "GET /a HTTP/1.0\r\nHost: b\r\n\r\n";

    REQUIRE(env_init(&e, 9999));
    for (size_t i = 0; i < sizeof(req) - 1; i++) /* one byte at a time */
        deliver(&e, SN_TOSERVER, req + i, 1, i == 0 ? SN_STREAM_START : 0);
    static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    deliver(&e, SN_TOCLIENT, resp, sizeof(resp) - 1, SN_STREAM_START);
    text = env_done(&e, &app);
    REQUIRE(text);
    CHECK_STR(app, "http");
    CHECK(strstr(text, "\"url\":\"/a\"") != NULL);
    CHECK(strstr(text, "\"status\":200") != NULL);
    free(text);
}

CS_TEST(unknown_protocol_fails_after_both_directions)
{
    struct env e;
    const char *app;
    char *text;

    REQUIRE(env_init(&e, 7777));
    deliver(&e, SN_TOSERVER, "hello there, no protocol at all\r\n", 33, SN_STREAM_START);
    CHECK(sn_app_proto_name(&e.f) == NULL); /* one direction only: not decided */
    /* looks like the start of a long DNS-over-TCP message: undecided until the end */
    deliver(&e, SN_TOCLIENT, "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", 8, SN_STREAM_START);
    CHECK(sn_app_proto_name(&e.f) == NULL);
    deliver(&e, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    CHECK_STR(sn_app_proto_name(&e.f), "failed");
    CHECK_EQ(e.w.counters[SN_CNT_APP_LAYER_FLOW_FAILED], 1);
    /* later data that would look like HTTP does not change the verdict */
    deliver(&e, SN_TOSERVER, "GET / HTTP/1.1\r\n\r\n", 18, 0);
    text = env_done(&e, &app);
    CHECK_STR(app, "failed");
    CHECK(text && !strstr(text, "\"event_type\":\"http\""));
    free(text);
}

CS_TEST(gap_before_detection_fails_cleanly)
{
    struct env e;
    const char *app;
    char *text;

    REQUIRE(env_init(&e, 80));
    deliver(&e, SN_TOSERVER, "GE", 2, SN_STREAM_START); /* undecided */
    sn_app_on_data(&e.w, &e.f, SN_TOSERVER, NULL, 100, SN_STREAM_GAP);
    CHECK(sn_app_proto_name(&e.f) == NULL); /* the other direction may still tell */
    sn_app_on_data(&e.w, &e.f, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    CHECK_STR(sn_app_proto_name(&e.f), "failed");
    text = env_done(&e, &app);
    free(text);
}

CS_TEST(gap_on_one_side_other_side_detects)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    struct env e;
    const char *app;
    char *text;

    /* the capture starts after the request: the to-server side begins with a gap, the
     * response is what tells the protocol */
    REQUIRE(env_init(&e, 80));
    sn_app_on_data(&e.w, &e.f, SN_TOSERVER, NULL, 81, SN_STREAM_START | SN_STREAM_GAP);
    CHECK(sn_app_proto_name(&e.f) == NULL);
    deliver(&e, SN_TOCLIENT, resp, sizeof(resp) - 1, SN_STREAM_START);
    CHECK_STR(sn_app_proto_name(&e.f), "http");
    text = env_done(&e, &app);
    CHECK_STR(app, "http");
    free(text);
}

CS_TEST_MAIN()
