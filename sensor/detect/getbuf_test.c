/* getbuf_test.c — inspection buffers and app-layer keyword matches on real captures.
 *
 * Each capture runs through the whole pipeline (app_test_util.h) with a test-installed
 * sn_detect_app_cb. On every call the callback fetches every buffer of buffers.def (all
 * instances of multi-buffers) with sn_detect_get_buffer() and logs them one per line as
 *     "<proto> <ts|tc> <buffer>[<idx>] <bytes, non-printables as \xNN>"
 * and evaluates the .match of the app keywords of the loaded rules:
 *     "<proto> <ts|tc> sid:<sid> <keyword> <0|1>"
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
        t->rule = rule;
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

CS_TEST(dump)
{
    const char *f = getenv("GETBUF_FILE");
    if (f) {
        char *l = run(f, NULL);
        free(l);
    }
}

CS_TEST_MAIN()
