/* iprep_test.c — IP reputation: categories and reputation files (hosts, nested prefixes,
 * IPv6), the configuration keys, errors, and the iprep keyword by side (src, dst, any, both)
 * and operator on decoded packets. */
#include "../../lib/cs_cfg.h"
#include "iprep.h"
#include "kw_app.h"
#include "kw_test_util.h"
#include "ruleset.h"

static char g_dir[1024];

static const char *data_dir(void)
{
    const char *d = getenv("CS_TEST_DATA");
    snprintf(g_dir, sizeof(g_dir), "%.900s/detect", d ? d : "tests/data");
    return g_dir;
}

/* Loads categories.txt + the given reputation files through the configuration keys. */
static int load_cfg(const char *files_yaml, struct cs_err *e)
{
    char yaml[4096];
    struct cs_cfg *c = cs_cfg_new();
    int rc;

    snprintf(yaml, sizeof(yaml),
             "reputation-categories-file: %s/categories.txt\n"
             "default-reputation-path: %s\n"
             "reputation-files:\n%s",
             data_dir(), data_dir(), files_yaml);
    memset(e, 0, sizeof(*e));
    if (!c || cs_cfg_load_string(c, yaml, strlen(yaml), e) != CS_OK) {
        printf("# yaml: %s\n", e->msg);
        exit(2);
    }
    rc = sn_iprep_load_config(c, e);
    cs_cfg_free(c);
    return rc;
}

static int score(const char *addr, const char *cat)
{
    struct sn_addr a;
    uint8_t ver = strchr(addr, ':') ? 6 : 4;
    memset(&a, 0, sizeof(a));
    inet_pton(ver == 6 ? AF_INET6 : AF_INET, addr, a.u8);
    return sn_iprep_score(&a, ver, sn_iprep_category(cat));
}

CS_TEST(files_hosts_prefixes_ipv6)
{
    struct cs_err e;
    size_t hosts, prefixes;

    CHECK_EQ(load_cfg("  - reputation.list\n  - reputation2.list\n", &e), CS_OK);
    CHECK_EQ(sn_iprep_category("BadHosts"), 1);
    CHECK_EQ(sn_iprep_category("CnC"), 3);
    CHECK_EQ(sn_iprep_category("Nope"), -1);
    sn_iprep_counts(&hosts, &prefixes);
    CHECK_EQ(hosts, 3);    /* 192.0.2.10, 2001:db8::66, 203.0.113.5 */
    CHECK_EQ(prefixes, 4); /* /24, /25, /8, /32 (v6) */

    CHECK_EQ(score("192.0.2.10", "BadHosts"), 100);
    CHECK_EQ(score("192.0.2.10", "Google"), 5);
    CHECK_EQ(score("192.0.2.10", "CnC"), -1);
    CHECK_EQ(score("192.0.2.11", "BadHosts"), -1);
    CHECK_EQ(score("198.51.100.5", "BadHosts"), 30);   /* /24 */
    CHECK_EQ(score("198.51.100.200", "BadHosts"), 90); /* the longer /25 wins */
    CHECK_EQ(score("198.51.101.1", "BadHosts"), -1);
    CHECK_EQ(score("10.200.3.4", "CnC"), 10);
    CHECK_EQ(score("10.200.3.4", "BadHosts"), -1);
    CHECK_EQ(score("203.0.113.5", "CnC"), 127);         /* second file */
    CHECK_EQ(score("2001:db8::66", "BadHosts"), 120);   /* host over prefix */
    CHECK_EQ(score("2001:db8:1::9", "BadHosts"), 60);
    CHECK_EQ(score("2001:db9::1", "BadHosts"), -1);
    sn_iprep_free_all();
    CHECK_EQ(score("192.0.2.10", "BadHosts"), -1);
}

CS_TEST(errors_and_reload)
{
    struct cs_err e;
    const char *bad_cat = "x,Name,desc\n";

    CHECK_EQ(load_cfg("  - reputation-bad.list\n", &e), CS_EINVAL);
    CHECK(strstr(e.msg, "reputation-bad.list:2") != NULL);
    CHECK(strstr(e.msg, "category") != NULL);
    CHECK_EQ(load_cfg("  - missing.list\n", &e), CS_EIO);
    CHECK_EQ(sn_iprep_load_buffers(bad_cat, strlen(bad_cat), NULL, NULL, NULL, 0, &e), CS_EINVAL);
    {
        const char *cats = "1,A,a\n";
        const char *reps[] = {"1.2.3.4/33,1,5\n", "1.2.3.4,1,128\n", "1.2.3.x,1,5\n"};
        for (int i = 0; i < 3; i++) {
            size_t len = strlen(reps[i]);
            CHECK_EQ(sn_iprep_load_buffers(cats, strlen(cats), &reps[i], &len, NULL, 1, &e),
                     CS_EINVAL);
        }
    }
    /* a failed load keeps nothing; a good one replaces the current database */
    CHECK_EQ(load_cfg("  - reputation.list\n", &e), CS_OK);
    CHECK_EQ(score("192.0.2.10", "BadHosts"), 100);
    CHECK_EQ(load_cfg("  - reputation2.list\n", &e), CS_OK);
    CHECK_EQ(score("192.0.2.10", "BadHosts"), -1);
    CHECK_EQ(score("203.0.113.5", "CnC"), 127);
    sn_iprep_free_all();
}

