/* kw_strip_pseudo_headers.c — transform strip_pseudo_headers: drop HTTP/2 pseudo headers. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(strip_pseudo_headers, "strip_pseudo_headers",
                       "transform: drop HTTP/2 pseudo headers");
