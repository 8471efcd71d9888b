/* kw_app_layer_event.c — app-layer-event:proto.event (http.request_too_long), an app-layer
 * parser event. The name is validated for form here; the engine resolves it against the
 * event tables. */
#include "kw_app.h"

#include <ctype.h>

static int app_layer_event_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_kw_name *e;
    const char *s = opt, *dot;

    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
            return sn_kw_error(c, "invalid event name '%s'", opt);
    dot = strchr(s, '.');
    if (!dot || dot == s || !dot[1])
        return sn_kw_error(c, "event '%s' must read module.event", opt);
    e = cs_calloc(1, sizeof(*e));
    if (!e)
        return CS_ENOMEM;
    if (dot && dot != s) {
        e->module = cs_malloc((size_t)(dot - s) + 1);
        if (e->module) {
            memcpy(e->module, s, (size_t)(dot - s));
            e->module[dot - s] = 0;
        }
        e->name = cs_strdup(dot + 1);
    } else {
        e->name = cs_strdup(dot ? dot + 1 : s);
    }
    if (!e->name || (dot && dot != s && !e->module)) {
        sn_kw_name_free(e);
        return CS_ENOMEM;
    }
    return sn_kw_append(c, e);
}

const struct sn_kw sn_kw_app_layer_event = {
    .name = "app-layer-event",
    .desc = "an app-layer parser event (proto.event, e.g. http.request_too_long)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = app_layer_event_setup,
    .free = sn_kw_name_free,
};
