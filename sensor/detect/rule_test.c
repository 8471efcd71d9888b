/* rule_test.c — the rule parser: headers, address/port lists, options, errors with columns,
 * rulesets, and ET Open 5.0 / 4.0 acceptance when the corpus is present. */
#include "../../lib/cs_cfg.h"
#include "../../lib/cs_test.h"
#include "kw_content.h"
#include "kw_flow.h"
#include "kw_app.h"
#include "kw_hdr.h"
#include "kw_pcre.h"
#include "ruleset.h"
#include "../config.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Parses one rule against env (NULL: stock variables); returns it or NULL with *e filled. */
static struct sn_rule *parse(const char *text, const struct sn_rule_env *env, struct cs_err *e)
{
    struct sn_rule *r = NULL;
    struct cs_err tmp;
    if (!e)
        e = &tmp;
    memset(e, 0, sizeof(*e));
    if (sn_rule_parse(text, strlen(text), env, &r, e) != CS_OK)
        return NULL;
    return r;
}

/* Expects text to fail with a message containing `msg` at column col. */
static bool fails_at(const char *text, int col, const char *msg)
{
    struct cs_err e;
    struct sn_rule *r = parse(text, NULL, &e);
    if (r) {
        printf("# unexpectedly parsed: %s\n", text);
        sn_rule_free(r);
        return false;
    }
    if (e.col != col || !strstr(e.msg, msg)) {
        printf("# %s\n#   got col %d '%s', want col %d '%s'\n", text, e.col, e.msg, col, msg);
        return false;
    }
    return true;
}

static struct sn_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct sn_addr x = {0};
    x.u8[0] = a;
    x.u8[1] = b;
    x.u8[2] = c;
    x.u8[3] = d;
    return x;
}

CS_TEST(header_basic)
{
    struct sn_rule *r = parse("alert tcp $HOME_NET any -> $EXTERNAL_NET [80,443] "
                              "(msg:\"x\"; sid:7; rev:3;)",
                              NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->action, SN_ACT_ALERT);
    CHECK_STR(r->proto.name, "tcp");
    CHECK_EQ(r->proto.l4, SN_L4_TCP);
    CHECK_EQ(r->sid, 7);
    CHECK_EQ(r->rev, 3);
    CHECK_EQ(r->gid, 1);
    CHECK_EQ(r->priority, 3);
    CHECK_STR(r->msg, "x");
    CHECK(!(r->flags & SN_RULE_BIDIR));
    CHECK(r->sp.any);
    CHECK_EQ(r->dp.n, 2);
    CHECK(sn_port_list_match(&r->dp, 443));
    CHECK(!sn_port_list_match(&r->dp, 8080));
    /* HOME_NET stock value, EXTERNAL_NET = !$HOME_NET */
    struct sn_addr a = ip4(10, 1, 2, 3), b = ip4(8, 8, 8, 8);
    CHECK(sn_addr_list_match(&r->src, &a, 4));
    CHECK(!sn_addr_list_match(&r->src, &b, 4));
    CHECK(!sn_addr_list_match(&r->dst, &a, 4));
    CHECK(sn_addr_list_match(&r->dst, &b, 4));
    sn_rule_free(r);
}

CS_TEST(header_actions_protocols)
{
    static const struct {
        const char *text;
        enum sn_action act;
        const char *app;
        enum sn_rule_l4 l4;
    } v[] = {
        {"drop http any any -> any any (sid:1;)", SN_ACT_DROP, "http", SN_L4_TCP},
        {"pass dns any any -> any any (sid:1;)", SN_ACT_PASS, "dns", SN_L4_ANY},
        {"reject tls any any -> any any (sid:1;)", SN_ACT_REJECT, "tls", SN_L4_TCP},
        {"rejectboth ssh any any -> any any (sid:1;)", SN_ACT_REJECTBOTH, "ssh", SN_L4_TCP},
        {"rejectsrc udp any any -> any any (sid:1;)", SN_ACT_REJECTSRC, NULL, SN_L4_UDP},
        {"rejectdst icmp any any -> any any (sid:1;)", SN_ACT_REJECTDST, NULL, SN_L4_ICMP},
        {"alert modbus any any -> any 502 (sid:1;)", SN_ACT_ALERT, "modbus", SN_L4_TCP},
        {"alert dnp3 any any -> any any (sid:1;)", SN_ACT_ALERT, "dnp3", SN_L4_ANY},
        {"alert smb any any -> any any (sid:1;)", SN_ACT_ALERT, "smb", SN_L4_TCP},
        {"alert ip any any -> any any (sid:1;)", SN_ACT_ALERT, NULL, SN_L4_ANY},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(v); i++) {
        struct sn_rule *r = parse(v[i].text, NULL, NULL);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_EQ(r->action, v[i].act);
        CHECK_EQ(r->proto.l4, v[i].l4);
        if (v[i].app)
            CHECK_STR(r->proto.app, v[i].app);
        else
            CHECK(r->proto.app == NULL);
        sn_rule_free(r);
    }
    struct sn_rule *r = parse("alert tcp-pkt any any <> any any (sid:1;)", NULL, NULL);
    REQUIRE(r);
    CHECK(r->flags & SN_RULE_BIDIR);
    CHECK(r->proto.flags & SN_RULE_PROTO_TCP_PKT);
    sn_rule_free(r);
    r = parse("alert tcp-stream any any -> any any (sid:1;)", NULL, NULL);
    REQUIRE(r);
    CHECK(r->proto.flags & SN_RULE_PROTO_TCP_STREAM);
    sn_rule_free(r);
    /* action order: pass, drop, reject, alert */
    CHECK(sn_action_order(SN_ACT_PASS) < sn_action_order(SN_ACT_DROP));
    CHECK(sn_action_order(SN_ACT_DROP) < sn_action_order(SN_ACT_REJECT));
    CHECK(sn_action_order(SN_ACT_REJECT) < sn_action_order(SN_ACT_ALERT));
}

