/* cs_cfg.c — YAML configuration tree (libyaml event parser) with dotted-key lookup.
 *
 * The tree is built from libyaml's event stream with an explicit stack (libyaml's parser is
 * not recursive either), so hostile nesting cannot exhaust the C stack: containers deeper
 * than CFG_MAX_DEPTH are an error. Aliases are resolved by copying the anchored subtree;
 * copies are budgeted (CFG_MAX_COPIES nodes per load) so "billion laughs" documents fail
 * cleanly instead of eating memory. Maps keep a small hash index once they grow, so huge
 * flat maps load in linear time. */
#include "cs_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <yaml.h>

#define CFG_MAX_DEPTH 64
#define CFG_MAX_COPIES 1000000u
#define CFG_HASH_MIN 16 /* maps with at least this many children get a hash index */

enum node_kind { NODE_SCALAR, NODE_MAP, NODE_SEQ };

struct node {
    enum node_kind kind;
    bool used;          /* read with __atomic builtins: getters mark it on const trees */
    int line, col;      /* 1-based position in the source, 0 when set by cs_cfg_set */
    char *key;          /* key in the parent map; NULL in a sequence or at the root */
    char *val;          /* scalars only */
    struct node **kids; /* maps and sequences */
    size_t n, cap;
    uint32_t *hidx; /* maps: open-addressing index of kids (slot holds index + 1) */
    size_t hcap;    /* power of two, 0 when no index */
};

struct cs_cfg {
    struct node *root; /* always a map */
    uint64_t serial;   /* cs_cfg_serial() */
};

/* Serials: unique over the process, a new one at each creation and change. */
static _Atomic uint64_t serial_next = 1;

static void touch(struct cs_cfg *c)
{
    c->serial = serial_next++;
}

uint64_t cs_cfg_serial(const struct cs_cfg *c)
{
    return c ? c->serial : 0;
}

static void warn_stderr(const char *msg)
{
    fprintf(stderr, "warning: %s\n", msg);
}

void (*cs_cfg_warn)(const char *msg) = warn_stderr;

/* ---- nodes --------------------------------------------------------------------------------- */

static struct node *node_new(enum node_kind kind, int line, int col)
{
    struct node *n = cs_calloc(1, sizeof(*n));
    if (n) {
        n->kind = kind;
        n->line = line;
        n->col = col;
    }
    return n;
}

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        node_free(n->kids[i]);
    cs_free(n->kids);
    cs_free(n->hidx);
    cs_free(n->key);
    cs_free(n->val);
    cs_free(n);
}

/* Drops the children of a container or the value of a scalar, turning `n` into `kind`. */
static void node_clear(struct node *n, enum node_kind kind)
{
    for (size_t i = 0; i < n->n; i++)
        node_free(n->kids[i]);
    cs_free(n->kids);
    cs_free(n->hidx);
    cs_free(n->val);
    n->kids = NULL;
    n->hidx = NULL;
    n->val = NULL;
    n->n = n->cap = n->hcap = 0;
    n->kind = kind;
}

static uint32_t key_hash(const char *k, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)k[i]) * 16777619u;
    return h;
}

static bool key_eq(const char *k, const char *s, size_t len)
{
    return k && strncmp(k, s, len) == 0 && k[len] == 0;
}

static void hidx_put(struct node *m, size_t i)
{
    const char *k = m->kids[i]->key;
    size_t mask = m->hcap - 1, h = key_hash(k, strlen(k)) & mask;
    while (m->hidx[h])
        h = (h + 1) & mask;
    m->hidx[h] = (uint32_t)(i + 1);
}

/* (Re)builds the index of map `m` for its current size. On allocation failure the map just
 * stays unindexed (lookups fall back to a scan). */
