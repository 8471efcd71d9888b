/* audit_test.c — the audit chain: canonical encoding, 1000-record chain with checkpoints,
 * and detection of edited, deleted, reordered and truncated records and forged checkpoints,
 * each naming the first broken record. */
#include "audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/cs_test.h"

#define N 1000
#define EVERY 100

/* An in-memory "table": records own their strings; the iterator walks an index array so
 * tests can delete or reorder rows without touching the records. */
struct row {
    struct hub_audit_rec r;
    char actor[32], action[32], target[32], before[96], after[96];
};

struct log {
    struct row *rows;
    size_t *order; /* row indexes in iteration order */
    size_t n;      /* rows in the iteration */
    size_t pos;
    struct hub_audit_ckpt *ck;
    size_t nck, ckpos;
    int fail_at; /* iterator returns CS_EIO at this position (-1: never) */
};

static int rec_iter(void *arg, struct hub_audit_rec *rec)
{
    struct log *l = arg;

    if (l->fail_at >= 0 && l->pos == (size_t)l->fail_at)
        return CS_EIO;
    if (l->pos >= l->n)
        return 0;
    *rec = l->rows[l->order[l->pos++]].r;
    return 1;
}

static int ck_iter(void *arg, struct hub_audit_ckpt *ck)
{
    struct log *l = arg;

    if (l->ckpos >= l->nck)
        return 0;
    *ck = l->ck[l->ckpos++];
    return 1;
}

static struct gm_sm2_key *hub_key;

/* Builds N records through hub_audit_chain_append with a checkpoint every EVERY records. */
static void build(struct log *l)
{
    struct hub_audit_chain c;

    memset(l, 0, sizeof(*l));
    l->fail_at = -1;
    if (!hub_key && gm_sm2_key_generate(&hub_key) != CS_OK)
        abort();
    l->rows = calloc(N + 10, sizeof(*l->rows));
    l->order = calloc(N + 10, sizeof(*l->order));
    l->ck = calloc(N / EVERY + 2, sizeof(*l->ck));
    if (!l->rows || !l->order || !l->ck)
        abort();
    hub_audit_chain_init(&c, 0, NULL, EVERY);
    for (size_t i = 0; i < N; i++) {
        struct row *w = &l->rows[i];
        snprintf(w->actor, sizeof(w->actor), "user%zu", i % 7);
        snprintf(w->action, sizeof(w->action), i % 3 ? "rule.update" : "user.login");
        snprintf(w->target, sizeof(w->target), "rule:%zu", 2000000 + i);
        snprintf(w->before, sizeof(w->before), "{\"enabled\":true,\"rev\":%zu}", i);
        snprintf(w->after, sizeof(w->after), "{\"enabled\":false,\"rev\":%zu}", i + 1);
        w->r.ts_us = 1764900000000000 + (int64_t)i * 1000;
        w->r.actor = w->actor;
        w->r.actor_type = "user";
        w->r.action = w->action;
        w->r.target = w->target;
        w->r.src_addr = i % 5 ? "10.0.0.5" : NULL;
        w->r.before = i % 3 ? w->before : NULL;
        w->r.after = w->after;
        if (hub_audit_chain_append(&c, &w->r) != CS_OK)
            abort();
        l->order[i] = i;
        if (hub_audit_chain_ckpt_due(&c)) {
            if (hub_audit_ckpt_make(hub_key, c.seq, c.hash, w->r.ts_us, &l->ck[l->nck++]) !=
                CS_OK)
                abort();
            hub_audit_chain_note(&c);
        }
    }
    l->n = N;
}

static void unbuild(struct log *l)
{
    free(l->rows);
    free(l->order);
    free(l->ck);
}

/* Runs the verifier from the start. */
static int run(struct log *l, const struct hub_audit_verify_opts *o, struct hub_audit_report *rep)
{
    l->pos = l->ckpos = 0;
    return hub_audit_verify(hub_key, rec_iter, l, ck_iter, l, o, rep);
}

