/* smtp_test.c — SMTP parser: a real STARTTLS session through the whole pipeline (also cut
 * into 1-byte deliveries), the SMTP part of a real mail delivery (the client and server bytes
 * of tests/data/app/smtp/connect-with-smtp.*, cut from a capture) fed at several step sizes,
 * and hand-built sessions: pipelining, RSET, STARTTLS refused, folded headers, long lines,
 * many recipients, probing. */
#include "app_test_util.h"
#include "smtp.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_smtp;

/* a string literal, whole */
#define FEEDS(fd, dir, lit) app_feeder_feed(fd, dir, lit, sizeof(lit) - 1, 0)

/* tests/data/<rel> into a malloc'd buffer (*n bytes, NUL after them); NULL on error. */
static uint8_t *slurp(const char *rel, size_t *n)
{
    char path[4096];
    uint8_t *b = NULL;
    long sz;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", cs_test_data_dir(), rel);
    fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
        b = malloc((size_t)sz + 1);
        if (b)
            b[sz] = 0;
        if (b && fread(b, 1, (size_t)sz, fp) != (size_t)sz) {
            free(b);
            b = NULL;
        }
        *n = (size_t)sz;
    }
    fclose(fp);
    return b;
}

CS_TEST(smtp_starttls_capture)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/smtp/smtp-starttls.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* EHLO openssl.client.net, STARTTLS accepted (220 2.0.0 Ready to start TLS): one record,
     * then the TLS bytes are not read as SMTP */
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"smtp\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"smtp\"", "\"dest_port\":25",
                            "\"tx_id\":0,\"smtp\":{\"helo\":\"openssl.client.net\",\"starttls\":true}}", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"flow\"", "\"app_proto\":\"smtp\"", NULL), 1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"smtp.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(smtp_delivery_payload)
{
    size_t cn = 0, sn = 0;
    uint8_t *c = slurp("app/smtp/connect-with-smtp.toserver", &cn);
    uint8_t *sv = slurp("app/smtp/connect-with-smtp.toclient", &sn);

    REQUIRE(c && sv);
    for (size_t step = 0; step <= 7; step += 7) {
        struct app_feeder *fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);
        REQUIRE(fd);
        app_feeder_feed(fd, SN_TOCLIENT, sv, sn, step);
        app_feeder_feed(fd, SN_TOSERVER, c, cn, step ? 1 : 0);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        /* HELO 208.191.73.21, MAIL FROM, RCPT TO, DATA: 1470 bytes of message (up to the
         * "." line), header fields as written, QUIT */
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"smtp\""), 1);
        CHECK_EQ(app_feeder_count(
                     fd, "\"tx_id\":0,\"smtp\":{\"helo\":\"208.191.73.21\","
                         "\"mail_from\":\"<nhfjenna_neumann@lycos.com>\","
                         "\"rcpt_to\":[\"<thenightwatch@t-online.de>\"]},"
                         "\"email\":{\"status\":\"PARSE_DONE\","
                         "\"from\":\"Sybille Ostermann <nhfjenna_neumann@lycos.com>\","
                         "\"to\":[\"thenightwatch@t-online.de\"],"
                         "\"subject\":\"Hier sind die dicken Girls hemmungloser denn je.. grcu\","
                         "\"date\":\"Tue, 2 Mar 2004 13:57:49 +0100\","
                         "\"x_mailer\":\"Microsoft Outlook Build 10.0.2616\","
                         "\"message_bytes\":1470}"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
    free(c);
    free(sv);
}

static const char pipelined[] =
    "EHLO client.example\r\n"
    "MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n"
    "DATA\r\n"
    "Subject: part one\r\n\tpart two\r\n"
    "To: b@example.net, \"C\" <c@example.net>\r\n"
    "Cc: d@example.net\r\n"
    "\r\n"
    "body\r\n"
    "..leading dot\r\n"
    ".\r\n"
    "MAIL FROM:<x@example.org>\r\n"
    "RCPT TO:<y@example.org>\r\n"
    "RSET\r\n"
    "QUIT\r\n";

CS_TEST(smtp_pipelining_rset_folding)
{
    for (size_t step = 0; step <= 3; step++) {
        struct app_feeder *fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);
        REQUIRE(fd);
        FEEDS(fd, SN_TOCLIENT, "220 mx ESMTP\r\n");
        app_feeder_feed(fd, SN_TOSERVER, pipelined, sizeof(pipelined) - 1, step);
        app_feeder_end(fd);
        REQUIRE(fd->text);
        CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"smtp\""), 2);
        CHECK_EQ(app_feeder_count(
                     fd, "\"tx_id\":0,\"smtp\":{\"helo\":\"client.example\","
                         "\"mail_from\":\"<a@example.org> SIZE=100\",\"rcpt_to\":[\"<b@example.net>\","
                         "\"<c@example.net>\"]},\"email\":{\"status\":\"PARSE_DONE\","
                         "\"to\":[\"b@example.net\",\"\\\"C\\\" <c@example.net>\"],"
                         "\"cc\":[\"d@example.net\"],\"subject\":\"part one part two\","
                         "\"message_bytes\":"),
                 1);
        /* the second transaction ends at RSET, without DATA: no email object */
        CHECK_EQ(app_feeder_count(fd, "\"tx_id\":1,\"smtp\":{\"helo\":\"client.example\","
                                      "\"mail_from\":\"<x@example.org>\","
                                      "\"rcpt_to\":[\"<y@example.org>\"]}}"),
                 1);
        CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
        app_feeder_free(fd);
    }
}

