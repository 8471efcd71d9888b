/* config_test.c — sn_config_load(): Suricata-layout YAML, --set overrides, errors with
 * positions, the ignored-keys warning, and (when present) the stock suricata.yaml and the
 * suricata-verify test configurations. */
#include "config.h"

#include "../lib/cs_cfg.h"
#include "../lib/cs_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define STOCK_YAML "/work/shared/corpus/suricata-ref/suricata.yaml.in"
#define VERIFY_DIR "/work/shared/corpus/suricata-verify/tests"

static char warned[8192];
static int nwarned;

static void capture(const char *msg)
{
    size_t l = strlen(warned);
    snprintf(warned + l, sizeof(warned) - l, "%s\n", msg);
    nwarned++;
}

static void reset_warn(void)
{
    warned[0] = 0;
    nwarned = 0;
    sn_config_warn = capture;
}

/* Writes text to a fresh temporary file; returns its path (static buffer per slot). */
static const char *tmp_yaml(const char *text, size_t len)
{
    static char paths[4][64];
    static int slot;
    char *p = paths[slot++ % 4];
    int fd;

    strcpy(p, "/tmp/sn_config_testXXXXXX");
    fd = mkstemp(p);
    if (fd < 0)
        return NULL;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return NULL;
    }
    close(fd);
    return p;
}

/* Loads text as the -c file with defaults first. */
static int load_text(struct sn_config *c, const char *text, char *const *sets, int nsets,
                     struct cs_err *err)
{
    const char *path = tmp_yaml(text, strlen(text));
    int rc;

    sn_config_defaults(c);
    if (!path)
        return -1000;
    rc = sn_config_load(c, path, sets, nsets, err);
    unlink(path);
    return rc;
}

static const char suri[] = "%YAML 1.1\n"
                           "---\n"
                           "vars:\n"
                           "  address-groups:\n"
                           "    HOME_NET: \"[192.168.0.0/16]\"\n"
                           "  port-groups:\n"
                           "    TEREDO_PORTS: 3545\n"
                           "    VXLAN_PORTS: \"[8472, 4789]\"\n"
                           "default-log-dir: /tmp/logs/\n"
                           "stats:\n"
                           "  enabled: yes\n"
                           "  interval: 8\n"
                           "outputs:\n"
                           "  - fast:\n"
                           "      enabled: no\n"
                           "      filename: alerts.log\n"
                           "  - eve-log:\n"
                           "      enabled: yes\n"
                           "      filetype: regular\n"
                           "      filename: out.json\n"
                           "      community-id: true\n"
                           "      community-id-seed: 7\n"
                           "      types:\n"
                           "        - alert:\n"
                           "            payload: yes\n"
                           "        - anomaly:\n"
                           "            enabled: yes\n"
                           "            types:\n"
                           "              stream: yes\n"
                           "            packethdr: yes\n"
                           "        - http:\n"
                           "            extended: yes\n"
                           "        - dns:\n"
                           "        - smtp\n"
                           "        - frame:\n"
                           "            enabled: no\n"
                           "        - tls:\n"
                           "            enabled: no\n"
                           "        - stats:\n"
                           "            totals: no\n"
                           "            threads: yes\n"
                           "        - flow\n"
                           "        - iec104\n"
                           "  - pcap-log:\n"
                           "      enabled: yes\n"
                           "  - file-store:\n"
                           "      enabled: no\n"
                           "app-layer:\n"
                           "  protocols:\n"
                           "    tls:\n"
                           "      enabled: yes\n"
                           "host-os-policy:\n"
                           "  windows: []\n"
                           "  linux: [10.0.0.0/8]\n"
                           "defrag:\n"
                           "  memcap: 16mb\n"
                           "  max-frags: 1000\n"
                           "  timeout: 30\n"
                           "flow:\n"
                           "  memcap: 1 GiB\n"
                           "  hash-size: 1024\n"
                           "  prealloc: 5\n"
                           "  emergency-recovery: 40\n"
                           "flow-timeouts:\n"
                           "  tcp:\n"
                           "    new: 11\n"
                           "    established: 22\n"
                           "    emergency-closed: 3\n"
                           "  udp:\n"
                           "    established: 44\n"
                           "stream:\n"
                           "  memcap: 32 MiB\n"
                           "  checksum-validation: no\n"
                           "  midstream: true\n"
                           "  async-oneside: yes\n"
                           "  inline: auto\n"
                           "  reassembly:\n"
                           "    memcap: 64mb\n"
                           "    depth: 0\n"
                           "decoder:\n"
                           "  teredo:\n"
                           "    enabled: false\n"
                           "    ports: $TEREDO_PORTS\n"
                           "  vxlan:\n"
                           "    ports: $VXLAN_PORTS\n"
                           "  max-layers: 8\n"
                           "host:\n"
                           "  hash-size: 4096\n"
                           "threading:\n"
                           "  set-cpu-affinity: no\n"
                           "runmode: workers\n"
                           "rule-files:\n"
                           "  - local.rules\n";

