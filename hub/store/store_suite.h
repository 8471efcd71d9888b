/* store_suite.h — the behaviour every hub_store implementation must have.
 *
 * A test file defines `static struct hub_store *suite_open(void)` (a fresh, empty store) and
 * `static struct hub_store *suite_reopen(struct hub_store *s)` (closes s and opens the same
 * database again), then includes this header and calls CS_TEST_MAIN(). sqlite_test.c runs
 * it on SQLite; a PostgreSQL implementation runs the same file against its own database. */
#ifndef HUB_STORE_SUITE_H
#define HUB_STORE_SUITE_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cs_test.h"
#include "store.h"

struct suite_tree {
    struct hub_org city, da, db, oa, ob;
};

static void suite_org(struct hub_store *s, struct hub_org *o, int64_t parent, const char *name,
                      const char *kind)
{
    memset(o, 0, sizeof(*o));
    o->parent_id = parent;
    snprintf(o->name, sizeof(o->name), "%s", name);
    snprintf(o->kind, sizeof(o->kind), "%s", kind);
    snprintf(o->tags, sizeof(o->tags), "energy,water");
    int rc = hub_store_org_add(s, &HUB_SCOPE_SYSTEM, o);
    CHECK_EQ(rc, CS_OK);
}

/* city -> district A -> org A, city -> district B -> org B */
static void suite_make_tree(struct hub_store *s, struct suite_tree *t)
{
    suite_org(s, &t->city, 0, "city", "city");
    suite_org(s, &t->da, t->city.id, "district-a", "district");
    suite_org(s, &t->db, t->city.id, "district-b", "district");
    suite_org(s, &t->oa, t->da.id, "plant-a", "org");
    suite_org(s, &t->ob, t->db.id, "plant-b", "org");
}

static int64_t suite_sensor(struct hub_store *s, int64_t org, const char *name)
{
    struct hub_sensor se = {.org_id = org};
    snprintf(se.name, sizeof(se.name), "%s", name);
    CHECK_EQ(hub_store_sensor_add(s, &HUB_SCOPE_SYSTEM, &se), CS_OK);
    return se.id;
}

static struct hub_text suite_t(const char *p)
{
    return (struct hub_text){p, p ? strlen(p) : 0};
}

static struct hub_store_event suite_ev(int64_t ts, const char *type, const char *src,
                                       const char *dst, int64_t sid, const char *sig, int sev)
{
    struct hub_store_event e = {
        .ts_us = ts,
        .event_type = suite_t(type),
        .src_ip = suite_t(src),
        .dest_ip = suite_t(dst),
        .src_port = 1234,
        .dest_port = 80,
        .proto = suite_t("TCP"),
        .signature_id = sid,
        .signature = suite_t(sig),
        .severity = sev,
        .raw = suite_t("{\"event_type\":\"x\"}"),
    };
    return e;
}

static int suite_count_cb(void *arg, const struct hub_event_row *r)
{
    (void)r;
    (*(int *)arg)++;
    return 0;
}

static int suite_query_n(struct hub_store *s, const struct hub_scope *sc, struct hub_event_filter f)
{
    int n = 0;
    if (!f.limit)
        f.limit = 1000;
    int rc = hub_store_event_query(s, sc, &f, suite_count_cb, &n);
    return rc == CS_OK ? n : rc;
}

CS_TEST(store_migrations_applied_and_kept)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    CHECK(hub_store_schema_version(s) >= 1);
    int v = hub_store_schema_version(s);
    struct hub_org o;
    suite_org(s, &o, 0, "kept", "city");
    s = suite_reopen(s);
    REQUIRE(s);
    CHECK_EQ(hub_store_schema_version(s), v);
    struct hub_org back;
    CHECK_EQ(hub_store_org_find(s, &HUB_SCOPE_SYSTEM, "kept", &back), CS_OK);
    CHECK_EQ(back.id, o.id);
    hub_store_close(s);
}

