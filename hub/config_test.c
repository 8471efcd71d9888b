/* config_test.c — the hub's configuration file: values, derived paths, errors. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/cs_test.h"
#include "config.h"

static const char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/cs_hubcfg_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* The HTTP pool: 4 threads per core (ingest requests wait on the database), at least 4. */
CS_TEST(config_default_threads)
{
    struct hub_config c;
    hub_config_defaults(&c);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK(c.http.threads >= 4);
    CHECK(c.http.threads <= 64);
    if (ncpu > 1 && ncpu <= 16)
        CHECK_EQ(c.http.threads, 4 * ncpu);
}

CS_TEST(config_values)
{
    struct hub_config c;
    struct cs_err err = {0};
    hub_config_defaults(&c);
    CHECK_STR(c.http.listen[0], "127.0.0.1:8443");
    CHECK_STR(c.web_root, "web");
    CHECK(!c.web_root_set);
    const char *p = write_tmp("web-root: /usr/share/citysoc/web\n"
                              "listen: [127.0.0.1:9000, \"[::1]:9001\"]\n"
                              "database: /tmp/x/hub.db\n"
                              "threads: 3\n"
                              "limits: {max-body: 2mb, max-header: 8kb, timeout: 7}\n"
                              "auth: {session-ttl: 600, require-signatures: yes,\n"
                              "       password: {memory: 8kb, iterations: 1}}\n"
                              "audit: {checkpoint-every: 5}\n"
                              "ingest: {max-batch-events: 10, tail: {file: /x, sensor: s}}\n");
    REQUIRE(p);
    REQUIRE(hub_config_load(&c, p, &err) == CS_OK);
    hub_config_finish(&c);
    CHECK_EQ(c.http.nlisten, 2);
    CHECK_STR(c.web_root, "/usr/share/citysoc/web");
    CHECK(c.web_root_set);
    CHECK_STR(c.http.listen[1], "[::1]:9001");
    CHECK_EQ(c.http.threads, 3);
    CHECK_EQ(c.http.max_body, 2u << 20);
    CHECK_EQ(c.http.max_header, 8u << 10);
    CHECK_EQ(c.http.timeout_s, 7);
    CHECK_EQ(c.api.session_ttl_s, 600);
    CHECK(c.api.require_signature);
    CHECK_EQ(c.api.pw.m_kib, 8);
    CHECK_EQ(c.api.audit_ckpt_every, 5);
    CHECK_EQ(c.api.max_batch_events, 10);
    CHECK_STR(c.tail_file, "/x");
    CHECK_STR(c.token_key_file, "/tmp/x/hub.db.tokenkey");
    CHECK_STR(c.audit_key_file, "/tmp/x/hub.db.sm2.pem");
    CHECK(c.http.tls_cert == NULL);
    unlink(p);
}

CS_TEST(config_postgresql_database)
{
    struct hub_config c;
    struct cs_err err = {0};
    hub_config_defaults(&c);
    const char *p = write_tmp("database: \"pg:host=127.0.0.1 dbname=citysoc\"\n"
                              "database-pool: 9\n");
    REQUIRE(p);
    REQUIRE(hub_config_load(&c, p, &err) == CS_OK);
    hub_config_finish(&c);
    CHECK_STR(c.database, "pg:host=127.0.0.1 dbname=citysoc");
    CHECK(hub_config_db_is_pg(c.database));
    CHECK_EQ(c.db_pool, 9);
    /* no file beside a PostgreSQL database: the keys sit beside the configuration */
    CHECK_STR(c.token_key_file, "/tmp/citysoc.tokenkey");
    CHECK_STR(c.audit_key_file, "/tmp/citysoc.sm2.pem");
    hub_config_defaults(&c);
    snprintf(c.database, sizeof(c.database), "postgresql://u@h/db");
    hub_config_finish(&c);
    CHECK_STR(c.token_key_file, "./citysoc.tokenkey");
    CHECK(!hub_config_db_is_pg("hub.db") && !hub_config_db_is_pg("sqlite:pg:x"));
    p = write_tmp("database-pool: 1\n");
    CHECK(hub_config_load(&c, p, &err) == CS_EINVAL);
    unlink(p);
}

CS_TEST(config_errors_name_the_key)
{
    struct hub_config c;
    struct cs_err err = {0};
    hub_config_defaults(&c);
    const char *p = write_tmp("threads: 0\n");
    CHECK(hub_config_load(&c, p, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "threads") != NULL);
    CHECK_EQ(err.line, 1);
    p = write_tmp("limits: {max-body: lots}\n");
    CHECK(hub_config_load(&c, p, &err) == CS_EINVAL);
    CHECK(strstr(err.msg, "max-body") != NULL);
    p = write_tmp("auth: {require-signatures: perhaps}\n");
    CHECK(hub_config_load(&c, p, &err) == CS_EINVAL);
    p = write_tmp("listen: [a, b, c, d, e]\n");
    CHECK(hub_config_load(&c, p, &err) == CS_EINVAL);
    p = write_tmp("listen: [unclosed\n");
    CHECK(hub_config_load(&c, p, &err) != CS_OK);
    unlink(p);
    CHECK(hub_config_load(&c, "/nonexistent/hub.yaml", &err) == CS_EIO);
}

CS_TEST(token_key_created_private_and_reused)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cs_hubkey_%d", (int)getpid());
    unlink(path);
    uint8_t k1[64], k2[64];
    size_t n1 = 0, n2 = 0;
    struct cs_err err = {0};
    REQUIRE(hub_token_key_load(path, k1, sizeof(k1), &n1, &err) == CS_OK);
    CHECK_EQ(n1, 32);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    REQUIRE(hub_token_key_load(path, k2, sizeof(k2), &n2, &err) == CS_OK);
    CHECK(n1 == n2 && memcmp(k1, k2, n1) == 0);
    chmod(path, 0644);
    CHECK(hub_token_key_load(path, k2, sizeof(k2), &n2, &err) == CS_EINVAL);
    unlink(path);
}

CS_TEST_MAIN()
