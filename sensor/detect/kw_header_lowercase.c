/* kw_header_lowercase.c — transform header_lowercase: lower-case HTTP header names. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(header_lowercase, "header_lowercase",
                       "transform: lower-case HTTP header names");
