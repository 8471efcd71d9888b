/* decode_test.c — decoder tests: hand-built packets for each layer and real captures. */
#include "../config.h"
#include "../pkt.h"
#include "decode.h"
#include "defrag.h"

#include "../../lib/cs_test.h"

#include <pcap/pcap.h>
#include <stdlib.h>

static struct sn_config g_cfg;

static struct sn_worker *mkw(void)
{
    struct sn_worker *w = calloc(1, sizeof(*w));
    sn_config_defaults(&g_cfg);
    w->cfg = &g_cfg;
    w->defrag = sn_defrag_new(&g_cfg, 1);
    return w;
}

static void freew(struct sn_worker *w)
{
    sn_defrag_free(w->defrag);
    free(w);
}

/* rebuilt packets seen by the callback */
static int rb_count;
static struct sn_pkt rb_last;
static uint8_t rb_payload[2048];

static void rebuilt_cb(struct sn_worker *w, struct sn_pkt *p)
{
    (void)w;
    rb_count++;
    rb_last = *p;
    rb_last.payload = NULL;
    if (p->payload && p->payload_len <= sizeof(rb_payload))
        memcpy(rb_payload, p->payload, p->payload_len);
    free(p->owned);
}

static int dec(struct sn_worker *w, int dlt, const uint8_t *b, uint32_t n, struct sn_pkt *p)
{
    memset(p, 0, sizeof(*p));
    p->data = b;
    p->caplen = p->wirelen = n;
    p->datalink = dlt;
    p->ts_us = 1000000;
    return sn_decode(w, p);
}

static uint64_t decoder_events(const struct sn_worker *w)
{
    uint64_t n = 0;
    for (int i = 0; i < SN_EV_STREAM_FIRST; i++)
        n += w->event_counts[i];
    return n;
}

/* ---- packet builders ------------------------------------------------------------------ */

