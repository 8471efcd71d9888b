/* dnp3_test.c — DNP3/TCP parser: real captures through the whole pipeline (also cut into
 * 1-byte deliveries; addresses, function codes, objects and point values checked against
 * tshark's dnp3 dissector) and hand-built link frames fed to parse() with the EVE text read
 * back: transport reassembly, CRC errors, lying lengths and qualifiers. */
#include "app_test_util.h"
#include "dnp3.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_dnp3;

CS_TEST(dnp3_crc_known_vector)
{
    /* the link header of a common reset-link frame: 05 64 05 C0 01 00 00 04, CRC E9 21 */
    static const uint8_t h[] = {0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04};
    CHECK_EQ(sn_dnp3_crc(h, sizeof(h)), 0x21e9);
    CHECK(sn_dnp3_crc(h, sizeof(h) - 1) != 0x21e9);
}

CS_TEST(dnp3_sv_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/dnp3/sv-dnp3-eve.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* suricata-verify dnp3-eve: 55 records (application confirms are not logged) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dnp3\"", NULL), 55);
    CHECK_EQ(app_test_count(&r, "\"function_code\":0,\"complete\"", NULL), 0);
    CHECK_EQ(app_test_count(&r,
                            "\"dnp3\":{\"type\":\"request\",\"control\":{\"dir\":true,\"pri\":true,"
                            "\"fcb\":false,\"fcv\":false,\"function_code\":4},\"src\":1,\"dst\":10,"
                            "\"application\":{\"control\":{\"fir\":true,\"fin\":true,\"con\":false,"
                            "\"uns\":false,\"sequence\":0},\"function_code\":21,\"objects\":[{"
                            "\"group\":60,\"variation\":2,\"qualifier\":6,\"prefix_code\":0,"
                            "\"range_code\":6,\"start\":0,\"stop\":0,\"count\":0},",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"unsolicited_response\"", NULL), 17);
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", NULL), 19);
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", NULL), 19);
    CHECK_EQ(app_test_count(&r, "\"iin\":{\"indicators\":[\"device_restart\"]}", NULL), 2);
    /* write request, g80v1 (IIN bit 7 cleared) */
    CHECK_EQ(app_test_count(&r,
                            "{\"group\":80,\"variation\":1,\"qualifier\":0,\"prefix_code\":0,"
                            "\"range_code\":0,\"start\":7,\"stop\":7,\"count\":1,\"points\":[{"
                            "\"prefix\":0,\"index\":7,\"state\":0}]}",
                            NULL),
             1);
    /* g32v7 analog events with float values 0..3 */
    CHECK_EQ(app_test_count(&r, "\"group\":32,\"variation\":7,",
                            "\"reserved0\":0,\"value\":2,"
                            "\"timestamp\":0}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"group\":2,\"variation\":1,", "\"index\":0,\"state\":129}", NULL),
             2);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(dnp3_read_class0_response)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/dnp3/read_and_response.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dnp3\"", NULL), 2);
    /* tshark: request READ of class 0..3 (g60v2,3,4,1), response with 7 objects of 10 points */
    CHECK_EQ(app_test_count(&r, "\"function_code\":1,", "\"group\":60,\"variation\":1,", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", "\"function_code\":129,",
                            "\"group\":1,\"variation\":2,\"qualifier\":0,\"prefix_code\":0,"
                            "\"range_code\":0,\"start\":0,\"stop\":9,\"count\":10,\"points\":[{"
                            "\"prefix\":0,\"index\":0,\"online\":0,\"restart\":1,",
                            "\"group\":3,\"variation\":2,", "\"group\":20,\"variation\":1,",
                            "\"group\":21,\"variation\":1,", "\"group\":30,\"variation\":1,",
                            "\"group\":10,\"variation\":2,", "\"group\":40,\"variation\":1,",
                            "\"iin\":{}", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"index\":9,", NULL), 1);
    app_test_free(&r);
}

CS_TEST(dnp3_malformed_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/dnp3/DNP3-Malformed.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* 197 one-packet flows whose frames are sound but whose objects are not (tshark flags
     * every one as malformed): each is logged, with an object-level event */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dnp3\"", NULL), 197);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.len_too_small\"", NULL), 112);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.unknown_object\"", NULL), 85);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.bad_", NULL), 0);
    app_test_free(&r);
}

