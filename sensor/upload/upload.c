/* upload.c — the hub output's uploader thread: cut, compress, sign, POST, acknowledge. */
#include "upload.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../gm/gm.h"
#include "../../hub/auth/auth.h"
#include "../../lib/cs_time.h"
#include "http.h"
#include "spool.h"

#define LOGP "citysoc-sensor: hub: "
#define RETRY_MIN_MS 500u
#define IDLE_WAIT_MS 50u
#define DEFAULT_PATH "/api/v1/events"

struct sn_upload {
    struct sn_hub_cfg cfg;
    struct sn_url url;
    char auth[300];  /* "Authorization: Bearer <token>" */
    char spool_dir[4200];
    struct gm_sm2_key *key;
    struct sn_spool *spool;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop, draining;
    atomic_uint_fast64_t uploaded_events, uploaded_batches, duplicate_batches, retries,
        auth_failures, rejected_batches, rejected_events;
    bool down; /* the last attempt failed (log on changes only) */
};

enum outcome { SENT, REJECTED, RETRY };

static uint64_t now_ms(void)
{
    return cs_time_mono_us() / 1000u;
}

/* ---- start ------------------------------------------------------------------------------- */

static int read_token(const char *path, char *out, size_t cap, struct cs_err *err)
{
    FILE *f = fopen(path, "r");
    char line[512];

    if (!f || !fgets(line, sizeof(line), f)) {
        cs_err_set(err, CS_EIO, 0, 0, "hub token-file %s: %s", path,
                   f ? "empty" : strerror(errno));
        if (f)
            fclose(f);
        return CS_EIO;
    }
    fclose(f);
    line[strcspn(line, "\r\n \t")] = 0;
    if (!line[0] || strlen(line) >= cap) {
        cs_err_set(err, CS_EINVAL, 0, 0, "hub token-file %s: no usable token on its first line",
                   path);
        return CS_EINVAL;
    }
    strcpy(out, line);
    gm_cleanse(line, sizeof(line));
    return CS_OK;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > HUB_SIG_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == ':' ||
              s[i] == '-'))
            return false;
    return true;
}

static void *uploader(void *arg);

int sn_upload_start(const struct sn_hub_cfg *cfg, const char *log_dir, struct sn_upload **out,
                    struct cs_err *err)
{
    struct sn_upload *u;
    struct sn_spool_opts so = {0};
    char token[256];
    int rc;

    *out = NULL;
    u = cs_calloc(1, sizeof(*u));
    if (!u) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    u->cfg = *cfg;
    if ((rc = sn_url_parse(cfg->url, &u->url, err)) != CS_OK)
        goto out_free;
    if (strcmp(u->url.path, "/") == 0)
        strcpy(u->url.path, DEFAULT_PATH);
    if (cfg->token[0]) {
        snprintf(token, sizeof(token), "%s", cfg->token);
    } else if (cfg->token_file[0]) {
        if ((rc = read_token(cfg->token_file, token, sizeof(token), err)) != CS_OK)
            goto out_free;
    } else {
        cs_err_set(err, CS_EINVAL, 0, 0, "hub output: a token or token-file is required");
        rc = CS_EINVAL;
        goto out_free;
    }
    if (strpbrk(token, "\r\n")) {
        cs_err_set(err, CS_EINVAL, 0, 0, "hub output: the token has a line break");
        rc = CS_EINVAL;
        goto out_free;
    }
    snprintf(u->auth, sizeof(u->auth), "Authorization: Bearer %s", token);
    gm_cleanse(token, sizeof(token));
    if (cfg->key_file[0]) {
        if (!name_ok(cfg->sensor_name)) {
            cs_err_set(err, CS_EINVAL, 0, 0,
                       "hub output: sensor-name (the name given to `citysoc sensor add`, 1..64 "
                       "of A-Z a-z 0-9 . _ : -) is required to sign batches");
            rc = CS_EINVAL;
            goto out_free;
        }
        rc = gm_sm2_key_load_pem_file(cfg->key_file, &u->key);
        if (rc != CS_OK || !gm_sm2_key_has_private(u->key)) {
            cs_err_set(err, rc ? rc : CS_EINVAL, 0, 0,
                       "hub output: key %s: not a readable SM2 private key (%s)", cfg->key_file,
                       cs_strerror(rc ? rc : CS_EINVAL));
            rc = rc ? rc : CS_EINVAL;
            goto out_free;
        }
    }
    if (cfg->spool_dir[0] == '/' || !log_dir)
        snprintf(u->spool_dir, sizeof(u->spool_dir), "%s", cfg->spool_dir);
    else
        snprintf(u->spool_dir, sizeof(u->spool_dir), "%s/%s", log_dir, cfg->spool_dir);
    so.dir = u->spool_dir;
    so.max_bytes = cfg->spool_max_bytes;
    if ((rc = sn_spool_open(&so, &u->spool, err)) != CS_OK)
        goto out_free;
    pthread_mutex_init(&u->mu, NULL);
    {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&u->cond, &ca);
        pthread_condattr_destroy(&ca);
    }
    {
        struct sn_spool_stats st;
        sn_spool_get_stats(u->spool, &st);
        if (st.pending_records || st.torn_records)
            fprintf(stderr,
                    LOGP "resuming the spool %s: %" PRIu64 " events to upload, %" PRIu64
                         " torn records skipped\n",
                    u->spool_dir, st.pending_records, st.torn_records);
    }
    if (pthread_create(&u->thread, NULL, uploader, u) != 0) {
        cs_err_set(err, CS_ERR, 0, 0, "hub output: cannot start the uploader thread");
        rc = CS_ERR;
        sn_spool_close(u->spool);
        pthread_cond_destroy(&u->cond);
        pthread_mutex_destroy(&u->mu);
        goto out_free;
    }
    *out = u;
    return CS_OK;