static uint16_t csum(const uint8_t *d, uint32_t n, uint32_t sum)
{
    for (uint32_t i = 0; i < n; i += 2)
        sum += (uint32_t)d[i] << 8 | (i + 1 < n ? d[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {10, 0, 0, 2};

/* Ethernet header with ethertype at b; returns 14. */
static uint32_t eth(uint8_t *b, uint16_t type)
{
    static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6};
    memcpy(b, macs, 12);
    b[12] = (uint8_t)(type >> 8);
    b[13] = (uint8_t)type;
    return 14;
}

/* IPv4 header + options + payload at b; returns total length. */
static uint32_t ip4(uint8_t *b, uint8_t proto, const uint8_t *opt, uint32_t optlen,
                    const uint8_t *pl, uint32_t pllen, uint16_t id, uint16_t frag)
{
    uint32_t hl = 20 + optlen, tot = hl + pllen;
    uint16_t s;

    memset(b, 0, 20);
    b[0] = (uint8_t)(0x40 | hl / 4);
    b[2] = (uint8_t)(tot >> 8);
    b[3] = (uint8_t)tot;
    b[4] = (uint8_t)(id >> 8);
    b[5] = (uint8_t)id;
    b[6] = (uint8_t)(frag >> 8);
    b[7] = (uint8_t)frag;
    b[8] = 64;
    b[9] = proto;
    memcpy(b + 12, SRC4, 4);
    memcpy(b + 16, DST4, 4);
    if (optlen)
        memcpy(b + 20, opt, optlen);
    if (pllen)
        memcpy(b + hl, pl, pllen);
    s = csum(b, hl, 0);
    b[10] = (uint8_t)(s >> 8);
    b[11] = (uint8_t)s;
    return tot;
}

/* Sets the TCP/UDP checksum of l4 (len bytes) in an IPv4 packet at ip. */
static void l4sum4(uint8_t *ip, uint8_t proto, uint8_t *l4, uint32_t len, int off)
{
    uint32_t sum = 0;
    uint16_t s;
    for (int i = 12; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    sum += proto + len;
    l4[off] = l4[off + 1] = 0;
    s = csum(l4, len, sum);
    l4[off] = (uint8_t)(s >> 8);
    l4[off + 1] = (uint8_t)s;
}

static uint32_t tcp_hdr(uint8_t *b, const uint8_t *opt, uint32_t optlen, const char *data)
{
    uint32_t hl = 20 + optlen, dl = data ? (uint32_t)strlen(data) : 0;
    memset(b, 0, 20);
    b[0] = 0x04, b[1] = 0xd2; /* 1234 */
    b[2] = 0x00, b[3] = 0x50; /* 80 */
    b[7] = 1;
    b[12] = (uint8_t)(hl / 4) << 4;
    b[13] = SN_TH_SYN;
    b[14] = 0xff;
    if (optlen)
        memcpy(b + 20, opt, optlen);
    if (dl)
        memcpy(b + hl, data, dl);
    return hl + dl;
}

/* Ethernet + IPv4 + TCP with options; returns frame length. */
static uint32_t tcp_frame(uint8_t *b, const uint8_t *opt, uint32_t optlen, const char *data)
{
    uint8_t seg[128];
    uint32_t sl = tcp_hdr(seg, opt, optlen, data), o = eth(b, 0x0800);
    uint32_t il = ip4(b + o, 6, NULL, 0, seg, sl, 1, 0);
    l4sum4(b + o, 6, b + o + 20, sl, 16);
    return o + il;
}

static uint32_t udp_frame(uint8_t *b, uint16_t sp, uint16_t dp, const uint8_t *pl,
                          uint32_t plen)
{
    uint8_t seg[1600];
    uint32_t o = eth(b, 0x0800), il;
    seg[0] = (uint8_t)(sp >> 8), seg[1] = (uint8_t)sp;
    seg[2] = (uint8_t)(dp >> 8), seg[3] = (uint8_t)dp;
    seg[4] = (uint8_t)((plen + 8) >> 8), seg[5] = (uint8_t)(plen + 8);
    seg[6] = seg[7] = 0;
    memcpy(seg + 8, pl, plen);
    il = ip4(b + o, 17, NULL, 0, seg, plen + 8, 1, 0);
    l4sum4(b + o, 17, b + o + 20, plen + 8, 6);
    return o + il;
}

/* ---- pcap helpers ---------------------------------------------------------------------- */

typedef void (*pkt_fn)(struct sn_worker *w, struct sn_pkt *p, int rc, void *ctx);

/* Decodes every packet of tests/data/pcaps/decode/<name>; returns the packet count or -1. */
static int run_pcap(struct sn_worker *w, const char *name, pkt_fn fn, void *ctx)
{
    char path[512], err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *pc;
    int n = 0;

    snprintf(path, sizeof(path), "%s/pcaps/decode/%s", cs_test_data_dir(), name);
    pc = pcap_open_offline(path, err);
    if (!pc) {
        printf("  cannot open %s: %s\n", path, err);
        return -1;
    }
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct sn_pkt p;
        int rc;
        memset(&p, 0, sizeof(p));
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        p.pcap_cnt = (uint64_t)++n;
        p.datalink = pcap_datalink(pc);
        rc = sn_decode(w, &p);
        if (fn)
            fn(w, &p, rc, ctx);
    }
    pcap_close(pc);
    return n;
}

struct tally {
    int ok, again, err, tunnel, l4, max_vlan, v4, v6, frag;
};

static void tally_fn(struct sn_worker *w, struct sn_pkt *p, int rc, void *ctx)
{
    struct tally *t = ctx;
    (void)w;
    t->ok += rc == CS_OK;
    t->again += rc == CS_AGAIN;
    t->err += rc == CS_ERR;
    t->tunnel += (p->flags & SN_PKT_TUNNEL) != 0;
    t->l4 += (p->flags & SN_PKT_HAS_L4) != 0;
    t->v4 += p->ip_ver == 4;
    t->v6 += p->ip_ver == 6;
    t->frag += (p->flags & SN_PKT_IS_FRAGMENT) != 0;
    if (p->vlan_cnt > t->max_vlan)
        t->max_vlan = p->vlan_cnt;
}

static struct tally pcap_tally(struct sn_worker *w, const char *name)
{
    struct tally t;
    memset(&t, 0, sizeof(t));
    if (run_pcap(w, name, tally_fn, &t) < 0)
        t.err = -1000;
    return t;
}

/* ---- Suricata compatibility: the anomaly captures ------------------------------------- */

CS_TEST(anomaly_pcap_icmp_events)
{
    struct sn_worker *w = mkw();
    g_cfg.csum = SN_CSUM_NONE; /* the suricata-verify test runs with -k none */
    REQUIRE(run_pcap(w, "anomaly.pcap", NULL, NULL) == 48);
    CHECK_EQ(w->event_counts[SN_EV_ICMPV4_UNKNOWN_TYPE], 42);
    CHECK_EQ(w->event_counts[SN_EV_ICMPV4_UNKNOWN_CODE], 4);
    CHECK_EQ(w->event_counts[SN_EV_IPV4_TRUNC_PKT], 2);
    CHECK_EQ(decoder_events(w), 48);
    CHECK_EQ(w->counters[SN_CNT_DECODER_PKTS], 48);
    CHECK_EQ(w->counters[SN_CNT_DECODER_INVALID], 2);
    CHECK_EQ(w->counters[SN_CNT_DECODER_MAX_PKT_SIZE], 4844);
    freew(w);
}

static void secopt_fn(struct sn_worker *w, struct sn_pkt *p, int rc, void *ctx)
{
    int *ev = ctx;
    (void)w;
    if (p->pcap_cnt != 3) {
        ev[3] += p->nevents;
        return;
    }
    for (unsigned i = 0; i < p->nevents; i++) {
        ev[0] += p->events[i] == SN_EV_IPV4_OPT_PAD_REQUIRED;
        ev[1] += p->events[i] == SN_EV_IPV4_OPT_INVALID_LEN;
    }
    ev[2] = p->nevents;
    ev[4] = rc;
    ev[5] = (p->flags & SN_PKT_HAS_L4) != 0;
}

CS_TEST(ip_secopt_pcap_events)
{
    struct sn_worker *w = mkw();
    int ev[6] = {0, 0, 0, 0, -99, 0};
    REQUIRE(run_pcap(w, "ip_secopt.pcap", secopt_fn, ev) == 3);
    CHECK_EQ(ev[0], 1);
    CHECK_EQ(ev[1], 2);
    CHECK_EQ(ev[2], 3);
    CHECK_EQ(ev[3], 0); /* packets 1 and 2 are clean */
    CHECK_EQ(ev[4], CS_OK); /* the UDP layer still decodes (the rule matches it) */
    CHECK_EQ(ev[5], 1);
    CHECK_EQ(w->counters[SN_CNT_DECODER_INVALID], 1);
    freew(w);
}

CS_TEST(tcp_empty_sack_pcap_no_option_event)
{
    struct sn_worker *w = mkw();
    struct tally t = pcap_tally(w, "tcp-empty-sack.pcap");
    CHECK_EQ(t.err, 0);
    CHECK(w->counters[SN_CNT_DECODER_TCP] > 0);
    CHECK_EQ(w->event_counts[SN_EV_TCP_OPT_INVALID_LEN], 0);
    CHECK_EQ(w->event_counts[SN_EV_TCP_INVALID_OPTLEN], 0);
    CHECK_EQ(w->event_counts[SN_EV_TCP_OPT_DUPLICATE], 0);
    freew(w);
}

/* ---- link types ------------------------------------------------------------------------ */

CS_TEST(link_types_from_captures)
{
    struct {
        const char *file;
        enum sn_counter cnt;
    } cases[] = {
        {"irc-starttls.pcap", SN_CNT_DECODER_SLL},
        {"linux_dlt_sll2.pcap", SN_CNT_DECODER_SLL2},
        {"dns-svcb.pcap", SN_CNT_DECODER_NULL},
        {"dns_extended_rcode.pcap", SN_CNT_DECODER_RAW},
        {"icmp6-mldv2.pcap", SN_CNT_DECODER_RAW},
        {"tcp-empty-sack.pcap", SN_CNT_DECODER_RAW},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++) {
        struct sn_worker *w = mkw();
        struct tally t = pcap_tally(w, cases[i].file);
        int n = (int)w->counters[SN_CNT_DECODER_PKTS];
        CHECK(n > 0);
        CHECK_EQ(w->counters[cases[i].cnt], n);
        CHECK(t.v4 + t.v6 > 0);
        CHECK_EQ(t.v4 + t.v6, n - (int)w->counters[SN_CNT_DECODER_UNKNOWN_ETHERTYPE]);
        CHECK_EQ(t.l4, t.v4 + t.v6);
        CHECK_EQ(t.err, 0);
        if (t.err)
            printf("  in %s\n", cases[i].file);
        freew(w);
    }
}

CS_TEST(null_and_loop_byte_orders)
{
    struct sn_worker *w = mkw();
    uint8_t b[128], ip[64];
    struct sn_pkt p;
    uint8_t udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    uint32_t il = ip4(ip, 17, NULL, 0, udp, 8, 1, 0);
    const uint8_t fams[][4] = {{2, 0, 0, 0}, {0, 0, 0, 2}, {30, 0, 0, 0}, {0, 0, 0, 24}};

    memcpy(b + 4, ip, il);
    memcpy(b, fams[0], 4);
    CHECK_EQ(dec(w, SN_DLT_NULL, b, 4 + il, &p), CS_OK);
    CHECK_EQ(p.ip_ver, 4);
    memcpy(b, fams[1], 4);
    CHECK_EQ(dec(w, SN_DLT_LOOP, b, 4 + il, &p), CS_OK);
    CHECK_EQ(p.ip_ver, 4);
    memcpy(b, fams[1], 4); /* network order under DLT_NULL also accepted */
    CHECK_EQ(dec(w, SN_DLT_NULL, b, 4 + il, &p), CS_OK);
    b[0] = 7, b[1] = b[2] = b[3] = 0;
    CHECK_EQ(dec(w, SN_DLT_NULL, b, 4 + il, &p), CS_AGAIN);
    CHECK(sn_pkt_has_event(&p, SN_EV_LTNULL_UNSUPPORTED_TYPE));
    CHECK_EQ(dec(w, SN_DLT_NULL, b, 3, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_LTNULL_PKT_TOO_SMALL));
    (void)fams[2];
    (void)fams[3];
    /* raw: DLT_IPV4 and LINKTYPE_RAW, bad version */
    CHECK_EQ(dec(w, SN_DLT_IPV4, ip, il, &p), CS_OK);
    CHECK_EQ(dec(w, SN_DLT_LINKTYPE_RAW, ip, il, &p), CS_OK);
    ip[0] = 0x55;
    CHECK_EQ(dec(w, SN_DLT_RAW, ip, il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPRAW_INVALID_IP_VERSION));
    CHECK_EQ(dec(w, 9999, ip, il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_UNSUPPORTED_LINKTYPE));
    CHECK(sn_decode_dlt_supported(SN_DLT_LINUX_SLL2));
    CHECK(!sn_decode_dlt_supported(9999));
    freew(w);
}

/* ---- L2 encapsulations ------------------------------------------------------------------ */

CS_TEST(vlan_qinq_mpls_pppoe_captures)
{
    struct sn_worker *w = mkw();
    struct tally t = pcap_tally(w, "q-in-q.pcap");
    CHECK_EQ(t.max_vlan, 2);
    CHECK(w->counters[SN_CNT_DECODER_VLAN_QINQ] > 0);
    CHECK_EQ(t.err, 0);
    freew(w);

    w = mkw();
    t = pcap_tally(w, "vlan-qinqinq.pcap");
    CHECK_EQ(t.max_vlan, 3);
    CHECK(t.v4 + t.v6 > 0);
    freew(w);

    w = mkw();
    t = pcap_tally(w, "mpls-in-vlan.pcap");
    CHECK(w->counters[SN_CNT_DECODER_MPLS] > 0);
    CHECK_EQ(t.l4, 3);
    freew(w);

    w = mkw();
    t = pcap_tally(w, "pppoe.pcap");
    CHECK(w->counters[SN_CNT_DECODER_PPPOE] > 0);
    CHECK(t.v6 > 0);
    CHECK(w->event_counts[SN_EV_PPP_UNSUP_PROTO] > 0); /* LCP, IPCP … */
    CHECK_EQ(t.err, 0);
    freew(w);
}

CS_TEST(vlan_layers_and_events)
{
    struct sn_worker *w = mkw();
    uint8_t b[256], ip[64];
    uint8_t udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    uint32_t il = ip4(ip, 17, NULL, 0, udp, 8, 1, 0), o;
    struct sn_pkt p;

    /* 4 tags: too many */
    o = eth(b, 0x88a8);
    for (int i = 0; i < 4; i++) {
        b[o] = 0, b[o + 1] = (uint8_t)(10 + i);
        b[o + 2] = 0x81, b[o + 3] = 0;
        o += 4;
    }
    b[o - 2] = 0x08, b[o - 1] = 0x00;
    memcpy(b + o, ip, il);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_VLAN_TOO_MANY_LAYERS));
    /* 3 tags fine */
    o = eth(b, 0x8100);
    for (int i = 0; i < 3; i++) {
        b[o] = 0x20, b[o + 1] = (uint8_t)(10 + i);
        b[o + 2] = 0x81, b[o + 3] = 0;
        o += 4;
    }
    b[o - 2] = 0x08, b[o - 1] = 0x00;
    memcpy(b + o, ip, il);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK_EQ(p.vlan_cnt, 3);
    CHECK_EQ(p.vlan_id[0], 10);
    CHECK_EQ(p.vlan_id[2], 12);
    /* truncated tag */
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, 16, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_VLAN_HEADER_TOO_SMALL));
    /* max_layers: 3 VLAN tags + ethernet + IP = 5 layers > 4 */
    g_cfg.max_layers = 4;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_TOO_MANY_LAYERS));
    g_cfg.max_layers = 16;
    /* ARP: counted as unknown ethertype, no event; other type: event, not invalid */
    o = eth(b, 0x0806);
    memset(b + o, 0, 28);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 28, &p), CS_AGAIN);
    CHECK_EQ(p.nevents, 0);
    o = eth(b, 0x1234);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 28, &p), CS_AGAIN);
    CHECK(sn_pkt_has_event(&p, SN_EV_ETHERNET_UNKNOWN_ETHERTYPE));
    CHECK(!(p.flags & SN_PKT_INVALID));
    CHECK_EQ(w->counters[SN_CNT_DECODER_UNKNOWN_ETHERTYPE], 2);
    /* PPPoE discovery */
    o = eth(b, 0x8863);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 20, &p), CS_AGAIN);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, 10, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_ETHERNET_PKT_TOO_SMALL));
    freew(w);
}

