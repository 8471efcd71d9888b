/* server.c — libmicrohttpd glue: limits, body accumulation, one handler call per request. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct hub_http {
    struct hub_http_cfg cfg;
    hub_http_handler handler;
    void *app;
    struct MHD_Daemon *d[HUB_HTTP_MAX_LISTEN];
    int n;
    char *cert, *key; /* PEM text for MHD (kept for its lifetime) */
};

/* Per-request state (MHD's con_cls). */
struct rq {
    char *body;
    size_t len, cap;
    bool too_big;
};

const char *hub_http_header(const struct hub_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *hub_http_query(const struct hub_http_req *r, const char *key)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
    if (!v && MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), NULL,
                                            NULL) == MHD_YES)
        return "";
    return v;
}

struct qeach {
    int (*fn)(void *, const char *, const char *);
    void *arg;
    int rc;
};

static enum MHD_Result qeach_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct qeach *q = cls;
    (void)kind;
    q->rc = q->fn(q->arg, key, value ? value : "");
    return q->rc ? MHD_NO : MHD_YES;
}

int hub_http_query_each(const struct hub_http_req *r,
                        int (*fn)(void *arg, const char *key, const char *value), void *arg)
{
    struct qeach q = {fn, arg, 0};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qeach_cb, &q);
    return q.rc;
}

void hub_http_resp_header(struct hub_http_resp *w, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
        return;
    size_t used = strlen(w->headers);
    int n = snprintf(w->headers + used, sizeof(w->headers) - used, "%s: %s\r\n", name, value);
    if (n < 0 || (size_t)n >= sizeof(w->headers) - used)
        w->headers[used] = 0;
}

void hub_http_resp_file(struct hub_http_resp *w, int fd, uint64_t file_len,
                        const char *content_type)
{
    if (w->file)
        close(w->file_fd);
    w->file = true;
    w->file_fd = fd;
    w->file_len = file_len;
    snprintf(w->content_type, sizeof(w->content_type), "%s", content_type);
}

void hub_http_error(struct hub_http_resp *w, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->file) {
        close(w->file_fd);
        w->file = false;
    }
    cs_json_reset(&w->body);
    cs_json_open(&w->body, NULL);
    cs_json_open(&w->body, "error");
    cs_json_str(&w->body, "code", code);
    cs_json_str(&w->body, "message", msg);
    cs_json_close(&w->body);
    cs_json_close(&w->body);
    w->status = status;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct hub_http_resp *w)
{
    struct MHD_Response *r;
    if (w->file) {
        w->file = false; /* MHD owns the descriptor from here (closes it when done) */
        r = MHD_create_response_from_fd64(w->file_len, w->file_fd);
        if (!r) {
            close(w->file_fd);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", w->content_type);
    } else {
        if (!cs_json_ok(&w->body))
            hub_http_error(w, 500, "internal", "response too large or out of memory");
        if (w->body.len)
            cs_json_append(&w->body, "\n", 1);
        r = MHD_create_response_from_buffer(
            w->body.len, w->body.buf ? w->body.buf : (void *)"", MHD_RESPMEM_MUST_COPY);
        if (!r)
            return MHD_NO;
        if (w->body.len)
            MHD_add_response_header(r, "Content-Type", "application/json");
    }
    if (!strcasestr(w->headers, "Cache-Control:"))
        MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    char *line = w->headers;
    while (*line) {
        char *eol = strstr(line, "\r\n");
        char *colon = strchr(line, ':');
        if (!eol || !colon || colon > eol)
            break;
        *colon = 0;
        *eol = 0;
        MHD_add_response_header(r, line, colon + 2);
        line = eol + 2;
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)w->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct hub_http *h = cls;
    struct rq *q = *con_cls;
    (void)version;
    if (!q) {
        q = cs_calloc(1, sizeof(*q));
        if (!q)
            return MHD_NO;
        *con_cls = q;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            if (errno || *end || v > h->cfg.max_body)
                q->too_big = true;
        }
        if (!q->too_big)
            return MHD_YES;
        /* Declared too large: answer now, without reading the body; the connection closes. */
        struct hub_http_resp w = {.status = 413};
        cs_json_init(&w.body);
        hub_http_error(&w, 413, "body_too_large", "request body larger than %zu bytes",
                       h->cfg.max_body);
        hub_http_resp_header(&w, "Connection", "close");
        enum MHD_Result ret = send_resp(c, &w);
        cs_json_free(&w.body);
        return ret;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (q->too_big || q->len + n > h->cfg.max_body) {
            q->too_big = true; /* keep reading and discarding; answer at the end */
            return MHD_YES;
        }
        if (q->len + n + 1 > q->cap) {
            size_t cap = q->cap ? q->cap : 4096;
            while (cap < q->len + n + 1)
                cap *= 2;
            char *nb = cs_realloc(q->body, cap);
            if (!nb)
                return MHD_NO;
            q->body = nb;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload_data, n);
        q->len += n;
        return MHD_YES;
    }

    struct hub_http_resp w = {.status = 200};
    cs_json_init(&w.body);
    w.body.max = 256u << 20;
    if (q->too_big) {
        hub_http_error(&w, 413, "body_too_large", "request body larger than %zu bytes",
                       h->cfg.max_body);
        hub_http_resp_header(&w, "Connection", "close");
    } else {
        struct hub_http_req r = {
            .method = method,
            .path = url,
            .body = q->body ? q->body : "",
            .body_len = q->len,
            .conn = c,
        };
        if (q->body)
            q->body[q->len] = 0;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r.client,
                          sizeof(r.client));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r.client,
                          sizeof(r.client));
        }
        h->handler(h->app, &r, &w);
    }
    enum MHD_Result ret = send_resp(c, &w);
    cs_json_free(&w.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct rq *q = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (q) {
        cs_free(q->body);
        cs_free(q);
        *con_cls = NULL;
    }
}

