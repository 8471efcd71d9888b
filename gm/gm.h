/* gm.h — libgm: Chinese national ("GM" / ShangMi) cryptography for citysoc.
 *
 * SM3 (GB/T 32905), HMAC-SM3, SM4 (GB/T 32907) in CBC and CTR modes, an authenticated mode
 * built from SM4-CTR + HMAC-SM3 (encrypt-then-MAC), and SM2 (GB/T 32918) signatures and
 * public-key encryption. Thin wrappers over OpenSSL 3 (libcrypto); no OpenSSL type appears
 * here: keys and hash contexts are opaque, everything else is a byte buffer.
 *
 * Conventions for every function below:
 *   - Return CS_OK (0) on success or a negative CS_* code from lib/cs.h: CS_EINVAL for bad
 *     arguments or malformed input, CS_ELIMIT when an output buffer is too small (the needed
 *     size is then stored in *outlen), CS_ENOMEM, CS_EIO for file errors, CS_ERR for a failed
 *     cryptographic check (bad tag, bad signature) or an internal libcrypto failure.
 *   - "in/out" lengths: `*outlen` holds the capacity of `out` on entry and the number of
 *     bytes written on return.
 *   - The caller owns every buffer it passes; nothing is retained after a call returns.
 *   - Stateless functions are thread-safe. A context (`gm_sm3_ctx`, `gm_hmac_sm3_ctx`) must
 *     not be used by two threads at once. A `gm_sm2_key` is immutable once created and may be
 *     used by any number of threads at the same time (sign, verify, encrypt, decrypt, export).
 *   - Secrets held on the stack are wiped (OPENSSL_cleanse) before returning; failed decryption
 *     never leaves partial plaintext in the caller's buffer.
 * See docs/internals/gm.md for formats and design notes. */
#ifndef GM_H
#define GM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/cs.h"

/* ---- sizes ------------------------------------------------------------------------------ */
#define GM_SM3_DIGEST_LEN 32
#define GM_HMAC_SM3_LEN 32
#define GM_HMAC_SM3_MIN_TAG 16 /* shortest truncated tag gm_hmac_sm3_verify accepts */
#define GM_SM4_KEY_LEN 16
#define GM_SM4_BLOCK_LEN 16
#define GM_SM4_IV_LEN 16
#define GM_SEAL_KEY_LEN 32
#define GM_SEAL_IV_LEN 16
#define GM_SEAL_TAG_LEN 32
#define GM_SEAL_OVERHEAD (GM_SEAL_IV_LEN + GM_SEAL_TAG_LEN) /* 48 bytes */
#define GM_SM2_SIG_MAX 72          /* DER SEQUENCE { r INTEGER, s INTEGER } */
#define GM_SM2_PUB_RAW_LEN 65      /* 04 || X(32) || Y(32) */
#define GM_SM2_PRIV_RAW_LEN 32     /* d, big-endian */
#define GM_SM2_CIPHER_OVERHEAD 128 /* upper bound of GM/T 0009 DER ciphertext minus plaintext */
#define GM_SM2_ID_MAX 8190         /* ENTL = ID bits on 16 bits; OpenSSL takes < 8191 bytes */
#define GM_PEM_MAX (64 * 1024)     /* larger PEM input is refused (CS_ELIMIT) */

/* Default SM2 distinguishing identifier (GM/T 0009-2012 §10), 16 bytes, no terminator used. */
#define GM_SM2_DEFAULT_ID "1234567812345678"
#define GM_SM2_DEFAULT_ID_LEN 16
extern const uint8_t gm_sm2_default_id[GM_SM2_DEFAULT_ID_LEN];

/* ---- utilities -------------------------------------------------------------------------- */

/* Fills buf[0..n) with bytes from libcrypto's CSPRNG (RAND_bytes). Thread-safe.
 * Returns CS_OK, CS_EINVAL (buf NULL with n > 0) or CS_ERR (the generator failed; buf is then
 * zeroed, never left half random). */
