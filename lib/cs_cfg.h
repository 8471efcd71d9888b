/* cs_cfg.h — YAML configuration as a tree addressed by dotted keys.
 *
 * Loads a YAML document (libyaml) into a tree of maps, sequences and scalars. Keys are
 * addressed with dots; sequence elements by index ("outputs.1.eve-log.types"), and a
 * sequence element that is a one-key map may also be addressed by that key
 * ("outputs.eve-log.enabled" finds the element of `outputs` whose key is eve-log).
 * Suricata's YAML specifics are accepted: the "%YAML 1.1" directive, "---", `include:`
 * is reported as unsupported but not fatal. Anchors and aliases are resolved.
 * cs_cfg_set() implements --set key=value: creates or replaces the scalar at key.
 * Every node has a `used` mark: getters set it, so cs_cfg_unused() can list the keys the
 * program never looked at (for the "ignored keys" warning). Not thread-safe for writes;
 * concurrent reads are fine after loading. */
#ifndef CS_CFG_H
#define CS_CFG_H

#include "cs.h"

struct cs_cfg;

/* Empty configuration (a map at the root). NULL on allocation failure. */
struct cs_cfg *cs_cfg_new(void);
/* Parses YAML from a file / a buffer into `c`, merging over what is there (maps merge key by
 * key, scalars and sequences are replaced). On error fills err (line/col 1-based) and
 * returns CS_EINVAL (syntax) or CS_EIO (cannot read). */
int cs_cfg_load_file(struct cs_cfg *c, const char *path, struct cs_err *err);
int cs_cfg_load_string(struct cs_cfg *c, const char *yaml, size_t len, struct cs_err *err);
void cs_cfg_free(struct cs_cfg *c);

/* Where non-fatal load warnings go (e.g. "file:3:1: 'include' is not supported; ignored"),
 * one message without trailing newline; default prints "warning: <msg>" on stderr, NULL
 * silences. Global, not thread-safe: set it before loading. */
extern void (*cs_cfg_warn)(const char *msg);

/* Sets scalar value at dotted key, creating maps on the way. "key=value" parsing is the
 * caller's. Returns CS_OK, CS_EINVAL on an empty key, CS_ENOMEM. */
int cs_cfg_set(struct cs_cfg *c, const char *key, const char *value);

/* A number that names this tree in its current content: unique over the process, new at each
 * cs_cfg_new / load / set (0 for NULL). Lets readers cache what they derive from a tree
 * (per thread) without mistaking a new tree at a freed one's address for the old. */
uint64_t cs_cfg_serial(const struct cs_cfg *c);

/* Getters: return true and fill *out when the key exists and converts; false otherwise
 * (out untouched). Booleans accept yes/no/true/false/on/off/1/0 (any case). Sizes accept
 * suffixes kb/mb/gb (and k/m/g, KiB style: 1kb = 1024). Durations are plain seconds. */
bool cs_cfg_get_str(const struct cs_cfg *c, const char *key, const char **out);
bool cs_cfg_get_bool(const struct cs_cfg *c, const char *key, bool *out);
bool cs_cfg_get_int(const struct cs_cfg *c, const char *key, int64_t *out);
bool cs_cfg_get_size(const struct cs_cfg *c, const char *key, uint64_t *out);
/* Whether key exists (any node kind); marks it used. */
bool cs_cfg_has(const struct cs_cfg *c, const char *key);

/* Sequences and maps: number of children (0 if not a container), and child i's key
 * (maps; NULL for sequences) and scalar value (NULL for containers). Child i of a
 * container is addressed as "<key>.<i>" for the getters. Counting and listing keys do not
 * mark anything used; reading a child's value marks that child. */
size_t cs_cfg_count(const struct cs_cfg *c, const char *key);
const char *cs_cfg_child_key(const struct cs_cfg *c, const char *key, size_t i);
const char *cs_cfg_child_value(const struct cs_cfg *c, const char *key, size_t i);

/* Source position (1-based line and column) of the node at key, for error messages; false
 * when the key is absent or was created by cs_cfg_set(). Does not mark the key used. */
bool cs_cfg_pos(const struct cs_cfg *c, const char *key, int *line, int *col);

/* Marks key and everything under it as used without reading it. */
void cs_cfg_mark_used(struct cs_cfg *c, const char *key);
/* Calls fn for each top-level key path (depth `depth`, e.g. 1 for "app-layer") that has
 * nothing used beneath it. */
void cs_cfg_unused(const struct cs_cfg *c, int depth, void (*fn)(const char *key, void *arg),
                   void *arg);

#endif
