/* kw_icmpv6_mtu.c — icmpv6.mtu:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M): the MTU of an ICMPv6
 * Packet Too Big message (type 2, bytes 4-7 of the header). Other packets never match. */
#include "kw.h"

#include "detect.h"

#include <netinet/in.h>

static bool icmpv6_mtu_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;

    if (!p || p->ip_ver != 6 || p->proto != IPPROTO_ICMPV6 || !(p->flags & SN_PKT_HAS_L4) ||
        !p->l4_hdr || p->l4_hlen < 8 || p->icmp_type != 2)
        return false;
    return sn_u64cmp_eval(inst->data, cs_get_be32(p->l4_hdr + 4));
}

SN_KW_CMP_MATCH_DEFINE(icmpv6_mtu, "icmpv6.mtu", "MTU of an ICMPv6 Packet Too Big message",
                       UINT32_MAX, icmpv6_mtu_match);