/* Recomputes the hashes from record `from` on, as an attacker with write access to the
 * table (but not the hub key) would after an edit. */
static void rehash_from(struct log *l, size_t from)
{
    for (size_t i = from; i < l->n; i++) {
        struct hub_audit_rec *r = &l->rows[l->order[i]].r;
        if (i > 0)
            memcpy(r->prev_hash, l->rows[l->order[i - 1]].r.hash, 32);
        if (hub_audit_hash(r, NULL, r->hash) != CS_OK)
            abort();
    }
}

CS_TEST(chain_of_1000_verifies)
{
    struct log l;
    struct hub_audit_report rep;
    struct hub_audit_verify_opts strict = {.require_sealed_tail = true, .require_checkpoint = true};

    build(&l);
    CHECK_EQ(l.nck, 10);
    CHECK_EQ(run(&l, &strict, &rep), CS_OK);
    CHECK_EQ(rep.verdict, HUB_AUDIT_VALID);
    CHECK_EQ(rep.records, 1000);
    CHECK_EQ(rep.checkpoints, 10);
    CHECK_EQ(rep.last_good_seq, 1000);
    CHECK_EQ(rep.last_ckpt_seq, 1000);
    CHECK_EQ(rep.unsealed, 0);
    CHECK_EQ(rep.bad_seq, 0);
    CHECK_STR(rep.msg, "1000 records, 10 checkpoints, last checkpoint at 1000, 0 records after it");
    /* Without checkpoints the chain alone still verifies. */
    l.nck = 0;
    CHECK_EQ(run(&l, NULL, &rep), CS_OK);
    CHECK_EQ(rep.unsealed, 1000);
    CHECK_EQ(run(&l, &strict, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_UNSEALED);
    unbuild(&l);
}

CS_TEST(edited_field_detected)
{
    struct log l;
    struct hub_audit_report rep;

    build(&l);
    /* One character of the 'after' JSON of record 537 (row 536). */
    l.rows[536].after[12] = 't';
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_HASH);
    CHECK_EQ(rep.bad_seq, 537);
    CHECK_EQ(rep.last_good_seq, 536);
    CHECK_EQ(rep.checkpoints, 5);
    CHECK(strstr(rep.msg, "record 537 ") == rep.msg);
    CHECK(strstr(rep.msg, "record edited") != NULL);
    /* NULL turned into "": also an edit. */
    unbuild(&l);
    build(&l);
    l.rows[4].r.src_addr = ""; /* record 5 had src_addr NULL */
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_HASH);
    CHECK_EQ(rep.bad_seq, 5);
    /* The timestamp. */
    unbuild(&l);
    build(&l);
    l.rows[99].r.ts_us += 1;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.bad_seq, 100);
    unbuild(&l);
}

CS_TEST(edited_and_rehashed_detected)
{
    struct log l;
    struct hub_audit_report rep;

    build(&l);
    /* Edit record 537 and fix its own hash: the next record's link breaks. */
    strcpy(l.rows[536].actor, "mallory");
    hub_audit_hash(&l.rows[536].r, NULL, l.rows[536].r.hash);
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_LINK);
    CHECK_EQ(rep.bad_seq, 538);
    CHECK(strstr(rep.msg, "record 538: prev_hash") == rep.msg);
    /* Rewrite the whole chain after it: only the signed checkpoint at 600 catches it. */
    rehash_from(&l, 536);
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_CKPT_MISMATCH);
    CHECK_EQ(rep.bad_seq, 600);
    CHECK_EQ(rep.last_ckpt_seq, 500);
    CHECK(strstr(rep.msg, "record 600: the chain does not reproduce") == rep.msg);
    unbuild(&l);
}