CS_TEST(store_org_tree_paths_and_scope)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    char want[64];
    snprintf(want, sizeof(want), "/%" PRId64 "/%" PRId64 "/%" PRId64 "/", t.city.id, t.da.id,
             t.oa.id);
    CHECK_STR(t.oa.path, want);
    struct hub_scope a = {.org_id = t.da.id};
    struct hub_org got;
    CHECK_EQ(hub_store_org_get(s, &a, t.oa.id, &got), CS_OK);
    CHECK_STR(got.name, "plant-a");
    CHECK_STR(got.tags, "energy,water");
    /* district B and the city above are invisible from district A */
    CHECK_EQ(hub_store_org_get(s, &a, t.ob.id, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_org_get(s, &a, t.db.id, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_org_get(s, &a, t.city.id, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_org_find(s, &a, "plant-b", &got), HUB_ENOTFOUND);
    /* an org cannot be created under an invisible parent, nor a root */
    struct hub_org o = {.parent_id = t.db.id};
    snprintf(o.name, sizeof(o.name), "sneaky");
    snprintf(o.kind, sizeof(o.kind), "org");
    CHECK_EQ(hub_store_org_add(s, &a, &o), HUB_ENOTFOUND);
    o.parent_id = 0;
    CHECK_EQ(hub_store_org_add(s, &a, &o), HUB_ENOTFOUND);
    o.parent_id = t.da.id;
    CHECK_EQ(hub_store_org_add(s, &a, &o), CS_OK);
    /* names are unique; kinds are checked */
    CHECK_EQ(hub_store_org_add(s, &a, &o), HUB_ECONFLICT);
    snprintf(o.name, sizeof(o.name), "badkind");
    snprintf(o.kind, sizeof(o.kind), "planet");
    CHECK_EQ(hub_store_org_add(s, &a, &o), CS_EINVAL);
    int n = 0;
    CHECK_EQ(hub_store_org_list(s, &a, (int (*)(void *, const struct hub_org *))suite_count_cb, &n),
             CS_OK);
    CHECK_EQ(n, 3); /* district-a, plant-a, sneaky */
    n = 0;
    hub_store_org_list(s, &HUB_SCOPE_SYSTEM,
                       (int (*)(void *, const struct hub_org *))suite_count_cb, &n);
    CHECK_EQ(n, 6);
    hub_store_close(s);
}

CS_TEST(store_users_scoped_and_unique)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct hub_user u = {.org_id = t.ob.id, .role = HUB_ROLE_ANALYST};
    snprintf(u.name, sizeof(u.name), "bob");
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$x");
    struct hub_scope a = {.org_id = t.da.id}, b = {.org_id = t.db.id};
    CHECK_EQ(hub_store_user_add(s, &a, &u), HUB_ENOTFOUND); /* org B is not A's */
    CHECK_EQ(hub_store_user_add(s, &b, &u), CS_OK);
    CHECK(u.id > 0);
    CHECK_EQ(hub_store_user_add(s, &b, &u), HUB_ECONFLICT);
    struct hub_user got;
    CHECK_EQ(hub_store_user_find(s, &b, "bob", &got), CS_OK);
    CHECK_EQ(got.role, HUB_ROLE_ANALYST);
    CHECK_STR(got.pwhash, "$argon2id$v=19$x");
    CHECK_EQ(hub_store_user_find(s, &a, "bob", &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_user_get(s, &a, u.id, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_user_set_password(s, &a, u.id, "$new"), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_user_set_password(s, &b, u.id, "$new"), CS_OK);
    CHECK_EQ(hub_store_user_get(s, &HUB_SCOPE_SYSTEM, u.id, &got), CS_OK);
    CHECK_STR(got.pwhash, "$new");
    struct hub_user bad = {.org_id = t.oa.id, .role = HUB_ROLE_NONE};
    snprintf(bad.name, sizeof(bad.name), "x");
    CHECK_EQ(hub_store_user_add(s, &a, &bad), CS_EINVAL);
    hub_store_close(s);
}

CS_TEST(store_credentials_expire)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct hub_user u = {.org_id = t.oa.id, .role = HUB_ROLE_VIEWER};
    snprintf(u.name, sizeof(u.name), "v");
    snprintf(u.pwhash, sizeof(u.pwhash), "h");
    REQUIRE(hub_store_user_add(s, &HUB_SCOPE_SYSTEM, &u) == CS_OK);
    struct hub_cred c = {.kind = HUB_CRED_SESSION, .user_id = u.id, .expires_us = 1000};
    snprintf(c.hash, sizeof(c.hash), "abc123");
    CHECK_EQ(hub_store_cred_add(s, &c), CS_OK);
    CHECK_EQ(hub_store_cred_add(s, &c), HUB_ECONFLICT);
    struct hub_cred got;
    CHECK_EQ(hub_store_cred_get(s, "abc123", 999, &got), CS_OK);
    CHECK_EQ(got.user_id, u.id);
    CHECK_EQ(got.kind, HUB_CRED_SESSION);
    CHECK_EQ(hub_store_cred_get(s, "abc123", 1000, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_get(s, "abc124", 0, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_get(s, "' OR 1=1 --", 0, &got), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_purge(s, 2000), 1);
    CHECK_EQ(hub_store_cred_get(s, "abc123", 0, &got), HUB_ENOTFOUND);
    struct hub_cred forever = {.kind = HUB_CRED_TOKEN, .user_id = u.id};
    snprintf(forever.hash, sizeof(forever.hash), "tok");
    CHECK_EQ(hub_store_cred_add(s, &forever), CS_OK);
    CHECK_EQ(hub_store_cred_get(s, "tok", INT64_MAX, &got), CS_OK);
    CHECK_EQ(hub_store_cred_del(s, "tok"), CS_OK);
    CHECK_EQ(hub_store_cred_del(s, "tok"), HUB_ENOTFOUND);
    hub_store_close(s);
}

struct suite_creds {
    int n;
    int64_t id[8];
    char hash[8][HUB_HASH_MAX + 1];
};
static int suite_creds_cb(void *arg, const struct hub_cred *c)
{
    struct suite_creds *a = arg;
    if (a->n < 8) {
        a->id[a->n] = c->id;
        snprintf(a->hash[a->n], sizeof(a->hash[0]), "%s", c->hash);
    }
    a->n++;
    return 0;
}

static int64_t suite_cred(struct hub_store *s, enum hub_cred_kind kind, int64_t user,
                          int64_t sensor, const char *hash, int64_t expires)
{
    struct hub_cred c = {.kind = kind, .user_id = user, .sensor_id = sensor, .expires_us = expires};
    snprintf(c.hash, sizeof(c.hash), "%s", hash);
    CHECK_EQ(hub_store_cred_add(s, &c), CS_OK);
    struct hub_cred got = {0};
    CHECK_EQ(hub_store_cred_get(s, hash, 0, &got), CS_OK);
    CHECK(got.id > 0);
    return got.id;
}

CS_TEST(store_credentials_list_revoke)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    struct hub_user ua = {.org_id = t.oa.id, .role = HUB_ROLE_ANALYST};
    struct hub_user ub = {.org_id = t.ob.id, .role = HUB_ROLE_ANALYST};
    snprintf(ua.name, sizeof(ua.name), "ua");
    snprintf(ub.name, sizeof(ub.name), "ub");
    snprintf(ua.pwhash, sizeof(ua.pwhash), "h");
    snprintf(ub.pwhash, sizeof(ub.pwhash), "h");
    REQUIRE(hub_store_user_add(s, &HUB_SCOPE_SYSTEM, &ua) == CS_OK);
    REQUIRE(hub_store_user_add(s, &HUB_SCOPE_SYSTEM, &ub) == CS_OK);
    int64_t sensor = suite_sensor(s, t.oa.id, "sa");
    int64_t ta = suite_cred(s, HUB_CRED_TOKEN, ua.id, 0, "ta", 0);
    int64_t sa = suite_cred(s, HUB_CRED_SESSION, ua.id, 0, "sa", 5000);
    int64_t tb = suite_cred(s, HUB_CRED_TOKEN, ub.id, 0, "tb", 0);
    int64_t st = suite_cred(s, HUB_CRED_SENSOR, 0, sensor, "st", 0);
    CHECK(ta != sa && sa != tb && tb != st && ta != st);

    const struct hub_scope A = {.org_id = t.da.id}, B = {.org_id = t.db.id};
    struct suite_creds all = {0}, a = {0}, b = {0}, mine = {0}, later = {0};
    CHECK_EQ(hub_store_cred_list(s, &HUB_SCOPE_SYSTEM, 0, 0, 0, suite_creds_cb, &all), CS_OK);
    CHECK_EQ(all.n, 4);
    CHECK_EQ(hub_store_cred_list(s, &A, HUB_CRED_TOKEN, 0, 0, suite_creds_cb, &a), CS_OK);
    CHECK_EQ(a.n, 1);
    CHECK_EQ(a.id[0], ta);
    CHECK_STR(a.hash[0], "ta");
    CHECK_EQ(hub_store_cred_list(s, &B, 0, 0, 0, suite_creds_cb, &b), CS_OK);
    CHECK_EQ(b.n, 1);
    CHECK_EQ(b.id[0], tb);
    /* a sensor's token belongs to the sensor's organisation */
    struct suite_creds sens = {0};
    CHECK_EQ(hub_store_cred_list(s, &A, HUB_CRED_SENSOR, 0, 0, suite_creds_cb, &sens), CS_OK);
    CHECK_EQ(sens.n, 1);
    CHECK_EQ(sens.id[0], st);
    CHECK_EQ(hub_store_cred_list(s, &HUB_SCOPE_SYSTEM, 0, ua.id, 0, suite_creds_cb, &mine), CS_OK);
    CHECK_EQ(mine.n, 2);
    /* the session has expired at 5000 */
    CHECK_EQ(hub_store_cred_list(s, &HUB_SCOPE_SYSTEM, 0, ua.id, 5000, suite_creds_cb, &later),
             CS_OK);
    CHECK_EQ(later.n, 1);

    /* revoking: out of scope, another user's, then for real */
    struct hub_cred gone = {0};
    CHECK_EQ(hub_store_cred_revoke(s, &B, ta, 0, &gone), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_revoke(s, &A, ta, ub.id, &gone), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_revoke(s, &A, 0, 0, &gone), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_get(s, "ta", 0, &gone), CS_OK);
    CHECK_EQ(hub_store_cred_revoke(s, &A, ta, ua.id, &gone), CS_OK);
    CHECK_EQ(gone.id, ta);
    CHECK_EQ(gone.user_id, ua.id);
    CHECK_STR(gone.hash, "ta");
    CHECK_EQ(hub_store_cred_get(s, "ta", 0, &gone), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_revoke(s, &A, ta, 0, NULL), HUB_ENOTFOUND);
    CHECK_EQ(hub_store_cred_revoke(s, &HUB_SCOPE_SYSTEM, tb, 0, NULL), CS_OK);
    /* ids are never reused, so an old id cannot name a newer credential */
    int64_t tc = suite_cred(s, HUB_CRED_TOKEN, ua.id, 0, "tc", 0);
    CHECK(tc > st);
    s = suite_reopen(s);
    REQUIRE(s);
    struct suite_creds after = {0};
    CHECK_EQ(hub_store_cred_list(s, &HUB_SCOPE_SYSTEM, HUB_CRED_TOKEN, 0, 0, suite_creds_cb,
                                 &after),
             CS_OK);
    CHECK_EQ(after.n, 1);
    CHECK_EQ(after.id[0], tc);
    hub_store_close(s);
}

CS_TEST(store_batch_once_and_durable)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sensor-a");
    struct hub_store_event ev[3] = {
        suite_ev(1000, "alert", "10.0.0.1", "10.0.0.2", 2001, "ET TEST one", 1),
        suite_ev(2000, "flow", "10.0.0.1", "10.0.0.3", -1, NULL, -1),
        suite_ev(3000, "dns", "10.0.0.4", "10.0.0.1", -1, NULL, -1),
    };
    struct hub_store_batch b = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "b-1"};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 3, &res), CS_OK);
    CHECK(!res.duplicate);
    CHECK_EQ(res.stored, 3);
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 3, &res), CS_OK);
    CHECK(res.duplicate);
    CHECK_EQ(res.stored, 3);
    int64_t n = 0;
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 3);
    struct hub_store_batch b2 = b;
    b2.batch_id = "tail-7-0000000000000100";
    CHECK_EQ(hub_store_batch_add(s, &b2, ev, 1, &res), CS_OK);
    b2.batch_id = "tail-7-0000000000000200";
    CHECK_EQ(hub_store_batch_add(s, &b2, ev, 1, &res), CS_OK);
    b2.batch_id = "tail-8-0000000000000900";
    CHECK_EQ(hub_store_batch_add(s, &b2, ev, 1, &res), CS_OK);
    char maxid[64];
    CHECK_EQ(hub_store_batch_max_id(s, sa, "tail-7-", maxid, sizeof(maxid)), CS_OK);
    CHECK_STR(maxid, "tail-7-0000000000000200");
    CHECK_EQ(hub_store_batch_max_id(s, sa, "tail-%", maxid, sizeof(maxid)), CS_OK);
    CHECK_STR(maxid, "");
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 6);
    b.batch_id = "bad id";
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 3, &res), CS_EINVAL);
    b.batch_id = "";
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 3, &res), CS_EINVAL);
    s = suite_reopen(s);
    REQUIRE(s);
    CHECK_EQ(hub_store_event_count(s, &HUB_SCOPE_SYSTEM, &n), CS_OK);
    CHECK_EQ(n, 6);
    b.batch_id = "b-1";
    CHECK_EQ(hub_store_batch_add(s, &b, ev, 3, &res), CS_OK);
    CHECK(res.duplicate);
    hub_store_close(s);
}

