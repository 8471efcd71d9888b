/* kw_seq.c — seq:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); TCP sequence number. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

static bool seq_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    return p && p->proto == IPPROTO_TCP && (p->flags & SN_PKT_HAS_L4) &&
           sn_u64cmp_eval(inst->data, p->tcp_seq);
}

SN_KW_CMP_MATCH_DEFINE(seq, "seq", "TCP sequence number", UINT32_MAX, seq_match);
