/* fuzz_http.c — the HTTP/1.x parser alone.
 * Input: [1 byte mode][2 bytes split, big endian][bytes]. Bytes before the split are the
 * to-server stream, the rest the to-client stream. Both are delivered interleaved in pieces of
 * (mode & 7) + 1 bytes (mode & 8: whole), emulating the registry (unconsumed bytes come back
 * with the next ones, capped like max_state_bytes); mode & 16 replaces one piece per
 * direction by a gap; then EOF both ways. Configuration: mode & 32 turns on header dumps and
 * file hashes. EVE goes to /dev/null. */
#include "../lib/cs_cfg.h"
#include "../sensor/app/app.h"
#include "../sensor/config.h"
#include "../sensor/output/eve.h"
#include "../sensor/stream/stream.h"
#include "../sensor/worker.h"

#include <netinet/in.h>
#include <stdlib.h>

extern const struct sn_app_parser sn_app_http;

struct side {
    const uint8_t *d;
    size_t n, off;
    uint8_t *pend;
    size_t plen;
    bool dead, gapped;
};

/* One delivery of up to `step` bytes; false when the side is finished. */
static bool step_side(struct sn_worker *w, struct sn_flow *f, void *st, int dir, struct side *s,
                      size_t step, bool gap)
{
    size_t k;
    uint8_t *np;
    int rc;

    if (s->dead || s->off >= s->n)
        return false;
    k = CS_MIN(step, s->n - s->off);
    if (gap && !s->gapped && s->off > 0) {
        s->gapped = true;
        s->off += k;
        s->plen = 0; /* the registry drops what it holds */
        if (sn_app_http.parse(w, f, st, dir, NULL, (uint32_t)k, SN_STREAM_GAP) < 0)
            s->dead = true;
        return true;
    }
    np = realloc(s->pend, s->plen + k);
    if (!np) {
        s->dead = true;
        return false;
    }
    s->pend = np;
    memcpy(s->pend + s->plen, s->d + s->off, k);
    s->plen += k;
    rc = sn_app_http.parse(w, f, st, dir, s->pend, (uint32_t)s->plen,
                           s->off == 0 ? SN_STREAM_START : 0);
    s->off += k;
    if (rc < 0) {
        s->dead = true;
        return false;
    }
    if ((size_t)rc > s->plen)
        abort(); /* contract: never more than given */
    memmove(s->pend, s->pend + rc, s->plen - (size_t)rc);
    s->plen -= (size_t)rc;
    if (s->plen > sn_app_http.max_state_bytes)
        s->dead = true; /* the registry stops the flow here */
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sn_config cfg[2];
    static struct sn_eve_sink *sink;
    struct sn_worker w;
    struct sn_flow f;
    struct side sd[2];
    size_t split, step;
    bool gap;
    void *st;

    if (!sink) {
        for (int i = 0; i < 2; i++)
            sn_config_defaults(&cfg[i]);
        cfg[1].raw = cs_cfg_new();
        if (cfg[1].raw) {
            cs_cfg_set(cfg[1].raw, "outputs.eve-log.types.http.dump-all-headers", "both");
            cs_cfg_set(cfg[1].raw, "outputs.eve-log.types.files.force-hash.0", "md5");
            cs_cfg_set(cfg[1].raw, "outputs.eve-log.types.files.force-hash.1", "sha256");
            cs_cfg_set(cfg[1].raw, "outputs.eve-log.types.http.xff.enabled", "yes");
        }
        sink = sn_eve_sink_open("/dev/null", NULL, NULL);
        if (!sink)
            abort();
    }
    if (size < 3)
        return 0;
    if (sn_worker_init(&w, 0, &cfg[(data[0] >> 5) & 1], 1, sink) != CS_OK)
        return 0;
    memset(&f, 0, sizeof(f));
    f.proto = IPPROTO_TCP;
    f.ip_ver = 4;
    f.sp = 40000;
    f.dp = 80;
    f.app_proto = (uint16_t)sn_app_lookup("http");
    step = (size_t)(data[0] & 7) + 1;
    if (data[0] & 8)
        step = size;
    gap = (data[0] & 16) != 0;
    split = CS_MIN((size_t)cs_get_be16(data + 1), size - 3);
    data += 3;
    size -= 3;
    memset(sd, 0, sizeof(sd));
    sd[0].d = data;
    sd[0].n = split;
    sd[1].d = data + split;
    sd[1].n = size - split;
    st = sn_app_http.state_new();
    if (st) {
        bool more = true;
        while (more) {
            more = step_side(&w, &f, st, SN_TOSERVER, &sd[0], step, gap);
            more |= step_side(&w, &f, st, SN_TOCLIENT, &sd[1], step, gap);
        }
        for (int d = 0; d < 2; d++)
            if (!sd[d].dead)
                sn_app_http.parse(&w, &f, st, d, sd[d].plen ? sd[d].pend : NULL,
                                  (uint32_t)sd[d].plen, SN_STREAM_EOF);
        sn_app_http.state_free(st);
    }
    free(sd[0].pend);
    free(sd[1].pend);
    sn_worker_destroy(&w);
    return 0;
}
