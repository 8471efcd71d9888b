/* auth.h — the hub's identity primitives: password hashing, API tokens and session ids,
 * login throttling, and sensor batch signatures.
 *
 * Pure libraries: no HTTP, no database. The hub's routes and store call them; the tables
 * (users, tokens, sessions, sensors) are the store's. Every function returns CS_* codes from
 * lib/cs.h unless it says otherwise, and never aborts on anything derived from input.
 *
 *   password.c    Argon2id → PHC string, constant-time verify, needs-rehash, policy
 *   token.c       cst_… API tokens and css_… session ids, stored form = hex HMAC-SM3/SM3
 *   throttle.c    per-user and per-address failure counting with exponential backoff
 *   sensor_sig.c  X-Citysoc-Signature: SM2 signature of a sensor's upload batch
 *
 * See docs/internals/hub-security.md for the threat model behind these choices. */
#ifndef HUB_AUTH_H
#define HUB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../gm/gm.h"
#include "../../lib/cs.h"

struct cs_cfg;

/* ==== passwords (password.c) ============================================================ */

/* Argon2id parameters, plus the password policy. m_kib is the memory cost in KiB, t_cost the
 * number of passes, parallelism the lanes (the hash is computed with that many threads).
 * salt_len/hash_len in bytes. Policy: min_chars counts Unicode code points (UTF-8), max_bytes
 * bounds the input (hashing cost is linear in it, so it bounds a CPU DoS too). */
struct hub_pw_params {
    uint32_t m_kib;
    uint32_t t_cost;
    uint32_t parallelism;
    uint32_t salt_len;
    uint32_t hash_len;
    uint32_t min_chars;
    uint32_t max_bytes;
};

#define HUB_PW_DEFAULT_M_KIB (64 * 1024) /* 64 MiB */
#define HUB_PW_DEFAULT_T_COST 3
#define HUB_PW_DEFAULT_PARALLELISM 1
#define HUB_PW_DEFAULT_SALT_LEN 16
#define HUB_PW_DEFAULT_HASH_LEN 32
#define HUB_PW_DEFAULT_MIN_CHARS 12
#define HUB_PW_DEFAULT_MAX_BYTES 1024

/* Bounds accepted by hub_pw_params_check and by the PHC parser (hostile stored strings must
 * not make verify allocate gigabytes or spin for hours). */
#define HUB_PW_MIN_M_KIB 8 /* argon2 needs >= 8 * parallelism KiB */
#define HUB_PW_MAX_M_KIB (4u * 1024 * 1024) /* 4 GiB */
#define HUB_PW_MAX_T_COST 64
#define HUB_PW_MAX_PARALLELISM 16
#define HUB_PW_MIN_SALT_LEN 8
#define HUB_PW_MAX_SALT_LEN 64
#define HUB_PW_MIN_HASH_LEN 16
#define HUB_PW_MAX_HASH_LEN 64

/* Largest PHC string hub_pw_hash writes, NUL included: a buffer this big always suffices. */
#define HUB_PW_PHC_MAX 256

/* Fills p with the defaults above (m=64 MiB, t=3, p=1, 16-byte salt, 32-byte hash,
 * 12..1024). */
void hub_pw_params_default(struct hub_pw_params *p);

/* Fills p with cheap parameters for tests only (m=8 KiB, t=1, p=1; policy as default). */
void hub_pw_params_test(struct hub_pw_params *p);

/* CS_OK when every field is inside the bounds above (and m_kib >= 8 * parallelism,
 * min_chars >= 1, max_bytes >= min_chars), else CS_EINVAL. */
int hub_pw_params_check(const struct hub_pw_params *p);

/* Reads the overrides under `prefix` (e.g. "auth.password") from cfg over the values already
 * in p: <prefix>.memory (size, "64mb"), .iterations, .parallelism, .min-length,
 * .max-length. Absent keys keep p's value. On a value that does not convert or is out of
 * bounds fills err (with the source position when known) and returns CS_EINVAL; p is then
 * unchanged. Not thread-safe with respect to cfg (cs_cfg marks keys used). */
int hub_pw_params_from_cfg(struct hub_pw_params *p, const struct cs_cfg *cfg, const char *prefix,
                           struct cs_err *err);

