/* dataset.c — process-wide datasets (hash sets of typed keys), their load/save files, and
 * sn_detect_datasets_load() / _save() / _free() (detect.h), which also set up iprep.
 *
 * A set is a chained hash table of individually allocated entries under a read/write lock;
 * it doubles its buckets when it holds more entries than buckets. Keys of md5/sha256 sets
 * are already uniformly distributed, so their first bytes are the hash. */
#include "dataset.h"

#include "../../lib/cs_cfg.h"
#include "../config.h"
#include "detect.h"
#include "flowvar.h"
#include "iprep.h"
#include "ruleset.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern const struct sn_kw sn_kw_dataset, sn_kw_iprep;

#define DS_DEFAULT_BUCKETS 1024u
#define DS_MAX_BUCKETS (1u << 26)

struct ds_entry {
    struct ds_entry *next;
    uint32_t hash, len;
    uint8_t key[];
};

struct sn_ds {
    struct sn_ds *next; /* registry list */
    char *name;
    enum sn_dataset_type type;
    char *load, *save, *state; /* file names (owned), NULL when not given */
    pthread_rwlock_t lock;
    struct ds_entry **b;
    uint32_t nb; /* power of two */
    size_t n;
    uint64_t memuse, memcap;
};

static struct {
    pthread_mutex_t mu;
    struct sn_ds *head;
} reg = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const char *const type_names[] = {"string", "md5", "sha256", "ipv4", "ip"};

/* ---- keys ------------------------------------------------------------------------------ */