static void hidx_build(struct node *m)
{
    size_t cap = 32;
    while (cap < m->n * 2 + 2)
        cap *= 2;
    uint32_t *t = cs_calloc(cap, sizeof(*t));
    if (!t) {
        cs_free(m->hidx); /* a stale index would miss new keys: scan instead */
        m->hidx = NULL;
        m->hcap = 0;
        return;
    }
    cs_free(m->hidx);
    m->hidx = t;
    m->hcap = cap;
    for (size_t i = 0; i < m->n; i++)
        hidx_put(m, i);
}

/* Index of child `key` (len bytes) of map `m`, or -1. The last duplicate never exists: maps
 * are deduplicated on insertion. */
static ptrdiff_t map_index(const struct node *m, const char *key, size_t len)
{
    if (m->kind != NODE_MAP)
        return -1;
    if (m->hcap) {
        size_t mask = m->hcap - 1, h = key_hash(key, len) & mask;
        while (m->hidx[h]) {
            size_t i = m->hidx[h] - 1;
            if (key_eq(m->kids[i]->key, key, len))
                return (ptrdiff_t)i;
            h = (h + 1) & mask;
        }
        return -1;
    }
    for (size_t i = 0; i < m->n; i++)
        if (key_eq(m->kids[i]->key, key, len))
            return (ptrdiff_t)i;
    return -1;
}

/* Appends `kid` to container `c` (no duplicate check). CS_OK or CS_ENOMEM (kid not taken). */
static int node_append(struct node *c, struct node *kid)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4;
        struct node **k = cs_realloc(c->kids, ncap * sizeof(*k));
        if (!k)
            return CS_ENOMEM;
        c->kids = k;
        c->cap = ncap;
    }
    c->kids[c->n++] = kid;
    if (c->kind == NODE_MAP) {
        if (c->hcap && c->n * 2 < c->hcap)
            hidx_put(c, c->n - 1);
        else if (c->n >= CFG_HASH_MIN)
            hidx_build(c);
    }
    return CS_OK;
}

/* Merges `src` (taken) into `dst`: maps merge key by key, anything else replaces dst's
 * content (dst keeps its key and place in its parent). */
static int node_merge(struct node *dst, struct node *src);

/* Inserts `kid` (taken, kid->key set) into map `m`; an existing key is merged/replaced. */
static int map_insert(struct node *m, struct node *kid)
{
    ptrdiff_t i = map_index(m, kid->key, strlen(kid->key));
    if (i < 0) {
        int rc = node_append(m, kid);
        if (rc != CS_OK)
            node_free(kid);
        return rc;
    }
    return node_merge(m->kids[i], kid);
}

static int node_merge(struct node *dst, struct node *src)
{
    int rc = CS_OK;

    if (dst->kind == NODE_MAP && src->kind == NODE_MAP) {
        for (size_t i = 0; i < src->n; i++) {
            struct node *k = src->kids[i];
            src->kids[i] = NULL;
            if (rc == CS_OK)
                rc = map_insert(dst, k);
            else
                node_free(k);
        }
        src->n = 0;
        node_free(src);
        return rc;
    }
    /* replace: move src's content into dst */
    node_clear(dst, src->kind);
    dst->val = src->val;
    dst->kids = src->kids;
    dst->n = src->n;
    dst->cap = src->cap;
    dst->hidx = src->hidx;
    dst->hcap = src->hcap;
    dst->line = src->line;
    dst->col = src->col;
    src->val = NULL;
    src->kids = NULL;
    src->hidx = NULL;
    src->n = 0;
    node_free(src);
    return CS_OK;
}

/* Deep copy of `n` (without its key); counts nodes against *budget. `room` is how many more
 * levels of containers may be added. NULL on failure, *why says which. */
static struct node *node_copy(const struct node *n, size_t *budget, int room, int *why)
{
    struct node *c;

