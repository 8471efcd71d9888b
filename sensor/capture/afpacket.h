/* afpacket.h — one AF_PACKET TPACKET_V3 receive socket (Linux live capture). Internal to
 * sensor/capture: pcap.c wraps it behind sn_capture_open_live(). A socket is used by one
 * thread; only sn_afp_break() may be called from another thread or a signal handler. */
#ifndef SN_AFPACKET_H
#define SN_AFPACKET_H

#include "../../lib/cs.h"

struct sn_afp;

/* Opens a TPACKET_V3 socket on iface (64 blocks of 1 MiB, fewer if the kernel lacks memory;
 * blocks retire after 10 ms) in promiscuous mode; joins fanout group fanout_id
 * (PACKET_FANOUT_HASH | DEFRAG) when `fanout` (the interface must be up); attaches `bpf`
 * (libpcap syntax, compiled for the interface's link type) when non-NULL and non-empty.
 * Ethernet, loopback and raw-IP (tun) interfaces are supported. NULL with err set on
 * failure: "cannot open AF_PACKET socket on eth9: No such device", "invalid BPF filter
 * 'x': ...". The caller owns the result (sn_afp_close). */
struct sn_afp *sn_afp_open(const char *iface, uint16_t fanout_id, bool fanout, const char *bpf,
                           struct cs_err *err);
/* 1 packet, 0 timeout (~100 ms, or at once after sn_afp_break), <0 (CS_EIO) error with the
 * text in sn_afp_error(). Data is valid until the next call. A VLAN tag the kernel stripped
 * is put back into the frame (caplen and wirelen include it). */
int sn_afp_next(struct sn_afp *a, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen,
                uint64_t *ts_us);
/* Cumulative kernel counters since open: packets that passed the filter (drops included)
 * and packets dropped because the ring was full. */
void sn_afp_stats(struct sn_afp *a, uint64_t *received, uint64_t *dropped);
/* DLT of the frames returned: DLT_EN10MB (Ethernet, loopback) or DLT_RAW (tun). */
int sn_afp_datalink(const struct sn_afp *a);
/* Text of the last sn_afp_next() error ("" if none); owned by `a`. */
const char *sn_afp_error(const struct sn_afp *a);
/* Makes a blocked or later sn_afp_next() return 0 at once. Any thread; async-signal-safe. */
void sn_afp_break(struct sn_afp *a);
/* Closes the socket (leaving promiscuous mode and the fanout group) and frees `a`; NULL ok. */
void sn_afp_close(struct sn_afp *a);

#endif
