/* static_test.c — the console's static files over a real socket: content types, the
 * client-route fallback, ETag/304, and hostile paths (dot segments raw and percent-encoded,
 * hidden files, symbolic links out of the root, other methods) that must never reach a file
 * outside the web root. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
#include "static.h"

CS_TEST(path_check)
{
    const char *good[] = {"/",
                          "/index.html",
                          "/js/app.js",
                          "/alerts",
                          "/events/42",
                          "/vendor/echarts.min.js",
                          "/i18n/zh-CN.json",
                          "/a/b/c/d/e/f/g/h"};
    const char *bad[] = {"",
                         "index.html",
                         "/..",
                         "/../etc/passwd",
                         "/js/../../x",
                         "/./index.html",
                         "/.git/config",
                         "/js/.hidden",
                         "//etc/passwd",
                         "/js/",
                         "/a\\..\\b",
                         "/a b",
                         "/a%2e",
                         "/a:b",
                         "/a/b/c/d/e/f/g/h/i",
                         "/node_modules/echarts/package.json",
                         "/x/node_modules",
                         "/\xe4\xb8\xad"};
    for (size_t i = 0; i < CS_ARRAY_LEN(good); i++)
        if (!hub_static_path_ok(good[i]))
            CS_FAILF("refused '%s'", good[i]);
    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++)
        if (hub_static_path_ok(bad[i]))
            CS_FAILF("accepted '%s'", bad[i]);
    CHECK(!hub_static_path_ok(NULL));
}

static void serve(void *app, const struct hub_http_req *r, struct hub_http_resp *w)
{
    hub_static_serve(app, r, w);
}

static size_t roundtrip(int port, const char *req, char *buf, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    buf[0] = 0;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    size_t len = strlen(req), off = 0;
    while (off < len) {
        ssize_t n = write(fd, req + off, len - off);
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

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* GET path; returns the status code, the whole answer in buf. */
static int get(int port, const char *method, const char *path, const char *extra, char *buf,
               size_t cap)
{
    char req[1024];
    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n", method,
             path, extra ? extra : "");
    roundtrip(port, req, buf, cap);
    int code = 0;
    sscanf(buf, "HTTP/1.1 %d", &code);
    return code;
}

