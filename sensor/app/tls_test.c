/* tls_test.c — TLS/TLCP parser: real captures through the whole pipeline (also cut into 1-byte
 * deliveries), sessions built here from the message layouts (TLCP with SM2 certificates made
 * with OpenSSL, malformed records and hellos) written as pcaps, and the fingerprint helpers.
 * Expected values: JA3/JA3S checked with tshark (tls.handshake.ja3 / ja3s), certificate and
 * version fields with suricata-verify's tls-eve-custom-fields, tls13-draft28 and
 * community-id-ipv4 expectations; JA4 against the FoxIO Chrome example (cipher part). */
#include "app_test_util.h"
#include "tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#define TLS_EV "\"event_type\":\"tls\""

CS_TEST(tls_sv_client_auth)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/tls-client-auth.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, NULL), 1);
    CHECK_EQ(app_test_count(&r, TLS_EV,
                            "\"subject\":\"C=HU, ST=Budapest, L=Budapest, "
                            "O=TLSClientAuthSampleServer, CN=SampleServer\"",
                            "\"issuerdn\":\"C=HU, ST=Budapest, L=Budapest, O=TLSClientAuthSampleCA, "
                            "CN=SampleRoot\"",
                            "\"subjectaltname\":[\"localhost\"]",
                            "\"serial\":\"00:C7:D4:28:8B:80:E0:1E:25\"",
                            "\"fingerprint\":\"06:39:f9:5d:fe:81:53:c4:9d:f0:ac:80:3e:2d:42:07:e8:96:"
                            "de:09\"",
                            "\"sni\":\"localhost\"", "\"version\":\"TLS 1.2\"",
                            "\"notbefore\":\"2018-04-14T20:55:27\"",
                            "\"notafter\":\"2018-05-14T20:55:27\"",
                            "\"client\":{\"subject\":", "\"serial\":\"00:C7:D4:28:8B:80:E0:1E:27\"",
                            NULL),
             1);
    /* no certificate where the client's object would need one */
    CHECK_EQ(app_test_count(&r, "\"certificate\":", NULL), 0);
    app_test_free(&r);
}

CS_TEST(tls12_ja3_tshark)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/tls1.2.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"ja3\":{\"hash\":\"bd9c99b3a0f752c3ab8b052a79e9de3e\"",
                            "\"ja3s\":{\"hash\":\"c253ec3ad88e42f8da4032682892f9a0\","
                            "\"string\":\"771,4,65281\"}",
                            "\"serial\":\"00:99:FA:A8:03:7A:4E:B2:FA:EF:84:EB:5E:55:D5:B8:C8\"",
                            "street=Suite 400, street=4140 Dublin Boulevard", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"tls.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(tls12_alpn_chrome34)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/chrome-34-google.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"sni\":\"google.de\"",
                            "\"ja3\":{\"hash\":\"a607f3a5c94c2ee592af1456f36c8367\"",
                            "\"ja3s\":{\"hash\":\"9f5e2e0d84076af5475bbe44debdb03e\"",
                            "\"client_alpns\":[\"spdy/3\",\"spdy/3.1\",\"http/1.1\"]",
                            "\"server_alpns\":[\"spdy/3.1\"]", "\"ja4\":\"t12d2011s3_", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(tls13_community_id_and_alpn)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/community-id-ipv4.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"src_port\":35958", "\"sni\":\"ipv4.google.com\"",
                            "\"version\":\"TLS 1.3\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"subject\"", NULL), 0); /* certificates encrypted */
    app_test_free(&r);

    r = app_test_run_both("pcaps/tls/ja4-tls-quic.pcap", &same);
    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"client_alpns\":[\"h2\",\"http/1.1\"]",
                            "\"ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(tls13_draft28_two_sessions)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/tls13_draft28.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"sni\":\"localhost\"",
                            "\"version\":\"TLS 1.3 draft-28\"", NULL),
             2);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"ja3\":{\"hash\":\"d00857e0c8e7a7f35e446508c6233460\"",
                            "-65281-0-45-41,23,0\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"ja3\":{\"hash\":\"43202faa1c8c1760d6f7f4bd9adde4ab\"",
                            NULL),
             1);
    app_test_free(&r);
}

