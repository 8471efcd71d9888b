/* worker.c — workers, the pipeline of one packet, readers and rings. See worker.h. */
#include "worker.h"

#include "../lib/cs_time.h"
#include "app/app.h"
#include "capture/capture.h"
#include "config.h"
#include "decode/decode.h"
#include "decode/defrag.h"
#include "detect/engine.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "pkt.h"
#include "stream/stream.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- one packet through the pipeline ----------------------------------------------- */

static void stream_catch_up(struct sn_flow *f, struct sn_pkt *p);

static void on_flow_end(struct sn_worker *w, struct sn_flow *f)
{
    sn_stream_flow_end(w, f); /* TCP parsers get EOF and log what is pending */
    stream_catch_up(f, NULL);
    sn_app_flow_end(w, f);    /* UDP parsers likewise */
    sn_detect_flow_end(w, f); /* stream chunks not inspected yet */
    sn_eve_log_flow(w, f);
    sn_stream_flow_free(w, f);
    sn_app_flow_free(w, f);
    sn_detect_flow_free(f);
}

/* Ordered TCP data: the app layer, and the detection engine's raw stream inspection. */
static void on_stream_data(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                           uint32_t len, unsigned flags)
{
    bool was = f->flags & SN_FLOW_F_REVERSE_PENDING;

    /* the app layer turned the flow round: the stream still has the old directions until
     * the packet is done (stream_catch_up) */
    if (was)
        dir ^= 1;
    /* detection first: a transaction the parsers report below has its packet-payload
     * keywords inspect these bytes (the gathered stream of its direction) */
    if (w->detect || sn_detect_enabled())
        sn_detect_stream_data(w, f, dir, data, len, flags);
    if (w->cfg && w->cfg->app_one_byte && data && len > 1) {
        /* testing aid: the parsers get the data cut at every byte (START with the first,
         * EOF / DEPTH with the last) and must log the same */
        unsigned ends = flags & (SN_STREAM_EOF | SN_STREAM_DEPTH);
        for (uint32_t i = 0; i < len; i++)
            sn_app_on_data(w, f,
                           dir ^ (!was && (f->flags & SN_FLOW_F_REVERSE_PENDING) ? 1 : 0),
                           data + i, 1,
                           (flags & ~(SN_STREAM_START | ends)) |
                               (i == 0 ? (flags & SN_STREAM_START) : 0) |
                               (i == len - 1 ? ends : 0));
    } else {
        sn_app_on_data(w, f, dir, data, len, flags);
    }
    if (!was && (f->flags & SN_FLOW_F_REVERSE_PENDING))
        sn_detect_flow_reverse(f); /* the bytes gathered above follow their sender */
}

/* After the stream is done with a packet (or a flow end): a flow the app layer turned
 * round gets its session turned too; the packet's direction follows. */
static void stream_catch_up(struct sn_flow *f, struct sn_pkt *p)
{
    if (!(f->flags & SN_FLOW_F_REVERSE_PENDING))
        return;
    sn_stream_reverse(f);
    f->flags &= (uint8_t)~SN_FLOW_F_REVERSE_PENDING;
    if (p)
        p->dir ^= 1;
}

/* Flow, stream and app layer for a decoded packet. */
static void track(struct sn_worker *w, struct sn_pkt *p)
{
    struct sn_flow *f;

    if (!p->ip_ver || (p->flags & SN_PKT_IS_FRAGMENT))
        return;
    f = sn_flow_handle(w, p);
    if (!f)
        return;
    if (p->proto == IPPROTO_TCP && (p->flags & SN_PKT_HAS_L4)) {
        sn_stream_packet(w, p);
        stream_catch_up(f, p);
    }
    else if (p->proto == IPPROTO_UDP && (p->flags & SN_PKT_HAS_L4))
        sn_app_on_udp(w, p);
}

