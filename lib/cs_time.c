/* cs_time.c — EVE timestamp formatting. */
#include "cs_time.h"

#include <stdio.h>
#include <time.h>

/* A small per-thread cache of formatted seconds: flow records alternate between start and
 * end times, so one entry is not enough. */
#define TCACHE 4
struct tcache_ent {
    int64_t sec;
    bool clamped; /* past 9999-12-31T23:59:59 local: the latest time with a 4-digit year */
    char date[20]; /* "2026-06-12T03:23:01" (19 chars) */
    char zone[6];  /* "+0800" (5 chars) */
};
static __thread struct tcache_ent tcache[TCACHE] = {
    {INT64_MIN, false, "", ""}, {INT64_MIN, false, "", ""}, {INT64_MIN, false, "", ""},
    {INT64_MIN, false, "", ""}};
static __thread unsigned tcache_next;

static const struct tcache_ent *tcache_get(int64_t sec)
{
    struct tcache_ent *e;
    char zone[32];
    time_t t = (time_t)sec;
    struct tm tm;
    long off;

    for (unsigned i = 0; i < TCACHE; i++)
        if (tcache[i].sec == sec)
            return &tcache[i];
    e = &tcache[tcache_next++ % TCACHE];
    e->sec = sec;
    /* Years past 9999 do not fit ISO 8601's basic form (the hub, like most readers, takes
     * four digits): such a time is written as the latest one that fits, in UTC. Times before
     * the epoch cannot reach us (the input is unsigned). */
    if (!localtime_r(&t, &tm) || tm.tm_year > 9999 - 1900 || tm.tm_year < 0 - 1900 ||
        strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
        memcpy(e->date, "9999-12-31T23:59:59", 20);
        memcpy(e->zone, "+0000", 6);
        e->clamped = true;
        return e;
    }
    e->clamped = false;
    off = tm.tm_gmtoff;
    snprintf(zone, sizeof(zone), "%c%02ld%02ld", off < 0 ? '-' : '+',
             (off < 0 ? -off : off) / 3600 % 100, ((off < 0 ? -off : off) % 3600) / 60);
    memcpy(e->zone, zone, 5);
    e->zone[5] = 0;
    return e;
}

size_t cs_time_fmt(uint64_t us, char *out)
{
    const struct tcache_ent *e = tcache_get((int64_t)(us / 1000000u));
    unsigned frac = e->clamped ? 999999u : (unsigned)(us % 1000000u);

    memcpy(out, e->date, 19);
    out[19] = '.';
    for (int i = 25; i >= 20; i--) {
        out[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    memcpy(out + 26, e->zone, 5);
    out[31] = 0;
    return 31;
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
