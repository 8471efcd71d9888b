/* http.c — HTTP/1.x parser: pipelined requests and responses (responses match requests in
 * order), header folding, Content-Length and chunked bodies with trailers, bodies to EOF,
 * gzip/deflate response decompression, 100-continue, CONNECT and Upgrade tunnels, HEAD and
 * 204/304 without body, limits with events. Logs EVE `http` per transaction and a `fileinfo`
 * record per body. Line-based parts leave incomplete lines to the registry's buffer; bodies
 * are consumed as they come. */
#include "http.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <zlib.h>

#define HTTP_LINE_MAX 16384u      /* longest request/status/header line kept */
#define HTTP_HDRS_MAX 1024u       /* headers per message */
#define HTTP_HDR_BYTES_MAX (256u << 10) /* stored header bytes per message */
#define HTTP_TX_MAX 512u          /* pending transactions per flow */
#define HTTP_MEM_MAX (8u << 20)   /* buffered bytes per flow (bodies, headers) */
#define HTTP_HASH_MAX (64ull << 20) /* bodies longer than this are not hashed */
#define HTTP_BOMB_RATIO 2048u
#define HTTP_BOMB_MIN (1u << 20)
#define HTTP_DEFAULT_BODY_LIMIT (100u << 10)

enum http_pstate {
    P_LINE = 0,      /* request or status line */
    P_HEADERS,
    P_BODY_CL,
    P_CHUNK_SIZE,
    P_CHUNK_DATA,
    P_CHUNK_CRLF,
    P_TRAILERS,
    P_BODY_EOF,      /* response body until the connection closes */
    P_WAIT,          /* to-server after CONNECT: wait for the response */
    P_TUNNEL,        /* not HTTP any more */
    P_RESYNC,        /* after a gap: skip to a line that starts a message */
};

enum { Z_NONE = 0, Z_GZIP, Z_DEFLATE };

struct http_file {
    EVP_MD_CTX *md[3];           /* md5, sha1, sha256 (NULL when not wanted) */
    uint64_t size;
    bool gaps, closed, truncated, logged, unhashed;
    struct sn_http_buf name;
};

struct http_dir {
    uint8_t state;               /* enum http_pstate */
    uint8_t zmode;               /* Z_* of the current body */
    bool chunked;
    bool zstarted, zfail, zraw_tried;
    uint8_t zpend_len;           /* "deflate": first body byte held to choose zlib or raw */
    uint8_t zpend[2];
    bool skip_line;              /* dropping the rest of an over-long line */
    bool trailer;
    bool events_long;            /* field_too_long raised for this message */
    bool events_many;
    bool hdr_cb;                 /* detection was called for this message's headers */
    uint64_t remain;             /* CL bytes or chunk bytes left */
    struct sn_http_tx *tx;       /* transaction in progress in this direction */
    z_stream z;
};

struct http_conf {
    bool dump_req, dump_resp;
    bool xff, xff_forward;
    char xff_header[64];
    bool hash[3];
    uint64_t req_body_limit, resp_body_limit;
};

struct sn_http_state {
    struct sn_http_tx *head, *tail;
    uint64_t next_id;
    uint32_t ntx;
    uint64_t mem;                /* bytes held in transaction buffers */
    struct http_dir d[2];
    struct http_conf conf;
    bool conf_loaded;
    bool eof[2];
};

