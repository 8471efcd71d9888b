/* zeek.c — Zeek logs → hub_event: ASCII TSV (with #separator/#fields/#types headers) and
 * JSON (LogAscii::use_json=T, with or without "_path").
 *
 * Both go through one table of mapped field names, so conn, dns, http, ssl and notice map the
 * same way whatever the writer. The log path (from #path or "_path") is the event_type; a
 * JSON line without "_path" takes the stream's zeek.path if set, else is guessed from the
 * fields it carries (query → dns, uri/method → http, server_name → ssl, note → notice,
 * conn_state/history → conn). Fields the model has no place for stay in the raw record. */
#include "norm_int.h"

#include <stdio.h>

enum zf {
    ZF_NONE = 0,
    ZF_TS,
    ZF_UID,
    ZF_ORIG_H,
    ZF_ORIG_P,
    ZF_RESP_H,
    ZF_RESP_P,
    ZF_PROTO,
    ZF_SERVICE,
    ZF_CID,
    ZF_NODE,
    ZF_QUERY,   /* dns */
    ZF_HOST,    /* http */
    ZF_URI,     /* http */
    ZF_SNI,     /* ssl */
    ZF_NOTE,    /* notice */
    ZF_MSG,     /* notice */
    ZF_ACTIONS, /* notice */
    ZF_SRC,     /* notice without a connection */
    ZF_DST,
    ZF_P,
};

static const struct {
    const char *name;
    const char *path; /* NULL: any log */
    enum zf f;
} zfields[] = {
    {"ts", NULL, ZF_TS},
    {"uid", NULL, ZF_UID},
    {"id.orig_h", NULL, ZF_ORIG_H},
    {"id.orig_p", NULL, ZF_ORIG_P},
    {"id.resp_h", NULL, ZF_RESP_H},
    {"id.resp_p", NULL, ZF_RESP_P},
    {"proto", NULL, ZF_PROTO},
    {"service", "conn", ZF_SERVICE},
    {"community_id", NULL, ZF_CID},
    {"_node_name", NULL, ZF_NODE},
    {"_node", NULL, ZF_NODE},
    {"_system_name", NULL, ZF_NODE},
    {"query", "dns", ZF_QUERY},
    {"host", "http", ZF_HOST},
    {"uri", "http", ZF_URI},
    {"server_name", "ssl", ZF_SNI},
    {"note", "notice", ZF_NOTE},
    {"msg", "notice", ZF_MSG},
    {"actions", "notice", ZF_ACTIONS},
    {"src", "notice", ZF_SRC},
    {"dst", "notice", ZF_DST},
    {"p", "notice", ZF_P},
};

static enum zf zfield(const char *name, size_t len, struct hub_str path)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(zfields); i++) {
        if (strlen(zfields[i].name) == len && memcmp(zfields[i].name, name, len) == 0) {
            if (zfields[i].path && !hub_str_eq(path, zfields[i].path))
                return ZF_NONE;
            return zfields[i].f;
        }
    }
    return ZF_NONE;
}

struct zctx {
    struct hub_norm *n;
    struct cs_err *err;
    uint32_t lineno;
    int col;
};

static int zbad(struct zctx *c, const char *field, const char *what)
{
    return hub_norm_fail(c->n, c->err, c->lineno, CS_EINVAL, c->col, &c->n->c.err_field,
                         "field \"%s\": %s", field, what);
}

static int znomem(struct zctx *c)
{
    return hub_norm_fail(c->n, c->err, c->lineno, CS_ENOMEM, 0, &c->n->c.err_nomem,
                         "out of memory");
}

