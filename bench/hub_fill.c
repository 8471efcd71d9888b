/* hub_fill.c — fills a hub database with N generated events for benchmarks and for
 * developing the console against a realistic volume.
 *
 *   hub_fill [-c hub.yaml] [--db URL] [--events N] [--days D | --from T --to T]
 *            [--districts 3] [--orgs 4] [--sensors 2] [--batch 20000] [--seed S]
 *            [--creds FILE] [--quiet]
 *
 * It sets up a city (org "city") with --districts districts and --orgs organisations in each,
 * --sensors sensors per organisation and three users (city-admin, district-1-analyst,
 * <first org>-viewer; password $CITYSOC_PASSWORD or "fill-password-1"), all through the
 * same admin functions as the citysoc CLI (audited), then stores N events spread evenly over
 * the time range. Each batch is generated as EVE JSON lines, decoded and normalised by
 * hub_batch_decode() exactly as POST /api/v1/events does, mapped with hub_event_to_store()
 * and written with hub_store_batch_add(), so every index (and any rollup the store
 * maintains) is as it would be after a real ingest. Batch ids are "fill-<seed>-<k>": running
 * the same command again stores nothing twice; another --seed adds more events.
 *
 * The mix (per 100 events): 38 flow, 18 dns, 9 http, 9 tls, 8 alert (ET-like signatures,
 * severities 1..3, skewed so a few signatures dominate), 5 modbus, 4 dnp3, 3 iec104,
 * 3 s7comm, 2 anomaly, 1 stats. Addresses: each organisation owns 10.<district>.<org>.0/24;
 * remote hosts come from a fixed pool of public addresses; both are skewed (a few busy
 * hosts). The generator is deterministic for a given seed. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../hub/api/admin.h"
#include "../hub/api/api.h"
#include "../hub/api/events.h"
#include "../hub/audit/audit.h"
#include "../hub/config.h"
#include "../hub/ingest/batch.h"
#include "../lib/cs_time.h"

/* ---- a small deterministic generator --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static uint32_t rnd_n(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* Skewed towards 0: index of n items where item 0 is the most frequent. */
static uint32_t rnd_skew(uint32_t n)
{
    double u = (double)(rnd() >> 11) / (double)(1ULL << 53);
    uint32_t i = (uint32_t)((double)n * u * u * u);
    return i < n ? i : n - 1;
}

/* ---- the output buffer ------------------------------------------------------------------ */

