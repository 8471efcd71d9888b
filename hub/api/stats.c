/* stats.c — the console's aggregation routes: GET /api/v1/stats/overview (one object for the
 * dashboard, from the store's rollups), GET /api/v1/stats/agg (grouping of the events that
 * match the event filters) and GET /api/v1/stats/orgs (per organisation: sensors, events and
 * alerts in a range). Scoped by the caller's organisation subtree inside the store. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../lib/cs_time.h"
#include "api_int.h"
#include "events.h"

#define DAY_US (86400LL * 1000000)

/* "2026-06-12T03:00:00Z" (UTC, to the second; the rollups have no finer resolution). */
static void iso(struct cs_json *j, const char *key, int64_t us)
{
    char buf[32];
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (us < 0 || !gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        cs_json_null(j, key);
        return;
    }
    cs_json_str(j, key, buf);
}

struct range_args {
    struct hub_stats_query q;
    bool has_from, has_to, with_bucket;
    char bad[64];
    const char *why;
};

/* from, to, org_id and (overview only) bucket; anything else is an error. */
static int range_arg(void *arg, const char *k, const char *v)
{
    struct range_args *r = arg;
    bool ok;
    if (!strcmp(k, "from"))
        ok = r->has_from = hub_parse_time(v, &r->q.from_us);
    else if (!strcmp(k, "to"))
        ok = r->has_to = hub_parse_time(v, &r->q.to_us);
    else if (!strcmp(k, "org_id"))
        ok = api_parse_i64(v, &r->q.org_id) && r->q.org_id > 0;
    else if (r->with_bucket && !strcmp(k, "bucket"))
        ok = api_parse_i64(v, &r->q.bucket_s) && r->q.bucket_s > 0 &&
             r->q.bucket_s <= 366 * 86400;
    else {
        snprintf(r->bad, sizeof(r->bad), "%s", k);
        r->why = "unknown parameter";
        return 1;
    }
    if (!ok) {
        snprintf(r->bad, sizeof(r->bad), "%s", k);
        r->why = "invalid value";
        return 1;
    }
    return 0;
}

/* The range of the query string (default: the 24 hours up to now, or before `to`, or after
 * `from`); false when a 400 was sent. */
static bool range_parse(struct api_ctx *x, struct range_args *r)
{
    if (hub_http_query_each(x->req, range_arg, r)) {
        hub_http_error(x->w, 400, "invalid_parameter", "%s: %s", r->bad, r->why);
        return false;
    }
    if (!r->has_to)
        r->q.to_us = r->has_from ? r->q.from_us + DAY_US : (int64_t)cs_time_now_us();
    if (!r->has_from)
        r->q.from_us = r->q.to_us > DAY_US ? r->q.to_us - DAY_US : 0;
    if (r->q.from_us >= r->q.to_us) {
        hub_http_error(x->w, 400, "invalid_parameter", "from must be before to");
        return false;
    }
    return true;
}

static void range_json(struct cs_json *j, const struct hub_stats_query *q)
{
    iso(j, "from", q->from_us);
    iso(j, "to", q->to_us);
    cs_json_int(j, "from_us", q->from_us);
    cs_json_int(j, "to_us", q->to_us);
    cs_json_int(j, "bucket_s", q->bucket_s);
    cs_json_int(j, "resolution_s", q->res_s);
}

static void org_json(struct cs_json *j, const struct hub_stats_org *o, bool full)
{
    cs_json_open(j, NULL);
    cs_json_int(j, "id", o->id);
    if (full) {
        if (o->parent_id)
            cs_json_int(j, "parent_id", o->parent_id);
        else
            cs_json_null(j, "parent_id");
    }
    cs_json_str(j, "name", o->name);
    if (full)
        cs_json_str(j, "kind", o->kind);
    cs_json_str(j, "path", o->path);
    cs_json_int(j, "sensors", o->sensors);
    cs_json_int(j, "events", o->events);
    cs_json_int(j, "alerts", o->alerts);
    cs_json_close(j);
}