/* A datagram the defragmenter rebuilt (already decoded). */
static void on_rebuilt(struct sn_worker *w, struct sn_pkt *p)
{
    const struct sn_pkt *outer = w->pkt;

    w->pkt = p;
    track(w, p);
    sn_detect_packet(w, p);
    w->pkt = outer;
    sn_eve_log_anomalies(w, p);
    cs_free(p->owned);
    p->owned = NULL;
}

static void advance_time(struct sn_worker *w, uint64_t ts_us)
{
    if (ts_us <= w->now_us)
        return;
    if (ts_us / 1000000u != w->now_us / 1000000u) {
        sn_flow_timeout_sweep(w, ts_us, 0);
        sn_defrag_timeout(w, ts_us);
    }
    w->now_us = ts_us;
}

void sn_worker_process(struct sn_worker *w, struct sn_pkt *p)
{
    advance_time(w, p->ts_us);
    w->pkt = p;
    if (sn_decode(w, p) == CS_OK) {
        track(w, p);
        sn_detect_packet(w, p);
    }
    sn_eve_log_anomalies(w, p);
    w->pkt = NULL;
}

int sn_worker_init(struct sn_worker *w, int id, const struct sn_config *cfg, int nworkers,
                   struct sn_eve_sink *sink)
{
    memset(w, 0, sizeof(*w));
    w->id = id;
    w->cfg = cfg;
    sn_decode_rebuilt_cb = on_rebuilt;
    sn_stream_deliver_cb = on_stream_data;
    w->flows = sn_flow_table_new(cfg, nworkers, on_flow_end);
    w->defrag = sn_defrag_new(cfg, nworkers);
    w->stream = sn_stream_ctx_new(cfg, nworkers);
    if (sink)
        w->eve = sn_eve_new(cfg, sink);
    if (!w->flows || !w->defrag || !w->stream || (sink && !w->eve)) {
        sn_worker_destroy(w);
        return CS_ENOMEM;
    }
    return CS_OK;
}

void sn_worker_finish(struct sn_worker *w)
{
    sn_flow_flush(w, SN_FLOW_END_SHUTDOWN);
    sn_eve_flush(w->eve);
}

void sn_worker_destroy(struct sn_worker *w)
{
    if (w->flows)
        sn_flow_table_free(w->flows);
    if (w->defrag)
        sn_defrag_free(w->defrag);
    if (w->stream)
        sn_stream_ctx_free(w->stream);
    if (w->eve)
        sn_eve_free(w->eve);
    sn_detect_worker_free(w);
    w->flows = NULL;
    w->defrag = NULL;
    w->stream = NULL;
    w->eve = NULL;
}

/* ---- single-producer / single-consumer packet ring --------------------------------- */

#define RING_BYTES (16u << 20)
#define RING_TICK (-1) /* entry without packet: advance the worker's clock to ts_us */

struct ring_hdr {
    uint32_t size;               /* whole entry, 8-aligned; 0 marks "wrap to start" */
    uint32_t caplen;
    uint32_t wirelen;
    int32_t dlt;                 /* link type of the packet; RING_TICK for a time tick */
    uint64_t ts_us;
    uint64_t pcap_cnt;
};

