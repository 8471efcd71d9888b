/* addr.c — address and port specs of rule headers: variables, lists, negation, nesting,
 * ranges, CIDRs. The result is flat: a list of (range, negated). */
#include "rule.h"

#include "../../lib/cs_cfg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* Suricata's stock suricata.yaml values, used when the configuration lacks a variable. */
static const struct {
    const char *name, *value;
    bool port;
} default_vars[] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", false},
    {"EXTERNAL_NET", "!$HOME_NET", false},
    {"HTTP_SERVERS", "$HOME_NET", false},
    {"SMTP_SERVERS", "$HOME_NET", false},
    {"SQL_SERVERS", "$HOME_NET", false},
    {"DNS_SERVERS", "$HOME_NET", false},
    {"TELNET_SERVERS", "$HOME_NET", false},
    {"AIM_SERVERS", "$EXTERNAL_NET", false},
    {"DC_SERVERS", "$HOME_NET", false},
    {"DNP3_SERVER", "$HOME_NET", false},
    {"DNP3_CLIENT", "$HOME_NET", false},
    {"MODBUS_CLIENT", "$HOME_NET", false},
    {"MODBUS_SERVER", "$HOME_NET", false},
    {"ENIP_CLIENT", "$HOME_NET", false},
    {"ENIP_SERVER", "$HOME_NET", false},
    {"HTTP_PORTS", "80", true},
    {"SHELLCODE_PORTS", "!80", true},
    {"ORACLE_PORTS", "1521", true},
    {"SSH_PORTS", "22", true},
    {"DNP3_PORTS", "20000", true},
    {"MODBUS_PORTS", "502", true},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]", true},
    {"FTP_PORTS", "21", true},
    {"GENEVE_PORTS", "6081", true},
    {"VXLAN_PORTS", "4789", true},
    {"TEREDO_PORTS", "3544", true},
};

const char *sn_rule_default_var(const char *name, bool port)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(default_vars); i++)
        if (default_vars[i].port == port && strcmp(default_vars[i].name, name) == 0)
            return default_vars[i].value;
    return NULL;
}

/* One list being built. */
struct lp {
    bool port;
    const struct cs_cfg *vars;
    struct cs_err *err;
    const char *top; /* the top-level spec, for columns */
    void *v;         /* struct sn_addr_range[] or struct sn_port_range[] */
    uint32_t n, cap;
    bool any;
};

static int lp_err(struct lp *p, const char *at, const char *fmt, const char *arg)
{
    int col = 0;
    if (at && at >= p->top && at <= p->top + strlen(p->top))
        col = (int)(at - p->top) + 1;
    cs_err_set(p->err, CS_EINVAL, 0, col, fmt, arg);
    return CS_EINVAL;
}

static int lp_push(struct lp *p, const void *item)
{
    size_t el = p->port ? sizeof(struct sn_port_range) : sizeof(struct sn_addr_range);
    if (p->n == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 4;
        void *nv = cs_realloc(p->v, nc * el);
        if (!nv) {
            cs_err_set(p->err, CS_ENOMEM, 0, 0, "out of memory");
            return CS_ENOMEM;
        }
        p->v = nv;
        p->cap = nc;
    }
    memcpy((char *)p->v + p->n * el, item, el);
    p->n++;
    return CS_OK;
}

