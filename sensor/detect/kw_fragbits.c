/* kw_fragbits.c — fragbits:[!+*]MDR; IP fragmentation bits (More, Don't, Reserved). */
#include "kw_hdr.h"

static int fragbits_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_fragbits *f = cs_calloc(1, sizeof(*f));
    bool mod_seen = false;
    if (!f)
        return CS_ENOMEM;
    for (const char *p = opt; *p; p++) {
        switch (*p) {
        case 'M':
            f->bits |= SN_FRAG_M;
            break;
        case 'D':
            f->bits |= SN_FRAG_D;
            break;
        case 'R':
            f->bits |= SN_FRAG_R;
            break;
        case '!':
        case '+':
        case '*':
            if (mod_seen)
                goto bad;
            mod_seen = true;
            f->mod = *p == '!' ? SN_BM_NOT : *p == '+' ? SN_BM_PLUS : SN_BM_ANY;
            break;
        case ' ':
            break;
        default:
            goto bad;
        }
    }
    if (!f->bits)
        goto bad;
    return sn_kw_append(c, f);
bad:
    cs_free(f);
    return sn_kw_error(c, "invalid fragbits '%s' ([!+*]MDR)", opt);
}

const struct sn_kw sn_kw_fragbits = {
    .name = "fragbits",
    .desc = "IP fragmentation bits ([!+*]MDR)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = fragbits_setup,
    .free = cs_free,
};
