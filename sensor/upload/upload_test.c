/* upload_test.c — the uploader against a scripted loopback HTTP server: what goes on the
 * wire (headers, a zstd body holding the spooled lines, an SM2 signature the hub's verifier
 * accepts), the same batch id on a retry, 400 moved aside, 401 retried not rejected. */
#include "upload.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zstd.h>

#include "../../gm/gm.h"
#include "../../hub/auth/auth.h"
#include "../../lib/cs_test.h"

#define MAXREQ 16

struct request {
    char head[4096];
    char *body;
    size_t len;
};

struct server {
    int lfd, port;
    const int *statuses; /* answers in order; 200 after the list (0-terminated) */
    struct request req[MAXREQ];
    int nreq;
    pthread_t t;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        char buf[1 << 16];
        size_t len = 0;
        char *e = NULL;
        long cl = 0;
        if (fd < 0)
            return NULL;
        for (;;) {
            ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = 0;
            e = strstr(buf, "\r\n\r\n");
            if (e) {
                char *c = strcasestr(buf, "\r\nContent-Length: ");
                cl = c ? atol(c + 18) : 0;
                if (len >= (size_t)(e + 4 - buf) + (size_t)cl)
                    break;
            }
        }
        int status = 200;
        if (e && s->nreq < MAXREQ) {
            struct request *r = &s->req[s->nreq];
            size_t hl = (size_t)(e + 4 - buf);
            snprintf(r->head, sizeof(r->head), "%.*s", (int)hl, buf);
            r->len = (size_t)cl;
            r->body = malloc(r->len + 1);
            memcpy(r->body, e + 4, r->len);
            int k = 0;
            while (s->statuses[k] && k < s->nreq)
                k++;
            status = k == s->nreq && s->statuses[k] ? s->statuses[k] : 200;
            s->nreq++;
        }
        char resp[256];
        const char *body = status == 200 ? "{\"stored\":1,\"duplicate\":false}" : "{\"error\":{}}";
        snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n\r\n%s", status,
                 strlen(body), body);
        if (send(fd, resp, strlen(resp), MSG_NOSIGNAL) < 0)
            perror("send");
        close(fd);
    }
}

static void server_start(struct server *s, const int *statuses)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    memset(s, 0, sizeof(*s));
    s->statuses = statuses;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->lfd, 8) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0)
        perror("server");
    s->port = ntohs(a.sin_port);
    pthread_create(&s->t, NULL, serve, s);
}

static void server_stop(struct server *s)
{
    shutdown(s->lfd, SHUT_RDWR);
    close(s->lfd);
    pthread_join(s->t, NULL);
}

static void server_free(struct server *s)
{
    for (int i = 0; i < s->nreq; i++)
        free(s->req[i].body);
}

/* Value of header name in a request head ("" when absent). */
static const char *header(const struct request *r, const char *name, char *out, size_t cap)
{
    char pat[96];
    const char *p;
    snprintf(pat, sizeof(pat), "\r\n%s: ", name);
    p = strcasestr(r->head, pat);
    out[0] = 0;
    if (p) {
        p += strlen(pat);
        snprintf(out, cap, "%.*s", (int)strcspn(p, "\r\n"), p);
    }
    return out;
}

static char g_dir[64];

static void setup(struct sn_hub_cfg *c, const struct server *s, uint32_t batch_events)
{
    strcpy(g_dir, "/tmp/cs-upload-test.XXXXXX");
    if (!mkdtemp(g_dir))
        perror("mkdtemp");
    sn_config_hub_defaults(c);
    c->enabled = true;
    snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d", s->port);
    strcpy(c->token, "cst_test-token");
    snprintf(c->spool_dir, sizeof(c->spool_dir), "%s/spool", g_dir);
    c->batch_events = batch_events;
    c->flush_ms = 20;
    c->retry_max_ms = 100;
    c->timeout_ms = 2000;
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", g_dir);
}

static const char LINES[] = "{\"event_type\":\"dns\",\"n\":1}\n{\"event_type\":\"dns\",\"n\":2}\n"
                            "{\"event_type\":\"alert\",\"n\":3}\n{\"event_type\":\"flow\",\"n\":4}\n";

