/* flow_test.c — the flow table: lookup, direction, keys, timeouts, memcap, sweep, flush. */
#include "flow.h"

#include "../config.h"
#include "../../lib/cs_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define SEC 1000000ull

/* ---- harness ------------------------------------------------------------------------------ */

#define MAX_LOG 64
static struct {
    uint16_t sp, dp;
    uint8_t reason;
    uint64_t flow_id;
    uint32_t pkts0, pkts1;
} end_log[MAX_LOG];
static int nend;

static void on_end(struct sn_worker *w, struct sn_flow *f)
{
    if (nend < MAX_LOG) {
        end_log[nend].sp = f->sp;
        end_log[nend].dp = f->dp;
        end_log[nend].reason = f->end_reason;
        end_log[nend].flow_id = f->flow_id;
        end_log[nend].pkts0 = f->pkts[0];
        end_log[nend].pkts1 = f->pkts[1];
    }
    nend++;
}

struct env {
    struct sn_config cfg;
    struct sn_worker w;
};

static struct env *env_new(void (*tune)(struct sn_config *))
{
    struct env *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    sn_config_defaults(&e->cfg);
    if (tune)
        tune(&e->cfg);
    e->w.cfg = &e->cfg;
    e->w.flows = sn_flow_table_new(&e->cfg, 1, on_end);
    nend = 0;
    if (!e->w.flows) {
        free(e);
        return NULL;
    }
    return e;
}

static void env_free(struct env *e)
{
    if (!e)
        return;
    sn_flow_flush(&e->w, SN_FLOW_END_SHUTDOWN);
    sn_flow_table_free(e->w.flows);
    free(e);
}

static void mk(struct sn_pkt *p, uint8_t proto, const char *src, uint16_t sp, const char *dst,
               uint16_t dp, uint64_t ts)
{
    memset(p, 0, sizeof(*p));
    bool v6 = strchr(src, ':') != NULL;
    p->ip_ver = v6 ? 6 : 4;
    inet_pton(v6 ? AF_INET6 : AF_INET, src, p->src.u8);
    inet_pton(v6 ? AF_INET6 : AF_INET, dst, p->dst.u8);
    p->proto = proto;
    p->sp = sp;
    p->dp = dp;
    p->ts_us = ts;
    p->wirelen = 100;
    p->flags = SN_PKT_HAS_L4;
}

static void mk_icmp(struct sn_pkt *p, const char *src, const char *dst, uint8_t type, uint16_t id,
                    uint64_t ts)
{
    mk(p, IPPROTO_ICMP, src, type, dst, 0, ts);
    p->icmp_type = type;
    p->icmp_code = 0;
    p->icmp_id = id;
}

/* ---- lookup and keys ---------------------------------------------------------------------- */

CS_TEST(bidirectional_match_and_direction)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);

    mk(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 80, 1 * SEC);
    p.tcp_flags = SN_TH_SYN;
    p.wirelen = 60;
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    CHECK(p.flow == f);
    CHECK_EQ(p.dir, SN_TOSERVER);
    CHECK(sn_addr_eq(&f->src, &p.src));
    CHECK_EQ(f->sp, 40000);
    CHECK_EQ(f->dp, 80);
    CHECK_EQ(f->state, SN_FLOW_NEW);
    CHECK_EQ(f->start_us, 1 * SEC);

    mk(&p, IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 40000, 1 * SEC + 5);
    p.tcp_flags = SN_TH_SYN | SN_TH_ACK;
    p.wirelen = 70;
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(p.dir, SN_TOCLIENT);

    mk(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 80, 1 * SEC + 9);
    p.tcp_flags = SN_TH_ACK;
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(p.dir, SN_TOSERVER);

    CHECK_EQ(f->pkts[0], 2);
    CHECK_EQ(f->pkts[1], 1);
    CHECK_EQ(f->bytes[0], 160);
    CHECK_EQ(f->bytes[1], 70);
    CHECK_EQ(f->tcp_flags[0], SN_TH_SYN | SN_TH_ACK);
    CHECK_EQ(f->tcp_flags[1], SN_TH_SYN | SN_TH_ACK);
    CHECK_EQ(f->last_us, 1 * SEC + 9);
    CHECK_EQ(f->state, SN_FLOW_NEW); /* TCP state belongs to the stream module */
    CHECK_EQ(sn_flow_count(e->w.flows), 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TOTAL], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TCP], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ACTIVE], 1);
    CHECK(e->w.counters[SN_CNT_FLOW_MEMUSE] > 0);

    /* an out-of-order older packet does not move last_us back */
    mk(&p, IPPROTO_TCP, "10.0.0.1", 40000, "10.0.0.2", 80, 1 * SEC + 2);
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(f->last_us, 1 * SEC + 9);

    /* IPv6 works the same */
    mk(&p, IPPROTO_TCP, "2001:db8::1", 1234, "2001:db8::2", 443, 2 * SEC);
    struct sn_flow *f6 = sn_flow_handle(&e->w, &p);
    REQUIRE(f6);
    CHECK(f6 != f);
    mk(&p, IPPROTO_TCP, "2001:db8::2", 443, "2001:db8::1", 1234, 2 * SEC);
    CHECK(sn_flow_handle(&e->w, &p) == f6);
    CHECK_EQ(p.dir, SN_TOCLIENT);
    env_free(e);
}

