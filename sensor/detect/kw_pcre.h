/* kw_pcre.h — the pcre keyword's data. */
#ifndef SN_DETECT_KW_PCRE_H
#define SN_DETECT_KW_PCRE_H

#include "kw.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define SN_PCRE_NEGATED (1u << 0)
#define SN_PCRE_RELATIVE (1u << 1) /* R: from the end of the previous match */
#define SN_PCRE_RAWBYTES (1u << 2) /* B */
#define SN_PCRE_NO_LIMIT (1u << 3) /* O: override the match limits */

struct sn_pcre {
    pcre2_code *re; /* compiled (not JIT-ed: the engine JITs what it keeps) */
    char *src;      /* the regex text between the slashes */
    uint32_t opts;  /* PCRE2 compile options from i s m x A E G */
    uint32_t flags; /* SN_PCRE_* */
};

#endif
