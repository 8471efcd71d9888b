/* batch.c — ingest batch bodies and tailed files → lines → events (see batch.h). */
#include "batch.h"

#include "../norm/norm_int.h"

#include <stdio.h>
#include <zlib.h>
#include <zstd.h>

int hub_encoding_parse(const char *s, enum hub_encoding *enc)
{
    if (!s || !*s || hub_ieq(s, strlen(s), "identity")) {
        *enc = HUB_ENC_IDENTITY;
        return CS_OK;
    }
    if (hub_ieq(s, strlen(s), "gzip") || hub_ieq(s, strlen(s), "x-gzip") ||
        hub_ieq(s, strlen(s), "deflate")) {
        *enc = HUB_ENC_GZIP;
        return CS_OK;
    }
    if (hub_ieq(s, strlen(s), "zstd")) {
        *enc = HUB_ENC_ZSTD;
        return CS_OK;
    }
    return CS_EINVAL;
}

/* Grows *buf to hold at least `need` bytes (never more than max + 1). */
static int grow(char **buf, size_t *cap, size_t need, size_t max)
{
    size_t ncap = *cap ? *cap : 64 * 1024;
    char *p;

    while (ncap < need)
        ncap *= 2;
    if (ncap > max + 1)
        ncap = max + 1;
    if (ncap < need)
        return CS_ELIMIT;
    if (ncap == *cap)
        return CS_OK;
    if (!(p = cs_realloc(*buf, ncap)))
        return CS_ENOMEM;
    *buf = p;
    *cap = ncap;
    return CS_OK;
}

static int inflate_all(const void *in, size_t len, size_t max, char **out, size_t *out_len)
{
    z_stream z;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int zr, rc = CS_OK;

    memset(&z, 0, sizeof(z));
    /* 15 + 32: zlib or gzip header, detected automatically. */
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return CS_ENOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    for (;;) {
        if (n == cap && (rc = grow(&buf, &cap, n + 1, max)) < 0)
            goto out;
        if (n > max) {
            rc = CS_ELIMIT;
            goto out;
        }
        /* Feed input in uInt-sized pieces. */
        if (z.avail_in == 0 && len) {
            z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
            len -= z.avail_in;
        }
        z.next_out = (Bytef *)buf + n;
        z.avail_out = (uInt)CS_MIN(cap - n, (size_t)UINT32_MAX);
        zr = inflate(&z, Z_NO_FLUSH);
        n = (size_t)((char *)z.next_out - buf);
        if (zr == Z_STREAM_END) {
            /* Concatenated gzip members (gzip -c a b): keep going. */
            if (z.avail_in == 0 && len == 0)
                break;
            if (inflateReset(&z) != Z_OK) {
                rc = CS_EINVAL;
                goto out;
            }
            continue;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0 && len == 0) {
            rc = CS_EINVAL; /* truncated stream */
            goto out;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = zr == Z_MEM_ERROR ? CS_ENOMEM : CS_EINVAL;
            goto out;
        }
    }
    if (n > max) {
        rc = CS_ELIMIT;
        goto out;
    }
    *out = buf;
    *out_len = n;
    buf = NULL;
out:
    inflateEnd(&z);
    cs_free(buf);
    return rc;
}

static int zstd_all(const void *in, size_t len, size_t max, char **out, size_t *out_len)
{
    ZSTD_DStream *zs = ZSTD_createDStream();
    ZSTD_inBuffer ib = {in, len, 0};
    char *buf = NULL;
    size_t cap = 0, n = 0, zr = 1;
    int rc = CS_OK;

    if (!zs)
        return CS_ENOMEM;
    ZSTD_initDStream(zs);
    /* Refuse absurd window sizes before any allocation (bomb protection for memory). */
    ZSTD_DCtx_setParameter(zs, ZSTD_d_windowLogMax, 27);
    while (ib.pos < ib.size || zr != 0) {
        ZSTD_outBuffer ob;
        if (n == cap && (rc = grow(&buf, &cap, n + 1, max)) < 0)
            goto out;
        if (n > max) {
            rc = CS_ELIMIT;
            goto out;
        }
        ob.dst = buf + n;
        ob.size = cap - n;
        ob.pos = 0;
        zr = ZSTD_decompressStream(zs, &ob, &ib);
        if (ZSTD_isError(zr)) {
            rc = CS_EINVAL;
            goto out;
        }
        n += ob.pos;
        if (ib.pos == ib.size && ob.pos < ob.size && zr != 0) {
            rc = CS_EINVAL; /* input ended inside a frame */
            goto out;
        }
    }
    if (n > max) {
        rc = CS_ELIMIT;
        goto out;
    }
    *out = buf;
    *out_len = n;
    buf = NULL;
out:
    ZSTD_freeDStream(zs);
    cs_free(buf);
    return rc;
}