out_free:
    gm_sm2_key_free(u->key);
    gm_cleanse(u->auth, sizeof(u->auth));
    cs_free(u);
    return rc;
}

void sn_upload_append(struct sn_upload *u, const char *buf, size_t len)
{
    if (u && len)
        sn_spool_append(u->spool, buf, len);
}

/* ---- one batch ----------------------------------------------------------------------------- */

/* Compresses b's body as configured into *out (cs_malloc'ed; body itself for "none"). */
static int compress_body(const struct sn_upload *u, const struct sn_spool_batch *b, char **out,
                         size_t *outlen)
{
    if (u->cfg.compression == SN_HUB_NONE) {
        *out = b->body;
        *outlen = b->len;
        return CS_OK;
    }
    if (u->cfg.compression == SN_HUB_ZSTD) {
        size_t cap = ZSTD_compressBound(b->len), n;
        char *z = cs_malloc(cap);
        if (!z)
            return CS_ENOMEM;
        n = ZSTD_compress(z, cap, b->body, b->len, 3);
        if (ZSTD_isError(n)) {
            cs_free(z);
            return CS_ERR;
        }
        *out = z;
        *outlen = n;
        return CS_OK;
    }
    {
        z_stream zs = {0};
        size_t cap;
        char *z;
        int zr;
        if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return CS_ENOMEM;
        cap = deflateBound(&zs, (uLong)b->len);
        z = cs_malloc(cap);
        if (!z) {
            deflateEnd(&zs);
            return CS_ENOMEM;
        }
        zs.next_in = (Bytef *)b->body;
        zs.avail_in = (uInt)b->len;
        zs.next_out = (Bytef *)z;
        zs.avail_out = (uInt)cap;
        zr = deflate(&zs, Z_FINISH);
        *outlen = zs.total_out;
        deflateEnd(&zs);
        if (zr != Z_STREAM_END) {
            cs_free(z);
            return CS_ERR;
        }
        *out = z;
        return CS_OK;
    }
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    int rc = CS_OK;

    if (!f)
        return CS_EIO;
    if (len && fwrite(data, 1, len, f) != len)
        rc = CS_EIO;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = CS_EIO;
    if (fclose(f) != 0)
        rc = CS_EIO;
    return rc;
}

