/* flowvar.c — flowbits / flowint storage on the flow, the process-wide xbits table, the
 * app-layer events seen by detection, pending dataset writes and sn_detect_postmatch().
 *
 * Per flow (f->detect->vars): a small array of named variables, found by a 32-bit hash of the
 * name then strcmp. Flows carry a handful of variables, so a linear scan over a contiguous
 * array beats a hash table here.
 * xbits: one chained hash table for the process, under a mutex (xbits rules are rare; the
 * lock is taken only when one is evaluated). Expired entries are dropped when met. */
#include "flowvar.h"

#include "dataset.h"
#include "kw_app.h"

#include <pthread.h>

extern const struct sn_kw sn_kw_flowbits, sn_kw_flowint, sn_kw_xbits, sn_kw_dataset;

#define FV_APP_EVENTS 8
#define FV_EVENT_NAME 64

enum fv_kind { FV_BIT, FV_INT, FV_TXBIT };

struct fv_var {
    uint32_t hash;
    uint8_t kind;
    uint32_t value;
    char *name;
};

struct fv_event {
    uint64_t stamp; /* f->pkts[0] + f->pkts[1] when raised */
    char name[FV_EVENT_NAME];
};

struct sn_flowvars {
    struct fv_var *v;
    uint32_t n, cap;
    struct fv_event ev[FV_APP_EVENTS]; /* ring */
    uint32_t nev;
};

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) {
        h ^= (uint8_t)*s++;
        h *= 16777619u;
    }
    return h;
}

void sn_flowvars_free(struct sn_flowvars *v)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < v->n; i++)
        cs_free(v->v[i].name);
    cs_free(v->v);
    cs_free(v);
}

static struct sn_flowvars *vars_get(struct sn_flow *f)
{
    if (!f->detect && !(f->detect = cs_calloc(1, sizeof(*f->detect))))
        return NULL;
    if (!f->detect->vars)
        f->detect->vars = cs_calloc(1, sizeof(*f->detect->vars));
    return f->detect->vars;
}

static struct fv_var *var_find(const struct sn_flow *f, enum fv_kind kind, const char *name)
{
    const struct sn_flowvars *v = f->detect ? f->detect->vars : NULL;
    uint32_t h;

    if (!v)
        return NULL;
    h = name_hash(name);
    for (uint32_t i = 0; i < v->n; i++)
        if (v->v[i].hash == h && v->v[i].kind == kind && strcmp(v->v[i].name, name) == 0)
            return &v->v[i];
    return NULL;
}

static struct fv_var *var_add(struct sn_flow *f, enum fv_kind kind, const char *name)
{
    struct fv_var *e = var_find(f, kind, name);
    struct sn_flowvars *v;

    if (e)
        return e;
    if (!(v = vars_get(f)))
        return NULL;
    if (v->n == v->cap) {
        uint32_t nc = v->cap ? v->cap * 2 : 4;
        struct fv_var *nv = cs_realloc(v->v, nc * sizeof(*nv));
        if (!nv)
            return NULL;
        v->v = nv;
        v->cap = nc;
    }
    e = &v->v[v->n];
    *e = (struct fv_var){.hash = name_hash(name), .kind = (uint8_t)kind};
    if (!(e->name = cs_strdup(name)))
        return NULL;
    v->n++;
    return e;
}

static void var_del(struct sn_flow *f, enum fv_kind kind, const char *name)
{
    struct fv_var *e = var_find(f, kind, name);
    struct sn_flowvars *v;

    if (!e)
        return;
    v = f->detect->vars;
    cs_free(e->name);
    *e = v->v[--v->n]; /* order does not matter */
}

bool sn_flowbit_isset(const struct sn_flow *f, const char *name)
{
    return var_find(f, FV_BIT, name) != NULL;
}

int sn_flowbit_set(struct sn_flow *f, const char *name)
{
    return var_add(f, FV_BIT, name) ? CS_OK : CS_ENOMEM;
}

int sn_flowbit_unset(struct sn_flow *f, const char *name)
{
    var_del(f, FV_BIT, name);
    return CS_OK;
}

int sn_flowbit_toggle(struct sn_flow *f, const char *name)
{
    if (sn_flowbit_isset(f, name))
        return sn_flowbit_unset(f, name);
    return sn_flowbit_set(f, name);
}

bool sn_flowint_get(const struct sn_flow *f, const char *name, uint32_t *out)
{
    const struct fv_var *e = var_find(f, FV_INT, name);
    if (!e)
        return false;
    *out = e->value;
    return true;
}

int sn_flowint_set(struct sn_flow *f, const char *name, uint32_t value)
{
    struct fv_var *e = var_add(f, FV_INT, name);
    if (!e)
        return CS_ENOMEM;
    e->value = value;
    return CS_OK;
}

