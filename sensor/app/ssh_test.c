/* ssh_test.c — SSH parser: real captures through the whole pipeline (also cut into 1-byte
 * deliveries) and hand-built messages fed to parse() directly. Expected HASSH values were
 * checked with tshark (ssh.kex.hassh / ssh.kex.hasshserver) and against suricata-verify's
 * ssh-hassh-only test. */
#include "app_test_util.h"
#include "ssh.h"

#include "../../lib/cs_cfg.h"

#include <netinet/in.h>

extern const struct sn_app_parser sn_app_ssh;

/* Runs a capture normally and with 1-byte deliveries; both must give the same EVE text. */
CS_TEST(ssh_sv_hassh_only)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/sv-ssh-hassh-only.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ssh\"", NULL), 1);
    CHECK_EQ(
        app_test_count(&r, "\"event_type\":\"ssh\"",
                       "\"client\":{\"proto_version\":\"2.0\",\"software_version\":"
                       "\"OpenSSH_for_Windows_7.7\",\"hassh\":{\"hash\":"
                       "\"2dd6531c7e89d3c925db9214711be76a\"",
                       "\"server\":{\"proto_version\":\"2.0\",\"software_version\":"
                       "\"OpenSSH_7.4\",\"hassh\":{\"hash\":\"6832f1ce43d4397c2c0a3e2f8c94334e\"",
                       /* the hassh strings suricata-verify's rules look for */
                       ";umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@"
                       "openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"
                       "umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,"
                       "hmac-sha1;none\"",
                       ";none,zlib@openssh.com\"}", NULL),
        1);
    CHECK_EQ(app_test_count(&r, "\"event\":\"ssh.", NULL), 0);
    app_test_free(&r);
}

CS_TEST(ssh_curve25519)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/ssh_kex_curve25519.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ssh\"", NULL), 1);
    CHECK_EQ(app_test_count(&r,
                            "\"software_version\":\"OpenSSH_7.4\",\"hassh\":{\"hash\":"
                            "\"0df0d56bb50c6b2426d8d40234bf1826\",\"string\":\"curve25519-sha256,",
                            "\"software_version\":\"OpenSSH_7.5\",\"hassh\":{\"hash\":"
                            "\"a95c22bf8e9b19ed0a5dc74bb2f9c613\"",
                            NULL),
             1);
    app_test_free(&r);
}

CS_TEST(ssh_server_lines_before_banner)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/server-pre-banner-data.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    /* the comment "Debian-2+deb12u5" is not part of the software version */
    CHECK_EQ(app_test_count(&r,
                            "\"server\":{\"proto_version\":\"2.0\",\"software_version\":"
                            "\"OpenSSH_9.2p1\",\"hassh\":{\"hash\":"
                            "\"425d29fe50d8e4f5e37efb6e24bcf660\"",
                            "\"software_version\":\"OpenSSH_9.7\"", NULL),
             1);
    CHECK_EQ(app_test_count(&r, "ssh.invalid_banner", NULL), 0);
    app_test_free(&r);
}

CS_TEST(ssh_v1_and_v2)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/ssh1-ssh2-fingerprints.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ssh\"", NULL), 2);
    CHECK_EQ(app_test_count(&r, "\"hassh\":{\"hash\":\"ae8bd7dd09970555aa4c6ed22adbbf56\"",
                            "\"hassh\":{\"hash\":\"3ccd1778a76049721c71ad7d2bf62bbc\"", NULL),
             1);
    /* SSH-1: banners only, no binary packets parsed, no false invalid_record */
    CHECK_EQ(app_test_count(&r, "\"dest_port\":2222",
                            "\"ssh\":{\"client\":{\"proto_version\":"
                            "\"1.5\",\"software_version\":\"OpenSSH_6.6\"},\"server\":{"
                            "\"proto_version\":\"1.5\",\"software_version\":\"OpenSSH_6.6\"}}",
                            NULL),
             1);
    CHECK_EQ(app_test_count(&r, "ssh.invalid_record", NULL), 0);
    app_test_free(&r);
}