/* A poisoned batch: keep it (and the hub's answer) under rejected/ for a human. */
static void reject(struct sn_upload *u, const struct sn_spool_batch *b,
                   const struct sn_http_resp *r)
{
    char dir[4300], path[4400], resp[SN_HTTP_BODY_KEEP + 64];
    int rc;

    snprintf(dir, sizeof(dir), "%s/rejected", u->spool_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        fprintf(stderr, LOGP "cannot create %s: %s\n", dir, strerror(errno));
    snprintf(path, sizeof(path), "%s/%s.ndjson", dir, b->id);
    rc = write_file(path, b->body, b->len);
    snprintf(resp, sizeof(resp), "HTTP %d\n%s\n", r->status, r->body);
    snprintf(path, sizeof(path), "%s/%s.response", dir, b->id);
    write_file(path, resp, strlen(resp));
    atomic_fetch_add(&u->rejected_batches, 1);
    atomic_fetch_add(&u->rejected_events, b->nrec);
    fprintf(stderr,
            LOGP "batch %s rejected by the hub (HTTP %d: %.200s); %" PRIu64 " events %s %s/%s.ndjson\n",
            b->id, r->status, r->body, b->nrec, rc == CS_OK ? "moved to" : "LOST, cannot write",
            dir, b->id);
}

static enum outcome send_batch(struct sn_upload *u, const struct sn_spool_batch *b)
{
    char *wire = NULL, sighdr[HUB_SIG_HEADER_MAX + 32], batchhdr[96];
    char sig[HUB_SIG_HEADER_MAX];
    const char *hdr[8];
    size_t wlen = 0, nh = 0;
    struct sn_http_resp r;
    struct cs_err err = {0};
    enum outcome out = RETRY;
    int rc;

    rc = compress_body(u, b, &wire, &wlen);
    if (rc != CS_OK) {
        fprintf(stderr, LOGP "cannot compress batch %s: %s\n", b->id, cs_strerror(rc));
        return RETRY;
    }
    hdr[nh++] = "Content-Type: application/x-ndjson";
    if (u->cfg.compression == SN_HUB_ZSTD)
        hdr[nh++] = "Content-Encoding: zstd";
    else if (u->cfg.compression == SN_HUB_GZIP)
        hdr[nh++] = "Content-Encoding: gzip";
    hdr[nh++] = u->auth;
    snprintf(batchhdr, sizeof(batchhdr), "X-Citysoc-Batch: %s", b->id);
    hdr[nh++] = batchhdr;
    hdr[nh++] = "User-Agent: citysoc-sensor";
    if (u->key) {
        /* signed at send time: the hub accepts a timestamp inside its window only */
        int64_t ts = (int64_t)(cs_time_now_us() / 1000000u);
        if (hub_sig_sign(u->key, u->cfg.sensor_name, b->id, ts, wire, wlen, sig, sizeof(sig)) !=
            HUB_SIG_OK) {
            fprintf(stderr, LOGP "cannot sign batch %s\n", b->id);
            goto out;
        }
        snprintf(sighdr, sizeof(sighdr), HUB_SIG_HEADER_NAME ": %s", sig);
        hdr[nh++] = sighdr;
    }
    rc = sn_http_post(&u->url, hdr, nh, wire, wlen, (int)u->cfg.timeout_ms, &r, &err);
    if (rc != CS_OK) {
        if (!u->down)
            fprintf(stderr, LOGP "upload failed (%s); spooling, will retry\n", err.msg);
        u->down = true;
        goto out;
    }
    if (r.status >= 200 && r.status < 300) {
        if (u->down)
            fprintf(stderr, LOGP "the hub answers again; catching up\n");
        u->down = false;
        atomic_fetch_add(&u->uploaded_batches, 1);
        atomic_fetch_add(&u->uploaded_events, b->nrec);
        if (strstr(r.body, "\"duplicate\":true"))
            atomic_fetch_add(&u->duplicate_batches, 1);
        out = SENT;
    } else if (r.status == 401 || r.status == 403 || r.status == 404) {
        atomic_fetch_add(&u->auth_failures, 1);
        if (!u->down)
            fprintf(stderr,
                    LOGP "the hub refuses this sensor (HTTP %d: %.200s); check url, token, key "
                         "and sensor-name; will retry\n",
                    r.status, r.body);
        u->down = true;
    } else if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
        u->down = false;
        reject(u, b, &r);
        out = REJECTED;
    } else {
        if (!u->down)
            fprintf(stderr, LOGP "the hub answered HTTP %d (%.200s); will retry\n", r.status,
                    r.body);
        u->down = true;
    }
out:
    if (wire != b->body)
        cs_free(wire);
    return out;
}

/* ---- the thread ---------------------------------------------------------------------------- */

static void wait_ms(struct sn_upload *u, uint64_t ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&u->mu);
    if (!u->stop)
        pthread_cond_timedwait(&u->cond, &u->mu, &ts);
    pthread_mutex_unlock(&u->mu);
}