static uint32_t key_hash(enum sn_dataset_type type, const uint8_t *k, uint32_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if ((type == SN_DS_MD5 || type == SN_DS_SHA256) && len >= 4)
        return cs_get_le32(k);
    for (uint32_t i = 0; i < len; i++) {
        h ^= k[i];
        h *= 0x100000001b3ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int hex_decode(const uint8_t *v, uint32_t len, uint8_t *out, uint32_t want)
{
    if (len != want * 2)
        return -1;
    for (uint32_t i = 0; i < want; i++) {
        int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)want;
}

/* Text address (at most 63 characters) into 4 or 16 key bytes. */
static int addr_text(enum sn_dataset_type type, const uint8_t *v, uint32_t len, uint8_t *out)
{
    char s[64];
    if (len == 0 || len >= sizeof(s))
        return -1;
    memcpy(s, v, len);
    s[len] = 0;
    if (type == SN_DS_IPV4)
        return inet_pton(AF_INET, s, out) == 1 ? 4 : -1;
    memset(out, 0, 16);
    if (inet_pton(AF_INET, s, out) == 1)
        return 16;
    return inet_pton(AF_INET6, s, out) == 1 ? 16 : -1;
}

int sn_ds_key(enum sn_dataset_type type, const uint8_t *v, uint32_t len, uint8_t *key)
{
    switch (type) {
    case SN_DS_STRING:
        if (len > SN_DS_MAX_KEY)
            return -1;
        if (len)
            memcpy(key, v, len);
        return (int)len;
    case SN_DS_MD5:
        if (len == 16) {
            memcpy(key, v, 16);
            return 16;
        }
        return hex_decode(v, len, key, 16);
    case SN_DS_SHA256:
        if (len == 32) {
            memcpy(key, v, 32);
            return 32;
        }
        return hex_decode(v, len, key, 32);
    case SN_DS_IPV4:
        if (len == 4) {
            memcpy(key, v, 4);
            return 4;
        }
        return addr_text(type, v, len, key);
    case SN_DS_IP:
        if (len == 16 || len == 4) {
            memset(key, 0, 16);
            memcpy(key, v, len);
            return 16;
        }
        return addr_text(type, v, len, key);
    }
    return -1;
}

/* ---- sets ------------------------------------------------------------------------------ */

static void ds_free(struct sn_ds *ds)
{
    for (uint32_t i = 0; i < ds->nb; i++) {
        struct ds_entry *e = ds->b[i], *next;
        for (; e; e = next) {
            next = e->next;
            cs_free(e);
        }
    }
    cs_free(ds->b);
    cs_free(ds->name);
    cs_free(ds->load);
    cs_free(ds->save);
    cs_free(ds->state);
    pthread_rwlock_destroy(&ds->lock);
    cs_free(ds);
}

struct sn_ds *sn_ds_find(const char *name)
{
    struct sn_ds *ds;
    pthread_mutex_lock(&reg.mu);
    for (ds = reg.head; ds; ds = ds->next)
        if (strcmp(ds->name, name) == 0)
            break;
    pthread_mutex_unlock(&reg.mu);
    return ds;
}

int sn_ds_get_or_create(const char *name, enum sn_dataset_type type, uint64_t memcap,
                        uint32_t hashsize, struct sn_ds **out, bool *created, struct cs_err *err)
{
    struct sn_ds *ds;
    uint32_t nb = DS_DEFAULT_BUCKETS;

    *created = false;
    pthread_mutex_lock(&reg.mu);
    for (ds = reg.head; ds; ds = ds->next)
        if (strcmp(ds->name, name) == 0)
            break;
    if (ds) {
        pthread_mutex_unlock(&reg.mu);
        *out = ds;
        if (ds->type != type) {
            cs_err_set(err, CS_EINVAL, 0, 0, "dataset '%s' is of type %s, not %s", name,
                       type_names[ds->type], type_names[type]);
            return CS_EINVAL;
        }
        return CS_OK;
    }
    if (hashsize)
        while (nb < hashsize && nb < DS_MAX_BUCKETS)
            nb *= 2;
    ds = cs_calloc(1, sizeof(*ds));
    if (!ds || !(ds->name = cs_strdup(name)) || !(ds->b = cs_calloc(nb, sizeof(*ds->b)))) {
        if (ds) {
            cs_free(ds->name);
            cs_free(ds);
        }
        pthread_mutex_unlock(&reg.mu);
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory creating dataset '%s'", name);
        return CS_ENOMEM;
    }
    pthread_rwlock_init(&ds->lock, NULL);
    ds->type = type;
    ds->nb = nb;
    ds->memcap = memcap;
    ds->next = reg.head;
    reg.head = ds;
    pthread_mutex_unlock(&reg.mu);
    *out = ds;
    *created = true;
    return CS_OK;
}

enum sn_dataset_type sn_ds_type(const struct sn_ds *ds)
{
    return ds->type;
}

size_t sn_ds_count(struct sn_ds *ds)
{
    size_t n;
    pthread_rwlock_rdlock(&ds->lock);
    n = ds->n;
    pthread_rwlock_unlock(&ds->lock);
    return n;
}

static struct ds_entry **ds_slot(struct sn_ds *ds, uint32_t h, const uint8_t *key, uint32_t len)
{
    struct ds_entry **link = &ds->b[h & (ds->nb - 1)];
    for (; *link; link = &(*link)->next)
        if ((*link)->hash == h && (*link)->len == len && memcmp((*link)->key, key, len) == 0)
            break;
    return link;
}

bool sn_ds_contains(struct sn_ds *ds, const uint8_t *key, uint32_t len)
{
    uint32_t h = key_hash(ds->type, key, len);
    bool found;
    pthread_rwlock_rdlock(&ds->lock);
    found = *ds_slot(ds, h, key, len) != NULL;
    pthread_rwlock_unlock(&ds->lock);
    return found;
}

static void ds_grow(struct sn_ds *ds)
{
    uint32_t nb = ds->nb * 2;
    struct ds_entry **b;

    if (nb > DS_MAX_BUCKETS || !(b = cs_calloc(nb, sizeof(*b))))
        return; /* chains get longer; still correct */
    for (uint32_t i = 0; i < ds->nb; i++) {
        struct ds_entry *e = ds->b[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    }
    cs_free(ds->b);
    ds->b = b;
    ds->nb = nb;
}

int sn_ds_add(struct sn_ds *ds, const uint8_t *key, uint32_t len)
{
    uint32_t h = key_hash(ds->type, key, len);
    size_t sz = sizeof(struct ds_entry) + len;
    struct ds_entry **link, *e;
    int rc = 1;

    pthread_rwlock_wrlock(&ds->lock);
    link = ds_slot(ds, h, key, len);
    if (*link) {
        rc = 0;
        goto out;
    }
    if (ds->memcap && ds->memuse + sz > ds->memcap) {
        rc = CS_ELIMIT;
        goto out;
    }
    if (!(e = cs_malloc(sz))) {
        rc = CS_ENOMEM;
        goto out;
    }
    e->next = NULL;
    e->hash = h;
    e->len = len;
    if (len)
        memcpy(e->key, key, len);
    *link = e;
    ds->n++;
    ds->memuse += sz;
    if (ds->n > ds->nb)
        ds_grow(ds);
out:
    pthread_rwlock_unlock(&ds->lock);
    return rc;
}

int sn_ds_remove(struct sn_ds *ds, const uint8_t *key, uint32_t len)
{
    uint32_t h = key_hash(ds->type, key, len);
    struct ds_entry **link, *e;
    int rc = 0;

    pthread_rwlock_wrlock(&ds->lock);
    link = ds_slot(ds, h, key, len);
    if ((e = *link)) {
        *link = e->next;
        ds->n--;
        ds->memuse -= sizeof(*e) + e->len;
        cs_free(e);
        rc = 1;
    }
    pthread_rwlock_unlock(&ds->lock);
    return rc;
}

void sn_ds_free_all(void)
{
    struct sn_ds *ds, *next;
    pthread_mutex_lock(&reg.mu);
    for (ds = reg.head; ds; ds = next) {
        next = ds->next;
        ds_free(ds);
    }
    reg.head = NULL;
    pthread_mutex_unlock(&reg.mu);
}

void sn_dataset_apply(const struct sn_dataset *d, const uint8_t *v, uint32_t len)
{
    struct sn_ds *ds = d->set ? d->set : sn_ds_find(d->name);
    uint8_t *key;
    int kl;

    if (!ds || (d->cmd != SN_DS_SET && d->cmd != SN_DS_UNSET))
        return;
    if (!(key = cs_malloc(SN_DS_MAX_KEY)))
        return;
    kl = sn_ds_key(ds->type, v, len, key);
    if (kl >= 0) {
        if (d->cmd == SN_DS_SET)
            sn_ds_add(ds, key, (uint32_t)kl);
        else
            sn_ds_remove(ds, key, (uint32_t)kl);
    }
    cs_free(key);
}

/* ---- files ----------------------------------------------------------------------------- */

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes base64 (padding optional) into out (capacity cap); -1 on a bad character or
 * length, or when it does not fit. */
static int b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    while (n && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(s[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return (int)o;
}

static void b64_write(FILE *fp, const uint8_t *d, uint32_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (uint32_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        fputc(tab[v >> 18 & 63], fp);
        fputc(tab[v >> 12 & 63], fp);
        fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', fp);
        fputc(i + 2 < n ? tab[v & 63] : '=', fp);
    }
}

int sn_ds_load_buffer(struct sn_ds *ds, const char *data, size_t len, const char *fname,
                      struct cs_err *err)
{
    uint8_t *key = cs_malloc(SN_DS_MAX_KEY);
    size_t pos = 0;
    int line = 0, rc = CS_OK;

    if (!key) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *comma;
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        int kl;

        pos += n + (nl ? 1 : 0);
        line++;
        if (n && s[n - 1] == '\r')
            n--;
        comma = memchr(s, ',', n);
        if (comma)
            n = (size_t)(comma - s);
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n == 0 || *s == '#')
            continue;
        if (ds->type == SN_DS_STRING)
            kl = b64_decode((const uint8_t *)s, n, key, SN_DS_MAX_KEY);
        else if (ds->type == SN_DS_IP || ds->type == SN_DS_IPV4)
            kl = addr_text(ds->type, (const uint8_t *)s, (uint32_t)n, key);
        else
            kl = sn_ds_key(ds->type, (const uint8_t *)s, (uint32_t)(n > 128 ? 128 : n), key);
        if (kl < 0 || (ds->type != SN_DS_STRING && n > 128)) {
            cs_err_set(err, CS_EINVAL, line, 0, "%s:%d: not a valid %s value for dataset '%s'",
                       fname ? fname : "<buffer>", line, type_names[ds->type], ds->name);
            rc = CS_EINVAL;
            break;
        }
        kl = sn_ds_add(ds, key, (uint32_t)kl);
        if (kl < 0) {
            cs_err_set(err, kl, line, 0, "%s:%d: dataset '%s': %s", fname ? fname : "<buffer>",
                       line, ds->name, kl == CS_ELIMIT ? "memcap reached" : "out of memory");
            rc = kl;
            break;
        }
    }
    cs_free(key);
    return rc;
}

/* Reads a whole file into memory (*out, cs_free). CS_OK, CS_EIO (err set), CS_ENOMEM. */
static int read_file(const char *path, char **out, size_t *len, struct cs_err *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!fp) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: %s", path, strerror(errno));
        return CS_EIO;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *nb = cs_realloc(buf, nc);
            if (!nb) {
                cs_free(buf);
                fclose(fp);
                cs_err_set(err, CS_ENOMEM, 0, 0, "%s: out of memory", path);
                return CS_ENOMEM;
            }
            buf = nb;
            cap = nc;
        }
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        cs_free(buf);
        fclose(fp);
        cs_err_set(err, CS_EIO, 0, 0, "%s: read error", path);
        return CS_EIO;
    }
    fclose(fp);
    *out = buf;
    *len = n;
    return CS_OK;
}