CS_TEST(mpls_labels)
{
    struct sn_worker *w = mkw();
    uint8_t b[256], ip[64];
    uint8_t udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    uint32_t il = ip4(ip, 17, NULL, 0, udp, 8, 1, 0), o;
    struct sn_pkt p;
    /* two labels: 100, then 200 bottom of stack; IPv4 guessed from the nibble */
    const uint8_t stack[8] = {0x00, 0x06, 0x40, 0x40, 0x00, 0x0c, 0x81, 0x40};

    o = eth(b, 0x8847);
    memcpy(b + o, stack, 8);
    memcpy(b + o + 8, ip, il);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 8 + il, &p), CS_OK);
    CHECK_EQ(p.ip_ver, 4);
    CHECK_EQ(p.dp, 53);
    /* router alert label as the last label */
    b[o + 4] = 0, b[o + 5] = 0, b[o + 6] = 0x11;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 8 + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_MPLS_BAD_LABEL_ROUTER_ALERT));
    /* stack without bottom */
    b[o + 6] = 0x40;
    b[o + 2] = 0x40;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 8, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_MPLS_HEADER_TOO_SMALL));
    freew(w);
}

/* ---- IPv4 ------------------------------------------------------------------------------ */

CS_TEST(ipv4_header_events)
{
    struct sn_worker *w = mkw();
    uint8_t b[256], udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    uint32_t o = eth(b, 0x0800), il = ip4(b + o, 17, NULL, 0, udp, 8, 1, 0);
    struct sn_pkt p;

    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    CHECK(!(p.flags & SN_PKT_CSUM_BAD));
    CHECK_EQ(p.ip_len, 28);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 19, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_PKT_TOO_SMALL));
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + 27, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_TRUNC_PKT));
    b[o] = 0x44;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_HLEN_TOO_SMALL));
    b[o] = 0x65;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_WRONG_IP_VERSION));
    b[o] = 0x45;
    b[o + 3] = 10; /* total length < header */
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_IPLEN_SMALLER_THAN_HLEN));
    /* bad header checksum: flagged and counted, not invalid */
    il = ip4(b + o, 17, NULL, 0, udp, 8, 1, 0);
    b[o + 10] ^= 0x55;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(p.flags & SN_PKT_CSUM_BAD);
    CHECK(!(p.flags & SN_PKT_INVALID));
    CHECK_EQ(w->counters[SN_CNT_IPV4_INVALID_CHECKSUM], 1);
    g_cfg.csum = SN_CSUM_NONE;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(!(p.flags & SN_PKT_CSUM_BAD));
    /* ICMPv6 carried by IPv4 */
    il = ip4(b + o, 58, NULL, 0, udp, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_ICMPV6));
    /* unknown protocol: tracked without ports */
    il = ip4(b + o, 89, NULL, 0, udp, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK_EQ(p.proto, 89);
    CHECK(!(p.flags & SN_PKT_HAS_L4));
    freew(w);
}

