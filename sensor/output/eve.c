/* eve.c — EVE JSON records: flow, anomaly, stats; the shared header and the sink. */
#include "eve.h"

#include "../../lib/cs_json.h"
#include "../../lib/cs_time.h"
#include "../app/app.h"
#include "../config.h"
#include "../flow/flow.h"
#include "../pkt.h"
#include "../stream/stream.h"
#include "../upload/upload.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define EVE_FLUSH_BYTES (256u << 10)

struct sn_eve_sink {
    int fd;
    pthread_mutex_t mu;
    uint64_t records;
    uint64_t write_errors;
    char *pcap_filename;
    struct sn_upload *upload; /* the hub output, or NULL */
};

struct sn_eve {
    const struct sn_config *cfg;
    struct sn_eve_sink *sink;
    struct cs_json rec;          /* record being built */
    char *buf;                   /* finished lines waiting for the sink */
    size_t len, cap;
    uint64_t records;
};

struct sn_eve_sink *sn_eve_sink_open(const char *path, const char *pcap_filename,
                                     struct cs_err *err)
{
    struct sn_eve_sink *s = cs_calloc(1, sizeof(*s));

    if (!s) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    s->fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    if (path && s->fd < 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open %s: %s", path, strerror(errno));
        cs_free(s);
        return NULL;
    }
    if (pcap_filename && !(s->pcap_filename = cs_strdup(pcap_filename))) {
        if (s->fd >= 0)
            close(s->fd);
        cs_free(s);
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void sn_eve_sink_set_upload(struct sn_eve_sink *s, struct sn_upload *u)
{
    s->upload = u;
}

uint64_t sn_eve_sink_records(const struct sn_eve_sink *s)
{
    return s->records;
}

void sn_eve_sink_close(struct sn_eve_sink *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    pthread_mutex_destroy(&s->mu);
    cs_free(s->pcap_filename);
    cs_free(s);
}

static void sink_write(struct sn_eve_sink *s, const char *buf, size_t len, uint64_t records)
{
    pthread_mutex_lock(&s->mu);
    if (s->upload)
        sn_upload_append(s->upload, buf, len);
    while (s->fd >= 0 && len > 0) {
        ssize_t n = write(s->fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            s->write_errors++;
            break;
        }
        buf += n;
        len -= (size_t)n;
    }
    s->records += records;
    pthread_mutex_unlock(&s->mu);
}

struct sn_eve *sn_eve_new(const struct sn_config *cfg, struct sn_eve_sink *sink)
{
    struct sn_eve *e = cs_calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->cfg = cfg;
    e->sink = sink;
    cs_json_init(&e->rec);
    e->cap = EVE_FLUSH_BYTES * 2;
    e->buf = cs_malloc(e->cap);
    if (!e->buf) {
        cs_free(e);
        return NULL;
    }
    return e;
}

void sn_eve_flush(struct sn_eve *e)
{
    if (e && e->len && e->sink)
        sink_write(e->sink, e->buf, e->len, e->records);
    if (e) {
        e->len = 0;
        e->records = 0;
    }
}

void sn_eve_free(struct sn_eve *e)
{
    if (!e)
        return;
    sn_eve_flush(e);
    cs_json_free(&e->rec);
    cs_free(e->buf);
    cs_free(e);
}

struct cs_json *sn_eve_json(struct sn_eve *e)
{
    cs_json_reset(&e->rec);
    return &e->rec;
}

void sn_eve_emit(struct sn_eve *e, struct cs_json *j)
{
    if (!cs_json_ok(j))
        return; /* a record that could not be built completely is not written */
    if (e->len + j->len + 1 > e->cap) {
        sn_eve_flush(e);
        if (j->len + 1 > e->cap) { /* oversized record: write it directly */
            if (e->sink) {
                cs_json_append(j, "\n", 1);
                sink_write(e->sink, j->buf, j->len, 1);
            }
            return;
        }
    }
    memcpy(e->buf + e->len, j->buf, j->len);
    e->len += j->len;
    e->buf[e->len++] = '\n';
    e->records++;
    if (e->len >= EVE_FLUSH_BYTES)
        sn_eve_flush(e);
}

/* ---- shared pieces ----------------------------------------------------------------- */

const char *sn_eve_proto_name(uint8_t proto, char buf[8])
{
    switch (proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "IPv6-ICMP";
    case IPPROTO_SCTP: return "SCTP";
    case IPPROTO_GRE: return "GRE";
    case IPPROTO_ESP: return "ESP";
    case IPPROTO_AH: return "AH";
    case IPPROTO_IGMP: return "IGMP";
    case 4: return "IPv4";
    case 41: return "IPv6";
    case 33: return "DCCP";
    case 59: return "IPv6-NoNxt";
    case 88: return "EIGRP";
    case 89: return "OSPF";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 115: return "L2TP";
    case 136: return "UDPLite";
    case 137: return "MPLS-in-IP";
    case 143: return "Ethernet";
    default:
        snprintf(buf, 8, "%u", proto);
        return buf;
    }
}

void sn_eve_addr_str(int ip_ver, const struct sn_addr *a, char out[48])
{
    static const char hex[] = "0123456789abcdef";

    if (ip_ver == 4) {
        char *o = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = a->u8[i];
            if (i)
                *o++ = '.';
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
        }
        *o = 0;
        return;
    }
    if (ip_ver != 6) {
        out[0] = 0;
        return;
    }
    char *o = out;
    for (int i = 0; i < 16; i += 2) {
        if (i)
            *o++ = ':';
        *o++ = hex[a->u8[i] >> 4];
        *o++ = hex[a->u8[i] & 15];
        *o++ = hex[a->u8[i + 1] >> 4];
        *o++ = hex[a->u8[i + 1] & 15];
    }
    *o = 0;
}

static void json_time(struct cs_json *j, const char *key, uint64_t us)
{
    char t[CS_TIME_BUFSZ];
    size_t n = cs_time_fmt(us, t);
    cs_json_strn(j, key, t, n);
}

static void json_mac(struct cs_json *j, const char *key, const uint8_t *m)
{
    char s[18];
    snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    cs_json_strn(j, key, s, 17);
}

static void json_tuple(struct cs_json *j, int ip_ver, const struct sn_addr *src,
                       const struct sn_addr *dst, uint16_t sp, uint16_t dp, uint8_t proto,
                       bool ports)
{
    char a[48], pb[8];

    sn_eve_addr_str(ip_ver, src, a);
    cs_json_str(j, "src_ip", a);
    if (ports)
        cs_json_uint(j, "src_port", sp);
    sn_eve_addr_str(ip_ver, dst, a);
    cs_json_str(j, "dest_ip", a);
    if (ports)
        cs_json_uint(j, "dest_port", dp);
    cs_json_uint(j, "ip_v", (uint64_t)ip_ver);
    cs_json_str(j, "proto", sn_eve_proto_name(proto, pb));
}

static bool has_ports(uint8_t proto)
{
    return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static void json_vlan(struct cs_json *j, const uint16_t *ids, unsigned n)
{
    if (!n)
        return;
    cs_json_open_arr(j, "vlan");
    for (unsigned i = 0; i < n; i++)
        cs_json_uint(j, NULL, ids[i]);
    cs_json_close_arr(j);
}

static void json_community_id(struct sn_eve *e, struct cs_json *j, const struct sn_flow *f)
{
    char cid[64];
    size_t n;

    if (!e->cfg->eve_community_id || !f)
        return;
    n = sn_flow_community_id(f, e->cfg->community_id_seed, cid, sizeof(cid));
    if (n)
        cs_json_strn(j, "community_id", cid, n);
}

void sn_eve_header_pkt(struct sn_eve *e, struct cs_json *j, const struct sn_pkt *p,
                       const char *event_type)
{
    const struct sn_flow *f = p->flow;

    json_time(j, "timestamp", p->ts_us);
    if (f)
        cs_json_uint(j, "flow_id", f->flow_id);
    if (p->pcap_cnt)
        cs_json_uint(j, "pcap_cnt", p->pcap_cnt);
    cs_json_str(j, "event_type", event_type);
    if (e->sink && e->sink->pcap_filename && e->cfg->eve_pcap_file)
        cs_json_str(j, "pcap_filename", e->sink->pcap_filename);
    json_vlan(j, p->vlan_id, p->vlan_cnt);
    if (p->ip_ver)
        json_tuple(j, p->ip_ver, &p->src, &p->dst, p->sp, p->dp, p->proto,
                   has_ports(p->proto) && (p->flags & SN_PKT_HAS_L4));
    if (p->ip_ver && (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
        (p->flags & SN_PKT_HAS_L4)) {
        cs_json_uint(j, "icmp_type", p->icmp_type);
        cs_json_uint(j, "icmp_code", p->icmp_code);
    }
    json_community_id(e, j, f);
    cs_json_str(j, "pkt_src", (p->flags & SN_PKT_REBUILT) ? "defrag" : "wire/pcap");
    if (e->cfg->eve_ethernet && p->eth) {
        cs_json_open(j, "ether");
        json_mac(j, "src_mac", p->eth + 6);
        json_mac(j, "dest_mac", p->eth);
        cs_json_close(j);
    }
}

void sn_eve_header_flow(struct sn_eve *e, struct cs_json *j, const struct sn_flow *f,
                        const char *event_type, uint64_t ts_us)
{
    json_time(j, "timestamp", ts_us);
    cs_json_uint(j, "flow_id", f->flow_id);
    cs_json_str(j, "event_type", event_type);
    json_vlan(j, f->vlan_id, f->vlan_cnt);
    json_tuple(j, f->ip_ver, &f->src, &f->dst, f->sp, f->dp, f->proto, has_ports(f->proto));
    json_community_id(e, j, f);
}

void sn_eve_header_tuple(struct sn_eve *e, struct cs_json *j, uint64_t ts_us,
                         const struct sn_flow *f, uint64_t pcap_cnt, const char *event_type,
                         int ip_ver, const struct sn_addr *src, const struct sn_addr *dst,
                         uint16_t sp, uint16_t dp, uint8_t proto, bool rebuilt)
{
    json_time(j, "timestamp", ts_us);
    if (f)
        cs_json_uint(j, "flow_id", f->flow_id);
    if (pcap_cnt)
        cs_json_uint(j, "pcap_cnt", pcap_cnt);
    cs_json_str(j, "event_type", event_type);
    if (e->sink && e->sink->pcap_filename && e->cfg->eve_pcap_file)
        cs_json_str(j, "pcap_filename", e->sink->pcap_filename);
    if (f)
        json_vlan(j, f->vlan_id, f->vlan_cnt);
    json_tuple(j, ip_ver, src, dst, sp, dp, proto, has_ports(proto));
    json_community_id(e, j, f);
    cs_json_str(j, "pkt_src", rebuilt ? "defrag" : "wire/pcap");
}

const struct sn_config *sn_eve_config(const struct sn_eve *e)
{
    return e->cfg;
}

/* ---- flow record ------------------------------------------------------------------- */

static const char *const flow_state_names[] = {"new", "established", "closed"};
static const char *const flow_reason_names[] = {"timeout", "forced", "shutdown"};

static void json_hex8(struct cs_json *j, const char *key, uint8_t v)
{
    static const char hex[] = "0123456789abcdef";
    char s[2] = {hex[v >> 4], hex[v & 15]};
    cs_json_strn(j, key, s, 2);
}

void sn_eve_log_flow(struct sn_worker *w, const struct sn_flow *f)
{
    struct sn_eve *e = w->eve;
    struct cs_json *j;
    const char *app;

    if (!e || !(e->cfg->eve_types & SN_EVE_FLOW))
        return;
    j = sn_eve_json(e);
    cs_json_open(j, NULL);
    sn_eve_header_flow(e, j, f, "flow", f->last_us);
    if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
        cs_json_uint(j, "icmp_type", f->icmp_type[0]);
        cs_json_uint(j, "icmp_code", f->icmp_code[0]);
        if (f->pkts[SN_TOCLIENT]) {
            cs_json_uint(j, "response_icmp_type", f->icmp_type[1]);
            cs_json_uint(j, "response_icmp_code", f->icmp_code[1]);
        }
    }
    app = sn_app_proto_name(f);
    if (app)
        cs_json_str(j, "app_proto", app);
    cs_json_open(j, "flow");
    cs_json_uint(j, "pkts_toserver", f->pkts[SN_TOSERVER]);
    cs_json_uint(j, "pkts_toclient", f->pkts[SN_TOCLIENT]);
    cs_json_uint(j, "bytes_toserver", f->bytes[SN_TOSERVER]);
    cs_json_uint(j, "bytes_toclient", f->bytes[SN_TOCLIENT]);
    json_time(j, "start", f->start_us);
    json_time(j, "end", f->last_us);
    cs_json_uint(j, "age", f->last_us / 1000000u - f->start_us / 1000000u);
    cs_json_str(j, "state", flow_state_names[f->state < 3 ? f->state : 0]);
    cs_json_str(j, "reason", flow_reason_names[f->end_reason < 3 ? f->end_reason : 0]);
    cs_json_bool(j, "alerted", f->flags & SN_FLOW_F_ALERTED);
    cs_json_close(j);
    if (f->proto == IPPROTO_TCP) {
        static const struct {
            uint8_t bit;
            const char *name;
        } flag_names[] = {{SN_TH_SYN, "syn"}, {SN_TH_FIN, "fin"}, {SN_TH_RST, "rst"},
                          {SN_TH_PUSH, "psh"}, {SN_TH_ACK, "ack"}, {SN_TH_URG, "urg"},
                          {SN_TH_ECN, "ecn"}, {SN_TH_CWR, "cwr"}};
        uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
        const char *st = sn_stream_state_name(f);
        cs_json_open(j, "tcp");
        json_hex8(j, "tcp_flags", all);
        json_hex8(j, "tcp_flags_ts", f->tcp_flags[0]);
        json_hex8(j, "tcp_flags_tc", f->tcp_flags[1]);
        for (unsigned i = 0; i < CS_ARRAY_LEN(flag_names); i++)
            if (all & flag_names[i].bit)
                cs_json_bool(j, flag_names[i].name, true);
        if (st) {
            cs_json_str(j, "state", st);
            cs_json_uint(j, "ts_max_regions", sn_stream_max_regions(f, SN_TOSERVER));
            cs_json_uint(j, "tc_max_regions", sn_stream_max_regions(f, SN_TOCLIENT));
        }
        cs_json_close(j);
    }
    cs_json_close(j);
    sn_eve_emit(e, j);
}

/* ---- anomaly records --------------------------------------------------------------- */

void sn_eve_log_anomalies(struct sn_worker *w, const struct sn_pkt *p)
{
    struct sn_eve *e = w->eve;
    const struct sn_config *cfg;

    if (!e || !p->nevents || !(e->cfg->eve_types & SN_EVE_ANOMALY))
        return;
    cfg = e->cfg;
    for (unsigned i = 0; i < p->nevents; i++) {
        bool is_stream = p->events[i] >= SN_EV_STREAM_FIRST;
        struct cs_json *j;
        if (is_stream ? !cfg->anomaly_stream : !cfg->anomaly_decode)
            continue;
        j = sn_eve_json(e);
        cs_json_open(j, NULL);
        sn_eve_header_pkt(e, j, p, "anomaly");
        cs_json_open(j, "anomaly");
        cs_json_str(j, "type", is_stream ? "stream" : "decode");
        cs_json_str(j, "event", sn_event_name(p->events[i]));
        cs_json_close(j);
        cs_json_close(j);
        sn_eve_emit(e, j);
    }
}

/* ---- stats record ------------------------------------------------------------------ */

struct stat_ent {
    char path[96];
    uint64_t v;
};

/* Orders dotted paths component by component so that members of one object are adjacent. */
static int path_cmp(const void *a, const void *b)
{
    const unsigned char *x = (const unsigned char *)((const struct stat_ent *)a)->path;
    const unsigned char *y = (const unsigned char *)((const struct stat_ent *)b)->path;
    while (*x && *x == *y)
        x++, y++;
    unsigned cx = *x == '.' ? 1 : *x, cy = *y == '.' ? 1 : *y;
    return (int)cx - (int)cy;
}

/* Emits sorted dotted paths as nested objects. */
static void emit_tree(struct cs_json *j, struct stat_ent *ents, size_t n)
{
    char open[8][48];
    int depth = 0;

    for (size_t i = 0; i < n; i++) {
        char comp[8][48];
        int nc = 0;
        const char *s = ents[i].path;
        while (*s && nc < 8) {
            const char *d = strchr(s, '.');
            size_t l = d ? (size_t)(d - s) : strlen(s);
            if (l >= sizeof(comp[0]))
                l = sizeof(comp[0]) - 1;
            memcpy(comp[nc], s, l);
            comp[nc][l] = 0;
            nc++;
            s = d ? d + 1 : s + strlen(s);
        }
        int common = 0;
        while (common < depth && common < nc - 1 && strcmp(open[common], comp[common]) == 0)
            common++;
        while (depth > common) {
            cs_json_close(j);
            depth--;
        }
        while (depth < nc - 1) {
            cs_json_open(j, comp[depth]);
            strcpy(open[depth], comp[depth]);
            depth++;
        }
        cs_json_uint(j, comp[nc - 1], ents[i].v);
    }
    while (depth-- > 0)
        cs_json_close(j);
}

void sn_eve_log_stats(struct sn_eve *e, const uint64_t *counters, const uint64_t *events,
                      const uint64_t *app_flows, uint64_t uptime_s, uint64_t ts_us)
{
    size_t n = 0, max = SN_CNT_MAX + SN_EV_MAX + SN_APP_MAX + 16;
    struct stat_ent *ents;
    struct cs_json *j;

    if (!e || !(e->cfg->eve_types & SN_EVE_STATS))
        return;
    ents = cs_calloc(max, sizeof(*ents));
    if (!ents)
        return;
    for (int c = 0; c < SN_CNT_MAX; c++) {
        snprintf(ents[n].path, sizeof(ents[n].path), "%s", sn_counter_name(c));
        ents[n++].v = counters[c];
    }
    for (int ev = 0; ev < SN_EV_MAX; ev++) {
        const char *name = sn_event_name(ev);
        if (strncmp(name, "decoder.", 8) == 0)
            snprintf(ents[n].path, sizeof(ents[n].path), "decoder.event.%s", name + 8);
        else
            snprintf(ents[n].path, sizeof(ents[n].path), "%s", name);
        ents[n++].v = events[ev];
    }
    for (unsigned a = 1; app_flows && a < sn_app_count(); a++) {
        snprintf(ents[n].path, sizeof(ents[n].path), "app_layer.flow.%s", sn_app_get(a)->name);
        ents[n++].v = app_flows[a];
    }
    if (e->sink && e->sink->upload) {
        struct sn_upload_stats us;
        sn_upload_get_stats(e->sink->upload, &us);
        const struct {
            const char *name;
            uint64_t v;
        } hub[] = {
            {"hub.uploaded_events", us.uploaded_events},
            {"hub.uploaded_batches", us.uploaded_batches},
            {"hub.duplicate_batches", us.duplicate_batches},
            {"hub.retries", us.retries},
            {"hub.auth_failures", us.auth_failures},
            {"hub.rejected_batches", us.rejected_batches},
            {"hub.rejected_events", us.rejected_events},
            {"hub.spool_bytes", us.spool_bytes},
            {"hub.spool_pending", us.spool_pending},
            {"hub.dropped", us.dropped_events},
            {"hub.torn_records", us.torn_records},
            {"hub.spool_write_errors", us.spool_write_errors},
        };
        for (size_t i = 0; i < CS_ARRAY_LEN(hub) && n < max; i++) {
            snprintf(ents[n].path, sizeof(ents[n].path), "%s", hub[i].name);
            ents[n++].v = hub[i].v;
        }
    }
    qsort(ents, n, sizeof(*ents), path_cmp);
    j = sn_eve_json(e);
    cs_json_open(j, NULL);
    json_time(j, "timestamp", ts_us);
    cs_json_str(j, "event_type", "stats");
    cs_json_open(j, "stats");
    cs_json_uint(j, "uptime", uptime_s);
    emit_tree(j, ents, n);
    cs_json_close(j);
    cs_json_close(j);
    sn_eve_emit(e, j);
    cs_free(ents);
}