static bool parse_port_num(const char *s, size_t n, uint16_t *out)
{
    uint32_t v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static int leaf_port(struct lp *p, const char *s, size_t n, bool neg)
{
    struct sn_port_range r = {.lo = 0, .hi = 65535, .negated = neg};
    const char *colon = memchr(s, ':', n);
    char tmp[64];

    snprintf(tmp, sizeof(tmp), "%.*s", (int)CS_MIN(n, 60), s);
    if (!colon) {
        if (!parse_port_num(s, n, &r.lo))
            return lp_err(p, s, "invalid port '%s'", tmp);
        r.hi = r.lo;
    } else {
        size_t a = (size_t)(colon - s), b = n - a - 1;
        if (a == 0 && b == 0)
            return lp_err(p, s, "invalid port range '%s'", tmp);
        if (a && !parse_port_num(s, a, &r.lo))
            return lp_err(p, s, "invalid port range '%s'", tmp);
        if (b && !parse_port_num(colon + 1, b, &r.hi))
            return lp_err(p, s, "invalid port range '%s'", tmp);
        if (r.lo > r.hi)
            return lp_err(p, s, "port range '%s' is reversed", tmp);
    }
    return lp_push(p, &r);
}

static bool parse_ip(const char *s, struct sn_addr *a, uint8_t *family)
{
    memset(a, 0, sizeof(*a));
    if (strchr(s, ':')) {
        *family = 6;
        return inet_pton(AF_INET6, s, a->u8) == 1;
    }
    *family = 4;
    return inet_pton(AF_INET, s, a->u8) == 1;
}

static void apply_prefix(struct sn_addr_range *r, unsigned bits)
{
    unsigned total = r->family == 4 ? 32 : 128;
    for (unsigned i = 0; i < total / 8; i++) {
        unsigned keep = bits >= (i + 1) * 8 ? 8 : (bits > i * 8 ? bits - i * 8 : 0);
        uint8_t mask = keep ? (uint8_t)(0xffu << (8 - keep)) : 0;
        r->lo.u8[i] &= mask;
        r->hi.u8[i] = (uint8_t)(r->lo.u8[i] | (uint8_t)~mask);
    }
}

static int cmp_addr(const struct sn_addr *a, const struct sn_addr *b)
{
    return memcmp(a->u8, b->u8, 16);
}

static int leaf_addr(struct lp *p, const char *s, size_t n, bool neg)
{
    struct sn_addr_range r = {.negated = neg};
    char tmp[128], *slash, *dash;
    uint8_t fam2;

    if (n >= sizeof(tmp))
        return lp_err(p, s, "address too long", "");
    memcpy(tmp, s, n);
    tmp[n] = 0;
    slash = strchr(tmp, '/');
    dash = strchr(tmp, '-');
    if (slash) {
        char *end;
        unsigned long bits;
        *slash = 0;
        if (!parse_ip(tmp, &r.lo, &r.family))
            return lp_err(p, s, "invalid address '%s'", tmp);
        if (r.family == 4 && strchr(slash + 1, '.')) {
            struct sn_addr m;
            uint32_t mv;
            if (!parse_ip(slash + 1, &m, &fam2) || fam2 != 4)
                return lp_err(p, slash + 1 - tmp + s, "invalid netmask '%s'", slash + 1);
            mv = cs_get_be32(m.u8);
            if (mv & ~(0xffffffffu << (32 - __builtin_popcount(mv))) && mv != 0xffffffffu)
                return lp_err(p, slash + 1 - tmp + s, "non-contiguous netmask '%s'", slash + 1);
            bits = (unsigned long)__builtin_popcount(mv);
        } else {
            if (!isdigit((unsigned char)slash[1]))
                return lp_err(p, slash + 1 - tmp + s, "invalid prefix length '%s'", slash + 1);
            bits = strtoul(slash + 1, &end, 10);
            if (*end || bits > (r.family == 4 ? 32u : 128u))
                return lp_err(p, slash + 1 - tmp + s, "invalid prefix length '%s'", slash + 1);
        }
        r.hi = r.lo;
        apply_prefix(&r, (unsigned)bits);
    } else if (dash) {
        *dash = 0;
        if (!parse_ip(tmp, &r.lo, &r.family))
            return lp_err(p, s, "invalid address '%s'", tmp);
        if (!parse_ip(dash + 1, &r.hi, &fam2) || fam2 != r.family)
            return lp_err(p, dash + 1 - tmp + s, "invalid address '%s'", dash + 1);
        if (cmp_addr(&r.lo, &r.hi) > 0)
            return lp_err(p, s, "address range '%s' is reversed", s[0] ? tmp : "");
    } else {
        if (!parse_ip(tmp, &r.lo, &r.family))
            return lp_err(p, s, "invalid address '%s'", tmp);
        r.hi = r.lo;
    }
    return lp_push(p, &r);
}

static int parse_spec(struct lp *p, const char *s, size_t n, bool neg, int depth,
                      const char *colref);

static bool is_sp(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Parses one item starting at s[*i] (up to n), leaving *i after it. colref: where errors in
 * variable contents are reported (the $VAR in the top-level text). */
static int parse_item(struct lp *p, const char *s, size_t n, size_t *i, bool neg, int depth,
                      const char *colref)
{
    const char *at;
    int rc;

    while (*i < n && is_sp(s[*i]))
        (*i)++;
    if (*i >= n)
        return lp_err(p, colref ? colref : s + *i, "empty %s", p->port ? "port" : "address");
    at = colref ? colref : s + *i;
    if (s[*i] == '!') {
        (*i)++;
        return parse_item(p, s, n, i, !neg, depth, colref);
    }
    if (s[*i] == '[') {
        (*i)++;
        for (;;) {
            rc = parse_item(p, s, n, i, neg, depth, colref);
            if (rc != CS_OK)
                return rc;
            while (*i < n && is_sp(s[*i]))
                (*i)++;
            if (*i < n && s[*i] == ',') {
                (*i)++;
                continue;
            }
            if (*i < n && s[*i] == ']') {
                (*i)++;
                return CS_OK;
            }
            return lp_err(p, colref ? colref : s + *i, "unterminated list: missing '%s'", "]");
        }
    }
    /* a leaf or a variable: up to ',' or ']' */
    size_t start = *i, end;
    while (*i < n && s[*i] != ',' && s[*i] != ']' && s[*i] != '[')
        (*i)++;
    end = *i;
    while (end > start && is_sp(s[end - 1]))
        end--;
    if (end == start)
        return lp_err(p, at, "empty %s", p->port ? "port" : "address");
    if (*i < n && s[*i] == '[')
        return lp_err(p, colref ? colref : s + *i, "unexpected '%s'", "[");
    if (s[start] == '$') {
        char name[128], key[192];
        const char *val = NULL;
        size_t ln = end - start - 1;
        if (ln == 0 || ln >= sizeof(name))
            return lp_err(p, at, "invalid variable name%s", "");
        memcpy(name, s + start + 1, ln);
        name[ln] = 0;
        for (size_t k = 0; k < ln; k++)
            if (!isalnum((unsigned char)name[k]) && name[k] != '_' && name[k] != '-')
                return lp_err(p, at, "invalid variable name '$%s'", name);
        if (depth >= SN_RULE_VAR_DEPTH)
            return lp_err(p, at, "variable '$%s' nests too deeply (a loop?)", name);
        snprintf(key, sizeof(key), "vars.%s.%s", p->port ? "port-groups" : "address-groups", name);
        if (!p->vars || !cs_cfg_get_str(p->vars, key, &val))
            val = sn_rule_default_var(name, p->port);
        if (!val)
            return lp_err(p, at, "undefined variable '$%s'", name);
        return parse_spec(p, val, strlen(val), neg, depth + 1, at);
    }
    if (end - start == 3 && strncasecmp(s + start, "any", 3) == 0) {
        if (neg)
            return lp_err(p, at, "'%s' cannot be negated", "any");
        p->any = true;
        return CS_OK;
    }
    return p->port ? leaf_port(p, s + start, end - start, neg)
                   : leaf_addr(p, s + start, end - start, neg);
}

static int parse_spec(struct lp *p, const char *s, size_t n, bool neg, int depth,
                      const char *colref)
{
    size_t i = 0;
    int rc = parse_item(p, s, n, &i, neg, depth, colref);
    if (rc != CS_OK)
        return rc;
    while (i < n && is_sp(s[i]))
        i++;
    if (i < n)
        return lp_err(p, colref ? colref : s + i, "unexpected '%s'",
                      s[i] == ']' ? "]" : (s[i] == ',' ? "," : "text"));
    return CS_OK;
}

/* Whether every positive entry is cancelled by a negated one (Suricata rejects such
 * lists: they can never match). */
static bool addr_all_negated(const struct sn_addr_range *r, uint32_t n, bool any)
{
    bool pos = false;
    if (any)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bool covered = false;
        if (r[i].negated)
            continue;
        pos = true;
        for (uint32_t j = 0; j < n && !covered; j++)
            covered = r[j].negated && r[j].family == r[i].family &&
                      cmp_addr(&r[j].lo, &r[i].lo) <= 0 && cmp_addr(&r[j].hi, &r[i].hi) >= 0;
        if (!covered)
            return false;
    }
    return pos;
}

static bool port_all_negated(const struct sn_port_range *r, uint32_t n, bool any)
{
    bool pos = false;
    if (any)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bool covered = false;
        if (r[i].negated)
            continue;
        pos = true;
        for (uint32_t j = 0; j < n && !covered; j++)
            covered = r[j].negated && r[j].lo <= r[i].lo && r[j].hi >= r[i].hi;
        if (!covered)
            return false;
    }
    return pos;
}

