/* kw_ipopts.c — ipopts:rr|eol|nop|ts|sec|esec|lsrr|ssrr|satid|any; an IPv4 option present. */
#include "kw_hdr.h"

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

const struct sn_kw sn_kw_ipopts = {
    .name = "ipopts",
    .desc = "an IPv4 option is present (rr, eol, nop, ts, sec, esec, lsrr, ssrr, satid, any)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ipopts_setup,
    .free = cs_free,
};