/* ---- small helpers ---------------------------------------------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool ieq(const uint8_t *a, uint32_t alen, const char *b)
{
    size_t bl = strlen(b);
    if (alen != bl)
        return false;
    for (uint32_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

static bool is_sp(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Appends to b counting the flow's memory; false (nothing added) past the cap. */
static bool buf_add(struct sn_http_state *s, struct sn_http_buf *b, const void *d, uint32_t n)
{
    if (!n)
        return true;
    if (s->mem + n > HTTP_MEM_MAX || (uint64_t)b->len + n > UINT32_MAX / 2)
        return false;
    if (b->len + n > b->cap) {
        uint32_t cap = b->cap ? b->cap : 64;
        uint8_t *nb;
        while (cap < b->len + n)
            cap *= 2;
        nb = cs_realloc(b->p, cap);
        if (!nb)
            return false;
        s->mem += cap - b->cap;
        b->p = nb;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return true;
}

static bool buf_set(struct sn_http_state *s, struct sn_http_buf *b, const void *d, uint32_t n)
{
    b->len = 0;
    return buf_add(s, b, d, n);
}

static void buf_free(struct sn_http_state *s, struct sn_http_buf *b)
{
    if (s)
        s->mem -= b->cap;
    cs_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void hdrs_free(struct sn_http_state *s, struct sn_http_hdrs *h)
{
    buf_free(s, &h->blob);
    buf_free(s, &h->raw);
    if (s)
        s->mem -= (uint64_t)h->cap * sizeof(*h->h);
    cs_free(h->h);
    h->h = NULL;
    h->n = h->cap = 0;
}

const uint8_t *sn_http_header_get(const struct sn_http_hdrs *h, const char *name, uint32_t *len)
{
    for (uint32_t i = 0; i < h->n; i++) {
        if (ieq(h->blob.p + h->h[i].name_off, h->h[i].name_len, name)) {
            *len = h->h[i].val_len;
            return h->blob.p + h->h[i].val_off;
        }
    }
    *len = 0;
    return NULL;
}

const struct sn_http_tx *sn_http_tx_first(const struct sn_http_state *s)
{
    return s ? s->head : NULL;
}

/* ---- configuration ---------------------------------------------------------------------- */

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;

static void conf_load(struct http_conf *c, const struct sn_config *cfg)
{
    const struct cs_cfg *raw = cfg ? cfg->raw : NULL;
    const char *v;
    uint64_t sz;
    bool b;

    memset(c, 0, sizeof(*c));
    c->req_body_limit = c->resp_body_limit = HTTP_DEFAULT_BODY_LIMIT;
    snprintf(c->xff_header, sizeof(c->xff_header), "X-Forwarded-For");
    if (!raw)
        return;
    /* cs_cfg getters set "used" marks: one reader at a time */
    pthread_mutex_lock(&conf_lock);
    if (cs_cfg_get_str(raw, "outputs.eve-log.types.http.dump-all-headers", &v)) {
        c->dump_req = !strcmp(v, "both") || !strcmp(v, "request");
        c->dump_resp = !strcmp(v, "both") || !strcmp(v, "response");
    }
    if ((cs_cfg_get_bool(raw, "outputs.eve-log.types.http.xff.enabled", &b) ||
         cs_cfg_get_bool(raw, "outputs.eve-log.xff.enabled", &b)) && b) {
        const char *pre = cs_cfg_has(raw, "outputs.eve-log.types.http.xff")
                              ? "outputs.eve-log.types.http.xff"
                              : "outputs.eve-log.xff";
        char key[128];
        snprintf(key, sizeof(key), "%s.mode", pre);
        c->xff = !cs_cfg_get_str(raw, key, &v) || !strcmp(v, "extra-data");
        snprintf(key, sizeof(key), "%s.deployment", pre);
        c->xff_forward = cs_cfg_get_str(raw, key, &v) && !strcmp(v, "forward");
        snprintf(key, sizeof(key), "%s.header", pre);
        if (cs_cfg_get_str(raw, key, &v))
            snprintf(c->xff_header, sizeof(c->xff_header), "%s", v);
    }
    {
        const char *key = "outputs.eve-log.types.files.force-hash";
        size_t n = cs_cfg_count(raw, key);
        for (size_t i = 0; i < n; i++) {
            const char *h = cs_cfg_child_value(raw, key, i);
            if (!h)
                continue;
            if (!strcmp(h, "md5"))
                c->hash[0] = true;
            else if (!strcmp(h, "sha1"))
                c->hash[1] = true;
            else if (!strcmp(h, "sha256"))
                c->hash[2] = true;
        }
    }
    if (cs_cfg_get_size(raw, "app-layer.protocols.http.libhtp.default-config.request-body-limit",
                        &sz))
        c->req_body_limit = sz;
    if (cs_cfg_get_size(raw,
                        "app-layer.protocols.http.libhtp.default-config.response-body-limit",
                        &sz))
        c->resp_body_limit = sz;
    pthread_mutex_unlock(&conf_lock);
}

/* ---- transactions ----------------------------------------------------------------------- */

static void file_free(struct sn_http_state *s, struct http_file *fl)
{
    if (!fl)
        return;
    for (int i = 0; i < 3; i++)
        EVP_MD_CTX_free(fl->md[i]);
    buf_free(s, &fl->name);
    cs_free(fl);
}

static void tx_free(struct sn_http_state *s, struct sn_http_tx *tx)
{
    struct sn_http_buf *bufs[] = {&tx->request_line, &tx->method,   &tx->uri_raw,
                                  &tx->uri_norm,     &tx->protocol, &tx->host,
                                  &tx->req_body,     &tx->response_line, &tx->resp_protocol,
                                  &tx->stat_code,    &tx->stat_msg, &tx->resp_body};

    for (size_t i = 0; i < CS_ARRAY_LEN(bufs); i++)
        buf_free(s, bufs[i]);
    hdrs_free(s, &tx->req_hdrs);
    hdrs_free(s, &tx->resp_hdrs);
    file_free(s, tx->file[0]);
    file_free(s, tx->file[1]);
    cs_free(tx);
}

static struct sn_http_tx *tx_new(struct sn_http_state *s)
{
    struct sn_http_tx *tx = cs_calloc(1, sizeof(*tx));

    if (!tx)
        return NULL;
    tx->id = s->next_id++;
    tx->status = -1;
    tx->port = -1;
    if (s->tail)
        s->tail->next = tx;
    else
        s->head = tx;
    s->tail = tx;
    s->ntx++;
    return tx;
}

/* ---- EVE -------------------------------------------------------------------------------- */

static void json_buf(struct cs_json *j, const char *key, const struct sn_http_buf *b)
{
    if (b->len)
        cs_json_strn(j, key, b->p, b->len);
}

static void json_hdr(struct cs_json *j, const struct sn_http_hdrs *h, const char *key,
                     const char *name)
{
    uint32_t n;
    const uint8_t *v = sn_http_header_get(h, name, &n);

    if (v)
        cs_json_strn(j, key, v, n);
}

static void json_hdr_array(struct cs_json *j, const char *key, const struct sn_http_hdrs *h)
{
    if (!h->n)
        return;
    cs_json_open_arr(j, key);
    for (uint32_t i = 0; i < h->n; i++) {
        cs_json_open(j, NULL);
        cs_json_strn(j, "name", h->blob.p + h->h[i].name_off, h->h[i].name_len);
        cs_json_strn(j, "value", h->blob.p + h->h[i].val_off, h->h[i].val_len);
        cs_json_close(j);
    }
    cs_json_close_arr(j);
}

/* The X-Forwarded-For address to log: last (reverse) or first (forward) list element. */
static void json_xff(struct cs_json *j, const struct http_conf *c, const struct sn_http_tx *tx)
{
    uint32_t n, a = 0, e;
    const uint8_t *v = sn_http_header_get(&tx->req_hdrs, c->xff_header, &n);

    if (!v || !n)
        return;
    if (c->xff_forward) {
        for (e = 0; e < n && v[e] != ','; e++)
            ;
    } else {
        for (a = n; a > 0 && v[a - 1] != ','; a--)
            ;
        e = n;
    }
    while (a < e && is_sp(v[a]))
        a++;
    while (e > a && is_sp(v[e - 1]))
        e--;
    if (e > a)
        cs_json_strn(j, "xff", v + a, e - a);
}

/* The `http` object of http and fileinfo records. */
static void json_http(struct cs_json *j, const struct http_conf *c, const struct sn_http_tx *tx,
                      bool headers)
{
    cs_json_open(j, "http");
    json_buf(j, "hostname", &tx->host);
    if (tx->port >= 0)
        cs_json_uint(j, "http_port", (uint64_t)tx->port);
    json_buf(j, "url", &tx->uri_raw);
    json_hdr(j, &tx->req_hdrs, "http_user_agent", "User-Agent");
    if (c->xff)
        json_xff(j, c, tx);
    {
        uint32_t n, e = 0;
        const uint8_t *v = sn_http_header_get(&tx->resp_hdrs, "Content-Type", &n);
        if (v) {
            while (e < n && v[e] != ';')
                e++;
            while (e > 0 && is_sp(v[e - 1]))
                e--;
            cs_json_strn(j, "http_content_type", v, e);
        }
    }
    json_hdr(j, &tx->req_hdrs, "http_refer", "Referer");
    json_buf(j, "http_method", &tx->method);
    json_buf(j, "protocol", &tx->protocol);
    if (tx->status >= 0)
        cs_json_uint(j, "status", (uint64_t)tx->status);
    else if (tx->stat_code.len)
        cs_json_strn(j, "status_string", tx->stat_code.p, tx->stat_code.len);
    json_hdr(j, &tx->resp_hdrs, "redirect", "Location");
    cs_json_uint(j, "length", tx->resp_msg_len);
    if (headers && c->dump_req)
        json_hdr_array(j, "request_headers", &tx->req_hdrs);
    if (headers && c->dump_resp)
        json_hdr_array(j, "response_headers", &tx->resp_hdrs);
    cs_json_close(j);
}

static void hex_digest(struct cs_json *j, const char *key, EVP_MD_CTX *md)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    unsigned int n = 0;

    if (!md || EVP_DigestFinal_ex(md, d, &n) != 1)
        return;
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    cs_json_strn(j, key, hex, 2 * n);
}

static void log_file(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                     struct sn_http_tx *tx, int dir)
{
    struct http_file *fl = tx->file[dir];
    struct cs_json *j;

    if (!fl || fl->logged)
        return;
    fl->logged = true;
    j = sn_app_eve_begin(w, f, SN_EVE_FILES, "fileinfo");
    if (!j)
        return;
    json_http(j, &s->conf, tx, false);
    cs_json_open(j, "fileinfo");
    json_buf(j, "filename", &fl->name);
    cs_json_open_arr(j, "sid");
    cs_json_close_arr(j);
    cs_json_bool(j, "gaps", fl->gaps);
    cs_json_str(j, "state", fl->closed && !fl->truncated ? "CLOSED" : "TRUNCATED");
    if (fl->closed && !fl->truncated && !fl->gaps && !fl->unhashed) {
        hex_digest(j, "md5", fl->md[0]);
        hex_digest(j, "sha1", fl->md[1]);
        hex_digest(j, "sha256", fl->md[2]);
    }
    cs_json_bool(j, "stored", false);
    cs_json_uint(j, "size", fl->size);
    cs_json_uint(j, "tx_id", tx->id);
    cs_json_close(j);
    sn_app_eve_end(w, j);
}

static void log_tx(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                   struct sn_http_tx *tx)
{
    struct cs_json *j = sn_app_eve_begin(w, f, SN_EVE_HTTP, "http");

    if (j) {
        cs_json_uint(j, "tx_id", tx->id);
        json_http(j, &s->conf, tx, true);
        sn_app_eve_end(w, j);
    }
    for (int d = 0; d < 2; d++) {
        if (tx->file[d] && !tx->file[d]->closed) {
            tx->file[d]->closed = true;
            tx->file[d]->truncated = true;
        }
        log_file(w, f, s, tx, d);
    }
}

/* Logs and frees finished transactions from the head; all of them when `all`. Past the
 * transaction cap the oldest one is logged even when unfinished, unless a direction is still
 * parsing it. */
static void tx_flush(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, bool all)
{
    while (s->head) {
        struct sn_http_tx *tx = s->head;
        bool done = (tx->progress & SN_HTTP_REQ_DONE) && (tx->progress & SN_HTTP_RESP_DONE);
        bool busy = s->d[0].tx == tx || s->d[1].tx == tx;
        if (!all && !done && (s->ntx <= HTTP_TX_MAX || busy))
            break;
        if (busy) {
            if (s->d[0].tx == tx)
                s->d[0].tx = NULL;
            if (s->d[1].tx == tx)
                s->d[1].tx = NULL;
        }
        log_tx(w, f, s, tx);
        s->head = tx->next;
        if (!s->head)
            s->tail = NULL;
        s->ntx--;
        tx_free(s, tx);
    }
}

/* ---- events ----------------------------------------------------------------------------- */

static void ev(struct sn_worker *w, struct sn_flow *f, int dir, const char *req,
               const char *resp)
{
    const char *name = dir == SN_TOSERVER ? req : resp;
    char full[96];

    if (!name)
        return;
    snprintf(full, sizeof(full), "http.%s", name);
    sn_app_event(w, f, full);
}

/* ---- files and bodies ------------------------------------------------------------------- */

static const EVP_MD *md_of(int i)
{
    return i == 0 ? EVP_md5() : i == 1 ? EVP_sha1() : EVP_sha256();
}

/* Filename: the URI's path (no query), or Content-Disposition's filename. */
static void file_name(struct sn_http_state *s, struct http_file *fl, const struct sn_http_tx *tx,
                      const struct sn_http_hdrs *h)
{
    uint32_t n, i;
    const uint8_t *v = sn_http_header_get(h, "Content-Disposition", &n);

    if (v) {
        for (i = 0; i + 9 <= n; i++) {
            if (ieq(v + i, 9, "filename=")) {
                uint32_t a = i + 9, e;
                if (a < n && v[a] == '"') {
                    a++;
                    for (e = a; e < n && v[e] != '"'; e++)
                        ;
                } else {
                    for (e = a; e < n && v[e] != ';' && !is_sp(v[e]); e++)
                        ;
                }
                if (e > a) {
                    buf_set(s, &fl->name, v + a, e - a);
                    return;
                }
            }
        }
    }
    for (n = 0; n < tx->uri_norm.len && tx->uri_norm.p[n] != '?'; n++)
        ;
    buf_set(s, &fl->name, tx->uri_norm.p, n);
}

static void file_open(struct sn_http_state *s, struct sn_http_tx *tx, int dir)
{
    struct http_file *fl;

    if (tx->file[dir])
        return;
    fl = cs_calloc(1, sizeof(*fl));
    if (!fl)
        return;
    for (int i = 0; i < 3; i++) {
        if (!s->conf.hash[i])
            continue;
        fl->md[i] = EVP_MD_CTX_new();
        if (fl->md[i] && EVP_DigestInit_ex(fl->md[i], md_of(i), NULL) != 1) {
            EVP_MD_CTX_free(fl->md[i]);
            fl->md[i] = NULL;
        }
    }
    file_name(s, fl, tx, dir == SN_TOSERVER ? &tx->req_hdrs : &tx->resp_hdrs);
    tx->file[dir] = fl;
}

const uint8_t *sn_http_file_name(const struct sn_http_tx *tx, int dir, uint32_t *len)
{
    const struct http_file *fl = tx->file[dir & 1];

    if (!fl || !fl->name.len)
        return NULL;
    *len = fl->name.len;
    return fl->name.p;
}

/* Decoded body bytes (after dechunking and decompression). */
static void entity(struct sn_http_state *s, struct sn_http_tx *tx, int dir, const uint8_t *d,
                   uint32_t n)
{
    struct http_file *fl = tx->file[dir];
    struct sn_http_buf *b = dir == SN_TOSERVER ? &tx->req_body : &tx->resp_body;
    uint64_t limit = dir == SN_TOSERVER ? s->conf.req_body_limit : s->conf.resp_body_limit;
    uint32_t trunc = dir == SN_TOSERVER ? SN_HTTP_REQ_BODY_TRUNC : SN_HTTP_RESP_BODY_TRUNC;

    if (dir == SN_TOCLIENT)
        tx->resp_entity_len += n;
    if (b->len < limit) {
        uint32_t k = (uint32_t)CS_MIN((uint64_t)n, limit - b->len);
        if (!buf_add(s, b, d, k) || k < n)
            tx->progress |= trunc;
    } else if (n) {
        tx->progress |= trunc;
    }
    if (fl && !fl->closed) {
        if (fl->size + n > HTTP_HASH_MAX)
            fl->unhashed = true;
        for (int i = 0; i < 3 && !fl->unhashed; i++)
            if (fl->md[i])
                EVP_DigestUpdate(fl->md[i], d, n);
        fl->size += n;
    }
}

static void z_end(struct http_dir *hd)
{
    if (hd->zstarted)
        inflateEnd(&hd->z);
    hd->zstarted = false;
}

static bool z_start(struct http_dir *hd, int wbits)
{
    memset(&hd->z, 0, sizeof(hd->z));
    if (inflateInit2(&hd->z, wbits) != Z_OK)
        return false;
    hd->zstarted = true;
    return true;
}

static void body_inflate(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                         int dir, const uint8_t *d, uint32_t n);

/* Body bytes as on the wire after dechunking. */
static void body_data(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, int dir,
                      const uint8_t *d, uint32_t n)
{
    struct http_dir *hd = &s->d[dir];
    struct sn_http_tx *tx = hd->tx;

    if (!tx || !n)
        return;
    if (dir == SN_TOSERVER) {
        tx->req_body_len += n;
        if (ieq(tx->method.p, tx->method.len, "PUT"))
            file_open(s, tx, dir);
    } else {
        tx->resp_msg_len += n;
        file_open(s, tx, dir);
    }
    if (hd->zmode == Z_NONE || hd->zfail) {
        entity(s, tx, dir, d, n);
        return;
    }
    if (!hd->zstarted && hd->zmode == Z_DEFLATE) {
        /* zlib wrapper or raw deflate: decided on the first two bytes, however split */
        int wbits;
        if (hd->zpend_len == 0 && n == 1) {
            hd->zpend[0] = d[0];
            hd->zpend_len = 1;
            return;
        }
        {
            uint8_t b0 = hd->zpend_len ? hd->zpend[0] : d[0];
            uint8_t b1 = hd->zpend_len ? d[0] : d[1];
            wbits = (b0 & 0x0f) == 8 && ((unsigned)b0 << 8 | b1) % 31 == 0 ? 15 : -15;
        }
        hd->zraw_tried = true;
        if (!z_start(hd, wbits)) {
            hd->zfail = true;
            entity(s, tx, dir, hd->zpend, hd->zpend_len);
            entity(s, tx, dir, d, n);
            hd->zpend_len = 0;
            return;
        }
        if (hd->zpend_len) {
            hd->zpend_len = 0;
            uint8_t first = hd->zpend[0];
            body_inflate(w, f, s, dir, &first, 1);
        }
    } else if (!hd->zstarted && !z_start(hd, 15 + 32)) {
        hd->zfail = true;
        entity(s, tx, dir, d, n);
        return;
    }
    body_inflate(w, f, s, dir, d, n);
}

/* Feeds compressed bytes to the started inflater. */
static void body_inflate(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                         int dir, const uint8_t *d, uint32_t n)
{
    struct http_dir *hd = &s->d[dir];
    struct sn_http_tx *tx = hd->tx;
    uint8_t out[16384];

    if (!hd->zstarted || hd->zfail)
        return;
    hd->z.next_in = (Bytef *)(uintptr_t)d;
    hd->z.avail_in = n;
    for (;;) {
        int rc;
        uint32_t got;
        hd->z.next_out = out;
        hd->z.avail_out = sizeof(out);
        rc = inflate(&hd->z, Z_NO_FLUSH);
        got = (uint32_t)(sizeof(out) - hd->z.avail_out);
        if (rc == Z_DATA_ERROR && hd->zmode == Z_DEFLATE && !hd->zraw_tried &&
            hd->z.total_out == 0) {
            /* "deflate" without the zlib header: retry as raw deflate */
            hd->zraw_tried = true;
            z_end(hd);
            if (!z_start(hd, -15)) {
                hd->zfail = true;
                entity(s, tx, dir, d, n);
                return;
            }
            hd->z.next_in = (Bytef *)(uintptr_t)d;
            hd->z.avail_in = n;
            continue;
        }
        if (got)
            entity(s, tx, dir, out, got);
        if (rc == Z_STREAM_END) {
            z_end(hd);
            hd->zmode = Z_NONE; /* trailing bytes, if any, are passed through */
            if (hd->z.avail_in) {
                uint32_t left = hd->z.avail_in;
                entity(s, tx, dir, d + (n - left), left);
            }
            return;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            ev(w, f, dir, "gzip_decompression_failed", "gzip_decompression_failed");
            hd->zfail = true;
            z_end(hd);
            return;
        }
        if (tx->resp_entity_len > HTTP_BOMB_MIN &&
            tx->resp_entity_len / HTTP_BOMB_RATIO > CS_MAX(tx->resp_msg_len, 1)) {
            ev(w, f, dir, "compression_bomb", "compression_bomb");
            hd->zfail = true;
            z_end(hd);
            return;
        }
        if (hd->z.avail_in == 0 && hd->z.avail_out != 0)
            break;
        if (rc == Z_BUF_ERROR && got == 0)
            break;
    }
}

/* End of a message body (or of a message without body) in direction dir. */
static void msg_done(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, int dir)
{
    struct http_dir *hd = &s->d[dir];
    struct sn_http_tx *tx = hd->tx;

    if (hd->zpend_len && tx)
        entity(s, tx, dir, hd->zpend, hd->zpend_len);
    hd->zpend_len = 0;
    z_end(hd);
    hd->zmode = Z_NONE;
    hd->zfail = hd->zraw_tried = false;
    hd->chunked = hd->trailer = false;
    hd->events_long = hd->events_many = false;
    hd->remain = 0;
    if (tx) {
        tx->progress |= dir == SN_TOSERVER ? SN_HTTP_REQ_DONE : SN_HTTP_RESP_DONE;
        if (tx->file[dir])
            tx->file[dir]->closed = true;
        /* the body is complete (detection saw the headers already when there is none) */
        if (!hd->hdr_cb || (dir == SN_TOSERVER ? tx->req_body_len : tx->resp_msg_len))
            sn_app_detect(w, f, dir, tx, "http");
    }
    hd->hdr_cb = false;
    hd->tx = NULL;
    if (hd->state != P_WAIT && hd->state != P_TUNNEL)
        hd->state = P_LINE;
    tx_flush(w, f, s, false);
}

/* ---- URI and host ----------------------------------------------------------------------- */

/* Normalised URI: path (and query) of the request target, %XX decoded, dot segments
 * removed from the path. */
static void uri_normalise(struct sn_http_state *s, struct sn_http_tx *tx)
{
    const uint8_t *u = tx->uri_raw.p;
    uint32_t n = tx->uri_raw.len, i = 0, qs;
    uint8_t *o;
    uint32_t on = 0;

    tx->uri_norm.len = 0;
    if (!n)
        return;
    if (n >= 7 && (ieq(u, 7, "http://") || (n >= 8 && ieq(u, 8, "https://")))) {
        i = u[4] == ':' ? 7 : 8;
        while (i < n && u[i] != '/' && u[i] != '?')
            i++;
    }
    if (!buf_set(s, &tx->uri_norm, u + i, n - i) || !tx->uri_norm.len)
        return;
    o = tx->uri_norm.p;
    n = tx->uri_norm.len;
    for (i = 0; i < n; i++) {
        if (o[i] == '%' && i + 2 < n && hexval(o[i + 1]) >= 0 && hexval(o[i + 2]) >= 0) {
            o[on++] = (uint8_t)(hexval(o[i + 1]) << 4 | hexval(o[i + 2]));
            i += 2;
        } else {
            o[on++] = o[i];
        }
    }
    n = on;
    for (qs = 0; qs < n && o[qs] != '?'; qs++)
        ;
    /* remove dot segments in o[0..qs) in place (RFC 3986 5.2.4) */
    {
        uint32_t r = 0, wr = 0;
        while (r < qs) {
            if (r + 3 <= qs && !memcmp(o + r, "/./", 3)) {
                r += 2;
            } else if (r + 2 == qs && !memcmp(o + r, "/.", 2)) {
                o[wr++] = '/';
                r += 2;
            } else if ((r + 4 <= qs && !memcmp(o + r, "/../", 4)) ||
                       (r + 3 == qs && !memcmp(o + r, "/..", 3))) {
                bool last = r + 3 == qs;
                while (wr > 0 && o[--wr] != '/')
                    ;
                r += 3;
                if (last)
                    o[wr++] = '/';
            } else {
                o[wr++] = o[r++];
            }
        }
        memmove(o + wr, o + qs, n - qs);
        n = wr + (n - qs);
    }
    tx->uri_norm.len = n;
}

/* Host (lower case, no trailing dot, brackets kept for IPv6) and port from `h`. */
static void host_parse(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                       struct sn_http_tx *tx, const uint8_t *h, uint32_t n)
{
    uint32_t e = 0, i;

    while (n && is_sp(*h)) {
        h++;
        n--;
    }
    while (n && is_sp(h[n - 1]))
        n--;
    if (n && h[0] == '[') {
        while (e < n && h[e] != ']')
            e++;
        if (e < n)
            e++;
    } else {
        while (e < n && h[e] != ':')
            e++;
    }
    {
        uint32_t hl = e;
        while (hl && h[hl - 1] == '.')
            hl--;
        if (buf_set(s, &tx->host, h, hl))
            for (i = 0; i < tx->host.len; i++)
                tx->host.p[i] = (uint8_t)lower(tx->host.p[i]);
    }
    tx->port = -1;
    if (e < n && h[e] == ':') {
        uint32_t port = 0, k = e + 1;
        bool ok = k < n;
        for (; k < n; k++) {
            if (h[k] < '0' || h[k] > '9' || (port = port * 10 + (h[k] - '0')) > 65535) {
                ok = false;
                break;
            }
        }
        if (ok && port > 0)
            tx->port = (int32_t)port;
        else if (k > e + 1 || e + 1 < n)
            ev(w, f, SN_TOSERVER, "invalid_authority_port", NULL);
    }
}

/* ---- request and status lines ----------------------------------------------------------- */

static const char *const known_methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
    "MKACTIVITY", "CHECKOUT", "CHECKIN", "MERGE", "VERSION-CONTROL", "UNCHECKOUT",
    "MKWORKSPACE", "UPDATE", "LABEL", "BASELINE-CONTROL", "ACL", "M-SEARCH", "NOTIFY",
    "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "QUERY", "MKCALENDAR", "LINK", "UNLINK", "BIND",
    "REBIND", "UNBIND", "ORDERPATCH", "MKREDIRECTREF", "UPDATEREDIRECTREF"};

