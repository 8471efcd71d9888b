/* stream_test.c — TCP session tracking and reassembly with hand-built packets. */
#include "stream.h"

#include "../../lib/cs_test.h"
#include "../config.h"
#include "../pkt.h"

/* What the deliver callback saw, per direction. Gaps appear as '_' in the byte buffer so
 * tests can check their position. */
static struct {
    char buf[2][4096];
    size_t len[2];
    unsigned gaps[2], eof[2], depth[2], start[2], calls[2];
    uint64_t gap_bytes[2];
    unsigned bad_order; /* data/gap after EOF */
} rec;

static void test_cb(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                    uint32_t len, unsigned flags)
{
    if (dir < 0 || dir > 1)
        return;
    if (rec.eof[dir])
        rec.bad_order++;
    rec.calls[dir]++;
    if (flags & SN_STREAM_START)
        rec.start[dir]++;
    if (flags & SN_STREAM_GAP) {
        rec.gaps[dir]++;
        rec.gap_bytes[dir] += len;
        if (rec.len[dir] < sizeof(rec.buf[dir]) - 1)
            rec.buf[dir][rec.len[dir]++] = '_';
    }
    if (flags & SN_STREAM_EOF)
        rec.eof[dir]++;
    if (flags & SN_STREAM_DEPTH)
        rec.depth[dir]++;
    if (data && len && rec.len[dir] + len < sizeof(rec.buf[dir])) {
        memcpy(rec.buf[dir] + rec.len[dir], data, len);
        rec.len[dir] += len;
    }
    rec.buf[dir][rec.len[dir]] = '\0';
}

struct env {
    struct sn_config cfg;
    struct sn_worker w;
    struct sn_flow f;
    struct sn_pkt last;
};

static void env_init(struct env *e)
{
    memset(e, 0, sizeof(*e));
    memset(&rec, 0, sizeof(rec));
    sn_config_defaults(&e->cfg);
    e->cfg.overlap_policy = SN_OVERLAP_BSD;
    /* most tests look at reassembly itself: data is delivered on arrival (stream.inline);
     * ids_mode_delivers_on_ack covers the default */
    e->cfg.stream_inline = true;
    e->w.cfg = &e->cfg;
    e->f.proto = 6;
    sn_stream_deliver_cb = test_cb;
}

/* Creates the stream context once cfg is final. */
static void env_start(struct env *e)
{
    e->w.stream = sn_stream_ctx_new(&e->cfg, 1);
}

static void env_done(struct env *e)
{
    sn_stream_flow_end(&e->w, &e->f);
    sn_stream_flow_free(&e->w, &e->f);
    sn_stream_ctx_free(e->w.stream);
    e->w.stream = NULL;
}

/* Sends one packet; e->last holds it afterwards (events, stream_flags). */
static struct sn_pkt *send_ex(struct env *e, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                              const char *data, size_t len)
{
    struct sn_pkt *p = &e->last;

    memset(p, 0, sizeof(*p));
    p->proto = 6;
    p->flow = &e->f;
    p->dir = (uint8_t)dir;
    p->tcp_flags = flags;
    p->tcp_seq = seq;
    p->tcp_ack = ack;
    p->tcp_win = 65535;
    p->payload = (const uint8_t *)data;
    p->payload_len = (uint32_t)len;
    p->ts_us = 1000;
    sn_stream_packet(&e->w, p);
    return p;
}

static struct sn_pkt *send(struct env *e, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                           const char *data)
{
    return send_ex(e, dir, flags, seq, ack, data, data ? strlen(data) : 0);
}

#define C SN_TOSERVER
#define S SN_TOCLIENT
#define A SN_TH_ACK
#define PA (SN_TH_ACK | SN_TH_PUSH)

/* client ISN 1000, server ISN 5000 */
static void handshake(struct env *e)
{
    send(e, C, SN_TH_SYN, 1000, 0, NULL);
    send(e, S, SN_TH_SYN | A, 5000, 1001, NULL);
    send(e, C, A, 1001, 5001, NULL);
}

