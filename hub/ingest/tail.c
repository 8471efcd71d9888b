/* tail.c — following a growing eve.json; see tail.h for the batch-id scheme. */
#include "tail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/cs_time.h"
#include "../api/events.h"
#include "batch.h"

#define TAIL_BATCH_LINES 1000

struct hub_tail {
    struct hub_store *store;
    char path[512];
    struct hub_sensor sensor;
    enum hub_fmt fmt;
    pthread_t thread;
    atomic_bool stop;
    atomic_uint_least64_t stored;
};

struct tail_batch {
    struct hub_arena arena;
    struct hub_norm norm;
    struct hub_event ev[TAIL_BATCH_LINES];
    struct hub_store_event sev[TAIL_BATCH_LINES];
    size_t n, lines;
    uint64_t start; /* file offset of the batch's first line */
};

/* Stores the batch [start, end) under "tail-<ino>-<start>-<end>"; an id sorts by its end. */
static int flush(struct hub_tail *t, struct tail_batch *b, uint64_t ino, uint64_t end)
{
    if (b->lines == 0)
        return CS_OK;
    char id[80];
    snprintf(id, sizeof(id), "tail-%" PRIu64 "-%016" PRIx64 "-%016" PRIx64, ino % 1000000000u, end,
             b->start);
    int rc = CS_OK;
    if (b->n) {
        int64_t now = (int64_t)cs_time_now_us();
        for (size_t i = 0; i < b->n; i++)
            hub_event_to_store(&b->ev[i], now, &b->sev[i]);
        struct hub_store_batch sb = {.sensor_id = t->sensor.id,
                                     .org_id = t->sensor.org_id,
                                     .batch_id = id,
                                     .received_us = now};
        struct hub_store_batch_result res;
        for (int tries = 0; tries < 50 && !atomic_load(&t->stop); tries++) {
            rc = hub_store_batch_add(t->store, &sb, b->sev, b->n, &res);
            if (rc == CS_OK) {
                if (!res.duplicate)
                    atomic_fetch_add(&t->stored, (uint64_t)res.stored);
                break;
            }
            usleep(100000);
        }
    }
    hub_arena_reset(&b->arena);
    b->n = b->lines = 0;
    b->start = end;
    return rc;
}

/* Where the last stored batch of this inode ended (0 if none). */
static uint64_t resume_at(struct hub_tail *t, uint64_t ino)
{
    char prefix[48], id[96];
    snprintf(prefix, sizeof(prefix), "tail-%" PRIu64 "-", ino % 1000000000u);
    if (hub_store_batch_max_id(t->store, t->sensor.id, prefix, id, sizeof(id)) != CS_OK || !id[0])
        return 0;
    return strtoull(id + strlen(prefix), NULL, 16);
}

static void *tail_main(void *arg)
{
    struct hub_tail *t = arg;
    struct tail_batch *b = cs_calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    hub_arena_init(&b->arena, 0);
    char *buf = cs_malloc(64 * 1024);
    int fd = -1;
    uint64_t ino = 0, fed = 0;
    struct hub_linereader lr;
    hub_linereader_init(&lr, 0);
    hub_norm_init(&b->norm, t->fmt, &b->arena);
    b->norm.keep_norm = false; /* the store keeps columns and raw, not norm */
    while (buf && !atomic_load(&t->stop)) {
        if (fd < 0) {
            fd = open(t->path, O_RDONLY | O_CLOEXEC);
            struct stat st;
            if (fd < 0 || fstat(fd, &st) != 0) {
                if (fd >= 0)
                    close(fd);
                fd = -1;
                usleep(200000);
                continue;
            }
            ino = (uint64_t)st.st_ino;
            fed = resume_at(t, ino);
            if (fed > (uint64_t)st.st_size)
                fed = 0;
            lseek(fd, (off_t)fed, SEEK_SET);
            hub_linereader_free(&lr);
            hub_linereader_init(&lr, 0);
            b->start = fed;
        }
        ssize_t n = read(fd, buf, 64 * 1024);
        if (n > 0) {
            if (hub_linereader_feed(&lr, buf, (size_t)n) != CS_OK)
                break;
            fed += (uint64_t)n;
            const char *line;
            size_t len;
            int r;
            while ((r = hub_linereader_next(&lr, &line, &len)) != 0) {
                b->lines++;
                if (r == 1 && hub_norm_line(&b->norm, line, len, (uint32_t)lr.lineno, &b->ev[b->n],
                                            NULL) == 1)
                    b->n++;
                if (b->lines == TAIL_BATCH_LINES)
                    flush(t, b, ino, fed - hub_linereader_pending(&lr));
            }
            continue;
        }
        flush(t, b, ino, fed - hub_linereader_pending(&lr));
        /* At the end: rotated or truncated? */
        struct stat st;
        if (stat(t->path, &st) != 0 || (uint64_t)st.st_ino != ino || (uint64_t)st.st_size < fed) {
            close(fd);
            fd = -1;
            continue;
        }
        usleep(200000);
    }
    if (fd >= 0)
        close(fd);
    hub_linereader_free(&lr);
    hub_norm_free(&b->norm);
    hub_arena_free(&b->arena);
    cs_free(b);
    cs_free(buf);
    return NULL;
}

int hub_tail_start(struct hub_store *s, const char *path, const char *sensor_name,
                   const char *format, struct hub_tail **out, struct cs_err *err)
{
    struct hub_tail *t = cs_calloc(1, sizeof(*t));
    if (!t) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    t->store = s;
    snprintf(t->path, sizeof(t->path), "%s", path);
    t->fmt = hub_fmt_parse(format, strlen(format));
    if (t->fmt == HUB_FMT_NONE) {
        cs_err_set(err, CS_EINVAL, 0, 0, "unknown format '%s'", format);
        cs_free(t);
        return CS_EINVAL;
    }
    if (!sensor_name || !*sensor_name ||
        hub_store_sensor_find(s, &HUB_SCOPE_SYSTEM, sensor_name, &t->sensor) != CS_OK) {
        cs_err_set(err, CS_EINVAL, 0, 0, "tailing needs an existing sensor (got '%s')",
                   sensor_name ? sensor_name : "");
        cs_free(t);
        return CS_EINVAL;
    }
    if (pthread_create(&t->thread, NULL, tail_main, t) != 0) {
        cs_err_set(err, CS_ERR, 0, 0, "cannot start the tail thread");
        cs_free(t);
        return CS_ERR;
    }
    *out = t;
    return CS_OK;
}

void hub_tail_stop(struct hub_tail *t)
{
    if (!t)
        return;
    atomic_store(&t->stop, true);
    pthread_join(t->thread, NULL);
    cs_free(t);
}

uint64_t hub_tail_stored(struct hub_tail *t)
{
    return atomic_load(&t->stored);
}
