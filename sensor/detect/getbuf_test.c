/* getbuf_test.c — inspection buffers and app-layer keyword matches on real captures.
 *
 * Each capture runs through the whole pipeline (app_test_util.h) with a test-installed
 * sn_detect_app_cb. On every call the callback fetches every buffer of buffers.def (all
 * instances of multi-buffers) with sn_detect_get_buffer() and logs them one per line as
 *     "<proto> <ts|tc> <buffer>[<idx>] <bytes, non-printables as \xNN>"
 * evaluates the .match of the app keywords of the loaded rules:
 *     "<proto> <ts|tc> sid:<sid> <keyword> <0|1>"
 * and runs the payload inspector over each instance of a rule's sticky buffer:
 *     "<proto> <ts|tc> sid:<sid> payload <0|1>"
 * Tests assert on exact lines (match) and on their absence (no match / absent buffers).
 * Every capture is also run with 1-byte deliveries, which must give the same log.
 * GETBUF_DUMP=1 prints the logs. */
#include "../app/app_test_util.h"
#include "detect.h"
#include "kw.h"

#include <stdarg.h>

static char *g_log;
static size_t g_len, g_cap;
static struct sn_rule *g_rules[32];
static int g_nrules;
static struct sn_detect_thread g_t;
static int g_calls;

static void log_add(const void *p, size_t n)
{
    if (g_len + n + 1 > g_cap) {
        size_t cap = g_cap ? g_cap * 2 : 65536;
        while (cap < g_len + n + 1)
            cap *= 2;
        g_log = realloc(g_log, cap);
        if (!g_log)
            abort();
        g_cap = cap;
    }
    memcpy(g_log + g_len, p, n);
    g_len += n;
    g_log[g_len] = 0;
}

static void log_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_fmt(const char *fmt, ...)
{
    char b[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    if (n > 0)
        log_add(b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

static void log_bytes(const uint8_t *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (d[i] >= 0x20 && d[i] < 0x7f && d[i] != '\\')
            log_add(&d[i], 1);
        else
            log_fmt("\\x%02x", d[i]);
    }
}

/* The payload run of a rule: the consecutive instances of the first inspection buffer other
 * than the packet (sticky markers excluded). False when the rule has none. */
static bool payload_run(const struct sn_rule *r, uint32_t *first, uint32_t *end)
{
    uint32_t i;

    for (i = 0; i < r->nkw; i++)
        if (!(r->kw[i].kw->flags & SN_KW_STICKY) && r->kw[i].buffer != SN_BUF_PKT &&
            (r->kw[i].kw->flags & (SN_KW_PAYLOAD | SN_KW_TRANSFORM)))
            break;
    if (i == r->nkw)
        return false;
    *first = i;
    for (*end = i; *end < r->nkw && r->kw[*end].buffer == r->kw[i].buffer &&
                   !(r->kw[*end].kw->flags & SN_KW_STICKY);
         (*end)++)
        ;
    return true;
}

/* Runs the payload inspector (inspect.c) over every instance of the rule's buffer as the
 * engine will: true when one instance matches. */
static bool payload_match(struct sn_detect_thread *t, const struct sn_rule *r)
{
    uint32_t first, end;
    int buf;

    if (!payload_run(r, &first, &end))
        return false;
    buf = r->kw[first].buffer;
    for (uint32_t idx = 0; idx < 64; idx++) {
        const uint8_t *d;
        uint32_t n;
        if (!sn_detect_get_buffer(t, buf, idx, &d, &n))
            return false;
        t->buf = d;
        t->buf_len = n;
        t->buf_id = buf;
        t->buf_idx = idx;
        t->cursor = 0;
        if (sn_inspect_buffer(t, first, end))
            return true;
    }
    return false;
}

static void test_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    struct sn_detect_thread *t = &g_t;
    const char *ds = dir == SN_TOSERVER ? "ts" : "tc";

    g_calls++;
    t->w = w;
    t->p = w->pkt;
    t->f = f;
    t->dir = (uint8_t)dir;
    t->tx = tx;
    t->tx_proto = proto;
    for (int b = 1; b < SN_BUF_MAX; b++) {
        for (uint32_t idx = 0; idx < 64; idx++) {
            const uint8_t *d = NULL;
            uint32_t n = 0;
            if (!sn_detect_get_buffer(t, b, idx, &d, &n))
                break;
            log_fmt("%s %s %s[%u] ", proto, ds, sn_buf_name(b), idx);
            log_bytes(d, n);
            log_add("\n", 1);
        }
    }
    for (int r = 0; r < g_nrules; r++) {
        const struct sn_rule *rule = g_rules[r];
        uint32_t first, end;
        t->rule = rule;
        if (payload_run(rule, &first, &end))
            log_fmt("%s %s sid:%u payload %d\n", proto, ds, rule->sid,
                    payload_match(t, rule) ? 1 : 0);
        for (uint32_t i = 0; i < rule->nkw; i++) {
            const struct sn_kw_inst *in = &rule->kw[i];
            if (!in->kw->match)
                continue;
            t->kw_idx = i;
            log_fmt("%s %s sid:%u %s %d\n", proto, ds, rule->sid, in->kw->name,
                    in->kw->match(t, in) ? 1 : 0);
        }
    }
}

static void rules_set(const char *const *rules)
{
    for (int i = 0; i < g_nrules; i++)
        sn_rule_free(g_rules[i]);
    g_nrules = 0;
    for (int i = 0; rules && rules[i] && g_nrules < 32; i++) {
        struct cs_err err = {0};
        struct sn_rule *r = NULL;
        if (sn_rule_parse(rules[i], strlen(rules[i]), NULL, &r, &err) != CS_OK) {
            printf("# rule does not parse: %s: %s\n", rules[i], err.msg);
            continue;
        }
        sn_inspect_prepare_rule(r);
        g_rules[g_nrules++] = r;
    }
}

/* Runs rel with the callback installed; returns the log (caller frees), NULL on error. */
static char *run_log(const char *rel, bool one_byte)
{
    struct app_run r;
    char *res;

    g_len = 0;
    g_calls = 0;
    if (g_log)
        g_log[0] = 0;
    log_add("\n", 1);
    sn_detect_app_cb = test_cb;
    r = app_test_run(rel, NULL, one_byte);
    sn_detect_app_cb = NULL;
    if (!r.text) {
        app_test_free(&r);
        return NULL;
    }
    app_test_free(&r);
    res = strdup(g_log);
    sn_inspect_thread_free(&g_t);
    for (int i = 0; i < 4; i++) {
        free(g_t.scratch[i]);
        g_t.scratch[i] = NULL;
        g_t.scratch_cap[i] = 0;
    }
    if (getenv("GETBUF_DUMP"))
        printf("==== %s%s (%d calls)\n%s", rel, one_byte ? " 1-byte" : "", g_calls, res);
    return res;
}

/* Runs rel normally and with 1-byte deliveries (the logs must be identical). */
static char *run(const char *rel, const char *const *rules)
{
    char *a, *b;

    rules_set(rules);
    a = run_log(rel, false);
    b = run_log(rel, true);
    CHECK(a != NULL);
    CHECK(b != NULL);
    if (a && b && strcmp(a, b) != 0)
        CS_FAILF("%s: 1-byte deliveries give a different buffer log", rel);
    free(b);
    rules_set(NULL);
    return a;
}

/* Number of log lines equal to `line`. */
__attribute__((unused)) static int lines(const char *log, const char *line)
{
    size_t n = strlen(line);
    int c = 0;

    for (const char *p = log; p && (p = strstr(p, line)); p++)
        if (p > log && p[-1] == '\n' && p[n] == '\n')
            c++;
    return c;
}

/* Number of log lines starting with `prefix`. */
__attribute__((unused)) static int prefixed(const char *log, const char *prefix)
{
    int c = 0;

    for (const char *p = log; p && (p = strstr(p, prefix)); p++)
        if (p > log && p[-1] == '\n')
            c++;
    return c;
}

#define HAS(log, line)                                                                         \
    do {                                                                                       \
        if (lines((log), (line)) == 0)                                                         \
            CS_FAILF("missing line: %s", (line));                                              \
    } while (0)
#define HASNT(log, line)                                                                       \
    do {                                                                                       \
        if (lines((log), (line)) != 0)                                                         \
            CS_FAILF("unexpected line: %s", (line));                                           \
    } while (0)
#define NOPREFIX(log, prefix)                                                                  \
    do {                                                                                       \
        if (prefixed((log), (prefix)) != 0)                                                    \
            CS_FAILF("unexpected lines starting with: %s", (prefix));                          \
    } while (0)

/* ---- no detection: parsers run unchanged with a NULL hook ---------------------------- */

CS_TEST(null_hook_is_a_no_op)
{
    struct app_run r;

    sn_detect_app_cb = NULL;
    r = app_test_run("pcaps/http/testmyids.pcap", NULL, false);
    CHECK(r.text != NULL);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 1);
    app_test_free(&r);
}

