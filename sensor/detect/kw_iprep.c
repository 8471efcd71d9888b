/* kw_iprep.c — iprep:any|src|dst|both, category, <|>|=, value(0..127); IP reputation. */
#include "kw_app.h"

#include "detect.h"
#include "flowvar.h"
#include "iprep.h"

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
    r->cat = -1;
    r->category = cs_strdup(parts[1]);
    if (!r->category) {
        cs_free(r);
        return CS_ENOMEM;
    }
    return sn_kw_append(c, r);
}

static bool rep_cmp(const struct sn_iprep *r, const struct sn_addr *a, uint8_t ver, int cat)
{
    int s = sn_iprep_score(a, ver, cat);
    if (s < 0)
        return false; /* no reputation: no match, whatever the operator */
    switch (r->op) {
    case '<':
        return s < r->value;
    case '>':
        return s > r->value;
    default:
        return s == r->value;
    }
}

/* any: source or destination; both: source and destination. */
static bool iprep_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_iprep *r = inst->data;
    const struct sn_addr *src, *dst;
    int cat = r->cat >= 0 ? r->cat : sn_iprep_category(r->category);
    uint8_t ver = t->p && t->p->ip_ver ? t->p->ip_ver : t->f ? t->f->ip_ver : 0;

    if (cat < 0 || !sn_detect_addrs(t, &src, &dst))
        return false;
    switch (r->side) {
    case 1:
        return rep_cmp(r, src, ver, cat);
    case 2:
        return rep_cmp(r, dst, ver, cat);
    case 3:
        return rep_cmp(r, src, ver, cat) && rep_cmp(r, dst, ver, cat);
    default:
        return rep_cmp(r, src, ver, cat) || rep_cmp(r, dst, ver, cat);
    }
}

const struct sn_kw sn_kw_iprep = {
    .name = "iprep",
    .desc = "IP reputation: any|src|dst|both, category, <|>|=, value",
    .flags = SN_KW_NEEDS_OPT,
    .setup = iprep_setup,
    .free = iprep_free,
    .match = iprep_match,
};
