/* kw_window.c — window:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP window size. */
#include "kw.h"

SN_KW_CMP_DEFINE(window, "window", "TCP window size", 65535);
