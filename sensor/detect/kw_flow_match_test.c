/* kw_flow_match_test.c — match functions of the flow-state keywords: flow (direction,
 * established / not_established / stateless, only_stream / no_stream, only_frag / no_frag),
 * stream_size, app-layer-protocol, decode-event, stream-event and app-layer-event, over
 * packets run through the real decode / flow / stream / app-layer pipeline. */
#include "../decode/decode.h"
#include "kw_test_util.h"

#define R(opts) "alert ip any any -> any any (" opts " sid:1;)"

static const char cli[] = "10.0.0.1", srv[] = "10.0.0.2";
static const char http_req[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";

CS_TEST(flow_tcp_direction_and_state)
{
    struct kt k;
    struct sn_rule *ts, *tc, *est, *nest, *ts_est, *stateless, *only_stream, *no_stream;

    kt_init(&k);
    ts = kt_rule(&k, R("flow:to_server;"));
    tc = kt_rule(&k, R("flow:from_server;"));
    est = kt_rule(&k, R("flow:established;"));
    nest = kt_rule(&k, R("flow:not_established;"));
    ts_est = kt_rule(&k, R("flow:established,to_server;"));
    stateless = kt_rule(&k, R("flow:stateless;"));
    only_stream = kt_rule(&k, R("flow:only_stream;"));
    no_stream = kt_rule(&k, R("flow:no_stream;"));

    kt_send_tcp(&k, cli, srv, 40000, 80, 1000, 0, SN_TH_SYN, NULL);
    REQUIRE(k.t.f != NULL);
    CHECK(kt_match(&k, ts, "flow"));
    CHECK(!kt_match(&k, tc, "flow"));
    CHECK(!kt_match(&k, est, "flow"));
    CHECK(kt_match(&k, nest, "flow"));
    CHECK(kt_match(&k, stateless, "flow"));
    CHECK(kt_match(&k, no_stream, "flow")); /* no payload */
    CHECK(!kt_match(&k, only_stream, "flow"));

    kt_send_tcp(&k, srv, cli, 80, 40000, 5000, 1001, SN_TH_SYN | SN_TH_ACK, NULL);
    CHECK(kt_match(&k, tc, "flow"));
    CHECK(!kt_match(&k, ts, "flow"));
    CHECK(!kt_match(&k, est, "flow"));

    /* the ACK completing the handshake is established already */
    kt_send_tcp(&k, cli, srv, 40000, 80, 1001, 5001, SN_TH_ACK, NULL);
    CHECK(kt_match(&k, est, "flow"));
    CHECK(!kt_match(&k, nest, "flow"));
    CHECK(kt_match(&k, ts_est, "flow"));

    kt_send_tcp(&k, cli, srv, 40000, 80, 1001, 5001, SN_TH_ACK | SN_TH_PUSH, http_req);
    CHECK(kt_match(&k, only_stream, "flow"));
    CHECK(!kt_match(&k, no_stream, "flow"));
    CHECK(kt_match(&k, ts_est, "flow"));

    /* closing keeps the flow "established" (the handshake was seen) */
    kt_send_tcp(&k, srv, cli, 80, 40000, 5001, 1001 + sizeof(http_req) - 1, SN_TH_RST, NULL);
    CHECK(kt_match(&k, est, "flow"));
    CHECK(!kt_match(&k, ts_est, "flow"));

    /* no flow at all: direction/state options fail, stateless holds */
    k.t.f = NULL;
    CHECK(!kt_match(&k, ts, "flow"));
    CHECK(kt_match(&k, stateless, "flow"));
    kt_free(&k);
}

CS_TEST(flow_udp_established_both_ways)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip q = {.src = cli, .dst = srv, .proto = IPPROTO_UDP};
    struct kt_ip a = {.src = srv, .dst = cli, .proto = IPPROTO_UDP};
    struct sn_rule *est, *nest, *tc;

    kt_init(&k);
    est = kt_rule(&k, R("flow:established;"));
    nest = kt_rule(&k, R("flow:not_established;"));
    tc = kt_rule(&k, R("flow:to_client,established;"));

    kt_send(&k, &q, l4, kt_udp(l4, 5000, 6000, "ping", 4));
    CHECK(!kt_match(&k, est, "flow"));
    CHECK(kt_match(&k, nest, "flow"));
    kt_send(&k, &q, l4, kt_udp(l4, 5000, 6000, "ping", 4));
    CHECK(!kt_match(&k, est, "flow"));
    kt_send(&k, &a, l4, kt_udp(l4, 6000, 5000, "pong", 4));
    CHECK(kt_match(&k, est, "flow"));
    CHECK(kt_match(&k, tc, "flow"));
    CHECK(!kt_match(&k, nest, "flow"));
    kt_free(&k);
}

