/* vlan.c — 802.1Q, 802.1ad and legacy QinQ (0x9100) tags, up to SN_MAX_VLAN ids. */
#include "decode_int.h"

int sn_decode_vlan(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                   uint16_t tpid)
{
    (void)tpid;
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    if (n < 4) {
        sn_pkt_set_invalid(w, p, SN_EV_VLAN_HEADER_TOO_SMALL);
        return CS_ERR;
    }
    if (p->vlan_cnt >= SN_MAX_VLAN) {
        sn_pkt_set_invalid(w, p, SN_EV_VLAN_TOO_MANY_LAYERS);
        return CS_ERR;
    }
    sn_count(w, p->vlan_cnt == 0 ? SN_CNT_DECODER_VLAN : SN_CNT_DECODER_VLAN_QINQ, 1);
    p->vlan_id[p->vlan_cnt++] = cs_get_be16(d) & 0x0fff;
    return sn_decode_ethertype(w, p, cs_get_be16(d + 2), d + 4, n - 4);
}
