/* modbus_test.c — Modbus/TCP parser: real captures through the whole pipeline (also cut into
 * 1-byte deliveries; transaction ids, unit ids, function codes, addresses and quantities
 * checked against tshark's mbtcp/modbus dissector) and hand-built ADUs fed to parse() with
 * the EVE text read back. */
#include "app_test_util.h"
#include "modbus.h"

#include "../../lib/cs_cfg.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_modbus;

CS_TEST(modbus_sv_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/modbus/sv-modbus.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* suricata-verify "modbus": 18 transactions, one with id 10, two RdCoils requests */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"modbus\"", NULL), 18);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"modbus\"", "\"modbus\":{\"id\":10,", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"request\":{\"transaction_id\":", "\"function_code\":\"RdCoils\"",
                            NULL),
             2);
    CHECK_EQ(app_test_count(&r,
                            "\"request\":{\"transaction_id\":1,\"protocol_id\":0,\"unit_id\":10,"
                            "\"function_raw\":1,\"function_code\":\"RdCoils\",\"access_type\":"
                            "\"READ | COILS\",\"category\":\"PUBLIC_ASSIGNED\",\"error_flags\":"
                            "\"NONE\",\"read\":{\"address\":2,\"quantity\":2}}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"request\":{", "\"function_code\":\"Diagnostic\"", NULL), 8);
    /* tshark modbus.diagnostic_code of the requests: 1 x3, 4 x3, 10 x2 */
    CHECK_EQ(app_test_count(&r, "\"request\":{",
                            "\"diagnostic\":{\"raw\":1,\"code\":"
                            "\"RestartCommOpt\"",
                            NULL),
             3);
    CHECK_EQ(
        app_test_count(&r, "\"exception\":{\"raw\":11,\"code\":\"GatewayTargetFailToResp\"}", NULL),
        4);
    /* two MEI requests never answered: logged at the end, request only */
    CHECK_EQ(app_test_count(&r, "\"function_code\":\"MEI\"", "\"response\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"function_code\":\"MEI\"", NULL), 2);
    CHECK_EQ(app_test_count(&r, "\"write\":{\"address\":5,\"data\":11}", "WrSingleReg", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"access_type\":\"READ", "\"event_type\":\"modbus\"", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"access_type\":\"WRITE", "\"event_type\":\"modbus\"", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"event\":\"modbus.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(modbus_small_write_read)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/modbus/modbusSmall.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: 8 x (WrMultCoils ref 0 bit_cnt 3) and 8 x (RdCoils ref 0 bit_cnt 3), tid 1 */
    CHECK_EQ(app_test_count(&r,
                            "\"request\":{\"transaction_id\":1,\"protocol_id\":0,\"unit_id\":1,"
                            "\"function_raw\":15,",
                            "\"write\":{\"address\":0,\"quantity\":3,",
                            "\"response\":{\"transaction_id\":1,",
                            "\"write\":{\"address\":0,\"data\":3}", NULL),
             8);
    CHECK_EQ(app_test_count(&r, "\"function_raw\":1,", "\"read\":{\"address\":0,\"quantity\":3}",
                            "\"read\":{\"data\":", NULL),
             8);
    app_test_free(&r);
}

CS_TEST(modbus_mei_and_exception)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/modbus/modbus-eit.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"unit_id\":0,", "\"mei\":{\"raw\":14,\"code\":\"RdDevId\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"unit_id\":255,", "\"function_raw\":171,",
                            "\"exception\":{\"raw\":4,\"code\":\"ServerDeviceFail\"}", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(modbus_function_code_sweep)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/modbus/modbus_test_data_part2.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark counts 141 requests; function code 0 is still Modbus on port 502 */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"modbus\"", NULL), 141);
    CHECK_EQ(app_test_count(&r, "\"function_raw\":0,", "\"error_flags\":\"FUNC_CODE\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"read\":{\"address\":0,\"quantity\":0}",
                            "\"error_flags\":\"DATA_VALUE\"", NULL),
             4); /* function codes 1 to 4 with quantity 0 */
    CHECK(app_test_count(&r, "\"event\":\"modbus.invalid_value\"", NULL) > 0);
    app_test_free(&r);
}

