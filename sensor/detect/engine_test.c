/* engine_test.c — the detection engine over real rule text and real captures: grouping and
 * prefilter, IP-only index, action precedence, noalert, thresholds, threshold.config, the
 * alert EVE record, fast.log lines and engine replacement (reload).
 *
 * Captures (tests/data/pcaps/):
 *   http/testmyids.pcap  one TCP flow 172.17.0.2:54162 -> 217.160.0.187:80, 10 packets
 *                        (6 to the server, 4 to the client), "GET /" and "uid=0(root)"
 *   dns/dns-udp-dig.pcap one UDP DNS query and its answer */
#include "../app/app_test_util.h"
#include "../../lib/cs_cfg.h"
#include "../app/http.h"
#include "engine.h"
#include "engine_int.h"
#include "kw_test_util.h"

#include <stdlib.h>
#include <time.h>

#define MYIDS "pcaps/http/testmyids.pcap"

static const char classification[] =
    "config classification: bad-unknown,Potentially Bad Traffic,2\n"
    "config classification: trojan-activity,A Network Trojan was detected,1\n"
    "config classification: misc-attack,Misc Attack,2\n";

struct run_opts {
    const char *threshold; /* threshold.config text or NULL */
    bool payload;          /* alert payload options */
    bool no_app_layer;     /* metadata.app-layer: no */
    bool rule_raw;         /* metadata.rule.raw: yes */
    bool verdict;          /* verdict: yes */
    bool external_any;     /* vars: EXTERNAL_NET any (the captures are all 10/8) */
};

static struct sn_detect_engine *build(const char *rules, struct sn_config *cfg,
                                      const char *thr_path, struct cs_err *err)
{
    struct sn_ruleset *rs;
    if (thr_path) {
        if (!cfg->raw)
            cfg->raw = cs_cfg_new();
        cs_cfg_set(cfg->raw, "threshold-file", thr_path);
    }
    rs = sn_ruleset_new(cfg->raw); /* the address variables, if any */
    if (!rs)
        return NULL;
    sn_ruleset_load_classification_buffer(rs, classification, strlen(classification), err);
    sn_ruleset_load_buffer(rs, "t.rules", rules, strlen(rules), err);
    return sn_detect_engine_build(rs, cfg, err);
}

/* Runs capture `pcap` with `rules` loaded; the EVE text of the run. */
static struct app_run run_opt(const char *rules, const char *pcap, const struct run_opts *o)
{
    struct app_run r = {0};
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    char thr[64] = "";

    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    cfg.midstream = true;
    if (o && o->payload)
        cfg.alert_payload = cfg.alert_payload_printable = cfg.alert_packet = true;
    if (o && o->no_app_layer)
        cfg.alert_app_layer = false;
    if (o && o->rule_raw)
        cfg.alert_rule_raw = true;
    if (o && o->verdict)
        cfg.alert_verdict = true;
    if (o && o->external_any) {
        cfg.raw = cs_cfg_new();
        if (cfg.raw)
            cs_cfg_set(cfg.raw, "vars.address-groups.EXTERNAL_NET", "any");
    }
    if (o && o->threshold) {
        int fd;
        strcpy(thr, "/tmp/cs-thr-XXXXXX");
        fd = mkstemp(thr);
        if (fd < 0 || write(fd, o->threshold, strlen(o->threshold)) < 0)
            printf("# cannot write %s\n", thr);
        close(fd);
    }
    de = build(rules, &cfg, thr[0] ? thr : NULL, &err);
    if (!de) {
        printf("# build failed: %s\n", err.msg);
        goto out;
    }
    sn_detect_engine_install(de);
    r = app_test_run(pcap, &cfg, false);
    sn_detect_shutdown();
out:
    if (thr[0])
        unlink(thr);
    if (cfg.raw)
        cs_cfg_free(cfg.raw);
    return r;
}

static struct app_run run(const char *rules, const char *pcap)
{
    return run_opt(rules, pcap, NULL);
}

static int alerts(const struct app_run *r, unsigned sid)
{
    char s[48];
    snprintf(s, sizeof(s), "\"signature_id\":%u,", sid);
    return app_test_count(r, "\"event_type\":\"alert\"", s, NULL);
}

/* ---- raw stream inspection ----------------------------------------------------------------- */

#define SPLIT "pcaps/stream/split-content.pcap"

/* split-content.pcap: 10.0.0.1:40000 -> 10.0.0.2:9999, the client sends "xxEV" (pcap_cnt 4)
 * and "ILyy" (5), the server ACKs both (6), then FIN from the client (7) and server (8). */
CS_TEST(stream_content_across_segments)
{
    struct app_run r = run_opt("alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n"
                               "alert tcp-pkt any any -> any any (content:\"EVIL\"; sid:2;)\n"
                               "alert tcp-stream any any -> any any (content:\"EVIL\"; sid:3;)\n"
                               "alert tcp any any -> any any (content:\"EVIL\"; dsize:4; sid:4;)\n"
                               "alert tcp any any -> any 9999 (flow:to_server,established; "
                               "content:\"xxEVILyy\"; startswith; sid:5;)\n"
                               "alert tcp any any -> any any (flow:to_client; content:\"EVIL\"; "
                               "sid:6;)\n",
                               SPLIT, &(struct run_opts){.payload = true});
    REQUIRE(r.text);
    /* the stream holds "xxEVILyy": inspected when the client side ends (FIN, pcap_cnt 7) */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"pcap_cnt\":7,",
                            "\"pkt_src\":\"wire/pcap\"", "\"direction\":\"to_server\"",
                            "\"src_ip\":\"10.0.0.1\",\"src_port\":40000",
                            "\"payload\":\"eHhFVklMeXk=\"", "\"payload_printable\":\"xxEVILyy\"",
                            "\"stream\":1", NULL),
             1);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 0); /* tcp-pkt: packets only */
    CHECK_EQ(alerts(&r, 3), 1); /* tcp-stream */
    CHECK_EQ(alerts(&r, 4), 0); /* dsize makes a rule packet-only */
    CHECK_EQ(alerts(&r, 5), 1);
    CHECK_EQ(alerts(&r, 6), 0); /* the stream's direction is to_server */
    app_test_free(&r);
}

CS_TEST(stream_no_second_alert_for_packet_match)
{
    /* "EV" is in one packet: the packet alert (stream 0) is the only one; the stream chunk
     * holding the same bytes does not alert again. tcp-stream rules see only the chunk. */
    struct app_run r = run_opt("alert tcp any any -> any any (content:\"EV\"; sid:1;)\n"
                               "alert tcp-stream any any -> any any (content:\"EV\"; sid:2;)\n",
                               SPLIT, &(struct run_opts){.payload = true});
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"pcap_cnt\":4,", "\"stream\":0",
                            NULL),
             1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"stream\":1", NULL), 1);
    app_test_free(&r);
}

CS_TEST(stream_flow_timeout)
{
    /* without the FINs the chunk is inspected when the flow ends: no packet, pkt_src says so */
    struct app_run r = run_opt("alert tcp any any -> any any (content:\"EVIL\"; sid:1;)\n",
                               "pcaps/stream/split-content-nofin.pcap",
                               &(struct run_opts){.payload = true});
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"pkt_src\":\"stream (flow timeout)\"",
                            "\"direction\":\"to_server\"", "\"payload\":\"eHhFVklMeXk=\"",
                            "\"stream\":1", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"pcap_cnt\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"packet\":", NULL), 0);
    app_test_free(&r);
}

