/* afpacket_test.c — tests of the AF_PACKET source.
 *
 * Without CS_AFP_IFACE only the error paths run (no privileges needed). With CS_AFP_IFACE
 * (the receiving end of a veth pair) and CS_AFP_PEER (its other end), as set up by
 * tests/e2e/live_afpacket.sh inside a private network namespace, the test sends hand-made
 * Ethernet frames on the peer through a raw packet socket and checks what the capture side
 * returns, byte for byte. Nothing is sent anywhere else. */
#include "afpacket.h"

#include "../../lib/cs_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "CSAFP-seq="
#define PORT_MATCH 5555
#define PORT_OTHER 6666
#define FILTER "udp dst port 5555 or (vlan and udp dst port 5555)"
#define MAX_FRAME 256
#define MAX_SENT 1024

struct tag {
    uint16_t tpid, tci;
};

struct sent {
    uint8_t buf[MAX_FRAME];
    uint32_t len;
    bool match; /* expected to pass FILTER */
    int seen;   /* times received */
    int sock;   /* which capture socket got it (fanout test) */
};

static struct sent g_sent[MAX_SENT];
static unsigned g_nsent;

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void ip_csum(uint8_t *ip)
{
    uint32_t sum = 0;

    put16(ip + 10, 0);
    for (int i = 0; i < 20; i += 2)
        sum += cs_get_be16(ip + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, (uint16_t)~sum);
}

/* Builds Ethernet [+ tags] + IPv4 + UDP or TCP + MAGIC<seq>; returns the length. */
static uint32_t build_frame(uint8_t *f, const struct tag *tags, int ntags, int ipproto,
                            uint16_t sport, uint16_t dport, unsigned seq)
{
    static const uint8_t dst[6] = {0x02, 0xc5, 0, 0, 0, 1}, src[6] = {0x02, 0xc5, 0, 0, 0, 2};
    char payload[32];
    int plen = snprintf(payload, sizeof(payload), MAGIC "%05u", seq);
    uint32_t o = 0, l4len = (ipproto == IPPROTO_UDP ? 8 : 20) + (uint32_t)plen;
    uint8_t *ip;

    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    o = 12;
    for (int i = 0; i < ntags; i++) {
        put16(f + o, tags[i].tpid);
        put16(f + o + 2, tags[i].tci);
        o += 4;
    }
    put16(f + o, 0x0800);
    o += 2;
    ip = f + o;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4len));
    put16(ip + 4, (uint16_t)seq);
    ip[8] = 64;
    ip[9] = (uint8_t)ipproto;
    memcpy(ip + 12, (const uint8_t[]){10, 77, 0, 2}, 4);
    memcpy(ip + 16, (const uint8_t[]){10, 77, 0, 1}, 4);
    ip_csum(ip);
    o += 20;
    memset(f + o, 0, ipproto == IPPROTO_UDP ? 8 : 20);
    put16(f + o, sport);
    put16(f + o + 2, dport);
    if (ipproto == IPPROTO_UDP) {
        put16(f + o + 4, (uint16_t)l4len); /* checksum 0: none, valid for IPv4 */
        o += 8;
    } else {
        f[o + 12] = 5 << 4;
        f[o + 13] = 0x02; /* SYN */
        put16(f + o + 14, 1024);
        o += 20;
    }
    memcpy(f + o, payload, (size_t)plen);
    return o + (uint32_t)plen;
}

static int g_tx = -1;
static int g_tx_ifindex;

static bool tx_open(void)
{
    const char *peer = getenv("CS_AFP_PEER");

    if (g_tx >= 0)
        return true;
    if (!peer)
        return false;
    g_tx_ifindex = (int)if_nametoindex(peer);
    if (g_tx_ifindex <= 0)
        return false;
    g_tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* send only: protocol 0 */
    return g_tx >= 0;
}

static bool send_raw(const uint8_t *buf, uint32_t len)
{
    struct sockaddr_ll sll;

    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = g_tx_ifindex;
    sll.sll_halen = 6;
    memcpy(sll.sll_addr, buf, 6);
    return sendto(g_tx, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll)) == (ssize_t)len;
}