static bool method_known(const uint8_t *m, uint32_t n)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(known_methods); i++)
        if (strlen(known_methods[i]) == n && !memcmp(m, known_methods[i], n))
            return true;
    return false;
}

static bool request_line(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                         const uint8_t *l, uint32_t n)
{
    struct sn_http_tx *tx = tx_new(s);
    uint32_t i = 0, ms, me, us, ue, ps;

    if (!tx)
        return false;
    s->d[SN_TOSERVER].tx = tx;
    tx->progress |= SN_HTTP_REQ_LINE;
    if (n && is_sp(l[0])) {
        ev(w, f, SN_TOSERVER, "request_line_leading_whitespace", NULL);
        while (i < n && is_sp(l[i]))
            i++;
    }
    buf_set(s, &tx->request_line, l + i, n - i);
    ms = i;
    while (i < n && !is_sp(l[i]))
        i++;
    me = i;
    buf_set(s, &tx->method, l + ms, me - ms);
    if (i < n && l[i] != ' ')
        ev(w, f, SN_TOSERVER, "method_delim_non_compliant", NULL);
    while (i < n && is_sp(l[i]))
        i++;
    us = i;
    /* the protocol is the last word when it starts with HTTP/; the URI is what lies between */
    ue = n;
    while (ue > us && is_sp(l[ue - 1]))
        ue--;
    ps = ue;
    while (ps > us && !is_sp(l[ps - 1]))
        ps--;
    if (ps > us && ue - ps >= 5 && !memcmp(l + ps, "HTTP/", 5)) {
        buf_set(s, &tx->protocol, l + ps, ue - ps);
        ue = ps;
        if (l[ue - 1] != ' ')
            ev(w, f, SN_TOSERVER, "uri_delim_non_compliant", NULL);
        while (ue > us && is_sp(l[ue - 1]))
            ue--;
    } else if (ps > us) {
        /* "GET /x FOO/1.0": a protocol that is not HTTP */
        buf_set(s, &tx->protocol, l + ps, ue - ps);
        ue = ps;
        while (ue > us && is_sp(l[ue - 1]))
            ue--;
        ev(w, f, SN_TOSERVER, "request_line_invalid", NULL);
    } else {
        tx->progress |= SN_HTTP_HTTP09;
        if (ue == us)
            ev(w, f, SN_TOSERVER, "request_line_incomplete", NULL);
        else
            ev(w, f, SN_TOSERVER, "request_line_missing_protocol", NULL);
    }
    buf_set(s, &tx->uri_raw, l + us, ue - us);
    uri_normalise(s, tx);
    if (tx->uri_raw.len > 7 && (ieq(tx->uri_raw.p, 7, "http://") ||
                                (tx->uri_raw.len > 8 && ieq(tx->uri_raw.p, 8, "https://")))) {
        uint32_t a = tx->uri_raw.p[4] == ':' ? 7 : 8, e = a;
        while (e < tx->uri_raw.len && tx->uri_raw.p[e] != '/' && tx->uri_raw.p[e] != '?')
            e++;
        host_parse(w, f, s, tx, tx->uri_raw.p + a, e - a);
    }
    if (tx->progress & SN_HTTP_HTTP09) {
        /* HTTP/0.9: no headers, no body */
        tx->progress |= SN_HTTP_REQ_HDRS;
        msg_done(w, f, s, SN_TOSERVER);
    } else {
        s->d[SN_TOSERVER].state = P_HEADERS;
    }
    return true;
}