static int opt_events(struct sn_worker *w, const uint8_t *opt, uint32_t n, struct sn_pkt *p)
{
    uint8_t b[256], udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    uint32_t o = eth(b, 0x0800), il = ip4(b + o, 17, opt, n, udp, 8, 1, 0);
    return dec(w, SN_DLT_EN10MB, b, o + il, p);
}

CS_TEST(ipv4_options)
{
    struct sn_worker *w = mkw();
    struct sn_pkt p;
    /* RR (7 bytes, pointer 4) + NOP + EOL: padded to 8 */
    const uint8_t rr[8] = {7, 7, 4, 0, 0, 0, 0, 1};
    const uint8_t rtralt[8] = {148, 4, 0, 0, 148, 4, 0, 0};    /* duplicate */
    const uint8_t badlen[8] = {7, 9, 4, 0, 0, 0, 0, 0};        /* longer than area */
    const uint8_t unk[8] = {200, 4, 0, 0, 0, 0, 0, 0};
    const uint8_t rr_bad_ptr[8] = {7, 7, 5, 0, 0, 0, 0, 0};
    const uint8_t eol_req[4] = {1, 1, 1, 7};
    const uint8_t ts[12] = {68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    CHECK_EQ(opt_events(w, rr, 8, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    CHECK_EQ(p.ip4_opts, SN_IPOPT_RR | SN_IPOPT_NOP);
    CHECK_EQ(opt_events(w, rtralt, 8, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_DUPLICATE));
    CHECK(p.ip4_opts & SN_IPOPT_RTRALT);
    CHECK_EQ(opt_events(w, badlen, 8, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_INVALID_LEN));
    CHECK(p.flags & SN_PKT_INVALID);
    CHECK_EQ(opt_events(w, unk, 8, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_INVALID));
    CHECK(!(p.flags & SN_PKT_INVALID));
    CHECK_EQ(opt_events(w, rr_bad_ptr, 8, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_MALFORMED));
    CHECK_EQ(opt_events(w, eol_req, 4, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_EOL_REQUIRED));
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_OPT_PAD_REQUIRED));
    CHECK_EQ(opt_events(w, ts, 12, &p), CS_OK);
    CHECK(p.ip4_opts & SN_IPOPT_TS);
    CHECK(!sn_pkt_has_event(&p, SN_EV_IPV4_OPT_MALFORMED));
    freew(w);
}

/* ---- TCP ------------------------------------------------------------------------------- */

CS_TEST(tcp_options)
{
    struct sn_worker *w = mkw();
    uint8_t b[256];
    struct sn_pkt p;
    const uint8_t all[40] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
                             34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20};
    const uint8_t empty_sack[4] = {1, 1, 5, 2};
    const uint8_t dup_mss[8] = {2, 4, 1, 0, 2, 4, 2, 0};
    const uint8_t bad_ws[4] = {3, 4, 1, 0};
    const uint8_t over[4] = {1, 1, 8, 10};
    const uint8_t exp_tfo[12] = {254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t exp_other[4] = {254, 4, 0x12, 0x34};
    uint32_t n;

    n = tcp_frame(b, all, 40, "hi");
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    CHECK(p.tcpo.has_mss && p.tcpo.mss == 1460);
    CHECK(p.tcpo.has_wscale && p.tcpo.wscale == 7);
    CHECK(p.tcpo.sack_ok);
    CHECK(p.tcpo.has_ts && p.tcpo.ts_val == 1 && p.tcpo.ts_ecr == 2);
    CHECK(p.tcpo.has_tfo && p.tcpo.tfo_len == 8);
    CHECK(p.tcpo.has_sack && p.tcpo.sack_cnt == 1);
    CHECK_EQ(p.tcpo.sack[0][0], 10);
    CHECK_EQ(p.tcpo.sack[0][1], 20);
    CHECK_EQ(p.payload_len, 2);
    CHECK(p.payload && memcmp(p.payload, "hi", 2) == 0);
    CHECK_EQ(p.sp, 1234);
    CHECK_EQ(p.dp, 80);
    CHECK_EQ(p.tcp_flags, SN_TH_SYN);
    CHECK(!(p.flags & SN_PKT_CSUM_BAD));

    n = tcp_frame(b, empty_sack, 4, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    CHECK(!p.tcpo.has_sack);

    n = tcp_frame(b, dup_mss, 8, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_TCP_OPT_DUPLICATE));
    CHECK_EQ(p.tcpo.mss, 256);

    n = tcp_frame(b, bad_ws, 4, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_TCP_OPT_INVALID_LEN));
    CHECK(!p.tcpo.has_wscale);

    n = tcp_frame(b, over, 4, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_TCP_OPT_INVALID_LEN));
    CHECK(p.flags & SN_PKT_INVALID);

    n = tcp_frame(b, exp_tfo, 12, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(p.tcpo.has_tfo && p.tcpo.tfo_len == 8);
    n = tcp_frame(b, exp_other, 4, NULL);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(!p.tcpo.has_tfo);
    CHECK_EQ(p.nevents, 0);

    /* checksum */
    n = tcp_frame(b, NULL, 0, "data");
    b[n - 1] ^= 1;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(p.flags & SN_PKT_CSUM_BAD);
    CHECK_EQ(w->counters[SN_CNT_TCP_INVALID_CHECKSUM], 1);
    g_cfg.csum = SN_CSUM_NONE;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(!(p.flags & SN_PKT_CSUM_BAD));
    g_cfg.csum = SN_CSUM_AUTO;

    /* header errors */
    n = tcp_frame(b, NULL, 0, NULL);
    b[14 + 20 + 12] = 0x40;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_TCP_HLEN_TOO_SMALL));
    b[14 + 20 + 12] = 0xf0;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_TCP_INVALID_OPTLEN));
    freew(w);
}