/* Policy check of a candidate password pw[0..len) (need not be NUL-terminated): valid UTF-8,
 * no NUL or other C0 control character, at least min_chars code points, at most max_bytes.
 * Returns CS_OK, CS_EINVAL (too short, bad UTF-8, control character) or CS_ELIMIT (too long).
 * If msg is not NULL it receives a short static reason ("too short", …). Thread-safe. */
int hub_pw_policy_check(const struct hub_pw_params *p, const char *pw, size_t len,
                        const char **msg);

/* Hashes pw[0..len) with Argon2id and a fresh random salt into a PHC string
 * "$argon2id$v=19$m=65536,t=3,p=1$<salt b64>$<hash b64>" (unpadded standard base64) written
 * NUL-terminated into out[0..outcap). Does NOT apply the policy (call hub_pw_policy_check
 * first for new passwords) but refuses len > max_bytes with CS_ELIMIT. Returns CS_OK,
 * CS_EINVAL (bad params), CS_ELIMIT (out too small: HUB_PW_PHC_MAX always suffices),
 * CS_ENOMEM, CS_ERR (argon2 or RNG failure). Thread-safe; takes m_kib of memory and
 * parallelism threads for the duration of the call. */
int hub_pw_hash(const struct hub_pw_params *p, const char *pw, size_t len, char *out,
                size_t outcap);

/* A parsed PHC string. Only argon2id, version 19 is accepted. */
struct hub_pw_phc {
    uint32_t version;
    uint32_t m_kib;
    uint32_t t_cost;
    uint32_t parallelism;
    uint8_t salt[HUB_PW_MAX_SALT_LEN];
    size_t salt_len;
    uint8_t hash[HUB_PW_MAX_HASH_LEN];
    size_t hash_len;
};

/* Parses s[0..len) (need not be NUL-terminated; hostile input allowed) as an Argon2id PHC
 * string. Strict: exact "$argon2id$v=19$m=M,t=T,p=P$salt$hash" with decimal numbers without
 * sign or leading zeros, parameters inside the HUB_PW_* bounds, canonical unpadded base64.
 * Returns CS_OK or CS_EINVAL (out is then zeroed). Thread-safe. */
int hub_pw_phc_parse(const char *s, size_t len, struct hub_pw_phc *out);

/* Verifies pw[0..len) against the stored PHC string phc (NUL-terminated). The final
 * comparison is constant time (gm_mem_equal); the time otherwise depends only on the stored
 * parameters. Returns CS_OK when the password matches, CS_ERR when it does not, CS_EINVAL
 * when phc does not parse (treat as "no valid password set"), CS_ELIMIT when len exceeds
 * HUB_PW_DEFAULT_MAX_BYTES * 4 (refused without hashing), CS_ENOMEM. Thread-safe.
 * To blunt user enumeration, callers should run hub_pw_verify_dummy() for unknown users. */
int hub_pw_verify(const char *phc, const char *pw, size_t len);

/* Spends the same time as verifying against a hash made with p (hashes pw with a fixed salt
 * and discards the result). For the unknown-user path of a login. Thread-safe. */
void hub_pw_verify_dummy(const struct hub_pw_params *p, const char *pw, size_t len);

/* True when the stored phc was made with parameters other than p's (m, t, p, salt or hash
 * length) or does not parse: the caller should re-hash the password (it has it in clear
 * right after a successful verify) and store the new string. Thread-safe. */
bool hub_pw_needs_rehash(const struct hub_pw_params *p, const char *phc);

/* ==== tokens and session ids (token.c) ================================================== */

/* A token is 32 random bytes (RAND_bytes via gm_random) shown as prefix + 43 characters of
 * unpadded base64url: "cst_…" (API token, 47 chars) or "css_…" (session id, 47 chars). The
 * hub never stores the printable form: it stores (and looks rows up by) the stored form,
 * 64 lowercase hex characters of
 *     HMAC-SM3(server_key, printable)   when a server key is configured (recommended), or
 *     SM3(printable)                    when key == NULL (keylen 0).
 * The prefix is part of the hashed string, so an API token never matches as a session id.
 * A database leak therefore yields no usable token; with a server key (kept outside the
 * database) it does not even allow offline checking of guesses. */
enum hub_token_kind {
    HUB_TOKEN_API = 0,     /* "cst_" */
    HUB_TOKEN_SESSION = 1, /* "css_" */
};

