/* decode_int.h — helpers shared by the decoder's layer files (sensor/decode/ only).
 * Thread-safety: per worker, like decode.h. */
#ifndef SN_DECODE_INT_H
#define SN_DECODE_INT_H

#include "../config.h"
#include "../pkt.h"
#include "decode.h"

#define SN_ETH_IPV4 0x0800
#define SN_ETH_ARP 0x0806
#define SN_ETH_IPV6 0x86dd
#define SN_ETH_VLAN 0x8100
#define SN_ETH_QINQ 0x88a8
#define SN_ETH_QINQ_OLD 0x9100
#define SN_ETH_MPLS_UC 0x8847
#define SN_ETH_MPLS_MC 0x8848
#define SN_ETH_PPPOE_DISC 0x8863
#define SN_ETH_PPPOE_SESS 0x8864
#define SN_ETH_TEB 0x6558
#define SN_ETH_ERSPAN2 0x88be
#define SN_ETH_ERSPAN3 0x22eb
#define SN_ETH_PPP 0x880b

/* Enters one more decoding layer; false (event decoder.too_many_layers raised, packet
 * invalid) when cfg->max_layers is exceeded. */
bool sn_decode_layer_enter(struct sn_worker *w, struct sn_pkt *p);

/* Called by the IP decoders on entry: when an IP layer was already decoded this is a tunnel,
 * so the packet is marked SN_PKT_TUNNEL, tunnel_depth grows and the L4 fields are reset. */
void sn_decode_tunnel_enter(struct sn_pkt *p);

/* Decodes an Ethernet frame carried inside a tunnel (VXLAN, GRE TEB, MPLS PW) keeping the
 * outer Ethernet header and VLAN ids in the packet. */
int sn_decode_inner_ethernet(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d,
                             uint32_t n);

/* PPP payload by protocol number (ppp.c), used by DLT_PPP, PPPoE and PPTP GRE. */
int sn_decode_ppp_proto(struct sn_worker *w, struct sn_pkt *p, uint16_t proto,
                        const uint8_t *d, uint32_t n);
/* A PPP frame from its protocol field on (n >= 1): reads the 1- or 2-byte field and
 * dispatches; `too_small` is the event raised when the field is cut short. */
int sn_decode_ppp_frame(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                        enum sn_event too_small);

/* SCTP: ports only (ipv4.c). */
int sn_decode_sctp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);

/* Internet checksum helpers (ipv4.c). sn_csum_add sums 16-bit big-endian words (odd tail
 * padded with zero); sn_csum_fold folds and complements. */
uint32_t sn_csum_add(uint32_t sum, const uint8_t *d, uint32_t n);
uint16_t sn_csum_fold(uint32_t sum);
/* Whether the L4 checksum of p (TCP/UDP/ICMPv6 over `len` bytes at d) is correct, using the
 * current p->src/dst/ip_ver for the pseudo header. */
bool sn_csum_l4_ok(const struct sn_pkt *p, uint8_t proto, const uint8_t *d, uint32_t len);
/* Whether checksums are validated: ip for the IPv4 header, else for TCP/UDP. */
bool sn_csum_enabled(const struct sn_worker *w, bool ip);

#endif
