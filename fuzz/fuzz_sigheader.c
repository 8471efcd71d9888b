/* fuzz_sigheader.c — the hub's parsers of hostile text: the X-Citysoc-Signature header value,
 * the Argon2id PHC string and the token syntax. Nothing may crash, and:
 *   - a header that parses has sane fields, and re-signing its (keyid, batch, ts) gives a
 *     header that parses to the same fields;
 *   - no header verifies over the input itself under a fixed key (that would be a forgery);
 *   - a PHC string that parses is canonical: re-encoding the parsed fields gives back the
 *     input byte for byte (one hash, one spelling); cheap ones are verified for real.
 *   - a token that is well formed has a stored form. */
#include "../hub/auth/auth.h"
#include "../hub/auth/b64.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const uint8_t fixed_d[32] = {
    0x39, 0x45, 0x20, 0x8F, 0x7B, 0x21, 0x44, 0xB1, 0x3F, 0x36, 0xE3, 0x8A, 0xC6, 0xD3, 0x9F, 0x95,
    0x88, 0x93, 0x93, 0x69, 0x28, 0x60, 0xB5, 0x1A, 0x42, 0xFB, 0x81, 0xEF, 0x4D, 0xF7, 0xC5, 0xB8};

static struct gm_sm2_key *fixed_key(void)
{
    static struct gm_sm2_key *key;

    if (!key && gm_sm2_key_from_private_raw(fixed_d, &key) != CS_OK)
        abort();
    return key;
}

static bool id_sane(const char *s)
{
    size_t n = strnlen(s, HUB_SIG_ID_MAX + 1);

    if (n == 0 || n > HUB_SIG_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-", s[i]))
            return false;
    return true;
}

static void fuzz_header(const uint8_t *data, size_t size)
{
    struct hub_sig_header h, h2;
    char out[HUB_SIG_HEADER_MAX];

    if (hub_sig_parse((const char *)data, size, &h) != HUB_SIG_OK)
        return;
    if (!id_sane(h.keyid) || !id_sane(h.batch) || h.ts < 0 || h.siglen < 8 ||
        h.siglen > GM_SM2_SIG_MAX)
        abort();
    if (hub_sig_verify(&h, fixed_key(), data, size) == HUB_SIG_OK)
        abort();
    if (hub_sig_sign(fixed_key(), h.keyid, h.batch, h.ts, data, size, out, sizeof(out)) !=
            HUB_SIG_OK ||
        hub_sig_parse(out, strlen(out), &h2) != HUB_SIG_OK || strcmp(h.keyid, h2.keyid) != 0 ||
        strcmp(h.batch, h2.batch) != 0 || h.ts != h2.ts ||
        hub_sig_verify(&h2, fixed_key(), data, size) != HUB_SIG_OK)
        abort();
}

static void fuzz_phc(const uint8_t *data, size_t size)
{
    struct hub_pw_phc r;
    char salt[HUB_PW_MAX_SALT_LEN * 2], hash[HUB_PW_MAX_HASH_LEN * 2], again[HUB_PW_PHC_MAX];
    char *s;
    int n;

    if (hub_pw_phc_parse((const char *)data, size, &r) != CS_OK)
        return;
    hub_b64_encode(r.salt, r.salt_len, salt, HUB_B64_STD, false);
    hub_b64_encode(r.hash, r.hash_len, hash, HUB_B64_STD, false);
    n = snprintf(again, sizeof(again), "$argon2id$v=19$m=%" PRIu32 ",t=%" PRIu32 ",p=%" PRIu32
                 "$%s$%s", r.m_kib, r.t_cost, r.parallelism, salt, hash);
    if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
        abort();
    /* Verify for real only when cheap (the parser allows up to 4 GiB of memory cost). */
    if (r.m_kib <= 64 && r.t_cost <= 2 && r.parallelism == 1) {
        s = malloc(size + 1);
        if (!s)
            return;
        memcpy(s, data, size);
        s[size] = '\0';
        if (hub_pw_verify(s, "password", 8) == CS_EINVAL)
            abort(); /* it parsed, so it must be usable */
        free(s);
    }
}

static void fuzz_token(const uint8_t *data, size_t size)
{
    char st[HUB_TOKEN_STORED_LEN + 1];

    for (int kind = HUB_TOKEN_API; kind <= HUB_TOKEN_SESSION; kind++) {
        bool ok = hub_token_well_formed((enum hub_token_kind)kind, (const char *)data, size);
        int rc = hub_token_stored_form((enum hub_token_kind)kind, (const uint8_t *)"k", 1,
                                       (const char *)data, size, st);
        if (ok != (rc == CS_OK) || (ok && strlen(st) != HUB_TOKEN_STORED_LEN))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_header(data, size);
    fuzz_phc(data, size);
    fuzz_token(data, size);
    return 0;
}
