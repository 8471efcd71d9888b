/* iprep.c — the IP reputation database (iprep.h): a hash table of single addresses and a
 * binary trie of prefixes per address family, published through an atomic pointer. */
#include "iprep.h"

#include "../../lib/cs_cfg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* The scores of one address or prefix: a few (category, score) pairs. */
struct rep_vals {
    uint8_t n, cap;
    struct {
        uint8_t cat, score;
    } v[];
};

struct rep_host {
    struct rep_host *next;
    uint32_t hash;
    uint8_t ver;
    struct sn_addr a;
    struct rep_vals *r;
};

struct rep_node {
    struct rep_node *c[2];
    struct rep_vals *r;
};

struct iprep_db {
    struct iprep_db *retired; /* older databases, freed with this one */
    char *cats[SN_IPREP_MAX_CATS];
    struct rep_host **b;
    uint32_t nb;
    size_t nhosts, nprefixes;
    struct rep_node *root[2]; /* [0] IPv4, [1] IPv6 */
};

static _Atomic(struct iprep_db *) cur_db;
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- building ------------------------------------------------------------------------ */

static void node_free(struct rep_node *n)
{
    /* iterative enough: depth is at most 128 */
    if (!n)
        return;
    node_free(n->c[0]);
    node_free(n->c[1]);
    cs_free(n->r);
    cs_free(n);
}

static void db_free(struct iprep_db *db)
{
    while (db) {
        struct iprep_db *next = db->retired;
        for (int i = 0; i < SN_IPREP_MAX_CATS; i++)
            cs_free(db->cats[i]);
        for (uint32_t i = 0; i < db->nb; i++) {
            struct rep_host *h = db->b[i], *hn;
            for (; h; h = hn) {
                hn = h->next;
                cs_free(h->r);
                cs_free(h);
            }
        }
        cs_free(db->b);
        node_free(db->root[0]);
        node_free(db->root[1]);
        cs_free(db);
        db = next;
    }
}

static uint32_t addr_hash(const struct sn_addr *a, uint8_t ver)
{
    uint64_t h = (a->u64[0] * 0x9e3779b97f4a7c15ull) ^ (a->u64[1] * 0xc2b2ae3d27d4eb4full) ^ ver;
    return (uint32_t)(h ^ (h >> 29));
}

/* Sets cat's score in *rp (growing it); false on allocation failure. */
static bool vals_set(struct rep_vals **rp, uint8_t cat, uint8_t score)
{
    struct rep_vals *r = *rp;
    if (r)
        for (unsigned i = 0; i < r->n; i++)
            if (r->v[i].cat == cat) {
                r->v[i].score = score;
                return true;
            }
    if (!r || r->n == r->cap) {
        unsigned cap = r ? r->cap * 2u : 2u;
        struct rep_vals *nr;
        if (cap > SN_IPREP_MAX_CATS)
            cap = SN_IPREP_MAX_CATS;
        nr = cs_realloc(r, sizeof(*nr) + cap * sizeof(nr->v[0]));
        if (!nr)
            return false;
        if (!r)
            nr->n = 0;
        nr->cap = (uint8_t)cap;
        *rp = r = nr;
    }
    r->v[r->n].cat = cat;
    r->v[r->n].score = score;
    r->n++;
    return true;
}

static int vals_get(const struct rep_vals *r, int cat)
{
    if (r)
        for (unsigned i = 0; i < r->n; i++)
            if (r->v[i].cat == cat)
                return r->v[i].score;
    return -1;
}

static bool db_grow(struct iprep_db *db)
{
    uint32_t nb = db->nb ? db->nb * 2 : 1024;
    struct rep_host **b = cs_calloc(nb, sizeof(*b));
    if (!b)
        return false;
    for (uint32_t i = 0; i < db->nb; i++) {
        struct rep_host *h = db->b[i], *hn;
        for (; h; h = hn) {
            hn = h->next;
            h->next = b[h->hash & (nb - 1)];
            b[h->hash & (nb - 1)] = h;
        }
    }
    cs_free(db->b);
    db->b = b;
    db->nb = nb;
    return true;
}

