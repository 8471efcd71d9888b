/* s7comm_test.c — S7comm parser: real captures through the whole pipeline (also cut into
 * 1-byte deliveries; PDUs, functions, items, file names, PI services, SZL ids and COTP TSAPs
 * as tshark's s7comm/cotp dissectors show them; S7comm-plus by name), and hand-built TPKTs
 * fed to parse(): COTP reassembly, its cap, oversized TPKTs skipped, broken TPKT/COTP
 * headers, lying S7 lengths. */
#include "app_test_util.h"
#include "s7comm.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_s7comm;

CS_TEST(s7comm_names)
{
    CHECK_STR(sn_s7comm_func_name(0x29), "plc_stop");
    CHECK_STR(sn_s7comm_func_name(0xf0), "setup_communication");
    CHECK(sn_s7comm_func_name(0x77) == NULL);
    CHECK_EQ(sn_s7comm_func_lookup("WRITE_VAR"), 5);
    CHECK_EQ(sn_s7comm_func_lookup("format_c"), -1);
    CHECK_STR(sn_s7comm_rosctr_name(7), "userdata");
    CHECK_EQ(sn_s7comm_rosctr_lookup("ack_data"), 3);
}

CS_TEST(s7comm_varservice_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/s7comm/s7comm_varservice_libnodavedemo.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: CR/CC, setup communication (PDU 1920 asked, 240 granted), then read var DB1
     * 64 bytes, read/write var on flags (MB0 16 bytes; MB0, 4, 8, 12 four bytes each) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"s7comm\"", NULL), 18);
    CHECK_EQ(app_test_count(&r, "\"cotp\":{\"type\":\"CR\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"cotp\":{\"type\":\"CC\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"job\"", "\"function\":\"setup_communication\"",
                            "\"pdu_length\":1920", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"ack_data\"", "\"function\":\"setup_communication\"",
                            "\"error_class\":0,\"error_code\":0", "\"pdu_length\":240", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"pdu_ref\":0,", "\"function\":\"read_var\"",
                            "\"items\":[{\"syntax_id\":16,\"area\":\"db\",\"area_raw\":132,\"db\":1,"
                            "\"start\":0,\"bit\":0,\"count\":64,\"transport_size\":2}]",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"function\":\"write_var\"", "\"rosctr\":\"job\"",
                            "\"area\":\"flags\"", "\"count\":4,", NULL),
             4);
    CHECK_EQ(app_test_count(&r, "\"function\":\"write_var\"", "\"rosctr\":\"job\"", "\"start\":12,",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"ack_data\"", "\"return_codes\":[255]", NULL), 7);
    CHECK_EQ(app_test_count(&r, "\"event\":\"s7comm.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(s7comm_download_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/s7comm/s7comm_downloading_block_db1.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: request download of _0A00001P (DB 1), three download block jobs from the PLC,
     * download ended, then PI service _INSE (PLC control) */
    CHECK_EQ(app_test_count(&r, "\"function\":\"request_download\"", "\"filename\":\"_0A00001P\","
                            "\"block_type\":\"DB\",\"block_number\":1",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"job\"", "\"function\":\"download_block\"",
                            "\"filename\":\"_0A00001P\"", NULL),
             3);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"job\"", "\"function\":\"download_ended\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"function\":\"plc_control\"", "\"pi_service\":\"_INSE\"", NULL),
             1);
    /* SZL 0x0132 index 4 read four times (communication status): requests and answers (one
     * data unit each, 48 bytes: the 8-byte header and one 40-byte record) */
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", "\"szl_id\":306,\"szl_index\":4", NULL),
             4);
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", "\"last_data_unit\":true",
                            "\"length\":48,\"szl_id\":306,\"szl_index\":4,\"szl_list_length\":40,"
                            "\"szl_list_count\":1",
                            NULL),
             4);
    CHECK_EQ(app_test_count(&r, "\"event\":\"s7comm.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(s7comm_stop_and_plus_captures)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/s7comm/step7_s300_stop.pcapng", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"job\"", "\"function\":\"plc_stop\"",
                            "\"pi_service\":\"P_PROGRAM\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"rosctr\":\"ack_data\"", "\"function\":\"plc_stop\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"push\",\"group\":\"mode_transition\"", NULL), 1);
    app_test_free(&r);

    r = app_test_run_both("pcaps/s7comm/S7-1511_db6w0_HMI.pcap", &same);
    REQUIRE(r.text);
    CHECK(same);
    /* an S7-1500: S7comm-plus after the COTP connection (TSAPs "SNOPCC0002000001" and
     * "SIMATIC-ROOT-OTHER" in ASCII) */
    CHECK_EQ(app_test_count(&r, "\"protocol\":\"s7comm-plus\"", NULL), 8);
    CHECK_EQ(app_test_count(&r, "\"cotp\":{\"type\":\"CR\"",
                            "\"src_tsap\":\"534e4f50434330303032303030303031\","
                            "\"dst_tsap\":\"53494d415449432d524f4f542d4f5448\"",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"s7comm.", NULL), 0);
    app_test_free(&r);
}