/* The datagram the defragmenter rebuilds is evaluated in the rebuilt-packet hook. */
static struct kt *g_frag_k;
static const struct sn_rule *g_only_frag, *g_no_frag;
static int g_rebuilt_seen, g_only_frag_hits, g_no_frag_hits;
static sn_rebuilt_fn g_orig_rebuilt;

static void frag_hook(struct sn_worker *w, struct sn_pkt *p)
{
    const struct sn_pkt *saved = g_frag_k->t.p;
    g_rebuilt_seen++;
    g_frag_k->t.p = p;
    g_only_frag_hits += kt_match(g_frag_k, g_only_frag, "flow");
    g_no_frag_hits += kt_match(g_frag_k, g_no_frag, "flow");
    g_frag_k->t.p = saved;
    g_orig_rebuilt(w, p);
}

CS_TEST(flow_only_frag_no_frag)
{
    struct kt k;
    uint8_t l4[64], d1[16], d2[16];
    struct kt_ip ip = {.src = cli, .dst = srv, .proto = IPPROTO_UDP, .id = 99};
    uint32_t n;

    kt_init(&k);
    g_frag_k = &k;
    g_only_frag = kt_rule(&k, R("flow:only_frag;"));
    g_no_frag = kt_rule(&k, R("flow:no_frag;"));
    g_orig_rebuilt = sn_decode_rebuilt_cb;
    sn_decode_rebuilt_cb = frag_hook;

    /* a plain datagram */
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "unfragmented", 12));
    CHECK(!kt_match(&k, g_only_frag, "flow"));
    CHECK(kt_match(&k, g_no_frag, "flow"));

    /* the same split in two fragments: 16 bytes (UDP header + 8) then 8 */
    n = kt_udp(l4, 1, 2, "fragment", 8);
    memcpy(d1, l4, 16);
    memcpy(d2, "_second", 8);
    ip.frag = 0x2000;
    kt_send(&k, &ip, d1, 16);
    ip.frag = 2; /* offset 16 bytes */
    kt_send(&k, &ip, d2, 8);
    (void)n;
    CHECK_EQ(g_rebuilt_seen, 1);
    CHECK_EQ(g_only_frag_hits, 1);
    CHECK_EQ(g_no_frag_hits, 0);

    sn_decode_rebuilt_cb = g_orig_rebuilt;
    kt_free(&k);
}

