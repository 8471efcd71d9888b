/* kw_test_util.h — helpers for the keyword match tests: build real frames (Ethernet, optional
 * VLAN, IPv4/IPv6, TCP/UDP/ICMP), run them through a worker's pipeline (decode, flow, stream,
 * app layer) and evaluate one keyword instance of a parsed rule on the result. Test-only. */
#ifndef SN_DETECT_KW_TEST_UTIL_H
#define SN_DETECT_KW_TEST_UTIL_H

#include "../../lib/cs_test.h"
#include "../config.h"
#include "../worker.h"
#include "detect.h"
#include "kw.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define KT_MAX_RULES 32
#define KT_MAX_FLOWS 16

struct kt {
    struct sn_config cfg;
    struct sn_worker w;
    struct sn_pkt p;
    uint8_t frame[4096];
    uint64_t ts;
    struct sn_detect_thread t;
    struct sn_rule *rules[KT_MAX_RULES];
    int nrules;
    struct sn_flow *flows[KT_MAX_FLOWS];
    int nflows;
};

/* IP layer of a frame. src/dst are text addresses (IPv6 when they contain ':'). */
struct kt_ip {
    const char *src, *dst;
    uint8_t proto, ttl, tos;
    uint16_t id, frag; /* frag: the IPv4 flags+offset field */
    const uint8_t *opts;
    uint8_t optlen; /* multiple of 4 */
    uint16_t vlan;  /* 0: untagged */
};

static inline void kt_init(struct kt *k)
{
    memset(k, 0, sizeof(*k));
    sn_config_defaults(&k->cfg);
    k->cfg.csum = SN_CSUM_NONE;
    if (sn_worker_init(&k->w, 0, &k->cfg, 1, NULL) != CS_OK) {
        printf("# worker init failed\n");
        exit(2);
    }
    k->ts = UINT64_C(1700000000000000);
    k->t.w = &k->w;
}

static inline void kt_free(struct kt *k)
{
    for (int i = 0; i < k->nflows; i++) {
        struct sn_flow *f = k->flows[i];
        if (f->detect) {
            sn_flowvars_free(f->detect->vars);
            cs_free(f->detect);
            f->detect = NULL;
        }
    }
    sn_worker_finish(&k->w);
    sn_worker_destroy(&k->w);
    for (int i = 0; i < k->nrules; i++)
        sn_rule_free(k->rules[i]);
    sn_detect_thread_vars_free(&k->t);
}

static inline uint16_t kt_csum(const uint8_t *b, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Writes an Ethernet frame carrying ip and the transport bytes l4 into out; returns its
 * length. */
static inline uint32_t kt_frame(uint8_t *out, const struct kt_ip *ip, const uint8_t *l4,
                                uint32_t l4len)
{
    uint32_t o = 0;
    bool v6 = strchr(ip->src, ':') != NULL;
    static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10};

    memcpy(out, macs, 12);
    o = 12;
    if (ip->vlan) {
        out[o++] = 0x81;
        out[o++] = 0x00;
        out[o++] = (uint8_t)(ip->vlan >> 8);
        out[o++] = (uint8_t)ip->vlan;
    }
    out[o++] = v6 ? 0x86 : 0x08;
    out[o++] = v6 ? 0xdd : 0x00;
    if (v6) {
        uint8_t *h = out + o;
        memset(h, 0, 40);
        h[0] = 0x60;
        h[4] = (uint8_t)(l4len >> 8);
        h[5] = (uint8_t)l4len;
        h[6] = ip->proto;
        h[7] = ip->ttl ? ip->ttl : 64;
        inet_pton(AF_INET6, ip->src, h + 8);
        inet_pton(AF_INET6, ip->dst, h + 24);
        o += 40;
    } else {
        uint8_t *h = out + o;
        uint32_t hl = 20u + ip->optlen, tl = hl + l4len;
        uint16_t c;
        memset(h, 0, 20);
        h[0] = (uint8_t)(0x40 | hl / 4);
        h[1] = ip->tos;
        h[2] = (uint8_t)(tl >> 8);
        h[3] = (uint8_t)tl;
        h[4] = (uint8_t)(ip->id >> 8);
        h[5] = (uint8_t)ip->id;
        h[6] = (uint8_t)(ip->frag >> 8);
        h[7] = (uint8_t)ip->frag;
        h[8] = ip->ttl ? ip->ttl : 64;
        h[9] = ip->proto;
        inet_pton(AF_INET, ip->src, h + 12);
        inet_pton(AF_INET, ip->dst, h + 16);
        if (ip->optlen)
            memcpy(h + 20, ip->opts, ip->optlen);
        c = kt_csum(h, hl);
        h[10] = (uint8_t)(c >> 8);
        h[11] = (uint8_t)c;
        o += hl;
    }
    memcpy(out + o, l4, l4len);
    return o + l4len;
}