struct obuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void ob_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ob_printf(struct obuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap * 2 + (size_t)n;
        char *np = cs_realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

/* ---- the city ----------------------------------------------------------------------------- */

struct fill_sensor {
    int64_t id, org_id;
    int district, org; /* 1-based: the org's addresses are 10.district.org.0/24 */
    char name[HUB_NAME_MAX + 1];
};

static const char *const org_kinds[][2] = {
    {"water-works", "water,ics"}, {"power-grid", "power,ics"}, {"hospital", "health"},
    {"metro", "transport,ics"},   {"city-hall", "government"}, {"school-board", "education"},
    {"gas-supply", "gas,ics"},    {"port-authority", "transport"},
};

/* ET-like rule set: a plausible spread of categories and priorities. The first ones are the
 * noisy ones (rnd_skew picks them most). */
static const struct sig {
    uint32_t sid;
    int severity;
    const char *category, *msg, *app_proto;
    bool inbound; /* remote -> local */
} sigs[] = {
    {2402000, 2, "Misc Attack", "ET DROP Dshield Block Listed Source group 1", NULL, true},
    {2010935, 2, "Potentially Bad Traffic", "ET SCAN Suspicious inbound to MSSQL port 1433",
     NULL, true},
    {2001219, 2, "Attempted Information Leak", "ET SCAN Potential SSH Scan", NULL, true},
    {2027757, 3, "Potentially Bad Traffic", "ET INFO Observed DNS Query to .cloud TLD", "dns",
     false},
    {2013028, 3, "Not Suspicious Traffic", "ET POLICY curl User-Agent Outbound", "http", false},
    {2403312, 2, "Misc Attack", "ET CINS Active Threat Intelligence Poor Reputation IP group 13",
     NULL, true},
    {2006380, 1, "Potential Corporate Privacy Violation",
     "ET POLICY Outgoing Basic Auth Base64 HTTP Password detected unencrypted", "http", false},
    {2018959, 3, "Potentially Bad Traffic", "ET POLICY Possible IP Check api.ipify.org", "tls",
     false},
    {2260002, 3, "Generic Protocol Command Decode", "SURICATA Applayer Detect protocol only one direction",
     NULL, false},
    {2230010, 3, "Generic Protocol Command Decode", "SURICATA TLS invalid record/traffic", "tls",
     false},
    {2250001, 2, "Generic Protocol Command Decode", "SURICATA Modbus invalid Protocol version",
     "modbus", true},
    {2100498, 2, "Potentially Bad Traffic", "GPL ATTACK_RESPONSE id check returned root", "http",
     true},
    {2024897, 1, "Attempted Administrator Privilege Gain",
     "ET EXPLOIT Apache Struts 2 REST Plugin XStream RCE", "http", true},
    {2030092, 1, "A Network Trojan was detected", "ET MALWARE Cobalt Strike Beacon Observed",
     "http", false},
    {2035465, 1, "A Network Trojan was detected", "ET MALWARE Win32/Emotet CnC Activity (POST)",
     "http", false},
    {2034647, 1, "Attempted Administrator Privilege Gain",
     "ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)", "http", true},
    {2037771, 1, "Domain Observed Used for C2 Detected",
     "ET MALWARE Observed Malicious SSL Cert (QakBot)", "tls", false},
    {2008578, 2, "Attempted Information Leak", "ET SCAN Sipvicious Scan", NULL, true},
    {2011716, 2, "Web Application Attack", "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT",
     "http", true},
    {2009582, 2, "Attempted Information Leak", "ET SCAN NMAP -sS window 1024", NULL, true},
    {2019401, 3, "Potentially Bad Traffic", "ET POLICY Vulnerable Java Version 1.8.x Detected",
     "http", false},
    {2026731, 1, "Attempted Administrator Privilege Gain",
     "ET SCADA Modbus Write Multiple Registers from External Host", "modbus", true},
    {2026732, 1, "Attempted Administrator Privilege Gain",
     "ET SCADA DNP3 Unsolicited Response Disable from External Host", "dnp3", true},
    {2026733, 1, "Attempted Administrator Privilege Gain",
     "ET SCADA IEC-104 Single Command from External Host", "iec104", true},
    {2026734, 1, "Attempted Administrator Privilege Gain", "ET SCADA S7comm PLC Stop Request",
     "s7comm", true},
    {2029022, 2, "Misc activity", "ET INFO Suspicious Domain (*.top) in TLS SNI", "tls", false},
    {2012648, 2, "Potentially Bad Traffic", "ET POLICY Dropbox Client Broadcasting", NULL, false},
    {2025275, 1, "Attempted User Privilege Gain", "ET EXPLOIT Possible EternalBlue MS17-010 Echo Request",
     NULL, true},
};

static const char *const domains[] = {
    "www.gov.example",      "mail.example.org",    "updates.vendor.example", "api.ipify.org",
    "cdn.example.net",      "time.example.com",    "login.example.com",      "scada-vendor.example",
    "weather.example.org",  "maps.example.com",    "telemetry.example.io",   "x7f3kq.top",
    "files.example.cloud",  "metrics.example.com", "ocsp.example-ca.com",    "www.example.edu",
};

static const char *const urls[] = {
    "/", "/index.html", "/api/v1/status", "/login", "/favicon.ico", "/update/check?v=4.2.1",
    "/wp-login.php", "/images/logo.png", "/cgi-bin/luci", "/rest/orders/1/?a=x",
};

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "curl/8.5.0", "Microsoft-CryptoAPI/10.0", "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
};

#define NREMOTE 4096
static uint32_t remote[NREMOTE];

static void remote_init(void)
{
    static const uint8_t first[] = {23, 31, 45, 52, 61, 77, 91, 104, 139, 151, 185, 193, 203, 211};
    for (int i = 0; i < NREMOTE; i++)
        remote[i] = (uint32_t)first[rnd_n(sizeof(first))] << 24 | (uint32_t)(rnd() & 0xffffff);
}

struct addr {
    char s[16];
};

static struct addr ip_remote(void)
{
    struct addr a;
    uint32_t v = remote[rnd_skew(NREMOTE)];
    snprintf(a.s, sizeof(a.s), "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
             (v & 255) | 1);
    return a;
}

static struct addr ip_local(const struct fill_sensor *se, bool server)
{
    struct addr a;
    /* servers (PLCs, outstations) sit low in the /24, workstations above */
    unsigned h = server ? 2 + rnd_skew(16) : 20 + rnd_skew(230);
    snprintf(a.s, sizeof(a.s), "10.%d.%d.%u", se->district, se->org, h);
    return a;
}

static void ts_fmt(int64_t us, char out[64])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (unsigned)(us % 1000000) % 1000000u);
}