struct suite_rows {
    int n;
    int64_t ts[16], id[16];
    char raw[256];
};
static int suite_rows_cb(void *arg, const struct hub_event_row *r)
{
    struct suite_rows *x = arg;
    if (x->n < 16) {
        x->ts[x->n] = r->ev.ts_us;
        x->id[x->n] = r->id;
    }
    snprintf(x->raw, sizeof(x->raw), "%.*s", (int)r->ev.raw.len, r->ev.raw.p);
    x->n++;
    return 0;
}

CS_TEST(store_event_filters_tenancy_and_cursor)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sensor-a");
    int64_t sb = suite_sensor(s, t.ob.id, "sensor-b");
    struct hub_store_event ea[5], eb[2];
    for (int i = 0; i < 5; i++)
        ea[i] = suite_ev(1000 * (i + 1), i % 2 ? "flow" : "alert", "10.0.0.1", "192.0.2.7",
                         i % 2 ? -1 : 2000 + i, i % 2 ? NULL : "ET 100% 'quoted' _x_", i + 1);
    ea[4].ts_us = ea[3].ts_us; /* a tie on ts: the cursor must use the id too */
    eb[0] = suite_ev(1500, "alert", "172.16.0.9", "10.0.0.1", 3000, "B only", 1);
    eb[1] = suite_ev(2500, "dns", "172.16.0.9", "198.51.100.1", -1, NULL, -1);
    struct hub_store_batch ba = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "a1"};
    struct hub_store_batch bb = {.sensor_id = sb, .org_id = t.ob.id, .batch_id = "a1"};
    struct hub_store_batch_result res;
    REQUIRE(hub_store_batch_add(s, &ba, ea, 5, &res) == CS_OK);
    REQUIRE(hub_store_batch_add(s, &bb, eb, 2, &res) == CS_OK && !res.duplicate);

    struct hub_scope A = {.org_id = t.da.id}, B = {.org_id = t.db.id}, C = {.org_id = t.city.id};
    CHECK_EQ(suite_query_n(s, &A, (struct hub_event_filter){0}), 5);
    CHECK_EQ(suite_query_n(s, &B, (struct hub_event_filter){0}), 2);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){0}), 7);
    /* filtering on another district's org from A gives nothing, not B's rows */
    CHECK_EQ(suite_query_n(s, &A, (struct hub_event_filter){.org_id = t.db.id}), 0);
    CHECK_EQ(suite_query_n(s, &A, (struct hub_event_filter){.sensor_id = sb}), 0);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.org_id = t.db.id}), 2);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.event_type = "alert"}), 4);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.ip = "10.0.0.1"}), 6);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.src_ip = "10.0.0.1"}), 5);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.dest_ip = "10.0.0.1"}), 1);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.signature = "100% 'quoted'"}), 3);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.signature = "%"}), 3);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.signature = "' OR 1=1 --"}), 0);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.signature_id = 3000}), 1);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.severity_max = 1}), 2);
    CHECK_EQ(suite_query_n(s, &C, (struct hub_event_filter){.from_us = 2000, .to_us = 4000}), 3);
    CHECK_EQ(suite_query_n(s, &A, (struct hub_event_filter){.ip = "x' OR '1'='1"}), 0);

    /* pages of 2 over A's 5 events: newest first, no row twice, none missed */
    struct hub_event_filter f = {.limit = 2};
    int64_t seen[8];
    int total = 0;
    for (int page = 0; page < 5; page++) {
        struct suite_rows rows = {0};
        CHECK_EQ(hub_store_event_query(s, &A, &f, suite_rows_cb, &rows), CS_OK);
        for (int i = 0; i < rows.n && total < 8; i++)
            seen[total++] = rows.id[i];
        if (rows.n < 2)
            break;
        f.cursor_ts = rows.ts[rows.n - 1];
        f.cursor_id = rows.id[rows.n - 1];
    }
    CHECK_EQ(total, 5);
    for (int i = 0; i < total; i++)
        for (int j = i + 1; j < total; j++)
            CHECK(seen[i] != seen[j]);

    struct suite_rows one = {0};
    CHECK_EQ(hub_store_event_get(s, &A, seen[0], suite_rows_cb, &one), CS_OK);
    CHECK_EQ(one.n, 1);
    CHECK_STR(one.raw, "{\"event_type\":\"x\"}");
    /* B's event by id from A: not found */
    struct suite_rows bq = {0};
    CHECK_EQ(
        hub_store_event_query(s, &B, &(struct hub_event_filter){.limit = 1}, suite_rows_cb, &bq),
        CS_OK);
    REQUIRE(bq.n == 1);
    CHECK_EQ(hub_store_event_get(s, &A, bq.id[0], suite_rows_cb, &one), HUB_ENOTFOUND);
    CHECK_EQ(
        hub_store_event_query(s, &A, &(struct hub_event_filter){.limit = 0}, suite_rows_cb, &one),
        CS_EINVAL);
    hub_store_close(s);
}

static int suite_seal(void *arg, struct hub_audit_row *r, const char *prev)
{
    char *buf = arg;
    snprintf(buf, 64, "h%" PRId64 "<%s", r->seq, prev);
    r->prev_hash = prev;
    r->hash = buf;
    return CS_OK;
}

struct suite_audit {
    int n;
    char last_prev[64];
    int64_t last_seq;
};
static int suite_audit_cb(void *arg, const struct hub_audit_row *r)
{
    struct suite_audit *a = arg;
    a->n++;
    a->last_seq = r->seq;
    snprintf(a->last_prev, sizeof(a->last_prev), "%s", r->prev_hash);
    return 0;
}

struct suite_audit_nul {
    int n;
    bool before_null, target_null, actor_null;
};
static int suite_audit_nul_cb(void *arg, const struct hub_audit_row *r)
{
    struct suite_audit_nul *a = arg;
    a->n++;
    a->before_null = r->before == NULL;
    a->target_null = r->target == NULL;
    a->actor_null = r->actor == NULL;
    return 0;
}
static int suite_ckpt_cb(void *arg, const struct hub_audit_ckpt_row *c)
{
    if (c->siglen == 3 && c->sig[2] == 3 && strcmp(c->hash, "h3") == 0)
        (*(int *)arg)++;
    return 0;
}

