/* rule.c — the rule-language parser: header, then the option list dispatched to the
 * keyword descriptors of the registry. */
#include "kw_content.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
    const char *name;
    enum sn_action act;
} actions[] = {
    {"alert", SN_ACT_ALERT},
    {"pass", SN_ACT_PASS},
    {"drop", SN_ACT_DROP},
    {"reject", SN_ACT_REJECT},
    {"rejectsrc", SN_ACT_REJECTSRC},
    {"rejectdst", SN_ACT_REJECTDST},
    {"rejectboth", SN_ACT_REJECTBOTH},
};

const char *sn_action_name(enum sn_action a)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(actions); i++)
        if (actions[i].act == a)
            return actions[i].name;
    return "?";
}

int sn_action_order(enum sn_action a)
{
    switch (a) {
    case SN_ACT_PASS:
        return 0;
    case SN_ACT_DROP:
        return 1;
    case SN_ACT_REJECT:
    case SN_ACT_REJECTSRC:
    case SN_ACT_REJECTDST:
    case SN_ACT_REJECTBOTH:
        return 2;
    case SN_ACT_ALERT:
        break;
    }
    return 3;
}

/* Rule protocols: name, transport, IP version, flags, app-layer protocol. */
static const struct sn_rule_proto protos[] = {
    {"ip", SN_L4_ANY, 0, 0, NULL},
    {"ipv4", SN_L4_ANY, 4, 0, NULL},
    {"ip4", SN_L4_ANY, 4, 0, NULL},
    {"ipv6", SN_L4_ANY, 6, 0, NULL},
    {"ip6", SN_L4_ANY, 6, 0, NULL},
    {"pkthdr", SN_L4_ANY, 0, 0, NULL},
    {"tcp", SN_L4_TCP, 0, 0, NULL},
    {"tcp-pkt", SN_L4_TCP, 0, SN_RULE_PROTO_TCP_PKT, NULL},
    {"tcp-stream", SN_L4_TCP, 0, SN_RULE_PROTO_TCP_STREAM, NULL},
    {"udp", SN_L4_UDP, 0, 0, NULL},
    {"icmp", SN_L4_ICMP, 0, 0, NULL},
    {"icmpv4", SN_L4_ICMPV4, 4, 0, NULL},
    {"icmpv6", SN_L4_ICMPV6, 6, 0, NULL},
    {"sctp", SN_L4_SCTP, 0, 0, NULL},
    {"http", SN_L4_TCP, 0, 0, "http"},
    {"http1", SN_L4_TCP, 0, 0, "http"},
    {"http2", SN_L4_TCP, 0, 0, "http2"},
    {"ftp", SN_L4_TCP, 0, 0, "ftp"},
    {"ftp-data", SN_L4_TCP, 0, 0, "ftp-data"},
    {"smtp", SN_L4_TCP, 0, 0, "smtp"},
    {"imap", SN_L4_TCP, 0, 0, "imap"},
    {"pop3", SN_L4_TCP, 0, 0, "pop3"},
    {"tls", SN_L4_TCP, 0, 0, "tls"},
    {"ssh", SN_L4_TCP, 0, 0, "ssh"},
    {"smb", SN_L4_TCP, 0, 0, "smb"},
    {"dcerpc", SN_L4_ANY, 0, 0, "dcerpc"},
    {"dns", SN_L4_ANY, 0, 0, "dns"},
    {"modbus", SN_L4_TCP, 0, 0, "modbus"},
    {"dnp3", SN_L4_ANY, 0, 0, "dnp3"}, /* TCP and UDP */
    {"iec104", SN_L4_TCP, 0, 0, "iec104"},
    {"s7comm", SN_L4_TCP, 0, 0, "s7comm"},
    {"enip", SN_L4_ANY, 0, 0, "enip"},
    {"nfs", SN_L4_ANY, 0, 0, "nfs"},
    {"ntp", SN_L4_UDP, 0, 0, "ntp"},
    {"tftp", SN_L4_UDP, 0, 0, "tftp"},
    {"ike", SN_L4_UDP, 0, 0, "ike"},
    {"ikev2", SN_L4_UDP, 0, 0, "ike"},
    {"krb5", SN_L4_ANY, 0, 0, "krb5"},
    {"dhcp", SN_L4_UDP, 0, 0, "dhcp"},
    {"snmp", SN_L4_UDP, 0, 0, "snmp"},
    {"sip", SN_L4_ANY, 0, 0, "sip"},
    {"rfb", SN_L4_TCP, 0, 0, "rfb"},
    {"mqtt", SN_L4_TCP, 0, 0, "mqtt"},
    {"rdp", SN_L4_TCP, 0, 0, "rdp"},
    {"pgsql", SN_L4_TCP, 0, 0, "pgsql"},
    {"telnet", SN_L4_TCP, 0, 0, "telnet"},
    {"quic", SN_L4_UDP, 0, 0, "quic"},
    {"bittorrent-dht", SN_L4_UDP, 0, 0, "bittorrent-dht"},
    {"websocket", SN_L4_TCP, 0, 0, "websocket"},
    {"ldap", SN_L4_ANY, 0, 0, "ldap"},
    {"iec104", SN_L4_TCP, 0, 0, "iec104"},
    {"s7comm", SN_L4_TCP, 0, 0, "s7comm"},
    {"bacnet", SN_L4_UDP, 0, 0, "bacnet"},
};

