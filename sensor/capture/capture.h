/* capture.h — packet sources: capture files (pcap/pcapng through libpcap) and live
 * interfaces (AF_PACKET TPACKET_V3 with PACKET_FANOUT_HASH, one socket per worker; libpcap
 * as the fallback). A source is used by one thread. */
#ifndef SN_CAPTURE_H
#define SN_CAPTURE_H

#include "../../lib/cs.h"

struct sn_capture;

struct sn_capture_pkt {
    const uint8_t *data;         /* valid until the next sn_capture_next() call */
    uint32_t caplen;
    uint32_t wirelen;
    uint64_t ts_us;
};

/* Opens a capture file; `bpf` (may be NULL) is a BPF filter expression. NULL on error with
 * err->msg set ("cannot open x.pcap: ..."). */
struct sn_capture *sn_capture_open_file(const char *path, const char *bpf, struct cs_err *err);

/* Opens live capture on `iface` for worker `worker` of `nworkers`: an AF_PACKET TPACKET_V3
 * socket joined to fanout group `fanout_id` with PACKET_FANOUT_HASH (| FLAG_DEFRAG), or with
 * `use_pcap` a libpcap handle (only for nworkers == 1). NULL on error with err set. */
struct sn_capture *sn_capture_open_live(const char *iface, int worker, int nworkers,
                                        uint16_t fanout_id, const char *bpf, bool use_pcap,
                                        struct cs_err *err);

/* Next packet: 1 = packet in *out, 0 = none yet (live timeout, ~100 ms), -1 = end of file,
 * CS_EIO-like <= -2 on a read error (err text through sn_capture_error). */
int sn_capture_next(struct sn_capture *c, struct sn_capture_pkt *out);
/* Link type (DLT_*) of the source. */
int sn_capture_datalink(const struct sn_capture *c);
/* Kernel counters for live sources (0 for files). */
void sn_capture_stats(struct sn_capture *c, uint64_t *received, uint64_t *dropped);
const char *sn_capture_error(const struct sn_capture *c);
/* Asks a blocked live source to return (any thread; async-signal-safe flag). */
void sn_capture_break(struct sn_capture *c);
void sn_capture_close(struct sn_capture *c);

#endif