CS_TEST(handshake_data_fin_close)
{
    struct env e;
    env_init(&e);
    env_start(&e);

    CHECK(sn_stream_state_name(&e.f) == NULL);
    send(&e, C, SN_TH_SYN, 1000, 0, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "syn_sent");
    CHECK_EQ(e.f.state, SN_FLOW_NEW);
    CHECK(e.last.stream_flags & SN_STREAM_PKT_IN_SESSION);
    send(&e, S, SN_TH_SYN | A, 5000, 1001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, C, A, 1001, 5001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    CHECK_EQ(e.f.state, SN_FLOW_ESTABLISHED);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_SESSIONS], 1);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_SYN], 1);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_SYNACK], 1);

    send(&e, C, PA, 1001, 5001, "GET /");
    CHECK_STR(rec.buf[C], "GET /");
    CHECK_EQ(rec.start[C], 1);
    send(&e, S, PA, 5001, 1006, "HTTP/1.1");
    CHECK_STR(rec.buf[S], "HTTP/1.1");
    CHECK_EQ(e.last.nevents, 0);

    /* Suricata names teardown states from the server's side: the client closing first
     * gives close_wait, then last_ack (suricata-verify bug-814 expects close_wait) */
    send(&e, C, SN_TH_FIN | A, 1006, 5009, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "close_wait");
    CHECK_EQ(rec.eof[C], 1);
    CHECK_EQ(rec.eof[S], 0);
    send(&e, S, A, 5009, 1007, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "close_wait");
    CHECK_EQ(e.f.state, SN_FLOW_ESTABLISHED);
    send(&e, S, SN_TH_FIN | A, 5009, 1007, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "last_ack");
    CHECK_EQ(e.f.state, SN_FLOW_CLOSED);
    CHECK_EQ(rec.eof[S], 1);
    send(&e, C, A, 1007, 5010, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "closed");
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 1);
    env_done(&e);
    CHECK_EQ(rec.eof[C], 1); /* not twice */
    CHECK_EQ(rec.eof[S], 1);
    CHECK_EQ(rec.bad_order, 0);
    CHECK(e.f.tcp == NULL);
}

CS_TEST(server_closes_first)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, S, SN_TH_FIN | A, 5001, 1001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "fin_wait1");
    send(&e, C, A, 1001, 5002, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "fin_wait2");
    send(&e, C, SN_TH_FIN | A, 1001, 5002, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "time_wait");
    CHECK_EQ(e.f.state, SN_FLOW_CLOSED);
    send(&e, S, A, 5002, 1002, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "closed");
    env_done(&e);
}

CS_TEST(simultaneous_close_closing)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, S, SN_TH_FIN | A, 5001, 1001, NULL);
    send(&e, C, SN_TH_FIN | A, 1001, 5001, NULL); /* does not ack the server's FIN */
    CHECK_STR(sn_stream_state_name(&e.f), "closing");
    send(&e, C, A, 1002, 5002, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "time_wait");
    env_done(&e);
}

CS_TEST(one_byte_segments)
{
    struct env e;
    const char *msg = "HELLO, ONE BYTE AT A TIME";
    env_init(&e);
    env_start(&e);
    handshake(&e);
    for (size_t i = 0; msg[i]; i++)
        send_ex(&e, C, A, 1001 + (uint32_t)i, 5001, msg + i, 1);
    CHECK_STR(rec.buf[C], msg);
    CHECK_EQ(rec.start[C], 1);
    CHECK_EQ(rec.gaps[C], 0);
    env_done(&e);
    CHECK_STR(rec.buf[C], msg);
    CHECK_EQ(rec.eof[C], 1);
}

CS_TEST(out_of_order_and_max_regions)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 1);
    send(&e, C, A, 1006, 5001, "WORLD");
    CHECK_EQ(rec.len[C], 0);
    send(&e, C, A, 1016, 5001, "!!");
    CHECK_EQ(rec.len[C], 0);
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 2);
    send(&e, C, A, 1011, 5001, "12345"); /* joins the two regions */
    CHECK_EQ(rec.len[C], 0);
    send(&e, C, A, 1001, 5001, "HELLO");
    CHECK_STR(rec.buf[C], "HELLOWORLD12345!!");
    CHECK_EQ(rec.gaps[C], 0);
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 2);
    CHECK_EQ(sn_stream_max_regions(&e.f, S), 1);
    env_done(&e);
}