CS_TEST(serve_files_and_refuse_escapes)
{
    char top[] = "/tmp/cs-static-XXXXXX";
    REQUIRE(mkdtemp(top) != NULL);
    char root[300], sub[320], outside[300];
    snprintf(root, sizeof(root), "%s/web", top);
    snprintf(sub, sizeof(sub), "%s/js", root);
    snprintf(outside, sizeof(outside), "%s/secret", top);
    REQUIRE(mkdir(root, 0700) == 0 && mkdir(sub, 0700) == 0 && mkdir(outside, 0700) == 0);
    put(root, "index.html", "<!doctype html><title>console-index</title>");
    put(root, "app.css", "body{}");
    put(sub, "app.js", "export const x = 'app-js';");
    put(outside, "passwd.txt", "TOP-SECRET");
    put(top, "secret.txt", "TOP-SECRET");
    put(root, ".env", "TOP-SECRET");
    char lnk[400], tgt[400];
    snprintf(lnk, sizeof(lnk), "%s/link.txt", root);
    snprintf(tgt, sizeof(tgt), "%s/secret.txt", top);
    CHECK(symlink(tgt, lnk) == 0);
    snprintf(lnk, sizeof(lnk), "%s/linkdir", root);
    CHECK(symlink(outside, lnk) == 0);

    struct hub_static *st = NULL;
    struct cs_err err = {0};
    CHECK(hub_static_open("/nonexistent/web", &st, &err) == CS_EIO);
    CHECK(strstr(err.msg, "/nonexistent/web") != NULL);
    REQUIRE(hub_static_open(root, &st, &err) == CS_OK);
    struct hub_http_cfg cfg = {.listen = {"127.0.0.1:0"}, .nlisten = 1, .threads = 2};
    struct hub_http *h = NULL;
    REQUIRE(hub_http_start(&cfg, serve, st, &h, &err) == CS_OK);
    int port = hub_http_port(h, 0);
    static char buf[16384];

    CHECK_EQ(get(port, "GET", "/", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "console-index") != NULL);
    CHECK(strstr(buf, "Content-Type: text/html; charset=utf-8") != NULL);
    CHECK(strstr(buf, "Content-Security-Policy: default-src 'self'") != NULL);
    CHECK(strstr(buf, "Cache-Control: no-cache") != NULL);
    CHECK(strstr(buf, "no-store") == NULL);
    CHECK_EQ(get(port, "GET", "/js/app.js", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "app-js") != NULL);
    CHECK(strstr(buf, "Content-Type: text/javascript") != NULL);
    CHECK(strstr(buf, "Content-Security-Policy") == NULL);
    CHECK_EQ(get(port, "GET", "/app.css?v=1", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "Content-Type: text/css") != NULL);
    /* ETag and revalidation */
    char *et = strstr(buf, "ETag: ");
    REQUIRE(et != NULL);
    char etag[80] = "", extra[128];
    sscanf(et + 6, "%79[^\r]", etag);
    snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n", etag);
    CHECK_EQ(get(port, "GET", "/app.css", extra, buf, sizeof(buf)), 304);
    CHECK(strstr(buf, "body{}") == NULL);
    CHECK_EQ(get(port, "GET", "/app.css", "If-None-Match: \"other\"\r\n", buf, sizeof(buf)), 200);
    /* HEAD: headers, no body */
    CHECK_EQ(get(port, "HEAD", "/js/app.js", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "app-js") == NULL);
    /* client routes of the console answer index.html; missing files with an extension 404 */
    CHECK_EQ(get(port, "GET", "/alerts", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "console-index") != NULL);
    CHECK_EQ(get(port, "GET", "/events/42", NULL, buf, sizeof(buf)), 200);
    CHECK(strstr(buf, "console-index") != NULL);
    CHECK_EQ(get(port, "GET", "/js", NULL, buf, sizeof(buf)), 200); /* a directory: a route */
    CHECK(strstr(buf, "console-index") != NULL);
    CHECK_EQ(get(port, "GET", "/missing.js", NULL, buf, sizeof(buf)), 404);
    CHECK(strstr(buf, "\"code\":\"not_found\"") != NULL);
    /* hostile paths: never the secret, whatever the spelling */
    const char *hostile[] = {"/../secret.txt",
                             "/js/../../secret.txt",
                             "/%2e%2e/secret.txt",
                             "/%2E%2E%2Fsecret.txt",
                             "/js/..%2f..%2fsecret.txt",
                             "/..%5csecret.txt",
                             "/.env",
                             "/%2eenv",
                             "//tmp/secret.txt",
                             "/link.txt",
                             "/linkdir/passwd.txt",
                             "/linkdir",
                             "/index.html%00.txt",
                             "/js/app.js/",
                             "/a/b/c/d/e/f/g/h/i/j"};
    for (size_t i = 0; i < CS_ARRAY_LEN(hostile); i++) {
        int code = get(port, "GET", hostile[i], NULL, buf, sizeof(buf));
        if (strstr(buf, "TOP-SECRET"))
            CS_FAILF("'%s' served the secret", hostile[i]);
        if (code == 200 && !strstr(buf, "console-index"))
            CS_FAILF("'%s' answered 200 with something else", hostile[i]);
        if (code != 200 && code != 400 && code != 404)
            CS_FAILF("'%s' answered %d", hostile[i], code);
    }
    CHECK_EQ(get(port, "GET", "/../secret.txt", NULL, buf, sizeof(buf)), 400);
    CHECK(strstr(buf, "\"code\":\"invalid_path\"") != NULL);
    CHECK_EQ(get(port, "GET", "/link.txt", NULL, buf, sizeof(buf)), 404);
    CHECK_EQ(get(port, "GET", "/linkdir/passwd.txt", NULL, buf, sizeof(buf)), 404);
    /* only GET and HEAD */
    CHECK_EQ(get(port, "POST", "/index.html", "Content-Length: 0\r\n", buf, sizeof(buf)), 405);
    CHECK(strstr(buf, "Allow: GET, HEAD") != NULL);
    CHECK_EQ(get(port, "DELETE", "/index.html", NULL, buf, sizeof(buf)), 405);

    hub_http_stop(h);
    hub_static_free(st);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    CHECK(system(cmd) == 0);
}

CS_TEST_MAIN()