/* One EVE record (one line, with its \n) for `se` at time us. */
static void gen_event(struct obuf *b, const struct fill_sensor *se, int64_t us, uint64_t serial)
{
    char ts[64], start[64];
    ts_fmt(us, ts);
    uint64_t flow_id = (serial * 0x9E3779B97F4A7C15ULL) & 0x7ffffffffffffULL;
    uint32_t r = rnd_n(100);
    struct addr cli = ip_local(se, false), srv = ip_remote();
    unsigned sport = 1024 + rnd_n(64000);

#define HEAD(type, proto, dport, app)                                                             \
    ob_printf(b,                                                                                  \
              "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",\"in_iface\":\"eth0\",\"event_type\":" \
              "\"" type "\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,"   \
              "\"ip_v\":4,\"proto\":\"" proto "\"%s%s%s",                                          \
              ts, flow_id, cli.s, sport, srv.s, (unsigned)(dport), app ? ",\"app_proto\":\"" : "",   \
              app ? (const char *)app : "", app ? "\"" : "")

    if (r < 38) { /* flow */
        static const struct {
            const char *proto, *app;
            unsigned port;
        } fl[] = {{"TCP", "tls", 443}, {"UDP", "dns", 53},   {"TCP", "http", 80},
                  {"TCP", NULL, 22},    {"UDP", NULL, 123},   {"TCP", "modbus", 502},
                  {"TCP", "smb", 445},  {"TCP", "tls", 8443}, {"UDP", NULL, 5353}};
        unsigned k = rnd_skew(CS_ARRAY_LEN(fl));
        bool tcp = fl[k].proto[0] == 'T';
        uint32_t age = rnd_skew(600);
        uint32_t pts = 1 + rnd_skew(2000), ptc = tcp ? 1 + rnd_skew(3000) : rnd_n(2);
        ts_fmt(us - (int64_t)age * 1000000 - rnd_n(1000000), start);
        if (fl[k].port == 502)
            srv = ip_local(se, true);
        if (tcp)
            HEAD("flow", "TCP", fl[k].port, fl[k].app);
        else
            HEAD("flow", "UDP", fl[k].port, fl[k].app);
        ob_printf(b,
                  ",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
                  "\"bytes_toclient\":%u,\"start\":\"%s\",\"end\":\"%s\",\"age\":%u,\"state\":"
                  "\"%s\",\"reason\":\"%s\",\"alerted\":%s}%s}\n",
                  pts, ptc, pts * (60 + rnd_n(900)), ptc * (60 + rnd_n(1400)), start, ts, age,
                  tcp ? (rnd_n(10) ? "closed" : "established") : "new",
                  rnd_n(5) ? "timeout" : "shutdown", rnd_n(50) ? "false" : "true",
                  tcp ? ",\"tcp\":{\"tcp_flags\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,"
                        "\"ack\":true,\"state\":\"closed\"}"
                      : "");
    } else if (r < 56) { /* dns */
        static const char *const rr[] = {"A", "AAAA", "HTTPS", "PTR", "TXT", "MX"};
        const char *q = domains[rnd_skew(CS_ARRAY_LEN(domains))];
        const char *t = rr[rnd_skew(CS_ARRAY_LEN(rr))];
        bool answer = rnd_n(2);
        snprintf(srv.s, sizeof(srv.s), "10.%d.0.53", se->district);
        HEAD("dns", "UDP", 53, "dns");
        if (!answer)
            ob_printf(b,
                      ",\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":0,\"id\":%u,"
                      "\"flags\":\"100\",\"rd\":true,\"opcode\":0,\"rrname\":\"%s\","
                      "\"rrtype\":\"%s\"}}\n",
                      rnd_n(65536), q, t);
        else
            ob_printf(b,
                      ",\"dns\":{\"version\":3,\"type\":\"answer\",\"tx_id\":0,\"id\":%u,"
                      "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
                      "\"rcode\":\"%s\",\"queries\":[{\"rrname\":\"%s\",\"rrtype\":\"%s\"}],"
                      "\"answers\":[{\"rrname\":\"%s\",\"rrtype\":\"A\",\"ttl\":%u,"
                      "\"rdata\":\"%s\"}]}}\n",
                      rnd_n(65536), rnd_n(20) ? "NOERROR" : "NXDOMAIN", q, t, q, 30 + rnd_n(3600),
                      ip_remote().s);
    } else if (r < 65) { /* http */
        static const char *const methods[] = {"GET", "POST", "HEAD", "PUT"};
        static const unsigned status[] = {200, 304, 404, 301, 500, 403};
        HEAD("http", "TCP", 80, "http");
        ob_printf(b,
                  ",\"tx_id\":%u,\"http\":{\"hostname\":\"%s\",\"url\":\"%s\","
                  "\"http_user_agent\":\"%s\",\"http_content_type\":\"text/html\","
                  "\"http_method\":\"%s\",\"protocol\":\"HTTP/1.1\",\"status\":%u,\"length\":%u}}\n",
                  rnd_n(4), domains[rnd_skew(CS_ARRAY_LEN(domains))],
                  urls[rnd_skew(CS_ARRAY_LEN(urls))], agents[rnd_skew(CS_ARRAY_LEN(agents))],
                  methods[rnd_skew(CS_ARRAY_LEN(methods))], status[rnd_skew(CS_ARRAY_LEN(status))],
                  rnd_skew(200000));
    } else if (r < 74) { /* tls */
        static const char *const ver[] = {"TLS 1.3", "TLS 1.2", "TLS 1.2", "TLS 1.0"};
        HEAD("tls", "TCP", 443, "tls");
        ob_printf(b,
                  ",\"tls\":{\"subject\":\"CN=%s\",\"issuerdn\":\"C=US, O=Example CA, CN=Example "
                  "TLS RSA CA G%u\",\"serial\":\"0A:%02X:%02X:%02X\",\"fingerprint\":"
                  "\"%016" PRIx64 "%08x\",\"sni\":\"%s\",\"version\":\"%s\",\"notbefore\":"
                  "\"2026-01-0%uT00:00:00\",\"notafter\":\"2027-01-0%uT23:59:59\",\"ja3\":{\"hash\":"
                  "\"%016" PRIx64 "%016" PRIx64 "\"},\"ja4\":\"t13d1516h2_8daaf6152771_%012" PRIx64
                  "\"}}\n",
                  domains[rnd_skew(CS_ARRAY_LEN(domains))], 1 + rnd_n(3), rnd_n(256), rnd_n(256),
                  rnd_n(256), rnd(), (unsigned)rnd(), domains[rnd_skew(CS_ARRAY_LEN(domains))],
                  ver[rnd_skew(CS_ARRAY_LEN(ver))], 1 + rnd_n(9), 1 + rnd_n(9),
                  (uint64_t)(rnd() & 0xffff0000ffffULL), rnd() | 1, (uint64_t)(rnd() & 0xffffffffffffULL));
    } else if (r < 82) { /* alert */
        const struct sig *g = &sigs[rnd_skew(CS_ARRAY_LEN(sigs))];
        unsigned dport = !g->app_proto                      ? (unsigned[]){1433, 22, 445, 5060, 3389}[rnd_n(5)]
                         : !strcmp(g->app_proto, "http")   ? 80
                         : !strcmp(g->app_proto, "tls")    ? 443
                         : !strcmp(g->app_proto, "dns")    ? 53
                         : !strcmp(g->app_proto, "modbus") ? 502
                         : !strcmp(g->app_proto, "dnp3")   ? 20000
                         : !strcmp(g->app_proto, "iec104") ? 2404
                                                           : 102;
        if (g->inbound) {
            struct addr t = cli;
            cli = ip_remote();
            srv = g->app_proto && dport != 80 && dport != 443 ? ip_local(se, true) : t;
        }
        ts_fmt(us - rnd_n(30000000), start);
        HEAD("alert", "TCP", dport, g->app_proto);
        ob_printf(b,
                  ",\"pkt_src\":\"wire/pcap\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
                  "\"signature_id\":%u,\"rev\":%u,\"signature\":\"%s\",\"category\":\"%s\","
                  "\"severity\":%d,\"metadata\":{\"created_at\":[\"2019_07_26\"],"
                  "\"updated_at\":[\"2024_03_0%u\"]}},\"direction\":\"to_server\",\"flow\":{"
                  "\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
                  "\"bytes_toclient\":%u,\"start\":\"%s\",\"src_ip\":\"%s\",\"dest_ip\":\"%s\","
                  "\"src_port\":%u,\"dest_port\":%u}}\n",
                  g->sid, 2 + rnd_n(8), g->msg, g->category, g->severity, 1 + rnd_n(9),
                  1 + rnd_n(20), rnd_n(20), 60 + rnd_n(4000), rnd_n(9000), start, cli.s, srv.s,
                  sport, dport);
    } else if (r < 87) { /* modbus */
        static const struct {
            unsigned raw;
            const char *name, *access, *cat;
        } fc[] = {{3, "RdHoldRegs", "READ | HOLDING", "PUBLIC_ASSIGNED"},
                  {4, "RdInputRegs", "READ | INPUT", "PUBLIC_ASSIGNED"},
                  {1, "RdCoils", "READ | COILS", "PUBLIC_ASSIGNED"},
                  {16, "WrMultRegs", "WRITE | HOLDING", "PUBLIC_ASSIGNED"},
                  {6, "WrSingleReg", "WRITE | HOLDING", "PUBLIC_ASSIGNED"}};
        unsigned k = rnd_skew(CS_ARRAY_LEN(fc)), tid = rnd_n(65536), unit = 1 + rnd_n(4);
        srv = ip_local(se, true);
        HEAD("modbus", "TCP", 502, "modbus");
        ob_printf(b,
                  ",\"modbus\":{\"id\":%u,\"request\":{\"transaction_id\":%u,\"protocol_id\":0,"
                  "\"unit_id\":%u,\"function_raw\":%u,\"function_code\":\"%s\",\"access_type\":"
                  "\"%s\",\"category\":\"%s\",\"error_flags\":\"NONE\",\"read\":{\"address\":%u,"
                  "\"quantity\":%u}},\"response\":{\"transaction_id\":%u,\"protocol_id\":0,"
                  "\"unit_id\":%u,\"function_raw\":%u,\"function_code\":\"%s\",\"access_type\":"
                  "\"%s\",\"category\":\"%s\",\"error_flags\":\"NONE\"}}}\n",
                  rnd_n(100), tid, unit, fc[k].raw, fc[k].name, fc[k].access, fc[k].cat,
                  rnd_n(4000), 1 + rnd_n(64), tid, unit, fc[k].raw, fc[k].name, fc[k].access,
                  fc[k].cat);
    } else if (r < 91) { /* dnp3 */
        static const char *const fn[] = {"READ", "RESPONSE", "CONFIRM", "UNSOLICITED_RESPONSE",
                                         "DIRECT_OPERATE"};
        bool resp = rnd_n(2);
        unsigned f = rnd_skew(CS_ARRAY_LEN(fn));
        srv = ip_local(se, true);
        HEAD("dnp3", "TCP", 20000, "dnp3");
        ob_printf(b,
                  ",\"dnp3\":{\"type\":\"%s\",\"control\":{\"dir\":%s,\"pri\":true,\"fcb\":false,"
                  "\"fcv\":false,\"function_code\":%u},\"src\":%u,\"dst\":%u,\"application\":{"
                  "\"control\":{\"fir\":true,\"fin\":true,\"con\":false,\"uns\":%s,"
                  "\"sequence\":%u},\"function_code\":%u,\"objects\":[{\"group\":%u,"
                  "\"variation\":%u,\"qualifier\":6,\"prefix_code\":0,\"range_code\":6,"
                  "\"count\":0}],\"complete\":true}%s}}\n",
                  resp ? "response" : "request", resp ? "false" : "true", resp ? 4 : 3,
                  resp ? 10 : 1, resp ? 1 : 10, f == 3 ? "true" : "false", rnd_n(16),
                  f == 1 ? 129 : f == 3 ? 130 : f == 4 ? 5 : f == 2 ? 0 : 1,
                  (unsigned[]){60, 1, 30, 12}[rnd_n(4)], 1 + rnd_n(3),
                  resp ? ",\"iin\":{\"indicators\":[\"device_restart\"]}" : "");
    } else if (r < 94) { /* iec104 */
        static const char *const ty[] = {"M_ME_NC_1", "M_SP_NA_1", "M_ME_TF_1", "C_IC_NA_1",
                                         "C_SC_NA_1"};
        static const char *const cot[] = {"spont", "per/cyc", "inrogen", "act", "actcon"};
        unsigned k = rnd_skew(CS_ARRAY_LEN(ty));
        srv = ip_local(se, true);
        HEAD("iec104", "TCP", 2404, "iec104");
        ob_printf(b,
                  ",\"iec104\":{\"direction\":\"%s\",\"apci\":{\"type\":\"I\",\"tx\":%u,"
                  "\"rx\":%u},\"asdu\":{\"type_id\":%u,\"type\":\"%s\",\"sq\":false,\"num\":1,"
                  "\"cot\":%u,\"cot_name\":\"%s\",\"negative\":false,\"test\":false,"
                  "\"oa\":0,\"ca\":%u,\"objects\":[{\"ioa\":%u,\"value\":%d.%u,\"ov\":false,"
                  "\"bl\":false,\"sb\":false,\"nt\":false,\"iv\":false}]}}}\n",
                  k < 3 ? "toclient" : "toserver", rnd_n(32768), rnd_n(32768),
                  (unsigned[]){13, 1, 36, 100, 45}[k], ty[k], 1 + rnd_n(7),
                  cot[rnd_skew(CS_ARRAY_LEN(cot))], 1 + rnd_n(8), 1000 + rnd_n(2000),
                  (int)rnd_n(500) - 100, rnd_n(100));
    } else if (r < 97) { /* s7comm */
        static const char *const fn[] = {"read_var", "write_var", "setup_communication",
                                         "plc_stop", "upload"};
        unsigned k = rnd_skew(CS_ARRAY_LEN(fn));
        srv = ip_local(se, true);
        HEAD("s7comm", "TCP", 102, "s7comm");
        ob_printf(b,
                  ",\"s7comm\":{\"direction\":\"toserver\",\"cotp\":{\"type\":\"DT\"},"
                  "\"protocol\":\"s7comm\",\"rosctr\":\"job\",\"pdu_ref\":%u,\"function\":\"%s\","
                  "\"items\":[{\"area\":\"DB\",\"db\":%u,\"address\":%u,\"length\":%u}]}}\n",
                  rnd_n(65536), fn[k], 1 + rnd_n(100), rnd_n(1000) * 8, 1 + rnd_n(32));
    } else if (r < 99) { /* anomaly */
        static const char *const ev[] = {"stream.pkt_invalid_ack", "dns.malformed_data",
                                         "decoder.ipv4.opt_pad_required",
                                         "applayer_mismatch_protocol_both_directions"};
        unsigned k = rnd_skew(CS_ARRAY_LEN(ev));
        HEAD("anomaly", "TCP", 443, NULL);
        ob_printf(b, ",\"anomaly\":{\"type\":\"%s\",\"event\":\"%s\",\"layer\":\"%s\"}}\n",
                  k == 2 ? "decode" : k == 3 ? "applayer" : "stream", ev[k],
                  k == 1 ? "dns" : k == 0 ? "proto_detect" : "decoder");
    } else { /* stats: the sensor's counters, no addresses */
        uint64_t pk = serial * 97 + rnd_n(1000);
        ob_printf(b,
                  "{\"timestamp\":\"%s\",\"event_type\":\"stats\",\"stats\":{\"uptime\":%u,"
                  "\"capture\":{\"kernel_packets\":%" PRIu64 ",\"kernel_drops\":%u,\"errors\":0},"
                  "\"decoder\":{\"pkts\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"ipv4\":%" PRIu64
                  ",\"ipv6\":%u,\"tcp\":%" PRIu64 ",\"udp\":%" PRIu64 "},\"flow\":{\"memuse\":%u,"
                  "\"active\":%u},\"detect\":{\"alert\":%u},\"app_layer\":{\"flow\":{\"http\":%u,"
                  "\"tls\":%u,\"dns\":%u,\"modbus\":%u,\"dnp3\":%u,\"iec104\":%u,\"s7comm\":%u}}}}\n",
                  ts, rnd_n(86400 * 30), pk, rnd_n(100), pk, pk * 700, pk - pk / 50, rnd_n(1000),
                  pk / 2, pk / 3, 7000000 + rnd_n(1000000), rnd_n(20000), rnd_n(5000),
                  rnd_n(90000), rnd_n(90000), rnd_n(90000), rnd_n(9000), rnd_n(9000),
                  rnd_n(9000), rnd_n(9000));
    }
#undef HEAD
}

