/* fuzz_getbuf.c — the pipeline (as fuzz_pipeline: packets [1 byte link-type selector][2 bytes
 * length, big endian][bytes], midstream on) with the detection hook installed: on every
 * app-layer callback it fetches every instance of every inspection buffer with
 * sn_detect_get_buffer() (reading each byte, so ASan sees over-reads) and evaluates the .match
 * of the app-layer keywords of a fixed rule set. Finds mistakes in getbuf.c, the app
 * keywords and the parsers' hook call sites (a transaction used after it is freed). */
#include "../sensor/config.h"
#include "../sensor/decode/decode.h"
#include "../sensor/detect/detect.h"
#include "../sensor/detect/kw.h"
#include "../sensor/output/eve.h"
#include "../sensor/pkt.h"
#include "../sensor/worker.h"

#include <stdlib.h>

static const int fz_dlts[] = {SN_DLT_EN10MB, SN_DLT_RAW, SN_DLT_LINUX_SLL, SN_DLT_NULL};

static const char *const fz_rules[] = {
    "alert tls any any -> any any (ssl_state:client_hello|!server_keyx; ssl_version:!tls1.2; "
    "tls.version:1.3; tls_cert_expired; tls_cert_valid; tls_cert_notbefore:>2010; "
    "tls_cert_notafter:2010<>2030; sid:1;)",
    "alert modbus any any -> any any (modbus: access write holding, address 1, value >2; "
    "sid:2;)",
    "alert modbus any any -> any any (modbus: unit <9, function 8, subfunction 4; sid:3;)",
    "alert modbus any any -> any any (modbus: access read coils, address 1<>100; sid:4;)",
    "alert modbus any any -> any any (modbus: function !public; sid:5;)",
    "alert dnp3 any any -> any any (dnp3_func:read; dnp3_ind:device_restart; dnp3_obj:60,2; "
    "sid:6;)",
    "alert enip any any -> any any (enip_command:>100; cip_service:3,139,1; sid:7;)",
};

static struct sn_detect_thread fz_t;
static struct sn_rule *fz_r[CS_ARRAY_LEN(fz_rules)];
static volatile unsigned fz_sink;

static void fz_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    struct sn_detect_thread *t = &fz_t;

    t->w = w;
    t->p = w->pkt;
    t->f = f;
    t->dir = (uint8_t)dir;
    t->tx = tx;
    t->tx_proto = proto;
    for (int b = 1; b < SN_BUF_MAX; b++) {
        for (uint32_t idx = 0; idx < 32; idx++) {
            const uint8_t *d;
            uint32_t n;
            if (!sn_detect_get_buffer(t, b, idx, &d, &n))
                break;
            for (uint32_t i = 0; i < n; i++)
                fz_sink += d[i];
        }
    }
    for (size_t r = 0; r < CS_ARRAY_LEN(fz_r); r++) {
        if (!fz_r[r])
            continue;
        t->rule = fz_r[r];
        for (uint32_t i = 0; i < fz_r[r]->nkw; i++)
            if (fz_r[r]->kw[i].kw->match)
                fz_sink += fz_r[r]->kw[i].kw->match(t, &fz_r[r]->kw[i]);
    }
}

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
        cfg.midstream = true;
        cfg.csum = SN_CSUM_NONE;
        sink = sn_eve_sink_open("/dev/null", "fuzz.pcap", NULL);
        if (!sink)
            abort();
    }
    for (size_t r = 0; r < CS_ARRAY_LEN(fz_rules); r++) {
        struct cs_err err = {0};
        if (!fz_r[r] &&
            sn_rule_parse(fz_rules[r], strlen(fz_rules[r]), NULL, &fz_r[r], &err) != CS_OK)
            fz_r[r] = NULL; /* allocation failure under fault injection: tried again */
    }
    if (sn_worker_init(&w, 0, &cfg, 1, sink) != CS_OK)
        return 0;
    sn_detect_app_cb = fz_cb;
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
    sn_detect_app_cb = NULL;
    return 0;
}