void api_route_stats_overview(struct api_ctx *x)
{
    struct range_args r = {.with_bucket = true};
    if (!range_parse(x, &r))
        return;
    struct hub_stats_overview *o = cs_malloc(sizeof(*o));
    if (!o) {
        hub_http_error(x->w, 503, "out_of_memory", "cannot answer now; retry");
        return;
    }
    int rc = hub_store_stats_overview(x->api->store, &x->p.scope, &r.q, o);
    int64_t last_id = 0;
    if (rc == CS_OK)
        rc = hub_store_event_last_id(x->api->store, &x->p.scope, &last_id);
    if (rc == CS_EINVAL) {
        hub_http_error(x->w, 400, "invalid_parameter",
                       "the range gives more than %d buckets: widen the bucket",
                       HUB_STATS_MAX_POINTS);
        goto out;
    }
    if (api_store_fail(x, rc, "statistics"))
        goto out;
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    range_json(j, &o->q);
    /* the top lists, protocols, ics and orgs are hourly: the range they cover */
    iso(j, "breakdown_from", o->brk_from_us);
    iso(j, "breakdown_to", o->brk_to_us);
    cs_json_int(j, "last_event_id", last_id);
    cs_json_open(j, "totals");
    cs_json_int(j, "events", o->events);
    cs_json_int(j, "alerts", o->alerts);
    cs_json_close(j);

    cs_json_open_arr(j, "alerts_over_time");
    for (size_t i = 0; i < o->npoints; i++) {
        cs_json_open(j, NULL);
        iso(j, "ts", o->points[i].ts_us);
        cs_json_open(j, "by_severity");
        static const char *const sev[4] = {"1", "2", "3", "4"};
        for (int s = 0; s < 4; s++)
            cs_json_int(j, sev[s], o->points[i].by_sev[s]);
        cs_json_close(j);
        cs_json_close(j);
    }
    cs_json_close_arr(j);

    cs_json_open_arr(j, "top_signatures");
    for (size_t i = 0; i < o->nsigs; i++) {
        cs_json_open(j, NULL);
        cs_json_int(j, "signature_id", o->sigs[i].signature_id);
        cs_json_str(j, "signature", o->sigs[i].signature);
        if (o->sigs[i].severity > 0)
            cs_json_int(j, "severity", o->sigs[i].severity);
        else
            cs_json_null(j, "severity");
        cs_json_int(j, "count", o->sigs[i].count);
        cs_json_close(j);
    }
    cs_json_close_arr(j);

    for (int side = 0; side < 2; side++) {
        const struct hub_stats_ip *ips = side ? o->dest : o->src;
        size_t n = side ? o->ndest : o->nsrc;
        cs_json_open_arr(j, side ? "top_dest" : "top_src");
        for (size_t i = 0; i < n; i++) {
            cs_json_open(j, NULL);
            cs_json_str(j, "ip", ips[i].ip);
            cs_json_int(j, "count", ips[i].count);
            cs_json_close(j);
        }
        cs_json_close_arr(j);
    }

    cs_json_open_arr(j, "protocols");
    for (size_t i = 0; i < o->nprotos; i++) {
        cs_json_open(j, NULL);
        cs_json_str(j, "app_proto", o->protos[i].app_proto);
        cs_json_int(j, "count", o->protos[i].count);
        cs_json_close(j);
    }
    cs_json_close_arr(j);

    cs_json_open_arr(j, "ics");
    for (size_t i = 0; i < o->nics; i++) {
        cs_json_open(j, NULL);
        cs_json_str(j, "app_proto", o->ics[i].app_proto);
        cs_json_str(j, "op", o->ics[i].op);
        cs_json_int(j, "count", o->ics[i].count);
        cs_json_close(j);
    }
    cs_json_close_arr(j);

    cs_json_open_arr(j, "sensors");
    for (size_t i = 0; i < o->nsensors; i++) {
        const struct hub_stats_sensor *se = &o->sensors[i];
        cs_json_open(j, NULL);
        cs_json_int(j, "id", se->id);
        cs_json_str(j, "name", se->name);
        cs_json_int(j, "org_id", se->org_id);
        if (se->last_seen_us)
            iso(j, "last_seen", se->last_seen_us);
        else
            cs_json_null(j, "last_seen");
        if (se->packets >= 0) {
            cs_json_int(j, "packets", se->packets);
            cs_json_int(j, "drops", se->drops);
            iso(j, "stats_ts", se->stats_us);
        } else {
            cs_json_null(j, "packets");
            cs_json_null(j, "drops");
            cs_json_null(j, "stats_ts");
        }
        cs_json_close(j);
    }
    cs_json_close_arr(j);

    cs_json_open_arr(j, "orgs");
    for (size_t i = 0; i < o->norgs; i++)
        org_json(j, &o->orgs[i], false);
    cs_json_close_arr(j);
    cs_json_close(j);
out:
    cs_free(o);
}

