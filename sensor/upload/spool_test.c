/* spool_test.c — the hub output's spool: appending, batch cutting, stable batch ids across a
 * restart, resume, torn and corrupt records, the cap, segment clean-up. */
#include "spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/cs_test.h"

static char *tmpdir(void)
{
    static char buf[64];
    strcpy(buf, "/tmp/cs-spool-test.XXXXXX");
    return mkdtemp(buf);
}

static void rmrf(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", dir);
}

static struct sn_spool *open_spool(const char *dir, uint64_t max, uint64_t seg)
{
    struct sn_spool_opts o = {.dir = dir, .max_bytes = max, .seg_bytes = seg};
    struct sn_spool *s = NULL;
    struct cs_err err = {0};
    if (sn_spool_open(&o, &s, &err) != CS_OK)
        printf("# open: %s\n", err.msg);
    return s;
}

/* Appends lines "{"n":FROM}" .. "{"n":TO-1}" in one buffer. */
static void append_range(struct sn_spool *s, int from, int to)
{
    char buf[64 * 1024];
    size_t len = 0;
    for (int i = from; i < to; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "{\"n\":%d}\n", i);
    CHECK(sn_spool_append(s, buf, len) == CS_OK);
}

/* The n of the first line of a body. */
static int first_n(const struct sn_spool_batch *b)
{
    int n = -1;
    return b->body && sscanf(b->body, "{\"n\":%d}", &n) == 1 ? n : -1;
}

static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void seg_file(const char *dir, int k, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char names[16][64];
    int n = 0;
    out[0] = 0;
    while (d && (de = readdir(d)) && n < 16)
        if (strncmp(de->d_name, "seg-", 4) == 0)
            snprintf(names[n++], sizeof(names[0]), "%.60s", de->d_name);
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    if (k < n)
        snprintf(out, cap, "%.100s/%.60s", dir, names[k]);
}

