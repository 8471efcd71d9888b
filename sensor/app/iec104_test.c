/* iec104_test.c — IEC 60870-5-104 parser: real captures through the whole pipeline (also cut
 * into 1-byte deliveries; frame counts, sequence numbers, type ids, causes, IOAs, values and
 * time tags as tshark's iec60870 dissectors show them), a dissector-stress capture with broken
 * APDUs, and hand-built APDUs fed to parse(): lying lengths, resynchronisation, unknown types
 * and causes, sequence gaps, short ASDUs. */
#include "app_test_util.h"
#include "iec104.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_iec104;

CS_TEST(iec104_names)
{
    CHECK_STR(sn_iec104_type_name(45), "C_SC_NA_1");
    CHECK_STR(sn_iec104_type_name(36), "M_ME_TF_1");
    CHECK(sn_iec104_type_name(22) == NULL);
    CHECK_EQ(sn_iec104_type_lookup("c_dc_ta_1"), 59);
    CHECK_EQ(sn_iec104_type_lookup("C_XX_NA_1"), -1);
    CHECK_STR(sn_iec104_cot_name(3), "spont");
    CHECK_EQ(sn_iec104_cot_lookup("ACTCON"), 7);
    CHECK(sn_iec104_cot_name(14) == NULL);
}

CS_TEST(iec104_diverse_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/iec104/090813_diverse.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: 86 APDUs, 72 I, 10 S and 4 U (2 TESTFR act, 2 TESTFR con) frames */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"iec104\"", NULL), 86);
    CHECK_EQ(app_test_count(&r, "\"apci\":{\"type\":\"I\"", NULL), 72);
    CHECK_EQ(app_test_count(&r, "\"apci\":{\"type\":\"S\"", NULL), 10);
    CHECK_EQ(app_test_count(&r, "\"function\":\"TESTFR_ACT\"", NULL), 2);
    CHECK_EQ(app_test_count(&r, "\"function\":\"TESTFR_CON\"", NULL), 2);
    /* frame 1: I(77,20) M_ME_NC_1 per/cyc, CA 3, IOA 1300 = 30.0 and 1301 = 708.0 */
    CHECK_EQ(app_test_count(&r,
                            "\"apci\":{\"type\":\"I\",\"length\":26,\"tx_seq\":77,\"rx_seq\":20},"
                            "\"asdu\":{\"type_id\":13,\"type\":\"M_ME_NC_1\",\"sq\":false,"
                            "\"num_objects\":2,\"cot\":1,\"cot_name\":\"percyc\",\"negative\":false,"
                            "\"test\":false,\"originator\":0,\"common_address\":3,\"objects\":[{"
                            "\"ioa\":1300,\"value\":30,\"ov\":false,\"bl\":false,\"sb\":false,"
                            "\"nt\":false,\"iv\":false},{\"ioa\":1301,\"value\":708,",
                            NULL),
             1);
    /* single command select, IOA 4500, and the set-point float 12 at IOA 5020 */
    CHECK_EQ(app_test_count(&r, "\"type\":\"C_SC_NA_1\"", "\"cot_name\":\"act\"",
                            "{\"ioa\":4500,\"value\":1,\"qu\":0,\"select\":true}", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"C_SE_NC_1\"", "\"cot_name\":\"act\"",
                            "{\"ioa\":5020,\"value\":12,\"ql\":0,\"select\":true}", NULL),
             1);
    /* 8 spontaneous M_SP_TB_1 with CP56Time2a, all stamped Aug 13, 2009 16:41:49.834 by
     * tshark; IOA 2 is on in three of them */
    CHECK_EQ(app_test_count(&r, "\"type\":\"M_SP_TB_1\"", "\"cot_name\":\"spont\"",
                            "\"time\":\"2009-08-13T16:41:49.834\"", NULL),
             8);
    CHECK_EQ(app_test_count(&r, "{\"ioa\":2,\"value\":1,", "\"type\":\"M_SP_TB_1\"", NULL), 3);
    /* station interrogation: act, actcon, actterm */
    CHECK_EQ(app_test_count(&r, "\"type\":\"C_IC_NA_1\"", "{\"ioa\":0,\"qoi\":20}", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"type\":\"C_IC_NA_1\"", "\"cot_name\":\"actterm\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"iec104.", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"iec104\"", NULL), 1);
    app_test_free(&r);
}

CS_TEST(iec104_dissector_stress_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/iec104/TestDissectIec104.pcap", &same);

    REQUIRE(r.text);
    CHECK(same); /* resynchronisation does not depend on how the bytes arrive */
    /* the capture feeds a dissector junk between and inside APDUs: every anomaly is an
     * event, the sound APDUs around them are still logged */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"iec104\"", NULL), 65);
    CHECK_EQ(app_test_count(&r, "\"event\":\"iec104.invalid_start_byte\"", NULL), 17);
    CHECK_EQ(app_test_count(&r, "\"event\":\"iec104.invalid_length\"", NULL), 5);
    CHECK_EQ(app_test_count(&r, "\"event\":\"iec104.invalid_asdu_length\"", NULL), 5);
    CHECK_EQ(app_test_count(&r, "\"event\":\"iec104.invalid_control_field\"", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"type\":\"C_SC_NA_1\"", NULL), 7);
    /* tshark: 6 STARTDT act, 6 STARTDT con, 7 TESTFR act, 7 TESTFR con */
    CHECK_EQ(app_test_count(&r, "\"function\":\"STARTDT_ACT\"", NULL), 6);
    CHECK_EQ(app_test_count(&r, "\"function\":\"STARTDT_CON\"", NULL), 6);
    CHECK_EQ(app_test_count(&r, "\"function\":\"TESTFR_ACT\"", NULL), 7);
    CHECK_EQ(app_test_count(&r, "\"function\":\"TESTFR_CON\"", NULL), 7);
    app_test_free(&r);
}

