/* kw_xbits.c — xbits:set|unset|toggle|isset|isnotset, name, track ip_src|ip_dst|ip_pair|tx
 * [, expire N]; bits on hosts, host pairs or transactions; xbits:noalert. */
#include "kw_flow.h"

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

const struct sn_kw sn_kw_xbits = {
    .name = "xbits",
    .desc = "bits on hosts / host pairs: cmd, name, track ip_src|ip_dst|ip_pair[, expire N]",
    .flags = SN_KW_NEEDS_OPT,
    .setup = xbits_setup,
    .free = sn_bits_free,
};
