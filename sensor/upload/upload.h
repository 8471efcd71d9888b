/* upload.h — the hub output: EVE lines go to the on-disk spool (spool.h) and a background
 * thread uploads them to the hub in batches (POST /api/v1/events, NDJSON, zstd/gzip/none,
 * Authorization: Bearer <sensor token>, X-Citysoc-Batch, X-Citysoc-Signature signed with the
 * sensor's SM2 key in the scheme of hub/auth/sensor_sig.c).
 *
 * Answers: 2xx acknowledges the batch (the spool advances past it). Connection failures,
 * 408, 429 and 5xx are retried with exponential backoff (0.5 s doubling to retry-max), the
 * same batch under the same id. 401, 403 and 404 mean the sensor's credentials or URL are
 * wrong, not the batch: retried the same way (counted in auth_failures) so that fixing the
 * hub side loses nothing. Any other 4xx marks the batch as poisoned: its NDJSON and the
 * hub's answer go to <spool>/rejected/<batch id>.{ndjson,response}, it is counted and
 * logged, and the upload goes on with the next batch.
 *
 * Thread-safety: sn_upload_append may be called from any thread (the EVE sink calls it
 * under its own lock); start/stop from the main thread. */
#ifndef SN_UPLOAD_H
#define SN_UPLOAD_H

#include <stdint.h>

#include "../config.h"

struct sn_upload;

struct sn_upload_stats {
    uint64_t uploaded_events, uploaded_batches;
    uint64_t duplicate_batches; /* acknowledged as already stored (a retry after a crash) */
    uint64_t retries;           /* failed attempts that will be retried */
    uint64_t auth_failures;     /* 401/403/404 answers (retried) */
    uint64_t rejected_batches, rejected_events;
    uint64_t spool_bytes, spool_pending;
    uint64_t dropped_events;    /* lost to the spool cap, oversized lines, write errors */
    uint64_t torn_records;
    uint64_t spool_write_errors;
};

/* Opens the spool (resuming what it holds), loads the key and token, starts the uploader
 * thread. log_dir resolves a relative spool-dir. Returns CS_OK with *out set, or an error
 * with err filled (nothing started). */
int sn_upload_start(const struct sn_hub_cfg *cfg, const char *log_dir, struct sn_upload **out,
                    struct cs_err *err);

/* Appends whole EVE lines (buf[0..len), '\n'-terminated) to the spool. Never waits for the
 * network. */
void sn_upload_append(struct sn_upload *u, const char *buf, size_t len);

/* Waits up to drain_ms for everything spooled to be acknowledged (uploading without
 * waiting for full batches), then stops the thread, syncs and closes the spool and frees u.
 * What is left stays in the spool for the next start. `final` (may be NULL) receives the
 * counters at the end. NULL u is a no-op. */
void sn_upload_stop(struct sn_upload *u, uint32_t drain_ms, struct sn_upload_stats *final);

void sn_upload_get_stats(struct sn_upload *u, struct sn_upload_stats *st);

#endif