int hub_decompress(enum hub_encoding enc, const void *in, size_t len, size_t max, char **out,
                   size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    switch (enc) {
    case HUB_ENC_IDENTITY: {
        char *p;
        if (len > max)
            return CS_ELIMIT;
        if (!(p = cs_malloc(len ? len : 1)))
            return CS_ENOMEM;
        if (len)
            memcpy(p, in, len);
        *out = p;
        *out_len = len;
        return CS_OK;
    }
    case HUB_ENC_GZIP:
        return inflate_all(in, len, max, out, out_len);
    case HUB_ENC_ZSTD:
        return zstd_all(in, len, max, out, out_len);
    }
    return CS_EINVAL;
}

void hub_batch_init(struct hub_batch *b)
{
    memset(b, 0, sizeof(*b));
    hub_arena_init(&b->arena, 0);
}

void hub_batch_reset(struct hub_batch *b)
{
    hub_arena_reset(&b->arena);
    b->nevents = 0;
    b->nerrors = 0;
    b->nerrors_kept = 0;
    b->nlines = 0;
    b->decoded_bytes = 0;
    memset(&b->counters, 0, sizeof(b->counters));
}

void hub_batch_free(struct hub_batch *b)
{
    hub_arena_free(&b->arena);
    cs_free(b->events);
    cs_free(b->errors);
    memset(b, 0, sizeof(*b));
}