/* Records and sends one frame on the peer; returns its index in g_sent. */
static int send_frame(const struct tag *tags, int ntags, int ipproto, uint16_t sport,
                      uint16_t dport, bool match)
{
    struct sent *s;
    unsigned seq = g_nsent;

    if (g_nsent >= MAX_SENT)
        return -1;
    s = &g_sent[g_nsent++];
    memset(s, 0, sizeof(*s));
    s->len = build_frame(s->buf, tags, ntags, ipproto, sport, dport, seq);
    s->match = match;
    s->sock = -1;
    return send_raw(s->buf, s->len) ? (int)seq : -1;
}

/* Finds the sent frame a received one carries; -1 if none (foreign traffic). */
static int lookup_sent(const uint8_t *d, uint32_t len)
{
    const uint8_t *m = memmem(d, len, MAGIC, strlen(MAGIC));
    unsigned seq = 0;

    if (!m || (size_t)(d + len - m) < strlen(MAGIC) + 5)
        return -1;
    for (int i = 0; i < 5; i++)
        seq = seq * 10 + (unsigned)(m[strlen(MAGIC) + i] - '0');
    return seq < g_nsent ? (int)seq : -1;
}

static void reset_sent(void)
{
    g_nsent = 0;
}

/* Reads from the sockets until `want` sent frames were seen or `ms` passed. Counts frames
 * that match no sent frame in *foreign and byte mismatches in *bad. */
static unsigned drain(struct sn_afp **socks, int nsocks, unsigned want, unsigned ms,
                      unsigned *foreign, unsigned *bad)
{
    uint64_t end = now_ms() + ms;
    unsigned got = 0;

    while (now_ms() < end && (got < want || want == 0)) {
        for (int k = 0; k < nsocks; k++) {
            const uint8_t *d;
            uint32_t cl, wl;
            uint64_t ts;
            int rc = sn_afp_next(socks[k], &d, &cl, &wl, &ts);
            int i;

            if (rc != 1)
                continue;
            i = lookup_sent(d, cl);
            if (i < 0) {
                (*foreign)++;
                continue;
            }
            got++;
            g_sent[i].seen++;
            if (g_sent[i].sock >= 0 && g_sent[i].sock != k)
                (*bad)++;
            g_sent[i].sock = k;
            if (cl != g_sent[i].len || wl != g_sent[i].len || memcmp(d, g_sent[i].buf, cl) != 0 ||
                ts == 0)
                (*bad)++;
        }
    }
    return got;
}

/* IFF_PROMISC in the device flags, from sysfs (the ioctl hides kernel-held promiscuity). */
static int iface_promisc(const char *iface)
{
    char path[128];
    unsigned flags = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/sys/class/net/%s/flags", iface);
    f = fopen(path, "r");
    if (!f)
        return -1;
    if (fscanf(f, "%x", &flags) != 1)
        flags = 0;
    fclose(f);
    return (flags & IFF_PROMISC) != 0;
}

static const char *live_iface(void)
{
    const char *i = getenv("CS_AFP_IFACE");

    if (!i || !*i)
        return NULL;
    if (!tx_open()) {
        printf("# CS_AFP_IFACE set but cannot send on CS_AFP_PEER: %s\n", strerror(errno));
        return NULL;
    }
    return i;
}

/* ---- error paths (no privileges needed) ---------------------------------------------- */

CS_TEST(open_missing_interface)
{
    struct cs_err err = {0};
    struct sn_afp *a = sn_afp_open("csnosuch9", 1, true, NULL, &err);

    CHECK(a == NULL);
    CHECK_STR(err.msg, "cannot open AF_PACKET socket on csnosuch9: No such device");
    CHECK(err.code != 0);
    sn_afp_close(a);
}

CS_TEST(open_invalid_names)
{
    struct cs_err err = {0};

    CHECK(sn_afp_open("", 1, false, NULL, &err) == NULL);
    CHECK(strstr(err.msg, "invalid interface name") != NULL);
    memset(&err, 0, sizeof(err));
    CHECK(sn_afp_open("a-very-long-interface-name0", 1, false, NULL, &err) == NULL);
    CHECK(strstr(err.msg, "invalid interface name") != NULL);
    memset(&err, 0, sizeof(err));
    CHECK(sn_afp_open(NULL, 1, false, NULL, &err) == NULL);
    CHECK(strstr(err.msg, "invalid interface name") != NULL);
}