CS_TEST(store_audit_chain_order)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    char buf[64];
    for (int i = 0; i < 3; i++) {
        struct hub_audit_row r = {.ts_us = 5,
                                  .actor = "admin",
                                  .actor_type = "user",
                                  .action = "org.add",
                                  .target = "org:1",
                                  .source = "127.0.0.1",
                                  .before = "",
                                  .after = "{\"a\":1}"};
        CHECK_EQ(hub_store_audit_append(s, &r, suite_seal, buf), CS_OK);
        CHECK_EQ(r.seq, i + 1);
    }
    struct suite_audit a = {0};
    CHECK_EQ(hub_store_audit_list(s, 1, suite_audit_cb, &a), CS_OK);
    CHECK_EQ(a.n, 3);
    CHECK_EQ(a.last_seq, 3);
    CHECK_STR(a.last_prev, "h2<h1<");
    int64_t seq = 0;
    char head[64];
    CHECK_EQ(hub_store_audit_head(s, &seq, head, sizeof(head)), CS_OK);
    CHECK_EQ(seq, 3);
    CHECK_STR(head, "h3<h2<h1<");
    /* NULL fields come back as NULL, not "" */
    struct hub_audit_row nul = {.ts_us = 6, .actor = "system", .action = "x"};
    CHECK_EQ(hub_store_audit_append(s, &nul, suite_seal, buf), CS_OK);
    struct suite_audit_nul an = {0};
    CHECK_EQ(hub_store_audit_list(s, 4, suite_audit_nul_cb, &an), CS_OK);
    CHECK_EQ(an.n, 1);
    CHECK(an.before_null && an.target_null && !an.actor_null);
    uint8_t sig[3] = {1, 2, 3};
    struct hub_audit_ckpt_row c = {.seq = 3, .hash = "h3", .ts_us = 9, .sig = sig, .siglen = 3};
    CHECK_EQ(hub_store_audit_ckpt_add(s, &c), CS_OK);
    CHECK_EQ(hub_store_audit_ckpt_add(s, &c), HUB_ECONFLICT);
    int nck = 0;
    CHECK_EQ(hub_store_audit_ckpt_list(s, suite_ckpt_cb, &nck), CS_OK);
    CHECK_EQ(nck, 1);
    hub_store_close(s);
}

/* ---- statistics ---------------------------------------------------------------------- */

#define SUITE_T0 (1699999200LL * 1000000) /* an hour boundary */
#define SUITE_MIN (60LL * 1000000)

static struct hub_store_event suite_evx(int64_t min, const char *type, const char *src,
                                        const char *dst, int64_t sid, const char *sig, int sev,
                                        const char *app, uint64_t flow, const char *ics)
{
    struct hub_store_event e = suite_ev(SUITE_T0 + min * SUITE_MIN, type, src, dst, sid, sig, sev);
    e.app_proto = suite_t(app);
    e.flow_id = flow;
    e.ics_op = suite_t(ics);
    return e;
}

static struct hub_store_event suite_stats_ev(int64_t min, int64_t packets, int64_t drops)
{
    struct hub_store_event e = suite_evx(min, "stats", NULL, NULL, -1, NULL, -1, NULL, 0, NULL);
    e.has_stats = true;
    e.stats_packets = packets;
    e.stats_drops = drops;
    return e;
}

struct suite_stats {
    struct suite_tree t;
    int64_t sa, sb;
    int64_t recv_a3, recv_b1;
};

/* Plant A (sensor-a): 4 alerts, 2 modbus (1 write), 3 stats; plant B (sensor-b): 1 alert,
 * 1 dnp3 control. 12 events, 5 alerts; see the checks for the expected figures. */
static void suite_stats_fill(struct hub_store *s, struct suite_stats *x)
{
    suite_make_tree(s, &x->t);
    x->sa = suite_sensor(s, x->t.oa.id, "sensor-a");
    x->sb = suite_sensor(s, x->t.ob.id, "sensor-b");
    struct hub_store_event a1[8] = {
        suite_evx(1, "alert", "10.0.0.1", "192.0.2.7", 2001, "ET one", 1, "http", 111, NULL),
        suite_evx(2, "alert", "10.0.0.1", "192.0.2.8", 2001, "ET one", 1, "http", 111, NULL),
        suite_evx(3, "alert", "10.0.0.2", "192.0.2.7", 2002, "ET two", 2, NULL, 222, NULL),
        suite_evx(61, "alert", "10.0.0.1", "192.0.2.7", 2002, "ET two", 2, "dns", 0, NULL),
        suite_evx(5, "flow", "10.0.0.1", "192.0.2.7", -1, NULL, -1, "http", 111, NULL),
        suite_evx(6, "modbus", "10.0.0.5", "10.0.0.6", -1, NULL, -1, "modbus", 333, "write"),
        suite_evx(7, "modbus", "10.0.0.5", "10.0.0.6", -1, NULL, -1, "modbus", 333, NULL),
        suite_stats_ev(8, 1000, 5),
    };
    a1[5].raw = suite_t("{\"event_type\":\"modbus\",\"modbus\":{\"note\":\"needle\"}}");
    a1[5].proto = suite_t("UDP");
    struct hub_store_event a2[1] = {suite_stats_ev(4, 1, 1)}; /* older than the first: ignored */
    struct hub_store_event a3[1] = {suite_stats_ev(9, 2000, 7)};
    struct hub_store_event b1[2] = {
        suite_evx(1, "alert", "172.16.0.9", "10.0.0.1", 3000, "B only", 1, "tls", 0, NULL),
        suite_evx(2, "dnp3", "172.16.0.9", "172.16.0.10", -1, NULL, -1, "dnp3", 0, "control"),
    };
    struct hub_store_batch_result res;
    struct hub_store_batch b = {.sensor_id = x->sa, .org_id = x->t.oa.id, .batch_id = "a1",
                                .received_us = SUITE_T0 + 10 * SUITE_MIN};
    CHECK_EQ(hub_store_batch_add(s, &b, a1, 8, &res), CS_OK);
    b.batch_id = "a2";
    b.received_us = SUITE_T0 + 20 * SUITE_MIN;
    CHECK_EQ(hub_store_batch_add(s, &b, a2, 1, &res), CS_OK);
    struct hub_store_batch bb = {.sensor_id = x->sb, .org_id = x->t.ob.id, .batch_id = "b1",
                                 .received_us = SUITE_T0 + 15 * SUITE_MIN};
    CHECK_EQ(hub_store_batch_add(s, &bb, b1, 2, &res), CS_OK);
    b.batch_id = "a3";
    b.received_us = x->recv_a3 = SUITE_T0 + 25 * SUITE_MIN;
    CHECK_EQ(hub_store_batch_add(s, &b, a3, 1, &res), CS_OK);
    x->recv_b1 = bb.received_us;
    /* a retried batch adds nothing to the rollups either */
    b.batch_id = "a1";
    CHECK_EQ(hub_store_batch_add(s, &b, a1, 8, &res), CS_OK);
    CHECK(res.duplicate);
}

static struct hub_stats_overview *suite_overview(struct hub_store *s, const struct hub_scope *sc,
                                                 int64_t org, int64_t from_min, int64_t to_min,
                                                 int64_t bucket, int *rc)
{
    static struct hub_stats_overview o;
    struct hub_stats_query q = {.from_us = SUITE_T0 + from_min * SUITE_MIN,
                                .to_us = SUITE_T0 + to_min * SUITE_MIN,
                                .org_id = org,
                                .bucket_s = bucket};
    *rc = hub_store_stats_overview(s, sc, &q, &o);
    return &o;
}