    if (*budget == 0) {
        *why = CS_ELIMIT;
        return NULL;
    }
    if (n->kind != NODE_SCALAR && room <= 0) {
        *why = CS_EINVAL;
        return NULL;
    }
    (*budget)--;
    c = node_new(n->kind, n->line, n->col);
    if (!c)
        goto enomem;
    if (n->val && !(c->val = cs_strdup(n->val)))
        goto enomem;
    if (n->n) {
        c->kids = cs_calloc(n->n, sizeof(*c->kids));
        if (!c->kids)
            goto enomem;
        c->cap = n->n;
    }
    for (size_t i = 0; i < n->n; i++) {
        struct node *k = node_copy(n->kids[i], budget, room - 1, why);
        if (!k)
            goto fail;
        c->kids[c->n++] = k;
        if (n->kids[i]->key && !(k->key = cs_strdup(n->kids[i]->key)))
            goto enomem;
    }
    if (c->kind == NODE_MAP && c->n >= CFG_HASH_MIN)
        hidx_build(c);
    return c;
enomem:
    *why = CS_ENOMEM;
fail:
    node_free(c);
    return NULL;
}

static bool node_any_used(const struct node *n)
{
    if (__atomic_load_n(&n->used, __ATOMIC_RELAXED))
        return true;
    for (size_t i = 0; i < n->n; i++)
        if (node_any_used(n->kids[i]))
            return true;
    return false;
}

static void node_mark_all(struct node *n)
{
    __atomic_store_n(&n->used, true, __ATOMIC_RELAXED);
    for (size_t i = 0; i < n->n; i++)
        node_mark_all(n->kids[i]);
}

/* ---- dotted keys --------------------------------------------------------------------------- */