CS_TEST(signed_zstd_batch_retried_under_the_same_id_after_a_503)
{
    static const int script[] = {503, 0};
    struct server s;
    struct sn_hub_cfg c;
    struct sn_upload *u = NULL;
    struct sn_upload_stats st;
    struct cs_err err = {0};
    struct gm_sm2_key *key = NULL;
    char keyfile[128], v[512], v2[512];
    server_start(&s, script);
    setup(&c, &s, 100);
    REQUIRE(gm_sm2_key_generate(&key) == CS_OK);
    snprintf(keyfile, sizeof(keyfile), "%s/edge.pem", g_dir);
    REQUIRE(gm_sm2_key_save_private_pem_file(key, keyfile) == CS_OK);
    snprintf(c.key_file, sizeof(c.key_file), "%s", keyfile);
    strcpy(c.sensor_name, "edge-t");
    REQUIRE(sn_upload_start(&c, NULL, &u, &err) == CS_OK);
    sn_upload_append(u, LINES, sizeof(LINES) - 1);
    sn_upload_stop(u, 5000, &st);
    server_stop(&s);

    CHECK(st.uploaded_events == 4);
    CHECK(st.uploaded_batches == 1);
    CHECK(st.retries == 1);
    CHECK(st.spool_pending == 0);
    REQUIRE(s.nreq == 2);
    const struct request *r = &s.req[1];
    CHECK(strncmp(r->head, "POST /api/v1/events HTTP/1.1\r\n", 30) == 0);
    CHECK(strcmp(header(r, "Content-Type", v, sizeof(v)), "application/x-ndjson") == 0);
    CHECK(strcmp(header(r, "Content-Encoding", v, sizeof(v)), "zstd") == 0);
    CHECK(strcmp(header(r, "Authorization", v, sizeof(v)), "Bearer cst_test-token") == 0);
    header(r, "X-Citysoc-Batch", v, sizeof(v));
    CHECK(strcmp(v, header(&s.req[0], "X-Citysoc-Batch", v2, sizeof(v2))) == 0);
    /* the body is the spooled lines, zstd-compressed */
    char plain[1024];
    size_t pn = ZSTD_decompress(plain, sizeof(plain), r->body, r->len);
    REQUIRE(!ZSTD_isError(pn));
    CHECK(pn == sizeof(LINES) - 1 && memcmp(plain, LINES, pn) == 0);
    /* and the signature is what the hub verifies */
    struct hub_sig_header h;
    struct gm_sm2_key *pub = NULL;
    uint8_t raw[GM_SM2_PUB_RAW_LEN];
    REQUIRE(gm_sm2_key_public_raw(key, raw) == CS_OK);
    REQUIRE(gm_sm2_key_from_public_raw(raw, sizeof(raw), &pub) == CS_OK);
    header(r, HUB_SIG_HEADER_NAME, v2, sizeof(v2));
    REQUIRE(hub_sig_parse(v2, strlen(v2), &h) == HUB_SIG_OK);
    CHECK(strcmp(h.keyid, "edge-t") == 0);
    CHECK(strcmp(h.batch, v) == 0);
    CHECK(hub_sig_verify(&h, pub, r->body, r->len) == HUB_SIG_OK);
    CHECK(hub_sig_verify(&h, pub, plain, pn) == HUB_SIG_BAD_SIGNATURE);
    gm_sm2_key_free(pub);
    gm_sm2_key_free(key);
    server_free(&s);
    cleanup();
}

static int count_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

