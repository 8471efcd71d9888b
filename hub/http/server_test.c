/* server_test.c — the HTTP layer on a real socket: addresses, routing to the handler, limits
 * answered by the server itself. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
#include "server.h"

CS_TEST(parse_addr)
{
    struct sockaddr_storage ss;
    unsigned len;
    CHECK(hub_http_parse_addr("127.0.0.1:8443", &ss, &len) == CS_OK);
    CHECK_EQ(ss.ss_family, AF_INET);
    CHECK_EQ(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8443);
    CHECK(hub_http_parse_addr("[::1]:0", &ss, &len) == CS_OK);
    CHECK_EQ(ss.ss_family, AF_INET6);
    CHECK(hub_http_parse_addr("9000", &ss, &len) == CS_OK);
    CHECK_EQ(ss.ss_family, AF_INET);
    const char *bad[] = {"",        "host:80", "127.0.0.1:", "127.0.0.1:65536",
                         "[::1]80", "[::1]:x", "1.2.3.4:-1", "[nonsense]:80"};
    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++)
        if (hub_http_parse_addr(bad[i], &ss, &len) == CS_OK)
            CS_FAILF("accepted '%s'", bad[i]);
}

static void echo_handler(void *app, const struct hub_http_req *r, struct hub_http_resp *w)
{
    (*(int *)app)++;
    const char *q = hub_http_query(r, "q");
    cs_json_open(&w->body, NULL);
    cs_json_str(&w->body, "method", r->method);
    cs_json_str(&w->body, "path", r->path);
    cs_json_int(&w->body, "len", (int64_t)r->body_len);
    cs_json_str(&w->body, "q", q ? q : "-");
    cs_json_close(&w->body);
    hub_http_resp_header(w, "X-Test", "yes");
    hub_http_resp_header(w, "X-Bad", "a\r\nInjected: 1");
}

/* Sends req to 127.0.0.1:port, returns the whole answer (until close) in buf. */
static size_t roundtrip(int port, const char *req, size_t reqlen, char *buf, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    size_t off = 0;
    while (off < reqlen) {
        ssize_t n = write(fd, req + off, reqlen - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    size_t got = 0;
    ssize_t n;
    while (got + 1 < cap && (n = read(fd, buf + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = 0;
    close(fd);
    return got;
}

CS_TEST(server_round_trip_and_limits)
{
    int calls = 0;
    struct hub_http_cfg cfg = {
        .listen = {"127.0.0.1:0"}, .nlisten = 1, .threads = 2, .max_body = 1000, .timeout_s = 2};
    struct hub_http *h = NULL;
    struct cs_err err = {0};
    REQUIRE(hub_http_start(&cfg, echo_handler, &calls, &h, &err) == CS_OK);
    int port = hub_http_port(h, 0);
    REQUIRE(port > 0);
    static char buf[8192];
    const char *r1 = "POST /api/x?q=a%20b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                     "Connection: close\r\n\r\nhello";
    roundtrip(port, r1, strlen(r1), buf, sizeof(buf));
    CHECK(strstr(buf, "HTTP/1.1 200") == buf);
    CHECK(strstr(buf, "\"path\":\"/api/x\"") != NULL);
    CHECK(strstr(buf, "\"len\":5") != NULL);
    CHECK(strstr(buf, "\"q\":\"a b\"") != NULL);
    CHECK(strstr(buf, "X-Test: yes") != NULL);
    CHECK(strstr(buf, "Injected") == NULL);
    CHECK(strstr(buf, "application/json") != NULL);
    CHECK_EQ(calls, 1);
    /* a declared body over max_body: 413 from the server, the handler never runs */
    const char *r2 = "POST /api/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n"
                     "Connection: close\r\n\r\n";
    roundtrip(port, r2, strlen(r2), buf, sizeof(buf));
    CHECK(strstr(buf, "HTTP/1.1 413") == buf);
    CHECK(strstr(buf, "\"code\":\"body_too_large\"") != NULL);
    /* a chunked body that grows over the cap: 413 too */
    static char r3[4096];
    int n = snprintf(r3, sizeof(r3),
                     "POST /api/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                     "chunked\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 3; i++)
        n += snprintf(r3 + n, sizeof(r3) - (size_t)n, "258\r\n%0600d\r\n", 0);
    n += snprintf(r3 + n, sizeof(r3) - (size_t)n, "0\r\n\r\n");
    roundtrip(port, r3, (size_t)n, buf, sizeof(buf));
    CHECK(strstr(buf, "HTTP/1.1 413") == buf);
    CHECK_EQ(calls, 1);
    /* garbage is not a request */
    roundtrip(port, "\x01\x02garbage\r\n\r\n", 13, buf, sizeof(buf));
    CHECK(strstr(buf, "HTTP/1.1 200") == NULL);
    CHECK_EQ(calls, 1);
    hub_http_stop(h);
}

CS_TEST(server_refuses_bad_config)
{
    struct hub_http *h = NULL;
    struct cs_err err = {0};
    struct hub_http_cfg c1 = {.listen = {"nonsense"}, .nlisten = 1};
    CHECK(hub_http_start(&c1, echo_handler, NULL, &h, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "nonsense") != NULL);
    struct hub_http_cfg c2 = {.listen = {"127.0.0.1:0"}, .nlisten = 1, .tls_cert = "/x"};
    CHECK(hub_http_start(&c2, echo_handler, NULL, &h, &err) == CS_EINVAL);
    struct hub_http_cfg c3 = {.listen = {"127.0.0.1:0"},
                              .nlisten = 1,
                              .tls_cert = "/nonexistent",
                              .tls_key = "/nonexistent"};
    CHECK(hub_http_start(&c3, echo_handler, NULL, &h, &err) != CS_OK);
    CHECK(h == NULL);
}

CS_TEST_MAIN()
