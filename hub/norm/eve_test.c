/* eve_test.c — EVE normaliser: the sensor's own EVE and Suricata-schema records (alert, dns
 * v2/v3, http, tls), then hostile records: each rejected with its line, none stops the rest. */
#include "norm_test_util.h"

#include "../../lib/cs_test.h"

CS_TEST(eve_citysoc_sensor_output)
{
    struct run r;
    const struct hub_event *e;

    REQUIRE(run_file(&r, HUB_FMT_CITYSOC_EVE, "eve/citysoc-eve.json"));
    CHECK_EQ(r.nerr, 0);
    CHECK_EQ(r.nev, 35);
    CHECK_EQ(r.n.c.events, 35);
    e = &r.ev[0]; /* line 1: the DNS CAA request */
    CHECK_HSTR(e->event_type, "dns");
    CHECK_EQ(e->ts, 1461623306714596LL);
    CHECK_EQ(e->fmt, HUB_FMT_CITYSOC_EVE);
    CHECK_HSTR(e->src_ip, "192.168.17.58");
    CHECK_EQ(e->src_addr.family, 4);
    CHECK(memcmp(e->src_addr.addr, "\xc0\xa8\x11\x3a", 4) == 0);
    CHECK_EQ(e->src_port, 58755);
    CHECK_HSTR(e->dest_ip, "8.8.8.8");
    CHECK_EQ(e->dest_port, 53);
    CHECK_HSTR(e->proto, "UDP");
    CHECK_HSTR(e->app_proto, "dns");
    CHECK_EQ(e->flow_id, 1083687632519027ULL);
    CHECK_HSTR(e->dns_rrname, "google.com");
    CHECK_EQ(e->line, 1);
    CHECK(!e->alert.present);
    /* raw is the line verbatim; norm is valid compact JSON of the model */
    CHECK(e->raw.len > 100 && memcmp(e->raw.p, "{\"timestamp\":\"2016-04-25T22:28:26", 33) == 0);
    CHECK(e->raw.p[e->raw.len] == 0 && e->raw.p[e->raw.len - 1] == '}');
    CHECK(strstr(e->norm.p, "\"ts\":1461623306714596,\"event_type\":\"dns\",\"fmt\":\"citysoc-eve\"") != NULL);
    CHECK(strstr(e->norm.p, "\"dns\":{\"rrname\":\"google.com\"}") != NULL);
    {
        struct hub_json_doc d;
        hub_json_doc_init(&d);
        CHECK_EQ(hub_json_parse(&d, e->norm.p, e->norm.len, NULL, NULL), CS_OK);
        hub_json_doc_free(&d);
    }

    e = run_find(&r, "http");
    REQUIRE(e);
    CHECK_HSTR(e->http_hostname, "www.osu.edu");
    CHECK_HSTR(e->http_url, "/");
    CHECK_EQ(e->ts, 1237440096688813LL);
    e = run_find(&r, "anomaly");
    REQUIRE(e);
    CHECK_HSTR(e->app_proto, "dns");
    CHECK(run_find(&r, "modbus") && run_find(&r, "tls") && run_find(&r, "ssh") &&
          run_find(&r, "fileinfo") && run_find(&r, "flow") && run_find(&r, "stats"));
    run_free(&r);
}

