/* kw_hdr_match_test.c — match functions of the packet-header keywords: ttl, tos, id, ipopts,
 * fragbits, fragoffset, ip_proto, sameip, flags / tcp.flags, tcp.mss, window, seq, ack, itype,
 * icode, icmp_id, icmp_seq, vlan.id, dsize. Each is evaluated on frames decoded by the real
 * decoder, with one packet that matches and one that does not. */
#include "kw_test_util.h"

#define R(opts) "alert ip any any -> any any (" opts " sid:1;)"

CS_TEST(ttl_and_tos_and_id)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP, .ttl = 7,
                       .tos = 0x10, .id = 4242};
    struct sn_rule *ttl, *ttl_lt, *tos, *tos_hex, *tos_not, *id, *id_range;

    kt_init(&k);
    ttl = kt_rule(&k, R("ttl:7;"));
    ttl_lt = kt_rule(&k, R("ttl:<5;"));
    tos = kt_rule(&k, R("tos:16;"));
    tos_hex = kt_rule(&k, R("tos:x10;"));
    tos_not = kt_rule(&k, R("tos:!16;"));
    id = kt_rule(&k, R("id:4242;"));
    id_range = kt_rule(&k, R("id:1-100;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 1000, 2000, "x", 1));
    CHECK_EQ(k.p.ttl, 7);
    CHECK(kt_match(&k, ttl, "ttl"));
    CHECK(!kt_match(&k, ttl_lt, "ttl"));
    CHECK(kt_match(&k, tos, "tos"));
    CHECK(kt_match(&k, tos_hex, "tos"));
    CHECK(!kt_match(&k, tos_not, "tos"));
    CHECK(kt_match(&k, id, "id"));
    CHECK(!kt_match(&k, id_range, "id"));

    ip.ttl = 3;
    ip.tos = 0;
    ip.id = 50;
    kt_send(&k, &ip, l4, kt_udp(l4, 1000, 2000, "x", 1));
    CHECK(!kt_match(&k, ttl, "ttl"));
    CHECK(kt_match(&k, ttl_lt, "ttl"));
    CHECK(!kt_match(&k, tos, "tos"));
    CHECK(kt_match(&k, tos_not, "tos"));
    CHECK(!kt_match(&k, id, "id"));
    CHECK(kt_match(&k, id_range, "id"));

    /* IPv6: ttl is the hop limit; tos and id are IPv4 only */
    {
        struct kt_ip ip6 = {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = IPPROTO_UDP,
                            .ttl = 7};
        kt_send(&k, &ip6, l4, kt_udp(l4, 1000, 2000, "x", 1));
        CHECK_EQ(k.p.ip_ver, 6);
        CHECK(kt_match(&k, ttl, "ttl"));
        CHECK(!kt_match(&k, tos_not, "tos"));
        CHECK(!kt_match(&k, id_range, "id"));
    }
    kt_free(&k);
}

CS_TEST(ipopts)
{
    struct kt k;
    uint8_t l4[64];
    static const uint8_t rr[8] = {7, 7, 4, 0, 0, 0, 0, 0};    /* record route, then EOL */
    static const uint8_t nops[4] = {1, 1, 1, 0};              /* NOP NOP NOP EOL */
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP};
    struct sn_rule *r_rr, *r_any, *r_ts, *r_nop;

    kt_init(&k);
    r_rr = kt_rule(&k, R("ipopts:rr;"));
    r_any = kt_rule(&k, R("ipopts:any;"));
    r_ts = kt_rule(&k, R("ipopts:ts;"));
    r_nop = kt_rule(&k, R("ipopts:nop;"));

    ip.opts = rr;
    ip.optlen = sizeof(rr);
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(kt_match(&k, r_rr, "ipopts"));
    CHECK(kt_match(&k, r_any, "ipopts"));
    CHECK(!kt_match(&k, r_ts, "ipopts"));
    CHECK(!kt_match(&k, r_nop, "ipopts"));

    ip.opts = nops;
    ip.optlen = sizeof(nops);
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(!kt_match(&k, r_rr, "ipopts"));
    CHECK(kt_match(&k, r_nop, "ipopts"));

    ip.opts = NULL;
    ip.optlen = 0;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(!kt_match(&k, r_any, "ipopts"));
    kt_free(&k);
}

