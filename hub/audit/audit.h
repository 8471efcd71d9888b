/* audit.h — the hub's tamper-evident audit log: an SM3 hash chain of records with SM2-signed
 * checkpoints, its verifier, and the hub's SM2 key pair.
 *
 * Pure library: no database. The store keeps records and checkpoints in its tables (SQLite or
 * PostgreSQL) and hands them back to the verifier through iterator callbacks.
 *
 * Record chain. Records are numbered seq = 1, 2, 3, … without gaps. Each record's
 *     hash = SM3(prev_hash || encoding(record))
 * where prev_hash is the previous record's hash (32 zero bytes for seq 1) and encoding is the
 * canonical byte string below. Changing, deleting, inserting or reordering any record breaks
 * the chain from that point on.
 *
 * Canonical encoding (integers big-endian, no padding, nothing optional):
 *     "CSAUDIT1"                         8 bytes, format version
 *     u64 seq
 *     i64 ts_us                          microseconds since the epoch
 *     then 7 fields in this order: actor, actor_type, action, target, src_addr, before, after
 *     each as u32 length || bytes, or u32 0xFFFFFFFF for NULL (so NULL != "")
 * Field bytes are taken as they are (no Unicode or JSON normalisation): the store must give
 * back exactly the bytes it was given. Each field is at most HUB_AUDIT_FIELD_MAX bytes.
 *
 * Checkpoints. Every N records (the caller's choice, see hub_audit_chain_note) and at
 * shutdown the hub signs (seq, hash of record seq) with its SM2 private key:
 *     M = "citysoc-audit-checkpoint-v1" (27 bytes) || u64 seq || hash (32) || i64 ts_us
 * signed with SM2/SM3, default distinguishing ID "1234567812345678". A checkpoint pins the
 * whole chain up to seq: recomputing the chain after an edit (an attacker with database
 * write access can do that) does not reproduce the signed hash unless the attacker also has
 * the hub's private key.
 *
 * Thread safety: the functions are thread-safe except that one struct hub_audit_chain must
 * be used by one thread at a time (the store serialises appends in its transaction). */
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../gm/gm.h"
#include "../../lib/cs.h"

#define HUB_AUDIT_HASH_LEN GM_SM3_DIGEST_LEN       /* 32 */
#define HUB_AUDIT_HEX_LEN (2 * HUB_AUDIT_HASH_LEN) /* 64, hex form without NUL */
#define HUB_AUDIT_FIELD_MAX (1u << 24)             /* 16 MiB per field */
#define HUB_AUDIT_MAGIC "CSAUDIT1"
#define HUB_AUDIT_CKPT_MAGIC "citysoc-audit-checkpoint-v1"

/* One audit record. The strings are NUL-terminated and borrowed (the record does not own
 * them); NULL means "absent" and is hashed differently from "". before/after are JSON
 * documents (the object's state before and after the action) or NULL. */
struct hub_audit_rec {
    uint64_t seq;
    int64_t ts_us;
    const char *actor;      /* user name, token id, sensor id, "system" */
    const char *actor_type; /* "user", "token", "sensor", "system" — free text, hashed */
    const char *action;     /* "user.create", "rule.update", "login.fail", … */
    const char *target;     /* the object acted on, e.g. "user:42" */
    const char *src_addr;   /* client address as text, or NULL */
    const char *before;     /* JSON or NULL */
    const char *after;      /* JSON or NULL */
    uint8_t prev_hash[HUB_AUDIT_HASH_LEN];
    uint8_t hash[HUB_AUDIT_HASH_LEN];
};

/* Canonical encoding of r (fields as above; prev_hash and hash are not part of it) into a
 * new buffer *out (caller frees with cs_free), *len its length. CS_OK, CS_EINVAL (a field
 * longer than HUB_AUDIT_FIELD_MAX), CS_ENOMEM. */
int hub_audit_encode(const struct hub_audit_rec *r, uint8_t **out, size_t *len);

/* Computes SM3(prev || encoding(r)) into out[32] without building the encoding in memory.
 * prev is r->prev_hash when NULL. CS_OK, CS_EINVAL, CS_ENOMEM. */