CS_TEST(stream_chunk_size)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    struct app_run r = {0};

    /* chunk size 4: the chunk is due as soon as the server's ACK (pcap_cnt 6) releases both
     * segments, not at the client's FIN (7) as with the default 2560 */
    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    cfg.midstream = true;
    cfg.alert_payload = true;
    cfg.raw_chunk[0] = 4;
    de = build("alert tcp-stream any any -> any any (content:\"EVIL\"; sid:1;)\n"
               "alert tcp-stream any any -> any any (content:\"Ly\"; sid:2;)\n",
               &cfg, NULL, &err);
    REQUIRE(de);
    sn_detect_engine_install(de);
    r = app_test_run(SPLIT, &cfg, false);
    sn_detect_shutdown();
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"pcap_cnt\":6,",
                            "\"payload\":\"eHhFVklMeXk=\"", "\"stream\":1", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"pcap_cnt\":6,", "\"stream\":1", NULL),
             1);
    app_test_free(&r);
}

/* ---- matching and the alert record ---------------------------------------------------------- */

CS_TEST(alert_record_fields)
{
    struct app_run r = run("alert tcp $HOME_NET any -> $EXTERNAL_NET 80 (msg:\"GET out\"; "
                           "content:\"GET \"; depth:4; classtype:bad-unknown; metadata:"
                           "created_at 2020_01_01, tag a, tag b; sid:100; rev:3;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 100), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"alert\"", "\"pcap_cnt\":4,",
                            "\"src_ip\":\"172.17.0.2\",\"src_port\":54162",
                            "\"dest_ip\":\"217.160.0.187\",\"dest_port\":80", "\"proto\":\"TCP\"",
                            "\"pkt_src\":\"wire/pcap\"", "\"direction\":\"to_server\"",
                            "\"action\":\"allowed\",\"gid\":1,\"signature_id\":100,\"rev\":3,"
                            "\"signature\":\"GET out\",\"category\":\"Potentially Bad "
                            "Traffic\",\"severity\":2",
                            "\"metadata\":{\"created_at\":[\"2020_01_01\"],\"tag\":[\"a\",\"b\"]}",
                            "\"flow\":{\"pkts_toserver\":3,",
                            "\"start\":\"", NULL),
             1);
    /* the flow record says the flow alerted */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"alerted\":true", NULL), 1);
    app_test_free(&r);
}

/* A transaction's alert carries tx_id and the app-layer object its parser logs. */
CS_TEST(alert_tx_app_layer_object)
{
    struct app_run r = run("alert http any any -> any any (msg:\"uri\"; http.uri; "
                           "content:\"/\"; sid:1;)\n"
                           "alert tcp any any -> any 80 (msg:\"pkt\"; content:\"GET \"; "
                           "sid:2;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"tx_id\":0,",
                            "\"http\":{\"hostname\":\"testmyids.com\",\"url\":\"/\"",
                            "\"http_method\":\"GET\"", NULL),
             1);
    /* a packet alert on the same flow has no transaction: no tx_id, no http object */
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"tx_id\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"http\":{", NULL), 0);
    app_test_free(&r);
}

/* urilen is evaluated on the transaction's URI (the request of this capture is "GET /"), alone
 * or before another buffer's content as ET Open writes it. */
CS_TEST(urilen_on_transaction)
{
    struct app_run r = run("alert http any any -> any any (urilen:1; sid:1;)\n"
                           "alert http any any -> any any (urilen:>1; sid:2;)\n"
                           "alert http any any -> any any (urilen:1,raw; sid:3;)\n"
                           "alert http any any -> any any (urilen:0<>2; sid:4;)\n"
                           "alert http any any -> any any (urilen:1<>3; sid:5;)\n"
                           "alert http any any -> any any (flow:established,to_server; "
                           "urilen:1; http.method; content:\"GET\"; sid:6;)\n"
                           "alert http any any -> any any (flow:established,to_server; "
                           "urilen:1; http.method; content:\"POST\"; sid:7;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 0);
    CHECK_EQ(alerts(&r, 3), 1);
    CHECK_EQ(alerts(&r, 4), 1);
    CHECK_EQ(alerts(&r, 5), 0);
    CHECK_EQ(alerts(&r, 6), 1);
    CHECK_EQ(alerts(&r, 7), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":6,", "\"url\":\"/\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(alert_tx_object_per_protocol)
{
    struct app_run r = run("alert modbus any any -> any any (modbus: unit 10; sid:1;)\n",
                           "pcaps/modbus/sv-modbus.pcap");
    REQUIRE(r.text);
    CHECK(alerts(&r, 1) > 0);
    /* every alert has the modbus object of its transaction; the first is tx 0 */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"modbus\":{\"id\":", NULL),
             alerts(&r, 1));
    /* tx_id is Suricata's (0-based), the object's id 1-based */
    CHECK(app_test_count(&r, "\"signature_id\":1,", "\"tx_id\":0,",
                         "\"modbus\":{\"id\":1,\"request\":{", NULL) > 0);
    CHECK(app_test_count(&r, "\"signature_id\":1,", "\"tx_id\":1,",
                         "\"modbus\":{\"id\":2,\"request\":{", NULL) > 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"tx_id\":1,",
                            "\"modbus\":{\"id\":1,", NULL),
             0);
    app_test_free(&r);

    r = run("alert enip any any -> any any (enip_command:list_identity; sid:1;)\n"
            "alert enip any any -> any any (enip_command:99; sid:2;)\n"
            "alert enip any any -> any any (enip_command:register_session; sid:3;)\n",
            "pcaps/enip/sv-enip_test1.pcap");
    REQUIRE(r.text);
    /* the name and the number are the same command; a transaction alerts once per
     * direction (request, response) */
    CHECK_EQ(alerts(&r, 1), 2);
    CHECK_EQ(alerts(&r, 2), 2);
    CHECK_EQ(alerts(&r, 3), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_server\"",
                            "\"enip\":{\"request\":{\"command\":\"list_identity\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_client\"",
                            "\"response\":{\"command\":\"list_identity\"", NULL),
             1);
    app_test_free(&r);

    r = run("alert dns any any -> any any (dns.queries.rrname; content:\"suricata\"; "
            "sid:1;)\n",
            "pcaps/dns/dns-udp-dig.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 2); /* the query and its response */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_server\"",
                            "\"tx_id\":0,", "\"dns\":{\"version\":3,\"type\":\"request\"",
                            "\"queries\":[{\"rrname\":\"www.suricata-ids.org\",\"rrtype\":\"A\"}]",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_client\"",
                            "\"dns\":{\"version\":3,\"type\":\"response\"", "\"answers\":[",
                            NULL),
             1);
    app_test_free(&r);

    r = run("alert tls any any -> any any (tls.subject:\"CN=*.google.de\"; sid:1;)\n",
            "pcaps/tls/chrome-34-google.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_client\"",
                            "\"tx_id\":0,", "\"tls\":{\"subject\":\"C=US, ST=California",
                            "\"sni\":\"google.de\"", NULL),
             1);
    app_test_free(&r);

    r = run("alert ssh any any -> any any (ssh.software; content:\"OpenSSH\"; sid:1;)\n",
            "pcaps/ssh/single-conn.pcap");
    REQUIRE(r.text);
    CHECK(alerts(&r, 1) > 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"tx_id\":0,", "\"ssh\":{", NULL),
             alerts(&r, 1));
    app_test_free(&r);
}

/* file.data exists only in transactions: a rule with it (whatever its protocol) is a
 * transaction rule, matched on the HTTP response body */
CS_TEST(file_data_is_a_transaction_buffer)
{
    struct app_run r = run("alert http any any -> any any (file_data; content:\"uid=0(root)\"; "
                           "sid:1;)\n"
                           "alert tcp any any -> any any (file_data; content:\"uid=0(root)\"; "
                           "sid:2;)\n"
                           "alert http any any -> any any (file_data; content:\"uid=1(x)\"; "
                           "sid:3;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(alerts(&r, 3), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_client\"",
                            "\"tx_id\":0,", NULL),
             1);
    app_test_free(&r);
}

/* A keyword on a multi-buffer (dataset on dns.answer.name) is checked on every instance,
 * not only the first: answers 1 and 2 are "suricata-ids.org", answer 0 is "www." */
