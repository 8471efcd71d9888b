/* app.h — the application-layer parser interface and registry.
 *
 * One file per protocol under sensor/app/, one line APP(name) in parsers.def. A parser is a
 * descriptor (struct sn_app_parser). The registry picks a parser for a TCP or UDP flow by
 * probing the first bytes of either direction (not only the port: parsers whose default
 * ports match are asked first), then feeds it ordered data.
 *
 * Buffering is the registry's job: a parser's parse() may consume only part of what it is
 * given (e.g. up to the end of the last complete message); the rest is kept and handed back,
 * with more data appended, on the next call. So parsers see data split at any byte and
 * never need their own reassembly, but they must cap what they leave unconsumed: the
 * registry holds at most max_state_bytes (default 64 KiB) of unconsumed data per direction;
 * past that the flow's parsing stops with the app_layer event "parser.buffer_limit".
 * Thread-safety: everything runs on the flow's worker. */
#ifndef SN_APP_H
#define SN_APP_H

#include "../sn_types.h"

struct cs_json;

/* flags passed to parse() (the stream's SN_STREAM_* values pass through as well) */
#define SN_APP_DATAGRAM (1u << 8) /* UDP: data is one whole datagram */

enum sn_probe { SN_PROBE_NO = 0, SN_PROBE_YES = 1, SN_PROBE_MORE = 2 };

struct sn_app_parser {
    const char *name;            /* app_proto name in EVE ("http", "dns", "tls", …) */
    uint8_t ipproto;             /* IPPROTO_TCP or IPPROTO_UDP (or 0: both) */
    const char *default_ports;   /* "80,8080" — asked first on these ports; probing decides */
    uint32_t eve_type;           /* SN_EVE_* bit that enables this parser's records */
    /* Looks at the first bytes seen in direction dir (SN_TOSERVER/SN_TOCLIENT) of a flow
     * whose destination port is dp. SN_PROBE_MORE: cannot tell yet. Must not read past
     * len. */
    enum sn_probe (*probe)(const uint8_t *data, uint32_t len, int dir, uint16_t dp);
    /* Consumes data of direction dir; returns the number of bytes consumed (0..len; the
     * rest is given back with the next call), or <0 when the stream cannot be parsed any
     * more (the registry stops feeding the flow). Called with data == NULL and
     * SN_STREAM_GAP (len = bytes lost) after a gap, and with SN_STREAM_EOF when the
     * direction ends (flush and log what is pending). */
    int (*parse)(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                 const uint8_t *data, uint32_t len, unsigned flags);
    void *(*state_new)(void);
    void (*state_free)(void *state);
    /* Adds the parser's summary to the flow record (may be NULL). */
    void (*log_flow)(const void *state, struct cs_json *j);
    /* Alert metadata (may be NULL): writes into alert record j what this parser's own
     * record says of transaction tx — the pointer the parser handed to sn_app_detect() for
     * direction dir (see below) — namely "tx_id" and the protocol's object ("http": {…})
     * as its own EVE record writes them. state is the flow's parser state (NULL when the
     * flow's parser is another one). Called by the alert output from inside that
     * sn_app_detect() call, so tx is valid; must only add keys to j. An alert written
     * later (on the next packet of its direction) keeps what this wrote, rendered again
     * at each later sn_app_detect() call for the same transaction (same tx_id). */
    void (*log_alert)(struct sn_worker *w, const struct sn_flow *f, const void *state,
                      const void *tx, int dir, struct cs_json *j);
    /* The per-flow number of transaction tx (the pointer handed to sn_app_detect()), may be
     * NULL. Detection keeps which rules alerted per transaction; a freed transaction's
     * address can come back for a new one, and the number tells them apart. */
    uint64_t (*tx_id)(const void *tx);
    uint32_t max_state_bytes;    /* cap on unconsumed data per direction (0: 64 KiB) */
};

struct sn_config;
/* Reads app-layer.protocols.<name>.enabled (yes | no | detection-only) and
 * .detection-ports.dp for every parser in the table, also under .tcp / .udp for one
 * transport (dns.tcp.enabled), from cfg->raw into cfg->app_mode / app_dports (unknown
 * protocol names are ignored, as Suricata's stock configuration lists many). `no`: the
 * parser is neither probed nor run; `detection-only`: the flow's app_proto is detected,
 * no parser runs (no EVE records, no transactions); detection-ports.dp: the ports on which
 * the parser is probed first (probing still decides). CS_OK or CS_EINVAL with err filled. */
int sn_app_configure(struct sn_config *cfg, struct cs_err *err);

