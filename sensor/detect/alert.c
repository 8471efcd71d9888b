/* alert.c — alert output: the EVE "alert" record (Suricata's schema) and fast.log lines. */
#include "engine_int.h"

#include "../../lib/cs_json.h"
#include "../../lib/cs_time.h"
#include "../app/app.h"
#include "../config.h"
#include "../output/eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- fast.log ------------------------------------------------------------------------------ */

static FILE *g_fast;
static pthread_mutex_t g_fast_mu = PTHREAD_MUTEX_INITIALIZER;

int sn_fastlog_open(const char *path, struct cs_err *err)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open %s: %s", path, strerror(errno));
        return CS_EIO;
    }
    pthread_mutex_lock(&g_fast_mu);
    if (g_fast)
        fclose(g_fast);
    g_fast = f;
    pthread_mutex_unlock(&g_fast_mu);
    return CS_OK;
}

void sn_fastlog_close(void)
{
    pthread_mutex_lock(&g_fast_mu);
    if (g_fast)
        fclose(g_fast);
    g_fast = NULL;
    pthread_mutex_unlock(&g_fast_mu);
}

static void addr_text(int ip_ver, const struct sn_addr *a, char out[64])
{
    if (!inet_ntop(ip_ver == 6 ? AF_INET6 : AF_INET, a->u8, out, 64))
        strcpy(out, "?");
}

