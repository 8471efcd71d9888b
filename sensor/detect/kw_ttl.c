/* kw_ttl.c — ttl:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IP time-to-live / hop limit. */
#include "kw.h"

SN_KW_CMP_DEFINE(ttl, "ttl", "IP time-to-live / hop limit", 255);