CS_TEST(multi_buffer_condition_every_instance)
{
    char path[] = "/tmp/cs-ds-XXXXXX", rules[1024];
    /* base64 of "suricata-ids.org" and of "nothing.example" */
    const char *lines = "c3VyaWNhdGEtaWRzLm9yZw==\n";
    const char *none = "bm90aGluZy5leGFtcGxl\n";
    char path2[] = "/tmp/cs-ds-XXXXXX";
    int fd = mkstemp(path), fd2 = mkstemp(path2);
    struct app_run r;

    REQUIRE(fd >= 0 && fd2 >= 0);
    REQUIRE(write(fd, lines, strlen(lines)) == (ssize_t)strlen(lines));
    REQUIRE(write(fd2, none, strlen(none)) == (ssize_t)strlen(none));
    close(fd);
    close(fd2);
    snprintf(rules, sizeof(rules),
             "alert dns any any -> any any (dns.answer.name; dataset:isset,mb_answers,type "
             "string,load %s; sid:1;)\n"
             "alert dns any any -> any any (dns.answer.name; dataset:isset,mb_none,type "
             "string,load %s; sid:2;)\n",
             path, path2);
    r = run(rules, "pcaps/dns/dns-udp-dig.pcap");
    unlink(path);
    unlink(path2);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1); /* the response: answer 1 is in the set */
    CHECK_EQ(alerts(&r, 2), 0);
    app_test_free(&r);
}

/* A rule alerts once per transaction and direction; a new transaction that the parser
 * placed at a freed one's address (same pointer, next tx id) is a new transaction. */
CS_TEST(tx_alerted_list_keyed_by_tx_id)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    struct sn_http_tx tx;
    struct kt k;
    uint64_t before;

    sn_config_defaults(&cfg);
    de = build("alert http any any -> any any (http.uri; content:\"/x\"; sid:1;)\n", &cfg, NULL,
               &err);
    REQUIRE(de);
    sn_detect_engine_install(de);
    kt_init(&k);
    kt_send_tcp(&k, "10.0.0.1", "10.0.0.2", 1234, 80, 1, 0, 0x18, "GET /x HTTP/1.1\r\n");
    REQUIRE(k.p.flow);
    k.p.flow->app_proto = (uint16_t)sn_app_lookup("http");
    memset(&tx, 0, sizeof(tx));
    tx.uri_norm.p = (uint8_t *)"/x";
    tx.uri_norm.len = 2;
    tx.progress = SN_HTTP_REQ_LINE | SN_HTTP_REQ_HDRS;
    before = k.w.counters[SN_CNT_DETECT_ALERT];
    de_app_cb(&k.w, k.p.flow, SN_TOSERVER, &tx, "http");
    CHECK_EQ(k.w.counters[SN_CNT_DETECT_ALERT] - before, 1u);
    de_app_cb(&k.w, k.p.flow, SN_TOSERVER, &tx, "http"); /* same transaction: no repeat */
    CHECK_EQ(k.w.counters[SN_CNT_DETECT_ALERT] - before, 1u);
    tx.id = 1; /* the next transaction at the same address */
    de_app_cb(&k.w, k.p.flow, SN_TOSERVER, &tx, "http");
    CHECK_EQ(k.w.counters[SN_CNT_DETECT_ALERT] - before, 2u);
    tx.uri_norm.p = (uint8_t *)"/y"; /* no match: nothing more */
    tx.id = 2;
    de_app_cb(&k.w, k.p.flow, SN_TOSERVER, &tx, "http");
    CHECK_EQ(k.w.counters[SN_CNT_DETECT_ALERT] - before, 2u);
    sn_detect_flow_free(k.p.flow);
    kt_free(&k);
    sn_detect_shutdown();
}

/* metadata.app-layer: no drops the object; metadata.rule.raw adds the rule text */
CS_TEST(alert_metadata_options)
{
    const char *rules = "alert http any any -> any any (msg:\"uri\"; http.uri; "
                        "content:\"/\"; sid:1;)\n";
    struct run_opts o = {.no_app_layer = true};
    struct app_run r = run_opt(rules, MYIDS, &o);

    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"http\":{", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"rule\":", NULL), 0);
    app_test_free(&r);

    o = (struct run_opts){.rule_raw = true};
    r = run_opt(rules, MYIDS, &o);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,",
                            "\"rule\":\"alert http any any -> any any (msg:\\\"uri\\\"; "
                            "http.uri; content:\\\"/\\\"; sid:1;)\"",
                            "\"http\":{", NULL),
             1);
    app_test_free(&r);
}

/* verdict: yes adds the verdict object: "alert" in IDS mode; a reject names its target and
 * kind */
CS_TEST(alert_verdict_object)
{
    struct run_opts o = {.verdict = true};
    struct app_run r = run_opt("alert tcp any any -> any 80 (content:\"GET \"; sid:1;)\n"
                               "reject tcp any any -> any 80 (content:\"testmyids\"; sid:2;)\n"
                               "rejectdst tcp any 80 -> any any (content:\"uid=0\"; sid:3;)\n",
                               MYIDS, &o);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"verdict\":{\"action\":\"alert\"}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,",
                            "\"verdict\":{\"action\":\"alert\",\"reject-target\":\"to_client\","
                            "\"reject\":[\"tcp-reset\"]}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":3,", "\"reject-target\":\"to_server\"", NULL),
             1);
    app_test_free(&r);
    /* off by default */
    r = run("alert tcp any any -> any 80 (content:\"GET \"; sid:1;)\n", MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"verdict\"", NULL), 0);
    app_test_free(&r);
}

