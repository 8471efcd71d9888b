/* spool.h — the hub output's on-disk spool: EVE lines are appended to segment files first,
 * and the uploader cuts batches from them; nothing leaves the spool before the hub has
 * acknowledged it.
 *
 * Layout of the spool directory:
 *   spool.id                 8 hex digits, random, written once: names this spool in batch ids
 *   seg-<16 hex seq>.spool   segments; records appended at the end of the newest one
 *   cursor                   "v1 <seq> <off> <recs> <fseq> <fstart> <fend> <frecs>\n": how far
 *                            the hub has acknowledged, and the batch in flight (fseq 0: none)
 *   rejected/                batches the hub refused (see upload.h)
 * A record is  le32 length | le32 CRC-32 of the payload | payload (one EVE line, no '\n').
 * A record whose header or CRC does not check (a write torn by a crash) ends its segment:
 * the rest of that segment is skipped and counted in torn_records. After a (re)start the
 * writer always begins a new segment, so a torn tail is never appended to.
 *
 * Batch ids are "<spool id>-<seq>-<start>-<end>" (hex): a batch is a byte range of one
 * segment. Its range is written to the cursor file (fsync'ed) before it is sent, so a batch
 * retried after a crash is cut again exactly, under the same id, and the hub stores it once.
 *
 * Durability: appends are write(2)s (in the kernel's page cache at once, so a crash of the
 * sensor process loses nothing); sn_spool_sync() fsyncs the active segment, which the
 * uploader does every flush interval, and a segment is fsync'ed when it is closed. The
 * cursor file is replaced atomically (write, fsync, rename, fsync of the directory).
 *
 * Cap: when appending would take the spool over max_bytes, whole segments are dropped,
 * oldest first (their unsent records are counted in dropped_records); appending never
 * waits for the uploader.
 *
 * Thread-safety: every function may be called from any thread (one mutex inside). */
#ifndef SN_SPOOL_H
#define SN_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../lib/cs.h"

#define SN_SPOOL_REC_HDR 8
#define SN_SPOOL_REC_MAX (16u << 20) /* longest payload; longer lines are dropped */
#define SN_SPOOL_BATCH_ID_MAX 64

struct sn_spool;

struct sn_spool_opts {
    const char *dir;      /* created (mode 0700) when missing */
    uint64_t max_bytes;   /* cap over all segments; 0 = 1 GiB */
    uint64_t seg_bytes;   /* a segment is closed past this size; 0 = max_bytes / 8 in
                             [64 KiB, 64 MiB] */
};

struct sn_spool_stats {
    uint64_t bytes;           /* on disk, all segments */
    uint64_t segments;
    uint64_t pending_records; /* appended, not yet acknowledged */
    uint64_t appended_records;
    uint64_t torn_records;    /* torn or corrupt records found (each ends a segment) */
    uint64_t dropped_records; /* unsent records lost to the cap (or oversized lines) */
    uint64_t dropped_segments;
    uint64_t write_errors;
};

/* A batch cut from the spool: body holds its lines, each ending in '\n'. */
struct sn_spool_batch {
    char id[SN_SPOOL_BATCH_ID_MAX + 1];
    uint64_t seq, start, end; /* byte range [start, end) of segment seq */
    uint64_t nrec;
    char *body; /* cs_malloc'ed; sn_spool_batch_free */
    size_t len;
};

/* Opens (creating when needed) the spool in o->dir and resumes from what it holds: scans
 * every segment (counting torn records), reads the cursor. Returns CS_OK with *out set, or
 * CS_EIO / CS_ENOMEM / CS_EINVAL with err filled. */
int sn_spool_open(const struct sn_spool_opts *o, struct sn_spool **out, struct cs_err *err);

/* fsyncs and closes; NULL is a no-op. Unsent records stay on disk for the next start. */
void sn_spool_close(struct sn_spool *s);

/* Appends the lines of buf[0..len) (each terminated by '\n'; a last line without one is
 * taken as it is; empty lines are skipped) as one write. Never blocks on the uploader; when
 * the cap is reached old segments are dropped. Returns CS_OK, CS_EIO (counted in
 * write_errors, lines lost) or CS_ENOMEM. */
int sn_spool_append(struct sn_spool *s, const char *buf, size_t len);

/* Cuts the next batch into *b: the batch in flight when there is one (same range, same id),
 * else up to max_records records / max_bytes bytes of body (at least one record) from the
 * acknowledged position. A batch that is not full is only cut when `force` is set or its
 * segment is closed (no more records can join it). The range is recorded in the cursor file
 * before returning. Returns CS_OK, CS_AGAIN (nothing to cut now), CS_EIO or CS_ENOMEM. */
int sn_spool_next_batch(struct sn_spool *s, size_t max_records, size_t max_bytes, bool force,
                        struct sn_spool_batch *b);

/* The hub acknowledged b (or it was moved aside): advances the cursor past it, deletes
 * segments fully consumed and closed. CS_OK or CS_EIO. */
int sn_spool_commit(struct sn_spool *s, const struct sn_spool_batch *b);

/* Frees b's body (b itself belongs to the caller). */
void sn_spool_batch_free(struct sn_spool_batch *b);

/* fsyncs the active segment when it was written to since the last sync. */
int sn_spool_sync(struct sn_spool *s);

/* Closes the active segment (the next append opens a new one), so its tail can be cut. */
void sn_spool_roll(struct sn_spool *s);

void sn_spool_get_stats(struct sn_spool *s, struct sn_spool_stats *st);

/* The spool's 8-hex-digit id. */
const char *sn_spool_id(const struct sn_spool *s);

#endif