CS_TEST(retransmission)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "DATA");
    CHECK(!(e.last.stream_flags & SN_STREAM_PKT_RETRANS));
    send(&e, C, PA, 1001, 5001, "DATA");
    CHECK(e.last.stream_flags & SN_STREAM_PKT_RETRANS);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_PKT_RETRANSMISSION));
    CHECK(!sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    CHECK_EQ(e.w.counters[SN_CNT_TCP_OVERLAP_DIFF_DATA], 0);
    CHECK(e.w.counters[SN_CNT_TCP_OVERLAP] >= 1);
    send(&e, S, A, 5001, 1005, NULL);
    send(&e, C, PA, 1001, 5001, "DATA"); /* acked by now */
    CHECK(e.last.stream_flags & SN_STREAM_PKT_RETRANS);
    CHECK_STR(rec.buf[C], "DATA");
    CHECK_EQ(e.w.event_counts[SN_EV_STREAM_PKT_RETRANSMISSION], 2);
    /* a retransmission of delivered data with different bytes is detected */
    send(&e, C, PA, 1005, 5001, "MORE");
    send(&e, C, PA, 1005, 5001, "XORE");
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    CHECK_STR(rec.buf[C], "DATAMORE");
    env_done(&e);
}

/* Held segment "BBBB" at offsets 2..6 (hole 0..2), then new data, then the hole fills. */
static void overlap_case(enum sn_overlap_policy pol, uint32_t nseq, const char *ndata,
                         const char *want, bool want_diff)
{
    struct env e;
    env_init(&e);
    e.cfg.overlap_policy = pol;
    env_start(&e);
    handshake(&e);
    send(&e, C, A, 1003, 5001, "BBBB");
    send(&e, C, A, nseq, 5001, ndata);
    CHECK_EQ(sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA),
             want_diff);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_OVERLAP_DIFF_DATA], want_diff ? 1 : 0);
    CHECK(e.w.counters[SN_CNT_TCP_OVERLAP] >= 1);
    send_ex(&e, C, A, 1001, 5001, "AA", nseq - 1001 < 2 ? nseq - 1001 : 2); /* fill the hole */
    CHECK_STR(rec.buf[C], want);
    env_done(&e);
}

CS_TEST(overlap_first)
{
    overlap_case(SN_OVERLAP_FIRST, 1003, "XXXX", "AABBBB", true);
    overlap_case(SN_OVERLAP_FIRST, 1002, "YYYYYY", "AYBBBBY", true);
}

CS_TEST(overlap_last)
{
    overlap_case(SN_OVERLAP_LAST, 1003, "XXXX", "AAXXXX", true);
    overlap_case(SN_OVERLAP_LAST, 1004, "XX", "AABXXB", true);
}

CS_TEST(overlap_bsd_and_others)
{
    /* same start: old data wins under BSD, new (longer) data wins under LINUX */
    overlap_case(SN_OVERLAP_BSD, 1003, "XXXXX", "AABBBBX", true);
    overlap_case(SN_OVERLAP_LINUX, 1003, "XXXXX", "AAXXXXX", true);
    /* starts before the old segment: new data wins under BSD */
    overlap_case(SN_OVERLAP_BSD, 1002, "YYY", "AYYYBB", true);
    /* WINDOWS: only when it covers the old segment completely */
    overlap_case(SN_OVERLAP_WINDOWS, 1002, "YYY", "AYBBBB", true);
    overlap_case(SN_OVERLAP_WINDOWS, 1002, "YYYYY", "AYYYYY", true);
    /* SOLARIS: new data that ends after the old wins */
    overlap_case(SN_OVERLAP_SOLARIS, 1004, "ZZZZ", "AABZZZZ", true);
    overlap_case(SN_OVERLAP_BSD, 1004, "ZZZZ", "AABBBBZ", true);
    /* identical bytes: an overlap, but not a different-data one */
    overlap_case(SN_OVERLAP_BSD, 1003, "BB", "AABBBB", false);
}