CS_TEST(vlan_ports_proto_separate_flows)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);

    mk(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, SEC);
    struct sn_flow *base = sn_flow_handle(&e->w, &p);
    REQUIRE(base);

    mk(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, SEC);
    p.vlan_cnt = 1;
    p.vlan_id[0] = 10;
    struct sn_flow *v10 = sn_flow_handle(&e->w, &p);
    mk(&p, IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 5000, SEC);
    p.vlan_cnt = 1;
    p.vlan_id[0] = 20;
    struct sn_flow *v20 = sn_flow_handle(&e->w, &p);
    mk(&p, IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 5000, SEC);
    p.vlan_cnt = 1;
    p.vlan_id[0] = 10;
    CHECK(sn_flow_handle(&e->w, &p) == v10); /* reply on the same VLAN */
    CHECK_EQ(p.dir, SN_TOCLIENT);
    CHECK(v10 && v20 && v10 != base && v20 != base && v10 != v20);
    CHECK_EQ(v10->vlan_cnt, 1);
    CHECK_EQ(v10->vlan_id[0], 10);

    /* QinQ: outer 10 inner 1 differs from outer 10 alone */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 53, SEC);
    p.vlan_cnt = 2;
    p.vlan_id[0] = 10;
    p.vlan_id[1] = 1;
    struct sn_flow *qinq = sn_flow_handle(&e->w, &p);
    CHECK(qinq && qinq != v10);

    mk(&p, IPPROTO_UDP, "10.0.0.1", 5001, "10.0.0.2", 53, SEC);
    struct sn_flow *sp2 = sn_flow_handle(&e->w, &p);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 5000, "10.0.0.2", 54, SEC);
    struct sn_flow *dp2 = sn_flow_handle(&e->w, &p);
    mk(&p, IPPROTO_TCP, "10.0.0.1", 5000, "10.0.0.2", 53, SEC);
    struct sn_flow *tcp = sn_flow_handle(&e->w, &p);
    /* same ports swapped without swapping the addresses: another flow */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 53, "10.0.0.2", 5000, SEC);
    struct sn_flow *swp = sn_flow_handle(&e->w, &p);
    CHECK(sp2 && sp2 != base);
    CHECK(dp2 && dp2 != base && dp2 != sp2);
    CHECK(tcp && tcp != base);
    CHECK(swp && swp != base);
    CHECK_EQ(sn_flow_count(e->w.flows), 8);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_UDP], 7);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TCP], 1);

    /* the original still matches */
    mk(&p, IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 5000, SEC);
    CHECK(sn_flow_handle(&e->w, &p) == base);
    env_free(e);
}

