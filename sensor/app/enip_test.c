/* enip_test.c — EtherNet/IP parser: real captures through the whole pipeline (also cut into
 * 1-byte deliveries; commands, identity fields, CIP services and classes checked against
 * tshark's enip/cip dissectors) and hand-built encapsulation messages fed to parse() with the
 * EVE text read back. */
#include "app_test_util.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_enip;

static const char identity_1756[] =
    "\"enip\":{\"request\":{\"command\":\"list_identity\",\"status\":\"success\"},"
    "\"response\":{\"command\":\"list_identity\",\"status\":\"success\",\"identity\":{"
    "\"protocol_version\":1,\"revision\":\"4.3\",\"vendor_id\":\"Rockwell Automation/"
    "Allen-Bradley\",\"device_type\":\"communications_adapter\",\"product_code\":58,"
    "\"status\":48,\"serial\":5393806,\"product_name\":\"1756-ENBT/A\",\"state\":3}}}";

CS_TEST(enip_sv_list_identity)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/enip/sv-enip_test1.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: vendor 1, device type 12, product code 58, revision 4.03, status 0x0030,
     * serial 0x00524d8e, name 1756-ENBT/A, state 3 */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"", identity_1756, NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"app_proto\":\"enip\"", "\"event_type\":\"flow\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"anomaly\"", NULL), 0);
    app_test_free(&r);
}

CS_TEST(enip_iti_list_identity)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/enip/enip_test.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"", "\"dest_port\":44818", identity_1756,
                            NULL),
             1);
    app_test_free(&r);
}

CS_TEST(enip_send_unit_data_cip)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/enip/EIP-ChangeDateAttempt.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: 134 SendUnitData requests from port 3033 and 133 replies; CIP services
     * 0x03 x72 + 0x03 x20 (class 0x73) + 0x0a x41 + 0x04 x1 */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"", NULL), 134);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"", "\"request\":{\"command\":"
                            "\"send_unit_data\"", "\"response\":{\"command\":\"send_unit_data\"",
                            NULL),
             133);
    CHECK_EQ(app_test_count(&r, "\"request\":{\"command\":\"send_unit_data\",\"status\":"
                            "\"success\",\"cip\":{\"service\":\"get_attribute_list\","
                            "\"class_name\":\"wall_clock_time\",\"path\":[{\"segment_type\":"
                            "\"class\",\"value\":139},",
                            NULL),
             72);
    CHECK_EQ(app_test_count(&r, "\"cip\":{\"service\":\"get_attribute_list\",\"path\":[{"
                            "\"segment_type\":\"class\",\"value\":115},", NULL),
             20);
    /* tshark: the multiple service packets hold 11 get_attribute_list on classes 0x01, 0x69,
     * 0x73, 0xac, 0x68, 0x70, 0x8e, 0x69, … (the first 8 are kept) */
    CHECK_EQ(app_test_count(&r, "\"multiple\":[{\"service\":\"get_attribute_list\","
                            "\"class_name\":\"identity\",\"path\":[{\"segment_type\":\"class\","
                            "\"value\":1},{\"segment_type\":\"instance\",\"value\":1}]},{"
                            "\"service\":\"get_attribute_list\",\"path\":[{\"segment_type\":"
                            "\"class\",\"value\":105},",
                            "\"value\":142},{\"segment_type\":\"instance\",\"value\":1}]},{"
                            "\"service\":\"get_attribute_list\",\"path\":[{\"segment_type\":"
                            "\"class\",\"value\":105},{\"segment_type\":\"instance\",\"value\":0}]"
                            "}]}}",
                            NULL),
             41);
    CHECK_EQ(app_test_count(&r, "\"response\":{\"command\":\"send_unit_data\",\"status\":"
                            "\"success\",\"cip\":{\"service\":\"multiple_service_packet\","
                            "\"status\":\"success\",\"multiple\":[{\"service\":"
                            "\"get_attribute_list\",\"status\":\"success\"},",
                            NULL),
             40);
    CHECK_EQ(app_test_count(&r, "\"request\":{", "\"service\":\"multiple_service_packet\","
                            "\"class_name\":\"message_router\"", NULL),
             41);
    CHECK_EQ(app_test_count(&r, "\"service\":\"set_attribute_list\"",
                            "\"response\":{\"command\":\"send_unit_data\",\"status\":\"success\","
                            "\"cip\":{\"service\":\"set_attribute_list\",\"status\":\"success\"}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"anomaly\"", "enip", NULL), 0);
    app_test_free(&r);
}