static bool add_host(struct iprep_db *db, const struct sn_addr *a, uint8_t ver, uint8_t cat,
                     uint8_t score)
{
    uint32_t h = addr_hash(a, ver);
    struct rep_host *e;

    if (db->nb)
        for (e = db->b[h & (db->nb - 1)]; e; e = e->next)
            if (e->hash == h && e->ver == ver && sn_addr_eq(&e->a, a))
                return vals_set(&e->r, cat, score);
    if (db->nhosts >= db->nb && !db_grow(db))
        return false;
    if (!(e = cs_calloc(1, sizeof(*e))))
        return false;
    e->hash = h;
    e->ver = ver;
    e->a = *a;
    if (!vals_set(&e->r, cat, score)) {
        cs_free(e);
        return false;
    }
    e->next = db->b[h & (db->nb - 1)];
    db->b[h & (db->nb - 1)] = e;
    db->nhosts++;
    return true;
}

static inline int addr_bit(const struct sn_addr *a, unsigned i)
{
    return a->u8[i >> 3] >> (7 - (i & 7)) & 1;
}

static bool add_prefix(struct iprep_db *db, const struct sn_addr *a, uint8_t ver, unsigned plen,
                       uint8_t cat, uint8_t score)
{
    struct rep_node **np = &db->root[ver == 6];

    for (unsigned i = 0;; i++) {
        if (!*np && !(*np = cs_calloc(1, sizeof(**np))))
            return false;
        if (i == plen)
            break;
        np = &(*np)->c[addr_bit(a, i)];
    }
    if (!(*np)->r)
        db->nprefixes++;
    return vals_set(&(*np)->r, cat, score);
}

/* ---- parsing ------------------------------------------------------------------------- */

/* Splits line s[0..n) at commas into at most max trimmed fields (NUL-terminated copies in
 * buf); returns the count, -1 when there are more or the line is too long. */
static int split_line(const char *s, size_t n, char *buf, size_t cap, char **f, int max)
{
    int k = 0;
    char *p;

    if (n >= cap)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    p = buf;
    for (;;) {
        char *c = strchr(p, ','), *e;
        if (k == max)
            return -1;
        if (c)
            *c = 0;
        while (isspace((unsigned char)*p))
            p++;
        e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = 0;
        f[k++] = p;
        if (!c)
            break;
        p = c + 1;
    }
    return k;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

typedef int (*line_fn)(struct iprep_db *db, char **f, int nf, const char **why);

/* Calls fn for each non-empty, non-comment line of data. */
static int each_line(struct iprep_db *db, const char *data, size_t len, const char *name,
                     line_fn fn, struct cs_err *err)
{
    size_t pos = 0;
    int line = 0;

    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *why = "malformed line";
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        char buf[512], *f[4];
        int nf, rc;

        pos += n + (nl ? 1 : 0);
        line++;
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n == 0 || *s == '#')
            continue;
        nf = split_line(s, n, buf, sizeof(buf), f, 3);
        rc = nf < 0 ? CS_EINVAL : fn(db, f, nf, &why);
        if (rc != CS_OK) {
            cs_err_set(err, rc, line, 0, "%s:%d: %s", name ? name : "<buffer>", line,
                       rc == CS_ENOMEM ? "out of memory" : why);
            return rc;
        }
    }
    return CS_OK;
}

static int cat_line(struct iprep_db *db, char **f, int nf, const char **why)
{
    unsigned long id;

    if (nf < 2 || !parse_uint(f[0], SN_IPREP_MAX_CATS - 1, &id) || !f[1][0]) {
        *why = "expected id,name,description (id 0..63)";
        return CS_EINVAL;
    }
    for (int i = 0; i < SN_IPREP_MAX_CATS; i++)
        if (db->cats[i] && strcmp(db->cats[i], f[1]) == 0 && (unsigned long)i != id) {
            *why = "category name used twice";
            return CS_EINVAL;
        }
    cs_free(db->cats[id]);
    return (db->cats[id] = cs_strdup(f[1])) ? CS_OK : CS_ENOMEM;
}

