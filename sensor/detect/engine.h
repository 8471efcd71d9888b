/* engine.h — the detection engine: a loaded rule set compiled for matching, the per-worker
 * matching state, the hooks the worker calls, alert output and hot reload.
 *
 * Build (engine.c): rules are split into
 *   - IP-only rules (no payload, no flow keywords, any ports): a sorted-interval index on
 *     source (or destination) addresses, checked on the first packet of each flow direction;
 *   - packet rules: grouped by transport (tcp/udp/icmp/other) and destination port (rules
 *     naming a few ports) or the "any port" group; per group one Hyperscan literal database
 *     per inspected buffer over the fast patterns, plus an "always check" list;
 *   - app-layer rules (rules inspecting app buffers): grouped by app-layer protocol, same
 *     prefilter, evaluated when the parser reports a transaction (sn_detect_app_cb).
 * Candidates are verified completely (engine_run.c) in Suricata's action order.
 *
 * Sharing: the compiled engine is read-only and shared by all workers. The current engine
 * is published through sn_detect_engine_install(); workers pick up a new one between packets
 * and the old one is freed once every worker has moved on (sn_detect_reload()).
 * Per-worker state (Hyperscan scratch, threshold tables, candidate lists) lives in the
 * worker's struct sn_detect_thread (created lazily on the first packet). */
#ifndef SN_DETECT_ENGINE_H
#define SN_DETECT_ENGINE_H

#include "detect.h"
#include "ruleset.h"

#include <stdio.h>

struct sn_config;
struct sn_detect_engine;

/* Figures of a build. */
struct sn_detect_stats {
    uint32_t rules_loaded;  /* rules compiled into the engine */
    uint32_t rules_skipped; /* rules the parser refused plus rules the engine cannot match */
    uint32_t ip_only;       /* rules in the IP-only index */
    uint32_t prefiltered;   /* rules with a fast pattern */
    uint32_t databases;     /* Hyperscan databases built */
    double parse_s, compile_s;
    bool from_cache; /* Hyperscan databases came from the cache directory */
};

/* Compiles `rs` (taken: the engine owns and frees it, also on failure) with configuration
 * cfg (borrowed; may be NULL: defaults; threshold-file, detect.cache-dir are read from it).
 * Rules the engine cannot match (a keyword without a match function) are counted as skipped
 * and listed with sn_detect_engine_print_skipped(). Returns NULL with err set on failure. */
struct sn_detect_engine *sn_detect_engine_build(struct sn_ruleset *rs, const struct sn_config *cfg,
                                                struct cs_err *err);
void sn_detect_engine_free(struct sn_detect_engine *de);
const struct sn_detect_stats *sn_detect_engine_stats(const struct sn_detect_engine *de);
const struct sn_ruleset *sn_detect_engine_ruleset(const struct sn_detect_engine *de);
void sn_detect_engine_print_skipped(const struct sn_detect_engine *de, FILE *f);

/* Publishes `de` as the engine workers use (NULL: detection off). The previous engine is
 * freed once no worker uses it any more: immediately when no worker has started, else by
 * the next sn_detect_engine_install()/sn_detect_shutdown() after every worker moved on.
 * Installs sn_detect_app_cb. Not thread-safe against itself (one reloader at a time). */
void sn_detect_engine_install(struct sn_detect_engine *de);
/* Frees the current and any retired engine, and the datasets / reputation data (save them
 * first: sn_detect_datasets_save()); call after the workers stopped. */
void sn_detect_shutdown(void);
/* True when an engine is installed. */
bool sn_detect_enabled(void);

/* Rebuilds the engine from `cfg` and `rule_files` (as main() loaded them) in a background
 * thread and installs it when done; the running workers keep the old engine until then.
 * Returns at once. Progress and errors go to stderr. */
void sn_detect_reload_async(const struct sn_config *cfg, const char *const *rule_files,
                            size_t nfiles);
/* Waits for a running reload to finish (tests, shutdown). */
void sn_detect_reload_wait(void);

/* ---- worker hooks (engine_run.c) ---------------------------------------------------------- */

/* Packet inspection after decode/flow/stream/app layer. No-op without an engine. */
void sn_detect_packet(struct sn_worker *w, const struct sn_pkt *p);
/* Raw stream inspection (Suricata's stream payload inspection for TCP rules without an
 * app-layer buffer): the stream's ordered bytes of direction dir, as delivered to the app
 * layer (same arguments as sn_stream_deliver_fn). They are gathered per flow direction and
 * inspected by the packet (and stream) rules as one chunk when stream.reassembly.
 * to{server,client}-chunk-size bytes are gathered, when the direction ends (EOF, depth)
 * — at the next packet of the flow, by sn_detect_packet() — and at flow end
 * (sn_detect_flow_end). The chunk of a direction is also what the packet-payload keywords
 * of a transaction rule inspect when a parser reports a transaction of that direction, so
 * call this before handing the same bytes to the app layer. No-op without an engine or
 * without stream-eligible rules and such transaction rules. */
void sn_detect_stream_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                           uint32_t len, unsigned flags);
/* Flow end: inspects what is gathered of both directions (alerts with pkt_src "stream (flow
 * timeout)"). Call after sn_stream_flow_end() and before the flow record is written. */
void sn_detect_flow_end(struct sn_worker *w, struct sn_flow *f);
/* Flow f was turned round (sn_flow_reverse): per-direction detection state follows. */
void sn_detect_flow_reverse(struct sn_flow *f);
/* Called between packets and when idle: the worker moves to a newly installed engine. */
void sn_detect_worker_sync(struct sn_worker *w);
/* Frees the worker's detection state (after its last packet). */
void sn_detect_worker_free(struct sn_worker *w);

/* ---- alert output (alert.c) ---------------------------------------------------------------- */

/* Opens fast.log (appending); one file shared by all workers, lines written whole under a
 * lock. CS_OK or CS_EIO with err filled. */
int sn_fastlog_open(const char *path, struct cs_err *err);
void sn_fastlog_close(void);
/* Formats one fast.log line (no newline) into out; returns its length. */
size_t sn_fastlog_format(char *out, size_t cap, uint64_t ts_us, const struct sn_rule *r, int ip_ver,
                         uint8_t proto, const struct sn_addr *src, uint16_t sp,
                         const struct sn_addr *dst, uint16_t dp, bool ports);

#endif
