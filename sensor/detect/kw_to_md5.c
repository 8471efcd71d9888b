/* kw_to_md5.c — transform to_md5: replace the buffer by its MD5. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(to_md5, "to_md5", "transform: replace the buffer by its MD5");
