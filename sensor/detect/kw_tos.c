/* kw_tos.c — tos:[!]N; IPv4 type of service (decimal, or xHH / 0xHH hex). */
#include "kw_hdr.h"

#include "detect.h"

static int tos_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_tos *t;
    const char *s = opt;
    uint64_t v;
    bool neg = false, ok;
    char buf[32];

    if (*s == '!') {
        neg = true;
        s++;
    }
    if (*s == 'x' || *s == 'X') {
        snprintf(buf, sizeof(buf), "0x%s", s + 1);
        ok = sn_kw_parse_u64(buf, 0, 255, &v);
    } else {
        ok = sn_kw_parse_u64(s, 0, 255, &v);
    }
    if (!ok)
        return sn_kw_error(c, "invalid tos '%s'", opt);
    t = cs_calloc(1, sizeof(*t));
    if (!t)
        return CS_ENOMEM;
    t->negated = neg;
    t->tos = (uint8_t)v;
    return sn_kw_append(c, t);
}

/* IPv4 only: the whole TOS byte (DSCP and ECN) compared with the value. */
static bool tos_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_tos *m = inst->data;
    if (!t->p || t->p->ip_ver != 4)
        return false;
    return (t->p->tos == m->tos) != m->negated;
}

const struct sn_kw sn_kw_tos = {
    .name = "tos",
    .desc = "IPv4 type of service ([!]N, xHH)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = tos_setup,
    .free = cs_free,
    .match = tos_match,
};
