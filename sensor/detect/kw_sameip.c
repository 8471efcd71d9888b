/* kw_sameip.c — sameip; source and destination address are equal. */
#include "kw.h"

SN_KW_FLAG_DEFINE(sameip, "sameip", "source and destination address are equal");