CS_TEST(fragbits_and_fragoffset)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP,
                       .frag = 0x4000 /* DF */};
    struct sn_rule *d, *m, *plus_d, *any_md, *not_d, *off0, *off_gt;

    kt_init(&k);
    d = kt_rule(&k, R("fragbits:D;"));
    m = kt_rule(&k, R("fragbits:M;"));
    plus_d = kt_rule(&k, R("fragbits:+D;"));
    any_md = kt_rule(&k, R("fragbits:*MD;"));
    not_d = kt_rule(&k, R("fragbits:!D;"));
    off0 = kt_rule(&k, R("fragoffset:0;"));
    off_gt = kt_rule(&k, R("fragoffset:>100;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(kt_match(&k, d, "fragbits"));
    CHECK(!kt_match(&k, m, "fragbits"));
    CHECK(!kt_match(&k, plus_d, "fragbits")); /* '+' wants another bit too */
    CHECK(kt_match(&k, any_md, "fragbits"));
    CHECK(!kt_match(&k, not_d, "fragbits"));
    CHECK(kt_match(&k, off0, "fragoffset"));
    CHECK(!kt_match(&k, off_gt, "fragoffset"));

    /* a first fragment: MF set, offset 0 */
    ip.frag = 0x2000;
    ip.id = 77;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "xxxxxxxx", 8));
    CHECK(kt_match(&k, m, "fragbits"));
    CHECK(!kt_match(&k, d, "fragbits"));
    CHECK(kt_match(&k, not_d, "fragbits"));
    /* a later fragment at offset 200 (x8 bytes) */
    ip.frag = 200;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "xxxxxxxx", 8));
    CHECK(kt_match(&k, off_gt, "fragoffset"));
    CHECK(!kt_match(&k, off0, "fragoffset"));
    CHECK(!kt_match(&k, any_md, "fragbits"));
    kt_free(&k);
}

CS_TEST(ip_proto_and_sameip)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.1", .proto = IPPROTO_UDP};
    struct sn_rule *udp, *not_tcp, *lt, *gt, *same;

    kt_init(&k);
    udp = kt_rule(&k, R("ip_proto:udp;"));
    not_tcp = kt_rule(&k, R("ip_proto:!6;"));
    lt = kt_rule(&k, R("ip_proto:<10;"));
    gt = kt_rule(&k, R("ip_proto:>10;"));
    same = kt_rule(&k, R("sameip;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(kt_match(&k, udp, "ip_proto"));
    CHECK(kt_match(&k, not_tcp, "ip_proto"));
    CHECK(!kt_match(&k, lt, "ip_proto"));
    CHECK(kt_match(&k, gt, "ip_proto"));
    CHECK(kt_match(&k, same, "sameip"));

    ip.dst = "10.0.0.2";
    ip.proto = IPPROTO_TCP;
    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 1, 0, SN_TH_SYN, 100, NULL, 0, NULL, 0));
    CHECK(!kt_match(&k, udp, "ip_proto"));
    CHECK(!kt_match(&k, not_tcp, "ip_proto"));
    CHECK(kt_match(&k, lt, "ip_proto"));
    CHECK(!kt_match(&k, same, "sameip"));
    kt_free(&k);
}

