/* kw_app_layer_protocol.c — app-layer-protocol:[!]name[,final|original|either|direction];
 * the flow's detected application protocol ("failed" when detection failed). */
#include "kw_app.h"

#include "../app/app.h"
#include "detect.h"

#include <ctype.h>

void sn_kw_name_free(void *p)
{
    struct sn_kw_name *n = p;
    if (!n)
        return;
    cs_free(n->module);
    cs_free(n->name);
    cs_free(n);
}

static int app_layer_protocol_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[128], *parts[3];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 2);
    struct sn_kw_name *a;
    const char *s;

    if (n <= 0)
        return sn_kw_error(c, "invalid app-layer-protocol '%s'", opt);
    if (n == 2 && strcmp(parts[1], "final") && strcmp(parts[1], "original") &&
        strcmp(parts[1], "either") && strcmp(parts[1], "to_server") &&
        strcmp(parts[1], "to_client") && strcmp(parts[1], "direction"))
        return sn_kw_error(c, "app-layer-protocol: invalid mode '%s'", parts[1]);
    s = parts[0];
    a = cs_calloc(1, sizeof(*a));
    if (!a)
        return CS_ENOMEM;
    if (*s == '!') {
        a->negated = true;
        s++;
    }
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
            cs_free(a);
            return sn_kw_error(c, "invalid app-layer protocol name '%s'", s);
        }
    if (!*s) {
        cs_free(a);
        return sn_kw_error(c, "app-layer-protocol needs a name");
    }
    a->name = cs_strdup(s);
    if (!a->name) {
        cs_free(a);
        return CS_ENOMEM;
    }
    return sn_kw_append(c, a);
}

/* The flow's detected protocol (sn_app_proto_name: a parser's name, or "failed" once
 * detection gave up). While detection is still undecided nothing matches, negated or not.
 * "http1" is accepted for http. The mode option (to_server, final…) is accepted and treated
 * like the default: a flow has one protocol here. */
static bool app_layer_protocol_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_name *a = inst->data;
    const char *cur = t->f ? sn_app_proto_name(t->f) : NULL;
    bool same;

    if (!cur)
        return false;
    same = strcmp(cur, a->name) == 0 || (strcmp(a->name, "http1") == 0 && strcmp(cur, "http") == 0);
    return same != a->negated;
}

const struct sn_kw sn_kw_app_layer_protocol = {
    .name = "app-layer-protocol",
    .desc = "the flow's application protocol ([!]name)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = app_layer_protocol_setup,
    .free = sn_kw_name_free,
    .match = app_layer_protocol_match,
};

/* Parses an event name option ("module.event", or a bare "event" when the module is
 * optional) into a struct sn_kw_name attached to the keyword being set up. Shared by
 * decode-event, app-layer-event and stream-event. */
int sn_kw_event_name_setup(struct sn_kw_ctx *c, const char *opt, bool module_required)
{
    struct sn_kw_name *e;
    const char *s = opt, *dot;

    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
            return sn_kw_error(c, "invalid event name '%s'", opt);
    dot = strchr(s, '.');
    if (module_required && (!dot || dot == s || !dot[1]))
        return sn_kw_error(c, "event '%s' must read module.event", opt);
    e = cs_calloc(1, sizeof(*e));
    if (!e)
        return CS_ENOMEM;
    e->event_id = -1;
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
