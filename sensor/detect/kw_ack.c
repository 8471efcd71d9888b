/* kw_ack.c — ack:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP acknowledgement number. */
#include "kw.h"

SN_KW_CMP_DEFINE(ack, "ack", "TCP acknowledgement number", UINT32_MAX);