static void status_line(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                        const uint8_t *l, uint32_t n)
{
    struct http_dir *hd = &s->d[SN_TOCLIENT];
    struct sn_http_tx *tx = hd->tx;
    uint32_t i = 0, a;

    if (!tx) {
        /* the oldest transaction without a response */
        for (tx = s->head; tx && (tx->progress & SN_HTTP_RESP_LINE); tx = tx->next)
            ;
        if (!tx) {
            ev(w, f, SN_TOCLIENT, NULL, "unable_to_match_response_to_request");
            tx = tx_new(s);
            if (!tx)
                return;
            tx->progress |= SN_HTTP_REQ_LINE | SN_HTTP_REQ_HDRS | SN_HTTP_REQ_DONE;
        }
        hd->tx = tx;
    }
    tx->progress |= SN_HTTP_RESP_LINE;
    buf_set(s, &tx->response_line, l, n);
    while (i < n && !is_sp(l[i]))
        i++;
    buf_set(s, &tx->resp_protocol, l, i);
    if (i < 5 || memcmp(l, "HTTP/", 5))
        ev(w, f, SN_TOCLIENT, NULL, "response_invalid_protocol");
    while (i < n && is_sp(l[i]))
        i++;
    a = i;
    while (i < n && !is_sp(l[i]))
        i++;
    buf_set(s, &tx->stat_code, l + a, i - a);
    tx->status = -1;
    if (i - a == 3 && l[a] >= '1' && l[a] <= '9' && l[a + 1] >= '0' && l[a + 1] <= '9' &&
        l[a + 2] >= '0' && l[a + 2] <= '9')
        tx->status = (l[a] - '0') * 100 + (l[a + 1] - '0') * 10 + (l[a + 2] - '0');
    else
        ev(w, f, SN_TOCLIENT, NULL, "response_invalid_status");
    while (i < n && is_sp(l[i]))
        i++;
    buf_set(s, &tx->stat_msg, l + i, n - i);
    hd->state = P_HEADERS;
}

