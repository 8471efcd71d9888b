/* dataset_test.c — datasets: file formats of every type, the dataset keyword's isset /
 * isnotset / set / unset over packet payloads and sticky buffers, post-match application,
 * save / state files, the `datasets:` configuration section, errors, memcap and concurrent
 * use from several threads. */
#include "../../lib/cs_cfg.h"
#include "dataset.h"
#include "kw_app.h"
#include "kw_test_util.h"
#include "ruleset.h"

#include <pthread.h>
#include <unistd.h>

static char g_path[1024];

static const char *data_file(const char *name)
{
    const char *d = getenv("CS_TEST_DATA");
    snprintf(g_path, sizeof(g_path), "%.900s/detect/%s", d ? d : "tests/data", name);
    return g_path;
}

static bool has(const char *set, const void *v, uint32_t len)
{
    struct sn_ds *ds = sn_ds_find(set);
    uint8_t *key = malloc(SN_DS_MAX_KEY);
    int kl;
    bool r;

    if (!ds || !key) {
        free(key);
        return false;
    }
    kl = sn_ds_key(sn_ds_type(ds), v, len, key);
    r = kl >= 0 && sn_ds_contains(ds, key, (uint32_t)kl);
    free(key);
    return r;
}

/* Loads rules (one per line) into a ruleset and runs sn_detect_datasets_load. */
static struct sn_ruleset *load(const char *rules, const struct sn_config *cfg, int *rc,
                               struct cs_err *e)
{
    struct sn_ruleset *rs = sn_ruleset_new(NULL);
    memset(e, 0, sizeof(*e));
    if (!rs || sn_ruleset_load_buffer(rs, "t.rules", rules, strlen(rules), e) != CS_OK) {
        printf("# ruleset load failed: %s\n", e->msg);
        exit(2);
    }
    *rc = sn_detect_datasets_load(rs, cfg, e);
    return rs;
}

static bool eval_inst(struct kt *k, const struct sn_rule *r)
{
    const struct sn_kw_inst *inst = kt_inst(r, "dataset", 0);
    k->t.rule = r;
    return inst->kw->match(&k->t, inst);
}

CS_TEST(load_files_of_every_type)
{
    char rules[8192];
    struct cs_err e;
    struct sn_ruleset *rs;
    int rc, n = 0;
    static const uint8_t md5_hello[16] = {0x5d, 0x41, 0x40, 0x2a, 0xbc, 0x4b, 0x2a, 0x76,
                                          0xb9, 0x71, 0x9d, 0x91, 0x10, 0x17, 0xc5, 0x92};
    uint8_t v4[4] = {192, 0, 2, 1}, v4b[4] = {192, 0, 2, 2};

    n += snprintf(rules + n, sizeof(rules) - (size_t)n,
                  "alert ip any any -> any any (dataset:isset,ua,type string,load %s; sid:1;)\n",
                  data_file("ua-seen.lst"));
    n += snprintf(rules + n, sizeof(rules) - (size_t)n,
                  "alert ip any any -> any any (dataset:isset,h5,type md5,load %s; sid:2;)\n",
                  data_file("md5.lst"));
    n += snprintf(rules + n, sizeof(rules) - (size_t)n,
                  "alert ip any any -> any any (dataset:isset,h256,type sha256,load %s; sid:3;)\n",
                  data_file("sha256.lst"));
    n += snprintf(rules + n, sizeof(rules) - (size_t)n,
                  "alert ip any any -> any any (dataset:isset,a4,type ipv4,load %s; sid:4;)\n",
                  data_file("ipv4.lst"));
    snprintf(rules + n, sizeof(rules) - (size_t)n,
             "alert ip any any -> any any (dataset:isset,a6,type ip,load %s; sid:5;)\n",
             data_file("ip.lst"));
    rs = load(rules, NULL, &rc, &e);
    CHECK_EQ(rc, CS_OK);
    if (rc != CS_OK)
        printf("# %s\n", e.msg);
    CHECK_EQ(sn_ds_count(sn_ds_find("ua")), 3);
    CHECK(has("ua", "Mozilla/5.0", 11));
    CHECK(has("ua", "curl/7.68.0", 11));
    CHECK(has("ua", "wget", 4));
    CHECK(!has("ua", "Mozilla/5.", 10));
    CHECK_EQ(sn_ds_count(sn_ds_find("h5")), 2);
    CHECK(has("h5", md5_hello, 16));
    CHECK(has("h5", "098f6bcd4621d373cade4e832627b4f6", 32)); /* hex text works too */
    CHECK(!has("h5", "00000000000000000000000000000000", 32));
    CHECK(has("h256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", 64));
    CHECK(has("a4", v4, 4));
    CHECK(has("a4", "198.51.100.7", 12));
    CHECK(!has("a4", v4b, 4));
    CHECK(has("a6", v4, 4));
    CHECK(has("a6", "2001:db8::1", 11));
    CHECK(!has("a6", "2001:db8::2", 11));
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
}