int hub_http_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len)
{
    char host[128];
    const char *port;
    memset(ss, 0, sizeof(*ss));
    if (!s || !*s)
        return CS_EINVAL;
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof(host))
            return CS_EINVAL;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = 0;
        port = e + 2;
    } else {
        const char *e = strrchr(s, ':');
        if (!e) {
            snprintf(host, sizeof(host), "127.0.0.1");
            port = s;
        } else {
            if ((size_t)(e - s) >= sizeof(host))
                return CS_EINVAL;
            memcpy(host, s, (size_t)(e - s));
            host[e - s] = 0;
            port = e + 1;
        }
    }
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (errno || *end || end == port || p < 0 || p > 65535)
        return CS_EINVAL;
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        *len = sizeof(*v4);
        return CS_OK;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        *len = sizeof(*v6);
        return CS_OK;
    }
    return CS_EINVAL;
}

static char *read_file(const char *path, struct cs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = cs_malloc(256 * 1024);
    size_t n = buf ? fread(buf, 1, 256 * 1024 - 1, f) : 0;
    fclose(f);
    if (!buf) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("hub: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int hub_http_start(const struct hub_http_cfg *cfg, hub_http_handler handler, void *app,
                   struct hub_http **out, struct cs_err *err)
{
    struct hub_http *h = cs_calloc(1, sizeof(*h));
    if (!h) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    h->cfg = *cfg;
    h->handler = handler;
    h->app = app;
    if (!h->cfg.threads)
        h->cfg.threads = 4;
    if (!h->cfg.max_body)
        h->cfg.max_body = 16u << 20;
    if (!h->cfg.max_header)
        h->cfg.max_header = 32u << 10;
    if (!h->cfg.max_conns)
        h->cfg.max_conns = 256;
    if (!h->cfg.timeout_s)
        h->cfg.timeout_s = 30;
    int rc = CS_OK;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (cfg->tls_cert || cfg->tls_key) {
        if (!cfg->tls_cert || !cfg->tls_key) {
            cs_err_set(err, CS_EINVAL, 0, 0, "TLS needs both a certificate and a key");
            rc = CS_EINVAL;
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            cs_err_set(err, CS_EINVAL, 0, 0, "this libmicrohttpd has no TLS support");
            rc = CS_EINVAL;
            goto fail;
        }
        if (!(h->cert = read_file(cfg->tls_cert, err)) ||
            !(h->key = read_file(cfg->tls_key, err))) {
            rc = CS_EIO;
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    for (int i = 0; i < cfg->nlisten; i++) {
        struct sockaddr_storage ss;
        unsigned sl;
        if (hub_http_parse_addr(cfg->listen[i], &ss, &sl) != CS_OK) {
            cs_err_set(err, CS_EINVAL, 0, 0, "bad listen address '%s'", cfg->listen[i]);
            rc = CS_EINVAL;
            goto fail;
        }
        unsigned f = flags | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
        uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                       : ((struct sockaddr_in *)&ss)->sin_port);
        struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
        if (h->cert) {
            tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert};
            tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, h->key};
        }
        h->d[i] = MHD_start_daemon(
            f, port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
            (unsigned)h->cfg.threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT, h->cfg.max_header,
            MHD_OPTION_CONNECTION_LIMIT, h->cfg.max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
            h->cfg.max_conns_per_ip, MHD_OPTION_CONNECTION_TIMEOUT, h->cfg.timeout_s,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
        if (!h->d[i]) {
            cs_err_set(err, CS_EIO, 0, 0, "cannot listen on %s: %s", cfg->listen[i],
                       strerror(errno));
            rc = CS_EIO;
            goto fail;
        }
        h->n = i + 1;
    }
    *out = h;
    return CS_OK;
fail:
    hub_http_stop(h);
    return rc;
}

int hub_http_port(const struct hub_http *h, int i)
{
    if (!h || i < 0 || i >= h->n)
        return 0;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d[i], MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void hub_http_stop(struct hub_http *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->n; i++)
        MHD_stop_daemon(h->d[i]);
    cs_free(h->cert);
    if (h->key) {
        memset(h->key, 0, strlen(h->key));
        cs_free(h->key);
    }
    cs_free(h);
}
