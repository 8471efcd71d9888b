/* smtp.c — SMTP control channel (RFC 5321) on tcp/25 and 587: client commands (HELO/EHLO,
 * MAIL FROM, RCPT TO, DATA, RSET, QUIT, STARTTLS; others are only counted), the message after
 * DATA up to the "." line (the header fields From, To, Cc, Subject, Date, Message-ID,
 * X-Mailer; the body is counted, not decoded: no MIME), and server replies (three-digit code,
 * multi-line with "-"). After the server accepts STARTTLS (220) the session is encrypted and
 * both directions are ignored.
 *
 * One EVE `smtp` record per transaction, with the "smtp" envelope object and, after DATA, the
 * "email" header object. A transaction starts with the first command (HELO/EHLO, MAIL FROM…)
 * and ends with its message (the "." line), RSET, QUIT, a second MAIL FROM, STARTTLS accepted
 * or the end of the stream.
 *
 * Lines are cut at SMTP_LINE_MAX (the rest up to the end of line is skipped, one event); kept
 * arguments and header values at SN_SMTP_MAX_FIELD; so a direction holds at most one line of
 * unconsumed data. */
#include "smtp.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#define SMTP_LINE_MAX 4096 /* RFC 5321 allows 512 (commands) and 1000 (text lines) */
#define MAX_EVENTS 64

enum { M_CMD = 0, M_HDR, M_BODY };

struct smtp_state {
    struct sn_smtp_str helo;
    struct sn_smtp_tx *tx; /* open transaction (MAIL FROM seen), or NULL */
    uint64_t ntx;          /* transactions logged */
    uint8_t mode;          /* client: M_* */
    bool skip_eol[2];      /* a line too long: skipping to its end */
    bool starttls_asked;   /* STARTTLS sent, reply not seen */
    bool tls;              /* the server accepted STARTTLS: encrypted from here */
    int last_hdr;          /* header being read (for folded lines), -1 none */
    uint32_t ncmds, nevents;
    uint8_t reply_bad;     /* the "invalid reply" event was raised */
};

/* ---- helpers ------------------------------------------------------------------------------ */