/* Maps one field whose value is the text v[0..vl) (already unescaped). */
static int zmap(struct zctx *c, struct hub_event *ev, enum zf f, const char *name,
                const char *v, size_t vl, bool json_number)
{
    struct hub_str *dst = NULL;
    uint64_t u;

    switch (f) {
    case ZF_TS:
        if ((json_number || memchr(v, 'T', vl) == NULL) ? hub_time_epoch(v, vl, &ev->ts) < 0
                                                         : hub_time_iso(v, vl, &ev->ts) < 0)
            return zbad(c, name, "not a time");
        return CS_OK;
    case ZF_ORIG_P:
    case ZF_RESP_P:
    case ZF_P:
        if (!hub_parse_u64(v, vl, 65535, &u))
            return zbad(c, name, "not a port");
        if (f == ZF_ORIG_P)
            ev->src_port = (uint16_t)u;
        else if (f == ZF_RESP_P || !ev->dest_port)
            ev->dest_port = (uint16_t)u;
        return CS_OK;
    case ZF_PROTO: {
        char up[16];
        if (vl >= sizeof(up))
            return zbad(c, name, "too long");
        for (size_t i = 0; i < vl; i++)
            up[i] = (v[i] >= 'a' && v[i] <= 'z') ? (char)(v[i] - 32) : v[i];
        return hub_norm_text(c->n, &ev->proto, up, vl) < 0 ? znomem(c) : CS_OK;
    }
    case ZF_ORIG_H:
    case ZF_SRC:
        if (f == ZF_SRC && ev->src_ip.p)
            return CS_OK;
        dst = &ev->src_ip;
        break;
    case ZF_RESP_H:
    case ZF_DST:
        if (f == ZF_DST && ev->dest_ip.p)
            return CS_OK;
        dst = &ev->dest_ip;
        break;
    case ZF_UID: dst = &ev->uid; break;
    case ZF_SERVICE: dst = &ev->app_proto; break;
    case ZF_CID: dst = &ev->community_id; break;
    case ZF_NODE: dst = &ev->sensor; break;
    case ZF_QUERY: dst = &ev->dns_rrname; break;
    case ZF_HOST: dst = &ev->http_hostname; break;
    case ZF_URI: dst = &ev->http_url; break;
    case ZF_SNI: dst = &ev->tls_sni; break;
    case ZF_NOTE: ev->alert.present = true; dst = &ev->alert.category; break;
    case ZF_MSG: ev->alert.present = true; dst = &ev->alert.signature; break;
    case ZF_ACTIONS: dst = &ev->alert.action; break;
    default: return CS_OK;
    }
    if (hub_norm_text(c->n, dst, v, vl) < 0)
        return znomem(c);
    if (dst == &ev->src_ip)
        hub_ip_parse(v, vl, &ev->src_addr);
    else if (dst == &ev->dest_ip)
        hub_ip_parse(v, vl, &ev->dest_addr);
    else if (f == ZF_MSG)
        ev->message = ev->alert.signature;
    return CS_OK;
}

/* Defaults once all fields are mapped: event_type = path, app_proto from the log. */
static int zfinish(struct zctx *c, struct hub_event *ev, struct hub_str path)
{
    static const struct {
        const char *path, *app;
    } apps[] = {{"dns", "dns"},       {"http", "http"},     {"ssl", "tls"},
                {"ssh", "ssh"},       {"modbus", "modbus"}, {"dnp3", "dnp3"},
                {"ftp", "ftp"},       {"smtp", "smtp"},     {"rdp", "rdp"},
                {"snmp", "snmp"},     {"ntp", "ntp"},       {"kerberos", "krb5"},
                {"syslog", "syslog"}, {"smb_files", "smb"}, {"smb_mapping", "smb"}};

    if (!path.p || !path.len)
        return hub_norm_fail(c->n, c->err, c->lineno, CS_EINVAL, 0, &c->n->c.err_format,
                             "unknown Zeek log (no #path or \"_path\")");
    ev->event_type = path;
    if (!ev->app_proto.p) {
        for (size_t i = 0; i < CS_ARRAY_LEN(apps); i++)
            if (hub_str_eq(path, apps[i].path)) {
                ev->app_proto.p = apps[i].app;
                ev->app_proto.len = (uint32_t)strlen(apps[i].app);
            }
    }
    return 1;
}

/* ---- TSV ---------------------------------------------------------------------------- */

/* Decodes Zeek's \xHH escapes of src into dst (capacity >= len); returns the length. */
static size_t zunescape(const char *s, size_t len, char *dst)
{
    size_t i, k = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 3 < len + 0 && s[i + 1] == 'x') {
            int h = 0, ok = 1;
            for (int j = 2; j < 4; j++) {
                char ch = s[i + j];
                h <<= 4;
                if (ch >= '0' && ch <= '9')
                    h |= ch - '0';
                else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
                    h |= (ch | 0x20) - 'a' + 10;
                else
                    ok = 0;
            }
            if (ok) {
                dst[k++] = (char)h;
                i += 3;
                continue;
            }
        }
        dst[k++] = s[i];
    }
    return k;
}

static char *zdup(const char *s, size_t n)
{
    char *p = cs_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Splits s[0..len) at sep into at most max parts; returns the count or -1 if more. */
static int zsplit(const char *s, size_t len, char sep, const char **part, size_t *plen, int max)
{
    int np = 0;
    size_t st = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == sep) {
            if (np == max)
                return -1;
            part[np] = s + st;
            plen[np] = i - st;
            np++;
            st = i + 1;
        }
    }
    return np;
}

