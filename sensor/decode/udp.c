/* udp.c — UDP header, length rules, checksum and the UDP tunnels (VXLAN, Teredo). */
#include "decode_int.h"

#define UDP_HDR 8

int sn_decode_udp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    const struct sn_config *cfg = w->cfg;
    uint32_t ulen;
    int rc;

    if (n < UDP_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_UDP_HLEN_TOO_SMALL);
        return CS_ERR;
    }
    ulen = cs_get_be16(d + 4);
    if (n < ulen) {
        sn_pkt_set_invalid(w, p, SN_EV_UDP_PKT_TOO_SMALL);
        return CS_ERR;
    }
    if (n != ulen) {
        sn_pkt_set_invalid(w, p, SN_EV_UDP_HLEN_INVALID);
        return CS_ERR;
    }
    if (ulen < UDP_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_UDP_LEN_INVALID);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_UDP, 1);
    p->l4_hdr = d;
    p->l4_hlen = UDP_HDR;
    p->sp = cs_get_be16(d);
    p->dp = cs_get_be16(d + 2);
    p->payload = d + UDP_HDR;
    p->payload_len = ulen - UDP_HDR;
    p->flags |= SN_PKT_HAS_L4;
    /* a zero checksum means "none" over IPv4 */
    if (sn_csum_enabled(w, false) && !(p->ip_ver == 4 && cs_get_be16(d + 6) == 0) &&
        !sn_csum_l4_ok(p, 17, d, ulen)) {
        p->flags |= SN_PKT_CSUM_BAD;
        sn_count(w, SN_CNT_UDP_INVALID_CHECKSUM, 1);
    }

    if (!cfg || p->payload_len == 0)
        return CS_OK;
    if (cfg->vxlan_enabled && p->dp == cfg->vxlan_port) {
        rc = sn_decode_vxlan(w, p, p->payload, p->payload_len);
        if (rc != CS_EINVAL)
            return rc;
    }
    if (cfg->teredo_enabled && (cfg->teredo_port == 0 || p->sp == cfg->teredo_port ||
                                p->dp == cfg->teredo_port)) {
        rc = sn_decode_teredo(w, p, p->payload, p->payload_len);
        if (rc != CS_EINVAL)
            return rc;
    }
    return CS_OK;
}
