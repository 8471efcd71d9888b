/* kw_content.h — the content keyword's data, shared with its modifiers (nocase, depth,
 * offset, distance, within, rawbytes, fast_pattern, startswith, endswith). */
#ifndef SN_DETECT_KW_CONTENT_H
#define SN_DETECT_KW_CONTENT_H

#include "kw.h"

#define SN_CONTENT_NEGATED (1u << 0)
#define SN_CONTENT_NOCASE (1u << 1)
#define SN_CONTENT_RAWBYTES (1u << 2)
#define SN_CONTENT_STARTSWITH (1u << 3)
#define SN_CONTENT_ENDSWITH (1u << 4)
#define SN_CONTENT_FAST_PATTERN (1u << 5)
#define SN_CONTENT_FP_ONLY (1u << 6) /* fast_pattern:only */
#define SN_CONTENT_FP_CHOP (1u << 7) /* fast_pattern:X,Y (fp_off, fp_len) */
#define SN_CONTENT_DEPTH (1u << 8)
#define SN_CONTENT_OFFSET (1u << 9)
#define SN_CONTENT_DISTANCE (1u << 10)
#define SN_CONTENT_WITHIN (1u << 11)

struct sn_content {
    uint8_t *pat; /* the bytes to find (hex and escapes resolved) */
    uint32_t len;
    uint32_t flags; /* SN_CONTENT_* */
    struct sn_kw_val depth, offset, distance, within;
    uint16_t fp_off, fp_len;
};

/* The content a modifier applies to: the last content/uricontent of the rule, or NULL. */
struct sn_kw_inst *sn_content_last(struct sn_rule *r);
/* Whether instance i is a content (or uricontent). */
bool sn_kw_is_content(const struct sn_kw_inst *i);
/* Parses a content string ("abc|41 42|d", quotes stripped, escapes as written) into a new
 * buffer (*out, *outlen; cs_free). For content and for other keywords with content-like
 * strings. CS_OK or sn_kw_error(). */
int sn_content_parse_string(struct sn_kw_ctx *c, const char *s, size_t n, uint8_t **out,
                            uint32_t *outlen);

/* For the modifiers: the content (data) the modifier applies to, or an error already
 * reported ("'nocase' needs a preceding content"). */
struct sn_content *sn_content_for_modifier(struct sn_kw_ctx *c);

#endif
