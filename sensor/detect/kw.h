/* kw.h — the keyword interface: one descriptor per rule keyword.
 *
 * A keyword is one file, sensor/detect/kw_<name>.c, defining
 *
 *     const struct sn_kw sn_kw_ttl = {
 *         .name = "ttl", .desc = "IP time-to-live", .setup = ttl_setup, .free = cs_free,
 *     };
 *
 * plus the line KW(ttl) in keywords.def. registry.c expands that table (and buffers.def,
 * which generates one sticky-buffer keyword, and optionally one content modifier, per
 * inspection buffer) and looks names up for the rule parser.
 *
 * setup() receives the option text (after "name:", trimmed, escapes left as written; NULL
 * when the option had no value) and either changes the rule (msg, sid…), modifies the
 * previous content (nocase, depth…), or appends an instance with sn_kw_append(). It returns
 * CS_OK or a CS_* code after sn_kw_error() filled the message.
 *
 * match is the engine's hook: the detection engine calls it with the instance's data for
 * keywords that are not payload keywords (NULL for keywords that only change the rule). The
 * run-time semantics of each keyword are in docs/internals/rules.md ("Matching"). */
#ifndef SN_DETECT_KW_H
#define SN_DETECT_KW_H

#include "rule.h"

struct sn_detect_thread;

/* Keyword flags */
#define SN_KW_NOOPT (1u << 0)     /* takes no value ("nocase;"): a value is an error */
#define SN_KW_NEEDS_OPT (1u << 1) /* must have a value */
#define SN_KW_STICKY (1u << 2)    /* sticky buffer: sets the buffer for what follows */
#define SN_KW_MODIFIER (1u << 3)  /* old-style modifier: moves the previous content */
#define SN_KW_TRANSFORM (1u << 4) /* transform of the active sticky buffer */
#define SN_KW_PAYLOAD (1u << 5)   /* inspects buffer bytes (content, pcre, byte_*, …) */

struct sn_kw_ctx {
    struct sn_rule *rule;
    const struct sn_kw *kw;
    const struct sn_rule_env *env;
    int buffer; /* the active sticky buffer (SN_BUF_PKT by default) */
    int col;    /* column of the option being parsed */
    struct cs_err *err;
};

struct sn_kw {
    const char *name;
    const char *desc;
    uint32_t flags; /* SN_KW_* */
    int buffer;     /* for STICKY / MODIFIER keywords: the enum sn_buf they select */
    int (*setup)(struct sn_kw_ctx *c, const char *opt);
    void (*free)(void *data);
    /* Matching hook for the detection engine (NULL: nothing to match at run time). Returns
     * true when the instance's condition holds for t (packet, flow, direction). */
    bool (*match)(struct sn_detect_thread *t, const struct sn_kw_inst *inst);
};

/* Keyword lookup by name (registry.c): the descriptor or NULL. Thread-safe. */
const struct sn_kw *sn_kw_lookup(const char *name, size_t len);
/* Prints "name  description" per keyword, sorted, one per line. */
void sn_detect_list_keywords(FILE *f);
/* Number of keywords in the registry (sticky buffers and aliases included). */
size_t sn_kw_count(void);

/* ---- helpers for setup functions (kw_util.c) --------------------------------------------- */

