/* events.c — POST /api/v1/events (sensor batches: decode, verify, store once, acknowledge
 * after the durable commit) and GET /api/v1/events[/{id}] (filters, cursor pagination). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/cs_time.h"
#include "../ingest/batch.h"
#include "../ingest/classify.h"
#include "api_int.h"
#include "events.h"

bool hub_batch_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > HUB_SIG_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

static struct hub_text txt(struct hub_str s)
{
    return (struct hub_text){s.p, s.len};
}

void hub_event_to_store(const struct hub_event *e, int64_t now_us, struct hub_store_event *o)
{
    static const char unknown[] = "unknown";
    o->ts_us = e->ts ? e->ts : now_us;
    o->event_type = e->event_type.p && e->event_type.len && e->event_type.len <= 64
                        ? txt(e->event_type)
                        : (struct hub_text){unknown, sizeof(unknown) - 1};
    o->src_ip = txt(e->src_ip);
    o->dest_ip = txt(e->dest_ip);
    o->src_port = e->src_port || e->src_ip.p ? e->src_port : -1;
    o->dest_port = e->dest_port || e->dest_ip.p ? e->dest_port : -1;
    if (!e->src_ip.p && !e->src_port)
        o->src_port = -1;
    if (!e->dest_ip.p && !e->dest_port)
        o->dest_port = -1;
    o->proto = txt(e->proto);
    o->app_proto = txt(e->app_proto);
    o->signature_id = e->alert.present ? (int64_t)e->alert.signature_id : -1;
    o->signature = e->alert.present ? txt(e->alert.signature) : (struct hub_text){0};
    o->severity = e->alert.present && e->alert.severity ? e->alert.severity : -1;
    o->raw = txt(e->raw);
    o->flow_id = e->flow_id;
    o->ics_op = (struct hub_text){0};
    const char *op = hub_ics_classify(e->event_type, e->raw.p, e->raw.len);
    if (op)
        o->ics_op = (struct hub_text){op, strlen(op)};
    o->has_stats = hub_stats_counters(e->event_type, e->raw.p, e->raw.len, &o->stats_packets,
                                      &o->stats_drops);
}

static void ack(struct api_ctx *x, const char *batch_id, int64_t stored, bool dup)
{
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    cs_json_str(j, "batch_id", batch_id);
    cs_json_int(j, "stored", stored);
    cs_json_bool(j, "duplicate", dup);
    cs_json_close(j);
}

void api_route_events_ingest(struct api_ctx *x)
{
    const struct hub_http_req *r = x->req;
    if (!api_content_type_is(r, "application/x-ndjson")) {
        hub_http_error(x->w, 415, "unsupported_media_type",
                       "event batches are NDJSON (Content-Type: application/x-ndjson)");
        return;
    }
    enum hub_encoding enc;
    if (hub_encoding_parse(hub_http_header(r, "Content-Encoding"), &enc) != CS_OK) {
        hub_http_error(x->w, 415, "unsupported_encoding",
                       "Content-Encoding must be identity, gzip or zstd");
        return;
    }
    const char *fs = hub_http_header(r, "X-Citysoc-Format");
    enum hub_fmt fmt = fs ? hub_fmt_parse(fs, strlen(fs)) : HUB_FMT_CITYSOC_EVE;
    if (fmt == HUB_FMT_NONE) {
        hub_http_error(x->w, 400, "invalid_format", "unknown X-Citysoc-Format");
        return;
    }
    const char *batch_id = hub_http_header(r, "X-Citysoc-Batch");
    if (!batch_id) {
        hub_http_error(x->w, 400, "missing_batch_id", "the X-Citysoc-Batch header is required");
        return;
    }
    if (!hub_batch_id_ok(batch_id)) {
        hub_http_error(x->w, 400, "invalid_batch_id",
                       "a batch id is 1..64 characters of A-Z a-z 0-9 . _ : -");
        return;
    }
    const char *sig = hub_http_header(r, HUB_SIG_HEADER_NAME);
    if (!sig && x->api->cfg.require_signature) {
        hub_http_error(x->w, 401, "signature_required",
                       "this hub requires signed batches (" HUB_SIG_HEADER_NAME ")");
        return;
    }
    if (sig) {
        struct hub_sig_header h;
        const char *pem = x->p.sensor.pubkey_pem;
        enum hub_sig_status st =
            hub_sig_check(sig, strlen(sig), &h, pem, strlen(pem), r->body, r->body_len,
                          (int64_t)(cs_time_now_us() / 1000000), x->api->cfg.sig_window_s, NULL);
        if (st == HUB_SIG_OK && strcmp(h.keyid, x->p.sensor.name) != 0)
            st = HUB_SIG_BAD_ID;
        if (st == HUB_SIG_OK && strcmp(h.batch, batch_id) != 0)
            st = HUB_SIG_BAD_ID;
        if (st != HUB_SIG_OK) {
            hub_http_error(x->w, 401, "invalid_signature", "batch signature rejected: %s",
                           hub_sig_status_str(st));
            return;
        }
    }

    struct hub_batch b;
    struct cs_err err = {0};
    struct hub_store_event *ev = NULL;
    hub_batch_init(&b);
    b.max_decoded = x->api->cfg.max_decoded;
    b.max_events = x->api->cfg.max_batch_events;
    int rc = hub_batch_decode(&b, fmt, enc, r->body, r->body_len, &err);
    if (rc == CS_ELIMIT) {
        hub_http_error(x->w, 413, "batch_too_large", "%s",
                       err.msg[0] ? err.msg : "batch too large");
        goto out;
    }
    if (rc) {
        hub_http_error(x->w, rc == CS_ENOMEM ? 503 : 400, "invalid_body", "%s",
                       err.msg[0] ? err.msg : cs_strerror(rc));
        goto out;
    }
    if (b.nerrors) {
        /* A batch is all or nothing: the sensor fixes and resends it under a new id. */
        struct cs_json *j = &x->w->body;
        x->w->status = 400;
        cs_json_open(j, NULL);
        cs_json_open(j, "error");
        cs_json_str(j, "code", "invalid_events");
        char msg[96];
        snprintf(msg, sizeof(msg), "%zu of %zu lines are not valid events; nothing stored",
                 b.nerrors, b.nlines);
        cs_json_str(j, "message", msg);
        cs_json_open_arr(j, "lines");
        for (size_t i = 0; i < b.nerrors_kept && i < 20; i++) {
            cs_json_open(j, NULL);
            cs_json_int(j, "line", b.errors[i].line);
            cs_json_str(j, "message", b.errors[i].msg);
            cs_json_close(j);
        }
        cs_json_close_arr(j);
        cs_json_close(j);
        cs_json_close(j);
        goto out;
    }
    if (b.nevents == 0) {
        hub_http_error(x->w, 400, "empty_batch", "the batch holds no event");
        goto out;
    }
    ev = cs_malloc(b.nevents * sizeof(*ev));
    if (!ev) {
        hub_http_error(x->w, 503, "out_of_memory", "cannot hold the batch now; retry");
        goto out;
    }
    int64_t now = (int64_t)cs_time_now_us();
    for (size_t i = 0; i < b.nevents; i++)
        hub_event_to_store(&b.events[i], now, &ev[i]);
    struct hub_store_batch sb = {
        .sensor_id = x->p.sensor.id,
        .org_id = x->p.sensor.org_id,
        .batch_id = batch_id,
        .signature = sig,
        .received_us = now,
    };
    struct hub_store_batch_result res;
    rc = hub_store_batch_add(x->api->store, &sb, ev, b.nevents, &res);
    if (rc) {
        hub_http_error(x->w, 503, "storage_unavailable", "batch not stored (%s); retry",
                       cs_strerror(rc));
        goto out;
    }
    ack(x, batch_id, res.stored, res.duplicate);
