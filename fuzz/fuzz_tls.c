/* fuzz_tls.c — the TLS/TLCP parser alone. Input: [1 byte mode][2 bytes split, big endian]
 * [bytes]; the bytes before the split point go to the server, the rest to the client. Mode's
 * low 3 bits choose the delivery size (1..8 bytes; bit 3: everything at once), bit 4 feeds the
 * two directions interleaved delivery by delivery. The registry's buffering is emulated
 * (unconsumed bytes come back with the next ones), then EOF both ways. EVE goes to /dev/null. */
#include "../sensor/app/app.h"
#include "../sensor/config.h"
#include "../sensor/output/eve.h"
#include "../sensor/stream/stream.h"
#include "../sensor/worker.h"

#include <netinet/in.h>
#include <stdlib.h>

extern const struct sn_app_parser sn_app_tls;

struct feeder {
    const uint8_t *d;
    size_t n, off;
    uint8_t *pend;
    size_t plen;
    bool stop;
};

/* Delivers the next `step` bytes of one direction; false when that direction is done. */
static bool feed_step(struct sn_worker *w, struct sn_flow *f, void *st, int dir,
                      struct feeder *fd, size_t step)
{
    size_t k = CS_MIN(step, fd->n - fd->off);
    uint8_t *np;
    int rc;

    if (fd->stop || fd->off >= fd->n)
        return false;
    np = realloc(fd->pend, fd->plen + k ? fd->plen + k : 1);
    if (!np) {
        fd->stop = true;
        return false;
    }
    fd->pend = np;
    memcpy(fd->pend + fd->plen, fd->d + fd->off, k);
    fd->plen += k;
    fd->off += k;
    rc = sn_app_tls.parse(w, f, st, dir, fd->pend, (uint32_t)fd->plen,
                          fd->off == k ? SN_STREAM_START : 0);
    if (rc < 0 || fd->plen > (1u << 20)) {
        fd->stop = true;
        return false;
    }
    if ((size_t)rc > fd->plen)
        abort(); /* contract: never more than given */
    memmove(fd->pend, fd->pend + rc, fd->plen - (size_t)rc);
    fd->plen -= (size_t)rc;
    return true;
}

static void feed_end(struct sn_worker *w, struct sn_flow *f, void *st, int dir,
                     struct feeder *fd)
{
    if (!fd->stop)
        sn_app_tls.parse(w, f, st, dir, fd->plen ? fd->pend : NULL, (uint32_t)fd->plen,
                         SN_STREAM_EOF);
    free(fd->pend);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sn_config cfg;
    static struct sn_eve_sink *sink;
    struct feeder ts = {0}, tc = {0};
    struct sn_worker w;
    struct sn_flow f;
    size_t split, step;
    bool interleave;
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
    f.proto = IPPROTO_TCP;
    f.sp = 40000;
    f.dp = 443;
    step = (size_t)(data[0] & 7) + 1;
    if (data[0] & 8)
        step = size;
    interleave = (data[0] & 16) != 0;
    split = CS_MIN((size_t)cs_get_be16(data + 1), size - 3);
    data += 3;
    size -= 3;
    ts.d = data;
    ts.n = split;
    tc.d = data + split;
    tc.n = size - split;
    st = sn_app_tls.state_new();
    if (st) {
        if (interleave) {
            bool a = true, b = true;
            while (a || b) {
                a = feed_step(&w, &f, st, SN_TOSERVER, &ts, step);
                b = feed_step(&w, &f, st, SN_TOCLIENT, &tc, step);
            }
        } else {
            while (feed_step(&w, &f, st, SN_TOSERVER, &ts, step))
                ;
            while (feed_step(&w, &f, st, SN_TOCLIENT, &tc, step))
                ;
        }
        feed_end(&w, &f, st, SN_TOSERVER, &ts);
        feed_end(&w, &f, st, SN_TOCLIENT, &tc);
        sn_app_tls.state_free(st);
    }
    sn_worker_destroy(&w);
    return 0;
}
