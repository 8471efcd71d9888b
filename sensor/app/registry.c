/* registry.c — the app-layer parser table built from parsers.def, protocol detection by
 * probing, buffering of unconsumed bytes, dispatch, and the EVE helpers for parsers. */
#include "app.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../detect/detect.h"
#include "../output/eve.h"
#include "../flow/flow.h"
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

/* ---- app-layer.protocols.<name> switches ------------------------------------------------ */

static int tidx(uint8_t ipproto)
{
    return ipproto == IPPROTO_UDP ? 1 : 0;
}

static enum sn_app_mode mode_of(const struct sn_worker *w, unsigned idx, uint8_t ipproto)
{
    return w && w->cfg ? (enum sn_app_mode)w->cfg->app_mode[idx][tidx(ipproto)] : SN_APP_ON;
}

/* Reads `key` (yes / no / detection-only) into *mode when present. */
static int read_mode(const struct cs_cfg *raw, const char *key, uint8_t *mode, struct cs_err *err)
{
    const char *v;
    bool b;

    if (!cs_cfg_get_str(raw, key, &v))
        return CS_OK;
    if (strcmp(v, "detection-only") == 0) {
        *mode = SN_APP_DETECT_ONLY;
        return CS_OK;
    }
    if (!cs_cfg_get_bool(raw, key, &b)) {
        int line = 0, col = 0;
        cs_cfg_pos(raw, key, &line, &col);
        cs_err_set(err, CS_EINVAL, line, col, "%s: expected yes, no or detection-only, got '%s'",
                   key, v);
        return CS_EINVAL;
    }
    *mode = b ? SN_APP_ON : SN_APP_OFF;
    return CS_OK;
}

/* Reads a detection-ports.dp value (a number or a comma list) into out. */
static int read_ports(const struct cs_cfg *raw, const char *key, char *out, size_t cap,
                      struct cs_err *err)
{
    const char *v;
    int64_t n;
    char num[24];

    if (cs_cfg_count(raw, key)) { /* a YAML sequence: [502, 503] */
        size_t k = cs_cfg_count(raw, key), len = 0;
        out[0] = 0;
        for (size_t i = 0; i < k; i++) {
            const char *cv = cs_cfg_child_value(raw, key, i);
            if (!cv || len + strlen(cv) + 2 > cap)
                goto bad;
            len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", cv);
        }
        v = out;
    } else if (cs_cfg_get_str(raw, key, &v)) {
        if (strlen(v) >= cap)
            goto bad;
        if (v != out)
            snprintf(out, cap, "%s", v);
    } else if (cs_cfg_get_int(raw, key, &n)) {
        snprintf(num, sizeof(num), "%lld", (long long)n);
        snprintf(out, cap, "%s", num);
        v = out;
    } else {
        return CS_OK;
    }
    for (const char *c = out; *c; c++) /* numbers, commas and spaces only */
        if (!(*c >= '0' && *c <= '9') && *c != ',' && *c != ' ')
            goto bad;
    for (const char *c = out; *c;) {
        char *end;
        unsigned long p = strtoul(c, &end, 10);
        if (end == c || p > 65535)
            goto bad;
        c = end;
        while (*c == ' ' || *c == ',')
            c++;
    }
    return CS_OK;
bad:
    out[0] = 0;
    cs_err_set(err, CS_EINVAL, 0, 0, "%s: expected a port or a list of ports", key);
    return CS_EINVAL;
}

int sn_app_configure(struct sn_config *cfg, struct cs_err *err)
{
    static const char *const tname[2] = {"tcp", "udp"};
    char key[160];
    int rc;

    memset(cfg->app_mode, 0, sizeof(cfg->app_mode));
    memset(cfg->app_dports, 0, sizeof(cfg->app_dports));
    if (!cfg->raw)
        return CS_OK;
    for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++) {
        const char *n = parsers[i]->name;
        uint8_t m = SN_APP_ON;
        char dp[128] = "";
        snprintf(key, sizeof(key), "app-layer.protocols.%s.enabled", n);
        if ((rc = read_mode(cfg->raw, key, &m, err)) != CS_OK)
            return rc;
        snprintf(key, sizeof(key), "app-layer.protocols.%s.detection-ports.dp", n);
        if ((rc = read_ports(cfg->raw, key, dp, sizeof(dp), err)) != CS_OK)
            return rc;
        for (int t = 0; t < 2; t++) { /* dns.tcp.enabled, dns.udp.detection-ports… */
            cfg->app_mode[i][t] = m;
            snprintf(cfg->app_dports[i][t], sizeof(cfg->app_dports[i][t]), "%s", dp);
            snprintf(key, sizeof(key), "app-layer.protocols.%s.%s.enabled", n, tname[t]);
            if ((rc = read_mode(cfg->raw, key, &cfg->app_mode[i][t], err)) != CS_OK)
                return rc;
            snprintf(key, sizeof(key), "app-layer.protocols.%s.%s.detection-ports.dp", n,
                     tname[t]);
            if ((rc = read_ports(cfg->raw, key, cfg->app_dports[i][t],
                                 sizeof(cfg->app_dports[i][t]), err)) != CS_OK)
                return rc;
        }
    }
    return CS_OK;
}
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

uint64_t sn_app_tx_id(const char *proto, const void *tx)
{
    const struct sn_app_parser *ap = proto ? sn_app_get(sn_app_lookup(proto)) : NULL;

    return ap && ap->tx_id && tx ? ap->tx_id(tx) : 0;
}