CS_TEST(store_stats_overview_from_rollups)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    int rc;
    struct hub_stats_overview *o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 0, 120, 3600, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->q.res_s, 3600);
    CHECK_EQ(o->q.bucket_s, 3600);
    CHECK_EQ(o->events, 12);
    CHECK_EQ(o->alerts, 5);
    REQUIRE(o->npoints == 2);
    CHECK_EQ(o->points[0].ts_us, SUITE_T0);
    CHECK_EQ(o->points[1].ts_us, SUITE_T0 + 60 * SUITE_MIN);
    CHECK_EQ(o->points[0].by_sev[0], 3);
    CHECK_EQ(o->points[0].by_sev[1], 1);
    CHECK_EQ(o->points[0].by_sev[2], 0);
    CHECK_EQ(o->points[1].by_sev[0], 0);
    CHECK_EQ(o->points[1].by_sev[1], 1);
    REQUIRE(o->nsigs == 3);
    CHECK_EQ(o->sigs[0].signature_id, 2001);
    CHECK_STR(o->sigs[0].signature, "ET one");
    CHECK_EQ(o->sigs[0].severity, 1);
    CHECK_EQ(o->sigs[0].count, 2);
    CHECK_EQ(o->sigs[1].signature_id, 2002);
    CHECK_EQ(o->sigs[1].count, 2);
    CHECK_EQ(o->sigs[2].signature_id, 3000);
    CHECK_STR(o->sigs[2].signature, "B only");
    REQUIRE(o->nsrc == 3);
    CHECK_STR(o->src[0].ip, "10.0.0.1");
    CHECK_EQ(o->src[0].count, 3);
    CHECK_STR(o->src[1].ip, "10.0.0.2");
    CHECK_STR(o->src[2].ip, "172.16.0.9");
    REQUIRE(o->ndest == 3);
    CHECK_STR(o->dest[0].ip, "192.0.2.7");
    CHECK_EQ(o->dest[0].count, 3);
    CHECK_STR(o->dest[1].ip, "10.0.0.1");
    CHECK_STR(o->dest[2].ip, "192.0.2.8");
    REQUIRE(o->nprotos == 6);
    CHECK_STR(o->protos[0].app_proto, "none"); /* alert without one + 3 stats */
    CHECK_EQ(o->protos[0].count, 4);
    CHECK_STR(o->protos[1].app_proto, "http");
    CHECK_EQ(o->protos[1].count, 3);
    CHECK_STR(o->protos[2].app_proto, "modbus");
    CHECK_EQ(o->protos[2].count, 2);
    REQUIRE(o->nics == 2);
    CHECK_STR(o->ics[0].app_proto, "dnp3");
    CHECK_STR(o->ics[0].op, "control");
    CHECK_EQ(o->ics[0].count, 1);
    CHECK_STR(o->ics[1].app_proto, "modbus");
    CHECK_STR(o->ics[1].op, "write");
    REQUIRE(o->nsensors == 2);
    CHECK_EQ(o->sensors[0].id, x.sa);
    CHECK_STR(o->sensors[0].name, "sensor-a");
    CHECK_EQ(o->sensors[0].last_seen_us, x.recv_a3);
    CHECK_EQ(o->sensors[0].packets, 2000); /* the newest stats record, not the last batch's */
    CHECK_EQ(o->sensors[0].drops, 7);
    CHECK_EQ(o->sensors[0].stats_us, SUITE_T0 + 9 * SUITE_MIN);
    CHECK_EQ(o->sensors[1].last_seen_us, x.recv_b1);
    CHECK_EQ(o->sensors[1].packets, -1);
    REQUIRE(o->norgs == 5);
    CHECK_STR(o->orgs[0].name, "plant-a");
    CHECK_EQ(o->orgs[0].alerts, 4);
    CHECK_EQ(o->orgs[0].events, 10);
    CHECK_EQ(o->orgs[0].sensors, 1);
    CHECK_STR(o->orgs[1].name, "plant-b");
    CHECK_EQ(o->orgs[1].alerts, 1);
    CHECK_STR(o->orgs[2].name, "city");
    CHECK_EQ(o->orgs[2].alerts, 0);

    /* the fine resolution: one-minute buckets */
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 0, 60, 60, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->q.res_s, 60);
    REQUIRE(o->npoints == 60);
    CHECK_EQ(o->points[1].ts_us, SUITE_T0 + SUITE_MIN);
    CHECK_EQ(o->points[1].by_sev[0], 2);
    CHECK_EQ(o->points[3].by_sev[1], 1);
    CHECK_EQ(o->events, 11); /* the alert at minute 61 is outside */
    /* a window of minutes 2..4: totals and chart to the minute, breakdowns hourly */
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 2, 4, 0, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->q.res_s, 60);
    CHECK_EQ(o->events, 3); /* e2, f2 (minute 2), e3 (minute 3) */
    CHECK_EQ(o->alerts, 2);
    CHECK_EQ(o->brk_from_us, SUITE_T0);
    CHECK_EQ(o->brk_to_us, SUITE_T0 + 60 * SUITE_MIN);
    REQUIRE(o->nsigs == 3); /* hour 0: 2001 x2, 2002 (e3), 3000 */
    CHECK_EQ(o->sigs[0].signature_id, 2001);
    CHECK_EQ(o->sigs[1].count, 1);
    CHECK_EQ(o->nics, 2);
    CHECK_EQ(o->nsrc, 3);
    CHECK_STR(o->orgs[0].name, "plant-a");
    CHECK_EQ(o->orgs[0].alerts, 3); /* e4 at minute 61 is in the next hour */
    /* an alert without a severity counts as an alert but in no severity */
    struct hub_store_event nosev = suite_evx(62, "alert", "10.0.0.9", "10.0.0.1", 4000, "no sev",
                                             -1, NULL, 0, NULL);
    struct hub_store_batch bn = {.sensor_id = x.sb, .org_id = x.t.ob.id, .batch_id = "nosev"};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &bn, &nosev, 1, &res), CS_OK);
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 60, 65, 60, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 2); /* e4 (61), the new one (62) */
    CHECK_EQ(o->alerts, 2);
    CHECK_EQ(o->points[1].by_sev[1], 1);
    CHECK_EQ(o->points[2].by_sev[0] + o->points[2].by_sev[1] + o->points[2].by_sev[2] +
                 o->points[2].by_sev[3],
             0);
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, 0, 60, 120, 3600, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->alerts, 2);
    CHECK_EQ(o->points[0].by_sev[1], 1);
    hub_store_close(s);
}

CS_TEST(store_stats_overview_tenancy)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    struct hub_scope A = {.org_id = x.t.da.id}, B = {.org_id = x.t.db.id};
    int rc;
    struct hub_stats_overview *o = suite_overview(s, &A, 0, 0, 120, 0, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 10);
    CHECK_EQ(o->alerts, 4);
    CHECK_EQ(o->nsigs, 2);
    for (size_t i = 0; i < o->nsigs; i++)
        CHECK(o->sigs[i].signature_id != 3000);
    for (size_t i = 0; i < o->nsrc; i++)
        CHECK(strcmp(o->src[i].ip, "172.16.0.9") != 0);
    REQUIRE(o->nics == 1);
    CHECK_STR(o->ics[0].app_proto, "modbus");
    REQUIRE(o->nsensors == 1);
    CHECK_EQ(o->sensors[0].id, x.sa);
    REQUIRE(o->norgs == 2); /* district-a, plant-a */
    CHECK_STR(o->orgs[0].name, "plant-a");
    CHECK_STR(o->orgs[1].name, "district-a");
    /* asking for another district's org from A gives nothing, not B's figures */
    o = suite_overview(s, &A, x.t.ob.id, 0, 120, 0, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 0);
    CHECK_EQ(o->nsigs, 0);
    CHECK_EQ(o->nsensors, 0);
    CHECK_EQ(o->norgs, 0);
    o = suite_overview(s, &B, 0, 0, 120, 0, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 2);
    CHECK_EQ(o->alerts, 1);
    REQUIRE(o->nsensors == 1);
    CHECK_EQ(o->sensors[0].id, x.sb);
    /* the city filtered to plant-b */
    o = suite_overview(s, &HUB_SCOPE_SYSTEM, x.t.ob.id, 0, 120, 0, &rc);
    REQUIRE(rc == CS_OK);
    CHECK_EQ(o->events, 2);
    CHECK_EQ(o->norgs, 1);
    hub_store_close(s);
}