CS_TEST(keyword_sides_and_operators)
{
    struct cs_err e;
    struct kt k;
    uint8_t l4[32];
    struct kt_ip ip = {.src = "192.0.2.10", .dst = "198.51.100.200", .proto = IPPROTO_UDP};
    struct sn_rule *src_gt, *dst_gt, *any_eq, *both_gt, *both_gt100, *src_lt, *dst_eq, *unknown;

    CHECK_EQ(load_cfg("  - reputation.list\n", &e), CS_OK);
    kt_init(&k);
    src_gt = kt_rule(&k, "alert ip any any -> any any (iprep:src,BadHosts,>,50; sid:1;)");
    dst_gt = kt_rule(&k, "alert ip any any -> any any (iprep:dst,BadHosts,>,95; sid:2;)");
    any_eq = kt_rule(&k, "alert ip any any -> any any (iprep:any,BadHosts,=,90; sid:3;)");
    both_gt = kt_rule(&k, "alert ip any any -> any any (iprep:both,BadHosts,>,80; sid:4;)");
    both_gt100 = kt_rule(&k, "alert ip any any -> any any (iprep:both,BadHosts,>,95; sid:5;)");
    src_lt = kt_rule(&k, "alert ip any any -> any any (iprep:src,Google,<,10; sid:6;)");
    dst_eq = kt_rule(&k, "alert ip any any -> any any (iprep:dst,Google,=,5; sid:7;)");
    unknown = kt_rule(&k, "alert ip any any -> any any (iprep:any,Unknown,>,0; sid:8;)");

    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(kt_match(&k, src_gt, "iprep"));      /* 100 > 50 */
    CHECK(!kt_match(&k, dst_gt, "iprep"));     /* 90 > 95 false */
    CHECK(kt_match(&k, any_eq, "iprep"));      /* dst is 90 */
    CHECK(kt_match(&k, both_gt, "iprep"));     /* 100 and 90 */
    CHECK(!kt_match(&k, both_gt100, "iprep")); /* 90 fails */
    CHECK(kt_match(&k, src_lt, "iprep"));      /* Google 5 < 10 */
    CHECK(!kt_match(&k, dst_eq, "iprep"));     /* the destination has no Google score */
    CHECK(!kt_match(&k, unknown, "iprep"));

    /* the reverse direction swaps the sides */
    ip.src = "198.51.100.200";
    ip.dst = "192.0.2.10";
    kt_send(&k, &ip, l4, kt_udp(l4, 2, 1, "x", 1));
    CHECK(kt_match(&k, src_gt, "iprep"));          /* src 90 > 50 */
    CHECK(kt_match(&k, dst_gt, "iprep"));            /* dst 100 > 95 */
    CHECK(kt_match(&k, dst_eq, "iprep"));

    /* addresses without reputation: no match whatever the operator */
    ip.src = "172.16.0.1";
    ip.dst = "172.16.0.2";
    kt_send(&k, &ip, l4, kt_udp(l4, 1, 2, "x", 1));
    CHECK(!kt_match(&k, src_lt, "iprep"));
    CHECK(!kt_match(&k, any_eq, "iprep"));
    kt_free(&k);
    sn_iprep_free_all();
}

CS_TEST(category_bound_at_load)
{
    struct cs_err e;
    struct sn_ruleset *rs = sn_ruleset_new(NULL);
    const char *rules = "alert ip any any -> any any (iprep:any,CnC,>,5; sid:1;)\n";
    const struct sn_iprep *r;
    char yaml[4096];
    struct sn_config cfg;

    REQUIRE(rs && sn_ruleset_load_buffer(rs, "t", rules, strlen(rules), &e) == CS_OK);
    memset(&cfg, 0, sizeof(cfg));
    snprintf(yaml, sizeof(yaml),
             "reputation-categories-file: %s/categories.txt\n"
             "default-reputation-path: %s\n"
             "reputation-files:\n  - reputation.list\n",
             data_dir(), data_dir());
    cfg.raw = cs_cfg_new();
    REQUIRE(cs_cfg_load_string(cfg.raw, yaml, strlen(yaml), &e) == CS_OK);
    r = kt_inst(rs->rules[0], "iprep", 0)->data;
    CHECK_EQ(r->cat, -1);
    CHECK_EQ(sn_detect_datasets_load(rs, &cfg, &e), CS_OK);
    CHECK_EQ(r->cat, 3);
    sn_ruleset_free(rs);
    cs_cfg_free(cfg.raw);
    sn_detect_datasets_free();
}

CS_TEST_MAIN()
