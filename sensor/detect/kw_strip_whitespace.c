/* kw_strip_whitespace.c — transform strip_whitespace: remove all whitespace. */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(strip_whitespace, "strip_whitespace", "transform: remove all whitespace");