out:
    cs_free(ev);
    hub_batch_free(&b);
}

/* ---- query ---------------------------------------------------------------------------- */

/* "2026-06-12T03:23:01[.frac](Z|+hh:mm|+hhmm)" or an integer (µs since the epoch). */
bool hub_parse_time(const char *s, int64_t *us)
{
    if (api_parse_i64(s, us))
        return *us >= 0;
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return false;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 6)
                frac = frac * 10 + (*p - '0');
        if (digits == 0)
            return false;
        for (; digits < 6; digits++)
            frac *= 10;
    }
    int64_t off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 && strlen(p) == 6)
            p += 6;
        else if (sscanf(p + 1, "%2d%2d", &hh, &mm) == 2 && strlen(p) == 5)
            p += 5;
        else
            return false;
        if (hh > 23 || mm > 59)
            return false;
        off = sign * (hh * 3600 + mm * 60);
    } else {
        return false;
    }
    if (*p)
        return false;
    time_t t = timegm(&tm);
    if (t < 0)
        return false;
    *us = ((int64_t)t - off) * 1000000 + frac;
    return true;
}

static bool word_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool ip_ok(const char *s)
{
    struct hub_ip ip;
    return strlen(s) < 64 && hub_ip_parse(s, strlen(s), &ip);
}