CS_TEST(suricata_layout)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    REQUIRE(load_text(&c, suri, NULL, 0, &err) == CS_OK);
    REQUIRE(c.raw);
    CHECK_STR(c.log_dir, "/tmp/logs/");
    CHECK(!c.fastlog_enabled);
    CHECK_STR(c.fastlog_filename, "alerts.log");
    CHECK(c.eve_enabled);
    CHECK_STR(c.eve_filename, "out.json");
    CHECK(c.eve_community_id);
    CHECK_EQ(c.community_id_seed, 7);
    CHECK_EQ(c.eve_types, SN_EVE_ALERT | SN_EVE_ANOMALY | SN_EVE_HTTP | SN_EVE_DNS | SN_EVE_STATS |
                              SN_EVE_FLOW | SN_EVE_ICS | SN_EVE_SMTP);
    CHECK(c.flow_enabled_in_eve);
    /* anomaly types given: decode missing -> no, stream yes, applayer default yes */
    CHECK(!c.anomaly_decode);
    CHECK(c.anomaly_stream);
    CHECK(c.anomaly_applayer);
    CHECK(c.anomaly_packethdr);
    CHECK(!c.stats_totals);
    CHECK(c.stats_threads);
    CHECK_EQ(c.defrag_memcap, 16ull << 20);
    CHECK_EQ(c.defrag_max_frags, 1000);
    CHECK_EQ(c.defrag_timeout_s, 30);
    CHECK_EQ(c.flow_memcap, 1ull << 30);
    CHECK_EQ(c.flow_hash_size, 1024);
    CHECK_EQ(c.flow_prealloc, 5);
    CHECK_EQ(c.flow_emergency_recovery, 40);
    CHECK_EQ(c.timeouts[SN_FP_TCP].new_s, 11);
    CHECK_EQ(c.timeouts[SN_FP_TCP].est_s, 22);
    CHECK_EQ(c.timeouts[SN_FP_TCP].closed_s, 60); /* untouched stock value */
    CHECK_EQ(c.timeouts[SN_FP_TCP].emerg_closed_s, 3);
    CHECK_EQ(c.timeouts[SN_FP_UDP].est_s, 44);
    CHECK_EQ(c.timeouts[SN_FP_UDP].new_s, 30);
    CHECK_EQ(sn_config_timeouts(&c, 6)->est_s, 22);
    CHECK_EQ(sn_config_timeouts(&c, 17)->est_s, 44);
    CHECK_EQ(c.stream_memcap, 32ull << 20);
    CHECK_EQ(c.csum, SN_CSUM_NONE);
    CHECK(c.midstream);
    CHECK(c.async_oneside);
    CHECK_EQ(c.reassembly_memcap, 64ull << 20);
    CHECK_EQ(c.reassembly_depth, 0);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_LINUX); /* the only policy with addresses */
    CHECK(!c.teredo_enabled);
    CHECK_EQ(c.teredo_port, 3545);
    CHECK(c.vxlan_enabled);
    CHECK_EQ(c.vxlan_port, 8472);
    CHECK_EQ(c.max_layers, 8);
    /* one warning line: enabled unsupported output, top-level keys we do not implement;
     * not: disabled outputs, vars, app-layer protocols, rule-files, runmode */
    CHECK_EQ(nwarned, 1);
    CHECK_STR(warned, "ignoring unsupported configuration keys: host, threading, "
                      "outputs.pcap-log\n");
    /* the raw tree stays available for later modules */
    const char *s = NULL;
    CHECK(cs_cfg_get_str(c.raw, "vars.address-groups.HOME_NET", &s));
    CHECK_STR(s, "[192.168.0.0/16]");
    sn_config_free(&c);
    CHECK(c.raw == NULL);
}