CS_TEST(tls13_hrr_and_fragmented_hello)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/hrr.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: JA3 of the first ClientHello, JA3S of the HelloRetryRequest's ServerHello */
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"version\":\"TLS 1.3\"",
                            "\"ja3\":{\"hash\":\"0f14b679807628ec7f9c02cada3ee941\"",
                            "\"ja3s\":{\"hash\":\"15af977ce25de452b96affa2addb1036\"", NULL),
             1);
    app_test_free(&r);

    /* ClientHello cut over several 300-byte segments */
    r = app_test_run_both("pcaps/tls/dump_mtu300.pcap", &same);
    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"sni\":\"www.google.com\"",
                            "\"subject\":\"CN=www.google.com\"",
                            "\"ja3\":{\"hash\":\"a64c29923906f2a1be278be1da0714fa\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(tls_sslv2_and_heartbleed)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/tls/ssl-v2.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"version\":\"SSLv2\"", "CN=plesk", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"tls.", NULL), 0);
    app_test_free(&r);

    r = app_test_run_both("pcaps/tls/heartbleed.pcap", &same);
    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event\":\"tls.heartbeat_message\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"tls.overflow_heartbeat_message\"", NULL), 1);
    app_test_free(&r);
}

/* ---- captures built here ------------------------------------------------------------- */

struct sess {
    pcap_dumper_t *d;
    uint32_t seq[2];
    uint64_t ts;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* One Ethernet/IPv4/TCP frame from 10.0.0.1:40000 (dir 0) or 10.0.0.2:443 (dir 1). */
static void frame(struct sess *s, int dir, uint8_t flags, const uint8_t *pl, uint32_t n)
{
    uint8_t buf[1600] = {0};
    struct pcap_pkthdr h;
    uint8_t *ip = buf + 14, *tcp = ip + 20;
    uint32_t sum = 0;

    buf[12] = 0x08;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(40 + n));
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, dir ? 0x0a000002 : 0x0a000001);
    put32(ip + 16, dir ? 0x0a000001 : 0x0a000002);
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, (uint16_t)~sum);
    put16(tcp, dir ? 443 : 40000);
    put16(tcp + 2, dir ? 40000 : 443);
    put32(tcp + 4, s->seq[dir]);
    put32(tcp + 8, (flags & SN_TH_ACK) ? s->seq[dir ^ 1] : 0);
    tcp[12] = 0x50;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (n)
        memcpy(tcp + 20, pl, n);
    s->seq[dir] += n + ((flags & (SN_TH_SYN | SN_TH_FIN)) ? 1 : 0);
    s->ts += 1000;
    h.ts.tv_sec = (time_t)(1700000000 + s->ts / 1000000);
    h.ts.tv_usec = (suseconds_t)(s->ts % 1000000);
    h.caplen = h.len = 54 + n;
    pcap_dump((u_char *)s->d, &h, buf);
}

static void sess_open(struct sess *s, pcap_t **pd, const char *path)
{
    memset(s, 0, sizeof(*s));
    *pd = pcap_open_dead(DLT_EN10MB, 65535);
    s->d = pcap_dump_open(*pd, path);
    s->seq[0] = 1000;
    s->seq[1] = 5000;
    frame(s, 0, SN_TH_SYN, NULL, 0);
    frame(s, 1, SN_TH_SYN | SN_TH_ACK, NULL, 0);
    frame(s, 0, SN_TH_ACK, NULL, 0);
}

/* Sends data in segments of at most 1400 bytes. */
static void sess_send(struct sess *s, int dir, const uint8_t *d, uint32_t n)
{
    for (uint32_t off = 0; off < n; off += 1400) {
        uint32_t k = CS_MIN(1400, n - off);
        frame(s, dir, SN_TH_ACK | SN_TH_PUSH, d + off, k);
    }
}

static void sess_close(struct sess *s, pcap_t *pd)
{
    frame(s, 0, SN_TH_FIN | SN_TH_ACK, NULL, 0);
    frame(s, 1, SN_TH_FIN | SN_TH_ACK, NULL, 0);
    frame(s, 0, SN_TH_ACK, NULL, 0);
    pcap_dump_close(s->d);
    pcap_close(pd);
}

