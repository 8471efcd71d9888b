/* spool.c — segment files of framed EVE lines, a cursor file, batch cutting (see spool.h). */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SEG_MIN (64u << 10)
#define SEG_MAX (64u << 20)
#define READ_CHUNK (256u << 10)

struct seg {
    uint64_t seq;
    uint64_t size; /* end of the last good record (what may be read) */
    uint64_t disk; /* bytes on disk (counted against the cap) */
    uint64_t nrec; /* good records */
    bool closed;
};

struct inflight {
    uint64_t seq, start, end, nrec; /* seq 0: none */
};

struct sn_spool {
    pthread_mutex_t mu;
    char *dir;
    char id[9];
    uint64_t max_bytes, seg_bytes;
    struct seg *segs; /* ascending seq; an open (active) segment is the last one */
    size_t nsegs, capsegs;
    int wfd;          /* active segment, -1 when none */
    int lockfd;       /* <dir>/lock, flock'ed: one process per spool */
    uint64_t next_seq;
    uint64_t sync_from; /* closed segments from this seq on may need an fsync */
    bool dirty, dir_dirty;
    uint64_t cseq, coff, crec; /* acknowledged position: segment, offset, records before it */
    struct inflight fl;
    struct sn_spool_stats st;
};

/* ---- small helpers ----------------------------------------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rec_crc(const void *p, size_t n)
{
    return (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n);
}

static void seg_path(const struct sn_spool *s, uint64_t seq, char *out, size_t cap)
{
    snprintf(out, cap, "%s/seg-%016" PRIx64 ".spool", s->dir, seq);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return CS_EIO;
    rc = fsync(fd) == 0 ? CS_OK : CS_EIO;
    close(fd);
    return rc;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return CS_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return CS_OK;
}

/* Replaces dir/name with text (write, fsync, rename, fsync of the directory). */
static int replace_file(const char *dir, const char *name, const char *text)
{
    char tmp[4200], dst[4200];
    int fd, rc;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return CS_EIO;
    rc = write_all(fd, text, strlen(text));
    if (rc == CS_OK && fsync(fd) != 0)
        rc = CS_EIO;
    if (close(fd) != 0)
        rc = CS_EIO;
    if (rc == CS_OK && rename(tmp, dst) != 0)
        rc = CS_EIO;
    if (rc == CS_OK)
        rc = fsync_dir(dir);
    if (rc != CS_OK)
        unlink(tmp);
    return rc;
}

static struct seg *find_seg(struct sn_spool *s, uint64_t seq)
{
    for (size_t i = 0; i < s->nsegs; i++)
        if (s->segs[i].seq == seq)
            return &s->segs[i];
    return NULL;
}

static struct seg *active_seg(struct sn_spool *s)
{
    return s->wfd >= 0 && s->nsegs ? &s->segs[s->nsegs - 1] : NULL;
}

static int push_seg(struct sn_spool *s, const struct seg *g)
{
    if (s->nsegs == s->capsegs) {
        size_t ncap = s->capsegs ? s->capsegs * 2 : 16;
        struct seg *n = cs_realloc(s->segs, ncap * sizeof(*n));
        if (!n)
            return CS_ENOMEM;
        s->segs = n;
        s->capsegs = ncap;
    }
    s->segs[s->nsegs++] = *g;
    return CS_OK;
}

/* Records of segment g not yet acknowledged. */
static uint64_t unsent(const struct sn_spool *s, const struct seg *g)
{
    if (g->seq < s->cseq)
        return 0;
    if (g->seq == s->cseq)
        return g->nrec > s->crec ? g->nrec - s->crec : 0;
    return g->nrec;
}

/* The cursor points at the first segment at or after it; a vanished segment moves it on. */
static void cursor_fix(struct sn_spool *s)
{
    if (find_seg(s, s->cseq))
        return;
    for (size_t i = 0; i < s->nsegs; i++)
        if (s->segs[i].seq > s->cseq) {
            s->cseq = s->segs[i].seq;
            s->coff = 0;
            s->crec = 0;
            return;
        }
    if (s->cseq < s->next_seq) {
        s->cseq = s->next_seq;
        s->coff = 0;
        s->crec = 0;
    }
}