size_t sn_fastlog_format(char *out, size_t cap, uint64_t ts_us, const struct sn_rule *r, int ip_ver,
                         uint8_t proto, const struct sn_addr *src, uint16_t sp,
                         const struct sn_addr *dst, uint16_t dp, bool ports)
{
    time_t secs = (time_t)(ts_us / 1000000u);
    struct tm tm;
    char s[64], d[64], pb[8], sps[16] = "", dps[16] = "";
    int n;

    localtime_r(&secs, &tm);
    addr_text(ip_ver, src, s);
    addr_text(ip_ver, dst, d);
    if (ports) {
        snprintf(sps, sizeof(sps), ":%u", sp);
        snprintf(dps, sizeof(dps), ":%u", dp);
    }
    n = snprintf(out, cap,
                 "%02d/%02d/%04d-%02d:%02d:%02d.%06u  [**] [%u:%u:%u] %s [**] "
                 "[Classification: %s] [Priority: %d] {%s} %s%s -> %s%s",
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(ts_us % 1000000u), r->gid, r->sid, r->rev, r->msg ? r->msg : "",
                 r->class_desc ? r->class_desc : "(null)", r->priority,
                 sn_eve_proto_name(proto, pb), s, sps, d, dps);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

static void fastlog_write(uint64_t ts_us, const struct de_alert *a)
{
    char line[2048];
    size_t n;
    if (!g_fast)
        return;
    n = sn_fastlog_format(line, sizeof(line) - 1, ts_us, a->dr->r, a->ip_ver, a->proto, &a->src,
                          a->sp, &a->dst, a->dp, a->ports);
    line[n++] = '\n';
    pthread_mutex_lock(&g_fast_mu);
    if (g_fast) {
        fwrite(line, 1, n, g_fast);
        fflush(g_fast);
    }
    pthread_mutex_unlock(&g_fast_mu);
}

/* ---- EVE ----------------------------------------------------------------------------------- */

static void json_b64(struct cs_json *j, const char *key, const uint8_t *d, uint32_t n)
{
    size_t cap = 4 * ((size_t)n / 3 + 1) + 1;
    unsigned char *out = cs_malloc(cap);
    int len;
    if (!out)
        return;
    len = EVP_EncodeBlock(out, d, (int)n);
    cs_json_strn(j, key, out, len > 0 ? (size_t)len : 0);
    cs_free(out);
}

static void json_printable(struct cs_json *j, const char *key, const uint8_t *d, uint32_t n)
{
    char *out = cs_malloc(n + 1);
    if (!out)
        return;
    for (uint32_t i = 0; i < n; i++)
        out[i] = (d[i] >= 32 && d[i] < 127) || d[i] == '\n' || d[i] == '\r' || d[i] == '\t'
                     ? (char)d[i]
                     : '.';
    cs_json_strn(j, key, out, n);
    cs_free(out);
}

static const char *action_text(const struct sn_detect_engine *de, enum sn_action a)
{
    switch (a) {
    case SN_ACT_REJECT:
    case SN_ACT_REJECTSRC:
    case SN_ACT_REJECTDST:
    case SN_ACT_REJECTBOTH:
        return "blocked";
    case SN_ACT_DROP:
        return de && de->ips ? "blocked" : "allowed";
    default:
        return "allowed";
    }
}

/* The verdict object (Suricata 7's alert `verdict` option): what the engine decided for the
 * packet as far as this alert goes — "drop" when inline mode drops it (drop or reject), else
 * "alert"; a reject adds whom the reject goes to and its kind (a TCP reset, else ICMP
 * admin-prohibited). */
static void json_verdict(struct cs_json *j, const struct sn_detect_engine *de, enum sn_action a,
                         uint8_t proto)
{
    const char *target = NULL;

    switch (a) {
    case SN_ACT_REJECT:
    case SN_ACT_REJECTSRC:
        target = "to_client";
        break;
    case SN_ACT_REJECTDST:
        target = "to_server";
        break;
    case SN_ACT_REJECTBOTH:
        target = "both";
        break;
    default:
        break;
    }
    cs_json_open(j, "verdict");
    cs_json_str(j, "action",
                de && de->ips && (a == SN_ACT_DROP || target) ? "drop" : "alert");
    if (target) {
        cs_json_str(j, "reject-target", target);
        cs_json_open_arr(j, "reject");
        cs_json_str(j, NULL, proto == 6 ? "tcp-reset" : "icmp-prohib");
        cs_json_close_arr(j);
    }
    cs_json_close(j);
}

/* metadata {key: [values]} grouping equal keys, in first-seen order */
static void json_metadata(struct cs_json *j, const struct sn_rule *r)
{
    if (!r->nmeta)
        return;
    cs_json_open(j, "metadata");
    for (uint32_t i = 0; i < r->nmeta; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = strcmp(r->meta[k].key, r->meta[i].key) == 0;
        if (seen)
            continue;
        cs_json_open_arr(j, r->meta[i].key);
        for (uint32_t k = i; k < r->nmeta; k++)
            if (strcmp(r->meta[k].key, r->meta[i].key) == 0)
                cs_json_str(j, NULL, r->meta[k].value);
        cs_json_close_arr(j);
    }
    cs_json_close(j);
}

char *de_alert_app_render(struct sn_detect_thread *t, const char *proto, const void *tx, int dir,
                          size_t *len)
{
    struct sn_eve *e = t->w->eve;
    struct cs_json j;
    char *out = NULL;

    *len = 0;
    if (!e || !t->f || !tx || !(sn_eve_config(e)->eve_types & SN_EVE_ALERT) ||
        !sn_eve_config(e)->alert_app_layer)
        return NULL;
    cs_json_init(&j);
    cs_json_open(&j, NULL);
    if (sn_app_log_alert(t->w, t->f, proto, tx, dir, &j)) {
        cs_json_close(&j);
        /* "{…}": keep what is between the braces */
        if (cs_json_ok(&j) && j.len > 2 && (out = cs_malloc(j.len - 1))) {
            memcpy(out, j.buf + 1, j.len - 2);
            out[j.len - 2] = '\0';
            *len = j.len - 2;
        }
    }
    cs_json_free(&j);
    return out;
}

void de_alert_emit(struct sn_detect_thread *t, const struct de_alert *a)
{
    struct sn_worker *w = t->w;
    const struct sn_pkt *p = t->p;
    struct sn_flow *f = t->f;
    const struct sn_rule *r = a->dr->r;
    uint64_t ts = p ? p->ts_us : w->now_us;
    struct sn_eve *e = w->eve;
    struct cs_json *j;
    const struct sn_config *cfg;
    const char *app;

    sn_count(w, SN_CNT_DETECT_ALERT, 1);
    if (f)
        f->flags |= SN_FLOW_F_ALERTED;
    fastlog_write(ts, a);
    if (!e)
        return;
    cfg = sn_eve_config(e);
    if (!(cfg->eve_types & SN_EVE_ALERT))
        return;
    j = sn_eve_json(e);
    cs_json_open(j, NULL);
    sn_eve_header_tuple(e, j, ts, f, p ? p->pcap_cnt : 0, "alert", a->ip_ver, &a->src, &a->dst,
                        a->sp, a->dp, a->proto,
                        !p ? (a->stream ? "stream (flow timeout)" : NULL)
                        : (p->flags & SN_PKT_REBUILT) ? "defrag"
                                                      : NULL);
    if (p && (p->flags & SN_PKT_HAS_L4) && (p->proto == 1 || p->proto == 58)) {
        cs_json_uint(j, "icmp_type", p->icmp_type);
        cs_json_uint(j, "icmp_code", p->icmp_code);
    }
    if (p && p->eth && cfg->eve_ethernet) {
        char m[18];
        const uint8_t *s = p->eth + 6, *d = p->eth;
        cs_json_open(j, "ether");
        snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", s[0], s[1], s[2], s[3], s[4], s[5]);
        cs_json_strn(j, "src_mac", m, 17);
        snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", d[0], d[1], d[2], d[3], d[4], d[5]);
        cs_json_strn(j, "dest_mac", m, 17);
        cs_json_close(j);
    }
    if (f && a->dir >= 0)
        cs_json_str(j, "direction", a->dir == SN_TOSERVER ? "to_server" : "to_client");
    cs_json_open(j, "alert");
    cs_json_str(j, "action", action_text(t->de, a->action));
    cs_json_uint(j, "gid", r->gid);
    cs_json_uint(j, "signature_id", r->sid);
    cs_json_uint(j, "rev", r->rev);
    cs_json_str(j, "signature", r->msg ? r->msg : "");
    cs_json_str(j, "category", r->class_desc ? r->class_desc : "");
    cs_json_int(j, "severity", r->priority);
    if (cfg->alert_metadata)
        json_metadata(j, r);
    if (cfg->alert_rule_raw && r->text)
        cs_json_str(j, "rule", r->text);
    cs_json_close(j);
    if (f && (app = sn_app_proto_name(f)))
        cs_json_str(j, "app_proto", app);
    /* a transaction's alert: its tx_id and app-layer object, written by its parser (now,
     * or when the alert was deferred, as it stood last) */
    if (f && a->app_json && a->app_json_len && cfg->alert_app_layer)
        cs_json_raw(j, NULL, a->app_json, a->app_json_len);
    else if (f && t->tx && cfg->alert_app_layer)
        sn_app_log_alert(w, f, t->tx_proto, t->tx, t->dir, j);
    if (f && cfg->alert_flow) {
        char tb[CS_TIME_BUFSZ], ab[48];
        size_t tn = cs_time_fmt(f->start_us, tb);
        cs_json_open(j, "flow");
        cs_json_uint(j, "pkts_toserver", f->pkts[SN_TOSERVER]);
        cs_json_uint(j, "pkts_toclient", f->pkts[SN_TOCLIENT]);
        cs_json_uint(j, "bytes_toserver", f->bytes[SN_TOSERVER]);
        cs_json_uint(j, "bytes_toclient", f->bytes[SN_TOCLIENT]);
        cs_json_strn(j, "start", tb, tn);
        sn_eve_addr_str(f->ip_ver, &f->src, ab);
        cs_json_str(j, "src_ip", ab);
        sn_eve_addr_str(f->ip_ver, &f->dst, ab);
        cs_json_str(j, "dest_ip", ab);
        if (a->ports) {
            cs_json_uint(j, "src_port", f->sp);
            cs_json_uint(j, "dest_port", f->dp);
        }
        cs_json_close(j);
    }
    if (a->stream && (cfg->alert_payload || cfg->alert_payload_printable)) {
        if (cfg->alert_payload)
            json_b64(j, "payload", a->stream_payload, a->stream_len);
        if (cfg->alert_payload_printable)
            json_printable(j, "payload_printable", a->stream_payload, a->stream_len);
        cs_json_uint(j, "stream", 1);
    } else if (p && p->payload && (cfg->alert_payload || cfg->alert_payload_printable)) {
        if (cfg->alert_payload)
            json_b64(j, "payload", p->payload, p->payload_len);
        if (cfg->alert_payload_printable)
            json_printable(j, "payload_printable", p->payload, p->payload_len);
        cs_json_uint(j, "stream", 0);
    }
    if (p && cfg->alert_packet) {
        json_b64(j, "packet", p->data, p->caplen);
        const char *ln = pcap_datalink_val_to_name(p->datalink);
        cs_json_open(j, "packet_info");
        cs_json_int(j, "linktype", p->datalink);
        if (ln) /* libpcap's name of the link type ("EN10MB"), as Suricata 8 writes it */
            cs_json_str(j, "linktype_name", ln);
        cs_json_close(j);
    }
    if (cfg->alert_verdict)
        json_verdict(j, t->de, a->action, a->proto);
    cs_json_close(j);
    sn_eve_emit(e, j);
}
