/* stream.h — TCP session tracking and reassembly.
 *
 * Per direction: three-way-handshake tracking (and Suricata's 4-way split handshake),
 * midstream pick-up when stream.midstream is set, sequence/ack validation with stream.*
 * events, out-of-order segments kept until the gap fills (or until the stream moves past
 * it: a gap event and gap notification to the application), overlap resolution by
 * policy with reassembly_overlap_different_data events, a depth limit after which data is
 * no longer reassembled (stream.reassembly_depth_reached, once per direction).
 * In-order data is delivered to the application layer through `sn_stream_deliver_cb` once the
 * receiver has acknowledged it (IDS mode; on arrival with stream.inline / async-oneside, when
 * the receiver never ACKed, after FIN, RST and at flow end).
 * Memory: segments come from the worker's stream context, capped by reassembly_memcap /
 * nworkers; over the cap data is dropped and counted (tcp.segment_memcap_drop).
 * Thread-safety: one worker only. */
#ifndef SN_STREAM_H
#define SN_STREAM_H

#include "../sn_types.h"

struct sn_config;

/* TCP session states, named as Suricata logs them in tcp.state */
enum sn_tcp_state {
    SN_TCP_NONE = 0,
    SN_TCP_SYN_SENT,
    SN_TCP_SYN_RECV,
    SN_TCP_ESTABLISHED,
    SN_TCP_FIN_WAIT1,
    SN_TCP_FIN_WAIT2,
    SN_TCP_TIME_WAIT,
    SN_TCP_LAST_ACK,
    SN_TCP_CLOSE_WAIT,
    SN_TCP_CLOSING,
    SN_TCP_CLOSED,
};

/* Flags passed with delivered data */
#define SN_STREAM_START (1u << 0) /* first data of this direction */
#define SN_STREAM_GAP (1u << 1)   /* data before this call is missing (len bytes of gap if
                                     data == NULL) */
#define SN_STREAM_EOF (1u << 2)   /* direction closed (FIN/RST/flow end); data may be NULL */
#define SN_STREAM_DEPTH (1u << 3) /* depth reached: no more data will come */

/* Packet-level results in p->stream_flags */
#define SN_STREAM_PKT_IN_SESSION (1u << 0) /* packet accepted by the session tracker */
#define SN_STREAM_PKT_RETRANS (1u << 1)
#define SN_STREAM_PKT_OUT_OF_WINDOW (1u << 2)

/* Application delivery: ordered bytes of direction `dir` (SN_TOSERVER / SN_TOCLIENT).
 * The data is only valid during the call. Set by the worker pipeline at start-up. */
typedef void (*sn_stream_deliver_fn)(struct sn_worker *w, struct sn_flow *f, int dir,
                                     const uint8_t *data, uint32_t len, unsigned flags);
extern sn_stream_deliver_fn sn_stream_deliver_cb;

struct sn_stream_ctx *sn_stream_ctx_new(const struct sn_config *cfg, int nworkers);
void sn_stream_ctx_free(struct sn_stream_ctx *ctx);

/* Processes TCP packet p of flow p->flow (p->dir set). Creates the session on the first
 * packet (SYN, or anything with midstream on), updates f->state (new / established /
 * closed), raises stream events on p, and reassembles/delivers payload. */
void sn_stream_packet(struct sn_worker *w, struct sn_pkt *p);

/* Flow is ending: deliver what can be delivered (remaining in-order data, EOF to both
 * directions). The session stays readable (state name, regions) until sn_stream_flow_free.
 * Safe to call on flows without a session, and more than once. */
void sn_stream_flow_end(struct sn_worker *w, struct sn_flow *f);
/* Releases the session of an ended flow (f->tcp becomes NULL). */
void sn_stream_flow_free(struct sn_worker *w, struct sn_flow *f);

/* The session was picked up midstream (no SYN seen from the initiator). */
bool sn_stream_midstream(const struct sn_flow *f);
/* Swaps the session's two directions, after sn_flow_reverse(f). Call between packets or
 * after sn_stream_packet() returned (never from inside a delivery). */
void sn_stream_reverse(struct sn_flow *f);

/* Session state name ("syn_sent", "established", "closed", …) or NULL without a session. */
const char *sn_stream_state_name(const struct sn_flow *f);

/* Sequence space used by direction dir of f's session (next expected sequence number minus
 * the ISN, so the SYN counts one, as Suricata's stream_size keyword measures it): true and
 * *out set, false when f has no session. */
bool sn_stream_dir_bytes(const struct sn_flow *f, int dir, uint64_t *out);
/* Whether the session reached the established state once (three-way handshake completed, or
 * picked up midstream), even if it has closed since. */
bool sn_stream_handshake_done(const struct sn_flow *f);

/* Largest number of disjoint out-of-order regions held at once per direction (the EVE
 * tcp.ts_max_regions / tc_max_regions fields); 1 minimum when a session exists. */
unsigned sn_stream_max_regions(const struct sn_flow *f, int dir);

/* Bytes of reassembly memory in use by this worker's context. */
size_t sn_stream_memuse(const struct sn_stream_ctx *ctx);

#endif
