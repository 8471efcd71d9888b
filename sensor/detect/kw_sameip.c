/* kw_sameip.c — sameip; source and destination address are equal. */
#include "kw.h"

#include "detect.h"

static bool sameip_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    (void)inst;
    return t->p && t->p->ip_ver && sn_addr_eq(&t->p->src, &t->p->dst);
}

SN_KW_FLAG_MATCH_DEFINE(sameip, "sameip", "source and destination address are equal",
                        sameip_match);
