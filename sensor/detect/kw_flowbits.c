/* kw_flowbits.c — flowbits:set,name; isset/isnotset (names ORed with '|'), unset, toggle,
 * noalert. Bit names are kept as strings; the engine numbers them. */
#include "kw_flow.h"

#include "flowvar.h"

#include <ctype.h>

void sn_bits_free(void *p)
{
    struct sn_bits *b = p;
    if (!b)
        return;
    for (uint32_t i = 0; i < b->nnames; i++)
        cs_free(b->names[i]);
    cs_free(b->names);
    cs_free(b);
}

static const struct {
    const char *name;
    enum sn_bits_cmd cmd;
} cmds[] = {
    {"set", SN_BITS_SET},     {"unset", SN_BITS_UNSET},       {"toggle", SN_BITS_TOGGLE},
    {"isset", SN_BITS_ISSET}, {"isnotset", SN_BITS_ISNOTSET}, {"noalert", SN_BITS_NOALERT},
};

int sn_bits_parse_cmd(struct sn_kw_ctx *c, const char *s, enum sn_bits_cmd *out);
int sn_bits_parse_names(struct sn_kw_ctx *c, struct sn_bits *b, const char *s);

int sn_bits_parse_cmd(struct sn_kw_ctx *c, const char *s, enum sn_bits_cmd *out)
{
    for (size_t k = 0; k < CS_ARRAY_LEN(cmds); k++)
        if (strcmp(s, cmds[k].name) == 0) {
            *out = cmds[k].cmd;
            return CS_OK;
        }
    return sn_kw_error(c, "unknown %s command '%s'", c->kw->name, s);
}

int sn_bits_parse_names(struct sn_kw_ctx *c, struct sn_bits *b, const char *s)
{
    const char *p = s;
    if (!*s)
        return sn_kw_error(c, "'%s' needs a name", c->kw->name);
    if (strchr(s, '|') && b->cmd != SN_BITS_ISSET && b->cmd != SN_BITS_ISNOTSET)
        return sn_kw_error(c, "'|' in %s names is only allowed with isset/isnotset", c->kw->name);
    while (*p) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char name[256], **nv;
        sn_kw_trim(p, n, name, sizeof(name));
        if (!name[0])
            return sn_kw_error(c, "empty name in '%s'", c->kw->name);
        for (const char *q = name; *q; q++)
            if (isspace((unsigned char)*q))
                return sn_kw_error(c, "invalid name '%s' in '%s'", name, c->kw->name);
        nv = cs_realloc(b->names, (b->nnames + 1) * sizeof(*nv));
        if (!nv)
            return CS_ENOMEM;
        b->names = nv;
        if (!(nv[b->nnames] = cs_strdup(name)))
            return CS_ENOMEM;
        b->nnames++;
        p += n + (end ? 1 : 0);
        if (end && !*p)
            return sn_kw_error(c, "empty name in '%s'", c->kw->name);
    }
    return CS_OK;
}

static int flowbits_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[3];
    struct sn_bits *b;
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 2), rc;

    if (n <= 0)
        return sn_kw_error(c, "invalid flowbits '%s'", opt);
    b = cs_calloc(1, sizeof(*b));
    if (!b)
        return CS_ENOMEM;
    b->track = SN_TRACK_FLOW;
    rc = sn_bits_parse_cmd(c, parts[0], &b->cmd);
    if (rc == CS_OK && b->cmd == SN_BITS_NOALERT) {
        if (n != 1)
            rc = sn_kw_error(c, "flowbits:noalert takes no name");
        else
            c->rule->flags |= SN_RULE_NOALERT;
    } else if (rc == CS_OK) {
        rc = n == 2 ? sn_bits_parse_names(c, b, parts[1])
                    : sn_kw_error(c, "flowbits:%s needs a name", parts[0]);
    }
    if (rc != CS_OK) {
        sn_bits_free(b);
        return rc;
    }
    return sn_kw_append(c, b);
}

/* isset: one of the names is set; isnotset: one of the names is not set (names ORed with
 * '|'). set/unset/toggle always match: they act in sn_detect_postmatch(). */
static bool flowbits_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_bits *b = inst->data;

    if (b->cmd != SN_BITS_ISSET && b->cmd != SN_BITS_ISNOTSET)
        return true;
    for (uint32_t i = 0; i < b->nnames; i++) {
        bool set = t->f && sn_flowbit_isset(t->f, b->names[i]);
        if (set == (b->cmd == SN_BITS_ISSET))
            return true;
    }
    return false;
}

const struct sn_kw sn_kw_flowbits = {
    .name = "flowbits",
    .desc = "set/unset/toggle/test named bits on the flow (isset,a|b ORs)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = flowbits_setup,
    .free = sn_bits_free,
    .match = flowbits_match,
};
