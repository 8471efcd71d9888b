/* fuzz_app.h — the shared driver of the single-parser fuzz targets (fuzz_<proto>.c).
 * Input: [1 byte mode][2 bytes split, big endian][bytes]; the bytes before the split point go
 * to the server, the rest to the client, each direction cut into deliveries of an
 * input-chosen size (the registry's buffering is emulated: unconsumed bytes come back with the
 * next ones), then EOF both ways. EVE goes to /dev/null. Include once per target. */
#ifndef FUZZ_APP_H
#define FUZZ_APP_H

#include "../sensor/app/app.h"
#include "../sensor/config.h"
#include "../sensor/output/eve.h"
#include "../sensor/stream/stream.h"
#include "../sensor/worker.h"

#include <netinet/in.h>
#include <stdlib.h>

static void fuzz_app_feed(const struct sn_app_parser *ap, struct sn_worker *w, struct sn_flow *f, void *st, int dir, const uint8_t *d,
                     size_t n, size_t step)
{
    uint8_t *pend = NULL;
    size_t plen = 0;

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
        rc = ap->parse(w, f, st, dir, pend, (uint32_t)plen, off == k ? SN_STREAM_START : 0);
        if (rc < 0)
            break;
        if ((size_t)rc > plen)
            abort(); /* contract: never more than given */
        memmove(pend, pend + rc, plen - (size_t)rc);
        plen -= (size_t)rc;
        if (plen > (1u << 20))
            break;
    }
    ap->parse(w, f, st, dir, plen ? pend : NULL, (uint32_t)plen, SN_STREAM_EOF);
    free(pend);
}

static int fuzz_app_run(const struct sn_app_parser *ap, uint16_t dp, const uint8_t *data,
                        size_t size)
{
    static struct sn_config cfg;
    static struct sn_eve_sink *sink;
    struct sn_worker w;
    struct sn_flow f;
    size_t split, step;
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
    f.dp = dp;
    step = (size_t)(data[0] & 7) + 1;
    if (data[0] & 8)
        step = size;
    split = CS_MIN((size_t)cs_get_be16(data + 1), size - 3);
    data += 3;
    size -= 3;
    st = ap->state_new();
    if (st) {
        fuzz_app_feed(ap, &w, &f, st, SN_TOSERVER, data, split, step);
        fuzz_app_feed(ap, &w, &f, st, SN_TOCLIENT, data + split, size - split, step);
        ap->state_free(st);
    }
    sn_worker_destroy(&w);
    return 0;
}

#endif
