/* fuzz_gm.c — libgm on hostile bytes: the input is tried as a PEM key, as a DER SM2
 * signature, as an SM2 ciphertext, as a sealed SM4 message and as SM4-CBC ciphertext.
 * Nothing may crash or leak; nothing forged may be accepted (a random input that verifies or
 * opens under the fixed keys would be a real forgery, so it aborts). Keys that load are used
 * for a round trip, which must work. */
#include "../gm/gm.h"

#include <stdlib.h>

/* Fixed private scalar (the GB/T 32918.5 example key) so runs are reproducible. */
static const uint8_t fixed_d[32] = {
    0x39, 0x45, 0x20, 0x8F, 0x7B, 0x21, 0x44, 0xB1, 0x3F, 0x36, 0xE3, 0x8A, 0xC6, 0xD3, 0x9F, 0x95,
    0x88, 0x93, 0x93, 0x69, 0x28, 0x60, 0xB5, 0x1A, 0x42, 0xFB, 0x81, 0xEF, 0x4D, 0xF7, 0xC5, 0xB8};
static const uint8_t seal_key[32] = "citysoc fuzz seal key 0123456789";

/* Created once per process and kept (reachable, not a leak). */
static struct gm_sm2_key *fixed_key(void)
{
    static struct gm_sm2_key *key;

    if (!key && gm_sm2_key_from_private_raw(fixed_d, &key) != CS_OK)
        abort();
    return key;
}

/* A key that loaded from PEM must behave: export, re-load, and (private) sign/verify. */
static void exercise_key(struct gm_sm2_key *k)
{
    uint8_t raw[GM_SM2_PUB_RAW_LEN], raw2[GM_SM2_PUB_RAW_LEN], sig[GM_SM2_SIG_MAX];
    size_t sl = sizeof(sig), len = 0;
    struct gm_sm2_key *again = NULL;
    char *pem = NULL;

    if (gm_sm2_key_public_raw(k, raw) != CS_OK || raw[0] != 0x04)
        abort();
    if (gm_sm2_key_save_public_pem(k, &pem, &len) != CS_OK ||
        gm_sm2_key_load_pem(pem, len, &again) != CS_OK ||
        gm_sm2_key_public_raw(again, raw2) != CS_OK || memcmp(raw, raw2, sizeof(raw)) != 0)
        abort();
    cs_free(pem);
    if (gm_sm2_key_has_private(k)) {
        if (gm_sm2_sign(k, "id", 2, "m", 1, sig, &sl) != CS_OK ||
            gm_sm2_verify(again, "id", 2, "m", 1, sig, sl) != CS_OK)
            abort();
    }
    gm_sm2_key_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gm_sm2_key *k = NULL;
    uint8_t *out;
    size_t n;

    /* 1. PEM key. */
    if (gm_sm2_key_load_pem((const char *)data, size, &k) == CS_OK) {
        if (!k)
            abort();
        exercise_key(k);
        gm_sm2_key_free(k);
    } else if (k) {
        abort();
    }

    out = malloc(size + 64);
    if (!out)
        return 0;

    /* 2. DER signature over a fixed message with the default ID. */
    if (gm_sm2_verify(fixed_key(), gm_sm2_default_id, GM_SM2_DEFAULT_ID_LEN, "citysoc", 7, data,
                      size) == CS_OK)
        abort();

    /* 3. SM2 ciphertext. A random input cannot carry a valid C3 (SM3 over the plaintext). */
    n = size + 64;
    if (gm_sm2_decrypt(fixed_key(), data, size, out, &n) == CS_OK)
        abort();

    /* 4. Sealed message, with and without associated data. */
    n = size + 64;
    if (gm_sm4_open(seal_key, NULL, 0, data, size, out, &n) == CS_OK)
        abort();
    n = size + 64;
    if (gm_sm4_open(seal_key, "aad", 3, data, size, out, &n) == CS_OK)
        abort();

    /* 5. SM4-CBC with padding: any result but a crash; a success must fit. */
    n = size + 64;
    if (gm_sm4_cbc_decrypt(seal_key, seal_key + 16, data, size, out, &n) == CS_OK && n >= size)
        abort();
    free(out);
    return 0;
}