CS_TEST(alert_payload_options)
{
    struct run_opts o = {.payload = true};
    struct app_run r = run_opt("alert tcp any any -> any 80 (msg:\"m\"; content:\"testmyids\"; "
                               "sid:1;)\n",
                               MYIDS, &o);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    /* "GET / HTTP/1.1" base64 starts "R0VUIC8gSFRUUC8xLjE" */
    CHECK_EQ(app_test_count(&r, "\"payload\":\"R0VUIC8gSFRUUC8xLjE",
                            "\"payload_printable\":\"GET "
                            "/ HTTP/1.1",
                            "\"packet\":\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(no_match_without_content)
{
    struct app_run r = run("alert tcp any any -> any any (msg:\"absent\"; content:\"NOT-IN-IT\"; "
                           "sid:7;)\n"
                           "alert tcp any any -> any any (msg:\"nocase\"; content:\"get /\"; "
                           "nocase; sid:8;)\n"
                           "alert tcp any any -> any any (msg:\"case\"; content:\"get /\"; "
                           "sid:9;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 7), 0);
    CHECK_EQ(alerts(&r, 8), 1);
    CHECK_EQ(alerts(&r, 9), 0);
    app_test_free(&r);
}

CS_TEST(port_groups_and_direction)
{
    struct app_run r = run(
        "alert tcp any any -> any 80 (msg:\"to 80\"; content:\"GET\"; sid:1;)\n"
        "alert tcp any any -> any 8080 (msg:\"to 8080\"; content:\"GET\"; sid:2;)\n"
        "alert tcp any 80 -> any any (msg:\"from 80\"; content:\"uid=0(root)\"; sid:3;)\n"
        "alert tcp any any -> any 80 (msg:\"wrong way\"; content:\"uid=0(root)\"; sid:4;)\n"
        "alert tcp any any <> any 80 (msg:\"bidir\"; content:\"uid=0(root)\"; sid:5;)\n"
        "alert udp any any -> any 80 (msg:\"udp\"; content:\"GET\"; sid:6;)\n"
        "alert tcp any [1:79,81:] -> any any (msg:\"not from 80\"; content:\"uid=0\"; sid:10;)\n"
        "alert tcp any any -> any [80,443] (msg:\"no payload rule\"; flags_absent_ok; sid:11;)\n",
        MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 0);
    CHECK_EQ(alerts(&r, 3), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":3,", "\"direction\":\"to_client\"",
                            "\"src_ip\":\"217.160.0.187\",\"src_port\":80", NULL),
             1);
    CHECK_EQ(alerts(&r, 4), 0);
    CHECK_EQ(alerts(&r, 5), 1);
    CHECK_EQ(alerts(&r, 6), 0);
    CHECK_EQ(alerts(&r, 10), 0);
    CHECK_EQ(alerts(&r, 11), 0); /* refused by the parser: unknown keyword */
    app_test_free(&r);
}

CS_TEST(rule_without_content_checks_every_packet)
{
    /* a TCP rule with no content: in the always-checked list of the group */
    struct app_run r = run("alert tcp any any -> any 80 (msg:\"to server\"; sid:1;)\n"
                           "alert tcp any 80 -> any any (msg:\"to client\"; sid:2;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 6);
    CHECK_EQ(alerts(&r, 2), 4);
    app_test_free(&r);
}

CS_TEST(udp_rule)
{
    struct app_run r = run("alert udp any any -> any 53 (msg:\"dns query\"; sid:1;)\n"
                           "alert udp any 53 -> any any (msg:\"dns answer\"; sid:2;)\n",
                           "pcaps/dns/dns-udp-dig.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"proto\":\"UDP\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(icmp_alert_has_type_and_code)
{
    struct app_run r = run("alert icmp any any -> any any (msg:\"icmp\"; itype:8; sid:1;)\n",
                           "pcaps/community-id/icmp.pcap");
    REQUIRE(r.text);
    CHECK(alerts(&r, 1) >= 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", NULL),
             app_test_count(&r, "\"signature_id\":1,", "\"proto\":\"ICMP\"", "\"icmp_type\":8,",
                            "\"icmp_code\":0", NULL));
    app_test_free(&r);
}

/* ftpbounce: a PORT command naming another host than the client (the capture has one PORT to
 * the client itself, one to 192.168.7.7); on the command, to the server, once. */
CS_TEST(ftpbounce_port_to_another_host)
{
    const char *rules = "alert ftp any any -> any any (msg:\"bounce\"; ftpbounce; sid:1;)\n"
                        "alert tcp any any -> any 21 (msg:\"bounce tcp\"; flow:to_server; "
                        "content:\"PORT\"; ftpbounce; sid:2;)\n";
    struct app_run r = run(rules, "pcaps/ftp/ftp-bounce.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_server\"",
                            "\"command_data\":\"192,168,7,7,0,25\"", NULL),
             1);
    CHECK_EQ(alerts(&r, 2), 1);
    app_test_free(&r);
    /* passive mode only: nothing */
    r = run(rules, "pcaps/ftp/ftp-session.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    CHECK_EQ(alerts(&r, 2), 0);
    app_test_free(&r);
}

/* A transaction rule with packet-payload keywords (content/pcre without a sticky buffer)
 * inspects the transaction's own bytes in the stream of its direction. In ftp-bounce.pcap
 * the client's commands are parsed when the server's replies acknowledge them: the packet
 * at hand is then the server's "200 PORT command successful", where the pcre's ^PORT does
 * not match (before, the ET rule never fired) and "command successful" does (before, a
 * to-server rule matched the server's words). The PORT naming the client (pcap_cnt 9) and
 * the one naming 192.168.7.7 (11) are separate transactions with separate bytes. */
#define GPL_FTP_BOUNCE                                                                             \
    "alert tcp $EXTERNAL_NET any -> $HOME_NET 21 (msg:\"GPL FTP PORT bounce attempt\"; "           \
    "flow:to_server,established; content:\"PORT\"; nocase; ftpbounce; pcre:\"/^PORT/smi\"; "       \
    "classtype:misc-attack; sid:2100615; rev:6;)\n"

CS_TEST(tx_rule_payload_keywords_inspect_the_tx_direction)
{
    const struct run_opts o = {.external_any = true};
    struct app_run r = run_opt(GPL_FTP_BOUNCE, "pcaps/ftp/ftp-bounce.pcap", &o);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 2100615), 1);
    /* the client's command, reported on the client's next packet (QUIT, pcap_cnt 13) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"alert\"", "\"pcap_cnt\":13,",
                            "\"src_ip\":\"10.0.0.1\",\"src_port\":40000",
                            "\"dest_ip\":\"10.0.0.2\",\"dest_port\":21", "\"proto\":\"TCP\"",
                            "\"direction\":\"to_server\"",
                            "\"signature_id\":2100615,\"rev\":6,"
                            "\"signature\":\"GPL FTP PORT bounce attempt\","
                            "\"category\":\"Misc Attack\",\"severity\":2",
                            "\"app_proto\":\"ftp\"", "\"tx_id\":4,",
                            "\"command\":\"PORT\",\"command_data\":\"192,168,7,7,0,25\"", NULL),
             1);
    app_test_free(&r);
    /* $EXTERNAL_NET stock (!$HOME_NET): the 10/8 client is home, no alert */
    r = run(GPL_FTP_BOUNCE, "pcaps/ftp/ftp-bounce.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 2100615), 0);
    app_test_free(&r);
    /* passive mode (no PORT at all): nothing */
    r = run_opt(GPL_FTP_BOUNCE, "pcaps/ftp/ftp-session.pcap", &o);
    REQUIRE(r.text);
    CHECK_EQ(r.nlines > 0, 1);
    CHECK_EQ(alerts(&r, 2100615), 0);
    app_test_free(&r);
}

CS_TEST(tx_rule_payload_keywords_negative)
{
    const char *rules =
        /* words only the server sends: not in the client's bytes */
        "alert tcp any any -> any 21 (msg:\"server words\"; flow:to_server; "
        "content:\"command successful\"; ftpbounce; sid:1;)\n"
        /* the first PORT (naming the client) has these bytes but no bounce; the second
         * PORT's transaction has the bounce but not these bytes */
        "alert tcp any any -> any 21 (msg:\"first port\"; flow:to_server; "
        "content:\"PORT 10,0,0,1,\"; ftpbounce; sid:2;)\n"
        /* the bounce's own bytes */
        "alert tcp any any -> any 21 (msg:\"bounce bytes\"; flow:to_server; "
        "content:\"PORT 192,168,7,7,\"; ftpbounce; sid:3;)\n";
    struct app_run r = run(rules, "pcaps/ftp/ftp-bounce.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    CHECK_EQ(alerts(&r, 2), 0);
    CHECK_EQ(alerts(&r, 3), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":3,", "\"direction\":\"to_server\"",
                            "\"src_ip\":\"10.0.0.1\"", NULL),
             1);
    app_test_free(&r);
    /* HTTP: the request is parsed on the server's bare ACK (pcap_cnt 5), the response on
     * the client's (7); each side's payload keywords see that side's bytes only */
    r = run("alert http any any -> any any (msg:\"resp\"; flow:to_client; http.stat_code; "
            "content:\"200\"; pkt_data; content:\"uid=0(root)\"; sid:11;)\n"
            "alert http any any -> any any (msg:\"req, resp bytes\"; flow:to_server; "
            "http.method; content:\"GET\"; pkt_data; content:\"uid=0(root)\"; sid:12;)\n"
            "alert http any any -> any any (msg:\"req\"; flow:to_server; http.method; "
            "content:\"GET\"; pkt_data; content:\"GET / HTTP/1.1\"; depth:14; sid:13;)\n",
            MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 11), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":11,", "\"direction\":\"to_client\"",
                            "\"src_ip\":\"217.160.0.187\"", NULL),
             1);
    CHECK_EQ(alerts(&r, 12), 0);
    CHECK_EQ(alerts(&r, 13), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":13,", "\"direction\":\"to_server\"",
                            "\"src_ip\":\"172.17.0.2\"", NULL),
             1);
    app_test_free(&r);
    /* a flow picked up midstream with the server's response first: the app layer turns it
     * round while parsing, the gathered bytes follow their sender (without that, the
     * response's rule would look at the client's empty side) */
    r = run("alert http any any -> any any (msg:\"resp\"; flow:to_client; http.stat_code; "
            "content:\"200\"; pkt_data; content:\"uid=0(root)\"; sid:11;)\n",
            "pcaps/stream/testmyids-midstream.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 11), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":11,", "\"direction\":\"to_client\"",
                            "\"src_ip\":\"82.165.177.154\",\"src_port\":80", NULL),
             1);
    app_test_free(&r);
}

/* ---- IP-only rules ----------------------------------------------------------------------------
 */

static char *iponly_rules(void)
{
    /* a botcc-like list: 250 addresses plus the capture's server in one rule (the rule
     * parser takes address lists up to 4 KiB) */
    size_t cap = 250 * 20 + 4096, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "alert ip [");
    for (int i = 0; i < 250; i++)
        n += (size_t)snprintf(s + n, cap - n, "%d.%d.%d.%d,", 1 + i % 200, (i * 7) % 256,
                              (i * 13) % 256, 1 + i % 250);
    n += (size_t)snprintf(s + n, cap - n,
                          "217.160.0.187] any -> $HOME_NET any (msg:\"botcc\"; sid:1;)\n"
                          "alert ip any any -> [10.9.9.9,217.160.0.0/24] any (msg:\"by dst\"; "
                          "sid:2;)\n"
                          "alert ip [217.160.0.0/16,!217.160.0.187] any -> any any (msg:\"neg\"; "
                          "sid:3;)\n"
                          "alert ip [5.5.5.5,6.6.6.6] any -> any any (msg:\"other\"; sid:4;)\n"
                          "alert ip [0.0.0.0/1,128.0.0.0/1] any -> any any (msg:\"wide\"; "
                          "sid:5;)\n"
                          "alert ip any any -> any any (msg:\"all\"; sid:6;)\n"
                          "alert tcp any any -> any any (msg:\"tcp all\"; sid:7;)\n");
    return s;
}

