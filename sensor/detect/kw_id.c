/* kw_id.c — id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IPv4 identification. */
#include "kw.h"

#include "detect.h"

/* IPv4 only: IPv6 has no identification outside the fragment header. */
static bool id_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return t->p && t->p->ip_ver == 4 && sn_u64cmp_eval(inst->data, t->p->ip_id);
}

SN_KW_CMP_MATCH_DEFINE(id, "id", "IPv4 identification", 65535, id_match);