/* ---- direct calls: absent transaction, wrong protocol, bad ids ---------------------- */

CS_TEST(get_buffer_without_tx_or_packet)
{
    struct sn_detect_thread t;
    const uint8_t *d = NULL;
    uint32_t n = 0;

    memset(&t, 0, sizeof(t));
    CHECK(!sn_detect_get_buffer(&t, SN_BUF_HTTP_URI, 0, &d, &n));
    CHECK(!sn_detect_get_buffer(&t, SN_BUF_IPV4_HDR, 0, &d, &n));
    CHECK(!sn_detect_get_buffer(&t, SN_BUF_PKT, 0, &d, &n));
    CHECK(!sn_detect_get_buffer(&t, SN_BUF_MAX, 0, &d, &n));
    CHECK(!sn_detect_get_buffer(&t, -1, 0, &d, &n));
    t.tx = &t; /* any pointer: the protocol decides how it is read */
    t.tx_proto = "smb";
    CHECK(!sn_detect_get_buffer(&t, SN_BUF_SMB_SHARE, 0, &d, &n));
}

/* ---- HTTP ------------------------------------------------------------------------------ */

CS_TEST(http_request_and_response_buffers)
{
    char *l = run("pcaps/http/testmyids.pcap", NULL);

    if (!l)
        return;
    /* request side */
    HAS(l, "http ts http.uri[0] /");
    HAS(l, "http ts http.uri.raw[0] /");
    HAS(l, "http ts http.method[0] GET");
    HAS(l, "http ts http.request_line[0] GET / HTTP/1.1");
    HAS(l, "http ts http.protocol[0] HTTP/1.1");
    HAS(l, "http ts http.host[0] testmyids.com");
    HAS(l, "http ts http.host.raw[0] testmyids.com");
    HAS(l, "http ts http.user_agent[0] curl/8.5.0");
    HAS(l, "http ts http.accept[0] */*");
    HAS(l, "http ts http.header[0] Host: testmyids.com\\x0d\\x0aUser-Agent: curl/8.5.0\\x0d\\x0a"
           "Accept: */*\\x0d\\x0a");
    HAS(l, "http ts http.header.raw[0] Host: testmyids.com\\x0d\\x0aUser-Agent: curl/8.5.0"
           "\\x0d\\x0aAccept: */*\\x0d\\x0a");
    HAS(l, "http ts http.start[0] GET / HTTP/1.1\\x0d\\x0aHost: testmyids.com\\x0d\\x0a"
           "User-Agent: curl/8.5.0\\x0d\\x0aAccept: */*\\x0d\\x0a\\x0d\\x0a");
    HAS(l, "http ts http.header_names[0] \\x0d\\x0aHost\\x0d\\x0aUser-Agent\\x0d\\x0aAccept"
           "\\x0d\\x0a\\x0d\\x0a");
    HAS(l, "http ts http.request_header[0] Host: testmyids.com");
    HAS(l, "http ts http.request_header[1] User-Agent: curl/8.5.0");
    HAS(l, "http ts http.request_header[2] Accept: */*");
    NOPREFIX(l, "http ts http.request_header[3]");
    /* absent in this request: no body, no cookie, no referer; response buffers not to-server */
    NOPREFIX(l, "http ts http.request_body[");
    NOPREFIX(l, "http ts file.data[");
    NOPREFIX(l, "http ts http.cookie[");
    NOPREFIX(l, "http ts http.referer[");
    NOPREFIX(l, "http ts http.stat_code[");
    NOPREFIX(l, "http ts http.response_line[");
    NOPREFIX(l, "http ts http.server[");
    NOPREFIX(l, "http ts http.response_header[");
    /* response side */
    HAS(l, "http tc http.stat_code[0] 200");
    HAS(l, "http tc http.stat_msg[0] OK");
    HAS(l, "http tc http.response_line[0] HTTP/1.1 200 OK");
    HAS(l, "http tc http.protocol[0] HTTP/1.1");
    HAS(l, "http tc http.server[0] Apache");
    HAS(l, "http tc http.content_type[0] text/html");
    HAS(l, "http tc http.content_len[0] 39");
    HAS(l, "http tc http.connection[0] keep-alive");
    HAS(l, "http tc http.response_header[0] Content-Type: text/html");
    HAS(l, "http tc http.response_header[10] Accept-Ranges: bytes");
    NOPREFIX(l, "http tc http.response_header[11]");
    HAS(l, "http tc http.response_body[0] uid=0(root) gid=0(root) groups=0(root)\\x0a");
    HAS(l, "http tc file.data[0] uid=0(root) gid=0(root) groups=0(root)\\x0a");
    HAS(l, "http tc file.name[0] /");
    NOPREFIX(l, "http ts file.name[");
    NOPREFIX(l, "http tc http.uri[");
    NOPREFIX(l, "http tc http.method[");
    NOPREFIX(l, "http tc http.user_agent[");
    NOPREFIX(l, "http tc http.host[");
    /* the response headers are inspected once without body, then once with it */
    CHECK_EQ(lines(l, "http tc http.stat_code[0] 200"), 2);
    CHECK_EQ(lines(l, "http tc http.response_body[0] uid=0(root) gid=0(root) groups=0(root)"
                      "\\x0a"),
             1);
    /* headers buffers: the packets that completed each message */
    CHECK_EQ(prefixed(l, "http ts tcp.hdr[0] "), 1);
    CHECK_EQ(prefixed(l, "http ts ipv4.hdr[0] E\\x00"), 1);
    NOPREFIX(l, "http ts udp.hdr[");
    NOPREFIX(l, "http ts ipv6.hdr[");
    free(l);
}

