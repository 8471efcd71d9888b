/* kw_fragoffset.c — fragoffset:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); IP fragment offset (in
 * 8-byte units). */
#include "kw.h"

#include "detect.h"

/* IPv4 only: the 13-bit offset field of the header the decoder saw (a datagram rebuilt by
 * defrag carries offset 0). */
static bool fragoffset_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_pkt *p = t->p;
    if (!p || p->ip_ver != 4 || !p->ip_hdr || p->ip_hlen < 20)
        return false;
    return sn_u64cmp_eval(inst->data, cs_get_be16(p->ip_hdr + 6) & 0x1fff);
}

SN_KW_CMP_MATCH_DEFINE(fragoffset, "fragoffset", "IP fragment offset (in 8-byte units)", 8191, fragoffset_match);
