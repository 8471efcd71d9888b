/* kw_url_decode.c — transform url_decode: decode %XX and + in the buffer. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(url_decode, "url_decode", "transform: decode %XX and + in the buffer");
