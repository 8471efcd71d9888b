/* norm_test_util.h — shared by the normaliser tests: reads a file of tests/data/hub and
 * normalises every line, keeping the events and the errors. */
#ifndef HUB_NORM_TEST_UTIL_H
#define HUB_NORM_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "norm.h"

#define RUN_MAX_EV 512
#define RUN_MAX_ERR 64

struct run {
    struct hub_arena arena;
    struct hub_norm n;
    struct hub_event ev[RUN_MAX_EV];
    int nev;
    int nerr;
    struct cs_err err[RUN_MAX_ERR];
    char *text;
};

static inline char *read_data(const char *rel, size_t *len)
{
    const char *dir = getenv("CS_TEST_DATA");
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/hub/%s", dir ? dir : "tests/data", rel);
    if (!(f = fopen(path, "rb")))
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = (size_t)n;
    }
    return buf;
}

static inline void run_init(struct run *r, enum hub_fmt fmt)
{
    memset(r, 0, sizeof(*r));
    hub_arena_init(&r->arena, 0);
    hub_norm_init(&r->n, fmt, &r->arena);
}

/* Normalises `len` bytes of lines. */
static inline void run_text(struct run *r, const char *text, size_t len)
{
    size_t i = 0;
    uint32_t lineno = 0;

    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        struct hub_event ev;
        struct cs_err err;
        int rc = hub_norm_line(&r->n, text + i, e - i, ++lineno, &ev, &err);
        if (rc == 1 && r->nev < RUN_MAX_EV)
            r->ev[r->nev++] = ev;
        else if (rc < 0 && r->nerr < RUN_MAX_ERR)
            r->err[r->nerr++] = err;
        i = e + 1;
    }
}

/* Returns false if the file is missing. */
static inline bool run_file(struct run *r, enum hub_fmt fmt, const char *rel)
{
    size_t len;

    run_init(r, fmt);
    r->text = read_data(rel, &len);
    if (!r->text)
        return false;
    run_text(r, r->text, len);
    return true;
}

static inline void run_free(struct run *r)
{
    hub_norm_free(&r->n);
    hub_arena_free(&r->arena);
    free(r->text);
}

/* The first event whose event_type is `type` (NULL: none). */
static inline const struct hub_event *run_find(const struct run *r, const char *type)
{
    for (int i = 0; i < r->nev; i++)
        if (hub_str_eq(r->ev[i].event_type, type))
            return &r->ev[i];
    return NULL;
}

#define CHECK_HSTR(s, lit) CHECK(hub_str_eq((s), (lit)))

#endif
