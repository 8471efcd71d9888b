/* fuzz_decode.c — the packet decoder: the first input byte selects the link type (modulo the
 * supported list), the rest is the captured packet. One static worker is used for every
 * input so fragments from earlier inputs stay in the defragmenter and reassembly paths get
 * exercised; rebuilt datagrams are read in full (so ASan checks them) and freed by the
 * callback. Also runs the dispatch hash on the same bytes. */
#include "../sensor/config.h"
#include "../sensor/decode/decode.h"
#include "../sensor/decode/defrag.h"
#include "../sensor/pkt.h"

#include <stdlib.h>

static const int fz_dlts[] = {
    SN_DLT_EN10MB, SN_DLT_LINUX_SLL, SN_DLT_LINUX_SLL2, SN_DLT_NULL,
    SN_DLT_LOOP,   SN_DLT_RAW,       SN_DLT_RAW_ALT,    SN_DLT_LINKTYPE_RAW,
    SN_DLT_IPV4,   SN_DLT_IPV6,      SN_DLT_PPP,
};

static struct sn_config fz_cfg;
static struct sn_worker fz_w;
static uint64_t fz_now = 1000000;

static void fz_touch(const struct sn_pkt *p)
{
    volatile uint8_t sink = 0;

    if (p->payload)
        for (uint32_t i = 0; i < p->payload_len; i++)
            sink ^= p->payload[i];
    if (p->l4_hdr)
        for (uint32_t i = 0; i < p->l4_hlen; i++)
            sink ^= p->l4_hdr[i];
    (void)sink;
    if (p->nevents > SN_MAX_PKT_EVENTS)
        abort();
}

static void fz_rebuilt(struct sn_worker *w, struct sn_pkt *p)
{
    (void)w;
    if (!(p->flags & SN_PKT_REBUILT) || !p->owned)
        abort();
    fz_touch(p);
    free(p->owned);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sn_pkt p;
    uint8_t *copy;
    int rc;

    if (size < 1 || size > 70000)
        return 0;
    if (!fz_w.cfg) {
        sn_config_defaults(&fz_cfg);
        fz_cfg.defrag_memcap = 1u << 20;
        fz_cfg.defrag_max_frags = 64;
        fz_w.cfg = &fz_cfg;
        fz_w.defrag = sn_defrag_new(&fz_cfg, 1);
        sn_decode_rebuilt_cb = fz_rebuilt;
    }
    /* an exact-size copy so any read past the end is caught */
    copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    memset(&p, 0, sizeof(p));
    p.data = copy;
    p.caplen = (uint32_t)(size - 1);
    p.wirelen = p.caplen;
    p.datalink = fz_dlts[data[0] % (sizeof(fz_dlts) / sizeof(fz_dlts[0]))];
    fz_now += 1000000; /* one second per input: trackers expire after a minute */
    p.ts_us = fz_now;
    rc = sn_decode(&fz_w, &p);
    if (rc != CS_OK && rc != CS_AGAIN && rc != CS_ERR)
        abort();
    fz_touch(&p);
    (void)sn_decode_dispatch_hash(p.datalink, copy, p.caplen);
    sn_defrag_timeout(&fz_w, fz_now);
    free(copy);
    return 0;
}