int gm_random(void *buf, size_t n);

/* Constant-time comparison of a[0..n) and b[0..n) (CRYPTO_memcmp): true when equal. The time
 * depends on n only. n == 0 gives true. Thread-safe. */
bool gm_mem_equal(const void *a, const void *b, size_t n);

/* Overwrites p[0..n) with zeros in a way the compiler does not remove. NULL/0 is a no-op. */
void gm_cleanse(void *p, size_t n);

/* ---- SM3 -------------------------------------------------------------------------------- */

/* One-shot SM3 of data[0..len) into out[32]. data may be NULL when len == 0. Thread-safe. */
int gm_sm3(const void *data, size_t len, uint8_t out[GM_SM3_DIGEST_LEN]);

/* Incremental SM3. _new returns a context ready to hash, or NULL on allocation failure.
 * _update adds data (NULL allowed when len == 0). _final writes the digest of everything
 * given since _new (or since the previous _final) and re-initialises the context, so it can
 * hash another message. _free accepts NULL. One thread at a time per context. */
struct gm_sm3_ctx;
struct gm_sm3_ctx *gm_sm3_ctx_new(void);
int gm_sm3_update(struct gm_sm3_ctx *ctx, const void *data, size_t len);
int gm_sm3_final(struct gm_sm3_ctx *ctx, uint8_t out[GM_SM3_DIGEST_LEN]);
void gm_sm3_ctx_free(struct gm_sm3_ctx *ctx);

/* ---- HMAC-SM3 --------------------------------------------------------------------------- */

/* One-shot HMAC-SM3 (RFC 2104 over SM3, GM/T 0042) of data with key[0..keylen) (any length,
 * 0 allowed) into out[32]. Thread-safe. */
int gm_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
                uint8_t out[GM_HMAC_SM3_LEN]);

/* Checks tag[0..taglen) against HMAC-SM3(key, data) truncated to taglen bytes, in constant
 * time. taglen must be in [GM_HMAC_SM3_MIN_TAG, 32] (else CS_EINVAL). Returns CS_OK when the
 * tag matches, CS_ERR when it does not. Thread-safe. */
int gm_hmac_sm3_verify(const void *key, size_t keylen, const void *data, size_t len,
                       const uint8_t *tag, size_t taglen);

/* Incremental HMAC-SM3. _new copies the key (the caller may wipe its copy) and returns NULL
 * on allocation failure. _final writes the MAC and re-initialises the context with the same
 * key. _free wipes and frees; accepts NULL. One thread at a time per context. */
struct gm_hmac_sm3_ctx;
struct gm_hmac_sm3_ctx *gm_hmac_sm3_new(const void *key, size_t keylen);
int gm_hmac_sm3_update(struct gm_hmac_sm3_ctx *ctx, const void *data, size_t len);
int gm_hmac_sm3_final(struct gm_hmac_sm3_ctx *ctx, uint8_t out[GM_HMAC_SM3_LEN]);
void gm_hmac_sm3_free(struct gm_hmac_sm3_ctx *ctx);

/* ---- SM4 -------------------------------------------------------------------------------- */
/* Unauthenticated modes: anyone can flip ciphertext bits, and CBC-with-padding decryption of
 * attacker-supplied data is a padding oracle. Use gm_sm4_seal/gm_sm4_open unless a protocol
 * dictates CBC or CTR. All are thread-safe. in and out may be the same buffer (in-place),
 * but must not otherwise overlap. */

/* SM4-CBC with PKCS#7 padding. Encrypt: out needs (inlen / 16 + 1) * 16 bytes (always at
 * least one byte of padding). Decrypt: inlen must be a non-zero multiple of 16, out needs
 * inlen bytes; CS_EINVAL for a bad length or bad padding (out is then wiped). */
int gm_sm4_cbc_encrypt(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                       const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen);
int gm_sm4_cbc_decrypt(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                       const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen);