#define HUB_TOKEN_RAW_LEN 32
#define HUB_TOKEN_PREFIX_API "cst_"
#define HUB_TOKEN_PREFIX_SESSION "css_"
#define HUB_TOKEN_STR_LEN 47     /* 4 + 43, without NUL */
#define HUB_TOKEN_STORED_LEN 64  /* hex, without NUL */
#define HUB_TOKEN_KEY_MAX 64     /* longest server key hub_token_* accept */

/* Creates a new token of `kind`: writes the printable form (NUL-terminated) into
 * token[HUB_TOKEN_STR_LEN + 1] (show it to the user once) and its stored form
 * (NUL-terminated) into stored[HUB_TOKEN_STORED_LEN + 1]. key[0..keylen) is the server key
 * (NULL/0 for plain SM3; keylen <= HUB_TOKEN_KEY_MAX). Returns CS_OK, CS_EINVAL, CS_ERR
 * (RNG failure). The raw bytes are wiped. Thread-safe. */
int hub_token_new(enum hub_token_kind kind, const uint8_t *key, size_t keylen,
                  char token[HUB_TOKEN_STR_LEN + 1], char stored[HUB_TOKEN_STORED_LEN + 1]);

/* Checks that s[0..len) is syntactically a token of `kind` (prefix, exactly 43 base64url
 * characters whose last one is canonical). Cheap: use it to reject garbage before any
 * lookup. Thread-safe. */
bool hub_token_well_formed(enum hub_token_kind kind, const char *s, size_t len);

/* Computes the stored form of a presented token s[0..len) (e.g. from an Authorization
 * header) into stored[HUB_TOKEN_STORED_LEN + 1]; the caller then looks the row up by it.
 * Returns CS_OK, or CS_EINVAL when s is not well formed for kind (stored is then ""). */
int hub_token_stored_form(enum hub_token_kind kind, const uint8_t *key, size_t keylen,
                          const char *s, size_t len, char stored[HUB_TOKEN_STORED_LEN + 1]);

/* Constant-time comparison of two stored forms (NUL-terminated, HUB_TOKEN_STORED_LEN
 * characters each); false when either is NULL or has another length. Use it when a row is
 * found by another key (e.g. token id) and its hash must be compared. */
bool hub_token_stored_equal(const char *a, const char *b);

/* Expiry helpers; all times are seconds since the epoch (int64). An expires_at of 0 means
 * "never". */
/* now + ttl_s, saturating; ttl_s <= 0 gives 0 (never). */
int64_t hub_token_expiry(int64_t now, int64_t ttl_s);
/* True when expires_at != 0 and now >= expires_at. */
bool hub_token_expired(int64_t now, int64_t expires_at);
/* A session is alive when now < created + absolute_ttl (if absolute_ttl > 0) and
 * now < last_seen + idle_ttl (if idle_ttl > 0), and neither time lies in the future by more
 * than 60 s (clock steps). */
bool hub_session_alive(int64_t now, int64_t created, int64_t last_seen, int64_t idle_ttl,
                       int64_t absolute_ttl);

/* ==== login throttling (throttle.c) ===================================================== */

/* Counts failed logins per user name and per source address, separately. After `free_fails`
 * failures of a key, each further failure blocks that key for
 *     min(base_delay_us << (fails - free_fails - 1), max_delay_us)
 * from the time of that failure (exponential backoff; the cap is the lockout window). A key
 * whose last failure is older than forget_us is forgotten. A login attempt is allowed only
 * when neither its user nor its address is blocked. Success clears the user's count (not the
 * address's: one valid account must not let an address reset its guessing budget).
 * Memory is bounded: at most max_entries keys (users and addresses together); when full the
 * least recently failed key is evicted. Keys are kept as SM3 digests, so long or hostile
 * names cost nothing extra. Thread-safe (one mutex). */
struct hub_throttle_cfg {
    uint32_t free_fails;     /* failures before any delay; default 3 */
    uint64_t base_delay_us;  /* first delay; default 1 s */
    uint64_t max_delay_us;   /* cap = lockout window; default 15 min */
    uint64_t forget_us;      /* forget a key this long after its last failure; default 1 h */
    uint32_t max_entries;    /* default 65536; >= 2 */
};

void hub_throttle_cfg_default(struct hub_throttle_cfg *c);

