/* kw_itype.c — itype:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP type. */
#include "kw.h"

SN_KW_CMP_DEFINE(itype, "itype", "ICMP type", 255);