bool sn_app_has_tx_id(const char *proto)
{
    const struct sn_app_parser *ap = proto ? sn_app_get(sn_app_lookup(proto)) : NULL;

    return ap && ap->tx_id;
}

/* The next number of a comma-separated port list ("80,8080") into *v; false at its end. */
static bool next_port(const char **s, unsigned long *v)
{
    char *end;
    if (!*s || !**s)
        return false;
    *v = strtoul(*s, &end, 10);
    if (end == *s)
        return false;
    *s = *end == ',' ? end + 1 : NULL;
    return true;
}

/* Whether `port` is in the list `ports` (a configured detection-ports). */
static bool port_listed(const char *ports, uint16_t port)
{
    unsigned long v;
    while (next_port(&ports, &v))
        if (v == port)
            return true;
    return false;
}

/* Parsers by default port: bit i of port_parsers[port] for parser i, built once from the
 * descriptors' port lists (detect() used to parse every list with strtoul for every probe). */
static uint32_t port_parsers[65536];
static pthread_once_t port_once = PTHREAD_ONCE_INIT;

static void port_parsers_build(void)
{
    for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++) {
        const char *s = parsers[i]->default_ports; /* "502", "80,8080" */
        unsigned long v;
        while (next_port(&s, &v))
            if (v < 65536)
                port_parsers[v] |= 1u << i;
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
static unsigned detect(const struct sn_worker *w, const struct sn_flow *f, int dir,
                       const uint8_t *d, uint32_t n, bool *undecided)
{
    uint32_t on_ports;

    *undecided = false;
    pthread_once(&port_once, port_parsers_build);
    on_ports = port_parsers[f->dp];
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 1; i < CS_ARRAY_LEN(parsers); i++) {
            const struct sn_app_parser *ap = parsers[i];
            bool on_port;
            if (!proto_fits(ap, f->proto) || mode_of(w, i, f->proto) == SN_APP_OFF)
                continue;
            if (w && w->cfg && w->cfg->app_dports[i][tidx(f->proto)][0])
                on_port = port_listed(w->cfg->app_dports[i][tidx(f->proto)], f->dp);
            else
                on_port = (on_ports >> i) & 1;
            if (on_port != (pass == 0))
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

/* Midstream pick-up (Suricata's behaviour): the first data seen of a TCP flow whose start
 * was not captured may come from the server. When no parser recognises it as `*dir` but
 * one does as the other direction, and that direction has not spoken yet, the flow is
 * turned round (sn_flow_reverse): the sender of this data becomes the server. The stream
 * session follows after the packet (the worker sees SN_FLOW_F_REVERSE_PENDING); until then
 * the worker maps stream directions. *dir becomes the direction of the data in the turned
 * flow; returns the parser found, 0 when the flow stays as it is. */
static unsigned reverse_first_data(struct sn_worker *w, struct sn_flow *f, struct app_flow *af,
                               int *dir, const uint8_t *d, uint32_t n)
{
    int o = *dir ^ 1;
    bool und;
    unsigned idx;
    uint8_t no;

    if (!sn_stream_midstream(f) || (f->flags & (APP_F_NO(o) | SN_FLOW_F_REVERSE_PENDING)) ||
        (af && (af->len[o] || af->undecided[o])))
        return 0;
    idx = detect(w, f, o, d, n, &und);
    if (!idx)
        return 0;
    sn_flow_reverse(f);
    no = f->flags & (SN_FLOW_F_APP_NO_TS | SN_FLOW_F_APP_NO_TC);
    f->flags &= (uint8_t)~(SN_FLOW_F_APP_NO_TS | SN_FLOW_F_APP_NO_TC);
    if (no & SN_FLOW_F_APP_NO_TS)
        f->flags |= SN_FLOW_F_APP_NO_TC;
    if (no & SN_FLOW_F_APP_NO_TC)
        f->flags |= SN_FLOW_F_APP_NO_TS;
    f->flags |= SN_FLOW_F_REVERSE_PENDING;
    if (af) {
        uint8_t *b = af->buf[0];
        uint32_t l = af->len[0], c = af->cap[0];
        uint8_t u = af->undecided[0];
        af->buf[0] = af->buf[1], af->len[0] = af->len[1], af->cap[0] = af->cap[1];
        af->undecided[0] = af->undecided[1];
        af->buf[1] = b, af->len[1] = l, af->cap[1] = c, af->undecided[1] = u;
    }
    sn_count(w, SN_CNT_APP_LAYER_FLOW_REVERSED, 1);
    *dir = o;
    return idx;
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

    if (mode_of(w, idx, f->proto) == SN_APP_DETECT_ONLY) {
        /* the protocol is known (app_proto, app-layer-protocol) but nothing is parsed */
        f->app_proto = (uint16_t)idx;
        w->app_flows[idx]++;
        stop_flow(af);
        return false;
    }
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
                /* this direction cannot be probed any more; the other one still may
                 * (a capture that starts after the client spoke: a gap, then the
                 * server's answer) */
                f->flags |= APP_F_NO(dir);
                if (f->flags & APP_F_NO(dir ^ 1))
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
        idx = detect(w, f, dir, pd, pn, &undecided);
        if (!idx && f->proto == IPPROTO_TCP &&
            (idx = reverse_first_data(w, f, af, &dir, pd, pn)))
            undecided = false;
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
        unsigned idx = detect(w, f, p->dir, p->payload, p->payload_len, &undecided);
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
