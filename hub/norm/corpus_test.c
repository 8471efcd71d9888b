/* corpus_test.c — every real log of the shared corpus (../shared/corpus/logs) through its
 * normaliser: no line may be rejected. Skipped (and says so) on a clone without the corpus. */
#include <dirent.h>
#include <sys/stat.h>

#include "norm_test_util.h"

#include "../../lib/cs_test.h"

#define CORPUS "../shared/corpus/logs"

static long total_events;

/* Normalises every file under dir whose name ends with `suffix`; returns rejected lines. */
static long sweep(const char *dir, const char *suffix, enum hub_fmt fmt, int64_t now,
                  int *nfiles)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    long bad = 0;

    if (!dp)
        return -1;
    while ((de = readdir(dp))) {
        char path[2048];
        struct stat st;
        size_t sl = strlen(suffix), nl = strlen(de->d_name);
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            long b = sweep(path, suffix, fmt, now, nfiles);
            bad += b > 0 ? b : 0;
            continue;
        }
        if (nl < sl || strcmp(de->d_name + nl - sl, suffix) != 0)
            continue;
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *text = malloc((size_t)n + 1);
        if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
            struct run *r = calloc(1, sizeof(*r));
            if (r) {
                run_init(r, fmt);
                r->n.now = now;
                run_text(r, text, (size_t)n);
                if (r->n.c.errors) {
                    printf("  %s: %llu of %llu lines rejected, first: %s\n", path,
                           (unsigned long long)r->n.c.errors, (unsigned long long)r->n.c.lines,
                           r->err[0].msg);
                    bad += (long)r->n.c.errors;
                }
                total_events += (long)r->n.c.events;
                run_free(r);
                free(r);
            }
            (*nfiles)++;
        }
        free(text);
        fclose(f);
    }
    closedir(dp);
    return bad;
}

static void check_sweep(const char *sub, const char *suffix, enum hub_fmt fmt, int64_t now)
{
    char dir[512];
    int nfiles = 0;
    long bad;

    snprintf(dir, sizeof(dir), "%s/%s", CORPUS, sub);
    total_events = 0;
    bad = sweep(dir, suffix, fmt, now, &nfiles);
    if (bad < 0) {
        printf("  (%s not present: skipped)\n", dir);
        return;
    }
    printf("  %s: %d files, %ld events\n", sub, nfiles, total_events);
    CHECK_EQ(bad, 0);
    CHECK(nfiles > 0 && total_events > 0);
}

CS_TEST(corpus_suricata_eve)
{
    check_sweep("suricata", ".json", HUB_FMT_SURICATA_EVE, 0);
}

CS_TEST(corpus_zeek_tsv)
{
    check_sweep("zeek/wrccdc-2018-tsv", ".log", HUB_FMT_ZEEK_TSV, 0);
    check_sweep("zeek/4sics-2015-tsv", ".log", HUB_FMT_ZEEK_TSV, 0);
}

CS_TEST(corpus_zeek_json)
{
    check_sweep("zeek/wrccdc-2018-json", ".json", HUB_FMT_ZEEK_JSON, 0);
}

CS_TEST(corpus_syslog)
{
    /* LogHub Linux and OpenSSH are BSD syslog files (the others are not syslog). */
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/syslog", CORPUS);
    DIR *dp = opendir(dir);
    if (!dp) {
        printf("  (%s not present: skipped)\n", dir);
        return;
    }
    closedir(dp);
    static const char *const files[] = {"loghub-Linux_2k.log", "loghub-OpenSSH_2k.log"};
    for (size_t i = 0; i < CS_ARRAY_LEN(files); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "rb");
        REQUIRE(f);
        static char text[1 << 20];
        size_t n = fread(text, 1, sizeof(text), f);
        fclose(f);
        struct run *r = calloc(1, sizeof(*r));
        REQUIRE(r);
        run_init(r, HUB_FMT_SYSLOG);
        r->n.now = 1120176000000000LL;
        run_text(r, text, n);
        printf("  %s: %llu events, %llu rejected%s%s\n", files[i],
               (unsigned long long)r->n.c.events, (unsigned long long)r->n.c.errors,
               r->nerr ? ", first: " : "", r->nerr ? r->err[0].msg : "");
        CHECK_EQ(r->n.c.errors, 0);
        CHECK_EQ(r->n.c.events, 2000);
        run_free(r);
        free(r);
    }
}

CS_TEST_MAIN()