/* Clock in microseconds (any epoch, monotonic is best). NULL clock → cs_time_mono_us. */
typedef uint64_t (*hub_clock_fn)(void *arg);

struct hub_throttle;

/* New throttle with cfg (copied; NULL → defaults). Returns NULL on allocation failure or
 * invalid cfg (max_entries < 2, base_delay_us == 0, max_delay_us < base_delay_us). */
struct hub_throttle *hub_throttle_new(const struct hub_throttle_cfg *cfg, hub_clock_fn clock,
                                      void *clock_arg);
void hub_throttle_free(struct hub_throttle *t);

/* Before verifying a password: CS_OK when the attempt may proceed, CS_AGAIN when user or
 * addr is blocked; then *retry_after_us (if not NULL) gets the remaining wait (the longer of
 * the two). user/addr are NUL-terminated; either may be NULL (not checked). Does not count
 * as a failure (a blocked attempt should be answered 429 without checking the password). */
int hub_throttle_check(struct hub_throttle *t, const char *user, const char *addr,
                       uint64_t *retry_after_us);

/* Records a failed login for user and for addr (either may be NULL). */
void hub_throttle_fail(struct hub_throttle *t, const char *user, const char *addr);

/* Records a successful login: forgets user's failures. addr's count is kept. */
void hub_throttle_success(struct hub_throttle *t, const char *user);

/* Current failure count of a user / an address (0 when unknown or forgotten). For tests
 * and the admin API. */
uint32_t hub_throttle_fails_user(struct hub_throttle *t, const char *user);
uint32_t hub_throttle_fails_addr(struct hub_throttle *t, const char *addr);

/* Number of keys held, and keys evicted because the table was full, since creation. */
size_t hub_throttle_size(struct hub_throttle *t);
uint64_t hub_throttle_evictions(struct hub_throttle *t);

/* ==== sensor batch signatures (sensor_sig.c) ============================================ */

/* A sensor signs every upload batch with its SM2 private key; the hub holds the sensor's
 * public key (PEM, registered at enrolment) and checks the signature, the timestamp window
 * and that the batch id was not seen before.
 *
 * Signed message (all integers big-endian), hashed by SM2 with SM3 (e = SM3(Z_A || M)):
 *     M = "citysoc-batch-v1" (16 bytes)
 *         || u16 len(sensor_id) || sensor_id || u16 len(batch_id) || batch_id
 *         || i64 ts (seconds since the epoch) || SM3(body) (32 bytes)
 * Lengths make the concatenation unambiguous; the body enters as its SM3 digest so both sides
 * can hash large bodies incrementally. SM2 distinguishing ID: the default
 * "1234567812345678" (GM/T 0009), not the sensor id: the sensor id is already bound inside M,
 * and the default ID keeps signatures checkable by other GM tools and hardware keys
 * (USB keys) that only offer the default.
 *
 * Header (one line, name HUB_SIG_HEADER_NAME):
 *     X-Citysoc-Signature: v=1, keyid=<sensor_id>, batch=<batch_id>, ts=<unix s>, sig=<b64>
 * sig is standard base64 (padded) of the DER signature. keyid and batch are 1..64 characters
 * of [A-Za-z0-9._:-]. Parameters are in this order, separated by "," and optional spaces. */
#define HUB_SIG_HEADER_NAME "X-Citysoc-Signature"
#define HUB_SIG_ID_MAX 64
#define HUB_SIG_HEADER_MAX 384 /* longest header value hub_sig_sign writes, NUL included */
#define HUB_SIG_DEFAULT_WINDOW_S 300

enum hub_sig_status {
    HUB_SIG_OK = 0,
    HUB_SIG_MALFORMED,     /* header does not parse (syntax, version, field, base64) */
    HUB_SIG_BAD_ID,        /* keyid or batch id empty, too long or with a bad character */
    HUB_SIG_STALE,         /* ts older than now - window */
    HUB_SIG_FUTURE,        /* ts newer than now + window */
    HUB_SIG_BAD_SIGNATURE, /* signature does not verify under the given key */
    HUB_SIG_NO_KEY,        /* no / unusable public key for keyid (PEM did not load) */
    HUB_SIG_REPLAY,        /* (keyid, batch) already seen inside the window */
    HUB_SIG_ENOMEM,        /* allocation failure (retryable) */
    HUB_SIG_INTERNAL,      /* bad arguments or libcrypto failure */
};