CS_TEST(ssh_found_by_probing_on_port_80)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/ssh-on-port-80.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r, "\"event_type\":\"ssh\"", "\"dest_port\":80,",
                            "\"software_version\":\"OpenSSH_5.2\"",
                            "\"software_version\":\"OpenSSH_5.8p1\"",
                            "\"hash\":\"21b457a327ce7a2d4fce5ef2c42400bd\"",
                            "\"hash\":\"60205d0b53ffd441ead5c43b5a6f1bc7\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(ssh_proto_199)
{
    bool same;
    struct app_run r = app_test_run_both("pcaps/ssh/single-conn.pcap", &same);

    REQUIRE(r.text);
    CHECK(same);
    CHECK_EQ(app_test_count(&r,
                            "\"server\":{\"proto_version\":\"1.99\",\"software_version\":"
                            "\"OpenSSH_3.9p1\",\"hassh\":{\"hash\":"
                            "\"f430cd6761697a6a658ee1d45ed22e49\"",
                            "\"hash\":\"c4fd9343cba76d12f0dd523fbe7c4da1\"", NULL),
             1);
    app_test_free(&r);
}

CS_TEST(ssh_hassh_off_by_config)
{
    struct sn_config cfg;
    struct app_run r;

    sn_config_defaults(&cfg);
    cfg.csum = SN_CSUM_NONE;
    cfg.midstream = true;
    cfg.raw = cs_cfg_new();
    REQUIRE(cfg.raw);
    REQUIRE(cs_cfg_set(cfg.raw, "app-layer.protocols.ssh.hassh", "no") == CS_OK);
    r = app_test_run("pcaps/ssh/ssh_kex_curve25519.pcap", &cfg, false);
    REQUIRE(r.text);
    CHECK_EQ(
        app_test_count(&r, "\"event_type\":\"ssh\"", "\"software_version\":\"OpenSSH_7.5\"", NULL),
        1);
    CHECK_EQ(app_test_count(&r, "\"hassh\"", NULL), 0);
    app_test_free(&r);
    cs_cfg_free(cfg.raw);
}

/* ---- hand-built messages ----------------------------------------------------------- */

struct feeder {
    struct sn_worker w;
    struct sn_config cfg;
    struct sn_flow f;
    struct sn_ssh_state *s;
    uint8_t pend[2][1 << 17];
    uint32_t plen[2];
};

static struct feeder *feeder_new(void)
{
    struct feeder *fd = calloc(1, sizeof(*fd));

    if (!fd)
        return NULL;
    sn_config_defaults(&fd->cfg);
    if (sn_worker_init(&fd->w, 0, &fd->cfg, 1, NULL) != CS_OK) {
        free(fd);
        return NULL;
    }
    fd->f.proto = IPPROTO_TCP;
    fd->s = sn_app_ssh.state_new();
    return fd;
}

static void feeder_free(struct feeder *fd)
{
    sn_app_ssh.state_free(fd->s);
    sn_worker_destroy(&fd->w);
    free(fd);
}

/* Feeds like the registry: unconsumed bytes are kept and handed back with the next bytes.
 * step: bytes per delivery (0: all at once). */
