/* kw_classtype.c — classtype:name; the category from classification.config, which also
 * gives the default priority. Unknown names are an error when a classification table is
 * loaded (as in Suricata); without one any name is accepted. */
#include "kw.h"

#include <ctype.h>

static int classtype_setup(struct sn_kw_ctx *c, const char *opt)
{
    const struct sn_rule_env *env = c->env;
    const struct sn_class *cl = NULL;

    if (c->rule->classtype)
        return sn_kw_error(c, "'classtype' given twice");
    for (const char *p = opt; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return sn_kw_error(c, "invalid classtype '%s'", opt);
    if (env && env->classes) {
        for (size_t i = 0; i < env->nclasses && !cl; i++)
            if (strcasecmp(env->classes[i].name, opt) == 0)
                cl = &env->classes[i];
        if (!cl)
            return sn_kw_error(c, "unknown classtype '%s'", opt);
    }
    c->rule->classtype = cs_strdup(opt);
    if (!c->rule->classtype)
        return CS_ENOMEM;
    if (cl) {
        if (cl->desc && !(c->rule->class_desc = cs_strdup(cl->desc)))
            return CS_ENOMEM;
        if (!(c->rule->flags & SN_RULE_HAS_PRIORITY))
            c->rule->priority = cl->priority;
    }
    return CS_OK;
}

const struct sn_kw sn_kw_classtype = {
    .name = "classtype",
    .desc = "the rule's class (classification.config), sets the default priority",
    .flags = SN_KW_NEEDS_OPT,
    .setup = classtype_setup,
};