CS_TEST(http_header_excludes_cookie)
{
    char *l = run("pcaps/http/sv-http-chunked.pcap", NULL);

    if (!l)
        return;
    HAS(l, "http ts http.cookie[0] X-Qlik-Session=13333333-3333-3333-3333-333333333337");
    /* http.header leaves Cookie out; the raw block, http.start and the names keep it */
    HAS(l, "http ts http.header[0] Host: localhost\\x0d\\x0aX-Qlik-User: UserDirectory=internal;"
           "UserId=sa_repository\\x0d\\x0aUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
           "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/115.0.5790.110 Safari/537.36\\x0d\\x0a"
           "Content-Length: 0\\x0d\\x0aTransfer-Encoding: ,\\x09chunked,\\x0d\\x0a");
    CHECK(strstr(l, "http ts http.header.raw[0] Host: localhost\\x0d\\x0aCookie: X-Qlik-Session=") !=
          NULL);
    CHECK(strstr(l, "http ts http.start[0] HEAD /resources/fonts/SourceSansPro-Regular.ttf "
                    "HTTP/1.1\\x0d\\x0aHost: localhost\\x0d\\x0aCookie: X-Qlik") != NULL);
    HAS(l, "http ts http.header_names[0] \\x0d\\x0aHost\\x0d\\x0aCookie\\x0d\\x0aX-Qlik-User\\x0d"
           "\\x0aUser-Agent\\x0d\\x0aContent-Length\\x0d\\x0aTransfer-Encoding\\x0d\\x0a\\x0d\\x0a");
    HAS(l, "http ts http.request_header[1] Cookie: X-Qlik-Session=13333333-3333-3333-3333-"
           "333333333337");
    HAS(l, "http ts http.method[0] HEAD");
    /* no response in the capture */
    NOPREFIX(l, "http tc ");
    free(l);
}

CS_TEST(http_request_body_and_decompressed_response)
{
    char *l = run("pcaps/http/100-continue.pcap", NULL);
    char *g;

    if (!l)
        return;
    HAS(l, "http ts http.method[0] POST");
    HAS(l, "http ts http.content_len[0] 2001");
    HAS(l, "http ts http.content_type[0] application/x-www-form-urlencoded");
    /* headers first (no body yet), then the complete body */
    CHECK_EQ(lines(l, "http ts http.method[0] POST"), 2);
    CHECK_EQ(prefixed(l, "http ts http.request_body[0] RRRRRRRRRFRRRR"), 1);
    CHECK_EQ(prefixed(l, "http ts file.data[0] RRRRRRRRRFRRRR"), 1);
    free(l);

    g = run("pcaps/http/get-gzip.pcap", NULL);
    if (!g)
        return;
    HAS(g, "http ts http.uri[0] /gzip");
    HAS(g, "http tc http.server[0] gunicorn/0.16.1");
    /* the body as decompressed, not the gzip bytes */
    CHECK_EQ(prefixed(g, "http tc http.response_body[0] {\\x0a  \"origin\": \"10.224.189.238\","), 1);
    HAS(g, "http tc file.name[0] /gzip");
    NOPREFIX(g, "http tc http.response_body[0] \\x1f\\x8b");
    free(g);
}

/* ---- DNS ------------------------------------------------------------------------------- */

CS_TEST(dns_buffers)
{
    char *l = run("pcaps/dns/dns-udp-dig.pcap", NULL);

    if (!l)
        return;
    HAS(l, "dns ts dns.query[0] www.suricata-ids.org");
    NOPREFIX(l, "dns ts dns.query[1]");
    HAS(l, "dns ts dns.queries.rrname[0] www.suricata-ids.org");
    NOPREFIX(l, "dns ts dns.answer.name[");
    /* dns.query is for requests only; the response has the query as queries.rrname */
    NOPREFIX(l, "dns tc dns.query[");
    HAS(l, "dns tc dns.queries.rrname[0] www.suricata-ids.org");
    HAS(l, "dns tc dns.answer.name[0] www.suricata-ids.org");
    HAS(l, "dns tc dns.answer.name[1] suricata-ids.org");
    HAS(l, "dns tc dns.answer.name[2] suricata-ids.org");
    NOPREFIX(l, "dns tc dns.answer.name[3]");
    /* Suricata 8 names: answers.rrname as answer.name; response.rrname is every owner name
     * of a response (question first) followed, per record, by a name its rdata carries (the
     * CNAME target suricata-ids.org), and nothing in requests */
    HAS(l, "dns tc dns.answers.rrname[0] www.suricata-ids.org");
    HAS(l, "dns tc dns.answers.rrname[2] suricata-ids.org");
    NOPREFIX(l, "dns ts dns.answers.rrname[");
    HAS(l, "dns tc dns.response.rrname[0] www.suricata-ids.org");
    HAS(l, "dns tc dns.response.rrname[1] www.suricata-ids.org");
    HAS(l, "dns tc dns.response.rrname[2] suricata-ids.org");
    HAS(l, "dns tc dns.response.rrname[4] suricata-ids.org");
    NOPREFIX(l, "dns tc dns.response.rrname[5]");
    NOPREFIX(l, "dns ts dns.response.rrname[");
    NOPREFIX(l, "dns tc dns.authorities.rrname[");
    /* the datagram's UDP header: ports 41805 -> 53, length 57 */
    HAS(l, "dns ts udp.hdr[0] \\xa3M\\x005\\x009\\xb2\\xb3");
    HAS(l, "dns tc udp.hdr[0] \\x005\\xa3M\\x00l\\x8d\\x8c");
    NOPREFIX(l, "dns ts tcp.hdr[");
    free(l);
}

/* ---- TLS ------------------------------------------------------------------------------- */