static void feed(struct feeder *fd, int dir, const void *p, size_t n, size_t step)
{
    const uint8_t *b = p;

    for (size_t off = 0; off < n;) {
        size_t k = step ? CS_MIN(step, n - off) : n - off;
        int rc;
        if (fd->plen[dir] + k > sizeof(fd->pend[dir]))
            return;
        memcpy(fd->pend[dir] + fd->plen[dir], b + off, k);
        fd->plen[dir] += (uint32_t)k;
        off += k;
        rc = sn_app_ssh.parse(&fd->w, &fd->f, fd->s, dir, fd->pend[dir], fd->plen[dir], 0);
        if (rc < 0 || (uint32_t)rc > fd->plen[dir])
            return;
        memmove(fd->pend[dir], fd->pend[dir] + rc, fd->plen[dir] - (uint32_t)rc);
        fd->plen[dir] -= (uint32_t)rc;
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Builds a KEXINIT packet with the given ten lists; returns its length. */
static size_t build_kexinit(uint8_t *out, const char *const lists[10])
{
    size_t n = 6 + 16;
    uint32_t plen;

    memset(out + 6, 0x11, 16);
    for (int k = 0; k < 10; k++) {
        size_t l = strlen(lists[k]);
        put32(out + n, (uint32_t)l);
        memcpy(out + n + 4, lists[k], l);
        n += 4 + l;
    }
    out[n++] = 0;
    put32(out + n, 0);
    n += 4;
    memset(out + n, 0, 4); /* padding */
    n += 4;
    plen = (uint32_t)(n - 4);
    put32(out, plen);
    out[4] = 4;
    out[5] = 20;
    return n;
}

static const char *const kex_lists[10] = {
    "curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-sha2-256",
    "hmac-sha1",         "none",        "zlib",       "",           ""};

CS_TEST(ssh_kexinit_split_any_way)
{
    static uint8_t pkt[512];
    size_t n = build_kexinit(pkt, kex_lists);
    const char *banner = "SSH-2.0-Test_1.0 some comment\r\n";

    for (size_t step = 0; step <= 7; step++) {
        struct feeder *fd = feeder_new();
        const uint8_t *p;
        uint32_t len;
        REQUIRE(fd && fd->s);
        feed(fd, SN_TOSERVER, banner, strlen(banner), step);
        feed(fd, SN_TOSERVER, pkt, n, step);
        feed(fd, SN_TOCLIENT, "SSH-1.99-Srv\n", 13, step);
        feed(fd, SN_TOCLIENT, pkt, n, step);
        CHECK_STR(fd->s->side[0].proto, "2.0");
        CHECK_STR(fd->s->side[0].software, "Test_1.0");
        CHECK_STR(fd->s->side[1].proto, "1.99");
        CHECK_STR(fd->s->side[1].software, "Srv");
        REQUIRE(fd->s->side[0].hassh_string);
        CHECK_STR(fd->s->side[0].hassh_string, "curve25519-sha256;aes128-ctr;hmac-sha2-256;none");
        REQUIRE(fd->s->side[1].hassh_string);
        CHECK_STR(fd->s->side[1].hassh_string, "curve25519-sha256;aes256-ctr;hmac-sha1;zlib");
        /* md5("curve25519-sha256;aes128-ctr;hmac-sha2-256;none") */
        CHECK_STR(fd->s->side[0].hassh, "e97d07603350d1111ec2b64bf25413c9");
        REQUIRE(fd->s->side[0].lists);
        CHECK_STR(fd->s->side[0].lists + fd->s->side[0].list_off[SN_SSH_HOSTKEY], "ssh-ed25519");
        CHECK(sn_ssh_buffer(fd->s, SN_TOCLIENT, SN_SSH_BUF_HASSH_SERVER, &p, &len));
        CHECK_EQ(len, 32u);
        CHECK(sn_ssh_buffer(fd->s, SN_TOCLIENT, SN_SSH_BUF_SOFTWARE, &p, &len));
        CHECK(len == 3 && memcmp(p, "Srv", 3) == 0);
        CHECK_EQ(fd->s->side[0].events, 0);
        feeder_free(fd);
    }
}

CS_TEST(ssh_newkeys_stops_parsing)
{
    static uint8_t pkt[512];
    struct feeder *fd = feeder_new();
    const uint8_t newkeys[16] = {0, 0, 0, 12, 10, 21};
    uint8_t junk[64];

    REQUIRE(fd && fd->s);
    build_kexinit(pkt, kex_lists);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\r\n", 11, 0);
    feed(fd, SN_TOSERVER, newkeys, sizeof(newkeys), 0);
    CHECK(fd->s->side[0].newkeys);
    /* encrypted bytes that would be a lying length: ignored, no event */
    memset(junk, 0xff, sizeof(junk));
    feed(fd, SN_TOSERVER, junk, sizeof(junk), 0);
    CHECK_EQ(fd->s->side[0].events, 0);
    CHECK_EQ(fd->plen[0], 0u);
    /* a KEXINIT after NEWKEYS is not looked at */
    feed(fd, SN_TOSERVER, pkt, 200, 0);
    CHECK(fd->s->side[0].hassh_string == NULL);
    feeder_free(fd);
}

CS_TEST(ssh_invalid_banner)
{
    struct feeder *fd = feeder_new();
    const uint8_t *p;
    uint32_t len;

    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "GET / HTTP/1.0\r\n\r\n", 18, 0);
    CHECK(fd->s->side[0].events & 1);
    CHECK(fd->s->side[0].proto == NULL);
    CHECK(!sn_ssh_buffer(fd->s, SN_TOSERVER, SN_SSH_BUF_PROTO, &p, &len));
    CHECK_EQ(fd->w.counters[SN_CNT_APP_LAYER_EVENTS], 1u);
    feeder_free(fd);

    /* "SSH-2.0" without the "-softwareversion" part */
    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "SSH-2.0\r\n", 9, 1);
    CHECK(fd->s->side[0].events & 1);
    feeder_free(fd);

    /* a server may send lines first; a valid banner after them is fine */
    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOCLIENT, "hello\r\nworld\nSSH-2.0-X y\r\n", 26, 1);
    CHECK_EQ(fd->s->side[1].events, 0);
    CHECK_STR(fd->s->side[1].software, "X");
    feeder_free(fd);
}