CS_TEST(enip_single_packet_start)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/enip/cip_start_plc.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: SendUnitData, connected data, CIP Start (0x06) on class 0x8e instance 1 */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"enip\"",
                            "\"enip\":{\"request\":{\"command\":\"send_unit_data\",\"status\":"
                            "\"success\",\"cip\":{\"service\":\"start\",\"path\":[{"
                            "\"segment_type\":\"class\",\"value\":142},{\"segment_type\":"
                            "\"instance\",\"value\":1}]}}}",
                            NULL),
             1);
    app_test_free(&r);
}

/* ---- hand-built messages ------------------------------------------------------------------ */

/* RegisterSession request (protocol version 1, options 0) and its reply (session 0x1234) */
static const uint8_t reg_req[] = {0x65, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4,
                                  5,    6, 7, 8, 0, 0, 0, 0, 1, 0, 0, 0};
static const uint8_t reg_resp[] = {0x65, 0, 4, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4,
                                   5,    6, 7, 8, 0,    0,    0, 0, 1, 0, 0, 0};
/* ListServices reply: one item 0x100, version 1, capabilities 0x120, "Communications" */
static const uint8_t ls_resp[] = {4,    0,    26,   0,    0,    0,    0,    0,   0,   0,
                                  0,    0,    0,    0,    0,    0,    0,    0,   0,   0,
                                  0,    0,    0,    0,    1,    0,    0x00, 0x01, 20,  0,
                                  1,    0,    0x20, 0x01, 'C',  'o',  'm',  'm', 'u', 'n',
                                  'i',  'c',  'a',  't',  'i',  'o',  'n',  's', 0,   0};
static const uint8_t ls_req[] = {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

CS_TEST(enip_register_and_services_split_any_way)
{
    for (size_t step = 0; step <= 3; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);
        REQUIRE(fd && fd->s);
        app_feeder_feed(fd, SN_TOSERVER, reg_req, sizeof(reg_req), step);
        app_feeder_feed(fd, SN_TOCLIENT, reg_resp, sizeof(reg_resp), step);
        app_feeder_feed(fd, SN_TOSERVER, ls_req, sizeof(ls_req), step);
        app_feeder_feed(fd, SN_TOCLIENT, ls_resp, sizeof(ls_resp), step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 2);
        CHECK_EQ(app_feeder_count(fd, "\"enip\":{\"request\":{\"command\":\"register_session\",\"status\":"
                           "\"success\",\"register_session\":{\"protocol_version\":1,"
                           "\"options\":0}},\"response\":{\"command\":\"register_session\""),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"response\":{\"command\":\"list_services\",\"status\":\"success\","
                           "\"list_services\":{\"protocol_version\":1,\"capabilities\":288,"
                           "\"service_name\":\"Communications\"}}"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"anomaly\""), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(enip_malformed)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);
    /* ListIdentity reply whose item claims 200 bytes in a 10-byte body */
    uint8_t bad_id[24 + 10] = {0x63, 0, 10, 0};
    /* SendRRData request whose CIP path claims 10 words in 2 bytes */
    uint8_t bad_path[24 + 16 + 4] = {0x6f, 0, 20, 0};
    const uint8_t li_req[24] = {0x63};

    REQUIRE(fd && fd->s);
    bad_id[24] = 1;
    bad_id[26] = 0x0c;
    bad_id[28] = 200;
    bad_path[24 + 6] = 2;              /* two items */
    bad_path[24 + 12] = 0xb2;          /* unconnected data, 4 bytes */
    bad_path[24 + 14] = 4;
    bad_path[24 + 16] = 0x0e;          /* get_attribute_single */
    bad_path[24 + 17] = 10;            /* 20-byte path */
    bad_path[24 + 18] = 0x20;
    bad_path[24 + 19] = 0x01;
    app_feeder_feed(fd, SN_TOSERVER, li_req, sizeof(li_req), 0);
    app_feeder_feed(fd, SN_TOCLIENT, bad_id, sizeof(bad_id), 0);
    app_feeder_feed(fd, SN_TOSERVER, bad_path, sizeof(bad_path), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"enip.invalid_pdu\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"identity\""), 0);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"cip\":{\"service\":\"get_attribute_single\"}"), 1);
    app_feeder_free(fd);
}