CS_TEST(modbus_long_adus)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/modbus/modicon_test.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* 90 requests (tshark); two ADUs with length 255 are flagged but framing goes on */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"modbus\"", NULL), 90);
    CHECK_EQ(app_test_count(&r, "\"event\":\"modbus.invalid_length\"", NULL), 2);
    CHECK_EQ(app_test_count(&r, "\"function_raw\":90,", "\"category\":\"RESERVED\"", NULL), 90);
    app_test_free(&r);
}

/* ---- hand-built ADUs --------------------------------------------------------------------- */

struct feeder {
    struct sn_worker w;
    struct sn_config cfg;
    struct sn_flow f;
    struct sn_eve_sink *sink;
    void *s;
    char path[64];
    uint8_t pend[2][8192];
    uint32_t plen[2];
    char *text;
};

static struct feeder *feeder_new(uint16_t dp, const char *flood)
{
    struct feeder *fd = calloc(1, sizeof(*fd));
    int tfd;

    if (!fd)
        return NULL;
    snprintf(fd->path, sizeof(fd->path), "/tmp/cs-mbtest-XXXXXX");
    tfd = mkstemp(fd->path);
    if (tfd >= 0)
        close(tfd);
    sn_config_defaults(&fd->cfg);
    if (flood) {
        fd->cfg.raw = cs_cfg_new();
        if (fd->cfg.raw)
            cs_cfg_set(fd->cfg.raw, "app-layer.protocols.modbus.request-flood", flood);
    }
    fd->sink = sn_eve_sink_open(fd->path, NULL, NULL);
    if (!fd->sink || sn_worker_init(&fd->w, 0, &fd->cfg, 1, fd->sink) != CS_OK) {
        free(fd);
        return NULL;
    }
    fd->f.proto = IPPROTO_TCP;
    fd->f.ip_ver = 4;
    fd->f.sp = 40000;
    fd->f.dp = dp;
    fd->f.app_proto = (uint16_t)sn_app_lookup("modbus");
    fd->s = sn_app_modbus.state_new();
    return fd;
}

/* Ends both directions, closes the EVE file and reads it into fd->text. */
static void feeder_end(struct feeder *fd)
{
    FILE *fp;
    long n;

    sn_app_modbus.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, NULL, 0, SN_STREAM_EOF);
    sn_app_modbus.parse(&fd->w, &fd->f, fd->s, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    sn_worker_destroy(&fd->w);
    sn_eve_sink_close(fd->sink);
    fp = fopen(fd->path, "rb");
    if (!fp)
        return;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    fd->text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (fd->text && n > 0 && fread(fd->text, 1, (size_t)n, fp) != (size_t)n)
        fd->text[0] = 0;
    fclose(fp);
}

static void feeder_free(struct feeder *fd)
{
    sn_app_modbus.state_free(fd->s);
    if (fd->cfg.raw)
        cs_cfg_free(fd->cfg.raw);
    unlink(fd->path);
    free(fd->text);
    free(fd);
}