CS_TEST(open_bad_bpf)
{
    struct cs_err err = {0};
    /* The filter is compiled before any socket is made: this works without privileges. */
    struct sn_afp *a = sn_afp_open("lo", 1, false, "udp port nonsense and (", &err);

    CHECK(a == NULL);
    CHECK_EQ(err.code, CS_EINVAL);
    CHECK(strncmp(err.msg, "invalid BPF filter 'udp port nonsense and (': ", 46) == 0);
    CHECK(strlen(err.msg) > 47); /* libpcap's reason follows */
    sn_afp_close(a);
}

CS_TEST(close_null)
{
    sn_afp_close(NULL); /* must be a no-op */
    CHECK(1);
}

/* ---- live tests (CS_AFP_IFACE / CS_AFP_PEER, run by tests/e2e/live_afpacket.sh) -------- */

CS_TEST(live_udp_filter_vlan_stats)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *a;
    unsigned foreign = 0, bad = 0, want = 0, got, n_match = 200;
    uint64_t rx = 0, drops = 0, rx2 = 0, drops2 = 0;
    const struct tag dot1q[] = {{0x8100, (3 << 13) | 42}};
    const struct tag qinq[] = {{0x88a8, 100}, {0x8100, 200}};

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    reset_sent();
    a = sn_afp_open(iface, (uint16_t)(getpid() & 0xffff), true, FILTER, &err);
    REQUIRE(a != NULL);
    CHECK_EQ(sn_afp_datalink(a), DLT_EN10MB);
    CHECK_EQ(iface_promisc(iface), 1);
    sn_afp_stats(a, &rx, &drops); /* nothing yet: the filter keeps other traffic out */
    CHECK_EQ(rx, 0);
    for (unsigned i = 0; i < n_match; i++) {
        REQUIRE(send_frame(NULL, 0, IPPROTO_UDP, (uint16_t)(40000 + i), PORT_MATCH, true) >= 0);
        want++;
        if (i % 10 == 0) { /* filtered out: other port, and TCP to the port */
            REQUIRE(send_frame(NULL, 0, IPPROTO_UDP, 40000, PORT_OTHER, false) >= 0);
            REQUIRE(send_frame(NULL, 0, IPPROTO_TCP, 40000, PORT_MATCH, false) >= 0);
            REQUIRE(send_frame(dot1q, 1, IPPROTO_UDP, 40000, PORT_OTHER, false) >= 0);
        }
        if (i % 20 == 0) { /* tagged frames that pass: the tags must come back */
            REQUIRE(send_frame(dot1q, 1, IPPROTO_UDP, 41000, PORT_MATCH, true) >= 0);
            REQUIRE(send_frame(qinq, 2, IPPROTO_UDP, 42000, PORT_MATCH, true) >= 0);
            want += 2;
        }
    }
    got = drain(&a, 1, want, 3000, &foreign, &bad);
    /* keep reading a little: filtered frames must not show up late either */
    got += drain(&a, 1, 0, 300, &foreign, &bad);
    CHECK_EQ(got, want);
    CHECK_EQ(bad, 0);
    CHECK_EQ(foreign, 0);
    for (unsigned i = 0; i < g_nsent; i++) {
        if (g_sent[i].seen != (g_sent[i].match ? 1 : 0)) {
            CS_FAILF("frame %u (len %u) seen %d times, expected %d", i, g_sent[i].len,
                     g_sent[i].seen, g_sent[i].match ? 1 : 0);
            break;
        }
    }
    sn_afp_stats(a, &rx, &drops);
    CHECK_EQ(rx, want);
    CHECK_EQ(drops, 0);
    sn_afp_stats(a, &rx2, &drops2); /* cumulative: a second read keeps the totals */
    CHECK_EQ(rx2, want);
    CHECK_EQ(drops2, 0);
    sn_afp_close(a);
    CHECK_EQ(iface_promisc(iface), 0);
}