static int rep_line(struct iprep_db *db, char **f, int nf, const char **why)
{
    unsigned long cat, score, plen;
    char *slash;
    struct sn_addr a;
    uint8_t ver;

    memset(&a, 0, sizeof(a));
    if (nf != 3 || !parse_uint(f[1], SN_IPREP_MAX_CATS - 1, &cat) ||
        !parse_uint(f[2], 127, &score)) {
        *why = "expected address[/prefix],category,score (score 0..127)";
        return CS_EINVAL;
    }
    if (!db->cats[cat]) {
        *why = "category not in the categories file";
        return CS_EINVAL;
    }
    slash = strchr(f[0], '/');
    if (slash)
        *slash++ = 0;
    if (inet_pton(AF_INET, f[0], a.u8) == 1)
        ver = 4;
    else if (inet_pton(AF_INET6, f[0], a.u8) == 1)
        ver = 6;
    else {
        *why = "invalid address";
        return CS_EINVAL;
    }
    plen = ver == 4 ? 32 : 128;
    if (slash && !parse_uint(slash, plen, &plen)) {
        *why = "invalid prefix length";
        return CS_EINVAL;
    }
    /* clear host bits so "10.1.2.3/8" means 10.0.0.0/8 */
    for (unsigned i = (unsigned)plen; i < (ver == 4 ? 32u : 128u); i++)
        a.u8[i >> 3] &= (uint8_t) ~(0x80u >> (i & 7));
    if (plen == (ver == 4 ? 32u : 128u))
        return add_host(db, &a, ver, (uint8_t)cat, (uint8_t)score) ? CS_OK : CS_ENOMEM;
    return add_prefix(db, &a, ver, (unsigned)plen, (uint8_t)cat, (uint8_t)score) ? CS_OK
                                                                                   : CS_ENOMEM;
}

static void publish(struct iprep_db *db)
{
    pthread_mutex_lock(&load_mu);
    db->retired = atomic_exchange(&cur_db, db);
    pthread_mutex_unlock(&load_mu);
}

int sn_iprep_load_buffers(const char *cats, size_t cats_len, const char *const *reps,
                          const size_t *rep_lens, const char *const *names, size_t nreps,
                          struct cs_err *err)
{
    struct iprep_db *db = cs_calloc(1, sizeof(*db));
    int rc;

    if (!db) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    rc = each_line(db, cats, cats_len, "reputation-categories-file", cat_line, err);
    for (size_t i = 0; rc == CS_OK && i < nreps; i++)
        rc = each_line(db, reps[i], rep_lens[i], names ? names[i] : NULL, rep_line, err);
    if (rc != CS_OK) {
        db_free(db);
        return rc;
    }
    publish(db);
    return CS_OK;
}

static int slurp(const char *path, char **out, size_t *len, struct cs_err *err)
{
    FILE *fp = fopen(path, "rb");
    long sz;
    char *buf;

    if (!fp || fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: %s", path, strerror(errno));
        if (fp)
            fclose(fp);
        return CS_EIO;
    }
    if (!(buf = cs_malloc((size_t)sz + 1))) {
        fclose(fp);
        cs_err_set(err, CS_ENOMEM, 0, 0, "%s: out of memory", path);
        return CS_ENOMEM;
    }
    if (fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
        cs_free(buf);
        fclose(fp);
        cs_err_set(err, CS_EIO, 0, 0, "%s: read error", path);
        return CS_EIO;
    }
    fclose(fp);
    *out = buf;
    *len = (size_t)sz;
    return CS_OK;
}