CS_TEST(isset_isnotset_on_payload_and_sticky_buffer)
{
    char rules[8192];
    struct cs_err e;
    struct sn_ruleset *rs;
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP};
    int rc;

    snprintf(rules, sizeof(rules),
             "alert udp any any -> any any (dataset:isset,ua,type string,load %s; sid:1;)\n"
             "alert udp any any -> any any (dataset:isnotset,ua; sid:2;)\n"
             "alert http any any -> any any (http.user_agent; dataset:isset,ua; sid:3;)\n"
             "alert ip any any -> any any (dataset:isset,nosuchset; sid:4;)\n"
             "alert ip any any -> any any (dataset:isnotset,nosuchset; sid:5;)\n",
             data_file("ua-seen.lst"));
    rs = load(rules, NULL, &rc, &e);
    REQUIRE(rc == CS_OK);
    /* the rule without a type binds to the loaded set */
    CHECK(((struct sn_dataset *)kt_inst(rs->rules[1], "dataset", 0)->data)->set ==
          sn_ds_find("ua"));

    kt_init(&k);
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "curl/7.68.0", 11));
    CHECK(eval_inst(&k, rs->rules[0]));
    CHECK(!eval_inst(&k, rs->rules[1]));
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "python", 6));
    CHECK(!eval_inst(&k, rs->rules[0]));
    CHECK(eval_inst(&k, rs->rules[1]));

    /* a sticky buffer as the engine positions it (t->buf of that buffer) */
    {
        const struct sn_kw_inst *inst = kt_inst(rs->rules[2], "dataset", 0);
        k.t.buf_id = inst->buffer;
        k.t.buf = (const uint8_t *)"Mozilla/5.0";
        k.t.buf_len = 11;
        CHECK(eval_inst(&k, rs->rules[2]));
        k.t.buf = (const uint8_t *)"Mozilla/4.0";
        CHECK(!eval_inst(&k, rs->rules[2]));
        /* the buffer is not available (no transaction): no match */
        k.t.buf = NULL;
        k.t.buf_id = 0;
        CHECK(!eval_inst(&k, rs->rules[2]));
    }
    /* a set nobody defined is empty */
    CHECK(!eval_inst(&k, rs->rules[3]));
    CHECK(eval_inst(&k, rs->rules[4]));
    kt_free(&k);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
}

CS_TEST(set_and_unset_apply_after_full_match)
{
    const char *rules = "alert udp any any -> any any (dataset:set,seen,type string; sid:1;)\n"
                        "alert udp any any -> any any (dataset:isset,seen; sid:2;)\n"
                        "alert udp any any -> any any (dataset:unset,seen; sid:3;)\n"
                        "alert udp any any -> any any (ttl:1; dataset:set,seen; sid:4;)\n";
    struct cs_err e;
    struct sn_ruleset *rs;
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP};
    int rc;

    rs = load(rules, NULL, &rc, &e);
    REQUIRE(rc == CS_OK);
    kt_init(&k);
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "first", 5));
    /* a rule that does not match as a whole adds nothing */
    CHECK(!kt_eval_rule(&k, rs->rules[3]));
    CHECK(!has("seen", "first", 5));
    /* set matches while the value is new, and adds it after the full match */
    CHECK(kt_eval_rule(&k, rs->rules[0]));
    CHECK(has("seen", "first", 5));
    CHECK(kt_eval_rule(&k, rs->rules[1]));
    CHECK(!kt_eval_rule(&k, rs->rules[0])); /* not new any more */

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "second", 6));
    CHECK(!kt_eval_rule(&k, rs->rules[1]));
    CHECK(!kt_eval_rule(&k, rs->rules[2])); /* unset needs the value present */
    CHECK(kt_eval_rule(&k, rs->rules[0]));
    CHECK_EQ(sn_ds_count(sn_ds_find("seen")), 2);

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "first", 5));
    CHECK(kt_eval_rule(&k, rs->rules[2]));
    CHECK(!has("seen", "first", 5));
    CHECK(has("seen", "second", 6));
    kt_free(&k);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
}

