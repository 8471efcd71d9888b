/* http_test.c — the hub output's HTTP client: URLs, the response parser (complete,
 * incomplete, chunked, hostile), and a real POST to a loopback server thread. */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/cs_test.h"

CS_TEST(url_parse)
{
    struct sn_url u;
    struct cs_err err = {0};
    CHECK(sn_url_parse("http://127.0.0.1:8443", &u, &err) == CS_OK);
    CHECK(strcmp(u.host, "127.0.0.1") == 0 && strcmp(u.port, "8443") == 0 &&
          strcmp(u.path, "/") == 0);
    CHECK(sn_url_parse("HTTP://hub.example/api/v1/events", &u, &err) == CS_OK);
    CHECK(strcmp(u.host, "hub.example") == 0 && strcmp(u.port, "80") == 0 &&
          strcmp(u.path, "/api/v1/events") == 0);
    CHECK(sn_url_parse("http://[::1]:9000/x", &u, &err) == CS_OK);
    CHECK(strcmp(u.host, "::1") == 0 && strcmp(u.port, "9000") == 0);
    CHECK(sn_url_parse("https://hub:8443", &u, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "https") != NULL);
    CHECK(sn_url_parse("ftp://hub", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://hub:0", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://hub:70000", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://hub:80x", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://user@hub/", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse("http://hub/a b", &u, &err) == CS_EINVAL);
    CHECK(sn_url_parse(NULL, &u, &err) == CS_EINVAL);
}

static int parse(const char *s, bool eof, struct sn_http_resp *r)
{
    return sn_http_resp_parse(s, strlen(s), eof, r);
}

CS_TEST(response_with_content_length)
{
    struct sn_http_resp r;
    const char *s = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
                    "\r\n{\"stored\":3}\nEXTRA";
    CHECK(parse(s, false, &r) == (int)(strlen(s) - 5));
    CHECK(r.status == 200);
    CHECK(r.body_len == 13);
    CHECK(strcmp(r.body, "{\"stored\":3}\n") == 0);
    /* every prefix is incomplete */
    for (size_t n = 0; n < strlen(s) - 5; n++)
        CHECK(sn_http_resp_parse(s, n, false, &r) == CS_AGAIN);
}

CS_TEST(response_chunked_and_until_close)
{
    struct sn_http_resp r;
    const char *c = "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    CHECK(parse(c, false, &r) == (int)strlen(c));
    CHECK(r.status == 400);
    CHECK(strcmp(r.body, "hello, world") == 0);
    for (size_t n = 0; n < strlen(c); n++)
        CHECK(sn_http_resp_parse(c, n, false, &r) == CS_AGAIN);
    const char *e = "HTTP/1.0 503 Busy\nServer: x\n\nretry later";
    CHECK(parse(e, false, &r) == CS_AGAIN);
    CHECK(parse(e, true, &r) == (int)strlen(e));
    CHECK(r.status == 503 && strcmp(r.body, "retry later") == 0);
    CHECK(parse("HTTP/1.1 204 No Content\r\n\r\n", false, &r) > 0 && r.status == 204);
}

CS_TEST(hostile_responses_are_refused)
{
    struct sn_http_resp r;
    CHECK(parse("HTTP/2 200 OK\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 20 OK\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 2000 OK\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 600 OK\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 100 Continue\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("SSH-2.0-OpenSSH\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n123456", true,
                &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n", true, &r) ==
          CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true, &r) ==
          CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", true,
                &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX", true, &r) ==
          CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\n folded\r\n\r\n", true, &r) == CS_EINVAL);
    CHECK(parse("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", true, &r) == CS_EINVAL);
}

CS_TEST(long_bodies_are_kept_truncated)
{
    struct sn_http_resp r;
    char buf[4096];
    int n = snprintf(buf, sizeof(buf), "HTTP/1.1 400 Bad\r\nContent-Length: 2000\r\n\r\n");
    memset(buf + n, 'a', 2000);
    CHECK(sn_http_resp_parse(buf, (size_t)n + 2000, false, &r) == n + 2000);
    CHECK(r.body_len == 2000);
    CHECK(strlen(r.body) == SN_HTTP_BODY_KEEP);
}

/* ---- a loopback server: reads one request, answers `reply`, closes ----------------------- */

struct server {
    int lfd;
    int port;
    const char *reply;
    char req[8192];
    size_t reqlen;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    for (;;) { /* headers, then Content-Length bytes */
        ssize_t n = recv(fd, s->req + s->reqlen, sizeof(s->req) - 1 - s->reqlen, 0);
        if (n <= 0)
            break;
        s->reqlen += (size_t)n;
        s->req[s->reqlen] = 0;
        char *e = strstr(s->req, "\r\n\r\n"), *cl = strstr(s->req, "Content-Length: ");
        if (e && cl && s->reqlen >= (size_t)(e + 4 - s->req) + (size_t)atoi(cl + 16))
            break;
    }
    if (send(fd, s->reply, strlen(s->reply), MSG_NOSIGNAL) < 0)
        perror("send");
    close(fd);
    return NULL;
}

static int server_start(struct server *s, pthread_t *t)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(s->lfd, 4) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(t, NULL, serve, s);
}

CS_TEST(post_to_a_loopback_server)
{
    struct server s = {0};
    struct sn_http_resp r;
    struct sn_url u;
    struct cs_err err = {0};
    pthread_t t;
    char url[64];
    const char *hdr[] = {"Content-Type: application/x-ndjson", "X-Citysoc-Batch: b-1"};
    s.reply = "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n{\"stored\":2,\"duplicate\":false}";
    REQUIRE(server_start(&s, &t) == 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/events", s.port);
    REQUIRE(sn_url_parse(url, &u, &err) == CS_OK);
    CHECK(sn_http_post(&u, hdr, 2, "{\"a\":1}\n{\"b\":2}\n", 16, 5000, &r, &err) == CS_OK);
    pthread_join(t, NULL);
    close(s.lfd);
    CHECK(r.status == 200);
    CHECK(strstr(r.body, "\"stored\":2") != NULL);
    CHECK(strncmp(s.req, "POST /api/v1/events HTTP/1.1\r\n", 30) == 0);
    CHECK(strstr(s.req, "\r\nContent-Length: 16\r\n") != NULL);
    CHECK(strstr(s.req, "\r\nX-Citysoc-Batch: b-1\r\n") != NULL);
    CHECK(strstr(s.req, "\r\nConnection: close\r\n") != NULL);
    CHECK(s.reqlen >= 16 && memcmp(s.req + s.reqlen - 16, "{\"a\":1}\n{\"b\":2}\n", 16) == 0);
}

CS_TEST(connection_refused_and_garbage_answers_are_errors)
{
    struct server s = {.reply = "garbage that is not HTTP at all\r\n\r\n"};
    struct sn_http_resp r;
    struct sn_url u;
    struct cs_err err = {0};
    pthread_t t;
    char url[64];
    REQUIRE(server_start(&s, &t) == 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
    REQUIRE(sn_url_parse(url, &u, &err) == CS_OK);
    CHECK(sn_http_post(&u, NULL, 0, "x", 1, 5000, &r, &err) == CS_EINVAL);
    pthread_join(t, NULL);
    close(s.lfd);
    /* the port is closed now */
    CHECK(sn_http_post(&u, NULL, 0, "x", 1, 2000, &r, &err) == CS_EIO);
    CHECK(strstr(err.msg, "connect") != NULL);
}

CS_TEST_MAIN()