/* ---- headers ---------------------------------------------------------------------------- */

static void header_line(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, int dir,
                        const uint8_t *l, uint32_t n)
{
    struct http_dir *hd = &s->d[dir];
    struct sn_http_tx *tx = hd->tx;
    struct sn_http_hdrs *h = dir == SN_TOSERVER ? &tx->req_hdrs : &tx->resp_hdrs;
    uint32_t c, ne, vs, ve;

    if (h->raw.len + n + 2 <= HTTP_HDR_BYTES_MAX) {
        buf_add(s, &h->raw, l, n);
        buf_add(s, &h->raw, "\r\n", 2);
    }
    if (is_sp(l[0])) {
        /* folded continuation of the previous header */
        struct sn_http_hdr *last = h->n ? &h->h[h->n - 1] : NULL;
        if (!last || last->val_off + last->val_len != h->blob.len) {
            if (!last)
                ev(w, f, dir, "invalid_request_field_folding", "invalid_response_field_folding");
            return;
        }
        vs = 0;
        while (vs < n && is_sp(l[vs]))
            vs++;
        ve = n;
        while (ve > vs && is_sp(l[ve - 1]))
            ve--;
        if (ve > vs && h->blob.len + ve - vs + 1 <= HTTP_HDR_BYTES_MAX &&
            buf_add(s, &h->blob, " ", 1)) {
            last->val_len++;
            if (buf_add(s, &h->blob, l + vs, ve - vs))
                last->val_len += ve - vs;
        }
        return;
    }
    for (c = 0; c < n && l[c] != ':'; c++)
        ;
    if (c == n) {
        ev(w, f, dir, "request_field_missing_colon", "response_field_missing_colon");
        return;
    }
    ne = c;
    if (ne && is_sp(l[ne - 1])) {
        ev(w, f, dir, "request_header_invalid", "response_header_invalid");
        while (ne && is_sp(l[ne - 1]))
            ne--;
    }
    for (uint32_t k = 0; k < ne; k++) {
        if (!is_tchar(l[k])) {
            ev(w, f, dir, "request_header_invalid", "response_header_invalid");
            break;
        }
    }
    vs = c + 1;
    while (vs < n && is_sp(l[vs]))
        vs++;
    ve = n;
    while (ve > vs && is_sp(l[ve - 1]))
        ve--;
    if (h->n >= HTTP_HDRS_MAX) {
        if (!hd->events_many)
            ev(w, f, dir, "request_too_many_headers", "response_too_many_headers");
        hd->events_many = true;
        return;
    }
    if (h->blob.len + ne + (ve - vs) > HTTP_HDR_BYTES_MAX)
        return;
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 16;
        struct sn_http_hdr *nh;
        if (s->mem + (uint64_t)(cap - h->cap) * sizeof(*nh) > HTTP_MEM_MAX)
            return;
        nh = cs_realloc(h->h, cap * sizeof(*nh));
        if (!nh)
            return;
        s->mem += (uint64_t)(cap - h->cap) * sizeof(*nh);
        h->h = nh;
        h->cap = cap;
    }
    {
        struct sn_http_hdr *e = &h->h[h->n];
        e->name_off = h->blob.len;
        if (!buf_add(s, &h->blob, l, ne))
            return;
        e->name_len = ne;
        e->val_off = h->blob.len;
        if (!buf_add(s, &h->blob, l + vs, ve - vs)) {
            h->blob.len = e->name_off;
            return;
        }
        e->val_len = ve - vs;
        h->n++;
    }
}