CS_TEST(deleted_record_detected)
{
    struct log l;
    struct hub_audit_report rep;

    build(&l);
    /* Delete record 250: rows 250.. shift down one. */
    memmove(&l.order[249], &l.order[250], (N - 250) * sizeof(size_t));
    l.n--;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_SEQ_GAP);
    CHECK_EQ(rep.bad_seq, 250);
    CHECK_STR(rep.msg, "record 250 is missing: record 251 follows record 249 (deleted record)");
    /* Renumber the rest to hide the gap: the renumbered record's hash breaks. */
    for (size_t i = 249; i < l.n; i++)
        l.rows[l.order[i]].r.seq--;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.bad_seq, 250);
    CHECK(rep.verdict == HUB_AUDIT_BAD_LINK || rep.verdict == HUB_AUDIT_BAD_HASH);
    /* ... and rehash everything after: the checkpoint at 300 catches it. */
    rehash_from(&l, 249);
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_CKPT_MISMATCH);
    CHECK_EQ(rep.bad_seq, 300);
    unbuild(&l);
}

CS_TEST(reordered_records_detected)
{
    struct log l;
    struct hub_audit_report rep;
    size_t t;

    build(&l);
    /* Rows 700 and 701 returned in swapped order. */
    t = l.order[699], l.order[699] = l.order[700], l.order[700] = t;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_SEQ_ORDER);
    CHECK_EQ(rep.bad_seq, 700);
    CHECK_STR(rep.msg, "record 700 appears after record 701 (reordered records)");
    /* Swapped contents, seq numbers kept (what ORDER BY seq returns if seqs are swapped). */
    unbuild(&l);
    build(&l);
    uint64_t s = l.rows[699].r.seq;
    l.rows[699].r.seq = l.rows[700].r.seq;
    l.rows[700].r.seq = s;
    t = l.order[699], l.order[699] = l.order[700], l.order[700] = t;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.bad_seq, 700);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_LINK);
    /* A duplicated row. */
    unbuild(&l);
    build(&l);
    l.order[10] = l.order[9];
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_SEQ_ORDER);
    CHECK_EQ(rep.bad_seq, 10);
    CHECK_STR(rep.msg, "record 10 appears after record 10 (reordered or duplicated record)");
    unbuild(&l);
}

CS_TEST(forged_checkpoint_detected)
{
    struct log l;
    struct hub_audit_report rep;
    struct gm_sm2_key *evil = NULL;

    build(&l);
    /* Rewritten chain plus checkpoints re-signed with another key. */
    strcpy(l.rows[420].target, "rule:0");
    rehash_from(&l, 420);
    REQUIRE(gm_sm2_key_generate(&evil) == CS_OK);
    for (size_t i = 4; i < l.nck; i++) {
        struct hub_audit_ckpt *c = &l.ck[i];
        REQUIRE(hub_audit_ckpt_make(evil, c->seq, l.rows[c->seq - 1].r.hash, c->ts_us, c) ==
                CS_OK);
    }
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_CKPT_SIG);
    CHECK_EQ(rep.bad_seq, 500);
    CHECK_EQ(rep.last_good_seq, 400);
    CHECK(strstr(rep.msg, "checkpoint at seq 500: signature does not verify") == rep.msg);
    /* A checkpoint whose hash was edited to match the rewritten chain (no re-signing). */
    unbuild(&l);
    build(&l);
    strcpy(l.rows[420].target, "rule:0");
    rehash_from(&l, 420);
    for (size_t i = 4; i < l.nck; i++)
        memcpy(l.ck[i].hash, l.rows[l.ck[i].seq - 1].r.hash, 32);
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_CKPT_SIG);
    CHECK_EQ(rep.bad_seq, 500);
    /* A checkpoint moved to another seq. */
    unbuild(&l);
    build(&l);
    l.ck[2].seq = 301;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_BAD_CKPT_SIG);
    CHECK_EQ(rep.bad_seq, 301);
    /* Checkpoints out of order. */
    unbuild(&l);
    build(&l);
    struct hub_audit_ckpt tmp = l.ck[3];
    l.ck[3] = l.ck[4];
    l.ck[4] = tmp;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_CKPT_ORDER);
    CHECK_EQ(rep.bad_seq, 400);
    gm_sm2_key_free(evil);
    unbuild(&l);
}

