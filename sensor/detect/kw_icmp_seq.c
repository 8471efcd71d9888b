/* kw_icmp_seq.c — icmp_seq:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP echo sequence number. */
#include "kw.h"

SN_KW_CMP_DEFINE(icmp_seq, "icmp_seq", "ICMP echo sequence number", 65535);
