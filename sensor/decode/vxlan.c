/* vxlan.c — VXLAN (RFC 7348): 8-byte header with the I flag, then an Ethernet frame.
 * Called by udp.c for the configured port; CS_EINVAL when the payload is not VXLAN. */
#include "decode_int.h"

#define VXLAN_HDR 8

int sn_decode_vxlan(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    int rc;

    if (n < VXLAN_HDR + 14)
        return CS_EINVAL;
    /* flags: only I (0x08) in the first byte; reserved bytes zero (GPE uses byte 3) */
    if (d[0] != 0x08 || d[1] != 0 || d[2] != 0 || d[7] != 0)
        return CS_EINVAL;
    if (!sn_decode_layer_enter(w, p))
        return CS_ERR;
    sn_count(w, SN_CNT_DECODER_VXLAN, 1);
    rc = sn_decode_inner_ethernet(w, p, d + VXLAN_HDR, n - VXLAN_HDR);
    if (rc == CS_AGAIN && sn_pkt_has_event(p, SN_EV_ETHERNET_UNKNOWN_ETHERTYPE))
        sn_pkt_event(w, p, SN_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE, false);
    return rc;
}