CS_TEST(stream_size_sides)
{
    struct kt k;
    struct sn_rule *cli_gt, *srv_eq, *both_gt, *either_gt, *srv_ne;
    uint32_t plen = sizeof(http_req) - 1;

    kt_init(&k);
    cli_gt = kt_rule(&k, R("stream_size:client,>,20;"));
    srv_eq = kt_rule(&k, R("stream_size:server,=,1;"));
    both_gt = kt_rule(&k, R("stream_size:both,>,20;"));
    either_gt = kt_rule(&k, R("stream_size:either,>,20;"));
    srv_ne = kt_rule(&k, R("stream_size:server,!=,1;"));

    kt_send_tcp(&k, cli, srv, 40001, 80, 1000, 0, SN_TH_SYN, NULL);
    kt_send_tcp(&k, srv, cli, 80, 40001, 5000, 1001, SN_TH_SYN | SN_TH_ACK, NULL);
    kt_send_tcp(&k, cli, srv, 40001, 80, 1001, 5001, SN_TH_ACK, NULL);
    CHECK(!kt_match(&k, cli_gt, "stream_size"));
    CHECK(!kt_match(&k, either_gt, "stream_size"));
    CHECK(kt_match(&k, srv_eq, "stream_size")); /* the server sent its SYN only */

    kt_send_tcp(&k, cli, srv, 40001, 80, 1001, 5001, SN_TH_ACK | SN_TH_PUSH, http_req);
    CHECK(kt_match(&k, cli_gt, "stream_size"));
    CHECK(kt_match(&k, either_gt, "stream_size"));
    CHECK(!kt_match(&k, both_gt, "stream_size"));
    CHECK(!kt_match(&k, srv_ne, "stream_size"));

    kt_send_tcp(&k, srv, cli, 80, 40001, 5001, 1001 + plen, SN_TH_ACK | SN_TH_PUSH,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(kt_match(&k, both_gt, "stream_size"));
    CHECK(kt_match(&k, srv_ne, "stream_size"));

    /* UDP has no stream */
    {
        uint8_t l4[32];
        struct kt_ip ip = {.src = cli, .dst = srv, .proto = IPPROTO_UDP};
        kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
        CHECK(!kt_match(&k, either_gt, "stream_size"));
    }
    kt_free(&k);
}

/* A DNS query for www.example.com (type A); flags given. */
static uint32_t dns_query(uint8_t *out, uint16_t flags)
{
    static const uint8_t q[] = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 7,
                                'e',  'x',  'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    memcpy(out, q, sizeof(q));
    out[2] = (uint8_t)(flags >> 8);
    out[3] = (uint8_t)flags;
    return sizeof(q);
}

static void fake_app_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                        const char *proto)
{
    (void)w;
    (void)f;
    (void)dir;
    (void)tx;
    (void)proto;
}