static void *uploader(void *arg)
{
    struct sn_upload *u = arg;
    uint64_t backoff = 0, next_try = 0, pending_since = 0, next_sync;
    bool stop, draining;

    next_sync = now_ms() + u->cfg.flush_ms;
    for (;;) {
        struct sn_spool_batch b;
        struct sn_spool_stats st;
        uint64_t now = now_ms(), wait = IDLE_WAIT_MS;
        int rc;

        pthread_mutex_lock(&u->mu);
        stop = u->stop;
        draining = u->draining;
        pthread_mutex_unlock(&u->mu);
        if (stop)
            break;
        if (now >= next_sync) {
            sn_spool_sync(u->spool);
            next_sync = now + u->cfg.flush_ms;
        }
        if (now < next_try) {
            wait_ms(u, CS_MIN(next_try - now, (uint64_t)IDLE_WAIT_MS * 4));
            continue;
        }
        rc = sn_spool_next_batch(u->spool, u->cfg.batch_events, (size_t)u->cfg.batch_bytes,
                                 draining || (pending_since && now - pending_since >= u->cfg.flush_ms),
                                 &b);
        if (rc == CS_OK) {
            enum outcome o = send_batch(u, &b);
            pending_since = 0;
            if (o == RETRY) {
                atomic_fetch_add(&u->retries, 1);
                backoff = backoff ? CS_MIN(backoff * 2, (uint64_t)u->cfg.retry_max_ms)
                                  : CS_MIN((uint64_t)RETRY_MIN_MS, (uint64_t)u->cfg.retry_max_ms);
                next_try = now_ms() + backoff;
            } else {
                backoff = 0;
                if (sn_spool_commit(u->spool, &b) != CS_OK)
                    fprintf(stderr, LOGP "cannot write the spool cursor in %s\n", u->spool_dir);
            }
            sn_spool_batch_free(&b);
            continue;
        }
        if (rc != CS_AGAIN) {
            fprintf(stderr, LOGP "cannot read the spool %s: %s\n", u->spool_dir, cs_strerror(rc));
            next_try = now + 1000;
            continue;
        }
        sn_spool_get_stats(u->spool, &st);
        if (!st.pending_records) {
            pending_since = 0;
            if (draining) {
                pthread_mutex_lock(&u->mu);
                pthread_cond_broadcast(&u->cond);
                pthread_mutex_unlock(&u->mu);
            }
        } else if (!pending_since) {
            pending_since = now;
        } else {
            wait = CS_MIN(wait, pending_since + u->cfg.flush_ms > now
                                    ? pending_since + u->cfg.flush_ms - now
                                    : 1);
        }
        wait_ms(u, wait);
    }
    return NULL;
}

void sn_upload_stop(struct sn_upload *u, uint32_t drain_ms, struct sn_upload_stats *final)
{
    uint64_t deadline;
    struct sn_spool_stats st;

    if (!u)
        return;
    deadline = now_ms() + drain_ms;
    pthread_mutex_lock(&u->mu);
    u->draining = true;
    pthread_cond_broadcast(&u->cond);
    pthread_mutex_unlock(&u->mu);
    for (;;) {
        sn_spool_get_stats(u->spool, &st);
        if (!st.pending_records || now_ms() >= deadline)
            break;
        usleep(10000);
    }
    pthread_mutex_lock(&u->mu);
    u->stop = true;
    pthread_cond_broadcast(&u->cond);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->thread, NULL);
    sn_spool_get_stats(u->spool, &st);
    if (final)
        sn_upload_get_stats(u, final);
    if (st.pending_records)
        fprintf(stderr,
                LOGP "%" PRIu64 " events stay in the spool %s; they are sent at the next start\n",
                st.pending_records, u->spool_dir);
    sn_spool_close(u->spool);
    pthread_cond_destroy(&u->cond);
    pthread_mutex_destroy(&u->mu);
    gm_sm2_key_free(u->key);
    gm_cleanse(u->auth, sizeof(u->auth));
    cs_free(u);
}

void sn_upload_get_stats(struct sn_upload *u, struct sn_upload_stats *st)
{
    struct sn_spool_stats ss;

    memset(st, 0, sizeof(*st));
    if (!u)
        return;
    sn_spool_get_stats(u->spool, &ss);
    st->uploaded_events = atomic_load(&u->uploaded_events);
    st->uploaded_batches = atomic_load(&u->uploaded_batches);
    st->duplicate_batches = atomic_load(&u->duplicate_batches);
    st->retries = atomic_load(&u->retries);
    st->auth_failures = atomic_load(&u->auth_failures);
    st->rejected_batches = atomic_load(&u->rejected_batches);
    st->rejected_events = atomic_load(&u->rejected_events);
    st->spool_bytes = ss.bytes;
    st->spool_pending = ss.pending_records;
    st->dropped_events = ss.dropped_records;
    st->torn_records = ss.torn_records;
    st->spool_write_errors = ss.write_errors;
}