CS_TEST(live_no_filter_sees_everything)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *a;
    unsigned foreign = 0, bad = 0, got;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    reset_sent();
    a = sn_afp_open(iface, 0, false, NULL, &err);
    REQUIRE(a != NULL);
    for (unsigned i = 0; i < 20; i++)
        REQUIRE(send_frame(NULL, 0, i % 2 ? IPPROTO_TCP : IPPROTO_UDP, 1000, PORT_OTHER, true) >=
                0);
    got = drain(&a, 1, 20, 3000, &foreign, &bad);
    CHECK_EQ(got, 20);
    CHECK_EQ(bad, 0);
    sn_afp_close(a);
}

CS_TEST(live_fanout_hash_splits_by_flow)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *s[2] = {NULL, NULL};
    unsigned foreign = 0, bad = 0, got, per[2] = {0, 0}, nflows = 64;
    uint16_t id = (uint16_t)((getpid() + 1) & 0xffff);
    uint64_t rx0, rx1, d0, d1;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    reset_sent();
    s[0] = sn_afp_open(iface, id, true, "udp", &err);
    REQUIRE(s[0] != NULL);
    s[1] = sn_afp_open(iface, id, true, "udp", &err);
    if (!s[1]) {
        CS_FAILF("second socket of the group: %s", err.msg);
        goto out;
    }
    for (unsigned r = 0; r < 3; r++) /* three packets per flow, each flow on one socket */
        for (unsigned f = 0; f < nflows; f++)
            if (send_frame(NULL, 0, IPPROTO_UDP, (uint16_t)(20000 + f), PORT_MATCH, true) < 0)
                CS_FAILF("send failed");
    got = drain(s, 2, 3 * nflows, 3000, &foreign, &bad);
    CHECK_EQ(got, 3 * nflows);
    CHECK_EQ(bad, 0); /* includes "a flow moved between sockets" */
    for (unsigned i = 0; i < g_nsent; i++)
        if (g_sent[i].sock >= 0)
            per[g_sent[i].sock]++;
    CHECK(per[0] > 0 && per[1] > 0); /* 64 flows all hashing to one socket: 2^-63 */
    sn_afp_stats(s[0], &rx0, &d0);
    sn_afp_stats(s[1], &rx1, &d1);
    CHECK_EQ(rx0, per[0]);
    CHECK_EQ(rx1, per[1]);
out:
    sn_afp_close(s[0]);
    sn_afp_close(s[1]);
}

static void *break_later(void *arg)
{
    usleep(30 * 1000);
    sn_afp_break(arg);
    return NULL;
}

CS_TEST(live_timeout_and_break)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *a;
    const uint8_t *d;
    uint32_t cl, wl;
    uint64_t ts, t0, dt;
    pthread_t th;
    int rc;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    a = sn_afp_open(iface, 0, false, "udp port 1", &err); /* nothing will match */
    REQUIRE(a != NULL);
    t0 = now_ms();
    rc = sn_afp_next(a, &d, &cl, &wl, &ts);
    dt = now_ms() - t0;
    CHECK_EQ(rc, 0);
    CHECK(dt >= 80 && dt < 1000); /* one ~100 ms wait, not a busy return nor a hang */
    /* Another thread breaks the blocked call long before its 100 ms timeout. */
    t0 = now_ms();
    REQUIRE(pthread_create(&th, NULL, break_later, a) == 0);
    rc = sn_afp_next(a, &d, &cl, &wl, &ts);
    dt = now_ms() - t0;
    pthread_join(th, NULL);
    CHECK_EQ(rc, 0);
    CHECK(dt < 90);
    /* and the source stays broken: later calls return at once */
    t0 = now_ms();
    rc = sn_afp_next(a, &d, &cl, &wl, &ts);
    CHECK_EQ(rc, 0);
    CHECK(now_ms() - t0 < 50);
    CHECK_STR(sn_afp_error(a), "");
    sn_afp_close(a);
}

CS_TEST(live_errors_as_root)
{
    const char *iface = live_iface();
    const char *down = getenv("CS_AFP_DOWN");
    struct cs_err err = {0};
    struct sn_afp *a;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    CHECK(sn_afp_open("csnosuch9", 7, true, "udp", &err) == NULL);
    CHECK_STR(err.msg, "cannot open AF_PACKET socket on csnosuch9: No such device");
    REQUIRE(down != NULL);
    /* a fanout group only takes sockets of a running interface: say so */
    memset(&err, 0, sizeof(err));
    CHECK(sn_afp_open(down, 7, true, NULL, &err) == NULL);
    CHECK(strstr(err.msg, "interface is down") != NULL);
    /* without fanout a down interface is fine (capture starts when it comes up) */
    a = sn_afp_open(down, 7, false, NULL, &err);
    CHECK(a != NULL);
    sn_afp_close(a);
}