CS_TEST(defaults_without_file)
{
    struct sn_config c, d;
    struct cs_err err = {0};

    reset_warn();
    sn_config_defaults(&c);
    sn_config_defaults(&d);
    REQUIRE(sn_config_load(&c, NULL, NULL, 0, &err) == CS_OK);
    CHECK(c.raw != NULL);
    CHECK_EQ(nwarned, 0);
    CHECK_EQ(c.eve_types, d.eve_types);
    CHECK_EQ(c.flow_memcap, 128ull << 20);
    CHECK_EQ(c.csum, SN_CSUM_AUTO);
    CHECK(c.anomaly_decode);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_BSD);
    CHECK_STR(c.log_dir, ".");
    CHECK(memcmp(c.timeouts, d.timeouts, sizeof(c.timeouts)) == 0);
    sn_config_free(&c);
}

CS_TEST(set_overrides)
{
    struct sn_config c;
    struct cs_err err = {0};
    char *sets[] = {
        "flow.memcap=64mb",
        "outputs.eve-log.filename=x.json",
        "stream.checksum-validation=yes",
        "flow-timeouts.icmp.new=9",
        "decoder.vxlan.ports=4790",
        "outputs.eve-log.types.anomaly.types.decode=yes",
    };

    reset_warn();
    REQUIRE(load_text(&c, suri, sets, (int)CS_ARRAY_LEN(sets), &err) == CS_OK);
    CHECK_EQ(c.flow_memcap, 64ull << 20);
    CHECK_STR(c.eve_filename, "x.json");
    CHECK_EQ(c.csum, SN_CSUM_ALL);
    CHECK_EQ(c.timeouts[SN_FP_ICMP].new_s, 9);
    CHECK_EQ(c.vxlan_port, 4790);
    CHECK(c.anomaly_decode);
    CHECK(c.anomaly_stream);
    sn_config_free(&c);

    /* --set without a file: the built-in tree has the stock layout, so entry 0 of the eve-log
     * types (alert) is replaced, and index paths as suricata-verify uses them work */
    char *only[] = {"stream.midstream=yes", "outputs.eve-log.types.0=flow", "unknown.key=1",
                    "outputs.1.eve-log.types.2.anomaly.types.stream=yes"};
    sn_config_defaults(&c);
    reset_warn();
    REQUIRE(sn_config_load(&c, NULL, only, 4, &err) == CS_OK);
    CHECK(c.midstream);
    CHECK(c.eve_types & SN_EVE_FLOW);
    CHECK(!(c.eve_types & SN_EVE_ALERT));
    CHECK(c.eve_types & SN_EVE_STATS);
    CHECK(c.anomaly_stream);
    CHECK(c.anomaly_decode);
    CHECK(c.fastlog_enabled);
    CHECK_STR(warned, "ignoring unsupported configuration keys: unknown\n");
    sn_config_free(&c);
}

CS_TEST(empty_file_means_defaults)
{
    struct sn_config c, d;
    struct cs_err err = {0};
    char *set[] = {"outputs.1.eve-log.types.2.anomaly.types.stream=yes"};

    sn_config_defaults(&d);
    sn_config_defaults(&c);
    reset_warn();
    REQUIRE(sn_config_load(&c, "/dev/null", set, 1, &err) == CS_OK);
    CHECK_EQ(c.eve_types & ~SN_EVE_ALERT, d.eve_types & ~SN_EVE_ALERT);
    CHECK(c.eve_types & SN_EVE_FLOW);
    CHECK(c.anomaly_decode);
    CHECK(c.anomaly_stream);
    CHECK(c.fastlog_enabled);
    CHECK_STR(warned, "");
    sn_config_free(&c);
}