CS_TEST(header_errors_columns)
{
    CHECK(fails_at("alert tcp any any <- any any (sid:1;)", 19, "'<-' is not allowed"));
    CHECK(fails_at("alrt tcp any any -> any any (sid:1;)", 1, "unknown action 'alrt'"));
    CHECK(fails_at("alert tcp any any >> any any (sid:1;)", 19, "invalid direction"));
    /* '=>' (transactional) is a direction, but needs a transaction */
    CHECK(fails_at("alert tcp any any => any any (sid:1;)", 30, "needs an app-layer protocol"));
    CHECK(fails_at("alert tcp any any -> any (sid:1;)", 26, "missing destination port"));
    CHECK(fails_at("alert tcp 1.2.3.4/33 any -> any any (sid:1;)", 19, "invalid prefix"));
    CHECK(fails_at("alert tcp any 70000 -> any any (sid:1;)", 15, "invalid port '70000'"));
    CHECK(fails_at("alert tcp any any -> any 90:80 (sid:1;)", 26, "reversed"));
    CHECK(fails_at("alert tcp any any -> $NOPE any (sid:1;)", 22, "undefined variable '$NOPE'"));
    CHECK(fails_at("alert tcp any any -> any any sid:1;)", 30, "expected '('"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1;", 37, "missing ')'"));
    CHECK(fails_at("alert tcp any any -> any any (msg:\"x\";)", 30, "rule has no sid"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1;) x", 39, "after ')'"));
    CHECK(fails_at("alert tcp any any -> [1.2.3.4,!1.2.3.4] any (sid:1;)", 22, "negates all"));
    CHECK(fails_at("alert tcp !any any -> any any (sid:1;)", 12, "cannot be negated"));
    struct cs_err e;
    CHECK(parse("alert foo any any -> any any (sid:1;)", NULL, &e) == NULL);
    CHECK_EQ(e.code, SN_RULE_EUNSUPPORTED);
    CHECK_EQ(e.col, 7);
}

CS_TEST(address_lists)
{
    struct cs_err e = {0};
    struct sn_addr_list l;
    struct sn_addr a;

    REQUIRE(sn_addr_list_parse("[10.0.0.0/8,![10.1.0.0/16,!10.1.2.0/24],192.168.1.1]", NULL, &l,
                               &e) == CS_OK);
    CHECK_EQ(l.n, 4);
    CHECK(!l.any);
    CHECK(!l.r[0].negated);
    CHECK(l.r[1].negated);
    CHECK(!l.r[2].negated); /* double negation */
    a = ip4(10, 9, 9, 9);
    CHECK(sn_addr_list_match(&l, &a, 4));
    a = ip4(10, 1, 9, 9);
    CHECK(!sn_addr_list_match(&l, &a, 4));
    a = ip4(192, 168, 1, 1);
    CHECK(sn_addr_list_match(&l, &a, 4));
    a = ip4(192, 168, 1, 2);
    CHECK(!sn_addr_list_match(&l, &a, 4));
    CHECK(!sn_addr_list_match(&l, &a, 6));
    sn_addr_list_free(&l);

    /* netmask form, ranges, IPv6 */
    REQUIRE(sn_addr_list_parse("[1.2.3.77/255.255.255.0, 5.5.5.1-5.5.5.9, 2001:db8::/32]", NULL, &l,
                               &e) == CS_OK);
    CHECK_EQ(l.n, 3);
    CHECK_EQ(l.r[0].lo.u8[3], 0);
    CHECK_EQ(l.r[0].hi.u8[3], 255);
    CHECK_EQ(l.r[1].hi.u8[3], 9);
    CHECK_EQ(l.r[2].family, 6);
    CHECK_EQ(l.r[2].hi.u8[4], 0xff);
    CHECK_EQ(l.r[2].hi.u8[3], 0xb8);
    sn_addr_list_free(&l);

    CHECK_EQ(sn_addr_list_parse("[1.2.3.4,", NULL, &l, &e), CS_EINVAL);
    CHECK_EQ(sn_addr_list_parse("1.2.3", NULL, &l, &e), CS_EINVAL);
    CHECK_EQ(e.col, 1);
    CHECK_EQ(sn_addr_list_parse("[1.2.3.4]]", NULL, &l, &e), CS_EINVAL);
    CHECK_EQ(e.col, 10);
    CHECK_EQ(sn_addr_list_parse("1.2.3.0/255.0.255.0", NULL, &l, &e), CS_EINVAL);
    CHECK_EQ(sn_addr_list_parse("9.9.9.9-1.1.1.1", NULL, &l, &e), CS_EINVAL);
}

CS_TEST(variables)
{
    static const char yaml[] = "vars:\n"
                               "  address-groups:\n"
                               "    HOME_NET: \"[10.0.0.0/8,192.168.0.0/16]\"\n"
                               "    EXTERNAL_NET: \"!$HOME_NET\"\n"
                               "    INNER: \"[10.0.0.0/8,!10.66.0.0/16]\"\n"
                               "    OUTER: \"!$INNER\"\n"
                               "    DMZ: \"[$HOME_NET,172.16.5.5]\"\n"
                               "    LOOP_A: \"[$LOOP_B]\"\n"
                               "    LOOP_B: \"$LOOP_A\"\n"
                               "  port-groups:\n"
                               "    HTTP_PORTS: \"[80,8000:8100]\"\n"
                               "    WEB: \"[$HTTP_PORTS,!8080]\"\n";
    struct cs_cfg *cfg = cs_cfg_new();
    struct cs_err e = {0};
    struct sn_addr_list l;
    struct sn_port_list p;
    struct sn_addr a;

    REQUIRE(cfg);
    REQUIRE(cs_cfg_load_string(cfg, yaml, strlen(yaml), &e) == CS_OK);
    REQUIRE(sn_addr_list_parse("$EXTERNAL_NET", cfg, &l, &e) == CS_OK);
    CHECK_EQ(l.n, 2);
    CHECK(l.r[0].negated && l.r[1].negated);
    a = ip4(10, 66, 1, 1);
    CHECK(!sn_addr_list_match(&l, &a, 4));
    a = ip4(8, 8, 8, 8);
    CHECK(sn_addr_list_match(&l, &a, 4));
    sn_addr_list_free(&l);
    /* negation flattens as in Suricata: !$INNER = !10/8 + 10.66/16, and the negatives are
     * cut from the positives, which leaves nothing: an error */
    CHECK_EQ(sn_addr_list_parse("$OUTER", cfg, &l, &e), CS_EINVAL);
    CHECK(strstr(e.msg, "negates all") != NULL);

    REQUIRE(sn_addr_list_parse("$DMZ", cfg, &l, &e) == CS_OK);
    CHECK_EQ(l.n, 3);
    sn_addr_list_free(&l);

    CHECK_EQ(sn_addr_list_parse("[1.1.1.1,$LOOP_A]", cfg, &l, &e), CS_EINVAL);
    CHECK(strstr(e.msg, "nests too deeply") != NULL);
    CHECK_EQ(e.col, 10); /* reported at the $LOOP_A of the text */

    REQUIRE(sn_port_list_parse("$WEB", cfg, &p, &e) == CS_OK);
    CHECK_EQ(p.n, 3);
    CHECK(sn_port_list_match(&p, 8050));
    CHECK(!sn_port_list_match(&p, 8080));
    CHECK(!sn_port_list_match(&p, 443));
    sn_port_list_free(&p);
    /* a port variable is not an address variable */
    CHECK_EQ(sn_addr_list_parse("$WEB", cfg, &l, &e), CS_EINVAL);
    /* stock fallback for variables the config lacks */
    REQUIRE(sn_port_list_parse("$SHELLCODE_PORTS", cfg, &p, &e) == CS_OK);
    CHECK(!sn_port_list_match(&p, 80));
    CHECK(sn_port_list_match(&p, 81));
    sn_port_list_free(&p);
    cs_cfg_free(cfg);
}

CS_TEST(port_lists)
{
    struct cs_err e = {0};
    struct sn_port_list p;
    REQUIRE(sn_port_list_parse("[1024:, :22, 80:90, ![85,86]]", NULL, &p, &e) == CS_OK);
    CHECK_EQ(p.n, 5);
    CHECK_EQ(p.r[0].lo, 1024);
    CHECK_EQ(p.r[0].hi, 65535);
    CHECK_EQ(p.r[1].lo, 0);
    CHECK_EQ(p.r[1].hi, 22);
    CHECK(sn_port_list_match(&p, 84));
    CHECK(!sn_port_list_match(&p, 85));
    CHECK(!sn_port_list_match(&p, 500));
    CHECK(sn_port_list_match(&p, 2000));
    sn_port_list_free(&p);
    REQUIRE(sn_port_list_parse("!80", NULL, &p, &e) == CS_OK);
    CHECK(sn_port_list_match(&p, 81));
    CHECK(!sn_port_list_match(&p, 80));
    sn_port_list_free(&p);
    CHECK_EQ(sn_port_list_parse(":", NULL, &p, &e), CS_EINVAL);
    CHECK_EQ(sn_port_list_parse("[80,[81]", NULL, &p, &e), CS_EINVAL);
    CHECK_EQ(sn_port_list_parse("[80,!80]", NULL, &p, &e), CS_EINVAL);
    CHECK_EQ(sn_port_list_parse("8o", NULL, &p, &e), CS_EINVAL);
}

CS_TEST(options_syntax)
{
    struct sn_rule *r = parse("alert tcp any any -> any any (msg:\"a \\\"q\\\" \\; b\\\\ c\\d\"; "
                              "sid: 5 ; gid:3; priority:1; classtype:trojan-activity; "
                              "reference:url, example.com/a?b=c; reference:cve,2024-1; "
                              "metadata: created_at 2024_01_01, tag Foo; target:dest_ip;)",
                              NULL, NULL);
    REQUIRE(r);
    CHECK_STR(r->msg, "a \"q\" ; b\\ c\\d");
    CHECK_EQ(r->sid, 5);
    CHECK_EQ(r->gid, 3);
    CHECK_EQ(r->priority, 1);
    CHECK_STR(r->classtype, "trojan-activity");
    REQUIRE(r->nrefs == 2);
    CHECK_STR(r->refs[0].system, "url");
    CHECK_STR(r->refs[0].id, "example.com/a?b=c");
    REQUIRE(r->nmeta == 2);
    CHECK_STR(r->meta[0].key, "created_at");
    CHECK_STR(r->meta[0].value, "2024_01_01");
    CHECK_STR(r->meta[1].value, "Foo");
    CHECK(r->flags & SN_RULE_TARGET_DST);
    sn_rule_free(r);

    CHECK(fails_at("alert tcp any any -> any any (sid:1; conten:\"x\";)", 38,
                   "unsupported keyword 'conten'"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; nocase:1;)", 38, "takes no value"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; content;)", 38, "needs a value"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; msg:\"x\")", 38, "not terminated"));
    CHECK(fails_at("alert tcp any any -> any any (sid:x;)", 31, "invalid sid"));
    CHECK(fails_at("alert tcp any any -> any any (sid:0;)", 31, "invalid sid"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; priority:0;)", 38, "invalid priority"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; target:both;)", 38, "invalid target"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; reference:nocomma;)", 38,
                   "expected system,id"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; msg:\"a\"b\";)", 38, "unescaped"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; msg:\"a\"; msg:\"b\";)", 47, "twice"));
    struct cs_err e;
    CHECK(parse("alert tcp any any -> any any (sid:1; foo.bar;)", NULL, &e) == NULL);
    CHECK_EQ(e.code, SN_RULE_EUNSUPPORTED);
    CHECK_STR(e.msg, "unsupported keyword 'foo.bar'");
}

