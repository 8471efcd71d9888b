/* kw_xbits.c — xbits:set|unset|toggle|isset|isnotset, name, track ip_src|ip_dst|ip_pair|tx
 * [, expire N]; bits on hosts, host pairs or transactions; xbits:noalert. */
#include "kw_flow.h"

#include "flowvar.h"

#include <ctype.h>

int sn_bits_parse_cmd(struct sn_kw_ctx *c, const char *s, enum sn_bits_cmd *out);
int sn_bits_parse_names(struct sn_kw_ctx *c, struct sn_bits *b, const char *s);

static int xbits_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[5];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 4);
    struct sn_bits *b;
    bool have_track = false;

    if (n <= 0)
        return sn_kw_error(c, "invalid xbits '%s'", opt);
    b = cs_calloc(1, sizeof(*b));
    if (!b)
        return CS_ENOMEM;
    if (sn_bits_parse_cmd(c, parts[0], &b->cmd) != CS_OK)
        goto out_free;
    if (b->cmd == SN_BITS_NOALERT) {
        if (n != 1) {
            sn_kw_error(c, "xbits:noalert takes no other option");
            goto out_free;
        }
        c->rule->flags |= SN_RULE_NOALERT;
        return sn_kw_append(c, b);
    }
    if (n < 3) {
        sn_kw_error(c, "xbits needs command, name, track");
        goto out_free;
    }
    if (sn_bits_parse_names(c, b, parts[1]) != CS_OK)
        goto out_free;
    for (int i = 2; i < n; i++) {
        char *k = parts[i], *v = k;
        uint64_t u;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v) {
            *v++ = 0;
            while (isspace((unsigned char)*v))
                v++;
        }
        if (strcmp(k, "track") == 0 && !have_track) {
            if (strcmp(v, "ip_src") == 0)
                b->track = SN_TRACK_IP_SRC;
            else if (strcmp(v, "ip_dst") == 0)
                b->track = SN_TRACK_IP_DST;
            else if (strcmp(v, "ip_pair") == 0)
                b->track = SN_TRACK_IP_PAIR;
            else if (strcmp(v, "tx") == 0)
                b->track = SN_TRACK_TX;
            else {
                sn_kw_error(c, "xbits: invalid track '%s'", v);
                goto out_free;
            }
            have_track = true;
        } else if (strcmp(k, "expire") == 0 && sn_kw_parse_u64(v, 1, UINT32_MAX, &u)) {
            b->expire = (uint32_t)u;
        } else {
            sn_kw_error(c, "xbits: invalid option '%s'", k);
            goto out_free;
        }
    }
    if (!have_track) {
        sn_kw_error(c, "xbits needs 'track'");
        goto out_free;
    }
    return sn_kw_append(c, b);
out_free:
    sn_bits_free(b);
    return c->err->code == CS_OK ? CS_ENOMEM : CS_EINVAL;
}

/* isset / isnotset against the process-wide table (flowvar.c) for the packet's source, its
 * destination or the address pair; names ORed with '|' as for flowbits. Other commands
 * always match: they act in sn_detect_postmatch(). */
static bool xbits_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_bits *b = inst->data;
    const struct sn_addr *src = NULL, *dst = NULL;
    bool have;

    if (b->cmd != SN_BITS_ISSET && b->cmd != SN_BITS_ISNOTSET)
        return true;
    have = sn_detect_addrs(t, &src, &dst);
    for (uint32_t i = 0; i < b->nnames; i++) {
        bool set;
        if (b->track == SN_TRACK_TX || b->track == SN_TRACK_FLOW)
            set = sn_xbits_tx_isset(t->f, b->names[i]);
        else
            set = have && sn_xbits_isset(b->track, src, dst, b->names[i], sn_detect_now(t));
        if (set == (b->cmd == SN_BITS_ISSET))
            return true;
    }
    return false;
}

const struct sn_kw sn_kw_xbits = {
    .name = "xbits",
    .desc = "bits on hosts / host pairs: cmd, name, track ip_src|ip_dst|ip_pair[, expire N]",
    .flags = SN_KW_NEEDS_OPT,
    .setup = xbits_setup,
    .free = sn_bits_free,
    .match = xbits_match,
};
