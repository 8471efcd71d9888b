/* cs_time.h — timestamps as EVE writes them: "2026-06-12T03:23:01.540677+0800" in local
 * time (set TZ for another zone). Thread-safe (per-thread cache of the last second). */
#ifndef CS_TIME_H
#define CS_TIME_H

#include "cs.h"

#define CS_TIME_BUFSZ 40
/* Formats `us` (microseconds since the epoch) into out (CS_TIME_BUFSZ bytes); returns len. */
size_t cs_time_fmt(uint64_t us, char *out);
/* Monotonic clock in microseconds. */
uint64_t cs_time_mono_us(void);
/* Wall clock in microseconds since the epoch. */
uint64_t cs_time_now_us(void);

#endif
