/* norm.c — the normaliser front: one line in, one event out (see norm.h), plus the helpers
 * the per-format files share (text copies, timestamps, the normalised JSON). */
#include "norm_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "../../lib/cs_time.h"

void hub_norm_init(struct hub_norm *n, enum hub_fmt fmt, struct hub_arena *arena)
{
    memset(n, 0, sizeof(*n));
    n->fmt = fmt;
    n->arena = arena;
    n->keep_norm = true;
    n->zeek.sep = '\t';
    hub_json_doc_init(&n->doc);
    cs_json_init(&n->out);
}

static void zeek_header_free(struct hub_norm *n)
{
    cs_free(n->zeek.path);
    cs_free(n->zeek.set_sep);
    cs_free(n->zeek.empty);
    cs_free(n->zeek.unset);
    for (int i = 0; i < HUB_ZEEK_MAX_FIELDS; i++) {
        cs_free(n->zeek.fields[i]);
        cs_free(n->zeek.types[i]);
    }
    memset(&n->zeek, 0, sizeof(n->zeek));
    n->zeek.sep = '\t';
}

void hub_norm_free(struct hub_norm *n)
{
    zeek_header_free(n);
    hub_json_doc_free(&n->doc);
    cs_json_free(&n->out);
}

int hub_norm_fail(struct hub_norm *n, struct cs_err *err, uint32_t lineno, int code, int col,
                  uint64_t *counter, const char *fmt, ...)
{
    n->c.errors++;
    if (counter)
        (*counter)++;
    if (err) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (col > 0)
            cs_err_set(err, code, (int)lineno, col, "line %u:%d: %s", lineno, col, msg);
        else
            cs_err_set(err, code, (int)lineno, 0, "line %u: %s", lineno, msg);
    }
    return code;
}

int hub_norm_text(struct hub_norm *n, struct hub_str *dst, const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, bad = 0;
    char *o;

    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t l = hub_utf8_seq(s + i, len - i);
        if (!l) {
            bad++;
            i++;
        } else {
            i += l;
        }
    }
    if (len > UINT32_MAX / 2 || !(o = hub_arena_alloc(n->arena, len + bad * 2 + 1)))
        return CS_ENOMEM;
    if (!bad) {
        memcpy(o, p, len);
        o[len] = 0;
        dst->p = o;
        dst->len = (uint32_t)len;
        return CS_OK;
    }
    size_t k = 0;
    for (i = 0; i < len;) {
        size_t l = s[i] < 0x80 ? 1 : hub_utf8_seq(s + i, len - i);
        if (!l) {
            memcpy(o + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        } else {
            memcpy(o + k, s + i, l);
            k += l;
            i += l;
        }
    }
    o[k] = 0;
    dst->p = o;
    dst->len = (uint32_t)k;
    return CS_OK;
}

int hub_norm_jstr(struct hub_norm *n, struct hub_str *dst, uint32_t t)
{
    const struct hub_json_tok *k = &n->doc.toks[t];
    char *o;
    long l;

    if (k->type != HUB_JSON_STRING)
        return CS_EINVAL;
    if (!(o = hub_arena_alloc(n->arena, (size_t)k->len + 1)))
        return CS_ENOMEM;
    l = hub_json_str_decode(&n->doc, t, o, (size_t)k->len + 1);
    dst->p = o;
    dst->len = (uint32_t)l;
    return CS_OK;
}