CS_TEST(classification_and_references)
{
    static const char classes[] = "# comment\n"
                                  "config classification: trojan-activity,A Network Trojan,1\n"
                                  "config classification: misc-activity,Misc activity,3\n";
    static const char refs[] = "config reference: url http://\n"
                               "config reference: cve http://cve.mitre.org/?name=\n";
    struct sn_ruleset *rs = sn_ruleset_new(NULL);
    struct cs_err e = {0};
    struct sn_rule *r;

    REQUIRE(rs);
    CHECK_EQ(sn_ruleset_load_classification_buffer(rs, classes, strlen(classes), &e), CS_OK);
    CHECK_EQ(sn_ruleset_load_references_buffer(rs, refs, strlen(refs), &e), CS_OK);
    CHECK_EQ(rs->nclasses, 2);
    CHECK_EQ(rs->nrefsys, 2);
    r = parse("alert ip any any -> any any (classtype:trojan-activity; sid:1;)", &rs->env, &e);
    REQUIRE(r);
    CHECK_EQ(r->priority, 1);
    CHECK_STR(r->class_desc, "A Network Trojan");
    sn_rule_free(r);
    /* priority keyword wins, before or after classtype */
    r = parse("alert ip any any -> any any (priority:2; classtype:trojan-activity; sid:1;)",
              &rs->env, &e);
    REQUIRE(r);
    CHECK_EQ(r->priority, 2);
    sn_rule_free(r);
    CHECK(parse("alert ip any any -> any any (classtype:nope; sid:1;)", &rs->env, &e) == NULL);
    CHECK(strstr(e.msg, "unknown classtype 'nope'") != NULL);
    CHECK_EQ(e.col, 30);
    CHECK(parse("alert ip any any -> any any (sid:1; reference:bugtraq,1;)", &rs->env, &e) == NULL);
    CHECK(strstr(e.msg, "unknown reference system 'bugtraq'") != NULL);
    CHECK_EQ(sn_ruleset_load_classification_buffer(rs, "config classification: x,y\n", 27, &e),
             CS_EINVAL);
    CHECK_EQ(e.line, 1);
    sn_ruleset_free(rs);
}

