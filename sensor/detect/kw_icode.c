/* kw_icode.c — icode:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP code. */
#include "kw.h"

SN_KW_CMP_DEFINE(icode, "icode", "ICMP code", 255);