struct qarg {
    struct hub_event_filter *f;
    char bad[64];
    const char *why;
};

int api_event_filter_arg(struct hub_event_filter *f, const char *k, const char *v)
{
    int64_t n;
    bool ok = true;
    if (!strcmp(k, "from"))
        ok = hub_parse_time(v, &f->from_us);
    else if (!strcmp(k, "to"))
        ok = hub_parse_time(v, &f->to_us);
    else if (!strcmp(k, "org_id"))
        ok = api_parse_i64(v, &f->org_id) && f->org_id > 0;
    else if (!strcmp(k, "sensor_id"))
        ok = api_parse_i64(v, &f->sensor_id) && f->sensor_id > 0;
    else if (!strcmp(k, "event_type"))
        ok = word_ok(v, 64), f->event_type = v;
    else if (!strcmp(k, "signature"))
        ok = text_ok(v, 256), f->signature = v;
    else if (!strcmp(k, "signature_id"))
        ok = api_parse_i64(v, &f->signature_id) && f->signature_id > 0;
    else if (!strcmp(k, "severity_max"))
        ok = api_parse_i64(v, &n) && n >= 1 && n <= 4, f->severity_max = (int32_t)n;
    else if (!strcmp(k, "src_ip"))
        ok = ip_ok(v), f->src_ip = v;
    else if (!strcmp(k, "dest_ip"))
        ok = ip_ok(v), f->dest_ip = v;
    else if (!strcmp(k, "ip"))
        ok = ip_ok(v), f->ip = v;
    else if (!strcmp(k, "limit"))
        ok = api_parse_i64(v, &n) && n >= 1 && n <= 1000, f->limit = (int)n;
    else if (!strcmp(k, "flow_id"))
        ok = api_parse_i64(v, &n) && n > 0, f->flow_id = (uint64_t)n;
    else if (!strcmp(k, "app_proto"))
        ok = word_ok(v, 32), f->app_proto = v;
    else if (!strcmp(k, "proto"))
        ok = text_ok(v, 16), f->proto = v;
    else if (!strcmp(k, "q"))
        ok = text_ok(v, 256), f->q = v;
    else if (!strcmp(k, "since_id"))
        ok = api_parse_i64(v, &f->since_id) && f->since_id >= 0;
    else
        return 1;
    return ok ? 0 : -1;
}

static int qarg_cb(void *arg, const char *k, const char *v)
{
    struct qarg *q = arg;
    struct hub_event_filter *f = q->f;
    int rc = api_event_filter_arg(f, k, v);
    bool ok = rc == 0;
    if (rc == 1 && !strcmp(k, "cursor")) {
        char a[24], b[24];
        const char *dot = strchr(v, '.');
        ok = dot && dot - v < 20 && strlen(dot + 1) < 20;
        if (ok) {
            memcpy(a, v, (size_t)(dot - v));
            a[dot - v] = 0;
            snprintf(b, sizeof(b), "%s", dot + 1);
            ok = api_parse_i64(a, &f->cursor_ts) && api_parse_i64(b, &f->cursor_id) &&
                 f->cursor_id > 0;
        }
    } else if (rc == 1) {
        snprintf(q->bad, sizeof(q->bad), "%s", k);
        q->why = "unknown parameter";
        return 1;
    }
    if (!ok) {
        snprintf(q->bad, sizeof(q->bad), "%s", k);
        q->why = "invalid value";
        return 1;
    }
    return 0;
}

struct rows {
    struct cs_json *j;
    int n;
    int64_t last_ts, last_id;
    struct hub_json_doc doc;
};

