/* gm_testvec.h — helpers for libgm's known-answer tests (included by libgm test files only):
 * reading files from tests/data/gm, the "Key = value" record files of the shared GM vector
 * corpus, hex decoding, and pulling test cases out of Wycheproof JSON files. Test code:
 * everything is static and aborts the test (returns NULL/false) on malformed data. */
#ifndef GM_TESTVEC_H
#define GM_TESTVEC_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cs_test.h"

/* Reads tests/data/gm/<name> into a NUL-terminated malloc'ed buffer; NULL on error. */
static inline char *tv_read(const char *name, size_t *lenp)
{
    char path[512];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/gm/%s", cs_test_data_dir(), name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (lenp)
            *lenp = (size_t)n;
    }
    return buf;
}

static inline int tv_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes hex text (whitespace ignored) into a malloc'ed buffer (never NULL on success, even
 * for empty input). Returns NULL on bad hex. */
static inline unsigned char *tv_unhex(const char *s, size_t *lenp)
{
    size_t cap = strlen(s) / 2 + 1, n = 0;
    unsigned char *out = malloc(cap);
    int hi = -1;

    if (!out)
        return NULL;
    for (; *s; s++) {
        int v;
        if (isspace((unsigned char)*s))
            continue;
        v = tv_hexval((unsigned char)*s);
        if (v < 0) {
            free(out);
            return NULL;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        free(out);
        return NULL;
    }
    *lenp = n;
    return out;
}

/* ---- "Key = value" records, blank-line separated, '#' comments ---------------------------- */

#define TV_MAX_FIELDS 48
struct tv_record {
    int n;
    char *key[TV_MAX_FIELDS];
    char *val[TV_MAX_FIELDS];
};

struct tv_file {
    char *text; /* owned; keys and values point into it */
    int n;
    struct tv_record *rec;
};

static inline char *tv_trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Parses tests/data/gm/<name>; returns false when the file is missing or unreadable. */
static inline bool tv_load(const char *name, struct tv_file *tf)
{
    char *line, *save = NULL;
    struct tv_record *cur = NULL;

    memset(tf, 0, sizeof(*tf));
    tf->text = tv_read(name, NULL);
    if (!tf->text)
        return false;
    for (line = strtok_r(tf->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t = tv_trim(line), *eq;
        if (*t == '#')
            continue;
        if (*t == '\0') {
            cur = NULL;
            continue;
        }
        eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (!cur || strcmp(tv_trim(t), "Name") == 0) {
            struct tv_record *r = realloc(tf->rec, sizeof(*r) * (size_t)(tf->n + 1));
            if (!r)
                return false;
            tf->rec = r;
            cur = &tf->rec[tf->n++];
            memset(cur, 0, sizeof(*cur));
        }
        if (cur->n < TV_MAX_FIELDS) {
            cur->key[cur->n] = tv_trim(t);
            cur->val[cur->n] = tv_trim(eq + 1);
            cur->n++;
        }
    }
    return true;
}

static inline const char *tv_get(const struct tv_record *r, const char *key)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->key[i], key) == 0)
            return r->val[i];
    return NULL;
}

/* The record whose Name is name, or NULL. */
static inline const struct tv_record *tv_find(const struct tv_file *tf, const char *name)
{
    for (int i = 0; i < tf->n; i++) {
        const char *n = tv_get(&tf->rec[i], "Name");
        if (n && strcmp(n, name) == 0)
            return &tf->rec[i];
    }
    return NULL;
}

/* Hex field of a record, decoded (malloc'ed) or NULL when absent/bad. */
static inline unsigned char *tv_hex(const struct tv_record *r, const char *key, size_t *lenp)
{
    const char *v = tv_get(r, key);
    return v ? tv_unhex(v, lenp) : NULL;
}

static inline void tv_free(struct tv_file *tf)
{
    free(tf->rec);
    free(tf->text);
    memset(tf, 0, sizeof(*tf));
}

/* ---- Wycheproof JSON ------------------------------------------------------------------------
 * Not a JSON parser: the files have a fixed shape, and each test case is one flat object
 * containing "tcId". wy_next finds the next case after *pos and returns its [start, end). */
static inline bool wy_next(const char *json, const char **pos, const char **start, const char **end)
{
    const char *p = strstr(*pos, "\"tcId\"");
    const char *s, *e;

    if (!p)
        return false;
    s = p;
    while (s > json && *s != '{')
        s--;
    e = strchr(p, '}');
    if (!e)
        return false;
    *start = s;
    *end = e;
    *pos = e;
    return true;
}

/* String value of "field" inside [start, end): copied into a malloc'ed string, or NULL. */
static inline char *wy_str(const char *start, const char *end, const char *field)
{
    char pat[64];
    const char *p, *q;
    char *out;

    snprintf(pat, sizeof(pat), "\"%s\"", field);
    p = strstr(start, pat);
    if (!p || p >= end)
        return NULL;
    p = strchr(p + strlen(pat), '"');
    if (!p || p >= end)
        return NULL;
    q = strchr(p + 1, '"');
    if (!q || q > end)
        return NULL;
    out = malloc((size_t)(q - p));
    if (!out)
        return NULL;
    memcpy(out, p + 1, (size_t)(q - p - 1));
    out[q - p - 1] = '\0';
    return out;
}

/* Hex string field decoded (malloc'ed), or NULL. */
static inline unsigned char *wy_hex(const char *start, const char *end, const char *field,
                                    size_t *lenp)
{
    char *s = wy_str(start, end, field);
    unsigned char *b;

    if (!s)
        return NULL;
    b = tv_unhex(s, lenp);
    free(s);
    return b;
}

/* Integer field (e.g. "tcId"), -1 when absent. */
static inline long wy_int(const char *start, const char *end, const char *field)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\"", field);
    p = strstr(start, pat);
    if (!p || p >= end)
        return -1;
    p = strchr(p, ':');
    return p ? strtol(p + 1, NULL, 10) : -1;
}

#endif
