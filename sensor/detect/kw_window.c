/* kw_window.c — window:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP window size. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

/* The raw (unscaled) window field of a TCP header. */
static bool window_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    return p && p->proto == IPPROTO_TCP && (p->flags & SN_PKT_HAS_L4) &&
           sn_u64cmp_eval(inst->data, p->tcp_win);
}

SN_KW_CMP_MATCH_DEFINE(window, "window", "TCP window size", 65535, window_match);
