/* http.h — the small HTTP/1.1 client the hub output posts batches with: one request per
 * connection ("Connection: close"), plain TCP (http:// only; put a TLS terminator such as
 * stunnel or the hub's reverse proxy on the sensor host for https), bounded response.
 * Thread-safe (no global state). */
#ifndef SN_HTTP_H
#define SN_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "../../lib/cs.h"

#define SN_HTTP_RESP_MAX (64u << 10) /* longer responses are refused (CS_ELIMIT) */
#define SN_HTTP_BODY_KEEP 512        /* bytes of the response body kept for the log */

struct sn_url {
    char host[256]; /* name or address; IPv6 without the brackets */
    char port[8];
    char path[1024]; /* at least "/" */
};

/* Parses "http://host[:port][/path]" ([v6addr] allowed). https:// and other schemes are
 * refused with a message saying so. Returns CS_OK or CS_EINVAL with err set. */
int sn_url_parse(const char *url, struct sn_url *u, struct cs_err *err);

struct sn_http_resp {
    int status;                         /* 100..599 */
    size_t body_len;                    /* whole body (decoded from chunks when chunked) */
    char body[SN_HTTP_BODY_KEEP + 1];   /* its first bytes, NUL-terminated */
};

/* Parses a response in buf[0..len) (hostile input). `eof`: the peer has closed, so a body
 * without Content-Length or chunking ends at len. Returns the bytes the response takes
 * (> 0) with *r filled, CS_AGAIN when more input is needed, CS_EINVAL when malformed. 1xx
 * interim responses are not expected (the client sends no Expect) and are refused. */
int sn_http_resp_parse(const char *buf, size_t len, bool eof, struct sn_http_resp *r);

/* POSTs body[0..len) to u->path with the given extra header lines ("Name: value", no CRLF;
 * nhdr of them) plus Host, Content-Length and Connection: close. timeout_ms bounds connect,
 * each send and each receive. Returns CS_OK with *r set (any status), CS_EIO when the
 * connection fails (err says why), CS_EINVAL for a malformed response, CS_ELIMIT for one
 * larger than SN_HTTP_RESP_MAX. */
int sn_http_post(const struct sn_url *u, const char *const *hdr, size_t nhdr, const void *body,
                 size_t len, int timeout_ms, struct sn_http_resp *r, struct cs_err *err);

#endif