CS_TEST(tls_buffers)
{
    char *l = run("pcaps/tls/tls1.2.pcap", NULL);
    char *c;

    if (!l)
        return;
    HAS(l, "tls ts ja3.hash[0] bd9c99b3a0f752c3ab8b052a79e9de3e");
    HAS(l, "tls ts ja4.hash[0] t12i800500_15c493246000_3eafcbe19126");
    CHECK_EQ(prefixed(l, "tls ts ja3.string[0] 771,49200-49196-"), 2);
    HAS(l, "tls tc ja3s.hash[0] c253ec3ad88e42f8da4032682892f9a0");
    HAS(l, "tls tc ja3s.string[0] 771,4,65281");
    HAS(l, "tls tc tls.cert_subject[0] C=US, postalCode=94568, ST=CA, L=Dublin, street=Suite 400, "
           "street=4140 Dublin Boulevard, O=Taleo Inc., OU=Web, OU=Comodo PremiumSSL Wildcard, "
           "CN=*.taleo.net");
    HAS(l, "tls tc tls.cert_issuer[0] C=GB, ST=Greater Manchester, L=Salford, O=COMODO CA "
           "Limited, CN=COMODO High-Assurance Secure Server CA");
    HAS(l, "tls tc tls.cert_serial[0] 00:99:FA:A8:03:7A:4E:B2:FA:EF:84:EB:5E:55:D5:B8:C8");
    HAS(l, "tls tc tls.cert_fingerprint[0] 33:67:a1:82:4a:60:13:c0:2a:3e:25:bb:e4:da:86:33:87:fa:"
           "f1:34");
    /* the DER of each certificate: a SEQUENCE with a two-byte length */
    CHECK(prefixed(l, "tls tc tls.certs[0] 0\\x82") > 0);
    /* client side has no certificate; server side has no client fingerprint */
    NOPREFIX(l, "tls ts tls.cert_subject[");
    NOPREFIX(l, "tls ts tls.certs[");
    NOPREFIX(l, "tls tc ja3.hash[");
    NOPREFIX(l, "tls ts ja3s.hash[");
    NOPREFIX(l, "tls ts tls.sni[");
    NOPREFIX(l, "tls tc tls.cert_chain_len[");
    free(l);

    c = run("pcaps/tls/chrome-34-google.pcap", NULL);
    if (!c)
        return;
    HAS(c, "tls ts tls.sni[0] google.de");
    HAS(c, "tls ts tls.alpn[0] spdy/3");
    HAS(c, "tls ts tls.alpn[1] spdy/3.1");
    HAS(c, "tls ts tls.alpn[2] http/1.1");
    NOPREFIX(c, "tls ts tls.alpn[3]");
    HAS(c, "tls tc tls.alpn[0] spdy/3.1");
    NOPREFIX(c, "tls tc tls.alpn[1]");
    NOPREFIX(c, "tls tc tls.sni[");
    CHECK(prefixed(c, "tls tc tls.certs[2] 0\\x82") > 0);
    NOPREFIX(c, "tls tc tls.certs[3]");
    free(c);
}

CS_TEST(tls_over_ipv6_header_buffer)
{
    char *l = run("pcaps/tls/tls-client-auth.pcap", NULL);
    const char *p;

    if (!l)
        return;
    HAS(l, "tls ts tls.sni[0] localhost");
    HAS(l, "tls ts tls.alpn[0] h2");
    HAS(l, "tls tc tls.cert_subject[0] C=HU, ST=Budapest, L=Budapest, O=TLSClientAuthSampleServer, "
           "CN=SampleServer");
    CHECK(prefixed(l, "tls tc tls.certs[1] 0\\x82") > 0);
    /* ipv6.hdr is the 40-byte fixed header: version 6, next header TCP, ::1 -> ::1 */
    p = strstr(l, "\ntls ts ipv6.hdr[0] `");
    CHECK(p != NULL);
    if (p)
        CHECK(strncmp(strchr(p + 1, '\n') - 4 * 16, "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                                                   "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01",
                      64) == 0);
    NOPREFIX(l, "tls ts ipv4.hdr[");
    free(l);
}

/* ---- SSH ------------------------------------------------------------------------------- */

CS_TEST(ssh_buffers)
{
    char *l = run("pcaps/ssh/single-conn.pcap", NULL);

    if (!l)
        return;
    HAS(l, "ssh tc ssh.proto[0] 1.99");
    HAS(l, "ssh tc ssh.software[0] OpenSSH_3.9p1");
    HAS(l, "ssh ts ssh.proto[0] 2.0");
    HAS(l, "ssh ts ssh.software[0] OpenSSH_3.8.1p1");
    HAS(l, "ssh ts ssh.hassh[0] c4fd9343cba76d12f0dd523fbe7c4da1");
    HAS(l, "ssh tc ssh.hassh.server[0] f430cd6761697a6a658ee1d45ed22e49");
    /* hassh is the client's, to-server; hassh.server the server's, to-client */
    NOPREFIX(l, "ssh tc ssh.hassh[");
    NOPREFIX(l, "ssh ts ssh.hassh.server[");
    /* the strings hashed, on the same sides */
    CHECK_EQ(prefixed(l, "ssh ts ssh.hassh.string[0] diffie-hellman-group-exchange-sha1,"
                         "diffie-hellman-group1-sha1;aes128-cbc,"),
             1);
    CHECK(prefixed(l, "ssh tc ssh.hassh.server.string[0] diffie-hellman-group-exchange-sha1,"
                      "diffie-hellman-group14-sha1,") > 0);
    NOPREFIX(l, "ssh tc ssh.hassh.string[");
    NOPREFIX(l, "ssh ts ssh.hassh.server.string[");
    /* banner first (no KEXINIT yet), then KEXINIT: two calls per side */
    CHECK_EQ(lines(l, "ssh ts ssh.proto[0] 2.0"), 2);
    CHECK_EQ(lines(l, "ssh ts ssh.hassh[0] c4fd9343cba76d12f0dd523fbe7c4da1"), 1);
    free(l);
}

/* ---- Modbus / DNP3 --------------------------------------------------------------------- */

CS_TEST(modbus_data_buffer)
{
    char *l = run("pcaps/modbus/sv-modbus.pcap", NULL);

    if (!l)
        return;
    /* diagnostic requests: sub-function data 0x0000; MEI read device id: 03 01 00 */
    CHECK_EQ(lines(l, "modbus ts modbus.data[0] \\x00\\x00"), 8);
    CHECK_EQ(lines(l, "modbus ts modbus.data[0] \\x03\\x01\\x00"), 2);
    /* report server id response: byte count, id, run indicator, device text */
    CHECK(prefixed(l, "modbus tc modbus.data[0] \\x12\\x00\\xffWingpath Limited") > 0);
    free(l);
}