/* Message builder */
struct mb {
    uint8_t b[16384];
    uint32_t n;
};

static void mb_put(struct mb *m, const void *d, uint32_t n)
{
    if (m->n + n <= sizeof(m->b)) {
        memcpy(m->b + m->n, d, n);
        m->n += n;
    }
}

static void mb_u8(struct mb *m, uint8_t v)
{
    mb_put(m, &v, 1);
}

static void mb_u16(struct mb *m, uint16_t v)
{
    uint8_t b[2];
    put16(b, v);
    mb_put(m, b, 2);
}

static void mb_u24(struct mb *m, uint32_t v)
{
    uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    mb_put(m, b, 3);
}

/* Wraps body as a record of type/version. */
static void mb_record(struct mb *out, uint8_t type, uint16_t ver, const struct mb *body)
{
    mb_u8(out, type);
    mb_u16(out, ver);
    mb_u16(out, (uint16_t)body->n);
    mb_put(out, body->b, body->n);
}

static void mb_hs(struct mb *out, uint8_t type, const struct mb *body)
{
    mb_u8(out, type);
    mb_u24(out, body->n);
    mb_put(out, body->b, body->n);
}

/* An SM2 certificate signed with SM3 (self-signed when ca_key is NULL). DER in out. */
static bool sm2_cert(const char *cn, long serial, EVP_PKEY *key, EVP_PKEY *ca_key,
                     const char *ca_cn, struct mb *out)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new(), *in = X509_NAME_new();
    unsigned char *der = NULL;
    int len;
    bool ok = false;

    if (!x || !n || !in)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"CN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"citysoc", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(in, "C", MBSTRING_ASC, (const unsigned char *)"CN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)ca_cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, in);
    ASN1_TIME_set(X509_getm_notBefore(x), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1800000000);
    X509_set_pubkey(x, key);
    if (!X509_sign(x, ca_key ? ca_key : key, EVP_sm3()))
        goto out;
    len = i2d_X509(x, &der);
    if (len <= 0)
        goto out;
    out->n = 0;
    mb_put(out, der, (uint32_t)len);
    ok = out->n == (uint32_t)len;
out:
    OPENSSL_free(der);
    X509_NAME_free(n);
    X509_NAME_free(in);
    X509_free(x);
    return ok;
}

static char tmpdir[64];

static const char *tmp_pcap(const char *name, char *buf, size_t n)
{
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/cs-tlstest-XXXXXX");
        if (!mkdtemp(tmpdir))
            return NULL;
    }
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

/* Runs a pcap from the temp dir (through CS_TEST_DATA) normally and with 1-byte deliveries. */
static struct app_run run_tmp(const char *name, bool *same)
{
    const char *old = getenv("CS_TEST_DATA");
    char *saved = old ? strdup(old) : NULL;
    struct app_run r;

    setenv("CS_TEST_DATA", tmpdir, 1);
    r = app_test_run_both(name, same);
    if (saved) {
        setenv("CS_TEST_DATA", saved, 1);
        free(saved);
    } else {
        unsetenv("CS_TEST_DATA");
    }
    return r;
}

static void client_hello(struct mb *rec, uint16_t ver, const uint16_t *suites, int nsuites,
                         const struct mb *exts)
{
    struct mb ch = {0}, hs = {0};

    mb_u16(&ch, ver);
    for (int i = 0; i < 32; i++)
        mb_u8(&ch, (uint8_t)i);
    mb_u8(&ch, 0);
    mb_u16(&ch, (uint16_t)(2 * nsuites));
    for (int i = 0; i < nsuites; i++)
        mb_u16(&ch, suites[i]);
    mb_u8(&ch, 1);
    mb_u8(&ch, 0);
    if (exts) {
        mb_u16(&ch, (uint16_t)exts->n);
        mb_put(&ch, exts->b, exts->n);
    }
    mb_hs(&hs, 1, &ch);
    mb_record(rec, 22, ver == SN_TLS_V_TLCP ? ver : SN_TLS_V_TLS10, &hs);
}