CS_TEST(eve_suricata_schema_records)
{
    struct run r;
    const struct hub_event *e;

    REQUIRE(run_file(&r, HUB_FMT_SURICATA_EVE, "eve/suricata-eve.json"));
    CHECK_EQ(r.nerr, 0);
    REQUIRE(r.nev == 6);
    e = &r.ev[0];
    CHECK_HSTR(e->event_type, "alert");
    CHECK_EQ(e->ts, 1781249503763684LL); /* -0400 applied */
    CHECK(e->alert.present);
    CHECK_EQ(e->alert.gid, 1);
    CHECK_EQ(e->alert.signature_id, 1000001);
    CHECK_EQ(e->alert.rev, 1);
    CHECK_EQ(e->alert.severity, 3);
    CHECK_HSTR(e->alert.signature, "ICMP Ping Detected");
    CHECK_HSTR(e->alert.category, ""); /* present and empty */
    CHECK(hub_str_set(e->alert.category));
    CHECK_HSTR(e->alert.action, "allowed");
    CHECK_HSTR(e->proto, "ICMP");
    CHECK_EQ(e->src_port, 0);
    CHECK(strstr(e->norm.p, "\"alert\":{\"gid\":1,\"signature_id\":1000001,\"rev\":1,"
                            "\"signature\":\"ICMP Ping Detected\",\"category\":\"\","
                            "\"severity\":3,\"action\":\"allowed\"}") != NULL);

    CHECK_HSTR(r.ev[1].dns_rrname, "telemetry.elastic.co"); /* dns v3 queries[0] */
    CHECK_HSTR(r.ev[2].tls_sni, "cv.example.org");
    CHECK_EQ(r.ev[2].ts, 1677585360038810LL);

    e = &r.ev[3];
    CHECK_EQ(e->ts, 1704448800500000LL);
    CHECK_EQ(e->flow_id, UINT64_MAX);
    CHECK_HSTR(e->sensor, "soc-sensor-7");
    CHECK_EQ(e->src_addr.family, 6);
    CHECK(memcmp(e->dest_addr.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x80", 16) == 0);
    CHECK_HSTR(e->community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    CHECK_HSTR(e->http_url, "/a?b=\xc3\xa9&c=%00");
    CHECK_HSTR(e->http_hostname, "www.example.com");

    e = &r.ev[4];
    CHECK_EQ(e->ts, 1704445201000000LL);
    CHECK_HSTR(e->sensor, "plant-a");
    CHECK_EQ(e->alert.severity, 4); /* priority 7 folds into the lowest class */
    CHECK_HSTR(e->alert.action, "blocked");
    CHECK_HSTR(e->app_proto, "modbus");
    CHECK_HSTR(r.ev[5].dns_rrname, "legacy.example.net"); /* dns v2 rrname */
    run_free(&r);
}

CS_TEST(eve_bad_records_are_counted_with_line_numbers)
{
    static const char text[] =
        "{\"timestamp\":\"2024-01-05T10:00:00Z\",\"event_type\":\"flow\"}\n"      /* 1 ok */
        "{\"timestamp\":\"2024-01-05T10:00:00Z\",\"event_type\":\"flow\"\n"       /* 2 truncated */
        "{\"event_type\":\"dns\",\"src_port\":70000}\n"                            /* 3 port */
        "{\"event_type\":\"dns\",\"src_port\":\"53\"}\n"                           /* 4 type */
        "{\"timestamp\":\"yesterday\",\"event_type\":\"dns\"}\n"                   /* 5 time */
        "{\"src_ip\":\"10.0.0.1\"}\n"                                              /* 6 no type */
        "[1,2,3]\n"                                                                /* 7 array */
        "{\"event_type\":\"alert\",\"alert\":{\"signature_id\":-1}}\n"            /* 8 sid */
        "{\"event_type\":\"alert\"}\n"                                             /* 9 no alert */
        "{\"event_type\":\"flow\",\"event_type\":\"alert\"}\n"                     /* 10 dup */
        "{\"event_type\":\"fl\xffow\"}\n"                                          /* 11 utf8 */
        "\n"                                                                       /* 12 blank */
        "{\"event_type\":\"flow\",\"flow_id\":18446744073709551616}\n"            /* 13 big */
        "{\"event_type\":\"alert\",\"alert\":{\"severity\":0}}\n"                 /* 14 sev */
        "{\"event_type\":\"tls\",\"src_ip\":\"not-an-ip\"}\r\n";                   /* 15 ok */
    struct run r;

    run_init(&r, HUB_FMT_SURICATA_EVE);
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nev, 2);
    CHECK_EQ(r.nerr, 12);
    CHECK_EQ(r.n.c.lines, 15);
    CHECK_EQ(r.n.c.skipped, 1);
    CHECK_EQ(r.n.c.errors, 12);
    CHECK_EQ(r.n.c.err_json, 3); /* lines 2, 10, 11 */
    CHECK_EQ(r.n.c.err_format, 1);
    CHECK_EQ(r.n.c.err_field, 8);
    REQUIRE(r.nerr == 12);
    CHECK_EQ(r.err[0].line, 2);
    CHECK_STR(r.err[0].msg, "line 2:56: truncated");
    CHECK_STR(r.err[1].msg, "line 3:32: \"src_port\" must be an integer 0..65535");
    CHECK_EQ(r.err[2].line, 4);
    CHECK_STR(r.err[3].msg, "line 5:15: \"timestamp\" must be an ISO 8601 time");
    CHECK_STR(r.err[4].msg, "line 6: no \"event_type\"");
    CHECK_STR(r.err[5].msg, "line 7:1: an EVE record must be a JSON object");
    CHECK_EQ(r.err[6].line, 8);
    CHECK_STR(r.err[7].msg, "line 9: an alert record without an \"alert\" object");
    CHECK_STR(r.err[8].msg, "line 10:22: duplicate key");
    CHECK_STR(r.err[9].msg, "line 11:18: invalid UTF-8");
    CHECK_EQ(r.err[10].line, 13);
    CHECK_EQ(r.err[11].line, 14);
    CHECK_EQ(r.ev[1].line, 15);
    CHECK_HSTR(r.ev[1].src_ip, "not-an-ip"); /* kept as text, not parsed */
    CHECK_EQ(r.ev[1].src_addr.family, 0);
    CHECK_EQ(r.ev[1].raw.p[r.ev[1].raw.len - 1], '}'); /* \r dropped */
    run_free(&r);
}

CS_TEST(eve_limits_line_length_and_depth)
{
    struct run r;
    char *deep = malloc(200);
    struct hub_event ev;
    struct cs_err err;

    REQUIRE(deep);
    run_init(&r, HUB_FMT_CITYSOC_EVE);
    r.n.max_line = 100;
    memset(deep, ' ', 200);
    memcpy(deep, "{\"event_type\":\"flow\"}", 21);
    CHECK_EQ(hub_norm_line(&r.n, deep, 200, 1, &ev, &err), CS_ELIMIT);
    CHECK_STR(err.msg, "line 1: record of 200 bytes is longer than 100");
    r.n.max_line = 0;
    r.n.max_depth = 4;
    const char *d5 = "{\"event_type\":\"flow\",\"a\":{\"b\":{\"c\":{\"d\":{}}}}}";
    CHECK_EQ(hub_norm_line(&r.n, d5, strlen(d5), 2, &ev, &err), CS_ELIMIT);
    CHECK_EQ(r.n.c.err_limit, 2);
    const char *d4 = "{\"event_type\":\"flow\",\"a\":{\"b\":{\"c\":{}}}}";
    CHECK_EQ(hub_norm_line(&r.n, d4, strlen(d4), 3, &ev, &err), 1);
    /* a NUL byte inside the record */
    CHECK_EQ(hub_norm_line(&r.n, "{\"event_type\":\"fl\0w\"}", 21, 4, &ev, &err), CS_EINVAL);
    CHECK_STR(err.msg, "line 4:18: NUL byte");
    free(deep);
    run_free(&r);
}

CS_TEST(eve_fmt_names_round_trip)
{
    for (int f = HUB_FMT_CITYSOC_EVE; f < HUB_FMT_COUNT; f++) {
        const char *s = hub_fmt_name((enum hub_fmt)f);
        CHECK_EQ(hub_fmt_parse(s, strlen(s)), f);
    }
    CHECK_EQ(hub_fmt_parse("eve", 3), HUB_FMT_CITYSOC_EVE);
    CHECK_EQ(hub_fmt_parse("xml", 3), HUB_FMT_NONE);
    CHECK_STR(hub_fmt_name((enum hub_fmt)99), "none");
}

CS_TEST_MAIN()