CS_TEST(smtp_starttls_refused_and_accepted)
{
    /* refused (454): the session goes on in clear; then accepted: the rest is not parsed */
    struct app_feeder *fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);
    REQUIRE(fd);
    FEEDS(fd, SN_TOCLIENT, "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n");
    FEEDS(fd, SN_TOSERVER, "EHLO c\r\nSTARTTLS\r\n");
    FEEDS(fd, SN_TOCLIENT, "454 4.7.0 TLS not available\r\n");
    FEEDS(fd, SN_TOSERVER, "MAIL FROM:<a@b>\r\nSTARTTLS\r\n");
    FEEDS(fd, SN_TOCLIENT, "250 ok\r\n220 go ahead\r\n");
    FEEDS(fd, SN_TOSERVER, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\nRCPT TO:<z@z>\r\n");
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"smtp\""), 1);
    /* no RCPT from the TLS bytes */
    CHECK_EQ(app_feeder_count(fd, "\"smtp\":{\"helo\":\"c\",\"mail_from\":\"<a@b>\","
                                  "\"starttls\":true}"),
             1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":"), 0);
    app_feeder_free(fd);
}

CS_TEST(smtp_long_lines_many_rcpt_bad_reply)
{
    static uint8_t b[80000];
    struct app_feeder *fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);
    size_t n = 0;

    REQUIRE(fd);
    /* a 10000-byte HELO argument (cut at 1024 kept, the line at 4096: one event), then
     * 40 recipients (32 kept, 40 counted), then a reply that is not one */
    n += (size_t)sprintf((char *)b, "HELO ");
    memset(b + n, 'h', 10000);
    n += 10000;
    memcpy(b + n, "\r\nMAIL FROM:<a@b>\r\n", 19);
    n += 19;
    for (int i = 0; i < 40; i++)
        n += (size_t)sprintf((char *)b + n, "RCPT TO:<r%d@x>\r\n", i);
    n += (size_t)sprintf((char *)b + n, "QUIT\r\n");
    app_feeder_feed(fd, SN_TOSERVER, b, n, 1000);
    FEEDS(fd, SN_TOCLIENT, "hello\r\n250 ok\r\nxyz\r\n");
    app_feeder_end(fd);
    REQUIRE(fd->text);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"smtp.line_too_long\""), 1);
    CHECK_EQ(app_feeder_count(fd, "\"event\":\"smtp.invalid_reply\""), 1); /* once per flow */
    CHECK_EQ(app_feeder_count(fd, "\"<r31@x>\"],\"rcpt_to_count\":40}"), 1);
    CHECK_EQ(app_feeder_count(fd, "\"<r32@x>\""), 0);
    CHECK_EQ(app_feeder_count(fd, "\"event_type\":\"smtp\""), 1);
    app_feeder_free(fd);
}

