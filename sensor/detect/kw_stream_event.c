/* kw_stream_event.c — stream-event:[stream.]event, a TCP stream event
 * (3whs_ack_in_wrong_dir). The name is validated for form here; the engine resolves it against the event tables. */
#include "kw_app.h"


static int stream_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_event_name_setup(c, opt, false);
}

const struct sn_kw sn_kw_stream_event = {
    .name = "stream-event",
    .desc = "a TCP stream event (e.g. 3whs_ack_in_wrong_dir)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = stream_event_setup,
    .free = sn_kw_name_free,
};