CS_TEST(dnp3_udp_select_operate)
{
    struct app_run r = app_test_run("pcaps/dnp3/dnp3_udp_select_operate.pcap", NULL, false);

    REQUIRE(r.text);
    /* tshark: select (3), operate (4) and read (1) requests from 100 to 1 over udp/20000,
     * each answered (129); select/operate carry g12v1 index 1 (CROB) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dnp3\"", "\"proto\":\"UDP\"", NULL), 6);
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", "\"src\":100,\"dst\":1,",
                            "\"function_code\":3,\"objects\":[{\"group\":12,\"variation\":1,",
                            "\"points\":[{\"prefix\":1,\"index\":1}]", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", "\"function_code\":4,\"objects\":[{"
                            "\"group\":12,\"variation\":1,", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", "\"function_code\":1,",
                            "\"group\":60,\"variation\":2,", "\"group\":10,\"variation\":0,",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", "\"function_code\":129,", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"app_proto\":\"dnp3\"", "\"event_type\":\"flow\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(dnp3_udp_multi_datagram_fragment)
{
    struct app_run r = app_test_run("pcaps/dnp3/dnp3_udp_read.pcap", NULL, false);

    REQUIRE(r.text);
    /* tshark: a class 0123 read, then two responses each reassembled from 9 and 7 link
     * frames in as many datagrams (the transport layer spans datagrams) */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"dnp3\"", NULL), 3);
    CHECK_EQ(app_test_count(&r, "\"src\":1,\"dst\":100,", "\"function_code\":129,", NULL), 2);
    CHECK_EQ(app_test_count(&r, "\"fir\":true,\"fin\":false,", "\"sequence\":7}", NULL), 1);
    /* the outstation spoke first (a link-status request), so over UDP it is the flow's
     * client: responses are still told by their function code, with their IIN (tshark:
     * 0x9000, device restart and need time) */
    CHECK_EQ(app_test_count(&r, "\"type\":\"response\"", "\"function_code\":129,",
                            "\"iin\":{\"indicators\":[\"need_time\",\"device_restart\"]}", NULL),
             2);
    CHECK_EQ(app_test_count(&r, "\"type\":\"request\"", "\"function_code\":1,", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"dnp3.", NULL), 0);
    app_test_free(&r);
}

/* A datagram ending inside a link frame: the frame is dropped with an event, and the next
 * datagram is parsed from its start. */
CS_TEST(dnp3_udp_truncated_datagram)
{
    struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);
    /* a link-status request (05 64 05 C9 01 00 64 00 + CRC) */
    uint8_t fr[10] = {0x05, 0x64, 0x05, 0xc9, 0x01, 0x00, 0x64, 0x00};
    uint16_t c = sn_dnp3_crc(fr, 8);
    int rc;

    REQUIRE(fd);
    fr[8] = (uint8_t)c;
    fr[9] = (uint8_t)(c >> 8);
    fd->f.proto = IPPROTO_UDP;
    rc = sn_app_dnp3.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, fr, 7, SN_APP_DATAGRAM);
    CHECK_EQ(rc, 7); /* all of a datagram is consumed */
    rc = sn_app_dnp3.parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, fr, 10, SN_APP_DATAGRAM);
    CHECK_EQ(rc, 10);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.truncated_datagram\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.bad_link_crc\""), 0);
    app_feeder_free(fd);
}

/* ---- hand-built frames ------------------------------------------------------------------- */

/* Builds a link frame (ctrl, dst 10, src 1) around user data ud[0..n) into out; returns its
 * size. */
static size_t frame(uint8_t *out, uint8_t ctrl, const uint8_t *ud, size_t n)
{
    size_t o = 10;
    uint16_t c;

    out[0] = 0x05;
    out[1] = 0x64;
    out[2] = (uint8_t)(n + 5);
    out[3] = ctrl;
    out[4] = 10;
    out[5] = 0;
    out[6] = 1;
    out[7] = 0;
    c = sn_dnp3_crc(out, 8);
    out[8] = (uint8_t)c;
    out[9] = (uint8_t)(c >> 8);
    for (size_t i = 0; i < n; i += 16) {
        size_t b = CS_MIN((size_t)16, n - i);
        memcpy(out + o, ud + i, b);
        c = sn_dnp3_crc(ud + i, (uint32_t)b);
        out[o + b] = (uint8_t)c;
        out[o + b + 1] = (uint8_t)(c >> 8);
        o += b + 2;
    }
    return o;
}

