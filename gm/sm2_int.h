/* sm2_int.h — libgm internal: the SM2 key object shared by sm2_key.c and sm2.c. Not part of
 * the public API; includes OpenSSL types, so only libgm sources may include it. */
#ifndef GM_SM2_INT_H
#define GM_SM2_INT_H

#include <openssl/evp.h>

#include "gm.h"

struct gm_sm2_key {
    EVP_PKEY *pkey; /* key type "SM2", group sm2p256v1; owned */
    bool has_private;
};

#endif
