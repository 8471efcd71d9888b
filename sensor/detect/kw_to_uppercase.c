/* kw_to_uppercase.c — transform to_uppercase: upper-case the buffer. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(to_uppercase, "to_uppercase", "transform: upper-case the buffer");
