/* cef.c — ArcSight Common Event Format → hub_event, bare or behind a syslog/collector header:
 *
 *   [header] CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|
 *            Severity|Extension
 *
 * Header fields escape '|' and '\' with a backslash. The extension is key=value pairs
 * separated by spaces, where a value runs until the space before the next key= and escapes
 * '=', '\', and writes newlines as \n or \r. Mapped: src, dst, spt, dpt, proto, act, app,
 * rt, dvchost/dvc, request, dhost, shost, cs1..cs6 (named by csNLabel) and the other custom
 * fields (cn, cfp, flex*, deviceCustom*) into ev->labels; severity 0..10 or
 * Low/Medium/High/Very-High becomes the model's 1..4. */
#include "syslog.h"

#include <stdio.h>

#define CEF_MAX_EXT 128

struct span {
    const char *p;
    size_t n;
    bool esc; /* contains backslash escapes */
};

/* Writes the unescaped value into the arena as dst (UTF-8 sanitised). */
static int unesc(struct hub_norm *n, struct hub_str *dst, struct span v, bool ext)
{
    char *tmp;
    size_t k = 0;

    if (!v.esc)
        return hub_norm_text(n, dst, v.p, v.n);
    if (!(tmp = hub_arena_alloc(n->arena, v.n + 1)))
        return CS_ENOMEM;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '\\' && i + 1 < v.n) {
            char e = v.p[++i];
            if (ext && (e == 'n' || e == 'r'))
                c = '\n';
            else if (e == '\\' || e == '|' || e == '=')
                c = e;
            else {
                tmp[k++] = '\\'; /* unknown escape: keep both bytes */
                c = e;
            }
        }
        tmp[k++] = c;
    }
    return hub_norm_text(n, dst, tmp, k);
}

static uint8_t cef_severity(const char *s, size_t n, bool *ok)
{
    uint64_t v;

    *ok = true;
    if (hub_parse_u64(s, n, 10, &v))
        return v >= 9 ? 1 : v >= 7 ? 2 : v >= 4 ? 3 : 4;
    if (hub_ieq(s, n, "Very-High"))
        return 1;
    if (hub_ieq(s, n, "High"))
        return 2;
    if (hub_ieq(s, n, "Medium"))
        return 3;
    if (hub_ieq(s, n, "Low") || hub_ieq(s, n, "Unknown"))
        return 4;
    *ok = false;
    return 0;
}

static bool span_is(struct span s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
}

