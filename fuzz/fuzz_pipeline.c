/* fuzz_pipeline.c — the whole sensor pipeline on one worker: decode, defrag, flows, TCP
 * reassembly, EVE output (to /dev/null). The input is a sequence of packets, each
 * [1 byte link-type selector][2 bytes length, big endian][bytes]; packet i gets timestamp
 * 1.000000 s + i * 250 ms so timeouts are reached. Every input starts with a fresh worker
 * and ends with the end-of-capture flush, so leaks of any stage show up. */
#include "../sensor/config.h"
#include "../sensor/decode/decode.h"
#include "../sensor/output/eve.h"
#include "../sensor/pkt.h"
#include "../sensor/worker.h"

#include <stdlib.h>

static const int fz_dlts[] = {SN_DLT_EN10MB, SN_DLT_RAW, SN_DLT_LINUX_SLL, SN_DLT_NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sn_config cfg;
    static struct sn_eve_sink *sink;
    struct sn_worker w;
    struct sn_pkt p;
    size_t off = 0;
    uint64_t i = 0;

    if (!sink) {
        sn_config_defaults(&cfg);
        cfg.anomaly_stream = true;
        cfg.eve_community_id = true;
        cfg.eve_ethernet = true;
        cfg.midstream = true;
        cfg.reassembly_depth = 4096;
        cfg.flow_memcap = 1u << 20; /* small: emergency eviction paths */
        sink = sn_eve_sink_open("/dev/null", "fuzz.pcap", NULL);
        if (!sink)
            abort();
    }
    if (sn_worker_init(&w, 0, &cfg, 1, sink) != CS_OK)
        return 0;
    while (off + 3 <= size) {
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        int dlt = fz_dlts[data[off] % CS_ARRAY_LEN(fz_dlts)];
        uint8_t *copy;
        off += 3;
        if (len > size - off)
            len = size - off;
        copy = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
        if (!copy)
            break;
        memcpy(copy, data + off, len);
        memset(&p, 0, sizeof(p));
        p.data = copy;
        p.caplen = p.wirelen = (uint32_t)len;
        p.ts_us = 1000000u + i * 250000u;
        p.pcap_cnt = ++i;
        p.datalink = dlt;
        sn_worker_process(&w, &p);
        free(copy);
        off += len;
    }
    sn_worker_finish(&w);
    sn_worker_destroy(&w);
    return 0;
}