/* ---- app-layer events ---------------------------------------------------------------------- */

static uint64_t pkt_stamp(const struct sn_flow *f)
{
    return (uint64_t)f->pkts[0] + f->pkts[1];
}

void sn_detect_app_event(struct sn_flow *f, const char *name)
{
    struct sn_flowvars *v;
    struct fv_event *e;

    if (!f || !name || !(v = vars_get(f)))
        return;
    e = &v->ev[v->nev++ % FV_APP_EVENTS];
    e->stamp = pkt_stamp(f);
    snprintf(e->name, sizeof(e->name), "%s", name);
}

bool sn_flow_app_event_seen(const struct sn_flow *f, const char *module, const char *name)
{
    const struct sn_flowvars *v = f && f->detect ? f->detect->vars : NULL;
    uint64_t now;
    size_t ml = module ? strlen(module) : 0;

    if (!v)
        return false;
    now = pkt_stamp(f);
    for (uint32_t i = 0; i < FV_APP_EVENTS && i < v->nev; i++) {
        const struct fv_event *e = &v->ev[i];
        if (e->stamp != now)
            continue;
        if (module) {
            if (strncmp(e->name, module, ml) != 0 || e->name[ml] != '.' ||
                strcmp(e->name + ml + 1, name) != 0)
                continue;
        } else if (strcmp(e->name, name) != 0) {
            continue;
        }
        return true;
    }
    return false;
}

/* ---- xbits --------------------------------------------------------------------------------- */

struct xb_entry {
    struct xb_entry *next;
    uint32_t hash;
    uint8_t track;
    struct sn_addr a, b;
    uint64_t expire_us;
    char name[];
};

static struct {
    pthread_mutex_t mu;
    struct xb_entry **b;
    uint32_t nb; /* power of two */
    size_t n;
} xb = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The key of track for the packet's addresses: the pair is made unordered. */
static void xb_key(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                   struct sn_addr *ka, struct sn_addr *kb)
{
    memset(ka, 0, sizeof(*ka));
    memset(kb, 0, sizeof(*kb));
    if (track == SN_TRACK_IP_DST) {
        *ka = *b;
    } else if (track == SN_TRACK_IP_PAIR) {
        bool swap = memcmp(a->u8, b->u8, sizeof(a->u8)) > 0;
        *ka = swap ? *b : *a;
        *kb = swap ? *a : *b;
    } else {
        *ka = *a;
    }
}

static uint32_t xb_hash(uint8_t track, const struct sn_addr *a, const struct sn_addr *b,
                        const char *name)
{
    uint32_t h = name_hash(name) ^ track;
    for (int i = 0; i < 4; i++) {
        h = (h ^ a->u32[i]) * 0x9e3779b1u;
        h = (h ^ b->u32[i]) * 0x85ebca77u;
    }
    return h ^ (h >> 15);
}

/* Finds the entry (caller holds the lock); *pp receives the link pointing at it. Expired
 * entries met on the chain are freed. */
static struct xb_entry *xb_find(uint32_t h, uint8_t track, const struct sn_addr *a,
                                const struct sn_addr *b, const char *name, uint64_t now_us,
                                struct xb_entry ***pp)
{
    struct xb_entry **link, *e;

    if (!xb.nb)
        return NULL;
    link = &xb.b[h & (xb.nb - 1)];
    while ((e = *link)) {
        if (e->expire_us && now_us && e->expire_us <= now_us) {
            *link = e->next;
            cs_free(e);
            xb.n--;
            continue;
        }
        if (e->hash == h && e->track == track && sn_addr_eq(&e->a, a) && sn_addr_eq(&e->b, b) &&
            strcmp(e->name, name) == 0) {
            if (pp)
                *pp = link;
            return e;
        }
        link = &e->next;
    }
    return NULL;
}

