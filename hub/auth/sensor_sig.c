/* sensor_sig.c — SM2 signatures of sensor upload batches: the signed message, the
 * X-Citysoc-Signature header (write and strict parse), timestamp window and a bounded replay
 * cache (see auth.h for the formats). */
#include "auth.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include "b64.h"

#define SIG_MAGIC "citysoc-batch-v1"
#define SIG_MAGIC_LEN 16
#define MSG_MAX (SIG_MAGIC_LEN + 2 + HUB_SIG_ID_MAX + 2 + HUB_SIG_ID_MAX + 8 + GM_SM3_DIGEST_LEN)

const char *hub_sig_status_str(enum hub_sig_status s)
{
    switch (s) {
    case HUB_SIG_OK:
        return "ok";
    case HUB_SIG_MALFORMED:
        return "malformed signature header";
    case HUB_SIG_BAD_ID:
        return "invalid key id or batch id";
    case HUB_SIG_STALE:
        return "stale timestamp";
    case HUB_SIG_FUTURE:
        return "timestamp in the future";
    case HUB_SIG_BAD_SIGNATURE:
        return "signature does not verify";
    case HUB_SIG_NO_KEY:
        return "no usable public key for the sensor";
    case HUB_SIG_REPLAY:
        return "batch already received (replay)";
    case HUB_SIG_ENOMEM:
        return "out of memory";
    case HUB_SIG_INTERNAL:
        return "internal error";
    }
    return "unknown status";
}

static bool id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '-';
}

static bool id_ok(const char *s, size_t len)
{
    if (!s || len == 0 || len > HUB_SIG_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!id_char(s[i]))
            return false;
    return true;
}

/* Builds M (see auth.h) into m[]; returns its length or 0 on a bad id / internal failure. */
static size_t build_message(const char *sensor_id, const char *batch_id, int64_t ts,
                            const void *body, size_t len, uint8_t *m,
                            enum hub_sig_status *st)
{
    size_t n, il = strlen(sensor_id), bl = strlen(batch_id);
    uint64_t uts = (uint64_t)ts;

    if (!id_ok(sensor_id, il) || !id_ok(batch_id, bl)) {
        *st = HUB_SIG_BAD_ID;
        return 0;
    }
    memcpy(m, SIG_MAGIC, SIG_MAGIC_LEN);
    n = SIG_MAGIC_LEN;
    m[n++] = (uint8_t)(il >> 8);
    m[n++] = (uint8_t)il;
    memcpy(m + n, sensor_id, il);
    n += il;
    m[n++] = (uint8_t)(bl >> 8);
    m[n++] = (uint8_t)bl;
    memcpy(m + n, batch_id, bl);
    n += bl;
    for (int i = 7; i >= 0; i--)
        m[n++] = (uint8_t)(uts >> (8 * i));
    if (gm_sm3(body, len, m + n) != CS_OK) {
        *st = HUB_SIG_INTERNAL;
        return 0;
    }
    *st = HUB_SIG_OK;
    return n + GM_SM3_DIGEST_LEN;
}

enum hub_sig_status hub_sig_message_digest(const char *sensor_id, const char *batch_id,
                                           int64_t ts, const void *body, size_t len,
                                           uint8_t out[GM_SM3_DIGEST_LEN])
{
    uint8_t m[MSG_MAX];
    enum hub_sig_status st;
    size_t mlen;

    if (!sensor_id || !batch_id || (!body && len) || !out)
        return HUB_SIG_INTERNAL;
    mlen = build_message(sensor_id, batch_id, ts, body, len, m, &st);
    if (!mlen)
        return st;
    return gm_sm3(m, mlen, out) == CS_OK ? HUB_SIG_OK : HUB_SIG_INTERNAL;
}