CS_TEST(app_layer_protocol)
{
    struct kt k;
    uint8_t l4[128], dq[64];
    struct kt_ip ip = {.src = cli, .dst = "10.0.0.53", .proto = IPPROTO_UDP};
    struct sn_rule *dns, *not_dns, *http, *http1, *not_http, *failed;

    kt_init(&k);
    dns = kt_rule(&k, R("app-layer-protocol:dns;"));
    not_dns = kt_rule(&k, R("app-layer-protocol:!dns;"));
    http = kt_rule(&k, R("app-layer-protocol:http;"));
    http1 = kt_rule(&k, R("app-layer-protocol:http1,to_server;"));
    not_http = kt_rule(&k, R("app-layer-protocol:!http;"));
    failed = kt_rule(&k, R("app-layer-protocol:failed;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 33333, 53, dq, dns_query(dq, 0x0100)));
    CHECK(kt_match(&k, dns, "app-layer-protocol"));
    CHECK(!kt_match(&k, not_dns, "app-layer-protocol"));
    CHECK(!kt_match(&k, http, "app-layer-protocol"));
    CHECK(kt_match(&k, not_http, "app-layer-protocol"));

    /* TCP before any data: protocol unknown, neither form matches */
    kt_send_tcp(&k, cli, srv, 40002, 80, 1000, 0, SN_TH_SYN, NULL);
    CHECK(!kt_match(&k, http, "app-layer-protocol"));
    CHECK(!kt_match(&k, not_http, "app-layer-protocol"));
    kt_send_tcp(&k, srv, cli, 80, 40002, 5000, 1001, SN_TH_SYN | SN_TH_ACK, NULL);
    kt_send_tcp(&k, cli, srv, 40002, 80, 1001, 5001, SN_TH_ACK, NULL);
    kt_send_tcp(&k, cli, srv, 40002, 80, 1001, 5001, SN_TH_ACK | SN_TH_PUSH, http_req);
    /* IDS mode: the app layer gets the request once the server acknowledges it */
    CHECK(!kt_match(&k, http, "app-layer-protocol"));
    kt_send_tcp(&k, srv, cli, 80, 40002, 5001, 1001 + (uint32_t)strlen(http_req), SN_TH_ACK,
                NULL);
    kt_send_tcp(&k, cli, srv, 40002, 80, 1001 + (uint32_t)strlen(http_req), 5001, SN_TH_ACK,
                NULL);
    CHECK(kt_match(&k, http, "app-layer-protocol"));
    CHECK(kt_match(&k, http1, "app-layer-protocol"));
    CHECK(kt_match(&k, not_dns, "app-layer-protocol"));
    CHECK(!kt_match(&k, failed, "app-layer-protocol"));

    /* a flow whose detection gave up reads "failed" */
    {
        uint16_t saved = k.t.f->app_proto;
        k.t.f->app_proto = 0;
        k.t.f->flags |= SN_FLOW_F_APP_FAILED;
        CHECK(kt_match(&k, failed, "app-layer-protocol"));
        CHECK(!kt_match(&k, http, "app-layer-protocol"));
        k.t.f->app_proto = saved; /* the parser state is freed by protocol */
        k.t.f->flags &= (uint8_t)~SN_FLOW_F_APP_FAILED;
    }
    kt_free(&k);
}

CS_TEST(decode_event_and_stream_event)
{
    struct kt k;
    uint8_t l4[64];
    static const uint8_t bad_rr[4] = {7, 2, 0, 0}; /* record route of length 2 */
    struct kt_ip ip = {.src = cli, .dst = srv, .proto = IPPROTO_UDP};
    struct sn_rule *de, *de_full, *de_other, *de_unknown, *se, *se_short;

    kt_init(&k);
    de = kt_rule(&k, R("decode-event:ipv4.opt_invalid_len;"));
    de_full = kt_rule(&k, R("decode-event:decoder.ipv4.opt_invalid_len;"));
    de_other = kt_rule(&k, R("decode-event:ipv4.trunc_pkt;"));
    de_unknown = kt_rule(&k, R("decode-event:ipv4.no_such_event;"));
    se = kt_rule(&k, R("stream-event:rst_but_no_session;"));
    se_short = kt_rule(&k, R("stream-event:stream.rst_but_no_session;"));

    ip.opts = bad_rr;
    ip.optlen = 4;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(kt_match(&k, de, "decode-event"));
    CHECK(kt_match(&k, de_full, "decode-event"));
    CHECK(!kt_match(&k, de_other, "decode-event"));
    CHECK(!kt_match(&k, de_unknown, "decode-event"));
    CHECK(!kt_match(&k, se, "stream-event"));

    ip.opts = NULL;
    ip.optlen = 0;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(!kt_match(&k, de, "decode-event"));

    kt_send_tcp(&k, cli, srv, 40003, 80, 1000, 0, SN_TH_RST, NULL);
    CHECK(kt_match(&k, se, "stream-event"));
    CHECK(kt_match(&k, se_short, "stream-event"));
    CHECK(!kt_match(&k, de, "decode-event"));
    kt_send_tcp(&k, cli, srv, 40004, 80, 1000, 0, SN_TH_SYN, NULL);
    CHECK(!kt_match(&k, se, "stream-event"));
    kt_free(&k);
}

CS_TEST(app_layer_event_of_current_packet)
{
    struct kt k;
    uint8_t l4[128], dq[64];
    struct kt_ip ip = {.src = cli, .dst = "10.0.0.53", .proto = IPPROTO_UDP};
    struct sn_rule *z, *other, *wrong_proto;

    kt_init(&k);
    sn_detect_app_cb = fake_app_cb; /* detection on: events are recorded */
    z = kt_rule(&k, R("app-layer-event:dns.z_flag_set;"));
    other = kt_rule(&k, R("app-layer-event:dns.not_response;"));
    wrong_proto = kt_rule(&k, R("app-layer-event:http.z_flag_set;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 33334, 53, dq, dns_query(dq, 0x0140))); /* RD + Z */
    CHECK(kt_match(&k, z, "app-layer-event"));
    CHECK(!kt_match(&k, other, "app-layer-event"));
    CHECK(!kt_match(&k, wrong_proto, "app-layer-event"));

    /* the next packet of the flow does not carry the event any more */
    kt_send(&k, &ip, l4, kt_udp(l4, 33334, 53, dq, dns_query(dq, 0x0100)));
    CHECK(!kt_match(&k, z, "app-layer-event"));
    sn_detect_app_cb = NULL;
    kt_free(&k);
}

CS_TEST_MAIN()