CS_TEST(flow_keywords)
{
    struct sn_rule *r = parse("alert tcp any any -> any any (flow:established,to_server; "
                              "flowbits:isset,a|b; flowbits:set,c; flowbits:noalert; "
                              "flowint:cnt,+,1; flowint:cnt,>,5; "
                              "xbits:set,x,track ip_src,expire 60; "
                              "threshold:type limit, track by_src, count 1, seconds 60; "
                              "stream_size:server,>,100; sid:1;)",
                              NULL, NULL);
    int i;
    REQUIRE(r);
    i = sn_rule_find_kw(r, "flow", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(*(uint32_t *)r->kw[i].data, SN_FLOW_ESTABLISHED | SN_FLOW_TO_SERVER);
    i = sn_rule_find_kw(r, "flowbits", 0);
    REQUIRE(i >= 0);
    struct sn_bits *b = r->kw[i].data;
    CHECK_EQ(b->cmd, SN_BITS_ISSET);
    REQUIRE(b->nnames == 2);
    CHECK_STR(b->names[1], "b");
    CHECK(r->flags & SN_RULE_NOALERT);
    i = sn_rule_find_kw(r, "xbits", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(((struct sn_bits *)r->kw[i].data)->track, SN_TRACK_IP_SRC);
    CHECK_EQ(((struct sn_bits *)r->kw[i].data)->expire, 60);
    i = sn_rule_find_kw(r, "threshold", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(((struct sn_threshold *)r->kw[i].data)->type, SN_THR_LIMIT);
    CHECK_EQ(((struct sn_threshold *)r->kw[i].data)->seconds, 60);
    sn_rule_free(r);

    CHECK(fails_at("alert tcp any any -> any any (sid:1; flow:to_server,to_client;)", 38,
                   "conflicting"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flow:established,sideways;)", 38,
                   "unknown flow option 'sideways'"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flowbits:set,a|b;)", 38,
                   "only allowed with isset"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flowbits:check,a;)", 38,
                   "unknown flowbits command"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flowint:a,isset,3;)", 38, "takes no"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; threshold:type limit, count 1, "
                   "seconds 6;)",
                   38, "needs"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; detection_filter:track by_src, "
                   "count 0, seconds 6;)",
                   38, "invalid count"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; xbits:set,x;)", 38, "needs"));
}