/* ---- setup ------------------------------------------------------------------------------ */

struct fill {
    struct hub_config cfg;
    struct hub_store *store;
    struct hub_api *api;
    struct gm_sm2_key *hub_key;
    uint8_t tkey[HUB_TOKEN_KEY_MAX];
    size_t tkeylen;
    FILE *creds;
    bool quiet;
};

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hub_fill: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static void audit(struct fill *f, const char *action, const char *what, int64_t id)
{
    char target[64];
    snprintf(target, sizeof(target), "%s:%" PRId64, what, id);
    hub_api_audit(f->api, "hub_fill", "cli", action, target, "local", NULL, NULL);
}

/* The org `name` under parent_id, created when missing. */
static int org_ensure(struct fill *f, const char *name, const char *kind, const char *tags,
                      int64_t parent_id, struct hub_org *o)
{
    if (hub_store_org_find(f->store, &HUB_SCOPE_SYSTEM, name, o) == CS_OK)
        return CS_OK;
    memset(o, 0, sizeof(*o));
    snprintf(o->name, sizeof(o->name), "%s", name);
    snprintf(o->kind, sizeof(o->kind), "%s", kind);
    snprintf(o->tags, sizeof(o->tags), "%s", tags);
    o->parent_id = parent_id;
    int rc = hub_store_org_add(f->store, &HUB_SCOPE_SYSTEM, o);
    if (rc == CS_OK)
        audit(f, "org.create", "org", o->id);
    return rc;
}

