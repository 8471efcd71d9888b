/* kw_iprep.c — iprep:any|src|dst|both, category, <|>|=, value(0..127); IP reputation. */
#include "kw_app.h"

static void iprep_free(void *p)
{
    struct sn_iprep *r = p;
    if (!r)
        return;
    cs_free(r->category);
    cs_free(r);
}

static int iprep_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const char *const sides[] = {"any", "src", "dst", "both"};
    char buf[256], *parts[5];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 4);
    struct sn_iprep *r;
    uint64_t v;
    size_t k;

    if (n != 4)
        return sn_kw_error(c, "iprep needs side, category, operator, value");
    for (k = 0; k < CS_ARRAY_LEN(sides); k++)
        if (strcmp(parts[0], sides[k]) == 0)
            break;
    if (k == CS_ARRAY_LEN(sides))
        return sn_kw_error(c, "iprep: invalid side '%s'", parts[0]);
    if (strcmp(parts[2], "<") && strcmp(parts[2], ">") && strcmp(parts[2], "="))
        return sn_kw_error(c, "iprep: invalid operator '%s'", parts[2]);
    if (!sn_kw_parse_u64(parts[3], 0, 127, &v))
        return sn_kw_error(c, "iprep: invalid value '%s' (0..127)", parts[3]);
    if (!parts[1][0])
        return sn_kw_error(c, "iprep needs a category");
    r = cs_calloc(1, sizeof(*r));
    if (!r)
        return CS_ENOMEM;
    r->side = (uint8_t)k;
    r->op = parts[2][0];
    r->value = (uint8_t)v;
    r->category = cs_strdup(parts[1]);
    if (!r->category) {
        cs_free(r);
        return CS_ENOMEM;
    }
    return sn_kw_append(c, r);
}

const struct sn_kw sn_kw_iprep = {
    .name = "iprep",
    .desc = "IP reputation: any|src|dst|both, category, <|>|=, value",
    .flags = SN_KW_NEEDS_OPT,
    .setup = iprep_setup,
    .free = iprep_free,
};