CS_TEST(store_stats_range_rounding)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct hub_stats_overview *o = cs_calloc(1, sizeof(*o));
    REQUIRE(o);
    struct hub_stats_query q = {.from_us = SUITE_T0 + 30 * 1000000,
                                .to_us = SUITE_T0 + 3601LL * 1000000};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_OK);
    CHECK_EQ(q.res_s, 60);
    CHECK_EQ(q.bucket_s, 60);
    CHECK_EQ(q.from_us, SUITE_T0);
    CHECK_EQ(q.to_us, SUITE_T0 + 61 * SUITE_MIN);
    CHECK_EQ(o->npoints, 61);
    /* a day, automatic: hourly */
    q = (struct hub_stats_query){.from_us = SUITE_T0, .to_us = SUITE_T0 + 86400LL * 1000000};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_OK);
    CHECK_EQ(q.res_s, 3600);
    CHECK_EQ(o->npoints, 24);
    /* minutes over a month: hourly resolution instead */
    q = (struct hub_stats_query){
        .from_us = SUITE_T0, .to_us = SUITE_T0 + 30 * 86400LL * 1000000, .bucket_s = 60};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_OK);
    CHECK_EQ(q.bucket_s, 3600);
    CHECK_EQ(o->npoints, 720);
    /* too many points, empty or reversed ranges */
    q = (struct hub_stats_query){
        .from_us = SUITE_T0, .to_us = SUITE_T0 + 2 * 86400LL * 1000000, .bucket_s = 60};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_EINVAL);
    q = (struct hub_stats_query){.from_us = SUITE_T0, .to_us = SUITE_T0};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_EINVAL);
    q = (struct hub_stats_query){.from_us = SUITE_T0, .to_us = SUITE_T0 - 1};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_EINVAL);
    cs_free(o);
    hub_store_close(s);
}

struct suite_agg {
    int n;
    int64_t key_id[16], count[16], last[16];
    char key[16][64], label[16][64];
};
static int suite_agg_cb(void *arg, const struct hub_stats_agg_row *r)
{
    struct suite_agg *a = arg;
    if (a->n < 16) {
        a->key_id[a->n] = r->key_id;
        a->count[a->n] = r->count;
        a->last[a->n] = r->last_us;
        snprintf(a->key[a->n], 64, "%.*s", (int)r->key.len, r->key.p ? r->key.p : "");
        snprintf(a->label[a->n], 64, "%.*s", (int)r->label.len, r->label.p ? r->label.p : "");
    }
    a->n++;
    return 0;
}

static struct suite_agg suite_agg(struct hub_store *s, const struct hub_scope *sc,
                                  struct hub_event_filter f, enum hub_stats_by by)
{
    struct suite_agg a = {0};
    if (!f.limit)
        f.limit = 100;
    int rc = hub_store_stats_agg(s, sc, &f, by, suite_agg_cb, &a);
    CHECK_EQ(rc, CS_OK);
    return a;
}

CS_TEST(store_stats_agg_groups)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    struct hub_scope A = {.org_id = x.t.da.id};
    struct suite_agg a =
        suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){0}, HUB_BY_SIGNATURE);
    REQUIRE(a.n == 3);
    CHECK_EQ(a.key_id[0], 2001);
    CHECK_STR(a.label[0], "ET one");
    CHECK_EQ(a.count[0], 2);
    CHECK_EQ(a.last[0], SUITE_T0 + 2 * SUITE_MIN);
    CHECK_EQ(a.key_id[1], 2002);
    CHECK_EQ(a.last[1], SUITE_T0 + 61 * SUITE_MIN);
    CHECK_EQ(a.key_id[2], 3000);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.event_type = "alert"},
                  HUB_BY_IP);
    REQUIRE(a.n >= 2);
    CHECK_STR(a.key[0], "10.0.0.1"); /* 3 as source, 1 as destination */
    CHECK_EQ(a.count[0], 4);
    CHECK_STR(a.key[1], "192.0.2.7");
    CHECK_EQ(a.count[1], 3);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.event_type = "alert"},
                  HUB_BY_DEST_IP);
    CHECK_EQ(a.n, 3);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){0}, HUB_BY_APP_PROTO);
    REQUIRE(a.n == 6);
    CHECK_STR(a.key[0], "none");
    CHECK_EQ(a.count[0], 4);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){0}, HUB_BY_SEVERITY);
    REQUIRE(a.n == 2);
    CHECK_EQ(a.key_id[0], 1);
    CHECK_EQ(a.count[0], 3);
    CHECK_EQ(a.key_id[1], 2);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){0}, HUB_BY_EVENT_TYPE);
    REQUIRE(a.n == 5);
    CHECK_STR(a.key[0], "alert");
    CHECK_EQ(a.count[0], 5);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){0}, HUB_BY_SENSOR);
    REQUIRE(a.n == 2);
    CHECK_EQ(a.key_id[0], x.sa);
    CHECK_STR(a.label[0], "sensor-a");
    CHECK_EQ(a.count[0], 10);
    /* tenancy: district A sees only its own groups */
    a = suite_agg(s, &A, (struct hub_event_filter){0}, HUB_BY_ORG);
    REQUIRE(a.n == 1);
    CHECK_EQ(a.key_id[0], x.t.oa.id);
    CHECK_STR(a.label[0], "plant-a");
    CHECK_EQ(a.count[0], 10);
    a = suite_agg(s, &A, (struct hub_event_filter){0}, HUB_BY_SIGNATURE);
    CHECK_EQ(a.n, 2);
    a = suite_agg(s, &A, (struct hub_event_filter){.src_ip = "172.16.0.9"}, HUB_BY_SRC_IP);
    CHECK_EQ(a.n, 0);
    /* filters and limit */
    a = suite_agg(s, &HUB_SCOPE_SYSTEM,
                  (struct hub_event_filter){.from_us = SUITE_T0 + 60 * SUITE_MIN},
                  HUB_BY_SIGNATURE);
    REQUIRE(a.n == 1);
    CHECK_EQ(a.key_id[0], 2002);
    CHECK_EQ(a.count[0], 1);
    a = suite_agg(s, &HUB_SCOPE_SYSTEM, (struct hub_event_filter){.limit = 1}, HUB_BY_SRC_IP);
    CHECK_EQ(a.n, 1);
    struct hub_event_filter f = {.limit = 10};
    CHECK_EQ(hub_store_stats_agg(s, &A, &f, HUB_BY_NONE, suite_agg_cb, &a), CS_EINVAL);
    CHECK_EQ(hub_stats_by_parse("dest_ip"), HUB_BY_DEST_IP);
    CHECK_EQ(hub_stats_by_parse("nope"), HUB_BY_NONE);
    CHECK_STR(hub_stats_by_name(HUB_BY_SIGNATURE), "signature");
    hub_store_close(s);
}

