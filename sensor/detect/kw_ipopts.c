/* kw_ipopts.c — ipopts:rr|eol|nop|ts|sec|esec|lsrr|ssrr|satid|any; an IPv4 option present. */
#include "kw_hdr.h"

#include "detect.h"

static int ipopts_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const char *const names[] = {"rr",   "eol",  "nop",  "ts",    "sec",
                                        "esec", "lsrr", "ssrr", "satid", "any"};
    for (size_t i = 0; i < CS_ARRAY_LEN(names); i++)
        if (strcmp(opt, names[i]) == 0) {
            enum sn_kw_ipopt *o = cs_malloc(sizeof(*o));
            if (!o)
                return CS_ENOMEM;
            *o = (enum sn_kw_ipopt)i;
            return sn_kw_append(c, o);
        }
    return sn_kw_error(c, "invalid ipopts '%s'", opt);
}

/* IPv4 only: the decoder records each option kind seen in p->ip4_opts. */
static bool ipopts_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    static const uint16_t bit[] = {
        [SN_KW_IPOPT_RR] = SN_IPOPT_RR,     [SN_KW_IPOPT_EOL] = SN_IPOPT_EOL,
        [SN_KW_IPOPT_NOP] = SN_IPOPT_NOP,   [SN_KW_IPOPT_TS] = SN_IPOPT_TS,
        [SN_KW_IPOPT_SEC] = SN_IPOPT_SEC,   [SN_KW_IPOPT_ESEC] = SN_IPOPT_ESEC,
        [SN_KW_IPOPT_LSRR] = SN_IPOPT_LSRR, [SN_KW_IPOPT_SSRR] = SN_IPOPT_SSRR,
        [SN_KW_IPOPT_SATID] = SN_IPOPT_SATID,
    };
    enum sn_kw_ipopt o = *(const enum sn_kw_ipopt *)inst->data;

    if (!t->p || t->p->ip_ver != 4)
        return false;
    if (o == SN_KW_IPOPT_ANY)
        return t->p->ip4_opts != 0;
    return (unsigned)o < CS_ARRAY_LEN(bit) && (t->p->ip4_opts & bit[o]);
}

const struct sn_kw sn_kw_ipopts = {
    .name = "ipopts",
    .desc = "an IPv4 option is present (rr, eol, nop, ts, sec, esec, lsrr, ssrr, satid, any)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ipopts_setup,
    .free = cs_free,
    .match = ipopts_match,
};