CS_TEST(tcp_fast_open_capture)
{
    struct sn_worker *w = mkw();
    int tfo = 0;
    struct tally t;
    memset(&t, 0, sizeof(t));
    t = pcap_tally(w, "tcp-fast-open.pcap");
    CHECK_EQ(t.err, 0);
    CHECK_EQ(w->event_counts[SN_EV_TCP_OPT_INVALID_LEN], 0);
    (void)tfo;
    freew(w);
}

static void count_tfo(struct sn_worker *w, struct sn_pkt *p, int rc, void *ctx)
{
    (void)w, (void)rc;
    *(int *)ctx += p->tcpo.has_tfo;
}

CS_TEST(tcp_fast_open_capture_cookie)
{
    struct sn_worker *w = mkw();
    int tfo = 0;
    run_pcap(w, "tcp-fast-open.pcap", count_tfo, &tfo);
    CHECK(tfo >= 2);
    freew(w);
}

/* ---- UDP / ICMP ------------------------------------------------------------------------ */

CS_TEST(udp_lengths_padding_checksum)
{
    struct sn_worker *w = mkw();
    uint8_t b[256];
    struct sn_pkt p;
    uint32_t n = udp_frame(b, 1000, 53, (const uint8_t *)"abcd", 4);

    /* Ethernet padding after the datagram is not payload */
    memset(b + n, 0xee, 20);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n + 20, &p), CS_OK);
    CHECK_EQ(p.payload_len, 4);
    CHECK_EQ(p.sp, 1000);
    CHECK(!(p.flags & SN_PKT_CSUM_BAD));
    b[n - 1] ^= 1;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(p.flags & SN_PKT_CSUM_BAD);
    CHECK_EQ(w->counters[SN_CNT_UDP_INVALID_CHECKSUM], 1);
    /* UDP length larger than the IP payload */
    b[14 + 20 + 5] = 20;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_UDP_PKT_TOO_SMALL));
    b[14 + 20 + 5] = 10;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_UDP_HLEN_INVALID));
    freew(w);
}

CS_TEST(icmp_types_and_quoted_headers)
{
    struct sn_worker *w = mkw();
    uint8_t b[256], ic[64];
    struct sn_pkt p;
    uint32_t o = eth(b, 0x0800), il;

    memset(ic, 0, sizeof(ic));
    ic[0] = 8, ic[4] = 0x12, ic[5] = 0x34, ic[7] = 9;
    il = ip4(b + o, 1, NULL, 0, ic, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    CHECK_EQ(p.icmp_id, 0x1234);
    CHECK_EQ(p.icmp_seq, 9);
    CHECK_EQ(p.sp, 8);
    CHECK(p.flags & SN_PKT_HAS_L4);
    ic[1] = 1; /* echo with code 1 */
    il = ip4(b + o, 1, NULL, 0, ic, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV4_UNKNOWN_CODE));
    ic[0] = 44, ic[1] = 0;
    il = ip4(b + o, 1, NULL, 0, ic, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV4_UNKNOWN_TYPE));
    /* destination unreachable quoting 10 bytes of IPv4, then a version 6 header */
    ic[0] = 3, ic[1] = 3, ic[8] = 0x45;
    il = ip4(b + o, 1, NULL, 0, ic, 18, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV4_IPV4_TRUNC_PKT));
    ic[8] = 0x65;
    il = ip4(b + o, 1, NULL, 0, ic, 36, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV4_IPV4_UNKNOWN_VER));
    il = ip4(b + o, 1, NULL, 0, ic, 4, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV4_PKT_TOO_SMALL));
    freew(w);

    w = mkw();
    struct tally t = pcap_tally(w, "icmp-destunreach-udp.pcap");
    CHECK_EQ(t.l4, 1);
    CHECK_EQ(decoder_events(w), 0);
    freew(w);
}

/* ---- IPv6 ------------------------------------------------------------------------------ */

/* Ethernet + IPv6 with next header nh and payload pl; returns the frame length. */
static uint32_t ip6_frame(uint8_t *b, uint8_t nh, const uint8_t *pl, uint32_t n, uint8_t hlim)
{
    uint32_t o = eth(b, 0x86dd);
    memset(b + o, 0, 40);
    b[o] = 0x60;
    b[o + 4] = (uint8_t)(n >> 8);
    b[o + 5] = (uint8_t)n;
    b[o + 6] = nh;
    b[o + 7] = hlim;
    b[o + 8] = 0xfe, b[o + 9] = 0x80, b[o + 23] = 1;
    b[o + 24] = 0xfe, b[o + 25] = 0x80, b[o + 39] = 2;
    memcpy(b + o + 40, pl, n);
    return o + 40 + n;
}

CS_TEST(ipv6_extension_headers)
{
    struct sn_worker *w = mkw();
    uint8_t b[512], pl[128];
    struct sn_pkt p;
    uint32_t n;

    /* hop-by-hop with only PadN, then UDP */
    memset(pl, 0, sizeof(pl));
    pl[0] = 17, pl[1] = 0, pl[2] = 1, pl[3] = 4;
    pl[9] = 53, pl[11] = 53, pl[13] = 8;
    n = ip6_frame(b, 0, pl, 16, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_HOPOPTS_ONLY_PADDING));
    CHECK_EQ(p.proto, 17);
    CHECK_EQ(p.dp, 53);
    CHECK_EQ(p.ip_hlen, 48);
    /* unknown option in a destination options header */
    pl[2] = 0x3e, pl[3] = 4;
    n = ip6_frame(b, 60, pl, 16, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_DSTOPTS_UNKNOWN_OPT));
    /* option running past its header */
    pl[3] = 9;
    n = ip6_frame(b, 0, pl, 16, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_EXTHDR_INVALID_OPTLEN));
    /* routing header type 0, then no next header with trailing data */
    memset(pl, 0, sizeof(pl));
    pl[0] = 59, pl[1] = 0, pl[2] = 0;
    n = ip6_frame(b, 43, pl, 12, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_RH_TYPE_0));
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_DATA_AFTER_NONE_HEADER));
    /* truncated extension header */
    pl[1] = 4;
    n = ip6_frame(b, 43, pl, 12, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_TRUNC_EXTHDR));
    /* atomic fragment: useless fragment header, decoded as a whole */
    memset(pl, 0, sizeof(pl));
    pl[0] = 17;
    pl[9] = 53, pl[11] = 53, pl[13] = 8;
    n = ip6_frame(b, 44, pl, 16, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_EXTHDR_USELESS_FH));
    CHECK_EQ(p.dp, 53);
    /* AH with reserved bits, then ESP */
    memset(pl, 0, sizeof(pl));
    pl[0] = 50, pl[1] = 1, pl[3] = 1;
    n = ip6_frame(b, 51, pl, 24, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_EXTHDR_AH_RES_NOT_NULL));
    CHECK_EQ(p.proto, 50);
    /* truncated payload, wrong version */
    n = ip6_frame(b, 59, pl, 24, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n - 1, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_TRUNC_PKT));
    b[14] = 0x40;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_WRONG_IP_VERSION));
    /* ICMPv6: echo, MLD with a bad hop limit, unassigned and experimental types */
    memset(pl, 0, sizeof(pl));
    pl[0] = 128, pl[5] = 7;
    n = ip6_frame(b, 58, pl, 8, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK_EQ(p.icmp_id, 7);
    CHECK_EQ(p.nevents, 0);
    pl[0] = 130;
    n = ip6_frame(b, 58, pl, 24, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL));
    n = ip6_frame(b, 58, pl, 24, 1);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK_EQ(p.nevents, 0);
    pl[0] = 50;
    n = ip6_frame(b, 58, pl, 8, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV6_UNASSIGNED_TYPE));
    pl[0] = 200;
    n = ip6_frame(b, 58, pl, 8, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV6_EXPERIMENTATION_TYPE));
    pl[0] = 1, pl[1] = 9;
    n = ip6_frame(b, 58, pl, 8, 64);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(sn_pkt_has_event(&p, SN_EV_ICMPV6_UNKNOWN_CODE));
    freew(w);

    w = mkw();
    struct tally t = pcap_tally(w, "ipv6-hbh-routing0.pcap");
    CHECK(w->event_counts[SN_EV_IPV6_RH_TYPE_0] == 1);
    CHECK_EQ(t.v6, 1);
    freew(w);
}

