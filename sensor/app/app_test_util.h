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

#include <netinet/in.h>
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

/* ---- a parser fed by hand (no capture): hand-built messages, split at any size --------- */

#include "../../lib/cs_cfg.h"

#define APP_FEEDER_PEND 70000

struct app_feeder {
    const struct sn_app_parser *ap;
    struct sn_config cfg;
    struct sn_eve_sink *sink;
    struct sn_worker w;
    struct sn_flow f;
    void *s;
    char path[64];
    char *text; /* the EVE text, after app_feeder_end() */
    uint8_t pend[2][APP_FEEDER_PEND];
    uint32_t plen[2];
};

/* A TCP flow 10.0.0.1:40000 -> :dp with parser ap and its state; records go to a temp file.
 * key/value (may be NULL) set one configuration key first. NULL on failure. */
static inline struct app_feeder *app_feeder_new(const struct sn_app_parser *ap, uint16_t dp,
                                                const char *key, const char *value)
{
    struct app_feeder *fd = calloc(1, sizeof(*fd));
    int tfd;

    if (!fd)
        return NULL;
    fd->ap = ap;
    snprintf(fd->path, sizeof(fd->path), "/tmp/cs-feeder-XXXXXX");
    tfd = mkstemp(fd->path);
    if (tfd >= 0)
        close(tfd);
    sn_config_defaults(&fd->cfg);
    if (key) {
        fd->cfg.raw = cs_cfg_new();
        if (fd->cfg.raw)
            cs_cfg_set(fd->cfg.raw, key, value);
    }
    fd->sink = sn_eve_sink_open(fd->path, NULL, NULL);
    if (!fd->sink || sn_worker_init(&fd->w, 0, &fd->cfg, 1, fd->sink) != CS_OK) {
        free(fd);
        return NULL;
    }
    fd->f.proto = IPPROTO_TCP;
    fd->f.ip_ver = 4;
    fd->f.sp = 40000;
    fd->f.dp = dp;
    fd->f.app_proto = (uint16_t)sn_app_lookup(ap->name);
    fd->s = ap->state_new();
    return fd;
}

/* Gives n bytes of direction dir to the parser in pieces of `step` bytes (0: at once),
 * keeping what it leaves unconsumed as the registry does. */
static inline void app_feeder_feed(struct app_feeder *fd, int dir, const void *p, size_t n,
                                   size_t step)
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
        rc = fd->ap->parse(&fd->w, &fd->f, fd->s, dir, fd->pend[dir], fd->plen[dir], 0);
        if (rc < 0 || (uint32_t)rc > fd->plen[dir])
            return;
        memmove(fd->pend[dir], fd->pend[dir] + rc, fd->plen[dir] - (uint32_t)rc);
        fd->plen[dir] -= (uint32_t)rc;
    }
}

/* EOF both ways, then reads the EVE text into fd->text. */
static inline void app_feeder_end(struct app_feeder *fd)
{
    FILE *fp;
    long n;

    fd->ap->parse(&fd->w, &fd->f, fd->s, SN_TOSERVER, NULL, 0, SN_STREAM_EOF);
    fd->ap->parse(&fd->w, &fd->f, fd->s, SN_TOCLIENT, NULL, 0, SN_STREAM_EOF);
    sn_worker_destroy(&fd->w);
    sn_eve_sink_close(fd->sink);
    fp = fopen(fd->path, "rb");
    if (!fp)
        return;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    fd->text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (fd->text && n > 0 && fread(fd->text, 1, (size_t)n, fp) != (size_t)n)
        fd->text[0] = 0;
    fclose(fp);
}

static inline void app_feeder_free(struct app_feeder *fd)
{
    fd->ap->state_free(fd->s);
    if (fd->cfg.raw)
        cs_cfg_free(fd->cfg.raw);
    unlink(fd->path);
    free(fd->text);
    free(fd);
}

/* Occurrences of needle in the EVE text. */
static inline int app_feeder_count(const struct app_feeder *fd, const char *needle)
{
    int n = 0;
    for (const char *p = fd->text; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

#endif
