/* ftp_test.c — FTP control channel parser, fed by hand (no FTP capture in the corpus; the
 * sessions follow RFC 959 section 8 and RFC 2428 and common server banners), whole and cut
 * into small deliveries: commands and replies paired in order (pipelined), multi-line
 * replies, preliminary 1xx replies, PORT/EPRT/PASV/EPSV ports, AUTH TLS, unanswered
 * commands, long lines, bad replies, probing, and what detection is handed. */
#include "app_test_util.h"
#include "ftp.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_ftp;

#define FEEDS(fd, dir, lit) app_feeder_feed(fd, dir, lit, sizeof(lit) - 1, step)

static const char cli[] = "USER anonymous\r\n"
                          "PASS guest@\r\n"
                          "SYST\r\n"
                          "PASV\r\n"
                          "RETR pub/README\r\n"
                          "PORT 10,0,0,1,195,80\r\n"
                          "EPSV\r\n"
                          "EPRT |1|10.0.0.1|6275|\r\n"
                          "LIST\r\n"
                          "QUIT\r\n";
static const char greet[] = "220-Welcome to the test FTP service.\r\n"
                            " Be nice.\r\n"
                            "220 Ready.\r\n";
static const char srv[] = "331 Please specify the password.\r\n"
                          "230 Login successful.\r\n"
                          "215 UNIX Type: L8\r\n"
                          "227 Entering Passive Mode (192,168,1,2,19,137).\r\n"
                          "150 Opening BINARY mode data connection for pub/README (12 bytes).\r\n"
                          "226 Transfer complete.\r\n"
                          "200 PORT command successful.\r\n"
                          "229 Entering Extended Passive Mode (|||40001|)\r\n"
                          "200 EPRT command successful.\r\n";

CS_TEST(ftp_session)
{
    for (size_t step = 0; step <= 5; step += 5) {
        struct app_feeder *fd = app_feeder_new(&sn_app_ftp, 21, NULL, NULL);
        REQUIRE(fd);
        /* after the greeting, the client's commands arrive before the replies (pipelined):
         * they wait in order */
        FEEDS(fd, SN_TOCLIENT, greet);
        FEEDS(fd, SN_TOSERVER, cli);
        FEEDS(fd, SN_TOCLIENT, srv);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        /* the greeting (3 lines) is a transaction of its own; 10 commands, LIST and QUIT
         * unanswered */
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"ftp\""), 11);
        CHECK_EQ(app_feeder_count(fd, "\"ftp\":{\"reply\":[\"Welcome to the test FTP service.\","
                                      "\" Be nice.\",\"Ready.\"],\"completion_code\":[\"220\"],"
                                      "\"reply_received\":\"yes\"}"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"ftp\":{\"command\":\"USER\",\"command_data\":\"anonymous\","
                                      "\"reply\":[\"Please specify the password.\"],"
                                      "\"completion_code\":[\"331\"],\"reply_received\":\"yes\"}"),
                 1);
        /* 227 (h1..h4,p1,p2): port 19*256+137 */
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"PASV\",\"reply\":[\"Entering Passive Mode "
                                      "(192,168,1,2,19,137).\"],\"completion_code\":[\"227\"],"
                                      "\"dynamic_port\":5001,\"mode\":\"passive\""),
                 1);
        /* 150 then 226: one transaction, two codes */
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"RETR\",\"command_data\":\"pub/README\","),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"completion_code\":[\"150\",\"226\"]"), 1);
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"PORT\",\"command_data\":\"10,0,0,1,195,80\","
                                      "\"reply\":[\"PORT command successful.\"],"
                                      "\"completion_code\":[\"200\"],\"dynamic_port\":50000,"
                                      "\"mode\":\"active\""),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"EPSV\",\"reply\":[\"Entering Extended "
                                      "Passive Mode (|||40001|)\"],\"completion_code\":[\"229\"],"
                                      "\"dynamic_port\":40001,\"mode\":\"passive\""),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"EPRT\",\"command_data\":\"|1|10.0.0.1|6275|\","
                                      "\"reply\":[\"EPRT command successful.\"],"
                                      "\"completion_code\":[\"200\"],\"dynamic_port\":6275,"
                                      "\"mode\":\"active\""),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"LIST\",\"reply_received\":\"no\"}"), 1);
        CHECK_EQ(app_feeder_count(fd, "\"command\":\"QUIT\",\"reply_received\":\"no\"}"), 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(ftp_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ftp/ftp-session.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* greeting, USER, PASS, PASV (227 … 195,81), RETR (150 + 226), QUIT: as tshark's ftp
     * dissector shows the capture */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ftp\"", NULL), 6);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ftp\"", "\"tx_id\":0,\"ftp\":{\"reply\":"
                            "[\"(vsFTPd 3.0.3)\"],\"completion_code\":[\"220\"]",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"tx_id\":3,\"ftp\":{\"command\":\"PASV\",", "\"dynamic_port\":50001,"
                            "\"mode\":\"passive\",\"reply_received\":\"yes\"",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"tx_id\":4,\"ftp\":{\"command\":\"RETR\",\"command_data\":"
                            "\"pub/README\"", "\"completion_code\":[\"150\",\"226\"]", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"ftp\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"ftp.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(ftp_command_during_greeting)
{
    size_t step = 0;
    struct app_feeder *fd = app_feeder_new(&sn_app_ftp, 21, NULL, NULL);
    REQUIRE(fd);
    /* the client does not wait for the end of a multi-line greeting */
    FEEDS(fd, SN_TOCLIENT, "220-first\r\n");
    FEEDS(fd, SN_TOSERVER, "USER bob\r\n");
    FEEDS(fd, SN_TOCLIENT, "220 last\r\n331 pw\r\n");
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"tx_id\":0,\"ftp\":{\"reply\":[\"first\",\"last\"],"
                                  "\"completion_code\":[\"220\"]"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"tx_id\":1,\"ftp\":{\"command\":\"USER\",\"command_data\":"
                                  "\"bob\",\"reply\":[\"pw\"],\"completion_code\":[\"331\"]"),
             1);
    app_feeder_free(fd);
}