static bool seg_is_index(const char *s, size_t len, size_t *out)
{
    size_t v = 0;
    if (len == 0 || len > 9)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* One step from container `n` by segment s/len. Sequences: numeric index, or the element
 * that is a map holding that key (its value is returned), or a scalar element equal to it. */
static struct node *node_step(const struct node *n, const char *s, size_t len)
{
    size_t idx;

    if (n->kind == NODE_MAP) {
        ptrdiff_t i = map_index(n, s, len);
        return i < 0 ? NULL : n->kids[i];
    }
    if (n->kind != NODE_SEQ)
        return NULL;
    if (seg_is_index(s, len, &idx))
        return idx < n->n ? n->kids[idx] : NULL;
    for (size_t i = 0; i < n->n; i++) {
        struct node *e = n->kids[i];
        if (e->kind == NODE_MAP) {
            ptrdiff_t j = map_index(e, s, len);
            if (j >= 0)
                return e->kids[j];
        } else if (e->kind == NODE_SCALAR && key_eq(e->val, s, len)) {
            return e;
        }
    }
    return NULL;
}

static struct node *node_find(const struct cs_cfg *c, const char *key)
{
    struct node *n;

    if (!c || !key)
        return NULL;
    n = c->root;
    if (!*key)
        return n;
    for (const char *s = key;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        if (len == 0)
            return NULL;
        n = node_step(n, s, len);
        if (!n || !dot)
            return n;
        s = dot + 1;
    }
}

static struct node *find_used(const struct cs_cfg *c, const char *key)
{
    struct node *n = node_find(c, key);
    if (n)
        __atomic_store_n(&n->used, true, __ATOMIC_RELAXED);
    return n;
}

/* ---- loading ------------------------------------------------------------------------------- */

struct anchor {
    char *name;
    struct node *n; /* private copy */
};

struct frame {
    struct node *n;
    char *anchor;
    char *key; /* maps: pending key waiting for its value */
    int key_line, key_col;
};

struct loader {
    const char *src; /* file name for warnings */
    struct cs_err *err;
    struct frame stack[CFG_MAX_DEPTH];
    int depth;
    struct node *doc; /* root of the current document */
    struct anchor *anchors;
    size_t nanchors, canchors;
    size_t budget;
};

static void loader_reset_doc(struct loader *l)
{
    for (int i = 0; i < l->depth; i++) {
        node_free(l->stack[i].n);
        cs_free(l->stack[i].anchor);
        cs_free(l->stack[i].key);
    }
    l->depth = 0;
    node_free(l->doc);
    l->doc = NULL;
    for (size_t i = 0; i < l->nanchors; i++) {
        cs_free(l->anchors[i].name);
        node_free(l->anchors[i].n);
    }
    l->nanchors = 0;
}

static int fail_at(struct loader *l, int code, yaml_mark_t m, const char *msg)
{
    cs_err_set(l->err, code, (int)m.line + 1, (int)m.column + 1, "%s", msg);
    return code;
}

static int anchor_add(struct loader *l, const char *name, const struct node *n, yaml_mark_t mark)
{
    int why = CS_ENOMEM;
    struct node *copy;

    if (l->nanchors == l->canchors) {
        size_t ncap = l->canchors ? l->canchors * 2 : 8;
        struct anchor *a = cs_realloc(l->anchors, ncap * sizeof(*a));
        if (!a)
            return fail_at(l, CS_ENOMEM, mark, "out of memory");
        l->anchors = a;
        l->canchors = ncap;
    }
    copy = node_copy(n, &l->budget, CFG_MAX_DEPTH, &why);
    if (!copy)
        return fail_at(l, why, mark,
                       why == CS_ELIMIT ? "too many nodes from aliases" : "out of memory");
    l->anchors[l->nanchors].name = cs_strdup(name);
    if (!l->anchors[l->nanchors].name) {
        node_free(copy);
        return fail_at(l, CS_ENOMEM, mark, "out of memory");
    }
    l->anchors[l->nanchors++].n = copy;
    return CS_OK;
}

static const struct node *anchor_get(const struct loader *l, const char *name)
{
    for (size_t i = l->nanchors; i-- > 0;)
        if (strcmp(l->anchors[i].name, name) == 0)
            return l->anchors[i].n;
    return NULL;
}

static bool is_include(const char *key, const char *tag)
{
    return (key && strcmp(key, "include") == 0) || (tag && strcmp(tag, "!include") == 0);
}

/* Attaches finished node `n` (taken) to the top frame or makes it the document root. */
static int attach(struct loader *l, struct node *n, const char *tag, yaml_mark_t mark)
{
    struct frame *f;
    int rc;

    if (l->depth == 0) {
        l->doc = n;
        return CS_OK;
    }
    f = &l->stack[l->depth - 1];
    if (f->n->kind == NODE_SEQ) {
        rc = node_append(f->n, n);
        if (rc != CS_OK) {
            node_free(n);
            return fail_at(l, rc, mark, "out of memory");
        }
        return CS_OK;
    }
    n->key = f->key;
    f->key = NULL;
    if (is_include(n->key, tag)) {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s:%d:%d: '%s' is not supported; ignored", l->src, f->key_line,
                 f->key_col, tag && strcmp(tag, "!include") == 0 ? "!include" : "include");
        if (cs_cfg_warn)
            cs_cfg_warn(msg);
        node_free(n);
        return CS_OK;
    }
    rc = map_insert(f->n, n);
    if (rc != CS_OK)
        return fail_at(l, rc, mark, "out of memory");
    return CS_OK;
}

/* True when the top frame is a map waiting for a key (the next node is a key). */
static bool want_key(const struct loader *l)
{
    return l->depth > 0 && l->stack[l->depth - 1].n->kind == NODE_MAP &&
           !l->stack[l->depth - 1].key;
}

static int set_key(struct loader *l, const char *k, yaml_mark_t mark)
{
    struct frame *f = &l->stack[l->depth - 1];
    if (!*k)
        return fail_at(l, CS_EINVAL, mark, "empty mapping key");
    f->key = cs_strdup(k);
    if (!f->key)
        return fail_at(l, CS_ENOMEM, mark, "out of memory");
    f->key_line = (int)mark.line + 1;
    f->key_col = (int)mark.column + 1;
    return CS_OK;
}

