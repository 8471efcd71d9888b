/* kw_icmp_id.c — icmp_id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP echo identifier. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

/* Only ICMP messages that have an identifier: ICMPv4 echo / echo reply, timestamp, information
 * and address-mask request/reply; ICMPv6 echo request / reply. */
bool sn_icmp_has_id(const struct sn_pkt *p);
bool sn_icmp_has_id(const struct sn_pkt *p)
{
    if (!(p->flags & SN_PKT_HAS_L4))
        return false;
    if (p->proto == IPPROTO_ICMP)
        return p->icmp_type == 0 || p->icmp_type == 8 || (p->icmp_type >= 13 && p->icmp_type <= 18);
    if (p->proto == IPPROTO_ICMPV6)
        return p->icmp_type == 128 || p->icmp_type == 129;
    return false;
}

static bool icmp_id_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return t->p && sn_icmp_has_id(t->p) && sn_u64cmp_eval(inst->data, t->p->icmp_id);
}

SN_KW_CMP_MATCH_DEFINE(icmp_id, "icmp_id", "ICMP echo identifier", 65535, icmp_id_match);