static int count(const struct feeder *fd, const char *needle)
{
    int n = 0;
    for (const char *p = fd->text; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void feed(struct feeder *fd, int dir, const void *p, size_t n, size_t step)
{
    const uint8_t *b = p;

    for (size_t off = 0; off < n;) {
        size_t k = step ? CS_MIN(step, n - off) : n - off;
        int rc;
        if (fd->plen[dir] + k > sizeof(fd->pend[dir]))
            return;
        memcpy(fd->pend[dir] + fd->plen[dir], b + off, k);
        fd->plen[dir] += (uint32_t)k;
        off += k;
        rc = sn_app_modbus.parse(&fd->w, &fd->f, fd->s, dir, fd->pend[dir], fd->plen[dir], 0);
        if (rc < 0 || (uint32_t)rc > fd->plen[dir])
            return;
        memmove(fd->pend[dir], fd->pend[dir] + rc, fd->plen[dir] - (uint32_t)rc);
        fd->plen[dir] -= (uint32_t)rc;
    }
}

/* read holding registers 100..104, unit 7, tid 0x1234 */
static const uint8_t rd_req[] = {0x12, 0x34, 0, 0, 0, 6, 7, 3, 0, 100, 0, 5};
static const uint8_t rd_resp[] = {0x12, 0x34, 0, 0, 0, 13, 7, 3, 10, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5};

CS_TEST(modbus_request_response_split_any_way)
{
    for (size_t step = 0; step <= 3; step++) {
        struct feeder *fd = feeder_new(502, NULL);
        REQUIRE(fd && fd->s);
        feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), step);
        feed(fd, SN_TOCLIENT, rd_resp, sizeof(rd_resp), step);
        feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(count(fd, "\"event_type\":\"modbus\""), 1);
        CHECK_EQ(count(fd,
                       "\"modbus\":{\"id\":1,\"request\":{\"transaction_id\":4660,\"protocol_id\""
                       ":0,\"unit_id\":7,\"function_raw\":3,\"function_code\":\"RdHoldRegs\","
                       "\"access_type\":\"READ | HOLDING\",\"category\":\"PUBLIC_ASSIGNED\","
                       "\"error_flags\":\"NONE\",\"read\":{\"address\":100,\"quantity\":5}},"
                       "\"response\":{\"transaction_id\":4660,"),
                 1);
        CHECK_EQ(count(fd, "\"anomaly\""), 0);
        feeder_free(fd);
    }
}

CS_TEST(modbus_value_mismatch_and_unsolicited)
{
    struct feeder *fd = feeder_new(502, NULL);
    uint8_t short_resp[sizeof(rd_resp) - 2];

    REQUIRE(fd && fd->s);
    /* response with 8 bytes for 5 registers: value_mismatch */
    memcpy(short_resp, rd_resp, sizeof(short_resp));
    short_resp[5] = 11;
    short_resp[8] = 8;
    feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), 0);
    feed(fd, SN_TOCLIENT, short_resp, sizeof(short_resp), 0);
    /* a response nobody asked for */
    feed(fd, SN_TOCLIENT, rd_resp, sizeof(rd_resp), 0);
    feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(count(fd, "\"event\":\"modbus.value_mismatch\""), 1);
    CHECK_EQ(count(fd, "\"event\":\"modbus.unsolicited_response\""), 1);
    CHECK_EQ(count(fd, "\"modbus\":{\"id\":2,\"response\""), 1);
    feeder_free(fd);
}

CS_TEST(modbus_bad_fields)
{
    struct feeder *fd = feeder_new(502, NULL);
    const uint8_t pid[] = {0, 1, 0, 9, 0, 6, 1, 1, 0, 0, 0, 1};        /* protocol id 9 */
    const uint8_t coil[] = {0, 2, 0, 0, 0, 6, 1, 5, 0, 1, 0x12, 0x34}; /* coil value */
    const uint8_t qty[] = {0, 3, 0, 0, 0, 6, 1, 3, 0, 0, 0x07, 0xd0};  /* 2000 registers */
    const uint8_t len[] = {0, 4, 0, 0, 0, 4, 1, 3, 0, 0};              /* short read */
    const uint8_t exc_req[] = {0, 5, 0, 0, 0, 6, 1, 1, 0, 0, 0, 1};
    const uint8_t exc[] = {0, 5, 0, 0, 0, 3, 1, 0x81, 0x42}; /* exception 0x42 */

    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, pid, sizeof(pid), 0);
    feed(fd, SN_TOSERVER, coil, sizeof(coil), 0);
    feed(fd, SN_TOSERVER, qty, sizeof(qty), 0);
    feed(fd, SN_TOSERVER, len, sizeof(len), 0);
    feed(fd, SN_TOSERVER, exc_req, sizeof(exc_req), 0);
    feed(fd, SN_TOCLIENT, exc, sizeof(exc), 0);
    feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(count(fd, "\"event\":\"modbus.invalid_protocol_id\""), 1);
    CHECK_EQ(count(fd, "\"event\":\"modbus.invalid_value\""), 2);
    CHECK_EQ(count(fd, "\"event\":\"modbus.invalid_length\""), 1);
    CHECK_EQ(count(fd, "\"event\":\"modbus.invalid_exception_code\""), 1);
    CHECK_EQ(count(fd, "\"exception\":{\"raw\":66,\"code\":\"Unknown\"}"), 1);
    CHECK_EQ(count(fd, "\"protocol_id\":9,"), 1);
    CHECK_EQ(count(fd, "\"write\":{\"address\":1,\"data\":4660}"), 1);
    CHECK_EQ(count(fd, "\"event_type\":\"modbus\""), 5);
    feeder_free(fd);
}