static int on_scalar(struct loader *l, yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    const char *anchor = (const char *)ev->data.scalar.anchor;
    const char *tag = (const char *)ev->data.scalar.tag;
    struct node *n;
    int rc;

    if (want_key(l))
        return set_key(l, v, ev->start_mark);
    n = node_new(NODE_SCALAR, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
    if (!n || !(n->val = cs_strdup(v))) {
        node_free(n);
        return fail_at(l, CS_ENOMEM, ev->start_mark, "out of memory");
    }
    if (anchor && (rc = anchor_add(l, anchor, n, ev->start_mark)) != CS_OK) {
        node_free(n);
        return rc;
    }
    return attach(l, n, tag, ev->start_mark);
}

static int on_alias(struct loader *l, yaml_event_t *ev)
{
    const struct node *a = anchor_get(l, (const char *)ev->data.alias.anchor);
    struct node *n;
    int why = CS_ENOMEM;

    if (!a)
        return fail_at(l, CS_EINVAL, ev->start_mark, "alias to an unknown anchor");
    if (want_key(l)) {
        if (a->kind != NODE_SCALAR)
            return fail_at(l, CS_EINVAL, ev->start_mark, "mapping keys must be scalars");
        return set_key(l, a->val, ev->start_mark);
    }
    n = node_copy(a, &l->budget, CFG_MAX_DEPTH - l->depth, &why);
    if (!n)
        return fail_at(l, why, ev->start_mark,
                       why == CS_ELIMIT   ? "too many nodes from aliases"
                       : why == CS_EINVAL ? "nesting too deep"
                                          : "out of memory");
    n->line = (int)ev->start_mark.line + 1;
    n->col = (int)ev->start_mark.column + 1;
    return attach(l, n, NULL, ev->start_mark);
}

static int on_start(struct loader *l, yaml_event_t *ev, enum node_kind kind)
{
    const char *anchor = kind == NODE_MAP ? (const char *)ev->data.mapping_start.anchor
                                          : (const char *)ev->data.sequence_start.anchor;
    struct frame *f;

    if (want_key(l))
        return fail_at(l, CS_EINVAL, ev->start_mark, "mapping keys must be scalars");
    if (l->depth >= CFG_MAX_DEPTH)
        return fail_at(l, CS_EINVAL, ev->start_mark, "nesting too deep (more than 64 levels)");
    f = &l->stack[l->depth];
    memset(f, 0, sizeof(*f));
    f->n = node_new(kind, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
    if (!f->n)
        return fail_at(l, CS_ENOMEM, ev->start_mark, "out of memory");
    if (anchor && !(f->anchor = cs_strdup(anchor))) {
        node_free(f->n);
        return fail_at(l, CS_ENOMEM, ev->start_mark, "out of memory");
    }
    l->depth++;
    return CS_OK;
}

static int on_end(struct loader *l, yaml_event_t *ev)
{
    struct frame f = l->stack[--l->depth];
    int rc = CS_OK;

    cs_free(f.key); /* a key without value cannot happen with libyaml; be safe */
    if (f.anchor)
        rc = anchor_add(l, f.anchor, f.n, ev->start_mark);
    cs_free(f.anchor);
    if (rc != CS_OK) {
        node_free(f.n);
        return rc;
    }
    return attach(l, f.n, NULL, ev->start_mark);
}

static int on_doc_end(struct loader *l, struct cs_cfg *c, yaml_event_t *ev)
{
    struct node *d = l->doc;
    int rc = CS_OK;

    l->doc = NULL;
    for (size_t i = 0; i < l->nanchors; i++) {
        cs_free(l->anchors[i].name);
        node_free(l->anchors[i].n);
    }
    l->nanchors = 0;
    if (!d)
        return CS_OK;
    if (d->kind == NODE_SCALAR && (!d->val || !*d->val)) {
        node_free(d); /* empty document */
        return CS_OK;
    }
    if (d->kind != NODE_MAP) {
        yaml_mark_t m = {0, (size_t)(d->line - 1), (size_t)(d->col - 1)};
        node_free(d);
        return fail_at(l, CS_EINVAL, m, "the top level of the configuration must be a mapping");
    }
    rc = node_merge(c->root, d);
    if (rc != CS_OK)
        return fail_at(l, rc, ev->start_mark, "out of memory");
    return CS_OK;
}

static int parser_error(struct loader *l, const yaml_parser_t *p)
{
    char msg[200];

    if (p->error == YAML_MEMORY_ERROR) {
        cs_err_set(l->err, CS_ENOMEM, 0, 0, "out of memory while parsing YAML");
        return CS_ENOMEM;
    }
    if (p->context)
        snprintf(msg, sizeof(msg), "%s %s", p->context, p->problem ? p->problem : "error");
    else
        snprintf(msg, sizeof(msg), "%s", p->problem ? p->problem : "invalid YAML");
    return fail_at(l, CS_EINVAL, p->problem_mark, msg);
}

static int load(struct cs_cfg *c, const char *src, const char *yaml, size_t len, struct cs_err *err)
{
    struct loader l = {.src = src, .err = err, .budget = CFG_MAX_COPIES};
    yaml_parser_t p;
    yaml_event_t ev;
    int rc = CS_OK;
    bool done = false;

    if (!c || (!yaml && len)) {
        cs_err_set(err, CS_EINVAL, 0, 0, "no configuration");
        return CS_EINVAL;
    }
    if (!yaml_parser_initialize(&p)) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    touch(c);
    yaml_parser_set_input_string(&p, (const unsigned char *)(yaml ? yaml : ""), len);
    while (!done && rc == CS_OK) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parser_error(&l, &p);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_END_EVENT:
            rc = on_doc_end(&l, c, &ev);
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&l, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(&l, &ev);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(&l, &ev, NODE_MAP);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(&l, &ev, NODE_SEQ);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            rc = on_end(&l, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    loader_reset_doc(&l);
    cs_free(l.anchors);
    return rc;
}

struct cs_cfg *cs_cfg_new(void)
{
    struct cs_cfg *c = cs_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->root = node_new(NODE_MAP, 0, 0);
    if (!c->root) {
        cs_free(c);
        return NULL;
    }
    touch(c);
    return c;
}

void cs_cfg_free(struct cs_cfg *c)
{
    if (!c)
        return;
    node_free(c->root);
    cs_free(c);
}

int cs_cfg_load_string(struct cs_cfg *c, const char *yaml, size_t len, struct cs_err *err)
{
    return load(c, "<string>", yaml, len, err);
}

int cs_cfg_load_file(struct cs_cfg *c, const char *path, struct cs_err *err)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    if (!path) {
        cs_err_set(err, CS_EINVAL, 0, 0, "no file name");
        return CS_EINVAL;
    }
    f = fopen(path, "rb");
    if (!f) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open: %s", strerror(errno));
        return CS_EIO;
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *b = cs_realloc(buf, ncap);
            if (!b) {
                rc = CS_ENOMEM;
                cs_err_set(err, rc, 0, 0, "out of memory");
                goto out;
            }
            buf = b;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = CS_EIO;
        cs_err_set(err, rc, 0, 0, "read error: %s", strerror(errno));
        goto out;
    }
    rc = load(c, path, buf, len, err);
out:
    cs_free(buf);
    fclose(f);
    return rc;
}

/* ---- setting ------------------------------------------------------------------------------- */

static struct node *new_child(enum node_kind kind, const char *key, size_t len)
{
    struct node *n = node_new(kind, 0, 0);
    if (!n)
        return NULL;
    if (key) {
        n->key = cs_malloc(len + 1);
        if (!n->key) {
            node_free(n);
            return NULL;
        }
        memcpy(n->key, key, len);
        n->key[len] = 0;
    }
    return n;
}

int cs_cfg_set(struct cs_cfg *c, const char *key, const char *value)
{
    struct node *n;
    char *v;

    if (!c || !key || !*key || !value)
        return CS_EINVAL;
    touch(c);
    for (const char *s = key; *s; s++)
        if (*s == '.' && (s == key || s[1] == '.' || s[1] == 0))
            return CS_EINVAL;
    n = c->root;
    for (const char *s = key;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        enum node_kind want = dot ? NODE_MAP : NODE_SCALAR;
        struct node *next;
        size_t idx;

        if (n->kind == NODE_SCALAR)
            node_clear(n, NODE_MAP); /* a scalar on the way becomes a map */
        next = node_step(n, s, len);
        if (!next) {
            if (n->kind == NODE_SEQ && seg_is_index(s, len, &idx)) {
                if (idx != n->n)
                    return CS_EINVAL; /* only appending right after the end */
                next = new_child(want, NULL, 0);
                if (!next)
                    return CS_ENOMEM;
            } else if (n->kind == NODE_SEQ) {
                /* new one-key map element: `- name: ...` */
                struct node *e = new_child(NODE_MAP, NULL, 0);
                next = new_child(want, s, len);
                if (!e || !next || node_append(e, next) != CS_OK) {
                    node_free(e);
                    node_free(next);
                    return CS_ENOMEM;
                }
                if (node_append(n, e) != CS_OK) {
                    node_free(e);
                    return CS_ENOMEM;
                }
                goto descend;
            } else {
                next = new_child(want, s, len);
                if (!next)
                    return CS_ENOMEM;
            }
            if (node_append(n, next) != CS_OK) {
                node_free(next);
                return CS_ENOMEM;
            }
        }
    descend:
        n = next;
        if (!dot)
            break;
        s = dot + 1;
    }
    v = cs_strdup(value);
    if (!v)
        return CS_ENOMEM;
    node_clear(n, NODE_SCALAR);
    n->val = v;
    n->line = n->col = 0;
    return CS_OK;
}

/* ---- getters ------------------------------------------------------------------------------- */

bool cs_cfg_get_str(const struct cs_cfg *c, const char *key, const char **out)
{
    struct node *n = find_used(c, key);
    if (!n || n->kind != NODE_SCALAR)
        return false;
    *out = n->val;
    return true;
}

/* Parses a boolean word; true when recognised. */
static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < CS_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool cs_cfg_get_bool(const struct cs_cfg *c, const char *key, bool *out)
{
    const char *s;
    return cs_cfg_get_str(c, key, &s) && parse_bool(s, out);
}

bool cs_cfg_get_int(const struct cs_cfg *c, const char *key, int64_t *out)
{
    const char *s;
    char *end;
    long long v;

    if (!cs_cfg_get_str(c, key, &s))
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s)
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

/* "4096", "64kb", "128 MiB", "1.5gb": binary multiples. False on junk or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {
        {"", 0},     {"b", 0},  {"k", 10},  {"kb", 10},  {"kib", 10}, {"m", 20},  {"mb", 20},
        {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40},   {"tb", 40}, {"tib", 40},
    };
    uint64_t ip = 0, frac = 0, fdiv = 1;
    bool digits = false;
    unsigned shift = 64;

    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (ip > (UINT64_MAX - 9) / 10)
            return false;
        ip = ip * 10 + (uint64_t)(*s - '0');
        digits = true;
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++) {
            if (fdiv < 1000000000000ull) {
                frac = frac * 10 + (uint64_t)(*s - '0');
                fdiv *= 10;
            }
            digits = true;
        }
    }
    if (!digits)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < CS_ARRAY_LEN(units); i++)
        if (strlen(units[i].suffix) == len && strncasecmp(s, units[i].suffix, len) == 0)
            shift = units[i].shift;
    if (shift == 64)
        return false;
    if (shift && ip > (UINT64_MAX >> shift))
        return false;
    uint64_t v = ip << shift;
    /* fractional part ("1.5gb"): at most 12 digits kept, rounded down to a byte */
    if (frac) {
        long double f = (long double)frac / (long double)fdiv * (long double)(1ull << shift);
        uint64_t add = (uint64_t)f;
        if (v > UINT64_MAX - add)
            return false;
        v += add;
    }
    *out = v;
    return true;
}