CS_TEST(ip_only_index)
{
    char *rules = iponly_rules();
    struct app_run r = run(rules, MYIDS);
    REQUIRE(r.text);
    /* checked on the first packet of each flow direction only */
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"src_ip\":\"217.160.0.187\"", NULL), 1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"dest_ip\":\"217.160.0.187\"", NULL), 1);
    CHECK_EQ(alerts(&r, 3), 0);
    CHECK_EQ(alerts(&r, 4), 0);
    CHECK_EQ(alerts(&r, 5), 2);
    CHECK_EQ(alerts(&r, 6), 2);
    CHECK_EQ(alerts(&r, 7), 2); /* tcp with any ports is IP-only too (Suricata) */
    app_test_free(&r);
    free(rules);
}

CS_TEST(ip_only_stats)
{
    char *rules = iponly_rules();
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;

    sn_config_defaults(&cfg);
    de = build(rules, &cfg, NULL, &err);
    REQUIRE(de);
    CHECK_EQ(sn_detect_engine_stats(de)->ip_only, 7);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_loaded, 7);
    CHECK_EQ(sn_detect_engine_stats(de)->databases, 0);
    sn_detect_engine_free(de);
    free(rules);
}

/* An IP-only rule is filed under its narrower side: `$HOME_NET any -> [C2 list] any` is found by
 * the destination, so a packet from the home network to elsewhere does not make it a
 * candidate; a rule narrower on its source stays filed by source. */
uint32_t de_ipidx_lookup(const struct de_ipidx *x, const struct sn_addr *a, int family,
                         const uint32_t **ids);

static struct sn_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct sn_addr x = {{{0}}};
    x.u8[0] = a, x.u8[1] = b, x.u8[2] = c, x.u8[3] = d;
    return x;
}

CS_TEST(ip_only_narrower_side)
{
    const char *rules = "alert ip $HOME_NET any -> [217.160.0.187,10.9.9.9] any (msg:\"c2\"; "
                        "sid:1;)\n"
                        "alert ip [217.160.0.187] any -> $HOME_NET any (msg:\"from c2\"; "
                        "sid:2;)\n";
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    const uint32_t *ids = NULL;
    struct sn_addr home = v4(172, 17, 0, 2), c2 = v4(217, 160, 0, 187);
    struct app_run r;

    sn_config_defaults(&cfg);
    de = build(rules, &cfg, NULL, &err);
    REQUIRE(de);
    CHECK_EQ(sn_detect_engine_stats(de)->ip_only, 2);
    /* by source: only rule 2, under the C2 address; nothing under a home address */
    CHECK_EQ(de_ipidx_lookup(&de->ip_src[0], &home, 4, &ids), 0);
    REQUIRE(de_ipidx_lookup(&de->ip_src[0], &c2, 4, &ids) == 1);
    CHECK_EQ(de->rules[ids[0]].r->sid, 2);
    /* by destination: only rule 1, under the C2 address */
    CHECK_EQ(de_ipidx_lookup(&de->ip_dst[0], &home, 4, &ids), 0);
    REQUIRE(de_ipidx_lookup(&de->ip_dst[0], &c2, 4, &ids) == 1);
    CHECK_EQ(de->rules[ids[0]].r->sid, 1);
    sn_detect_engine_free(de);
    /* and both still alert, once per flow direction */
    r = run(rules, MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"dest_ip\":\"217.160.0.187\"", NULL), 1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"src_ip\":\"217.160.0.187\"", NULL), 1);
    app_test_free(&r);
}

/* A rule without a usable content is prefiltered by its pcre (Hyperscan prefilter mode) when
 * Hyperscan takes the pattern; a one-byte content gives way to the pcre too. The alerts are the
 * ones PCRE decides. */
CS_TEST(regex_prefilter)
{
    const char *rules =
        "alert tcp any any -> any any (msg:\"re\"; pcre:\"/^GET \\/ HTTP\\/1\\.[01]/\"; sid:1;)\n"
        "alert tcp any any -> any any (msg:\"re nocase\"; pcre:\"/user-agent: curl\\/[0-9]/i\"; "
        "sid:2;)\n"
        "alert tcp any any -> any any (msg:\"short\"; content:\"/\"; "
        "pcre:\"/Host: testmyids\\.c[aeiou]m/\"; sid:3;)\n"
        "alert tcp any any -> any any (msg:\"no\"; pcre:\"/^POST \\/\\d+/\"; sid:4;)\n"
        "alert tcp any any -> any any (msg:\"backref\"; pcre:\"/(t)es\\1myids/\"; sid:5;)\n"
        "alert tcp any any -> any any (msg:\"negated\"; pcre:!\"/zzz/\"; sid:6;)\n";
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    struct app_run r;

    sn_config_defaults(&cfg);
    de = build(rules, &cfg, NULL, &err);
    REQUIRE(de);
    /* 1-5 prefiltered (5 by the prefilter's approximation of the back-reference), the negated
     * pcre alone is not */
    CHECK_EQ(sn_detect_engine_stats(de)->prefiltered, 5);
    sn_detect_engine_free(de);
    r = run(rules, MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 1);
    CHECK_EQ(alerts(&r, 3), 1);
    CHECK_EQ(alerts(&r, 4), 0);
    CHECK_EQ(alerts(&r, 5), 1);
    CHECK(alerts(&r, 6) >= 1);
    app_test_free(&r);
}

/* ---- actions ------------------------------------------------------------------------------ */

