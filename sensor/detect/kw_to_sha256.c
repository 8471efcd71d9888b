/* kw_to_sha256.c — transform to_sha256: replace the buffer by its SHA-256. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(to_sha256, "to_sha256", "transform: replace the buffer by its SHA-256");
