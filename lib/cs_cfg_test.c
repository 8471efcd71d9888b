/* cs_cfg_test.c — the YAML configuration tree: lookups, merging, aliases, --set, sizes,
 * booleans, used marks, errors and hostile input. */
#include "cs_cfg.h"
#include "cs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct cs_cfg *load(const char *yaml, int *rc, struct cs_err *err)
{
    struct cs_cfg *c = cs_cfg_new();
    if (c)
        *rc = cs_cfg_load_string(c, yaml, strlen(yaml), err);
    return c;
}

static const char suri[] = "%YAML 1.1\n"
                           "---\n"
                           "vars:\n"
                           "  address-groups:\n"
                           "    HOME_NET: \"[10.0.0.0/8]\"\n"
                           "outputs:\n"
                           "  - fast:\n"
                           "      enabled: yes\n"
                           "      filename: fast.log\n"
                           "  - eve-log:\n"
                           "      enabled: no\n"
                           "      types:\n"
                           "        - alert:\n"
                           "            payload: yes\n"
                           "        - flow\n"
                           "        - anomaly:\n"
                           "            types:\n"
                           "              decode: yes\n"
                           "  - pcap-log:\n"
                           "      enabled: no\n"
                           "flow:\n"
                           "  memcap: 128mb\n"
                           "  hash-size: 65536\n";

CS_TEST(suricata_layout_lookup)
{
    struct cs_err err = {0};
    int rc = -99;
    struct cs_cfg *c = load(suri, &rc, &err);
    const char *s = NULL;
    bool b;
    int64_t i;
    uint64_t u;

    REQUIRE(c);
    CHECK_EQ(rc, CS_OK);
    CHECK(cs_cfg_get_str(c, "vars.address-groups.HOME_NET", &s));
    CHECK_STR(s, "[10.0.0.0/8]");
    CHECK(cs_cfg_get_bool(c, "outputs.eve-log.enabled", &b) && !b);
    CHECK(cs_cfg_get_bool(c, "outputs.1.eve-log.enabled", &b) && !b);
    CHECK(cs_cfg_get_bool(c, "outputs.fast.enabled", &b) && b);
    CHECK(cs_cfg_get_bool(c, "outputs.eve-log.types.alert.payload", &b) && b);
    CHECK(cs_cfg_has(c, "outputs.eve-log.types.flow"));
    CHECK(cs_cfg_get_str(c, "outputs.eve-log.types.flow", &s));
    CHECK_STR(s, "flow");
    CHECK(!cs_cfg_has(c, "outputs.eve-log.types.dns"));
    CHECK(cs_cfg_get_bool(c, "outputs.eve-log.types.anomaly.types.decode", &b) && b);
    CHECK(cs_cfg_get_str(c, "outputs.eve-log.types.1", &s));
    CHECK_STR(s, "flow");
    CHECK(!cs_cfg_has(c, "outputs.7"));
    CHECK(!cs_cfg_has(c, "outputs..fast"));
    CHECK(!cs_cfg_has(c, "nothere"));
    CHECK(cs_cfg_get_int(c, "flow.hash-size", &i));
    CHECK_EQ(i, 65536);
    CHECK(cs_cfg_get_size(c, "flow.memcap", &u));
    CHECK_EQ(u, 128ull << 20);
    CHECK(!cs_cfg_get_int(c, "flow.memcap", &i)); /* "128mb" is not an int */
    CHECK(!cs_cfg_get_str(c, "flow", &s));        /* container is not a scalar */
    CHECK_EQ(cs_cfg_count(c, "outputs"), 3);
    CHECK_EQ(cs_cfg_count(c, "outputs.eve-log.types"), 3);
    CHECK_EQ(cs_cfg_count(c, "flow.memcap"), 0);
    CHECK(cs_cfg_child_key(c, "outputs", 0) == NULL); /* sequences have no keys */
    CHECK_STR(cs_cfg_child_key(c, "outputs.0", 0), "fast");
    CHECK_STR(cs_cfg_child_value(c, "outputs.eve-log.types", 1), "flow");
    CHECK(cs_cfg_child_value(c, "outputs.eve-log.types", 0) == NULL);
    CHECK_STR(cs_cfg_child_key(c, "flow", 1), "hash-size");
    CHECK(cs_cfg_child_key(c, "flow", 2) == NULL);
    int line = 0, col = 0;
    CHECK(cs_cfg_pos(c, "flow.memcap", &line, &col));
    CHECK_EQ(line, 22);
    CHECK_EQ(col, 11);
    cs_cfg_free(c);
}

