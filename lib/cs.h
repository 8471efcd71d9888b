/* cs.h — common definitions shared by every citysoc module.
 *
 * Return codes, safe unaligned big-endian reads, small helpers. Keep this header small: it is
 * included everywhere, so it holds only what nearly every file needs. */
#ifndef CS_H
#define CS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum {
    CS_OK = 0,
    CS_ERR = -1,
    CS_AGAIN = -2,
    CS_ENOMEM = -3,
    CS_EINVAL = -4,
    CS_ELIMIT = -5,
    CS_EIO = -6,
};

/* Human-readable text for a CS_* code; never NULL, static storage. */
const char *cs_strerror(int code);

/* Error detail filled by parsers of configuration and rules so the user sees
 * "file:line:col: message". line/col are 1-based, 0 when unknown. */
struct cs_err {
    int code;
    int line;
    int col;
    char msg[256];
};
void cs_err_set(struct cs_err *e, int code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define CS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define cs_likely(x) __builtin_expect(!!(x), 1)
#define cs_unlikely(x) __builtin_expect(!!(x), 0)
#define CS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Unaligned reads from packet data. Never cast packet pointers to wider types. */
static inline uint16_t cs_get_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t cs_get_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t cs_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t cs_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}
static inline uint32_t cs_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t cs_get_be64(const uint8_t *p)
{
    return (uint64_t)cs_get_be32(p) << 32 | cs_get_be32(p + 4);
}

/* Allocation wrappers. With the build switch CS_FAULTSIM, CS_FAIL_ALLOC=N in the environment
 * makes the Nth allocation fail (allocation-failure testing). They return NULL on failure
 * like malloc; callers handle it. */
void *cs_malloc(size_t n);
void *cs_calloc(size_t nmemb, size_t n);
void *cs_realloc(void *p, size_t n);
char *cs_strdup(const char *s);
void cs_free(void *p);

#endif
