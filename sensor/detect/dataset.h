/* dataset.h — datasets: named, typed hash sets shared by all workers (the dataset keyword),
 * and their files.
 *
 * Types and the key a value becomes:
 *   string  the bytes themselves                 file: base64 of the bytes, one per line
 *   md5     16 raw bytes (or 32 hex characters)  file: 32 hex digits per line
 *   sha256  32 raw bytes (or 64 hex characters)  file: 64 hex digits per line
 *   ipv4    4 raw bytes (or dotted text)         file: a dotted IPv4 address per line
 *   ip      16 raw bytes (IPv4 in bytes 0..3 as   file: an IPv4 or IPv6 address per line
 *           struct sn_addr keeps it; 4 raw bytes
 *           or text accepted)
 * Lines may carry ",something" after the value (Suricata's datarep files): it is ignored.
 * Empty lines and lines starting with '#' are skipped.
 *
 * Thread-safety: the registry of sets is built at load (sn_detect_datasets_load) and only
 * grows; each set has a read/write lock, so lookups from many workers run in parallel and
 * additions from dataset:set are safe. */
#ifndef SN_DETECT_DATASET_H
#define SN_DETECT_DATASET_H

#include "kw_app.h"

struct sn_ds;

#define SN_DS_MAX_KEY 65536 /* longest string value kept */

/* The set called `name`, or NULL. Thread-safe. */
struct sn_ds *sn_ds_find(const char *name);
/* The set called `name`, created (empty) with that type when it does not exist yet. hashsize
 * 0 picks a default; memcap 0 means no limit. *created tells whether it is new. CS_OK,
 * CS_EINVAL (exists with another type; err filled), CS_ENOMEM. */
int sn_ds_get_or_create(const char *name, enum sn_dataset_type type, uint64_t memcap,
                        uint32_t hashsize, struct sn_ds **out, bool *created, struct cs_err *err);
enum sn_dataset_type sn_ds_type(const struct sn_ds *ds);
size_t sn_ds_count(struct sn_ds *ds);

/* Turns a value seen in traffic into the set's key: writes it to key (capacity
 * SN_DS_MAX_KEY) and returns its length, or -1 when the value cannot be of this type. */
int sn_ds_key(enum sn_dataset_type type, const uint8_t *v, uint32_t len, uint8_t *key);

/* Membership / change by key (as sn_ds_key made it). add returns 1 when added, 0 when it was
 * there already, CS_ELIMIT over the memcap, CS_ENOMEM; remove returns 1 when removed, 0 when
 * absent. */
bool sn_ds_contains(struct sn_ds *ds, const uint8_t *key, uint32_t len);
int sn_ds_add(struct sn_ds *ds, const uint8_t *key, uint32_t len);
int sn_ds_remove(struct sn_ds *ds, const uint8_t *key, uint32_t len);

/* Adds every value of a dataset file held in memory (format above); `fname` names it in
 * errors. CS_OK or CS_EINVAL (err: fname:line: reason), CS_ELIMIT (memcap), CS_ENOMEM. */
int sn_ds_load_buffer(struct sn_ds *ds, const char *data, size_t len, const char *fname,
                      struct cs_err *err);
int sn_ds_load_file(struct sn_ds *ds, const char *path, struct cs_err *err);
/* Writes the set to path in the file format (order unspecified). CS_OK or CS_EIO. */
int sn_ds_save_file(struct sn_ds *ds, const char *path, struct cs_err *err);

/* Applies a pending dataset:set / unset of instance data `d` with the raw buffer value
 * (sn_detect_postmatch). */
void sn_dataset_apply(const struct sn_dataset *d, const uint8_t *v, uint32_t len);

/* Frees every set (shutdown, tests). No set pointer may be used afterwards. */
void sn_ds_free_all(void);

#endif
