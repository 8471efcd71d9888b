/* kw_ttl.c — ttl:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IP time-to-live / hop limit. */
#include "kw.h"

#include "detect.h"

static bool ttl_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return t->p && t->p->ip_ver && sn_u64cmp_eval(inst->data, t->p->ttl);
}

SN_KW_CMP_MATCH_DEFINE(ttl, "ttl", "IP time-to-live / hop limit", 255, ttl_match);
