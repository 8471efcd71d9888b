/* worker.h — the sensor engine: workers that run the whole pipeline (decode, flow, stream,
 * app layer, output) on their shard of the traffic, and the readers that feed them.
 *
 * Offline (-r): one reader thread (the caller's) reads the file and hands each packet to the
 * worker picked by the symmetric dispatch hash through a per-worker single-producer ring;
 * with one worker the reader runs the pipeline itself. Live (-i): each worker owns its own
 * capture socket (AF_PACKET fanout), no rings. */
#ifndef SN_WORKER_H
#define SN_WORKER_H

#include "sn_types.h"

struct sn_config;
struct sn_eve_sink;
struct sn_engine;

/* Creates the engine with cfg->threads workers writing to `sink` (may be NULL: no EVE).
 * NULL with err set on failure. cfg must outlive the engine. */
struct sn_engine *sn_engine_new(const struct sn_config *cfg, struct sn_eve_sink *sink,
                                struct cs_err *err);
/* Processes a capture file to the end, then ends every flow (reason shutdown). Returns
 * CS_OK, or CS_EIO when the file could not be read to its end (a truncated capture: the
 * packets before the damage are processed, err says what happened). */
int sn_engine_run_file(struct sn_engine *e, const char *path, const char *bpf,
                       struct cs_err *err);
/* Captures from iface until sn_engine_stop(). */
int sn_engine_run_live(struct sn_engine *e, const char *iface, const char *bpf, bool use_pcap,
                       struct cs_err *err);
/* Asks a running engine to stop (async-signal-safe). */
void sn_engine_stop(struct sn_engine *e);
/* Merged counters and event counts of all workers (valid after a run). */
void sn_engine_totals(const struct sn_engine *e, uint64_t counters[SN_CNT_MAX],
                      uint64_t events[SN_EV_MAX]);
/* Writes the final stats record. */
void sn_engine_log_stats(struct sn_engine *e, uint64_t uptime_s);
void sn_engine_free(struct sn_engine *e);

/* One packet through a worker's pipeline (used by the engine and by tests/fuzzers). */
void sn_worker_process(struct sn_worker *w, struct sn_pkt *p);
int sn_worker_init(struct sn_worker *w, int id, const struct sn_config *cfg, int nworkers,
                   struct sn_eve_sink *sink);
/* Ends all flows (shutdown) and flushes output. */
void sn_worker_finish(struct sn_worker *w);
void sn_worker_destroy(struct sn_worker *w);

#endif
