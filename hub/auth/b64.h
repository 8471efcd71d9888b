/* b64.h — strict base64 for the auth code (internal to hub/auth and hub/audit).
 *
 * Standard (RFC 4648 §4) or URL-safe (§5) alphabet, with or without '=' padding. Decoding is
 * strict so that one byte string has exactly one accepted text form: characters outside the
 * alphabet, wrong padding, a length of 1 mod 4, and non-zero unused bits in the last
 * character are all refused. Thread-safe, no allocation. */
#ifndef HUB_AUTH_B64_H
#define HUB_AUTH_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HUB_B64_STD = 0, HUB_B64_URL = 1 };

/* Length of the encoding of n bytes (without NUL). */
size_t hub_b64_encoded_len(size_t n, bool pad);

/* Encodes in[0..n) into out; writes hub_b64_encoded_len(n, pad) characters and a NUL, so out
 * needs one more byte than that. Returns the number of characters (without NUL). */
size_t hub_b64_encode(const uint8_t *in, size_t n, char *out, int alphabet, bool pad);

/* Decodes s[0..len) into out[0..cap). Returns CS_OK and *outlen, CS_EINVAL for anything not
 * canonical, CS_ELIMIT when cap is too small. */
int hub_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen,
                   int alphabet, bool pad);

#endif
