/* kw_icmp_seq.c — icmp_seq:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP echo sequence number. */
#include "kw.h"

#include "detect.h"

bool sn_icmp_has_id(const struct sn_pkt *p); /* kw_icmp_id.c */

/* The same messages as icmp_id. */
static bool icmp_seq_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return t->p && sn_icmp_has_id(t->p) && sn_u64cmp_eval(inst->data, t->p->icmp_seq);
}

SN_KW_CMP_MATCH_DEFINE(icmp_seq, "icmp_seq", "ICMP echo sequence number", 65535, icmp_seq_match);
