/* syslog.c — syslog lines → hub_event: RFC 5424 ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID
 * SD MSG") and the BSD format of RFC 3164 ("<PRI>Mmm dd hh:mm:ss HOST TAG[pid]: MSG"), with
 * the PRI optional (files written by syslogd carry none). The header parser is shared with
 * the CEF normaliser, which also meets the collector variants "May 02 2017 15:27:43.000
 * UTC host" and an epoch-milliseconds stamp before the host. */
#include "syslog.h"

#include "../../lib/cs_time.h"

static size_t skip_sp(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

static size_t token_end(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] != ' ')
        i++;
    return i;
}

static bool num(const char *s, size_t a, size_t b, unsigned max, unsigned *v)
{
    uint64_t u;
    if (!hub_parse_u64(s + a, b - a, max, &u))
        return false;
    *v = (unsigned)u;
    return true;
}

/* Year for a stamp without one: the year of `now`, or the one before when the stamp would
 * lie more than a week in the future (December logs read in January). */
static int64_t infer_year(int64_t now, unsigned mo, unsigned d, unsigned secs)
{
    int64_t days = now / 86400000000LL, y, t;
    /* civil_from_days (year only) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
    y = (int64_t)yoe + era * 400 + (m <= 2);
    t = (hub_days_from_civil(y, mo, d) * 86400 + secs) * 1000000;
    if (t > now + 7 * 86400000000LL)
        y--;
    return y;
}

/* "Mmm dd[ yyyy] hh:mm:ss[.frac][ UTC|GMT|Z]" at s[*i]; advances *i. */
static bool bsd_time(struct hub_norm *n, const char *s, size_t len, size_t *pi, int64_t *us)
{
    size_t i = *pi, a;
    unsigned mo, d, h, mi, se, y = 0;
    int64_t frac = 0, t;
    int nd = 0;

    if (len - i < 15 || !(mo = (unsigned)hub_month(s + i)) || s[i + 3] != ' ')
        return false;
    i = skip_sp(s, i + 4, len);
    for (a = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (!num(s, a, i, 31, &d) || d == 0 || i >= len || s[i] != ' ')
        return false;
    i++;
    a = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i - a == 4 && i < len && s[i] == ' ') { /* a year */
        num(s, a, i, 9999, &y);
        a = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    }
    if (i - a != 2 || !num(s, a, i, 23, &h) || len - i < 6 || s[i] != ':' ||
        !num(s, i + 1, i + 3, 59, &mi) || s[i + 3] != ':' || !num(s, i + 4, i + 6, 60, &se))
        return false;
    i += 6;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (nd < 6) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
        while (nd++ < 6)
            frac *= 10;
    }
    if (i < len && s[i] != ' ')
        return false;
    if (len - i > 4 && (memcmp(s + i, " UTC ", 5) == 0 || memcmp(s + i, " GMT ", 5) == 0))
        i += 4;
    if (!y) {
        if (!n->now)
            n->now = (int64_t)cs_time_now_us();
        y = (unsigned)infer_year(n->now, mo, d, h * 3600 + mi * 60 + se);
    }
    t = hub_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    *us = t * 1000000 + frac;
    *pi = i;
    return true;
}

int hub_syslog_header(struct hub_norm *n, const char *s, size_t len, struct hub_event *ev,
                      struct hub_syslog_hdr *h)
{
    size_t i = 0, a, e;
    unsigned pri;

