/* flow.h — the per-worker bidirectional flow table.
 *
 * Key: (addresses, ports, IP protocol, VLAN ids) in either direction. One table per worker,
 * no locks. Flows come from a per-table pool; the table's memory is capped (flow_memcap /
 * number of workers): when the cap is reached the table enters emergency mode, uses the
 * emergency timeouts and evicts the least recently active flows (counted in flow.memcap,
 * flow.emerg_mode_entered). Time is packet time: a flow that has been idle longer than its
 * timeout when a packet for the same tuple arrives is ended first (reason "timeout") and a
 * new flow is created, so the records produced do not depend on when sweeps run.
 * Every ended flow goes to the table's end callback exactly once before its memory is
 * reused. Thread-safety: one worker only. */
#ifndef SN_FLOW_H
#define SN_FLOW_H

#include "../sn_types.h"

struct sn_config;

/* Called for every flow that ends (timeout, forced eviction, shutdown) before it is freed:
 * the worker logs it and frees stream/app state there. f->end_reason is set. */
typedef void (*sn_flow_end_fn)(struct sn_worker *w, struct sn_flow *f);

/* Creates a table sized from cfg (flow_hash_size, flow_prealloc, flow_memcap / nworkers).
 * Returns NULL on allocation failure. */
struct sn_flow_table *sn_flow_table_new(const struct sn_config *cfg, int nworkers,
                                        sn_flow_end_fn on_end);
/* Turns flow f round: the destination becomes the client (src). Addresses, ports, packet
 * and byte counters, TCP flags and ICMP type/code per direction are swapped and the
 * flow_id follows. For the app layer, when probing shows that the first data seen came from
 * the server (midstream pick-up); the caller keeps the stream session in step. */
void sn_flow_reverse(struct sn_flow *f);
/* Frees the table; flows still in it are NOT ended (call sn_flow_flush first). */
void sn_flow_table_free(struct sn_flow_table *t);

/* Finds or creates the flow of decoded packet p (needs ip_ver and, for TCP/UDP/ICMP,
 * SN_PKT_HAS_L4). Sets p->flow and p->dir, updates packet/byte counters, TCP flag
 * unions and last_us. Returns NULL (and counts flow.memcap) when no flow can be had.
 * The flow's state (new/established) is advanced for non-TCP protocols here; TCP state is
 * the stream module's job. */
struct sn_flow *sn_flow_handle(struct sn_worker *w, struct sn_pkt *p);

/* Ends flows idle past their timeout at time now_us (bounded work per call: at most
 * `max` flows; 0 = no bound). Returns the number ended. */
unsigned sn_flow_timeout_sweep(struct sn_worker *w, uint64_t now_us, unsigned max);

/* Ends every flow with reason `reason` (end of capture: SN_FLOW_END_SHUTDOWN). */
void sn_flow_flush(struct sn_worker *w, enum sn_flow_end reason);

/* Number of flows currently in the table, and bytes of memory it uses. */
size_t sn_flow_count(const struct sn_flow_table *t);
size_t sn_flow_memuse(const struct sn_flow_table *t);

/* Community ID v1 (https://github.com/corelight/community-id-spec) of the flow, as
 * "1:<base64 sha1>", written into out (at least 33 bytes). Returns the length. */
size_t sn_flow_community_id(const struct sn_flow *f, uint16_t seed, char *out, size_t outsz);

/* Community ID for explicit tuple values (used by tests and by the hub's importer).
 * Addresses are 4 or 16 bytes per ip_ver; for ICMP/ICMPv6 sp/dp are type/code. */
size_t sn_community_id(uint16_t seed, int ip_ver, const uint8_t *saddr, const uint8_t *daddr,
                       uint8_t proto, uint16_t sp, uint16_t dp, char *out, size_t outsz);

/* Flow timeout that applies now to f given its state and the table's emergency mode. */
uint32_t sn_flow_timeout_of(const struct sn_worker *w, const struct sn_flow *f);

#endif