CS_TEST(pass_wins_and_passes_the_flow)
{
    struct app_run r =
        run("alert tcp any any -> any any (msg:\"get\"; content:\"GET\"; sid:1;)\n"
            "pass tcp any any -> any 80 (msg:\"pass\"; content:\"GET\"; sid:2;)\n"
            "alert tcp any any -> any any (msg:\"root\"; content:\"uid=0\"; sid:3;)\n"
            "alert tcp any any -> any [80,54162] (msg:\"every\"; sid:4;)\n",
            MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    CHECK_EQ(alerts(&r, 2), 0); /* pass rules do not log */
    CHECK_EQ(alerts(&r, 3), 0); /* later packets of the flow are not inspected */
    CHECK_EQ(alerts(&r, 4), 3); /* packets 1-3 (handshake) came before the GET */
    app_test_free(&r);
}

CS_TEST(drop_reject_actions_and_order)
{
    struct app_run r = run("alert tcp any any -> any any (msg:\"a\"; content:\"GET\"; sid:1;)\n"
                           "drop tcp any any -> any any (msg:\"d\"; content:\"GET\"; sid:2;)\n"
                           "reject tcp any any -> any any (msg:\"r\"; content:\"GET\"; sid:3;)\n",
                           MYIDS);
    const char *d, *rj, *a;
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"action\":\"allowed\"", NULL), 1);
    /* IDS mode: drop is logged as allowed, reject as blocked (Suricata) */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"action\":\"allowed\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":3,", "\"action\":\"blocked\"", NULL), 1);
    /* order of the records: drop, reject, alert */
    d = strstr(r.text, "\"signature_id\":2,");
    rj = strstr(r.text, "\"signature_id\":3,");
    a = strstr(r.text, "\"signature_id\":1,");
    REQUIRE(d && rj && a);
    CHECK(d < rj && rj < a);
    app_test_free(&r);
}

CS_TEST(noalert_rule_is_silent)
{
    struct app_run r = run("alert tcp any any -> any any (msg:\"quiet\"; content:\"GET\"; noalert; "
                           "sid:1;)\n",
                           MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    app_test_free(&r);
}

/* ---- thresholds --------------------------------------------------------------------------- */

CS_TEST(threshold_keyword_types)
{
    /* each rule matches all 10 packets of the flow (ports keep them out of the IP-only
     * index, which is checked once per flow direction) */
    struct app_run r = run(
        "alert tcp any any -> any [80,54162] (msg:\"limit\"; threshold:type limit, track by_rule, "
        "count 2, seconds 60; sid:1;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"threshold\"; threshold:type threshold, track "
        "by_rule, count 3, seconds 60; sid:2;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"both\"; threshold:type both, track by_rule, "
        "count "
        "3, seconds 60; sid:3;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"df\"; detection_filter:track by_rule, count 7, "
        "seconds 60; sid:4;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"by_src\"; threshold:type limit, track by_src, "
        "count 1, seconds 60; sid:5;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"by_flow\"; threshold:type limit, track "
        "by_flow, "
        "count 4, seconds 60; sid:6;)\n"
        "alert tcp any any -> any [80,54162] (msg:\"plain\"; sid:7;)\n",
        MYIDS);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 7), 10);
    CHECK_EQ(alerts(&r, 1), 2);
    CHECK_EQ(alerts(&r, 2), 3);
    CHECK_EQ(alerts(&r, 3), 1);
    CHECK_EQ(alerts(&r, 4), 3);
    CHECK_EQ(alerts(&r, 5), 2); /* one per source address */
    CHECK_EQ(alerts(&r, 6), 4);
    app_test_free(&r);
}

CS_TEST(threshold_config)
{
    struct run_opts o = {
        .threshold =
            "# comment\n"
            "\n"
            "suppress gen_id 1, sig_id 1\n"
            "suppress gen_id 1, sig_id 2, track by_src, ip 172.17.0.2\n"
            "suppress gen_id 1, sig_id 3, track by_either, ip [10.0.0.1,217.160.0.187]\n"
            "threshold gen_id 1, sig_id 4, type limit, track by_rule, count 1, seconds 60\n"
            "event_filter gen_id 1, sig_id 5, type limit, track by_dst, count 1, "
            "seconds 60\n"
            "rate_filter gen_id 1, sig_id 6, track by_rule, count 2, seconds 60, "
            "new_action pass, timeout 60\n"
            "suppress gen_id 1, sig_id 8, track by_dst, ip $HOME_NET\n",
    };
    struct app_run r = run_opt("alert tcp any any -> any [80,54162] (msg:\"s all\"; sid:1;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"s src\"; sid:2;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"s either\"; sid:3;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"override\"; "
                               "threshold:type limit, track by_rule, "
                               "count 5, seconds 60; sid:4;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"ef\"; sid:5;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"rate\"; sid:6;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"untouched\"; sid:7;)\n"
                               "alert tcp any any -> any [80,54162] (msg:\"home dst\"; sid:8;)\n",
                               MYIDS, &o);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    CHECK_EQ(alerts(&r, 2), 4); /* only the server's packets */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":2,", "\"src_ip\":\"217.160.0.187\"", NULL), 4);
    CHECK_EQ(alerts(&r, 3), 0);
    CHECK_EQ(alerts(&r, 4), 1);
    CHECK_EQ(alerts(&r, 5), 2); /* one per destination */
    CHECK_EQ(alerts(&r, 6), 2); /* from the third match on the action is pass */
    CHECK_EQ(alerts(&r, 7), 10);
    CHECK_EQ(alerts(&r, 8), 6); /* packets to 217.160.0.187 (not in HOME_NET) alert */
    app_test_free(&r);
}

CS_TEST(threshold_config_errors)
{
    static const char *const bad[] = {
        "suppress gen_id 1\n",
        "threshold gen_id 1, sig_id 2, type limit, track by_src, count 1\n",
        "threshold gen_id 1, sig_id 2, type often, track by_src, count 1, seconds 1\n",
        "suppress gen_id 1, sig_id 2, track by_src\n",
        "limit gen_id 1, sig_id 2\n",
        "suppress gen_id 1, sig_id 2, track by_src, ip not-an-ip\n",
    };
    for (unsigned i = 0; i < CS_ARRAY_LEN(bad); i++) {
        struct sn_config cfg;
        struct cs_err err = {0};
        struct sn_detect_engine *de;
        char path[] = "/tmp/cs-thr-XXXXXX";
        int fd = mkstemp(path);
        REQUIRE(fd >= 0);
        CHECK(write(fd, "# ok\n", 5) == 5);
        CHECK(write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
        close(fd);
        sn_config_defaults(&cfg);
        de = build("alert tcp any any -> any any (msg:\"x\"; sid:1;)\n", &cfg, path, &err);
        CHECK(de == NULL);
        CHECK(strstr(err.msg, ":2: ") != NULL);
        if (de)
            sn_detect_engine_free(de);
        cs_cfg_free(cfg.raw);
        unlink(path);
    }
}

/* ---- fast.log ------------------------------------------------------------------------------ */

CS_TEST(fastlog_line)
{
    struct sn_rule *r = NULL;
    struct cs_err err = {0};
    struct sn_addr s = {{{0}}}, d = {{{0}}};
    char line[512];
    const char *txt = "alert tcp any any -> any any (msg:\"ET TEST x\"; sid:2000001; rev:4; "
                      "priority:1;)";

    setenv("TZ", "UTC", 1);
    tzset();
    REQUIRE(sn_rule_parse(txt, strlen(txt), NULL, &r, &err) == CS_OK);
    s.u8[0] = 10, s.u8[3] = 1;
    d.u8[0] = 192, d.u8[1] = 168, d.u8[3] = 7;
    sn_fastlog_format(line, sizeof(line), 1700000000123456ull, r, 4, 6, &s, 1234, &d, 80, true);
    CHECK_STR(line, "11/14/2023-22:13:20.123456  [**] [1:2000001:4] ET TEST x [**] "
                    "[Classification: (null)] [Priority: 1] {TCP} 10.0.0.1:1234 -> "
                    "192.168.0.7:80");
    memset(&s, 0, sizeof(s));
    s.u8[0] = 0x20, s.u8[1] = 0x01, s.u8[15] = 1;
    sn_fastlog_format(line, sizeof(line), 1700000000000001ull, r, 6, 17, &s, 53, &s, 53, true);
    CHECK(strstr(line, "{UDP} 2001::1:53 -> 2001::1:53") != NULL);
    sn_rule_free(r);
}

CS_TEST(fastlog_file)
{
    char path[] = "/tmp/cs-fast-XXXXXX", buf[4096] = "";
    struct cs_err err = {0};
    struct app_run r;
    FILE *f;
    int fd = mkstemp(path);

    REQUIRE(fd >= 0);
    close(fd);
    setenv("TZ", "UTC", 1);
    tzset();
    REQUIRE(sn_fastlog_open(path, &err) == CS_OK);
    r = run("alert tcp any any -> any 80 (msg:\"GET out\"; content:\"GET\"; classtype:"
            "trojan-activity; sid:5; rev:2;)\n",
            MYIDS);
    sn_fastlog_close();
    f = fopen(path, "r");
    REQUIRE(f);
    CHECK(fread(buf, 1, sizeof(buf) - 1, f) > 0);
    fclose(f);
    CHECK(strstr(buf,
                 "  [**] [1:5:2] GET out [**] [Classification: A Network Trojan was "
                 "detected] [Priority: 1] {TCP} 172.17.0.2:54162 -> 217.160.0.187:80\n") != NULL);
    CHECK(strchr(buf, '\n') == buf + strlen(buf) - 1); /* one line */
    app_test_free(&r);
    unlink(path);
}

/* ---- grouping figures and skipped rules -------------------------------------------------- */

CS_TEST(grouping_and_skips)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    char buf[2048] = "";
    FILE *f;

    sn_config_defaults(&cfg);
    de = build("alert tcp any any -> any 80 (msg:\"a\"; content:\"aaaa\"; sid:1;)\n"
               "alert tcp any any -> any 80 (msg:\"b\"; content:\"bb\"; content:\"bbbbbb\"; "
               "sid:2;)\n"
               "alert tcp any any -> any any (msg:\"c\"; content:\"c\"; sid:3;)\n"
               "alert udp any any -> any 53 (msg:\"d\"; content:!\"d\"; sid:4;)\n"
               "alert smb any any -> any any (msg:\"no parser\"; content:\"x\"; sid:5;)\n",
               &cfg, NULL, &err);
    REQUIRE(de);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_loaded, 4);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_skipped, 1);
    CHECK_EQ(sn_detect_engine_stats(de)->prefiltered, 3); /* the negated one is not */
    /* tcp/80 group (sid 1, 2), tcp any (sid 3): one database each; udp/53 has none */
    CHECK_EQ(sn_detect_engine_stats(de)->databases, 2);
    f = fmemopen(buf, sizeof(buf), "w");
    REQUIRE(f);
    sn_detect_engine_print_skipped(de, f);
    fclose(f);
    CHECK(strstr(buf, "t.rules:5: sid 5: no parser for app-layer protocol 'smb'") != NULL);
    sn_detect_engine_free(de);
}