CS_TEST(tlcp_double_certificate)
{
    static const uint16_t suites[] = {0xe053, 0xe051, 0xe013, 0xe011};
    EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    EVP_PKEY *sk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    EVP_PKEY *ek = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    static struct mb sign, enc, cacert, c2s, s2c, body, hs, tmp;
    struct sn_tls_cert parsed;
    char path[128], fp[96];
    struct sess s;
    pcap_t *pd;
    bool same;
    struct app_run r;

    REQUIRE(ca && sk && ek);
    REQUIRE(sm2_cert("tlcp-sign.example", 0x1001, sk, ca, "citysoc SM2 CA", &sign));
    REQUIRE(sm2_cert("tlcp-enc.example", 0x1002, ek, ca, "citysoc SM2 CA", &enc));
    REQUIRE(sm2_cert("citysoc SM2 CA", 0x01, ca, NULL, "citysoc SM2 CA", &cacert));
    /* the helper sees SM2 keys and gives the fingerprint we log */
    REQUIRE(sn_tls_cert_parse(&parsed, sign.b, sign.n) == CS_OK);
    CHECK(parsed.sm2);
    CHECK_STR(parsed.subject, "C=CN, O=citysoc, CN=tlcp-sign.example");
    CHECK_STR(parsed.serial, "10:01");
    snprintf(fp, sizeof(fp), "\"fingerprint\":\"%s\"", parsed.fingerprint);
    sn_tls_cert_clear(&parsed);

    /* client: ClientHello (GB/T 38636 6.4.5.2: version 1.1, no extensions) */
    memset(&c2s, 0, sizeof(c2s));
    client_hello(&c2s, SN_TLS_V_TLCP, suites, 4, NULL);
    /* server: ServerHello, Certificate (signing, encryption, CA), ServerKeyExchange,
     * ServerHelloDone in one record */
    memset(&hs, 0, sizeof(hs));
    memset(&body, 0, sizeof(body));
    mb_u16(&body, SN_TLS_V_TLCP);
    for (int i = 0; i < 32; i++)
        mb_u8(&body, (uint8_t)(0x80 + i));
    mb_u8(&body, 32);
    for (int i = 0; i < 32; i++)
        mb_u8(&body, 0x55);
    mb_u16(&body, 0xe013);
    mb_u8(&body, 0);
    mb_hs(&hs, 2, &body);
    memset(&body, 0, sizeof(body));
    mb_u24(&body, 9 + sign.n + enc.n + cacert.n);
    mb_u24(&body, sign.n);
    mb_put(&body, sign.b, sign.n);
    mb_u24(&body, enc.n);
    mb_put(&body, enc.b, enc.n);
    mb_u24(&body, cacert.n);
    mb_put(&body, cacert.b, cacert.n);
    mb_hs(&hs, 11, &body);
    memset(&body, 0, sizeof(body));
    mb_u16(&body, 72);
    for (int i = 0; i < 72; i++)
        mb_u8(&body, 0x30);
    mb_hs(&hs, 12, &body);
    memset(&body, 0, sizeof(body));
    mb_hs(&hs, 14, &body);
    memset(&s2c, 0, sizeof(s2c));
    mb_record(&s2c, 22, SN_TLS_V_TLCP, &hs);
    REQUIRE(s2c.n < sizeof(s2c.b) - 64);

    REQUIRE(tmp_pcap("tlcp.pcap", path, sizeof(path)));
    sess_open(&s, &pd, path);
    REQUIRE(s.d);
    sess_send(&s, 0, c2s.b, c2s.n);
    sess_send(&s, 1, s2c.b, s2c.n);
    /* client: ClientKeyExchange, ChangeCipherSpec, encrypted Finished */
    memset(&c2s, 0, sizeof(c2s));
    memset(&hs, 0, sizeof(hs));
    memset(&body, 0, sizeof(body));
    mb_u16(&body, 100);
    for (int i = 0; i < 100; i++)
        mb_u8(&body, 0x04);
    mb_hs(&hs, 16, &body);
    mb_record(&c2s, 22, SN_TLS_V_TLCP, &hs);
    memset(&tmp, 0, sizeof(tmp));
    mb_u8(&tmp, 1);
    mb_record(&c2s, 20, SN_TLS_V_TLCP, &tmp);
    memset(&tmp, 0, sizeof(tmp));
    for (int i = 0; i < 80; i++)
        mb_u8(&tmp, 0xa5);
    mb_record(&c2s, 22, SN_TLS_V_TLCP, &tmp);
    sess_send(&s, 0, c2s.b, c2s.n);
    memset(&s2c, 0, sizeof(s2c));
    memset(&tmp, 0, sizeof(tmp));
    mb_u8(&tmp, 1);
    mb_record(&s2c, 20, SN_TLS_V_TLCP, &tmp);
    memset(&tmp, 0, sizeof(tmp));
    for (int i = 0; i < 80; i++)
        mb_u8(&tmp, 0x5a);
    mb_record(&s2c, 22, SN_TLS_V_TLCP, &tmp);
    mb_record(&s2c, 23, SN_TLS_V_TLCP, &tmp);
    sess_send(&s, 1, s2c.b, s2c.n);
    sess_close(&s, pd);

    r = run_tmp("tlcp.pcap", &same);
    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, TLS_EV, "\"app_proto\":\"tls\"",
                            "\"subject\":\"C=CN, O=citysoc, CN=tlcp-sign.example\"",
                            "\"issuerdn\":\"C=CN, CN=citysoc SM2 CA\"", "\"serial\":\"10:01\"", fp,
                            "\"version\":\"TLCP\"", "\"notbefore\":\"2023-11-14T22:13:20\"",
                            "\"ja3\":{\"hash\":", "\"string\":\"257,57427-57425-57363-57361,,,\"",
                            "\"ja3s\":{\"hash\":", "\"string\":\"257,57363,\"",
                            "\"cipher_suite\":\"ECC_SM4_CBC_SM3\"",
                            "\"encryption_cert\":{\"subject\":\"C=CN, O=citysoc, "
                            "CN=tlcp-enc.example\"",
                            "\"serial\":\"10:02\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"tls.", NULL), 0);
    app_test_free(&r);
    EVP_PKEY_free(ca);
    EVP_PKEY_free(sk);
    EVP_PKEY_free(ek);
}