CS_TEST(live_fanout_defrag_reassembles)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *a;
    uint8_t full[MAX_FRAME], f1[MAX_FRAME], f2[MAX_FRAME];
    uint32_t len, hdr = 14 + 20, cut = 16; /* first fragment: UDP header + 8 data bytes */
    unsigned got = 0, good = 0;
    uint64_t end;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    a = sn_afp_open(iface, (uint16_t)((getpid() + 2) & 0xffff), true, FILTER, &err);
    REQUIRE(a != NULL);
    len = build_frame(full, NULL, 0, IPPROTO_UDP, 40000, PORT_MATCH, 777);
    REQUIRE(len > hdr + cut);
    memcpy(f1, full, hdr + cut);
    put16(f1 + 14 + 2, (uint16_t)(20 + cut));
    put16(f1 + 14 + 6, 0x2000); /* MF, offset 0 */
    ip_csum(f1 + 14);
    memcpy(f2, full, hdr);
    memcpy(f2 + hdr, full + hdr + cut, len - hdr - cut);
    put16(f2 + 14 + 2, (uint16_t)(20 + len - hdr - cut));
    put16(f2 + 14 + 6, (uint16_t)(cut / 8)); /* last fragment */
    ip_csum(f2 + 14);
    REQUIRE(send_raw(f1, hdr + cut));
    REQUIRE(send_raw(f2, len - cut));
    /* PACKET_FANOUT_FLAG_DEFRAG: the socket gets one reassembled datagram, which the
     * "udp dst port" filter can match; the bare second fragment alone could not. */
    end = now_ms() + 1000;
    while (now_ms() < end) {
        const uint8_t *d;
        uint32_t cl, wl;
        uint64_t ts;

        if (sn_afp_next(a, &d, &cl, &wl, &ts) != 1)
            continue;
        got++;
        if (cl == len && memcmp(d + hdr, full + hdr, len - hdr) == 0 &&
            cs_get_be16(d + 14 + 2) == len - 14 && (cs_get_be16(d + 14 + 6) & 0x3fff) == 0)
            good++;
    }
    CHECK_EQ(got, 1);
    CHECK_EQ(good, 1);
    sn_afp_close(a);
}

CS_TEST(live_interface_down_and_up)
{
    const char *iface = live_iface();
    struct cs_err err = {0};
    struct sn_afp *a;
    char cmd[96];
    unsigned foreign = 0, bad = 0, got;
    int rc = 0, worst = 0;

    if (!iface) {
        printf("# skipped: CS_AFP_IFACE not set\n");
        return;
    }
    reset_sent();
    a = sn_afp_open(iface, (uint16_t)((getpid() + 3) & 0xffff), true, FILTER, &err);
    REQUIRE(a != NULL);
    snprintf(cmd, sizeof(cmd), "ip link set dev %s down", iface);
    REQUIRE(system(cmd) == 0);
    for (int i = 0; i < 3; i++) { /* ENETDOWN is not an error: keep waiting */
        const uint8_t *d;
        uint32_t cl, wl;
        uint64_t ts;

        rc = sn_afp_next(a, &d, &cl, &wl, &ts);
        worst = CS_MIN(worst, rc);
    }
    snprintf(cmd, sizeof(cmd), "ip link set dev %s up", iface);
    REQUIRE(system(cmd) == 0);
    CHECK_EQ(worst, 0);
    usleep(200 * 1000);
    for (unsigned i = 0; i < 10; i++)
        REQUIRE(send_frame(NULL, 0, IPPROTO_UDP, (uint16_t)(30000 + i), PORT_MATCH, true) >= 0);
    got = drain(&a, 1, 10, 3000, &foreign, &bad);
    CHECK_EQ(got, 10); /* the socket rejoined its fanout group when the link came back */
    CHECK_EQ(bad, 0);
    sn_afp_close(a);
}

CS_TEST_MAIN()
