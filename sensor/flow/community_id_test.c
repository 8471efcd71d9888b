/* community_id_test.c — Community ID v1 against the reference values.
 *
 * Expected strings come from the spec repository's baseline
 * (github.com/corelight/community-id-spec, baseline/baseline_deflt.json and
 * baseline_seed1.json) and from the Zeek plugin's test baselines
 * (github.com/corelight/zeek-community-id, tests/Baseline/communityid.run-pcaps/),
 * which were computed over the traces copied to tests/data/pcaps/community-id/. */
#include "flow.h"

#include "../config.h"
#include "../../lib/cs_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>

struct cid_case {
    uint16_t seed;
    uint8_t proto;
    const char *saddr, *daddr;
    uint16_t sp, dp; /* ICMP: type, code */
    const char *expect;
};

static size_t cid_of(const struct cid_case *c, char *out, size_t outsz)
{
    uint8_t a[16] = {0}, b[16] = {0};
    int ver = strchr(c->saddr, ':') ? 6 : 4;
    int af = ver == 6 ? AF_INET6 : AF_INET;
    if (inet_pton(af, c->saddr, a) != 1 || inet_pton(af, c->daddr, b) != 1)
        return 0;
    return sn_community_id(c->seed, ver, a, b, c->proto, c->sp, c->dp, out, outsz);
}

