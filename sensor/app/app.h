/* app.h — the application-layer parser interface and registry.
 *
 * One file per protocol under sensor/app/, one line APP(name) in parsers.def. A parser is a
 * descriptor (struct sn_app_parser). The registry probes the first bytes of each direction
 * (not only the port) to pick a parser for a TCP or UDP flow, then feeds it ordered data.
 * This issue lays the interface; parsers arrive with the application-layer issue. */
#ifndef SN_APP_H
#define SN_APP_H

#include "../sn_types.h"

struct cs_json;

struct sn_app_parser {
    const char *name;            /* app_proto name in EVE ("http", "dns", "tls", …) */
    uint8_t ipproto;             /* IPPROTO_TCP or IPPROTO_UDP */
    const char *default_ports;   /* "80,8080" — hint only, probing decides */
    /* Looks at the first bytes of direction dir. Returns true when they are this protocol,
     * false when not, CS_AGAIN-like "undecided" via *need_more = true. */
    bool (*probe)(const uint8_t *data, uint32_t len, int dir, bool *need_more);
    /* Consumes data; returns bytes consumed, CS_AGAIN for more data, <0 on error. */
    int (*parse)(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                 const uint8_t *data, uint32_t len, unsigned flags);
    void *(*state_new)(void);
    void (*state_free)(void *state);
    /* Writes the parser's EVE object for the flow record (may be NULL). */
    void (*log_flow)(const void *state, struct cs_json *j);
    size_t max_state_bytes;
};

/* Number of registered parsers; index 0 means "unknown" (no parser). */
unsigned sn_app_count(void);
const struct sn_app_parser *sn_app_get(unsigned idx);
/* EVE name of f->app_proto, or NULL when unknown/undetected. */
const char *sn_app_proto_name(const struct sn_flow *f);
/* Index of a parser by name; 0 when none. */
unsigned sn_app_lookup(const char *name);

/* Stream/UDP delivery entry point (installed as sn_stream_deliver_cb by the worker). */
void sn_app_on_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                    uint32_t len, unsigned flags);
/* UDP payload of a packet. */
void sn_app_on_udp(struct sn_worker *w, struct sn_pkt *p);
/* Releases app state of a flow that ends. */
void sn_app_flow_end(struct sn_worker *w, struct sn_flow *f);

#endif