CS_TEST(enip_lying_length_and_unknown_command)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);
    uint8_t liar[24] = {0x6f, 0, 0xff, 0xff};
    uint8_t unknown[24] = {0x42, 0};

    REQUIRE(fd && fd->s);
    app_feeder_feed(fd, SN_TOSERVER, liar, sizeof(liar), 0);
    CHECK_EQ(fd->plen[0], 0u); /* nothing kept waiting for 65535 bytes */
    app_feeder_feed(fd, SN_TOSERVER, reg_req, sizeof(reg_req), 0); /* direction is dead: ignored */
    app_feeder_feed(fd, SN_TOCLIENT, unknown, sizeof(unknown), 0);
    CHECK_EQ(fd->plen[1], 0u);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"enip.invalid_pdu\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 0);
    app_feeder_free(fd);
}

CS_TEST(enip_too_many_transactions)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);

    REQUIRE(fd && fd->s);
    for (int i = 0; i < 40; i++)
        app_feeder_feed(fd, SN_TOSERVER, ls_req, sizeof(ls_req), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"enip.too_many_transactions\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 40); /* every request logged once */
    CHECK_EQ(app_feeder_count(fd, "\"response\""), 0);
    app_feeder_free(fd);
}

/* the ListIdentity reply of sv-enip_test1.pcap (frame 6), as a UDP datagram */
static const uint8_t li_resp[] = {
    0x63, 0x00, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xc1, 0xde, 0xbe, 0xd1, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x2d, 0x00,
    0x01, 0x00, 0x00, 0x02, 0xaf, 0x12, 0x0a, 0x01, 0x01, 0xa4, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x3a, 0x00, 0x04, 0x03, 0x30, 0x00, 0x8e, 0x4d,
    0x52, 0x00, 0x0b, 0x31, 0x37, 0x35, 0x36, 0x2d, 0x45, 0x4e, 0x42, 0x54, 0x2f, 0x41, 0x03};

CS_TEST(enip_udp_datagrams)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);
    const uint8_t li_req[24] = {0x63};
    int rc;

    REQUIRE(fd && fd->s);
    fd->f.proto = IPPROTO_UDP;
    rc = sn_app_enip.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, li_req, sizeof(li_req),
                           SN_APP_DATAGRAM);
    CHECK_EQ(rc, (int)sizeof(li_req));
    rc = sn_app_enip.parse(&fd->w, &fd->f, fd->s, SN_TOCLIENT, li_resp, sizeof(li_resp),
                           SN_APP_DATAGRAM);
    CHECK_EQ(rc, (int)sizeof(li_resp));
    /* a datagram cut short: consumed whole, flagged, and the next one parses again */
    rc = sn_app_enip.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, li_req, 20, SN_APP_DATAGRAM);
    CHECK_EQ(rc, 20);
    rc = sn_app_enip.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, li_req, sizeof(li_req),
                           SN_APP_DATAGRAM);
    CHECK_EQ(rc, (int)sizeof(li_req));
    sn_app_enip.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, NULL, 0,
                      SN_STREAM_EOF | SN_APP_DATAGRAM);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, identity_1756), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"enip.invalid_pdu\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 2); /* the pair + one unanswered request */
    app_feeder_free(fd);
}