int sn_ds_load_file(struct sn_ds *ds, const char *path, struct cs_err *err)
{
    char *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err);

    if (rc != CS_OK)
        return rc;
    rc = sn_ds_load_buffer(ds, buf, len, path, err);
    cs_free(buf);
    return rc;
}

int sn_ds_save_file(struct sn_ds *ds, const char *path, struct cs_err *err)
{
    char tmp[4096];
    FILE *fp;
    int rc = CS_OK;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
        !(fp = fopen(tmp, "w"))) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: cannot write: %s", path, strerror(errno));
        return CS_EIO;
    }
    pthread_rwlock_rdlock(&ds->lock);
    for (uint32_t i = 0; i < ds->nb; i++)
        for (const struct ds_entry *e = ds->b[i]; e; e = e->next) {
            char txt[INET6_ADDRSTRLEN];
            switch (ds->type) {
            case SN_DS_STRING:
                b64_write(fp, e->key, e->len);
                break;
            case SN_DS_MD5:
            case SN_DS_SHA256:
                for (uint32_t k = 0; k < e->len; k++)
                    fprintf(fp, "%02x", e->key[k]);
                break;
            case SN_DS_IPV4:
                fputs(inet_ntop(AF_INET, e->key, txt, sizeof(txt)) ? txt : "", fp);
                break;
            case SN_DS_IP: {
                static const uint8_t zero[12];
                bool v4 = memcmp(e->key + 4, zero, 12) == 0;
                fputs(inet_ntop(v4 ? AF_INET : AF_INET6, e->key, txt, sizeof(txt)) ? txt : "",
                      fp);
                break;
            }
            }
            fputc('\n', fp);
        }
    pthread_rwlock_unlock(&ds->lock);
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        rc = CS_EIO;
    }
    return rc;
}

