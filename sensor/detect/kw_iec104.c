/* kw_iec104.c — IEC 60870-5-104 keywords over the APDU the iec104 parser passes to detection
 * (struct sn_iec104_apdu, sensor/app/iec104.h):
 *   iec104.typeid:<n | comparison | name>   ASDU type identification (M_SP_NA_1, C_SC_NA_1, …)
 *   iec104.cot:<n | comparison | name>      cause of transmission (spont, act, actcon, …)
 *   iec104.ioa:<comparison | range>         any information object address of the ASDU
 * APDUs without an ASDU (S and U frames) never match. */
#include "../app/iec104.h"
#include "detect.h"
#include "kw_ics.h"

#include <ctype.h>
#include <string.h>

int sn_kw_ics_setup(struct sn_kw_ctx *c, const char *opt, uint64_t max,
                    int (*lookup)(const char *name))
{
    struct sn_kw_ics *k = cs_calloc(1, sizeof(*k));
    const char *s = opt;
    bool neg;
    int v;

    if (!k)
        return CS_ENOMEM;
    while (*s == ' ')
        s++;
    neg = *s == '!';
    if (neg)
        s++;
    if (lookup && (isalpha((unsigned char)*s) || *s == '_')) {
        char name[64];
        size_t n = strcspn(s, " ");
        if (n >= sizeof(name) || s[n + strspn(s + n, " ")] != 0) {
            cs_free(k);
            return sn_kw_error(c, "invalid %s value '%s'", c->kw->name, opt);
        }
        memcpy(name, s, n);
        name[n] = 0;
        v = lookup(name);
        if (v < 0) {
            cs_free(k);
            return sn_kw_error(c, "unknown %s name '%s'", c->kw->name, name);
        }
        k->cmp.op = neg ? SN_CMP_NE : SN_CMP_EQ;
        k->cmp.a = (uint64_t)v;
        return sn_kw_append(c, k);
    }
    if (sn_kw_parse_cmp(c, opt, max, &k->cmp) != CS_OK) {
        cs_free(k);
        return CS_EINVAL;
    }
    return sn_kw_append(c, k);
}

static const struct sn_iec104_apdu *apdu(const struct sn_detect_thread *t)
{
    if (!t->tx || !t->tx_proto || strcmp(t->tx_proto, "iec104") != 0)
        return NULL;
    return t->tx;
}

static int typeid_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_ics_setup(c, opt, 255, sn_iec104_type_lookup);
}

static bool typeid_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_iec104_apdu *m = apdu(t);
    const struct sn_kw_ics *k = inst->data;
    return m && m->has_asdu && sn_u64cmp_eval(&k->cmp, m->type_id);
}

static int cot_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_ics_setup(c, opt, 63, sn_iec104_cot_lookup);
}

static bool cot_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_iec104_apdu *m = apdu(t);
    const struct sn_kw_ics *k = inst->data;
    return m && m->has_asdu && sn_u64cmp_eval(&k->cmp, m->cot);
}

static int ioa_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_ics_setup(c, opt, 0xffffff, NULL);
}

static bool ioa_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_iec104_apdu *m = apdu(t);
    const struct sn_kw_ics *k = inst->data;

    if (!m || !m->has_asdu)
        return false;
    for (unsigned i = 0; i < m->nioa; i++)
        if (sn_u64cmp_eval(&k->cmp, m->ioa[i]))
            return true;
    return false;
}

const struct sn_kw sn_kw_iec104_typeid = {
    .name = "iec104.typeid",
    .desc = "IEC 104 ASDU type identification (number, comparison or name like C_SC_NA_1)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = typeid_setup,
    .free = cs_free,
    .match = typeid_match,
};

const struct sn_kw sn_kw_iec104_cot = {
    .name = "iec104.cot",
    .desc = "IEC 104 cause of transmission (number, comparison or name like act, spont)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = cot_setup,
    .free = cs_free,
    .match = cot_match,
};

const struct sn_kw sn_kw_iec104_ioa = {
    .name = "iec104.ioa",
    .desc = "IEC 104 information object address of any object (comparison or N-M range)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ioa_setup,
    .free = cs_free,
    .match = ioa_match,
};
