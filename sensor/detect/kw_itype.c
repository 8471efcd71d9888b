/* kw_itype.c — itype:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); ICMP type. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

/* ICMPv4 and ICMPv6 packets. */
static bool itype_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    return p && (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
           (p->flags & SN_PKT_HAS_L4) && sn_u64cmp_eval(inst->data, p->icmp_type);
}

SN_KW_CMP_MATCH_DEFINE(itype, "itype", "ICMP type", 255, itype_match);
