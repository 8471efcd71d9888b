/* kw_compress_whitespace.c — transform: collapse whitespace runs to one space. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(compress_whitespace, "compress_whitespace",
                       "transform: collapse whitespace runs to one space");