/* Fills c->err with the message and returns CS_EINVAL. */
int sn_kw_error(struct sn_kw_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends an instance of c->kw with `data` (owned by the rule from now on, also on failure)
 * in the active buffer. CS_OK / CS_ENOMEM. */
int sn_kw_append(struct sn_kw_ctx *c, void *data);
/* The last instance whose keyword is `name` ("content"), or NULL. */
struct sn_kw_inst *sn_kw_last(struct sn_rule *r, const char *name);
/* The last content or pcre instance (the target of relative keywords), or NULL. */
struct sn_kw_inst *sn_kw_last_payload(struct sn_rule *r);

/* Strips optional surrounding double quotes and resolves \" \\ \; \: escapes (other
 * backslashes stay as written, as Suricata keeps them in msg) into a new
 * string (*out, cs_free). CS_EINVAL on an unterminated quote or a bad escape. */
int sn_kw_unquote(struct sn_kw_ctx *c, const char *opt, char **out);

/* Integer parsing: the whole of s (spaces around allowed) as a decimal (or 0x hex) number
 * within [min, max]. */
bool sn_kw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
bool sn_kw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Numeric comparison "N", "=N", "!N", "<N", ">N", "<=N", ">=N", "N<>M" (exclusive range),
 * "N-M" (inclusive range). */
enum sn_cmp_op {
    SN_CMP_EQ,
    SN_CMP_NE,
    SN_CMP_LT,
    SN_CMP_GT,
    SN_CMP_LE,
    SN_CMP_GE,
    SN_CMP_RANGE /* a < x < b */,
    SN_CMP_RANGE_INCL /* a <= x <= b */
};
struct sn_u64cmp {
    enum sn_cmp_op op;
    uint64_t a, b;
};
/* Parses into *out, values within [0, max]. Returns CS_OK or sn_kw_error(). */
int sn_kw_parse_cmp(struct sn_kw_ctx *c, const char *s, uint64_t max, struct sn_u64cmp *out);
bool sn_u64cmp_eval(const struct sn_u64cmp *m, uint64_t v);

/* A value that is either a number or the name of a byte_extract/byte_math variable. */
struct sn_kw_val {
    int64_t v;
    int var; /* index into rule->vars, -1 for a literal */
};
int sn_kw_parse_val(struct sn_kw_ctx *c, const char *s, int64_t min, int64_t max,
                    struct sn_kw_val *out);

/* Splits `s` at commas (not inside quotes) into at most `max` trimmed pieces, written into
 * the scratch copy `buf` (size cap); returns the count, or -1 when there are more than max
 * pieces or s does not fit. */
int sn_kw_split(const char *s, char *buf, size_t cap, char **parts, int max);
/* Copy of s with spaces trimmed on both ends (into buf, cap); returns buf. */
char *sn_kw_trim(const char *s, size_t n, char *buf, size_t cap);

/* Defines the descriptor of a keyword that takes no option and records a plain instance. */
#define SN_KW_FLAG_DEFINE(ident, kwname, description)                                              \
    SN_KW_FLAG_MATCH_DEFINE(ident, kwname, description, NULL)
#define SN_KW_FLAG_MATCH_DEFINE(ident, kwname, description, matchfn)                               \
    static int ident##_setup(struct sn_kw_ctx *c, const char *opt)                                 \
    {                                                                                              \
        (void)opt;                                                                                 \
        return sn_kw_append(c, NULL);                                                              \
    }                                                                                              \
    const struct sn_kw sn_kw_##ident = {                                                           \
        .name = kwname,                                                                            \
        .desc = description,                                                                       \
        .flags = SN_KW_NOOPT,                                                                      \
        .setup = ident##_setup,                                                                    \
        .match = matchfn,                                                                          \
    }

/* Defines a keyword whose option is one numeric comparison (struct sn_u64cmp data). */
#define SN_KW_CMP_DEFINE(ident, kwname, description, maxval)                                       \
    SN_KW_CMP_MATCH_DEFINE(ident, kwname, description, maxval, NULL)

/* The same with a match function `matchfn` (bool (*)(struct sn_detect_thread *, const struct
 * sn_kw_inst *)). */
#define SN_KW_CMP_MATCH_DEFINE(ident, kwname, description, maxval, matchfn)                        \
    static int ident##_setup(struct sn_kw_ctx *c, const char *opt)                                 \
    {                                                                                              \
        struct sn_u64cmp *m = cs_calloc(1, sizeof(*m));                                            \
        if (!m)                                                                                    \
            return CS_ENOMEM;                                                                      \
        if (sn_kw_parse_cmp(c, opt, (maxval), m) != CS_OK) {                                       \
            cs_free(m);                                                                            \
            return CS_EINVAL;                                                                      \
        }                                                                                          \
        return sn_kw_append(c, m);                                                                 \
    }                                                                                              \
    const struct sn_kw sn_kw_##ident = {                                                           \
        .name = kwname,                                                                            \
        .desc = description,                                                                       \
        .flags = SN_KW_NEEDS_OPT,                                                                  \
        .setup = ident##_setup,                                                                    \
        .free = cs_free,                                                                           \
        .match = matchfn,                                                                          \
    }

/* Defines a transform keyword (applies to the active sticky buffer, no option). */
#define SN_KW_TRANSFORM_DEFINE(ident, kwname, description)                                         \
    static int ident##_setup(struct sn_kw_ctx *c, const char *opt)                                 \
    {                                                                                              \
        (void)opt;                                                                                 \
        if (c->buffer == SN_BUF_PKT)                                                               \
            return sn_kw_error(c, "transform '%s' needs a sticky buffer before it", kwname);       \
        return sn_kw_append(c, NULL);                                                              \
    }                                                                                              \
    const struct sn_kw sn_kw_##ident = {                                                           \
        .name = kwname,                                                                            \
        .desc = description,                                                                       \
        .flags = SN_KW_NOOPT | SN_KW_TRANSFORM,                                                    \
        .setup = ident##_setup,                                                                    \
    }

#endif