static int zheader(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                   struct cs_err *err)
{
    const char *part[HUB_ZEEK_MAX_FIELDS + 1];
    size_t plen[HUB_ZEEK_MAX_FIELDS + 1];
    int np;

    if (len >= 11 && memcmp(line, "#separator ", 11) == 0) {
        char buf[8];
        size_t l = zunescape(line + 11, CS_MIN(len - 11, sizeof(buf)), buf);
        if (l != 1)
            return hub_norm_fail(n, err, lineno, CS_EINVAL, 12, &n->c.err_format,
                                 "#separator must be one byte");
        n->zeek.sep = buf[0];
        return 0;
    }
    np = zsplit(line, len, n->zeek.sep, part, plen, HUB_ZEEK_MAX_FIELDS + 1);
    if (np < 0)
        return hub_norm_fail(n, err, lineno, CS_ELIMIT, 0, &n->c.err_limit,
                             "more than %d Zeek fields", HUB_ZEEK_MAX_FIELDS);
    if (hub_ieq(part[0], plen[0], "#fields") || hub_ieq(part[0], plen[0], "#types")) {
        bool fields = plen[0] == 7;
        char **arr = fields ? n->zeek.fields : n->zeek.types;
        for (int i = 0; i < HUB_ZEEK_MAX_FIELDS; i++) {
            cs_free(arr[i]);
            arr[i] = NULL;
        }
        for (int i = 1; i < np; i++)
            if (!(arr[i - 1] = zdup(part[i], plen[i])))
                return hub_norm_fail(n, err, lineno, CS_ENOMEM, 0, &n->c.err_nomem,
                                     "out of memory");
        if (fields)
            n->zeek.nfields = np - 1;
        return 0;
    }
    char **slot = NULL;
    if (hub_ieq(part[0], plen[0], "#path"))
        slot = &n->zeek.path;
    else if (hub_ieq(part[0], plen[0], "#set_separator"))
        slot = &n->zeek.set_sep;
    else if (hub_ieq(part[0], plen[0], "#empty_field"))
        slot = &n->zeek.empty;
    else if (hub_ieq(part[0], plen[0], "#unset_field"))
        slot = &n->zeek.unset;
    if (slot && np >= 2) {
        cs_free(*slot);
        if (!(*slot = zdup(part[1], plen[1])))
            return hub_norm_fail(n, err, lineno, CS_ENOMEM, 0, &n->c.err_nomem,
                                 "out of memory");
    }
    return 0; /* #open, #close and other comments carry no event */
}

static struct hub_str cstr(const char *s)
{
    struct hub_str r = {s, s ? (uint32_t)strlen(s) : 0};
    return r;
}

static int zeek_tsv(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                    struct hub_event *ev, struct cs_err *err)
{
    const char *part[HUB_ZEEK_MAX_FIELDS + 1];
    size_t plen[HUB_ZEEK_MAX_FIELDS + 1];
    struct zctx c = {.n = n, .err = err, .lineno = lineno};
    const char *unset = n->zeek.unset ? n->zeek.unset : "-";
    const char *empty = n->zeek.empty ? n->zeek.empty : "(empty)";
    struct hub_str path = {0};
    char *tmp = NULL;
    int np, rc = CS_OK;

    if (line[0] == '#')
        return zheader(n, line, len, lineno, err);
    if (!n->zeek.nfields)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                             "Zeek data line before a #fields header");
    np = zsplit(line, len, n->zeek.sep, part, plen, HUB_ZEEK_MAX_FIELDS + 1);
    if (np != n->zeek.nfields)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 0, &n->c.err_format,
                             "%d fields where #fields has %d", np < 0 ? HUB_ZEEK_MAX_FIELDS + 1 : np,
                             n->zeek.nfields);
    if (n->zeek.path && (rc = hub_norm_text(n, &path, n->zeek.path, strlen(n->zeek.path))) < 0)
        return znomem(&c);
    for (int i = 0; i < np && rc == CS_OK; i++) {
        const char *name = n->zeek.fields[i];
        enum zf f = zfield(name, strlen(name), path);
        size_t vl;
        if (f == ZF_NONE)
            continue;
        if (strlen(unset) == plen[i] && memcmp(part[i], unset, plen[i]) == 0)
            continue;
        c.col = (int)(part[i] - line) + 1;
        if (strlen(empty) == plen[i] && memcmp(part[i], empty, plen[i]) == 0) {
            rc = zmap(&c, ev, f, name, "", 0, false);
            continue;
        }
        if (!(tmp = hub_arena_alloc(n->arena, plen[i] + 1)))
            return znomem(&c);
        vl = zunescape(part[i], plen[i], tmp);
        rc = zmap(&c, ev, f, name, tmp, vl, false);
    }
    if (rc < 0)
        return rc;
    (void)cstr;
    return zfinish(&c, ev, path);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static struct hub_str zguess(const struct hub_json_doc *d)
{
    static const struct {
        const char *key, *path;
    } g[] = {{"query", "dns"},         {"uri", "http"},  {"method", "http"},
             {"server_name", "ssl"},   {"note", "notice"}, {"conn_state", "conn"},
             {"history", "conn"}};
    for (size_t i = 0; i < CS_ARRAY_LEN(g); i++)
        if (hub_json_get(d, 0, g[i].key, strlen(g[i].key)))
            return cstr(g[i].path);
    return cstr(NULL);
}