/* ---- hand-built TPKTs ---------------------------------------------------------------- */

/* Writes a TPKT + COTP DT (EOT or not) around payload p[0..n) into out; returns its size. */
static size_t dt(uint8_t *out, bool eot, const uint8_t *p, size_t n)
{
    size_t tl = 7 + n;
    out[0] = 3;
    out[1] = 0;
    out[2] = (uint8_t)(tl >> 8);
    out[3] = (uint8_t)tl;
    out[4] = 2;
    out[5] = 0xf0;
    out[6] = eot ? 0x80 : 0x00;
    memcpy(out + 7, p, n);
    return tl;
}

/* snap7_s300_readVar.pcapng: the read var job (DB 1, 64 bytes) as an S7 PDU */
static const uint8_t read_job[] = {0x32, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x00,
                                   0x00, 0x04, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x40,
                                   0x00, 0x01, 0x84, 0x00, 0x00, 0x00};

CS_TEST(s7comm_cotp_reassembly)
{
    /* the PDU split over three DT TPDUs, the last with EOT; fed at several step sizes */
    uint8_t b[128];
    size_t n = dt(b, false, read_job, 5);
    n += dt(b + n, false, read_job + 5, 10);
    n += dt(b + n, true, read_job + 15, sizeof(read_job) - 15);
    for (size_t step = 0; step <= 3; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
        REQUIRE(fd);
        app_feeder_feed(fd, SN_TOSERVER, b, n, step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"s7comm\""), 1);
        CHECK_EQ(app_feeder_count(fd, "\"function\":\"read_var\",\"function_raw\":4,"
                                      "\"item_count\":1,\"items\":[{\"syntax_id\":16,\"area\":\"db\""),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(s7comm_reassembly_cap)
{
    /* 70 DT TPDUs of 1000 bytes without EOT pass the 64 KiB cap: one event, the data is
     * dropped up to the EOT, and the next PDU is parsed */
    static uint8_t chunk[1000];
    static uint8_t b[80 * 1008];
    struct app_feeder *fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
    size_t n = 0;

    REQUIRE(fd);
    memset(chunk, 0x32, sizeof(chunk));
    for (int i = 0; i < 70; i++)
        n += dt(b + n, i == 69, chunk, sizeof(chunk));
    n += dt(b + n, true, read_job, sizeof(read_job));
    for (size_t off = 0; off < n; off += 4000)
        app_feeder_feed(fd, SN_TOSERVER, b + off, CS_MIN((size_t)4000, n - off), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.reassembly_too_long\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"s7comm\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"function\":\"read_var\""), 1);
    app_feeder_free(fd);
}

CS_TEST(s7comm_oversized_tpkt_skipped)
{
    /* a TPKT announcing 20000 bytes (more than the 8 KiB we buffer) is skipped as it
     * streams by, and the read var job after it is parsed */
    static uint8_t b[20000 + 64];
    struct app_feeder *fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
    size_t n;

    REQUIRE(fd);
    memset(b, 0x41, sizeof(b));
    b[0] = 3;
    b[1] = 0;
    b[2] = 20000 >> 8;
    b[3] = 20000 & 0xff;
    b[4] = 2;
    b[5] = 0xf0;
    b[6] = 0x80;
    n = 20000 + dt(b + 20000, true, read_job, sizeof(read_job));
    app_feeder_feed(fd, SN_TOSERVER, b, n, 1500);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.tpkt_too_long\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"function\":\"read_var\""), 1);
    app_feeder_free(fd);
}