int hub_norm_cef(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                 struct hub_event *ev, struct cs_err *err)
{
    struct hub_syslog_hdr h = {0};
    struct span hdr[7], key[CEF_MAX_EXT], val[CEF_MAX_EXT];
    const char *cef = NULL;
    size_t i, off, nk = 0;
    int f;
    bool ok;
    uint64_t u;

#define NOMEM() hub_norm_fail(n, err, lineno, CS_ENOMEM, 0, &n->c.err_nomem, "out of memory")

    /* Find "CEF:" at the start or after a header. */
    if (len >= 4 && memcmp(line, "CEF:", 4) == 0) {
        off = 0;
    } else {
        cef = memmem(line, len, " CEF:", 5);
        if (!cef)
            return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                                 "no \"CEF:\" header");
        off = (size_t)(cef - line) + 1;
        if (hub_syslog_header(n, line, off, ev, &h) < 0)
            return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                                 "unrecognised header before \"CEF:\"");
        if (h.host_len && hub_norm_text(n, &ev->sensor, h.host, h.host_len) < 0)
            return NOMEM();
    }
    /* The seven header fields, '|'-separated with \| and \\ escapes. */
    i = off + 4;
    for (f = 0; f < 7; f++) {
        size_t st = i;
        bool esc = false;
        while (i < len && line[i] != '|') {
            if (line[i] == '\\' && i + 1 < len) {
                esc = true;
                i++;
            }
            i++;
        }
        if (i >= len)
            return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)i + 1, &n->c.err_format,
                                 "CEF header has %d of 7 fields", f + 1);
        hdr[f] = (struct span){line + st, i - st, esc};
        i++;
    }
    if (!hub_parse_u64(hdr[0].p, hdr[0].n, 1, &u))
        return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)off + 5, &n->c.err_format,
                             "CEF version must be 0 or 1");
    /* Extension: key=value ... ; a value ends at the last space before the next key=. */
    while (i < len) {
        size_t ks, ke, vs, j, vend;
        while (i < len && line[i] == ' ')
            i++;
        if (i >= len)
            break;
        for (ks = i; i < len && is_key_char(line[i]); i++)
            ;
        ke = i;
        if (ke == ks || i >= len || line[i] != '=')
            return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)ks + 1, &n->c.err_format,
                                 "CEF extension: expected key=value");
        vs = ++i;
        vend = len;
        bool esc = false;
        for (j = vs; j < len; j++) {
            if (line[j] == '\\') {
                esc = true;
                j++;
                continue;
            }
            if (line[j] == '=') {
                /* back up over the key to the space before it */
                size_t b = j;
                while (b > vs && is_key_char(line[b - 1]))
                    b--;
                if (b > vs && line[b - 1] == ' ' && b < j) {
                    vend = b - 1;
                    break;
                }
                /* an unescaped '=' inside a value: keep it (lenient) */
            }
        }
        if (nk == CEF_MAX_EXT)
            return hub_norm_fail(n, err, lineno, CS_ELIMIT, (int)ks + 1, &n->c.err_limit,
                                 "more than %d CEF extension fields", CEF_MAX_EXT);
        while (vend > vs && line[vend - 1] == ' ')
            vend--;
        key[nk] = (struct span){line + ks, ke - ks, false};
        val[nk] = (struct span){line + vs, vend - vs, esc};
        nk++;
        i = vend < len ? vend + 1 : len;
    }

    /* Header → model. */
    ev->event_type.p = "cef";
    ev->event_type.len = 3;
    ev->alert.present = true;
    if (unesc(n, &ev->app_name, hdr[2], false) < 0 ||
        unesc(n, &ev->alert.category, hdr[4], false) < 0 ||
        unesc(n, &ev->alert.signature, hdr[5], false) < 0)
        return NOMEM();
    ev->message = ev->alert.signature;
    if (hub_parse_u64(hdr[4].p, hdr[4].n, UINT32_MAX, &u))
        ev->alert.signature_id = (uint32_t)u;
    ev->alert.severity = cef_severity(hdr[6].p, hdr[6].n, &ok);
    if (!ok)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)(hdr[6].p - line) + 1,
                             &n->c.err_field, "CEF severity must be 0..10 or Low..Very-High");

    /* Extension → model. */
    struct hub_kv *labels = NULL;
    size_t nlabels = 0;
    for (size_t k = 0; k < nk; k++) {
        struct span kk = key[k], v = val[k];
        struct hub_str *dst = NULL;
        int rc = CS_OK;

        if (span_is(kk, "src") || span_is(kk, "sourceAddress"))
            dst = &ev->src_ip;
        else if (span_is(kk, "dst") || span_is(kk, "destinationAddress"))
            dst = &ev->dest_ip;
        else if (span_is(kk, "act") || span_is(kk, "deviceAction"))
            dst = &ev->alert.action;
        else if (span_is(kk, "app") || span_is(kk, "applicationProtocol"))
            dst = &ev->app_proto;
        else if (span_is(kk, "dvchost") || span_is(kk, "deviceHostName") ||
                 (span_is(kk, "dvc") && !ev->sensor.p))
            dst = &ev->sensor;
        else if (span_is(kk, "request") || span_is(kk, "requestUrl"))
            dst = &ev->http_url;
        else if (span_is(kk, "spt") || span_is(kk, "dpt") || span_is(kk, "sourcePort") ||
                 span_is(kk, "destinationPort")) {
            if (!hub_parse_u64(v.p, v.n, 65535, &u))
                return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)(v.p - line) + 1,
                                     &n->c.err_field, "CEF %.*s is not a port", (int)kk.n,
                                     kk.p);
            if (kk.p[0] == 's')
                ev->src_port = (uint16_t)u;
            else
                ev->dest_port = (uint16_t)u;
            continue;
        } else if (span_is(kk, "proto") || span_is(kk, "transportProtocol")) {
            char up[16];
            if (v.n && v.n < sizeof(up)) {
                for (size_t c = 0; c < v.n; c++)
                    up[c] = (v.p[c] >= 'a' && v.p[c] <= 'z') ? (char)(v.p[c] - 32) : v.p[c];
                if (hub_norm_text(n, &ev->proto, up, v.n) < 0)
                    return NOMEM();
            }
            continue;
        } else if (span_is(kk, "rt") || span_is(kk, "deviceReceiptTime") ||
                   span_is(kk, "end")) {
            /* epoch milliseconds or "MMM dd yyyy HH:mm:ss" */
            if (hub_parse_u64(v.p, v.n, INT64_MAX / 1000, &u)) {
                ev->ts = (int64_t)u * 1000;
            } else {
                struct hub_syslog_hdr h2;
                struct hub_event tmp = {0};
                if (hub_syslog_header(n, v.p, v.n, &tmp, &h2) == 0 && tmp.ts)
                    ev->ts = tmp.ts;
            }
            continue;
        } else if (kk.n >= 3 && (memcmp(kk.p, "cs", 2) == 0 || memcmp(kk.p, "cn", 2) == 0 ||
                                 memcmp(kk.p, "cfp", 3) == 0 || memcmp(kk.p, "flex", 4) == 0 ||
                                 memcmp(kk.p, "deviceCustom", 12) == 0) &&
                   !(kk.n > 5 && memcmp(kk.p + kk.n - 5, "Label", 5) == 0)) {
            /* A custom field: named by its Label when one is present. */
            struct span name = kk;
            for (size_t l = 0; l < nk; l++)
                if (key[l].n == kk.n + 5 && memcmp(key[l].p, kk.p, kk.n) == 0 &&
                    memcmp(key[l].p + kk.n, "Label", 5) == 0)
                    name = val[l];
            if (!labels && !(labels = hub_arena_alloc(n->arena, nk * sizeof(*labels))))
                return NOMEM();
            if (unesc(n, &labels[nlabels].key, name, true) < 0 ||
                unesc(n, &labels[nlabels].value, v, true) < 0)
                return NOMEM();
            nlabels++;
            continue;
        }
        if (!dst)
            continue;
        rc = unesc(n, dst, v, true);
        if (rc < 0)
            return NOMEM();
        if (dst == &ev->src_ip)
            hub_ip_parse(dst->p, dst->len, &ev->src_addr);
        else if (dst == &ev->dest_ip)
            hub_ip_parse(dst->p, dst->len, &ev->dest_addr);
    }
    ev->labels = labels;
    ev->nlabels = (uint16_t)nlabels;
    if (!ev->sensor.p) { /* vendor|product names the source when nothing else does */
        struct hub_str vend, prod;
        char *p;
        if (unesc(n, &vend, hdr[1], false) < 0 || unesc(n, &prod, hdr[2], false) < 0 ||
            !(p = hub_arena_alloc(n->arena, (size_t)vend.len + prod.len + 2)))
            return NOMEM();
        memcpy(p, vend.p, vend.len);
        p[vend.len] = '|';
        memcpy(p + vend.len + 1, prod.p, prod.len);
        p[vend.len + 1 + prod.len] = 0;
        ev->sensor.p = p;
        ev->sensor.len = vend.len + 1 + prod.len;
    }
    return 1;
#undef NOMEM
}
