/* registry.c — the app-layer parser table built from parsers.def, protocol detection by
 * probing, buffering of unconsumed bytes, dispatch, and the EVE helpers for parsers. */
#include "app.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../detect/detect.h"
#include "../output/eve.h"
#include "../stream/stream.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>

#define APP(n) extern const struct sn_app_parser sn_app_##n;
#include "parsers.def"
#undef APP

static const struct sn_app_parser *const parsers[] = {
    NULL, /* 0: unknown */
#define APP(n) &sn_app_##n,
#include "parsers.def"
#undef APP
};

_Static_assert(CS_ARRAY_LEN(parsers) <= SN_APP_MAX, "raise SN_APP_MAX");

#define PROBE_MAX 4096          /* bytes kept per direction while the protocol is unknown */
#define DEFAULT_MAX_BUF (64u << 10)

enum {
    APP_F_STOPPED = 1 << 1,  /* parser returned an error or hit its buffer cap */
};
/* Detection verdicts live in the flow (f->flags), so a flow whose protocol is not
 * recognised costs no allocation. */
#define APP_F_NO(dir) ((dir) == SN_TOSERVER ? SN_FLOW_F_APP_NO_TS : SN_FLOW_F_APP_NO_TC)

/* Per-flow app-layer context (f->app_state). */
struct app_flow {
    void *pstate;            /* the parser's state */
    uint8_t flags;
    uint8_t undecided[2];    /* directions whose probe said "more" */
    uint8_t *buf[2];         /* probe bytes, then unconsumed bytes per direction */
    uint32_t len[2], cap[2];
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

    if (ap)
        return ap->name;
    if (f->flags & SN_FLOW_F_APP_FAILED)
        return "failed";
    return NULL;
}

unsigned sn_app_lookup(const char *name)
{
    for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++)
        if (strcmp(parsers[i]->name, name) == 0)
            return i;
    return 0;
}

void *sn_app_state(const struct sn_flow *f)
{
    const struct app_flow *af = f->app_state;
    return af ? af->pstate : NULL;
}

bool sn_app_log_alert(struct sn_worker *w, const struct sn_flow *f, const char *proto,
                      const void *tx, int dir, struct cs_json *j)
{
    unsigned idx = proto ? sn_app_lookup(proto) : f->app_proto;
    const struct sn_app_parser *ap = sn_app_get(idx);

    if (!ap || !ap->log_alert || !tx)
        return false;
    ap->log_alert(w, f, idx == f->app_proto ? sn_app_state(f) : NULL, tx, dir, j);
    return true;
}

/* Parsers by default port: bit i of port_parsers[port] for parser i, built once from the
 * descriptors' port lists (detect() used to parse every list with strtoul for every probe). */
static uint32_t port_parsers[65536];
static pthread_once_t port_once = PTHREAD_ONCE_INIT;

static void port_parsers_build(void)
{
    for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++) {
        const char *s = parsers[i]->default_ports; /* "502", "80,8080" */
        while (s && *s) {
            char *end;
            unsigned long v = strtoul(s, &end, 10);
            if (end == s)
                break;
            if (v < 65536)
                port_parsers[v] |= 1u << i;
            s = *end == ',' ? end + 1 : NULL;
        }
    }
}

static bool proto_fits(const struct sn_app_parser *ap, uint8_t ipproto)
{
    return ap->ipproto == 0 || ap->ipproto == ipproto;
}