/* Content-Length value: digits with optional surrounding spaces; -1 when invalid. */
static int64_t parse_cl(const uint8_t *v, uint32_t n)
{
    uint64_t x = 0;
    uint32_t i = 0;

    while (i < n && is_sp(v[i]))
        i++;
    if (i == n)
        return -1;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        if (x > (UINT64_C(1) << 62) / 10)
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    while (i < n && is_sp(v[i]))
        i++;
    return i == n ? (int64_t)x : -1;
}

/* Whether a Transfer-Encoding value ends with the "chunked" coding. */
static int te_chunked(const uint8_t *v, uint32_t n)
{
    uint32_t e = n, a;

    while (e && (is_sp(v[e - 1]) || v[e - 1] == ','))
        e--;
    a = e;
    while (a && v[a - 1] != ',' && !is_sp(v[a - 1]))
        a--;
    if (ieq(v + a, e - a, "chunked"))
        return 1;
    for (uint32_t i = 0; i + 7 <= n; i++)
        if (ieq(v + i, 7, "chunked"))
            return 2; /* chunked, but not last */
    return 0;
}

/* Body framing of a message whose headers are complete. Returns false for "no body". */
static bool framing(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, int dir,
                    const struct sn_http_hdrs *h)
{
    struct http_dir *hd = &s->d[dir];
    uint32_t n, cl_count = 0;
    int64_t cl = -1;
    const uint8_t *te = sn_http_header_get(h, "Transfer-Encoding", &n);

    for (uint32_t i = 0; i < h->n; i++) {
        if (!ieq(h->blob.p + h->h[i].name_off, h->h[i].name_len, "Content-Length"))
            continue;
        int64_t v = parse_cl(h->blob.p + h->h[i].val_off, h->h[i].val_len);
        if (v < 0)
            ev(w, f, dir, "invalid_content_length_field_in_request",
               "invalid_content_length_field_in_response");
        if (cl_count++ && v != cl)
            ev(w, f, dir, "duplicate_content_length_field_in_request",
               "duplicate_content_length_field_in_response");
        if (cl < 0)
            cl = v;
    }
    if (te) {
        int c = te_chunked(te, n);
        if (c == 1) {
            hd->chunked = true;
            hd->state = P_CHUNK_SIZE;
            return true;
        }
        ev(w, f, dir, "invalid_transfer_encoding_value_in_request",
           "invalid_transfer_encoding_value_in_response");
        if (c == 2 && dir == SN_TOCLIENT)
            ev(w, f, dir, NULL, "response_abnormal_transfer_encoding");
    }
    if (cl > 0) {
        hd->remain = (uint64_t)cl;
        hd->state = P_BODY_CL;
        return true;
    }
    if (cl == 0 || dir == SN_TOSERVER)
        return false;
    hd->state = P_BODY_EOF;
    return true;
}