int hub_audit_hash(const struct hub_audit_rec *r, const uint8_t *prev,
                   uint8_t out[HUB_AUDIT_HASH_LEN]);

/* Lowercase hex of a hash (for TEXT columns): out gets 64 characters and a NUL. Parse back
 * with hub_audit_hex_decode: CS_OK or CS_EINVAL (not exactly 64 hex digits). */
void hub_audit_hex(const uint8_t h[HUB_AUDIT_HASH_LEN], char out[HUB_AUDIT_HEX_LEN + 1]);
int hub_audit_hex_decode(const char *s, uint8_t h[HUB_AUDIT_HASH_LEN]);

/* ---- appending (the writer side) ---------------------------------------------------------- */

/* The head of the chain as the writer knows it. Initialise it from the last stored record
 * (seq 0 and a NULL hash for an empty log) when the hub starts. */
struct hub_audit_chain {
    uint64_t seq;                     /* seq of the last record, 0 when empty */
    uint8_t hash[HUB_AUDIT_HASH_LEN]; /* its hash; zeros when empty */
    uint64_t since_ckpt;              /* records appended since the last checkpoint */
    uint32_t ckpt_every;              /* checkpoint interval N (0 = only explicit ones) */
};

/* last_hash may be NULL when last_seq == 0. ckpt_every: see hub_audit_chain_note. */
void hub_audit_chain_init(struct hub_audit_chain *c, uint64_t last_seq,
                          const uint8_t *last_hash, uint32_t ckpt_every);

/* Assigns r->seq = c->seq + 1, r->prev_hash = c->hash, computes r->hash, and advances c. The
 * caller stores r (in the same transaction as the action it records) and, if that fails,
 * restores c from its copy taken before the call. Returns CS_OK, or an error from
 * hub_audit_hash (c unchanged). */
int hub_audit_chain_append(struct hub_audit_chain *c, struct hub_audit_rec *r);

/* True when a checkpoint is due: ckpt_every > 0 and at least ckpt_every records were
 * appended since the last checkpoint. Call hub_audit_chain_note after storing one. */
bool hub_audit_chain_ckpt_due(const struct hub_audit_chain *c);
/* Notes that a checkpoint over the current head was made. */
void hub_audit_chain_note(struct hub_audit_chain *c);

/* ---- checkpoints ---------------------------------------------------------------------------- */

struct hub_audit_ckpt {
    uint64_t seq;                     /* the record it covers (>= 1) */
    uint8_t hash[HUB_AUDIT_HASH_LEN]; /* that record's hash */
    int64_t ts_us;                    /* when the checkpoint was made */
    uint8_t sig[GM_SM2_SIG_MAX];      /* DER SM2 signature */
    size_t siglen;
};

/* Signs (seq, hash, ts_us) with the hub's private key into *out. CS_OK, CS_EINVAL (seq 0,
 * key without private part), CS_ERR (libcrypto). */
int hub_audit_ckpt_make(const struct gm_sm2_key *hub_key, uint64_t seq,
                        const uint8_t hash[HUB_AUDIT_HASH_LEN], int64_t ts_us,
                        struct hub_audit_ckpt *out);

/* Checks c's signature with the hub's (public) key: CS_OK when valid, CS_ERR when not,
 * CS_EINVAL for bad arguments. */
int hub_audit_ckpt_verify(const struct gm_sm2_key *hub_pub, const struct hub_audit_ckpt *c);

/* ---- verification ---------------------------------------------------------------------------- */

/* Iterators over the stored log, in ascending seq order (ORDER BY seq). Each call fills *rec /
 * *ck with the next item and returns 1, returns 0 at the end, or a negative CS_* code on a
 * read error (the verifier stops and reports HUB_AUDIT_READ_ERROR). Strings filled into rec
 * must stay valid until the next call. */
typedef int (*hub_audit_rec_iter)(void *arg, struct hub_audit_rec *rec);
typedef int (*hub_audit_ckpt_iter)(void *arg, struct hub_audit_ckpt *ck);