CS_TEST(gap_on_ack_past_hole)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "AB");
    send(&e, C, PA, 1005, 5001, "EF"); /* 1003..1004 lost */
    CHECK_STR(rec.buf[C], "AB");
    send(&e, S, A, 5001, 1007, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_SEQ_GAP));
    CHECK_EQ(e.w.counters[SN_CNT_TCP_REASSEMBLY_GAP], 1);
    CHECK_EQ(rec.gaps[C], 1);
    CHECK_EQ(rec.gap_bytes[C], 2);
    CHECK_STR(rec.buf[C], "AB_EF");
    send(&e, C, PA, 1007, 5001, "GH");
    CHECK_STR(rec.buf[C], "AB_EFGH");
    /* an ack that does not pass a hole gives no gap */
    send(&e, S, A, 5001, 1009, NULL);
    CHECK(!sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_SEQ_GAP));
    CHECK_EQ(rec.gaps[C], 1);
    env_done(&e);
}

CS_TEST(depth_reached_once)
{
    struct env e;
    env_init(&e);
    e.cfg.reassembly_depth = 10;
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "01234567");
    CHECK(!sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    CHECK_EQ(rec.depth[C], 0);
    send(&e, C, PA, 1009, 5001, "89abcdef");
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    CHECK_STR(rec.buf[C], "0123456789");
    CHECK_EQ(rec.depth[C], 1);
    send(&e, C, PA, 1017, 5001, "ghij");
    CHECK(!sn_pkt_has_event(&e.last, SN_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    CHECK_EQ(e.w.event_counts[SN_EV_STREAM_REASSEMBLY_DEPTH_REACHED], 1);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_STREAM_DEPTH_REACHED], 1);
    CHECK_STR(rec.buf[C], "0123456789");
    /* the other direction has its own depth */
    send(&e, S, PA, 5001, 1021, "short");
    CHECK_STR(rec.buf[S], "short");
    CHECK_EQ(rec.depth[S], 0);
    env_done(&e);
    CHECK_EQ(rec.depth[C], 1);
    CHECK_EQ(rec.gaps[C], 0);
    CHECK_EQ(rec.eof[C], 1);
}

CS_TEST(midstream_off_no_session)
{
    struct env e;
    env_init(&e);
    e.cfg.midstream = false;
    env_start(&e);
    send(&e, C, PA, 1001, 5001, "DATA");
    CHECK(e.f.tcp == NULL);
    CHECK(sn_stream_state_name(&e.f) == NULL);
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 0);
    CHECK(!(e.last.stream_flags & SN_STREAM_PKT_IN_SESSION));
    send(&e, S, SN_TH_FIN | A, 5001, 1005, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_FIN_BUT_NO_SESSION));
    send(&e, S, SN_TH_RST, 5001, 0, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_RST_BUT_NO_SESSION));
    CHECK_EQ(rec.calls[C] + rec.calls[S], 0);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_MIDSTREAM_PICKUPS], 0);
    env_done(&e);
    CHECK_EQ(rec.calls[C] + rec.calls[S], 0);
}

CS_TEST(midstream_on_pickup)
{
    struct env e;
    env_init(&e);
    e.cfg.midstream = true;
    env_start(&e);
    send(&e, C, PA, 7001, 9001, "DATA");
    REQUIRE(e.f.tcp != NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    CHECK_EQ(e.f.state, SN_FLOW_ESTABLISHED);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_MIDSTREAM_PICKUPS], 1);
    CHECK_STR(rec.buf[C], "DATA");
    send(&e, S, PA, 9001, 7005, "REPLY");
    CHECK_STR(rec.buf[S], "REPLY");
    send(&e, C, PA, 7005, 9006, "MORE");
    CHECK_STR(rec.buf[C], "DATAMORE");
    /* RST never creates a session, even with midstream */
    struct env e2;
    env_done(&e);
    env_init(&e2);
    e2.cfg.midstream = true;
    env_start(&e2);
    send(&e2, C, SN_TH_RST | A, 7001, 9001, NULL);
    CHECK(e2.f.tcp == NULL);
    CHECK(sn_pkt_has_event(&e2.last, SN_EV_STREAM_RST_BUT_NO_SESSION));
    env_done(&e2);
}

