/* kw_metadata.c — metadata:key value, key value; free-form pairs logged with alerts. */
#include "kw.h"

#include <ctype.h>

static int metadata_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_rule *r = c->rule;
    const char *p = opt;

    while (*p) {
        const char *end = strchr(p, ','), *sp;
        size_t n;
        char item[1024], *key, *val;
        struct sn_rule_meta *nv;

        n = end ? (size_t)(end - p) : strlen(p);
        sn_kw_trim(p, n, item, sizeof(item));
        p += n + (end ? 1 : 0);
        if (!item[0])
            return sn_kw_error(c, "empty metadata entry");
        key = item;
        sp = key;
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        val = (char *)sp;
        if (*val) {
            *val++ = 0;
            while (isspace((unsigned char)*val))
                val++;
        }
        nv = cs_realloc(r->meta, (r->nmeta + 1) * sizeof(*nv));
        if (!nv)
            return CS_ENOMEM;
        r->meta = nv;
        nv[r->nmeta].key = cs_strdup(key);
        nv[r->nmeta].value = cs_strdup(val);
        r->nmeta++;
        if (!nv[r->nmeta - 1].key || !nv[r->nmeta - 1].value)
            return CS_ENOMEM;
    }
    return CS_OK;
}

const struct sn_kw sn_kw_metadata = {
    .name = "metadata",
    .desc = "key value pairs logged with the alert (alert.metadata)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = metadata_setup,
};