CS_TEST(ftp_auth_tls)
{
    size_t step = 0;
    struct app_feeder *fd = app_feeder_new(&sn_app_ftp, 21, NULL, NULL);
    REQUIRE(fd);
    FEEDS(fd, SN_TOCLIENT, "220 (vsFTPd 3.0.3)\r\n");
    FEEDS(fd, SN_TOSERVER, "AUTH TLS\r\n");
    FEEDS(fd, SN_TOCLIENT, "234 Proceed with negotiation.\r\n");
    /* a ClientHello with an end of line inside: not read as commands */
    FEEDS(fd, SN_TOSERVER, "\x16\x03\x01\x00\x10\r\nUSER root\r\n");
    FEEDS(fd, SN_TOCLIENT, "\x16\x03\x03\x00\x10\r\n530 x\r\n");
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"ftp\""), 2);
    CHECK_EQ(app_feeder_count(fd, "\"command\":\"AUTH\",\"command_data\":\"TLS\","
                                  "\"reply\":[\"Proceed with negotiation.\"],"
                                  "\"completion_code\":[\"234\"]"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"USER\""), 0);
    CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
    app_feeder_free(fd);
}

CS_TEST(ftp_limits_and_bad_replies)
{
    static uint8_t b[12000];
    size_t n, step = 0;
    struct app_feeder *fd = app_feeder_new(&sn_app_ftp, 21, NULL, NULL);

    REQUIRE(fd);
    /* a 10000-byte argument (kept: 1024 bytes; the line: 4096, one event), 40 commands
     * without reply (32 wait, the older ones are logged unanswered), a reply that is not */
    n = (size_t)sprintf((char *)b, "CWD ");
    memset(b + n, 'd', 10000);
    n += 10000;
    memcpy(b + n, "\r\n", 2);
    n += 2;
    app_feeder_feed(fd, SN_TOSERVER, b, n, 1500);
    for (int i = 0; i < 40; i++) {
        char l[32];
        int k = snprintf(l, sizeof(l), "NOOP %d\r\n", i);
        app_feeder_feed(fd, SN_TOSERVER, l, (size_t)k, 0);
    }
    FEEDS(fd, SN_TOCLIENT, "hello there\r\n200 ok\r\n");
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"ftp.line_too_long\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"ftp.invalid_reply\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"ftp\""), 41);
    /* the CWD was pushed out unanswered; the first NOOP still waiting got the 200 */
    CHECK_EQ(app_feeder_count(fd, "\"command\":\"CWD\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"command\":\"NOOP\",\"command_data\":\"8\",\"reply\":[\"ok\"]"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"reply_received\":\"yes\""), 1);
    app_feeder_free(fd);
}

/* What detection is handed. */
static int nts, ntc;
static char last_cmd[32], last_arg[64];

static void hook(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    const struct sn_ftp_tx *t = tx;
    (void)w;
    (void)f;
    if (strcmp(proto, "ftp") != 0)
        return;
    if (dir == SN_TOSERVER) {
        nts++;
        snprintf(last_cmd, sizeof(last_cmd), "%s", t->command);
        snprintf(last_arg, sizeof(last_arg), "%s", t->arg ? t->arg : "");
    } else {
        ntc++;
    }
}

CS_TEST(ftp_detection_hook)
{
    size_t step = 1;
    struct app_feeder *fd = app_feeder_new(&sn_app_ftp, 21, NULL, NULL);
    REQUIRE(fd);
    nts = ntc = 0;
    sn_detect_app_cb = hook;
    FEEDS(fd, SN_TOCLIENT, "220 ready\r\n");
    FEEDS(fd, SN_TOSERVER, "user bob\r\nSTOR a.txt\r\n");
    FEEDS(fd, SN_TOCLIENT, "331 pw\r\n150 go\r\n");
    sn_detect_app_cb = NULL;
    CHECK_EQ(nts, 2);
    CHECK_STR(last_cmd, "STOR");
    CHECK_STR(last_arg, "a.txt");
    CHECK_EQ(ntc, 2); /* the greeting and 331; 150 is preliminary */
    app_feeder_end(fd);
    app_feeder_free(fd);
}

CS_TEST(ftp_probe)
{
    const struct sn_app_parser *p = &sn_app_ftp;
    CHECK_EQ(p->probe((const uint8_t *)"220 (vsFTPd 3.0.3)\r\n", 20, SN_TOCLIENT, 21),
             SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"220 ProFTPD Server\r\n", 20, SN_TOCLIENT, 2121),
             SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"220 mx ESMTP ready\r\n", 20, SN_TOCLIENT, 2121),
             SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"220 ProF", 8, SN_TOCLIENT, 2121), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"USER bob\r\n", 10, SN_TOSERVER, 21), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"US", 2, SN_TOSERVER, 21), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"USER bob\r\n", 10, SN_TOSERVER, 110), SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, SN_TOSERVER, 21), SN_PROBE_NO);
}

CS_TEST_MAIN()