/* TCP header (+ options, multiple of 4) + payload into out; returns the length. */
static inline uint32_t kt_tcp(uint8_t *out, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                              uint8_t flags, uint16_t win, const uint8_t *opts, uint8_t optlen,
                              const void *payload, uint32_t plen)
{
    uint32_t hl = 20u + optlen;
    memset(out, 0, 20);
    out[0] = (uint8_t)(sp >> 8);
    out[1] = (uint8_t)sp;
    out[2] = (uint8_t)(dp >> 8);
    out[3] = (uint8_t)dp;
    for (int i = 0; i < 4; i++) {
        out[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        out[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    out[12] = (uint8_t)(hl / 4 << 4);
    out[13] = flags;
    out[14] = (uint8_t)(win >> 8);
    out[15] = (uint8_t)win;
    if (optlen)
        memcpy(out + 20, opts, optlen);
    if (plen)
        memcpy(out + hl, payload, plen);
    return hl + plen;
}

static inline uint32_t kt_udp(uint8_t *out, uint16_t sp, uint16_t dp, const void *payload,
                              uint32_t plen)
{
    uint32_t l = 8 + plen;
    out[0] = (uint8_t)(sp >> 8);
    out[1] = (uint8_t)sp;
    out[2] = (uint8_t)(dp >> 8);
    out[3] = (uint8_t)dp;
    out[4] = (uint8_t)(l >> 8);
    out[5] = (uint8_t)l;
    out[6] = out[7] = 0;
    if (plen)
        memcpy(out + 8, payload, plen);
    return l;
}

/* ICMP echo-style message (type, code, id, seq) with a few payload bytes; checksum set. */
static inline uint32_t kt_icmp(uint8_t *out, uint8_t type, uint8_t code, uint16_t id, uint16_t seq)
{
    uint16_t c;
    memset(out, 0, 16);
    out[0] = type;
    out[1] = code;
    out[4] = (uint8_t)(id >> 8);
    out[5] = (uint8_t)id;
    out[6] = (uint8_t)(seq >> 8);
    out[7] = (uint8_t)seq;
    memcpy(out + 8, "abcdefgh", 8);
    c = kt_csum(out, 16);
    out[2] = (uint8_t)(c >> 8);
    out[3] = (uint8_t)c;
    return 16;
}

/* Runs one frame through the pipeline and points k->t at the result. */
static inline void kt_send_frame(struct kt *k, const uint8_t *frame, uint32_t len)
{
    memcpy(k->frame, frame, len);
    memset(&k->p, 0, sizeof(k->p));
    k->p.data = k->frame;
    k->p.caplen = k->p.wirelen = len;
    k->p.ts_us = k->ts;
    k->p.datalink = 1;
    k->ts += 1000;
    sn_worker_process(&k->w, &k->p);
    k->t.p = &k->p;
    k->t.f = k->p.flow;
    k->t.dir = k->p.dir;
    if (k->p.flow) {
        int i;
        for (i = 0; i < k->nflows; i++)
            if (k->flows[i] == k->p.flow)
                break;
        if (i == k->nflows && k->nflows < KT_MAX_FLOWS)
            k->flows[k->nflows++] = k->p.flow;
    }
}

static inline void kt_send(struct kt *k, const struct kt_ip *ip, const uint8_t *l4, uint32_t l4len)
{
    uint8_t buf[4096];
    kt_send_frame(k, buf, kt_frame(buf, ip, l4, l4len));
}

/* Shortcut: one TCP segment between two IPv4 hosts. */
static inline void kt_send_tcp(struct kt *k, const char *src, const char *dst, uint16_t sp,
                               uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
                               const char *payload)
{
    uint8_t l4[2048];
    struct kt_ip ip = {.src = src, .dst = dst, .proto = IPPROTO_TCP};
    uint32_t n = kt_tcp(l4, sp, dp, seq, ack, flags, 8192, NULL, 0, payload,
                        payload ? (uint32_t)strlen(payload) : 0);
    kt_send(k, &ip, l4, n);
}

/* Parses a rule (kept until kt_free); aborts the test binary when it does not parse. */
static inline struct sn_rule *kt_rule(struct kt *k, const char *text)
{
    struct sn_rule *r = NULL;
    struct cs_err e = {0};
    if (sn_rule_parse(text, strlen(text), NULL, &r, &e) != CS_OK || k->nrules == KT_MAX_RULES) {
        printf("# rule did not parse: %s: %s\n", text, e.msg);
        exit(2);
    }
    k->rules[k->nrules++] = r;
    return r;
}

/* The n-th (0-based) instance of keyword `name` in r. */
static inline const struct sn_kw_inst *kt_inst(const struct sn_rule *r, const char *name, int n)
{
    int i = -1;
    do
        i = sn_rule_find_kw(r, name, (uint32_t)(i + 1));
    while (i >= 0 && n-- > 0);
    if (i < 0) {
        printf("# no keyword %s in rule\n", name);
        exit(2);
    }
    return &r->kw[i];
}

/* Evaluates the first instance of `name` in r against k->t. */
static inline bool kt_match(struct kt *k, const struct sn_rule *r, const char *name)
{
    const struct sn_kw_inst *inst = kt_inst(r, name, 0);
    if (!inst->kw->match) {
        printf("# keyword %s has no match function\n", name);
        return false;
    }
    k->t.rule = r;
    return inst->kw->match(&k->t, inst);
}

/* Evaluates every instance of r that has a match function (as the engine does for the
 * non-payload keywords); true when all hold. Then, on a full match, runs the post-match. */
static inline bool kt_eval_rule(struct kt *k, const struct sn_rule *r)
{
    k->t.rule = r;
    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_kw_inst *inst = &r->kw[i];
        k->t.kw_idx = i;
        if (inst->kw->match && !inst->kw->match(&k->t, inst))
            return false;
    }
    sn_detect_postmatch(&k->t);
    return true;
}

#endif
