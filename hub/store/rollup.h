/* rollup.h — one ingest batch's statistics rows, aggregated in memory (both stores).
 *
 * The console's statistics are kept at ingest, inside the batch's transaction, as counts:
 *   ru_ev   hourly events per (hour, org, sensor, event_type, app_proto, ics_op, severity,
 *           signature_id)
 *   ru_ip   hourly alerts per (hour, org, side, address)
 *   ru_min  events per (minute, org, severity class) for the fine chart
 *   ru_sig  each signature's text and severity, as the newest alert of it has them
 * plus the sensor's newest stats counters. A store upserts one row per group built here, so
 * its cost follows the number of distinct keys in the batch, not its events. Org and sensor
 * are the batch's own (one of each per batch). */
#ifndef HUB_STORE_ROLLUP_H
#define HUB_STORE_ROLLUP_H
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* An hourly (type, protocol, operation, severity, signature) group: its key is read off
 * `last`, the batch's last event in the group. */
struct hub_ru_ev {
    int64_t hour;
    const struct hub_store_event *last;
    int64_t n;
};

struct hub_ru_ip {
    int64_t hour;
    int side; /* 0 source, 1 destination */
    struct hub_text ip;
    int64_t n;
};

struct hub_ru_min {
    int64_t minute;
    int64_t cls; /* hub_ru_cls() */
    int64_t n;
};

/* A signature id with the batch's last alert of it. */
struct hub_ru_sig {
    int64_t sid;
    const struct hub_store_event *last;
};

struct hub_rollup {
    struct hub_ru_ev *ev;   /* in the order of their last event */
    struct hub_ru_ip *ip;   /* sorted by (hour, side, address bytes) */
    struct hub_ru_min *min; /* sorted by (minute, class) */
    struct hub_ru_sig *sig; /* sorted by signature id, one each */
    size_t nev, nip, nmin, nsig;
    /* the newest stats event's ts (0: none) and counters (-1: none) */
    int64_t stats_us, packets, drops;
};

/* The key columns as the tables store them: severity 0 when absent, signature id -1 when
 * absent; the minute class 0 (not an alert), 1..4, 9 (an alert without a severity). */
static inline int64_t hub_ru_sev(const struct hub_store_event *e)
{
    return e->severity > 0 ? e->severity : 0;
}
static inline int64_t hub_ru_sid(const struct hub_store_event *e)
{
    return e->signature_id >= 0 ? e->signature_id : -1;
}
static inline int64_t hub_ru_cls(const struct hub_store_event *e)
{
    if (e->signature_id < 0)
        return 0;
    return e->severity >= 1 && e->severity <= 4 ? e->severity : 9;
}

/* Aggregates ev[0..n) into r (which points into ev: keep ev alive). CS_OK or CS_ENOMEM. */
int hub_rollup_build(struct hub_rollup *r, const struct hub_store_event *ev, size_t n);
void hub_rollup_free(struct hub_rollup *r);

#endif
