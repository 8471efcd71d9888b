/* kw_dsize.c — dsize:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); payload size of the packet. */
#include "kw.h"

SN_KW_CMP_DEFINE(dsize, "dsize", "payload size of the packet", 65535);