CS_TEST(no_flow_for_fragments_non_ip_or_missing_l4)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);

    mk(&p, IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 2, SEC);
    p.flags |= SN_PKT_IS_FRAGMENT;
    CHECK(sn_flow_handle(&e->w, &p) == NULL);
    CHECK(p.flow == NULL);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 2, SEC);
    p.ip_ver = 0;
    CHECK(sn_flow_handle(&e->w, &p) == NULL);
    mk(&p, IPPROTO_TCP, "10.0.0.1", 1, "10.0.0.2", 2, SEC);
    p.flags = 0; /* truncated TCP header */
    CHECK(sn_flow_handle(&e->w, &p) == NULL);
    CHECK_EQ(sn_flow_count(e->w.flows), 0);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TOTAL], 0);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_MEMCAP], 0);

    /* other IP protocols get flows on addresses only */
    mk(&p, 47, "10.0.0.1", 0, "10.0.0.2", 0, SEC);
    p.flags = 0;
    struct sn_flow *gre = sn_flow_handle(&e->w, &p);
    REQUIRE(gre);
    mk(&p, 47, "10.0.0.2", 0, "10.0.0.1", 0, SEC);
    p.flags = 0;
    CHECK(sn_flow_handle(&e->w, &p) == gre);
    CHECK_EQ(p.dir, SN_TOCLIENT);
    CHECK_EQ(gre->state, SN_FLOW_ESTABLISHED);
    env_free(e);
}

CS_TEST(icmp_echo_pairs_and_errors)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);

    mk_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 77, SEC);
    struct sn_flow *echo = sn_flow_handle(&e->w, &p);
    REQUIRE(echo);
    mk_icmp(&p, "10.0.0.2", "10.0.0.1", 0, 77, SEC + 1);
    CHECK(sn_flow_handle(&e->w, &p) == echo);
    CHECK_EQ(p.dir, SN_TOCLIENT);
    CHECK_EQ(echo->icmp_type[0], 8);
    CHECK_EQ(echo->icmp_type[1], 0);
    CHECK_EQ(echo->state, SN_FLOW_ESTABLISHED);
    mk_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 77, SEC + 2);
    CHECK(sn_flow_handle(&e->w, &p) == echo);
    CHECK_EQ(p.dir, SN_TOSERVER);

    /* another echo id: another flow */
    mk_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 78, SEC + 3);
    struct sn_flow *echo2 = sn_flow_handle(&e->w, &p);
    CHECK(echo2 && echo2 != echo);

    /* an error message between the same hosts: its own flow, whatever the direction */
    mk_icmp(&p, "10.0.0.2", "10.0.0.1", 3, 0, SEC + 4);
    p.icmp_code = 3;
    struct sn_flow *err = sn_flow_handle(&e->w, &p);
    REQUIRE(err);
    CHECK(err != echo && err != echo2);
    CHECK_EQ(err->icmp_type[0], 3);
    CHECK_EQ(err->icmp_code[0], 3);
    mk_icmp(&p, "10.0.0.1", "10.0.0.2", 11, 0, SEC + 5);
    CHECK(sn_flow_handle(&e->w, &p) == err);
    CHECK_EQ(p.dir, SN_TOCLIENT);
    CHECK_EQ(err->icmp_type[1], 11);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ICMPV4], 3);

    /* ICMPv6 echo */
    mk(&p, IPPROTO_ICMPV6, "2001:db8::1", 128, "2001:db8::2", 0, SEC);
    p.icmp_type = 128;
    p.icmp_id = 5;
    struct sn_flow *e6 = sn_flow_handle(&e->w, &p);
    mk(&p, IPPROTO_ICMPV6, "2001:db8::2", 129, "2001:db8::1", 0, SEC);
    p.icmp_type = 129;
    p.icmp_id = 5;
    CHECK(e6 && sn_flow_handle(&e->w, &p) == e6);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ICMPV6], 1);
    env_free(e);
}

CS_TEST(flow_id_deterministic)
{
    struct env *a = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(a);
    mk(&p, IPPROTO_TCP, "192.0.2.1", 1111, "192.0.2.2", 22, 5 * SEC);
    struct sn_flow *fa = sn_flow_handle(&a->w, &p);
    REQUIRE(fa);
    uint64_t id1 = fa->flow_id;
    CHECK(id1 != 0);
    CHECK(id1 < (1ull << 51));
    env_free(a);

    /* another table (another worker count, another hash seed): the same id */
    struct env *b = env_new(NULL);
    REQUIRE(b);
    sn_flow_table_free(b->w.flows);
    b->w.flows = sn_flow_table_new(&b->cfg, 4, on_end);
    REQUIRE(b->w.flows);
    mk(&p, IPPROTO_TCP, "192.0.2.1", 1111, "192.0.2.2", 22, 5 * SEC);
    struct sn_flow *fb = sn_flow_handle(&b->w, &p);
    REQUIRE(fb);
    CHECK_EQ(fb->flow_id, id1);
    /* another start time: another id */
    mk(&p, IPPROTO_TCP, "192.0.2.1", 1112, "192.0.2.2", 22, 5 * SEC);
    struct sn_flow *fc = sn_flow_handle(&b->w, &p);
    mk(&p, IPPROTO_TCP, "192.0.2.1", 1111, "192.0.2.2", 22, 6 * SEC);
    p.vlan_cnt = 1;
    p.vlan_id[0] = 3;
    struct sn_flow *fd = sn_flow_handle(&b->w, &p);
    REQUIRE(fc && fd);
    CHECK(fc->flow_id != id1);
    CHECK(fd->flow_id != id1);
    env_free(b);
}