/* dotprefix rules go through the prefilter (the raw buffer scanned for the pattern less its
 * leading '.') and still match exactly as the transform says. */
CS_TEST(dotprefix_rules_are_prefiltered)
{
    static const char rules[] =
        "alert dns any any -> any any (msg:\"sfx\"; dns.query; dotprefix; "
        "content:\".suricata-ids.org\"; endswith; sid:10;)\n"
        "alert dns any any -> any any (msg:\"whole\"; dns.query; dotprefix; "
        "content:\".www.suricata-ids.org\"; endswith; sid:11;)\n"
        "alert dns any any -> any any (msg:\"not a label\"; dns.query; dotprefix; "
        "content:\".ids.org\"; endswith; sid:12;)\n"
        "alert dns any any -> any any (msg:\"dot only\"; dns.query; dotprefix; "
        "content:\".\"; sid:13;)\n"
        "alert dns any any -> any any (msg:\"inner\"; dns.query; dotprefix; "
        "content:\"suricata\"; sid:14;)\n";
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    struct app_run r;

    sn_config_defaults(&cfg);
    de = build(rules, &cfg, NULL, &err);
    REQUIRE(de);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_loaded, 5);
    /* all but the lone "." (nothing left once the dot is dropped) */
    CHECK_EQ(sn_detect_engine_stats(de)->prefiltered, 4);
    sn_detect_engine_free(de);

    r = run(rules, "pcaps/dns/dns-udp-dig.pcap"); /* query www.suricata-ids.org */
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 10), 1);
    CHECK_EQ(alerts(&r, 11), 1); /* the pattern's '.' is the one dotprefix adds */
    CHECK_EQ(alerts(&r, 12), 0); /* "-ids.org" is no ".ids.org" */
    CHECK_EQ(alerts(&r, 13), 1);
    CHECK_EQ(alerts(&r, 14), 1);
    app_test_free(&r);
}

/* Each HTTP transaction alerts on its own, also when it reuses the memory of a finished one
 * of the same flow (five pipelined requests, one flow). */
CS_TEST(http_transactions_alert_apart)
{
    struct app_run r = run("alert http any any -> any any (msg:\"get\"; flow:to_server; "
                           "http.method; content:\"GET\"; sid:20;)\n"
                           "alert http any any -> any any (msg:\"200\"; flow:to_client; "
                           "http.stat_code; content:\"200\"; sid:21;)\n",
                           "pcaps/http/pipelined-requests.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 20), 5);
    CHECK_EQ(alerts(&r, 21), 5);
    app_test_free(&r);
}

/* ---- transactional rules (=>) --------------------------------------------------------------- */

/* pipelined-requests.pcap: 192.168.1.104:1673 -> 63.245.209.11:80, five GET requests
 * (enhanced.css, urchin.js, three .png) each answered 200 (text/css,
 * application/x-javascript, image/png). */
#define PIPE "pcaps/http/pipelined-requests.pcap"

CS_TEST(txboth_matches_request_and_response_of_one_tx)
{
    struct app_run r = run(
        "alert http any any => any any (msg:\"js ok\"; http.uri; content:\"urchin.js\"; "
        "http.stat_code; content:\"200\"; sid:1;)\n"
        "alert http any any => any any (msg:\"png ok\"; http.uri; content:\".png\"; "
        "http.stat_code; content:\"200\"; sid:2;)\n"
        /* the request side does not match */
        "alert http any any => any any (msg:\"no uri\"; http.uri; content:\"nothere\"; "
        "http.stat_code; content:\"200\"; sid:3;)\n"
        /* the response side does not match */
        "alert http any any => any any (msg:\"no 404\"; http.uri; content:\"urchin.js\"; "
        "http.stat_code; content:\"404\"; sid:4;)\n"
        /* both sides match, but in different transactions */
        "alert http any any => any any (msg:\"css is not js\"; http.uri; content:\"urchin.js\"; "
        "http.header; content:\"Content-Type: text/css\"; sid:5;)\n"
        /* http.header after a response buffer is the response's, before it the request's */
        "alert http any any => any any (msg:\"css\"; http.header; content:\"Host: \"; "
        "http.uri; content:\".css\"; http.stat_code; content:\"200\"; http.header; "
        "content:\"Content-Type: text/css\"; sid:6;)\n"
        "alert http any any => any any (msg:\"host in response\"; http.stat_code; "
        "content:\"200\"; http.header; content:\"Host: \"; http.uri; content:\".css\"; sid:7;)\n",
        PIPE);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 3); /* once per transaction, not per call */
    CHECK_EQ(alerts(&r, 3), 0);
    CHECK_EQ(alerts(&r, 4), 0);
    CHECK_EQ(alerts(&r, 5), 0);
    CHECK_EQ(alerts(&r, 6), 1);
    CHECK_EQ(alerts(&r, 7), 0);
    /* raised on the response side: direction to_client, addresses of the response */
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"direction\":\"to_client\"",
                            "\"src_ip\":\"63.245.209.11\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"signature_id\":1,", "\"url\":\"/script/urchin.js\"",
                            "\"status\":200", NULL),
             1);
    app_test_free(&r);
}