CS_TEST(tcp_flags)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_TCP};
    struct sn_rule *s, *sa, *plus_s, *any_fr, *not_s, *s_ign, *zero, *tf;

    kt_init(&k);
    s = kt_rule(&k, R("flags:S;"));
    sa = kt_rule(&k, R("flags:SA;"));
    plus_s = kt_rule(&k, R("flags:S+;"));
    any_fr = kt_rule(&k, R("flags:*FR;"));
    not_s = kt_rule(&k, R("flags:!S;"));
    s_ign = kt_rule(&k, R("flags:S,CE;"));
    zero = kt_rule(&k, R("flags:0;"));
    tf = kt_rule(&k, R("tcp.flags:SA;"));

    /* SYN with ECE and CWR (ECN setup) */
    kt_send(&k, &ip, l4,
            kt_tcp(l4, 1, 2, 1, 0, SN_TH_SYN | SN_TH_ECN | SN_TH_CWR, 100, NULL, 0, NULL, 0));
    CHECK(!kt_match(&k, s, "flags")); /* exact: ECE/CWR are extra */
    CHECK(kt_match(&k, s_ign, "flags"));
    CHECK(kt_match(&k, plus_s, "flags"));
    CHECK(!kt_match(&k, any_fr, "flags"));
    CHECK(!kt_match(&k, not_s, "flags"));
    CHECK(!kt_match(&k, zero, "flags"));

    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 1, 0, SN_TH_SYN | SN_TH_ACK, 100, NULL, 0, NULL, 0));
    CHECK(kt_match(&k, sa, "flags"));
    CHECK(kt_match(&k, tf, "tcp.flags"));
    CHECK(!kt_match(&k, s, "flags"));

    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 1, 0, SN_TH_RST, 100, NULL, 0, NULL, 0));
    CHECK(kt_match(&k, any_fr, "flags"));
    CHECK(kt_match(&k, not_s, "flags"));
    CHECK(!kt_match(&k, tf, "tcp.flags"));

    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 1, 0, 0, 100, NULL, 0, NULL, 0));
    CHECK(kt_match(&k, zero, "flags"));

    /* not TCP: no match even for '!' */
    ip.proto = IPPROTO_UDP;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(!kt_match(&k, not_s, "flags"));
    kt_free(&k);
}

CS_TEST(tcp_mss_window_seq_ack)
{
    struct kt k;
    uint8_t l4[64];
    static const uint8_t mss[4] = {2, 4, 0x05, 0xb4}; /* MSS 1460 */
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_TCP};
    struct sn_rule *m, *m_lt, *win, *win_gt, *seq, *ack;

    kt_init(&k);
    m = kt_rule(&k, R("tcp.mss:1460;"));
    m_lt = kt_rule(&k, R("tcp.mss:<536;"));
    win = kt_rule(&k, R("window:8192;"));
    win_gt = kt_rule(&k, R("window:>60000;"));
    seq = kt_rule(&k, R("seq:305419896;"));
    ack = kt_rule(&k, R("ack:0;"));

    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 0x12345678, 0, SN_TH_SYN, 8192, mss, 4, NULL, 0));
    CHECK(kt_match(&k, m, "tcp.mss"));
    CHECK(!kt_match(&k, m_lt, "tcp.mss"));
    CHECK(kt_match(&k, win, "window"));
    CHECK(!kt_match(&k, win_gt, "window"));
    CHECK(kt_match(&k, seq, "seq"));
    CHECK(kt_match(&k, ack, "ack"));

    kt_send(&k, &ip, l4, kt_tcp(l4, 1, 2, 99, 5, SN_TH_ACK, 65000, NULL, 0, NULL, 0));
    CHECK(!kt_match(&k, m, "tcp.mss")); /* no MSS option */
    CHECK(!kt_match(&k, win, "window"));
    CHECK(kt_match(&k, win_gt, "window"));
    CHECK(!kt_match(&k, seq, "seq"));
    CHECK(!kt_match(&k, ack, "ack"));
    kt_free(&k);
}