static void headers_done(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s,
                         int dir)
{
    struct http_dir *hd = &s->d[dir];
    struct sn_http_tx *tx = hd->tx;

    if (dir == SN_TOSERVER) {
        uint32_t n;
        const uint8_t *host = sn_http_header_get(&tx->req_hdrs, "Host", &n);
        tx->progress |= SN_HTTP_REQ_HDRS;
        if (host && tx->host.len) {
            /* absolute URI: its host wins; the header must agree */
            uint32_t e = 0;
            bool same;
            while (e < n && host[e] != ':')
                e++;
            same = e == tx->host.len;
            for (uint32_t i = 0; same && i < e; i++)
                same = (uint8_t)lower(host[i]) == tx->host.p[i];
            if (!same)
                ev(w, f, dir, "host_header_ambiguous", NULL);
        } else if (host) {
            host_parse(w, f, s, tx, host, n);
        } else if (tx->protocol.len == 8 && !memcmp(tx->protocol.p, "HTTP/1.1", 8)) {
            ev(w, f, dir, "missing_host_header", NULL);
        }
        hd->hdr_cb = true;
        sn_app_detect(w, f, dir, tx, "http");
        if (ieq(tx->method.p, tx->method.len, "CONNECT")) {
            hd->hdr_cb = false;
            tx->progress |= SN_HTTP_REQ_DONE;
            hd->tx = NULL;
            hd->state = P_WAIT;
            return;
        }
        if (!framing(w, f, s, dir, &tx->req_hdrs))
            msg_done(w, f, s, dir);
        return;
    }
    /* response */
    if (tx->status >= 100 && tx->status < 200 && tx->status != 101) {
        /* interim response: the real one follows for the same request */
        if (tx->status == 100 && (tx->progress & SN_HTTP_RESP_HDRS))
            ev(w, f, dir, NULL, "100_continue_already_seen");
        tx->progress |= SN_HTTP_RESP_HDRS;
        hdrs_free(s, &tx->resp_hdrs);
        hd->state = P_LINE;
        return;
    }
    tx->progress |= SN_HTTP_RESP_HDRS;
    hd->hdr_cb = true;
    sn_app_detect(w, f, dir, tx, "http");
    {
        bool connect = ieq(tx->method.p, tx->method.len, "CONNECT");
        if (tx->status == 101 || (connect && tx->status >= 200 && tx->status < 300)) {
            msg_done(w, f, s, dir);
            s->d[SN_TOSERVER].state = P_TUNNEL;
            hd->state = P_TUNNEL;
            return;
        }
        if (s->d[SN_TOSERVER].state == P_WAIT)
            s->d[SN_TOSERVER].state = P_LINE;
        if (ieq(tx->method.p, tx->method.len, "HEAD") || tx->status == 204 ||
            tx->status == 304) {
            msg_done(w, f, s, dir);
            return;
        }
    }
    {
        uint32_t n;
        const uint8_t *ce = sn_http_header_get(&tx->resp_hdrs, "Content-Encoding", &n);
        if (ce) {
            while (n && is_sp(ce[n - 1]))
                n--;
            while (n && is_sp(*ce)) {
                ce++;
                n--;
            }
            if (ieq(ce, n, "gzip") || ieq(ce, n, "x-gzip"))
                hd->zmode = Z_GZIP;
            else if (ieq(ce, n, "deflate") || ieq(ce, n, "x-deflate"))
                hd->zmode = Z_DEFLATE;
        }
    }
    if (!framing(w, f, s, dir, &tx->resp_hdrs))
        msg_done(w, f, s, dir);
    else if (hd->chunked && tx->resp_protocol.len == 8 &&
             !memcmp(tx->resp_protocol.p, "HTTP/1.0", 8))
        ev(w, f, dir, NULL, "response_chunked_old_proto");
}

/* ---- the line-based states -------------------------------------------------------------- */

static bool looks_like_start(const uint8_t *l, uint32_t n, int dir)
{
    uint32_t i = 0;

    if (dir == SN_TOCLIENT)
        return n >= 7 && !memcmp(l, "HTTP/1.", 7);
    while (i < n && is_tchar(l[i]))
        i++;
    return i > 0 && i < n && l[i] == ' ' && method_known(l, i);
}

/* One complete line (without its line end) in state hd->state. */
static void on_line(struct sn_worker *w, struct sn_flow *f, struct sn_http_state *s, int dir,
                    const uint8_t *l, uint32_t n)
{
    struct http_dir *hd = &s->d[dir];

    switch (hd->state) {
    case P_RESYNC:
        if (!looks_like_start(l, n, dir))
            return;
        hd->state = P_LINE;
        /* fall through */
    case P_LINE:
        if (n == 0)
            return; /* empty lines between messages */
        if (dir == SN_TOSERVER) {
            request_line(w, f, s, l, n);
        } else {
            struct sn_http_tx *t = hd->tx;
            if (!t)
                for (t = s->head; t && (t->progress & SN_HTTP_RESP_LINE); t = t->next)
                    ;
            if (n < 5 || memcmp(l, "HTTP/", 5)) {
                if (t && (t->progress & SN_HTTP_HTTP09)) {
                    /* HTTP/0.9 response: everything is body */
                    hd->tx = t;
                    t->progress |= SN_HTTP_RESP_LINE | SN_HTTP_RESP_HDRS;
                    hd->state = P_BODY_EOF;
                    body_data(w, f, s, dir, l, n);
                    body_data(w, f, s, dir, (const uint8_t *)"\n", 1);
                    return;
                }
            }
            status_line(w, f, s, l, n);
        }
        return;
    case P_HEADERS:
    case P_TRAILERS:
        if (n == 0) {
            if (hd->state == P_TRAILERS)
                msg_done(w, f, s, dir);
            else
                headers_done(w, f, s, dir);
            return;
        }
        if (hd->tx)
            header_line(w, f, s, dir, l, n);
        return;
    case P_CHUNK_SIZE: {
        uint64_t v = 0;
        uint32_t i = 0;
        bool ok;
        while (i < n && is_sp(l[i]))
            i++;
        ok = i < n && hexval(l[i]) >= 0;
        for (; i < n && hexval(l[i]) >= 0; i++) {
            if (v >> 56) {
                ok = false;
                break;
            }
            v = v << 4 | (uint64_t)hexval(l[i]);
        }
        while (ok && i < n && is_sp(l[i]))
            i++;
        if (ok && i < n && l[i] == ';')
            ev(w, f, dir, "request_chunk_extension", "response_chunk_extension");
        else if (ok && i < n)
            ok = false;
        if (!ok) {
            ev(w, f, dir, "invalid_request_chunk_len", "invalid_response_chunk_len");
            /* cannot frame the rest: treat the message as ended */
            msg_done(w, f, s, dir);
            hd->state = P_RESYNC;
            return;
        }
        if (v == 0) {
            hd->state = P_TRAILERS;
            return;
        }
        hd->remain = v;
        hd->state = P_CHUNK_DATA;
        return;
    }
    case P_CHUNK_CRLF:
        hd->state = P_CHUNK_SIZE;
        if (n != 0) /* data where the chunk's CRLF belongs: try it as the next size line */
            on_line(w, f, s, dir, l, n);
        return;
    default:
        return;
    }
}

