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

/* Ends both directions, closes the EVE file and reads it into fd->text. */
/* read holding registers 100..104, unit 7, tid 0x1234 */
static const uint8_t rd_req[] = {0x12, 0x34, 0, 0, 0, 6, 7, 3, 0, 100, 0, 5};
static const uint8_t rd_resp[] = {0x12, 0x34, 0, 0, 0, 13, 7, 3, 10, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5};

CS_TEST(modbus_request_response_split_any_way)
{
    for (size_t step = 0; step <= 3; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_modbus, 502, NULL, NULL);
        REQUIRE(fd && fd->s);
        app_feeder_feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), step);
        app_feeder_feed(fd, SN_TOCLIENT, rd_resp, sizeof(rd_resp), step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"modbus\""), 1);
        CHECK_EQ(app_feeder_count(fd,
                       "\"modbus\":{\"id\":1,\"request\":{\"transaction_id\":4660,\"protocol_id\""
                       ":0,\"unit_id\":7,\"function_raw\":3,\"function_code\":\"RdHoldRegs\","
                       "\"access_type\":\"READ | HOLDING\",\"category\":\"PUBLIC_ASSIGNED\","
                       "\"error_flags\":\"NONE\",\"read\":{\"address\":100,\"quantity\":5}},"
                       "\"response\":{\"transaction_id\":4660,"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"anomaly\""), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(modbus_value_mismatch_and_unsolicited)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_modbus, 502, NULL, NULL);
    uint8_t short_resp[sizeof(rd_resp) - 2];

    REQUIRE(fd && fd->s);
    /* response with 8 bytes for 5 registers: value_mismatch */
    memcpy(short_resp, rd_resp, sizeof(short_resp));
    short_resp[5] = 11;
    short_resp[8] = 8;
    app_feeder_feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), 0);
    app_feeder_feed(fd, SN_TOCLIENT, short_resp, sizeof(short_resp), 0);
    /* a response nobody asked for */
    app_feeder_feed(fd, SN_TOCLIENT, rd_resp, sizeof(rd_resp), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.value_mismatch\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.unsolicited_response\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"modbus\":{\"id\":2,\"response\""), 1);
    app_feeder_free(fd);
}

CS_TEST(modbus_bad_fields)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_modbus, 502, NULL, NULL);
    const uint8_t pid[] = {0, 1, 0, 9, 0, 6, 1, 1, 0, 0, 0, 1};        /* protocol id 9 */
    const uint8_t coil[] = {0, 2, 0, 0, 0, 6, 1, 5, 0, 1, 0x12, 0x34}; /* coil value */
    const uint8_t qty[] = {0, 3, 0, 0, 0, 6, 1, 3, 0, 0, 0x07, 0xd0};  /* 2000 registers */
    const uint8_t len[] = {0, 4, 0, 0, 0, 4, 1, 3, 0, 0};              /* short read */
    const uint8_t exc_req[] = {0, 5, 0, 0, 0, 6, 1, 1, 0, 0, 0, 1};
    const uint8_t exc[] = {0, 5, 0, 0, 0, 3, 1, 0x81, 0x42}; /* exception 0x42 */

    REQUIRE(fd && fd->s);
    app_feeder_feed(fd, SN_TOSERVER, pid, sizeof(pid), 0);
    app_feeder_feed(fd, SN_TOSERVER, coil, sizeof(coil), 0);
    app_feeder_feed(fd, SN_TOSERVER, qty, sizeof(qty), 0);
    app_feeder_feed(fd, SN_TOSERVER, len, sizeof(len), 0);
    app_feeder_feed(fd, SN_TOSERVER, exc_req, sizeof(exc_req), 0);
    app_feeder_feed(fd, SN_TOCLIENT, exc, sizeof(exc), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.invalid_protocol_id\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.invalid_value\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.invalid_length\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.invalid_exception_code\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"exception\":{\"raw\":66,\"code\":\"Unknown\"}"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"protocol_id\":9,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"write\":{\"address\":1,\"data\":4660}"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"modbus\""), 5);
    app_feeder_free(fd);
}

CS_TEST(modbus_lying_length_stops_direction)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_modbus, 502, NULL, NULL);
    const uint8_t liar[] = {0, 1, 0, 0, 0xff, 0xff, 1, 3, 0, 0, 0, 1};

    REQUIRE(fd && fd->s);
    app_feeder_feed(fd, SN_TOSERVER, liar, sizeof(liar), 0);
    CHECK_EQ(fd->plen[0], 0u); /* nothing kept waiting for 65535 bytes */
    app_feeder_feed(fd, SN_TOSERVER, rd_req, sizeof(rd_req), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.invalid_length\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"modbus\""), 0);
    app_feeder_free(fd);
}

CS_TEST(modbus_flood)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_modbus, 502, "app-layer.protocols.modbus.request-flood", "3");
    uint8_t req[sizeof(rd_req)];

    REQUIRE(fd && fd->s);
    memcpy(req, rd_req, sizeof(req));
    for (int i = 0; i < 5; i++) {
        req[1] = (uint8_t)i;
        app_feeder_feed(fd, SN_TOSERVER, req, sizeof(req), 0);
    }
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"modbus.flooded\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"modbus\""), 5); /* every request logged once */
    CHECK_EQ(app_feeder_count(fd, "\"response\""), 0);
    app_feeder_free(fd);
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