CS_TEST(truncated_tail_detected)
{
    struct log l;
    struct hub_audit_report rep;

    build(&l);
    l.n = 950; /* the last 50 records deleted; the checkpoint at 1000 remains */
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_TRUNCATED);
    CHECK_EQ(rep.bad_seq, 1000);
    CHECK_STR(rep.msg, "checkpoint at seq 1000 but the log ends at record 950 (records deleted "
                       "from the end)");
    unbuild(&l);
}

CS_TEST(unsealed_tail_and_read_error)
{
    struct log l;
    struct hub_audit_report rep;
    struct hub_audit_chain c;
    struct hub_audit_verify_opts strict = {.require_sealed_tail = true};

    build(&l);
    /* Resume the chain from the stored head (as the hub does at start) and add 3 records. */
    hub_audit_chain_init(&c, 1000, l.rows[999].r.hash, EVERY);
    for (size_t i = N; i < N + 3; i++) {
        l.rows[i].r = (struct hub_audit_rec){.ts_us = 1, .action = "hub.stop"};
        REQUIRE(hub_audit_chain_append(&c, &l.rows[i].r) == CS_OK);
        l.order[i] = i;
    }
    l.n = N + 3;
    CHECK_EQ(l.rows[N + 2].r.seq, 1003);
    CHECK_EQ(run(&l, NULL, &rep), CS_OK);
    CHECK_EQ(rep.unsealed, 3);
    CHECK_EQ(run(&l, &strict, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_UNSEALED);
    CHECK_EQ(rep.bad_seq, 1001);
    CHECK_STR(rep.msg, "records 1001..1003 are not covered by a checkpoint");
    /* The shutdown checkpoint seals them. */
    REQUIRE(hub_audit_ckpt_make(hub_key, c.seq, c.hash, 2, &l.ck[l.nck++]) == CS_OK);
    CHECK_EQ(run(&l, &strict, &rep), CS_OK);
    CHECK_EQ(rep.checkpoints, 11);
    /* An iterator failure is reported as such. */
    l.fail_at = 10;
    CHECK_EQ(run(&l, NULL, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_READ_ERROR);
    CHECK_EQ(rep.bad_seq, 11);
    CHECK_EQ(hub_audit_verify(NULL, rec_iter, &l, NULL, NULL, NULL, &rep), CS_EINVAL);
    unbuild(&l);
}

CS_TEST(empty_log)
{
    struct log l = {.fail_at = -1};
    struct hub_audit_report rep;
    struct hub_audit_verify_opts need = {.require_checkpoint = true};
    size_t dummy = 0;

    if (!hub_key)
        REQUIRE(gm_sm2_key_generate(&hub_key) == CS_OK);
    l.order = &dummy;
    CHECK_EQ(run(&l, NULL, &rep), CS_OK);
    CHECK_EQ(rep.records, 0);
    CHECK_EQ(run(&l, &need, &rep), CS_ERR);
    CHECK_EQ(rep.verdict, HUB_AUDIT_UNSEALED);
}

/* The canonical encoding, byte by byte, and hash = SM3(prev || encoding). */
CS_TEST(encoding_is_canonical)
{
    struct hub_audit_rec r = {.seq = 2, .ts_us = 258, .actor = "al", .actor_type = "user",
                              .action = "x", .target = "", .src_addr = NULL,
                              .before = NULL, .after = "{}"};
    static const uint8_t want[] = {
        'C', 'S', 'A', 'U', 'D', 'I', 'T', '1', 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 2,
        0, 0, 0, 2, 'a', 'l', 0, 0, 0, 4, 'u', 's', 'e', 'r', 0, 0, 0, 1, 'x', 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, '{', '}'};
    uint8_t *enc = NULL, buf[256], h1[32], h2[32];
    size_t len = 0;

    REQUIRE(hub_audit_encode(&r, &enc, &len) == CS_OK);
    CHECK_EQ(len, sizeof(want));
    CHECK(len == sizeof(want) && memcmp(enc, want, len) == 0);
    memset(r.prev_hash, 0xab, 32);
    memcpy(buf, r.prev_hash, 32);
    memcpy(buf + 32, enc, len);
    REQUIRE(gm_sm3(buf, 32 + len, h1) == CS_OK);
    REQUIRE(hub_audit_hash(&r, NULL, h2) == CS_OK);
    CHECK(memcmp(h1, h2, 32) == 0);
    cs_free(enc);
    /* Field boundaries cannot be shifted: ("al","user") != ("a","luser"). */
    struct hub_audit_rec s = r;
    s.actor = "a";
    s.actor_type = "luser";
    REQUIRE(hub_audit_hash(&s, NULL, h1) == CS_OK);
    CHECK(memcmp(h1, h2, 32) != 0);
    /* NULL and "" differ. */
    s = r;
    s.src_addr = "";
    REQUIRE(hub_audit_hash(&s, NULL, h1) == CS_OK);
    CHECK(memcmp(h1, h2, 32) != 0);
    /* prev_hash is bound. */
    s = r;
    s.prev_hash[31] ^= 1;
    REQUIRE(hub_audit_hash(&s, NULL, h1) == CS_OK);
    CHECK(memcmp(h1, h2, 32) != 0);
}

CS_TEST(hex_and_chain_helpers)
{
    uint8_t h[32], back[32];
    char hex[HUB_AUDIT_HEX_LEN + 1];
    struct hub_audit_chain c;

    for (int i = 0; i < 32; i++)
        h[i] = (uint8_t)(i * 9);
    hub_audit_hex(h, hex);
    CHECK_EQ(strlen(hex), 64);
    CHECK(strncmp(hex, "000912", 6) == 0);
    CHECK_EQ(hub_audit_hex_decode(hex, back), CS_OK);
    CHECK(memcmp(h, back, 32) == 0);
    hex[5] = 'g';
    CHECK_EQ(hub_audit_hex_decode(hex, back), CS_EINVAL);
    CHECK_EQ(hub_audit_hex_decode("00", back), CS_EINVAL);
    hub_audit_chain_init(&c, 0, NULL, 2);
    CHECK(!hub_audit_chain_ckpt_due(&c));
    struct hub_audit_rec r = {.action = "a"};
    REQUIRE(hub_audit_chain_append(&c, &r) == CS_OK);
    CHECK_EQ(r.seq, 1);
    CHECK(!hub_audit_chain_ckpt_due(&c));
    REQUIRE(hub_audit_chain_append(&c, &r) == CS_OK);
    CHECK_EQ(r.seq, 2);
    CHECK(hub_audit_chain_ckpt_due(&c));
    hub_audit_chain_note(&c);
    CHECK(!hub_audit_chain_ckpt_due(&c));
    /* Checkpoint needs a private key and seq >= 1. */
    struct hub_audit_ckpt ck;
    if (!hub_key)
        REQUIRE(gm_sm2_key_generate(&hub_key) == CS_OK);
    CHECK_EQ(hub_audit_ckpt_make(hub_key, 0, h, 0, &ck), CS_EINVAL);
    REQUIRE(hub_audit_ckpt_make(hub_key, 7, h, 5, &ck) == CS_OK);
    CHECK_EQ(hub_audit_ckpt_verify(hub_key, &ck), CS_OK);
    ck.ts_us++;
    CHECK_EQ(hub_audit_ckpt_verify(hub_key, &ck), CS_ERR);
}

CS_TEST_MAIN()