static int user_ensure(struct fill *f, const char *name, enum hub_role role, int64_t org_id,
                       const char *pw)
{
    struct hub_user u;
    if (hub_store_user_find(f->store, &HUB_SCOPE_SYSTEM, name, &u) == CS_OK)
        return CS_OK;
    const char *why = NULL;
    int rc = hub_admin_user_add(f->store, &HUB_SCOPE_SYSTEM, &f->cfg.api.pw, name, pw, role,
                                org_id, &u, &why);
    if (rc)
        return die("user %s: %s", name, why ? why : cs_strerror(rc)), rc;
    audit(f, "user.create", "user", u.id);
    if (f->creds)
        fprintf(f->creds, "user %s %s org %" PRId64 " password %s\n", name, hub_role_name(role),
                org_id, pw);
    return CS_OK;
}

static int sensor_ensure(struct fill *f, const char *name, int64_t org_id, struct hub_sensor *se)
{
    if (hub_store_sensor_find(f->store, &HUB_SCOPE_SYSTEM, name, se) == CS_OK)
        return CS_OK;
    char token[HUB_TOKEN_STR_LEN + 1], *priv = NULL;
    int rc = hub_admin_sensor_add(f->store, &HUB_SCOPE_SYSTEM, f->tkey, f->tkeylen, name, org_id,
                                  NULL, se, token, &priv);
    if (priv) {
        gm_cleanse(priv, strlen(priv));
        cs_free(priv);
    }
    if (rc)
        return die("sensor %s: %s", name, cs_strerror(rc)), rc;
    audit(f, "sensor.create", "sensor", se->id);
    if (f->creds)
        fprintf(f->creds, "sensor %s id %" PRId64 " org %" PRId64 " token %s\n", name, se->id,
                org_id, token);
    return CS_OK;
}

