/* kw_reference.c — reference:system,id; (url,example.com/x; cve,2021-1234). The system must
 * be known when a reference.config table is loaded. */
#include "kw.h"

static int reference_setup(struct sn_kw_ctx *c, const char *opt)
{
    const char *comma = strchr(opt, ',');
    struct sn_rule *r = c->rule;
    struct sn_rule_ref *nv;
    char sys[64], id[1024];

    if (!comma || comma == opt)
        return sn_kw_error(c, "invalid reference '%s' (expected system,id)", opt);
    sn_kw_trim(opt, (size_t)(comma - opt), sys, sizeof(sys));
    sn_kw_trim(comma + 1, strlen(comma + 1), id, sizeof(id));
    if (!sys[0] || !id[0])
        return sn_kw_error(c, "invalid reference '%s' (expected system,id)", opt);
    if (c->env && c->env->refsys) {
        bool known = false;
        for (size_t i = 0; i < c->env->nrefsys && !known; i++)
            known = strcasecmp(c->env->refsys[i].name, sys) == 0;
        if (!known)
            return sn_kw_error(c, "unknown reference system '%s'", sys);
    }
    nv = cs_realloc(r->refs, (r->nrefs + 1) * sizeof(*nv));
    if (!nv)
        return CS_ENOMEM;
    r->refs = nv;
    nv[r->nrefs].system = cs_strdup(sys);
    nv[r->nrefs].id = cs_strdup(id);
    r->nrefs++;
    if (!nv[r->nrefs - 1].system || !nv[r->nrefs - 1].id)
        return CS_ENOMEM;
    return CS_OK;
}

const struct sn_kw sn_kw_reference = {
    .name = "reference",
    .desc = "an external reference (system,id; systems from reference.config)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = reference_setup,
};
