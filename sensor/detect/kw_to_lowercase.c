/* kw_to_lowercase.c — transform to_lowercase: lower-case the buffer. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(to_lowercase, "to_lowercase", "transform: lower-case the buffer");
