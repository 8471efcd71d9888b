/* threshold.c — threshold / detection_filter keywords and threshold.config (threshold,
 * event_filter, suppress, rate_filter), with Suricata's semantics.
 *
 * State is process-wide: one hash table shared by every worker, so by_src, by_dst,
 * by_both and by_rule counters see every match whatever worker its packet went to, and the
 * alerts are the same for any --threads. The buckets are guarded by 64 striped mutexes
 * (bucket % 64); a lookup-and-update holds one of them for a few dozen instructions. Only a
 * rule that matched and has a threshold (keyword or threshold.config entry) takes a lock,
 * so the cost is per thresholded match, not per packet (figures in
 * docs/internals/detect.md). The table is created by the first worker and freed when the
 * last one goes (de_thr_new / de_thr_free count references). */
#include "engine_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THR_BUCKETS 4096
#define THR_LOCKS 64
#define THR_MAX_ENTRIES (1u << 20)

enum { KEY_RULE_THR = 1, KEY_TC_THR, KEY_RATE };

struct thr_ent {
    struct thr_ent *next;
    uint32_t gid, sid;
    uint8_t kind, track;
    uint64_t flow_id;
    struct sn_addr a, b;
    uint64_t first_us; /* window start */
    uint32_t count;
    uint64_t until_us; /* rate_filter: new action active until */
};

struct de_thr_table {
    struct thr_ent *b[THR_BUCKETS];
    pthread_mutex_t mu[THR_LOCKS]; /* bucket i is guarded by mu[i % THR_LOCKS] */
    atomic_uint n;
};

static pthread_mutex_t g_thr_mu = PTHREAD_MUTEX_INITIALIZER;
static struct de_thr_table *g_thr;
static unsigned g_thr_refs;

struct de_thr_table *de_thr_new(void)
{
    struct de_thr_table *t;

    pthread_mutex_lock(&g_thr_mu);
    if (!g_thr && (g_thr = cs_calloc(1, sizeof(*g_thr))) != NULL) {
        for (int i = 0; i < THR_LOCKS; i++)
            pthread_mutex_init(&g_thr->mu[i], NULL);
        atomic_init(&g_thr->n, 0);
    }
    if (g_thr)
        g_thr_refs++;
    t = g_thr;
    pthread_mutex_unlock(&g_thr_mu);
    return t;
}

void de_thr_free(struct de_thr_table *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&g_thr_mu);
    if (t != g_thr || --g_thr_refs > 0) {
        pthread_mutex_unlock(&g_thr_mu);
        return;
    }
    g_thr = NULL;
    pthread_mutex_unlock(&g_thr_mu);
    for (int i = 0; i < THR_BUCKETS; i++)
        for (struct thr_ent *e = t->b[i], *n; e; e = n) {
            n = e->next;
            cs_free(e);
        }
    for (int i = 0; i < THR_LOCKS; i++)
        pthread_mutex_destroy(&t->mu[i]);
    cs_free(t);
}

static uint32_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return (uint32_t)(h ^ (h >> 32));
}

/* The key of a counter: what `track` keeps of the match. */
struct thr_key {
    uint8_t kind, track;
    uint64_t fid;
    struct sn_addr a, b;
    uint32_t bucket;
};

static void key_make(struct thr_key *k, uint8_t kind, const struct sn_rule *r,
                     enum sn_thr_track track, const struct sn_addr *src,
                     const struct sn_addr *dst, uint64_t flow_id)
{
    memset(k, 0, sizeof(*k));
    k->kind = kind;
    k->track = (uint8_t)track;
    switch (track) {
    case SN_THR_BY_SRC:
        k->a = *src;
        break;
    case SN_THR_BY_DST:
        k->a = *dst;
        break;
    case SN_THR_BY_BOTH:
        k->a = *src;
        k->b = *dst;
        break;
    case SN_THR_BY_FLOW:
        k->fid = flow_id;
        break;
    case SN_THR_BY_RULE:
        break;
    }
    k->bucket = mix(mix(mix(r->sid, ((uint64_t)r->gid << 8) | kind), k->a.u64[0] ^ k->a.u64[1]),
                    k->b.u64[0] ^ k->b.u64[1] ^ k->fid) %
                THR_BUCKETS;
}

static pthread_mutex_t *key_lock(struct de_thr_table *t, const struct thr_key *k)
{
    return &t->mu[k->bucket % THR_LOCKS];
}

