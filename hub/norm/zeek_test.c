/* zeek_test.c — Zeek normaliser: the same WRCCDC 2018 traffic as TSV and as JSON must map to
 * the same events; conn and http (btest baseline); header handling and hostile lines. */
#include "norm_test_util.h"

#include "../../lib/cs_test.h"

static bool same_str(struct hub_str a, struct hub_str b)
{
    return a.len == b.len && (!a.len || memcmp(a.p, b.p, a.len) == 0) &&
           hub_str_set(a) == hub_str_set(b);
}

static void tsv_json_agree(const char *log)
{
    char tsv[64], js[64];
    struct run a, b;

    snprintf(tsv, sizeof(tsv), "zeek/wrccdc-%s.log", log);
    snprintf(js, sizeof(js), "zeek/wrccdc-%s.json", log);
    REQUIRE(run_file(&a, HUB_FMT_ZEEK_TSV, tsv));
    REQUIRE(run_file(&b, HUB_FMT_ZEEK_JSON, js));
    CHECK_EQ(a.nerr, 0);
    CHECK_EQ(b.nerr, 0);
    CHECK_EQ(a.nev, 22); /* 30 lines - 8 header lines */
    CHECK_EQ(a.n.c.skipped, 8);
    CHECK_EQ(b.nev, 20);
    for (int i = 0; i < 20 && i < a.nev && i < b.nev; i++) {
        const struct hub_event *x = &a.ev[i], *y = &b.ev[i];
        if (x->ts != y->ts || !same_str(x->uid, y->uid) || !same_str(x->src_ip, y->src_ip) ||
            x->src_port != y->src_port || !same_str(x->dest_ip, y->dest_ip) ||
            x->dest_port != y->dest_port || !same_str(x->event_type, y->event_type) ||
            !same_str(x->dns_rrname, y->dns_rrname) || !same_str(x->tls_sni, y->tls_sni) ||
            !same_str(x->alert.signature, y->alert.signature) ||
            !same_str(x->alert.category, y->alert.category) ||
            !same_str(x->alert.action, y->alert.action) || !same_str(x->proto, y->proto) ||
            !same_str(x->app_proto, y->app_proto) ||
            memcmp(&x->src_addr, &y->src_addr, sizeof(x->src_addr)) != 0)
            CS_FAILF("%s record %d: TSV and JSON differ:\n  %s\n  %s", log, i, x->norm.p,
                     y->norm.p);
        CHECK_EQ(x->fmt, HUB_FMT_ZEEK_TSV);
        CHECK_EQ(y->fmt, HUB_FMT_ZEEK_JSON);
    }
    run_free(&a);
    run_free(&b);
}

CS_TEST(zeek_dns_tsv_and_json_agree)
{
    struct run r;
    const struct hub_event *e;

    tsv_json_agree("dns");
    REQUIRE(run_file(&r, HUB_FMT_ZEEK_TSV, "zeek/wrccdc-dns.log"));
    REQUIRE(r.nev > 0);
    e = &r.ev[0];
    CHECK_HSTR(e->event_type, "dns");
    CHECK_EQ(e->ts, 1521911720865716LL);
    CHECK_HSTR(e->uid, "CqKst53mF3det3eDV9");
    CHECK_HSTR(e->src_ip, "10.47.1.100");
    CHECK_EQ(e->src_addr.family, 4);
    CHECK_EQ(e->src_port, 41772);
    CHECK_HSTR(e->dest_ip, "10.0.0.100");
    CHECK_EQ(e->dest_port, 53);
    CHECK_HSTR(e->proto, "UDP");
    CHECK_HSTR(e->app_proto, "dns");
    CHECK_HSTR(e->dns_rrname, "ise.wrccdc.org");
    CHECK_EQ(e->line, 9);
    run_free(&r);
}

CS_TEST(zeek_ssl_tsv_and_json_agree)
{
    struct run r;
    int sni = 0;

    tsv_json_agree("ssl");
    REQUIRE(run_file(&r, HUB_FMT_ZEEK_JSON, "zeek/wrccdc-ssl.json"));
    for (int i = 0; i < r.nev; i++) {
        CHECK_HSTR(r.ev[i].event_type, "ssl");
        CHECK_HSTR(r.ev[i].app_proto, "tls");
        sni += hub_str_set(r.ev[i].tls_sni);
    }
    CHECK(sni > 0);
    run_free(&r);
}

CS_TEST(zeek_notice_maps_to_alert)
{
    struct run r;
    const struct hub_event *e;

    tsv_json_agree("notice");
    REQUIRE(run_file(&r, HUB_FMT_ZEEK_JSON, "zeek/wrccdc-notice.json"));
    REQUIRE(r.nev > 0);
    e = &r.ev[0];
    CHECK_HSTR(e->event_type, "notice");
    CHECK(e->alert.present);
    CHECK_HSTR(e->alert.category, "SSL::Invalid_Server_Cert");
    CHECK_HSTR(e->alert.signature,
               "SSL certificate validation failed with (unable to get local issuer certificate)");
    CHECK_HSTR(e->message, "SSL certificate validation failed with (unable to get local issuer certificate)");
    CHECK_HSTR(e->alert.action, "Notice::ACTION_LOG");
    CHECK_EQ(e->dest_port, 443);
    CHECK_EQ(e->ts, 1521911720629574LL);
    run_free(&r);
}

