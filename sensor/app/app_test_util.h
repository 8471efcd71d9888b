/* app_test_util.h — helpers for app-layer parser tests: run a capture through the whole
 * pipeline (one worker, real decoder, flows, streams, registry, EVE writer) and get the EVE
 * lines back, optionally with every TCP segment's payload re-cut into 1-byte deliveries.
 * Test-only; include from exactly one *_test.c per binary. */
#ifndef SN_APP_TEST_UTIL_H
#define SN_APP_TEST_UTIL_H

#include "../../lib/cs_test.h"
#include "../config.h"
#include "../output/eve.h"
#include "../pkt.h"
#include "../stream/stream.h"
#include "../worker.h"
#include "app.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct app_run {
    char *text;      /* the whole eve.json (NUL-terminated), NULL on error */
    size_t len;
    int nlines;
};

/* Deliveries cut to one byte each: wraps the registry's entry point. */
static void app_test_deliver_1byte(struct sn_worker *w, struct sn_flow *f, int dir,
                                   const uint8_t *data, uint32_t len, unsigned flags)
{
    if (!data || len <= 1) {
        sn_app_on_data(w, f, dir, data, len, flags);
        return;
    }
    for (uint32_t i = 0; i < len; i++)
        sn_app_on_data(w, f, dir, data + i, 1, i == 0 ? flags : (flags & ~SN_STREAM_START));
}

/* Runs tests/data/<rel> through one worker with cfg (NULL: defaults with -k none and
 * midstream on). one_byte: TCP data reaches the app layer one byte at a time. */
static inline struct app_run app_test_run(const char *rel, const struct sn_config *cfg_in,
                                          bool one_byte)
{
    struct app_run r = {0};
    struct sn_config cfg;
    char path[4096], out[64] = "/tmp/cs-apptest-XXXXXX";
    char errbuf[PCAP_ERRBUF_SIZE];
    struct sn_eve_sink *sink;
    struct sn_worker w;
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t cnt = 0;
    pcap_t *pc;
    int fd;

    if (cfg_in) {
        cfg = *cfg_in;
    } else {
        sn_config_defaults(&cfg);
        cfg.csum = SN_CSUM_NONE;
        cfg.midstream = true;
    }
    snprintf(path, sizeof(path), "%s/%s", cs_test_data_dir(), rel);
    pc = pcap_open_offline(path, errbuf);
    if (!pc) {
        printf("# cannot open %s: %s\n", path, errbuf);
        return r;
    }
    fd = mkstemp(out);
    if (fd < 0) {
        pcap_close(pc);
        return r;
    }
    close(fd);
    sink = sn_eve_sink_open(out, NULL, NULL);
    if (!sink || sn_worker_init(&w, 0, &cfg, 1, sink) != CS_OK) {
        pcap_close(pc);
        unlink(out);
        return r;
    }
    if (one_byte)
        sn_stream_deliver_cb = app_test_deliver_1byte;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        struct sn_pkt p;
        p.data = d;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        p.pcap_cnt = ++cnt;
        p.datalink = pcap_datalink(pc);
        sn_pkt_reset(&p);
        sn_worker_process(&w, &p);
    }
    pcap_close(pc);
    sn_worker_finish(&w);
    sn_worker_destroy(&w);
    sn_stream_deliver_cb = sn_app_on_data;
    sn_eve_sink_close(sink);
    {
        FILE *f = fopen(out, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            r.text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
            if (r.text && n > 0 && fread(r.text, 1, (size_t)n, f) == (size_t)n)
                r.len = (size_t)n;
            fclose(f);
            for (size_t i = 0; r.text && i < r.len; i++)
                r.nlines += r.text[i] == '\n';
        }
    }
    unlink(out);
    return r;
}

/* Number of EVE lines containing every one of the given substrings (NULL-terminated). */
static inline int app_test_count(const struct app_run *r, ...)
{
    int n = 0;
    const char *line = r->text;

    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        char *copy = malloc(ll + 1);
        bool all = copy != NULL;
        va_list ap;
        if (copy) {
            memcpy(copy, line, ll);
            copy[ll] = 0;
        }
        va_start(ap, r);
        for (const char *s = va_arg(ap, const char *); all && s; s = va_arg(ap, const char *))
            all = strstr(copy, s) != NULL;
        va_end(ap);
        n += all;
        free(copy);
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

static inline void app_test_free(struct app_run *r);

/* Runs a capture twice, normally and with 1-byte deliveries; *same tells whether the EVE
 * text is identical. Returns the normal run. */
static inline struct app_run app_test_run_both(const char *rel, bool *same)
{
    struct app_run a = app_test_run(rel, NULL, false);
    struct app_run b = app_test_run(rel, NULL, true);

    *same = a.text && b.text && strcmp(a.text, b.text) == 0;
    app_test_free(&b);
    return a;
}

static inline void app_test_free(struct app_run *r)
{
    free(r->text);
    r->text = NULL;
}

#endif