static void ev(struct sn_worker *w, const struct sn_flow *f, struct smtp_state *s,
               const char *name)
{
    if (s->nevents >= MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

static void str_free(struct sn_smtp_str *v)
{
    cs_free(v->p);
    v->p = NULL;
    v->n = 0;
}

/* Sets v to p[0..n) cut at SN_SMTP_MAX_FIELD (replacing what it held). false: no memory. */
static bool str_set(struct sn_smtp_str *v, const uint8_t *p, uint32_t n)
{
    char *c;

    n = CS_MIN(n, (uint32_t)SN_SMTP_MAX_FIELD);
    c = cs_malloc((size_t)n + 1);
    if (!c)
        return false;
    memcpy(c, p, n);
    c[n] = 0;
    cs_free(v->p);
    v->p = c;
    v->n = n;
    return true;
}

/* Appends " " and p[0..n) to v (folded header lines), within SN_SMTP_MAX_FIELD. */
static void str_append(struct sn_smtp_str *v, const uint8_t *p, uint32_t n)
{
    uint32_t room = SN_SMTP_MAX_FIELD - CS_MIN(v->n, (uint32_t)SN_SMTP_MAX_FIELD);
    char *c;

    if (!v->p || room < 2)
        return;
    n = CS_MIN(n, room - 1);
    c = cs_realloc(v->p, (size_t)v->n + n + 2);
    if (!c)
        return;
    c[v->n] = ' ';
    memcpy(c + v->n + 1, p, n);
    v->n += n + 1;
    c[v->n] = 0;
    v->p = c;
}

static void trim(const uint8_t **p, uint32_t *n)
{
    while (*n && ((*p)[0] == ' ' || (*p)[0] == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

static bool word_is(const uint8_t *p, uint32_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && strncasecmp((const char *)p, w, k) == 0;
}

/* ---- EVE ---------------------------------------------------------------------------------- */

static void json_list(struct cs_json *j, const char *key, const struct sn_smtp_str *v)
{
    /* a header's addresses, split on commas (quoted commas are not special-cased) */
    const char *p = v->p, *e = v->p + v->n;

    cs_json_open_arr(j, key);
    while (p < e) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const uint8_t *a = (const uint8_t *)p;
        uint32_t an = (uint32_t)((c ? c : e) - p);
        trim(&a, &an);
        if (an)
            cs_json_strn(j, NULL, a, an);
        p = c ? c + 1 : e;
    }
    cs_json_close_arr(j);
}

/* The "smtp" and "email" objects of tx. */
static void json_tx(struct cs_json *j, const struct smtp_state *s, const struct sn_smtp_tx *tx)
{
    static const char *const hn[SN_SMTP_HDR_N] = {"from", "to", "cc", "subject", "date",
                                                  "message_id", "x_mailer"};

    cs_json_open(j, "smtp");
    if (s->helo.p)
        cs_json_strn(j, "helo", s->helo.p, s->helo.n);
    if (tx->mail_from.p)
        cs_json_strn(j, "mail_from", tx->mail_from.p, tx->mail_from.n);
    if (tx->nrcpt) {
        cs_json_open_arr(j, "rcpt_to");
        for (uint32_t i = 0; i < tx->nrcpt; i++)
            cs_json_strn(j, NULL, tx->rcpt_to[i].p, tx->rcpt_to[i].n);
        cs_json_close_arr(j);
    }
    if (tx->rcpt_total > tx->nrcpt)
        cs_json_uint(j, "rcpt_to_count", tx->rcpt_total);
    if (s->tls)
        cs_json_bool(j, "starttls", true);
    cs_json_close(j);
    if (!tx->data)
        return;
    cs_json_open(j, "email");
    cs_json_str(j, "status", tx->done ? "PARSE_DONE" : "TRUNCATED");
    for (int i = 0; i < SN_SMTP_HDR_N; i++) {
        if (!tx->hdr[i].p)
            continue;
        if (i == SN_SMTP_HDR_TO || i == SN_SMTP_HDR_CC)
            json_list(j, hn[i], &tx->hdr[i]);
        else
            cs_json_strn(j, hn[i], tx->hdr[i].p, tx->hdr[i].n);
    }
    cs_json_uint(j, "message_bytes", tx->message_bytes);
    cs_json_close(j);
}

static void tx_free(struct sn_smtp_tx *tx)
{
    if (!tx)
        return;
    str_free(&tx->mail_from);
    for (uint32_t i = 0; i < tx->nrcpt; i++)
        str_free(&tx->rcpt_to[i]);
    for (int i = 0; i < SN_SMTP_HDR_N; i++)
        str_free(&tx->hdr[i]);
    cs_free(tx);
}

/* Hands the open transaction to detection (unless it already was at its end), logs and
 * frees it. */
static void tx_end(struct sn_worker *w, struct sn_flow *f, struct smtp_state *s, bool detect)
{
    struct sn_smtp_tx *tx = s->tx;
    struct cs_json *j;

    if (!tx)
        return;
    if (detect)
        sn_app_detect(w, f, SN_TOSERVER, tx, "smtp");
    j = sn_app_eve_begin(w, f, SN_EVE_SMTP, "smtp");
    if (j) {
        cs_json_uint(j, "tx_id", tx->id);
        json_tx(j, s, tx);
        sn_app_eve_end(w, j);
    }
    s->ntx++;
    s->tx = NULL;
    tx_free(tx);
}

/* ---- client ------------------------------------------------------------------------------- */

static struct sn_smtp_tx *tx_open(struct smtp_state *s)
{
    if (!s->tx) {
        s->tx = cs_calloc(1, sizeof(*s->tx));
        if (s->tx) {
            s->tx->id = s->ntx;
            s->tx->helo = &s->helo;
        }
    }
    return s->tx;
}

/* "FROM:<a@b> SIZE=1" after MAIL: the argument after the colon, trimmed. */
static void path_arg(const uint8_t *p, uint32_t n, uint32_t skip, const uint8_t **a, uint32_t *an)
{
    *a = p + CS_MIN(skip, n);
    *an = n - CS_MIN(skip, n);
    trim(a, an);
}

static void on_command(struct sn_worker *w, struct sn_flow *f, struct smtp_state *s,
                       const uint8_t *l, uint32_t n)
{
    const uint8_t *a;
    uint32_t an;
    struct sn_smtp_tx *tx;

    s->ncmds++;
    if (word_is(l, n, "HELO") || word_is(l, n, "EHLO")) {
        path_arg(l, n, 4, &a, &an);
        str_set(&s->helo, a, an);
        tx = tx_open(s);
        if (tx)
            sn_app_detect(w, f, SN_TOSERVER, tx, "smtp");
    } else if (word_is(l, n, "MAIL FROM:")) {
        if (s->tx && s->tx->mail_from.p)
            tx_end(w, f, s, true); /* a transaction without its end: the next one starts */
        tx = tx_open(s);
        path_arg(l, n, 10, &a, &an);
        if (tx)
            str_set(&tx->mail_from, a, an);
    } else if (word_is(l, n, "RCPT TO:")) {
        tx = tx_open(s);
        path_arg(l, n, 8, &a, &an);
        if (tx) {
            if (tx->nrcpt < SN_SMTP_MAX_RCPT && str_set(&tx->rcpt_to[tx->nrcpt], a, an))
                tx->nrcpt++;
            tx->rcpt_total++;
        }
    } else if (word_is(l, n, "DATA") && (n == 4 || l[4] == ' ')) {
        tx = tx_open(s);
        if (tx) {
            tx->data = true;
            sn_app_detect(w, f, SN_TOSERVER, tx, "smtp");
        }
        s->mode = M_HDR;
        s->last_hdr = -1;
    } else if (word_is(l, n, "RSET") || word_is(l, n, "QUIT")) {
        tx_end(w, f, s, true);
    } else if (word_is(l, n, "STARTTLS")) {
        s->starttls_asked = true;
    }
}

static void on_header(struct smtp_state *s, const uint8_t *l, uint32_t n)
{
    static const char *const names[SN_SMTP_HDR_N] = {"from", "to", "cc", "subject", "date",
                                                     "message-id", "x-mailer"};
    const uint8_t *colon, *v;
    uint32_t k, vn;

    if (n && (l[0] == ' ' || l[0] == '\t')) { /* folded: continues the previous field */
        if (s->last_hdr >= 0 && s->tx) {
            v = l;
            vn = n;
            trim(&v, &vn);
            str_append(&s->tx->hdr[s->last_hdr], v, vn);
        }
        return;
    }
    s->last_hdr = -1;
    colon = memchr(l, ':', n);
    if (!colon || !s->tx)
        return;
    k = (uint32_t)(colon - l);
    for (int i = 0; i < SN_SMTP_HDR_N; i++) {
        if (strlen(names[i]) != k || strncasecmp((const char *)l, names[i], k) != 0)
            continue;
        if (s->tx->hdr[i].p)
            return; /* the first one counts */
        v = colon + 1;
        vn = n - k - 1;
        trim(&v, &vn);
        if (str_set(&s->tx->hdr[i], v, vn))
            s->last_hdr = i;
        return;
    }
}

/* One client line l[0..n) without its CR LF; raw: the bytes it took (with CR LF). */
static void client_line(struct sn_worker *w, struct sn_flow *f, struct smtp_state *s,
                        const uint8_t *l, uint32_t n, uint32_t raw)
{
    if (s->mode == M_CMD) {
        on_command(w, f, s, l, n);
        return;
    }
    if (n == 1 && l[0] == '.') {
        if (s->tx) {
            s->tx->done = true;
        }
        s->mode = M_CMD;
        tx_end(w, f, s, true);
        return;
    }
    if (s->tx)
        s->tx->message_bytes += raw;
    if (s->mode == M_HDR) {
        if (n == 0)
            s->mode = M_BODY;
        else
            on_header(s, l, n);
    }
}

/* ---- server ------------------------------------------------------------------------------- */

static void server_line(struct sn_worker *w, struct sn_flow *f, struct smtp_state *s,
                        const uint8_t *l, uint32_t n)
{
    unsigned code;

    if (n < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
        l[2] > '9' || (n > 3 && l[3] != ' ' && l[3] != '-')) {
        if (!s->reply_bad) {
            s->reply_bad = 1;
            ev(w, f, s, "smtp.invalid_reply");
        }
        return;
    }
    if (n > 3 && l[3] == '-')
        return; /* not the last line of the reply */
    code = (unsigned)(l[0] - '0') * 100 + (unsigned)(l[1] - '0') * 10 + (unsigned)(l[2] - '0');
    /* the reply to STARTTLS: 220 starts TLS, an error refuses it; replies to commands sent
     * before it (pipelined) come first and do not count */
    if (s->starttls_asked && code == 220) {
        s->tls = true;
        tx_end(w, f, s, true);
    }
    else if (s->starttls_asked && code >= 400)
        s->starttls_asked = false;
}

/* ---- parser ------------------------------------------------------------------------------- */

static enum sn_probe smtp_probe(const uint8_t *data, uint32_t len, int dir, uint16_t dp)
{
    const uint8_t *eol;
    uint32_t n;

    if (dir == SN_TOSERVER) {
        if (len < 5)
            return (len == 0 || strncasecmp((const char *)data, "EHLO ", len) == 0 ||
                    strncasecmp((const char *)data, "HELO ", len) == 0)
                       ? SN_PROBE_MORE
                       : SN_PROBE_NO;
        return word_is(data, len, "EHLO ") || word_is(data, len, "HELO ") ? SN_PROBE_YES
                                                                            : SN_PROBE_NO;
    }
    /* the server's greeting: "220 " or "220-"; off the SMTP ports its first line must also
     * say SMTP (FTP servers greet with 220 as well) */
    if (len < 4)
        return memcmp(data, "220 ", len) == 0 || memcmp(data, "220-", len) == 0 ? SN_PROBE_MORE
                                                                               : SN_PROBE_NO;
    if (memcmp(data, "220", 3) != 0 || (data[3] != ' ' && data[3] != '-'))
        return SN_PROBE_NO;
    if (dp == 25 || dp == 587)
        return SN_PROBE_YES;
    eol = memchr(data, '\n', len);
    if (!eol)
        return len < 512 ? SN_PROBE_MORE : SN_PROBE_NO;
    n = (uint32_t)(eol - data);
    for (uint32_t i = 4; i + 4 <= n; i++)
        if (strncasecmp((const char *)data + i, "SMTP", 4) == 0)
            return SN_PROBE_YES;
    return SN_PROBE_NO;
}

static void *smtp_state_new(void)
{
    struct smtp_state *s = cs_calloc(1, sizeof(struct smtp_state));
    if (s)
        s->last_hdr = -1;
    return s;
}

static void smtp_state_free(void *state)
{
    struct smtp_state *s = state;
    if (!s)
        return;
    tx_free(s->tx);
    str_free(&s->helo);
    cs_free(s);
}

static int smtp_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                      const uint8_t *data, uint32_t len, unsigned flags)
{
    struct smtp_state *s = state;
    uint32_t off = 0;
    bool eof = (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) != 0;

    dir &= 1;
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP) {
            /* lost bytes: a message being read goes on, but its end may be lost */
            s->skip_eol[dir] = true;
        }
    }
    while (off < len && !s->tls) {
        const uint8_t *l = data + off;
        const uint8_t *lf = memchr(l, '\n', len - off);
        uint32_t raw, n;

        if (!lf) {
            if (len - off < SMTP_LINE_MAX && !eof)
                break; /* wait for the end of the line */
            raw = len - off;
            if (len - off >= SMTP_LINE_MAX && !s->skip_eol[dir])
                ev(w, f, s, "smtp.line_too_long");
        } else {
            raw = (uint32_t)(lf - l) + 1;
        }
        if (s->skip_eol[dir]) {
            if (lf)
                s->skip_eol[dir] = false;
            else if (!eof)
                s->skip_eol[dir] = true;
            off += raw;
            if (dir == SN_TOSERVER && s->tx && s->mode != M_CMD)
                s->tx->message_bytes += raw;
            continue;
        }
        if (!lf && !eof)
            s->skip_eol[dir] = true; /* the rest of this long line is skipped */
        n = lf ? raw - 1 : raw;
        if (n && l[n - 1] == '\r')
            n--;
        n = CS_MIN(n, (uint32_t)SMTP_LINE_MAX);
        if (dir == SN_TOSERVER)
            client_line(w, f, s, l, n, raw);
        else
            server_line(w, f, s, l, n);
        off += raw;
    }
    if (s->tls)
        off = len; /* encrypted: nothing more to read */
    if (eof) {
        off = len;
        if (dir == SN_TOSERVER)
            tx_end(w, f, s, true);
    }
    return (int)off;
}

static void smtp_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                           const void *tx, int dir, struct cs_json *j)
{
    const struct sn_smtp_tx *t = tx;
    (void)w;
    (void)f;
    (void)dir;
    if (!state || !t)
        return;
    cs_json_uint(j, "tx_id", t->id);
    json_tx(j, state, t);
}

static uint64_t smtp_tx_id(const void *tx)
{
    return ((const struct sn_smtp_tx *)tx)->id;
}

const struct sn_app_parser sn_app_smtp = {
    .name = "smtp",
    .ipproto = IPPROTO_TCP,
    .default_ports = "25,587",
    .eve_type = SN_EVE_SMTP,
    .probe = smtp_probe,
    .parse = smtp_parse,
    .state_new = smtp_state_new,
    .state_free = smtp_state_free,
    .log_flow = NULL,
    .log_alert = smtp_log_alert,
    .tx_id = smtp_tx_id,
    .max_state_bytes = SMTP_LINE_MAX + 16,
};
