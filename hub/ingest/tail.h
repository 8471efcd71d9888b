/* tail.h — citysoc-hub following a growing eve.json (Suricata or citysoc sensor output).
 *
 * A thread reads the file as it grows, normalises complete lines, and stores them as
 * batches of the named sensor (which must exist). Each batch's id is
 * "tail-<inode>-<offset of its first byte>", so after a restart the hub re-reads the file
 * from the start and every batch already stored is recognised as a duplicate: nothing is
 * stored twice and nothing acknowledged is lost. A rotated file (new inode, or shorter than
 * the read position) is read from its start. */
#ifndef HUB_INGEST_TAIL_H
#define HUB_INGEST_TAIL_H

#include "../store/store.h"

struct hub_tail;

/* Starts tailing path as sensor_name (format: "suricata-eve", "citysoc-eve", …). */
int hub_tail_start(struct hub_store *s, const char *path, const char *sensor_name,
                   const char *format, struct hub_tail **out, struct cs_err *err);
/* Stops the thread after storing what it read. NULL is a no-op. */
void hub_tail_stop(struct hub_tail *t);
/* Events stored so far (for tests). */
uint64_t hub_tail_stored(struct hub_tail *t);

#endif