/* Appends to a direction's buffer, growing it up to `max`. */
static bool buf_append(struct app_flow *af, int dir, const uint8_t *d, uint32_t n, uint32_t max)
{
    if (af->len[dir] + (uint64_t)n > max)
        return false;
    if (af->len[dir] + n > af->cap[dir]) {
        uint32_t cap = af->cap[dir] ? af->cap[dir] : 256;
        uint8_t *nb;
        while (cap < af->len[dir] + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        nb = cs_realloc(af->buf[dir], cap);
        if (!nb)
            return false;
        af->buf[dir] = nb;
        af->cap[dir] = cap;
    }
    memcpy(af->buf[dir] + af->len[dir], d, n);
    af->len[dir] += n;
    return true;
}

static void buf_drop(struct app_flow *af, int dir)
{
    cs_free(af->buf[dir]);
    af->buf[dir] = NULL;
    af->len[dir] = af->cap[dir] = 0;
}

static struct app_flow *app_flow_get(struct sn_flow *f)
{
    if (!f->app_state)
        f->app_state = cs_calloc(1, sizeof(struct app_flow));
    return f->app_state;
}

/* Tries every parser on the bytes seen in `dir`; ports first. Returns the index, 0 when
 * none yet; sets *undecided when some parser wants more bytes. */
static unsigned detect(const struct sn_flow *f, int dir, const uint8_t *d, uint32_t n,
                       bool *undecided)
{
    uint32_t on_ports;

    *undecided = false;
    pthread_once(&port_once, port_parsers_build);
    on_ports = port_parsers[f->dp];
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++) {
            const struct sn_app_parser *ap = parsers[i];
            bool on_port = (on_ports >> i) & 1;
            if (!proto_fits(ap, f->proto) || on_port != (pass == 0))
                continue;
            switch (ap->probe(d, n, dir, f->dp)) {
            case SN_PROBE_YES: return i;
            case SN_PROBE_MORE: *undecided = true; break;
            default: break;
            }
        }
    }
    return 0;
}

static void stop_flow(struct app_flow *af)
{
    af->flags |= APP_F_STOPPED;
    buf_drop(af, 0);
    buf_drop(af, 1);
}

/* Feeds `dir`: buffered bytes first, then d; keeps what the parser leaves. */
static void feed(struct sn_worker *w, struct sn_flow *f, struct app_flow *af, int dir,
                 const uint8_t *d, uint32_t n, unsigned flags)
{
    const struct sn_app_parser *ap = sn_app_get(f->app_proto);
    uint32_t max = ap->max_state_bytes ? ap->max_state_bytes : DEFAULT_MAX_BUF;
    const uint8_t *data = d;
    uint32_t len = n;
    int rc;

    if (af->flags & APP_F_STOPPED)
        return;
    if (!d && (flags & SN_STREAM_GAP))
        af->len[dir] = 0; /* bytes before a gap can never be completed */
    if (af->len[dir]) {
        if (n && !buf_append(af, dir, d, n, max + n)) {
            sn_count(w, SN_CNT_APP_LAYER_BUFFER_LIMIT, 1);
            sn_app_event(w, f, "parser.buffer_limit");
            stop_flow(af);
            return;
        }
        data = af->buf[dir];
        len = af->len[dir];
    }
    rc = ap->parse(w, f, af->pstate, dir, data, len, flags);
    if (rc < 0) {
        stop_flow(af);
        return;
    }
    if ((uint32_t)rc > len)
        rc = (int)len;
    if (data && data == af->buf[dir]) {
        memmove(af->buf[dir], af->buf[dir] + rc, len - (uint32_t)rc);
        af->len[dir] = len - (uint32_t)rc;
        if (!af->len[dir] && af->cap[dir] > 4096)
            buf_drop(af, dir);
    } else if (data && (uint32_t)rc < len &&
               !buf_append(af, dir, data + rc, len - (uint32_t)rc, max)) {
        sn_count(w, SN_CNT_APP_LAYER_BUFFER_LIMIT, 1);
        sn_app_event(w, f, "parser.buffer_limit");
        stop_flow(af);
        return;
    }
    if (af->len[dir] > max) {
        sn_count(w, SN_CNT_APP_LAYER_BUFFER_LIMIT, 1);
        sn_app_event(w, f, "parser.buffer_limit");
        stop_flow(af);
    }
}

static bool start_parser(struct sn_worker *w, struct sn_flow *f, struct app_flow *af,
                         unsigned idx)
{
    const struct sn_app_parser *ap = parsers[idx];

    af->pstate = ap->state_new ? ap->state_new() : NULL;
    if (ap->state_new && !af->pstate) {
        f->flags |= SN_FLOW_F_APP_FAILED;
        return false;
    }
    f->app_proto = (uint16_t)idx;
    w->app_flows[idx]++;
    return true;
}