CS_TEST(dnp3_data_buffer)
{
    char *l = run("pcaps/dnp3/read_and_response.pcap", NULL);

    if (!l)
        return;
    /* read request: application control, function 1, four class objects 60/2,60/3,60/4,60/1 */
    HAS(l, "dnp3 ts dnp3.data[0] \\xc0\\x01<\\x02\\x06<\\x03\\x06<\\x04\\x06<\\x01\\x06");
    CHECK_EQ(prefixed(l, "dnp3 tc dnp3.data[0] \\xc0\\x81\\x00\\x00\\x01\\x02"), 1);
    CHECK_EQ(prefixed(l, "dnp3 ts dnp3.data["), 1);
    CHECK_EQ(prefixed(l, "dnp3 tc dnp3.data["), 1);
    free(l);
}

/* ---- keywords ------------------------------------------------------------------------- */

static const char *const tls_rules[] = {
    "alert tls any any -> any any (ssl_state:client_hello; sid:1;)",
    "alert tls any any -> any any (ssl_state:!client_hello; sid:2;)",
    "alert tls any any -> any any (ssl_state:server_hello|client_keyx; sid:3;)",
    "alert tls any any -> any any (ssl_state:server_keyx; sid:4;)",
    "alert tls any any -> any any (ssl_state:unknown; sid:5;)",
    "alert tls any any -> any any (ssl_version:tls1.2; sid:10;)",
    "alert tls any any -> any any (ssl_version:!tls1.2; sid:11;)",
    "alert tls any any -> any any (ssl_version:sslv3,tls1.0; sid:12;)",
    "alert tls any any -> any any (ssl_version:tls1.3; sid:13;)",
    "alert tls any any -> any any (tls.version:1.2; sid:14;)",
    "alert tls any any -> any any (tls.version:1.3; sid:15;)",
    "alert tls any any -> any any (ssl_version:sslv2; sid:16;)",
    "alert tls any any -> any any (tls_cert_expired; sid:20;)",
    "alert tls any any -> any any (tls_cert_valid; sid:21;)",
    NULL,
};

CS_TEST(kw_ssl_state_and_versions)
{
    char *l = run("pcaps/tls/tls1.2.pcap", tls_rules);
    char *v3, *v2;

    if (!l)
        return;
    /* ClientHello, then ServerHello, Certificate, ServerHelloDone, then ClientKeyExchange… */
    CHECK_EQ(lines(l, "tls ts sid:1 ssl_state 1"), 1);
    CHECK_EQ(lines(l, "tls tc sid:1 ssl_state 1"), 0);
    CHECK_EQ(lines(l, "tls tc sid:2 ssl_state 1"), 3);
    CHECK_EQ(lines(l, "tls tc sid:3 ssl_state 1"), 1); /* the ServerHello */
    CHECK_EQ(lines(l, "tls ts sid:3 ssl_state 1"), 1); /* the ClientKeyExchange */
    CHECK_EQ(lines(l, "tls tc sid:5 ssl_state 1"), 2); /* Certificate, ServerHelloDone */
    CHECK_EQ(prefixed(l, "tls ts sid:4 ssl_state 1"), 0); /* RSA: no ServerKeyExchange */
    CHECK_EQ(prefixed(l, "tls tc sid:4 ssl_state 1"), 0);
    /* TLS 1.2 both ways */
    CHECK_EQ(lines(l, "tls ts sid:10 ssl_version 1"), 2);
    CHECK_EQ(lines(l, "tls tc sid:10 ssl_version 1"), 3);
    CHECK_EQ(prefixed(l, "tls ts sid:11 ssl_version 1"), 0);
    CHECK_EQ(prefixed(l, "tls tc sid:11 ssl_version 1"), 0);
    CHECK_EQ(prefixed(l, "tls tc sid:12 ssl_version 1"), 0);
    CHECK_EQ(prefixed(l, "tls tc sid:13 ssl_version 1"), 0);
    CHECK_EQ(lines(l, "tls tc sid:14 tls.version 1"), 3);
    CHECK_EQ(prefixed(l, "tls tc sid:15 tls.version 1"), 0);
    /* the certificate's validity against the capture time */
    CHECK_EQ(prefixed(l, "tls tc sid:20 tls_cert_expired 1"), 0);
    CHECK_EQ(lines(l, "tls tc sid:21 tls_cert_valid 1"), 2);  /* after the Certificate */
    CHECK_EQ(lines(l, "tls tc sid:21 tls_cert_valid 0"), 1);  /* at the ServerHello */
    free(l);

    /* a TLS keyword never holds for another protocol's transaction */
    l = run("pcaps/dns/dns-udp-dig.pcap", tls_rules);
    if (!l)
        return;
    CHECK_EQ(lines(l, "dns ts sid:1 ssl_state 0"), 1);
    CHECK_EQ(lines(l, "dns ts sid:2 ssl_state 0"), 1);
    CHECK_EQ(lines(l, "dns tc sid:11 ssl_version 0"), 1);
    CHECK_EQ(lines(l, "dns tc sid:21 tls_cert_valid 0"), 1);
    CHECK_EQ(lines(l, "dns tc sid:20 tls_cert_expired 0"), 1);
    free(l);

    v3 = run("pcaps/tls/tls13_wolfssl.pcap", tls_rules);
    if (!v3)
        return;
    /* ClientHello with legacy version 1.2; ServerHello negotiating 1.3 (supported_versions) */
    HAS(v3, "tls ts sid:10 ssl_version 1");
    HAS(v3, "tls tc sid:10 ssl_version 0");
    HAS(v3, "tls tc sid:11 ssl_version 1");
    HAS(v3, "tls tc sid:13 ssl_version 1");
    HAS(v3, "tls tc sid:15 tls.version 1");
    HAS(v3, "tls tc sid:14 tls.version 0");
    free(v3);

    v2 = run("pcaps/tls/ssl-v2.pcap", tls_rules);
    if (!v2)
        return;
    HAS(v2, "tls ts sid:1 ssl_state 1");
    HAS(v2, "tls ts sid:16 ssl_version 1");
    HAS(v2, "tls tc sid:16 ssl_version 1");
    HAS(v2, "tls tc sid:10 ssl_version 0");
    /* the self-signed Plesk certificate had expired when the capture was made */
    HAS(v2, "tls tc sid:20 tls_cert_expired 1");
    HAS(v2, "tls tc sid:21 tls_cert_valid 0");
    free(v2);
}

