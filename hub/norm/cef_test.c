/* cef_test.c — CEF normaliser against the cef-parser oracle (input line + expected fields;
 * bare CEF and every collector header variant), escapes, custom labels, hostile lines. */
#include <dirent.h>

#include "norm_test_util.h"

#include "../../lib/cs_test.h"

#define JUN_2017 1496275200000000LL /* stamps without a year are read as 2017 */

/* Expected string member `key` of object `obj` of doc `d` decoded into buf. */
static const char *jget(struct hub_json_doc *d, uint32_t obj, const char *key, char *buf,
                        size_t cap)
{
    uint32_t v = hub_json_get(d, obj, key, strlen(key));
    if (!v || d->toks[v].type != HUB_JSON_STRING)
        return NULL;
    hub_json_str_decode(d, v, buf, cap);
    return buf;
}

static uint8_t sev_class(int s)
{
    return s >= 9 ? 1 : s >= 7 ? 2 : s >= 4 ? 3 : 4;
}

/* Checks one oracle case; returns the number of failed comparisons. */
static int check_case(const char *path)
{
    FILE *f = fopen(path, "rb");
    char text[8192], buf[1024], input[4096];
    size_t n;
    struct hub_json_doc d;
    struct run r;
    int bad = 0;
    uint32_t exp, ext, v;
    const struct hub_event *e;

    if (!f)
        return 1;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    hub_json_doc_init(&d);
    if (hub_json_parse(&d, text, n, NULL, NULL) != CS_OK ||
        !jget(&d, 0, "input", input, sizeof(input)) ||
        !(exp = hub_json_get(&d, 0, "expected", 8))) {
        hub_json_doc_free(&d);
        return 1;
    }
    run_init(&r, HUB_FMT_CEF);
    r.n.now = JUN_2017;
    run_text(&r, input, strlen(input));
    if (r.nev != 1) {
        printf("  %s: %d events, error %s\n", path, r.nev, r.nerr ? r.err[0].msg : "");
        bad++;
        goto out;
    }
    e = &r.ev[0];
#define EXPECT_STR(field, key)                                                                 \
    if (jget(&d, exp, key, buf, sizeof(buf)) && !hub_str_eq(field, buf)) {                     \
        printf("  %s: %s: want \"%s\" got \"%.*s\"\n", path, key, buf, (int)field.len,        \
               field.p ? field.p : "");                                                        \
        bad++;                                                                                 \
    }
    EXPECT_STR(e->alert.signature, "name");
    EXPECT_STR(e->alert.category, "deviceEventClassId");
    EXPECT_STR(e->app_name, "deviceProduct");
    EXPECT_STR(e->sensor, "host");
    if (jget(&d, exp, "severity", buf, sizeof(buf)) && e->alert.severity != sev_class(atoi(buf))) {
        printf("  %s: severity %s -> %d\n", path, buf, e->alert.severity);
        bad++;
    }
    if ((v = hub_json_get(&d, exp, "timestamp", 9))) {
        int64_t ms;
        if (hub_json_int(&d, v, &ms) != CS_OK || e->ts != ms * 1000) {
            printf("  %s: timestamp want %lld got %lld\n", path, (long long)ms * 1000,
                   (long long)e->ts);
            bad++;
        }
    }
    if ((ext = hub_json_get(&d, exp, "extensions", 10))) {
        EXPECT_STR(e->src_ip, "src");
        EXPECT_STR(e->dest_ip, "dst");
        EXPECT_STR(e->alert.action, "act");
        EXPECT_STR(e->http_url, "request");
        if (jget(&d, ext, "spt", buf, sizeof(buf)) && e->src_port != atoi(buf))
            bad++;
        if (jget(&d, ext, "dpt", buf, sizeof(buf)) && e->dest_port != atoi(buf))
            bad++;
        /* every csN with a csNLabel appears as a label of that name */
        for (int i = 1; i <= 6; i++) {
            char k[16], lab[256], val[1024];
            snprintf(k, sizeof(k), "cs%dLabel", i);
            if (!jget(&d, ext, k, lab, sizeof(lab)))
                continue;
            snprintf(k, sizeof(k), "cs%d", i);
            if (!jget(&d, ext, k, val, sizeof(val)))
                continue;
            bool found = false;
            for (int l = 0; l < e->nlabels; l++)
                found |= hub_str_eq(e->labels[l].key, lab) && hub_str_eq(e->labels[l].value, val);
            if (!found) {
                printf("  %s: label %s=%s missing\n", path, lab, val);
                bad++;
            }
        }
    }
#undef EXPECT_STR
out:
    run_free(&r);
    hub_json_doc_free(&d);
    return bad;
}