CS_TEST(zeek_conn_and_http_tsv)
{
    struct run r;
    const struct hub_event *e;

    REQUIRE(run_file(&r, HUB_FMT_ZEEK_TSV, "zeek/ayiya-conn.log"));
    CHECK_EQ(r.nerr, 0);
    CHECK_EQ(r.nev, 8);
    CHECK_EQ(r.n.c.skipped, 9); /* 8 headers + #close */
    e = &r.ev[3];
    CHECK_HSTR(e->event_type, "conn");
    CHECK_HSTR(e->uid, "C37jN32gN3y3AZzyf6");
    CHECK_HSTR(e->src_ip, "2001:4978:f:4c::2");
    CHECK_EQ(e->src_addr.family, 6);
    CHECK_EQ(e->src_port, 53382);
    CHECK_EQ(e->dest_port, 80);
    CHECK_HSTR(e->proto, "TCP");
    CHECK_HSTR(e->app_proto, "http"); /* conn "service" */
    CHECK(!hub_str_set(r.ev[0].app_proto)); /* "-" is unset */
    CHECK_HSTR(r.ev[0].src_ip, "::");
    run_free(&r);

    REQUIRE(run_file(&r, HUB_FMT_ZEEK_TSV, "zeek/ayiya-http.log"));
    CHECK_EQ(r.nerr, 0);
    REQUIRE(r.nev >= 2);
    e = &r.ev[0];
    CHECK_HSTR(e->event_type, "http");
    CHECK_HSTR(e->http_hostname, "ipv6.google.com");
    CHECK_HSTR(e->http_url, "/");
    CHECK_HSTR(e->app_proto, "http");
    CHECK(r.ev[1].http_url.len > 10 && memcmp(r.ev[1].http_url.p, "/csi?v=3&s=webhp", 16) == 0);
    run_free(&r);
}

CS_TEST(zeek_hostile_lines)
{
    static const char text[] =
        "1.0\tCx\n"                                                    /* 1 before #fields */
        "#separator \\x09\n"                                           /* 2 */
        "#path\tconn\n"                                                /* 3 */
        "#fields\tts\tuid\tid.orig_p\tproto\n"                         /* 4 */
        "1.5\tCa\t80\ttcp\n"                                           /* 5 ok */
        "1.5\tCb\t80\n"                                                /* 6 too few */
        "XXXXXXXXXX.XXXXXX\tCc\t80\ttcp\n"                             /* 7 btest ts */
        "2.0\tCd\t99999\ttcp\n"                                        /* 8 port */
        "3.0\tC\\x41\\xff\t-\t(empty)\n"                               /* 9 ok, escapes */
        "#separator ,,\n"                                              /* 10 bad sep */
        "{\"_path\":\"dns\"}\n";                                       /* 11 json in tsv */
    struct run r;

    run_init(&r, HUB_FMT_ZEEK_TSV);
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nev, 2);
    REQUIRE(r.nerr == 6);
    CHECK_STR(r.err[0].msg, "line 1:1: Zeek data line before a #fields header");
    CHECK_STR(r.err[1].msg, "line 6: 3 fields where #fields has 4");
    CHECK_STR(r.err[2].msg, "line 7:1: field \"ts\": not a time");
    CHECK_STR(r.err[3].msg, "line 8:8: field \"id.orig_p\": not a port");
    CHECK_EQ(r.err[4].line, 10);
    CHECK_EQ(r.err[5].line, 11);
    CHECK_EQ(r.ev[0].ts, 1500000);
    CHECK_HSTR(r.ev[1].uid, "CA\xef\xbf\xbd"); /* \x41 decoded, \xff made U+FFFD */
    CHECK_EQ(r.ev[1].src_port, 0);            /* "-": unset */
    CHECK(hub_str_set(r.ev[1].proto) && r.ev[1].proto.len == 0); /* "(empty)" */
    run_free(&r);

    run_init(&r, HUB_FMT_ZEEK_JSON);
    static const char js[] =
        "{\"ts\":1521911720.5,\"uid\":\"C1\",\"query\":\"a.example\"}\n" /* guessed dns */
        "{\"ts\":\"2018-03-24T17:15:20.5Z\",\"id.orig_p\":\"x\"}\n"      /* port type */
        "{\"ts\":1e5,\"_path\":\"conn\"}\n"                              /* exp number */
        "{\"_path\":\"conn\",\"ts\":[1]}\n"                              /* wrong type */
        "{\"uid\":\"C2\"}\n"                                             /* no path */
        "#fields\tts\n";                                                 /* header */
    run_text(&r, js, sizeof(js) - 1);
    REQUIRE(r.nev == 1);
    CHECK_HSTR(r.ev[0].event_type, "dns");
    CHECK_HSTR(r.ev[0].dns_rrname, "a.example");
    CHECK_EQ(r.ev[0].ts, 1521911720500000LL);
    CHECK_EQ(r.nerr, 4);
    CHECK_STR(r.err[3].msg, "line 5: unknown Zeek log (no #path or \"_path\")");
    CHECK_EQ(r.n.c.skipped, 1);
    run_free(&r);
}

CS_TEST_MAIN()
