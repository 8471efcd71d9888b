/* kw_stream_event.c — stream-event:[stream.]event, a TCP stream event
 * (3whs_ack_in_wrong_dir). The name is validated for form here; the engine resolves it against the event tables. */
#include "kw_app.h"

#include "../pkt.h"
#include "detect.h"

/* Resolves "3whs_ack_in_wrong_dir" (or "stream.3whs_ack_in_wrong_dir") against the stream
 * events of events.def; unknown names load and never match. */
static int stream_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    int rc = sn_kw_event_name_setup(c, opt, false);
    struct sn_kw_name *e;
    char full[160];

    if (rc != CS_OK)
        return rc;
    e = c->rule->kw[c->rule->nkw - 1].data;
    if (e->module && strcmp(e->module, "stream") != 0)
        snprintf(full, sizeof(full), "stream.%s.%s", e->module, e->name);
    else
        snprintf(full, sizeof(full), "stream.%s", e->name);
    e->event_id = sn_event_lookup(full);
    if (e->event_id < SN_EV_STREAM_FIRST)
        e->event_id = -1;
    return CS_OK;
}

static bool stream_event_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_name *e = inst->data;
    return t->p && e->event_id >= 0 && sn_pkt_has_event(t->p, (enum sn_event)e->event_id);
}

const struct sn_kw sn_kw_stream_event = {
    .name = "stream-event",
    .desc = "a TCP stream event (e.g. 3whs_ack_in_wrong_dir)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = stream_event_setup,
    .free = sn_kw_name_free,
    .match = stream_event_match,
};