int sn_addr_list_parse(const char *spec, const struct cs_cfg *vars, struct sn_addr_list *out,
                       struct cs_err *err)
{
    struct lp p = {.port = false, .vars = vars, .err = err, .top = spec};
    int rc = parse_spec(&p, spec, strlen(spec), false, 0, NULL);
    if (rc == CS_OK && addr_all_negated(p.v, p.n, p.any))
        rc = lp_err(&p, spec, "address list '%s' negates all of its addresses", spec);
    if (rc != CS_OK) {
        cs_free(p.v);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->r = p.v;
    out->n = p.n;
    out->any = p.any || p.n == 0;
    return CS_OK;
}

int sn_port_list_parse(const char *spec, const struct cs_cfg *vars, struct sn_port_list *out,
                       struct cs_err *err)
{
    struct lp p = {.port = true, .vars = vars, .err = err, .top = spec};
    int rc = parse_spec(&p, spec, strlen(spec), false, 0, NULL);
    if (rc == CS_OK && port_all_negated(p.v, p.n, p.any))
        rc = lp_err(&p, spec, "port list '%s' negates all of its ports", spec);
    if (rc != CS_OK) {
        cs_free(p.v);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->r = p.v;
    out->n = p.n;
    out->any = p.any || p.n == 0;
    return CS_OK;
}

void sn_addr_list_free(struct sn_addr_list *l)
{
    if (!l)
        return;
    cs_free(l->r);
    memset(l, 0, sizeof(*l));
}

void sn_port_list_free(struct sn_port_list *l)
{
    if (!l)
        return;
    cs_free(l->r);
    memset(l, 0, sizeof(*l));
}

bool sn_addr_list_match(const struct sn_addr_list *l, const struct sn_addr *a, int family)
{
    bool pos_seen = false, pos_hit = false;
    for (uint32_t i = 0; i < l->n; i++) {
        const struct sn_addr_range *r = &l->r[i];
        bool in = r->family == family && cmp_addr(&r->lo, a) <= 0 && cmp_addr(a, &r->hi) <= 0;
        if (r->negated) {
            if (in)
                return false;
        } else {
            pos_seen = true;
            pos_hit = pos_hit || in;
        }
    }
    return l->any || !pos_seen || pos_hit;
}

bool sn_port_list_match(const struct sn_port_list *l, uint16_t port)
{
    bool pos_seen = false, pos_hit = false;
    for (uint32_t i = 0; i < l->n; i++) {
        const struct sn_port_range *r = &l->r[i];
        bool in = r->lo <= port && port <= r->hi;
        if (r->negated) {
            if (in)
                return false;
        } else {
            pos_seen = true;
            pos_hit = pos_hit || in;
        }
    }
    return l->any || !pos_seen || pos_hit;
}