/* Removes segment index i (file and entry). */
static void remove_seg(struct sn_spool *s, size_t i)
{
    char path[4200];
    struct seg *g = &s->segs[i];

    if (s->fl.seq == g->seq)
        s->fl.seq = 0;
    seg_path(s, g->seq, path, sizeof(path));
    unlink(path);
    s->st.bytes -= CS_MIN(s->st.bytes, g->disk);
    s->st.segments--;
    if (s->wfd >= 0 && i == s->nsegs - 1) {
        close(s->wfd);
        s->wfd = -1;
    }
    memmove(&s->segs[i], &s->segs[i + 1], (s->nsegs - i - 1) * sizeof(*g));
    s->nsegs--;
    s->dir_dirty = true;
    cursor_fix(s);
}

/* Deletes the segments the hub has acknowledged entirely. */
static void gc(struct sn_spool *s)
{
    while (s->nsegs) {
        struct seg *g = &s->segs[0];
        bool done = g->seq < s->cseq || (g->seq == s->cseq && g->closed && s->coff >= g->size);
        if (!done || s->fl.seq == g->seq)
            break;
        remove_seg(s, 0);
    }
    cursor_fix(s);
}

#define CURSOR_TEXT_MAX 256

/* The cursor file's text for the current state (under the lock); written with replace_file
 * after the lock is released, so appending workers never wait for its fsyncs. Only the
 * uploader thread writes the cursor, so the writes stay in order. */
static void cursor_text(const struct sn_spool *s, char text[CURSOR_TEXT_MAX])
{
    snprintf(text, CURSOR_TEXT_MAX,
             "v1 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
             "\n",
             s->cseq, s->coff, s->crec, s->fl.seq, s->fl.start, s->fl.end, s->fl.nrec);
}

/* ---- reading records ----------------------------------------------------------------------- */

struct rdr {
    int fd;
    uint64_t off;   /* file offset of buf[0] */
    uint64_t limit; /* read nothing at or past this offset */
    char *buf;
    size_t len, pos, cap;
};

/* Makes `need` bytes available at buf[pos]; false when the range ends first (or on error). */
static bool rdr_ensure(struct rdr *r, size_t need, int *err)
{
    if (r->len - r->pos >= need)
        return true;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->off += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (need > r->cap) {
        size_t ncap = CS_MAX(need, r->cap * 2);
        char *n = cs_realloc(r->buf, ncap);
        if (!n) {
            *err = CS_ENOMEM;
            return false;
        }
        r->buf = n;
        r->cap = ncap;
    }
    while (r->len < need) {
        uint64_t at = r->off + r->len;
        size_t want = r->cap - r->len;
        ssize_t n;
        if (at >= r->limit)
            return false;
        if (want > r->limit - at)
            want = (size_t)(r->limit - at);
        n = pread(r->fd, r->buf + r->len, want, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = CS_EIO;
            return false;
        }
        if (n == 0)
            return false;
        r->len += (size_t)n;
    }
    return true;
}

/* Next record: 1 with *p and *n set, 0 at the clean end of the range, -1 for a torn or corrupt
 * record, or a CS_* error. */
static int rdr_next(struct rdr *r, const char **p, uint32_t *n)
{
    int err = CS_OK;
    uint32_t len, crc;

    if (!rdr_ensure(r, SN_SPOOL_REC_HDR, &err)) {
        if (err)
            return err;
        return r->len - r->pos == 0 ? 0 : -1;
    }
    len = cs_get_le32((const uint8_t *)r->buf + r->pos);
    crc = cs_get_le32((const uint8_t *)r->buf + r->pos + 4);
    if (len == 0 || len > SN_SPOOL_REC_MAX)
        return -1;
    if (!rdr_ensure(r, SN_SPOOL_REC_HDR + (size_t)len, &err))
        return err ? err : -1;
    if (rec_crc(r->buf + r->pos + SN_SPOOL_REC_HDR, len) != crc)
        return -1;
    *p = r->buf + r->pos + SN_SPOOL_REC_HDR;
    *n = len;
    r->pos += SN_SPOOL_REC_HDR + (size_t)len;
    return 1;
}

static uint64_t rdr_at(const struct rdr *r)
{
    return r->off + r->pos;
}

static int rdr_open(struct rdr *r, const struct sn_spool *s, uint64_t seq, uint64_t start,
                    uint64_t limit)
{
    char path[4200];

    memset(r, 0, sizeof(*r));
    seg_path(s, seq, path, sizeof(path));
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return errno == ENOENT ? CS_AGAIN : CS_EIO;
    r->off = start;
    r->limit = limit;
    r->cap = READ_CHUNK;
    r->buf = cs_malloc(r->cap);
    if (!r->buf) {
        close(r->fd);
        return CS_ENOMEM;
    }
    return CS_OK;
}