static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return NULL;
}

static void usage(FILE *o)
{
    fprintf(o, "usage: hub_fill [-c hub.yaml] [--db URL] [--events N] [--days D | --from T --to T]\n"
               "                [--districts 3] [--orgs 4] [--sensors 2] [--batch 20000]\n"
               "                [--seed S] [--creds FILE] [--quiet]\n");
}

int main(int argc, char **argv)
{
    struct fill f = {0};
    struct cs_err err = {0};
    const char *known[] = {"-c", "--db", "--events", "--days", "--from", "--to", "--districts",
                           "--orgs", "--sensors", "--batch", "--seed", "--creds"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) {
            f.quiet = true;
            continue;
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        bool ok = false;
        for (size_t k = 0; k < CS_ARRAY_LEN(known); k++)
            ok |= !strcmp(argv[i], known[k]);
        if (!ok || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        i++;
    }
    hub_config_defaults(&f.cfg);
    const char *c = opt(argc, argv, "-c");
    if (c && hub_config_load(&f.cfg, c, &err) != CS_OK)
        return die("%s", err.msg);
    if (opt(argc, argv, "--db"))
        snprintf(f.cfg.database, sizeof(f.cfg.database), "%s", opt(argc, argv, "--db"));
    hub_config_finish(&f.cfg);

    int64_t nev = opt(argc, argv, "--events") ? atoll(opt(argc, argv, "--events")) : 1000000;
    int nd = opt(argc, argv, "--districts") ? atoi(opt(argc, argv, "--districts")) : 3;
    int no = opt(argc, argv, "--orgs") ? atoi(opt(argc, argv, "--orgs")) : 4;
    int ns = opt(argc, argv, "--sensors") ? atoi(opt(argc, argv, "--sensors")) : 2;
    int64_t bsz = opt(argc, argv, "--batch") ? atoll(opt(argc, argv, "--batch")) : 20000;
    uint64_t seed = opt(argc, argv, "--seed") ? strtoull(opt(argc, argv, "--seed"), NULL, 10) : 1;
    double days = opt(argc, argv, "--days") ? atof(opt(argc, argv, "--days")) : 7;
    int64_t to = (int64_t)cs_time_now_us(), from = to - (int64_t)(days * 86400e6);
    if (opt(argc, argv, "--from") && !hub_parse_time(opt(argc, argv, "--from"), &from))
        return die("--from: not a time");
    if (opt(argc, argv, "--to") && !hub_parse_time(opt(argc, argv, "--to"), &to))
        return die("--to: not a time");
    if (nev < 0 || nd < 1 || nd > 250 || no < 1 || no > 250 || ns < 1 || ns > 100 || bsz < 1 ||
        bsz > 1000000 || to <= from || days <= 0)
        return die("an option is out of range");
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
    remote_init();

    if (hub_store_open(f.cfg.database, 1, &f.store, &err) != CS_OK)
        return die("%s", err.msg);
    int rc = 1;
    struct fill_sensor *sens = NULL;
    struct hub_store_event *sev = NULL;
    struct obuf body = {0};
    struct hub_batch b;
    hub_batch_init(&b);
    if (hub_token_key_load(f.cfg.token_key_file, f.tkey, sizeof(f.tkey), &f.tkeylen, &err)) {
        die("%s", err.msg);
        goto out;
    }
    if (hub_key_load_or_create(f.cfg.audit_key_file, NULL, &f.hub_key, NULL) != CS_OK) {
        die("cannot load or create the hub key %s", f.cfg.audit_key_file);
        goto out;
    }
    f.api = hub_api_new(f.store, &f.cfg.api, f.tkey, f.tkeylen, f.hub_key);
    if (!f.api) {
        die("out of memory");
        goto out;
    }
    if (opt(argc, argv, "--creds") && !(f.creds = fopen(opt(argc, argv, "--creds"), "a"))) {
        die("cannot open %s", opt(argc, argv, "--creds"));
        goto out;
    }

    /* The city, its districts, organisations, sensors and users. */
    const char *pw = getenv("CITYSOC_PASSWORD") ? getenv("CITYSOC_PASSWORD") : "fill-password-1";
    struct hub_org city, dist, org;
    if (org_ensure(&f, "city", "city", "", 0, &city)) {
        die("cannot create the city");
        goto out;
    }
    if (user_ensure(&f, "city-admin", HUB_ROLE_ADMIN, city.id, pw))
        goto out;
    sens = cs_calloc((size_t)(nd * no * ns), sizeof(*sens));
    if (!sens)
        goto out;
    int nsens = 0;
    for (int d = 1; d <= nd; d++) {
        char name[64];
        snprintf(name, sizeof(name), "district-%d", d);
        if (org_ensure(&f, name, "district", "", city.id, &dist)) {
            die("cannot create %s", name);
            goto out;
        }
        if (d == 1) {
            if (user_ensure(&f, "district-1-analyst", HUB_ROLE_ANALYST, dist.id, pw))
                goto out;
        }
        for (int o = 1; o <= no; o++) {
            int kind = (d * 3 + o) % (int)CS_ARRAY_LEN(org_kinds);
            snprintf(name, sizeof(name), "d%d-%s-%d", d, org_kinds[kind][0], o);
            if (org_ensure(&f, name, "org", org_kinds[kind][1], dist.id, &org)) {
                die("cannot create %s", name);
                goto out;
            }
            if (d == 1 && o == 1) {
                char uname[96];
                snprintf(uname, sizeof(uname), "%s-viewer", name);
                if (user_ensure(&f, uname, HUB_ROLE_VIEWER, org.id, pw))
                    goto out;
            }
            for (int s = 1; s <= ns; s++) {
                struct hub_sensor se;
                struct fill_sensor *fs = &sens[nsens++];
                snprintf(fs->name, sizeof(fs->name), "%s-s%d", name, s);
                if (sensor_ensure(&f, fs->name, org.id, &se))
                    goto out;
                fs->id = se.id;
                fs->org_id = se.org_id;
                fs->district = d;
                fs->org = o;
            }
        }
    }

    /* The events: batch k holds events k*bsz.. of one sensor, in time order overall. */
    sev = cs_malloc((size_t)bsz * sizeof(*sev));
    body.cap = (size_t)bsz * 700 + 4096;
    body.p = cs_malloc(body.cap);
    if (!sev || !body.p) {
        die("out of memory");
        goto out;
    }
    b.max_decoded = (size_t)1 << 31;
    int64_t nbatch = (nev + bsz - 1) / bsz, stored = 0, dup = 0;
    double span = (double)(to - from);
    uint64_t t0 = cs_time_mono_us(), tlast = t0;
    for (int64_t k = 0; k < nbatch; k++) {
        int64_t first = k * bsz, n = CS_MIN(bsz, nev - first);
        const struct fill_sensor *se = &sens[rnd_n((uint32_t)nsens)];
        body.len = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t us = from + (int64_t)(span * (double)(first + i) / (double)nev);
            gen_event(&body, se, us, seed * 1000000000000ULL + (uint64_t)(first + i));
        }
        if (body.oom) {
            die("out of memory");
            goto out;
        }
        hub_batch_reset(&b);
        if (hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, HUB_ENC_IDENTITY, body.p, body.len, &err) ||
            b.nerrors) {
            die("batch %" PRId64 ": %s", k,
                b.nerrors_kept ? b.errors[0].msg : err.msg[0] ? err.msg : "decode failed");
            goto out;
        }
        int64_t now = (int64_t)cs_time_now_us();
        for (size_t i = 0; i < b.nevents; i++)
            hub_event_to_store(&b.events[i], now, &sev[i]);
        char id[64];
        snprintf(id, sizeof(id), "fill-%" PRIu64 "-%" PRId64, seed, k);
        struct hub_store_batch sb = {
            .sensor_id = se->id, .org_id = se->org_id, .batch_id = id, .received_us = now};
        struct hub_store_batch_result res;
        int src = hub_store_batch_add(f.store, &sb, sev, b.nevents, &res);
        if (src) {
            die("storing batch %s: %s", id, cs_strerror(src));
            goto out;
        }
        if (res.duplicate)
            dup += (int64_t)b.nevents;
        else
            stored += res.stored;
        uint64_t t = cs_time_mono_us();
        if (!f.quiet && (t - tlast > 5000000 || k + 1 == nbatch)) {
            tlast = t;
            fprintf(stderr, "hub_fill: %" PRId64 "/%" PRId64 " events, %.0f events/s\n",
                    first + n, nev, (double)(first + n) / ((double)(t - t0) / 1e6));
        }
    }
    double secs = (double)(cs_time_mono_us() - t0) / 1e6;
    printf("hub_fill: %s: %" PRId64 " events stored, %" PRId64 " already there, %d sensors in "
           "%d organisations, %.1f s (%.0f events/s)\n",
           f.cfg.database, stored, dup, nsens, nd * no, secs,
           secs > 0 ? (double)(stored + dup) / secs : 0.0);
    rc = 0;
out:
    hub_batch_free(&b);
    cs_free(body.p);
    cs_free(sev);
    cs_free(sens);
    if (f.creds)
        fclose(f.creds);
    if (f.api) {
        hub_api_audit_checkpoint(f.api);
        hub_api_free(f.api);
    }
    gm_sm2_key_free(f.hub_key);
    hub_store_close(f.store);
    gm_cleanse(f.tkey, sizeof(f.tkey));
    return rc;
}
