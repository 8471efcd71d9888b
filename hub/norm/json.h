/* json.h — a strict, bounded JSON parser for ingest (lib/cs_json.h is only a writer).
 *
 * hub_json_parse() validates one JSON text (RFC 8259) and records its values as a flat array
 * of tokens in document order, so a normaliser walks a record without allocating per value.
 * Strict: no comments, no trailing commas, no NaN/Infinity, no leading zeros, no raw control
 * characters in strings, UTF-8 validated (no overlong forms, no surrogates, nothing above
 * U+10FFFF), escaped surrogates must pair, and duplicate keys in one object are rejected
 * (so the hub and a downstream consumer cannot read two different values).
 * Bounded: total size, nesting depth and token count are capped; hitting a cap is CS_ELIMIT.
 * Errors carry the byte offset where parsing stopped.
 *
 * Tokens point into the caller's text by offset: the text must outlive the document. The
 * token array is owned by the document (reused across parses; hub_json_doc_free() frees it).
 * One document per thread; not thread-safe. */
#ifndef HUB_NORM_JSON_H
#define HUB_NORM_JSON_H

#include "../../lib/cs.h"

enum hub_json_type {
    HUB_JSON_NULL = 0,
    HUB_JSON_FALSE,
    HUB_JSON_TRUE,
    HUB_JSON_NUMBER,
    HUB_JSON_STRING,
    HUB_JSON_ARRAY,
    HUB_JSON_OBJECT,
};

#define HUB_JSON_F_ESC 0x01 /* string: has backslash escapes (decode before use) */
#define HUB_JSON_F_INT 0x02 /* number: integer syntax (no fraction or exponent) */

struct hub_json_tok {
    uint8_t type;
    uint8_t flags;
    uint32_t start; /* offset of the value (strings: first byte after the opening quote) */
    uint32_t len;   /* strings: raw bytes between the quotes; numbers/literals: text length;
                     * arrays: element count; objects: member count */
    uint32_t next;  /* index of the first token after this value (skips its children) */
};

struct hub_json_limits {
    size_t max_len;      /* 0: 1 MiB */
    int max_depth;       /* 0: 64 (at most 1024) */
    uint32_t max_tokens; /* 0: 65536 */
    bool allow_dup_keys; /* default false: duplicate keys are an error */
};

struct hub_json_doc {
    const char *text;
    size_t len;
    struct hub_json_tok *toks; /* owned */
    uint32_t ntoks, cap;
};

struct hub_json_err {
    int code;      /* CS_EINVAL, CS_ELIMIT, CS_ENOMEM */
    size_t offset; /* byte offset of the problem */
    const char *msg; /* static text */
};

void hub_json_doc_init(struct hub_json_doc *d);
void hub_json_doc_free(struct hub_json_doc *d);

/* Parses `n` bytes at `s` (NUL not required; a NUL byte anywhere is an error). On success
 * returns CS_OK and token 0 is the root value. On failure returns <0 and fills `e` (may be
 * NULL); the document is then empty. `lim` may be NULL for defaults. */
int hub_json_parse(struct hub_json_doc *d, const char *s, size_t n,
                   const struct hub_json_limits *lim, struct hub_json_err *e);

/* Index of the value of member `key` (klen bytes, compared with the decoded key) in the
 * object token `obj`, or 0 if absent or `obj` is not an object (0 is the root, never a
 * member). */
uint32_t hub_json_get(const struct hub_json_doc *d, uint32_t obj, const char *key, size_t klen);

/* Walk an object's members: for (k = hub_json_first(d, obj); k; k = hub_json_after(d, k + 1))
 * gives key token k and value token k + 1. For arrays, the same walk gives each element. */
static inline uint32_t hub_json_first(const struct hub_json_doc *d, uint32_t c)
{
    return (d->toks[c].type >= HUB_JSON_ARRAY && d->toks[c].len) ? c + 1 : 0;
}
/* Token after value `v` inside its container, or 0 at the container's end. `parent_end` is
 * the container's `next`. */
static inline uint32_t hub_json_next_in(const struct hub_json_doc *d, uint32_t v,
                                        uint32_t parent_end)
{
    uint32_t n = d->toks[v].next;
    return n < parent_end ? n : 0;
}

/* True if the key/string token `t` equals `s` (n bytes) after decoding escapes. */
bool hub_json_str_eq(const struct hub_json_doc *d, uint32_t t, const char *s, size_t n);

/* Decodes string token `t` into `out` (cap bytes, always NUL-terminated when cap > 0).
 * Returns the decoded length (which may exceed cap - 1: then the output is truncated),
 * or CS_EINVAL if `t` is not a string. The decoded length never exceeds the raw length. */
long hub_json_str_decode(const struct hub_json_doc *d, uint32_t t, char *out, size_t cap);

/* Integer value of number token `t`: CS_OK, CS_EINVAL (not an integer number), CS_ELIMIT
 * (does not fit in int64). */
int hub_json_int(const struct hub_json_doc *d, uint32_t t, int64_t *v);
/* Number as double: CS_OK, CS_EINVAL (not a number), CS_ELIMIT (overflows to infinity). */
int hub_json_double(const struct hub_json_doc *d, uint32_t t, double *v);

/* Length (2..4) of the valid UTF-8 sequence at s (avail bytes, s[0] >= 0x80), or 0 if it is
 * not one (overlong, surrogate, above U+10FFFF, truncated). */
size_t hub_utf8_seq(const unsigned char *s, size_t avail);

#endif
