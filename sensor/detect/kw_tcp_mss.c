/* kw_tcp_mss.c — tcp.mss:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP MSS option value. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

/* TCP packets carrying the MSS option (SYN, SYN/ACK); no option: no match. */
static bool tcp_mss_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    return p && p->proto == IPPROTO_TCP && (p->flags & SN_PKT_HAS_L4) && p->tcpo.has_mss &&
           sn_u64cmp_eval(inst->data, p->tcpo.mss);
}

SN_KW_CMP_MATCH_DEFINE(tcp_mss, "tcp.mss", "TCP MSS option value", 65535, tcp_mss_match);
