/* kw_flags.c — flags:[!+*]FSRPAUCE0[,mask]; and its modern name tcp.flags. F S R P A U, C
 * (CWR, also '1'), E (ECE, also '2'), 0 (no flag). The modifier may lead or trail. */
#include "kw_hdr.h"

#include "detect.h"

#include <netinet/in.h>

static int flag_bit(char ch, uint8_t *bit)
{
    switch (ch) {
    case 'F':
    case 'f':
        *bit = SN_TH_FIN;
        return 1;
    case 'S':
    case 's':
        *bit = SN_TH_SYN;
        return 1;
    case 'R':
    case 'r':
        *bit = SN_TH_RST;
        return 1;
    case 'P':
    case 'p':
        *bit = SN_TH_PUSH;
        return 1;
    case 'A':
    case 'a':
        *bit = SN_TH_ACK;
        return 1;
    case 'U':
    case 'u':
        *bit = SN_TH_URG;
        return 1;
    case 'C':
    case 'c':
    case '1':
        *bit = SN_TH_CWR;
        return 1;
    case 'E':
    case 'e':
    case '2':
        *bit = SN_TH_ECN;
        return 1;
    case '0':
        *bit = 0;
        return 1;
    default:
        return 0;
    }
}

static int flags_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[64], *parts[3];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 2);
    struct sn_tcp_flags *f;
    bool mod_seen = false, zero = false;

    if (n <= 0 || !parts[0][0])
        return sn_kw_error(c, "invalid %s '%s'", c->kw->name, opt);
    f = cs_calloc(1, sizeof(*f));
    if (!f)
        return CS_ENOMEM;
    for (const char *p = parts[0]; *p; p++) {
        uint8_t bit;
        if (*p == '!' || *p == '+' || *p == '*') {
            if (mod_seen || (p != parts[0] && p[1]))
                goto bad;
            mod_seen = true;
            f->mod = *p == '!' ? SN_BM_NOT : *p == '+' ? SN_BM_PLUS : SN_BM_ANY;
        } else if (flag_bit(*p, &bit)) {
            if (*p == '0')
                zero = true;
            f->flags |= bit;
        } else {
            goto bad;
        }
    }
    if (zero && f->flags)
        goto bad;
    if (!zero && !f->flags)
        goto bad;
    if (n == 2) {
        for (const char *p = parts[1]; *p; p++) {
            uint8_t bit;
            if (!flag_bit(*p, &bit) || *p == '0')
                goto bad;
            f->ignore |= bit;
        }
    }
    return sn_kw_append(c, f);
bad:
    cs_free(f);
    return sn_kw_error(c, "invalid %s '%s'", c->kw->name, opt);
}

/* TCP packets only. The ignore mask is cleared from the packet's flags first; then, as
 * Suricata: exact by default, '+' all the given flags (others may be set), '*' any of them,
 * '!' not all of them. "0" (no flag) matches a packet without flags, "!0" one with flags. */
static bool flags_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_tcp_flags *m = inst->data;
    const struct sn_pkt *p = t->p;
    uint8_t fl;

    if (!p || p->proto != IPPROTO_TCP || !(p->flags & SN_PKT_HAS_L4))
        return false;
    if (!m->flags && p->tcp_flags)
        return m->mod == SN_BM_NOT;
    fl = p->tcp_flags & (uint8_t)~m->ignore;
    switch (m->mod) {
    case SN_BM_ANY:
        return (fl & m->flags) != 0;
    case SN_BM_PLUS:
        return (fl & m->flags) == m->flags;
    case SN_BM_NOT:
        return (fl & m->flags) != m->flags;
    case SN_BM_EXACT:
        break;
    }
    return fl == m->flags;
}

const struct sn_kw sn_kw_flags = {
    .name = "flags",
    .desc = "TCP flags ([!+*]FSRPAUCE0[,ignored])",
    .flags = SN_KW_NEEDS_OPT,
    .setup = flags_setup,
    .free = cs_free,
    .match = flags_match,
};

const struct sn_kw sn_kw_tcp_flags = {
    .name = "tcp.flags",
    .desc = "TCP flags ([!+*]FSRPAUCE0[,ignored])",
    .flags = SN_KW_NEEDS_OPT,
    .setup = flags_setup,
    .free = cs_free,
    .match = flags_match,
};
