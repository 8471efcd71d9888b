/* pkt.c — packet events and the name tables built from events.def / counters.def. */
#include "pkt.h"

#include <string.h>

static const char *const event_names[SN_EV_MAX] = {
#define EV(id, name) [SN_EV_##id] = name,
#include "decode/events.def"
#undef EV
};

static const char *const counter_names[SN_CNT_MAX] = {
#define CNT(id, name, kind) [SN_CNT_##id] = name,
#include "counters.def"
#undef CNT
};

enum { SUM, MAX };
static const unsigned char counter_kinds[SN_CNT_MAX] = {
#define CNT(id, name, kind) [SN_CNT_##id] = kind,
#include "counters.def"
#undef CNT
};

void sn_pkt_event(struct sn_worker *w, struct sn_pkt *p, enum sn_event ev, bool invalid)
{
    if ((unsigned)ev >= SN_EV_MAX)
        return;
    if (p->nevents < SN_MAX_PKT_EVENTS)
        p->events[p->nevents++] = (uint16_t)ev;
    if (w)
        w->event_counts[ev]++;
    if (invalid && ev < SN_EV_STREAM_FIRST)
        p->flags |= SN_PKT_INVALID;
}

const char *sn_event_name(enum sn_event ev)
{
    return (unsigned)ev < SN_EV_MAX ? event_names[ev] : NULL;
}

int sn_event_lookup(const char *name)
{
    for (int i = 0; i < SN_EV_MAX; i++) {
        const char *n = event_names[i];
        const char *dot = strchr(n, '.');
        if (strcmp(n, name) == 0 || (dot && strcmp(dot + 1, name) == 0))
            return i;
    }
    return -1;
}

const char *sn_counter_name(enum sn_counter c)
{
    return (unsigned)c < SN_CNT_MAX ? counter_names[c] : NULL;
}

bool sn_counter_is_max(enum sn_counter c)
{
    return (unsigned)c < SN_CNT_MAX && counter_kinds[c] == MAX;
}

void sn_pkt_reset(struct sn_pkt *p)
{
    size_t off = offsetof(struct sn_pkt, eth);
    memset((char *)p + off, 0, sizeof(*p) - off);
}