CS_TEST(midstream_synack_first)
{
    struct env e;
    env_init(&e);
    e.cfg.midstream = true;
    env_start(&e);
    send(&e, C, SN_TH_SYN | A, 5000, 1001, NULL); /* the flow's first packet is a SYN/ACK */
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, S, A, 1001, 5001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    send(&e, S, PA, 1001, 5001, "REQ");
    CHECK_STR(rec.buf[S], "REQ");
    env_done(&e);
}

CS_TEST(split_handshake_4whs)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    send(&e, C, SN_TH_SYN, 1000, 0, NULL);
    send(&e, S, SN_TH_SYN, 3000, 0, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "syn_sent");
    send(&e, C, SN_TH_SYN | A, 1000, 3001, NULL);
    CHECK(!sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION));
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, S, A, 3001, 1001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    send(&e, C, PA, 1001, 3001, "EVIL");
    CHECK_STR(rec.buf[C], "EVIL");
    send(&e, S, A, 3001, 1005, NULL);
    send(&e, C, SN_TH_RST, 1005, 0, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "closed");
    CHECK_EQ(rec.gaps[C], 0);
    env_done(&e);
}

CS_TEST(synack_checks)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    send(&e, C, SN_TH_SYN, 1000, 0, NULL);
    send(&e, S, SN_TH_SYN | A, 5000, 1234, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    CHECK_STR(sn_stream_state_name(&e.f), "syn_sent");
    send(&e, C, SN_TH_SYN | A, 5000, 1001, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION));
    CHECK_STR(sn_stream_state_name(&e.f), "syn_sent");
    send(&e, C, SN_TH_SYN, 1000, 0, NULL); /* SYN retransmission */
    CHECK_EQ(e.last.nevents, 0);
    send(&e, S, SN_TH_SYN | A, 5000, 1001, NULL);
    CHECK_EQ(e.last.nevents, 0);
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, S, SN_TH_SYN | A, 5000, 1002, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK));
    send(&e, C, SN_TH_SYN, 1500, 0, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV));
    send(&e, C, A, 1001, 9999, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION));
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, C, A, 1001, 5001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    send(&e, C, SN_TH_SYN, 1000, 0, NULL);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_EST_SYN_RESEND));
    env_done(&e);
}

CS_TEST(tfo_data_on_syn)
{
    struct env e;
    struct sn_pkt *p;
    env_init(&e);
    env_start(&e);
    memset(&e.last, 0, sizeof(e.last));
    p = &e.last;
    p->proto = 6;
    p->flow = &e.f;
    p->dir = C;
    p->tcp_flags = SN_TH_SYN;
    p->tcp_seq = 1000;
    p->tcpo.has_tfo = true;
    p->tcpo.tfo_len = 8;
    p->payload = (const uint8_t *)"hello";
    p->payload_len = 5;
    sn_stream_packet(&e.w, p);
    CHECK_STR(rec.buf[C], "hello");
    send(&e, S, SN_TH_SYN | A, 5000, 1006, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "syn_recv");
    send(&e, C, A, 1006, 5001, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    send(&e, C, PA, 1006, 5001, " world");
    CHECK_STR(rec.buf[C], "hello world");
    env_done(&e);

    /* without the option the SYN's data is not taken */
    env_init(&e);
    env_start(&e);
    send(&e, C, SN_TH_SYN, 1000, 0, "hello");
    CHECK_EQ(rec.len[C], 0);
    send(&e, S, SN_TH_SYN | A, 5000, 1001, NULL);
    send(&e, C, A, 1001, 5001, NULL);
    send(&e, C, PA, 1001, 5001, "real");
    CHECK_STR(rec.buf[C], "real");
    env_done(&e);
}

CS_TEST(rst_closes)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "ABC");
    send(&e, C, PA, 1010, 5001, "XYZ"); /* held out of order */
    send(&e, S, SN_TH_RST | A, 5001, 1004, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "closed");
    CHECK_EQ(e.f.state, SN_FLOW_CLOSED);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_RST], 1);
    CHECK_EQ(rec.eof[C], 1);
    CHECK_EQ(rec.eof[S], 1);
    CHECK_STR(rec.buf[C], "ABC_XYZ");
    send(&e, C, PA, 1013, 5001, "LATE");
    CHECK(!(e.last.stream_flags & SN_STREAM_PKT_IN_SESSION));
    CHECK_STR(rec.buf[C], "ABC_XYZ");
    env_done(&e);
    CHECK_EQ(rec.bad_order, 0);
}