CS_TEST(kw_tls_cert_dates)
{
    /* the *.taleo.net certificate: notBefore 2011-05-04T00:00:00, notAfter 2016-07-04T23:59:59 */
    static const char *const r[] = {
        "alert tls any any -> any any (tls_cert_notbefore:2011-05-04; sid:1;)",
        "alert tls any any -> any any (tls_cert_notbefore:>2011; sid:2;)",
        "alert tls any any -> any any (tls_cert_notbefore:<2011; sid:3;)",
        "alert tls any any -> any any (tls_cert_notafter:2016-01-01<>2016-12-31; sid:4;)",
        "alert tls any any -> any any (tls_cert_notafter:<2016-07-04T23:59:59; sid:5;)",
        "alert tls any any -> any any (tls_cert_notafter:2016-07-04T23:59:59; sid:6;)",
        "alert tls any any -> any any (tls_cert_notafter:1467676799; sid:7;)",
        "alert tls any any -> any any (tls_cert_notbefore:2011-05-05; sid:8;)",
        NULL,
    };
    static const char *const bad[] = {
        "tls_cert_notafter:2016-13",       "tls_cert_notafter:abc",
        "tls_cert_notbefore:>2015<>2016",  "tls_cert_notbefore:2016-01-01T25",
        "tls_cert_notbefore:2017<>2016",   "dnp3_func:bogus",
        "dnp3_func:256",                   "dnp3_ind:device_restart,nonsense",
        "dnp3_obj:60",                     "dnp3_obj:60,2,1",
        "cip_service:3,x",                 "enip_command:70000",
        "ssl_version:tls9",                "tls.version:1.4",
    };
    char *l = run("pcaps/tls/tls1.2.pcap", r);

    if (l) {
        CHECK_EQ(lines(l, "tls tc sid:1 tls_cert_notbefore 1"), 2);
        CHECK_EQ(lines(l, "tls tc sid:2 tls_cert_notbefore 1"), 2);
        CHECK_EQ(lines(l, "tls tc sid:3 tls_cert_notbefore 1"), 0);
        CHECK_EQ(lines(l, "tls tc sid:4 tls_cert_notafter 1"), 2);
        CHECK_EQ(lines(l, "tls tc sid:5 tls_cert_notafter 1"), 0);
        CHECK_EQ(lines(l, "tls tc sid:6 tls_cert_notafter 1"), 2);
        CHECK_EQ(lines(l, "tls tc sid:7 tls_cert_notafter 1"), 2);
        CHECK_EQ(lines(l, "tls tc sid:8 tls_cert_notbefore 1"), 0);
        /* before the Certificate message there is no certificate to compare */
        CHECK_EQ(lines(l, "tls tc sid:1 tls_cert_notbefore 0"), 1);
        free(l);
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++) {
        char text[256];
        struct cs_err err = {0};
        struct sn_rule *rule = NULL;
        snprintf(text, sizeof(text), "alert ip any any -> any any (%s; sid:1;)", bad[i]);
        if (sn_rule_parse(text, strlen(text), NULL, &rule, &err) == CS_OK) {
            CS_FAILF("accepted: %s", bad[i]);
            sn_rule_free(rule);
        }
    }
}

/* The buffers through the payload inspector (content, bsize, startswith…), as the engine
 * will run them: the bytes this file hands out are what rules written for Suricata expect. */
CS_TEST(payload_keywords_over_buffers)
{
    static const char *const r[] = {
        "alert http any any -> any any (http.user_agent; content:\"curl/\"; startswith; "
        "sid:1;)",
        "alert http any any -> any any (http.header_names; content:\"|0d 0a|Host|0d 0a|\"; "
        "startswith; content:\"|0d 0a 0d 0a|\"; endswith; sid:2;)",
        "alert http any any -> any any (http.header; content:\"Cookie\"; sid:3;)",
        "alert http any any -> any any (http.header.raw; content:\"Cookie: X-Qlik\"; sid:4;)",
        "alert http any any -> any any (http.start; content:\"HEAD /resources/\"; startswith; "
        "content:\"|0d 0a|Cookie: X-Qlik\"; distance:0; sid:5;)",
        "alert http any any -> any any (http.request_header; content:\"Cookie: \"; startswith; "
        "sid:6;)",
        "alert http any any -> any any (http.request_line; content:\"HTTP/1.1\"; endswith; "
        "bsize:56; sid:7;)",
        "alert http any any -> any any (http.cookie; content:\"X-Qlik-Session=\"; startswith; "
        "pcre:\"/^X-Qlik-Session=[0-9-]+$/\"; sid:8;)",
        "alert dns any any -> any any (dns.query; content:\"suricata-ids.org\"; endswith; "
        "bsize:20; sid:9;)",
        "alert dns any any -> any any (dns.answer.name; content:\"suricata-ids.org\"; bsize:16; "
        "sid:10;)",
        "alert tls any any -> any any (tls.sni; content:\"google.de\"; bsize:9; sid:11;)",
        "alert tls any any -> any any (ja3.hash; content:\"a607f3a5c94c2ee592af1456f36c8367\"; "
        "sid:12;)",
        "alert tls any any -> any any (tls.alpn; content:\"http/1.1\"; bsize:8; sid:13;)",
        "alert tls any any -> any any (tls.cert_subject; content:\"CN=*.google.de\"; endswith; "
        "sid:14;)",
        "alert tls any any -> any any (tls.certs; content:\"Google Internet Authority G2\"; "
        "sid:15;)",
        NULL,
    };
    char *h = run("pcaps/http/sv-http-chunked.pcap", r);
    char *d, *t;

    if (h) {
        HAS(h, "http ts sid:1 payload 0"); /* a Chrome user agent */
        HAS(h, "http ts sid:2 payload 1");
        HAS(h, "http ts sid:3 payload 0"); /* http.header leaves the Cookie out */
        HAS(h, "http ts sid:4 payload 1");
        HAS(h, "http ts sid:5 payload 1");
        HAS(h, "http ts sid:6 payload 1"); /* instance 1 of the multi-buffer */
        HAS(h, "http ts sid:7 payload 1");
        HAS(h, "http ts sid:8 payload 1");
        free(h);
    }
    d = run("pcaps/dns/dns-udp-dig.pcap", r);
    if (d) {
        HAS(d, "dns ts sid:9 payload 1");
        HAS(d, "dns tc sid:9 payload 0"); /* dns.query: requests only */
        HAS(d, "dns tc sid:10 payload 1"); /* answers 1 and 2 are the bare domain */
        HAS(d, "dns ts sid:10 payload 0");
        free(d);
    }
    t = run("pcaps/tls/chrome-34-google.pcap", r);
    if (t) {
        HAS(t, "tls ts sid:11 payload 1");
        HAS(t, "tls ts sid:12 payload 1");
        HAS(t, "tls ts sid:13 payload 1"); /* the third ALPN of the ClientHello */
        HAS(t, "tls tc sid:13 payload 0"); /* the server chose spdy/3.1 */
        CHECK(lines(t, "tls tc sid:14 payload 1") > 0);
        CHECK(lines(t, "tls tc sid:15 payload 1") > 0); /* the issuer inside the DER */
        CHECK_EQ(lines(t, "tls ts sid:14 payload 1"), 0);
        free(t);
    }
}

