/* cs_json.h — a small, fast JSON writer for EVE records.
 *
 * Appends to a growable buffer; keys and string values are escaped (control characters,
 * quotes, backslash; invalid UTF-8 bytes become \u00XX so every output is valid JSON).
 * Commas are managed by the writer. A writer is owned by one thread; not thread-safe.
 * On allocation failure or when the buffer would exceed `max` bytes the writer sets
 * `err` and ignores further writes: check cs_json_ok() before using the text. */
#ifndef CS_JSON_H
#define CS_JSON_H

#include "cs.h"

#define CS_JSON_MAX_DEPTH 32

struct cs_json {
    char *buf;
    size_t len;
    size_t cap;
    size_t max;          /* 0: default 16 MiB */
    int err;             /* CS_OK, CS_ENOMEM or CS_ELIMIT */
    int depth;
    bool first[CS_JSON_MAX_DEPTH];
};

void cs_json_init(struct cs_json *j);
void cs_json_free(struct cs_json *j);
/* Empties the buffer, keeps its memory, clears errors. */
void cs_json_reset(struct cs_json *j);
static inline bool cs_json_ok(const struct cs_json *j)
{
    return j->err == CS_OK && j->depth == 0;
}

/* `key` is NULL inside arrays and for the root value. */
void cs_json_open(struct cs_json *j, const char *key);       /* { */
void cs_json_close(struct cs_json *j);                       /* } */
void cs_json_open_arr(struct cs_json *j, const char *key);   /* [ */
void cs_json_close_arr(struct cs_json *j);                   /* ] */
void cs_json_str(struct cs_json *j, const char *key, const char *s);
void cs_json_strn(struct cs_json *j, const char *key, const void *s, size_t n);
void cs_json_int(struct cs_json *j, const char *key, int64_t v);
void cs_json_uint(struct cs_json *j, const char *key, uint64_t v);
void cs_json_bool(struct cs_json *j, const char *key, bool v);
void cs_json_null(struct cs_json *j, const char *key);
void cs_json_double(struct cs_json *j, const char *key, double v);
/* Appends pre-serialised JSON `raw` as the value (caller guarantees validity). */
void cs_json_raw(struct cs_json *j, const char *key, const char *raw, size_t n);
/* Appends raw bytes outside the structure (e.g. the trailing newline). */
void cs_json_append(struct cs_json *j, const char *s, size_t n);

#endif