struct ring {
    _Alignas(64) _Atomic size_t head; /* bytes written (producer) */
    _Alignas(64) _Atomic size_t tail; /* bytes consumed (consumer) */
    _Alignas(64) _Atomic int sleeping;
    _Atomic int done;
    uint8_t *buf;
    size_t cap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static int ring_init(struct ring *r)
{
    memset(r, 0, sizeof(*r));
    r->cap = RING_BYTES;
    r->buf = cs_malloc(r->cap);
    if (!r->buf)
        return CS_ENOMEM;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return CS_OK;
}

static void ring_destroy(struct ring *r)
{
    cs_free(r->buf);
    r->buf = NULL;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
}

static void ring_wake(struct ring *r)
{
    if (atomic_load(&r->sleeping)) {
        pthread_mutex_lock(&r->mu);
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

static void backoff(unsigned *spins)
{
    if (++*spins < 64) {
        __asm__ __volatile__("" ::: "memory");
    } else if (*spins < 128) {
        sched_yield();
    } else {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

/* Copies one packet into the ring, waiting for room. */
static void ring_push(struct ring *r, const struct sn_capture_pkt *cp, uint64_t pcap_cnt,
                      int dlt)
{
    size_t need = (sizeof(struct ring_hdr) + cp->caplen + 7u) & ~(size_t)7u;
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t idx = head % r->cap;
    size_t pad = r->cap - idx < need ? r->cap - idx : 0;
    unsigned spins = 0;
    struct ring_hdr *h;

    while (r->cap - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < need + pad) {
        ring_wake(r);
        backoff(&spins);
    }
    if (pad) {
        ((struct ring_hdr *)(r->buf + idx))->size = 0;
        head += pad;
        idx = 0;
    }
    h = (struct ring_hdr *)(r->buf + idx);
    h->size = (uint32_t)need;
    h->caplen = cp->caplen;
    h->wirelen = cp->wirelen;
    h->dlt = dlt;
    h->ts_us = cp->ts_us;
    h->pcap_cnt = pcap_cnt;
    memcpy(h + 1, cp->data, cp->caplen);
    atomic_store(&r->head, head + need);
    ring_wake(r);
}

/* ---- engine ------------------------------------------------------------------------ */

struct engine_worker {
    struct sn_worker w;
    struct sn_engine *eng;
    struct ring ring;
    pthread_t thread;
    bool started;
    /* live */
    struct sn_capture *cap;
    int dlt;
    int rc;
    char err[256];
};

struct sn_engine {
    const struct sn_config *cfg;
    struct sn_eve_sink *sink;
    int n;
    struct engine_worker *ws;
    _Atomic int stop;
    uint64_t clock_us;           /* newest packet time the reader has seen (offline) */
    bool offline;                /* a capture file run: time is packet time only */
    uint64_t progress_us;        /* last -v progress line */
    uint64_t capture_errors;
};

struct sn_engine *sn_engine_new(const struct sn_config *cfg, struct sn_eve_sink *sink,
                                struct cs_err *err)
{
    struct sn_engine *e = cs_calloc(1, sizeof(*e));
    int n = cfg->threads > 0 ? cfg->threads : 1;

    if (!e)
        goto out_nomem;
    e->cfg = cfg;
    e->sink = sink;
    e->n = n;
    e->ws = cs_calloc((size_t)n, sizeof(*e->ws));
    if (!e->ws)
        goto out_free;
    for (int i = 0; i < n; i++) {
        e->ws[i].eng = e;
        if (sn_worker_init(&e->ws[i].w, i, cfg, n, sink) != CS_OK)
            goto out_free;
    }
    return e;

out_free:
    sn_engine_free(e);
out_nomem:
    cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory setting up %d worker(s)", n);
    return NULL;
}

void sn_engine_free(struct sn_engine *e)
{
    if (!e)
        return;
    for (int i = 0; e->ws && i < e->n; i++) {
        sn_worker_destroy(&e->ws[i].w);
        if (e->ws[i].ring.buf)
            ring_destroy(&e->ws[i].ring);
    }
    cs_free(e->ws);
    cs_free(e);
}

void sn_engine_stop(struct sn_engine *e)
{
    atomic_store(&e->stop, 1);
}

static inline void fill_pkt(struct sn_pkt *p, const uint8_t *data, uint32_t caplen,
                            uint32_t wirelen, uint64_t ts_us, uint64_t pcap_cnt, int dlt)
{
    p->data = data;
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->ts_us = ts_us;
    p->pcap_cnt = pcap_cnt;
    p->datalink = dlt;
    sn_pkt_reset(p);
}

/* Worker thread of an offline run: drains its ring until the reader is done. */
static void *ring_worker_main(void *arg)
{
    struct engine_worker *ew = arg;
    struct ring *r = &ew->ring;
    struct sn_pkt p;
    unsigned spins = 0;

    for (;;) {
        size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        size_t head = atomic_load(&r->head);
        if (tail == head) {
            if (atomic_load(&r->done) && tail == atomic_load(&r->head))
                break;
            if (++spins < 256) {
                __asm__ __volatile__("" ::: "memory");
                continue;
            }
            sn_detect_worker_sync(&ew->w); /* idle: move to a reloaded engine */
            pthread_mutex_lock(&r->mu);
            atomic_store(&r->sleeping, 1);
            if (atomic_load(&r->head) == tail && !atomic_load(&r->done)) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 5000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&r->cv, &r->mu, &ts);
            }
            atomic_store(&r->sleeping, 0);
            pthread_mutex_unlock(&r->mu);
            spins = 0;
            continue;
        }
        spins = 0;
        while (tail != head) {
            size_t idx = tail % r->cap;
            const struct ring_hdr *h = (const struct ring_hdr *)(r->buf + idx);
            if (h->size == 0) {
                tail += r->cap - idx;
                continue;
            }
            if (h->dlt == RING_TICK) {
                advance_time(&ew->w, h->ts_us);
            } else {
                fill_pkt(&p, (const uint8_t *)(h + 1), h->caplen, h->wirelen, h->ts_us,
                         h->pcap_cnt, h->dlt);
                sn_worker_process(&ew->w, &p);
            }
            tail += h->size;
            atomic_store_explicit(&r->tail, tail, memory_order_release);
        }
    }
    sn_worker_finish(&ew->w);
    return NULL;
}

static int start_ring_workers(struct sn_engine *e, struct cs_err *err)
{
    if (e->n == 1)
        return CS_OK;
    for (int i = 0; i < e->n; i++) {
        if (ring_init(&e->ws[i].ring) != CS_OK ||
            pthread_create(&e->ws[i].thread, NULL, ring_worker_main, &e->ws[i]) != 0) {
            cs_err_set(err, CS_ENOMEM, 0, 0, "cannot start worker %d", i);
            return CS_ENOMEM;
        }
        e->ws[i].started = true;
    }
    return CS_OK;
}

static void stop_ring_workers(struct sn_engine *e)
{
    if (e->n == 1) {
        sn_worker_finish(&e->ws[0].w);
        return;
    }
    for (int i = 0; i < e->n; i++) {
        struct ring *r = &e->ws[i].ring;
        if (!e->ws[i].started)
            continue;
        pthread_mutex_lock(&r->mu);
        atomic_store(&r->done, 1);
        pthread_cond_signal(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(e->ws[i].thread, NULL);
        e->ws[i].started = false;
    }
}

/* Reads one capture file into the workers. */
/* Time ticks: every worker sees the capture clock move on at the same packets as a single
 * worker would (first packet of each new second), so flows time out identically whatever
 * the number of workers. */
static void send_ticks(struct sn_engine *e, uint64_t ts_us)
{
    static const uint8_t none[1];
    struct sn_capture_pkt tick = {.data = none, .caplen = 0, .wirelen = 0, .ts_us = ts_us};

    if (ts_us <= e->clock_us)
        return;
    if (ts_us / 1000000u != e->clock_us / 1000000u)
        for (int i = 0; i < e->n; i++)
            ring_push(&e->ws[i].ring, &tick, 0, RING_TICK);
    e->clock_us = ts_us;
}

static int read_one_file(struct sn_engine *e, const char *path, const char *bpf,
                         uint64_t *cnt, struct cs_err *err)
{
    struct sn_capture *cap = sn_capture_open_file(path, bpf, err);
    struct sn_capture_pkt cp;
    struct sn_pkt p;
    int rc = CS_OK, r, dlt;

    if (!cap)
        return err && err->code ? err->code : CS_EIO;
    dlt = sn_capture_datalink(cap);
    if (!sn_decode_dlt_supported(dlt)) {
        cs_err_set(err, CS_EINVAL, 0, 0, "%s: unsupported link type %d", path, dlt);
        sn_capture_close(cap);
        return CS_EINVAL;
    }
    while (!atomic_load(&e->stop) && (r = sn_capture_next(cap, &cp)) != -1) {
        if (r == 0)
            continue;
        if (r < 0) {
            cs_err_set(err, CS_EIO, 0, 0, "%s: %s (after %llu packets)", path,
                       sn_capture_error(cap), (unsigned long long)*cnt);
            e->capture_errors++;
            rc = CS_EIO;
            break;
        }
        ++*cnt;
        if (e->cfg->verbose && (*cnt & 0xffff) == 0) { /* progress on long files */
            uint64_t now = cs_time_mono_us();
            if (now - e->progress_us >= 5000000u) {
                fprintf(stderr, "citysoc-sensor: %s: %llu packets read\n", path,
                        (unsigned long long)*cnt);
                e->progress_us = now;
            }
        }
        if (e->n == 1) {
            fill_pkt(&p, cp.data, cp.caplen, cp.wirelen, cp.ts_us, *cnt, dlt);
            sn_worker_process(&e->ws[0].w, &p);
        } else {
            uint32_t h = sn_decode_dispatch_hash(dlt, cp.data, cp.caplen);
            int wi = (int)(((uint64_t)h * (uint64_t)e->n) >> 32);
            send_ticks(e, cp.ts_us);
            ring_push(&e->ws[wi].ring, &cp, *cnt, dlt);
        }
    }
    sn_capture_close(cap);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sn_engine_run_file(struct sn_engine *e, const char *path, const char *bpf,
                       struct cs_err *err)
{
    struct stat st;
    uint64_t cnt = 0;
    int rc;

    e->offline = true;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* a directory: every capture in it in name order, as one run (Suricata's
         * pcap-file directory mode); files that are not captures are reported, skipped */
        DIR *d = opendir(path);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        if (!d) {
            cs_err_set(err, CS_EIO, 0, 0, "cannot open %s: %s", path, strerror(errno));
            return CS_EIO;
        }
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            if (n == cap) {
                char **nn = cs_realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
                if (!nn)
                    break;
                names = nn;
            }
            names[n] = cs_malloc(strlen(path) + strlen(de->d_name) + 2);
            if (!names[n])
                break;
            sprintf(names[n], "%s/%s", path, de->d_name);
            n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), name_cmp);
        rc = start_ring_workers(e, err);
        for (size_t i = 0; rc == CS_OK && i < n; i++) {
            struct cs_err fe = {0};
            struct stat fst;
            if (stat(names[i], &fst) != 0 || !S_ISREG(fst.st_mode))
                continue;
            if (read_one_file(e, names[i], bpf, &cnt, &fe) != CS_OK)
                fprintf(stderr, "citysoc-sensor: warning: %s\n", fe.msg);
        }
        for (size_t i = 0; i < n; i++)
            cs_free(names[i]);
        cs_free(names);
        stop_ring_workers(e);
        return rc;
    }
    rc = start_ring_workers(e, err);
    if (rc == CS_OK)
        rc = read_one_file(e, path, bpf, &cnt, err);
    stop_ring_workers(e);
    return rc;
}

/* Worker thread of a live run: its own capture socket, whole pipeline, until stopped. */
static void *live_worker_main(void *arg)
{
    struct engine_worker *ew = arg;
    struct sn_capture_pkt cp;
    struct sn_pkt p;
    int r;

    while (!atomic_load(&ew->eng->stop)) {
        r = sn_capture_next(ew->cap, &cp);
        if (r == 0) {
            /* idle: let flows time out on wall-clock time */
            uint64_t now = cs_time_now_us();
            if (now > ew->w.now_us + 1000000u) {
                sn_flow_timeout_sweep(&ew->w, now, 0);
                sn_defrag_timeout(&ew->w, now);
                ew->w.now_us = now;
            }
            sn_eve_flush(ew->w.eve);
            sn_detect_worker_sync(&ew->w);
            continue;
        }
        if (r < 0) {
            snprintf(ew->err, sizeof(ew->err), "%s", sn_capture_error(ew->cap));
            ew->rc = CS_EIO;
            break;
        }
        fill_pkt(&p, cp.data, cp.caplen, cp.wirelen, cp.ts_us, 0, ew->dlt);
        sn_worker_process(&ew->w, &p);
    }
    sn_worker_finish(&ew->w);
    {
        uint64_t recv, drop;
        sn_capture_stats(ew->cap, &recv, &drop);
        ew->w.counters[SN_CNT_CAPTURE_KERNEL_PACKETS] = recv;
        ew->w.counters[SN_CNT_CAPTURE_KERNEL_DROPS] = drop;
    }
    return NULL;
}

int sn_engine_run_live(struct sn_engine *e, const char *iface, const char *bpf, bool use_pcap,
                       struct cs_err *err)
{
    uint16_t fanout_id = (uint16_t)(getpid() & 0xffff);
    int rc = CS_OK;

    for (int i = 0; i < e->n; i++) {
        e->ws[i].cap = sn_capture_open_live(iface, i, e->n, fanout_id, bpf, use_pcap, err);
        if (!e->ws[i].cap) {
            rc = err && err->code ? err->code : CS_EIO;
            goto out_close;
        }
        e->ws[i].dlt = sn_capture_datalink(e->ws[i].cap);
        if (!sn_decode_dlt_supported(e->ws[i].dlt)) {
            cs_err_set(err, CS_EINVAL, 0, 0, "%s: unsupported link type %d", iface,
                       e->ws[i].dlt);
            rc = CS_EINVAL;
            goto out_close;
        }
    }
    for (int i = 0; i < e->n; i++) {
        if (pthread_create(&e->ws[i].thread, NULL, live_worker_main, &e->ws[i]) != 0) {
            cs_err_set(err, CS_ENOMEM, 0, 0, "cannot start worker %d", i);
            atomic_store(&e->stop, 1);
            rc = CS_ENOMEM;
            break;
        }
        e->ws[i].started = true;
    }
    for (int i = 0; i < e->n; i++) {
        if (e->ws[i].started)
            pthread_join(e->ws[i].thread, NULL);
        e->ws[i].started = false;
        if (e->ws[i].rc && rc == CS_OK) {
            cs_err_set(err, e->ws[i].rc, 0, 0, "%s: %s", iface, e->ws[i].err);
            rc = e->ws[i].rc;
        }
    }
out_close:
    for (int i = 0; i < e->n; i++) {
        sn_capture_close(e->ws[i].cap);
        e->ws[i].cap = NULL;
    }
    return rc;
}

void sn_engine_totals(const struct sn_engine *e, uint64_t counters[SN_CNT_MAX],
                      uint64_t events[SN_EV_MAX])
{
    memset(counters, 0, sizeof(uint64_t) * SN_CNT_MAX);
    memset(events, 0, sizeof(uint64_t) * SN_EV_MAX);
    for (int i = 0; i < e->n; i++) {
        const struct sn_worker *w = &e->ws[i].w;
        for (int c = 0; c < SN_CNT_MAX; c++) {
            if (sn_counter_is_max(c))
                counters[c] = CS_MAX(counters[c], w->counters[c]);
            else
                counters[c] += w->counters[c];
        }
        for (int v = 0; v < SN_EV_MAX; v++)
            events[v] += w->event_counts[v];
    }
    counters[SN_CNT_CAPTURE_ERRORS] += e->capture_errors;
}

void sn_engine_log_stats(struct sn_engine *e, uint64_t uptime_s)
{
    uint64_t counters[SN_CNT_MAX], events[SN_EV_MAX], apps[SN_APP_MAX] = {0}, ts = 0;
    struct sn_eve *eve;

    if (!e->sink)
        return;
    sn_engine_totals(e, counters, events);
    for (int i = 0; i < e->n; i++)
        for (int a = 0; a < SN_APP_MAX; a++)
            apps[a] += e->ws[i].w.app_flows[a];
    for (int i = 0; i < e->n; i++)
        ts = CS_MAX(ts, e->ws[i].w.now_us);
    eve = sn_eve_new(e->cfg, e->sink);
    if (!eve)
        return;
    sn_eve_log_stats(eve, counters, events, apps, uptime_s, ts || e->offline ? ts : cs_time_now_us());
    sn_eve_free(eve);
}