struct names {
    char buf[512];
};

static void collect(const char *key, void *arg)
{
    struct names *n = arg;
    size_t l = strlen(n->buf);
    snprintf(n->buf + l, sizeof(n->buf) - l, "%s%s", l ? "," : "", key);
}

CS_TEST(used_marks_and_unused)
{
    struct cs_err err = {0};
    int rc = -99;
    struct cs_cfg *c = load(suri, &rc, &err);
    struct names n = {""};
    bool b;

    REQUIRE(c && rc == CS_OK);
    cs_cfg_unused(c, 1, collect, &n);
    CHECK_STR(n.buf, "vars,outputs,flow");
    CHECK(cs_cfg_get_bool(c, "outputs.eve-log.enabled", &b));
    cs_cfg_mark_used(c, "vars");
    n.buf[0] = 0;
    cs_cfg_unused(c, 1, collect, &n);
    CHECK_STR(n.buf, "flow");
    n.buf[0] = 0;
    cs_cfg_unused(c, 2, collect, &n);
    CHECK_STR(n.buf, "outputs.fast,outputs.pcap-log,flow.memcap,flow.hash-size");
    n.buf[0] = 0;
    cs_cfg_unused(c, 3, collect, &n);
    CHECK_STR(n.buf, "outputs.fast.enabled,outputs.fast.filename,outputs.eve-log.types,"
                     "outputs.pcap-log.enabled");
    cs_cfg_mark_used(c, "outputs.fast");
    cs_cfg_mark_used(c, "nope.nope"); /* absent: no effect, no crash */
    n.buf[0] = 0;
    cs_cfg_unused(c, 2, collect, &n);
    CHECK_STR(n.buf, "outputs.pcap-log,flow.memcap,flow.hash-size");
    cs_cfg_free(c);
}

CS_TEST(merge_on_load)
{
    struct cs_err err = {0};
    int rc = -99;
    struct cs_cfg *c = load("a:\n  x: 1\n  y: 2\nlist: [1, 2, 3]\ns: old\n", &rc, &err);
    const char *s = NULL;
    REQUIRE(c && rc == CS_OK);
    const char *more = "a:\n  y: 20\n  z: 30\nlist: [9]\ns:\n  now: map\n";
    CHECK_EQ(cs_cfg_load_string(c, more, strlen(more), &err), CS_OK);
    CHECK(cs_cfg_get_str(c, "a.x", &s));
    CHECK_STR(s, "1");
    CHECK(cs_cfg_get_str(c, "a.y", &s));
    CHECK_STR(s, "20");
    CHECK(cs_cfg_get_str(c, "a.z", &s));
    CHECK_STR(s, "30");
    CHECK_EQ(cs_cfg_count(c, "list"), 1); /* sequences are replaced */
    CHECK(cs_cfg_get_str(c, "list.0", &s));
    CHECK_STR(s, "9");
    CHECK(cs_cfg_get_str(c, "s.now", &s));
    CHECK_STR(s, "map");
    /* duplicate keys inside one document: maps merge, later scalar wins */
    const char *dup = "d:\n  p: 1\nd:\n  q: 2\ne: 1\ne: 2\n";
    CHECK_EQ(cs_cfg_load_string(c, dup, strlen(dup), &err), CS_OK);
    CHECK(cs_cfg_get_str(c, "d.p", &s));
    CHECK(cs_cfg_get_str(c, "d.q", &s));
    CHECK(cs_cfg_get_str(c, "e", &s));
    CHECK_STR(s, "2");
    CHECK_EQ(cs_cfg_count(c, ""), 5); /* a, list, s, d, e */
    cs_cfg_free(c);
}