CS_TEST(a_400_moves_the_batch_aside_and_the_rest_goes_on)
{
    static const int script[] = {400, 0};
    struct server s;
    struct sn_hub_cfg c;
    struct sn_upload *u = NULL;
    struct sn_upload_stats st;
    struct cs_err err = {0};
    char path[256], buf[512] = "";
    FILE *f;
    server_start(&s, script);
    setup(&c, &s, 2);
    c.compression = SN_HUB_GZIP;
    REQUIRE(sn_upload_start(&c, NULL, &u, &err) == CS_OK);
    sn_upload_append(u, LINES, sizeof(LINES) - 1);
    sn_upload_stop(u, 5000, &st);
    server_stop(&s);
    CHECK(s.nreq == 2);
    CHECK(st.rejected_batches == 1 && st.rejected_events == 2);
    CHECK(st.uploaded_batches == 1 && st.uploaded_events == 2);
    CHECK(st.spool_pending == 0);
    CHECK(strcmp(header(&s.req[0], "Content-Encoding", buf, sizeof(buf)), "gzip") == 0);
    snprintf(path, sizeof(path), "%s/spool/rejected", g_dir);
    CHECK(count_dir(path) == 2); /* .ndjson and .response */
    header(&s.req[0], "X-Citysoc-Batch", buf, sizeof(buf));
    snprintf(path, sizeof(path), "%s/spool/rejected/%s.ndjson", g_dir, buf);
    f = fopen(path, "r");
    REQUIRE(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    CHECK(strcmp(buf, "{\"event_type\":\"dns\",\"n\":1}\n{\"event_type\":\"dns\",\"n\":2}\n") == 0);
    server_free(&s);
    cleanup();
}

CS_TEST(a_401_is_retried_not_rejected)
{
    static const int script[] = {401, 0};
    struct server s;
    struct sn_hub_cfg c;
    struct sn_upload *u = NULL;
    struct sn_upload_stats st;
    struct cs_err err = {0};
    char path[256];
    server_start(&s, script);
    setup(&c, &s, 100);
    c.compression = SN_HUB_NONE;
    REQUIRE(sn_upload_start(&c, NULL, &u, &err) == CS_OK);
    sn_upload_append(u, LINES, sizeof(LINES) - 1);
    sn_upload_stop(u, 5000, &st);
    server_stop(&s);
    CHECK(st.auth_failures == 1);
    CHECK(st.rejected_batches == 0);
    CHECK(st.uploaded_events == 4);
    REQUIRE(s.nreq == 2);
    CHECK(s.req[1].len == sizeof(LINES) - 1 && memcmp(s.req[1].body, LINES, s.req[1].len) == 0);
    snprintf(path, sizeof(path), "%s/spool/rejected", g_dir);
    CHECK(count_dir(path) == 0);
    server_free(&s);
    cleanup();
}

CS_TEST(hub_down_keeps_everything_for_the_next_start)
{
    struct sn_hub_cfg c;
    struct sn_upload *u = NULL;
    struct sn_upload_stats st;
    struct cs_err err = {0};
    struct server s;
    static const int none[] = {0};
    server_start(&s, none);
    setup(&c, &s, 100);
    snprintf(c.url, sizeof(c.url), "http://127.0.0.1:1"); /* nobody listens */
    REQUIRE(sn_upload_start(&c, NULL, &u, &err) == CS_OK);
    sn_upload_append(u, LINES, sizeof(LINES) - 1);
    sn_upload_stop(u, 300, &st);
    CHECK(st.uploaded_events == 0);
    CHECK(st.retries >= 1);
    CHECK(st.spool_pending == 4);
    /* next start, the hub is back */
    snprintf(c.url, sizeof(c.url), "http://127.0.0.1:%d", s.port);
    REQUIRE(sn_upload_start(&c, NULL, &u, &err) == CS_OK);
    sn_upload_stop(u, 5000, &st);
    server_stop(&s);
    CHECK(st.uploaded_events == 4);
    CHECK(st.spool_pending == 0);
    REQUIRE(s.nreq == 1);
    CHECK(s.req[0].len > 0);
    server_free(&s);
    cleanup();
}

CS_TEST(bad_settings_are_refused_at_start)
{
    struct sn_hub_cfg c;
    struct sn_upload *u = NULL;
    struct cs_err err = {0};
    struct server s;
    static const int none[] = {0};
    server_start(&s, none);
    setup(&c, &s, 100);
    c.token[0] = 0;
    CHECK(sn_upload_start(&c, NULL, &u, &err) == CS_EINVAL && u == NULL);
    CHECK(strstr(err.msg, "token") != NULL);
    strcpy(c.token, "t");
    strcpy(c.key_file, "/nonexistent/key.pem");
    strcpy(c.sensor_name, "edge");
    CHECK(sn_upload_start(&c, NULL, &u, &err) != CS_OK && u == NULL);
    strcpy(c.sensor_name, "bad name");
    CHECK(sn_upload_start(&c, NULL, &u, &err) == CS_EINVAL && u == NULL);
    CHECK(strstr(err.msg, "sensor-name") != NULL);
    server_stop(&s);
    server_free(&s);
    cleanup();
}

CS_TEST_MAIN()