CS_TEST(header_keywords)
{
    struct sn_rule *r = parse("alert tcp any any -> any any (ttl:<10; dsize:100<>200; "
                              "flags:S+,12; fragbits:!D; ip_proto:!udp; tos:x10; ipopts:lsrr; "
                              "window:!0; itype:8; icode:>0; id:31337; sameip; "
                              "tcp.flags:*AS; sid:1;)",
                              NULL, NULL);
    int i;
    REQUIRE(r);
    i = sn_rule_find_kw(r, "ttl", 0);
    REQUIRE(i >= 0);
    struct sn_u64cmp *m = r->kw[i].data;
    CHECK(sn_u64cmp_eval(m, 9));
    CHECK(!sn_u64cmp_eval(m, 10));
    i = sn_rule_find_kw(r, "dsize", 0);
    REQUIRE(i >= 0);
    m = r->kw[i].data;
    CHECK(sn_u64cmp_eval(m, 150));
    CHECK(!sn_u64cmp_eval(m, 100));
    i = sn_rule_find_kw(r, "flags", 0);
    REQUIRE(i >= 0);
    struct sn_tcp_flags *f = r->kw[i].data;
    CHECK_EQ(f->flags, SN_TH_SYN);
    CHECK_EQ(f->mod, SN_BM_PLUS);
    CHECK_EQ(f->ignore, SN_TH_CWR | SN_TH_ECN);
    i = sn_rule_find_kw(r, "ip_proto", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(((struct sn_ip_proto *)r->kw[i].data)->proto, 17);
    CHECK_EQ(((struct sn_ip_proto *)r->kw[i].data)->op, '!');
    i = sn_rule_find_kw(r, "tos", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(((struct sn_tos *)r->kw[i].data)->tos, 16);
    sn_rule_free(r);
    CHECK(fails_at("alert tcp any any -> any any (sid:1; ttl:256;)", 38, "invalid value"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; dsize:20<>10;)", 38, "empty range"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flags:SX;)", 38, "invalid flags"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; flags:0S;)", 38, "invalid flags"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; fragbits:Q;)", 38, "invalid fragbits"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; ipopts:foo;)", 38, "invalid ipopts"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; ip_proto:nope;)", 38, "invalid ip_proto"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; sameip:1;)", 38, "takes no value"));
}