enum hub_sig_status hub_sig_sign(const struct gm_sm2_key *key, const char *sensor_id,
                                 const char *batch_id, int64_t ts, const void *body,
                                 size_t len, char *out, size_t outcap)
{
    uint8_t m[MSG_MAX], sig[GM_SM2_SIG_MAX];
    char sig64[((GM_SM2_SIG_MAX + 2) / 3) * 4 + 1];
    size_t mlen, siglen = sizeof(sig);
    enum hub_sig_status st;
    int n;

    if (out && outcap)
        out[0] = '\0';
    if (!key || !sensor_id || !batch_id || (!body && len) || !out ||
        !gm_sm2_key_has_private(key))
        return HUB_SIG_INTERNAL;
    mlen = build_message(sensor_id, batch_id, ts, body, len, m, &st);
    if (!mlen)
        return st;
    if (gm_sm2_sign(key, gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, m, mlen, sig, &siglen) !=
        CS_OK)
        return HUB_SIG_INTERNAL;
    hub_b64_encode(sig, siglen, sig64, HUB_B64_STD, true);
    n = snprintf(out, outcap, "v=1, keyid=%s, batch=%s, ts=%" PRId64 ", sig=%s", sensor_id,
                 batch_id, ts, sig64);
    if (n < 0 || (size_t)n >= outcap) {
        out[0] = '\0';
        return HUB_SIG_INTERNAL;
    }
    return HUB_SIG_OK;
}

/* ---- parsing -------------------------------------------------------------------------- */

struct cursor {
    const char *s;
    size_t len, i;
};

