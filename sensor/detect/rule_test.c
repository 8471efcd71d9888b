/* rule_test.c — the rule parser: headers, address/port lists, options, errors with columns,
 * rulesets, and ET Open 5.0 / 4.0 acceptance when the corpus is present. */
#include "../../lib/cs_cfg.h"
#include "../../lib/cs_test.h"
#include "kw_content.h"
#include "kw_flow.h"
#include "kw_pcre.h"
#include "ruleset.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

CS_TEST_MAIN()
