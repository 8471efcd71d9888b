/* kw_app_layer_event.c — app-layer-event:proto.event (http.request_too_long), an app-layer
 * parser event. The name is validated for form here; the engine resolves it against the
 * event tables. */
#include "kw_app.h"

#include "flowvar.h"

static int app_layer_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_event_name_setup(c, opt, true);
}

/* The event must have been raised (sn_app_event) on the flow while its current packet was
 * processed; see sn_detect_app_event(). */
static bool app_layer_event_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_name *e = inst->data;
    return t->f && sn_flow_app_event_seen(t->f, e->module, e->name);
}

const struct sn_kw sn_kw_app_layer_event = {
    .name = "app-layer-event",
    .desc = "an app-layer parser event (proto.event, e.g. http.request_too_long)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = app_layer_event_setup,
    .free = sn_kw_name_free,
    .match = app_layer_event_match,
};