const char *sn_buf_name(int buf)
{
    static const char *const names[] = {
        "pkt",
#define BUF(id, name, modifier, legacy, proto, desc) name,
#include "buffers.def"
#undef BUF
    };
    return buf >= 0 && buf < SN_BUF_MAX ? names[buf] : "?";
}

const char *sn_buf_proto(int buf)
{
    static const char *const protos_of[] = {
        NULL,
#define BUF(id, name, modifier, legacy, proto, desc) proto,
#include "buffers.def"
#undef BUF
    };
    return buf >= 0 && buf < SN_BUF_MAX ? protos_of[buf] : NULL;
}

void sn_rule_free(struct sn_rule *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nkw; i++)
        if (r->kw[i].kw && r->kw[i].kw->free && r->kw[i].data)
            r->kw[i].kw->free(r->kw[i].data);
    cs_free(r->kw);
    sn_addr_list_free(&r->src);
    sn_addr_list_free(&r->dst);
    sn_port_list_free(&r->sp);
    sn_port_list_free(&r->dp);
    cs_free(r->msg);
    cs_free(r->classtype);
    cs_free(r->class_desc);
    for (uint32_t i = 0; i < r->nrefs; i++) {
        cs_free(r->refs[i].system);
        cs_free(r->refs[i].id);
    }
    cs_free(r->refs);
    for (uint32_t i = 0; i < r->nmeta; i++) {
        cs_free(r->meta[i].key);
        cs_free(r->meta[i].value);
    }
    cs_free(r->meta);
    for (uint32_t i = 0; i < r->nvars; i++)
        cs_free(r->vars[i]);
    cs_free(r->vars);
    cs_free(r->text);
    cs_free(r);
}