/* Number of table slots (registered parsers + 1); index 0 means "unknown". */
unsigned sn_app_count(void);
const struct sn_app_parser *sn_app_get(unsigned idx);
/* EVE name of f->app_proto, "failed" when detection gave up on a flow with data, or NULL. */
const char *sn_app_proto_name(const struct sn_flow *f);
/* Index of a parser by name; 0 when none. */
unsigned sn_app_lookup(const char *name);
/* The parser state of a flow (NULL when none), for detection buffers. */
void *sn_app_state(const struct sn_flow *f);
/* Alert metadata: asks the parser named `proto` to write tx_id and its object for
 * transaction tx (direction dir) of flow f into alert record j (its log_alert hook).
 * Returns false (j unchanged) when the parser has no such hook. Runs on the flow's
 * worker, within the sn_app_detect() call that handed out tx. */
bool sn_app_log_alert(struct sn_worker *w, const struct sn_flow *f, const char *proto,
                      const void *tx, int dir, struct cs_json *j);
/* The tx_id hook of the parser named `proto` for tx, or 0 without one. */
uint64_t sn_app_tx_id(const char *proto, const void *tx);
/* Whether the parser named `proto` numbers its transactions (has the tx_id hook). */
bool sn_app_has_tx_id(const char *proto);

/* Stream delivery entry point (installed as sn_stream_deliver_cb by the worker). */
void sn_app_on_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                    uint32_t len, unsigned flags);
/* UDP payload of a packet (p->flow set). */
void sn_app_on_udp(struct sn_worker *w, struct sn_pkt *p);
/* Flow ending: flushes UDP parsers (EOF) — TCP parsers got EOF from the stream. */
void sn_app_flow_end(struct sn_worker *w, struct sn_flow *f);
/* Releases all app-layer memory of a flow (after its flow record is written). */
void sn_app_flow_free(struct sn_worker *w, struct sn_flow *f);

/* ---- helpers for parsers ----------------------------------------------------------- */

/* Starts an EVE record of `event_type` for flow f (header: timestamp of the current
 * packet, flow_id, pcap_cnt, addresses/ports with the client as src, proto, app_proto…).
 * Returns NULL when records of `eve_type` are disabled or there is no EVE output. The
 * caller adds its object(s) and ends with sn_app_eve_end(). */
struct cs_json *sn_app_eve_begin(struct sn_worker *w, const struct sn_flow *f,
                                 uint32_t eve_type, const char *event_type);
void sn_app_eve_end(struct sn_worker *w, struct cs_json *j);
/* Raises an app-layer event ("dns.malformed_data"): counted in stats (app_layer.events)
 * and logged as an anomaly record of type "applayer". It builds its own record in the
 * worker's record buffer: never call it between sn_app_eve_begin() and sn_app_eve_end(). */
void sn_app_event(struct sn_worker *w, const struct sn_flow *f, const char *name);

/* ---- the detection hook ------------------------------------------------------------ */

/* The detection engine's entry point for transactions (defined in sensor/detect/detect.c,
 * declared in detect.h; NULL while detection is off). Parsers call it through
 * sn_app_detect() whenever a transaction has new inspectable data in direction `dir`,
 * ALWAYS before that data is logged, overwritten or freed. What `tx` is, per `proto`
 * (getbuf.c and the app keywords cast it back):
 *
 *   "http"    struct sn_http_tx * (http.h): called when the request headers are complete,
 *             when the request is complete (if it had a body or the headers were never
 *             completed), and the same for the response (final response only, not 1xx).
 *             Valid during the call; the transaction is freed after it is logged.
 *   "dns"     const struct sn_dns_msg * (dns.h): each message, before it is logged. dir is
 *             the logical direction (queries to-server) even when the parser swapped the
 *             roles of a flow captured mid-way. Valid until the next message of that dir.
 *   "tls"     struct sn_tls_state * (tls.h, the flow's parser state): after each handshake
 *             message (ClientHello, ServerHello, Certificate, key exchanges, …) and each
 *             SSLv2 hello; st->hs_current tells which one. Valid for the flow's life.
 *   "ssh"     struct sn_ssh_state * (ssh.h, the flow's state): after each banner and each
 *             KEXINIT. Valid for the flow's life.
 *   "modbus"  struct sn_modbus_tx * (modbus.h): each request (has_req, logical dir
 *             to-server) and each response (has_resp, to-client). Valid during the call.
 *   "dnp3"    const struct sn_dnp3_msg * (dnp3.h): each complete application message of
 *             dir, objects decoded, before it is logged. Valid until the next frame of dir.
 *   "enip"    struct sn_enip_tx * (enip.h): each request (logical dir to-server) and each
 *             response (to-client). Valid during the call.
 *
 * The call is one pointer test when detection is off. Runs on the flow's worker. */
extern void (*sn_detect_app_cb)(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                                const char *proto);
static inline void sn_app_detect(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                                 const char *proto)
{
    if (sn_detect_app_cb)
        sn_detect_app_cb(w, f, dir, tx, proto);
}

#endif
