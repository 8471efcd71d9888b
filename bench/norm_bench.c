/* norm_bench.c — the hub's ingest cost per event: batch decode (identity, gzip, zstd) and
 * normalise EVE lines, as the ingest route does it. Not a unit test.
 *
 *   build/bench/norm_bench [EVE_FILE] [EVENTS]
 *
 * EVE_FILE (default tests/data/hub/eve/citysoc-eve.json, the sensor's own output) is
 * repeated into batches of 5,000 lines until EVENTS (default 500,000) events have been
 * decoded; prints events/s and ns/event per encoding, plus the JSON tokenizer alone. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "../hub/ingest/batch.h"
#include "../lib/cs_time.h"

#define BATCH_LINES 5000

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* BATCH_LINES lines taken round-robin from the file's non-empty lines. */
static char *make_body(const char *text, size_t len, size_t *blen, size_t *nlines)
{
    size_t cap = 0, n = 0, i = 0, lines = 0;
    char *body = NULL;

    while (lines < BATCH_LINES) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        if (e > i) {
            if (n + (e - i) + 1 > cap) {
                cap = (cap ? cap * 2 : 1 << 20) + (e - i) + 1;
                body = realloc(body, cap);
                if (!body)
                    return NULL;
            }
            memcpy(body + n, text + i, e - i);
            n += e - i;
            body[n++] = '\n';
            lines++;
        }
        i = e + 1;
        if (i >= len)
            i = 0;
    }
    *blen = n;
    *nlines = lines;
    return body;
}

static bool no_norm;

/* CPU time of this thread in µs: on a shared machine it is steadier than the wall clock. */
static uint64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void run(const char *name, enum hub_encoding enc, const void *body, size_t blen,
                size_t raw_len, long target)
{
    struct hub_batch b;
    struct cs_err err;
    long events = 0, errors = 0;
    uint64_t t0, t1;

    hub_batch_init(&b);
    b.no_norm = no_norm;
    uint64_t c0 = cpu_us();
    t0 = cs_time_mono_us();
    while (events < target) {
        hub_batch_reset(&b);
        if (hub_batch_decode(&b, HUB_FMT_CITYSOC_EVE, enc, body, blen, &err) != CS_OK) {
            fprintf(stderr, "norm_bench: %s: %s\n", name, err.msg);
            break;
        }
        events += (long)b.nevents;
        errors += (long)b.nerrors;
    }
    t1 = cs_time_mono_us();
    double s = (double)(t1 - t0) / 1e6, cpu = (double)(cpu_us() - c0) / 1e6;
    printf("%-10s events=%ld errors=%ld seconds=%.3f events/s=%.0f ns/event=%.0f "
           "cpu_ns/event=%.0f MB/s(decoded)=%.1f body=%zu\n",
           name, events, errors, s, events / s, s * 1e9 / (double)events,
           cpu * 1e9 / (double)events,
           (double)events / BATCH_LINES * (double)raw_len / s / 1e6, blen);
    hub_batch_free(&b);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/data/hub/eve/citysoc-eve.json";
    long target = argc > 2 ? atol(argv[2]) : 500000;
    size_t len, blen, nlines, zlen;
    char *text = slurp(path, &len), *body, *gz, *zs;
    z_stream z;

    if (!text || !len) {
        fprintf(stderr, "norm_bench: cannot read %s\n", path);
        return 1;
    }
    body = make_body(text, len, &blen, &nlines);
    if (!body)
        return 1;
    printf("file=%s batch_lines=%zu batch_bytes=%zu avg_line=%.0f\n", path, nlines, blen,
           (double)blen / (double)nlines);

    /* JSON tokenizer alone over the batch's lines */
    {
        struct hub_json_doc d;
        long n = 0;
        uint64_t t0 = cs_time_mono_us();
        hub_json_doc_init(&d);
        while (n < target) {
            size_t i = 0;
            while (i < blen) {
                const char *nl = memchr(body + i, '\n', blen - i);
                size_t e = (size_t)(nl - body);
                if (hub_json_parse(&d, body + i, e - i, NULL, NULL) == CS_OK)
                    n++;
                i = e + 1;
            }
        }
        double s = (double)(cs_time_mono_us() - t0) / 1e6;
        printf("%-10s events=%ld seconds=%.3f events/s=%.0f ns/event=%.0f\n", "json-only", n,
               s, n / s, s * 1e9 / (double)n);
        hub_json_doc_free(&d);
    }

    run("identity", HUB_ENC_IDENTITY, body, blen, blen, target);
    /* as the ingest route decodes: without building each event's norm JSON */
    no_norm = true;
    run("id-nonorm", HUB_ENC_IDENTITY, body, blen, blen, target);
    no_norm = false;

    gz = malloc(compressBound((uLong)blen) + 64);
    memset(&z, 0, sizeof(z));
    if (gz && deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
        z.next_in = (Bytef *)body;
        z.avail_in = (uInt)blen;
        z.next_out = (Bytef *)gz;
        z.avail_out = (uInt)(compressBound((uLong)blen) + 64);
        deflate(&z, Z_FINISH);
        zlen = z.total_out;
        deflateEnd(&z);
        run("gzip", HUB_ENC_GZIP, gz, zlen, blen, target);
    }
    zs = malloc(ZSTD_compressBound(blen));
    if (zs) {
        zlen = ZSTD_compress(zs, ZSTD_compressBound(blen), body, blen, 3);
        if (!ZSTD_isError(zlen))
            run("zstd", HUB_ENC_ZSTD, zs, zlen, blen, target);
    }
    free(gz);
    free(zs);
    free(body);
    free(text);
    return 0;
}
