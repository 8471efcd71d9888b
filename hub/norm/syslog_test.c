/* syslog_test.c — syslog normaliser: real RFC 3164-style files (LogHub Linux and OpenSSH),
 * RFC 5424 records made here, the year of stamps without one, and hostile lines. */
#include "norm_test_util.h"

#include "../../lib/cs_test.h"

#define JUL_2005 1120176000000000LL

CS_TEST(syslog_loghub_linux_bsd_format)
{
    struct run r;
    const struct hub_event *e;

    run_init(&r, HUB_FMT_SYSLOG);
    r.n.now = JUL_2005;
    size_t len;
    r.text = read_data("syslog/loghub-Linux.log", &len);
    REQUIRE(r.text);
    run_text(&r, r.text, len);
    CHECK_EQ(r.nerr, 0);
    CHECK_EQ(r.nev, 40);
    e = &r.ev[0];
    CHECK_HSTR(e->event_type, "syslog");
    CHECK_EQ(e->fmt, HUB_FMT_SYSLOG);
    CHECK_EQ(e->ts, 1118762161000000LL);
    CHECK_HSTR(e->sensor, "combo");
    CHECK_HSTR(e->app_name, "sshd(pam_unix)");
    CHECK(!e->has_syslog_pri);
    CHECK(e->message.len > 20 &&
          memcmp(e->message.p, "authentication failure; logname= uid=0", 38) == 0);
    CHECK(strstr(e->norm.p, "\"syslog\":{\"app\":\"sshd(pam_unix)\"}") != NULL);
    run_free(&r);
}

CS_TEST(syslog_loghub_openssh_year_rollover)
{
    struct run r;

    run_init(&r, HUB_FMT_SYSLOG);
    r.n.now = JUL_2005; /* "Dec 10" read in July 2005 is December 2004 */
    size_t len;
    r.text = read_data("syslog/loghub-OpenSSH.log", &len);
    REQUIRE(r.text);
    run_text(&r, r.text, len);
    CHECK_EQ(r.nerr, 0);
    CHECK_EQ(r.nev, 20);
    CHECK_EQ(r.ev[0].ts, 1102661746000000LL);
    CHECK_HSTR(r.ev[0].sensor, "LabSZ");
    CHECK_HSTR(r.ev[0].app_name, "sshd");
    CHECK_HSTR(r.ev[1].message, "Invalid user webmaster from 173.234.31.186");
    run_free(&r);
}

CS_TEST(syslog_apache_error_log_is_not_syslog)
{
    struct run r;

    REQUIRE(run_file(&r, HUB_FMT_SYSLOG, "syslog/loghub-Apache.log"));
    CHECK_EQ(r.nev, 0);
    CHECK_EQ(r.nerr, 5);
    CHECK_EQ(r.n.c.err_format, 5);
    CHECK_STR(r.err[4].msg, "line 5:1: no RFC 3164 or RFC 5424 syslog header");
    run_free(&r);
}

CS_TEST(syslog_rfc5424_and_pri)
{
    static const char text[] =
        "<165>1 2025-03-01T12:00:00.123Z gw01.example.net ids 4321 ID47 "
        "[origin ip=\"192.0.2.1\" note=\"a \\] b\"][meta seq=\"7\"] \xef\xbb\xbfport scan from 192.0.2.9\n"
        "<13>1 - - - - - -\n"
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
        "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!\n"
        "<0>2025-03-01T12:00:00+08:00 host9 kernel: panic\n";
    struct run r;
    const struct hub_event *e;

    run_init(&r, HUB_FMT_SYSLOG);
    r.n.now = 1740830400000000LL; /* 2025-03-01 */
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nerr, 0);
    REQUIRE(r.nev == 5);
    e = &r.ev[0];
    CHECK(e->has_syslog_pri);
    CHECK_EQ(e->syslog_facility, 20);
    CHECK_EQ(e->syslog_severity, 5);
    CHECK_EQ(e->ts, 1740830400123000LL);
    CHECK_HSTR(e->sensor, "gw01.example.net");
    CHECK_HSTR(e->app_name, "ids");
    CHECK_HSTR(e->message, "port scan from 192.0.2.9"); /* SD and BOM skipped */
    CHECK(strstr(e->norm.p, "\"syslog\":{\"facility\":20,\"severity\":5,\"app\":\"ids\"}"));
    e = &r.ev[1];
    CHECK(!hub_str_set(e->sensor) && !hub_str_set(e->app_name));
    CHECK_EQ(e->ts, 0);
    CHECK_EQ(e->message.len, 0);
    e = &r.ev[2];
    CHECK_EQ(e->syslog_facility, 4);
    CHECK_EQ(e->syslog_severity, 2);
    CHECK_HSTR(e->sensor, "mymachine");
    CHECK_HSTR(e->app_name, "su");
    CHECK_HSTR(e->message, "'su root' failed for lonvick on /dev/pts/8");
    e = &r.ev[3];
    CHECK_HSTR(e->sensor, "10.0.0.99");
    CHECK(!hub_str_set(e->app_name));
    CHECK_HSTR(e->message, "Use the BFG!");
    e = &r.ev[4];
    CHECK_EQ(e->ts, 1740830400000000LL - 8 * 3600 * 1000000LL);
    CHECK_HSTR(e->sensor, "host9");
    CHECK_HSTR(e->app_name, "kernel");
    run_free(&r);
}

CS_TEST(syslog_hostile_lines)
{
    static const char text[] =
        "<999>Oct 11 22:14:15 host app: x\n"     /* 1 PRI out of range */
        "<13\n"                                  /* 2 truncated PRI */
        "<13>1 2025-13-01T00:00:00Z h a - - -\n" /* 3 month 13 */
        "<13>1 - h a - - [unterminated\n"        /* 4 SD */
        "Foo 11 22:14:15 host app: x\n"          /* 5 no month */
        "Oct 32 22:14:15 host app: x\n"          /* 6 day */
        "Oct 11 22:14:15 host app: caf\xc3\n"    /* 7 ok, bad UTF-8 repaired */
        "Oct 11 22:14:1\n";                      /* 8 truncated stamp */
    struct run r;

    run_init(&r, HUB_FMT_SYSLOG);
    r.n.now = 1740830400000000LL;
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nev, 1);
    CHECK_EQ(r.nerr, 7);
    CHECK_EQ(r.ev[0].line, 7);
    CHECK_HSTR(r.ev[0].message, "caf\xef\xbf\xbd");
    CHECK_EQ(r.err[6].line, 8);
    run_free(&r);
}

CS_TEST_MAIN()