/* ---- defrag ---------------------------------------------------------------------------- */

/* Sends one IPv4 fragment of payload pl (offset in bytes) with time t seconds. */
static int frag4(struct sn_worker *w, uint16_t id, const uint8_t *pl, uint32_t off, uint32_t len,
                 bool more, uint64_t t, struct sn_pkt *p)
{
    uint8_t b[2048];
    uint32_t o = eth(b, 0x0800);
    uint32_t il = ip4(b + o, 17, NULL, 0, pl + off, len, id,
                      (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
    memset(p, 0, sizeof(*p));
    p->data = b;
    p->caplen = p->wirelen = o + il;
    p->datalink = SN_DLT_EN10MB;
    p->ts_us = t * 1000000;
    return sn_decode(w, p);
}

/* UDP datagram of 8 + 40 bytes with a valid checksum, as the reassembled payload. */
static void udp_dgram(uint8_t *d)
{
    uint8_t ip[128];
    d[0] = 0x13, d[1] = 0x88, d[2] = 0, d[3] = 53, d[4] = 0, d[5] = 48;
    for (int i = 8; i < 48; i++)
        d[i] = (uint8_t)('a' + i % 26);
    ip4(ip, 17, NULL, 0, d, 48, 1, 0);
    l4sum4(ip, 17, d, 48, 6);
}

CS_TEST(defrag_ipv4_orders_overlap)
{
    struct sn_worker *w = mkw();
    uint8_t d[48];
    struct sn_pkt p;

    udp_dgram(d);
    sn_decode_rebuilt_cb = rebuilt_cb;
    /* in order */
    rb_count = 0;
    CHECK_EQ(frag4(w, 7, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK(p.flags & SN_PKT_IS_FRAGMENT);
    CHECK_EQ(frag4(w, 7, d, 16, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(rb_count, 0);
    CHECK_EQ(frag4(w, 7, d, 32, 16, false, 1, &p), CS_AGAIN);
    CHECK_EQ(rb_count, 1);
    CHECK(rb_last.flags & SN_PKT_REBUILT);
    CHECK(rb_last.flags & SN_PKT_HAS_L4);
    CHECK(!(rb_last.flags & SN_PKT_CSUM_BAD));
    CHECK_EQ(rb_last.dp, 53);
    CHECK_EQ(rb_last.payload_len, 40);
    CHECK(memcmp(rb_payload, d + 8, 40) == 0);
    CHECK_EQ(rb_last.vlan_cnt, 0);
    CHECK_EQ(w->counters[SN_CNT_DEFRAG_IPV4_REASSEMBLED], 1);
    CHECK_EQ(w->counters[SN_CNT_DEFRAG_IPV4_FRAGMENTS], 3);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 0);
    CHECK_EQ(sn_defrag_memuse(w->defrag), 0);

    /* out of order, with an overlapping duplicate whose bytes differ: first copy wins */
    rb_count = 0;
    CHECK_EQ(frag4(w, 8, d, 32, 16, false, 2, &p), CS_AGAIN);
    CHECK_EQ(frag4(w, 8, d, 16, 16, true, 2, &p), CS_AGAIN);
    {
        uint8_t evil[48];
        memcpy(evil, d, 48);
        memset(evil + 16, 'X', 24);
        CHECK_EQ(frag4(w, 8, evil, 16, 24, true, 2, &p), CS_AGAIN);
        CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_FRAG_OVERLAP));
    }
    CHECK_EQ(rb_count, 0);
    CHECK_EQ(frag4(w, 8, d, 0, 16, true, 2, &p), CS_AGAIN);
    CHECK_EQ(rb_count, 1);
    CHECK(memcmp(rb_payload, d + 8, 40) == 0);
    CHECK(!(rb_last.flags & SN_PKT_CSUM_BAD));

    /* too large */
    {
        uint8_t big[1600];
        memset(big, 0, sizeof(big));
        memcpy(big, d, 48);
        CHECK_EQ(frag4(w, 9, big, 0, 16, true, 3, &p), CS_AGAIN);
        /* offset 65520 + 24 > 65535 */
        uint8_t b[256];
        uint32_t o = eth(b, 0x0800);
        uint32_t il = ip4(b + o, 17, NULL, 0, big, 24, 9, (uint16_t)(65520 / 8));
        CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_AGAIN);
        CHECK(sn_pkt_has_event(&p, SN_EV_IPV4_FRAG_PKT_TOO_LARGE));
    }
    sn_decode_rebuilt_cb = NULL;
    freew(w);
}

CS_TEST(defrag_timeout_and_memcap)
{
    struct sn_worker *w = mkw();
    uint8_t d[48];
    struct sn_pkt p;

    udp_dgram(d);
    sn_decode_rebuilt_cb = rebuilt_cb;
    rb_count = 0;
    /* timeout: the first part expires before the rest arrives */
    CHECK_EQ(frag4(w, 20, d, 0, 16, true, 100, &p), CS_AGAIN);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 1);
    sn_defrag_timeout(w, 130 * 1000000ull);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 1);
    sn_defrag_timeout(w, 161 * 1000000ull + 1);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 0);
    CHECK_EQ(sn_defrag_memuse(w->defrag), 0);
    CHECK_EQ(frag4(w, 20, d, 16, 32, false, 162, &p), CS_AGAIN);
    CHECK_EQ(rb_count, 0);
    /* expiry also happens when later fragments arrive */
    CHECK_EQ(frag4(w, 21, d, 0, 16, true, 400, &p), CS_AGAIN);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 1); /* id 20 expired at time 400 */
    sn_defrag_free(w->defrag);

    /* memcap: room for about one tracker */
    g_cfg.defrag_memcap = 400;
    w->defrag = sn_defrag_new(&g_cfg, 1);
    CHECK_EQ(frag4(w, 30, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(frag4(w, 31, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(frag4(w, 32, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK(w->counters[SN_CNT_DEFRAG_MEMCAP_EXCEPTION] > 0);
    CHECK(sn_defrag_memuse(w->defrag) <= 400);
    sn_defrag_free(w->defrag);

    /* tracker limit */
    sn_config_defaults(&g_cfg);
    g_cfg.defrag_max_frags = 2;
    w->defrag = sn_defrag_new(&g_cfg, 1);
    CHECK_EQ(frag4(w, 40, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(frag4(w, 41, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(frag4(w, 42, d, 0, 16, true, 1, &p), CS_AGAIN);
    CHECK_EQ(w->counters[SN_CNT_DEFRAG_MAX_TRACKERS_REACHED], 1);
    CHECK_EQ(sn_defrag_trackers(w->defrag), 2);
    sn_decode_rebuilt_cb = NULL;
    freew(w);
}

/* IPv6 fragment: hop-by-hop header (unfragmentable), then the fragment header. */
static int frag6(struct sn_worker *w, uint32_t id, const uint8_t *pl, uint32_t off,
                 uint32_t len, bool more, struct sn_pkt *p, uint8_t *b)
{
    uint8_t x[256];
    uint32_t n;
    memset(x, 0, 16);
    x[0] = 44, x[1] = 0, x[2] = 1, x[3] = 4; /* HBH: PadN 4 */
    x[8] = 17;
    x[10] = (uint8_t)(off >> 8);
    x[11] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
    x[12] = (uint8_t)(id >> 24), x[13] = (uint8_t)(id >> 16);
    x[14] = (uint8_t)(id >> 8), x[15] = (uint8_t)id;
    memcpy(x + 16, pl + off, len);
    n = ip6_frame(b, 0, x, 16 + len, 64);
    memset(p, 0, sizeof(*p));
    p->data = b;
    p->caplen = p->wirelen = n;
    p->datalink = SN_DLT_EN10MB;
    p->ts_us = 5000000;
    return sn_decode(w, p);
}

CS_TEST(defrag_ipv6)
{
    struct sn_worker *w = mkw();
    uint8_t d[48], b[512];
    struct sn_pkt p;

    memset(d, 0, sizeof(d));
    d[0] = 0x13, d[1] = 0x88, d[3] = 53, d[5] = 48;
    for (int i = 8; i < 48; i++)
        d[i] = (uint8_t)i;
    sn_decode_rebuilt_cb = rebuilt_cb;
    rb_count = 0;
    CHECK_EQ(frag6(w, 99, d, 24, 24, false, &p, b), CS_AGAIN);
    CHECK(p.flags & SN_PKT_IS_FRAGMENT);
    CHECK_EQ(frag6(w, 99, d, 0, 24, true, &p, b), CS_AGAIN);
    CHECK_EQ(rb_count, 1);
    CHECK_EQ(rb_last.ip_ver, 6);
    CHECK_EQ(rb_last.proto, 17);
    CHECK_EQ(rb_last.dp, 53);
    CHECK_EQ(rb_last.payload_len, 40);
    CHECK(memcmp(rb_payload, d + 8, 40) == 0);
    CHECK_EQ(w->counters[SN_CNT_DEFRAG_IPV6_REASSEMBLED], 1);
    /* overlap */
    CHECK_EQ(frag6(w, 100, d, 0, 24, true, &p, b), CS_AGAIN);
    CHECK_EQ(frag6(w, 100, d, 16, 16, true, &p, b), CS_AGAIN);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_FRAG_OVERLAP));
    /* non-final fragment whose length is not a multiple of 8 */
    CHECK_EQ(frag6(w, 101, d, 0, 20, true, &p, b), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_IPV6_FRAG_INVALID_LENGTH));
    sn_decode_rebuilt_cb = NULL;
    freew(w);
}

CS_TEST(defrag_captures)
{
    struct sn_worker *w = mkw();
    struct tally t;

    sn_decode_rebuilt_cb = rebuilt_cb;
    rb_count = 0;
    t = pcap_tally(w, "fragmented-1.pcap");
    CHECK_EQ(t.frag, 3);
    CHECK_EQ(rb_count, 1);
    /* an adversarial capture: the first fragment's UDP header announces 18 bytes, the
     * datagram rebuilt first-wins is 164 bytes of UDP: length mismatch */
    CHECK_EQ(rb_last.ip_len, 184);
    CHECK(rb_last.flags & SN_PKT_INVALID);
    CHECK(sn_pkt_has_event(&rb_last, SN_EV_UDP_HLEN_INVALID));
    CHECK(w->event_counts[SN_EV_IPV4_FRAG_OVERLAP] >= 1);
    freew(w);

    w = mkw();
    rb_count = 0;
    t = pcap_tally(w, "ipv6-fragmented-dns.pcap");
    CHECK(rb_count >= 1);
    CHECK_EQ(rb_last.ip_ver, 6);
    CHECK_EQ(rb_last.proto, 17);
    CHECK_EQ(w->counters[SN_CNT_DEFRAG_IPV6_REASSEMBLED], (uint64_t)rb_count);
    sn_decode_rebuilt_cb = NULL;
    freew(w);
}

/* ---- tunnels --------------------------------------------------------------------------- */

CS_TEST(tunnels_from_captures)
{
    struct {
        const char *file;
        enum sn_counter cnt;
        int inner_ver;
    } cases[] = {
        {"4in4.pcap", SN_CNT_DECODER_IPV4_IN_IPV4, 4},
        {"4in6.pcap", SN_CNT_DECODER_IPV4_IN_IPV6, 4},
        {"6in4.pcap", SN_CNT_DECODER_IPV6_IN_IPV4, 6},
        {"6in6.pcap", SN_CNT_DECODER_IPV6_IN_IPV6, 6},
        {"gre-sample.pcap", SN_CNT_DECODER_GRE, 4},
        {"gre-pptp.pcap", SN_CNT_DECODER_GRE, 4},
        {"vxlan.pcap", SN_CNT_DECODER_VXLAN, 4},
        {"Teredo.pcap", SN_CNT_DECODER_TEREDO, 6},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(cases); i++) {
        struct sn_worker *w = mkw();
        struct tally t = pcap_tally(w, cases[i].file);
        CHECK(w->counters[cases[i].cnt] > 0);
        CHECK(t.tunnel > 0);
        if (cases[i].inner_ver == 4)
            CHECK(w->counters[SN_CNT_DECODER_IPV4] > (uint64_t)t.tunnel - 1);
        CHECK(t.err == 0 || t.err < t.ok);
        if (!(w->counters[cases[i].cnt] > 0 && t.tunnel > 0))
            printf("  in %s\n", cases[i].file);
        freew(w);
    }
}

CS_TEST(tunnel_inner_fields_vxlan_synthetic)
{
    struct sn_worker *w = mkw();
    uint8_t inner[128], vx[160], b[256];
    struct sn_pkt p;
    uint32_t o = eth(inner, 0x0800), il, n;
    uint8_t seg[64];
    uint32_t sl = tcp_hdr(seg, NULL, 0, "x");

    il = ip4(inner + o, 6, NULL, 0, seg, sl, 5, 0);
    inner[o + 15] = 9; /* inner src 10.0.0.9 */
    memset(vx, 0, 8);
    vx[0] = 0x08;
    vx[6] = 1;
    memcpy(vx + 8, inner, o + il);
    n = udp_frame(b, 40000, 4789, vx, 8 + o + il);
    /* prepend one VLAN tag to the outer frame */
    {
        uint8_t t[300];
        memcpy(t, b, 12);
        t[12] = 0x81, t[13] = 0, t[14] = 0, t[15] = 42;
        memcpy(t + 16, b + 12, n - 12);
        memcpy(b, t, n + 4);
        n += 4;
    }
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(p.flags & SN_PKT_TUNNEL);
    CHECK_EQ(p.tunnel_depth, 1);
    CHECK_EQ(p.proto, 6);
    CHECK_EQ(p.sp, 1234);
    CHECK_EQ(p.src.u8[3], 9);
    CHECK_EQ(p.vlan_cnt, 1);
    CHECK_EQ(p.vlan_id[0], 42);
    CHECK(p.eth == b);
    CHECK_EQ(p.payload_len, 1);
    /* not VXLAN (flags byte wrong): plain UDP to 4789 */
    b[18 + 20 + 8] = 0x0c;
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, n, &p), CS_OK);
    CHECK(!(p.flags & SN_PKT_TUNNEL));
    CHECK_EQ(p.dp, 4789);
    freew(w);
}

CS_TEST(gre_events)
{
    struct sn_worker *w = mkw();
    uint8_t b[256], g[64];
    struct sn_pkt p;
    uint32_t o = eth(b, 0x0800), il;

    memset(g, 0, sizeof(g));
    g[0] = 0x00, g[1] = 0x03; /* version 3 */
    il = ip4(b + o, 47, NULL, 0, g, 8, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_GRE_WRONG_VERSION));
    g[0] = 0x20, g[1] = 0x00, g[2] = 0x08, g[3] = 0x00; /* key flag, but no room */
    il = ip4(b + o, 47, NULL, 0, g, 6, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_GRE_VERSION0_HDR_TOO_BIG));
    g[0] = 0x00, g[1] = 0x01, g[2] = 0x88, g[3] = 0x0b; /* v1 without key */
    il = ip4(b + o, 47, NULL, 0, g, 12, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_GRE_VERSION1_NO_KEY));
    g[0] = 0x00, g[1] = 0x00;
    il = ip4(b + o, 47, NULL, 0, g, 2, 1, 0);
    CHECK_EQ(dec(w, SN_DLT_EN10MB, b, o + il, &p), CS_ERR);
    CHECK(sn_pkt_has_event(&p, SN_EV_GRE_PKT_TOO_SMALL));
    freew(w);
}

/* ---- dispatch hash --------------------------------------------------------------------- */

CS_TEST(dispatch_hash_symmetric)
{
    uint8_t a[256], r[256];
    uint32_t n = tcp_frame(a, NULL, 0, "x");
    uint32_t ha, hr;

    memcpy(r, a, n);
    memcpy(r + 14 + 12, a + 14 + 16, 4);
    memcpy(r + 14 + 16, a + 14 + 12, 4);
    ha = sn_decode_dispatch_hash(SN_DLT_EN10MB, a, n);
    hr = sn_decode_dispatch_hash(SN_DLT_EN10MB, r, n);
    CHECK(ha != 0);
    CHECK_EQ(ha, hr);
    r[14 + 12] ^= 1; /* another pair */
    CHECK(sn_decode_dispatch_hash(SN_DLT_EN10MB, r, n) != ha);
    CHECK_EQ(sn_decode_dispatch_hash(SN_DLT_EN10MB, a, 20), 0);
    CHECK_EQ(sn_decode_dispatch_hash(SN_DLT_EN10MB, NULL, 0), 0);
    CHECK_EQ(sn_decode_dispatch_hash(SN_DLT_RAW, a + 14, n - 14), ha);
    for (uint32_t i = 0; i <= n; i++)
        (void)sn_decode_dispatch_hash(SN_DLT_EN10MB, a, i);
}

/* ---- robustness: every prefix of every packet of every capture --------------------------- */

struct prefix_ctx {
    int pkts;
};

static void prefix_fn(struct sn_worker *w, struct sn_pkt *p, int rc, void *ctx)
{
    struct prefix_ctx *c = ctx;
    uint32_t n = p->caplen < 600 ? p->caplen : 600;
    uint8_t *copy = malloc(n ? n : 1);
    (void)rc;
    c->pkts++;
    for (uint32_t len = 0; len <= n; len++) {
        struct sn_pkt q;
        memcpy(copy, p->data, len); /* exact-size heap copy: ASan sees any over-read */
        memset(&q, 0, sizeof(q));
        q.data = copy;
        q.caplen = len;
        q.wirelen = p->wirelen;
        q.datalink = p->datalink;
        q.ts_us = p->ts_us;
        int r = sn_decode(w, &q);
        if (r != CS_OK && r != CS_AGAIN && r != CS_ERR)
            CS_FAILF("bad return %d", r);
        (void)sn_decode_dispatch_hash(q.datalink, copy, len);
        free(copy);
        copy = malloc(n ? n : 1);
    }
    free(copy);
}

CS_TEST(every_prefix_of_real_packets)
{
    const char *files[] = {"anomaly.pcap", "ip_secopt.pcap", "tcp-empty-sack.pcap",
                           "irc-starttls.pcap", "linux_dlt_sll2.pcap", "dns-svcb.pcap",
                           "dns_extended_rcode.pcap", "icmp6-mldv2.pcap", "q-in-q.pcap",
                           "vlan-qinqinq.pcap", "mpls-in-vlan.pcap", "pppoe.pcap",
                           "4in4.pcap", "4in6.pcap", "6in4.pcap", "6in6.pcap",
                           "gre-sample.pcap", "gre-pptp.pcap", "vxlan.pcap", "Teredo.pcap",
                           "fragmented-1.pcap", "ipv6-fragmented-dns.pcap",
                           "ipv6-hbh-routing0.pcap", "icmp-destunreach-udp.pcap",
                           "tcp-fast-open.pcap"};
    struct sn_worker *w = mkw();
    struct prefix_ctx c = {0};

    sn_decode_rebuilt_cb = rebuilt_cb;
    for (size_t i = 0; i < CS_ARRAY_LEN(files); i++)
        CHECK(run_pcap(w, files[i], prefix_fn, &c) > 0);
    CHECK(c.pkts > 300);
    sn_decode_rebuilt_cb = NULL;
    freew(w);
}

CS_TEST_MAIN()