/* Finds or creates the entry of key k (its bucket's mutex held); NULL when the table is
 * full (the alert is then let through: better an extra alert than a lost one). */
static struct thr_ent *lookup(struct de_thr_table *t, const struct thr_key *k,
                              const struct sn_rule *r, bool *created)
{
    struct thr_ent *e;

    for (e = t->b[k->bucket]; e; e = e->next)
        if (e->sid == r->sid && e->gid == r->gid && e->kind == k->kind &&
            e->track == k->track && e->flow_id == k->fid && sn_addr_eq(&e->a, &k->a) &&
            sn_addr_eq(&e->b, &k->b)) {
            *created = false;
            return e;
        }
    if (atomic_load_explicit(&t->n, memory_order_relaxed) >= THR_MAX_ENTRIES ||
        !(e = cs_calloc(1, sizeof(*e))))
        return NULL;
    e->gid = r->gid;
    e->sid = r->sid;
    e->kind = k->kind;
    e->track = k->track;
    e->flow_id = k->fid;
    e->a = k->a;
    e->b = k->b;
    e->next = t->b[k->bucket];
    t->b[k->bucket] = e;
    atomic_fetch_add_explicit(&t->n, 1, memory_order_relaxed);
    *created = true;
    return e;
}

/* One match against threshold th: true when it alerts. */
static bool apply(struct thr_ent *e, bool created, const struct sn_threshold *th, uint64_t ts)
{
    uint64_t win = (uint64_t)th->seconds * 1000000u;
    /* a match older than the window start (another worker's packet, processed a little
     * later) belongs to the window */
    bool in_window = !created && (ts < e->first_us || ts - e->first_us < win);

    if (!in_window) {
        e->first_us = ts;
        e->count = 1;
        switch (th->type) {
        case SN_THR_LIMIT:
            return true;
        case SN_THR_THRESHOLD:
            if (th->count <= 1) {
                e->count = 0;
                return true;
            }
            return false;
        case SN_THR_BOTH:
            return th->count <= 1;
        case SN_THR_DETECTION_FILTER:
            return th->count == 0;
        }
        return true;
    }
    e->count++;
    switch (th->type) {
    case SN_THR_LIMIT:
        return e->count <= th->count;
    case SN_THR_THRESHOLD:
        if (e->count >= th->count) {
            e->count = 0;
            return true;
        }
        return false;
    case SN_THR_BOTH:
        return e->count == th->count;
    case SN_THR_DETECTION_FILTER:
        return e->count > th->count;
    }
    return true;
}

static bool tc_applies(const struct de_tc *tc, const struct sn_rule *r)
{
    if (tc->gid == 0 && tc->sid == 0)
        return true;
    return tc->gid == r->gid && (tc->sid == 0 || tc->sid == r->sid);
}

static bool suppressed(const struct de_tc *tc, const struct sn_addr *src, const struct sn_addr *dst,
                       int ip_ver)
{
    if (!tc->track_set)
        return true;
    switch (tc->thr.track) {
    case SN_THR_BY_SRC:
        return sn_addr_list_match(&tc->ips, src, ip_ver);
    case SN_THR_BY_DST:
        return sn_addr_list_match(&tc->ips, dst, ip_ver);
    default: /* by_either */
        return sn_addr_list_match(&tc->ips, src, ip_ver) ||
               sn_addr_list_match(&tc->ips, dst, ip_ver);
    }
}

bool de_thr_check(const struct sn_detect_engine *de, struct de_thr_table *t,
                  const struct de_rule *dr, int fam, const struct sn_addr *src,
                  const struct sn_addr *dst, uint64_t flow_id, uint64_t ts_us,
                  enum sn_action *action)
{
    const struct sn_rule *r = dr->r;
    const struct sn_threshold *th = dr->thr;
    uint8_t kind = KEY_RULE_THR;
    bool created;
    struct thr_ent *e;

