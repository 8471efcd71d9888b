/* kw_fragbits.c — fragbits:[!+*]MDR; IP fragmentation bits (More, Don't, Reserved). */
#include "kw_hdr.h"

#include "detect.h"

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

/* IPv4 only. As Suricata: exact by default; '+' needs all the given bits AND at least one
 * other; '*' any of them; '!' not all of them. */
static bool fragbits_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_fragbits *m = inst->data;
    const struct sn_pkt *p = t->p;
    uint16_t off;
    uint8_t bits = 0;

    if (!p || p->ip_ver != 4 || !p->ip_hdr || p->ip_hlen < 20)
        return false;
    off = cs_get_be16(p->ip_hdr + 6);
    if (off & 0x2000)
        bits |= SN_FRAG_M;
    if (off & 0x4000)
        bits |= SN_FRAG_D;
    if (off & 0x8000)
        bits |= SN_FRAG_R;
    switch (m->mod) {
    case SN_BM_ANY:
        return (bits & m->bits) != 0;
    case SN_BM_PLUS:
        return (bits & m->bits) == m->bits && bits != m->bits;
    case SN_BM_NOT:
        return (bits & m->bits) != m->bits;
    case SN_BM_EXACT:
        break;
    }
    return bits == m->bits;
}

const struct sn_kw sn_kw_fragbits = {
    .name = "fragbits",
    .desc = "IP fragmentation bits ([!+*]MDR)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = fragbits_setup,
    .free = cs_free,
    .match = fragbits_match,
};
