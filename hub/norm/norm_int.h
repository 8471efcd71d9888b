/* norm_int.h — helpers shared by the normalisers (not part of the hub's API). */
#ifndef HUB_NORM_NORM_INT_H
#define HUB_NORM_NORM_INT_H

#include "norm.h"

/* Counts a rejected line in `counter` (and errors), fills `err` with "line N: msg" and
 * returns `code`. col is 1-based, 0 unknown. */
int hub_norm_fail(struct hub_norm *n, struct cs_err *err, uint32_t lineno, int code, int col,
                  uint64_t *counter, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Copies `len` bytes into the arena as dst (NUL-terminated). Invalid UTF-8 bytes become
 * U+FFFD. CS_OK or CS_ENOMEM. */
int hub_norm_text(struct hub_norm *n, struct hub_str *dst, const char *p, size_t len);
/* Decodes JSON string token `t` of n->doc into the arena as dst; CS_OK, CS_EINVAL (not a
 * string), CS_ENOMEM. */
int hub_norm_jstr(struct hub_norm *n, struct hub_str *dst, uint32_t t);

/* "2026-06-12T03:23:01.540677-0400", "…Z", "…+04:00", no zone = UTC, ' ' for 'T' allowed,
 * fraction optional (any digits; µs kept). CS_OK or CS_EINVAL. */
int hub_time_iso(const char *s, size_t n, int64_t *us);
/* "1300475167.096535" (seconds since the epoch, optional fraction). CS_OK or CS_EINVAL. */
int hub_time_epoch(const char *s, size_t n, int64_t *us);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t hub_days_from_civil(int64_t y, unsigned m, unsigned d);
/* "Jan".."Dec" → 1..12, 0 if not a month. */
int hub_month(const char *s);

/* Parses a decimal unsigned integer of the whole text; false on anything else or > max. */
bool hub_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *v);

/* ASCII case-insensitive equality of s[0..n) with lit. */
bool hub_ieq(const char *s, size_t n, const char *lit);

#endif