/* dns.rrtype: the record type of a message's questions, either direction */
CS_TEST(kw_dns_rrtype)
{
    char *l = run("pcaps/dns/dns-udp-dig.pcap",
                  (const char *const[]){"alert dns any any -> any any (dns.rrtype:1; sid:1;)",
                                        "alert dns any any -> any any (dns.rrtype:28; sid:2;)",
                                        "alert dns any any -> any any (dns.rrtype:!28; sid:3;)",
                                        "alert dns any any -> any any (dns.rrtype:>1; sid:4;)",
                                        NULL});

    if (!l)
        return;
    CHECK_EQ(lines(l, "dns ts sid:1 dns.rrtype 1"), 1); /* the question is type A */
    CHECK_EQ(lines(l, "dns tc sid:1 dns.rrtype 1"), 1);
    CHECK_EQ(lines(l, "dns ts sid:2 dns.rrtype 0"), 1);
    CHECK_EQ(lines(l, "dns tc sid:2 dns.rrtype 0"), 1);
    CHECK_EQ(lines(l, "dns ts sid:3 dns.rrtype 1"), 1);
    CHECK_EQ(lines(l, "dns tc sid:4 dns.rrtype 0"), 1);
    free(l);
}

/* tls.subject / tls.issuerdn (contains, case-sensitive) and tls.fingerprint (equal, any
 * case): the server certificate, to-client only; '!' inverts */
CS_TEST(kw_tls_legacy_strings)
{
    char *l = run(
        "pcaps/tls/chrome-34-google.pcap",
        (const char *const[]){
            "alert tls any any -> any any (tls.subject:\"CN=*.google.de\"; sid:1;)",
            "alert tls any any -> any any (tls.subject:\"cn=*.google.de\"; sid:2;)",
            "alert tls any any -> any any (tls.subject:!\"CN=*.google.de\"; sid:3;)",
            "alert tls any any -> any any (tls.issuerdn:\"Google Internet Authority G2\"; sid:4;)",
            "alert tls any any -> any any (tls.issuerdn:!\"COMODO\"; sid:5;)",
            "alert tls any any -> any any (tls.fingerprint:"
            "\"CB:69:D0:4E:C2:EE:06:38:E9:3C:6E:CC:56:B7:DC:C1:F8:43:C2:47\"; sid:6;)",
            "alert tls any any -> any any (tls.fingerprint:"
            "\"cb:69:d0:4e:c2:ee:06:38:e9:3c:6e:cc:56:b7:dc:c1:f8:43:c2:48\"; sid:7;)",
            "alert tls any any -> any any (tls.fingerprint:\"cb:69:d0\"; sid:8;)",
            NULL});

    if (!l)
        return;
    CHECK(lines(l, "tls tc sid:1 tls.subject 1") > 0);
    CHECK_EQ(lines(l, "tls ts sid:1 tls.subject 1"), 0); /* the server's certificate only */
    CHECK(lines(l, "tls ts sid:1 tls.subject 0") > 0);
    CHECK_EQ(lines(l, "tls tc sid:2 tls.subject 1"), 0); /* case matters */
    CHECK_EQ(lines(l, "tls tc sid:3 tls.subject 1"), 0);
    CHECK(lines(l, "tls tc sid:4 tls.issuerdn 1") > 0);
    CHECK(lines(l, "tls tc sid:5 tls.issuerdn 1") > 0);
    CHECK(lines(l, "tls tc sid:6 tls.fingerprint 1") > 0);
    CHECK_EQ(lines(l, "tls tc sid:7 tls.fingerprint 1"), 0);
    CHECK_EQ(lines(l, "tls tc sid:8 tls.fingerprint 1"), 0); /* equality, not a prefix */
    free(l);
}

static const char *const modbus_rules[] = {
    "alert modbus any any -> any any (modbus: function 1; sid:1;)",
    "alert modbus any any -> any any (modbus: function 15; sid:2;)",
    "alert modbus any any -> any any (modbus: function 3; sid:3;)",
    "alert modbus any any -> any any (modbus: access read coils, address 2; sid:4;)",
    "alert modbus any any -> any any (modbus: access read coils, address 3; sid:5;)",
    "alert modbus any any -> any any (modbus: access write coils, address 1, value 1; sid:6;)",
    "alert modbus any any -> any any (modbus: access write holding; sid:7;)",
    "alert modbus any any -> any any (modbus: access read discretes; sid:8;)",
    "alert modbus any any -> any any (modbus: unit 1; sid:9;)",
    "alert modbus any any -> any any (modbus: unit 2<>9, function 1; sid:10;)",
    "alert modbus any any -> any any (modbus: unit <2, access write; sid:11;)",
    "alert modbus any any -> any any (modbus: function public; sid:12;)",
    "alert modbus any any -> any any (modbus: function !public; sid:13;)",
    "alert modbus any any -> any any (modbus: access write, address >0; sid:14;)",
    NULL,
};

CS_TEST(kw_modbus)
{
    char *l = run("pcaps/modbus/modbusSmall.pcap", modbus_rules);
    char *d;

    if (!l)
        return;
    /* 8 reads of coils 0-2, 8 writes of coils 0-2 with values 0..7, all to unit 1 */
    CHECK_EQ(lines(l, "modbus ts sid:1 modbus 1"), 8);
    CHECK_EQ(lines(l, "modbus ts sid:2 modbus 1"), 8);
    CHECK_EQ(lines(l, "modbus ts sid:3 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:4 modbus 1"), 8);
    CHECK_EQ(lines(l, "modbus ts sid:5 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:6 modbus 1"), 4); /* coil 1 set: values 2, 3, 6, 7 */
    CHECK_EQ(lines(l, "modbus ts sid:7 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:8 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:9 modbus 1"), 16);
    CHECK_EQ(lines(l, "modbus ts sid:10 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:11 modbus 1"), 8);
    CHECK_EQ(lines(l, "modbus ts sid:12 modbus 1"), 16);
    CHECK_EQ(lines(l, "modbus ts sid:13 modbus 1"), 0);
    CHECK_EQ(lines(l, "modbus ts sid:14 modbus 1"), 8); /* coils 0-2 meet ">0" */
    /* the modbus keyword inspects the request direction only (Suricata registers it
     * to-server): the response callback of the same transaction does not match again */
    CHECK_EQ(lines(l, "modbus tc sid:1 modbus 1"), 0);
    free(l);

    d = run("pcaps/modbus/sv-modbus.pcap",
            (const char *const[]){
                "alert modbus any any -> any any (modbus: function 8, subfunction 4; sid:20;)",
                "alert modbus any any -> any any (modbus: function 8, subfunction 1; sid:21;)",
                "alert modbus any any -> any any (modbus: function 8, subfunction 0; sid:22;)",
                "alert modbus any any -> any any (modbus: unit 10, function 43; sid:23;)",
                NULL});
    if (!d)
        return;
    CHECK_EQ(lines(d, "modbus ts sid:20 modbus 1"), 3);
    CHECK_EQ(lines(d, "modbus ts sid:21 modbus 1"), 3);
    CHECK_EQ(lines(d, "modbus ts sid:22 modbus 1"), 0);
    CHECK_EQ(lines(d, "modbus ts sid:23 modbus 1"), 2);
    free(d);
}