/* ---- state and timeouts ------------------------------------------------------------------- */

CS_TEST(udp_established_on_reply)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 5353, "10.0.0.2", 53, SEC);
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    CHECK_EQ(f->state, SN_FLOW_NEW);
    CHECK_EQ(sn_flow_timeout_of(&e->w, f), 30);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 5353, "10.0.0.2", 53, 2 * SEC);
    sn_flow_handle(&e->w, &p);
    CHECK_EQ(f->state, SN_FLOW_NEW); /* one direction only */
    mk(&p, IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 5353, 3 * SEC);
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(f->state, SN_FLOW_ESTABLISHED);
    CHECK_EQ(sn_flow_timeout_of(&e->w, f), 300);
    /* an established flow survives an idle time past the new timeout */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 5353, "10.0.0.2", 53, 103 * SEC);
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(nend, 0);
    env_free(e);
}

CS_TEST(timeout_ends_flow_and_new_one_starts)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1000, "10.0.0.2", 2000, 100 * SEC);
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    uint64_t id1 = f->flow_id;
    /* exactly the timeout idle: still the same flow */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1000, "10.0.0.2", 2000, 130 * SEC);
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(nend, 0);
    /* past the timeout (reverse direction): the old flow ends, a new one starts */
    mk(&p, IPPROTO_UDP, "10.0.0.2", 2000, "10.0.0.1", 1000, 160 * SEC + 1);
    struct sn_flow *g = sn_flow_handle(&e->w, &p);
    REQUIRE(g);
    CHECK_EQ(nend, 1);
    CHECK_EQ(end_log[0].reason, SN_FLOW_END_TIMEOUT);
    CHECK_EQ(end_log[0].flow_id, id1);
    CHECK_EQ(end_log[0].pkts0, 2);
    CHECK(g->flow_id != id1);
    CHECK_EQ(g->start_us, 160 * SEC + 1);
    CHECK_EQ(g->pkts[0], 1);
    CHECK_EQ(g->pkts[1], 0);
    CHECK_EQ(p.dir, SN_TOSERVER); /* the new flow's client is this packet's source */
    CHECK_EQ(g->sp, 2000);
    CHECK_EQ(sn_flow_count(e->w.flows), 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_TIMEOUT], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TOTAL], 2);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ACTIVE], 1);
    env_free(e);
}