/* ---- hand-built APDUs ------------------------------------------------------------------ */

static struct app_feeder *feeder(void)
{
    return app_feeder_new(&sn_app_iec104, 2404, NULL, NULL);
}

CS_TEST(iec104_split_any_size)
{
    /* STARTDT act, then I(0,0) C_SC_NA_1 act CA 1 IOA 0x010203 SCO on+select, then S(1) */
    static const uint8_t b[] = {0x68, 0x04, 0x07, 0x00, 0x00, 0x00, 0x68, 0x0e, 0x00, 0x00,
                                0x00, 0x00, 0x2d, 0x01, 0x06, 0x00, 0x01, 0x00, 0x03, 0x02,
                                0x01, 0x81, 0x68, 0x04, 0x01, 0x00, 0x02, 0x00};
    for (size_t step = 0; step <= 5; step++) {
        struct app_feeder *fd = feeder();
        REQUIRE(fd);
        app_feeder_feed(fd, SN_TOSERVER, b, sizeof(b), step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"function\":\"STARTDT_ACT\""), 1);
        CHECK_EQ(app_feeder_count(fd, "{\"ioa\":66051,\"value\":1,\"qu\":0,\"select\":true}"), 1);
        CHECK_EQ(app_feeder_count(fd, "\"apci\":{\"type\":\"S\",\"length\":4,\"rx_seq\":1}"), 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(iec104_sq_objects)
{
    /* made here: I(3,2) M_SP_NA_1 with SQ=1, 16 objects from IOA 100 (only the first IOA is
     * on the wire), cause inrogen, CA 7; SPI on for objects 1 and 15, object 2 invalid */
    static const uint8_t b[] = {0x68, 0x1d, 0x06, 0x00, 0x04, 0x00, 0x01, 0x90, 0x14, 0x00,
                                0x07, 0x00, 0x64, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x01};
    struct app_feeder *fd = feeder();

    REQUIRE(fd);
    app_feeder_feed(fd, SN_TOSERVER, b, sizeof(b), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"apci\":{\"type\":\"I\",\"length\":29,\"tx_seq\":3,"
                                  "\"rx_seq\":2},\"asdu\":{\"type_id\":1,\"type\":\"M_SP_NA_1\","
                                  "\"sq\":true,\"num_objects\":16,\"cot\":20,"
                                  "\"cot_name\":\"inrogen\",\"negative\":false,\"test\":false,"
                                  "\"originator\":0,\"common_address\":7,\"objects\":[{\"ioa\":100,"
                                  "\"value\":0,"),
             1);
    CHECK_EQ(app_feeder_count(fd, "{\"ioa\":101,\"value\":1,\"bl\":false"), 1);
    CHECK_EQ(app_feeder_count(fd, "{\"ioa\":102,\"value\":0,\"bl\":false,\"sb\":false,"
                                  "\"nt\":false,\"iv\":true}"),
             1);
    CHECK_EQ(app_feeder_count(fd, "{\"ioa\":115,\"value\":1,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"ioa\":116"), 0);
    CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
    app_feeder_free(fd);
}

CS_TEST(iec104_lying_lengths_resync)
{
    /* junk, a length of 2 (below the control field), a length of 254 (above the maximum),
     * then a sound TESTFR act: two length events, one start-byte event per junk run, and
     * the TESTFR is found */
    static const uint8_t b[] = {0x00, 0x11, 0x68, 0x02, 0x01, 0x02, 0x68, 0xfe, 0x00,
                                0x68, 0x04, 0x43, 0x00, 0x00, 0x00};
    struct app_feeder *fd = feeder();

    REQUIRE(fd);
    app_feeder_feed(fd, SN_TOSERVER, b, sizeof(b), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.invalid_length\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.invalid_start_byte\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"function\":\"TESTFR_ACT\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"iec104\""), 1);
    app_feeder_free(fd);
}

CS_TEST(iec104_asdu_anomalies)
{
    /* I(5): unknown type 22, cause 14; I(7) (gap: 6 expected): M_SP_NA_1 announcing 3
     * objects with room for one; I(8): an ASDU of 4 bytes; U with an unknown function */
    static const uint8_t b[] = {
        0x68, 0x0d, 0x0a, 0x00, 0x00, 0x00, 0x16, 0x01, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x05, 0x68, 0x0e, 0x0e, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x00, 0x01, 0x00, 0x0a, 0x00,
        0x00, 0x01, 0x68, 0x08, 0x10, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00, 0x68, 0x04, 0x0f,
        0x00, 0x00, 0x00};
    struct app_feeder *fd = feeder();

    REQUIRE(fd);
    app_feeder_feed(fd, SN_TOSERVER, b, sizeof(b), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"iec104\""), 4);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.unknown_type_id\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.unknown_cot\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.sequence_gap\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.invalid_asdu_length\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"iec104.invalid_control_field\""), 1);
    /* the unknown type is logged without objects; the short one with the object that fits */
    CHECK_EQ(app_feeder_count(fd, "\"type_id\":22,\"sq\":false,\"num_objects\":1,\"cot\":14,"
                                  "\"negative\":false"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"num_objects\":3,\"cot\":3,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"objects\":[{\"ioa\":10,\"value\":1,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"function_raw\":15"), 1);
    app_feeder_free(fd);
}

CS_TEST_MAIN()