CS_TEST(kw_modbus_rejects_bad_options)
{
    static const char *const bad[] = {
        "modbus: function 0",
        "modbus: function 256",
        "modbus: function bogus",
        "modbus: access read, value 3",
        "modbus: access write discretes",
        "modbus: access write holding, address 1<>5, value 3",
        "modbus: access read holding, address 1, value 3",
        "modbus: unit",
        "modbus: access delete",
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++) {
        char text[256];
        struct cs_err err = {0};
        struct sn_rule *r = NULL;
        snprintf(text, sizeof(text), "alert modbus any any -> any any (%s; sid:1;)", bad[i]);
        if (sn_rule_parse(text, strlen(text), NULL, &r, &err) == CS_OK) {
            CS_FAILF("accepted: %s", bad[i]);
            sn_rule_free(r);
        }
    }
}

static const char *const dnp3_rules[] = {
    "alert dnp3 any any -> any any (dnp3_func:read; sid:1;)",
    "alert dnp3 any any -> any any (dnp3_func:129; sid:2;)",
    "alert dnp3 any any -> any any (dnp3_func:unsolicited_response; sid:3;)",
    "alert dnp3 any any -> any any (dnp3_obj:60,2; sid:4;)",
    "alert dnp3 any any -> any any (dnp3_obj:60,5; sid:5;)",
    "alert dnp3 any any -> any any (dnp3_ind:device_restart,need_time; sid:6;)",
    "alert dnp3 any any -> any any (dnp3_ind:all_stations; sid:7;)",
    NULL,
};

CS_TEST(kw_dnp3)
{
    char *l = run("pcaps/dnp3/read_and_response.pcap", dnp3_rules);
    char *e;

    if (!l)
        return;
    HAS(l, "dnp3 ts sid:1 dnp3_func 1");
    HAS(l, "dnp3 tc sid:1 dnp3_func 0");
    HAS(l, "dnp3 tc sid:2 dnp3_func 1");
    HAS(l, "dnp3 ts sid:2 dnp3_func 0");
    HAS(l, "dnp3 ts sid:4 dnp3_obj 1");
    HAS(l, "dnp3 ts sid:5 dnp3_obj 0");
    HAS(l, "dnp3 tc sid:6 dnp3_ind 0"); /* IIN 0x0000 */
    HAS(l, "dnp3 ts sid:6 dnp3_ind 0"); /* requests have no IIN */
    free(l);

    e = run("pcaps/dnp3/sv-dnp3-eve.pcap", dnp3_rules);
    if (!e)
        return;
    /* two responses carry IIN1 0x80 (device restart) */
    CHECK_EQ(lines(e, "dnp3 tc sid:6 dnp3_ind 1"), 2);
    CHECK_EQ(lines(e, "dnp3 tc sid:7 dnp3_ind 1"), 0);
    CHECK(lines(e, "dnp3 tc sid:3 dnp3_func 1") > 0);
    CHECK_EQ(lines(e, "dnp3 ts sid:3 dnp3_func 1"), 0);
    free(e);
}

static const char *const enip_rules[] = {
    "alert enip any any -> any any (enip_command:99; sid:1;)",
    "alert enip any any -> any any (enip_command:112; sid:2;)",
    "alert enip any any -> any any (enip_command:>100; sid:3;)",
    "alert enip any any -> any any (cip_service:3; sid:4;)",
    "alert enip any any -> any any (cip_service:3,139; sid:5;)",
    "alert enip any any -> any any (cip_service:3,1; sid:6;)",
    "alert enip any any -> any any (cip_service:10; sid:7;)",
    "alert enip any any -> any any (cip_service:4; sid:8;)",
    "alert enip any any -> any any (cip_service:3,139,1; sid:9;)",
    "alert enip any any -> any any (cip_service:6,142; sid:10;)",
    NULL,
};

CS_TEST(kw_enip_command_and_cip_service)
{
    char *l = run("pcaps/enip/EIP-ChangeDateAttempt.pcap", enip_rules);
    char *s;

    if (!l)
        return;
    /* tshark: 134 SendUnitData requests (133 answered); CIP services 0x03 x72 on class 0x8b,
     * 0x03 x20 on class 0x73, 0x0a (multiple service packet) x41 whose first member is a
     * get_attribute_list on class 1, and 0x04 x1 */
    CHECK_EQ(lines(l, "enip ts sid:1 enip_command 1"), 0);
    CHECK_EQ(lines(l, "enip ts sid:2 enip_command 1"), 134);
    CHECK_EQ(lines(l, "enip tc sid:2 enip_command 1"), 133);
    CHECK_EQ(lines(l, "enip ts sid:3 enip_command 1"), 134);
    CHECK_EQ(lines(l, "enip ts sid:4 cip_service 1"), 72 + 20 + 41);
    CHECK_EQ(lines(l, "enip ts sid:5 cip_service 1"), 72);
    CHECK_EQ(lines(l, "enip ts sid:6 cip_service 1"), 41);
    CHECK_EQ(lines(l, "enip ts sid:7 cip_service 1"), 41);
    CHECK_EQ(lines(l, "enip ts sid:8 cip_service 1"), 1);
    CHECK_EQ(lines(l, "enip ts sid:9 cip_service 1"), 0); /* no attribute segment in the path */
    CHECK_EQ(lines(l, "enip ts sid:10 cip_service 1"), 0);
    free(l);

    s = run("pcaps/enip/cip_start_plc.pcap", enip_rules);
    if (!s)
        return;
    /* CIP Start (0x06) on class 0x8e instance 1, in a SendUnitData without reply */
    HAS(s, "enip ts sid:10 cip_service 1");
    HAS(s, "enip ts sid:2 enip_command 1");
    HAS(s, "enip ts sid:4 cip_service 0");
    free(s);

    s = run("pcaps/enip/enip_test.pcap", enip_rules);
    if (!s)
        return;
    HAS(s, "enip ts sid:1 enip_command 1"); /* ListIdentity */
    HAS(s, "enip tc sid:1 enip_command 1");
    HAS(s, "enip ts sid:3 enip_command 0");
    HAS(s, "enip ts sid:4 cip_service 0");
    free(s);
}

CS_TEST_MAIN()
