/* server.h — the hub's HTTP/1.1 server: libmicrohttpd with a thread pool, limits, IPv4 and
 * IPv6 listeners, optional TLS.
 *
 * The server reads a whole request (headers and body, both capped), then calls the
 * application's handler once with a struct hub_http_req and a struct hub_http_resp to fill.
 * Requests over a limit never reach the handler: the server answers them itself with the
 * hub's error object ({"error":{"code":"body_too_large","message":"…"}}) — 413 for a body
 * over max_body, 431 (libmicrohttpd) for headers over max_header, and a slow client is
 * disconnected after timeout_s of inactivity.
 *
 * Thread safety: the handler runs on the pool's threads, several at once; it must be
 * thread-safe. Everything in a request is valid only during the handler call. */
#ifndef HUB_HTTP_SERVER_H
#define HUB_HTTP_SERVER_H

#include "../../lib/cs.h"
#include "../../lib/cs_json.h"

#define HUB_HTTP_MAX_LISTEN 4

struct hub_http_cfg {
    const char *listen[HUB_HTTP_MAX_LISTEN]; /* "127.0.0.1:8443", "[::1]:8443"; port 0 = any */
    int nlisten;
    int threads;               /* thread pool size per listener (default 4) */
    size_t max_body;           /* bytes (default 16 MiB) */
    size_t max_header;         /* per-connection memory for headers and buffers (default 32 KiB) */
    unsigned max_conns;        /* total connections per listener (default 256) */
    unsigned max_conns_per_ip; /* 0: no per-address limit */
    unsigned timeout_s;        /* idle timeout (default 30) */
    const char *tls_cert;      /* PEM file paths; both set = HTTPS */
    const char *tls_key;
};

struct hub_http_req {
    const char *method;
    const char *path; /* without the query string */
    const char *body; /* NUL-terminated copy of the body (len bytes) */
    size_t body_len;
    char client[64]; /* peer address as text ("127.0.0.1", "::1") */
    void *conn;      /* the libmicrohttpd connection (use the accessors below) */
};

/* Header (case-insensitive name) and query-string argument of the request; NULL if absent.
 * For a query argument given without a value ("?a") the value is "". */
const char *hub_http_header(const struct hub_http_req *r, const char *name);
const char *hub_http_query(const struct hub_http_req *r, const char *key);
/* Calls fn for every query argument (to reject unknown ones); fn returning non-zero stops
 * and is returned. */
int hub_http_query_each(const struct hub_http_req *r,
                        int (*fn)(void *arg, const char *key, const char *value), void *arg);

struct hub_http_resp {
    int status;          /* default 200 */
    struct cs_json body; /* JSON body (empty: no body) */
    char headers[1024];  /* extra "Name: value\r\n" lines */
    /* A file instead of the JSON body (hub_http_resp_file): the server owns file_fd. */
    bool file;
    int file_fd;
    uint64_t file_len;
    char content_type[64];
};

/* Adds a response header (name and value must not contain CR/LF; ignored if they do or if
 * there is no room). */
void hub_http_resp_header(struct hub_http_resp *w, const char *name, const char *value);
/* Answers with file_len bytes of the open file fd (the server sends and closes it, also on
 * error) under content_type instead of the JSON body. A "Cache-Control" header added with
 * hub_http_resp_header replaces the default "no-store". */
void hub_http_resp_file(struct hub_http_resp *w, int fd, uint64_t file_len,
                        const char *content_type);
/* Replaces the body with the hub's error object and sets status. */
void hub_http_error(struct hub_http_resp *w, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef void (*hub_http_handler)(void *app, const struct hub_http_req *req,
                                 struct hub_http_resp *resp);

struct hub_http;

/* Starts listening on every cfg->listen address and serving with handler(app, …). On error
 * fills err ("cannot listen on 127.0.0.1:80: Permission denied") and returns CS_EINVAL or
 * CS_EIO. */
int hub_http_start(const struct hub_http_cfg *cfg, hub_http_handler handler, void *app,
                   struct hub_http **out, struct cs_err *err);
/* The port actually bound by listener i (useful with port 0); 0 if none. */
int hub_http_port(const struct hub_http *h, int i);
/* Stops accepting, finishes the running requests, frees. NULL is a no-op. */
void hub_http_stop(struct hub_http *h);

/* Parses "HOST:PORT" or "[V6]:PORT" (or a bare port → 127.0.0.1) into a socket address.
 * CS_OK or CS_EINVAL. */
struct sockaddr_storage;
int hub_http_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len);

#endif