/* SM4-CBC without padding: len must be a multiple of 16 (0 allowed), out gets len bytes. */
int gm_sm4_cbc_encrypt_nopad(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                             const uint8_t *in, size_t len, uint8_t *out);
int gm_sm4_cbc_decrypt_nopad(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
                             const uint8_t *in, size_t len, uint8_t *out);

/* SM4-CTR: the 16-byte iv is the initial counter block, incremented as one 128-bit
 * big-endian integer per block (OpenSSL SM4-CTR, draft-ribose-cfrg-sm4). Encryption and
 * decryption are the same operation; out gets len bytes. Never reuse (key, iv). */
int gm_sm4_ctr(const uint8_t key[GM_SM4_KEY_LEN], const uint8_t iv[GM_SM4_IV_LEN],
               const uint8_t *in, size_t len, uint8_t *out);

/* ---- authenticated encryption: SM4-CTR + HMAC-SM3, encrypt-then-MAC ---------------------- */
/* key is one 32-byte master key; separate SM4 and MAC keys are derived from it:
 *   enc_key = HMAC-SM3(key, "citysoc-gm-seal-v1 enc")[0..16)
 *   mac_key = HMAC-SM3(key, "citysoc-gm-seal-v1 mac")          (32 bytes)
 * Output (seal) / input (open):  iv(16) || ciphertext(ptlen) || tag(32)  with a fresh random
 * iv per call and tag = HMAC-SM3(mac_key, be64(aadlen) || aad || iv || ciphertext).
 * aad (associated data, may be NULL when aadlen == 0) is authenticated, not encrypted, and
 * not part of the output: the receiver must supply the same bytes. */

/* out needs ptlen + GM_SEAL_OVERHEAD bytes and must not overlap pt (CS_EINVAL). On failure
 * out holds nothing useful (wiped). Thread-safe. */
int gm_sm4_seal(const uint8_t key[GM_SEAL_KEY_LEN], const void *aad, size_t aadlen,
                const uint8_t *pt, size_t ptlen, uint8_t *out, size_t *outlen);

/* out needs inlen - GM_SEAL_OVERHEAD bytes and must not overlap in. The tag is checked in
 * constant time before anything is decrypted. Returns CS_EINVAL when inlen <
 * GM_SEAL_OVERHEAD, CS_ERR when the tag does not match (wrong key, aad, or any modified or
 * truncated byte); out is untouched then. Thread-safe. */
int gm_sm4_open(const uint8_t key[GM_SEAL_KEY_LEN], const void *aad, size_t aadlen,
                const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen);

/* ---- SM2 -------------------------------------------------------------------------------- */
/* A key on the recommended curve sm2p256v1, public only or with its private part. */
struct gm_sm2_key;

/* Generates a fresh key pair into *keyp (caller frees with gm_sm2_key_free). */
int gm_sm2_key_generate(struct gm_sm2_key **keyp);

/* Frees a key (private material is wiped by libcrypto). Accepts NULL. */
void gm_sm2_key_free(struct gm_sm2_key *key);

/* True when the key holds a private part (can sign and decrypt). */
bool gm_sm2_key_has_private(const struct gm_sm2_key *key);

/* Public key from its uncompressed encoding raw[0..len) = 04 || X || Y (len must be 65). The
 * point is checked to be on the curve. */
int gm_sm2_key_from_public_raw(const uint8_t *raw, size_t len, struct gm_sm2_key **keyp);

/* Key pair from the private scalar d (32 bytes big-endian, 1 <= d <= n - 2); the public
 * point is computed. Meant for known-answer tests and key import. */
int gm_sm2_key_from_private_raw(const uint8_t d[GM_SM2_PRIV_RAW_LEN], struct gm_sm2_key **keyp);

/* Writes the public key as 04 || X || Y into out[65]. */
int gm_sm2_key_public_raw(const struct gm_sm2_key *key, uint8_t out[GM_SM2_PUB_RAW_LEN]);