static void rdr_close(struct rdr *r)
{
    if (r->fd >= 0)
        close(r->fd);
    cs_free(r->buf);
}

static void close_active(struct sn_spool *s);

/* ---- open / close ------------------------------------------------------------------------ */

static int load_id(struct sn_spool *s)
{
    char path[4200], buf[32] = "";
    FILE *f;
    uint8_t rnd[4];

    snprintf(path, sizeof(path), "%s/spool.id", s->dir);
    f = fopen(path, "r");
    if (f) {
        bool ok = fgets(buf, sizeof(buf), f) != NULL;
        fclose(f);
        buf[strcspn(buf, "\r\n")] = 0;
        if (ok && strlen(buf) == 8 && strspn(buf, "0123456789abcdef") == 8) {
            memcpy(s->id, buf, 9);
            return CS_OK;
        }
    }
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return CS_EIO;
    snprintf(s->id, sizeof(s->id), "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
    snprintf(buf, sizeof(buf), "%s\n", s->id);
    return replace_file(s->dir, "spool.id", buf);
}

static int seq_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct seg *)a)->seq, y = ((const struct seg *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Scans segment g from its start: good records, where they end, a torn tail. */
static int scan_seg(struct sn_spool *s, struct seg *g)
{
    struct rdr r;
    const char *p;
    uint32_t n;
    int rc;

    rc = rdr_open(&r, s, g->seq, 0, g->disk);
    if (rc != CS_OK)
        return rc == CS_AGAIN ? CS_OK : rc;
    while ((rc = rdr_next(&r, &p, &n)) == 1) {
        g->nrec++;
        g->size = rdr_at(&r);
    }
    rdr_close(&r);
    if (rc == -1) {
        s->st.torn_records++;
        rc = CS_OK;
    }
    return rc;
}

static int list_segs(struct sn_spool *s)
{
    DIR *d = opendir(s->dir);
    struct dirent *de;
    int rc = CS_OK;

    if (!d)
        return CS_EIO;
    while ((de = readdir(d)) != NULL) {
        char path[4200], tail[8];
        struct seg g = {.closed = true};
        struct stat st;
        if (strlen(de->d_name) != 26 ||
            sscanf(de->d_name, "seg-%16" SCNx64 ".%6s", &g.seq, tail) != 2 ||
            strcmp(tail, "spool") != 0 || g.seq == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        g.disk = (uint64_t)st.st_size;
        if ((rc = push_seg(s, &g)) != CS_OK)
            break;
    }
    closedir(d);
    if (rc != CS_OK)
        return rc;
    if (s->nsegs)
        qsort(s->segs, s->nsegs, sizeof(*s->segs), seq_cmp);
    for (size_t i = 0; i < s->nsegs; i++) {
        if ((rc = scan_seg(s, &s->segs[i])) != CS_OK)
            return rc;
        s->st.bytes += s->segs[i].disk;
        s->st.segments++;
        s->next_seq = CS_MAX(s->next_seq, s->segs[i].seq + 1);
    }
    return CS_OK;
}

static void load_cursor(struct sn_spool *s)
{
    char path[4200], line[256];
    FILE *f;
    uint64_t v[7];

    s->cseq = s->nsegs ? s->segs[0].seq : 1;
    snprintf(path, sizeof(path), "%s/cursor", s->dir);
    f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(line, sizeof(line), f) &&
        sscanf(line,
               "v1 %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
               " %" SCNu64,
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 7 &&
        v[0] > 0) {
        s->cseq = v[0];
        s->coff = v[1];
        s->crec = v[2];
        s->fl = (struct inflight){v[3], v[4], v[5], v[6]};
    }
    fclose(f);
    /* a new segment must come after the cursor's, even when that one is gone: else the
     * cursor's offset would skip the new segment's first records */
    s->next_seq = CS_MAX(s->next_seq, s->cseq + (find_seg(s, s->cseq) ? 0 : 1));
    {
        struct seg *g = find_seg(s, s->cseq);
        if (g && (s->coff > g->size || s->crec > g->nrec)) { /* inconsistent: past the end */
            s->coff = g->size;
            s->crec = g->nrec;
        }
    }
    if (s->fl.seq) {
        struct seg *g = find_seg(s, s->fl.seq);
        if (!g || s->fl.seq != s->cseq || s->fl.start != s->coff || s->fl.end > g->size ||
            s->fl.end <= s->fl.start)
            s->fl.seq = 0; /* nothing usable: cut afresh */
    }
}

int sn_spool_open(const struct sn_spool_opts *o, struct sn_spool **out, struct cs_err *err)
{
    struct sn_spool *s;
    int rc;

    *out = NULL;
    if (!o || !o->dir || !*o->dir || strlen(o->dir) > 4000) {
        cs_err_set(err, CS_EINVAL, 0, 0, "spool: a spool directory is required");
        return CS_EINVAL;
    }
    if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
        cs_err_set(err, CS_EIO, 0, 0, "spool: cannot create %s: %s", o->dir, strerror(errno));
        return CS_EIO;
    }
    s = cs_calloc(1, sizeof(*s));
    if (!s || !(s->dir = cs_strdup(o->dir))) {
        cs_free(s);
        cs_err_set(err, CS_ENOMEM, 0, 0, "spool: out of memory");
        return CS_ENOMEM;
    }
    s->wfd = -1;
    s->next_seq = 1;
    {
        char lp[4200];
        snprintf(lp, sizeof(lp), "%s/lock", o->dir);
        s->lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
            rc = s->lockfd < 0 ? CS_EIO : CS_EINVAL;
            cs_err_set(err, rc, 0, 0, "spool: %s %s", o->dir,
                       s->lockfd < 0 ? "cannot be locked" : "is in use by another process");
            if (s->lockfd >= 0)
                close(s->lockfd);
            cs_free(s->dir);
            cs_free(s);
            return rc;
        }
    }
    s->max_bytes = o->max_bytes ? o->max_bytes : (1ull << 30);
    s->seg_bytes = o->seg_bytes ? o->seg_bytes : CS_MIN(CS_MAX(s->max_bytes / 8, SEG_MIN), SEG_MAX);
    pthread_mutex_init(&s->mu, NULL);
    if ((rc = load_id(s)) != CS_OK) {
        cs_err_set(err, rc, 0, 0, "spool: cannot write %s/spool.id", o->dir);
        goto out_free;
    }
    if ((rc = list_segs(s)) != CS_OK) {
        cs_err_set(err, rc, 0, 0, "spool: cannot read the segments in %s: %s", o->dir,
                   cs_strerror(rc));
        goto out_free;
    }
    load_cursor(s);
    cursor_fix(s);
    gc(s);
    for (size_t i = 0; i < s->nsegs; i++)
        s->st.pending_records += unsent(s, &s->segs[i]);
    s->sync_from = s->next_seq;
    *out = s;
    return CS_OK;

out_free:
    pthread_mutex_destroy(&s->mu);
    close(s->lockfd);
    cs_free(s->segs);
    cs_free(s->dir);
    cs_free(s);
    return rc;
}

void sn_spool_close(struct sn_spool *s)
{
    if (!s)
        return;
    sn_spool_sync(s);
    pthread_mutex_lock(&s->mu);
    if (s->wfd >= 0 && s->st.pending_records == 0) {
        close_active(s); /* all acknowledged: nothing to keep */
        gc(s);
    }
    if (s->wfd >= 0)
        close(s->wfd);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    close(s->lockfd); /* releases the lock */
    cs_free(s->segs);
    cs_free(s->dir);
    cs_free(s);
}

const char *sn_spool_id(const struct sn_spool *s)
{
    return s->id;
}

/* ---- appending --------------------------------------------------------------------------- */

static void close_active(struct sn_spool *s)
{
    struct seg *g = active_seg(s);

    if (!g)
        return;
    g->closed = true;
    close(s->wfd);
    s->wfd = -1;
}

static int open_active(struct sn_spool *s)
{
    char path[4200];
    struct seg g = {.seq = s->next_seq};
    int fd;

    seg_path(s, g.seq, path, sizeof(path));
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return CS_EIO;
    if (push_seg(s, &g) != CS_OK) {
        close(fd);
        unlink(path);
        return CS_ENOMEM;
    }
    s->next_seq++;
    s->wfd = fd;
    s->st.segments++;
    s->dir_dirty = true;
    cursor_fix(s);
    return CS_OK;
}

/* Drops the oldest segments until `need` more bytes fit under the cap. */
static void make_room(struct sn_spool *s, uint64_t need)
{
    while (s->nsegs && s->st.bytes + need > s->max_bytes) {
        struct seg *g = &s->segs[0];
        uint64_t lost = unsent(s, g);
        s->st.dropped_records += lost;
        s->st.pending_records -= CS_MIN(s->st.pending_records, lost);
        s->st.dropped_segments++;
        remove_seg(s, 0);
    }
}

int sn_spool_append(struct sn_spool *s, const char *buf, size_t len)
{
    size_t nlines = 1, flen = 0, nrec = 0, oversized = 0;
    uint8_t *frames, *o;
    struct seg *g;
    int rc = CS_OK;

    if (!len)
        return CS_OK;
    for (size_t i = 0; i < len; i++)
        nlines += buf[i] == '\n';
    frames = cs_malloc(len + nlines * SN_SPOOL_REC_HDR);
    if (!frames)
        return CS_ENOMEM;
    o = frames;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
        if (n > SN_SPOOL_REC_MAX) {
            oversized++;
        } else if (n > 0) {
            put_le32(o, (uint32_t)n);
            put_le32(o + 4, rec_crc(buf + i, n));
            memcpy(o + SN_SPOOL_REC_HDR, buf + i, n);
            o += SN_SPOOL_REC_HDR + n;
            nrec++;
        }
        i += n + 1;
    }
    flen = (size_t)(o - frames);

    pthread_mutex_lock(&s->mu);
    s->st.dropped_records += oversized;
    if (!flen)
        goto out;
    if (flen > s->max_bytes) {
        s->st.dropped_records += nrec;
        goto out;
    }
    g = active_seg(s);
    if (s->st.bytes + flen > s->max_bytes) {
        if (g && s->nsegs == 1)
            close_active(s); /* the active segment is the oldest: it goes too */
        make_room(s, flen);
    }
    if (!active_seg(s) && (rc = open_active(s)) != CS_OK) {
        s->st.write_errors++;
        s->st.dropped_records += nrec;
        goto out;
    }
    g = active_seg(s);
    rc = write_all(s->wfd, frames, flen);
    if (rc != CS_OK) {
        /* keep the segment readable: cut a partial write off, or stop using the segment */
        s->st.write_errors++;
        s->st.dropped_records += nrec;
        if (ftruncate(s->wfd, (off_t)g->disk) != 0)
            close_active(s);
        goto out;
    }
    g->size += flen;
    g->disk += flen;
    g->nrec += nrec;
    s->st.bytes += flen;
    s->st.appended_records += nrec;
    s->st.pending_records += nrec;
    s->dirty = true;
    if (g->disk >= s->seg_bytes)
        close_active(s); /* fsync'ed by the next sn_spool_sync */
out:
    pthread_mutex_unlock(&s->mu);
    cs_free(frames);
    return rc;
}