CS_TEST(ip_types_from_packet_addresses)
{
    char rules[8192];
    struct cs_err e;
    struct sn_ruleset *rs;
    struct kt k;
    uint8_t l4[64];
    struct kt_ip ip = {.src = "192.0.2.1", .dst = "10.0.0.2", .proto = IPPROTO_UDP};
    int rc;

    snprintf(rules, sizeof(rules),
             "alert ip any any -> any any (dataset:isset,a4,type ipv4,load %s; sid:1;)\n",
             data_file("ipv4.lst"));
    rs = load(rules, NULL, &rc, &e);
    REQUIRE(rc == CS_OK);
    kt_init(&k);
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    /* the 4 address bytes as an ip.src buffer would give them */
    k.t.buf_id = SN_BUF_PKT;
    k.t.buf = k.p.src.u8;
    k.t.buf_len = 4;
    CHECK(eval_inst(&k, rs->rules[0]));
    k.t.buf = k.p.dst.u8;
    CHECK(!eval_inst(&k, rs->rules[0]));
    /* text that is not an address never matches */
    k.t.buf = (const uint8_t *)"not-an-ip";
    k.t.buf_len = 9;
    CHECK(!eval_inst(&k, rs->rules[0]));
    kt_free(&k);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
}

static bool file_has_line(const char *path, const char *line)
{
    char buf[512];
    FILE *fp = fopen(path, "r");
    bool found = false;
    if (!fp)
        return false;
    while (!found && fgets(buf, sizeof(buf), fp)) {
        buf[strcspn(buf, "\n")] = 0;
        found = strcmp(buf, line) == 0;
    }
    fclose(fp);
    return found;
}

CS_TEST(save_and_state_files)
{
    char dir[] = "/tmp/kwds.XXXXXX", rules[4096], save[256], state[256];
    struct cs_err e;
    struct sn_ruleset *rs;
    struct sn_ds *ds;
    uint8_t key[64];
    int rc, kl;

    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(save, sizeof(save), "%s/saved.lst", dir);
    snprintf(state, sizeof(state), "%s/state.lst", dir);
    snprintf(rules, sizeof(rules),
             "alert ip any any -> any any (dataset:set,s,type string,save %s; sid:1;)\n"
             "alert ip any any -> any any (dataset:set,st,type ipv4,state %s; sid:2;)\n",
             save, state);
    rs = load(rules, NULL, &rc, &e);
    REQUIRE(rc == CS_OK);
    ds = sn_ds_find("s");
    REQUIRE(ds != NULL && sn_ds_find("st") != NULL);
    CHECK_EQ(sn_ds_add(ds, (const uint8_t *)"Mozilla/5.0", 11), 1);
    CHECK_EQ(sn_ds_add(ds, (const uint8_t *)"ab", 2), 1);
    ds = sn_ds_find("st");
    kl = sn_ds_key(SN_DS_IPV4, (const uint8_t *)"203.0.113.9", 11, key);
    CHECK_EQ(sn_ds_add(ds, key, (uint32_t)kl), 1);
    CHECK_EQ(sn_detect_datasets_save(&e), CS_OK);
    CHECK(file_has_line(save, "TW96aWxsYS81LjA="));
    CHECK(file_has_line(save, "YWI="));
    CHECK(file_has_line(state, "203.0.113.9"));
    sn_ruleset_free(rs);
    sn_detect_datasets_free();

    /* a restart: the state file is read back */
    rs = load(rules, NULL, &rc, &e);
    REQUIRE(rc == CS_OK);
    CHECK(has("st", "203.0.113.9", 11));
    CHECK(!has("s", "ab", 2)); /* save is written only, never read */
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
    remove(save);
    remove(state);
    rmdir(dir);
}

CS_TEST(config_section)
{
    char yaml[8192];
    struct sn_config cfg;
    struct cs_err e = {0};
    struct sn_ruleset *rs;
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    snprintf(yaml, sizeof(yaml),
             "datasets:\n"
             "  defaults:\n"
             "    memcap: 10mb\n"
             "  hashes:\n"
             "    type: md5\n"
             "    load: %s\n"
             "  agents:\n"
             "    type: string\n",
             data_file("md5.lst"));
    cfg.raw = cs_cfg_new();
    REQUIRE(cfg.raw && cs_cfg_load_string(cfg.raw, yaml, strlen(yaml), &e) == CS_OK);
    rs = load("alert ip any any -> any any (dataset:isset,hashes; sid:1;)\n", &cfg, &rc, &e);
    CHECK_EQ(rc, CS_OK);
    REQUIRE(rc == CS_OK);
    CHECK(sn_ds_find("agents") != NULL);
    REQUIRE(sn_ds_find("hashes") != NULL);
    CHECK(sn_ds_type(sn_ds_find("hashes")) == SN_DS_MD5);
    CHECK(has("hashes", "5d41402abc4b2a76b9719d911017c592", 32));
    CHECK(((struct sn_dataset *)kt_inst(rs->rules[0], "dataset", 0)->data)->set ==
          sn_ds_find("hashes"));
    sn_ruleset_free(rs);
    sn_detect_datasets_free();

    /* a rule that names the type explicitly must agree with the configuration */
    rs = load("alert ip any any -> any any (dataset:isset,hashes,type sha256; sid:1;)\n", &cfg,
              &rc, &e);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(e.msg, "type md5") != NULL);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();
    cs_cfg_free(cfg.raw);
}