/* Static text naming the status ("stale timestamp", …); never NULL. */
const char *hub_sig_status_str(enum hub_sig_status s);

/* A parsed header. */
struct hub_sig_header {
    char keyid[HUB_SIG_ID_MAX + 1];
    char batch[HUB_SIG_ID_MAX + 1];
    int64_t ts;
    uint8_t sig[GM_SM2_SIG_MAX];
    size_t siglen;
};

/* The 32-byte SM3 digest of M above (for logs and tests); body may be NULL when len == 0. */
enum hub_sig_status hub_sig_message_digest(const char *sensor_id, const char *batch_id,
                                           int64_t ts, const void *body, size_t len,
                                           uint8_t out[GM_SM3_DIGEST_LEN]);

/* Sensor side: signs (sensor_id, batch_id, ts, body) with key (private) and writes the
 * header VALUE (without "X-Citysoc-Signature: ") NUL-terminated into out[0..outcap)
 * (HUB_SIG_HEADER_MAX suffices). Returns HUB_SIG_OK, HUB_SIG_BAD_ID, HUB_SIG_INTERNAL (no
 * private key, out too small, libcrypto failure). Thread-safe. */
enum hub_sig_status hub_sig_sign(const struct gm_sm2_key *key, const char *sensor_id,
                                 const char *batch_id, int64_t ts, const void *body,
                                 size_t len, char *out, size_t outcap);

/* Hub side, step 1: parses the header value v[0..len) (hostile; need not be NUL-terminated)
 * into *h. Returns HUB_SIG_OK, HUB_SIG_MALFORMED or HUB_SIG_BAD_ID. The caller then finds
 * the sensor's public key by h->keyid. Thread-safe. */
enum hub_sig_status hub_sig_parse(const char *v, size_t len, struct hub_sig_header *h);

/* Timestamp window: HUB_SIG_OK when now - window_s <= ts <= now + window_s, else
 * HUB_SIG_STALE / HUB_SIG_FUTURE. window_s < 0 is treated as 0. */
enum hub_sig_status hub_sig_check_time(int64_t ts, int64_t now, int64_t window_s);

/* Verifies h's signature over body with the sensor's public key pub. Returns HUB_SIG_OK,
 * HUB_SIG_BAD_SIGNATURE, HUB_SIG_NO_KEY (pub NULL), HUB_SIG_INTERNAL. Thread-safe. */
enum hub_sig_status hub_sig_verify(const struct hub_sig_header *h, const struct gm_sm2_key *pub,
                                   const void *body, size_t len);

/* Bounded in-memory replay cache of (keyid, batch) pairs. An entry is kept for 2 * window_s
 * after its ts (older batches are refused as stale anyway, so nothing replayable is
 * forgotten early), up to max_entries; when full and nothing has expired the oldest entry is
 * evicted and counted (the store's unique (sensor, batch) constraint is the backstop: "the
 * store decides"). Thread-safe (one mutex). */
struct hub_sig_replay;
struct hub_sig_replay *hub_sig_replay_new(uint32_t max_entries, int64_t window_s);
void hub_sig_replay_free(struct hub_sig_replay *r);
/* Records (keyid, batch, ts) at time now. HUB_SIG_OK when new, HUB_SIG_REPLAY when present
 * (and not expired), HUB_SIG_ENOMEM never (entries are preallocated). */
enum hub_sig_status hub_sig_replay_check_add(struct hub_sig_replay *r, const char *keyid,
                                             const char *batch, int64_t ts, int64_t now);
uint64_t hub_sig_replay_evictions(struct hub_sig_replay *r);

/* The whole hub-side check in the safe order: parse, timestamp window, signature (the costly
 * step), and only then the replay cache (so forged requests cannot fill it). pub_pem is the
 * sensor's public key PEM (pem_len bytes) looked up by the caller from keyid — so the caller
 * parses first with hub_sig_parse to learn keyid, or passes the header it already parsed in
 * *h (then v may be NULL). replay may be NULL (store-only deduplication). On return *h holds
 * the parsed header when parsing succeeded. */
enum hub_sig_status hub_sig_check(const char *v, size_t vlen, struct hub_sig_header *h,
                                  const char *pub_pem, size_t pem_len, const void *body,
                                  size_t len, int64_t now, int64_t window_s,
                                  struct hub_sig_replay *replay);

#endif