/* Addresses and ports as '->' from the transaction's client. */
CS_TEST(txboth_addresses_from_the_client)
{
    struct app_run r = run(
        "alert http 192.168.1.104 any => 63.245.209.11 80 (msg:\"c->s\"; http.uri; "
        "content:\"urchin.js\"; http.stat_code; content:\"200\"; sid:1;)\n"
        "alert http 63.245.209.11 any => any any (msg:\"server as src\"; http.uri; "
        "content:\"urchin.js\"; http.stat_code; content:\"200\"; sid:2;)\n"
        "alert http any any => any 1673 (msg:\"client port as dp\"; http.uri; "
        "content:\"urchin.js\"; http.stat_code; content:\"200\"; sid:3;)\n",
        PIPE);
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 0);
    CHECK_EQ(alerts(&r, 3), 0);
    app_test_free(&r);
}

/* TLS: JA3 (ClientHello) and JA3S (ServerHello) of one handshake, once for the flow (the
 * suricata-verify test detect-bidir-ja3, here on its pcap). */
CS_TEST(txboth_tls_ja3_ja3s)
{
    struct app_run r = run(
        "alert tls any any => any any (msg:\"bidir ja3\"; ja3s.hash; "
        "content:\"5d79edf64e03689ff559a54e9d9487bc\"; ja3.string; content:\"771,49196-49200\"; "
        "sid:1;)\n"
        "alert tls any any => any any (msg:\"other ja3s\"; ja3s.hash; "
        "content:\"6d79edf64e03689ff559a54e9d9487bc\"; ja3.string; content:\"771,49196-49200\"; "
        "sid:2;)\n"
        "alert tls any any => any any (msg:\"other ja3\"; ja3s.hash; "
        "content:\"5d79edf64e03689ff559a54e9d9487bc\"; ja3.string; content:\"9999999999\"; "
        "sid:3;)\n",
        "sv/tls-certs-alert/input.pcap");
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 1);
    CHECK_EQ(alerts(&r, 2), 0);
    CHECK_EQ(alerts(&r, 3), 0);
    app_test_free(&r);
}

static int parse_err(const char *rule, char *msg, size_t n)
{
    struct sn_rule *r = NULL;
    struct cs_err err = {0};
    int rc = sn_rule_parse(rule, strlen(rule), NULL, &r, &err);
    snprintf(msg, n, "%s", err.msg);
    sn_rule_free(r);
    return rc;
}

CS_TEST(txboth_parse)
{
    struct sn_rule *r = NULL;
    struct cs_err err = {0};
    char msg[256];
    const char *ok = "alert http any any => any any (http.header; content:\"a\"; http.stat_code; "
                     "content:\"200\"; http.header; content:\"b\"; sid:1;)";

    REQUIRE(sn_rule_parse(ok, strlen(ok), NULL, &r, &err) == CS_OK);
    CHECK(r->flags & SN_RULE_TXBOTH);
    CHECK(!(r->flags & SN_RULE_BIDIR));
    REQUIRE(r->nkw == 3);
    CHECK_EQ(r->kw[0].dir, SN_TOSERVER);
    CHECK_EQ(r->kw[1].dir, SN_TOCLIENT);
    CHECK_EQ(r->kw[2].dir, SN_TOCLIENT);
    sn_rule_free(r);
    /* no transaction: a protocol without an app layer, and no app-layer buffer */
    CHECK_EQ(parse_err("alert tcp any any => any any (content:\"a\"; sid:1;)", msg, sizeof(msg)),
             CS_EINVAL);
    CHECK(strstr(msg, "packet payload") != NULL);
    CHECK_EQ(parse_err("alert tcp any any => any any (flow:established; sid:1;)", msg,
                       sizeof(msg)),
             CS_EINVAL);
    CHECK(strstr(msg, "app-layer protocol") != NULL);
    CHECK_EQ(parse_err("alert ip any any => any any (sid:1;)", msg, sizeof(msg)), CS_EINVAL);
    CHECK(strstr(msg, "app-layer protocol") != NULL);
    /* packet payload in a transaction rule */
    CHECK_EQ(parse_err("alert http any any => any any (content:\"GET\"; http.stat_code; "
                       "content:\"200\"; sid:1;)",
                       msg, sizeof(msg)),
             CS_EINVAL);
    /* one side only */
    CHECK_EQ(parse_err("alert http any any => any any (http.uri; content:\"a\"; sid:1;)", msg,
                       sizeof(msg)),
             CS_EINVAL);
    CHECK(strstr(msg, "both") != NULL);
    /* an app-layer buffer in a tcp rule gives the transaction */
    CHECK_EQ(parse_err("alert tcp any any => any any (http.uri; content:\"a\"; http.stat_code; "
                       "content:\"200\"; sid:1;)",
                       msg, sizeof(msg)),
             CS_OK);
}

/* dns and dnp3 reach the engine message by message: such '=>' rules are skipped, said why. */
CS_TEST(txboth_skipped_without_tx)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *de;
    char buf[1024] = "";
    FILE *f;

    sn_config_defaults(&cfg);
    de = build("alert dns any any => any any (dns.query; content:\"a\"; dns.answer.name; "
               "content:\"b\"; sid:1;)\n"
               "alert tls any any => any any (tls.sni; content:\"a\"; tls.cert_subject; "
               "content:\"b\"; sid:2;)\n",
               &cfg, NULL, &err);
    REQUIRE(de);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_loaded, 1);
    CHECK_EQ(sn_detect_engine_stats(de)->rules_skipped, 1);
    CHECK_EQ(sn_detect_engine_stats(de)->prefiltered, 0);
    f = fmemopen(buf, sizeof(buf), "w");
    REQUIRE(f);
    sn_detect_engine_print_skipped(de, f);
    fclose(f);
    CHECK(strstr(buf, "sid 1: '=>'") != NULL);
    sn_detect_engine_free(de);
}

/* ---- replacing the engine ----------------------------------------------------------------- */

CS_TEST(install_replaces_engine)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *a, *b;
    struct app_run r1, r2;

    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    a = build("alert tcp any any -> any 80 (msg:\"one\"; content:\"GET\"; sid:1;)\n", &cfg, NULL,
              &err);
    b = build("alert tcp any any -> any 80 (msg:\"two\"; content:\"GET\"; sid:2;)\n", &cfg, NULL,
              &err);
    REQUIRE(a && b);
    sn_detect_engine_install(a);
    r1 = app_test_run(MYIDS, &cfg, false);
    sn_detect_engine_install(b); /* a is retired and freed: no worker uses it */
    r2 = app_test_run(MYIDS, &cfg, false);
    sn_detect_shutdown();
    CHECK(!sn_detect_enabled());
    REQUIRE(r1.text && r2.text);
    CHECK_EQ(alerts(&r1, 1), 1);
    CHECK_EQ(alerts(&r1, 2), 0);
    CHECK_EQ(alerts(&r2, 1), 0);
    CHECK_EQ(alerts(&r2, 2), 1);
    app_test_free(&r1);
    app_test_free(&r2);
}

CS_TEST(reload_in_background)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct sn_detect_engine *a;
    struct app_run r;
    char path[] = "/tmp/cs-rules-XXXXXX";
    const char *files[1] = {path};
    const char *text = "alert tcp any any -> any 80 (msg:\"reloaded\"; content:\"GET\"; sid:9;)\n";
    int fd = mkstemp(path);

    REQUIRE(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    a = build("alert tcp any any -> any 80 (msg:\"old\"; content:\"GET\"; sid:1;)\n", &cfg, NULL,
              &err);
    REQUIRE(a);
    sn_detect_engine_install(a);
    sn_detect_reload_async(&cfg, files, 1);
    sn_detect_reload_wait();
    r = app_test_run(MYIDS, &cfg, false);
    sn_detect_shutdown();
    REQUIRE(r.text);
    CHECK_EQ(alerts(&r, 1), 0);
    CHECK_EQ(alerts(&r, 9), 1);
    app_test_free(&r);
    unlink(path);
}

CS_TEST_MAIN()