CS_TEST(icmp_fields)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_ICMP};
    struct sn_rule *it, *ic, *iid, *iseq, *it_range;

    kt_init(&k);
    it = kt_rule(&k, R("itype:8;"));
    ic = kt_rule(&k, R("icode:0;"));
    iid = kt_rule(&k, R("icmp_id:777;"));
    iseq = kt_rule(&k, R("icmp_seq:3;"));
    it_range = kt_rule(&k, R("itype:2<>5;"));

    kt_send(&k, &ip, l4, kt_icmp(l4, 8, 0, 777, 3)); /* echo request */
    CHECK(kt_match(&k, it, "itype"));
    CHECK(kt_match(&k, ic, "icode"));
    CHECK(kt_match(&k, iid, "icmp_id"));
    CHECK(kt_match(&k, iseq, "icmp_seq"));
    CHECK(!kt_match(&k, it_range, "itype"));

    kt_send(&k, &ip, l4, kt_icmp(l4, 3, 1, 777, 3)); /* host unreachable: no id/seq */
    CHECK(!kt_match(&k, it, "itype"));
    CHECK(!kt_match(&k, ic, "icode"));
    CHECK(kt_match(&k, it_range, "itype"));
    CHECK(!kt_match(&k, iid, "icmp_id"));
    CHECK(!kt_match(&k, iseq, "icmp_seq"));

    /* ICMPv6 echo request (type 128) */
    {
        struct kt_ip ip6 = {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = IPPROTO_ICMPV6};
        struct sn_rule *it6 = kt_rule(&k, "alert icmp any any -> any any (itype:128; sid:2;)");
        kt_send(&k, &ip6, l4, kt_icmp(l4, 128, 0, 777, 4));
        CHECK(kt_match(&k, it6, "itype"));
        CHECK(kt_match(&k, iid, "icmp_id"));
        CHECK(!kt_match(&k, iseq, "icmp_seq"));
    }
    /* not ICMP */
    ip.proto = IPPROTO_UDP;
    kt_send(&k, &ip, l4, kt_udp(l4, 8, 0, "x", 1));
    CHECK(!kt_match(&k, ic, "icode"));
    kt_free(&k);
}

CS_TEST(vlan_id_and_dsize)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP, .vlan = 100};
    struct sn_rule *v, *v_gt, *ds, *ds_range;

    kt_init(&k);
    v = kt_rule(&k, R("vlan.id:100;"));
    v_gt = kt_rule(&k, R("vlan.id:>1000;"));
    ds = kt_rule(&k, R("dsize:5;"));
    ds_range = kt_rule(&k, R("dsize:10<>20;"));

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "hello", 5));
    CHECK_EQ(k.p.vlan_cnt, 1);
    CHECK(kt_match(&k, v, "vlan.id"));
    CHECK(!kt_match(&k, v_gt, "vlan.id"));
    CHECK(kt_match(&k, ds, "dsize"));
    CHECK(!kt_match(&k, ds_range, "dsize"));

    ip.vlan = 0;
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "hello world!", 12));
    CHECK(!kt_match(&k, v, "vlan.id"));
    CHECK(!kt_match(&k, ds, "dsize"));
    CHECK(kt_match(&k, ds_range, "dsize"));

    /* no packet (transaction inspection): dsize never matches */
    k.t.p = NULL;
    CHECK(!kt_match(&k, ds_range, "dsize"));
    kt_free(&k);
}

/* icmpv4.hdr spans what Suricata counts as the header: 8 bytes, plus a router
 * advertisement's address entries or the three timestamps */
CS_TEST(icmpv4_hdr_length)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_ICMP};
    const uint8_t *d;
    uint32_t n;

    kt_init(&k);
    kt_send(&k, &ip, l4, kt_icmp(l4, 8, 0, 777, 3)); /* echo: 8 */
    REQUIRE(sn_detect_get_buffer(&k.t, SN_BUF_ICMPV4_HDR, 0, &d, &n));
    CHECK_EQ(n, 8u);
    /* router advertisement, 1 address of 2 words: 8 + 8, the entry ("abcdefgh") included */
    kt_send(&k, &ip, l4, kt_icmp(l4, 9, 0, 0x0102, 0));
    REQUIRE(sn_detect_get_buffer(&k.t, SN_BUF_ICMPV4_HDR, 0, &d, &n));
    CHECK_EQ(n, 16u);
    CHECK(memcmp(d + 8, "abcdefgh", 8) == 0);
    CHECK_EQ(k.p.payload_len, 0u);
    /* 3 announced addresses do not fit in 16 bytes: the header stays 8 */
    kt_send(&k, &ip, l4, kt_icmp(l4, 9, 0, 0x0302, 0));
    REQUIRE(sn_detect_get_buffer(&k.t, SN_BUF_ICMPV4_HDR, 0, &d, &n));
    CHECK_EQ(n, 8u);
    /* a timestamp needs 20 bytes; 16 are truncated */
    kt_send(&k, &ip, l4, kt_icmp(l4, 13, 0, 1, 1));
    REQUIRE(sn_detect_get_buffer(&k.t, SN_BUF_ICMPV4_HDR, 0, &d, &n));
    CHECK_EQ(n, 8u);
    kt_free(&k);
}

