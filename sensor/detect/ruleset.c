/* ruleset.c — loading rule files, classification.config and reference.config; the skip
 * summary; duplicate sid:gid handling. */
#include "ruleset.h"

#include "../../lib/cs_cfg.h"
#include "../config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* sid:gid → index into rs->rules, open addressing */
struct sid_index {
    uint64_t *keys; /* (gid << 32 | sid) + 1; 0 = empty */
    uint32_t *idx;
    size_t cap, n;
};

static uint64_t sid_key(const struct sn_rule *r)
{
    return ((uint64_t)r->gid << 32 | r->sid) + 1;
}

static size_t sid_slot(const struct sid_index *x, uint64_t k)
{
    uint64_t h = k * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 17) & (x->cap - 1);
    while (x->keys[i] && x->keys[i] != k)
        i = (i + 1) & (x->cap - 1);
    return i;
}

static int sid_grow(struct sid_index *x)
{
    struct sid_index nx = {0};
    nx.cap = x->cap ? x->cap * 2 : 1024;
    nx.keys = cs_calloc(nx.cap, sizeof(*nx.keys));
    nx.idx = cs_calloc(nx.cap, sizeof(*nx.idx));
    if (!nx.keys || !nx.idx) {
        cs_free(nx.keys);
        cs_free(nx.idx);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < x->cap; i++)
        if (x->keys[i]) {
            size_t s = sid_slot(&nx, x->keys[i]);
            nx.keys[s] = x->keys[i];
            nx.idx[s] = x->idx[i];
        }
    nx.n = x->n;
    cs_free(x->keys);
    cs_free(x->idx);
    *x = nx;
    return CS_OK;
}

struct sn_ruleset *sn_ruleset_new(const struct cs_cfg *vars)
{
    struct sn_ruleset *rs = cs_calloc(1, sizeof(*rs));
    if (!rs)
        return NULL;
    rs->sid_index = cs_calloc(1, sizeof(struct sid_index));
    if (!rs->sid_index) {
        cs_free(rs);
        return NULL;
    }
    rs->env.vars = vars;
    return rs;
}

void sn_ruleset_free(struct sn_ruleset *rs)
{
    struct sid_index *x;
    if (!rs)
        return;
    for (size_t i = 0; i < rs->nrules; i++)
        sn_rule_free(rs->rules[i]);
    cs_free(rs->rules);
    for (size_t i = 0; i < rs->nerrors; i++)
        cs_free(rs->errors[i].reason);
    cs_free(rs->errors);
    for (size_t i = 0; i < rs->nreasons; i++)
        cs_free(rs->reasons[i].reason);
    cs_free(rs->reasons);
    for (size_t i = 0; i < rs->nclasses; i++) {
        cs_free(rs->classes[i].name);
        cs_free(rs->classes[i].desc);
    }
    cs_free(rs->classes);
    for (size_t i = 0; i < rs->nrefsys; i++) {
        cs_free(rs->refsys[i].name);
        cs_free(rs->refsys[i].url);
    }
    cs_free(rs->refsys);
    for (size_t i = 0; i < rs->nfiles; i++)
        cs_free(rs->files[i]);
    cs_free(rs->files);
    x = rs->sid_index;
    if (x) {
        cs_free(x->keys);
        cs_free(x->idx);
        cs_free(x);
    }
    cs_free(rs);
}

/* ---- reading files ---------------------------------------------------------------------- */

static int read_file(const char *path, char **out, size_t *len, struct cs_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = CS_OK;

    *out = NULL;
    if (!f) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: %s", path, strerror(errno));
        return CS_EIO;
    }
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            char *nb = cs_realloc(buf, cap + (cap ? cap : 65536) + 1);
            if (!nb) {
                rc = CS_ENOMEM;
                cs_err_set(err, CS_ENOMEM, 0, 0, "%s: out of memory", path);
                goto out_close;
            }
            buf = nb;
            cap += cap ? cap : 65536;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = CS_EIO;
        cs_err_set(err, CS_EIO, 0, 0, "%s: read error", path);
        goto out_close;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    buf = NULL;
out_close:
    cs_free(buf);
    fclose(f);
    return rc;
}