    memset(h, 0, sizeof(*h));
    if (len && s[0] == '<') {
        for (i = 1; i < len && i < 5 && s[i] != '>'; i++)
            ;
        if (i >= len || s[i] != '>' || !num(s, 1, i, 191, &pri))
            return CS_EINVAL;
        ev->has_syslog_pri = true;
        ev->syslog_facility = (uint8_t)(pri >> 3);
        ev->syslog_severity = (uint8_t)(pri & 7);
        i++;
        h->have = true;
    }
    if (len - i >= 2 && s[i] == '1' && s[i + 1] == ' ' && h->have) { /* RFC 5424 */
        h->rfc5424 = true;
        i += 2;
        e = token_end(s, i, len);
        if (!(e - i == 1 && s[i] == '-') && hub_time_iso(s + i, e - i, &ev->ts) < 0)
            return CS_EINVAL;
        i = skip_sp(s, e, len);
        e = token_end(s, i, len);
        if (e == i)
            return CS_EINVAL;
        h->host = s + i;
        h->host_len = (e - i == 1 && s[i] == '-') ? 0 : e - i;
        i = skip_sp(s, e, len);
        e = token_end(s, i, len);
        h->app = s + i;
        h->app_len = (e - i == 1 && s[i] == '-') ? 0 : e - i;
        i = skip_sp(s, e, len);
        i = skip_sp(s, token_end(s, i, len), len); /* PROCID */
        i = skip_sp(s, token_end(s, i, len), len); /* MSGID */
        if (i < len && s[i] == '-') {
            i++;
        } else if (i < len && s[i] == '[') {
            /* STRUCTURED-DATA: [id k="v" ...]... with \" \] \\ escapes in values. */
            while (i < len && s[i] == '[') {
                bool q = false;
                for (i++; i < len; i++) {
                    if (q && s[i] == '\\') {
                        i++;
                        continue;
                    }
                    if (s[i] == '"')
                        q = !q;
                    else if (!q && s[i] == ']')
                        break;
                }
                if (i >= len)
                    return CS_EINVAL;
                i++;
            }
        } else if (i < len) {
            return CS_EINVAL;
        }
        if (i < len && s[i] == ' ')
            i++;
        if (len - i >= 3 && memcmp(s + i, "\xef\xbb\xbf", 3) == 0)
            i += 3; /* the BOM RFC 5424 allows before a UTF-8 MSG */
        h->msg_off = i;
        return CS_OK;
    }
    /* RFC 3164 and collector variants. */
    if (bsd_time(n, s, len, &i, &ev->ts)) {
        h->have = true;
    } else if (len - i >= 20 && s[i] >= '0' && s[i] <= '9' && s[i + 4] == '-' &&
               (e = token_end(s, i, len)) > i && hub_time_iso(s + i, e - i, &ev->ts) == 0) {
        h->have = true; /* RFC 3339 stamp in a BSD header (rsyslog high precision) */
        i = e;
    } else {
        uint64_t ms;
        e = token_end(s, i, len);
        if (e - i == 13 && hub_parse_u64(s + i, 13, UINT64_MAX / 1000, &ms)) {
            ev->ts = (int64_t)ms * 1000; /* epoch milliseconds */
            h->have = true;
            i = e;
        }
    }
    if (!h->have)
        return CS_EINVAL;
    i = skip_sp(s, i, len);
    /* HOSTNAME, unless the next word is already the tag ("su:", "sshd[12]:") or CEF. */
    e = token_end(s, i, len);
    if (e > i && s[e - 1] != ':' && !memchr(s + i, '[', e - i) &&
        !(e - i >= 4 && memcmp(s + i, "CEF:", 4) == 0) && e < len) {
        h->host = s + i;
        h->host_len = e - i;
        i = skip_sp(s, e, len);
    }
    /* TAG: letters up to '[', ':' or space. */
    for (a = i; i < len && s[i] != '[' && s[i] != ':' && s[i] != ' ' && i - a < 48; i++)
        ;
    if (i < len && (s[i] == '[' || s[i] == ':') && i > a) {
        h->app = s + a;
        h->app_len = i - a;
        if (s[i] == '[') {
            while (i < len && s[i] != ']')
                i++;
            if (i < len)
                i++;
        }
        if (i < len && s[i] == ':')
            i++;
        i = skip_sp(s, i, len);
    } else {
        i = a; /* no tag: the message starts here */
    }
    h->tag_end = i;
    h->msg_off = i;
    return CS_OK;
}

int hub_norm_syslog(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                    struct hub_event *ev, struct cs_err *err)
{
    struct hub_syslog_hdr h;

    if (hub_syslog_header(n, line, len, ev, &h) < 0)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                             "no RFC 3164 or RFC 5424 syslog header");
    if ((h.host_len && hub_norm_text(n, &ev->sensor, h.host, h.host_len) < 0) ||
        (h.app_len && hub_norm_text(n, &ev->app_name, h.app, h.app_len) < 0) ||
        hub_norm_text(n, &ev->message, line + h.msg_off, len - h.msg_off) < 0)
        return hub_norm_fail(n, err, lineno, CS_ENOMEM, 0, &n->c.err_nomem, "out of memory");
    ev->event_type.p = "syslog";
    ev->event_type.len = 6;
    return 1;
}