static bool xb_grow(void)
{
    uint32_t nb = xb.nb ? xb.nb * 2 : 1024;
    struct xb_entry **b = cs_calloc(nb, sizeof(*b));

    if (!b)
        return xb.nb != 0; /* keep working with the old table */
    for (uint32_t i = 0; i < xb.nb; i++) {
        struct xb_entry *e = xb.b[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    }
    cs_free(xb.b);
    xb.b = b;
    xb.nb = nb;
    return true;
}

bool sn_xbits_isset(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                    const char *name, uint64_t now_us)
{
    struct sn_addr ka, kb;
    bool found;

    xb_key(track, a, b, &ka, &kb);
    pthread_mutex_lock(&xb.mu);
    found = xb_find(xb_hash((uint8_t)track, &ka, &kb, name), (uint8_t)track, &ka, &kb, name,
                    now_us, NULL) != NULL;
    pthread_mutex_unlock(&xb.mu);
    return found;
}

int sn_xbits_set(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                 const char *name, uint64_t now_us, uint32_t expire_s)
{
    struct sn_addr ka, kb;
    uint32_t h;
    struct xb_entry *e;
    size_t nl = strlen(name);
    int rc = CS_OK;

    xb_key(track, a, b, &ka, &kb);
    h = xb_hash((uint8_t)track, &ka, &kb, name);
    pthread_mutex_lock(&xb.mu);
    e = xb_find(h, (uint8_t)track, &ka, &kb, name, now_us, NULL);
    if (!e) {
        if ((xb.n >= xb.nb && !xb_grow()) || !(e = cs_malloc(sizeof(*e) + nl + 1))) {
            rc = CS_ENOMEM;
            goto out;
        }
        e->hash = h;
        e->track = (uint8_t)track;
        e->a = ka;
        e->b = kb;
        memcpy(e->name, name, nl + 1);
        e->next = xb.b[h & (xb.nb - 1)];
        xb.b[h & (xb.nb - 1)] = e;
        xb.n++;
    }
    e->expire_us = now_us + (uint64_t)expire_s * 1000000u;
out:
    pthread_mutex_unlock(&xb.mu);
    return rc;
}

void sn_xbits_unset(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                    const char *name)
{
    struct sn_addr ka, kb;
    struct xb_entry **link = NULL, *e;

    xb_key(track, a, b, &ka, &kb);
    pthread_mutex_lock(&xb.mu);
    e = xb_find(xb_hash((uint8_t)track, &ka, &kb, name), (uint8_t)track, &ka, &kb, name, 0,
                &link);
    if (e) {
        *link = e->next;
        cs_free(e);
        xb.n--;
    }
    pthread_mutex_unlock(&xb.mu);
}

size_t sn_xbits_count(void)
{
    size_t n;
    pthread_mutex_lock(&xb.mu);
    n = xb.n;
    pthread_mutex_unlock(&xb.mu);
    return n;
}

void sn_xbits_clear(void)
{
    pthread_mutex_lock(&xb.mu);
    for (uint32_t i = 0; i < xb.nb; i++) {
        struct xb_entry *e = xb.b[i], *next;
        for (; e; e = next) {
            next = e->next;
            cs_free(e);
        }
    }
    cs_free(xb.b);
    xb.b = NULL;
    xb.nb = 0;
    xb.n = 0;
    pthread_mutex_unlock(&xb.mu);
}

/* ---- helpers for match functions ----------------------------------------------------------- */

bool sn_detect_addrs(const struct sn_detect_thread *t, const struct sn_addr **src,
                     const struct sn_addr **dst)
{
    if (t->p && t->p->ip_ver) {
        *src = &t->p->src;
        *dst = &t->p->dst;
        return true;
    }
    if (t->f) {
        bool ts = t->dir == SN_TOSERVER;
        *src = ts ? &t->f->src : &t->f->dst;
        *dst = ts ? &t->f->dst : &t->f->src;
        return true;
    }
    return false;
}

uint64_t sn_detect_now(const struct sn_detect_thread *t)
{
    if (t->p && t->p->ts_us)
        return t->p->ts_us;
    if (t->w && t->w->now_us)
        return t->w->now_us;
    return t->f ? t->f->last_us : 0;
}

/* ---- pending dataset writes ------------------------------------------------------------ */

struct fv_pending_ent {
    const struct sn_kw_inst *inst;
    uint8_t *data;
    uint32_t len, cap;
};

struct fv_pending {
    const struct sn_rule *rule;
    struct fv_pending_ent *e;
    uint32_t n, cap;
};

int sn_detect_pending_add(struct sn_detect_thread *t, const struct sn_kw_inst *inst,
                          const uint8_t *data, uint32_t len)
{
    struct fv_pending *pd = t->pending;
    struct fv_pending_ent *e;

    if (!pd && !(pd = t->pending = cs_calloc(1, sizeof(*pd))))
        return CS_ENOMEM;
    if (pd->rule != t->rule) { /* left over from a rule that did not match in the end */
        pd->rule = t->rule;
        pd->n = 0;
    }
    for (uint32_t i = 0; i < pd->n; i++)
        if (pd->e[i].inst == inst) { /* the instance was re-evaluated: keep the latest */
            e = &pd->e[i];
            goto fill;
        }
    if (pd->n == pd->cap) {
        uint32_t nc = pd->cap ? pd->cap * 2 : 4;
        struct fv_pending_ent *ne = cs_realloc(pd->e, nc * sizeof(*ne));
        if (!ne)
            return CS_ENOMEM;
        memset(ne + pd->cap, 0, (nc - pd->cap) * sizeof(*ne));
        pd->e = ne;
        pd->cap = nc;
    }
    e = &pd->e[pd->n++];
    e->inst = inst;
fill:
    if (len > e->cap) {
        uint8_t *nd = cs_realloc(e->data, len);
        if (!nd) {
            e->len = 0;
            e->inst = NULL;
            return CS_ENOMEM;
        }
        e->data = nd;
        e->cap = len;
    }
    if (len)
        memcpy(e->data, data, len);
    e->len = len;
    return CS_OK;
}

void sn_detect_thread_vars_free(struct sn_detect_thread *t)
{
    struct fv_pending *pd = t->pending;
    if (!pd)
        return;
    for (uint32_t i = 0; i < pd->cap; i++)
        cs_free(pd->e[i].data);
    cs_free(pd->e);
    cs_free(pd);
    t->pending = NULL;
}

/* ---- post-match ---------------------------------------------------------------------------- */

static void post_flowbits(struct sn_detect_thread *t, const struct sn_bits *b)
{
    if (!t->f || b->nnames == 0)
        return;
    switch (b->cmd) {
    case SN_BITS_SET:
        sn_flowbit_set(t->f, b->names[0]);
        break;
    case SN_BITS_UNSET:
        sn_flowbit_unset(t->f, b->names[0]);
        break;
    case SN_BITS_TOGGLE:
        sn_flowbit_toggle(t->f, b->names[0]);
        break;
    default:
        break;
    }
}

static void post_flowint(struct sn_detect_thread *t, const struct sn_flowint *fi)
{
    uint32_t cur, val = (uint32_t)fi->value;
    bool have;

    if (!t->f || (fi->op != SN_FI_SET && fi->op != SN_FI_ADD && fi->op != SN_FI_SUB))
        return;
    if (fi->value_var && !sn_flowint_get(t->f, fi->value_var, &val))
        val = 0; /* an unset source variable counts as 0, as in Suricata */
    have = sn_flowint_get(t->f, fi->name, &cur);
    switch (fi->op) {
    case SN_FI_SET:
        sn_flowint_set(t->f, fi->name, val);
        break;
    case SN_FI_ADD:
        sn_flowint_set(t->f, fi->name, have ? cur + val : val);
        break;
    case SN_FI_SUB:
        if (have)
            sn_flowint_set(t->f, fi->name, cur - val);
        break;
    default:
        break;
    }
}

static void post_xbits(struct sn_detect_thread *t, const struct sn_bits *b)
{
    const struct sn_addr *src, *dst;
    uint32_t expire = b->expire ? b->expire : SN_XBITS_EXPIRE_DEFAULT;

    if (b->nnames == 0 || b->cmd > SN_BITS_TOGGLE)
        return;
    if (b->track == SN_TRACK_TX || b->track == SN_TRACK_FLOW) {
        if (!t->f)
            return;
        if (b->cmd == SN_BITS_SET ||
            (b->cmd == SN_BITS_TOGGLE && !var_find(t->f, FV_TXBIT, b->names[0])))
            var_add(t->f, FV_TXBIT, b->names[0]);
        else
            var_del(t->f, FV_TXBIT, b->names[0]);
        return;
    }
    if (!sn_detect_addrs(t, &src, &dst))
        return;
    if (b->cmd == SN_BITS_SET ||
        (b->cmd == SN_BITS_TOGGLE &&
         !sn_xbits_isset(b->track, src, dst, b->names[0], sn_detect_now(t))))
        sn_xbits_set(b->track, src, dst, b->names[0], sn_detect_now(t), expire);
    else
        sn_xbits_unset(b->track, src, dst, b->names[0]);
}

bool sn_xbits_tx_isset(const struct sn_flow *f, const char *name)
{
    return f && var_find(f, FV_TXBIT, name) != NULL;
}

void sn_detect_postmatch(struct sn_detect_thread *t)
{
    const struct sn_rule *r = t->rule;
    struct fv_pending *pd = t->pending;

    if (!r)
        return;
    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_kw_inst *inst = &r->kw[i];
        if (inst->kw == &sn_kw_flowbits)
            post_flowbits(t, inst->data);
        else if (inst->kw == &sn_kw_flowint)
            post_flowint(t, inst->data);
        else if (inst->kw == &sn_kw_xbits)
            post_xbits(t, inst->data);
        else if (inst->kw == &sn_kw_dataset && pd && pd->rule == r)
            for (uint32_t k = 0; k < pd->n; k++)
                if (pd->e[k].inst == inst)
                    sn_dataset_apply(inst->data, pd->e[k].data, pd->e[k].len);
    }
    if (pd && pd->rule == r)
        pd->n = 0;
}