CS_TEST(memcap_drop)
{
    struct env e;
    env_init(&e);
    e.cfg.reassembly_memcap = 100; /* room for one small block */
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "AAAA");
    CHECK_STR(rec.buf[C], "AAAA");
    CHECK(sn_stream_memuse(e.w.stream) > 0);
    CHECK_EQ(e.w.counters[SN_CNT_TCP_SEGMENT_MEMCAP_DROP], 0);
    send(&e, C, PA, 1005, 5001, "BBBB");
    CHECK_EQ(e.w.counters[SN_CNT_TCP_SEGMENT_MEMCAP_DROP], 1);
    CHECK_STR(rec.buf[C], "AAAA");
    /* once the first block is acked and freed, data fits again; the lost bytes are a gap */
    send(&e, S, A, 5001, 1009, NULL);
    CHECK_STR(rec.buf[C], "AAAA_");
    send(&e, C, PA, 1009, 5001, "CCCC");
    CHECK_STR(rec.buf[C], "AAAA_CCCC");
    send(&e, C, PA, 1013, 5001, "DDDD");
    env_done(&e);
    CHECK_EQ(rec.gap_bytes[C], 8);
    CHECK_STR(rec.buf[C], "AAAA_CCCC_");
    CHECK_EQ(e.w.counters[SN_CNT_TCP_REASSEMBLY_MEMUSE], 0);
}

CS_TEST(flow_end_flushes)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "HEAD");
    send(&e, C, PA, 1010, 5001, "TAIL");
    send(&e, S, PA, 5001, 1005, "resp");
    CHECK_STR(rec.buf[C], "HEAD");
    CHECK_EQ(rec.eof[C] + rec.eof[S], 0);
    size_t before = sn_stream_memuse(e.w.stream);
    CHECK(before > 0);
    sn_stream_flow_end(&e.w, &e.f);
    CHECK(e.f.tcp != NULL);           /* still readable for the flow record */
    CHECK(sn_stream_state_name(&e.f) != NULL);
    sn_stream_flow_end(&e.w, &e.f);   /* twice: nothing more is delivered */
    sn_stream_flow_free(&e.w, &e.f);
    CHECK(e.f.tcp == NULL);
    CHECK_STR(rec.buf[C], "HEAD_TAIL");
    CHECK_EQ(rec.gap_bytes[C], 5);
    CHECK_STR(rec.buf[S], "resp");
    CHECK_EQ(rec.eof[C], 1);
    CHECK_EQ(rec.eof[S], 1);
    CHECK_EQ(sn_stream_memuse(e.w.stream), 0);
    sn_stream_flow_end(&e.w, &e.f); /* no session: harmless */
    CHECK_EQ(rec.eof[C], 1);
    env_done(&e);
}

CS_TEST(seq_wraparound)
{
    struct env e;
    uint32_t isn = 0xFFFFFFF0u;
    env_init(&e);
    env_start(&e);
    send(&e, C, SN_TH_SYN, isn, 0, NULL);
    send(&e, S, SN_TH_SYN | A, 0xFFFFFF00u, isn + 1, NULL);
    send(&e, C, A, isn + 1, 0xFFFFFF01u, NULL);
    CHECK_STR(sn_stream_state_name(&e.f), "established");
    send(&e, C, PA, isn + 1, 0xFFFFFF01u, "0123456789");      /* ..0xFFFFFFFA */
    send(&e, C, PA, isn + 21, 0xFFFFFF01u, "KLMNOPQRST");     /* past 2^32, held */
    CHECK_STR(rec.buf[C], "0123456789");
    send(&e, C, PA, isn + 11, 0xFFFFFF01u, "ABCDEFGHIJ");     /* crosses 2^32 */
    CHECK_STR(rec.buf[C], "0123456789ABCDEFGHIJKLMNOPQRST");
    CHECK(!(e.last.stream_flags & SN_STREAM_PKT_OUT_OF_WINDOW));
    send(&e, S, A, 0xFFFFFF01u, isn + 31, NULL);
    CHECK_EQ(rec.gaps[C], 0);
    send(&e, C, PA, isn + 31, 0xFFFFFF01u, "end");
    CHECK_STR(rec.buf[C], "0123456789ABCDEFGHIJKLMNOPQRSTend");
    env_done(&e);
}

