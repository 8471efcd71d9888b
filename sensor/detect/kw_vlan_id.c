/* kw_vlan_id.c — vlan.id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); VLAN id of the packet. */
#include "kw.h"

#include "detect.h"

/* True when any of the packet's VLAN tags (outermost first) compares true. */
static bool vlan_id_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    if (!t->p)
        return false;
    for (unsigned i = 0; i < t->p->vlan_cnt && i < SN_MAX_VLAN; i++)
        if (sn_u64cmp_eval(inst->data, t->p->vlan_id[i]))
            return true;
    return false;
}

SN_KW_CMP_MATCH_DEFINE(vlan_id, "vlan.id", "VLAN id of the packet", 4095, vlan_id_match);