/* Loads a key from PEM text pem[0..len) (need not be NUL-terminated; at most GM_PEM_MAX):
 * an unencrypted private key ("PRIVATE KEY" PKCS#8 or "EC PRIVATE KEY" SEC1) or a public key
 * ("PUBLIC KEY" SubjectPublicKeyInfo), on the SM2 curve. Encrypted keys and other curves or
 * algorithms are refused with CS_EINVAL. Never prompts for a passphrase. */
int gm_sm2_key_load_pem(const char *pem, size_t len, struct gm_sm2_key **keyp);

/* Same, reading the file at path (CS_EIO when it cannot be read, CS_ELIMIT when too big). */
int gm_sm2_key_load_pem_file(const char *path, struct gm_sm2_key **keyp);

/* PEM text of the private key (unencrypted PKCS#8; CS_EINVAL for a public-only key) or of
 * the public key (SubjectPublicKeyInfo). *pem receives a NUL-terminated buffer the caller
 * frees with cs_free (wipe it first with gm_cleanse for a private key); *len its length
 * without the NUL (len may be NULL). */
int gm_sm2_key_save_private_pem(const struct gm_sm2_key *key, char **pem, size_t *len);
int gm_sm2_key_save_public_pem(const struct gm_sm2_key *key, char **pem, size_t *len);

/* Writes the PEM to path, replacing the file: private keys with mode 0600, public keys with
 * 0644 (subject to umask). The data is fsync'ed. CS_EIO on any file error. */
int gm_sm2_key_save_private_pem_file(const struct gm_sm2_key *key, const char *path);
int gm_sm2_key_save_public_pem_file(const struct gm_sm2_key *key, const char *path);

/* SM2 signature with SM3 (GB/T 32918.2): e = SM3(Z_A || msg), Z_A = SM3(ENTL || id || curve
 * || public key). id[0..idlen) is the distinguishing identifier (pass gm_sm2_default_id /
 * GM_SM2_DEFAULT_ID_LEN for the default; idlen <= GM_SM2_ID_MAX; id may be NULL only when
 * idlen == 0). The signature is DER SEQUENCE { r, s } written to sig, *siglen in/out
 * (GM_SM2_SIG_MAX always suffices). The nonce comes from the CSPRNG: signatures of the same
 * message differ. Needs a private key. */
int gm_sm2_sign(const struct gm_sm2_key *key, const void *id, size_t idlen, const void *msg,
                size_t len, uint8_t *sig, size_t *siglen);

/* Verifies sig[0..siglen) (strict DER) over msg with the same id as the signer used.
 * Returns CS_OK when valid, CS_ERR when not (wrong key, id, message, or malformed
 * signature), CS_EINVAL for bad arguments. */
int gm_sm2_verify(const struct gm_sm2_key *key, const void *id, size_t idlen, const void *msg,
                  size_t len, const uint8_t *sig, size_t siglen);

/* SM2 public-key encryption (GB/T 32918.4, SM3 as hash and KDF). The ciphertext is the
 * GM/T 0009 DER form SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3 (32), OCTET STRING
 * C2 } (i.e. C1, C3, C2 in that order), as OpenSSL writes it. out needs at most
 * ptlen + GM_SM2_CIPHER_OVERHEAD bytes; ptlen must be >= 1. */
int gm_sm2_encrypt(const struct gm_sm2_key *key, const uint8_t *pt, size_t ptlen, uint8_t *out,
                   size_t *outlen);

/* Decrypts a DER ciphertext as above; out needs at most ctlen bytes (the exact plaintext
 * length is known after parsing; CS_ELIMIT reports it). Needs a private key. Malformed or
 * non-authentic ciphertext (C3 mismatch) gives CS_ERR/CS_EINVAL and nothing in out. */
int gm_sm2_decrypt(const struct gm_sm2_key *key, const uint8_t *ct, size_t ctlen, uint8_t *out,
                   size_t *outlen);

#endif