static bool line_state(uint8_t st)
{
    return st == P_LINE || st == P_HEADERS || st == P_TRAILERS || st == P_CHUNK_SIZE ||
           st == P_CHUNK_CRLF || st == P_RESYNC;
}

static int http_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                      const uint8_t *data, uint32_t len, unsigned flags)
{
    struct sn_http_state *s = state;
    struct http_dir *hd;
    uint32_t off = 0;

    if (!s || (dir != SN_TOSERVER && dir != SN_TOCLIENT))
        return CS_EINVAL;
    if (!s->conf_loaded) {
        conf_load(&s->conf, w->cfg);
        s->conf_loaded = true;
    }
    hd = &s->d[dir];
    if (flags & SN_STREAM_GAP) {
        uint64_t gap = len;
        switch (hd->state) {
        case P_BODY_CL:
        case P_CHUNK_DATA:
            if (hd->tx && hd->tx->file[dir])
                hd->tx->file[dir]->gaps = true;
            if (gap >= hd->remain) {
                gap = hd->remain;
                hd->remain = 0;
                if (hd->state == P_BODY_CL)
                    msg_done(w, f, s, dir);
                else
                    hd->state = P_CHUNK_CRLF;
            } else {
                hd->remain -= gap;
            }
            if (dir == SN_TOCLIENT && hd->tx)
                hd->tx->resp_msg_len += gap;
            z_end(hd);
            hd->zfail = hd->zmode != Z_NONE;
            break;
        case P_BODY_EOF:
            if (hd->tx && hd->tx->file[dir])
                hd->tx->file[dir]->gaps = true;
            if (hd->tx)
                hd->tx->resp_msg_len += gap;
            break;
        case P_TUNNEL:
        case P_WAIT:
            break;
        default:
            if (hd->tx) {
                if (hd->tx->file[dir])
                    hd->tx->file[dir]->truncated = true;
                msg_done(w, f, s, dir);
            }
            hd->state = P_RESYNC;
            break;
        }
        return 0;
    }
    while (off < len) {
        const uint8_t *p = data + off;
        uint32_t avail = len - off;

        if (hd->state == P_TUNNEL) {
            off = len;
            break;
        }
        if (hd->state == P_WAIT)
            break; /* keep the bytes until the CONNECT response is known */
        if (hd->state == P_BODY_CL || hd->state == P_CHUNK_DATA) {
            uint32_t k = (uint32_t)CS_MIN((uint64_t)avail, hd->remain);
            body_data(w, f, s, dir, p, k);
            hd->remain -= k;
            off += k;
            if (hd->remain == 0) {
                if (hd->state == P_BODY_CL)
                    msg_done(w, f, s, dir);
                else
                    hd->state = P_CHUNK_CRLF;
            }
            continue;
        }
        if (hd->state == P_BODY_EOF) {
            body_data(w, f, s, dir, p, avail);
            off = len;
            break;
        }
        /* line-based state */
        {
            const uint8_t *nl = memchr(p, '\n', avail);
            uint32_t ll;
            if (!nl) {
                if (avail > HTTP_LINE_MAX) {
                    if (!hd->skip_line && !hd->events_long)
                        ev(w, f, dir, "request_field_too_long", "response_field_too_long");
                    hd->events_long = true;
                    hd->skip_line = true;
                    off = len;
                }
                break;
            }
            ll = (uint32_t)(nl - p);
            off += ll + 1;
            if (hd->skip_line) {
                hd->skip_line = false;
                continue;
            }
            if (ll > HTTP_LINE_MAX) {
                if (!hd->events_long)
                    ev(w, f, dir, "request_field_too_long", "response_field_too_long");
                hd->events_long = true;
                continue;
            }
            if (ll && p[ll - 1] == '\r')
                ll--;
            on_line(w, f, s, dir, p, ll);
        }
    }
    if (flags & SN_STREAM_EOF) {
        /* an unterminated last line still counts */
        if (off < len && line_state(hd->state) && !hd->skip_line) {
            uint32_t ll = len - off;
            if (data[len - 1] == '\r')
                ll--;
            on_line(w, f, s, dir, data + off, CS_MIN(ll, HTTP_LINE_MAX));
            off = len;
        }
        if (hd->tx) {
            if (hd->state != P_BODY_EOF && hd->tx->file[dir])
                hd->tx->file[dir]->truncated = true;
            msg_done(w, f, s, dir);
        }
        s->eof[dir] = true;
        if (s->eof[0] && s->eof[1])
            tx_flush(w, f, s, true);
        off = len;
    }
    return (int)off;
}

/* ---- probing ---------------------------------------------------------------------------- */

static enum sn_probe http_probe(const uint8_t *data, uint32_t len, int dir, uint16_t dp)
{
    uint32_t i = 0;

    (void)dp;
    if (dir == SN_TOCLIENT) {
        uint32_t n = CS_MIN(len, 7u);
        if (memcmp(data, "HTTP/1.", n))
            return SN_PROBE_NO;
        return len >= 7 ? SN_PROBE_YES : SN_PROBE_MORE;
    }
    while (i < len && i < 32 && is_tchar(data[i]))
        i++;
    if (i == len)
        return i < 32 ? SN_PROBE_MORE : SN_PROBE_NO;
    if (i == 0 || data[i] != ' ')
        return SN_PROBE_NO;
    if (method_known(data, i))
        return SN_PROBE_YES;
    /* an unknown method: only when an origin-form or absolute URI follows */
    for (uint32_t k = 0; k < i; k++)
        if (data[k] < 'A' || data[k] > 'Z')
            return SN_PROBE_NO;
    if (i + 1 >= len)
        return SN_PROBE_MORE;
    return data[i + 1] == '/' ? SN_PROBE_YES : SN_PROBE_NO;
}

/* ---- state ------------------------------------------------------------------------------ */

static void *http_state_new(void)
{
    return cs_calloc(1, sizeof(struct sn_http_state));
}

static void http_state_free(void *state)
{
    struct sn_http_state *s = state;

    if (!s)
        return;
    while (s->head) {
        struct sn_http_tx *tx = s->head;
        s->head = tx->next;
        tx_free(NULL, tx);
    }
    z_end(&s->d[0]);
    z_end(&s->d[1]);
    cs_free(s);
}

/* Alert metadata: the transaction's tx_id and the `http` object of its http record
 * (without the header dumps, as Suricata's alerts). */
static void http_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                           const void *txp, int dir, struct cs_json *j)
{
    const struct sn_http_state *s = state;
    const struct sn_http_tx *tx = txp;
    struct http_conf c;

    (void)f, (void)dir;
    if (s && s->conf_loaded)
        c = s->conf;
    else
        conf_load(&c, w->cfg);
    cs_json_uint(j, "tx_id", tx->id);
    json_http(j, &c, tx, false);
}

const struct sn_app_parser sn_app_http = {
    .name = "http",
    .ipproto = IPPROTO_TCP,
    .default_ports = "80,8080",
    .eve_type = SN_EVE_HTTP,
    .probe = http_probe,
    .parse = http_parse,
    .state_new = http_state_new,
    .state_free = http_state_free,
    .log_flow = NULL,
    .log_alert = http_log_alert,
    .max_state_bytes = 64u << 10,
};