int64_t hub_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int hub_month(const char *s)
{
    static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(s, m + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

static bool digits(const char *s, size_t n, size_t at, size_t cnt, unsigned *v)
{
    unsigned x = 0;
    if (at + cnt > n)
        return false;
    for (size_t i = 0; i < cnt; i++) {
        if (s[at + i] < '0' || s[at + i] > '9')
            return false;
        x = x * 10 + (unsigned)(s[at + i] - '0');
    }
    *v = x;
    return true;
}

int hub_time_iso(const char *s, size_t n, int64_t *us)
{
    unsigned y, mo, d, h, mi, se, zh = 0, zm = 0;
    size_t i = 19;
    int64_t frac = 0, t;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (!digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        !digits(s, n, 11, 2, &h) || s[13] != ':' || !digits(s, n, 14, 2, &mi) ||
        s[16] != ':' || !digits(s, n, 17, 2, &se))
        return CS_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return CS_EINVAL;
    if (i < n && s[i] == '.') {
        int nd = 0;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return CS_EINVAL;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd < 6) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
            i++;
        }
        while (nd++ < 6)
            frac *= 10;
    }
    t = hub_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    if (i < n) {
        int sign;
        if (s[i] == 'Z' && i + 1 == n) {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            sign = s[i] == '+' ? 1 : -1;
            if (!digits(s, n, i + 1, 2, &zh))
                return CS_EINVAL;
            i += 3;
            if (i < n && s[i] == ':')
                i++;
            if (!digits(s, n, i, 2, &zm) || zh > 23 || zm > 59)
                return CS_EINVAL;
            i += 2;
            t -= sign * (int64_t)(zh * 3600 + zm * 60);
        }
        if (i != n)
            return CS_EINVAL;
    }
    *us = t * 1000000 + frac;
    return CS_OK;
}

int hub_time_epoch(const char *s, size_t n, int64_t *us)
{
    size_t i = 0;
    int64_t sec = 0, frac = 0;
    int nd = 0;

    if (!n)
        return CS_EINVAL;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (sec > (INT64_MAX / 1000000 - 9) / 10)
            return CS_EINVAL;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i == 0)
        return CS_EINVAL;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (nd < 6) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
    }
    if (i != n)
        return CS_EINVAL;
    while (nd++ < 6)
        frac *= 10;
    *us = sec * 1000000 + frac;
    return CS_OK;
}

bool hub_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (!n || n > 20)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned dg = (unsigned)(s[i] - '0');
        if (dg > 9 || x > (UINT64_MAX - dg) / 10)
            return false;
        x = x * 10 + dg;
    }
    if (x > max)
        return false;
    *v = x;
    return true;
}

bool hub_ieq(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (char)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}

bool hub_ip_parse(const char *s, size_t n, struct hub_ip *ip)
{
    char buf[64];

    memset(ip, 0, sizeof(*ip));
    if (!s || n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (memchr(buf, ':', n)) {
        char *pct = strchr(buf, '%'); /* fe80::1%eth0: drop the zone */
        if (pct)
            *pct = 0;
        if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
            ip->family = 6;
            return true;
        }
    } else if (inet_pton(AF_INET, buf, ip->addr) == 1) {
        ip->family = 4;
        return true;
    }
    memset(ip, 0, sizeof(*ip));
    return false;
}

static void put_str(struct cs_json *j, const char *key, struct hub_str s)
{
    if (s.p)
        cs_json_strn(j, key, s.p, s.len);
}