void sn_spool_roll(struct sn_spool *s)
{
    pthread_mutex_lock(&s->mu);
    close_active(s);
    pthread_mutex_unlock(&s->mu);
}

int sn_spool_sync(struct sn_spool *s)
{
    uint64_t seqs[64];
    size_t n = 0;
    bool dir;
    int rc = CS_OK;

    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nsegs && n < CS_ARRAY_LEN(seqs); i++) {
        const struct seg *g = &s->segs[i];
        if ((g->closed && g->seq >= s->sync_from) || (!g->closed && s->dirty))
            seqs[n++] = g->seq;
    }
    s->dirty = false;
    s->sync_from = s->next_seq;
    dir = s->dir_dirty;
    s->dir_dirty = false;
    pthread_mutex_unlock(&s->mu);
    /* fsync through a new descriptor: it flushes the file, whoever else has it open */
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        int fd;
        seg_path(s, seqs[i], path, sizeof(path));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; /* dropped meanwhile */
        if (fsync(fd) != 0)
            rc = CS_EIO;
        close(fd);
    }
    if (dir && fsync_dir(s->dir) != CS_OK)
        rc = CS_EIO;
    return rc;
}

/* ---- batches ----------------------------------------------------------------------------- */

void sn_spool_batch_free(struct sn_spool_batch *b)
{
    if (!b)
        return;
    cs_free(b->body);
    b->body = NULL;
    b->len = 0;
}