static int zeek_json(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                     struct hub_event *ev, struct cs_err *err)
{
    struct hub_json_limits lim = {.max_len = n->max_line ? n->max_line : HUB_NORM_MAX_LINE,
                                  .max_depth = n->max_depth};
    struct hub_json_err je;
    struct zctx c = {.n = n, .err = err, .lineno = lineno};
    const struct hub_json_doc *d = &n->doc;
    struct hub_str path = {0}, key;
    char kbuf[64];
    uint32_t k, end, v;
    int rc = CS_OK;

    rc = hub_json_parse(&n->doc, line, len, &lim, &je);
    if (rc < 0)
        return hub_norm_fail(n, err, lineno, rc, (int)je.offset + 1,
                             rc == CS_ELIMIT ? &n->c.err_limit : &n->c.err_json, "%s", je.msg);
    if (d->toks[0].type != HUB_JSON_OBJECT)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                             "a Zeek JSON record must be an object");
    v = hub_json_get(d, 0, "_path", 5);
    if (v) {
        if (d->toks[v].type != HUB_JSON_STRING)
            return hub_norm_fail(n, err, lineno, CS_EINVAL, (int)d->toks[v].start + 1,
                                 &n->c.err_field, "\"_path\" must be a string");
        if (hub_norm_jstr(n, &path, v) < 0)
            return znomem(&c);
    } else if (n->zeek.path) {
        path = cstr(n->zeek.path);
    } else {
        path = zguess(d);
    }
    end = d->toks[0].next;
    for (k = 1; k < end && rc == CS_OK; k = d->toks[k + 1].next) {
        const struct hub_json_tok *vt;
        long kl = hub_json_str_decode(d, k, kbuf, sizeof(kbuf));
        enum zf f;
        if (kl < 0 || (size_t)kl >= sizeof(kbuf))
            continue;
        key.p = kbuf;
        key.len = (uint32_t)kl;
        f = zfield(kbuf, (size_t)kl, path);
        if (f == ZF_NONE)
            continue;
        v = k + 1;
        vt = &d->toks[v];
        c.col = (int)vt->start + 1;
        if (vt->type == HUB_JSON_NULL)
            continue;
        if (vt->type == HUB_JSON_NUMBER) {
            rc = zmap(&c, ev, f, kbuf, d->text + vt->start, vt->len, true);
        } else if (vt->type == HUB_JSON_STRING) {
            struct hub_str s;
            if (hub_norm_jstr(n, &s, v) < 0)
                return znomem(&c);
            rc = zmap(&c, ev, f, kbuf, s.p, s.len, false);
        } else if (vt->type == HUB_JSON_ARRAY && f == ZF_ACTIONS && vt->len &&
                   d->toks[v + 1].type == HUB_JSON_STRING) {
            rc = hub_norm_jstr(n, &ev->alert.action, v + 1) < 0 ? znomem(&c) : CS_OK;
        } else {
            rc = zbad(&c, kbuf, "has the wrong JSON type");
        }
    }
    (void)key;
    if (rc < 0)
        return rc;
    return zfinish(&c, ev, path);
}

int hub_norm_zeek(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                  struct hub_event *ev, struct cs_err *err)
{
    /* A zeek-json stream may still start with TSV headers if mislabelled: go by the line. */
    if (n->fmt == HUB_FMT_ZEEK_JSON && line[0] == '{')
        return zeek_json(n, line, len, lineno, ev, err);
    if (n->fmt == HUB_FMT_ZEEK_TSV && line[0] == '{' && !n->zeek.nfields)
        return zeek_json(n, line, len, lineno, ev, err);
    if (n->fmt == HUB_FMT_ZEEK_JSON && line[0] != '#')
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                             "a Zeek JSON record must be an object");
    return zeek_tsv(n, line, len, lineno, ev, err);
}
