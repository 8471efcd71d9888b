/* fuzz_cfg.c — the YAML configuration loader: arbitrary bytes are parsed as a configuration,
 * then looked up, overridden and walked for unused keys. Nothing may crash or leak; errors
 * must come with a message. */
#include "../lib/cs_cfg.h"

#include <stdlib.h>

static void count_key(const char *key, void *arg)
{
    if (!key || !*key)
        abort();
    (*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {
        "outputs.eve-log.types",
        "outputs.0.eve-log.enabled",
        "flow.memcap",
        "stream",
        "outputs.eve-log.types.anomaly.types.decode",
        "vars.address-groups.HOME_NET",
        "a.0.b",
    };
    struct cs_cfg *c = cs_cfg_new();
    struct cs_err err = {0};
    size_t n = 0;

    if (!c)
        return 0;
    cs_cfg_warn = NULL; /* include warnings: keep the fuzzer's output readable */
    if (cs_cfg_load_string(c, (const char *)data, size, &err) != CS_OK) {
        if (!err.msg[0] || err.code == CS_OK)
            abort();
        goto out;
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(keys); i++) {
        const char *s;
        bool b;
        int64_t v;
        uint64_t u;
        cs_cfg_get_str(c, keys[i], &s);
        cs_cfg_get_bool(c, keys[i], &b);
        cs_cfg_get_int(c, keys[i], &v);
        cs_cfg_get_size(c, keys[i], &u);
        for (size_t j = 0, m = cs_cfg_count(c, keys[i]); j < m && j < 8; j++) {
            cs_cfg_child_key(c, keys[i], j);
            cs_cfg_child_value(c, keys[i], j);
        }
    }
    cs_cfg_set(c, "outputs.eve-log.enabled", "yes");
    cs_cfg_set(c, "stream.reassembly.depth", "1mb");
    cs_cfg_mark_used(c, "vars");
    cs_cfg_unused(c, 1, count_key, &n);
    cs_cfg_unused(c, 2, count_key, &n);
    cs_cfg_unused(c, 3, count_key, &n);
out:
    cs_cfg_free(c);
    return 0;
}