/* Malformed input: each case is a to-server stream and the event it must raise. */
CS_TEST(tls_malformed_events)
{
    static const uint16_t suites[] = {0x1301, 0xc02f};
    static struct mb c2s, exts, tmp;
    struct {
        const char *name;
        const char *event; /* NULL: no event */
    } cases[] = {
        {"sni_type", "tls.invalid_sni_type"},
        {"sni_len", "tls.invalid_sni_length"},
        {"sni_multi", "tls.multiple_sni_extensions"},
        {"rec_type", "tls.invalid_record_type"},
        {"rec_ver", "tls.invalid_record_version"},
        {"hs_len", "tls.invalid_handshake_message"},
        {"huge_hs", "tls.handshake_invalid_length"},
        {"alert_len", "tls.invalid_alert_message"},
        {"good", NULL},
    };

    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++) {
        char path[128], name[64];
        struct sess s;
        pcap_t *pd;
        bool same;
        struct app_run r;

        memset(&c2s, 0, sizeof(c2s));
        memset(&exts, 0, sizeof(exts));
        memset(&tmp, 0, sizeof(tmp));
        if (strcmp(cases[i].name, "sni_type") == 0) {
            mb_u16(&exts, 0);
            mb_u16(&exts, 8);
            mb_u16(&exts, 6);
            mb_u8(&exts, 7); /* not host_name */
            mb_u16(&exts, 3);
            mb_put(&exts, "a.b", 3);
        } else if (strcmp(cases[i].name, "sni_len") == 0) {
            mb_u16(&exts, 0);
            mb_u16(&exts, 8);
            mb_u16(&exts, 6);
            mb_u8(&exts, 0);
            mb_u16(&exts, 200); /* lies */
            mb_put(&exts, "a.b", 3);
        } else if (strcmp(cases[i].name, "sni_multi") == 0 || strcmp(cases[i].name, "good") == 0) {
            for (int k = 0; k < (cases[i].name[0] == 's' ? 2 : 1); k++) {
                mb_u16(&exts, 0);
                mb_u16(&exts, 8);
                mb_u16(&exts, 6);
                mb_u8(&exts, 0);
                mb_u16(&exts, 3);
                mb_put(&exts, "a.b", 3);
            }
        }
        if (strcmp(cases[i].name, "rec_type") == 0) {
            client_hello(&c2s, SN_TLS_V_TLS12, suites, 2, NULL);
            mb_u8(&tmp, 1);
            mb_record(&c2s, 99, SN_TLS_V_TLS12, &tmp);
        } else if (strcmp(cases[i].name, "rec_ver") == 0) {
            client_hello(&c2s, SN_TLS_V_TLS12, suites, 2, NULL);
            mb_u8(&tmp, 1);
            mb_record(&c2s, 22, 0x0909, &tmp);
        } else if (strcmp(cases[i].name, "hs_len") == 0) {
            /* a ClientHello whose cipher list runs past the message */
            struct mb hs = {0};
            mb_u16(&tmp, SN_TLS_V_TLS12);
            for (int k = 0; k < 32; k++)
                mb_u8(&tmp, 0);
            mb_u8(&tmp, 0);
            mb_u16(&tmp, 500);
            mb_u16(&tmp, 0x1301);
            mb_hs(&hs, 1, &tmp);
            mb_record(&c2s, 22, SN_TLS_V_TLS10, &hs);
        } else if (strcmp(cases[i].name, "huge_hs") == 0) {
            client_hello(&c2s, SN_TLS_V_TLS12, suites, 2, NULL);
            mb_u8(&tmp, 11);
            mb_u24(&tmp, 0xffffff); /* a 16 MiB message */
            mb_record(&c2s, 22, SN_TLS_V_TLS12, &tmp);
        } else if (strcmp(cases[i].name, "alert_len") == 0) {
            client_hello(&c2s, SN_TLS_V_TLS12, suites, 2, NULL);
            mb_put(&tmp, "\x02\x28\x00", 3);
            mb_record(&c2s, 21, SN_TLS_V_TLS12, &tmp);
        } else {
            client_hello(&c2s, SN_TLS_V_TLS12, suites, 2, &exts);
        }
        snprintf(name, sizeof(name), "bad-%s.pcap", cases[i].name);
        REQUIRE(tmp_pcap(name, path, sizeof(path)));
        sess_open(&s, &pd, path);
        REQUIRE(s.d);
        sess_send(&s, 0, c2s.b, c2s.n);
        sess_close(&s, pd);
        r = run_tmp(name, &same);
        REQUIRE(r.text);
        CHECK(same);
        if (cases[i].event) {
            char want[96];
            snprintf(want, sizeof(want), "\"event\":\"%s\"", cases[i].event);
            if (app_test_count(&r, want, NULL) != 1)
                CS_FAILF("case %s: no %s", cases[i].name, cases[i].event);
        } else if (app_test_count(&r, "\"event\":\"tls.", NULL) != 0) {
            CS_FAILF("case %s: unexpected event", cases[i].name);
        }
        app_test_free(&r);
    }
}

