/* batch.h — decoding an ingest batch body into events, and reading lines from a file that
 * is still being written (tailing eve.json).
 *
 * hub_batch_decode(): body bytes (Content-Encoding identity, gzip or zstd; decompressed size
 * capped for bomb protection) → NDJSON/text lines → events through the normaliser of the
 * given format. Bad lines are collected in `errors` with their line numbers; they never
 * reject the good ones. Everything the result points to lives in the batch's arena (events'
 * strings, raw records) or in the batch itself; hub_batch_reset()/hub_batch_free() release
 * it. A batch belongs to one thread. */
#ifndef HUB_INGEST_BATCH_H
#define HUB_INGEST_BATCH_H

#include "../norm/norm.h"

enum hub_encoding {
    HUB_ENC_IDENTITY = 0,
    HUB_ENC_GZIP, /* gzip or zlib wrapper (auto-detected) */
    HUB_ENC_ZSTD,
};

/* Parses a Content-Encoding header value ("gzip", "x-gzip", "deflate", "zstd", "identity",
 * NULL or "" = identity). Returns CS_OK or CS_EINVAL for an unsupported coding. */
int hub_encoding_parse(const char *s, enum hub_encoding *enc);

#define HUB_BATCH_MAX_DECODED (64u << 20) /* default cap on the decompressed body: 64 MiB */
#define HUB_BATCH_MAX_ERRORS 100          /* errors kept in detail (all are counted) */

struct hub_batch_error {
    uint32_t line; /* 1-based */
    int code;      /* CS_EINVAL, CS_ELIMIT, CS_ENOMEM */
    char msg[256];
};

struct hub_batch {
    /* settings (set after hub_batch_init, before decoding) */
    size_t max_decoded; /* 0: HUB_BATCH_MAX_DECODED */
    size_t max_events;  /* 0: no cap */
    size_t max_line;    /* 0: HUB_NORM_MAX_LINE */
    bool no_norm;       /* skip events' `norm` JSON (the store does not keep it; saves ~15%) */

    /* results */
    struct hub_event *events; /* nevents events, owned by the batch */
    size_t nevents;
    struct hub_batch_error *errors; /* nerrors_kept detailed errors (first ones) */
    size_t nerrors_kept;
    size_t nerrors;       /* every bad line */
    size_t nlines;        /* lines seen */
    size_t decoded_bytes; /* body size after decompression */
    struct hub_norm_counters counters; /* the normaliser's counters for this batch */

    struct hub_arena arena; /* the events' strings */
    size_t events_cap;
    char *buf; /* decompressed body (owned) */
    size_t buf_cap;
};

void hub_batch_init(struct hub_batch *b);
/* Drops the results (events become invalid), keeps memory for the next batch. */
void hub_batch_reset(struct hub_batch *b);
void hub_batch_free(struct hub_batch *b);

/* Decodes `body` (`len` bytes, borrowed for the call only: raw records are copied) with
 * `enc`, splits it into lines (\n, optional \r before it; a last line without \n counts),
 * normalises each as `fmt`. Appends to the batch's results (call hub_batch_reset() between
 * batches). Returns CS_OK when the body itself was readable (individual lines may still have
 * failed: see nerrors), CS_ELIMIT when the decompressed size would exceed max_decoded or
 * there are more than max_events events, CS_EINVAL for a corrupt compressed stream or an
 * unknown format, CS_ENOMEM. On a body-level error `err` says why and no event is kept. */
int hub_batch_decode(struct hub_batch *b, enum hub_fmt fmt, enum hub_encoding enc,
                     const void *body, size_t len, struct cs_err *err);

/* Decompresses `in` into a new cs_malloc'd buffer (*out, *out_len; caller cs_free()s it),
 * failing with CS_ELIMIT once more than `max` bytes would come out. Identity copies. */
int hub_decompress(enum hub_encoding enc, const void *in, size_t len, size_t max, char **out,
                   size_t *out_len);

/* A line reader for a file that grows (tail -f of eve.json): feed it whatever read()
 * returned; it hands back complete lines and keeps a partial last line until its newline
 * arrives. A line longer than `max_line` is skipped up to its newline and reported once. */
struct hub_linereader {
    char *buf;
    size_t len, cap;
    size_t off;       /* start of the unconsumed data in buf */
    size_t max_line;  /* 0: HUB_NORM_MAX_LINE */
    bool discarding;  /* inside an over-long line */
    uint64_t lineno;  /* lines handed out + skipped so far */
    uint64_t too_long; /* over-long lines skipped */
};

void hub_linereader_init(struct hub_linereader *r, size_t max_line);
void hub_linereader_free(struct hub_linereader *r);
/* Appends `n` bytes read from the file. CS_OK or CS_ENOMEM. */
int hub_linereader_feed(struct hub_linereader *r, const void *data, size_t n);
/* Next complete line (without \n or \r\n): returns 1 and sets *line and *len (valid until the
 * next feed), 0 when only a partial line (or nothing) is left, CS_ELIMIT once for each line
 * that was too long (it is dropped; *len says how many bytes were dropped so far). */
int hub_linereader_next(struct hub_linereader *r, const char **line, size_t *len);
/* Bytes of a partial line waiting for its newline. */
static inline size_t hub_linereader_pending(const struct hub_linereader *r)
{
    return r->len - r->off;
}

#endif