CS_TEST(store_event_console_filters)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    struct hub_scope A = {.org_id = x.t.da.id}, B = {.org_id = x.t.db.id};
    const struct hub_scope *S = &HUB_SCOPE_SYSTEM;
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.flow_id = 111}), 3);
    CHECK_EQ(suite_query_n(s, &B, (struct hub_event_filter){.flow_id = 111}), 0);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.app_proto = "http"}), 3);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.app_proto = "none"}), 4);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.proto = "UDP"}), 1);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.proto = "TCP"}), 11);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.q = "needle"}), 1);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.q = "%"}), 0);
    CHECK_EQ(suite_query_n(s, &B, (struct hub_event_filter){.q = "needle"}), 0);
    /* the flow's events come back with their flow id and the stored ICS class */
    struct suite_rows rows = {0};
    CHECK_EQ(hub_store_event_query(s, S, &(struct hub_event_filter){.flow_id = 333, .limit = 10},
                                   suite_rows_cb, &rows),
             CS_OK);
    CHECK_EQ(rows.n, 2);

    /* since_id: oldest first, strictly after */
    int64_t last_a = 0, last_b = 0, last = 0;
    CHECK_EQ(hub_store_event_last_id(s, &A, &last_a), CS_OK);
    CHECK_EQ(hub_store_event_last_id(s, &B, &last_b), CS_OK);
    CHECK_EQ(hub_store_event_last_id(s, S, &last), CS_OK);
    CHECK(last_a > last_b); /* batch a3 came after b1 */
    CHECK_EQ(last, last_a);
    rows = (struct suite_rows){0};
    CHECK_EQ(hub_store_event_query(s, S, &(struct hub_event_filter){.since_id = last_b - 2, .limit = 10},
                                   suite_rows_cb, &rows),
             CS_OK);
    REQUIRE(rows.n == 3);
    CHECK_EQ(rows.id[0], last_b - 1);
    CHECK_EQ(rows.id[1], last_b);
    CHECK_EQ(rows.id[2], last_a);
    rows = (struct suite_rows){0};
    CHECK_EQ(hub_store_event_query(s, &B, &(struct hub_event_filter){.since_id = last_b - 2, .limit = 10},
                                   suite_rows_cb, &rows),
             CS_OK);
    CHECK_EQ(rows.n, 2);
    CHECK_EQ(suite_query_n(s, S, (struct hub_event_filter){.since_id = last}), 0);
    struct hub_store *e = suite_open();
    REQUIRE(e);
    CHECK_EQ(hub_store_event_last_id(e, S, &last), CS_OK);
    CHECK_EQ(last, 0);
    hub_store_close(e);
    hub_store_close(s);
}

/* ---- the address lists' cache (stats_cache.c): exact against a plain count ---- */

/* Every address of one side in the scope and range, counted by hub_store_stats_agg (a
 * GROUP BY over the stored alerts, not the rollups), ordered as the overview orders them:
 * count descending, then the address's bytes. */
struct suite_ipcount {
    size_t n;
    char ip[256][64];
    int64_t count[256];
};
static int suite_ipcount_cb(void *arg, const struct hub_stats_agg_row *r)
{
    struct suite_ipcount *a = arg;
    if (a->n < 256) {
        snprintf(a->ip[a->n], 64, "%.*s", (int)r->key.len, r->key.p ? r->key.p : "");
        a->count[a->n++] = r->count;
    }
    return 0;
}

/* Checks o's src and dest against the plain count of sc (org: filter) over o's hours. */
static void suite_check_top(struct hub_store *s, const struct hub_scope *sc, int64_t org,
                            const struct hub_stats_overview *o, const char *what)
{
    for (int side = 0; side < 2; side++) {
        static struct suite_ipcount a;
        memset(&a, 0, sizeof(a));
        struct hub_event_filter f = {.from_us = o->brk_from_us,
                                     .to_us = o->brk_to_us,
                                     .org_id = org,
                                     .event_type = "alert",
                                     .limit = 1000};
        CHECK_EQ(hub_store_stats_agg(s, sc, &f, side ? HUB_BY_DEST_IP : HUB_BY_SRC_IP,
                                     suite_ipcount_cb, &a),
                 CS_OK);
        REQUIRE(a.n < 256);
        for (size_t i = 1; i < a.n; i++) /* insertion sort into the overview's order */
            for (size_t j = i; j > 0; j--) {
                bool before = a.count[j] > a.count[j - 1] ||
                              (a.count[j] == a.count[j - 1] && strcmp(a.ip[j], a.ip[j - 1]) < 0);
                if (!before)
                    break;
                char t[64];
                int64_t c = a.count[j];
                memcpy(t, a.ip[j], 64);
                memcpy(a.ip[j], a.ip[j - 1], 64);
                memcpy(a.ip[j - 1], t, 64);
                a.count[j] = a.count[j - 1];
                a.count[j - 1] = c;
            }
        size_t want = a.n < HUB_STATS_TOP ? a.n : HUB_STATS_TOP;
        size_t got = side ? o->ndest : o->nsrc;
        const struct hub_stats_ip *l = side ? o->dest : o->src;
        if (got != want)
            printf("# %s side %d: %zu addresses listed, %zu expected\n", what, side, got, want);
        CHECK_EQ(got, want);
        for (size_t i = 0; i < want && i < got; i++) {
            if (strcmp(l[i].ip, a.ip[i]) || l[i].count != a.count[i])
                printf("# %s side %d row %zu: %s %" PRId64 ", expected %s %" PRId64 "\n", what,
                       side, i, l[i].ip, l[i].count, a.ip[i], a.count[i]);
            CHECK_STR(l[i].ip, a.ip[i]);
            CHECK_EQ(l[i].count, a.count[i]);
        }
    }
}

static uint32_t suite_rnd(uint32_t *st)
{
    *st = *st * 1103515245u + 12345u;
    return *st >> 8;
}

/* One batch of alerts (and flows, which the lists must ignore) in hour h for a sensor. */
static void suite_ip_batch(struct hub_store *s, int64_t sensor, int64_t org, int64_t h, int n,
                           uint32_t *rnd, const char *id)
{
    static char src[64][24], dst[64][24];
    struct hub_store_event ev[64];
    for (int i = 0; i < n && i < 64; i++) {
        /* skewed pools (the minimum of two draws): a few frequent addresses, many ties */
        uint32_t a = suite_rnd(rnd) % 40, b = suite_rnd(rnd) % 40;
        uint32_t c = suite_rnd(rnd) % 25, d = suite_rnd(rnd) % 25;
        snprintf(src[i], sizeof(src[i]), "10.%d.0.%u", (int)org, a < b ? a : b);
        snprintf(dst[i], sizeof(dst[i]), "192.0.2.%u", c < d ? c : d);
        bool alert = i % 5 != 4;
        ev[i] = suite_evx(h * 60 + (int64_t)(suite_rnd(rnd) % 60), alert ? "alert" : "flow",
                          src[i], dst[i], alert ? 5000 + i % 3 : -1, alert ? "ET cache" : NULL,
                          alert ? 1 + i % 3 : -1, "http", 0, NULL);
    }
    struct hub_store_batch b = {.sensor_id = sensor, .org_id = org, .batch_id = id};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &b, ev, (size_t)(n < 64 ? n : 64), &res), CS_OK);
}

static struct hub_stats_overview *suite_ov_hours(struct hub_store *s, const struct hub_scope *sc,
                                                 int64_t org, int64_t from_h, int64_t to_h)
{
    static struct hub_stats_overview o;
    struct hub_stats_query q = {.from_us = SUITE_T0 + from_h * 60 * SUITE_MIN,
                                .to_us = SUITE_T0 + to_h * 60 * SUITE_MIN,
                                .org_id = org};
    CHECK_EQ(hub_store_stats_overview(s, sc, &q, &o), CS_OK);
    return &o;
}

/* The start-up warm-up reads the 7 days up to now once; the first 7-day overview then reads
 * nothing from the store and gives the exact lists. */
CS_TEST(store_stats_warm)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sensor-a");
    uint32_t rnd = 11;
    char id[32];
    for (int64_t h = 0; h < 10; h++) {
        snprintf(id, sizeof(id), "w%" PRId64, h);
        suite_ip_batch(s, sa, t.oa.id, h, 20, &rnd, id);
    }
    struct hub_stats_cache_info i0, i1;
    hub_store_stats_cache_info(s, &i0);
    CHECK_EQ(i0.hours_read, 0);
    int64_t now = SUITE_T0 + 10 * 60 * SUITE_MIN;
    CHECK_EQ(hub_store_stats_warm(s, now), CS_OK);
    hub_store_stats_cache_info(s, &i0);
    CHECK(i0.hours_read >= 10);
    CHECK(i0.rows > 0);
    struct hub_stats_overview *o = suite_ov_hours(s, &HUB_SCOPE_SYSTEM, 0, 10 - 7 * 24, 10);
    suite_check_top(s, &HUB_SCOPE_SYSTEM, 0, o, "after warm-up");
    CHECK(o->nsrc > 0);
    hub_store_stats_cache_info(s, &i1);
    CHECK_EQ(i1.hours_read, i0.hours_read);
    hub_store_close(s);
}

