/* kw_id.c — id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IPv4 identification. */
#include "kw.h"

SN_KW_CMP_DEFINE(id, "id", "IPv4 identification", 65535);