static int body_add(struct sn_spool_batch *b, size_t *cap, const char *p, size_t n)
{
    if (b->len + n + 1 > *cap) {
        size_t ncap = CS_MAX(*cap * 2, b->len + n + 1);
        char *nb = cs_realloc(b->body, ncap);
        if (!nb)
            return CS_ENOMEM;
        b->body = nb;
        *cap = ncap;
    }
    memcpy(b->body + b->len, p, n);
    b->len += n;
    b->body[b->len++] = '\n';
    return CS_OK;
}

int sn_spool_next_batch(struct sn_spool *s, size_t max_records, size_t max_bytes, bool force,
                        struct sn_spool_batch *b)
{
    struct inflight fl;
    uint64_t seq, start, limit;
    bool closed, again, full = false;
    struct rdr r;
    const char *p;
    uint32_t n;
    size_t cap = 0;
    int rc;

    memset(b, 0, sizeof(*b));
    if (max_records == 0)
        max_records = 1;
    pthread_mutex_lock(&s->mu);
    gc(s);
    fl = s->fl;
    seq = s->cseq;
    start = s->coff;
    {
        struct seg *g = find_seg(s, seq);
        if (!g || (!fl.seq && start >= g->size)) {
            pthread_mutex_unlock(&s->mu);
            return CS_AGAIN;
        }
        limit = fl.seq ? fl.end : g->size;
        closed = g->closed;
    }
    pthread_mutex_unlock(&s->mu);
    again = fl.seq != 0;

