/* kw_to_sha1.c — transform to_sha1: replace the buffer by its SHA-1. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(to_sha1, "to_sha1", "transform: replace the buffer by its SHA-1");