CS_TEST(anchors_aliases_multi_docs)
{
    struct cs_err err = {0};
    int rc = -99;
    const char *y = "base: &b\n  memcap: 1mb\n  depth: 3\n"
                    "copy: *b\n"
                    "word: &w hello\n"
                    "again: *w\n"
                    "*w : keyed\n"
                    "---\n"
                    "second: doc\n";
    struct cs_cfg *c = load(y, &rc, &err);
    const char *s = NULL;
    uint64_t u;
    REQUIRE(c);
    CHECK_EQ(rc, CS_OK);
    CHECK(cs_cfg_get_size(c, "copy.memcap", &u));
    CHECK_EQ(u, 1u << 20);
    CHECK(cs_cfg_get_str(c, "again", &s));
    CHECK_STR(s, "hello");
    CHECK(cs_cfg_get_str(c, "hello", &s));
    CHECK_STR(s, "keyed");
    CHECK(cs_cfg_get_str(c, "second", &s));
    CHECK_STR(s, "doc");
    /* the copy is independent: marking it does not mark the original */
    cs_cfg_mark_used(c, "copy");
    struct names n = {""};
    cs_cfg_unused(c, 1, collect, &n);
    CHECK(strstr(n.buf, "base") != NULL);
    CHECK(strstr(n.buf, "copy") == NULL);
    cs_cfg_free(c);

    c = load("a: *nope\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(err.msg, "anchor") != NULL);
    CHECK_EQ(err.line, 1);
    CHECK_EQ(err.col, 4);
    cs_cfg_free(c);
    /* recursive alias: the anchor is not complete yet */
    c = load("a: &x [1, *x]\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    cs_cfg_free(c);
}

CS_TEST(billion_laughs_is_bounded)
{
    struct cs_err err = {0};
    int rc = -99;
    const char *y = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    struct cs_cfg *c = load(y, &rc, &err);
    REQUIRE(c);
    CHECK_EQ(rc, CS_ELIMIT);
    CHECK(strstr(err.msg, "alias") != NULL);
    cs_cfg_free(c);
}

CS_TEST(deep_nesting_capped)
{
    struct cs_err err = {0};
    int rc = -99;
    char *y = malloc(250000);
    REQUIRE(y);
    /* 64 levels of flow sequences load; 65 do not; 50000 fail cleanly */
    for (int depth = 63; depth <= 64; depth++) {
        size_t k = 0;
        k += (size_t)sprintf(y + k, "k: ");
        for (int i = 0; i < depth; i++)
            y[k++] = '[';
        for (int i = 0; i < depth; i++)
            y[k++] = ']';
        y[k++] = '\n';
        y[k] = 0;
        struct cs_cfg *c = load(y, &rc, &err);
        CHECK_EQ(rc, depth == 63 ? CS_OK : CS_EINVAL);
        if (depth == 64) {
            CHECK(strstr(err.msg, "nesting") != NULL);
            CHECK_EQ(err.line, 1);
            CHECK_EQ(err.col, 4 + 63);
        }
        cs_cfg_free(c);
    }
    size_t k = 0;
    for (int i = 0; i < 50000; i++)
        k += (size_t)sprintf(y + k, "{a: ");
    y[k] = 0;
    struct cs_cfg *c = load(y, &rc, &err);
    CHECK(rc != CS_OK);
    cs_cfg_free(c);
    free(y);
}

CS_TEST(huge_flat_map)
{
    size_t n = 200000, cap = n * 24 + 16, k = 0;
    char *y = malloc(cap);
    struct cs_err err = {0};
    const char *s = NULL;
    REQUIRE(y);
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(y + k, cap - k, "key%zu: %zu\n", i, i);
    struct cs_cfg *c = cs_cfg_new();
    REQUIRE(c);
    CHECK_EQ(cs_cfg_load_string(c, y, k, &err), CS_OK);
    CHECK_EQ(cs_cfg_count(c, ""), n);
    CHECK(cs_cfg_get_str(c, "key123456", &s));
    CHECK_STR(s, "123456");
    CHECK(!cs_cfg_has(c, "key200000"));
    CHECK_EQ(cs_cfg_set(c, "key7", "seven"), CS_OK);
    CHECK(cs_cfg_get_str(c, "key7", &s));
    CHECK_STR(s, "seven");
    cs_cfg_free(c);
    free(y);
}

CS_TEST(syntax_errors_with_position)
{
    struct cs_err err = {0};
    int rc = -99;
    struct cs_cfg *c = load("a: 1\nb:\n  c: 2\n d: 3\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK_EQ(err.line, 4);
    CHECK(err.msg[0] != 0);
    cs_cfg_free(c);
    c = load("a: [1, 2\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK_EQ(err.line, 2);
    cs_cfg_free(c);
    c = load("a: \"unterminated\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    cs_cfg_free(c);
    c = load("- a\n- b\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(err.msg, "mapping") != NULL);
    cs_cfg_free(c);
    c = load("? [a, b]\n: c\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(err.msg, "keys") != NULL);
    cs_cfg_free(c);
    c = load("a: 1\n\"\": empty\n", &rc, &err);
    CHECK_EQ(rc, CS_EINVAL);
    CHECK(strstr(err.msg, "empty") != NULL);
    CHECK_EQ(err.line, 2);
    cs_cfg_free(c);
    c = load("a: b\0c", &rc, &err);
    CHECK_EQ(rc, CS_OK); /* strlen stops at NUL */
    cs_cfg_free(c);
    c = cs_cfg_new();
    REQUIRE(c);
    CHECK_EQ(cs_cfg_load_string(c, "a: b\0c: d\n", 10, &err), CS_EINVAL);
    cs_cfg_free(c);
    /* empty documents are fine */
    c = load("", &rc, &err);
    CHECK_EQ(rc, CS_OK);
    cs_cfg_free(c);
    c = load("%YAML 1.1\n---\n# only a comment\n", &rc, &err);
    CHECK_EQ(rc, CS_OK);
    CHECK_EQ(cs_cfg_count(c, ""), 0);
    cs_cfg_free(c);
}

static char last_warning[512];
static void keep_warning(const char *msg)
{
    snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

CS_TEST(include_ignored)
{
    struct cs_err err = {0};
    int rc = -99;
    const char *s = NULL;
    cs_cfg_warn = keep_warning;
    struct cs_cfg *c = load("%YAML 1.1\n---\ninclude: default.yaml\na: 1\nb: !include x.yaml\n"
                            "m:\n  include: [x, y]\n  k: v\n",
                            &rc, &err);
    REQUIRE(c);
    CHECK_EQ(rc, CS_OK);
    CHECK_STR(last_warning, "<string>:7:3: 'include' is not supported; ignored");
    CHECK(!cs_cfg_has(c, "include"));
    CHECK(!cs_cfg_has(c, "b"));
    CHECK(!cs_cfg_has(c, "m.include"));
    CHECK(cs_cfg_get_str(c, "m.k", &s));
    CHECK(cs_cfg_get_str(c, "a", &s));
    CHECK_STR(s, "1");
    cs_cfg_free(c);
}

CS_TEST(set_overrides)
{
    struct cs_err err = {0};
    int rc = -99;
    struct cs_cfg *c = load(suri, &rc, &err);
    const char *s = NULL;
    bool b;
    REQUIRE(c && rc == CS_OK);
    CHECK_EQ(cs_cfg_set(c, "outputs.eve-log.enabled", "yes"), CS_OK);
    CHECK(cs_cfg_get_bool(c, "outputs.1.eve-log.enabled", &b) && b);
    CHECK_EQ(cs_cfg_set(c, "outputs.0.fast.filename", "x.log"), CS_OK);
    CHECK(cs_cfg_get_str(c, "outputs.fast.filename", &s));
    CHECK_STR(s, "x.log");
    CHECK_EQ(cs_cfg_set(c, "stream.reassembly.depth", "2mb"), CS_OK); /* creates maps */
    CHECK(cs_cfg_get_str(c, "stream.reassembly.depth", &s));
    CHECK_STR(s, "2mb");
    CHECK_EQ(cs_cfg_set(c, "flow.memcap.sub", "1"), CS_OK); /* scalar becomes a map */
    CHECK(cs_cfg_get_str(c, "flow.memcap.sub", &s));
    CHECK_EQ(cs_cfg_set(c, "flow", "flat"), CS_OK); /* map becomes a scalar */
    CHECK(cs_cfg_get_str(c, "flow", &s));
    CHECK_STR(s, "flat");
    CHECK_EQ(cs_cfg_set(c, "outputs.stats-log.enabled", "no"), CS_OK); /* new element */
    CHECK_EQ(cs_cfg_count(c, "outputs"), 4);
    CHECK(cs_cfg_get_bool(c, "outputs.3.stats-log.enabled", &b) && !b);
    CHECK_EQ(cs_cfg_set(c, "outputs.4", "tail"), CS_OK); /* append by index */
    CHECK(cs_cfg_get_str(c, "outputs.4", &s));
    CHECK_STR(s, "tail");
    CHECK_EQ(cs_cfg_set(c, "outputs.9.x", "1"), CS_EINVAL);
    CHECK_EQ(cs_cfg_set(c, "", "1"), CS_EINVAL);
    CHECK_EQ(cs_cfg_set(c, "a..b", "1"), CS_EINVAL);
    CHECK_EQ(cs_cfg_set(c, ".a", "1"), CS_EINVAL);
    CHECK_EQ(cs_cfg_set(c, "a.", "1"), CS_EINVAL);
    int line, col;
    CHECK(!cs_cfg_pos(c, "stream.reassembly.depth", &line, &col));
    /* set keys are not "used" by themselves */
    CHECK_EQ(cs_cfg_set(c, "fresh.key", "1"), CS_OK);
    struct names n = {""};
    cs_cfg_unused(c, 1, collect, &n);
    CHECK(strstr(n.buf, "fresh") != NULL);
    CHECK(strstr(n.buf, "stream") == NULL); /* read above */
    cs_cfg_free(c);
}

static bool size_of(const char *text, uint64_t *out)
{
    struct cs_cfg *c = cs_cfg_new();
    bool ok = c && cs_cfg_set(c, "v", text) == CS_OK && cs_cfg_get_size(c, "v", out);
    cs_cfg_free(c);
    return ok;
}

CS_TEST(size_parsing)
{
    uint64_t u = 0;
    CHECK(size_of("128 MiB", &u) && u == 128ull << 20);
    CHECK(size_of("1mb", &u) && u == 1ull << 20);
    CHECK(size_of("64kb", &u) && u == 64ull << 10);
    CHECK(size_of("1gb", &u) && u == 1ull << 30);
    CHECK(size_of("4096", &u) && u == 4096);
    CHECK(size_of("1 GiB", &u) && u == 1ull << 30);
    CHECK(size_of("32mb", &u) && u == 32ull << 20);
    CHECK(size_of("32MB", &u) && u == 32ull << 20);
    CHECK(size_of("16k", &u) && u == 16ull << 10);
    CHECK(size_of("1.5kb", &u) && u == 1536);
    CHECK(size_of("0", &u) && u == 0);
    CHECK(size_of("100b", &u) && u == 100);
    u = 77;
    CHECK(!size_of("mb", &u));
    CHECK(!size_of("12xb", &u));
    CHECK(!size_of("-1mb", &u));
    CHECK(!size_of("", &u));
    CHECK(!size_of("1 2mb", &u));
    CHECK(!size_of("99999999999999999999", &u));
    CHECK(!size_of("17179869184gb", &u)); /* 2^34 * 2^30 overflows */
    CHECK_EQ(u, 77);
}

static int bool_of(const char *text)
{
    struct cs_cfg *c = cs_cfg_new();
    bool b = false;
    int r = c && cs_cfg_set(c, "v", text) == CS_OK && cs_cfg_get_bool(c, "v", &b) ? b : -1;
    cs_cfg_free(c);
    return r;
}

CS_TEST(bool_and_int_parsing)
{
    CHECK_EQ(bool_of("yes"), 1);
    CHECK_EQ(bool_of("YES"), 1);
    CHECK_EQ(bool_of("true"), 1);
    CHECK_EQ(bool_of("On"), 1);
    CHECK_EQ(bool_of("1"), 1);
    CHECK_EQ(bool_of("no"), 0);
    CHECK_EQ(bool_of("False"), 0);
    CHECK_EQ(bool_of("off"), 0);
    CHECK_EQ(bool_of("0"), 0);
    CHECK_EQ(bool_of("maybe"), -1);
    CHECK_EQ(bool_of(""), -1);
    CHECK_EQ(bool_of("yess"), -1);

    struct cs_cfg *c = cs_cfg_new();
    int64_t i = 5;
    REQUIRE(c);
    cs_cfg_set(c, "a", "-42");
    cs_cfg_set(c, "b", "12x");
    cs_cfg_set(c, "c", "99999999999999999999");
    cs_cfg_set(c, "d", "");
    CHECK(cs_cfg_get_int(c, "a", &i) && i == -42);
    CHECK(!cs_cfg_get_int(c, "b", &i));
    CHECK(!cs_cfg_get_int(c, "c", &i));
    CHECK(!cs_cfg_get_int(c, "d", &i));
    CHECK(!cs_cfg_get_int(c, "missing", &i));
    CHECK_EQ(i, -42);
    cs_cfg_free(c);
}

CS_TEST(load_file)
{
    char path[] = "/tmp/cs_cfg_testXXXXXX";
    int fd = mkstemp(path);
    struct cs_err err = {0};
    const char *s = NULL;
    REQUIRE(fd >= 0);
    const char *y = "%YAML 1.1\n---\nx:\n  y: z\n";
    REQUIRE(write(fd, y, strlen(y)) == (ssize_t)strlen(y));
    close(fd);
    struct cs_cfg *c = cs_cfg_new();
    REQUIRE(c);
    CHECK_EQ(cs_cfg_load_file(c, path, &err), CS_OK);
    CHECK(cs_cfg_get_str(c, "x.y", &s));
    CHECK_STR(s, "z");
    unlink(path);
    CHECK_EQ(cs_cfg_load_file(c, path, &err), CS_EIO);
    CHECK(strstr(err.msg, "cannot open") != NULL);
    cs_cfg_free(c);
}

/* A serial per tree content: changes with load and set, never repeats for a new tree. */
CS_TEST(serial_names_tree_and_content)
{
    struct cs_err err = {0};
    struct cs_cfg *a = cs_cfg_new(), *b;
    uint64_t s0, s1, s2;

    REQUIRE(a);
    CHECK_EQ(cs_cfg_serial(NULL), 0);
    s0 = cs_cfg_serial(a);
    CHECK(s0 != 0);
    CHECK_EQ(cs_cfg_serial(a), s0); /* reading does not change it */
    CHECK_EQ(cs_cfg_load_string(a, "x: 1\n", 5, &err), CS_OK);
    s1 = cs_cfg_serial(a);
    CHECK(s1 != s0);
    CHECK_EQ(cs_cfg_set(a, "y", "2"), CS_OK);
    s2 = cs_cfg_serial(a);
    CHECK(s2 != s1 && s2 != s0);
    cs_cfg_free(a);
    b = cs_cfg_new(); /* likely at a's address: still a new serial */
    REQUIRE(b);
    CHECK(cs_cfg_serial(b) != s0 && cs_cfg_serial(b) != s1 && cs_cfg_serial(b) != s2);
    cs_cfg_free(b);
}

CS_TEST_MAIN()