CS_TEST(app_keywords)
{
    struct sn_rule *r = parse("alert dns any any -> any any (dns.query; dotprefix; "
                              "content:\".evil.com\"; endswith; "
                              "dataset:isset,bad-domains,type string,load bad.lst,memcap 10mb; "
                              "app-layer-event:dns.malformed_data; decode-event:ipv4.trunc_pkt; "
                              "iprep:src,CnC,>,30; app-layer-protocol:!http; "
                              "tag:session,10,packets; sid:1;)",
                              NULL, NULL);
    int i;
    REQUIRE(r);
    i = sn_rule_find_kw(r, "dataset", 0);
    REQUIRE(i >= 0);
    struct sn_dataset *d = r->kw[i].data;
    CHECK_EQ(d->cmd, SN_DS_ISSET);
    CHECK_STR(d->name, "bad-domains");
    CHECK_STR(d->load, "bad.lst");
    CHECK_EQ(d->memcap, 10u << 20);
    CHECK_EQ(r->kw[i].buffer, SN_BUF_DNS_QUERY);
    i = sn_rule_find_kw(r, "dotprefix", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(r->kw[i].buffer, SN_BUF_DNS_QUERY);
    i = sn_rule_find_kw(r, "app-layer-event", 0);
    REQUIRE(i >= 0);
    CHECK_STR(((struct sn_kw_name *)r->kw[i].data)->module, "dns");
    CHECK_STR(((struct sn_kw_name *)r->kw[i].data)->name, "malformed_data");
    i = sn_rule_find_kw(r, "iprep", 0);
    REQUIRE(i >= 0);
    CHECK_EQ(((struct sn_iprep *)r->kw[i].data)->value, 30);
    i = sn_rule_find_kw(r, "app-layer-protocol", 0);
    REQUIRE(i >= 0);
    CHECK(((struct sn_kw_name *)r->kw[i].data)->negated);
    sn_rule_free(r);
    CHECK(fails_at("alert tcp any any -> any any (sid:1; dotprefix;)", 38, "sticky buffer"));
    CHECK(
        fails_at("alert tcp any any -> any any (sid:1; dataset:maybe,x;)", 38, "invalid command"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; dataset:set,x,type blob;)", 38,
                   "invalid type"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; dataset:set,x,state a,load b;)", 38,
                   "state"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; iprep:src,CnC,>,300;)", 38,
                   "invalid value"));
    CHECK(
        fails_at("alert tcp any any -> any any (sid:1; decode-event:nodot;)", 38, "module.event"));
    CHECK(fails_at("alert tcp any any -> any any (sid:1; tag:session,10;)", 38, "invalid tag"));
    CHECK(fails_at("alert dns any any -> any any (sid:1; http.uri; content:\"a\";)", 38,
                   "cannot be used in a 'dns' rule"));
}

