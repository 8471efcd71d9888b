/* decode.h — packet decoding from link layer to transport layer.
 *
 * sn_decode() fills the L2/L3/L4 fields of a packet whose capture fields (data, caplen,
 * wirelen, ts_us, pcap_cnt, datalink) are set. It never reads outside data[0..caplen) and
 * never aborts: malformed input raises events (events.def) and counts them in the worker.
 * IP fragments are handed to the worker's defragmenter; when a datagram completes, the
 * reassembled packet is decoded and passed to `w`'s pipeline through sn_decode_rebuilt_cb.
 * Thread-safety: one worker's state only. */
#ifndef SN_DECODE_H
#define SN_DECODE_H

#include "../sn_types.h"

/* Link types we decode (values from pcap/dlt.h / LINKTYPE_*). */
#define SN_DLT_NULL 0
#define SN_DLT_EN10MB 1
#define SN_DLT_RAW 12       /* OpenBSD value; Linux DLT_RAW is 14 for some libpcap builds */
#define SN_DLT_RAW_ALT 14
#define SN_DLT_PPP 9
#define SN_DLT_LOOP 108
#define SN_DLT_LINUX_SLL 113
#define SN_DLT_LINKTYPE_RAW 101
#define SN_DLT_IPV4 228
#define SN_DLT_IPV6 229
#define SN_DLT_LINUX_SLL2 276

/* Returns CS_OK when the packet should continue through the pipeline (flow, stream);
 * CS_AGAIN when it was consumed (a fragment kept for reassembly) or carries nothing more
 * to track; CS_ERR when it is invalid at a level that stops processing (events raised). */
int sn_decode(struct sn_worker *w, struct sn_pkt *p);

/* Called by the defragmenter with a fully reassembled datagram packet (SN_PKT_REBUILT set,
 * p->owned holds the buffer). The worker pipeline sets this at start-up; defaults to NULL
 * which drops rebuilt packets. The callee must free p->owned. */
typedef void (*sn_rebuilt_fn)(struct sn_worker *w, struct sn_pkt *p);
extern sn_rebuilt_fn sn_decode_rebuilt_cb;

/* Whether a link type is supported. */
bool sn_decode_dlt_supported(int dlt);

/* Symmetric hash used to spread packets over workers: both directions of a flow and every
 * fragment of a datagram give the same value (IP pair + VLAN ids; ports are not used so that
 * fragments land with their flow). Light parse, no events. 0 when no IP layer is found. */
uint32_t sn_decode_dispatch_hash(int dlt, const uint8_t *data, uint32_t caplen);

/* ---- internal entry points, one per layer (one file each in decode/) --------------------------------- */
int sn_decode_ethernet(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_vlan(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                   uint16_t tpid);
int sn_decode_mpls(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_pppoe_session(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d,
                            uint32_t n);
int sn_decode_ppp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_sll(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_sll2(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_null(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                   bool loop);
int sn_decode_raw(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_ethertype(struct sn_worker *w, struct sn_pkt *p, uint16_t type,
                        const uint8_t *d, uint32_t n);
int sn_decode_ipv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_ipv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_tcp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_udp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_icmpv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_icmpv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_gre(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_vxlan(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
int sn_decode_teredo(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);

#endif