CS_TEST(s7comm_userdata_capture)
{
    bool same;
    struct app_run r =
        app_test_run_both("pcaps/s7comm/s7comm_reading_setting_plc_time.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* tshark: the SZL list of all SZL ids (0x0000) comes in two data units (reference 2):
     * 214 bytes, then 18 ("S7COMM reassembled id=2", 2 fragments): 112 ids of 2 bytes */
    CHECK_EQ(app_test_count(&r, "\"data_unit_ref\":2,\"last_data_unit\":false", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"last_data_unit\":false", "\"szl_id\"", NULL), 0);
    CHECK_EQ(app_test_count(&r, "\"data_unit_ref\":2,\"last_data_unit\":true",
                            "\"fragments\":2,\"reassembled\":true,\"length\":232,\"szl_id\":0,"
                            "\"szl_index\":0,\"szl_list_length\":2,\"szl_list_count\":112",
                            NULL),
             1);
    /* the other answers fit one data unit: SZL 0x0111 index 1 (module identification) */
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", "\"szl_id\":273,\"szl_index\":1,"
                            "\"szl_list_length\":28,\"szl_list_count\":1",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"fragments\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"s7comm.", NULL), 0);
    app_test_free(&r);
}

/* A userdata answer PDU (CPU functions / read SZL, response) carrying data unit `ref` with
 * payload p[0..n), wrapped in one DT TPDU with EOT. */
static size_t ud_unit(uint8_t *out, uint8_t ref, bool last, const uint8_t *p, size_t n)
{
    static uint8_t pdu[8192];
    static const uint8_t hdr[] = {0x32, 0x07, 0x00, 0x00, 0x05, 0x00, 0x00, 0x0c, 0x00, 0x00,
                                  0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01};
    size_t o = sizeof(hdr);

    memcpy(pdu, hdr, o);
    pdu[8] = (uint8_t)((4 + n) >> 8);
    pdu[9] = (uint8_t)(4 + n);
    pdu[o++] = ref;
    pdu[o++] = last ? 0x00 : 0x01;
    pdu[o++] = 0;
    pdu[o++] = 0;
    pdu[o++] = 0xff;
    pdu[o++] = 0x09;
    pdu[o++] = (uint8_t)(n >> 8);
    pdu[o++] = (uint8_t)n;
    memcpy(pdu + o, p, n);
    return dt(out, true, pdu, o + n);
}

CS_TEST(s7comm_userdata_reassembly)
{
    /* SZL 0x0011 in three data units of reference 7 (8 + 4, 10, 6 bytes), with a whole
     * answer (reference 0) in between; fed whole and byte by byte */
    static const uint8_t u1[] = {0x00, 0x11, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x04,
                                 1,    2,    3,    4};
    static const uint8_t u2[10] = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    static const uint8_t u3[6] = {15, 16, 17, 18, 19, 20};
    static const uint8_t one[] = {0x01, 0x11, 0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0xa, 0xb, 0xc, 0xd};
    uint8_t b[512];
    size_t n = ud_unit(b, 7, false, u1, sizeof(u1));
    n += ud_unit(b + n, 0, true, one, sizeof(one));
    n += ud_unit(b + n, 7, false, u2, sizeof(u2));
    n += ud_unit(b + n, 7, true, u3, sizeof(u3));
    for (size_t step = 0; step <= 1; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
        REQUIRE(fd);
        app_feeder_feed(fd, SN_TOCLIENT, b, n, step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"s7comm\""), 4);
        CHECK_EQ(app_feeder_count(fd, "\"data_unit_ref\":7,\"last_data_unit\":false"), 2);
        CHECK_EQ(app_feeder_count(fd, "\"fragments\":3,\"reassembled\":true,\"length\":28,"
                                      "\"szl_id\":17,\"szl_index\":0,\"szl_list_length\":28,"
                                      "\"szl_list_count\":4"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"length\":12,\"szl_id\":273,\"szl_index\":1,"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(s7comm_userdata_out_of_order_and_cap)
{
    static const uint8_t u1[] = {0x00, 0x11, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x04};
    static uint8_t big[2000];
    static uint8_t b[40 * 2100];
    struct app_feeder *fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
    size_t n;

    REQUIRE(fd);
    /* reference 7 started, then reference 8 starts (7 is dropped), then 7's last unit (not
     * the one being collected: a second event, 8 dropped), then 9 ends without a start */
    n = ud_unit(b, 7, false, u1, sizeof(u1));
    n += ud_unit(b + n, 8, false, u1, sizeof(u1));
    n += ud_unit(b + n, 7, true, u1, sizeof(u1));
    n += ud_unit(b + n, 9, true, u1, sizeof(u1));
    app_feeder_feed(fd, SN_TOCLIENT, b, n, 0);
    /* 35 units of 2000 bytes: past 64 KiB the rest is dropped, the last unit says so */
    n = 0;
    memset(big, 0x55, sizeof(big));
    for (int i = 0; i < 35; i++)
        n += ud_unit(b + n, 10, i == 34, big, sizeof(big));
    for (size_t off = 0; off < n; off += 4000)
        app_feeder_feed(fd, SN_TOCLIENT, b + off, CS_MIN((size_t)4000, n - off), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.userdata_out_of_order\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.userdata_too_long\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"fragments\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"fragments\":35,\"reassembled\":false,\"szl"), 0);
    CHECK_EQ(app_feeder_count(fd, "\"fragments\":35,\"reassembled\":false}"), 1);
    /* the unit whose start was not seen: logged, its first bytes are not an SZL header */
    CHECK_EQ(app_feeder_count(fd, "\"data_unit_ref\":9,\"last_data_unit\":true"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"szl_id\""), 0);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"s7comm\""), 39);
    app_feeder_free(fd);
}

CS_TEST(s7comm_malformed)
{
    uint8_t b[256];
    size_t n;
    struct app_feeder *fd;
    /* S7 header claiming 0x0e parameter bytes and 0x40 data bytes it does not have, and an
     * item count of 5 with one item: both anomalies raise events, the PDU is logged */
    uint8_t lying[sizeof(read_job)];

    memcpy(lying, read_job, sizeof(lying));
    lying[9] = 0x40;
    lying[11] = 5;
    fd = app_feeder_new(&sn_app_s7comm, 102, NULL, NULL);
    REQUIRE(fd);
    n = dt(b, true, lying, sizeof(lying));
    /* then a PDU of an unknown protocol id, a COTP header longer than its TPKT, and a TPKT
     * of version 2 (no marker to resynchronise on: the direction stops) */
    n += dt(b + n, true, (const uint8_t *)"\x33\x01\x00\x00", 4);
    memcpy(b + n, "\x03\x00\x00\x08\x09\xf0\x80\x32", 8);
    n += 8;
    memcpy(b + n, "\x02\x00\x00\x08\x02\xf0\x80\x32", 8);
    n += 8;
    n += dt(b + n, true, read_job, sizeof(read_job));
    app_feeder_feed(fd, SN_TOSERVER, b, n, 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.invalid_length\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.invalid_parameter\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.unknown_protocol\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.invalid_cotp\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"s7comm.invalid_tpkt\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"s7comm\""), 1); /* the lying PDU only */
    CHECK_EQ(app_feeder_count(fd, "\"item_count\":5,\"items\":[{"), 1);
    app_feeder_free(fd);
}

CS_TEST_MAIN()