    /* the specific entries (gid+sid) before the global ones, as Suricata */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < de->ntc; i++) {
            const struct de_tc *tc = &de->tc[i];
            bool specific = tc->sid != 0;
            if ((pass == 0) != specific || !tc_applies(tc, r))
                continue;
            if (tc->kind == DE_TC_SUPPRESS) {
                if (suppressed(tc, src, dst, fam))
                    return false;
            } else if (tc->kind == DE_TC_THRESHOLD) {
                if (th && kind == KEY_TC_THR)
                    continue; /* one threshold.config entry per rule */
                th = &tc->thr;
                kind = KEY_TC_THR;
            } else if (tc->kind == DE_TC_RATE) {
                uint64_t win = (uint64_t)tc->thr.seconds * 1000000u;
                struct thr_key k;
                pthread_mutex_t *mu;
                key_make(&k, KEY_RATE, r, tc->thr.track, src, dst, flow_id);
                mu = key_lock(t, &k);
                pthread_mutex_lock(mu);
                e = lookup(t, &k, r, &created);
                if (!e) {
                    pthread_mutex_unlock(mu);
                    continue;
                }
                if (e->until_us && ts_us < e->until_us) {
                    *action = (enum sn_action)tc->new_action;
                } else if (created || (ts_us >= e->first_us && ts_us - e->first_us >= win)) {
                    e->first_us = ts_us;
                    e->count = 1;
                    e->until_us = 0;
                } else if (++e->count > tc->thr.count) {
                    e->until_us = ts_us + (uint64_t)tc->timeout * 1000000u;
                    *action = (enum sn_action)tc->new_action;
                }
                pthread_mutex_unlock(mu);
            }
        }
    }
    if (!th)
        return true;
    {
        struct thr_key k;
        pthread_mutex_t *mu;
        bool ok = true;
        key_make(&k, kind, r, th->track, src, dst, flow_id);
        mu = key_lock(t, &k);
        pthread_mutex_lock(mu);
        e = lookup(t, &k, r, &created);
        if (e)
            ok = apply(e, created, th, ts_us);
        pthread_mutex_unlock(mu);
        return ok;
    }
}

/* ---- threshold.config --------------------------------------------------------------------- */

