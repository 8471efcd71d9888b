/* fuzz_norm.h — shared by the hub normaliser fuzz targets: feeds every line of the input to a
 * normaliser and checks what comes out (raw is the line, norm is valid JSON, text is UTF-8). */
#ifndef FUZZ_NORM_H
#define FUZZ_NORM_H

#include <stdlib.h>

#include "../hub/norm/norm.h"

static void fuzz_norm_check_str(struct hub_str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    if (!s.p)
        return;
    if (p[s.len] != 0)
        abort();
    for (uint32_t i = 0; i < s.len;) {
        size_t l = p[i] < 0x80 ? 1 : hub_utf8_seq(p + i, s.len - i);
        if (!l)
            abort(); /* every mapped string is valid UTF-8 */
        i += (uint32_t)l;
    }
}

static void fuzz_norm_check(const struct hub_event *ev, const char *line, size_t len)
{
    struct hub_json_doc d;

    if (ev->raw.len > len || memcmp(ev->raw.p, line, ev->raw.len) != 0)
        abort();
    fuzz_norm_check_str(ev->event_type);
    fuzz_norm_check_str(ev->sensor);
    fuzz_norm_check_str(ev->src_ip);
    fuzz_norm_check_str(ev->dest_ip);
    fuzz_norm_check_str(ev->message);
    fuzz_norm_check_str(ev->alert.signature);
    fuzz_norm_check_str(ev->http_url);
    if (ev->alert.severity > 4)
        abort();
    hub_json_doc_init(&d);
    /* the normalised JSON always parses, strictly (no duplicate keys either) */
    int rc = ev->norm.p ? hub_json_parse(&d, ev->norm.p, ev->norm.len, NULL, NULL) : CS_OK;
    if (rc != CS_OK && rc != CS_ENOMEM) /* (allocation-failure runs may fail the tokens) */
        abort();
    hub_json_doc_free(&d);
}

static void fuzz_norm_lines(enum hub_fmt fmt, const uint8_t *data, size_t size)
{
    struct hub_arena a;
    struct hub_norm n;
    const char *s = (const char *)data;
    size_t i = 0;
    uint32_t lineno = 0;

    hub_arena_init(&a, 4u << 20);
    hub_norm_init(&n, fmt, &a);
    n.now = 1700000000000000LL;
    while (i < size) {
        const char *nl = memchr(s + i, '\n', size - i);
        size_t e = nl ? (size_t)(nl - s) : size;
        struct hub_event ev;
        struct cs_err err;
        int rc = hub_norm_line(&n, s + i, e - i, ++lineno, &ev, &err);
        if (rc == 1)
            fuzz_norm_check(&ev, s + i, e - i);
        else if (rc < 0 && (err.line != (int)lineno || !strstr(err.msg, "line ")))
            abort(); /* every error names its line */
        i = e + 1;
    }
    if (n.c.events + n.c.errors + n.c.skipped != n.c.lines)
        abort();
    hub_norm_free(&n);
    hub_arena_free(&a);
}

#endif
