/* cs.c — return-code text, error detail, allocation wrappers. */
#include "cs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *cs_strerror(int code)
{
    switch (code) {
    case CS_OK: return "success";
    case CS_ERR: return "error";
    case CS_AGAIN: return "more data needed";
    case CS_ENOMEM: return "out of memory";
    case CS_EINVAL: return "invalid argument";
    case CS_ELIMIT: return "limit reached";
    case CS_EIO: return "input/output error";
    default: return "unknown error";
    }
}

void cs_err_set(struct cs_err *e, int code, int line, int col, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return;
    e->code = code;
    e->line = line;
    e->col = col;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

#ifdef CS_FAULTSIM
#include <stdatomic.h>
static atomic_long fail_at = -1;
static atomic_long alloc_count;

static bool fault_now(void)
{
    long at = atomic_load(&fail_at);
    if (at == -1) {
        const char *s = getenv("CS_FAIL_ALLOC");
        at = s ? atol(s) : 0;
        atomic_store(&fail_at, at);
    }
    return at > 0 && atomic_fetch_add(&alloc_count, 1) + 1 == at;
}
#else
static inline bool fault_now(void)
{
    return false;
}
#endif

void *cs_malloc(size_t n)
{
    return fault_now() ? NULL : malloc(n ? n : 1);
}

void *cs_calloc(size_t nmemb, size_t n)
{
    return fault_now() ? NULL : calloc(nmemb ? nmemb : 1, n ? n : 1);
}

void *cs_realloc(void *p, size_t n)
{
    return fault_now() ? NULL : realloc(p, n ? n : 1);
}

char *cs_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cs_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void cs_free(void *p)
{
    free(p);
}
