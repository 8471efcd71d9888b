/* kw_ack.c — ack:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP acknowledgement number. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

static bool ack_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    return p && p->proto == IPPROTO_TCP && (p->flags & SN_PKT_HAS_L4) &&
           sn_u64cmp_eval(inst->data, p->tcp_ack);
}

SN_KW_CMP_MATCH_DEFINE(ack, "ack", "TCP acknowledgement number", UINT32_MAX, ack_match);