CS_TEST(load_errors_name_file_and_line)
{
    char rules[8192];
    struct cs_err e;
    struct sn_ruleset *rs;
    int rc;

    snprintf(rules, sizeof(rules),
             "alert ip any any -> any any (dataset:isset,bad,type md5,load %s; sid:7;)\n",
             data_file("bad-md5.lst"));
    rs = load(rules, NULL, &rc, &e);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(e.msg, "bad-md5.lst:2") != NULL);
    CHECK(strstr(e.msg, "rule 7") != NULL);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();

    rs = load("alert ip any any -> any any (dataset:isset,gone,type md5,load /nonexistent/x; "
              "sid:8;)\n",
              NULL, &rc, &e);
    CHECK_EQ(rc, CS_EIO);
    sn_ruleset_free(rs);
    sn_detect_datasets_free();

    /* string values must be base64 */
    {
        struct sn_ds *ds;
        bool created;
        REQUIRE(sn_ds_get_or_create("b64", SN_DS_STRING, 0, 0, &ds, &created, &e) == CS_OK);
        CHECK_EQ(sn_ds_load_buffer(ds, "aGk=\n!!!\n", 9, "mem", &e), CS_EINVAL);
        CHECK(strstr(e.msg, "mem:2") != NULL);
        CHECK(has("b64", "hi", 2));
    }
    sn_detect_datasets_free();
}

CS_TEST(memcap_and_growth)
{
    struct sn_ds *ds;
    bool created;
    struct cs_err e;
    char v[32];
    int rc = 0, i;

    REQUIRE(sn_ds_get_or_create("capped", SN_DS_STRING, 4096, 0, &ds, &created, &e) == CS_OK);
    for (i = 0; i < 1000 && rc >= 0; i++) {
        int n = snprintf(v, sizeof(v), "value-%d", i);
        rc = sn_ds_add(ds, (const uint8_t *)v, (uint32_t)n);
    }
    CHECK_EQ(rc, CS_ELIMIT);
    CHECK(sn_ds_count(ds) > 10 && sn_ds_count(ds) < 1000);

    REQUIRE(sn_ds_get_or_create("big", SN_DS_STRING, 0, 16, &ds, &created, &e) == CS_OK);
    for (i = 0; i < 20000; i++) {
        int n = snprintf(v, sizeof(v), "v%d", i);
        sn_ds_add(ds, (const uint8_t *)v, (uint32_t)n);
    }
    CHECK_EQ(sn_ds_count(ds), 20000);
    CHECK(has("big", "v0", 2) && has("big", "v19999", 6) && !has("big", "v20000", 6));
    CHECK_EQ(sn_ds_remove(ds, (const uint8_t *)"v5", 2), 1);
    CHECK_EQ(sn_ds_remove(ds, (const uint8_t *)"v5", 2), 0);
    sn_detect_datasets_free();
}

struct thr_arg {
    struct sn_ds *ds;
    int id, found;
};

static void *worker(void *p)
{
    struct thr_arg *a = p;
    char v[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(v, sizeof(v), "t%d-%d", a->id, i);
        sn_ds_add(a->ds, (const uint8_t *)v, (uint32_t)n);
        n = snprintf(v, sizeof(v), "shared-%d", i % 100);
        if (sn_ds_contains(a->ds, (const uint8_t *)v, (uint32_t)n))
            a->found++;
    }
    return NULL;
}

CS_TEST(shared_between_threads)
{
    struct sn_ds *ds;
    bool created;
    struct cs_err e;
    pthread_t th[4];
    struct thr_arg a[4];
    char v[32];

    REQUIRE(sn_ds_get_or_create("mt", SN_DS_STRING, 0, 0, &ds, &created, &e) == CS_OK);
    for (int i = 0; i < 100; i++) {
        int n = snprintf(v, sizeof(v), "shared-%d", i);
        sn_ds_add(ds, (const uint8_t *)v, (uint32_t)n);
    }
    for (int i = 0; i < 4; i++) {
        a[i] = (struct thr_arg){.ds = ds, .id = i};
        pthread_create(&th[i], NULL, worker, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(a[i].found, 5000);
    }
    CHECK_EQ(sn_ds_count(ds), 100 + 4 * 5000);
    sn_detect_datasets_free();
}

CS_TEST_MAIN()
