/* registry.c — the app-layer parser table built from parsers.def, probing and dispatch. */
#include "app.h"

#define APP(n) extern const struct sn_app_parser sn_app_##n;
#include "parsers.def"
#undef APP

static const struct sn_app_parser *const parsers[] = {
    NULL, /* 0: unknown */
#define APP(n) &sn_app_##n,
#include "parsers.def"
#undef APP
};

unsigned sn_app_count(void)
{
    return (unsigned)CS_ARRAY_LEN(parsers);
}

const struct sn_app_parser *sn_app_get(unsigned idx)
{
    return idx && idx < CS_ARRAY_LEN(parsers) ? parsers[idx] : NULL;
}

const char *sn_app_proto_name(const struct sn_flow *f)
{
    const struct sn_app_parser *ap = sn_app_get(f->app_proto);
    return ap ? ap->name : NULL;
}

unsigned sn_app_lookup(const char *name)
{
    for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++)
        if (strcmp(parsers[i]->name, name) == 0)
            return i;
    return 0;
}

void sn_app_on_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                    uint32_t len, unsigned flags)
{
    (void)w, (void)f, (void)dir, (void)data, (void)len, (void)flags;
}

void sn_app_on_udp(struct sn_worker *w, struct sn_pkt *p)
{
    (void)w, (void)p;
}

void sn_app_flow_end(struct sn_worker *w, struct sn_flow *f)
{
    const struct sn_app_parser *ap = sn_app_get(f->app_proto);
    (void)w;
    if (ap && f->app_state && ap->state_free)
        ap->state_free(f->app_state);
    f->app_state = NULL;
}
