/* kw_flowint.c — flowint:name, op[, value]; integer flow variables. Ops: = + - (modify),
 * == != < > <= >= (compare), isset, notset/isnotset. The value is a number or another
 * flowint's name. */
#include "kw_flow.h"

#include "flowvar.h"

#include <ctype.h>

static void flowint_free(void *p)
{
    struct sn_flowint *f = p;
    if (!f)
        return;
    cs_free(f->name);
    cs_free(f->value_var);
    cs_free(f);
}

static const struct {
    const char *s;
    enum sn_flowint_op op;
    bool needs_value;
} ops[] = {
    {"=", SN_FI_SET, true},          {"+", SN_FI_ADD, true},
    {"-", SN_FI_SUB, true},          {"==", SN_FI_EQ, true},
    {"!=", SN_FI_NE, true},          {"<", SN_FI_LT, true},
    {">", SN_FI_GT, true},           {"<=", SN_FI_LE, true},
    {">=", SN_FI_GE, true},          {"isset", SN_FI_ISSET, false},
    {"notset", SN_FI_NOTSET, false}, {"isnotset", SN_FI_NOTSET, false},
};

static int flowint_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[256], *parts[4];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
    struct sn_flowint *f;
    size_t k;

    if (n < 2)
        return sn_kw_error(c, "flowint needs name, operator[, value]");
    for (k = 0; k < CS_ARRAY_LEN(ops); k++)
        if (strcmp(parts[1], ops[k].s) == 0)
            break;
    if (k == CS_ARRAY_LEN(ops))
        return sn_kw_error(c, "flowint: invalid operator '%s'", parts[1]);
    if (ops[k].needs_value != (n == 3))
        return sn_kw_error(c, "flowint: operator '%s' %s a value", parts[1],
                           ops[k].needs_value ? "needs" : "takes no");
    if (!parts[0][0])
        return sn_kw_error(c, "flowint needs a name");
    f = cs_calloc(1, sizeof(*f));
    if (!f)
        return CS_ENOMEM;
    f->op = ops[k].op;
    f->name = cs_strdup(parts[0]);
    if (!f->name)
        goto out_nomem;
    if (n == 3) {
        if (isdigit((unsigned char)parts[2][0])) {
            if (!sn_kw_parse_u64(parts[2], 0, UINT32_MAX, &f->value)) {
                flowint_free(f);
                return sn_kw_error(c, "flowint: invalid value '%s'", parts[2]);
            }
        } else if (!(f->value_var = cs_strdup(parts[2]))) {
            goto out_nomem;
        }
    }
    return sn_kw_append(c, f);
out_nomem:
    flowint_free(f);
    return CS_ENOMEM;
}

/* Comparisons, isset and notset (Suricata's semantics: 32-bit values; a comparison with an
 * unset variable is false; a value taken from an unset variable is 0). =, + and - always
 * match: they act in sn_detect_postmatch(). */
static bool flowint_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_flowint *fi = inst->data;
    uint32_t cur, val = (uint32_t)fi->value;
    bool have = t->f && sn_flowint_get(t->f, fi->name, &cur);

    switch (fi->op) {
    case SN_FI_SET:
    case SN_FI_ADD:
    case SN_FI_SUB:
        return true;
    case SN_FI_ISSET:
        return have;
    case SN_FI_NOTSET:
        return !have;
    default:
        break;
    }
    if (!have)
        return false;
    if (fi->value_var && !sn_flowint_get(t->f, fi->value_var, &val))
        val = 0;
    switch (fi->op) {
    case SN_FI_EQ:
        return cur == val;
    case SN_FI_NE:
        return cur != val;
    case SN_FI_LT:
        return cur < val;
    case SN_FI_GT:
        return cur > val;
    case SN_FI_LE:
        return cur <= val;
    case SN_FI_GE:
        return cur >= val;
    default:
        return false;
    }
}

const struct sn_kw sn_kw_flowint = {
    .name = "flowint",
    .desc = "integer flow variables: name, =|+|-|==|!=|<|>|<=|>=|isset|notset[, value]",
    .flags = SN_KW_NEEDS_OPT,
    .setup = flowint_setup,
    .free = flowint_free,
    .match = flowint_match,
};