static void mark_failed(struct sn_worker *w, struct sn_flow *f, struct app_flow *af)
{
    f->flags |= SN_FLOW_F_APP_FAILED;
    sn_count(w, f->proto == IPPROTO_TCP ? SN_CNT_APP_LAYER_FLOW_FAILED
                                        : SN_CNT_APP_LAYER_FLOW_FAILED_UDP, 1);
    if (af) {
        buf_drop(af, 0);
        buf_drop(af, 1);
    }
}

void sn_app_on_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                    uint32_t len, unsigned flags)
{
    struct app_flow *af = f->app_state;

    if (CS_ARRAY_LEN(parsers) == 1 || (dir != SN_TOSERVER && dir != SN_TOCLIENT))
        return;
    if ((f->flags & SN_FLOW_F_APP_FAILED) || (af && (af->flags & APP_F_STOPPED)))
        return;
    if (!f->app_proto) {
        bool undecided, in_buf = false;
        const uint8_t *pd = data;
        uint32_t pn = len;
        unsigned idx;

        if (!data || !len) {
            /* a gap or the end before the protocol is known */
            if (flags & (SN_STREAM_GAP | SN_STREAM_EOF | SN_STREAM_DEPTH)) {
                if (af) {
                    af->undecided[dir] = 0;
                    buf_drop(af, dir);
                }
                f->flags |= APP_F_NO(dir);
                if ((f->flags & APP_F_NO(dir ^ 1)) || (flags & SN_STREAM_GAP))
                    mark_failed(w, f, af);
            }
            return;
        }
        if (f->flags & APP_F_NO(dir))
            return;
        /* probe on the first delivery as it is; later ones add to the probe buffer (which
         * holds at most PROBE_MAX plus the newest delivery, all of it fed on detection) */
        if (af && af->len[dir]) {
            if (!buf_append(af, dir, data, len, PROBE_MAX + len)) {
                mark_failed(w, f, af);
                return;
            }
            pd = af->buf[dir];
            pn = af->len[dir];
            in_buf = true;
        }
        idx = detect(f, dir, pd, pn, &undecided);
        if (!idx && undecided && pn < PROBE_MAX) {
            af = app_flow_get(f);
            if (!af || (!in_buf && !buf_append(af, dir, data, len, PROBE_MAX + len))) {
                mark_failed(w, f, af);
                return;
            }
            af->undecided[dir] = 1;
            return;
        }
        if (!idx) {
            /* only the start of a direction is probed: this one is settled */
            f->flags |= APP_F_NO(dir);
            if (af) {
                af->undecided[dir] = 0;
                buf_drop(af, dir);
            }
            if (f->flags & APP_F_NO(dir ^ 1))
                mark_failed(w, f, af);
            return;
        }
        af = app_flow_get(f);
        if (!af || (!in_buf && !buf_append(af, dir, data, len, PROBE_MAX + len))) {
            mark_failed(w, f, af);
            return;
        }
        if (!start_parser(w, f, af, idx))
            return;
        /* replay what was buffered: the to-server side first, the order of a request */
        for (int d = 0; d < 2; d++) {
            int dd = d == 0 ? SN_TOSERVER : SN_TOCLIENT;
            if (af->len[dd]) {
                uint32_t n = af->len[dd];
                uint8_t *b = af->buf[dd];
                af->buf[dd] = NULL;
                af->len[dd] = af->cap[dd] = 0;
                feed(w, f, af, dd, b, n, SN_STREAM_START);
                cs_free(b);
            }
        }
        return;
    }
    feed(w, f, af, dir, data, len, flags);
}

