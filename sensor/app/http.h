/* http.h — HTTP/1.x transactions as the parser keeps them, for the detection engine.
 *
 * The parser (http.c) keeps a queue of transactions per flow (sn_app_state(f) is a
 * struct sn_http_state *). Each transaction holds every buffer a rule inspects: the request
 * line and its pieces, the normalised and raw URI, headers (unfolded name/value pairs and the
 * raw header block), the status line pieces, and the request and response bodies (dechunked,
 * response decompressed) up to the configured body limits. All buffers are plain byte ranges
 * (not NUL-terminated); an absent field has len 0. Read-only for users; owned by the parser
 * and valid until the next parse() call of the flow. */
#ifndef SN_APP_HTTP_H
#define SN_APP_HTTP_H

#include "../sn_types.h"

struct sn_http_buf {
    uint8_t *p;
    uint32_t len, cap;
};

struct sn_http_hdr {
    uint32_t name_off, name_len; /* into sn_http_hdrs.blob */
    uint32_t val_off, val_len;
};

struct sn_http_hdrs {
    struct sn_http_buf blob;     /* names and values back to back (folded lines joined) */
    struct sn_http_buf raw;      /* the header block as received (incl. line ends) */
    struct sn_http_hdr *h;
    uint32_t n, cap;
};

/* Transaction progress bits */
#define SN_HTTP_REQ_LINE (1u << 0)   /* request line seen */
#define SN_HTTP_REQ_HDRS (1u << 1)   /* request headers complete */
#define SN_HTTP_REQ_DONE (1u << 2)   /* request complete (body included) */
#define SN_HTTP_RESP_LINE (1u << 3)
#define SN_HTTP_RESP_HDRS (1u << 4)
#define SN_HTTP_RESP_DONE (1u << 5)
#define SN_HTTP_HTTP09 (1u << 6)     /* request without protocol */
#define SN_HTTP_REQ_BODY_TRUNC (1u << 7)  /* body buffer stopped at the limit */
#define SN_HTTP_RESP_BODY_TRUNC (1u << 8)

struct http_file;

struct sn_http_tx {
    struct sn_http_tx *next;
    uint64_t id;                 /* tx_id: 0, 1, 2 … per flow */
    uint32_t progress;           /* SN_HTTP_* */
    /* request */
    struct sn_http_buf request_line; /* http.request_line */
    struct sn_http_buf method;       /* http.method */
    struct sn_http_buf uri_raw;      /* http.uri.raw (as sent) */
    struct sn_http_buf uri_norm;     /* http.uri (percent-decoded, dot segments removed) */
    struct sn_http_buf protocol;     /* http.protocol ("HTTP/1.1") */
    struct sn_http_buf host;         /* http.host: hostname, lower case, no port */
    int32_t port;                    /* port from the Host header or URI, -1 none */
    struct sn_http_hdrs req_hdrs;    /* http.header / http.header.raw / http.cookie … */
    struct sn_http_buf req_body;     /* http.request_body (dechunked), up to the limit */
    uint64_t req_body_len;           /* request body bytes seen */
    /* response */
    struct sn_http_buf response_line; /* http.response_line */
    struct sn_http_buf resp_protocol;
    struct sn_http_buf stat_code;    /* http.stat_code (text) */
    struct sn_http_buf stat_msg;     /* http.stat_msg */
    int32_t status;                  /* numeric status, -1 none/invalid */
    struct sn_http_hdrs resp_hdrs;
    struct sn_http_buf resp_body;    /* http.response_body / file.data (decompressed) */
    uint64_t resp_msg_len;           /* body bytes on the wire (dechunked) */
    uint64_t resp_entity_len;        /* after decompression */
    struct http_file *file[2];       /* per direction, NULL when no file */
};

struct sn_http_state;

/* Oldest transaction still held for the flow (NULL when none); follow ->next. */
const struct sn_http_tx *sn_http_tx_first(const struct sn_http_state *s);

/* Value of the first header called `name` (case-insensitive) or NULL; *len gets its length. */
const uint8_t *sn_http_header_get(const struct sn_http_hdrs *h, const char *name,
                                  uint32_t *len);

/* Name of the file carried by the body of direction dir (the fileinfo "filename": the
 * Content-Disposition filename, else the URI path without query), or NULL when that body has
 * no file (yet: a file opens with the first body byte). Valid as the transaction. */
const uint8_t *sn_http_file_name(const struct sn_http_tx *tx, int dir, uint32_t *len);

#endif