enum hub_audit_verdict {
    HUB_AUDIT_VALID = 0,      /* chain and every checkpoint check out */
    HUB_AUDIT_BAD_HASH,       /* a record's stored hash does not match its contents */
    HUB_AUDIT_BAD_LINK,       /* prev_hash is not the previous record's hash */
    HUB_AUDIT_SEQ_GAP,        /* a seq is missing (record deleted) */
    HUB_AUDIT_SEQ_ORDER,      /* seq repeats or goes backwards (reordered / duplicated) */
    HUB_AUDIT_BAD_CKPT_SIG,   /* a checkpoint's signature does not verify (forged) */
    HUB_AUDIT_CKPT_MISMATCH,  /* a validly signed checkpoint disagrees with the chain */
    HUB_AUDIT_CKPT_ORDER,     /* checkpoints not in ascending seq order */
    HUB_AUDIT_TRUNCATED,      /* a checkpoint covers a seq beyond the last record */
    HUB_AUDIT_UNSEALED,       /* records after the last checkpoint, when opts require none */
    HUB_AUDIT_READ_ERROR,     /* an iterator returned an error */
    HUB_AUDIT_INTERNAL,       /* bad arguments, allocation failure */
};

const char *hub_audit_verdict_str(enum hub_audit_verdict v);

struct hub_audit_verify_opts {
    /* When true, records after the last checkpoint make the log invalid (HUB_AUDIT_UNSEALED);
     * use it after a clean shutdown, which always writes a final checkpoint. */
    bool require_sealed_tail;
    /* When true, an empty log or a log without any checkpoint is HUB_AUDIT_UNSEALED too. */
    bool require_checkpoint;
};

struct hub_audit_report {
    enum hub_audit_verdict verdict;
    uint64_t records;          /* records read before stopping */
    uint64_t checkpoints;      /* checkpoints verified (signature and match) */
    uint64_t last_good_seq;    /* last record whose hash and link checked out */
    uint64_t last_ckpt_seq;    /* seq of the last good checkpoint (0 = none) */
    uint64_t unsealed;         /* records after last_ckpt_seq */
    uint64_t bad_seq;          /* the first broken record (or checkpoint's seq); 0 if none */
    char msg[256];             /* "record 17: stored hash does not match its contents …" */
};

/* Walks every record (recs) and every checkpoint (ckpts; may be NULL for none) in seq order
 * and checks: seq starts at 1 and increases by 1; prev_hash links; hash recomputes; each
 * checkpoint verifies under hub_pub and its (seq, hash) equals the chain's. Stops at the first
 * problem and reports it (verdict, bad_seq, msg). opts may be NULL (both false).
 * Returns CS_OK when the log is valid, CS_ERR when a problem was found (see *rep),
 * CS_EINVAL for bad arguments. Memory use is constant (one record at a time). */
int hub_audit_verify(const struct gm_sm2_key *hub_pub, hub_audit_rec_iter recs, void *rec_arg,
                     hub_audit_ckpt_iter ckpts, void *ckpt_arg,
                     const struct hub_audit_verify_opts *opts, struct hub_audit_report *rep);

/* ---- the hub's key pair (hubkey.c) ----------------------------------------------------------- */

/* Loads the hub's SM2 private key from priv_path (PEM). If the file does not exist, creates
 * a new key pair and writes priv_path (mode 0600, created exclusively: O_CREAT|O_EXCL, so two
 * hubs starting at once cannot both create one) and, if pub_path is not NULL, the public key
 * (mode 0644; rewritten from the private key whenever it is missing). A private key file
 * readable or writable by group or others is refused (CS_EINVAL, like ssh). *created (may be
 * NULL) tells whether a key was made. Returns CS_OK, CS_EINVAL (bad permissions, not an SM2
 * private key), CS_EIO, CS_ENOMEM. Not thread-safe with itself on the same path (call once
 * at start-up). */
int hub_key_load_or_create(const char *priv_path, const char *pub_path, struct gm_sm2_key **keyp,
                           bool *created);

#endif
