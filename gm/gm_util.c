/* gm_util.c — random bytes, constant-time comparison and wiping for libgm. */
#include "gm.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

const uint8_t gm_sm2_default_id[GM_SM2_DEFAULT_ID_LEN] = {'1', '2', '3', '4', '5', '6', '7', '8',
                                                          '1', '2', '3', '4', '5', '6', '7', '8'};

int gm_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t done = 0;

    if (n == 0)
        return CS_OK;
    if (!buf)
        return CS_EINVAL;
    while (done < n) {
        size_t chunk = CS_MIN(n - done, (size_t)INT_MAX);
        if (RAND_bytes(p + done, (int)chunk) != 1) {
            OPENSSL_cleanse(buf, n);
            ERR_clear_error();
            return CS_ERR;
        }
        done += chunk;
    }
    return CS_OK;
}

bool gm_mem_equal(const void *a, const void *b, size_t n)
{
    if (n == 0)
        return true;
    return CRYPTO_memcmp(a, b, n) == 0;
}

void gm_cleanse(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}