/* The parser on its own: truncated hellos and lying lengths never read past the data. */
CS_TEST(tls_parse_direct_truncations)
{
    extern const struct sn_app_parser sn_app_tls;
    static const uint16_t suites[] = {0x0a0a, 0x1301, 0x1302};
    static struct mb rec, exts;
    struct sn_worker w;
    struct sn_flow f;

    memset(&w, 0, sizeof(w));
    memset(&f, 0, sizeof(f));
    memset(&exts, 0, sizeof(exts));
    /* SNI "x.example", ALPN h2, supported_versions 1.3 */
    mb_u16(&exts, 0);
    mb_u16(&exts, 14);
    mb_u16(&exts, 12);
    mb_u8(&exts, 0);
    mb_u16(&exts, 9);
    mb_put(&exts, "x.example", 9);
    mb_u16(&exts, 16);
    mb_u16(&exts, 5);
    mb_u16(&exts, 3);
    mb_u8(&exts, 2);
    mb_put(&exts, "h2", 2);
    mb_u16(&exts, 43);
    mb_u16(&exts, 5);
    mb_u8(&exts, 4);
    mb_u16(&exts, 0x2a2a);
    mb_u16(&exts, 0x0304);
    memset(&rec, 0, sizeof(rec));
    client_hello(&rec, SN_TLS_V_TLS12, suites, 3, &exts);
    for (uint32_t cut = 0; cut <= rec.n; cut++) {
        struct sn_tls_state *st = sn_app_tls.state_new();
        uint8_t *copy = malloc(cut ? cut : 1);
        int used;
        REQUIRE(st && copy);
        memcpy(copy, rec.b, cut);
        used = sn_app_tls.parse(&w, &f, st, SN_TOSERVER, copy, cut, 0);
        CHECK(used >= 0 && (uint32_t)used <= cut);
        if (cut < rec.n)
            CHECK(!st->client.seen);
        else {
            CHECK(st->client.seen);
            CHECK_STR(st->sni, "x.example");
            CHECK_EQ(st->client.max_version, SN_TLS_V_TLS13);
            CHECK_EQ(st->client.nalpn, 1);
            /* GREASE out of the cipher count; SNI and ALPN counted, not hashed */
            CHECK(strncmp(st->ja4, "t13d0203h2_", 11) == 0);
            CHECK(strncmp(st->ja3_str, "771,4865-4866,0-16-43,,", 23) == 0);
        }
        free(copy);
        sn_app_tls.state_free(st);
    }
    /* lying lengths inside a complete record: every byte of the body set to 0xff */
    for (uint32_t k = 9; k < rec.n; k++) {
        struct sn_tls_state *st = sn_app_tls.state_new();
        uint8_t save = rec.b[k];
        REQUIRE(st);
        rec.b[k] = 0xff;
        CHECK(sn_app_tls.parse(&w, &f, st, SN_TOSERVER, rec.b, rec.n, SN_STREAM_EOF) >= 0);
        rec.b[k] = save;
        sn_app_tls.state_free(st);
    }
}