static void jtext(struct cs_json *j, const char *key, struct hub_text t)
{
    if (t.p)
        cs_json_strn(j, key, t.p, t.len);
}

void hub_json_event(struct cs_json *j, struct hub_json_doc *doc, const struct hub_event_row *r)
{
    char ts[CS_TIME_BUFSZ];
    cs_json_open(j, NULL);
    cs_json_int(j, "id", r->id);
    cs_json_int(j, "org_id", r->org_id);
    cs_json_int(j, "sensor_id", r->sensor_id);
    cs_json_int(j, "ts_us", r->ev.ts_us);
    cs_time_fmt((uint64_t)r->ev.ts_us, ts);
    cs_json_str(j, "timestamp", ts);
    jtext(j, "event_type", r->ev.event_type);
    jtext(j, "src_ip", r->ev.src_ip);
    if (r->ev.src_port >= 0)
        cs_json_int(j, "src_port", r->ev.src_port);
    jtext(j, "dest_ip", r->ev.dest_ip);
    if (r->ev.dest_port >= 0)
        cs_json_int(j, "dest_port", r->ev.dest_port);
    jtext(j, "proto", r->ev.proto);
    jtext(j, "app_proto", r->ev.app_proto);
    if (r->ev.flow_id)
        cs_json_uint(j, "flow_id", r->ev.flow_id);
    jtext(j, "ics_op", r->ev.ics_op);
    if (r->ev.signature_id >= 0) {
        cs_json_open(j, "alert");
        cs_json_int(j, "signature_id", r->ev.signature_id);
        jtext(j, "signature", r->ev.signature);
        if (r->ev.severity >= 0)
            cs_json_int(j, "severity", r->ev.severity);
        cs_json_close(j);
    }
    /* The original record: embedded when it is JSON, as a string otherwise. */
    if (r->ev.raw.len && r->ev.raw.p[0] == '{' &&
        hub_json_parse(doc, r->ev.raw.p, r->ev.raw.len, NULL, NULL) == CS_OK)
        cs_json_raw(j, "record", r->ev.raw.p, r->ev.raw.len);
    else
        jtext(j, "raw", r->ev.raw);
    cs_json_close(j);
}

static int row_cb(void *arg, const struct hub_event_row *r)
{
    struct rows *x = arg;
    hub_json_event(x->j, &x->doc, r);
    x->n++;
    x->last_ts = r->ev.ts_us;
    x->last_id = r->id;
    return 0;
}

void api_route_events_query(struct api_ctx *x)
{
    struct hub_event_filter f = {.limit = 100};
    struct qarg q = {.f = &f};
    if (hub_http_query_each(x->req, qarg_cb, &q)) {
        hub_http_error(x->w, 400, "invalid_parameter", "%s: %s", q.bad, q.why);
        return;
    }
    struct rows rows = {.j = &x->w->body};
    hub_json_doc_init(&rows.doc);
    cs_json_open(rows.j, NULL);
    cs_json_open_arr(rows.j, "events");
    int rc = hub_store_event_query(x->api->store, &x->p.scope, &f, row_cb, &rows);
    cs_json_close_arr(rows.j);
    if (f.since_id) {
        /* polling: the id to send as since_id next time */
        cs_json_int(rows.j, "last_id", rows.n ? rows.last_id : f.since_id);
        cs_json_null(rows.j, "next_cursor");
    } else if (rows.n == f.limit) {
        char cur[48];
        snprintf(cur, sizeof(cur), "%" PRId64 ".%" PRId64, rows.last_ts, rows.last_id);
        cs_json_str(rows.j, "next_cursor", cur);
    } else {
        cs_json_null(rows.j, "next_cursor");
    }
    cs_json_close(rows.j);
    hub_json_doc_free(&rows.doc);
    api_store_fail(x, rc, "event");
}

void api_route_events_get(struct api_ctx *x)
{
    struct rows rows = {.j = &x->w->body};
    hub_json_doc_init(&rows.doc);
    int rc = hub_store_event_get(x->api->store, &x->p.scope, x->id, row_cb, &rows);
    hub_json_doc_free(&rows.doc);
    api_store_fail(x, rc, "event");
}
