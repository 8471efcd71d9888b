/* ftp.c — FTP control channel (RFC 959; EPRT/EPSV of RFC 2428) on tcp/21: commands (verb and
 * argument), replies (three-digit code, multi-line "ddd-" … "ddd "), one transaction per
 * command with the replies that answer it in order (pipelined commands wait in a queue), and
 * the data connection the session announces: the port of PORT/EPRT (active) and of the 227 /
 * 229 replies (passive). After AUTH TLS/SSL is accepted (234) the channel is encrypted and
 * both directions are ignored.
 *
 * One EVE `ftp` record per transaction, when its final (non-1xx) reply has come or at the end
 * of the flow ("reply_received": "no"). A reply without command (the greeting) is a
 * transaction of its own. Lines are cut at FTP_LINE_MAX (the rest of the line skipped, one
 * event), arguments at SN_FTP_MAX_ARG, reply lines kept at SN_FTP_MAX_REPLIES per
 * transaction, pending commands at FTP_MAX_PENDING (older ones are logged unanswered). */
#include "ftp.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FTP_LINE_MAX 4096
#define FTP_MAX_PENDING 32
#define FTP_REPLY_MAX 512 /* bytes of one reply line kept */
#define MAX_EVENTS 64

struct ftp_state {
    struct sn_ftp_tx *q[FTP_MAX_PENDING]; /* commands waiting for their final reply */
    uint32_t nq;
    struct sn_ftp_tx *greet;   /* a reply with no command pending */
    uint64_t ntx;
    bool skip_eol[2];
    uint16_t multi;            /* code of the multi-line reply being read, 0 none */
    bool tls;                  /* AUTH accepted: encrypted */
    uint32_t nevents;
    bool reply_bad;
};