CS_TEST(ssh_long_banner)
{
    struct feeder *fd = feeder_new();
    char line[600];

    REQUIRE(fd && fd->s);
    memcpy(line, "SSH-2.0-", 8);
    memset(line + 8, 'A', 500);
    memcpy(line + 508, "\r\n", 2);
    feed(fd, SN_TOSERVER, line, 510, 0);
    CHECK(fd->s->side[0].events & 2);
    REQUIRE(fd->s->side[0].software);
    CHECK_EQ(strlen(fd->s->side[0].software), 255u - 8u);
    CHECK_EQ(fd->plen[0], 0u); /* the rest of the line was skipped, not kept */
    feeder_free(fd);

    /* same, one byte at a time */
    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, line, 510, 1);
    CHECK(fd->s->side[0].events & 2);
    REQUIRE(fd->s->side[0].software);
    CHECK_EQ(strlen(fd->s->side[0].software), 255u - 8u);
    CHECK(fd->plen[0] < 300);
    feeder_free(fd);
}

CS_TEST(ssh_lying_lengths)
{
    static uint8_t pkt[512];
    const uint8_t huge[6] = {0xff, 0xff, 0xff, 0xf0, 4, 20};
    const uint8_t tiny[6] = {0, 0, 0, 1, 0, 20};
    const uint8_t badpad[8] = {0, 0, 0, 4, 200, 20, 0, 0};
    struct feeder *fd;
    size_t n;

    /* packet_length past any sane size */
    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\n", 10, 0);
    feed(fd, SN_TOSERVER, huge, sizeof(huge), 0);
    CHECK(fd->s->side[0].events & 4);
    CHECK_EQ(fd->plen[0], 0u);
    feeder_free(fd);

    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\n", 10, 0);
    feed(fd, SN_TOSERVER, tiny, sizeof(tiny), 0);
    CHECK(fd->s->side[0].events & 4);
    feeder_free(fd);

    fd = feeder_new();
    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\n", 10, 0);
    feed(fd, SN_TOSERVER, badpad, sizeof(badpad), 0);
    CHECK(fd->s->side[0].events & 4);
    feeder_free(fd);

    /* a name-list length running past the packet: no HASSH, no event, parsing goes on */
    fd = feeder_new();
    REQUIRE(fd && fd->s);
    n = build_kexinit(pkt, kex_lists);
    put32(pkt + 6 + 16, 400);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\n", 10, 0);
    feed(fd, SN_TOSERVER, pkt, n, 3);
    CHECK(fd->s->side[0].hassh_string == NULL);
    CHECK(fd->s->side[0].lists == NULL);
    CHECK_EQ(fd->s->side[0].events, 0);
    CHECK_EQ(fd->plen[0], 0u);
    /* a good KEXINIT after it is still parsed */
    n = build_kexinit(pkt, kex_lists);
    feed(fd, SN_TOSERVER, pkt, n, 0);
    CHECK(fd->s->side[0].hassh_string != NULL);
    feeder_free(fd);
}

CS_TEST(ssh_big_packet_not_buffered)
{
    struct feeder *fd = feeder_new();
    static uint8_t big[100000];

    REQUIRE(fd && fd->s);
    feed(fd, SN_TOSERVER, "SSH-2.0-A\n", 10, 0);
    put32(big, sizeof(big) - 4);
    big[4] = 4;
    big[5] = 94; /* channel data */
    feed(fd, SN_TOSERVER, big, sizeof(big), 1000);
    CHECK(fd->plen[0] < 6);
    CHECK_EQ(fd->s->side[0].events, 0);
    /* and a KEXINIT larger than the cap is skipped, not buffered */
    big[5] = 20;
    feed(fd, SN_TOSERVER, big, sizeof(big), 1000);
    CHECK(fd->plen[0] < 6);
    CHECK(fd->s->side[0].hassh_string == NULL);
    feeder_free(fd);
}

CS_TEST(ssh_probe)
{
    CHECK_EQ(sn_app_ssh.probe((const uint8_t *)"SSH-2.0-x", 9, SN_TOSERVER, 22), SN_PROBE_YES);
    CHECK_EQ(sn_app_ssh.probe((const uint8_t *)"SS", 2, SN_TOSERVER, 22), SN_PROBE_MORE);
    CHECK_EQ(sn_app_ssh.probe((const uint8_t *)"GET ", 4, SN_TOSERVER, 22), SN_PROBE_NO);
    CHECK_EQ(sn_app_ssh.probe((const uint8_t *)"SSX", 3, SN_TOSERVER, 22), SN_PROBE_NO);
}

CS_TEST_MAIN()