CS_TEST(malformed_set)
{
    struct sn_config c;
    struct cs_err err = {0};
    char *noeq[] = {"flow.memcap"};
    char *nokey[] = {"=5"};
    char *badkey[] = {"flow..memcap=1"};
    char *badval[] = {"flow.memcap=lots"};

    reset_warn();
    sn_config_defaults(&c);
    CHECK_EQ(sn_config_load(&c, NULL, noeq, 1, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "--set 'flow.memcap': expected KEY=VALUE") != NULL);
    CHECK(c.raw == NULL);
    CHECK_EQ(sn_config_load(&c, NULL, nokey, 1, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "KEY=VALUE") != NULL);
    CHECK_EQ(sn_config_load(&c, NULL, badkey, 1, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "invalid key") != NULL);
    CHECK_EQ(sn_config_load(&c, NULL, badval, 1, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "--set flow.memcap: expected a size") != NULL);
    CHECK(strstr(err.msg, "'lots'") != NULL);
    CHECK(c.raw == NULL);
}

CS_TEST(yaml_error_position)
{
    struct sn_config c;
    struct cs_err err = {0};
    const char *bad = "flow:\n  memcap: 1mb\n hash-size: 2\n";
    const char *path = tmp_yaml(bad, strlen(bad));
    char want[128];

    REQUIRE(path);
    reset_warn();
    sn_config_defaults(&c);
    CHECK_EQ(sn_config_load(&c, path, NULL, 0, &err), CS_EINVAL);
    CHECK_EQ(err.line, 3);
    CHECK(err.col > 0);
    snprintf(want, sizeof(want), "%s:3:%d: ", path, err.col);
    CHECK(strncmp(err.msg, want, strlen(want)) == 0);
    CHECK(c.raw == NULL);
    unlink(path);

    /* missing file */
    CHECK_EQ(sn_config_load(&c, "/nonexistent/x.yaml", NULL, 0, &err), CS_EIO);
    CHECK(strncmp(err.msg, "/nonexistent/x.yaml: cannot open", 32) == 0);
}