int sn_rule_find_kw(const struct sn_rule *r, const char *name, uint32_t from)
{
    for (uint32_t i = from; i < r->nkw; i++)
        if (strcmp(r->kw[i].kw->name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- header ------------------------------------------------------------------------------ */

struct tok {
    const char *s;
    size_t n;
    int col;
};

/* Next whitespace-separated token from text[*i]; brackets group (lists may hold spaces). */
static bool next_tok(const char *t, size_t len, size_t *i, struct tok *out)
{
    int depth = 0;
    while (*i < len && isspace((unsigned char)t[*i]))
        (*i)++;
    if (*i >= len || t[*i] == '(')
        return false;
    out->s = t + *i;
    out->col = (int)*i + 1;
    while (*i < len) {
        char ch = t[*i];
        if (ch == '[')
            depth++;
        else if (ch == ']')
            depth--;
        else if (depth <= 0 && (isspace((unsigned char)ch) || ch == '('))
            break;
        (*i)++;
    }
    out->n = (size_t)(t + *i - out->s);
    return true;
}

static bool tok_is(const struct tok *k, const char *s)
{
    return strlen(s) == k->n && strncmp(k->s, s, k->n) == 0;
}

static int header_list(struct sn_rule *r, const struct tok *k, bool port,
                       const struct sn_rule_env *env, void *out, struct cs_err *err)
{
    char buf[4096];
    int rc;
    if (k->n >= sizeof(buf)) {
        cs_err_set(err, CS_EINVAL, 0, k->col, "%s list too long", port ? "port" : "address");
        return CS_EINVAL;
    }
    memcpy(buf, k->s, k->n);
    buf[k->n] = 0;
    (void)r;
    rc = port ? sn_port_list_parse(buf, env ? env->vars : NULL, out, err)
              : sn_addr_list_parse(buf, env ? env->vars : NULL, out, err);
    if (rc != CS_OK)
        err->col = k->col + (err->col > 0 ? err->col - 1 : 0);
    return rc;
}

static int parse_header(struct sn_rule *r, const char *t, size_t len, size_t *i,
                        const struct sn_rule_env *env, struct cs_err *err)
{
    struct tok k[7];
    static const char *const what[] = {"action",          "protocol",  "source address",
                                       "source port",     "direction", "destination address",
                                       "destination port"};
    size_t a;
    int rc;

    for (int n = 0; n < 7; n++) {
        if (!next_tok(t, len, i, &k[n])) {
            cs_err_set(err, CS_EINVAL, 0, (int)CS_MIN(*i, len) + 1, "missing %s in rule header",
                       what[n]);
            return CS_EINVAL;
        }
    }
    for (a = 0; a < CS_ARRAY_LEN(actions); a++)
        if (tok_is(&k[0], actions[a].name))
            break;
    if (a == CS_ARRAY_LEN(actions)) {
        cs_err_set(err, CS_EINVAL, 0, k[0].col, "unknown action '%.*s'", (int)CS_MIN(k[0].n, 64),
                   k[0].s);
        return CS_EINVAL;
    }
    r->action = actions[a].act;
    for (a = 0; a < CS_ARRAY_LEN(protos); a++)
        if (k[1].n == strlen(protos[a].name) && strncasecmp(k[1].s, protos[a].name, k[1].n) == 0)
            break;
    if (a == CS_ARRAY_LEN(protos)) {
        cs_err_set(err, SN_RULE_EUNSUPPORTED, 0, k[1].col, "unsupported protocol '%.*s'",
                   (int)CS_MIN(k[1].n, 64), k[1].s);
        return SN_RULE_EUNSUPPORTED;
    }
    r->proto = protos[a];
    if (tok_is(&k[4], "<>")) {
        r->flags |= SN_RULE_BIDIR;
    } else if (tok_is(&k[4], "=>")) {
        r->flags |= SN_RULE_TXBOTH;
    } else if (tok_is(&k[4], "<-")) {
        cs_err_set(err, CS_EINVAL, 0, k[4].col,
                   "direction '<-' is not allowed: swap the "
                   "addresses and use '->'");
        return CS_EINVAL;
    } else if (!tok_is(&k[4], "->")) {
        cs_err_set(err, CS_EINVAL, 0, k[4].col, "invalid direction '%.*s'", (int)CS_MIN(k[4].n, 64),
                   k[4].s);
        return CS_EINVAL;
    }
    if ((rc = header_list(r, &k[2], false, env, &r->src, err)) != CS_OK ||
        (rc = header_list(r, &k[3], true, env, &r->sp, err)) != CS_OK ||
        (rc = header_list(r, &k[5], false, env, &r->dst, err)) != CS_OK ||
        (rc = header_list(r, &k[6], true, env, &r->dp, err)) != CS_OK)
        return rc;
    while (*i < len && isspace((unsigned char)t[*i]))
        (*i)++;
    if (*i >= len || t[*i] != '(') {
        cs_err_set(err, CS_EINVAL, 0, (int)CS_MIN(*i, len) + 1,
                   *i >= len ? "missing '(' after rule header"
                             : "unexpected text after rule "
                               "header (expected '(')");
        return CS_EINVAL;
    }
    (*i)++;
    return CS_OK;
}

/* ---- transactional rules (=>) --------------------------------------------------------------- */

/* The side of a transaction a buffer exists on: SN_TOSERVER, SN_TOCLIENT, or -1 for both
 * (http.header, file.data, tls.alpn…: the message of the direction inspected). */
static int buf_side(int buf)
{
    switch (buf) {
    case SN_BUF_HTTP_URI:
    case SN_BUF_HTTP_URI_RAW:
    case SN_BUF_HTTP_METHOD:
    case SN_BUF_HTTP_REQUEST_LINE:
    case SN_BUF_HTTP_HOST:
    case SN_BUF_HTTP_HOST_RAW:
    case SN_BUF_HTTP_USER_AGENT:
    case SN_BUF_HTTP_ACCEPT:
    case SN_BUF_HTTP_ACCEPT_ENC:
    case SN_BUF_HTTP_ACCEPT_LANG:
    case SN_BUF_HTTP_REFERER:
    case SN_BUF_HTTP_REQUEST_BODY:
    case SN_BUF_HTTP_REQUEST_HEADER:
    case SN_BUF_DNS_QUERY:
    case SN_BUF_TLS_SNI:
    case SN_BUF_JA3_HASH:
    case SN_BUF_JA3_STRING:
    case SN_BUF_JA4_HASH:
    case SN_BUF_SSH_HASSH:
    case SN_BUF_SSH_HASSH_STRING:
    case SN_BUF_SMTP_HELO:
    case SN_BUF_SMTP_MAIL_FROM:
    case SN_BUF_SMTP_RCPT_TO:
    case SN_BUF_FTP_COMMAND:
    case SN_BUF_FTP_COMMAND_DATA:
    case SN_BUF_SIP_METHOD:
    case SN_BUF_SIP_URI:
    case SN_BUF_QUIC_SNI:
        return SN_TOSERVER;
    case SN_BUF_HTTP_STAT_CODE:
    case SN_BUF_HTTP_STAT_MSG:
    case SN_BUF_HTTP_RESPONSE_LINE:
    case SN_BUF_HTTP_LOCATION:
    case SN_BUF_HTTP_SERVER:
    case SN_BUF_HTTP_RESPONSE_BODY:
    case SN_BUF_HTTP_RESPONSE_HEADER:
    case SN_BUF_DNS_ANSWER_NAME:
    case SN_BUF_TLS_CERT_SUBJECT:
    case SN_BUF_TLS_CERT_ISSUER:
    case SN_BUF_TLS_CERT_SERIAL:
    case SN_BUF_TLS_CERT_FINGERPRINT:
    case SN_BUF_TLS_CERTS:
    case SN_BUF_TLS_CERT_CHAIN_LEN:
    case SN_BUF_JA3S_HASH:
    case SN_BUF_JA3S_STRING:
    case SN_BUF_SSH_HASSH_SERVER:
    case SN_BUF_SSH_HASSH_SERVER_STRING:
        return SN_TOCLIENT;
    default:
        return -1;
    }
}

/* A '=>' rule: gives every keyword the side of the transaction it inspects and checks the rule
 * can be one. A buffer of one side is inspected there; a buffer of both sides (and a keyword
 * without a buffer) on the side of the last one-sided buffer before it, the request when none.
 * The rule must belong to an app-layer protocol (no transaction without one), must not
 * inspect the packet payload (a packet has one direction) and must have keywords of both
 * sides (else it is a '->' rule). */
static int txboth_check(struct sn_rule *r, struct cs_err *err, int col)
{
    const char *app = r->proto.app;
    bool side[2] = {false, false};
    int cur = SN_TOSERVER;

    for (uint32_t i = 0; i < r->nkw; i++) {
        struct sn_kw_inst *in = &r->kw[i];
        int s = buf_side(in->buffer);
        if (!app)
            app = sn_buf_proto(in->buffer);
        if (in->buffer == SN_BUF_PKT && (in->kw->flags & SN_KW_PAYLOAD)) {
            cs_err_set(err, CS_EINVAL, 0, in->col,
                       "'%s' on the packet payload in a '=>' rule: use a buffer of the "
                       "request or the response",
                       in->kw->name);
            return CS_EINVAL;
        }
        if (s >= 0)
            cur = s;
        in->dir = cur;
        if (in->buffer != SN_BUF_PKT)
            side[cur] = true;
    }
    if (!app) {
        cs_err_set(err, CS_EINVAL, 0, col,
                   "direction '=>' needs an app-layer protocol (a transaction)");
        return CS_EINVAL;
    }
    if (!side[SN_TOSERVER] || !side[SN_TOCLIENT]) {
        cs_err_set(err, CS_EINVAL, 0, col,
                   "a '=>' rule needs buffers of both the request and the response");
        return CS_EINVAL;
    }
    return CS_OK;
}

/* ---- options ------------------------------------------------------------------------------ */

static bool key_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

static bool protos_compatible(const char *rule_app, const char *buf_app)
{
    if (!rule_app || !buf_app || strcmp(rule_app, buf_app) == 0)
        return true;
    if (strncmp(rule_app, "http", 4) == 0 && strncmp(buf_app, "http", 4) == 0)
        return true;
    if (strcmp(rule_app, "smb") == 0 && strcmp(buf_app, "dcerpc") == 0)
        return true;
    return false;
}

static int use_buffer(struct sn_kw_ctx *c, int buf)
{
    const char *app = sn_buf_proto(buf);
    if (!protos_compatible(c->rule->proto.app, app))
        return sn_kw_error(c, "buffer '%s' cannot be used in a '%s' rule", sn_buf_name(buf),
                           c->rule->proto.name);
    return CS_OK;
}

static int dispatch(struct sn_kw_ctx *c, const char *key, size_t keylen, const char *val)
{
    const struct sn_kw *kw = sn_kw_lookup(key, keylen);
    struct sn_kw_inst *last;

    if (!kw) {
        cs_err_set(c->err, SN_RULE_EUNSUPPORTED, 0, c->col, "unsupported keyword '%.*s'",
                   (int)CS_MIN(keylen, 64), key);
        return SN_RULE_EUNSUPPORTED;
    }
    c->kw = kw;
    if ((kw->flags & SN_KW_NOOPT) && val)
        return sn_kw_error(c, "'%s' takes no value", kw->name);
    if ((kw->flags & SN_KW_NEEDS_OPT) && (!val || !*val))
        return sn_kw_error(c, "'%s' needs a value", kw->name);
    if (kw->flags & SN_KW_STICKY) {
        if (use_buffer(c, kw->buffer) != CS_OK)
            return CS_EINVAL;
        c->buffer = kw->buffer;
        return kw->setup ? kw->setup(c, val) : CS_OK;
    }
    if (kw->flags & SN_KW_MODIFIER) {
        last = sn_content_last(c->rule);
        if (!last)
            return sn_kw_error(c, "'%s' needs a preceding content", kw->name);
        if (last->buffer != SN_BUF_PKT && last->buffer != kw->buffer)
            return sn_kw_error(c, "'%s' applied to a content already in buffer '%s'", kw->name,
                               sn_buf_name(last->buffer));
        if (use_buffer(c, kw->buffer) != CS_OK)
            return CS_EINVAL;
        last->buffer = kw->buffer;
        return CS_OK;
    }
    return kw->setup(c, val);
}

int sn_rule_parse(const char *t, size_t len, const struct sn_rule_env *env, struct sn_rule **out,
                  struct cs_err *err)
{
    struct sn_rule *r;
    struct sn_kw_ctx c = {0};
    size_t i = 0;
    int rc;
    char *val = NULL;
    size_t valcap = 0;
    int open_col;

    *out = NULL;
    err->code = CS_OK;
    err->msg[0] = 0;
    err->col = 0;
    while (len > 0 && isspace((unsigned char)t[len - 1]))
        len--;
    r = cs_calloc(1, sizeof(*r));
    if (!r) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    r->gid = 1;
    r->priority = 3;
    rc = parse_header(r, t, len, &i, env, err);
    if (rc != CS_OK)
        goto out_free;
    open_col = (int)i;

    c.rule = r;
    c.env = env;
    c.buffer = SN_BUF_PKT;
    c.err = err;
    for (;;) {
        size_t ks, ke, vs, ve;
        bool has_val = false;

        while (i < len && isspace((unsigned char)t[i]))
            i++;
        if (i >= len) {
            cs_err_set(err, CS_EINVAL, 0, (int)len + 1, "missing ')' at the end of the rule");
            rc = CS_EINVAL;
            goto out_free;
        }
        if (t[i] == ')') {
            i++;
            break;
        }
        ks = i;
        c.col = (int)i + 1;
        while (i < len && key_char(t[i]))
            i++;
        ke = i;
        if (ke == ks) {
            cs_err_set(err, CS_EINVAL, 0, c.col, "expected a keyword, found '%c'", t[i]);
            rc = CS_EINVAL;
            goto out_free;
        }
        while (i < len && isspace((unsigned char)t[i]))
            i++;
        if (i < len && t[i] == ':') {
            i++;
            has_val = true;
            while (i < len && isspace((unsigned char)t[i]))
                i++;
            vs = i;
            while (i < len && t[i] != ';') {
                if (t[i] == '\\' && i + 1 < len)
                    i++;
                i++;
            }
            ve = i;
            while (ve > vs && isspace((unsigned char)t[ve - 1]))
                ve--;
        } else {
            vs = ve = i;
        }
        if (i >= len || t[i] != ';') {
            cs_err_set(err, CS_EINVAL, 0, c.col, "option '%.*s' is not terminated by ';'",
                       (int)CS_MIN(ke - ks, 64), t + ks);
            rc = CS_EINVAL;
            goto out_free;
        }
        i++;
        if (has_val) {
            if (ve - vs + 1 > valcap) {
                char *nv = cs_realloc(val, ve - vs + 64);
                if (!nv) {
                    cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
                    rc = CS_ENOMEM;
                    goto out_free;
                }
                val = nv;
                valcap = ve - vs + 64;
            }
            memcpy(val, t + vs, ve - vs);
            val[ve - vs] = 0;
        }
        rc = dispatch(&c, t + ks, ke - ks, has_val ? val : NULL);
        if (rc != CS_OK) {
            if (!err->col)
                err->col = c.col;
            if (!err->msg[0])
                cs_err_set(err, rc, 0, c.col, "invalid option '%.*s'", (int)CS_MIN(ke - ks, 64),
                           t + ks);
            goto out_free;
        }
    }
    while (i < len && isspace((unsigned char)t[i]))
        i++;
    if (i < len) {
        cs_err_set(err, CS_EINVAL, 0, (int)i + 1, "unexpected text after ')'");
        rc = CS_EINVAL;
        goto out_free;
    }
    if (!(r->flags & SN_RULE_HAS_SID)) {
        cs_err_set(err, CS_EINVAL, 0, open_col, "rule has no sid");
        rc = CS_EINVAL;
        goto out_free;
    }
    if ((r->flags & SN_RULE_TXBOTH) && (rc = txboth_check(r, err, open_col)) != CS_OK)
        goto out_free;
    r->text = cs_calloc(1, len + 1);
    if (!r->text) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        rc = CS_ENOMEM;
        goto out_free;
    }
    memcpy(r->text, t, len);
    cs_free(val);
    *out = r;
    return CS_OK;

out_free:
    if (err->code == CS_OK)
        err->code = rc;
    cs_free(val);
    sn_rule_free(r);
    return rc;
}