/* SendRRData request carrying a multiple service packet to the message router (class 2,
 * instance 1) with two embedded get_attribute_single requests; `off2` is the second offset */
static void msp_request(uint8_t *b, uint8_t off2)
{
    static const uint8_t tpl[] = {
        0x6f, 0, 42, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* hdr */
        0, 0, 0, 0, 5, 0, 2, 0,                                                  /* cpf */
        0, 0, 0, 0,                                                              /* null */
        0xb2, 0, 26, 0,                                                          /* data */
        0x0a, 2, 0x20, 0x02, 0x24, 0x01,                                         /* MSP */
        2, 0, 6, 0, 12, 0,                                    /* count, offsets 6, off2 */
        0x0e, 2, 0x20, 0xf5, 0x24, 0x01,                      /* tcp/ip interface */
        0x0e, 3, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};          /* identity attr 7 */
    memcpy(b, tpl, sizeof(tpl));
    b[24 + 16 + 6 + 4] = off2;
}

CS_TEST(enip_multiple_service_packet)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_enip, 44818, NULL, NULL);
    uint8_t good[66], bad[66];

    REQUIRE(fd && fd->s);
    msp_request(good, 12);
    msp_request(bad, 60); /* second offset past the data */
    app_feeder_feed(fd, SN_TOSERVER, good, sizeof(good), 1);
    app_feeder_feed(fd, SN_TOSERVER, bad, sizeof(bad), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"cip\":{\"service\":\"multiple_service_packet\",\"class_name\":"
                       "\"message_router\",\"path\":[{\"segment_type\":\"class\",\"value\":2},{"
                       "\"segment_type\":\"instance\",\"value\":1}],\"multiple\":[{\"service\":"
                       "\"get_attribute_single\",\"class_name\":\"tcp_ip_interface\",\"path\":[{"
                       "\"segment_type\":\"class\",\"value\":245},{\"segment_type\":"
                       "\"instance\",\"value\":1}]},{\"service\":\"get_attribute_single\","
                       "\"class_name\":\"identity\",\"path\":[{\"segment_type\":\"class\","
                       "\"value\":1},{\"segment_type\":\"instance\",\"value\":1},{"
                       "\"segment_type\":\"attribute\",\"value\":7}]}]}"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"enip.invalid_pdu\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"enip\""), 2);
    app_feeder_free(fd);
}

CS_TEST(enip_probe)
{
    const uint8_t http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    uint8_t reg_bad[sizeof(reg_req)];

    memcpy(reg_bad, reg_req, sizeof(reg_bad));
    reg_bad[2] = 8; /* RegisterSession with 8 bytes */
    CHECK_EQ(sn_app_enip.probe(reg_req, sizeof(reg_req), SN_TOSERVER, 44818), SN_PROBE_YES);
    CHECK_EQ(sn_app_enip.probe(reg_req, sizeof(reg_req), SN_TOSERVER, 4000), SN_PROBE_YES);
    CHECK_EQ(sn_app_enip.probe(reg_req, 10, SN_TOSERVER, 44818), SN_PROBE_MORE);
    CHECK_EQ(sn_app_enip.probe(reg_bad, sizeof(reg_bad), SN_TOSERVER, 44818), SN_PROBE_NO);
    CHECK_EQ(sn_app_enip.probe(http, sizeof(http) - 1, SN_TOSERVER, 44818), SN_PROBE_NO);
    CHECK_EQ(sn_app_enip.probe(http, sizeof(http) - 1, SN_TOSERVER, 4000), SN_PROBE_NO);
    CHECK_EQ(sn_app_enip.probe(ls_resp, sizeof(ls_resp), SN_TOCLIENT, 44818), SN_PROBE_YES);
}

CS_TEST_MAIN()
