/* kw_util.c — helpers shared by the keyword setup functions. */
#include "kw.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int sn_kw_error(struct sn_kw_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
    va_end(ap);
    c->err->code = CS_EINVAL;
    c->err->col = c->col;
    return CS_EINVAL;
}

int sn_kw_append(struct sn_kw_ctx *c, void *data)
{
    struct sn_rule *r = c->rule;
    if (r->nkw == r->kw_cap) {
        uint32_t nc = r->kw_cap ? r->kw_cap * 2 : 8;
        struct sn_kw_inst *nv = cs_realloc(r->kw, nc * sizeof(*nv));
        if (!nv) {
            if (c->kw->free && data)
                c->kw->free(data);
            cs_err_set(c->err, CS_ENOMEM, 0, c->col, "out of memory");
            return CS_ENOMEM;
        }
        r->kw = nv;
        r->kw_cap = nc;
    }
    r->kw[r->nkw++] =
        (struct sn_kw_inst){.kw = c->kw, .data = data, .buffer = c->buffer, .col = c->col};
    return CS_OK;
}

struct sn_kw_inst *sn_kw_last(struct sn_rule *r, const char *name)
{
    for (uint32_t i = r->nkw; i-- > 0;)
        if (strcmp(r->kw[i].kw->name, name) == 0)
            return &r->kw[i];
    return NULL;
}

struct sn_kw_inst *sn_kw_last_payload(struct sn_rule *r)
{
    for (uint32_t i = r->nkw; i-- > 0;)
        if (strcmp(r->kw[i].kw->name, "content") == 0 || strcmp(r->kw[i].kw->name, "pcre") == 0)
            return &r->kw[i];
    return NULL;
}

int sn_kw_unquote(struct sn_kw_ctx *c, const char *opt, char **out)
{
    size_t n = strlen(opt), j = 0;
    bool quoted = n >= 1 && opt[0] == '"';
    char *s;

    *out = NULL;
    if (quoted) {
        if (n < 2 || opt[n - 1] != '"' ||
            (n >= 3 && opt[n - 2] == '\\' && (n < 4 || opt[n - 3] != '\\')))
            return sn_kw_error(c, "unterminated string in '%s'", c->kw->name);
        opt++;
        n -= 2;
    }
    s = cs_malloc(n + 1);
    if (!s) {
        cs_err_set(c->err, CS_ENOMEM, 0, c->col, "out of memory");
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (opt[i] == '\\') {
            char e = i + 1 < n ? opt[i + 1] : 0;
            if (e != '"' && e != '\\' && e != ';' && e != ':') {
                s[j++] = '\\'; /* other escapes stay as written, as in Suricata's msg */
                continue;
            }
            s[j++] = e;
            i++;
        } else if (opt[i] == '"' && quoted) {
            cs_free(s);
            return sn_kw_error(c, "unescaped '\"' inside the string of '%s'", c->kw->name);
        } else {
            s[j++] = opt[i];
        }
    }
    s[j] = 0;
    *out = s;
    return CS_OK;
}

char *sn_kw_trim(const char *s, size_t n, char *buf, size_t cap)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

int sn_kw_split(const char *s, char *buf, size_t cap, char **parts, int max)
{
    size_t n = strlen(s);
    int cnt = 0;
    bool inq = false;
    char *p, *start;

    if (n >= cap)
        return -1;
    memcpy(buf, s, n + 1);
    start = buf;
    for (p = buf;; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '"')
            inq = !inq;
        if ((*p == ',' && !inq) || *p == 0) {
            bool end = *p == 0;
            char *a = start, *b = p;
            if (cnt == max)
                return -1;
            while (a < b && isspace((unsigned char)*a))
                a++;
            while (b > a && isspace((unsigned char)b[-1]))
                b--;
            *b = 0;
            parts[cnt++] = a;
            if (end)
                break;
            start = p + 1;
        }
    }
    return cnt;
}

bool sn_kw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        v = strtoull(s + 2, &end, 16);
    else
        v = strtoull(s, &end, 10);
    if (errno)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool sn_kw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    uint64_t u;
    bool neg;
    while (isspace((unsigned char)*s))
        s++;
    neg = *s == '-';
    if (neg || *s == '+')
        s++;
    if (!sn_kw_parse_u64(s, 0, (uint64_t)INT64_MAX, &u))
        return false;
    int64_t v = neg ? -(int64_t)u : (int64_t)u;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