CS_TEST(smtp_probe)
{
    const struct sn_app_parser *p = &sn_app_smtp;
    CHECK_EQ(p->probe((const uint8_t *)"220 mx ESMTP\r\n", 14, SN_TOCLIENT, 25), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"220 ", 4, SN_TOCLIENT, 2525), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"220 mx ESMTP ready\r\n", 20, SN_TOCLIENT, 2525),
             SN_PROBE_YES);
    /* an FTP greeting off port 25 is not SMTP */
    CHECK_EQ(p->probe((const uint8_t *)"220 ProFTPD Server\r\n", 20, SN_TOCLIENT, 2121),
             SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"EHL", 3, SN_TOSERVER, 25), SN_PROBE_MORE);
    CHECK_EQ(p->probe((const uint8_t *)"ehlo x\r\n", 8, SN_TOSERVER, 9999), SN_PROBE_YES);
    CHECK_EQ(p->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, SN_TOSERVER, 25), SN_PROBE_NO);
    CHECK_EQ(p->probe((const uint8_t *)"200 ok\r\n", 8, SN_TOCLIENT, 25), SN_PROBE_NO);
}

/* What detection is handed: copies of the envelope at each call. */
static int nhook;
static char hook_helo[64], hook_from[64], hook_rcpt[64];
static bool hook_data, hook_done;

static void hook(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    const struct sn_smtp_tx *t = tx;
    (void)w;
    (void)f;
    if (strcmp(proto, "smtp") != 0 || dir != SN_TOSERVER)
        return;
    nhook++;
    snprintf(hook_helo, sizeof(hook_helo), "%s", t->helo && t->helo->p ? t->helo->p : "");
    snprintf(hook_from, sizeof(hook_from), "%s", t->mail_from.p ? t->mail_from.p : "");
    snprintf(hook_rcpt, sizeof(hook_rcpt), "%s", t->nrcpt ? t->rcpt_to[0].p : "");
    hook_data = t->data;
    hook_done = t->done;
}

CS_TEST(smtp_detection_hook)
{
    size_t cn = 0;
    uint8_t *c = slurp("app/smtp/connect-with-smtp.toserver", &cn);
    struct app_feeder *fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);

    REQUIRE(c && fd);
    nhook = 0;
    sn_detect_app_cb = hook;
    /* up to the end of the DATA line: two calls (HELO, DATA), the envelope complete, no
     * message yet */
    app_feeder_feed(fd, SN_TOSERVER, c, (size_t)(strstr((char *)c, "DATA\r\n") - (char *)c) + 6, 0);
    CHECK_EQ(nhook, 2);
    CHECK_STR(hook_helo, "208.191.73.21");
    CHECK_STR(hook_from, "<nhfjenna_neumann@lycos.com>");
    CHECK_STR(hook_rcpt, "<thenightwatch@t-online.de>");
    CHECK(hook_data && !hook_done);
    app_feeder_end(fd);
    app_feeder_free(fd);
    /* the whole session: a third call at the "." line */
    fd = app_feeder_new(&sn_app_smtp, 25, NULL, NULL);
    REQUIRE(fd);
    nhook = 0;
    app_feeder_feed(fd, SN_TOSERVER, c, cn, 0);
    sn_detect_app_cb = NULL;
    CHECK_EQ(nhook, 3);
    CHECK(hook_done);
    app_feeder_end(fd);
    app_feeder_free(fd);
    free(c);
}

CS_TEST_MAIN()
