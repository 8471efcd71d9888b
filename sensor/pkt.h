/* pkt.h — packet helpers shared by every pipeline stage: raising events, names of events
 * and counters. */
#ifndef SN_PKT_H
#define SN_PKT_H

#include "sn_types.h"

/* Records event `ev` on packet `p` (up to SN_MAX_PKT_EVENTS kept) and counts it in the
 * worker. Decoder events (ev < SN_EV_STREAM_FIRST) also mark the packet invalid when
 * `invalid` is true, as Suricata's ENGINE_SET_INVALID_EVENT does. */
void sn_pkt_event(struct sn_worker *w, struct sn_pkt *p, enum sn_event ev, bool invalid);
static inline void sn_pkt_set_invalid(struct sn_worker *w, struct sn_pkt *p, enum sn_event ev)
{
    sn_pkt_event(w, p, ev, true);
}
static inline bool sn_pkt_has_event(const struct sn_pkt *p, enum sn_event ev)
{
    for (unsigned i = 0; i < p->nevents; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

/* Suricata name of an event ("decoder.ipv4.trunc_pkt"); NULL if out of range. */
const char *sn_event_name(enum sn_event ev);
/* Looks an event up by name, with or without the "decoder."/"stream." prefix; -1 if none. */
int sn_event_lookup(const char *name);
/* Dotted stats name of a counter ("decoder.pkts") and whether it merges by max. */
const char *sn_counter_name(enum sn_counter c);
bool sn_counter_is_max(enum sn_counter c);

/* Resets the per-packet decode state (everything but the capture fields). */
void sn_pkt_reset(struct sn_pkt *p);

#endif
