/* defrag.h — per-worker IPv4 and IPv6 fragment reassembly.
 *
 * A tracker is keyed by (ip version, src, dst, id, proto, VLAN ids). Overlapping data keeps
 * the first copy received (BSD-like first-wins) and raises frag_overlap. When a datagram is
 * complete it is rebuilt into a malloc'd buffer, decoded from the IP layer as a new packet
 * (SN_PKT_REBUILT, owned = the buffer) and handed to sn_decode_rebuilt_cb (or freed when
 * the callback is NULL). The rebuilt packet is passed even when its decode raised invalid
 * events; the callee checks SN_PKT_INVALID. Trackers time out cfg->defrag_timeout_s after
 * their last fragment (packet time). Memory is bounded by cfg->defrag_memcap / nworkers and
 * the tracker count by cfg->defrag_max_frags / nworkers. Thread-safety: one worker only. */
#ifndef SN_DEFRAG_H
#define SN_DEFRAG_H

#include "../sn_types.h"

struct sn_config;

/* Creates one worker's defragmenter; NULL on allocation failure. Free with sn_defrag_free. */
struct sn_defrag *sn_defrag_new(const struct sn_config *cfg, int nworkers);
/* Frees every tracker and the context; NULL is fine. */
void sn_defrag_free(struct sn_defrag *d);
/* Drops trackers whose last fragment is older than the timeout at time now_us. */
void sn_defrag_timeout(struct sn_worker *w, uint64_t now_us);
/* Bytes of fragment data and trackers currently held (for tests and stats). */
uint64_t sn_defrag_memuse(const struct sn_defrag *d);
uint32_t sn_defrag_trackers(const struct sn_defrag *d);

/* Inserts an IPv4 fragment: d is the IPv4 header, n its total length (header included,
 * already validated by ipv4.c). p gets SN_PKT_IS_FRAGMENT. */
void sn_defrag_ipv4(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n);
/* Inserts an IPv6 fragment: d is the IPv6 header, n = 40 + payload length, fh_off the
 * offset of the fragment header and nh_off the offset of the next-header byte that names
 * it (6 for the fixed header). */
void sn_defrag_ipv6(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n,
                    uint32_t fh_off, uint32_t nh_off);

#endif
