/* midstream_test.c — flows picked up midstream whose first data comes from the server:
 * probing both directions turns the flow round (Suricata's behaviour), and a capture that
 * starts with a gap on the client side is still recognised from the server's side.
 *
 * Captures (tests/data/pcaps/stream/, from suricata-verify):
 *   testmyids-midstream.pcap  82.165.177.154:80 -> 10.16.1.11:54186 "HTTP/1.1 200 OK" first
 *                             (no handshake), then the client's ACK and both FINs
 *   testmyids-async.pcap      only the server's side: SYN/ACK, ACK of 81 unseen request
 *                             bytes, the response, FIN */
#include "../../lib/cs_test.h"
#include "app_test_util.h"

CS_TEST(server_first_data_turns_the_flow)
{
    struct app_run r = app_test_run("pcaps/stream/testmyids-midstream.pcap", NULL, false);
    REQUIRE(r.text);
    /* the client is the side that did not send the response */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"src_ip\":\"10.16.1.11\"",
                            "\"src_port\":54186", "\"dest_port\":80", "\"app_proto\":\"http\"",
                            "\"pkts_toserver\":3,\"pkts_toclient\":2", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"dest_port\":80", "\"status\":200",
                            NULL),
             1);
    app_test_free(&r);
}

CS_TEST(server_first_data_one_byte_deliveries)
{
    struct app_run r = app_test_run("pcaps/stream/testmyids-midstream.pcap", NULL, true);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"dest_port\":80", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"src_ip\":\"10.16.1.11\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(no_turn_without_midstream)
{
    /* midstream off: no session, nothing delivered, the flow keeps its orientation */
    struct sn_config cfg;
    struct app_run r;
    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    r = app_test_run("pcaps/stream/testmyids-midstream.pcap", &cfg, false);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"src_ip\":\"82.165.177.154\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(gap_on_client_side_server_answer_detects)
{
    struct app_run r = app_test_run("pcaps/stream/testmyids-async.pcap", NULL, false);
    REQUIRE(r.text);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"http\"", "\"src_ip\":\"10.16.1.11\"",
                            "\"dest_port\":80", "\"status\":200", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"http\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST_MAIN()
