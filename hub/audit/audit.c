/* audit.c — the audit hash chain: canonical record encoding, SM3 chaining, SM2-signed
 * checkpoints and the verifier (see audit.h for the formats). */
#include "audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#define MAGIC_LEN 8
#define CKPT_MAGIC_LEN 27
#define NULL_LEN 0xFFFFFFFFu
#define NFIELDS 7

static void be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        *p++ = (uint8_t)(v >> (8 * i));
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void fields_of(const struct hub_audit_rec *r, const char *f[NFIELDS])
{
    f[0] = r->actor;
    f[1] = r->actor_type;
    f[2] = r->action;
    f[3] = r->target;
    f[4] = r->src_addr;
    f[5] = r->before;
    f[6] = r->after;
}

/* Field lengths; false when one is too long. */
static bool field_lens(const char *f[NFIELDS], size_t len[NFIELDS])
{
    for (int i = 0; i < NFIELDS; i++) {
        len[i] = f[i] ? strnlen(f[i], HUB_AUDIT_FIELD_MAX + 1) : 0;
        if (len[i] > HUB_AUDIT_FIELD_MAX)
            return false;
    }
    return true;
}

static size_t header_of(const struct hub_audit_rec *r, uint8_t h[MAGIC_LEN + 16])
{
    memcpy(h, HUB_AUDIT_MAGIC, MAGIC_LEN);
    be64(h + MAGIC_LEN, r->seq);
    be64(h + MAGIC_LEN + 8, (uint64_t)r->ts_us);
    return MAGIC_LEN + 16;
}

int hub_audit_encode(const struct hub_audit_rec *r, uint8_t **out, size_t *len)
{
    const char *f[NFIELDS];
    size_t fl[NFIELDS], total = MAGIC_LEN + 16, o;
    uint8_t *b;

    if (!r || !out || !len)
        return CS_EINVAL;
    *out = NULL;
    *len = 0;
    fields_of(r, f);
    if (!field_lens(f, fl))
        return CS_EINVAL;
    for (int i = 0; i < NFIELDS; i++)
        total += 4 + fl[i];
    b = cs_malloc(total);
    if (!b)
        return CS_ENOMEM;
    o = header_of(r, b);
    for (int i = 0; i < NFIELDS; i++) {
        be32(b + o, f[i] ? (uint32_t)fl[i] : NULL_LEN);
        o += 4;
        if (fl[i])
            memcpy(b + o, f[i], fl[i]);
        o += fl[i];
    }
    *out = b;
    *len = total;
    return CS_OK;
}

int hub_audit_hash(const struct hub_audit_rec *r, const uint8_t *prev,
                   uint8_t out[HUB_AUDIT_HASH_LEN])
{
    const char *f[NFIELDS];
    size_t fl[NFIELDS];
    uint8_t hdr[MAGIC_LEN + 16], l[4];
    struct gm_sm3_ctx *c;
    int rc = CS_OK;

    if (!r || !out)
        return CS_EINVAL;
    fields_of(r, f);
    if (!field_lens(f, fl))
        return CS_EINVAL;
    c = gm_sm3_ctx_new();
    if (!c)
        return CS_ENOMEM;
    header_of(r, hdr);
    rc = gm_sm3_update(c, prev ? prev : r->prev_hash, HUB_AUDIT_HASH_LEN);
    if (rc == CS_OK)
        rc = gm_sm3_update(c, hdr, sizeof(hdr));
    for (int i = 0; i < NFIELDS && rc == CS_OK; i++) {
        be32(l, f[i] ? (uint32_t)fl[i] : NULL_LEN);
        rc = gm_sm3_update(c, l, 4);
        if (rc == CS_OK && fl[i])
            rc = gm_sm3_update(c, f[i], fl[i]);
    }
    if (rc == CS_OK)
        rc = gm_sm3_final(c, out);
    gm_sm3_ctx_free(c);
    return rc;
}