CS_TEST(cut_full_batches_then_a_forced_partial_one)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    struct sn_spool_stats st;
    REQUIRE(s);
    append_range(s, 0, 10);
    REQUIRE(sn_spool_next_batch(s, 4, 1 << 20, false, &b) == CS_OK);
    CHECK(b.nrec == 4);
    CHECK(first_n(&b) == 0);
    CHECK(b.len == strlen("{\"n\":0}\n") * 4);
    CHECK(memcmp(b.body, "{\"n\":0}\n{\"n\":1}\n", 16) == 0);
    CHECK(strncmp(b.id, sn_spool_id(s), 8) == 0);
    CHECK(strlen(b.id) <= SN_SPOOL_BATCH_ID_MAX);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    REQUIRE(sn_spool_next_batch(s, 4, 1 << 20, false, &b) == CS_OK);
    CHECK(first_n(&b) == 4);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    /* two left: not a full batch, so only cut when forced */
    CHECK(sn_spool_next_batch(s, 4, 1 << 20, false, &b) == CS_AGAIN);
    REQUIRE(sn_spool_next_batch(s, 4, 1 << 20, true, &b) == CS_OK);
    CHECK(b.nrec == 2);
    CHECK(first_n(&b) == 8);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    CHECK(sn_spool_next_batch(s, 4, 1 << 20, true, &b) == CS_AGAIN);
    sn_spool_get_stats(s, &st);
    CHECK(st.appended_records == 10);
    CHECK(st.pending_records == 0);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(batch_bytes_bound_the_body_but_one_record_always_goes)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    char big[3000];
    REQUIRE(s);
    append_range(s, 0, 100); /* 8..9 bytes per line */
    REQUIRE(sn_spool_next_batch(s, 1000, 100, false, &b) == CS_OK);
    CHECK(b.len <= 100);
    CHECK(b.len > 80);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    while (sn_spool_next_batch(s, 1000, 1 << 20, true, &b) == CS_OK) {
        sn_spool_commit(s, &b);
        sn_spool_batch_free(&b);
    }
    memset(big, 'x', sizeof(big));
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\n';
    CHECK(sn_spool_append(s, big, sizeof(big)) == CS_OK);
    REQUIRE(sn_spool_next_batch(s, 1000, 100, false, &b) == CS_OK);
    CHECK(b.nrec == 1);
    CHECK(b.len == sizeof(big));
    sn_spool_batch_free(&b);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(empty_lines_are_skipped_and_a_last_line_without_newline_kept)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    REQUIRE(s);
    CHECK(sn_spool_append(s, "\n{\"a\":1}\n\n{\"b\":2}", 17) == CS_OK);
    REQUIRE(sn_spool_next_batch(s, 10, 1 << 20, true, &b) == CS_OK);
    CHECK(b.nrec == 2);
    CHECK(b.len == 16 && memcmp(b.body, "{\"a\":1}\n{\"b\":2}\n", 16) == 0);
    sn_spool_batch_free(&b);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(a_batch_in_flight_is_cut_again_identically_after_a_restart)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b, b2;
    char id[SN_SPOOL_BATCH_ID_MAX + 1];
    REQUIRE(s);
    append_range(s, 0, 5);
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b) == CS_OK);
    CHECK(b.nrec == 5);
    strcpy(id, b.id);
    sn_spool_batch_free(&b);
    sn_spool_close(s); /* "crash" before the hub's answer */

    s = open_spool(dir, 0, 0);
    REQUIRE(s);
    append_range(s, 5, 20); /* more records now: the batch must not grow */
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b2) == CS_OK);
    CHECK(strcmp(b2.id, id) == 0);
    CHECK(b2.nrec == 5);
    CHECK(first_n(&b2) == 0);
    CHECK(sn_spool_commit(s, &b2) == CS_OK);
    sn_spool_batch_free(&b2);
    /* the rest follows under new ids, from the next segment */
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b2) == CS_OK);
    CHECK(strcmp(b2.id, id) != 0);
    CHECK(b2.nrec == 15);
    CHECK(first_n(&b2) == 5);
    sn_spool_batch_free(&b2);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(resume_after_a_restart_sends_only_what_was_not_acknowledged)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    struct sn_spool_stats st;
    char id0[16];
    REQUIRE(s);
    snprintf(id0, sizeof(id0), "%s", sn_spool_id(s));
    append_range(s, 0, 30);
    REQUIRE(sn_spool_next_batch(s, 10, 1 << 20, false, &b) == CS_OK);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    sn_spool_close(s);

    s = open_spool(dir, 0, 0);
    REQUIRE(s);
    CHECK(strcmp(sn_spool_id(s), id0) == 0);
    sn_spool_get_stats(s, &st);
    CHECK(st.pending_records == 20);
    CHECK(st.torn_records == 0);
    /* the old segment is closed now: its tail is cut without forcing */
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, false, &b) == CS_OK);
    CHECK(b.nrec == 20);
    CHECK(first_n(&b) == 10);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    sn_spool_get_stats(s, &st);
    CHECK(st.pending_records == 0);
    CHECK(count_files(dir, "seg-") == 0); /* consumed and closed: deleted */
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(a_torn_last_record_is_detected_skipped_and_counted)
{
    char *dir = tmpdir(), path[256];
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    struct sn_spool_stats st;
    int fd;
    REQUIRE(s);
    append_range(s, 0, 6);
    sn_spool_close(s);
    /* a crash in the middle of a write: a header announcing 40 bytes, 5 of them present */
    seg_file(dir, 0, path, sizeof(path));
    fd = open(path, O_WRONLY | O_APPEND);
    REQUIRE(fd >= 0);
    CHECK(write(fd, "\x28\0\0\0\x11\x22\x33\x44{\"n\":", 13) == 13);
    close(fd);

    s = open_spool(dir, 0, 0);
    REQUIRE(s);
    sn_spool_get_stats(s, &st);
    CHECK(st.torn_records == 1);
    CHECK(st.pending_records == 6);
    append_range(s, 6, 8); /* goes to a new segment, never after the torn tail */
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, false, &b) == CS_OK);
    CHECK(b.nrec == 6);
    CHECK(first_n(&b) == 0);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b) == CS_OK);
    CHECK(b.nrec == 2);
    CHECK(first_n(&b) == 6);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    sn_spool_get_stats(s, &st);
    CHECK(st.pending_records == 0);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(a_corrupt_record_ends_its_segment)
{
    char *dir = tmpdir(), path[256];
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    struct sn_spool_stats st;
    int fd;
    REQUIRE(s);
    append_range(s, 0, 10); /* lines of 7 bytes + 8 of header: 15 bytes per record */
    sn_spool_close(s);
    seg_file(dir, 0, path, sizeof(path));
    fd = open(path, O_WRONLY);
    REQUIRE(fd >= 0);
    CHECK(pwrite(fd, "X", 1, 15 * 4 + 8 + 2) == 1); /* a payload byte of record 4 */
    close(fd);
    s = open_spool(dir, 0, 0);
    REQUIRE(s);
    sn_spool_get_stats(s, &st);
    CHECK(st.torn_records == 1);
    CHECK(st.pending_records == 4);
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, false, &b) == CS_OK);
    CHECK(b.nrec == 4);
    sn_spool_batch_free(&b);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(the_cap_drops_the_oldest_segments_and_counts_them)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 64 << 10, 8 << 10);
    struct sn_spool_batch b;
    struct sn_spool_stats st;
    REQUIRE(s);
    for (int i = 0; i < 100; i++)
        append_range(s, i * 100, i * 100 + 100); /* ~ 1.7 kB each, 170 kB in all */
    sn_spool_get_stats(s, &st);
    CHECK(st.bytes <= 64 << 10);
    CHECK(st.dropped_records > 0);
    CHECK(st.dropped_segments > 0);
    CHECK(st.appended_records == 10000);
    CHECK(st.dropped_records + st.pending_records == 10000);
    /* what is left is the newest data, in order, without gaps */
    int expect = -1;
    uint64_t got = 0;
    while (sn_spool_next_batch(s, 1000, 1 << 20, true, &b) == CS_OK) {
        if (expect < 0)
            expect = first_n(&b);
        CHECK(first_n(&b) == expect);
        expect += (int)b.nrec;
        got += b.nrec;
        CHECK(sn_spool_commit(s, &b) == CS_OK);
        sn_spool_batch_free(&b);
    }
    CHECK(expect == 10000);
    CHECK(got == st.pending_records);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(the_cap_never_blocks_and_a_dropped_in_flight_batch_is_forgotten)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 64 << 10, 8 << 10);
    struct sn_spool_batch b, b2;
    REQUIRE(s);
    append_range(s, 0, 100);
    REQUIRE(sn_spool_next_batch(s, 10, 1 << 20, false, &b) == CS_OK); /* in flight */
    for (int i = 1; i < 100; i++)
        append_range(s, i * 100, i * 100 + 100);
    /* its segment is gone: the commit is harmless, the next batch starts at the oldest kept */
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    REQUIRE(sn_spool_next_batch(s, 10, 1 << 20, false, &b2) == CS_OK);
    CHECK(first_n(&b2) > 100);
    sn_spool_batch_free(&b);
    sn_spool_batch_free(&b2);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(segments_roll_and_consumed_ones_are_deleted)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 1 << 20, 64 << 10);
    struct sn_spool_batch b;
    uint64_t total = 0;
    REQUIRE(s);
    for (int i = 0; i < 50; i++)
        append_range(s, i * 200, i * 200 + 200); /* ~ 3.3 kB each, 165 kB */
    CHECK(count_files(dir, "seg-") >= 3);
    while (sn_spool_next_batch(s, 500, 1 << 20, true, &b) == CS_OK) {
        total += b.nrec;
        CHECK(sn_spool_commit(s, &b) == CS_OK);
        sn_spool_batch_free(&b);
    }
    CHECK(total == 10000);
    CHECK(count_files(dir, "seg-") <= 1); /* the active one may stay */
    sn_spool_roll(s);
    CHECK(sn_spool_next_batch(s, 500, 1 << 20, true, &b) == CS_AGAIN);
    sn_spool_close(s);
    s = open_spool(dir, 1 << 20, 64 << 10);
    REQUIRE(s);
    CHECK(count_files(dir, "seg-") == 0);
    sn_spool_close(s);
    rmrf(dir);
}