bool cs_cfg_get_size(const struct cs_cfg *c, const char *key, uint64_t *out)
{
    const char *s;
    return cs_cfg_get_str(c, key, &s) && parse_size(s, out);
}

bool cs_cfg_has(const struct cs_cfg *c, const char *key)
{
    return find_used(c, key) != NULL;
}

size_t cs_cfg_count(const struct cs_cfg *c, const char *key)
{
    struct node *n = node_find(c, key);
    return n && n->kind != NODE_SCALAR ? n->n : 0;
}

static struct node *child_at(const struct cs_cfg *c, const char *key, size_t i)
{
    struct node *n = node_find(c, key);
    if (!n || n->kind == NODE_SCALAR || i >= n->n)
        return NULL;
    return n->kids[i];
}

const char *cs_cfg_child_key(const struct cs_cfg *c, const char *key, size_t i)
{
    struct node *k = child_at(c, key, i);
    return k ? k->key : NULL;
}

const char *cs_cfg_child_value(const struct cs_cfg *c, const char *key, size_t i)
{
    struct node *k = child_at(c, key, i);
    if (!k || k->kind != NODE_SCALAR)
        return NULL;
    __atomic_store_n(&k->used, true, __ATOMIC_RELAXED);
    return k->val;
}

bool cs_cfg_pos(const struct cs_cfg *c, const char *key, int *line, int *col)
{
    struct node *n = node_find(c, key);
    if (!n || n->line == 0)
        return false;
    *line = n->line;
    *col = n->col;
    return true;
}