struct agg_ctx {
    struct cs_json *j;
    enum hub_stats_by by;
};

static int agg_row(void *arg, const struct hub_stats_agg_row *r)
{
    struct agg_ctx *c = arg;
    struct cs_json *j = c->j;
    cs_json_open(j, NULL);
    if (r->key.p)
        cs_json_strn(j, "key", r->key.p, r->key.len);
    else if (r->key_id >= 0)
        cs_json_int(j, "key", r->key_id);
    else
        cs_json_null(j, "key");
    if (c->by == HUB_BY_SIGNATURE || c->by == HUB_BY_ORG || c->by == HUB_BY_SENSOR) {
        if (r->label.p)
            cs_json_strn(j, "label", r->label.p, r->label.len);
        else
            cs_json_null(j, "label");
    }
    cs_json_int(j, "count", r->count);
    iso(j, "last", r->last_us);
    cs_json_int(j, "last_us", r->last_us);
    cs_json_close(j);
    return 0;
}

struct agg_args {
    struct hub_event_filter f;
    const char *by;
    char bad[64];
    const char *why;
};

static int agg_arg(void *arg, const char *k, const char *v)
{
    struct agg_args *a = arg;
    int rc = 0;
    if (!strcmp(k, "by"))
        a->by = v;
    else if (!strcmp(k, "since_id") || !strcmp(k, "cursor"))
        rc = 1; /* a grouping has no order to page or poll in */
    else
        rc = api_event_filter_arg(&a->f, k, v);
    if (rc) {
        snprintf(a->bad, sizeof(a->bad), "%s", k);
        a->why = rc == 1 ? "unknown parameter" : "invalid value";
        return 1;
    }
    return 0;
}

void api_route_stats_agg(struct api_ctx *x)
{
    struct agg_args a = {.f = {.limit = 100}};
    if (hub_http_query_each(x->req, agg_arg, &a)) {
        hub_http_error(x->w, 400, "invalid_parameter", "%s: %s", a.bad, a.why);
        return;
    }
    enum hub_stats_by by = hub_stats_by_parse(a.by);
    if (by == HUB_BY_NONE) {
        hub_http_error(x->w, 400, "invalid_parameter",
                       "by: one of signature, src_ip, dest_ip, ip, app_proto, severity, org,"
                       " sensor, event_type");
        return;
    }
    struct agg_ctx c = {.j = &x->w->body, .by = by};
    cs_json_open(c.j, NULL);
    cs_json_str(c.j, "by", hub_stats_by_name(by));
    cs_json_open_arr(c.j, "rows");
    int rc = hub_store_stats_agg(x->api->store, &x->p.scope, &a.f, by, agg_row, &c);
    cs_json_close_arr(c.j);
    cs_json_close(c.j);
    api_store_fail(x, rc, "statistics");
}

static int orgs_row(void *arg, const struct hub_stats_org *o)
{
    org_json(arg, o, true);
    return 0;
}

void api_route_stats_orgs(struct api_ctx *x)
{
    struct range_args r = {.with_bucket = false};
    if (!range_parse(x, &r))
        return;
    struct hub_stats_query q = r.q;
    /* counts only: one bucket over the whole range, at the coarse resolution */
    q.bucket_s = (q.to_us - q.from_us) / 1000000 + HUB_STATS_HOUR_RES;
    struct cs_json *j = &x->w->body;
    cs_json_open(j, NULL);
    cs_json_open_arr(j, "orgs");
    int rc = hub_store_stats_orgs(x->api->store, &x->p.scope, &q, orgs_row, j);
    cs_json_close_arr(j);
    iso(j, "from", q.from_us);
    iso(j, "to", q.to_us);
    cs_json_int(j, "resolution_s", q.res_s);
    cs_json_close(j);
    if (rc == CS_EINVAL)
        hub_http_error(x->w, 400, "invalid_parameter", "invalid range");
    else
        api_store_fail(x, rc, "statistics");
}
