/* cs_json.c — JSON writer; see cs_json.h for the contract. */
#include "cs_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#define DEFAULT_MAX (16u << 20)

void cs_json_init(struct cs_json *j)
{
    memset(j, 0, sizeof(*j));
    j->first[0] = true;
}

void cs_json_free(struct cs_json *j)
{
    cs_free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

void cs_json_reset(struct cs_json *j)
{
    j->len = 0;
    j->err = CS_OK;
    j->depth = 0;
    j->first[0] = true;
}

static bool reserve_slow(struct cs_json *j, size_t n);

/* Fast path: room is there (the common case); otherwise grow within the limit. */
static inline bool reserve(struct cs_json *j, size_t n)
{
    if (cs_likely(!j->err && n <= j->cap - j->len))
        return j->max == 0 || j->len + n <= j->max ? true : reserve_slow(j, n);
    return reserve_slow(j, n);
}

static bool reserve_slow(struct cs_json *j, size_t n)
{
    size_t max = j->max ? j->max : DEFAULT_MAX;
    size_t want, cap;
    char *nb;

    if (j->err)
        return false;
    if (n > max || j->len > max - n) {
        j->err = CS_ELIMIT;
        return false;
    }
    want = j->len + n;
    if (want <= j->cap)
        return true;
    cap = j->cap ? j->cap : 512;
    while (cap < want)
        cap *= 2;
    if (cap > max)
        cap = max;
    nb = cs_realloc(j->buf, cap);
    if (!nb) {
        j->err = CS_ENOMEM;
        return false;
    }
    j->buf = nb;
    j->cap = cap;
    return true;
}

static inline void put(struct cs_json *j, const char *s, size_t n)
{
    if (reserve(j, n)) {
        memcpy(j->buf + j->len, s, n);
        j->len += n;
    }
}

static inline void putc1(struct cs_json *j, char c)
{
    if (reserve(j, 1))
        j->buf[j->len++] = c;
}

void cs_json_append(struct cs_json *j, const char *s, size_t n)
{
    put(j, s, n);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t need;
    uint32_t cp;

    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        need = 2;
        cp = c & 0x1F;
    } else if (c < 0xF0) {
        need = 3;
        cp = c & 0x0F;
    } else if (c < 0xF5) {
        need = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

/* Bytes that can be copied as they are: printable ASCII but '"' and '\\'. */
static const uint8_t plain[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7E] = 1,
};

#define ESC_BLOCK 1024
/* Strings up to this long take the one-pass fast paths. */
#define SHORT_MAX 64

/* Room for n more bytes without growing and without touching j->err (a fast path that
 * asks for more than it will use must not turn into a limit error). */
static inline bool room(const struct cs_json *j, size_t n)
{
    return !j->err && n <= j->cap - j->len && (j->max == 0 || j->len + n <= j->max);
}

static void put_escaped(struct cs_json *j, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;

    /* short plain strings (addresses, names): checked while copied, committed when all
     * plain; otherwise nothing is committed and the escaping loop below starts over */
    if (n <= SHORT_MAX && reserve(j, n + 2)) {
        char *o = j->buf + j->len;
        size_t k = 0;
        while (k < n && plain[s[k]]) {
            o[k + 1] = (char)s[k];
            k++;
        }
        if (k == n) {
            o[0] = '"';
            o[n + 1] = '"';
            j->len += n + 2;
            return;
        }
    }
    putc1(j, '"');
    while (i < n) {
        /* one block at a time: reserve its worst case (6 output bytes per input byte, a
         * UTF-8 sequence may run 3 bytes past the block), then write without checks */
        size_t end = i + ESC_BLOCK < n ? i + ESC_BLOCK : n;
        if (!reserve(j, (end - i + 3) * 6))
            return;
        char *o = j->buf + j->len;
        while (i < end) {
            uint8_t c = s[i];
            if (plain[c]) {
                *o++ = (char)c;
                i++;
                continue;
            }
            if (c >= 0x80) {
                size_t k = utf8_seq(s + i, n - i);
                if (k) {
                    memcpy(o, s + i, k);
                    o += k;
                    i += k;
                    continue;
                }
            }
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
            i++;
        }
        j->len = (size_t)(o - j->buf);
    }
    putc1(j, '"');
}

/* The NUL-terminated s, quoted, then `end` unless it is 0, when s is shorter than SHORT_MAX
 * and all plain (keys are literals, most values are names and addresses): one pass, no
 * strlen. Returns false, having written nothing, otherwise. */
static inline bool put_cstr(struct cs_json *j, const char *s, char end)
{
    char *o;
    size_t k = 0;

    if (!room(j, SHORT_MAX + 3))
        return false;
    o = j->buf + j->len + 1;
    /* four bytes per round, one bound check each (SHORT_MAX is a multiple of 4); plain[0]
     * is 0, so the NUL ends the copy like any byte that needs escaping */
    for (;;) {
        if (!plain[(uint8_t)s[k]])
            break;
        o[k] = s[k];
        if (!plain[(uint8_t)s[k + 1]]) {
            k += 1;
            break;
        }
        o[k + 1] = s[k + 1];
        if (!plain[(uint8_t)s[k + 2]]) {
            k += 2;
            break;
        }
        o[k + 2] = s[k + 2];
        if (!plain[(uint8_t)s[k + 3]]) {
            k += 3;
            break;
        }
        o[k + 3] = s[k + 3];
        k += 4;
        if (k == SHORT_MAX)
            return false;
    }
    if (s[k])
        return false;
    o[-1] = '"';
    o[k++] = '"';
    if (end)
        o[k++] = end;
    j->len += k + 1;
    return true;
}

/* Writes the separating comma and the key, if any. */
static void prefix(struct cs_json *j, const char *key)
{
    if (!j->first[j->depth])
        putc1(j, ',');
    j->first[j->depth] = false;
    if (key && !put_cstr(j, key, ':')) {
        put_escaped(j, (const uint8_t *)key, strlen(key));
        putc1(j, ':');
    }
}

static void push(struct cs_json *j, const char *key, char c)
{
    prefix(j, key);
    putc1(j, c);
    if (j->depth + 1 >= CS_JSON_MAX_DEPTH) {
        j->err = CS_ELIMIT;
        return;
    }
    j->depth++;
    j->first[j->depth] = true;
}

static void pop(struct cs_json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    putc1(j, c);
}

void cs_json_open(struct cs_json *j, const char *key) { push(j, key, '{'); }
void cs_json_close(struct cs_json *j) { pop(j, '}'); }
void cs_json_open_arr(struct cs_json *j, const char *key) { push(j, key, '['); }
void cs_json_close_arr(struct cs_json *j) { pop(j, ']'); }

void cs_json_strn(struct cs_json *j, const char *key, const void *s, size_t n)
{
    prefix(j, key);
    put_escaped(j, s, n);
}

void cs_json_str(struct cs_json *j, const char *key, const char *s)
{
    if (!s) {
        cs_json_null(j, key);
        return;
    }
    prefix(j, key);
    if (!put_cstr(j, s, 0))
        put_escaped(j, (const uint8_t *)s, strlen(s));
}

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930"
                                 "31323334353637383940414243444546474849505152535455565758596061"
                                 "62636465666768697071727374757677787980818283848586878889909192"
                                 "93949596979899";

void cs_json_uint(struct cs_json *j, const char *key, uint64_t v)
{
    char tmp[24];
    int i = (int)sizeof(tmp);

    prefix(j, key);
    while (v >= 100) { /* two digits per division */
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        i -= 2;
        memcpy(tmp + i, digits2 + 2 * r, 2);
    }
    if (v >= 10) {
        i -= 2;
        memcpy(tmp + i, digits2 + 2 * v, 2);
    } else {
        tmp[--i] = (char)('0' + v);
    }
    put(j, tmp + i, sizeof(tmp) - (size_t)i);
}

void cs_json_int(struct cs_json *j, const char *key, int64_t v)
{
    if (v >= 0) {
        cs_json_uint(j, key, (uint64_t)v);
        return;
    }
    prefix(j, key);
    putc1(j, '-');
    /* write the magnitude without a second prefix */
    {
        uint64_t m = (uint64_t)(-(v + 1)) + 1;
        char tmp[24];
        int i = (int)sizeof(tmp);
        do {
            tmp[--i] = (char)('0' + m % 10);
            m /= 10;
        } while (m);
        put(j, tmp + i, sizeof(tmp) - (size_t)i);
    }
}

void cs_json_bool(struct cs_json *j, const char *key, bool v)
{
    prefix(j, key);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
}

void cs_json_null(struct cs_json *j, const char *key)
{
    prefix(j, key);
    put(j, "null", 4);
}

void cs_json_double(struct cs_json *j, const char *key, double v)
{
    char tmp[40];
    int n;

    if (!isfinite(v)) {
        cs_json_null(j, key);
        return;
    }
    prefix(j, key);
    n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    if (n > 0 && (size_t)n < sizeof(tmp))
        put(j, tmp, (size_t)n);
}

void cs_json_raw(struct cs_json *j, const char *key, const char *raw, size_t n)
{
    prefix(j, key);
    put(j, raw, n);
}