void sn_app_on_udp(struct sn_worker *w, struct sn_pkt *p)
{
    struct sn_flow *f = p->flow;
    struct app_flow *af;

    if (CS_ARRAY_LEN(parsers) == 1 || !f || !p->payload_len ||
        (f->flags & SN_FLOW_F_APP_FAILED))
        return;
    af = f->app_state;
    if (af && (af->flags & APP_F_STOPPED))
        return;
    if (!f->app_proto) {
        bool undecided;
        unsigned idx = detect(f, p->dir, p->payload, p->payload_len, &undecided);
        if (!idx) {
            if (!undecided)
                mark_failed(w, f, af);
            return;
        }
        af = app_flow_get(f);
        if (!af) {
            mark_failed(w, f, NULL);
            return;
        }
        if (!start_parser(w, f, af, idx))
            return;
    }
    {
        const struct sn_app_parser *ap = sn_app_get(f->app_proto);
        if (ap->parse(w, f, af->pstate, p->dir, p->payload, p->payload_len,
                      SN_APP_DATAGRAM) < 0)
            af->flags |= APP_F_STOPPED;
    }
}

void sn_app_flow_end(struct sn_worker *w, struct sn_flow *f)
{
    struct app_flow *af = f->app_state;
    const struct sn_app_parser *ap = sn_app_get(f->app_proto);

    if (!af || !ap || (af->flags & APP_F_STOPPED) || f->proto == IPPROTO_TCP)
        return;
    /* UDP: no stream to deliver EOF; let the parser log what is pending */
    ap->parse(w, f, af->pstate, SN_TOSERVER, NULL, 0, SN_STREAM_EOF | SN_APP_DATAGRAM);
    ap->parse(w, f, af->pstate, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF | SN_APP_DATAGRAM);
    af->flags |= APP_F_STOPPED;
}

void sn_app_flow_free(struct sn_worker *w, struct sn_flow *f)
{
    struct app_flow *af = f->app_state;
    const struct sn_app_parser *ap = sn_app_get(f->app_proto);

    (void)w;
    if (!af)
        return;
    if (ap && af->pstate && ap->state_free)
        ap->state_free(af->pstate);
    buf_drop(af, 0);
    buf_drop(af, 1);
    cs_free(af);
    f->app_state = NULL;
}

/* ---- helpers for parsers ----------------------------------------------------------- */

struct cs_json *sn_app_eve_begin(struct sn_worker *w, const struct sn_flow *f,
                                 uint32_t eve_type, const char *event_type)
{
    struct cs_json *j;
    const char *app;

    if (!w->eve || !(w->cfg->eve_types & eve_type))
        return NULL;
    j = sn_eve_json(w->eve);
    cs_json_open(j, NULL);
    sn_eve_header_flow(w->eve, j, f, event_type, w->pkt ? w->pkt->ts_us : f->last_us);
    if (w->pkt && w->pkt->pcap_cnt)
        cs_json_uint(j, "pcap_cnt", w->pkt->pcap_cnt);
    app = sn_app_proto_name(f);
    if (app)
        cs_json_str(j, "app_proto", app);
    return j;
}

void sn_app_eve_end(struct sn_worker *w, struct cs_json *j)
{
    if (!j)
        return;
    cs_json_close(j);
    sn_eve_emit(w->eve, j);
}

void sn_app_event(struct sn_worker *w, const struct sn_flow *f, const char *name)
{
    struct cs_json *j;

    sn_count(w, SN_CNT_APP_LAYER_EVENTS, 1);
    if (sn_detect_app_cb) /* detection is on: keep it for app-layer-event (the flow is ours) */
        sn_detect_app_event((struct sn_flow *)f, name);
    if (!w->eve || !w->cfg->anomaly_applayer)
        return;
    j = sn_app_eve_begin(w, f, SN_EVE_ANOMALY, "anomaly");
    if (!j)
        return;
    cs_json_open(j, "anomaly");
    cs_json_str(j, "type", "applayer");
    cs_json_str(j, "event", name);
    {
        const struct sn_app_parser *ap = sn_app_get(f->app_proto);
        if (ap)
            cs_json_str(j, "layer", ap->name);
    }
    cs_json_close(j);
    sn_app_eve_end(w, j);
}