/* icmpv6.mtu: the MTU of a Packet Too Big (type 2) only */
CS_TEST(icmpv6_mtu)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip6 = {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = IPPROTO_ICMPV6};
    struct sn_rule *lt, *eq, *gt;

    kt_init(&k);
    lt = kt_rule(&k, R("icmpv6.mtu:<1280;"));
    eq = kt_rule(&k, R("icmpv6.mtu:1000;"));
    gt = kt_rule(&k, R("icmpv6.mtu:>1280;"));
    kt_send(&k, &ip6, l4, kt_icmp(l4, 2, 0, 0, 1000)); /* MTU 1000 */
    CHECK(kt_match(&k, lt, "icmpv6.mtu"));
    CHECK(kt_match(&k, eq, "icmpv6.mtu"));
    CHECK(!kt_match(&k, gt, "icmpv6.mtu"));
    kt_send(&k, &ip6, l4, kt_icmp(l4, 128, 0, 0, 1000)); /* echo request: no MTU */
    CHECK(!kt_match(&k, lt, "icmpv6.mtu"));
    CHECK(!kt_match(&k, eq, "icmpv6.mtu"));
    kt_free(&k);
}

/* vlan.id with a layer: 0.. from the outermost tag, -1.. from the innermost, "all" */
CS_TEST(vlan_id_layers)
{
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP, .vlan = 200};
    struct sn_rule *r[10];
    struct cs_err err = {0};
    struct sn_rule *bad = NULL;

    kt_init(&k);
    r[0] = kt_rule(&k, R("vlan.id:200,0;"));
    r[1] = kt_rule(&k, R("vlan.id:400,-1;"));
    r[2] = kt_rule(&k, R("vlan.id:0x12C,1;"));
    r[3] = kt_rule(&k, R("vlan.id:!200,1;"));
    r[4] = kt_rule(&k, R("vlan.id:!500,all;"));
    r[5] = kt_rule(&k, R("vlan.id:>100,all;"));
    r[6] = kt_rule(&k, R("vlan.id:>200,all;"));
    r[7] = kt_rule(&k, R("vlan.id:200,2;"));
    r[8] = kt_rule(&k, R("vlan.id:300,-3;"));
    r[9] = kt_rule(&k, R("vlan.id:200,-3;"));
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    REQUIRE(k.p.vlan_cnt == 1);
    /* three stacked tags, outermost first (the frame builder writes one) */
    k.p.vlan_cnt = 3;
    k.p.vlan_id[0] = 200;
    k.p.vlan_id[1] = 300;
    k.p.vlan_id[2] = 400;
    CHECK(kt_match(&k, r[0], "vlan.id"));
    CHECK(kt_match(&k, r[1], "vlan.id"));
    CHECK(kt_match(&k, r[2], "vlan.id"));
    CHECK(kt_match(&k, r[3], "vlan.id"));
    CHECK(kt_match(&k, r[4], "vlan.id"));
    CHECK(kt_match(&k, r[5], "vlan.id"));
    CHECK(!kt_match(&k, r[6], "vlan.id")); /* 200 is not > 200 */
    CHECK(!kt_match(&k, r[7], "vlan.id"));
    CHECK(!kt_match(&k, r[8], "vlan.id"));
    CHECK(kt_match(&k, r[9], "vlan.id"));
    /* one tag: layer 1 and -2 do not exist; "all" needs a tag */
    k.p.vlan_cnt = 1;
    CHECK(!kt_match(&k, r[2], "vlan.id"));
    CHECK(!kt_match(&k, r[3], "vlan.id"));
    CHECK(kt_match(&k, r[0], "vlan.id"));
    k.p.vlan_cnt = 0;
    CHECK(!kt_match(&k, r[4], "vlan.id"));
    kt_free(&k);
    /* a layer that is neither a number in range nor "all" is an error */
    CHECK(sn_rule_parse(R("vlan.id:200,any;"), strlen(R("vlan.id:200,any;")), NULL, &bad, &err) !=
          CS_OK);
    CHECK(strstr(err.msg, "layer") != NULL);
    sn_rule_free(bad);
}

CS_TEST_MAIN()