CS_TEST(store_stats_top_ips_cached_exact)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_tree t;
    suite_make_tree(s, &t);
    int64_t sa = suite_sensor(s, t.oa.id, "sensor-a"), sb = suite_sensor(s, t.ob.id, "sensor-b");
    struct hub_scope A = {.org_id = t.da.id}, B = {.org_id = t.db.id};
    const struct hub_scope *S = &HUB_SCOPE_SYSTEM;
    uint32_t rnd = 7;
    char id[32];
    for (int64_t h = 0; h < 30; h++) {
        snprintf(id, sizeof(id), "a%" PRId64, h);
        suite_ip_batch(s, sa, t.oa.id, h, 30, &rnd, id);
        snprintf(id, sizeof(id), "b%" PRId64, h);
        suite_ip_batch(s, sb, t.ob.id, h, 20, &rnd, id);
    }
    struct hub_stats_cache_info i0, i1;
    struct hub_stats_overview *o = suite_ov_hours(s, S, 0, 0, 24);
    CHECK_EQ(o->brk_to_us - o->brk_from_us, 24 * 60 * SUITE_MIN);
    CHECK(o->nsrc == HUB_STATS_TOP && o->src[0].count > o->src[9].count);
    suite_check_top(s, S, 0, o, "city 0-24");
    hub_store_stats_cache_info(s, &i0);
    CHECK_EQ(i0.hours, 24);
    CHECK_EQ(i0.hours_read, 24);
    /* the window slides: one hour read per step, the one that arrived */
    for (int64_t h = 1; h <= 3; h++) {
        o = suite_ov_hours(s, S, 0, h, 24 + h);
        suite_check_top(s, S, 0, o, "city slid");
    }
    hub_store_stats_cache_info(s, &i1);
    CHECK_EQ(i1.hours_read, i0.hours_read + 3);
    CHECK_EQ(i1.hours, 24); /* the hours that left are dropped */
    /* a district sees its own subtree's totals; the same hours serve it (nothing read) */
    o = suite_ov_hours(s, &A, 0, 3, 27);
    suite_check_top(s, &A, 0, o, "district A");
    for (size_t i = 0; i < o->nsrc; i++)
        CHECK(strncmp(o->src[i].ip, "10.", 3) == 0 && atoi(o->src[i].ip + 3) == (int)t.oa.id);
    o = suite_ov_hours(s, &B, 0, 3, 27);
    suite_check_top(s, &B, 0, o, "district B");
    o = suite_ov_hours(s, S, t.ob.id, 3, 27); /* the city filtered to plant-b */
    suite_check_top(s, S, t.ob.id, o, "city, plant-b");
    hub_store_stats_cache_info(s, &i0);
    CHECK_EQ(i0.hours_read, i1.hours_read);
    CHECK_EQ(i0.views, 4);

    /* late events: a batch into hour 5 makes a new top source in plant-a; only that hour is
     * read again, and every view that holds it changes (B's does not show it) */
    struct hub_store_event late[48];
    for (int i = 0; i < 48; i++)
        late[i] = suite_evx(5 * 60 + i % 60, "alert", "10.99.99.99", "192.0.2.200", 5000, "ET cache",
                            1, "http", 0, NULL);
    struct hub_store_batch lb = {.sensor_id = sa, .org_id = t.oa.id, .batch_id = "late"};
    struct hub_store_batch_result res;
    CHECK_EQ(hub_store_batch_add(s, &lb, late, 48, &res), CS_OK);
    o = suite_ov_hours(s, S, 0, 3, 27);
    suite_check_top(s, S, 0, o, "city after late");
    CHECK_STR(o->src[0].ip, "10.99.99.99");
    CHECK_EQ(o->src[0].count, 48);
    hub_store_stats_cache_info(s, &i1);
    CHECK_EQ(i1.hours_read, i0.hours_read + 1);
    o = suite_ov_hours(s, &A, 0, 3, 27);
    suite_check_top(s, &A, 0, o, "district A after late");
    CHECK_STR(o->src[0].ip, "10.99.99.99");
    o = suite_ov_hours(s, &B, 0, 3, 27);
    suite_check_top(s, &B, 0, o, "district B after late");
    for (size_t i = 0; i < o->nsrc; i++)
        CHECK(strcmp(o->src[i].ip, "10.99.99.99") != 0);
    /* a retried batch changes nothing */
    CHECK_EQ(hub_store_batch_add(s, &lb, late, 48, &res), CS_OK);
    CHECK(res.duplicate);
    o = suite_ov_hours(s, S, 0, 3, 27);
    CHECK_EQ(o->src[0].count, 48);
    /* a late event in an hour no window holds any more (hour 0), then the window back */
    struct hub_store_event old = suite_evx(10, "alert", "10.99.99.99", "192.0.2.201", 5000,
                                           "ET cache", 1, "http", 0, NULL);
    lb.batch_id = "old";
    CHECK_EQ(hub_store_batch_add(s, &lb, &old, 1, &res), CS_OK);
    o = suite_ov_hours(s, S, 0, 0, 24);
    suite_check_top(s, S, 0, o, "city back to 0-24");
    CHECK_EQ(o->src[0].count, 49);
    /* the newest hour of the window still filling: each request sees the batches so far */
    o = suite_ov_hours(s, &A, 0, 20, 31);
    suite_check_top(s, &A, 0, o, "district A, open hour");
    suite_ip_batch(s, sa, t.oa.id, 30, 40, &rnd, "a30");
    o = suite_ov_hours(s, &A, 0, 20, 31);
    suite_check_top(s, &A, 0, o, "district A, open hour, more");
    suite_ip_batch(s, sa, t.oa.id, 30, 40, &rnd, "a30b");
    o = suite_ov_hours(s, S, 0, 20, 31);
    suite_check_top(s, S, 0, o, "city, open hour");
    /* a range longer than the cache keeps (40 days) is answered all the same */
    o = suite_ov_hours(s, S, 0, -24 * 20, 24 * 20);
    suite_check_top(s, S, 0, o, "city, 40 days");
    /* a reopened store starts empty and gives the same lists */
    s = suite_reopen(s);
    REQUIRE(s);
    o = suite_ov_hours(s, &A, 0, 3, 27);
    suite_check_top(s, &A, 0, o, "district A after reopen");
    CHECK_STR(o->src[0].ip, "10.99.99.99");
    hub_store_close(s);
}

CS_TEST(store_stats_orgs_counts)
{
    struct hub_store *s = suite_open();
    REQUIRE(s);
    struct suite_stats x;
    suite_stats_fill(s, &x);
    struct hub_stats_overview *o = cs_calloc(1, sizeof(*o));
    REQUIRE(o);
    /* hub_store_stats_orgs by path: the overview's collector keeps them ranked */
    struct hub_stats_query q = {.from_us = SUITE_T0, .to_us = SUITE_T0 + 120 * SUITE_MIN};
    int n = 0;
    CHECK_EQ(hub_store_stats_orgs(s, &(struct hub_scope){.org_id = x.t.city.id}, &q,
                                  (int (*)(void *, const struct hub_stats_org *))suite_count_cb,
                                  &n),
             CS_OK);
    CHECK_EQ(n, 5);
    n = 0;
    CHECK_EQ(hub_store_stats_orgs(s, &(struct hub_scope){.org_id = x.t.db.id}, &q,
                                  (int (*)(void *, const struct hub_stats_org *))suite_count_cb,
                                  &n),
             CS_OK);
    CHECK_EQ(n, 2);
    q = (struct hub_stats_query){.from_us = SUITE_T0 + 120 * SUITE_MIN,
                                 .to_us = SUITE_T0 + 180 * SUITE_MIN};
    CHECK_EQ(hub_store_stats_overview(s, &HUB_SCOPE_SYSTEM, &q, o), CS_OK);
    CHECK_EQ(o->events, 0);
    CHECK_EQ(o->norgs, 5);
    CHECK_EQ(o->orgs[0].alerts, 0);
    CHECK_EQ(o->nsensors, 2); /* sensors are listed whatever the range */
    cs_free(o);
    hub_store_close(s);
}

#endif