CS_TEST(ruleset_summary_duplicates_multiline)
{
    static const char rules[] = "# a comment\n"
                                "\n"
                                "alert tcp any any -> any any (msg:\"one\"; sid:1; rev:1;)\n"
                                "alert tcp any any -> any any (msg:\"two\"; \\\n"
                                "    content:\"x\"; sid:2; rev:1;)\n"
                                "alert tcp any any -> any any (msg:\"one again\"; sid:1; rev:1;)\n"
                                "alert tcp any any -> any any (msg:\"two newer\"; sid:2; rev:2;)\n"
                                "alert tcp any any -> any any (sid:3; bogus;)\n"
                                "alert tcp any any -> any any (sid:4; bogus:1;)\n"
                                "alert tcp any any -> any any (sid:5; content:\"|4|\";)\n"
                                "  # alert tcp any any -> any any (sid:6;)\n";
    struct sn_ruleset *rs = sn_ruleset_new(NULL);
    struct cs_err e = {0};
    char buf[1024];
    FILE *f;

    REQUIRE(rs);
    CHECK_EQ(sn_ruleset_load_buffer(rs, "t.rules", rules, strlen(rules), &e), CS_OK);
    CHECK_EQ(rs->nrules, 2);
    CHECK_EQ(rs->skipped, 5);
    REQUIRE(rs->nrules == 2);
    CHECK_STR(rs->rules[0]->msg, "one");       /* same rev: first stays */
    CHECK_STR(rs->rules[1]->msg, "two newer"); /* higher rev replaces */
    CHECK_EQ(rs->rules[1]->line, 7);
    CHECK_STR(rs->rules[0]->file, "t.rules");
    f = fmemopen(buf, sizeof(buf), "w");
    REQUIRE(f);
    sn_ruleset_print_summary(rs, f);
    fclose(f);
    CHECK_STR(buf, "loaded 2 rules, 5 skipped: duplicate signature (2), unsupported keyword "
                   "'bogus' (2), invalid 'content' option (1)\n");
    f = fmemopen(buf, sizeof(buf), "w");
    REQUIRE(f);
    sn_ruleset_print_errors(rs, f);
    fclose(f);
    CHECK(strstr(buf, "t.rules:6: duplicate signature 1:1 (first at t.rules:3)\n") != NULL);
    CHECK(strstr(buf, "t.rules:8:38: unsupported keyword 'bogus'\n") != NULL);
    CHECK(strstr(buf, "t.rules:10:38: odd number of hex digits in 'content'\n") != NULL);
    CHECK_EQ(sn_ruleset_load_file(rs, "/nonexistent/x.rules", &e), CS_EIO);
    sn_ruleset_free(rs);
}

CS_TEST(list_keywords)
{
    char buf[65536];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    REQUIRE(f);
    sn_detect_list_keywords(f);
    fclose(f);
    CHECK(strstr(buf, "\ncontent ") != NULL);
    CHECK(strstr(buf, "\nhttp.uri ") != NULL);
    CHECK(strstr(buf, "\nhttp_uri ") != NULL);
    CHECK(strstr(buf, "\ndns_query ") != NULL);
    CHECK(sn_kw_count() > 150);
    CHECK(sn_kw_lookup("pcre", 4) != NULL);
    CHECK(sn_kw_lookup("pcrex", 5) == NULL);
    CHECK(sn_kw_lookup("pcrex", 4) != NULL);
}

