/* kw_decode_event.c — decode-event:module.event; a decoder event (module.event, e.g.
 * ipv4.trunc_pkt). The name is validated for form here; the engine resolves it against the event
 * tables. */
#include "kw_app.h"

#include "../pkt.h"
#include "detect.h"

/* Resolves "ipv4.trunc_pkt" (or "decoder.ipv4.trunc_pkt") against events.def. Rules naming
 * an event the decoder does not raise load, and never match. */
static int decode_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    int rc = sn_kw_event_name_setup(c, opt, true);
    struct sn_kw_name *e;
    char full[160];

    if (rc != CS_OK)
        return rc;
    e = c->rule->kw[c->rule->nkw - 1].data;
    if (strcmp(e->module, "decoder") == 0)
        snprintf(full, sizeof(full), "decoder.%s", e->name);
    else
        snprintf(full, sizeof(full), "decoder.%s.%s", e->module, e->name);
    e->event_id = sn_event_lookup(full);
    if (e->event_id >= SN_EV_STREAM_FIRST)
        e->event_id = -1;
    return CS_OK;
}

static bool decode_event_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_name *e = inst->data;
    return t->p && e->event_id >= 0 && sn_pkt_has_event(t->p, (enum sn_event)e->event_id);
}

const struct sn_kw sn_kw_decode_event = {
    .name = "decode-event",
    .desc = "a decoder event (module.event, e.g. ipv4.trunc_pkt)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = decode_event_setup,
    .free = sn_kw_name_free,
    .match = decode_event_match,
};