CS_TEST(records_after_a_restart_with_an_empty_spool_are_not_skipped)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0);
    struct sn_spool_batch b;
    REQUIRE(s);
    append_range(s, 0, 50);
    REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b) == CS_OK);
    CHECK(sn_spool_commit(s, &b) == CS_OK);
    sn_spool_batch_free(&b);
    sn_spool_close(s); /* everything acknowledged: the segment is deleted */
    CHECK(count_files(dir, "seg-") == 0);
    for (int round = 0; round < 2; round++) {
        s = open_spool(dir, 0, 0);
        REQUIRE(s);
        append_range(s, 100, 103);
        REQUIRE(sn_spool_next_batch(s, 100, 1 << 20, true, &b) == CS_OK);
        CHECK(b.nrec == 3);
        CHECK(first_n(&b) == 100);
        CHECK(sn_spool_commit(s, &b) == CS_OK);
        sn_spool_batch_free(&b);
        sn_spool_close(s);
    }
    rmrf(dir);
}

CS_TEST(one_spool_one_user)
{
    char *dir = tmpdir();
    struct sn_spool *s = open_spool(dir, 0, 0), *s2 = NULL;
    struct sn_spool_opts o = {.dir = dir};
    struct cs_err err = {0};
    REQUIRE(s);
    CHECK(sn_spool_open(&o, &s2, &err) != CS_OK);
    CHECK(s2 == NULL);
    CHECK(strstr(err.msg, "in use") != NULL);
    sn_spool_close(s);
    CHECK(sn_spool_open(&o, &s2, &err) == CS_OK);
    sn_spool_close(s2);
    rmrf(dir);
}

CS_TEST(a_bad_directory_is_an_error_not_a_crash)
{
    struct sn_spool_opts o = {.dir = "/proc/citysoc-no-such/spool"};
    struct sn_spool *s = NULL;
    struct cs_err err = {0};
    CHECK(sn_spool_open(&o, &s, &err) != CS_OK);
    CHECK(s == NULL);
    CHECK(err.msg[0] != 0);
}

CS_TEST_MAIN()
