/* cs_time.c — EVE timestamp formatting. */
#include "cs_time.h"

#include <stdio.h>
#include <time.h>

static __thread int64_t cached_sec = INT64_MIN;
static __thread char cached_date[32]; /* "2026-06-12T03:23:01" */
static __thread char cached_zone[32]; /* "+0800" */

size_t cs_time_fmt(uint64_t us, char *out)
{
    int64_t sec = (int64_t)(us / 1000000u);
    unsigned frac = (unsigned)(us % 1000000u);
    int n;

    if (sec != cached_sec) {
        time_t t = (time_t)sec;
        struct tm tm;
        long off;
        if (!localtime_r(&t, &tm))
            memset(&tm, 0, sizeof(tm));
        strftime(cached_date, sizeof(cached_date), "%Y-%m-%dT%H:%M:%S", &tm);
        off = tm.tm_gmtoff;
        snprintf(cached_zone, sizeof(cached_zone), "%c%02ld%02ld", off < 0 ? '-' : '+',
                 (off < 0 ? -off : off) / 3600, ((off < 0 ? -off : off) % 3600) / 60);
        cached_sec = sec;
    }
    n = snprintf(out, CS_TIME_BUFSZ, "%.19s.%06u%.5s", cached_date, frac, cached_zone);
    return n > 0 ? (size_t)n : 0;
}

uint64_t cs_time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t cs_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