    rc = rdr_open(&r, s, seq, start, limit);
    if (rc != CS_OK)
        return rc;
    while (again || b->nrec < max_records) {
        if (!again && b->nrec > 0 && b->len >= max_bytes)
            break;
        rc = rdr_next(&r, &p, &n);
        if (rc <= 0)
            break;
        if (!again && b->nrec > 0 && b->len + n + 1 > max_bytes) {
            full = true;
            break;
        }
        if ((rc = body_add(b, &cap, p, n)) != CS_OK)
            break;
        b->nrec++;
        b->end = rdr_at(&r);
    }
    if (rc > 0 || rc == 0)
        rc = CS_OK;
    if (rc == -1) {
        /* a corrupt record inside the readable part: the segment ends there */
        pthread_mutex_lock(&s->mu);
        struct seg *g = find_seg(s, seq);
        if (g && g->size > rdr_at(&r)) {
            s->st.torn_records++;
            uint64_t lost = g->nrec - CS_MIN(g->nrec, s->crec + b->nrec);
            s->st.pending_records -= CS_MIN(s->st.pending_records, lost);
            g->nrec -= CS_MIN(g->nrec, lost);
            g->size = rdr_at(&r);
            if (s->wfd >= 0 && g == active_seg(s))
                close_active(s);
        }
        closed = true;
        pthread_mutex_unlock(&s->mu);
        rc = CS_OK;
    }
    rdr_close(&r);
    if (rc != CS_OK) {
        sn_spool_batch_free(b);
        return rc;
    }
    if (!b->nrec) {
        sn_spool_batch_free(b);
        return CS_AGAIN;
    }
    full = full || b->nrec >= max_records || b->len >= max_bytes || (closed && b->end >= limit);
    if (!again && !full && !force) {
        sn_spool_batch_free(b);
        return CS_AGAIN;
    }
    b->seq = seq;
    b->start = start;
    snprintf(b->id, sizeof(b->id), "%s-%" PRIx64 "-%" PRIx64 "-%" PRIx64, s->id, seq, start,
             b->end);
    if (!again) {
        char text[CURSOR_TEXT_MAX] = "";
        pthread_mutex_lock(&s->mu);
        if (s->cseq == seq && s->coff == start && !s->fl.seq) {
            s->fl = (struct inflight){seq, start, b->end, b->nrec};
            cursor_text(s, text);
        }
        pthread_mutex_unlock(&s->mu);
        if (text[0])
            rc = replace_file(s->dir, "cursor", text);
        if (rc != CS_OK) {
            sn_spool_batch_free(b);
            return rc;
        }
    }
    return CS_OK;
}

int sn_spool_commit(struct sn_spool *s, const struct sn_spool_batch *b)
{
    char text[CURSOR_TEXT_MAX];

    pthread_mutex_lock(&s->mu);
    if (s->cseq == b->seq && s->coff == b->start) {
        s->coff = b->end;
        s->crec += b->nrec;
        s->st.pending_records -= CS_MIN(s->st.pending_records, b->nrec);
    }
    if (s->fl.seq == b->seq && s->fl.start == b->start)
        s->fl.seq = 0;
    gc(s);
    cursor_text(s, text);
    pthread_mutex_unlock(&s->mu);
    return replace_file(s->dir, "cursor", text);
}

void sn_spool_get_stats(struct sn_spool *s, struct sn_spool_stats *st)
{
    pthread_mutex_lock(&s->mu);
    *st = s->st;
    pthread_mutex_unlock(&s->mu);
}