/* Renders the model as compact JSON into the arena (ev->norm). */
static int build_norm(struct hub_norm *n, struct hub_event *ev)
{
    struct cs_json *j = &n->out;
    char *p;

    cs_json_reset(j);
    cs_json_open(j, NULL);
    cs_json_int(j, "ts", ev->ts);
    put_str(j, "event_type", ev->event_type);
    cs_json_str(j, "fmt", hub_fmt_name(ev->fmt));
    put_str(j, "sensor", ev->sensor);
    put_str(j, "src_ip", ev->src_ip);
    if (ev->src_port)
        cs_json_uint(j, "src_port", ev->src_port);
    put_str(j, "dest_ip", ev->dest_ip);
    if (ev->dest_port)
        cs_json_uint(j, "dest_port", ev->dest_port);
    put_str(j, "proto", ev->proto);
    put_str(j, "app_proto", ev->app_proto);
    if (ev->flow_id)
        cs_json_uint(j, "flow_id", ev->flow_id);
    put_str(j, "community_id", ev->community_id);
    put_str(j, "uid", ev->uid);
    if (ev->alert.present) {
        cs_json_open(j, "alert");
        if (ev->alert.gid)
            cs_json_uint(j, "gid", ev->alert.gid);
        if (ev->alert.signature_id)
            cs_json_uint(j, "signature_id", ev->alert.signature_id);
        if (ev->alert.rev)
            cs_json_uint(j, "rev", ev->alert.rev);
        put_str(j, "signature", ev->alert.signature);
        put_str(j, "category", ev->alert.category);
        if (ev->alert.severity)
            cs_json_uint(j, "severity", ev->alert.severity);
        put_str(j, "action", ev->alert.action);
        cs_json_close(j);
    }
    if (ev->dns_rrname.p) {
        cs_json_open(j, "dns");
        put_str(j, "rrname", ev->dns_rrname);
        cs_json_close(j);
    }
    if (ev->http_hostname.p || ev->http_url.p) {
        cs_json_open(j, "http");
        put_str(j, "hostname", ev->http_hostname);
        put_str(j, "url", ev->http_url);
        cs_json_close(j);
    }
    if (ev->tls_sni.p) {
        cs_json_open(j, "tls");
        put_str(j, "sni", ev->tls_sni);
        cs_json_close(j);
    }
    if (ev->has_syslog_pri || ev->app_name.p) {
        cs_json_open(j, "syslog");
        if (ev->has_syslog_pri) {
            cs_json_uint(j, "facility", ev->syslog_facility);
            cs_json_uint(j, "severity", ev->syslog_severity);
        }
        put_str(j, "app", ev->app_name);
        cs_json_close(j);
    }
    put_str(j, "message", ev->message);
    if (ev->nlabels) {
        cs_json_open(j, "labels");
        for (uint16_t i = 0; i < ev->nlabels; i++) {
            char key[64];
            size_t kl = CS_MIN(ev->labels[i].key.len, sizeof(key) - 1);
            memcpy(key, ev->labels[i].key.p, kl);
            key[kl] = 0;
            cs_json_strn(j, key, ev->labels[i].value.p, ev->labels[i].value.len);
        }
        cs_json_close(j);
    }
    cs_json_close(j);
    if (!cs_json_ok(j))
        return j->err ? j->err : CS_ERR;
    if (!(p = hub_arena_strndup(n->arena, j->buf, j->len)))
        return CS_ENOMEM;
    ev->norm.p = p;
    ev->norm.len = (uint32_t)j->len;
    return CS_OK;
}

int hub_norm_line(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                  struct hub_event *ev, struct cs_err *err)
{
    size_t max = n->max_line ? n->max_line : HUB_NORM_MAX_LINE;
    size_t i;
    int rc;
    char *raw;

    n->c.lines++;
    if (len && line[len - 1] == '\r')
        len--;
    if (len > max)
        return hub_norm_fail(n, err, lineno, CS_ELIMIT, 0, &n->c.err_limit,
                             "record of %zu bytes is longer than %zu", len, max);
    for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
        ;
    if (i == len) {
        n->c.skipped++;
        return 0;
    }
    memset(ev, 0, sizeof(*ev));
    ev->fmt = n->fmt;
    switch (n->fmt) {
    case HUB_FMT_CITYSOC_EVE:
    case HUB_FMT_SURICATA_EVE:
        rc = hub_norm_eve(n, line, len, lineno, ev, err);
        break;
    case HUB_FMT_ZEEK_TSV:
    case HUB_FMT_ZEEK_JSON:
        rc = hub_norm_zeek(n, line, len, lineno, ev, err);
        break;
    case HUB_FMT_SYSLOG:
        rc = hub_norm_syslog(n, line, len, lineno, ev, err);
        break;
    case HUB_FMT_CEF:
        rc = hub_norm_cef(n, line, len, lineno, ev, err);
        break;
    default:
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 0, &n->c.err_format,
                             "unknown source format");
    }
    if (rc <= 0) {
        if (rc == 0)
            n->c.skipped++;
        return rc;
    }
    ev->line = lineno;
    if (!(raw = hub_arena_strndup(n->arena, line, len)))
        return hub_norm_fail(n, err, lineno, CS_ENOMEM, 0, &n->c.err_nomem, "out of memory");
    ev->raw.p = raw;
    ev->raw.len = (uint32_t)len;
    if (n->keep_norm && (rc = build_norm(n, ev)) < 0)
        return hub_norm_fail(n, err, lineno, rc, 0, &n->c.err_nomem, "normalised JSON: %s",
                             cs_strerror(rc));
    n->c.events++;
    return 1;
}
