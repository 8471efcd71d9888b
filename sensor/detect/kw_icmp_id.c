/* kw_icmp_id.c — icmp_id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP echo identifier. */
#include "kw.h"

SN_KW_CMP_DEFINE(icmp_id, "icmp_id", "ICMP echo identifier", 65535);
