/* sqlite_test.c — the store suite (store_suite.h) on the SQLite implementation, plus what is
 * SQLite's own: WAL mode, a file that is not a database, a schema newer than the code. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/cs_test.h"
#include "store.h"

static char suite_path[256];
static int suite_n;

static struct hub_store *open_path(const char *path)
{
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    if (hub_store_open(path, 2, &s, &err) != CS_OK) {
        printf("open %s: %s\n", path, err.msg);
        return NULL;
    }
    return s;
}

static void rm_db(const char *p)
{
    char b[300];
    unlink(p);
    snprintf(b, sizeof(b), "%s-wal", p);
    unlink(b);
    snprintf(b, sizeof(b), "%s-shm", p);
    unlink(b);
}

static struct hub_store *suite_open(void)
{
    snprintf(suite_path, sizeof(suite_path), "/tmp/cs_store_test_%d_%d.db", (int)getpid(),
             suite_n++);
    rm_db(suite_path);
    return open_path(suite_path);
}

static struct hub_store *suite_reopen(struct hub_store *s)
{
    hub_store_close(s);
    return open_path(suite_path);
}

#include "store_suite.h"

CS_TEST(sqlite_rejects_non_database)
{
    char p[256];
    snprintf(p, sizeof(p), "/tmp/cs_store_junk_%d.db", (int)getpid());
    FILE *f = fopen(p, "w");
    REQUIRE(f);
    fputs("this is not a database, just text that goes on for a while ........", f);
    fclose(f);
    struct hub_store *s = NULL;
    struct cs_err err = {0};
    CHECK(hub_store_open(p, 1, &s, &err) != CS_OK);
    CHECK(s == NULL);
    CHECK(err.msg[0] != 0);
    rm_db(p);
    /* a PostgreSQL URL goes to the PostgreSQL store: nothing listens on port 1 */
    CHECK(hub_store_open("postgresql://127.0.0.1:1/x", 1, &s, &err) == CS_EIO);
    CHECK(s == NULL);
}

CS_TEST(sqlite_wal_file_and_cleanup)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct hub_org o = {.parent_id = 0};
    snprintf(o.name, sizeof(o.name), "c");
    snprintf(o.kind, sizeof(o.kind), "city");
    CHECK_EQ(hub_store_org_add(s, &HUB_SCOPE_SYSTEM, &o), CS_OK);
    char w[300];
    snprintf(w, sizeof(w), "%s-wal", suite_path);
    CHECK(access(w, F_OK) == 0);
    hub_store_close(s);
    for (int i = 0; i < suite_n; i++) {
        snprintf(suite_path, sizeof(suite_path), "/tmp/cs_store_test_%d_%d.db", (int)getpid(), i);
        rm_db(suite_path);
    }
}

CS_TEST_MAIN()