/* transport FIR|FIN seq 0; app FIR|FIN seq 3, READ, g60v1 all objects */
static const uint8_t read_class0[] = {0xc0, 0xc3, 0x01, 60, 1, 0x06};

CS_TEST(dnp3_read_request_split_any_way)
{
    uint8_t buf[300];
    size_t n = frame(buf, 0xc4, read_class0, sizeof(read_class0));

    for (size_t step = 0; step <= 3; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);
        REQUIRE(fd && fd->s);
        app_feeder_feed(fd, SN_TOSERVER, buf, n, step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"dnp3\""), 1);
        CHECK_EQ(app_feeder_count(fd, "\"dnp3\":{\"type\":\"request\",\"control\":{\"dir\":true,\"pri\":true,"
                           "\"fcb\":false,\"fcv\":false,\"function_code\":4},\"src\":1,\"dst\":10,"
                           "\"application\":{\"control\":{\"fir\":true,\"fin\":true,\"con\":false,"
                           "\"uns\":false,\"sequence\":3},\"function_code\":1,\"objects\":[{"
                           "\"group\":60,\"variation\":1,\"qualifier\":6,\"prefix_code\":0,"
                           "\"range_code\":6,\"start\":0,\"stop\":0,\"count\":0}],"
                           "\"complete\":true}}"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"anomaly\""), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(dnp3_transport_reassembly)
{
    /* a response split over two transport segments: FIR seq 5, then FIN seq 6 */
    uint8_t s1[] = {0x45, 0xc0, 0x81, 0x80, 0x00, 1, 2, 0x00, 0, 1};
    uint8_t s2[] = {0x86, 0x81, 0x01};
    uint8_t bad2[] = {0x88, 0x81, 0x01}; /* FIN with a sequence gap */
    uint8_t b1[64], b2[64];
    size_t n1 = frame(b1, 0x44, s1, sizeof(s1)), n2 = frame(b2, 0x44, s2, sizeof(s2));
    struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);

    REQUIRE(fd && fd->s);
    app_feeder_feed(fd, SN_TOCLIENT, b1, n1, 0);
    app_feeder_feed(fd, SN_TOCLIENT, b2, n2, 0);
    n2 = frame(b2, 0x44, bad2, sizeof(bad2));
    app_feeder_feed(fd, SN_TOCLIENT, b1, n1, 0);
    app_feeder_feed(fd, SN_TOCLIENT, b2, n2, 0); /* out of sequence: dropped */
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"dnp3\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"type\":\"response\""), 1);
    /* g1v2, start 0 stop 1, flags 0x81 and 0x01 */
    CHECK_EQ(app_feeder_count(fd,
                   "\"points\":[{\"prefix\":0,\"index\":0,\"online\":1,\"restart\":0,"
                   "\"comm_lost\":0,\"remote_forced\":0,\"local_forced\":0,\"chatter_filter\":0,"
                   "\"reserved\":0,\"state\":1},{\"prefix\":0,\"index\":1,\"online\":1,"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"iin\":{\"indicators\":[\"device_restart\"]}"), 1);
    app_feeder_free(fd);
}

CS_TEST(dnp3_bad_crcs)
{
    uint8_t a[300], b[300];
    size_t na = frame(a, 0xc4, read_class0, sizeof(read_class0));
    size_t nb = frame(b, 0xc4, read_class0, sizeof(read_class0));
    struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);

    REQUIRE(fd && fd->s);
    a[8] ^= 0xff;      /* header CRC */
    b[nb - 1] ^= 0xff; /* data block CRC */
    app_feeder_feed(fd, SN_TOSERVER, a, na, 0);
    app_feeder_feed(fd, SN_TOSERVER, b, nb, 0);
    nb = frame(b, 0xc4, read_class0, sizeof(read_class0));
    app_feeder_feed(fd, SN_TOSERVER, "junk", 4, 0); /* resynchronised on the next start */
    app_feeder_feed(fd, SN_TOSERVER, b, nb, 1);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.bad_link_crc\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.bad_transport_crc\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"dnp3\""), 1);
    app_feeder_free(fd);
}

