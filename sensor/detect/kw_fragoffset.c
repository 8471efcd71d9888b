/* kw_fragoffset.c — fragoffset:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IP fragment offset (in
 * 8-byte units). */
#include "kw.h"

SN_KW_CMP_DEFINE(fragoffset, "fragoffset", "IP fragment offset (in 8-byte units)", 8191);