int sn_kw_parse_cmp(struct sn_kw_ctx *c, const char *s, uint64_t max, struct sn_u64cmp *out)
{
    char buf[96];
    const char *p, *sep;
    sn_kw_trim(s ? s : "", s ? strlen(s) : 0, buf, sizeof(buf));
    p = buf;
    out->op = SN_CMP_EQ;
    out->b = 0;
    if ((sep = strstr(p, "<>")) != NULL) {
        char a[48];
        sn_kw_trim(p, (size_t)(sep - p), a, sizeof(a));
        if (!sn_kw_parse_u64(a, 0, max, &out->a) || !sn_kw_parse_u64(sep + 2, 0, max, &out->b))
            return sn_kw_error(c, "invalid range '%s' in '%s'", buf, c->kw->name);
        if (out->a >= out->b)
            return sn_kw_error(c, "empty range '%s' in '%s'", buf, c->kw->name);
        out->op = SN_CMP_RANGE;
        return CS_OK;
    }
    if (isdigit((unsigned char)p[0]) && (sep = strchr(p, '-')) != NULL) {
        char a[48];
        sn_kw_trim(p, (size_t)(sep - p), a, sizeof(a));
        if (!sn_kw_parse_u64(a, 0, max, &out->a) || !sn_kw_parse_u64(sep + 1, 0, max, &out->b))
            return sn_kw_error(c, "invalid range '%s' in '%s'", buf, c->kw->name);
        if (out->a > out->b)
            return sn_kw_error(c, "reversed range '%s' in '%s'", buf, c->kw->name);
        out->op = SN_CMP_RANGE_INCL;
        return CS_OK;
    }
    if (p[0] == '<' && p[1] == '=') {
        out->op = SN_CMP_LE;
        p += 2;
    } else if (p[0] == '>' && p[1] == '=') {
        out->op = SN_CMP_GE;
        p += 2;
    } else if (p[0] == '<') {
        out->op = SN_CMP_LT;
        p++;
    } else if (p[0] == '>') {
        out->op = SN_CMP_GT;
        p++;
    } else if (p[0] == '!') {
        out->op = SN_CMP_NE;
        p++;
    } else if (p[0] == '=') {
        p++;
    }
    if (!sn_kw_parse_u64(p, 0, max, &out->a))
        return sn_kw_error(c, "invalid value '%s' for '%s' (0..%llu)", buf, c->kw->name,
                           (unsigned long long)max);
    return CS_OK;
}

bool sn_u64cmp_eval(const struct sn_u64cmp *m, uint64_t v)
{
    switch (m->op) {
    case SN_CMP_EQ:
        return v == m->a;
    case SN_CMP_NE:
        return v != m->a;
    case SN_CMP_LT:
        return v < m->a;
    case SN_CMP_GT:
        return v > m->a;
    case SN_CMP_LE:
        return v <= m->a;
    case SN_CMP_GE:
        return v >= m->a;
    case SN_CMP_RANGE:
        return v > m->a && v < m->b;
    case SN_CMP_RANGE_INCL:
        return v >= m->a && v <= m->b;
    }
    return false;
}

int sn_kw_parse_val(struct sn_kw_ctx *c, const char *s, int64_t min, int64_t max,
                    struct sn_kw_val *out)
{
    char buf[64];
    sn_kw_trim(s, strlen(s), buf, sizeof(buf));
    out->var = -1;
    if (isalpha((unsigned char)buf[0]) || buf[0] == '_') {
        for (uint32_t i = 0; i < c->rule->nvars; i++)
            if (strcmp(c->rule->vars[i], buf) == 0) {
                out->var = (int)i;
                out->v = 0;
                return CS_OK;
            }
        return sn_kw_error(c, "'%s': unknown variable '%s' (no byte_extract/byte_math defines it)",
                           c->kw->name, buf);
    }
    if (!sn_kw_parse_i64(buf, min, max, &out->v))
        return sn_kw_error(c, "'%s': invalid value '%s'", c->kw->name, buf);
    return CS_OK;
}