CS_TEST(dnp3_lying_lengths_and_objects)
{
    /* count qualifier 0x28 says 1000 points of g30v1, two are present */
    uint8_t lie[] = {0xc0, 0xc1, 0x81, 0, 0, 30, 1, 0x28, 0xe8, 0x03, 0, 0,
                     1,    1,    0,    0, 0, 1,  0, 1,    2,    0,    0, 0};
    uint8_t unk[] = {0xc0, 0xc2, 0x81, 0, 0, 99, 1, 0x00, 0, 0, 0xaa};
    uint8_t conf[] = {0xc0, 0xc2, 0x00}; /* application confirm: not logged */
    uint8_t shrt[] = {0x05, 0x64, 0x02, 0xc4, 10, 0, 1, 0, 0, 0};
    uint8_t buf[300];
    struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);
    size_t n;
    uint16_t c = sn_dnp3_crc(shrt, 8);

    REQUIRE(fd && fd->s);
    n = frame(buf, 0x44, lie, sizeof(lie));
    app_feeder_feed(fd, SN_TOCLIENT, buf, n, 0);
    n = frame(buf, 0x44, unk, sizeof(unk));
    app_feeder_feed(fd, SN_TOCLIENT, buf, n, 0);
    n = frame(buf, 0xc4, conf, sizeof(conf));
    app_feeder_feed(fd, SN_TOSERVER, buf, n, 0);
    shrt[8] = (uint8_t)c;
    shrt[9] = (uint8_t)(c >> 8);
    app_feeder_feed(fd, SN_TOSERVER, shrt, sizeof(shrt), 0);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"dnp3\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"count\":1000,\"points\":[{\"prefix\":0,\"index\":0,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"index\":1,\"online\":1,"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"value\":2}]}"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.len_too_small\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.unknown_object\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"group\":99,\"variation\":1,"), 1);
    app_feeder_free(fd);
}

/* Sends app[0..n) as transport segments of up to 249 bytes (first sequence 0). */
static void send_fragment(struct app_feeder *fd, int dir, const uint8_t *app, size_t n, bool fin)
{
    uint8_t seg[250], buf[300];
    uint8_t seq = 0;

    for (size_t off = 0; off < n; seq = (uint8_t)((seq + 1) & 0x3f)) {
        size_t k = CS_MIN((size_t)249, n - off);
        seg[0] = (uint8_t)(seq | (off == 0 ? 0x40 : 0) | (fin && off + k == n ? 0x80 : 0));
        memcpy(seg + 1, app + off, k);
        app_feeder_feed(fd, dir, buf, frame(buf, dir == SN_TOSERVER ? 0xc4 : 0x44, seg, k + 1), 0);
        off += k;
    }
}

CS_TEST(dnp3_caps)
{
    static uint8_t app[9000];
    struct app_feeder *fd = app_feeder_new(&sn_app_dnp3, 20000, NULL, NULL);

    REQUIRE(fd && fd->s);
    /* a response with g1v1 packed bits, indices 0..4999: more points than are logged */
    memset(app, 0x55, sizeof(app));
    app[0] = 0xc0;
    app[1] = 0x81;
    app[2] = app[3] = 0;
    app[4] = 1;
    app[5] = 1;
    app[6] = 0x01;
    app[7] = 0;
    app[8] = 0;
    app[9] = (uint8_t)(4999 & 0xff);
    app[10] = (uint8_t)(4999 >> 8);
    send_fragment(fd, SN_TOCLIENT, app, 11 + 625, true);
    /* a fragment that never ends and outgrows the reassembly cap */
    send_fragment(fd, SN_TOSERVER, app, sizeof(app), false);
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"dnp3\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"count\":5000,\"points\":[{\"prefix\":0,\"index\":0,\"state\":1}"), 1);
    CHECK_EQ(app_feeder_count(fd, "{\"prefix\":0,\"index\":4095,\"state\":0}]"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.too_many_points\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"dnp3.too_long_reassembly\""), 1);
    app_feeder_free(fd);
}

CS_TEST(dnp3_probe)
{
    static const uint8_t h[] = {0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04, 0xe9, 0x21};
    uint8_t bad[sizeof(h)];

    memcpy(bad, h, sizeof(h));
    bad[9] ^= 1;
    CHECK_EQ(sn_app_dnp3.probe(h, sizeof(h), SN_TOSERVER, 20000), SN_PROBE_YES);
    CHECK_EQ(sn_app_dnp3.probe(h, 5, SN_TOSERVER, 20000), SN_PROBE_MORE);
    CHECK_EQ(sn_app_dnp3.probe(bad, sizeof(bad), SN_TOSERVER, 20000), SN_PROBE_NO);
    CHECK_EQ(sn_app_dnp3.probe((const uint8_t *)"GET / ", 6, SN_TOSERVER, 20000), SN_PROBE_NO);
}

CS_TEST_MAIN()