CS_TEST(bad_values_with_position)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    CHECK_EQ(load_text(&c, "flow:\n  memcap: 12 parsecs\n", NULL, 0, &err), CS_EINVAL);
    CHECK_EQ(err.line, 2);
    CHECK_EQ(err.col, 11);
    CHECK(strstr(err.msg, ":2:11: flow.memcap: expected a size") != NULL);
    CHECK_EQ(load_text(&c, "stream:\n  midstream: perhaps\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "stream.midstream: expected yes or no, got 'perhaps'") != NULL);
    CHECK_EQ(load_text(&c, "flow:\n  emergency-recovery: 101\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "from 1 to 100") != NULL);
    CHECK_EQ(load_text(&c, "flow:\n  hash-size: [1]\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "found a list or a map") != NULL);
    CHECK_EQ(load_text(&c, "decoder:\n  vxlan:\n    ports: $NOPE\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "undefined port variable '$NOPE'") != NULL);
    CHECK_EQ(load_text(&c, "decoder:\n  vxlan:\n    ports: 70000\n", NULL, 0, &err), CS_EINVAL);
    CHECK_EQ(load_text(&c, "host-os-policy:\n  plan9: [0.0.0.0/0]\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, "host-os-policy.plan9: unknown policy") != NULL);
    CHECK_EQ(
        load_text(&c, "outputs:\n  - eve-log:\n      community-id-seed: 70000\n", NULL, 0, &err),
        CS_EINVAL);
    CHECK(c.raw == NULL);
    /* empty values count as absent */
    REQUIRE(load_text(&c, "flow:\n  memcap:\ndecoder:\n  teredo:\n    ports: any\n", NULL, 0,
                      &err) == CS_OK);
    CHECK_EQ(c.flow_memcap, 128ull << 20);
    CHECK_EQ(c.teredo_port, 0);
    sn_config_free(&c);
    REQUIRE(load_text(&c, "decoder:\n  vxlan:\n    ports: [4790, 8472]\n", NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.vxlan_port, 4790);
    sn_config_free(&c);
}

CS_TEST(anomaly_types)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    /* anomaly without types: our defaults stay */
    REQUIRE(load_text(&c, "outputs:\n  - eve-log:\n      types:\n        - anomaly\n", NULL, 0,
                      &err) == CS_OK);
    CHECK_EQ(c.eve_types, SN_EVE_ANOMALY);
    CHECK(c.anomaly_decode);
    CHECK(!c.anomaly_stream);
    CHECK(c.anomaly_applayer);
    CHECK(!c.flow_enabled_in_eve);
    sn_config_free(&c);
    /* empty types section (stock layout): defaults stay */
    REQUIRE(load_text(&c,
                      "outputs:\n  - eve-log:\n      types:\n        - anomaly:\n"
                      "            enabled: yes\n            types:\n",
                      NULL, 0, &err) == CS_OK);
    CHECK(c.anomaly_decode);
    sn_config_free(&c);
    /* decode only, applayer turned off */
    REQUIRE(load_text(&c,
                      "outputs:\n  - eve-log:\n      types:\n        - anomaly:\n"
                      "            types:\n              decode: no\n              applayer: "
                      "no\n              stream: yes\n",
                      NULL, 0, &err) == CS_OK);
    CHECK(!c.anomaly_decode);
    CHECK(c.anomaly_stream);
    CHECK(!c.anomaly_applayer);
    sn_config_free(&c);
    /* anomaly disabled */
    REQUIRE(load_text(&c,
                      "outputs:\n  - eve-log:\n      types:\n        - anomaly:\n"
                      "            enabled: no\n        - alert\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.eve_types, SN_EVE_ALERT);
    sn_config_free(&c);
    /* eve-log without types keeps the default set; stats.enabled: no drops stats */
    REQUIRE(load_text(&c, "stats:\n  enabled: no\noutputs:\n  - eve-log:\n      enabled: no\n",
                      NULL, 0, &err) == CS_OK);
    CHECK(!c.eve_enabled);
    struct sn_config d;
    sn_config_defaults(&d);
    CHECK_EQ(c.eve_types, d.eve_types & ~(uint32_t)SN_EVE_STATS);
    CHECK_EQ(nwarned, 0);
    sn_config_free(&c);
}

/* the alert type's metadata option: a boolean for all, or Suricata's map; verdict */
CS_TEST(alert_metadata_options)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    REQUIRE(load_text(&c, "outputs:\n  - eve-log:\n      types:\n        - alert\n", NULL, 0,
                      &err) == CS_OK);
    CHECK(c.alert_metadata && c.alert_app_layer && c.alert_flow);
    CHECK(!c.alert_rule_raw && !c.alert_verdict);
    sn_config_free(&c);
    REQUIRE(load_text(&c,
                      "outputs:\n  - eve-log:\n      types:\n        - alert:\n"
                      "            metadata: no\n            verdict: yes\n",
                      NULL, 0, &err) == CS_OK);
    CHECK(!c.alert_metadata && !c.alert_app_layer && !c.alert_flow);
    CHECK(c.alert_verdict);
    sn_config_free(&c);
    REQUIRE(load_text(&c,
                      "outputs:\n  - eve-log:\n      types:\n        - alert:\n"
                      "            metadata:\n              app-layer: false\n"
                      "              rule:\n                raw: true\n"
                      "                metadata: false\n",
                      NULL, 0, &err) == CS_OK);
    CHECK(!c.alert_app_layer);
    CHECK(c.alert_flow); /* not named: stays on */
    CHECK(c.alert_rule_raw);
    CHECK(!c.alert_metadata);
    CHECK_EQ(nwarned, 0);
    sn_config_free(&c);
    /* a value that is not a boolean is an error with the key */
    CHECK(load_text(&c,
                    "outputs:\n  - eve-log:\n      types:\n        - alert:\n"
                    "            metadata:\n              rule:\n                raw: maybe\n",
                    NULL, 0, &err) != CS_OK);
    CHECK(strstr(err.msg, "raw") != NULL);
    sn_config_free(&c);
}

CS_TEST(checksum_modes)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    REQUIRE(load_text(&c, "stream:\n  checksum-validation: yes\n", NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.csum, SN_CSUM_ALL);
    sn_config_free(&c);
    REQUIRE(load_text(&c,
                      "stream:\n  checksum-validation: yes\npcap-file:\n  checksum-checks: "
                      "auto\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.csum, SN_CSUM_AUTO);
    sn_config_free(&c);
    REQUIRE(load_text(&c,
                      "stream:\n  checksum-validation: yes\npcap-file:\n  checksum-checks: "
                      "no\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.csum, SN_CSUM_NONE);
    sn_config_free(&c);
    REQUIRE(load_text(&c,
                      "stream:\n  checksum-validation: no\npcap-file:\n  checksum-checks: "
                      "yes\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.csum, SN_CSUM_NONE);
    sn_config_free(&c);
    CHECK_EQ(load_text(&c, "pcap-file:\n  checksum-checks: sometimes\n", NULL, 0, &err), CS_EINVAL);
    CHECK_EQ(load_text(&c, "stream:\n  checksum-validation: maybe\n", NULL, 0, &err), CS_EINVAL);
    CHECK(strstr(err.msg, ":2:24: stream.checksum-validation: expected yes or no") != NULL);
}

CS_TEST(overlap_policy)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    REQUIRE(load_text(&c,
                      "host-os-policy:\n  windows: [0.0.0.0/0]\n  bsd: []\n  linux: "
                      "[10.1.1.1]\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_WINDOWS);
    sn_config_free(&c);
    REQUIRE(load_text(&c, "host-os-policy:\n  first: \"[::/0]\"\n", NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_FIRST);
    sn_config_free(&c);
    REQUIRE(load_text(&c, "host-os-policy:\n  old-solaris: 10.0.0.1\n", NULL, 0, &err) == CS_OK);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_SOLARIS);
    sn_config_free(&c);
    CHECK_EQ(nwarned, 0);
    REQUIRE(load_text(&c, "host-os-policy:\n  last: [10.0.0.1]\n  linux: [10.0.0.2]\n", NULL, 0,
                      &err) == CS_OK);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_BSD);
    CHECK_EQ(nwarned, 1);
    CHECK(strstr(warned, "per-host policies are not supported") != NULL);
    sn_config_free(&c);
}

CS_TEST(ignored_keys_warning)
{
    struct sn_config c;
    struct cs_err err = {0};

    reset_warn();
    REQUIRE(load_text(&c,
                      "detect:\n  profile: medium\nflow:\n  memcap: 1mb\n"
                      "outputs:\n  - eve-log:\n      enabled: yes\n  - syslog:\n      "
                      "enabled: yes\n  - lua:\n      enabled: no\n  - tcp-data\n"
                      "mpm-algo: hs\n",
                      NULL, 0, &err) == CS_OK);
    CHECK_EQ(nwarned, 1);
    CHECK_STR(warned, "ignoring unsupported configuration keys: detect, mpm-algo, "
                      "outputs.syslog, outputs.tcp-data\n");
    sn_config_free(&c);
    /* include is reported through the same hook, with its position */
    reset_warn();
    REQUIRE(load_text(&c, "%YAML 1.1\n---\ninclude: other.yaml\nflow:\n  memcap: 1mb\n", NULL, 0,
                      &err) == CS_OK);
    CHECK_EQ(nwarned, 1);
    CHECK(strstr(warned, ":3:1: 'include' is not supported; ignored\n") != NULL);
    CHECK_EQ(c.flow_memcap, 1u << 20);
    sn_config_free(&c);
    /* everything known: no warning */
    reset_warn();
    REQUIRE(load_text(&c, "flow:\n  memcap: 1mb\nvars:\n  x: 1\n", NULL, 0, &err) == CS_OK);
    CHECK_EQ(nwarned, 0);
    sn_config_free(&c);
    /* outputs that is not a list is reported as itself */
    reset_warn();
    REQUIRE(load_text(&c, "outputs: none\n", NULL, 0, &err) == CS_OK);
    CHECK_STR(warned, "ignoring unsupported configuration keys: outputs\n");
    sn_config_free(&c);
}

/* The stock suricata.yaml.in is a configure template: fill its @placeholders@ the way
 * configure does (plugin lines commented out, directories set) before loading it. */
static char *fill_template(const char *text, size_t *len)
{
    size_t n = strlen(text), cap = n * 2 + 64, k = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        const char *end = text[i] == '@' ? strchr(text + i + 1, '@') : NULL;
        size_t nl = end ? (size_t)(end - text - i - 1) : 0;
        if (end && nl > 0 && nl < 40 && !memchr(text + i + 1, '\n', nl) &&
            !memchr(text + i + 1, ' ', nl)) {
            const char *rep = "/tmp/citysoc-stock/";
            if (nl > 8 && memcmp(end - 8, "_comment", 8) == 0)
                rep = "#";
            else if (nl == 11 && memcmp(text + i + 1, "MAJOR_MINOR", 11) == 0)
                rep = "8.0";
            if (k + strlen(rep) + 1 >= cap)
                break;
            memcpy(out + k, rep, strlen(rep));
            k += strlen(rep);
            i += nl + 2;
            continue;
        }
        if (k + 2 >= cap)
            break;
        out[k++] = text[i++];
    }
    out[k] = 0;
    *len = k;
    return out;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = 0;
    fclose(f);
    return buf;
}

CS_TEST(stock_suricata_yaml)
{
    struct sn_config c;
    struct cs_err err = {0};
    char *text = read_all(STOCK_YAML), *filled;
    size_t len;
    const char *path;

    if (!text)
        return; /* corpus not present: nothing to check */
    filled = fill_template(text, &len);
    free(text);
    REQUIRE(filled);
    path = tmp_yaml(filled, len);
    free(filled);
    REQUIRE(path);
    reset_warn();
    sn_config_defaults(&c);
    int rc = sn_config_load(&c, path, NULL, 0, &err);
    unlink(path);
    if (rc != CS_OK)
        printf("  stock: %s\n", err.msg);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(c.eve_types, SN_EVE_ALERT | SN_EVE_ANOMALY | SN_EVE_HTTP | SN_EVE_DNS | SN_EVE_TLS |
                              SN_EVE_FILES | SN_EVE_SSH | SN_EVE_STATS | SN_EVE_FLOW |
                              SN_EVE_SMTP | SN_EVE_FTP);
    CHECK(c.eve_enabled);
    CHECK_STR(c.eve_filename, "eve.json");
    CHECK(!c.eve_community_id);
    CHECK(c.fastlog_enabled);
    CHECK(c.stats_totals);
    CHECK(!c.stats_threads);
    CHECK(c.anomaly_decode); /* empty anomaly types: our default */
    CHECK(c.anomaly_applayer);
    struct sn_config d;
    sn_config_defaults(&d);
    CHECK(memcmp(c.timeouts, d.timeouts, sizeof(c.timeouts)) == 0);
    CHECK_EQ(c.flow_memcap, 128ull << 20);
    CHECK_EQ(c.stream_memcap, 64ull << 20);
    CHECK_EQ(c.reassembly_memcap, 256ull << 20);
    CHECK_EQ(c.defrag_memcap, 32ull << 20);
    CHECK_EQ(c.overlap_policy, SN_OVERLAP_WINDOWS);
    CHECK_EQ(c.csum, SN_CSUM_AUTO); /* checksum-validation yes + pcap-file auto */
    CHECK_EQ(c.teredo_port, 3544);
    CHECK_EQ(c.vxlan_port, 4789);
    CHECK_STR(c.log_dir, "/tmp/citysoc-stock/");
    CHECK_EQ(nwarned, 1);
    CHECK(strstr(warned, "ignoring unsupported configuration keys: ") == warned);
    CHECK(strstr(warned, "threading") != NULL);
    CHECK(strstr(warned, "outputs.stats") != NULL);    /* the stats.log output is enabled */
    CHECK(strstr(warned, "outputs.pcap-log") == NULL); /* disabled */
    CHECK(strstr(warned, "outputs.eve-log") == NULL);
    CHECK(strstr(warned, "vars") == NULL);
    printf("  stock suricata.yaml: %s", warned);
    sn_config_free(&c);
}

CS_TEST(suricata_verify_configs)
{
    DIR *d = opendir(VERIFY_DIR);
    struct dirent *e;
    int loaded = 0;

    if (!d)
        return; /* corpus not present */
    reset_warn();
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        struct sn_config c;
        struct cs_err err = {0};

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/suricata.yaml", VERIFY_DIR, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        sn_config_defaults(&c);
        int rc = sn_config_load(&c, path, NULL, 0, &err);
        if (rc != CS_OK)
            CS_FAILF("%s: %s", path, err.msg);
        else
            loaded++;
        /* every one of them logs something in EVE */
        CHECK(rc != CS_OK || c.eve_types != 0);
        if (strcmp(e->d_name, "output-eve-anomaly-01") == 0) {
            CHECK_EQ(c.eve_types, SN_EVE_ANOMALY);
            CHECK(c.anomaly_decode);
            CHECK(!c.anomaly_stream);
            CHECK(c.anomaly_applayer);
        }
        if (strcmp(e->d_name, "eve-flow-vlan-02") == 0)
            CHECK_EQ(c.eve_types, SN_EVE_FLOW);
        if (strcmp(e->d_name, "community-id-ipv4") == 0) {
            CHECK(c.eve_community_id);
            CHECK_EQ(c.community_id_seed, 7);
            CHECK_EQ(c.eve_types, SN_EVE_TLS | SN_EVE_FLOW);
        }
        sn_config_free(&c);
    }
    closedir(d);
    CHECK(loaded > 0);
    printf("  loaded %d suricata-verify configurations\n", loaded);
}

CS_TEST(hub_output)
{
    struct sn_config c;
    struct cs_err err = {0};
    static const char yaml[] = "outputs:\n"
                               "  - eve-log:\n"
                               "      enabled: yes\n"
                               "  - hub:\n"
                               "      url: http://127.0.0.1:8443\n"
                               "      token-file: /etc/citysoc/token\n"
                               "      key: sensor-sm2-key.pem\n"
                               "      sensor-name: edge-1\n"
                               "      spool-dir: /var/spool/citysoc\n"
                               "      batch-events: 500\n"
                               "      batch-bytes: 512kb\n"
                               "      flush-interval: 250ms\n"
                               "      compression: gzip\n"
                               "      spool-max-bytes: 2gb\n";
    reset_warn();
    sn_config_defaults(&c);
    CHECK(!c.hub.enabled);
    REQUIRE(load_text(&c, yaml, NULL, 0, &err) == CS_OK);
    CHECK(c.hub.enabled);
    CHECK_STR(c.hub.url, "http://127.0.0.1:8443");
    CHECK_STR(c.hub.token_file, "/etc/citysoc/token");
    CHECK_STR(c.hub.key_file, "sensor-sm2-key.pem");
    CHECK_STR(c.hub.sensor_name, "edge-1");
    CHECK_STR(c.hub.spool_dir, "/var/spool/citysoc");
    CHECK(c.hub.batch_events == 500);
    CHECK(c.hub.batch_bytes == 512u << 10);
    CHECK(c.hub.flush_ms == 250);
    CHECK(c.hub.compression == SN_HUB_GZIP);
    CHECK(c.hub.spool_max_bytes == 2ull << 30);
    CHECK(c.hub.drain_ms == 10000);
    CHECK(strstr(warned, "hub") == NULL); /* the keys are used, not warned about */
    sn_config_free(&c);

    sn_config_defaults(&c);
    CHECK(load_text(&c, "outputs:\n  - hub:\n      url: http://h\n      compression: lz4\n",
                    NULL, 0, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "compression") != NULL);
    sn_config_free(&c);
    sn_config_defaults(&c);
    CHECK(load_text(&c, "outputs:\n  - hub:\n      url: http://h\n      flush-interval: 3x\n",
                    NULL, 0, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "flush-interval") != NULL);
    sn_config_free(&c);
    sn_config_defaults(&c);
    CHECK(load_text(&c, "outputs:\n  - hub:\n      token: x\n", NULL, 0, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "url") != NULL);
    sn_config_free(&c);
    sn_config_defaults(&c);
    REQUIRE(load_text(&c, "outputs:\n  - hub:\n      enabled: no\n", NULL, 0, &err) == CS_OK);
    CHECK(!c.hub.enabled);
    sn_config_free(&c);
}

CS_TEST_MAIN()
