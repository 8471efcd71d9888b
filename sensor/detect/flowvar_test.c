/* flowvar_test.c — flowbits, flowint and xbits: isset-style checks in match(), changes in
 * sn_detect_postmatch() only after the whole rule matched, storage per flow / per host. */
#include "flowvar.h"
#include "kw_test_util.h"

#define R(opts) "alert ip any any -> any any (" opts " sid:1;)"

static void udp(struct kt *k, const char *src, const char *dst, uint16_t sp, uint16_t dp)
{
    uint8_t l4[32];
    struct kt_ip ip = {.src = src, .dst = dst, .proto = IPPROTO_UDP};
    kt_send(k, &ip, l4, kt_udp(l4, sp, dp, "x", 1));
}

CS_TEST(flowbits_set_isset_unset_toggle)
{
    struct kt k;
    struct sn_rule *set, *isset, *isnotset, *unset, *toggle, *either, *neither;

    kt_init(&k);
    set = kt_rule(&k, R("flowbits:set,login;"));
    isset = kt_rule(&k, R("flowbits:isset,login;"));
    isnotset = kt_rule(&k, R("flowbits:isnotset,login;"));
    unset = kt_rule(&k, R("flowbits:unset,login;"));
    toggle = kt_rule(&k, R("flowbits:toggle,login;"));
    either = kt_rule(&k, R("flowbits:isset,other|login;"));
    neither = kt_rule(&k, R("flowbits:isnotset,login|other;"));

    udp(&k, "10.0.0.1", "10.0.0.2", 1, 2);
    CHECK(!kt_match(&k, isset, "flowbits"));
    CHECK(kt_match(&k, isnotset, "flowbits"));
    CHECK(!kt_match(&k, either, "flowbits"));
    CHECK(k.t.f->detect == NULL); /* nothing allocated by checks */

    CHECK(kt_eval_rule(&k, set));
    CHECK(sn_flowbit_isset(k.t.f, "login"));
    CHECK(kt_match(&k, isset, "flowbits"));
    CHECK(!kt_match(&k, isnotset, "flowbits"));
    CHECK(kt_match(&k, either, "flowbits"));
    CHECK(kt_match(&k, neither, "flowbits")); /* "other" is not set */

    /* visible on the next packet of the flow, in either direction */
    udp(&k, "10.0.0.2", "10.0.0.1", 2, 1);
    CHECK(kt_match(&k, isset, "flowbits"));
    /* not on another flow */
    udp(&k, "10.0.0.1", "10.0.0.3", 1, 2);
    CHECK(!kt_match(&k, isset, "flowbits"));

    udp(&k, "10.0.0.1", "10.0.0.2", 1, 2);
    CHECK(kt_eval_rule(&k, unset));
    CHECK(!kt_match(&k, isset, "flowbits"));
    CHECK(kt_eval_rule(&k, toggle));
    CHECK(kt_match(&k, isset, "flowbits"));
    CHECK(kt_eval_rule(&k, toggle));
    CHECK(!kt_match(&k, isset, "flowbits"));
    kt_free(&k);
}

CS_TEST(flowbits_applied_only_on_full_match)
{
    struct kt k;
    struct sn_rule *r, *isset, *noalert;

    kt_init(&k);
    /* the ttl condition fails: the set must not happen */
    r = kt_rule(&k, R("ttl:1; flowbits:set,seen;"));
    isset = kt_rule(&k, R("flowbits:isset,seen;"));
    noalert = kt_rule(&k, R("flowbits:set,quiet; flowbits:noalert;"));

    udp(&k, "10.0.0.1", "10.0.0.2", 1, 2);
    CHECK(!kt_eval_rule(&k, r));
    CHECK(!kt_match(&k, isset, "flowbits"));
    CHECK(kt_eval_rule(&k, noalert));
    CHECK(noalert->flags & SN_RULE_NOALERT);
    CHECK(sn_flowbit_isset(k.t.f, "quiet"));
    kt_free(&k);
}

CS_TEST(flowint_ops_and_compares)
{
    struct kt k;
    struct sn_rule *set, *add, *sub, *eq, *gt, *le, *ne, *isset, *notset, *from_var, *cmp_var,
        *sub_unset;
    uint32_t v = 0;

    kt_init(&k);
    set = kt_rule(&k, R("flowint:cnt,=,5;"));
    add = kt_rule(&k, R("flowint:cnt,+,3;"));
    sub = kt_rule(&k, R("flowint:cnt,-,10;"));
    eq = kt_rule(&k, R("flowint:cnt,==,8;"));
    gt = kt_rule(&k, R("flowint:cnt,>,7;"));
    le = kt_rule(&k, R("flowint:cnt,<=,5;"));
    ne = kt_rule(&k, R("flowint:cnt,!=,8;"));
    isset = kt_rule(&k, R("flowint:cnt,isset;"));
    notset = kt_rule(&k, R("flowint:cnt,notset;"));
    from_var = kt_rule(&k, R("flowint:copy,=,cnt;"));
    cmp_var = kt_rule(&k, R("flowint:copy,==,cnt;"));
    sub_unset = kt_rule(&k, R("flowint:never,-,1;"));

    udp(&k, "10.0.0.1", "10.0.0.2", 1, 2);
    CHECK(kt_match(&k, notset, "flowint"));
    CHECK(!kt_match(&k, isset, "flowint"));
    CHECK(!kt_match(&k, eq, "flowint"));
    CHECK(!kt_match(&k, ne, "flowint")); /* comparisons with an unset variable are false */

    CHECK(kt_eval_rule(&k, add)); /* + on an unset variable sets it */
    CHECK(sn_flowint_get(k.t.f, "cnt", &v) && v == 3);
    CHECK(kt_eval_rule(&k, set));
    CHECK(kt_eval_rule(&k, add));
    CHECK(sn_flowint_get(k.t.f, "cnt", &v) && v == 8);
    CHECK(kt_match(&k, eq, "flowint"));
    CHECK(kt_match(&k, gt, "flowint"));
    CHECK(!kt_match(&k, le, "flowint"));
    CHECK(!kt_match(&k, ne, "flowint"));
    CHECK(kt_match(&k, isset, "flowint"));
    CHECK(!kt_match(&k, notset, "flowint"));

    CHECK(kt_eval_rule(&k, from_var));
    CHECK(sn_flowint_get(k.t.f, "copy", &v) && v == 8);
    CHECK(kt_match(&k, cmp_var, "flowint"));

    CHECK(kt_eval_rule(&k, sub)); /* 8 - 10 wraps as Suricata's uint32 */
    CHECK(sn_flowint_get(k.t.f, "cnt", &v) && v == UINT32_MAX - 1);
    CHECK(!kt_match(&k, cmp_var, "flowint"));
    CHECK(kt_eval_rule(&k, sub_unset)); /* - on an unset variable leaves it unset */
    CHECK(!sn_flowint_get(k.t.f, "never", &v));
    kt_free(&k);
}

