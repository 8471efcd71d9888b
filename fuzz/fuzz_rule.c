/* fuzz_rule.c — the rule parser: arbitrary bytes are loaded as one rules file (with
 * variables that nest, negate and loop), then as classification.config and reference.config
 * text; the summary and the error list are printed. Nothing may crash or leak, every skipped
 * rule must carry a message. */
#include "../lib/cs_cfg.h"
#include "../sensor/detect/kw.h"
#include "../sensor/detect/ruleset.h"

#include <stdio.h>
#include <stdlib.h>

static struct cs_cfg *vars;
static FILE *sink;

static void setup_once(void)
{
    static const char yaml[] = "vars:\n"
                               "  address-groups:\n"
                               "    HOME_NET: \"[10.0.0.0/8,192.168.0.0/16,!10.9.0.0/16]\"\n"
                               "    EXTERNAL_NET: \"!$HOME_NET\"\n"
                               "    V6: \"[2001:db8::/32,::1]\"\n"
                               "    LOOP: \"[$LOOP2]\"\n"
                               "    LOOP2: \"!$LOOP\"\n"
                               "  port-groups:\n"
                               "    HTTP_PORTS: \"[80,8000:8100]\"\n"
                               "    WEB: \"[$HTTP_PORTS,!8080]\"\n";
    struct cs_err err = {0};
    if (vars)
        return;
    vars = cs_cfg_new();
    if (vars)
        cs_cfg_load_string(vars, yaml, sizeof(yaml) - 1, &err);
    sink = fopen("/dev/null", "w");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sn_ruleset *rs;
    struct cs_err err = {0};

    setup_once();
    rs = sn_ruleset_new(vars);
    if (!rs)
        return 0;
    /* a classification table makes classtype checks run too */
    sn_ruleset_load_classification_buffer(rs, "config classification: bad,Bad,1\n", 33, &err);
    sn_ruleset_load_references_buffer(rs, "config reference: url http://\n", 30, &err);
    if (sn_ruleset_load_buffer(rs, "fuzz.rules", (const char *)data, size, &err) == CS_OK) {
        for (size_t i = 0; i < rs->nerrors; i++)
            if (!rs->errors[i].msg[0] || !rs->errors[i].reason)
                abort();
    }
    if (sink) {
        sn_ruleset_print_summary(rs, sink);
        sn_ruleset_print_errors(rs, sink);
    }
    sn_ruleset_free(rs);

    /* the same bytes as configuration files */
    rs = sn_ruleset_new(NULL);
    if (!rs)
        return 0;
    sn_ruleset_load_classification_buffer(rs, (const char *)data, size, &err);
    sn_ruleset_load_references_buffer(rs, (const char *)data, size, &err);
    sn_ruleset_free(rs);
    return 0;
}
