/* eve.c — EVE JSON (citysoc-sensor and Suricata: the same schema) → hub_event.
 *
 * One pass over the record's top-level members; the nested objects that feed the model
 * (alert, dns, http, tls) are looked up by key. Unknown members are ignored (they stay in
 * the raw record). A member that feeds the model with the wrong JSON type or an
 * out-of-range value rejects the record, so the store never indexes a guessed value. */
#include "norm_int.h"

#include <stdio.h>

#define KEY(lit) hub_json_str_eq(d, k, lit, sizeof(lit) - 1)

struct eve_ctx {
    struct hub_norm *n;
    struct cs_err *err;
    uint32_t lineno;
};

static int bad_field(struct eve_ctx *c, uint32_t v, const char *name, const char *want)
{
    return hub_norm_fail(c->n, c->err, c->lineno, CS_EINVAL,
                         (int)c->n->doc.toks[v].start + 1, &c->n->c.err_field,
                         "\"%s\" must be %s", name, want);
}

static int get_str(struct eve_ctx *c, uint32_t v, const char *name, struct hub_str *dst)
{
    int rc;

    if (c->n->doc.toks[v].type == HUB_JSON_NULL)
        return CS_OK;
    rc = hub_norm_jstr(c->n, dst, v);
    if (rc == CS_EINVAL)
        return bad_field(c, v, name, "a string");
    if (rc < 0)
        return hub_norm_fail(c->n, c->err, c->lineno, rc, 0, &c->n->c.err_nomem,
                             "out of memory");
    return CS_OK;
}

static int get_uint(struct eve_ctx *c, uint32_t v, const char *name, uint64_t max,
                    uint64_t *out)
{
    const struct hub_json_tok *t = &c->n->doc.toks[v];

    if (t->type != HUB_JSON_NUMBER || !(t->flags & HUB_JSON_F_INT) ||
        !hub_parse_u64(c->n->doc.text + t->start, t->len, max, out)) {
        char want[48];
        snprintf(want, sizeof(want), "an integer 0..%llu", (unsigned long long)max);
        return bad_field(c, v, name, want);
    }
    return CS_OK;
}

static int map_alert(struct eve_ctx *c, uint32_t obj, struct hub_event *ev)
{
    const struct hub_json_doc *d = &c->n->doc;
    uint32_t k, end = d->toks[obj].next;
    uint64_t u;
    int rc = CS_OK;

    if (d->toks[obj].type != HUB_JSON_OBJECT)
        return bad_field(c, obj, "alert", "an object");
    ev->alert.present = true;
    for (k = obj + 1; k < end && rc == CS_OK; k = d->toks[k + 1].next) {
        uint32_t v = k + 1;
        if (KEY("signature_id")) {
            if ((rc = get_uint(c, v, "alert.signature_id", UINT32_MAX, &u)) == CS_OK)
                ev->alert.signature_id = (uint32_t)u;
        } else if (KEY("gid")) {
            if ((rc = get_uint(c, v, "alert.gid", UINT32_MAX, &u)) == CS_OK)
                ev->alert.gid = (uint32_t)u;
        } else if (KEY("rev")) {
            if ((rc = get_uint(c, v, "alert.rev", UINT32_MAX, &u)) == CS_OK)
                ev->alert.rev = (uint32_t)u;
        } else if (KEY("severity")) {
            /* Suricata allows any priority >= 1; the model keeps 1..4 (5+ is "4"). */
            if ((rc = get_uint(c, v, "alert.severity", 255, &u)) == CS_OK) {
                if (u == 0)
                    rc = bad_field(c, v, "alert.severity", "1..255");
                ev->alert.severity = (uint8_t)(u > 4 ? 4 : u);
            }
        } else if (KEY("signature")) {
            rc = get_str(c, v, "alert.signature", &ev->alert.signature);
        } else if (KEY("category")) {
            rc = get_str(c, v, "alert.category", &ev->alert.category);
        } else if (KEY("action")) {
            rc = get_str(c, v, "alert.action", &ev->alert.action);
        }
    }
    return rc;
}

/* The string member `key` of object `obj` into dst, if present. */
static int sub_str(struct eve_ctx *c, uint32_t obj, const char *key, const char *name,
                   struct hub_str *dst)
{
    uint32_t v = hub_json_get(&c->n->doc, obj, key, strlen(key));
    return v ? get_str(c, v, name, dst) : CS_OK;
}

static int map_dns(struct eve_ctx *c, uint32_t obj, struct hub_event *ev)
{
    const struct hub_json_doc *d = &c->n->doc;
    uint32_t q;

    if (d->toks[obj].type != HUB_JSON_OBJECT)
        return bad_field(c, obj, "dns", "an object");
    if (hub_json_get(d, obj, "rrname", 6)) /* EVE dns v1/v2 */
        return sub_str(c, obj, "rrname", "dns.rrname", &ev->dns_rrname);
    q = hub_json_get(d, obj, "queries", 7); /* EVE dns v3 */
    if (q && d->toks[q].type == HUB_JSON_ARRAY && d->toks[q].len &&
        d->toks[q + 1].type == HUB_JSON_OBJECT)
        return sub_str(c, q + 1, "rrname", "dns.queries[0].rrname", &ev->dns_rrname);
    return CS_OK;
}