static void add_error(struct hub_batch *b, uint32_t line, int code, const char *msg)
{
    b->nerrors++;
    if (b->nerrors_kept >= HUB_BATCH_MAX_ERRORS)
        return;
    if (!b->errors) {
        b->errors = cs_calloc(HUB_BATCH_MAX_ERRORS, sizeof(*b->errors));
        if (!b->errors)
            return;
    }
    struct hub_batch_error *e = &b->errors[b->nerrors_kept++];
    e->line = line;
    e->code = code;
    snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

int hub_batch_decode(struct hub_batch *b, enum hub_fmt fmt, enum hub_encoding enc,
                     const void *body, size_t len, struct cs_err *err)
{
    size_t max = b->max_decoded ? b->max_decoded : HUB_BATCH_MAX_DECODED;
    size_t first_event = b->nevents, nerr0 = b->nerrors, nkept0 = b->nerrors_kept;
    size_t nlines0 = b->nlines;
    struct hub_norm n;
    char *text = NULL;
    size_t tlen = 0, i = 0;
    uint32_t lineno = 0;
    int rc;

    if (fmt <= HUB_FMT_NONE || fmt >= HUB_FMT_COUNT) {
        cs_err_set(err, CS_EINVAL, 0, 0, "unknown source format");
        return CS_EINVAL;
    }
    if (enc == HUB_ENC_IDENTITY) {
        if (len > max) {
            cs_err_set(err, CS_ELIMIT, 0, 0, "body of %zu bytes is over the %zu byte cap", len,
                       max);
            return CS_ELIMIT;
        }
        text = (char *)(uintptr_t)body; /* read only: lines are copied into the arena */
        tlen = len;
    } else {
        rc = hub_decompress(enc, body, len, max, &text, &tlen);
        if (rc < 0) {
            cs_err_set(err, rc, 0, 0, "%s",
                       rc == CS_ELIMIT  ? "decompressed body is over the size cap"
                       : rc == CS_EINVAL ? "corrupt or truncated compressed body"
                                         : "out of memory");
            return rc;
        }
    }
    b->decoded_bytes += tlen;
    hub_norm_init(&n, fmt, &b->arena);
    if (b->max_line)
        n.max_line = b->max_line;
    n.keep_norm = !b->no_norm;
    rc = CS_OK;
    while (i < tlen) {
        const char *nl = memchr(text + i, '\n', tlen - i);
        size_t e = nl ? (size_t)(nl - text) : tlen;
        struct hub_event ev;
        struct cs_err lerr;
        int r;

        lineno++;
        b->nlines++;
        r = hub_norm_line(&n, text + i, e - i, lineno, &ev, &lerr);
        i = e + 1;
        if (r < 0) {
            add_error(b, lineno, r, lerr.msg);
            if (r == CS_ENOMEM) {
                rc = CS_ENOMEM;
                cs_err_set(err, rc, (int)lineno, 0, "out of memory");
                break;
            }
            continue;
        }
        if (r == 0)
            continue;
        if (b->max_events && b->nevents >= b->max_events) {
            rc = CS_ELIMIT;
            cs_err_set(err, rc, (int)lineno, 0, "more than %zu events in one batch",
                       b->max_events);
            break;
        }
        if (b->nevents == b->events_cap) {
            size_t ncap = b->events_cap ? b->events_cap * 2 : 256;
            struct hub_event *p = cs_realloc(b->events, ncap * sizeof(*p));
            if (!p) {
                rc = CS_ENOMEM;
                cs_err_set(err, rc, (int)lineno, 0, "out of memory");
                break;
            }
            b->events = p;
            b->events_cap = ncap;
        }
        b->events[b->nevents++] = ev;
    }
    {
        /* Fold this batch's counters into the batch totals. */
        struct hub_norm_counters *t = &b->counters, *c = &n.c;
        t->lines += c->lines;
        t->events += c->events;
        t->skipped += c->skipped;
        t->errors += c->errors;
        t->err_json += c->err_json;
        t->err_limit += c->err_limit;
        t->err_field += c->err_field;
        t->err_format += c->err_format;
        t->err_nomem += c->err_nomem;
    }
    hub_norm_free(&n);
    if (text != body)
        cs_free(text);
    if (rc < 0) { /* a body-level failure keeps nothing of this body */
        b->nevents = first_event;
        b->nerrors = nerr0;
        b->nerrors_kept = nkept0;
        b->nlines = nlines0;
    }
    return rc;
}

/* ---- line reader for growing files ------------------------------------------------- */

void hub_linereader_init(struct hub_linereader *r, size_t max_line)
{
    memset(r, 0, sizeof(*r));
    r->max_line = max_line ? max_line : HUB_NORM_MAX_LINE;
}

void hub_linereader_free(struct hub_linereader *r)
{
    cs_free(r->buf);
    memset(r, 0, sizeof(*r));
}

int hub_linereader_feed(struct hub_linereader *r, const void *data, size_t n)
{
    if (!n)
        return CS_OK;
    if (r->off) { /* drop what was handed out */
        memmove(r->buf, r->buf + r->off, r->len - r->off);
        r->len -= r->off;
        r->off = 0;
    }
    if (r->len + n > r->cap) {
        size_t ncap = r->cap ? r->cap : 64 * 1024;
        char *p;
        while (ncap < r->len + n)
            ncap *= 2;
        if (!(p = cs_realloc(r->buf, ncap)))
            return CS_ENOMEM;
        r->buf = p;
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return CS_OK;
}

int hub_linereader_next(struct hub_linereader *r, const char **line, size_t *len)
{
    for (;;) {
        size_t avail = r->len - r->off;
        const char *s = r->buf + r->off;
        const char *nl = avail ? memchr(s, '\n', avail) : NULL;

        if (r->discarding) {
            if (!nl) {
                r->off = r->len; /* drop it all, still inside the long line */
                return 0;
            }
            r->off += (size_t)(nl - s) + 1;
            r->discarding = false;
            continue;
        }
        if (!nl) {
            if (avail > r->max_line) {
                /* Too long and still no newline: drop it and skip to its end. */
                r->discarding = true;
                r->too_long++;
                r->lineno++;
                *len = avail;
                r->off = r->len;
                return CS_ELIMIT;
            }
            return 0;
        }
        size_t l = (size_t)(nl - s);
        r->off += l + 1;
        r->lineno++;
        if (l > r->max_line) {
            r->too_long++;
            *len = l;
            return CS_ELIMIT;
        }
        if (l && s[l - 1] == '\r')
            l--;
        *line = s;
        *len = l;
        return 1;
    }
}