CS_TEST(ruleset_from_config)
{
    char dir[] = "/tmp/rule_test_XXXXXX", path[256], yaml[1024];
    struct sn_config cfg;
    struct sn_ruleset *rs;
    struct cs_err e = {0};
    FILE *f;

    REQUIRE(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.rules", dir);
    f = fopen(path, "w");
    REQUIRE(f);
    fputs("alert tcp $HOME_NET any -> any $WEB (classtype:bad; sid:1;)\n"
          "alert tcp any any -> any any (classtype:good; sid:2;)\n",
          f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/classification.config", dir);
    f = fopen(path, "w");
    REQUIRE(f);
    fputs("config classification: bad,Bad Traffic,1\n", f);
    fclose(f);
    snprintf(yaml, sizeof(yaml),
             "vars:\n  address-groups:\n    HOME_NET: \"10.0.0.0/8\"\n"
             "  port-groups:\n    WEB: \"[80,443]\"\n"
             "default-rule-path: %s\nrule-files:\n  - a.rules\n"
             "classification-file: %s/classification.config\n"
             "reference-config-file: %s/missing.config\n",
             dir, dir, dir);
    memset(&cfg, 0, sizeof(cfg));
    cfg.raw = cs_cfg_new();
    REQUIRE(cfg.raw);
    REQUIRE(cs_cfg_load_string(cfg.raw, yaml, strlen(yaml), &e) == CS_OK);
    rs = sn_ruleset_new(cfg.raw);
    REQUIRE(rs);
    CHECK_EQ(sn_ruleset_load_config(rs, &cfg, NULL, 0, NULL, &e), CS_OK);
    CHECK_EQ(rs->nrules, 1); /* classtype 'good' is unknown */
    CHECK_EQ(rs->skipped, 1);
    if (rs->nrules == 1) {
        struct sn_addr a = ip4(10, 0, 0, 1);
        CHECK_EQ(rs->rules[0]->priority, 1);
        CHECK(sn_addr_list_match(&rs->rules[0]->src, &a, 4));
        CHECK(sn_port_list_match(&rs->rules[0]->dp, 443));
        CHECK(!sn_port_list_match(&rs->rules[0]->dp, 8080));
    }
    sn_ruleset_free(rs);
    /* -S: only the given files */
    rs = sn_ruleset_new(cfg.raw);
    REQUIRE(rs);
    const char *only[] = {"/nonexistent.rules"};
    CHECK_EQ(sn_ruleset_load_config(rs, &cfg, only, 1, NULL, &e), CS_EIO);
    CHECK(strstr(e.msg, "/nonexistent.rules") != NULL);
    sn_ruleset_free(rs);
    cs_cfg_free(cfg.raw);
    snprintf(path, sizeof(path), "%s/a.rules", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/classification.config", dir);
    unlink(path);
    rmdir(dir);
}

static void et_load(const char *dir, size_t min_rules)
{
    char path[512];
    struct stat st;
    struct sn_ruleset *rs;
    struct cs_err err = {0};
    double acc;

    snprintf(path, sizeof(path), "%s/all.rules", dir);
    if (stat(path, &st) != 0)
        return; /* corpus absent: nothing to check */
    rs = sn_ruleset_new(NULL);
    REQUIRE(rs);
    snprintf(path, sizeof(path), "%s/classification.config", dir);
    CHECK_EQ(sn_ruleset_load_classification(rs, path, &err), CS_OK);
    snprintf(path, sizeof(path), "%s/reference.config", dir);
    if (stat(path, &st) == 0)
        CHECK_EQ(sn_ruleset_load_references(rs, path, &err), CS_OK);
    snprintf(path, sizeof(path), "%s/all.rules", dir);
    CHECK_EQ(sn_ruleset_load_file(rs, path, &err), CS_OK);
    acc = (double)rs->nrules / (double)(rs->nrules + rs->skipped);
    printf("# %s: ", dir);
    sn_ruleset_print_summary(rs, stdout);
    printf("# %s: %.2f%% accepted, parse %.3f s\n", dir, acc * 100, rs->parse_seconds);
    {
        /* how much of the parse time is PCRE2 compilation: compile every regex again */
        struct timespec t0, t1;
        size_t npcre = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (size_t i = 0; i < rs->nrules; i++)
            for (uint32_t k = 0; k < rs->rules[i]->nkw; k++) {
                const struct sn_kw_inst *in = &rs->rules[i]->kw[k];
                if (strcmp(in->kw->name, "pcre") == 0) {
                    const struct sn_pcre *x = in->data;
                    int ec;
                    PCRE2_SIZE eo;
                    pcre2_code *re = pcre2_compile((PCRE2_SPTR)x->src, PCRE2_ZERO_TERMINATED,
                                                   x->opts, &ec, &eo, NULL);
                    CHECK(re != NULL);
                    pcre2_code_free(re);
                    npcre++;
                }
            }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("# %s: %zu pcre, compiling them takes %.3f s of the parse\n", dir, npcre,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    if (getenv("RULE_TEST_ERRORS"))
        sn_ruleset_print_errors(rs, stdout);
    CHECK(acc >= 0.97);
    CHECK(rs->nrules >= min_rules);
    sn_ruleset_free(rs);
}

CS_TEST(et_open_5)
{
    et_load("/work/shared/corpus/rules/et-open-5.0", 24000);
}

CS_TEST(et_open_4)
{
    et_load("/work/shared/corpus/rules/et-open-4.0", 18000);
}

CS_TEST(requires_keyword)
{
    struct cs_err e;
    struct sn_rule *r;
    /* met: the engine follows Suricata 8.0 */
    r = parse("alert tcp any any -> any any (requires: version >= 8; sid:1;)", NULL, &e);
    CHECK(r != NULL);
    sn_rule_free(r);
    r = parse("alert tcp any any -> any any (requires: version >= 7.0.3 < 9, feature ja3; sid:1;)",
              NULL, &e);
    CHECK(r != NULL);
    sn_rule_free(r);
    r = parse("alert tcp any any -> any any (requires: version < 7 | >= 8.0.0; sid:1;)", NULL, &e);
    CHECK(r != NULL);
    sn_rule_free(r);
    /* not met: skipped as unsupported, with the reason */
    r = parse("alert tcp any any -> any any (requires: version >= 8.1; sid:1;)", NULL, &e);
    CHECK(r == NULL);
    CHECK(e.code == SN_RULE_EUNSUPPORTED);
    CHECK(strstr(e.msg, "requirement not met: version >= 8.1") != NULL);
    r = parse("alert tcp any any -> any any (requires: version < 8; sid:1;)", NULL, &e);
    CHECK(r == NULL && e.code == SN_RULE_EUNSUPPORTED);
    r = parse("alert tcp any any -> any any (requires: feature geoip; sid:1;)", NULL, &e);
    CHECK(r == NULL && e.code == SN_RULE_EUNSUPPORTED);
    CHECK(strstr(e.msg, "feature geoip") != NULL);
    /* malformed: a rule error */
    r = parse("alert tcp any any -> any any (requires: version ~ 8; sid:1;)", NULL, &e);
    CHECK(r == NULL && e.code == CS_EINVAL);
}

CS_TEST_MAIN()
