/* kw_decode_event.c — decode-event:module.event; a decoder event (module.event, e.g.
 * ipv4.trunc_pkt). The name is validated for form here; the engine resolves it against the event
 * tables. */
#include "kw_app.h"


static int decode_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_event_name_setup(c, opt, true);
}

const struct sn_kw sn_kw_decode_event = {
    .name = "decode-event",
    .desc = "a decoder event (module.event, e.g. ipv4.trunc_pkt)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = decode_event_setup,
    .free = sn_kw_name_free,
};
