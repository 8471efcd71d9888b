/* kw_seq.c — seq:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP sequence number. */
#include "kw.h"

SN_KW_CMP_DEFINE(seq, "seq", "TCP sequence number", UINT32_MAX);
