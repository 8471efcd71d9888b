/* kw_tls_cert_notbefore.c — tls_cert_notbefore:[<|>]DATE | DATE<>DATE: compares the server
 * certificate's notBefore with a UTC date (YYYY[-MM[-DD[THH[:MM[:SS]]]]]) or epoch seconds.
 * A bare date means equality; "<>" is an inclusive range. The date parser is shared with
 * tls_cert_notafter. */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

#include <ctype.h>
#include <time.h>

/* One date (trimmed) into epoch seconds. */
static bool parse_date(const char *s, int64_t *out)
{
    int f[6] = {0, 1, 1, 0, 0, 0};
    static const char seps[] = {'-', '-', 'T', ':', ':'};
    size_t n = strlen(s), i = 0;
    int nf = 0;
    struct tm tm;

    if (n > 4 && strspn(s, "0123456789") == n) { /* epoch seconds */
        uint64_t v;
        if (!sn_kw_parse_u64(s, 0, INT64_MAX, &v))
            return false;
        *out = (int64_t)v;
        return true;
    }
    while (nf < 6) {
        int digits = nf == 0 ? 4 : 2, v = 0;
        for (int k = 0; k < digits; k++, i++) {
            if (!isdigit((unsigned char)s[i]))
                return false;
            v = v * 10 + (s[i] - '0');
        }
        f[nf++] = v;
        if (!s[i])
            break;
        if (nf == 6 || s[i] != seps[nf - 1])
            return false;
        i++;
    }
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
        return false;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    *out = (int64_t)timegm(&tm);
    return true;
}

int sn_kw_tls_date_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_kw_tls_date *d;
    char a[64], b[64];
    const char *p = opt, *sep;
    char op = '=';

    while (*p == ' ')
        p++;
    if (*p == '<' && p[1] != '>') {
        op = '<';
        p++;
    } else if (*p == '>') {
        op = '>';
        p++;
    }
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    sep = strstr(p, "<>");
    if (sep && op == '=') {
        sn_kw_trim(p, (size_t)(sep - p), a, sizeof(a));
        sn_kw_trim(sep + 2, strlen(sep + 2), b, sizeof(b));
        if (!parse_date(a, &d->a) || !parse_date(b, &d->b) || d->a > d->b)
            goto bad;
        d->op = 'r';
    } else {
        sn_kw_trim(p, strlen(p), a, sizeof(a));
        if (sep || !parse_date(a, &d->a))
            goto bad;
        d->op = op;
    }
    return sn_kw_append(c, d);
bad:
    cs_free(d);
    return sn_kw_error(c, "invalid %s date '%s'", c->kw->name, opt);
}

bool sn_kw_tls_date_eval(const struct sn_kw_tls_date *d, int64_t v)
{
    switch (d->op) {
    case '<':
        return v < d->a;
    case '>':
        return v > d->a;
    case 'r':
        return d->a <= v && v <= d->b;
    }
    return v == d->a;
}

static bool tls_cert_notbefore_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    int64_t now;
    const struct sn_tls_cert *c = sn_kw_tls_server_cert(t, &now);

    return c && inst->data && sn_kw_tls_date_eval(inst->data, c->not_before);
}

const struct sn_kw sn_kw_tls_cert_notbefore = {
    .name = "tls_cert_notbefore",
    .desc = "TLS server certificate notBefore (<|>DATE, DATE, DATE<>DATE)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sn_kw_tls_date_setup,
    .free = cs_free,
    .match = tls_cert_notbefore_match,
};
