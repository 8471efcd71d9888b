/* kw_ip_proto.c — ip_proto:[!<>]N or a protocol name (tcp, udp, icmp, igmp, gre, esp, ah,
 * ipv6-icmp, sctp, pim, …). */
#include "kw_hdr.h"

#include "detect.h"

static int ip_proto_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const struct {
        const char *name;
        uint8_t num;
    } names[] = {
        {"ip", 0},         {"icmp", 1},    {"igmp", 2},   {"ggp", 3},       {"ipip", 4},
        {"tcp", 6},        {"egp", 8},     {"pup", 12},   {"udp", 17},      {"idp", 22},
        {"ipv6", 41},      {"rsvp", 46},   {"gre", 47},   {"esp", 50},      {"ah", 51},
        {"ipv6-icmp", 58}, {"icmpv6", 58}, {"eigrp", 88}, {"ospf", 89},     {"pim", 103},
        {"vrrp", 112},     {"l2tp", 115},  {"sctp", 132}, {"udplite", 136},
    };
    struct sn_ip_proto *p;
    const char *s = opt;
    uint64_t v;
    char op = '=';

    if (*s == '!' || *s == '<' || *s == '>')
        op = *s++;
    p = cs_calloc(1, sizeof(*p));
    if (!p)
        return CS_ENOMEM;
    p->op = op;
    if (sn_kw_parse_u64(s, 0, 255, &v)) {
        p->proto = (uint8_t)v;
        return sn_kw_append(c, p);
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i].name) == 0) {
            p->proto = names[i].num;
            return sn_kw_append(c, p);
        }
    cs_free(p);
    return sn_kw_error(c, "invalid ip_proto '%s'", opt);
}

/* p->proto is the transport protocol after IPv6 extension headers. */
static bool ip_proto_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_ip_proto *m = inst->data;
    if (!t->p || !t->p->ip_ver)
        return false;
    switch (m->op) {
    case '!':
        return t->p->proto != m->proto;
    case '<':
        return t->p->proto < m->proto;
    case '>':
        return t->p->proto > m->proto;
    default:
        return t->p->proto == m->proto;
    }
}

const struct sn_kw sn_kw_ip_proto = {
    .name = "ip_proto",
    .desc = "IP protocol number or name ([!<>]N)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ip_proto_setup,
    .free = cs_free,
    .match = ip_proto_match,
};