static void skip_spaces(struct cursor *c)
{
    while (c->i < c->len && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

/* Expects "<name>=" at the cursor; then the value runs to the next ',' (or the end) with
 * trailing spaces removed. Returns false on a mismatch. */
static bool take_param(struct cursor *c, const char *name, bool last, const char **val,
                       size_t *vlen)
{
    size_t nl = strlen(name), start, end;

    skip_spaces(c);
    if (c->len - c->i < nl + 1 || memcmp(c->s + c->i, name, nl) != 0 || c->s[c->i + nl] != '=')
        return false;
    c->i += nl + 1;
    start = c->i;
    while (c->i < c->len && c->s[c->i] != ',')
        c->i++;
    end = c->i;
    while (end > start && (c->s[end - 1] == ' ' || c->s[end - 1] == '\t'))
        end--;
    if (last) {
        if (c->i != c->len)
            return false;
    } else {
        if (c->i == c->len)
            return false;
        c->i++; /* the ',' */
    }
    *val = c->s + start;
    *vlen = end - start;
    return true;
}

static bool parse_ts(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 19 || (s[0] == '0' && len > 1))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    return true;
}

enum hub_sig_status hub_sig_parse(const char *v, size_t len, struct hub_sig_header *h)
{
    struct cursor c = {v, len, 0};
    const char *val;
    size_t vlen;
    struct hub_sig_header r;

    if (!h)
        return HUB_SIG_INTERNAL;
    memset(h, 0, sizeof(*h));
    memset(&r, 0, sizeof(r));
    if (!v || len == 0 || len >= HUB_SIG_HEADER_MAX * 2)
        return HUB_SIG_MALFORMED;
    if (!take_param(&c, "v", false, &val, &vlen) || vlen != 1 || val[0] != '1')
        return HUB_SIG_MALFORMED;
    if (!take_param(&c, "keyid", false, &val, &vlen))
        return HUB_SIG_MALFORMED;
    if (!id_ok(val, vlen))
        return HUB_SIG_BAD_ID;
    memcpy(r.keyid, val, vlen);
    if (!take_param(&c, "batch", false, &val, &vlen))
        return HUB_SIG_MALFORMED;
    if (!id_ok(val, vlen))
        return HUB_SIG_BAD_ID;
    memcpy(r.batch, val, vlen);
    if (!take_param(&c, "ts", false, &val, &vlen) || !parse_ts(val, vlen, &r.ts))
        return HUB_SIG_MALFORMED;
    if (!take_param(&c, "sig", true, &val, &vlen) ||
        hub_b64_decode(val, vlen, r.sig, sizeof(r.sig), &r.siglen, HUB_B64_STD, true) != CS_OK ||
        r.siglen < 8)
        return HUB_SIG_MALFORMED;
    *h = r;
    return HUB_SIG_OK;
}

enum hub_sig_status hub_sig_check_time(int64_t ts, int64_t now, int64_t window_s)
{
    if (window_s < 0)
        window_s = 0;
    /* Compare in unsigned arithmetic on differences so nothing overflows. */
    if (ts < now && (uint64_t)now - (uint64_t)ts > (uint64_t)window_s)
        return HUB_SIG_STALE;
    if (ts > now && (uint64_t)ts - (uint64_t)now > (uint64_t)window_s)
        return HUB_SIG_FUTURE;
    return HUB_SIG_OK;
}

enum hub_sig_status hub_sig_verify(const struct hub_sig_header *h, const struct gm_sm2_key *pub,
                                   const void *body, size_t len)
{
    uint8_t m[MSG_MAX];
    size_t mlen;
    enum hub_sig_status st;
    int rc;

    if (!h || (!body && len))
        return HUB_SIG_INTERNAL;
    if (!pub)
        return HUB_SIG_NO_KEY;
    if (memchr(h->keyid, '\0', sizeof(h->keyid)) == NULL ||
        memchr(h->batch, '\0', sizeof(h->batch)) == NULL || h->siglen > sizeof(h->sig))
        return HUB_SIG_INTERNAL;
    mlen = build_message(h->keyid, h->batch, h->ts, body, len, m, &st);
    if (!mlen)
        return st;
    rc = gm_sm2_verify(pub, gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, m, mlen, h->sig,
                       h->siglen);
    if (rc == CS_OK)
        return HUB_SIG_OK;
    return rc == CS_ERR ? HUB_SIG_BAD_SIGNATURE : HUB_SIG_INTERNAL;
}

/* ---- replay cache --------------------------------------------------------------------- */

struct rp_entry {
    uint8_t key[32];
    int64_t expires; /* ts + 2 * window */
    struct rp_entry *hnext;
    struct rp_entry *prev, *next; /* FIFO by insertion (in use) / free list (next) */
};

struct hub_sig_replay {
    pthread_mutex_t mu;
    int64_t window_s;
    uint8_t hkey[32];
    struct rp_entry *entries;
    struct rp_entry **buckets;
    size_t nbuckets;
    struct rp_entry *free, *oldest, *newest;
    uint64_t evictions;
};

struct hub_sig_replay *hub_sig_replay_new(uint32_t max_entries, int64_t window_s)
{
    struct hub_sig_replay *r;

    if (max_entries < 1 || window_s < 0)
        return NULL;
    r = cs_calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->window_s = window_s;
    r->nbuckets = 1;
    while (r->nbuckets < max_entries)
        r->nbuckets <<= 1;
    r->entries = cs_calloc(max_entries, sizeof(*r->entries));
    r->buckets = cs_calloc(r->nbuckets, sizeof(*r->buckets));
    if (!r->entries || !r->buckets || gm_random(r->hkey, sizeof(r->hkey)) != CS_OK ||
        pthread_mutex_init(&r->mu, NULL) != 0)
        goto out_free;
    for (uint32_t i = 0; i < max_entries; i++) {
        r->entries[i].next = r->free;
        r->free = &r->entries[i];
    }
    return r;

out_free:
    cs_free(r->entries);
    cs_free(r->buckets);
    cs_free(r);
    return NULL;
}

void hub_sig_replay_free(struct hub_sig_replay *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    cs_free(r->entries);
    cs_free(r->buckets);
    gm_cleanse(r->hkey, sizeof(r->hkey));
    cs_free(r);
}

static size_t rp_bucket(const struct hub_sig_replay *r, const uint8_t key[32])
{
    return (size_t)cs_get_be64(key) & (r->nbuckets - 1);
}

static void rp_remove(struct hub_sig_replay *r, struct rp_entry *e)
{
    struct rp_entry **pp = &r->buckets[rp_bucket(r, e->key)];

    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    if (e->prev)
        e->prev->next = e->next;
    else
        r->oldest = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        r->newest = e->prev;
    memset(e, 0, sizeof(*e));
    e->next = r->free;
    r->free = e;
}

/* ts + 2 * window, saturating. */
static int64_t rp_expiry(int64_t ts, int64_t window_s)
{
    int64_t w2 = window_s > INT64_MAX / 2 ? INT64_MAX : 2 * window_s;

    return ts > INT64_MAX - w2 ? INT64_MAX : ts + w2;
}

enum hub_sig_status hub_sig_replay_check_add(struct hub_sig_replay *r, const char *keyid,
                                             const char *batch, int64_t ts, int64_t now)
{
    uint8_t key[32], kl, bl;
    struct gm_hmac_sm3_ctx *h;
    struct rp_entry *e;
    size_t b;
    bool ok;

    if (!r || !keyid || !batch || strlen(keyid) > HUB_SIG_ID_MAX ||
        strlen(batch) > HUB_SIG_ID_MAX)
        return HUB_SIG_INTERNAL;
    kl = (uint8_t)strlen(keyid);
    bl = (uint8_t)strlen(batch);
    h = gm_hmac_sm3_new(r->hkey, sizeof(r->hkey));
    if (!h)
        return HUB_SIG_ENOMEM;
    ok = gm_hmac_sm3_update(h, &kl, 1) == CS_OK && gm_hmac_sm3_update(h, keyid, kl) == CS_OK &&
         gm_hmac_sm3_update(h, &bl, 1) == CS_OK && gm_hmac_sm3_update(h, batch, bl) == CS_OK &&
         gm_hmac_sm3_final(h, key) == CS_OK;
    gm_hmac_sm3_free(h);
    if (!ok)
        return HUB_SIG_INTERNAL;

    pthread_mutex_lock(&r->mu);
    /* Drop expired entries from the old end (insertion order roughly follows ts). */
    while (r->oldest && r->oldest->expires < now)
        rp_remove(r, r->oldest);
    for (e = r->buckets[rp_bucket(r, key)]; e; e = e->hnext)
        if (memcmp(e->key, key, 32) == 0)
            break;
    if (e && e->expires >= now) {
        pthread_mutex_unlock(&r->mu);
        return HUB_SIG_REPLAY;
    }
    if (e)
        rp_remove(r, e);
    if (!r->free) {
        rp_remove(r, r->oldest);
        r->evictions++;
    }
    e = r->free;
    r->free = e->next;
    memset(e, 0, sizeof(*e));
    memcpy(e->key, key, 32);
    e->expires = rp_expiry(ts, r->window_s);
    b = rp_bucket(r, key);
    e->hnext = r->buckets[b];
    r->buckets[b] = e;
    e->prev = r->newest;
    if (r->newest)
        r->newest->next = e;
    else
        r->oldest = e;
    r->newest = e;
    pthread_mutex_unlock(&r->mu);
    return HUB_SIG_OK;
}

uint64_t hub_sig_replay_evictions(struct hub_sig_replay *r)
{
    uint64_t n;

    if (!r)
        return 0;
    pthread_mutex_lock(&r->mu);
    n = r->evictions;
    pthread_mutex_unlock(&r->mu);
    return n;
}

enum hub_sig_status hub_sig_check(const char *v, size_t vlen, struct hub_sig_header *h,
                                  const char *pub_pem, size_t pem_len, const void *body,
                                  size_t len, int64_t now, int64_t window_s,
                                  struct hub_sig_replay *replay)
{
    struct gm_sm2_key *pub = NULL;
    enum hub_sig_status st;
    int rc;

    if (!h)
        return HUB_SIG_INTERNAL;
    if (v) {
        st = hub_sig_parse(v, vlen, h);
        if (st != HUB_SIG_OK)
            return st;
    }
    st = hub_sig_check_time(h->ts, now, window_s);
    if (st != HUB_SIG_OK)
        return st;
    if (!pub_pem || pem_len == 0)
        return HUB_SIG_NO_KEY;
    rc = gm_sm2_key_load_pem(pub_pem, pem_len, &pub);
    if (rc != CS_OK)
        return rc == CS_ENOMEM ? HUB_SIG_ENOMEM : HUB_SIG_NO_KEY;
    st = hub_sig_verify(h, pub, body, len);
    gm_sm2_key_free(pub);
    if (st != HUB_SIG_OK)
        return st;
    return replay ? hub_sig_replay_check_add(replay, h->keyid, h->batch, h->ts, now) : st;
}