/* ---- load / save for the engine ------------------------------------------------------ */

static bool parse_type(const char *s, enum sn_dataset_type *out)
{
    for (size_t k = 0; k < CS_ARRAY_LEN(type_names); k++)
        if (strcmp(s, type_names[k]) == 0) {
            *out = (enum sn_dataset_type)k;
            return true;
        }
    return false;
}

/* A file name of a rule or the configuration: absolute as is; relative ones are looked for
 * in the rule directory (default-rule-path) first, then taken as given (working directory). */
static void resolve_path(const struct sn_config *cfg, const char *name, char *out, size_t cap)
{
    const char *dir = NULL;
    if (name[0] != '/' && cfg && cfg->raw && cs_cfg_get_str(cfg->raw, "default-rule-path", &dir) &&
        dir[0]) {
        snprintf(out, cap, "%s/%s", dir, name);
        if (access(out, F_OK) == 0)
            return;
    }
    snprintf(out, cap, "%s", name);
}

static int set_file(char **dst, const struct sn_config *cfg, const char *name)
{
    char path[4096];
    if (!name || *dst)
        return CS_OK;
    resolve_path(cfg, name, path, sizeof(path));
    return (*dst = cs_strdup(path)) ? CS_OK : CS_ENOMEM;
}

/* Creates (or finds) a set and, when new, reads its state or load file. */
static int ds_setup(const struct sn_config *cfg, const char *name, enum sn_dataset_type type,
                    bool strict_type, uint64_t memcap, uint32_t hashsize, const char *load,
                    const char *save, const char *state, struct sn_ds **out, struct cs_err *err)
{
    struct sn_ds *ds = sn_ds_find(name);
    bool created;
    int rc;

    if (ds && !strict_type) {
        *out = ds;
        return CS_OK;
    }
    rc = sn_ds_get_or_create(name, type, memcap, hashsize, &ds, &created, err);
    if (rc != CS_OK)
        return rc;
    *out = ds;
    if (set_file(&ds->load, cfg, load) || set_file(&ds->save, cfg, save) ||
        set_file(&ds->state, cfg, state)) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    if (!created)
        return CS_OK;
    if (ds->state && access(ds->state, F_OK) == 0)
        return sn_ds_load_file(ds, ds->state, err);
    if (ds->load)
        return sn_ds_load_file(ds, ds->load, err);
    return CS_OK;
}

