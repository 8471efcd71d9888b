/* gen_flows.c — writes a synthetic capture with N concurrent flows, for flow-table benchmarks.
 *
 * usage: gen_flows OUT.pcap N
 *
 * Even flows are TCP (client:port -> server:80, a three-way handshake), odd flows are UDP
 * (client:port -> server:9999, a request and a reply). The packets are interleaved by phase:
 * first every flow's opening packet, then every reply, then every TCP ACK, so all N flows are
 * alive at the end of the file. Timestamps span 20 s, well inside flow timeouts. Clients are
 * 10.0.0.0/8 addresses derived from the flow number (2^24 - 2 per source-port
 * block, 16 blocks), servers 198.18.0.1-250. IPv4, TCP and UDP checksums are correct. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define UDP_PAYLOAD 32
#define SPAN_US 20000000ull /* all packets within 20 s */
#define START_SEC 1700000000ull
#define CLIENTS 0xfffffeull      /* client addresses per source-port block */
#define MAX_FLOWS (CLIENTS * 16) /* 16 source-port blocks */

struct flow_addr {
    uint8_t cli[4], srv[4];
    uint16_t cport, sport;
    uint32_t cisn, sisn;
    int tcp;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t mix32(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static void flow_addr(uint64_t i, struct flow_addr *f)
{
    uint32_t c = (uint32_t)(i % CLIENTS + 1); /* 10.0.0.1 .. 10.255.255.254 */
    uint64_t block = i / CLIENTS;

    f->cli[0] = 10;
    f->cli[1] = (uint8_t)(c >> 16);
    f->cli[2] = (uint8_t)(c >> 8);
    f->cli[3] = (uint8_t)c;
    f->srv[0] = 198;
    f->srv[1] = 18;
    f->srv[2] = 0;
    f->srv[3] = (uint8_t)(1 + i % 250);
    f->cport = (uint16_t)(1024 + block * 4032 + mix32(i) % 4032); /* <= 65535 */
    f->tcp = (i % 2) == 0;
    f->sport = f->tcp ? 80 : 9999;
    f->cisn = mix32(i * 2 + 1);
    f->sisn = mix32(i * 2 + 2);
}

/* Builds one Ethernet/IPv4/TCP-or-UDP frame; `to_srv` gives the direction. Returns length. */
static uint32_t build(uint8_t *b, const struct flow_addr *f, int to_srv, uint8_t tcp_flags,
                      uint32_t seq, uint32_t ack, uint64_t id)
{
    static const uint8_t mac_cli[6] = {0x02, 0, 0, 0, 0, 0x01};
    static const uint8_t mac_srv[6] = {0x02, 0, 0, 0, 0, 0x02};
    const uint8_t *src = to_srv ? f->cli : f->srv, *dst = to_srv ? f->srv : f->cli;
    uint16_t sp = to_srv ? f->cport : f->sport, dp = to_srv ? f->sport : f->cport;
    uint8_t *ip = b + ETH_LEN, *l4 = ip + IP_LEN;
    uint32_t l4len, sum;
    uint16_t csum;

    memcpy(b, to_srv ? mac_srv : mac_cli, 6);
    memcpy(b + 6, to_srv ? mac_cli : mac_srv, 6);
    put16(b + 12, 0x0800);
    if (f->tcp) {
        l4len = TCP_LEN;
        memset(l4, 0, TCP_LEN);
        put16(l4, sp);
        put16(l4 + 2, dp);
        put32(l4 + 4, seq);
        put32(l4 + 8, ack);
        l4[12] = (TCP_LEN / 4) << 4;
        l4[13] = tcp_flags;
        put16(l4 + 14, 64240);
    } else {
        l4len = UDP_LEN + UDP_PAYLOAD;
        put16(l4, sp);
        put16(l4 + 2, dp);
        put16(l4 + 4, (uint16_t)l4len);
        put16(l4 + 6, 0);
        for (int k = 0; k < UDP_PAYLOAD; k++)
            l4[UDP_LEN + k] = (uint8_t)('a' + (id + (uint64_t)k) % 26);
    }
    memset(ip, 0, IP_LEN);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_LEN + l4len));
    put16(ip + 4, (uint16_t)id);
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = f->tcp ? 6 : 17;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    put16(ip + 10, fold(sum16(ip, IP_LEN, 0)));
    /* pseudo header + L4 */
    sum = sum16(ip + 12, 8, 0) + ip[9] + l4len;
    sum = sum16(l4, l4len, sum);
    csum = fold(sum);
    if (!f->tcp && csum == 0)
        csum = 0xffff; /* UDP: 0 means "no checksum" */
    put16(l4 + (f->tcp ? 16 : 6), csum);
    return ETH_LEN + IP_LEN + l4len;
}

int main(int argc, char **argv)
{
    uint8_t buf[128];
    struct pcap_pkthdr h;
    struct flow_addr f;
    pcap_dumper_t *out;
    pcap_t *dead;
    uint64_t n, total, pkt = 0, bytes = 0;
    char *end;
    int rc = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: gen_flows OUT.pcap N\n");
        return 2;
    }
    n = strtoull(argv[2], &end, 10);
    if (*argv[2] == 0 || *end != 0 || n == 0 || n > MAX_FLOWS) {
        fprintf(stderr, "gen_flows: N must be 1..%llu\n", (unsigned long long)MAX_FLOWS);
        return 2;
    }
    total = n * 2 + (n + 1) / 2; /* every flow: open + reply; TCP flows: the final ACK */
    dead = pcap_open_dead(DLT_EN10MB, 65535);
    if (!dead) {
        fprintf(stderr, "gen_flows: out of memory\n");
        return 1;
    }
    out = pcap_dump_open(dead, argv[1]);
    if (!out) {
        fprintf(stderr, "gen_flows: cannot write %s: %s\n", argv[1], pcap_geterr(dead));
        goto out_close;
    }
    for (int phase = 0; phase < 3; phase++) {
        for (uint64_t i = 0; i < n; i++) {
            uint64_t ts = START_SEC * 1000000ull + pkt * SPAN_US / total;
            uint32_t len;

            flow_addr(i, &f);
            if (phase == 2 && !f.tcp)
                continue;
            if (phase == 0)
                len = build(buf, &f, 1, 0x02, f.cisn, 0, pkt); /* SYN / request */
            else if (phase == 1)
                len = build(buf, &f, 0, 0x12, f.sisn, f.cisn + 1, pkt); /* SYN-ACK / reply */
            else
                len = build(buf, &f, 1, 0x10, f.cisn + 1, f.sisn + 1, pkt); /* ACK */
            h.ts.tv_sec = (time_t)(ts / 1000000u);
            h.ts.tv_usec = (suseconds_t)(ts % 1000000u);
            h.caplen = h.len = len;
            pcap_dump((u_char *)out, &h, buf);
            pkt++;
            bytes += len;
        }
    }
    if (pcap_dump_flush(out) != 0) {
        fprintf(stderr, "gen_flows: write error on %s\n", argv[1]);
        pcap_dump_close(out);
        goto out_close;
    }
    pcap_dump_close(out);
    printf("flows=%llu packets=%llu bytes=%llu\n", (unsigned long long)n, (unsigned long long)pkt,
           (unsigned long long)bytes);
    rc = 0;
out_close:
    pcap_close(dead);
    return rc;
}
