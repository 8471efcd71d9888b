/* app_switch_test.c — app-layer.protocols.<name>.enabled (yes / no / detection-only) and
 * detection-ports: configuration parsing and their effect on real captures. */
#include "../../lib/cs_test.h"
#include "app_test_util.h"

/* A configuration with the given "key", "value" pairs (NULL-terminated) applied. */
static int configure(struct sn_config *cfg, struct cs_err *err, ...)
{
    va_list ap;
    const char *k;

    sn_config_defaults(cfg);
    cfg->csum = SN_CSUM_NONE;
    cfg->midstream = true;
    cfg->raw = cs_cfg_new();
    if (!cfg->raw)
        return CS_ENOMEM;
    va_start(ap, err);
    while ((k = va_arg(ap, const char *))) {
        const char *v = va_arg(ap, const char *);
        cs_cfg_set(cfg->raw, k, v);
    }
    va_end(ap);
    return sn_app_configure(cfg, err);
}

static struct app_run run_with(const char *pcap, const struct sn_config *cfg)
{
    return app_test_run(pcap, cfg, false);
}

CS_TEST(parse_modes_and_ports)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    unsigned http = sn_app_lookup("http"), dns = sn_app_lookup("dns"), tls = sn_app_lookup("tls");

    REQUIRE(http && dns && tls);
    REQUIRE(configure(&cfg, &err, "app-layer.protocols.http.enabled", "no",
                      "app-layer.protocols.dns.udp.enabled", "detection-only",
                      "app-layer.protocols.tls.detection-ports.dp", "443, 8443",
                      "app-layer.protocols.smb.enabled", "yes", /* unknown here: ignored */
                      NULL) == CS_OK);
    CHECK_EQ(cfg.app_mode[http][0], SN_APP_OFF);
    CHECK_EQ(cfg.app_mode[http][1], SN_APP_OFF);
    CHECK_EQ(cfg.app_mode[dns][0], SN_APP_ON);
    CHECK_EQ(cfg.app_mode[dns][1], SN_APP_DETECT_ONLY);
    CHECK_EQ(cfg.app_mode[tls][0], SN_APP_ON);
    CHECK_STR(cfg.app_dports[tls][0], "443, 8443");
    CHECK_STR(cfg.app_dports[http][0], "");
    cs_cfg_free(cfg.raw);

    /* a value that is none of the three, a port list that is not one */
    CHECK(configure(&cfg, &err, "app-layer.protocols.dns.enabled", "maybe", NULL) == CS_EINVAL);
    CHECK(strstr(err.msg, "app-layer.protocols.dns.enabled: expected yes, no or detection-only")
          != NULL);
    cs_cfg_free(cfg.raw);
    CHECK(configure(&cfg, &err, "app-layer.protocols.tls.detection-ports.dp", "44x3", NULL) ==
          CS_EINVAL);
    CHECK(strstr(err.msg, "detection-ports.dp") != NULL);
    cs_cfg_free(cfg.raw);
    CHECK(configure(&cfg, &err, "app-layer.protocols.tls.detection-ports.dp", "70000", NULL) ==
          CS_EINVAL);
    cs_cfg_free(cfg.raw);
}

CS_TEST(http_yes_no_detection_only)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct app_run r;

    /* yes (the default): http records, the flow is http */
    REQUIRE(configure(&cfg, &err, "app-layer.protocols.http.enabled", "yes", NULL) == CS_OK);
    r = run_with("pcaps/http/testmyids.pcap", &cfg);
    REQUIRE(r.text);
    CHECK(app_test_count(&r, "\"event_type\":\"http\"", NULL) >= 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"http\"", NULL), 1);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);

    /* no: neither detected nor parsed */
    REQUIRE(configure(&cfg, &err, "app-layer.protocols.http.enabled", "no", NULL) == CS_OK);
    r = run_with("pcaps/http/testmyids.pcap", &cfg);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"app_proto\":\"http\"", NULL), 0);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);

    /* detection-only: the flow is http, nothing is parsed or logged */
    REQUIRE(configure(&cfg, &err, "app-layer.protocols.http.enabled", "detection-only", NULL) ==
            CS_OK);
    r = run_with("pcaps/http/testmyids.pcap", &cfg);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"http\"", NULL), 1);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);
}

CS_TEST(dns_per_transport)
{
    struct sn_config cfg;
    struct cs_err err = {0};
    struct app_run r;

    /* dns.udp.enabled: no turns off DNS over UDP only */
    REQUIRE(configure(&cfg, &err, "app-layer.protocols.dns.udp.enabled", "no", NULL) == CS_OK);
    r = run_with("pcaps/dns/dns-udp-dig.pcap", &cfg);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dns\"", NULL), 0);
    app_test_free(&r);
    r = run_with("pcaps/dns/dns-tcp-google.pcap", &cfg);
    REQUIRE(r.text);
    CHECK(app_test_count(&r, "\"event_type\":\"dns\"", NULL) >= 1);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);
    /* and the default has both */
    REQUIRE(configure(&cfg, &err, NULL) == CS_OK);
    r = run_with("pcaps/dns/dns-udp-dig.pcap", &cfg);
    REQUIRE(r.text);
    CHECK(app_test_count(&r, "\"event_type\":\"dns\"", NULL) >= 1);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);
}

CS_TEST_MAIN()