/* Splits "k v, k v, ip [a,b]" at commas outside brackets. */
static int split_kv(char *s, char **parts, int max)
{
    int n = 0, depth = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        if ((*p == ',' && depth == 0) || !*p) {
            bool end = !*p;
            if (n == max)
                return -1;
            *p = 0;
            parts[n++] = start;
            start = p + 1;
            if (end)
                break;
        }
    }
    return n;
}

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int parse_line(struct sn_detect_engine *de, char *line, char *msg, size_t msgcap)
{
    struct de_tc tc;
    char *parts[16], *kw = line;
    int n;
    bool have_type = false, have_track = false, have_count = false, have_secs = false;
    bool have_gid = false, have_sid = false;
    const char *ip = NULL;
    struct de_tc *ntc;

    memset(&tc, 0, sizeof(tc));
    while (*line && !isspace((unsigned char)*line))
        line++;
    if (*line)
        *line++ = 0;
    if (strcmp(kw, "threshold") == 0 || strcmp(kw, "event_filter") == 0)
        tc.kind = DE_TC_THRESHOLD;
    else if (strcmp(kw, "suppress") == 0)
        tc.kind = DE_TC_SUPPRESS;
    else if (strcmp(kw, "rate_filter") == 0)
        tc.kind = DE_TC_RATE;
    else {
        snprintf(msg, msgcap, "unknown directive '%s'", kw);
        return CS_EINVAL;
    }
    n = split_kv(line, parts, 16);
    if (n < 0) {
        snprintf(msg, msgcap, "too many options");
        return CS_EINVAL;
    }
    tc.thr.track = SN_THR_BY_SRC;
    for (int i = 0; i < n; i++) {
        char *k = trim(parts[i]), *v = k;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v)
            *v++ = 0;
        v = trim(v);
        if (strcmp(k, "gen_id") == 0 && parse_u32(v, &tc.gid)) {
            have_gid = true;
        } else if (strcmp(k, "sig_id") == 0 && parse_u32(v, &tc.sid)) {
            have_sid = true;
        } else if (strcmp(k, "type") == 0) {
            have_type = true;
            if (strcmp(v, "limit") == 0)
                tc.thr.type = SN_THR_LIMIT;
            else if (strcmp(v, "threshold") == 0)
                tc.thr.type = SN_THR_THRESHOLD;
            else if (strcmp(v, "both") == 0)
                tc.thr.type = SN_THR_BOTH;
            else
                goto bad;
        } else if (strcmp(k, "track") == 0) {
            have_track = true;
            if (strcmp(v, "by_src") == 0)
                tc.thr.track = SN_THR_BY_SRC;
            else if (strcmp(v, "by_dst") == 0)
                tc.thr.track = SN_THR_BY_DST;
            else if (strcmp(v, "by_rule") == 0)
                tc.thr.track = SN_THR_BY_RULE;
            else if (strcmp(v, "by_both") == 0)
                tc.thr.track = SN_THR_BY_BOTH;
            else if (strcmp(v, "by_either") == 0 && tc.kind == DE_TC_SUPPRESS)
                tc.thr.track = SN_THR_BY_BOTH; /* either, for suppress */
            else if (strcmp(v, "by_flow") == 0)
                tc.thr.track = SN_THR_BY_FLOW;
            else
                goto bad;
        } else if (strcmp(k, "count") == 0 && parse_u32(v, &tc.thr.count)) {
            have_count = true;
        } else if (strcmp(k, "seconds") == 0 && parse_u32(v, &tc.thr.seconds)) {
            have_secs = true;
        } else if (strcmp(k, "ip") == 0 && tc.kind == DE_TC_SUPPRESS) {
            ip = v;
        } else if (strcmp(k, "new_action") == 0 && tc.kind == DE_TC_RATE) {
            if (strcmp(v, "alert") == 0)
                tc.new_action = SN_ACT_ALERT;
            else if (strcmp(v, "drop") == 0)
                tc.new_action = SN_ACT_DROP;
            else if (strcmp(v, "pass") == 0)
                tc.new_action = SN_ACT_PASS;
            else if (strcmp(v, "reject") == 0)
                tc.new_action = SN_ACT_REJECT;
            else
                goto bad;
        } else if (strcmp(k, "timeout") == 0 && tc.kind == DE_TC_RATE &&
                   parse_u32(v, &tc.timeout)) {
        } else {
            goto bad;
        }
        continue;
    bad:
        snprintf(msg, msgcap, "invalid option '%s %s'", k, v);
        return CS_EINVAL;
    }
    if (!have_gid || !have_sid) {
        snprintf(msg, msgcap, "%s needs gen_id and sig_id", kw);
        return CS_EINVAL;
    }
    if (tc.kind == DE_TC_THRESHOLD && (!have_type || !have_track || !have_count || !have_secs)) {
        snprintf(msg, msgcap, "%s needs type, track, count and seconds", kw);
        return CS_EINVAL;
    }
    if (tc.kind == DE_TC_RATE && (!have_track || !have_count || !have_secs)) {
        snprintf(msg, msgcap, "rate_filter needs track, count, seconds, new_action, timeout");
        return CS_EINVAL;
    }
    if (tc.kind == DE_TC_SUPPRESS && (have_track != (ip != NULL))) {
        snprintf(msg, msgcap, "suppress needs both track and ip, or neither");
        return CS_EINVAL;
    }
    if (ip) {
        struct cs_err e = {0};
        if (sn_addr_list_parse(ip, de->rs ? de->rs->env.vars : NULL, &tc.ips, &e) != CS_OK) {
            snprintf(msg, msgcap, "ip '%.60s': %.120s", ip, e.msg);
            return CS_EINVAL;
        }
        tc.track_set = true;
    }
    ntc = cs_realloc(de->tc, (de->ntc + 1) * sizeof(*ntc));
    if (!ntc) {
        sn_addr_list_free(&tc.ips);
        return CS_ENOMEM;
    }
    de->tc = ntc;
    de->tc[de->ntc++] = tc;
    return CS_OK;
}

int de_thr_config_parse(struct sn_detect_engine *de, const char *name, const char *text, size_t len,
                        struct cs_err *err)
{
    size_t pos = 0;
    int lineno = 0;

    while (pos < len) {
        size_t e = pos;
        char buf[4096], msg[200], *s;
        int rc;
        while (e < len && text[e] != '\n')
            e++;
        lineno++;
        if (e - pos >= sizeof(buf)) {
            cs_err_set(err, CS_EINVAL, lineno, 0, "%.80s:%d: line too long", name, lineno);
            return CS_EINVAL;
        }
        memcpy(buf, text + pos, e - pos);
        buf[e - pos] = 0;
        pos = e + 1;
        s = trim(buf);
        if (!*s || *s == '#')
            continue;
        rc = parse_line(de, s, msg, sizeof(msg));
        if (rc == CS_ENOMEM)
            return rc;
        if (rc != CS_OK) {
            cs_err_set(err, CS_EINVAL, lineno, 0, "%.80s:%d: %.150s", name, lineno, msg);
            return CS_EINVAL;
        }
    }
    return CS_OK;
}