static int check_dir(const char *dir, int *ncases)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int bad = 0;
    char path[2048];

    if (!dp)
        return -1;
    while ((de = readdir(dp))) {
        if (!strstr(de->d_name, ".json"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        bad += check_case(path);
        (*ncases)++;
    }
    closedir(dp);
    return bad;
}

CS_TEST(cef_oracle_cases)
{
    const char *data = getenv("CS_TEST_DATA");
    char dir[1024];
    int ncases = 0;

    snprintf(dir, sizeof(dir), "%s/hub/cef/cases", data ? data : "tests/data");
    CHECK_EQ(check_dir(dir, &ncases), 0);
    CHECK_EQ(ncases, 8);
}

CS_TEST(cef_oracle_all_cases_from_shared_corpus)
{
    /* The full 90-case oracle lives in the shared corpus; checked when it is there. */
    int ncases = 0, bad = check_dir("../shared/corpus/logs/cef/cases", &ncases);
    if (bad < 0) {
        printf("  (../shared/corpus/logs/cef/cases not present: skipped)\n");
        return;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(ncases, 90);
}

CS_TEST(cef_inputs_log_all_lines)
{
    struct run r;

    run_init(&r, HUB_FMT_CEF);
    r.n.now = JUN_2017;
    size_t len;
    r.text = read_data("cef/cef-inputs.log", &len);
    REQUIRE(r.text);
    run_text(&r, r.text, len);
    CHECK_EQ(r.nerr, 0);
    CHECK_EQ(r.nev, 90);
    for (int i = 0; i < r.nev; i++) {
        CHECK_HSTR(r.ev[i].event_type, "cef");
        CHECK(r.ev[i].alert.present && r.ev[i].alert.severity >= 1);
    }
    run_free(&r);
}

CS_TEST(cef_escapes_labels_and_syslog_header)
{
    static const char text[] =
        "<134>Feb 18 11:14:13 fw01 CEF:0|Acme\\|Corp|Fire\\\\wall|2.1|4711|Blocked "
        "a\\|b|High|src=192.0.2.1 spt=4444 dst=2001:db8::5 dpt=443 proto=tcp act=deny "
        "request=https://x.example/a\\=b cs1Label=Rule Name cs1=deny all cs2=no label "
        "msg=line1\\nline2 rt=1708254853000\n";
    struct run r;
    const struct hub_event *e;

    run_init(&r, HUB_FMT_CEF);
    r.n.now = 1708254853000000LL;
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nerr, 0);
    REQUIRE(r.nev == 1);
    e = &r.ev[0];
    CHECK_HSTR(e->sensor, "fw01");
    CHECK(e->has_syslog_pri);
    CHECK_EQ(e->syslog_facility, 16);
    CHECK_HSTR(e->app_name, "Fire\\wall");
    CHECK_HSTR(e->alert.signature, "Blocked a|b");
    CHECK_EQ(e->alert.signature_id, 4711);
    CHECK_EQ(e->alert.severity, 2);
    CHECK_HSTR(e->src_ip, "192.0.2.1");
    CHECK_EQ(e->src_addr.family, 4);
    CHECK_EQ(e->src_port, 4444);
    CHECK_HSTR(e->dest_ip, "2001:db8::5");
    CHECK_EQ(e->dest_addr.family, 6);
    CHECK_EQ(e->dest_port, 443);
    CHECK_HSTR(e->proto, "TCP");
    CHECK_HSTR(e->alert.action, "deny");
    CHECK_HSTR(e->http_url, "https://x.example/a=b");
    CHECK_EQ(e->ts, 1708254853000000LL);
    REQUIRE(e->nlabels == 2);
    CHECK_HSTR(e->labels[0].key, "Rule Name");
    CHECK_HSTR(e->labels[0].value, "deny all");
    CHECK_HSTR(e->labels[1].key, "cs2");
    CHECK_HSTR(e->labels[1].value, "no label");
    CHECK(strstr(e->norm.p, "\"labels\":{\"Rule Name\":\"deny all\",\"cs2\":\"no label\"}"));
    run_free(&r);
}

CS_TEST(cef_label_used_twice_keeps_norm_strict)
{
    static const char text[] = "CEF:0|v|p|1|s|n|5|cs1Label=x cs1=first cs2Label=x cs2=second\n";
    struct run r;
    struct hub_json_doc d;

    run_init(&r, HUB_FMT_CEF);
    run_text(&r, text, sizeof(text) - 1);
    REQUIRE(r.nev == 1);
    CHECK_EQ(r.ev[0].nlabels, 2);
    CHECK(strstr(r.ev[0].norm.p, "\"labels\":{\"x\":\"first\"}") != NULL);
    hub_json_doc_init(&d);
    CHECK_EQ(hub_json_parse(&d, r.ev[0].norm.p, r.ev[0].norm.len, NULL, NULL), CS_OK);
    hub_json_doc_free(&d);
    run_free(&r);
}

CS_TEST(cef_hostile_lines)
{
    static const char text[] =
        "CEF:0|a|b|c|d|e\n"                         /* 1 six header fields */
        "CEF:7|a|b|c|d|e|5|\n"                      /* 2 version */
        "CEF:0|a|b|c|d|e|11|\n"                     /* 3 severity */
        "CEF:0|a|b|c|d|e|5|=novalue\n"              /* 4 no key */
        "CEF:0|a|b|c|d|e|5|spt=99999\n"             /* 5 port */
        "just text\n"                               /* 6 no CEF */
        "garbage CEF:0|a|b|c|d|e|5|\n"              /* 7 bad header before CEF */
        "CEF:0|a|b|c|d|e|Very-High|k=v\\\n"         /* 8 ok: trailing backslash */
        "CEF:0|v|p|1|sig|name|Low|\n";              /* 9 ok: no sensor, vendor|product */
    struct run r;

    run_init(&r, HUB_FMT_CEF);
    run_text(&r, text, sizeof(text) - 1);
    CHECK_EQ(r.nev, 2);
    REQUIRE(r.nerr == 7);
    CHECK_STR(r.err[0].msg, "line 1:16: CEF header has 6 of 7 fields");
    CHECK_STR(r.err[1].msg, "line 2:5: CEF version must be 0 or 1");
    CHECK_STR(r.err[2].msg, "line 3:17: CEF severity must be 0..10 or Low..Very-High");
    CHECK_STR(r.err[3].msg, "line 4:19: CEF extension: expected key=value");
    CHECK_STR(r.err[4].msg, "line 5:23: CEF spt is not a port");
    CHECK_STR(r.err[5].msg, "line 6:1: no \"CEF:\" header");
    CHECK_STR(r.err[6].msg, "line 7:1: unrecognised header before \"CEF:\"");
    CHECK_EQ(r.ev[0].alert.severity, 1);
    CHECK_HSTR(r.ev[1].sensor, "v|p");
    CHECK_EQ(r.ev[1].alert.severity, 4);
    run_free(&r);
}

CS_TEST_MAIN()