CS_TEST(modbus_lying_length_stops_direction)
{
    struct feeder *fd = feeder_new(502, NULL);
    const uint8_t liar[] = {0, 1, 0, 0, 0xff, 0xff, 1, 3, 0, 0, 0, 1};

    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, liar, sizeof(liar), 0);
    CHECK_EQ(fd->plen[0], 0u); /* nothing kept waiting for 65535 bytes */
    feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), 0);
    feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(count(fd, "\"event\":\"modbus.invalid_length\""), 1);
    CHECK_EQ(count(fd, "\"event_type\":\"modbus\""), 0);
    feeder_free(fd);
}

CS_TEST(modbus_flood)
{
    struct feeder *fd = feeder_new(502, "3");
    uint8_t req[sizeof(rd_req)];

    REQUIRE(fd && fd->s);
    memcpy(req, rd_req, sizeof(req));
    for (int i = 0; i < 5; i++) {
        req[1] = (uint8_t)i;
        feed(fd, SN_TOSERVER, req, sizeof(req), 0);
    }
    feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(count(fd, "\"event\":\"modbus.flooded\""), 1);
    CHECK_EQ(count(fd, "\"event_type\":\"modbus\""), 5); /* every request logged once */
    CHECK_EQ(count(fd, "\"response\""), 0);
    feeder_free(fd);
}

CS_TEST(modbus_probe)
{
    const uint8_t resp_first[] = {0, 1, 0, 0, 0, 5, 1, 3, 2, 0, 7};
    const uint8_t http[] = "GET / HTTP/1.1\r\n";
    const uint8_t pid1[] = {0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1};
    const uint8_t odd[] = {0, 1, 0, 0, 0, 8, 1, 3, 0, 0, 0, 1, 0, 0}; /* read, 2 extra bytes */

    CHECK_EQ(sn_app_modbus.probe(rd_req, sizeof(rd_req), SN_TOSERVER, 502), SN_PROBE_YES);
    CHECK_EQ(sn_app_modbus.probe(rd_req, sizeof(rd_req), SN_TOSERVER, 5020), SN_PROBE_YES);
    CHECK_EQ(sn_app_modbus.probe(rd_req, 5, SN_TOSERVER, 502), SN_PROBE_MORE);
    CHECK_EQ(sn_app_modbus.probe(rd_req, 10, SN_TOSERVER, 5020), SN_PROBE_MORE);
    CHECK_EQ(sn_app_modbus.probe(resp_first, sizeof(resp_first), SN_TOCLIENT, 502), SN_PROBE_YES);
    CHECK_EQ(sn_app_modbus.probe(http, sizeof(http) - 1, SN_TOSERVER, 502), SN_PROBE_NO);
    CHECK_EQ(sn_app_modbus.probe(http, sizeof(http) - 1, SN_TOSERVER, 5020), SN_PROBE_NO);
    CHECK_EQ(sn_app_modbus.probe(pid1, sizeof(pid1), SN_TOSERVER, 502), SN_PROBE_NO);
    CHECK_EQ(sn_app_modbus.probe(odd, sizeof(odd), SN_TOSERVER, 502), SN_PROBE_YES);
    CHECK_EQ(sn_app_modbus.probe(odd, sizeof(odd), SN_TOSERVER, 5020), SN_PROBE_NO);
}

CS_TEST_MAIN()