int hub_norm_eve(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                 struct hub_event *ev, struct cs_err *err)
{
    struct hub_json_limits lim = {.max_len = n->max_line ? n->max_line : HUB_NORM_MAX_LINE,
                                  .max_depth = n->max_depth};
    struct hub_json_err je;
    struct eve_ctx c = {.n = n, .err = err, .lineno = lineno};
    const struct hub_json_doc *d = &n->doc;
    uint32_t k, end, v;
    uint64_t u;
    int rc;

    rc = hub_json_parse(&n->doc, line, len, &lim, &je);
    if (rc < 0)
        return hub_norm_fail(n, err, lineno, rc, (int)je.offset + 1,
                             rc == CS_ELIMIT ? &n->c.err_limit : &n->c.err_json, "%s", je.msg);
    if (d->toks[0].type != HUB_JSON_OBJECT)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 1, &n->c.err_format,
                             "an EVE record must be a JSON object");
    end = d->toks[0].next;
    for (k = 1, rc = CS_OK; k < end && rc == CS_OK; k = d->toks[k + 1].next) {
        v = k + 1;
        const struct hub_json_tok *kt = &d->toks[k];
        /* Dispatch on the first byte to keep the common case short. */
        switch (kt->len ? d->text[kt->start] : 0) {
        case 't':
            if (KEY("timestamp")) {
                const struct hub_json_tok *t = &d->toks[v];
                if (t->type != HUB_JSON_STRING || (t->flags & HUB_JSON_F_ESC) ||
                    hub_time_iso(d->text + t->start, t->len, &ev->ts) < 0)
                    rc = bad_field(&c, v, "timestamp", "an ISO 8601 time");
            } else if (KEY("tls") && d->toks[v].type == HUB_JSON_OBJECT) {
                rc = sub_str(&c, v, "sni", "tls.sni", &ev->tls_sni);
            }
            break;
        case 'e':
            if (KEY("event_type"))
                rc = get_str(&c, v, "event_type", &ev->event_type);
            break;
        case 's':
            if (KEY("src_ip")) {
                if ((rc = get_str(&c, v, "src_ip", &ev->src_ip)) == CS_OK)
                    hub_ip_parse(ev->src_ip.p, ev->src_ip.len, &ev->src_addr);
            } else if (KEY("src_port")) {
                if ((rc = get_uint(&c, v, "src_port", 65535, &u)) == CS_OK)
                    ev->src_port = (uint16_t)u;
            } else if (KEY("sensor_name")) {
                rc = get_str(&c, v, "sensor_name", &ev->sensor);
            }
            break;
        case 'd':
            if (KEY("dest_ip")) {
                if ((rc = get_str(&c, v, "dest_ip", &ev->dest_ip)) == CS_OK)
                    hub_ip_parse(ev->dest_ip.p, ev->dest_ip.len, &ev->dest_addr);
            } else if (KEY("dest_port")) {
                if ((rc = get_uint(&c, v, "dest_port", 65535, &u)) == CS_OK)
                    ev->dest_port = (uint16_t)u;
            } else if (KEY("dns")) {
                rc = map_dns(&c, v, ev);
            }
            break;
        case 'p':
            if (KEY("proto"))
                rc = get_str(&c, v, "proto", &ev->proto);
            break;
        case 'a':
            if (KEY("app_proto"))
                rc = get_str(&c, v, "app_proto", &ev->app_proto);
            else if (KEY("alert"))
                rc = map_alert(&c, v, ev);
            break;
        case 'f':
            if (KEY("flow_id") && (rc = get_uint(&c, v, "flow_id", UINT64_MAX, &u)) == CS_OK)
                ev->flow_id = u;
            break;
        case 'c':
            if (KEY("community_id"))
                rc = get_str(&c, v, "community_id", &ev->community_id);
            break;
        case 'h':
            if (KEY("host") && !ev->sensor.p)
                rc = get_str(&c, v, "host", &ev->sensor);
            else if (KEY("http") && d->toks[v].type == HUB_JSON_OBJECT) {
                rc = sub_str(&c, v, "hostname", "http.hostname", &ev->http_hostname);
                if (rc == CS_OK)
                    rc = sub_str(&c, v, "url", "http.url", &ev->http_url);
            }
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return rc;
    if (!ev->event_type.p || !ev->event_type.len)
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 0, &n->c.err_field,
                             "no \"event_type\"");
    if (!ev->alert.present && hub_str_eq(ev->event_type, "alert"))
        return hub_norm_fail(n, err, lineno, CS_EINVAL, 0, &n->c.err_field,
                             "an alert record without an \"alert\" object");
    return 1;
}