CS_TEST(out_of_window_and_bad_checksum)
{
    struct env e;
    env_init(&e);
    env_start(&e);
    handshake(&e);
    send(&e, S, A, 5001, 1001, NULL); /* server window 65535 known */
    send(&e, C, PA, 1001 + 50000000, 5001, "FAR");
    CHECK(e.last.stream_flags & SN_STREAM_PKT_OUT_OF_WINDOW);
    CHECK(sn_pkt_has_event(&e.last, SN_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
    send(&e, C, PA, 1001 + 1000, 5001, "NEAR");
    CHECK(!(e.last.stream_flags & SN_STREAM_PKT_OUT_OF_WINDOW));
    CHECK_EQ(sn_stream_max_regions(&e.f, C), 1);

    memset(&e.last, 0, sizeof(e.last));
    e.last.proto = 6;
    e.last.flow = &e.f;
    e.last.dir = C;
    e.last.tcp_flags = PA;
    e.last.tcp_seq = 1001;
    e.last.tcp_ack = 5001;
    e.last.payload = (const uint8_t *)"BAD!";
    e.last.payload_len = 4;
    e.last.flags = SN_PKT_CSUM_BAD;
    sn_stream_packet(&e.w, &e.last);
    CHECK_EQ(rec.len[C], 0);
    send(&e, C, PA, 1001, 5001, "GOOD");
    CHECK_STR(rec.buf[C], "GOOD");
    env_done(&e);
    CHECK(strstr(rec.buf[C], "FAR") == NULL);
}

CS_TEST(ids_mode_delivers_on_ack)
{
    struct env e;
    env_init(&e);
    e.cfg.stream_inline = false; /* the default: IDS mode */
    env_start(&e);
    handshake(&e);

    /* the request waits for the server's ACK, and only what it covers goes out */
    send(&e, C, PA, 1001, 5001, "HELLO");
    CHECK_STR(rec.buf[C], "");
    send(&e, C, PA, 1006, 5001, "WORLD");
    CHECK_STR(rec.buf[C], "");
    send(&e, S, A, 5001, 1004, NULL); /* acks "HEL" */
    CHECK_STR(rec.buf[C], "HEL");
    CHECK_EQ(rec.start[C], 1);
    send(&e, S, PA, 5001, 1011, "OK"); /* acks the rest; its own data waits */
    CHECK_STR(rec.buf[C], "HELLOWORLD");
    CHECK_STR(rec.buf[S], "");
    CHECK_EQ(rec.gaps[C], 0);
    /* a FIN releases the sender's data without an ACK */
    send(&e, S, SN_TH_FIN | A, 5003, 1011, NULL);
    CHECK_STR(rec.buf[S], "OK");
    CHECK_EQ(rec.eof[S], 1);
    CHECK_EQ(rec.eof[C], 0);
    env_done(&e);
    CHECK_EQ(rec.eof[C], 1);
    CHECK_EQ(rec.bad_order, 0);
}

CS_TEST(ids_mode_rst_flushes_both_sides_before_eof)
{
    struct env e;
    env_init(&e);
    e.cfg.stream_inline = false;
    env_start(&e);
    handshake(&e);
    send(&e, C, PA, 1001, 5001, "REQ");
    send(&e, S, PA, 5001, 1004, "BANNER"); /* acks REQ */
    CHECK_STR(rec.buf[C], "REQ");
    CHECK_STR(rec.buf[S], "");
    /* RST: both sides' pending data goes out before either side's EOF */
    send(&e, C, SN_TH_RST | A, 1004, 5001, NULL);
    CHECK_STR(rec.buf[S], "BANNER");
    CHECK_EQ(rec.eof[C], 1);
    CHECK_EQ(rec.eof[S], 1);
    CHECK_EQ(rec.bad_order, 0);
    env_done(&e);
}

CS_TEST_MAIN()
