/* kw_tcp_mss.c — tcp.mss:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP MSS option value. */
#include "kw.h"

SN_KW_CMP_DEFINE(tcp_mss, "tcp.mss", "TCP MSS option value", 65535);