static int load_config_sets(const struct sn_config *cfg, struct cs_err *err)
{
    const struct cs_cfg *raw = cfg ? cfg->raw : NULL;
    uint64_t def_memcap = 0, def_hashsize = 0;
    size_t n;

    if (!raw)
        return CS_OK;
    cs_cfg_get_size(raw, "datasets.defaults.memcap", &def_memcap);
    {
        int64_t v;
        if (cs_cfg_get_int(raw, "datasets.defaults.hashsize", &v) && v > 0)
            def_hashsize = (uint64_t)v;
    }
    n = cs_cfg_count(raw, "datasets");
    for (size_t i = 0; i < n; i++) {
        const char *name = cs_cfg_child_key(raw, "datasets", i), *s = NULL;
        const char *load = NULL, *save = NULL, *state = NULL;
        char key[512];
        enum sn_dataset_type type;
        uint64_t memcap = def_memcap;
        int64_t hs = (int64_t)def_hashsize;
        struct sn_ds *ds;
        int rc;

        if (!name || strcmp(name, "defaults") == 0 || strcmp(name, "limits") == 0)
            continue;
        snprintf(key, sizeof(key), "datasets.%s.type", name);
        if (!cs_cfg_get_str(raw, key, &s) || !parse_type(s, &type)) {
            cs_err_set(err, CS_EINVAL, 0, 0, "datasets.%s: missing or invalid type", name);
            return CS_EINVAL;
        }
        snprintf(key, sizeof(key), "datasets.%s.load", name);
        cs_cfg_get_str(raw, key, &load);
        snprintf(key, sizeof(key), "datasets.%s.save", name);
        cs_cfg_get_str(raw, key, &save);
        snprintf(key, sizeof(key), "datasets.%s.state", name);
        cs_cfg_get_str(raw, key, &state);
        snprintf(key, sizeof(key), "datasets.%s.memcap", name);
        cs_cfg_get_size(raw, key, &memcap);
        snprintf(key, sizeof(key), "datasets.%s.hashsize", name);
        cs_cfg_get_int(raw, key, &hs);
        rc = ds_setup(cfg, name, type, true, memcap, hs > 0 && hs <= UINT32_MAX ? (uint32_t)hs : 0,
                      load, save, state, &ds, err);
        if (rc != CS_OK)
            return rc;
    }
    return CS_OK;
}

int sn_detect_datasets_load(const struct sn_ruleset *rs, const struct sn_config *cfg,
                            struct cs_err *err)
{
    int rc = load_config_sets(cfg, err);

    if (rc != CS_OK)
        return rc;
    rc = sn_iprep_load_config(cfg ? cfg->raw : NULL, err);
    if (rc != CS_OK)
        return rc;
    for (size_t i = 0; rs && i < rs->nrules; i++) {
        const struct sn_rule *r = rs->rules[i];
        for (uint32_t k = 0; k < r->nkw; k++) {
            const struct sn_kw_inst *inst = &r->kw[k];
            if (inst->kw == &sn_kw_dataset) {
                struct sn_dataset *d = inst->data;
                bool strict = d->has_type || d->load || d->save || d->state;
                rc = ds_setup(cfg, d->name, d->type, strict, d->memcap, d->hashsize, d->load,
                              d->save, d->state, &d->set, err);
                if (rc != CS_OK) {
                    char msg[sizeof(err->msg)];
                    snprintf(msg, sizeof(msg), "%s", err->msg);
                    cs_err_set(err, rc, 0, inst->col, "rule %u: %s", r->sid, msg);
                    return rc;
                }
            } else if (inst->kw == &sn_kw_iprep) {
                struct sn_iprep *ip = inst->data;
                ip->cat = sn_iprep_category(ip->category);
            }
        }
    }
    return CS_OK;
}

int sn_detect_datasets_save(struct cs_err *err)
{
    int rc = CS_OK;
    struct cs_err e2;

    pthread_mutex_lock(&reg.mu);
    for (struct sn_ds *ds = reg.head; ds; ds = ds->next) {
        const char *path = ds->state ? ds->state : ds->save;
        if (path && sn_ds_save_file(ds, path, rc == CS_OK ? err : &e2) != CS_OK)
            rc = CS_EIO;
    }
    pthread_mutex_unlock(&reg.mu);
    return rc;
}

void sn_detect_datasets_free(void)
{
    sn_ds_free_all();
    sn_iprep_free_all();
    sn_xbits_clear();
}