void cs_cfg_mark_used(struct cs_cfg *c, const char *key)
{
    struct node *n = node_find(c, key);
    if (n)
        node_mark_all(n);
}

/* Name of child i of container n as a key path segment: map key, or for sequence elements
 * the name they are addressable by (first key of a map element, scalar value), else index. */
static void child_name(const struct node *n, size_t i, char *buf, size_t size)
{
    const struct node *k = n->kids[i];
    if (n->kind == NODE_MAP)
        snprintf(buf, size, "%s", k->key);
    else if (k->kind == NODE_MAP && k->n)
        snprintf(buf, size, "%s", k->kids[0]->key);
    else if (k->kind == NODE_SCALAR && k->val && *k->val && !strchr(k->val, '.'))
        snprintf(buf, size, "%s", k->val);
    else
        snprintf(buf, size, "%zu", i);
}

static void unused_walk(const struct node *n, int depth, char *path, size_t plen, size_t size,
                        void (*fn)(const char *key, void *arg), void *arg)
{
    for (size_t i = 0; i < n->n; i++) {
        const struct node *k = n->kids[i];
        char name[256];
        size_t nl;

        child_name(n, i, name, sizeof(name));
        nl = strlen(name);
        if (plen + nl + 2 > size)
            continue;
        if (plen)
            path[plen] = '.';
        memcpy(path + plen + (plen ? 1 : 0), name, nl + 1);
        size_t np = plen + (plen ? 1 : 0) + nl;
        if (depth <= 1) {
            if (!node_any_used(k))
                fn(path, arg);
        } else {
            /* a one-key map element of a sequence: its path continues from its value */
            const struct node *in = k;
            if (n->kind == NODE_SEQ && k->kind == NODE_MAP && k->n == 1)
                in = k->kids[0];
            unused_walk(in, depth - 1, path, np, size, fn, arg);
        }
        path[plen] = 0;
    }
}

void cs_cfg_unused(const struct cs_cfg *c, int depth, void (*fn)(const char *key, void *arg),
                   void *arg)
{
    char path[1024] = "";

    if (!c || !fn || depth < 1)
        return;
    unused_walk(c->root, depth, path, 0, sizeof(path), fn, arg);
}