void hub_audit_hex(const uint8_t h[HUB_AUDIT_HASH_LEN], char out[HUB_AUDIT_HEX_LEN + 1])
{
    static const char hx[] = "0123456789abcdef";

    for (size_t i = 0; i < HUB_AUDIT_HASH_LEN; i++) {
        out[2 * i] = hx[h[i] >> 4];
        out[2 * i + 1] = hx[h[i] & 15];
    }
    out[HUB_AUDIT_HEX_LEN] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hub_audit_hex_decode(const char *s, uint8_t h[HUB_AUDIT_HASH_LEN])
{
    uint8_t tmp[HUB_AUDIT_HASH_LEN];

    if (!s || !h || strnlen(s, HUB_AUDIT_HEX_LEN + 1) != HUB_AUDIT_HEX_LEN)
        return CS_EINVAL;
    for (size_t i = 0; i < HUB_AUDIT_HASH_LEN; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return CS_EINVAL;
        tmp[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(h, tmp, sizeof(tmp));
    return CS_OK;
}

/* ---- appending ------------------------------------------------------------------------ */

void hub_audit_chain_init(struct hub_audit_chain *c, uint64_t last_seq,
                          const uint8_t *last_hash, uint32_t ckpt_every)
{
    memset(c, 0, sizeof(*c));
    c->seq = last_seq;
    if (last_hash)
        memcpy(c->hash, last_hash, HUB_AUDIT_HASH_LEN);
    c->ckpt_every = ckpt_every;
}

int hub_audit_chain_append(struct hub_audit_chain *c, struct hub_audit_rec *r)
{
    uint8_t h[HUB_AUDIT_HASH_LEN];
    int rc;

    if (!c || !r || c->seq == UINT64_MAX)
        return CS_EINVAL;
    r->seq = c->seq + 1;
    memcpy(r->prev_hash, c->hash, HUB_AUDIT_HASH_LEN);
    rc = hub_audit_hash(r, NULL, h);
    if (rc != CS_OK)
        return rc;
    memcpy(r->hash, h, HUB_AUDIT_HASH_LEN);
    c->seq = r->seq;
    memcpy(c->hash, h, HUB_AUDIT_HASH_LEN);
    c->since_ckpt++;
    return CS_OK;
}

bool hub_audit_chain_ckpt_due(const struct hub_audit_chain *c)
{
    return c && c->ckpt_every > 0 && c->since_ckpt >= c->ckpt_every;
}

void hub_audit_chain_note(struct hub_audit_chain *c)
{
    if (c)
        c->since_ckpt = 0;
}

/* ---- checkpoints ---------------------------------------------------------------------- */

#define CKPT_MSG_LEN (CKPT_MAGIC_LEN + 8 + HUB_AUDIT_HASH_LEN + 8)

static void ckpt_message(uint64_t seq, const uint8_t hash[HUB_AUDIT_HASH_LEN], int64_t ts_us,
                         uint8_t m[CKPT_MSG_LEN])
{
    memcpy(m, HUB_AUDIT_CKPT_MAGIC, CKPT_MAGIC_LEN);
    be64(m + CKPT_MAGIC_LEN, seq);
    memcpy(m + CKPT_MAGIC_LEN + 8, hash, HUB_AUDIT_HASH_LEN);
    be64(m + CKPT_MAGIC_LEN + 8 + HUB_AUDIT_HASH_LEN, (uint64_t)ts_us);
}

int hub_audit_ckpt_make(const struct gm_sm2_key *hub_key, uint64_t seq,
                        const uint8_t hash[HUB_AUDIT_HASH_LEN], int64_t ts_us,
                        struct hub_audit_ckpt *out)
{
    uint8_t m[CKPT_MSG_LEN];
    int rc;

    if (!out)
        return CS_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!hub_key || !hash || seq == 0 || !gm_sm2_key_has_private(hub_key))
        return CS_EINVAL;
    ckpt_message(seq, hash, ts_us, m);
    out->siglen = sizeof(out->sig);
    rc = gm_sm2_sign(hub_key, gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, m, sizeof(m), out->sig,
                     &out->siglen);
    if (rc != CS_OK) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->seq = seq;
    memcpy(out->hash, hash, HUB_AUDIT_HASH_LEN);
    out->ts_us = ts_us;
    return CS_OK;
}

int hub_audit_ckpt_verify(const struct gm_sm2_key *hub_pub, const struct hub_audit_ckpt *c)
{
    uint8_t m[CKPT_MSG_LEN];

    if (!hub_pub || !c || c->siglen == 0 || c->siglen > sizeof(c->sig))
        return CS_EINVAL;
    ckpt_message(c->seq, c->hash, c->ts_us, m);
    return gm_sm2_verify(hub_pub, gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, m, sizeof(m), c->sig,
                         c->siglen) == CS_OK
               ? CS_OK
               : CS_ERR;
}

/* ---- verification --------------------------------------------------------------------- */

const char *hub_audit_verdict_str(enum hub_audit_verdict v)
{
    switch (v) {
    case HUB_AUDIT_VALID:
        return "valid";
    case HUB_AUDIT_BAD_HASH:
        return "record edited (hash mismatch)";
    case HUB_AUDIT_BAD_LINK:
        return "chain broken (prev_hash mismatch)";
    case HUB_AUDIT_SEQ_GAP:
        return "record missing (seq gap)";
    case HUB_AUDIT_SEQ_ORDER:
        return "records out of order or duplicated";
    case HUB_AUDIT_BAD_CKPT_SIG:
        return "checkpoint signature invalid";
    case HUB_AUDIT_CKPT_MISMATCH:
        return "checkpoint does not match the chain";
    case HUB_AUDIT_CKPT_ORDER:
        return "checkpoints out of order";
    case HUB_AUDIT_TRUNCATED:
        return "log truncated (checkpoint beyond the last record)";
    case HUB_AUDIT_UNSEALED:
        return "records not covered by a checkpoint";
    case HUB_AUDIT_READ_ERROR:
        return "read error";
    case HUB_AUDIT_INTERNAL:
        return "internal error";
    }
    return "unknown verdict";
}

__attribute__((format(printf, 4, 5))) static int fail(struct hub_audit_report *rep,
                                                      enum hub_audit_verdict v, uint64_t seq,
                                                      const char *fmt, ...)
{
    va_list ap;

    rep->verdict = v;
    rep->bad_seq = seq;
    va_start(ap, fmt);
    vsnprintf(rep->msg, sizeof(rep->msg), fmt, ap);
    va_end(ap);
    return CS_ERR;
}

/* The verifier's walk state: the pending checkpoint (next one not yet matched). */
struct walk {
    const struct gm_sm2_key *pub;
    hub_audit_ckpt_iter ckpts;
    void *ckpt_arg;
    struct hub_audit_ckpt ck;
    bool have_ck; /* ck holds the next checkpoint */
    bool ck_done; /* iterator exhausted */
    uint64_t prev_ck_seq;
};

/* Fetches the next checkpoint into w->ck, checking order and signature. CS_OK (w->have_ck
 * tells whether one came), CS_ERR after filling rep. */
static int next_ckpt(struct walk *w, struct hub_audit_report *rep)
{
    int rc;

    w->have_ck = false;
    if (!w->ckpts || w->ck_done)
        return CS_OK;
    memset(&w->ck, 0, sizeof(w->ck));
    rc = w->ckpts(w->ckpt_arg, &w->ck);
    if (rc < 0)
        return fail(rep, HUB_AUDIT_READ_ERROR, 0, "reading checkpoints failed: %s",
                    cs_strerror(rc));
    if (rc == 0) {
        w->ck_done = true;
        return CS_OK;
    }
    if (w->ck.seq == 0 || w->ck.seq <= w->prev_ck_seq)
        return fail(rep, HUB_AUDIT_CKPT_ORDER, w->ck.seq,
                    "checkpoint at seq %" PRIu64 " follows checkpoint at seq %" PRIu64
                    " (checkpoints reordered, duplicated or invalid)",
                    w->ck.seq, w->prev_ck_seq);
    if (hub_audit_ckpt_verify(w->pub, &w->ck) != CS_OK)
        return fail(rep, HUB_AUDIT_BAD_CKPT_SIG, w->ck.seq,
                    "checkpoint at seq %" PRIu64
                    ": signature does not verify under the hub key (forged or altered "
                    "checkpoint)",
                    w->ck.seq);
    w->prev_ck_seq = w->ck.seq;
    w->have_ck = true;
    return CS_OK;
}

int hub_audit_verify(const struct gm_sm2_key *hub_pub, hub_audit_rec_iter recs, void *rec_arg,
                     hub_audit_ckpt_iter ckpts, void *ckpt_arg,
                     const struct hub_audit_verify_opts *opts, struct hub_audit_report *rep)
{
    struct hub_audit_verify_opts o = {0};
    struct walk w = {.pub = hub_pub, .ckpts = ckpts, .ckpt_arg = ckpt_arg};
    uint8_t prev[HUB_AUDIT_HASH_LEN] = {0}, h[HUB_AUDIT_HASH_LEN];
    uint64_t expect = 1;
    struct hub_audit_rec r;
    int rc;

    if (!rep)
        return CS_EINVAL;
    memset(rep, 0, sizeof(*rep));
    if (!hub_pub || !recs) {
        fail(rep, HUB_AUDIT_INTERNAL, 0, "verifier called without key or record iterator");
        return CS_EINVAL;
    }
    if (opts)
        o = *opts;
    if (next_ckpt(&w, rep) != CS_OK)
        return CS_ERR;

    for (;;) {
        memset(&r, 0, sizeof(r));
        rc = recs(rec_arg, &r);
        if (rc < 0)
            return fail(rep, HUB_AUDIT_READ_ERROR, expect,
                        "reading record %" PRIu64 " failed: %s", expect, cs_strerror(rc));
        if (rc == 0)
            break;
        rep->records++;
        if (r.seq != expect) {
            if (r.seq > expect) {
                /* A gap, unless the missing record comes right after (swapped rows). */
                uint64_t got = r.seq;
                memset(&r, 0, sizeof(r));
                rc = recs(rec_arg, &r);
                if (rc > 0 && r.seq == expect)
                    return fail(rep, HUB_AUDIT_SEQ_ORDER, expect,
                                "record %" PRIu64 " appears after record %" PRIu64
                                " (reordered records)",
                                expect, got);
                return fail(rep, HUB_AUDIT_SEQ_GAP, expect,
                            "record %" PRIu64 " is missing: record %" PRIu64
                            " follows record %" PRIu64 " (deleted record)",
                            expect, got, expect - 1);
            }
            return fail(rep, HUB_AUDIT_SEQ_ORDER, r.seq,
                        "record %" PRIu64 " appears after record %" PRIu64
                        " (reordered or duplicated record)",
                        r.seq, expect - 1);
        }
        if (!gm_mem_equal(r.prev_hash, prev, HUB_AUDIT_HASH_LEN))
            return fail(rep, HUB_AUDIT_BAD_LINK, r.seq,
                        "record %" PRIu64 ": prev_hash is not the hash of record %" PRIu64
                        " (a record before it was deleted, inserted or rewritten)",
                        r.seq, r.seq - 1);
        rc = hub_audit_hash(&r, prev, h);
        if (rc != CS_OK)
            return fail(rep, rc == CS_EINVAL ? HUB_AUDIT_BAD_HASH : HUB_AUDIT_INTERNAL, r.seq,
                        "record %" PRIu64 ": cannot hash: %s", r.seq, cs_strerror(rc));
        if (!gm_mem_equal(h, r.hash, HUB_AUDIT_HASH_LEN))
            return fail(rep, HUB_AUDIT_BAD_HASH, r.seq,
                        "record %" PRIu64 " (action '%.40s', actor '%.40s'): stored hash does "
                        "not match its contents (record edited)",
                        r.seq, r.action ? r.action : "", r.actor ? r.actor : "");
        memcpy(prev, h, HUB_AUDIT_HASH_LEN);
        rep->last_good_seq = r.seq;
        if (w.have_ck && w.ck.seq == r.seq) {
            if (!gm_mem_equal(w.ck.hash, h, HUB_AUDIT_HASH_LEN))
                return fail(rep, HUB_AUDIT_CKPT_MISMATCH, r.seq,
                            "record %" PRIu64 ": the chain does not reproduce the signed "
                            "checkpoint hash (records up to %" PRIu64 " rewritten)",
                            r.seq, r.seq);
            rep->checkpoints++;
            rep->last_ckpt_seq = r.seq;
            if (next_ckpt(&w, rep) != CS_OK)
                return CS_ERR;
        }
        if (expect == UINT64_MAX)
            break;
        expect++;
    }
    if (w.have_ck)
        return fail(rep, HUB_AUDIT_TRUNCATED, w.ck.seq,
                    "checkpoint at seq %" PRIu64 " but the log ends at record %" PRIu64
                    " (records deleted from the end)",
                    w.ck.seq, rep->last_good_seq);
    rep->unsealed = rep->last_good_seq - rep->last_ckpt_seq;
    if (o.require_checkpoint && rep->last_ckpt_seq == 0)
        return fail(rep, HUB_AUDIT_UNSEALED, rep->last_good_seq ? 1 : 0,
                    "no checkpoint covers the log (%" PRIu64 " records)", rep->records);
    if (o.require_sealed_tail && rep->unsealed > 0)
        return fail(rep, HUB_AUDIT_UNSEALED, rep->last_ckpt_seq + 1,
                    "records %" PRIu64 "..%" PRIu64 " are not covered by a checkpoint",
                    rep->last_ckpt_seq + 1, rep->last_good_seq);
    rep->verdict = HUB_AUDIT_VALID;
    snprintf(rep->msg, sizeof(rep->msg),
             "%" PRIu64 " records, %" PRIu64 " checkpoints, last checkpoint at %" PRIu64
             ", %" PRIu64 " records after it",
             rep->records, rep->checkpoints, rep->last_ckpt_seq, rep->unsealed);
    return CS_OK;
}
