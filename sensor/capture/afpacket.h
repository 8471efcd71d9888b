/* afpacket.h — one AF_PACKET TPACKET_V3 receive socket (Linux live capture). */
#ifndef SN_AFPACKET_H
#define SN_AFPACKET_H

#include "../../lib/cs.h"

struct sn_afp;

/* Opens a TPACKET_V3 socket on iface; joins fanout group fanout_id (PACKET_FANOUT_HASH |
 * DEFRAG) when `fanout`; attaches `bpf` when non-NULL. NULL with err set on failure. */
struct sn_afp *sn_afp_open(const char *iface, uint16_t fanout_id, bool fanout, const char *bpf,
                           struct cs_err *err);
/* 1 packet, 0 timeout (~100 ms), <0 error; data valid until the next call. */
int sn_afp_next(struct sn_afp *a, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen,
                uint64_t *ts_us);
/* Cumulative kernel counters. */
void sn_afp_stats(struct sn_afp *a, uint64_t *received, uint64_t *dropped);
int sn_afp_datalink(const struct sn_afp *a);
void sn_afp_break(struct sn_afp *a);
void sn_afp_close(struct sn_afp *a);

#endif
