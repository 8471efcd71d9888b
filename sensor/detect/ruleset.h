/* ruleset.h — a loaded set of rules: rule files, classification.config, reference.config,
 * the per-rule errors and the start-up summary
 *
 *     loaded 24101 rules, 726 skipped: unsupported keyword 'x' (400), …
 *
 * A rule that fails to parse is skipped (recorded with file:line:col: reason), never fatal.
 * Duplicate sid:gid follow Suricata: the rule with the higher rev is kept; on equal revs
 * the first one loaded stays and the later one is skipped ("duplicate signature").
 * Not thread-safe while loading; read-only (and shareable) afterwards. */
#ifndef SN_DETECT_RULESET_H
#define SN_DETECT_RULESET_H

#include "rule.h"

#include <stdio.h>

struct sn_config;

struct sn_rule_error {
    const char *file; /* borrowed from the ruleset's file-name list; "<string>" for buffers */
    int line, col;
    int code; /* CS_EINVAL, SN_RULE_EUNSUPPORTED, … */
    char msg[256];
    char *reason; /* grouping key of the summary ("unsupported keyword 'x'", "invalid pcre") */
};

struct sn_reason_count {
    char *reason;
    size_t count;
};

struct sn_ruleset {
    struct sn_rule **rules; /* accepted rules, in load order (duplicates replaced in place) */
    size_t nrules, cap;
    size_t skipped; /* rules not loaded (parse errors, duplicates) */
    struct sn_rule_error *errors;
    size_t nerrors, errcap;
    struct sn_reason_count *reasons; /* skip histogram */
    size_t nreasons;

    struct sn_rule_env env; /* vars (borrowed), classes and reference systems (owned) */
    struct sn_class *classes;
    size_t nclasses;
    struct sn_refsys *refsys;
    size_t nrefsys;

    char **files; /* file names rules point at */
    size_t nfiles;
    void *sid_index;      /* sid:gid → rule index (private) */
    double parse_seconds; /* wall time spent in sn_ruleset_load_* */
};

/* New empty set; `vars` is the configuration tree holding vars.address-groups /
 * vars.port-groups (borrowed, must outlive the set; NULL: Suricata's stock values).
 * NULL on allocation failure. */
struct sn_ruleset *sn_ruleset_new(const struct cs_cfg *vars);
void sn_ruleset_free(struct sn_ruleset *rs);

/* classification.config ("config classification: name,description,priority") and
 * reference.config ("config reference: system url"). Loading one turns on the checks of
 * classtype / reference against it. CS_OK, CS_EIO (cannot read; err filled) or CS_EINVAL
 * (malformed line; err has file line). */
int sn_ruleset_load_classification(struct sn_ruleset *rs, const char *path, struct cs_err *err);
int sn_ruleset_load_classification_buffer(struct sn_ruleset *rs, const char *data, size_t len,
                                          struct cs_err *err);
int sn_ruleset_load_references(struct sn_ruleset *rs, const char *path, struct cs_err *err);
int sn_ruleset_load_references_buffer(struct sn_ruleset *rs, const char *data, size_t len,
                                      struct cs_err *err);

/* Loads the rules of one file / of a memory buffer (`name` is used in messages, may be NULL).
 * Lines are rules; '#' starts a comment line; a line ending in '\' continues on the next.
 * Bad rules are recorded and skipped. Returns CS_OK, CS_EIO when the file cannot be read
 * (err filled), CS_ENOMEM. */
int sn_ruleset_load_file(struct sn_ruleset *rs, const char *path, struct cs_err *err);
int sn_ruleset_load_buffer(struct sn_ruleset *rs, const char *name, const char *data, size_t len,
                           struct cs_err *err);
/* Loads each of `paths` in order; stops at the first unreadable file (CS_EIO). */
int sn_ruleset_load_files(struct sn_ruleset *rs, const char *const *paths, size_t npaths,
                          struct cs_err *err);

/* Loads what a Suricata configuration names: classification-file, reference-config-file,
 * and rule-files (relative to default-rule-path) — or only `rule_files` when npaths > 0
 * (-S). Missing classification/reference files are warnings (written to `warn`, may be
 * NULL), an unreadable rule file an error. `cfg` may be NULL (stock layout, no files). */
int sn_ruleset_load_config(struct sn_ruleset *rs, const struct sn_config *cfg,
                           const char *const *rule_files, size_t npaths, FILE *warn,
                           struct cs_err *err);

/* "loaded N rules, M skipped: reason (count), …" with reasons by decreasing count, one
 * line. */
void sn_ruleset_print_summary(const struct sn_ruleset *rs, FILE *f);
/* One "file:line:col: message" line per skipped rule. */
void sn_ruleset_print_errors(const struct sn_ruleset *rs, FILE *f);

#endif