CS_TEST(tls_fingerprint_helpers)
{
    struct sn_tls_hello h;
    uint16_t ciphers[] = {0x1301}, exts[] = {0x0000, 0x002b};
    char out[40], vb[32];

    memset(&h, 0, sizeof(h));
    h.version = SN_TLS_V_TLS12;
    sn_tls_ja4(&h, 't', false, out);
    /* spec: empty cipher and extension lists hash to twelve zeros */
    CHECK_STR(out, "t12i000000_000000000000_000000000000");
    h.ciphers = ciphers;
    h.nciphers = 1;
    h.exts = exts;
    h.nexts = 2;
    h.nalpn = 1;
    h.alpn[0] = (char *)"\x01x";
    sn_tls_ja4(&h, 'q', true, out);
    CHECK(strncmp(out, "q12d010208_", 11) == 0); /* non-alphanumeric ALPN: hex digits */
    CHECK(sn_tls_is_grease(0xdada));
    CHECK(!sn_tls_is_grease(0xdadb));
    CHECK_STR(sn_tls_version_str(0x7f1c, vb), "TLS 1.3 draft-28");
    CHECK_STR(sn_tls_version_str(0, vb), "UNDETERMINED");
    CHECK_STR(sn_tls_version_str(0x0301, vb), "TLSv1");
    CHECK_STR(sn_tls_version_str(0x0101, vb), "TLCP");
    CHECK_STR(sn_tls_version_str(0x1234, vb), "0x1234");
    CHECK_STR(sn_tls_sm_cipher_name(0xe051), "ECDHE_SM4_GCM_SM3");
    CHECK(sn_tls_sm_cipher_name(0x1301) == NULL);
}

CS_TEST(tls_zz_cleanup)
{
    char cmd[128];

    if (tmpdir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        CHECK(system(cmd) == 0);
    }
}

CS_TEST_MAIN()