CS_TEST(sweep_ends_only_expired)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);
    /* UDP new timeout 30 s */
    for (int i = 0; i < 5; i++) {
        mk(&p, IPPROTO_UDP, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 53,
           (uint64_t)(i * 10) * SEC);
        REQUIRE(sn_flow_handle(&e->w, &p));
    }
    /* TCP flow A at 1 s made established by the "stream module" (timeout 600) */
    mk(&p, IPPROTO_TCP, "10.0.0.1", 7000, "10.0.0.2", 80, 1 * SEC);
    struct sn_flow *a = sn_flow_handle(&e->w, &p);
    REQUIRE(a);
    a->state = SN_FLOW_ESTABLISHED;
    /* TCP flow B at 2 s, closed right away (timeout 60) */
    mk(&p, IPPROTO_TCP, "10.0.0.1", 7001, "10.0.0.2", 80, 2 * SEC);
    struct sn_flow *b = sn_flow_handle(&e->w, &p);
    REQUIRE(b);
    b->state = SN_FLOW_CLOSED;
    /* TCP flow C at 3 s, new (timeout 60) */
    mk(&p, IPPROTO_TCP, "10.0.0.1", 7002, "10.0.0.2", 80, 3 * SEC);
    struct sn_flow *c = sn_flow_handle(&e->w, &p);
    REQUIRE(c);
    /* A is closed later, while it is not the last flow handled (robust path) */
    mk(&p, IPPROTO_UDP, "10.0.0.9", 1, "10.0.0.2", 53, 45 * SEC);
    REQUIRE(sn_flow_handle(&e->w, &p));

    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 10 * SEC, 0), 0);
    /* at 45 s: UDP flows from 0 and 10 s are idle 45 and 35 > 30 */
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 45 * SEC, 0), 2);
    CHECK_EQ(nend, 2);
    CHECK_EQ(end_log[0].sp, 1000);
    CHECK_EQ(end_log[1].sp, 1001);
    CHECK_EQ(end_log[0].reason, SN_FLOW_END_TIMEOUT);
    CHECK_EQ(sn_flow_count(e->w.flows), 7);

    /* at 63 s: B (closed, idle 61) and C (new, idle 60: not past) / UDP 20 s and 30 s */
    nend = 0;
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 63 * SEC, 1), 1); /* bounded work */
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 63 * SEC, 0), 2);
    CHECK_EQ(nend, 3);
    bool saw_b = false;
    for (int i = 0; i < nend; i++)
        saw_b |= end_log[i].sp == 7001;
    CHECK(saw_b);
    CHECK_EQ(sn_flow_count(e->w.flows), 4); /* A, C, UDP 40 s, UDP 45 s */

    a->state = SN_FLOW_CLOSED;
    nend = 0;
    /* at 64 s: A is closed and idle 63 > 60, C idle 61 */
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 64 * SEC, 0), 2);
    bool saw_a = false, saw_c = false;
    for (int i = 0; i < nend; i++) {
        saw_a |= end_log[i].sp == 7000;
        saw_c |= end_log[i].sp == 7002;
    }
    CHECK(saw_a && saw_c);
    CHECK_EQ(sn_flow_count(e->w.flows), 2);
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 1000 * SEC, 0), 2);
    CHECK_EQ(sn_flow_count(e->w.flows), 0);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_TIMEOUT], 9);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ACTIVE], 0);
    env_free(e);
}

CS_TEST(state_change_by_stream_is_refiled)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);
    /* an older established flow that stays alive */
    mk(&p, IPPROTO_TCP, "10.0.0.5", 6000, "10.0.0.2", 80, 0);
    struct sn_flow *g0 = sn_flow_handle(&e->w, &p);
    REQUIRE(g0);
    g0->state = SN_FLOW_ESTABLISHED;
    mk(&p, IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.5", 6000, SEC / 2);
    REQUIRE(sn_flow_handle(&e->w, &p) == g0);
    /* an established TCP flow, then closed by its last packet: it must not wait behind g0 */
    mk(&p, IPPROTO_TCP, "10.0.0.1", 7000, "10.0.0.2", 80, 1 * SEC);
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    f->state = SN_FLOW_ESTABLISHED;
    mk(&p, IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 7000, 2 * SEC);
    REQUIRE(sn_flow_handle(&e->w, &p) == f);
    f->state = SN_FLOW_CLOSED;
    /* newer established flows in front of the sweep */
    for (int i = 0; i < 3; i++) {
        mk(&p, IPPROTO_TCP, "10.0.0.3", (uint16_t)(100 + i), "10.0.0.2", 80,
           (uint64_t)(3 + i) * SEC);
        struct sn_flow *g = sn_flow_handle(&e->w, &p);
        REQUIRE(g);
        g->state = SN_FLOW_ESTABLISHED;
    }
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 63 * SEC, 0), 1);
    CHECK_EQ(nend, 1);
    CHECK_EQ(end_log[0].sp, 7000);
    CHECK_EQ(sn_flow_count(e->w.flows), 4);
    env_free(e);
}

/* ---- memcap ------------------------------------------------------------------------------- */

static size_t tiny_cap;
static void tune_tiny(struct sn_config *c)
{
    c->flow_hash_size = 16;
    c->flow_prealloc = 0;
    c->flow_memcap = tiny_cap;
}

