/* kw_payload.h — data of the payload keywords other than content and pcre: isdataat, bsize,
 * byte_test, byte_jump, byte_extract, byte_math, urilen, base64_decode. */
#ifndef SN_DETECT_KW_PAYLOAD_H
#define SN_DETECT_KW_PAYLOAD_H

#include "kw.h"

#define SN_BYTE_RELATIVE (1u << 0)
#define SN_BYTE_STRING (1u << 1) /* the bytes are text in `base` */
#define SN_BYTE_LITTLE (1u << 2) /* little endian (default big) */
#define SN_BYTE_DCE (1u << 3)    /* endianness from the DCERPC header */
#define SN_BYTE_ALIGN (1u << 4)  /* byte_jump: round up to 4 */
#define SN_BYTE_FROM_BEGINNING (1u << 5)
#define SN_BYTE_FROM_END (1u << 6)
#define SN_BYTE_NEGATED (1u << 7) /* byte_test: !op */
#define SN_BYTE_BITMASK (1u << 8)

/* isdataat:[!]N[,relative][,rawbytes] */
struct sn_isdataat {
    struct sn_kw_val n;
    bool negated, relative;
};

/* byte_test / byte_jump / byte_extract / byte_math share one struct (nbytes 0 with string:
 * to the end of the buffer) */
struct sn_byte {
    uint8_t nbytes; /* bytes to read (1..10 for strings, 1..8 binary) */
    uint8_t base;   /* 8, 10, 16 for strings */
    uint32_t flags; /* SN_BYTE_* */
    struct sn_kw_val offset;
    /* byte_test */
    char op[3]; /* "<" ">" "=" "<=" ">=" "&" "^" */
    struct sn_kw_val value;
    /* byte_jump */
    int64_t post_offset;
    /* byte_jump / byte_extract */
    uint32_t multiplier;
    uint8_t align; /* byte_extract align 2 or 4 */
    /* byte_extract / byte_math: the variable written (index into rule->vars) */
    int var;
    /* byte_math */
    char oper[3]; /* + - * / << >> */
    struct sn_kw_val rvalue;
    uint64_t bitmask;
};

/* urilen:N / <N / >N / N<>M [,norm|raw] (instance in http.uri or http.uri.raw) */
struct sn_urilen {
    struct sn_u64cmp cmp;
    bool raw;
};

/* base64_decode:[bytes N][, offset N][, relative] */
struct sn_base64 {
    uint32_t bytes, offset;
    bool relative;
};

#endif

/* Shared by the byte_* keywords (kw_byte.c): parses the trailing flag options
 * (relative, big/little, dce, string[,hex|dec|oct] or string <type>, align, from_beginning,
 * from_end, multiplier N, post_offset N, bitmask N, endian X) of parts[0..n); `allow` is
 * a mask of SN_BYTE_OPT_* accepted by the keyword. Checks nbytes against string/binary
 * limits. CS_OK or sn_kw_error(). */
#define SN_BYTE_OPT_MULT (1u << 0)
#define SN_BYTE_OPT_ALIGN (1u << 1)   /* byte_jump: align (no value) */
#define SN_BYTE_OPT_ALIGN_N (1u << 2) /* byte_extract: align 2|4 */
#define SN_BYTE_OPT_FROM (1u << 3)
#define SN_BYTE_OPT_POST (1u << 4)
#define SN_BYTE_OPT_BITMASK (1u << 5)
#define SN_BYTE_OPT_KV_STRING (1u << 6) /* byte_math: "string dec", "endian big" */
int sn_byte_opts(struct sn_kw_ctx *c, char **parts, int n, struct sn_byte *d, uint32_t allow);
/* Adds a byte_extract/byte_math result variable to the rule; its index or <0 after an
 * error (duplicate name). */
int sn_byte_define_var(struct sn_kw_ctx *c, const char *name);