CS_TEST(xbits_by_host_pair_and_expiry)
{
    struct kt k;
    struct sn_rule *set_src, *isset_src, *isset_dst, *set_pair, *isset_pair, *unset_src,
        *isnot_src, *set_short;

    sn_xbits_clear();
    kt_init(&k);
    set_src = kt_rule(&k, R("xbits:set,scanner,track ip_src;"));
    isset_src = kt_rule(&k, R("xbits:isset,scanner,track ip_src;"));
    isset_dst = kt_rule(&k, R("xbits:isset,scanner,track ip_dst;"));
    set_pair = kt_rule(&k, R("xbits:set,talked,track ip_pair;"));
    isset_pair = kt_rule(&k, R("xbits:isset,talked,track ip_pair;"));
    unset_src = kt_rule(&k, R("xbits:unset,scanner,track ip_src;"));
    isnot_src = kt_rule(&k, R("xbits:isnotset,scanner,track ip_src;"));
    set_short = kt_rule(&k, R("xbits:set,brief,track ip_src,expire 5;"));

    udp(&k, "192.168.1.9", "10.0.0.2", 1, 2);
    CHECK(!kt_match(&k, isset_src, "xbits"));
    CHECK(kt_match(&k, isnot_src, "xbits"));
    CHECK(kt_eval_rule(&k, set_src));
    CHECK(kt_eval_rule(&k, set_pair));
    CHECK_EQ(sn_xbits_count(), 2);

    /* another flow from the same host: the host bit is there */
    udp(&k, "192.168.1.9", "10.0.0.77", 5, 6);
    CHECK(kt_match(&k, isset_src, "xbits"));
    CHECK(!kt_match(&k, isnot_src, "xbits"));
    CHECK(!kt_match(&k, isset_pair, "xbits")); /* other pair */
    /* traffic towards the host: it is the destination now */
    udp(&k, "10.0.0.2", "192.168.1.9", 2, 1);
    CHECK(!kt_match(&k, isset_src, "xbits"));
    CHECK(kt_match(&k, isset_dst, "xbits"));
    CHECK(kt_match(&k, isset_pair, "xbits")); /* the pair is unordered */

    udp(&k, "192.168.1.9", "10.0.0.2", 1, 2);
    CHECK(kt_eval_rule(&k, unset_src));
    CHECK(!kt_match(&k, isset_src, "xbits"));

    /* expire 5 s: set now, gone 6 s later */
    CHECK(kt_eval_rule(&k, set_short));
    {
        struct sn_rule *isset_short = kt_rule(&k, R("xbits:isset,brief,track ip_src;"));
        udp(&k, "192.168.1.9", "10.0.0.2", 1, 2);
        CHECK(kt_match(&k, isset_short, "xbits"));
        k.ts += 6 * UINT64_C(1000000);
        udp(&k, "192.168.1.9", "10.0.0.2", 1, 2);
        CHECK(!kt_match(&k, isset_short, "xbits"));
    }
    sn_xbits_clear();
    CHECK_EQ(sn_xbits_count(), 0);
    kt_free(&k);
}

CS_TEST(flowvars_alloc_failure_leaves_state)
{
    struct kt k;
    struct sn_rule *set, *isset;

    kt_init(&k);
    set = kt_rule(&k, R("flowbits:set,a;"));
    isset = kt_rule(&k, R("flowbits:isset,a;"));
    udp(&k, "10.0.0.1", "10.0.0.2", 1, 2);
    CHECK(sn_flowbit_set(k.t.f, "a") == CS_OK);
    CHECK(sn_flowbit_set(k.t.f, "a") == CS_OK); /* idempotent */
    CHECK(kt_match(&k, isset, "flowbits"));
    CHECK(kt_eval_rule(&k, set));
    CHECK(kt_match(&k, isset, "flowbits"));
    /* many variables grow the array */
    for (int i = 0; i < 40; i++) {
        char n[16];
        snprintf(n, sizeof(n), "v%d", i);
        CHECK(sn_flowint_set(k.t.f, n, (uint32_t)i) == CS_OK);
    }
    {
        uint32_t v = 0;
        CHECK(sn_flowint_get(k.t.f, "v39", &v) && v == 39);
        CHECK(!sn_flowbit_isset(k.t.f, "v39")); /* ints and bits are separate */
    }
    kt_free(&k);
}

CS_TEST_MAIN()