CS_TEST(emergency_eviction_under_tiny_memcap)
{
    /* buckets (16 pointers) + room for about 10 flows */
    tiny_cap = 16 * sizeof(void *) + 64 + 10 * sizeof(struct sn_flow);
    struct env *e = env_new(tune_tiny);
    struct sn_pkt p;
    REQUIRE(e);
    CHECK_EQ(sn_flow_memuse(e->w.flows), 16 * sizeof(void *));

    int n = 0;
    for (;; n++) {
        mk(&p, IPPROTO_UDP, "10.0.0.1", (uint16_t)(1000 + n), "10.0.0.2", 53, SEC + (uint64_t)n);
        REQUIRE(sn_flow_handle(&e->w, &p));
        if (e->w.counters[SN_CNT_FLOW_EMERG_MODE_ENTERED])
            break;
        REQUIRE(n < 100);
    }
    /* the pool held n flows; the (n+1)th evicted the oldest */
    CHECK(n >= 9 && n <= 10);
    CHECK(sn_flow_memuse(e->w.flows) <= tiny_cap);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_EMERG_MODE_ENTERED], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_FORCED], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_MEMCAP], 1);
    CHECK_EQ(nend, 1);
    CHECK_EQ(end_log[0].reason, SN_FLOW_END_FORCED);
    CHECK_EQ(end_log[0].sp, 1000);
    CHECK_EQ(sn_flow_count(e->w.flows), (size_t)n);

    /* emergency timeouts apply now (UDP new: 10 s instead of 30 s) */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1005, "10.0.0.2", 53, SEC + 100);
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    CHECK_EQ(sn_flow_timeout_of(&e->w, f), 10);

    /* one more new flow: evicts the next oldest (1001), still one emergency entry */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 3000, "10.0.0.2", 53, SEC + 200);
    REQUIRE(sn_flow_handle(&e->w, &p));
    CHECK_EQ(nend, 2);
    CHECK_EQ(end_log[1].sp, 1001);
    CHECK_EQ(end_log[1].reason, SN_FLOW_END_FORCED);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_EMERG_MODE_ENTERED], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_FORCED], 2);

    /* when a flow is already expired it is ended by timeout instead of forced */
    mk(&p, IPPROTO_UDP, "10.0.0.1", 3001, "10.0.0.2", 53, 20 * SEC);
    REQUIRE(sn_flow_handle(&e->w, &p));
    CHECK_EQ(nend, 3);
    CHECK_EQ(end_log[2].reason, SN_FLOW_END_TIMEOUT);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_FORCED], 2);

    /* a sweep with the emergency timeouts ends flows until usage is below 70% of the pool
     * (10 -> 6 flows); then emergency mode is left and the normal timeouts apply again */
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 20 * SEC, 0), 4);
    CHECK_EQ(sn_flow_count(e->w.flows), 6);
    CHECK_EQ(sn_flow_timeout_sweep(&e->w, 20 * SEC, 0), 0);
    f = NULL;
    mk(&p, IPPROTO_UDP, "10.0.0.1", 3001, "10.0.0.2", 53, 20 * SEC);
    f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    CHECK_EQ(sn_flow_timeout_of(&e->w, f), 30);

    /* filling it again enters emergency a second time */
    for (int i = 0; i < 20; i++) {
        mk(&p, IPPROTO_UDP, "10.0.0.7", (uint16_t)(5000 + i), "10.0.0.2", 53, 21 * SEC);
        REQUIRE(sn_flow_handle(&e->w, &p));
    }
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_EMERG_MODE_ENTERED], 2);
    CHECK(sn_flow_memuse(e->w.flows) <= tiny_cap);
    env_free(e);
}

CS_TEST(memcap_too_small_for_any_flow)
{
    tiny_cap = 16 * sizeof(void *) + 8; /* the buckets and nothing else */
    struct env *e = env_new(tune_tiny);
    struct sn_pkt p;
    REQUIRE(e);
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 2, SEC);
    CHECK(sn_flow_handle(&e->w, &p) == NULL);
    CHECK(p.flow == NULL);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_MEMCAP], 1);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TOTAL], 0);
    CHECK(sn_flow_handle(&e->w, &p) == NULL);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_MEMCAP], 2);
    CHECK_EQ(sn_flow_count(e->w.flows), 0);
    CHECK_EQ(nend, 0);
    env_free(e);
}

/* ---- flush and scale ---------------------------------------------------------------------- */

