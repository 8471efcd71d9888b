/* fuzz_dns.c — the DNS parser alone. Input: [1 byte mode][2 bytes split, big endian][bytes];
 * the bytes before the split point go to the server, the rest to the client. Mode bit 4:
 * UDP — each direction is a series of [2-byte length][message] records, each given as one
 * datagram; else TCP — each direction is cut into deliveries of an input-chosen size (the
 * registry's buffering is emulated: unconsumed bytes come back with the next ones), with a
 * gap first when mode bit 5 is set. Then EOF both ways. The probe sees every direction's
 * bytes, and the kept messages are walked through dns.h. EVE goes to /dev/null. */
#include "../sensor/app/app.h"
#include "../sensor/app/dns.h"
#include "../sensor/config.h"
#include "../sensor/output/eve.h"
#include "../sensor/stream/stream.h"
#include "../sensor/worker.h"

#include <netinet/in.h>
#include <stdlib.h>

extern const struct sn_app_parser sn_app_dns;

static void walk_kept(const void *st)
{
    char name[SN_DNS_NAME_BUF];

    for (int dir = 0; dir < 2; dir++) {
        const struct sn_dns_msg *m = sn_dns_last(st, dir);
        for (int s = 0; m && s < SN_DNS_NSECTIONS; s++)
            for (uint32_t i = 0; i < sn_dns_count(m, (enum sn_dns_section)s); i++) {
                const struct sn_dns_rr *rr = sn_dns_entry(m, (enum sn_dns_section)s, i);
                if (!rr || sn_dns_name(m, rr, name) > SN_DNS_NAME_MAX + 64 ||
                    strlen(name) > SN_DNS_NAME_BUF)
                    abort();
            }
    }
}

static void feed_udp(struct sn_worker *w, struct sn_flow *f, void *st, int dir, const uint8_t *d,
                     size_t n)
{
    for (size_t off = 0; off + 2 <= n;) {
        size_t k = CS_MIN((size_t)cs_get_be16(d + off), n - off - 2);
        uint8_t *copy = malloc(k ? k : 1); /* exact size: ASan sees any overread */
        if (!copy)
            return;
        memcpy(copy, d + off + 2, k);
        sn_app_dns.probe(copy, (uint32_t)k, dir, 53);
        if (sn_app_dns.parse(w, f, st, dir, copy, (uint32_t)k, SN_APP_DATAGRAM) != (int)k)
            abort();
        free(copy);
        walk_kept(st);
        off += 2 + k;
    }
    sn_app_dns.parse(w, f, st, dir, NULL, 0, SN_STREAM_EOF | SN_APP_DATAGRAM);
}

static void feed_tcp(struct sn_worker *w, struct sn_flow *f, void *st, int dir, const uint8_t *d,
                     size_t n, size_t step, bool gap)
{
    uint8_t *pend = NULL;
    size_t plen = 0;

    if (gap)
        sn_app_dns.parse(w, f, st, dir, NULL, 10, SN_STREAM_GAP);
    for (size_t off = 0; off < n;) {
        size_t k = CS_MIN(step, n - off);
        uint8_t *np = realloc(pend, plen + k ? plen + k : 1);
        int rc;
        if (!np)
            break;
        pend = np;
        memcpy(pend + plen, d + off, k);
        plen += k;
        off += k;
        rc = sn_app_dns.parse(w, f, st, dir, pend, (uint32_t)plen, off == k ? SN_STREAM_START : 0);
        if (rc < 0)
            break;
        if ((size_t)rc > plen)
            abort(); /* contract: never more than given */
        memmove(pend, pend + rc, plen - (size_t)rc);
        plen -= (size_t)rc;
        walk_kept(st);
        if (plen > 70000)
            abort(); /* one message (65535 + 2) is the most ever left */
    }
    sn_app_dns.parse(w, f, st, dir, plen ? pend : NULL, (uint32_t)plen, SN_STREAM_EOF);
    free(pend);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sn_config cfg;
    static struct sn_eve_sink *sink;
    struct sn_worker w;
    struct sn_flow f;
    size_t split, step;
    bool udp, gap;
    void *st;

    if (!sink) {
        sn_config_defaults(&cfg);
        sink = sn_eve_sink_open("/dev/null", NULL, NULL);
        if (!sink)
            abort();
    }
    if (size < 3)
        return 0;
    if (sn_worker_init(&w, 0, &cfg, 1, sink) != CS_OK)
        return 0;
    memset(&f, 0, sizeof(f));
    udp = (data[0] & 0x10) != 0;
    gap = (data[0] & 0x20) != 0;
    f.proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
    f.sp = 40000;
    f.dp = 53;
    step = (size_t)(data[0] & 7) + 1;
    if (data[0] & 8)
        step = size;
    split = CS_MIN((size_t)cs_get_be16(data + 1), size - 3);
    data += 3;
    size -= 3;
    sn_app_dns.probe(data, (uint32_t)split, SN_TOSERVER, 53);
    sn_app_dns.probe(data, (uint32_t)split, SN_TOSERVER, 8053);
    st = sn_app_dns.state_new();
    if (st) {
        if (udp) {
            feed_udp(&w, &f, st, SN_TOSERVER, data, split);
            feed_udp(&w, &f, st, SN_TOCLIENT, data + split, size - split);
        } else {
            feed_tcp(&w, &f, st, SN_TOSERVER, data, split, step, gap);
            feed_tcp(&w, &f, st, SN_TOCLIENT, data + split, size - split, step, gap);
        }
        sn_app_dns.state_free(st);
    }
    sn_worker_destroy(&w);
    return 0;
}
