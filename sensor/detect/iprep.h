/* iprep.h — IP reputation (Suricata's format), for the iprep keyword.
 *
 * Categories file (reputation-categories-file): "id,short name,description" per line, id
 * 0..SN_IPREP_MAX_CATS-1. Reputation files (reputation-files, relative to
 * default-reputation-path): "address[/prefix],category id,score" per line, score 0..127.
 * '#' lines and empty lines are skipped; any other malformed line is an error naming the
 * file and line. A later entry for the same address and category replaces the earlier one.
 *
 * Lookup: single addresses (and /32, /128 prefixes) sit in a hash table; other prefixes in a
 * binary trie per address family. The score of an address for a category is the host
 * entry's if it has that category, else the one of the longest prefix that has it.
 *
 * Thread-safety: a loaded database is immutable. Loading builds a new one and publishes it
 * atomically; the replaced one is kept until sn_iprep_free_all(), so workers may look up
 * while a reload happens. */
#ifndef SN_DETECT_IPREP_H
#define SN_DETECT_IPREP_H

#include "../sn_types.h"

struct cs_cfg;

#define SN_IPREP_MAX_CATS 64

/* Builds a database from a categories file and reputation files held in memory (`names`
 * used in errors) and makes it the current one. CS_OK, CS_EINVAL (err: name:line: reason),
 * CS_ENOMEM. */
int sn_iprep_load_buffers(const char *cats, size_t cats_len, const char *const *reps,
                          const size_t *rep_lens, const char *const *names, size_t nreps,
                          struct cs_err *err);
/* Reads reputation-categories-file / default-reputation-path / reputation-files of the
 * configuration (nothing to do without reputation-categories-file). CS_OK, CS_EIO,
 * CS_EINVAL, CS_ENOMEM with err filled. */
int sn_iprep_load_config(const struct cs_cfg *raw, struct cs_err *err);

/* Category id of a short name in the current database, -1 when unknown. */
int sn_iprep_category(const char *name);
/* Score (0..127) of address a (IPv4 when ip_ver is 4) for category cat, -1 when none. */
int sn_iprep_score(const struct sn_addr *a, uint8_t ip_ver, int cat);
/* Entries of the current database: single addresses and prefixes. */
void sn_iprep_counts(size_t *hosts, size_t *prefixes);

void sn_iprep_free_all(void);

#endif