CS_TEST(flush_ends_all_with_shutdown)
{
    struct env *e = env_new(NULL);
    struct sn_pkt p;
    REQUIRE(e);
    for (int i = 0; i < 5; i++) {
        mk(&p, IPPROTO_TCP, "10.1.0.1", (uint16_t)(2000 + i), "10.1.0.2", 443,
           (uint64_t)(1 + i) * SEC);
        REQUIRE(sn_flow_handle(&e->w, &p));
    }
    /* 2000 and 2002 active again: order of activity 2001 2003 2004 2000 2002 */
    mk(&p, IPPROTO_TCP, "10.1.0.2", 443, "10.1.0.1", 2000, 7 * SEC);
    REQUIRE(sn_flow_handle(&e->w, &p));
    mk(&p, IPPROTO_UDP, "10.1.0.9", 1, "10.1.0.2", 53, 7 * SEC); /* another list */
    REQUIRE(sn_flow_handle(&e->w, &p));
    mk(&p, IPPROTO_TCP, "10.1.0.1", 2002, "10.1.0.2", 443, 8 * SEC);
    REQUIRE(sn_flow_handle(&e->w, &p));
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ACTIVE], 6);
    sn_flow_flush(&e->w, SN_FLOW_END_SHUTDOWN);
    CHECK_EQ(nend, 6);
    for (int i = 0; i < 6 && i < nend; i++)
        CHECK_EQ(end_log[i].reason, SN_FLOW_END_SHUTDOWN);
    /* least recently active first */
    static const uint16_t order[] = {2001, 2003, 2004, 2000, 1, 2002};
    for (int i = 0; i < 6 && i < nend; i++)
        CHECK_EQ(end_log[i].sp, order[i]);
    CHECK_EQ(sn_flow_count(e->w.flows), 0);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_END_SHUTDOWN], 6);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_ACTIVE], 0);
    /* flushing again ends nothing; the table is usable afterwards */
    sn_flow_flush(&e->w, SN_FLOW_END_SHUTDOWN);
    CHECK_EQ(nend, 6);
    mk(&p, IPPROTO_TCP, "10.1.0.1", 2000, "10.1.0.2", 443, 11 * SEC);
    CHECK(sn_flow_handle(&e->w, &p) != NULL);
    CHECK_EQ(sn_flow_count(e->w.flows), 1);
    env_free(e);
}

static void tune_big(struct sn_config *c)
{
    c->flow_memcap = 1ull << 30;
    c->flow_hash_size = 1u << 20;
}

CS_TEST(million_flows_memory_per_flow)
{
    struct env *e = env_new(tune_big);
    struct sn_pkt p;
    REQUIRE(e);
    const uint32_t n = 1000000;
    mk(&p, IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 53, SEC);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = htonl(0x0a000000u + (i >> 4));
        memcpy(p.src.u8, &a, 4);
        p.sp = (uint16_t)(1024 + (i & 15));
        p.ts_us = SEC + i;
        if (!sn_flow_handle(&e->w, &p)) {
            CS_FAILF("flow %u not created", i);
            break;
        }
    }
    size_t cnt = sn_flow_count(e->w.flows);
    size_t mem = sn_flow_memuse(e->w.flows);
    CHECK_EQ(cnt, n);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_TOTAL], n);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_EMERG_MODE_ENTERED], 0);
    CHECK_EQ(e->w.counters[SN_CNT_FLOW_MEMUSE], mem);
    printf("   1M flows: %zu bytes, %.1f bytes/flow (struct sn_flow %zu)\n", mem,
           (double)mem / (double)cnt, sizeof(struct sn_flow));
    CHECK(cnt && mem / cnt < 300);

    /* lookups of earlier tuples find their flows, in both directions */
    uint32_t a = htonl(0x0a000000u + 12345);
    mk(&p, IPPROTO_UDP, "0.0.0.0", 1024 + 7, "10.0.0.2", 53, 2 * SEC);
    memcpy(p.src.u8, &a, 4);
    struct sn_flow *f = sn_flow_handle(&e->w, &p);
    REQUIRE(f);
    CHECK_EQ(f->pkts[0], 2);
    mk(&p, IPPROTO_UDP, "10.0.0.2", 53, "0.0.0.0", 1024 + 7, 2 * SEC);
    memcpy(p.dst.u8, &a, 4);
    CHECK(sn_flow_handle(&e->w, &p) == f);
    CHECK_EQ(p.dir, SN_TOCLIENT);
    CHECK_EQ(sn_flow_count(e->w.flows), n);
    env_free(e);
    CHECK_EQ(nend, n);
}

CS_TEST_MAIN()