/* Spec baseline (seed 0 and 1); ICMP entries carry the message type and code. */
static const struct cid_case spec_cases[] = {
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0,
     "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0,
     "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
    {0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
     "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0,
     "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {0, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
     "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
    {0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "192.168.0.1", "192.168.0.89", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
    {0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {0, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    /* seed 1 */
    {1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
     "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0,
     "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {1, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
    {1, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
     "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
    {1, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
     "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
    {1, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
    {1, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
    {1, 1, "192.168.0.1", "192.168.0.89", 0, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
    {1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {1, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {1, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {1, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
    /* Zeek plugin baseline for icmp6.pcap (one-way messages keep their direction) */
    {0, 58, "3ffe:501:0:1802:260:97ff:feb6:7ff0", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:bnQKq8A2r//dWnkRW2EYcMhShjc="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:4819::42", 1, 4,
     "1:jwuBy9UWZK1KUFqJV5cHdVpfrlY="},
    {0, 58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:NdobDX8PQNJbAyfkWxhtL2Pqp5w="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:507:0:1:260:97ff:fe07:69ea", 128, 0,
     "1:GpbEQrKqfWtsfsFiqg8fufoZe5Y="},
    {0, 58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
     "1:GpbEQrKqfWtsfsFiqg8fufoZe5Y="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:507:0:1:260:97ff:fe07:69ea", 135, 0,
     "1:ORxAZfN3ld7Sv73/HQTNnvgxbpY="},
    {0, 58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 135, 0,
     "1:BtEUCMYecYjJ7spEkVZDiCFaMTY="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "ff02::1:ff07:69ea", 135, 0,
     "1:MEixa66kuz0OMvlQqnAIzP3n2xg="},
};

CS_TEST(cid_reference_values)
{
    char out[64];
    for (size_t i = 0; i < CS_ARRAY_LEN(spec_cases); i++) {
        size_t n = cid_of(&spec_cases[i], out, sizeof(out));
        CHECK_EQ(n, 30);
        CHECK_EQ(strlen(out), n);
        if (strcmp(out, spec_cases[i].expect) != 0)
            CS_FAILF("case %zu: %s != %s", i, out, spec_cases[i].expect);
    }
}

CS_TEST(cid_is_sensitive_to_every_field)
{
    struct cid_case c = {0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, NULL};
    char base[64], out[64];
    REQUIRE(cid_of(&c, base, sizeof(base)) == 30);
    CHECK_STR(base, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");

    struct cid_case v = c;
    v.seed = 2;
    cid_of(&v, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
    v = c;
    v.sp = 34856;
    cid_of(&v, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
    v = c;
    v.proto = 17;
    cid_of(&v, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
    v = c;
    v.daddr = "66.35.250.205";
    cid_of(&v, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
    /* ports swapped without addresses: a different flow */
    v = c;
    v.sp = 80;
    v.dp = 34855;
    cid_of(&v, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
    /* one-way ICMP is not reordered: the reverse direction is another id */
    struct cid_case i1 = {0, 1, "10.0.0.1", "10.0.0.2", 11, 0, NULL};
    struct cid_case i2 = {0, 1, "10.0.0.2", "10.0.0.1", 11, 0, NULL};
    cid_of(&i1, base, sizeof(base));
    cid_of(&i2, out, sizeof(out));
    CHECK(strcmp(out, base) != 0);
}

CS_TEST(cid_rejects_bad_arguments)
{
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    char out[64] = "x";
    CHECK_EQ(sn_community_id(0, 4, a, b, 6, 1, 2, out, 30), 0); /* no room for the NUL */
    CHECK_EQ(out[0], '\0');
    CHECK_EQ(sn_community_id(0, 4, a, b, 6, 1, 2, out, 31), 30);
    CHECK_EQ(sn_community_id(0, 5, a, b, 6, 1, 2, out, sizeof(out)), 0);
    CHECK_EQ(sn_community_id(0, 4, NULL, b, 6, 1, 2, out, sizeof(out)), 0);
}

/* ---- the traces through the flow table ---------------------------------------------------- */

#define MAX_ENDED 64
static struct sn_flow ended[MAX_ENDED];
static int nended;

static void on_end(struct sn_worker *w, struct sn_flow *f)
{
    if (nended < MAX_ENDED)
        ended[nended] = *f;
    nended++;
}

/* Minimal Ethernet / IPv4 / IPv6 / L4 parsing: enough for these traces. */
static bool parse(const uint8_t *d, uint32_t len, struct sn_pkt *p)
{
    uint32_t off = 14;
    uint16_t et;
    const uint8_t *l4;
    uint32_t l4len;

    if (len < 14)
        return false;
    et = cs_get_be16(d + 12);
    while (et == 0x8100 && len >= off + 4 && p->vlan_cnt < SN_MAX_VLAN) {
        p->vlan_id[p->vlan_cnt++] = cs_get_be16(d + off) & 0x0fff;
        et = cs_get_be16(d + off + 2);
        off += 4;
    }
    if (et == 0x0800) {
        if (len < off + 20)
            return false;
        uint32_t hl = (d[off] & 0x0f) * 4u;
        p->ip_ver = 4;
        p->proto = d[off + 9];
        memcpy(p->src.u8, d + off + 12, 4);
        memcpy(p->dst.u8, d + off + 16, 4);
        if (cs_get_be16(d + off + 6) & 0x3fff)
            p->flags |= SN_PKT_IS_FRAGMENT;
        off += hl;
    } else if (et == 0x86dd) {
        if (len < off + 40)
            return false;
        p->ip_ver = 6;
        p->proto = d[off + 6];
        memcpy(p->src.u8, d + off + 8, 16);
        memcpy(p->dst.u8, d + off + 24, 16);
        off += 40;
    } else {
        return false;
    }
    if (len < off + 8)
        return true;
    l4 = d + off;
    l4len = len - off;
    (void)l4len;
    switch (p->proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        p->sp = cs_get_be16(l4);
        p->dp = cs_get_be16(l4 + 2);
        if (p->proto == IPPROTO_TCP && len >= off + 14)
            p->tcp_flags = l4[13];
        p->flags |= SN_PKT_HAS_L4;
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        p->icmp_type = l4[0];
        p->icmp_code = l4[1];
        p->icmp_id = cs_get_be16(l4 + 4);
        p->sp = p->icmp_type;
        p->dp = p->icmp_code;
        p->flags |= SN_PKT_HAS_L4;
        break;
    default:
        break;
    }
    return true;
}

/* Runs a trace through a fresh table, flushes it, and returns the number of flows. */
static int run_trace(const char *name, uint64_t *npkts)
{
    char path[512], errbuf[PCAP_ERRBUF_SIZE];
    struct sn_config cfg;
    struct sn_worker *w = calloc(1, sizeof(*w));
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *pc;
    int rc = -1;

    nended = 0;
    *npkts = 0;
    if (!w)
        return -1;
    sn_config_defaults(&cfg);
    w->cfg = &cfg;
    w->flows = sn_flow_table_new(&cfg, 1, on_end);
    snprintf(path, sizeof(path), "%s/pcaps/community-id/%s", cs_test_data_dir(), name);
    pc = pcap_open_offline(path, errbuf);
    if (!pc || !w->flows) {
        printf("cannot open %s: %s\n", path, errbuf);
        goto out;
    }
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct sn_pkt p;
        memset(&p, 0, sizeof(p));
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        if (!parse(data, h->caplen, &p))
            continue;
        if (sn_flow_handle(w, &p)) {
            (*npkts)++;
            if (p.flow != NULL && p.dir == SN_TOSERVER && !sn_addr_eq(&p.src, &p.flow->src))
                printf("direction mismatch in %s\n", name);
        }
    }
    sn_flow_flush(w, SN_FLOW_END_SHUTDOWN);
    rc = nended;
out:
    if (pc)
        pcap_close(pc);
    sn_flow_table_free(w->flows);
    free(w);
    return rc;
}

static bool ended_has(const char *cid, uint32_t pkts0, uint32_t pkts1)
{
    char out[64];
    for (int i = 0; i < nended && i < MAX_ENDED; i++) {
        sn_flow_community_id(&ended[i], 0, out, sizeof(out));
        if (strcmp(out, cid) == 0 && (pkts0 == 0 || ended[i].pkts[0] == pkts0) &&
            (pkts1 == 0 || ended[i].pkts[1] == pkts1))
            return true;
    }
    return false;
}

CS_TEST(cid_traces_single_flow)
{
    static const struct {
        const char *file;
        const char *cid;
        uint32_t toserver, toclient;
    } traces[] = {
        {"tcp.pcap", "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", 6, 6},
        {"udp.pcap", "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", 1, 1},
        {"icmp.pcap", "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", 8, 4},
        {"ipv6.pcap", "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", 9, 8},
        {"sctp.pcap", "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", 37, 37},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(traces); i++) {
        uint64_t npkts;
        int n = run_trace(traces[i].file, &npkts);
        if (n != 1)
            CS_FAILF("%s: %d flows", traces[i].file, n);
        if (!ended_has(traces[i].cid, traces[i].toserver, traces[i].toclient))
            CS_FAILF("%s: flow with %s (%u/%u pkts) not found", traces[i].file, traces[i].cid,
                     traces[i].toserver, traces[i].toclient);
        CHECK_EQ(npkts, traces[i].toserver + traces[i].toclient);
        if (n == 1)
            CHECK_EQ(ended[0].end_reason, SN_FLOW_END_SHUTDOWN);
    }
    /* a wrong value is not found */
    CHECK(!ended_has("1:LQU9qZlK+B5F3KDmev6m5PMibrg=", 0, 0));
}

CS_TEST(cid_trace_icmp6_flows)
{
    /* echo pairs share a flow per echo id, error messages get their own flow per address
     * pair, other messages one flow per address pair; each flow's id is one Zeek computed */
    static const char *const expect[] = {
        "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", /* fe80 neighbour discovery */
        "1:BtEUCMYecYjJ7spEkVZDiCFaMTY=", /* 3ffe:507 neighbour discovery, 69ea first */
        "1:NdobDX8PQNJbAyfkWxhtL2Pqp5w=", /* time exceeded 69ea -> 80da */
        "1:bnQKq8A2r//dWnkRW2EYcMhShjc=", "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=",
        "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=",
        "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:pkvHqCL88/tg1k4cPigmZXUtL00=",
        "1:jwuBy9UWZK1KUFqJV5cHdVpfrlY=", "1:MEixa66kuz0OMvlQqnAIzP3n2xg=",
        "1:GpbEQrKqfWtsfsFiqg8fufoZe5Y=",
    };
    uint64_t npkts;
    int n = run_trace("icmp6.pcap", &npkts);
    CHECK_EQ(n, (int)CS_ARRAY_LEN(expect));
    CHECK_EQ(npkts, 49);
    for (size_t i = 0; i < CS_ARRAY_LEN(expect); i++)
        if (!ended_has(expect[i], 0, 0))
            CS_FAILF("flow %s not found", expect[i]);
    /* the two echo flows saw requests and replies */
    CHECK(ended_has("1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", 3, 3));
    CHECK(ended_has("1:GpbEQrKqfWtsfsFiqg8fufoZe5Y=", 5, 5));
    CHECK(!ended_has("1:zavyT/cezQr1fmImYCwYnMXbgck=", 0, 0));
}

CS_TEST_MAIN()
