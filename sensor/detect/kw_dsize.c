/* kw_dsize.c — dsize:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); payload size of the packet. */
#include "kw.h"

#include "detect.h"

/* Payload bytes of the packet itself (never of the reassembled stream); no packet (transaction
 * or flow-end inspection): no match. */
static bool dsize_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return t->p && sn_u64cmp_eval(inst->data, t->p->payload_len);
}

SN_KW_CMP_MATCH_DEFINE(dsize, "dsize", "payload size of the packet", 65535, dsize_match);