static char *trim_inplace(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* Calls fn for each non-comment line of data (NUL-terminated copies). */
static int each_config_line(const char *data, size_t len, const char *prefix,
                            int (*fn)(struct sn_ruleset *, char *, int, struct cs_err *),
                            struct sn_ruleset *rs, struct cs_err *err)
{
    size_t i = 0;
    int line = 0, rc = CS_OK;
    size_t plen = strlen(prefix);

    while (i < len && rc == CS_OK) {
        size_t e = i;
        char buf[2048], *s;
        while (e < len && data[e] != '\n')
            e++;
        line++;
        snprintf(buf, sizeof(buf), "%.*s", (int)CS_MIN(e - i, sizeof(buf) - 1), data + i);
        i = e + 1;
        s = trim_inplace(buf);
        if (!*s || *s == '#')
            continue;
        if (strncmp(s, prefix, plen) != 0) {
            cs_err_set(err, CS_EINVAL, line, 1, "expected '%s'", prefix);
            return CS_EINVAL;
        }
        rc = fn(rs, trim_inplace(s + plen), line, err);
    }
    return rc;
}

static int add_class(struct sn_ruleset *rs, char *s, int line, struct cs_err *err)
{
    char *c1 = strchr(s, ','), *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
    char *end;
    long prio;
    struct sn_class *nv;

    if (!c1 || !c2) {
        cs_err_set(err, CS_EINVAL, line, 1, "expected 'config classification: name,desc,prio'");
        return CS_EINVAL;
    }
    *c1 = 0;
    *c2 = 0;
    prio = strtol(trim_inplace(c2 + 1), &end, 10);
    if (*end || prio < 1 || prio > 255 || !*trim_inplace(s)) {
        cs_err_set(err, CS_EINVAL, line, 1, "invalid classification priority or name");
        return CS_EINVAL;
    }
    for (size_t i = 0; i < rs->nclasses; i++)
        if (strcasecmp(rs->classes[i].name, trim_inplace(s)) == 0) { /* later line wins */
            char *d = cs_strdup(trim_inplace(c1 + 1));
            if (!d)
                return CS_ENOMEM;
            cs_free(rs->classes[i].desc);
            rs->classes[i].desc = d;
            rs->classes[i].priority = (int)prio;
            return CS_OK;
        }
    nv = cs_realloc(rs->classes, (rs->nclasses + 1) * sizeof(*nv));
    if (!nv)
        return CS_ENOMEM;
    rs->classes = nv;
    nv[rs->nclasses] =
        (struct sn_class){cs_strdup(trim_inplace(s)), cs_strdup(trim_inplace(c1 + 1)), (int)prio};
    rs->nclasses++;
    if (!nv[rs->nclasses - 1].name || !nv[rs->nclasses - 1].desc)
        return CS_ENOMEM;
    rs->env.classes = rs->classes;
    rs->env.nclasses = rs->nclasses;
    return CS_OK;
}

static int add_refsys(struct sn_ruleset *rs, char *s, int line, struct cs_err *err)
{
    char *sp = s;
    struct sn_refsys *nv;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    if (sp == s) {
        cs_err_set(err, CS_EINVAL, line, 1, "expected 'config reference: system url'");
        return CS_EINVAL;
    }
    if (*sp)
        *sp++ = 0;
    nv = cs_realloc(rs->refsys, (rs->nrefsys + 1) * sizeof(*nv));
    if (!nv)
        return CS_ENOMEM;
    rs->refsys = nv;
    nv[rs->nrefsys] = (struct sn_refsys){cs_strdup(s), cs_strdup(trim_inplace(sp))};
    rs->nrefsys++;
    if (!nv[rs->nrefsys - 1].name || !nv[rs->nrefsys - 1].url)
        return CS_ENOMEM;
    rs->env.refsys = rs->refsys;
    rs->env.nrefsys = rs->nrefsys;
    return CS_OK;
}

int sn_ruleset_load_classification_buffer(struct sn_ruleset *rs, const char *data, size_t len,
                                          struct cs_err *err)
{
    return each_config_line(data, len, "config classification:", add_class, rs, err);
}

int sn_ruleset_load_references_buffer(struct sn_ruleset *rs, const char *data, size_t len,
                                      struct cs_err *err)
{
    return each_config_line(data, len, "config reference:", add_refsys, rs, err);
}

static int load_cfg_file(struct sn_ruleset *rs, const char *path, struct cs_err *err,
                         int (*fn)(struct sn_ruleset *, const char *, size_t, struct cs_err *))
{
    char *data;
    size_t len;
    int rc = read_file(path, &data, &len, err);
    if (rc != CS_OK)
        return rc;
    rc = fn(rs, data, len, err);
    if (rc == CS_EINVAL) {
        char m[sizeof(err->msg)];
        snprintf(m, sizeof(m), "%s", err->msg);
        cs_err_set(err, CS_EINVAL, err->line, err->col, "%s:%d: %s", path, err->line, m);
    }
    cs_free(data);
    return rc;
}

int sn_ruleset_load_classification(struct sn_ruleset *rs, const char *path, struct cs_err *err)
{
    return load_cfg_file(rs, path, err, sn_ruleset_load_classification_buffer);
}

int sn_ruleset_load_references(struct sn_ruleset *rs, const char *path, struct cs_err *err)
{
    return load_cfg_file(rs, path, err, sn_ruleset_load_references_buffer);
}

/* ---- rules ---------------------------------------------------------------------------------- */

static int count_reason(struct sn_ruleset *rs, const char *reason)
{
    struct sn_reason_count *nv;
    for (size_t i = 0; i < rs->nreasons; i++)
        if (strcmp(rs->reasons[i].reason, reason) == 0) {
            rs->reasons[i].count++;
            return CS_OK;
        }
    nv = cs_realloc(rs->reasons, (rs->nreasons + 1) * sizeof(*nv));
    if (!nv)
        return CS_ENOMEM;
    rs->reasons = nv;
    nv[rs->nreasons].reason = cs_strdup(reason);
    if (!nv[rs->nreasons].reason)
        return CS_ENOMEM;
    nv[rs->nreasons].count = 1;
    rs->nreasons++;
    return CS_OK;
}

static bool key_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

/* The summary's grouping key for a parse error: unsupported-* messages as they are;
 * option errors as "invalid 'kw' option" (the keyword at the error column); else the
 * message. */
static void error_reason(const char *text, size_t len, const struct cs_err *e, char *out,
                         size_t cap)
{
    size_t c = e->col > 0 ? (size_t)e->col - 1 : len, k = c;
    const char *open = memchr(text, '(', len);

    if (e->code == SN_RULE_EUNSUPPORTED) {
        snprintf(out, cap, "%s", e->msg);
        return;
    }
    if (open && c < len && text + c > open) {
        while (k < len && key_char(text[k]))
            k++;
        while (k < len && text[k] == ' ')
            k++;
        if (k > c && k < len && (text[k] == ':' || text[k] == ';')) {
            size_t n = c;
            while (n < len && key_char(text[n]))
                n++;
            snprintf(out, cap, "invalid '%.*s' option", (int)(n - c), text + c);
            return;
        }
    }
    snprintf(out, cap, "%s", e->msg);
}

static int record_error(struct sn_ruleset *rs, const char *file, int line, const char *text,
                        size_t len, const struct cs_err *e, const char *fixed_reason)
{
    char reason[sizeof(e->msg)];
    struct sn_rule_error *x;

    if (rs->nerrors == rs->errcap) {
        size_t nc = rs->errcap ? rs->errcap * 2 : 64;
        struct sn_rule_error *nv = cs_realloc(rs->errors, nc * sizeof(*nv));
        if (!nv)
            return CS_ENOMEM;
        rs->errors = nv;
        rs->errcap = nc;
    }
    if (fixed_reason)
        snprintf(reason, sizeof(reason), "%s", fixed_reason);
    else
        error_reason(text, len, e, reason, sizeof(reason));
    x = &rs->errors[rs->nerrors];
    memset(x, 0, sizeof(*x));
    x->file = file;
    x->line = line;
    x->col = e->col;
    x->code = e->code;
    snprintf(x->msg, sizeof(x->msg), "%s", e->msg);
    x->reason = cs_strdup(reason);
    if (!x->reason)
        return CS_ENOMEM;
    rs->nerrors++;
    rs->skipped++;
    return count_reason(rs, reason);
}

static int add_rule(struct sn_ruleset *rs, struct sn_rule *r, const char *file, int line)
{
    struct sid_index *x = rs->sid_index;
    uint64_t k = sid_key(r);
    size_t s;
    int rc;

    if ((x->n + 1) * 2 > x->cap && sid_grow(x) != CS_OK)
        goto out_nomem;
    s = sid_slot(x, k);
    if (x->keys[s]) {
        struct sn_rule *old = rs->rules[x->idx[s]];
        struct cs_err e = {0};
        if (r->rev > old->rev) { /* Suricata keeps the newer revision */
            cs_err_set(&e, CS_EINVAL, 0, 0,
                       "duplicate signature %u:%u: rev %u replaces rev %u "
                       "(%s:%d)",
                       r->gid, r->sid, r->rev, old->rev, old->file ? old->file : "", old->line);
            rs->rules[x->idx[s]] = r;
            r = old;
        } else {
            cs_err_set(&e, CS_EINVAL, 0, 0, "duplicate signature %u:%u (first at %s:%d)", r->gid,
                       r->sid, old->file ? old->file : "", old->line);
        }
        rc = record_error(rs, r->file, r->line, "", 0, &e, "duplicate signature");
        sn_rule_free(r);
        return rc;
    }
    if (rs->nrules == rs->cap) {
        size_t nc = rs->cap ? rs->cap * 2 : 256;
        struct sn_rule **nv = cs_realloc(rs->rules, nc * sizeof(*nv));
        if (!nv)
            goto out_nomem;
        rs->rules = nv;
        rs->cap = nc;
    }
    x->keys[s] = k;
    x->idx[s] = (uint32_t)rs->nrules;
    x->n++;
    rs->rules[rs->nrules++] = r;
    return CS_OK;
out_nomem:
    sn_rule_free(r);
    return CS_ENOMEM;
}

static int load_rule(struct sn_ruleset *rs, const char *file, int line, const char *text,
                     size_t len)
{
    struct sn_rule *r;
    struct cs_err e = {0};
    int rc = sn_rule_parse(text, len, &rs->env, &r, &e);
    if (rc == CS_ENOMEM)
        return CS_ENOMEM;
    if (rc != CS_OK)
        return record_error(rs, file, line, text, len, &e, NULL);
    r->file = file;
    r->line = line;
    return add_rule(rs, r, file, line);
}

static const char *intern_file(struct sn_ruleset *rs, const char *name)
{
    char **nv = cs_realloc(rs->files, (rs->nfiles + 1) * sizeof(*nv));
    if (!nv)
        return NULL;
    rs->files = nv;
    if (!(nv[rs->nfiles] = cs_strdup(name ? name : "<string>")))
        return NULL;
    return nv[rs->nfiles++];
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sn_ruleset_load_buffer(struct sn_ruleset *rs, const char *name, const char *data, size_t len,
                           struct cs_err *err)
{
    const char *file = intern_file(rs, name);
    char *logical = NULL;
    size_t lcap = 0, llen = 0;
    size_t i = 0;
    int line = 0, start_line = 0, rc = CS_OK;
    double t0 = now_s();

    if (!file) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    while (i < len) {
        size_t e = i, s, t;
        bool cont;
        while (e < len && data[e] != '\n')
            e++;
        line++;
        s = i;
        t = e;
        i = e + 1;
        while (t > s && isspace((unsigned char)data[t - 1]))
            t--;
        if (llen == 0) {
            while (s < t && isspace((unsigned char)data[s]))
                s++;
            if (s == t || data[s] == '#')
                continue;
            start_line = line;
        }
        cont = t > s && data[t - 1] == '\\';
        if (cont)
            t--;
        if (llen + (t - s) + 1 > lcap) {
            size_t nc = (llen + (t - s) + 1) * 2;
            char *nb = cs_realloc(logical, nc);
            if (!nb) {
                rc = CS_ENOMEM;
                goto out;
            }
            logical = nb;
            lcap = nc;
        }
        memcpy(logical + llen, data + s, t - s);
        llen += t - s;
        logical[llen] = 0;
        if (cont && i < len)
            continue;
        rc = load_rule(rs, file, start_line, logical, llen);
        llen = 0;
        if (rc != CS_OK)
            goto out;
    }
out:
    cs_free(logical);
    rs->parse_seconds += now_s() - t0;
    if (rc == CS_ENOMEM)
        cs_err_set(err, CS_ENOMEM, line, 0, "%s: out of memory", file);
    return rc;
}

int sn_ruleset_load_file(struct sn_ruleset *rs, const char *path, struct cs_err *err)
{
    char *data;
    size_t len;
    int rc = read_file(path, &data, &len, err);
    if (rc != CS_OK)
        return rc;
    rc = sn_ruleset_load_buffer(rs, path, data, len, err);
    cs_free(data);
    return rc;
}

int sn_ruleset_load_files(struct sn_ruleset *rs, const char *const *paths, size_t npaths,
                          struct cs_err *err)
{
    for (size_t i = 0; i < npaths; i++) {
        int rc = sn_ruleset_load_file(rs, paths[i], err);
        if (rc != CS_OK)
            return rc;
    }
    return CS_OK;
}

int sn_ruleset_load_config(struct sn_ruleset *rs, const struct sn_config *cfg,
                           const char *const *rule_files, size_t npaths, FILE *warn,
                           struct cs_err *err)
{
    const struct cs_cfg *c = cfg ? cfg->raw : NULL;
    const char *dir = NULL, *s;
    char path[4096];
    int rc;

    if (c && cs_cfg_get_str(c, "classification-file", &s)) {
        struct cs_err e = {0};
        if (sn_ruleset_load_classification(rs, s, &e) != CS_OK && warn)
            fprintf(warn, "warning: %s\n", e.msg);
    }
    if (c && cs_cfg_get_str(c, "reference-config-file", &s)) {
        struct cs_err e = {0};
        if (sn_ruleset_load_references(rs, s, &e) != CS_OK && warn)
            fprintf(warn, "warning: %s\n", e.msg);
    }
    if (npaths > 0)
        return sn_ruleset_load_files(rs, rule_files, npaths, err);
    if (!c)
        return CS_OK;
    cs_cfg_get_str(c, "default-rule-path", &dir);
    for (size_t i = 0, n = cs_cfg_count(c, "rule-files"); i < n; i++) {
        const char *f = cs_cfg_child_value(c, "rule-files", i);
        if (!f)
            continue;
        if (f[0] != '/' && dir && *dir)
            snprintf(path, sizeof(path), "%s/%s", dir, f);
        else
            snprintf(path, sizeof(path), "%s", f);
        rc = sn_ruleset_load_file(rs, path, err);
        if (rc != CS_OK)
            return rc;
    }
    return CS_OK;
}

static int reason_cmp(const void *a, const void *b)
{
    const struct sn_reason_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->reason, y->reason);
}

void sn_ruleset_print_summary(const struct sn_ruleset *rs, FILE *f)
{
    fprintf(f, "loaded %zu rules, %zu skipped", rs->nrules, rs->skipped);
    if (rs->nreasons) {
        struct sn_reason_count *v = cs_malloc(rs->nreasons * sizeof(*v));
        if (v) {
            memcpy(v, rs->reasons, rs->nreasons * sizeof(*v));
            qsort(v, rs->nreasons, sizeof(*v), reason_cmp);
            for (size_t i = 0; i < rs->nreasons; i++)
                fprintf(f, "%s %s (%zu)", i ? "," : ":", v[i].reason, v[i].count);
            cs_free(v);
        }
    }
    fputc('\n', f);
}

void sn_ruleset_print_errors(const struct sn_ruleset *rs, FILE *f)
{
    for (size_t i = 0; i < rs->nerrors; i++) {
        const struct sn_rule_error *e = &rs->errors[i];
        if (e->col > 0)
            fprintf(f, "%s:%d:%d: %s\n", e->file, e->line, e->col, e->msg);
        else
            fprintf(f, "%s:%d: %s\n", e->file, e->line, e->msg);
    }
}