static void ev(struct sn_worker *w, const struct sn_flow *f, struct ftp_state *s, const char *name)
{
    if (s->nevents >= MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

static void tx_free(struct sn_ftp_tx *tx)
{
    if (!tx)
        return;
    cs_free(tx->arg);
    for (uint32_t i = 0; i < tx->nreply; i++)
        cs_free(tx->reply[i]);
    cs_free(tx);
}

static void json_tx(struct cs_json *j, const struct sn_ftp_tx *tx)
{
    char c[8];

    cs_json_open(j, "ftp");
    if (tx->command_len)
        cs_json_strn(j, "command", tx->command, tx->command_len);
    if (tx->arg)
        cs_json_strn(j, "command_data", tx->arg, tx->arg_len);
    if (tx->nreply) {
        cs_json_open_arr(j, "reply");
        for (uint32_t i = 0; i < tx->nreply; i++)
            cs_json_str(j, NULL, tx->reply[i]);
        cs_json_close_arr(j);
    }
    if (tx->ncode) {
        cs_json_open_arr(j, "completion_code");
        for (uint32_t i = 0; i < tx->ncode; i++) {
            snprintf(c, sizeof(c), "%03u", (unsigned)tx->code[i]);
            cs_json_str(j, NULL, c);
        }
        cs_json_close_arr(j);
    }
    if (tx->dynamic_port)
        cs_json_uint(j, "dynamic_port", tx->dynamic_port);
    if (tx->mode)
        cs_json_str(j, "mode", tx->mode == 1 ? "active" : "passive");
    cs_json_str(j, "reply_received", tx->reply_done ? "yes" : "no");
    cs_json_close(j);
}

static void tx_log(struct sn_worker *w, struct sn_flow *f, struct ftp_state *s,
                   struct sn_ftp_tx *tx)
{
    struct cs_json *j = sn_app_eve_begin(w, f, SN_EVE_FTP, "ftp");

    if (j) {
        cs_json_uint(j, "tx_id", tx->id);
        json_tx(j, tx);
        sn_app_eve_end(w, j);
    }
    tx_free(tx);
    (void)s;
}

static struct sn_ftp_tx *tx_new(struct ftp_state *s)
{
    struct sn_ftp_tx *tx = cs_calloc(1, sizeof(*tx));
    if (tx)
        tx->id = s->ntx++;
    return tx;
}

/* "h1,h2,h3,h4,p1,p2" at p[0..n): the port, 0 when it is not that. */
static uint16_t port_from_hostport(const char *p, size_t n)
{
    unsigned v[6];
    char tmp[64];
    int used = 0;

    if (n == 0 || n >= sizeof(tmp))
        return 0;
    memcpy(tmp, p, n);
    tmp[n] = 0;
    if (sscanf(tmp, "%u,%u,%u,%u,%u,%u%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &used) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (v[i] > 255)
            return 0;
    return (uint16_t)(v[4] << 8 | v[5]);
}

/* "|d|addr|port|" (EPRT argument, 229 reply with an empty d and addr): the port, 0 if not. */
static uint16_t port_from_extended(const char *p, size_t n)
{
    const char *e = p + n, *q;
    unsigned long port = 0;
    char d;
    int bars = 0;

    if (n < 5)
        return 0;
    d = p[0];
    if (d < 33 || d > 126)
        return 0;
    for (q = p; q < e && bars < 3; q++)
        if (*q == d)
            bars++;
    if (bars != 3 || q >= e || *q < '0' || *q > '9')
        return 0;
    while (q < e && *q >= '0' && *q <= '9' && port <= 65535)
        port = port * 10 + (unsigned long)(*q++ - '0');
    if (q >= e || *q != d || port == 0 || port > 65535)
        return 0;
    return (uint16_t)port;
}

/* ---- client ------------------------------------------------------------------------------- */

static void on_command(struct sn_worker *w, struct sn_flow *f, struct ftp_state *s,
                       const uint8_t *l, uint32_t n)
{
    struct sn_ftp_tx *tx;
    uint32_t vn = 0, a;

    while (vn < n && l[vn] != ' ')
        vn++;
    if (vn == 0)
        return; /* empty line */
    tx = tx_new(s);
    if (!tx)
        return;
    tx->command_len = CS_MIN(vn, (uint32_t)SN_FTP_MAX_CMD);
    for (uint32_t i = 0; i < tx->command_len; i++) /* verbs are case-insensitive */
        tx->command[i] = (char)(l[i] >= 'a' && l[i] <= 'z' ? l[i] - 32 : l[i]);
    a = vn < n ? vn + 1 : n;
    if (a < n) {
        uint32_t an = CS_MIN(n - a, (uint32_t)SN_FTP_MAX_ARG);
        tx->arg = cs_malloc((size_t)an + 1);
        if (tx->arg) {
            memcpy(tx->arg, l + a, an);
            tx->arg[an] = 0;
            tx->arg_len = an;
        }
    }
    if (tx->arg && strcmp(tx->command, "PORT") == 0) {
        tx->dynamic_port = port_from_hostport(tx->arg, tx->arg_len);
        tx->mode = tx->dynamic_port ? 1 : 0;
    } else if (tx->arg && strcmp(tx->command, "EPRT") == 0) {
        tx->dynamic_port = port_from_extended(tx->arg, tx->arg_len);
        tx->mode = tx->dynamic_port ? 1 : 0;
    }
    sn_app_detect(w, f, SN_TOSERVER, tx, "ftp");
    if (s->nq == FTP_MAX_PENDING) { /* never answered: logged as such */
        tx_log(w, f, s, s->q[0]);
        memmove(s->q, s->q + 1, (FTP_MAX_PENDING - 1) * sizeof(s->q[0]));
        s->nq--;
    }
    s->q[s->nq++] = tx;
}

/* ---- server ------------------------------------------------------------------------------- */

static bool is_code(const uint8_t *l, uint32_t n)
{
    return n >= 3 && l[0] >= '1' && l[0] <= '5' && l[1] >= '0' && l[1] <= '9' && l[2] >= '0' &&
           l[2] <= '9' && (n == 3 || l[3] == ' ' || l[3] == '-');
}

static void add_reply_line(struct sn_ftp_tx *tx, const uint8_t *t, uint32_t n)
{
    char *c;

    if (tx->nreply >= SN_FTP_MAX_REPLIES)
        return;
    n = CS_MIN(n, (uint32_t)FTP_REPLY_MAX);
    c = cs_malloc((size_t)n + 1);
    if (!c)
        return;
    memcpy(c, t, n);
    c[n] = 0;
    tx->reply[tx->nreply++] = c;
}

static void on_reply_line(struct sn_worker *w, struct sn_flow *f, struct ftp_state *s,
                          const uint8_t *l, uint32_t n)
{
    /* a greeting being read stays the greeting even if commands came meanwhile */
    struct sn_ftp_tx *tx = s->greet ? s->greet : s->nq ? s->q[0] : NULL;
    bool coded = is_code(l, n), last;
    uint16_t code;

    if (!s->multi && !coded) {
        if (!s->reply_bad) {
            s->reply_bad = true;
            ev(w, f, s, "ftp.invalid_reply");
        }
        return;
    }
    if (!tx) {
        tx = s->greet = tx_new(s);
        if (!tx)
            return;
    }
    code = coded ? (uint16_t)((l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0')) : 0;
    if (s->multi) { /* inside a multi-line reply: it ends with "ddd " of the same code */
        last = coded && code == s->multi && (n == 3 || l[3] == ' ');
        if (coded && code == s->multi)
            add_reply_line(tx, l + CS_MIN(n, 4u), n - CS_MIN(n, 4u));
        else
            add_reply_line(tx, l, n);
        if (!last)
            return;
        s->multi = 0;
    } else {
        add_reply_line(tx, l + CS_MIN(n, 4u), n - CS_MIN(n, 4u));
        if (n > 3 && l[3] == '-') {
            s->multi = code;
            return;
        }
    }
    /* a whole reply */
    if (tx->ncode < SN_FTP_MAX_REPLIES)
        tx->code[tx->ncode++] = code;
    if (code == 227 || code == 229) {
        const uint8_t *o = memchr(l, '(', n);
        const uint8_t *c = o ? memchr(o, ')', n - (uint32_t)(o - l)) : NULL;
        uint16_t port = 0;
        if (o && c)
            port = code == 227 ? port_from_hostport((const char *)o + 1, (size_t)(c - o - 1))
                               : port_from_extended((const char *)o + 1, (size_t)(c - o - 1));
        else if (code == 227) { /* some servers omit the parentheses */
            const uint8_t *d = l + 4;
            while (d < l + n && (*d < '0' || *d > '9'))
                d++;
            port = port_from_hostport((const char *)d, (size_t)(l + n - d));
        }
        if (port) {
            tx->dynamic_port = port;
            tx->mode = 2;
        }
    }
    if (code < 200)
        return; /* preliminary: the final reply follows */
    tx->reply_done = true;
    if (code == 234 && tx->command_len == 4 && strcmp(tx->command, "AUTH") == 0)
        s->tls = true;
    sn_app_detect(w, f, SN_TOCLIENT, tx, "ftp");
    if (tx == s->greet) {
        s->greet = NULL;
    } else {
        memmove(s->q, s->q + 1, (s->nq - 1) * sizeof(s->q[0]));
        s->nq--;
    }
    tx_log(w, f, s, tx);
}

/* ---- parser ------------------------------------------------------------------------------- */

static const char *const ftp_verbs[] = {"USER ", "AUTH ", "FEAT", "SYST", "OPTS ", "PASS "};

static enum sn_probe ftp_probe(const uint8_t *data, uint32_t len, int dir, uint16_t dp)
{
    const uint8_t *eol;
    uint32_t n;

    if (dir == SN_TOSERVER) {
        /* clients send USER first, or AUTH/FEAT/SYST; only on port 21 (POP3 has USER too) */
        if (dp != 21)
            return SN_PROBE_NO;
        for (size_t i = 0; i < CS_ARRAY_LEN(ftp_verbs); i++) {
            size_t k = strlen(ftp_verbs[i]);
            if (strncasecmp((const char *)data, ftp_verbs[i], CS_MIN(k, (size_t)len)) == 0)
                return len < k ? SN_PROBE_MORE : SN_PROBE_YES;
        }
        return SN_PROBE_NO;
    }
    if (len < 4)
        return memcmp(data, "220 ", len) == 0 || memcmp(data, "220-", len) == 0 ? SN_PROBE_MORE
                                                                               : SN_PROBE_NO;
    if (memcmp(data, "220", 3) != 0 || (data[3] != ' ' && data[3] != '-'))
        return SN_PROBE_NO;
    if (dp == 21)
        return SN_PROBE_YES;
    /* elsewhere the greeting must say FTP (and not SMTP, whose servers greet with 220 too) */
    eol = memchr(data, '\n', len);
    if (!eol)
        return len < 512 ? SN_PROBE_MORE : SN_PROBE_NO;
    n = (uint32_t)(eol - data);
    for (uint32_t i = 4; i + 4 <= n; i++)
        if (strncasecmp((const char *)data + i, "SMTP", 4) == 0)
            return SN_PROBE_NO;
    for (uint32_t i = 4; i + 3 <= n; i++)
        if (strncasecmp((const char *)data + i, "FTP", 3) == 0)
            return SN_PROBE_YES;
    return SN_PROBE_NO;
}

static void *ftp_state_new(void)
{
    return cs_calloc(1, sizeof(struct ftp_state));
}

static void ftp_state_free(void *state)
{
    struct ftp_state *s = state;
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nq; i++)
        tx_free(s->q[i]);
    tx_free(s->greet);
    cs_free(s);
}

static int ftp_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                     const uint8_t *data, uint32_t len, unsigned flags)
{
    struct ftp_state *s = state;
    uint32_t off = 0;
    bool eof = (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) != 0;

    dir &= 1;
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP)
            s->skip_eol[dir] = true; /* resynchronise on the next end of line */
    }
    while (off < len && !s->tls) {
        const uint8_t *l = data + off;
        const uint8_t *lf = memchr(l, '\n', len - off);
        uint32_t raw, n;

        if (!lf) {
            if (len - off < FTP_LINE_MAX && !eof)
                break;
            raw = len - off;
            if (len - off >= FTP_LINE_MAX && !s->skip_eol[dir])
                ev(w, f, s, "ftp.line_too_long");
        } else {
            raw = (uint32_t)(lf - l) + 1;
        }
        off += raw;
        if (s->skip_eol[dir]) {
            if (lf)
                s->skip_eol[dir] = false;
            continue;
        }
        if (!lf && !eof)
            s->skip_eol[dir] = true;
        n = lf ? raw - 1 : raw;
        if (n && l[n - 1] == '\r')
            n--;
        n = CS_MIN(n, (uint32_t)FTP_LINE_MAX);
        if (dir == SN_TOSERVER)
            on_command(w, f, s, l, n);
        else
            on_reply_line(w, f, s, l, n);
    }
    if (s->tls)
        off = len;
    if (eof) {
        off = len;
        if (dir == SN_TOCLIENT || s->tls) { /* no more replies: log what waits unanswered */
            for (uint32_t i = 0; i < s->nq; i++)
                tx_log(w, f, s, s->q[i]);
            s->nq = 0;
            if (s->greet)
                tx_log(w, f, s, s->greet);
            s->greet = NULL;
        }
    }
    return (int)off;
}

static void ftp_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                          const void *tx, int dir, struct cs_json *j)
{
    const struct sn_ftp_tx *t = tx;
    (void)w;
    (void)f;
    (void)dir;
    if (!state || !t)
        return;
    cs_json_uint(j, "tx_id", t->id);
    json_tx(j, t);
}

static uint64_t ftp_tx_id(const void *tx)
{
    return ((const struct sn_ftp_tx *)tx)->id;
}

const struct sn_app_parser sn_app_ftp = {
    .name = "ftp",
    .ipproto = IPPROTO_TCP,
    .default_ports = "21",
    .eve_type = SN_EVE_FTP,
    .probe = ftp_probe,
    .parse = ftp_parse,
    .state_new = ftp_state_new,
    .state_free = ftp_state_free,
    .log_flow = NULL,
    .log_alert = ftp_log_alert,
    .tx_id = ftp_tx_id,
    .max_state_bytes = FTP_LINE_MAX + 16,
};