int sn_iprep_load_config(const struct cs_cfg *raw, struct cs_err *err)
{
    const char *catfile = NULL, *dir = NULL;
    size_t n, i;
    char *cats = NULL, **reps = NULL, **names = NULL;
    size_t cats_len = 0, *lens = NULL;
    int rc;

    if (!raw || !cs_cfg_get_str(raw, "reputation-categories-file", &catfile) || !catfile[0])
        return CS_OK;
    cs_cfg_get_str(raw, "default-reputation-path", &dir);
    n = cs_cfg_count(raw, "reputation-files");
    rc = slurp(catfile, &cats, &cats_len, err);
    if (rc != CS_OK)
        return rc;
    reps = cs_calloc(n + 1, sizeof(*reps));
    names = cs_calloc(n + 1, sizeof(*names));
    lens = cs_calloc(n + 1, sizeof(*lens));
    if (!reps || !names || !lens) {
        rc = CS_ENOMEM;
        cs_err_set(err, rc, 0, 0, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *f = cs_cfg_child_value(raw, "reputation-files", i);
        char path[4096];
        if (!f)
            continue;
        if (f[0] != '/' && dir && dir[0])
            snprintf(path, sizeof(path), "%s/%s", dir, f);
        else
            snprintf(path, sizeof(path), "%s", f);
        if (!(names[i] = cs_strdup(path))) {
            rc = CS_ENOMEM;
            cs_err_set(err, rc, 0, 0, "out of memory");
            goto out;
        }
        rc = slurp(path, &reps[i], &lens[i], err);
        if (rc != CS_OK)
            goto out;
    }
    for (i = 0; i < n; i++)
        if (!reps[i]) /* a non-scalar entry: skip it */
            names[i] = NULL;
    rc = sn_iprep_load_buffers(cats, cats_len, (const char *const *)reps, lens,
                               (const char *const *)names, n, err);
out:
    for (i = 0; reps && names && i < n; i++) {
        cs_free(reps[i]);
        cs_free(names[i]);
    }
    cs_free(reps);
    cs_free(names);
    cs_free(lens);
    cs_free(cats);
    return rc;
}

/* ---- lookups ------------------------------------------------------------------------- */

int sn_iprep_category(const char *name)
{
    const struct iprep_db *db = atomic_load(&cur_db);
    if (!db || !name)
        return -1;
    for (int i = 0; i < SN_IPREP_MAX_CATS; i++)
        if (db->cats[i] && strcmp(db->cats[i], name) == 0)
            return i;
    return -1;
}

int sn_iprep_score(const struct sn_addr *a, uint8_t ip_ver, int cat)
{
    const struct iprep_db *db = atomic_load(&cur_db);
    const struct rep_node *n;
    unsigned bits = ip_ver == 4 ? 32 : 128;
    int best = -1;

    if (!db || cat < 0 || cat >= SN_IPREP_MAX_CATS || (ip_ver != 4 && ip_ver != 6))
        return -1;
    if (db->nb) {
        uint32_t h = addr_hash(a, ip_ver);
        for (const struct rep_host *e = db->b[h & (db->nb - 1)]; e; e = e->next)
            if (e->hash == h && e->ver == ip_ver && sn_addr_eq(&e->a, a)) {
                int s = vals_get(e->r, cat);
                if (s >= 0)
                    return s;
                break;
            }
    }
    n = db->root[ip_ver == 6];
    for (unsigned i = 0; n; i++) {
        int s = vals_get(n->r, cat);
        if (s >= 0)
            best = s; /* deeper prefixes overwrite: longest match wins */
        if (i == bits)
            break;
        n = n->c[addr_bit(a, i)];
    }
    return best;
}

void sn_iprep_counts(size_t *hosts, size_t *prefixes)
{
    const struct iprep_db *db = atomic_load(&cur_db);
    *hosts = db ? db->nhosts : 0;
    *prefixes = db ? db->nprefixes : 0;
}

void sn_iprep_free_all(void)
{
    pthread_mutex_lock(&load_mu);
    db_free(atomic_exchange(&cur_db, NULL));
    pthread_mutex_unlock(&load_mu);
}
