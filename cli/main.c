/* main.c — the citysoc command: administration of a hub's database, audit verification,
 * imports, the demo.
 *
 *   citysoc [-c hub.yaml] [--db PATH|URL] COMMAND ...
 *     org add NAME --kind city|district|org [--parent NAME] [--tags a,b]
 *     org list
 *     user add NAME --org ORG --role admin|analyst|viewer   (password: $CITYSOC_PASSWORD or
 *     user passwd NAME                                        the first line of stdin)
 *     user list
 *     token add USER [--label TEXT] [--ttl SECONDS] | token list [USER] [--all]
 *     token revoke ID                        (API token, session or sensor token)
 *     sensor add NAME --org ORG [--key-out FILE]   (creates its SM2 key pair and token)
 *     audit verify [--sealed]
 *     import eve|suricata|zeek|syslog|cef FILE --sensor NAME
 *     demo [--eve FILE | --pcaps DIR --out DIR]
 *
 * It works on the database directly (SQLite allows it while the hub runs) and writes an
 * audit record for every change, like the API does. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../hub/api/admin.h"
#include "../hub/api/api.h"
#include "../hub/api/events.h"
#include "../hub/audit/audit.h"
#include "../hub/config.h"
#include "../hub/ingest/batch.h"
#include "../lib/cs_time.h"

struct cli {
    struct hub_config cfg;
    struct hub_store *store;
    struct hub_api *api; /* for the audit writer */
    struct gm_sm2_key *hub_key;
    uint8_t tkey[HUB_TOKEN_KEY_MAX];
    size_t tkeylen;
    const char *actor;
    const char *argv0;
};

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("citysoc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* Option value after argv[i] named name ("--org"), NULL if absent. */
static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static bool flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

static int cli_open(struct cli *c)
{
    struct cs_err err = {0};
    hub_config_finish(&c->cfg);
    if (hub_store_open(c->cfg.database, 1, &c->store, &err) != CS_OK)
        return die("%s", err.msg);
    if (hub_token_key_load(c->cfg.token_key_file, c->tkey, sizeof(c->tkey), &c->tkeylen, &err))
        return die("%s", err.msg);
    if (hub_key_load_or_create(c->cfg.audit_key_file, NULL, &c->hub_key, NULL) != CS_OK)
        return die("cannot load or create the hub key %s", c->cfg.audit_key_file);
    c->api = hub_api_new(c->store, &c->cfg.api, c->tkey, c->tkeylen, c->hub_key);
    if (!c->api)
        return die("out of memory");
    const char *u = getenv("USER");
    c->actor = u && *u ? u : "cli";
    return 0;
}

static void cli_close(struct cli *c)
{
    if (c->api) {
        hub_api_audit_checkpoint(c->api);
        hub_api_free(c->api);
    }
    gm_sm2_key_free(c->hub_key);
    hub_store_close(c->store);
    gm_cleanse(c->tkey, sizeof(c->tkey));
}

static void audit(struct cli *c, const char *action, const char *target, const char *after)
{
    hub_api_audit(c->api, c->actor, "cli", action, target, "local", NULL, after);
}

static int read_password(char *out, size_t cap)
{
    const char *e = getenv("CITYSOC_PASSWORD");
    if (e) {
        if (strlen(e) >= cap)
            return die("password too long");
        snprintf(out, cap, "%s", e);
        return 0;
    }
    if (isatty(0))
        fprintf(stderr, "password: ");
    if (!fgets(out, (int)cap, stdin))
        return die("no password given ($CITYSOC_PASSWORD or stdin)");
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

/* ---- org ---------------------------------------------------------------------------- */

static int print_org(void *arg, const struct hub_org *o)
{
    (void)arg;
    printf("%-6" PRId64 " %-9s %-24s %-20s %s\n", o->id, o->kind, o->name, o->path, o->tags);
    return 0;
}

static int cmd_org(struct cli *c, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0) {
        printf("%-6s %-9s %-24s %-20s %s\n", "id", "kind", "name", "path", "tags");
        return hub_store_org_list(c->store, &HUB_SCOPE_SYSTEM, print_org, NULL) ? 1 : 0;
    }
    if (argc < 2 || strcmp(argv[0], "add") != 0)
        return die("usage: citysoc org add NAME --kind city|district|org [--parent NAME] "
                   "[--tags a,b] | org list");
    struct hub_org o = {0};
    const char *kind = opt(argc, argv, "--kind"), *parent = opt(argc, argv, "--parent");
    const char *tags = opt(argc, argv, "--tags");
    if (strlen(argv[1]) > HUB_NAME_MAX)
        return die("name too long");
    snprintf(o.name, sizeof(o.name), "%s", argv[1]);
    snprintf(o.kind, sizeof(o.kind), "%s", kind ? kind : (parent ? "org" : "city"));
    snprintf(o.tags, sizeof(o.tags), "%s", tags ? tags : "");
    if (parent) {
        struct hub_org p;
        if (hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, parent, &p) != CS_OK)
            return die("no organisation named '%s'", parent);
        o.parent_id = p.id;
    }
    int rc = hub_store_org_add(c->store, &HUB_SCOPE_SYSTEM, &o);
    if (rc == HUB_ECONFLICT)
        return die("an organisation named '%s' exists", o.name);
    if (rc)
        return die("cannot add the organisation: %s",
                   rc == CS_EINVAL ? "invalid kind or name" : cs_strerror(rc));
    char target[48];
    snprintf(target, sizeof(target), "org:%" PRId64, o.id);
    audit(c, "org.create", target, NULL);
    print_org(NULL, &o);
    return 0;
}

/* ---- user --------------------------------------------------------------------------- */

static int print_user(void *arg, const struct hub_user *u)
{
    (void)arg;
    printf("%-6" PRId64 " %-24s %-8s org %-6" PRId64 "%s\n", u->id, u->name, hub_role_name(u->role),
           u->org_id, u->disabled ? " (disabled)" : "");
    return 0;
}

static int cmd_user(struct cli *c, int argc, char **argv)
{
    char pw[1100];
    if (argc >= 1 && strcmp(argv[0], "list") == 0)
        return hub_store_user_list(c->store, &HUB_SCOPE_SYSTEM, print_user, NULL) ? 1 : 0;
    if (argc >= 2 && strcmp(argv[0], "add") == 0) {
        const char *org = opt(argc, argv, "--org"), *role = opt(argc, argv, "--role");
        struct hub_org o;
        if (!org || !role)
            return die("usage: citysoc user add NAME --org ORG --role admin|analyst|viewer");
        if (hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, org, &o) != CS_OK)
            return die("no organisation named '%s'", org);
        if (read_password(pw, sizeof(pw)))
            return 1;
        struct hub_user u;
        const char *why = NULL;
        int rc = hub_admin_user_add(c->store, &HUB_SCOPE_SYSTEM, &c->cfg.api.pw, argv[1], pw,
                                    hub_role_parse(role), o.id, &u, &why);
        gm_cleanse(pw, sizeof(pw));
        if (rc)
            return die("cannot add user: %s", why                   ? why
                                              : rc == HUB_ECONFLICT ? "the name is taken"
                                                                    : cs_strerror(rc));
        char target[48];
        snprintf(target, sizeof(target), "user:%" PRId64, u.id);
        audit(c, "user.create", target, NULL);
        print_user(NULL, &u);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[0], "passwd") == 0) {
        struct hub_user u;
        if (hub_store_user_find(c->store, &HUB_SCOPE_SYSTEM, argv[1], &u) != CS_OK)
            return die("no user named '%s'", argv[1]);
        if (read_password(pw, sizeof(pw)))
            return 1;
        const char *why = NULL;
        int rc = hub_admin_user_passwd(c->store, &HUB_SCOPE_SYSTEM, &c->cfg.api.pw, u.id, pw, &why);
        gm_cleanse(pw, sizeof(pw));
        if (rc)
            return die("cannot set the password: %s", why ? why : cs_strerror(rc));
        char target[48];
        snprintf(target, sizeof(target), "user:%" PRId64, u.id);
        audit(c, "user.password", target, NULL);
        printf("password of %s changed\n", u.name);
        return 0;
    }
    return die("usage: citysoc user add|passwd|list ...");
}

static int print_cred(void *arg, const struct hub_cred *cr)
{
    (void)arg;
    char exp[32] = "never";
    if (cr->expires_us)
        snprintf(exp, sizeof(exp), "%" PRId64, cr->expires_us / 1000000);
    printf("%-6" PRId64 " %-8s %-5s %-6" PRId64 " %-12" PRId64 " %-12s %s\n", cr->id,
           cr->kind == HUB_CRED_SESSION  ? "session"
           : cr->kind == HUB_CRED_SENSOR ? "sensor"
                                         : "token",
           cr->kind == HUB_CRED_SENSOR ? "sensor" : "user",
           cr->kind == HUB_CRED_SENSOR ? cr->sensor_id : cr->user_id, cr->created_us / 1000000,
           exp, cr->label);
    return 0;
}

static int cmd_token(struct cli *c, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0) {
        /* token list [USER] [--all]: API tokens (of USER); --all adds sessions and sensors */
        int64_t uid = 0;
        if (argc >= 2 && argv[1][0] != '-') {
            struct hub_user u;
            if (hub_store_user_find(c->store, &HUB_SCOPE_SYSTEM, argv[1], &u) != CS_OK)
                return die("no user named '%s'", argv[1]);
            uid = u.id;
        }
        printf("%-6s %-8s %-5s %-6s %-12s %-12s %s\n", "id", "kind", "owner", "id", "created",
               "expires", "label");
        return hub_store_cred_list(c->store, &HUB_SCOPE_SYSTEM,
                                   flag(argc, argv, "--all") ? 0 : HUB_CRED_TOKEN, uid,
                                   (int64_t)cs_time_now_us(), print_cred, NULL)
                   ? 1
                   : 0;
    }
    if (argc >= 2 && strcmp(argv[0], "revoke") == 0) {
        char *end;
        long long id = strtoll(argv[1], &end, 10);
        if (*end || id <= 0)
            return die("usage: citysoc token revoke ID (see token list)");
        struct hub_cred cr;
        int rc = hub_store_cred_revoke(c->store, &HUB_SCOPE_SYSTEM, id, 0, &cr);
        if (rc == HUB_ENOTFOUND)
            return die("no credential with id %lld", id);
        if (rc)
            return die("cannot revoke: %s", cs_strerror(rc));
        gm_cleanse(cr.hash, sizeof(cr.hash));
        char target[48];
        snprintf(target, sizeof(target), "token:%" PRId64, cr.id);
        audit(c, "token.revoke", target, NULL);
        printf("revoked %" PRId64 " (%s)\n", cr.id, cr.label);
        return 0;
    }
    if (argc < 2 || strcmp(argv[0], "add") != 0)
        return die("usage: citysoc token add USER [--label TEXT] [--ttl SECONDS] | token list "
                   "[USER] [--all] | token revoke ID");
    struct hub_user u;
    if (hub_store_user_find(c->store, &HUB_SCOPE_SYSTEM, argv[1], &u) != CS_OK)
        return die("no user named '%s'", argv[1]);
    const char *label = opt(argc, argv, "--label"), *ttl = opt(argc, argv, "--ttl");
    char token[HUB_TOKEN_STR_LEN + 1];
    int rc = hub_admin_token_add(c->store, c->tkey, c->tkeylen, u.id, label ? label : "cli",
                                 ttl ? atoll(ttl) : 0, token);
    if (rc)
        return die("cannot create the token: %s", cs_strerror(rc));
    char target[48];
    snprintf(target, sizeof(target), "user:%" PRId64, u.id);
    audit(c, "token.create", target, NULL);
    printf("%s\n", token);
    return 0;
}

/* ---- sensor ------------------------------------------------------------------------- */

static int cmd_sensor(struct cli *c, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[0], "add") != 0)
        return die("usage: citysoc sensor add NAME --org ORG [--key-out FILE]");
    const char *org = opt(argc, argv, "--org"), *out = opt(argc, argv, "--key-out");
    struct hub_org o;
    if (!org)
        return die("--org is required");
    if (hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, org, &o) != CS_OK)
        return die("no organisation named '%s'", org);
    char keyfile[600];
    snprintf(keyfile, sizeof(keyfile), "%s", out ? out : argv[1]);
    if (!out)
        strncat(keyfile, ".sm2.pem", sizeof(keyfile) - strlen(keyfile) - 1);
    struct hub_sensor se;
    char token[HUB_TOKEN_STR_LEN + 1];
    char *priv = NULL;
    int rc = hub_admin_sensor_add(c->store, &HUB_SCOPE_SYSTEM, c->tkey, c->tkeylen, argv[1], o.id,
                                  NULL, &se, token, &priv);
    if (rc)
        return die("cannot add the sensor: %s", rc == HUB_ECONFLICT ? "the name is taken"
                                                : rc == CS_EINVAL
                                                    ? "names are 1..64 of A-Z a-z 0-9 . _ - @ :"
                                                    : cs_strerror(rc));
    FILE *f = NULL;
    mode_t old = umask(077);
    f = fopen(keyfile, "wx");
    umask(old);
    if (!f || fputs(priv, f) < 0 || fclose(f) != 0) {
        gm_cleanse(priv, strlen(priv));
        cs_free(priv);
        return die("cannot write %s (exists?)", keyfile);
    }
    gm_cleanse(priv, strlen(priv));
    cs_free(priv);
    char target[48];
    snprintf(target, sizeof(target), "sensor:%" PRId64, se.id);
    audit(c, "sensor.create", target, NULL);
    printf("sensor %s (id %" PRId64 ") in %s\nprivate key: %s\ntoken: %s\n", se.name, se.id, o.name,
           keyfile, token);
    return 0;
}

/* ---- audit verify ------------------------------------------------------------------- */

#define PAGE 256

struct rec_copy {
    int64_t seq, ts;
    char *f[9]; /* actor, actor_type, action, target, source, before, after, prev, hash */
};

struct rec_iter {
    struct hub_store *s;
    struct rec_copy page[PAGE];
    int n, i;
    int64_t next;
    bool done;
    int err;
};

static char *dup_or_null(const char *s)
{
    return s ? cs_strdup(s) : NULL;
}

static void page_free(struct rec_iter *it)
{
    for (int i = 0; i < it->n; i++)
        for (int k = 0; k < 9; k++)
            cs_free(it->page[i].f[k]);
    it->n = it->i = 0;
}

static int page_cb(void *arg, const struct hub_audit_row *r)
{
    struct rec_iter *it = arg;
    struct rec_copy *c = &it->page[it->n++];
    const char *v[9] = {r->actor,  r->actor_type, r->action,    r->target, r->source,
                        r->before, r->after,      r->prev_hash, r->hash};
    c->seq = r->seq;
    c->ts = r->ts_us;
    for (int k = 0; k < 9; k++)
        c->f[k] = dup_or_null(v[k]);
    it->next = r->seq + 1;
    return it->n == PAGE ? 1 : 0;
}

static int rec_next(void *arg, struct hub_audit_rec *rec)
{
    struct rec_iter *it = arg;
    if (it->i == it->n) {
        if (it->done)
            return 0;
        page_free(it);
        int rc = hub_store_audit_list(it->s, it->next, page_cb, it);
        if (rc < 0)
            return rc;
        if (it->n < PAGE)
            it->done = true;
        if (it->n == 0)
            return 0;
    }
    struct rec_copy *c = &it->page[it->i++];
    memset(rec, 0, sizeof(*rec));
    rec->seq = (uint64_t)c->seq;
    rec->ts_us = c->ts;
    rec->actor = c->f[0];
    rec->actor_type = c->f[1];
    rec->action = c->f[2];
    rec->target = c->f[3];
    rec->src_addr = c->f[4];
    rec->before = c->f[5];
    rec->after = c->f[6];
    if ((c->f[7] && c->f[7][0] && hub_audit_hex_decode(c->f[7], rec->prev_hash) != CS_OK) ||
        !c->f[8] || hub_audit_hex_decode(c->f[8], rec->hash) != CS_OK)
        memset(rec->hash, 0, sizeof(rec->hash)); /* an unreadable hash fails the check */
    return 1;
}

struct ck_iter {
    struct hub_audit_ckpt *v;
    size_t n, cap, i;
};

static int ck_cb(void *arg, const struct hub_audit_ckpt_row *r)
{
    struct ck_iter *it = arg;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        void *nv = cs_realloc(it->v, cap * sizeof(*it->v));
        if (!nv)
            return CS_ENOMEM;
        it->v = nv;
        it->cap = cap;
    }
    struct hub_audit_ckpt *c = &it->v[it->n++];
    memset(c, 0, sizeof(*c));
    c->seq = (uint64_t)r->seq;
    c->ts_us = r->ts_us;
    if (hub_audit_hex_decode(r->hash, c->hash) != CS_OK)
        memset(c->hash, 0xff, sizeof(c->hash));
    c->siglen = r->siglen <= sizeof(c->sig) ? r->siglen : 0;
    memcpy(c->sig, r->sig, c->siglen);
    return 0;
}

static int ck_next(void *arg, struct hub_audit_ckpt *ck)
{
    struct ck_iter *it = arg;
    if (it->i == it->n)
        return 0;
    *ck = it->v[it->i++];
    return 1;
}

static int cmd_audit(struct cli *c, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "verify") != 0)
        return die("usage: citysoc audit verify [--sealed]");
    struct rec_iter *it = cs_calloc(1, sizeof(*it));
    struct ck_iter ck = {0};
    if (!it)
        return die("out of memory");
    it->s = c->store;
    it->next = 1;
    int rc = hub_store_audit_ckpt_list(c->store, ck_cb, &ck);
    if (rc) {
        cs_free(it);
        return die("cannot read the checkpoints: %s", cs_strerror(rc));
    }
    struct hub_audit_verify_opts o = {.require_sealed_tail = flag(argc, argv, "--sealed")};
    struct hub_audit_report rep;
    rc = hub_audit_verify(c->hub_key, rec_next, it, ck_next, &ck, &o, &rep);
    page_free(it);
    cs_free(it);
    cs_free(ck.v);
    if (rc == CS_OK) {
        printf("audit log OK: %" PRIu64 " records, %" PRIu64 " checkpoints (last at %" PRIu64
               "), %" PRIu64 " records after it\n",
               rep.records, rep.checkpoints, rep.last_ckpt_seq, rep.unsealed);
        return 0;
    }
    printf("audit log BROKEN: %s (%s)\n", rep.msg, hub_audit_verdict_str(rep.verdict));
    return 3;
}

/* ---- import ------------------------------------------------------------------------- */

static int cmd_import(struct cli *c, int argc, char **argv)
{
    if (argc < 2)
        return die("usage: citysoc import eve|suricata|zeek|zeek-json|syslog|cef FILE --sensor "
                   "NAME");
    const char *kind = argv[0], *path = argv[1], *sensor = opt(argc, argv, "--sensor");
    enum hub_fmt fmt = !strcmp(kind, "eve")    ? HUB_FMT_SURICATA_EVE
                       : !strcmp(kind, "zeek") ? HUB_FMT_ZEEK_TSV
                                               : hub_fmt_parse(kind, strlen(kind));
    if (fmt == HUB_FMT_NONE)
        return die("unknown format '%s'", kind);
    struct hub_sensor se;
    if (!sensor)
        return die("--sensor NAME is required (the events belong to its organisation)");
    if (hub_store_sensor_find(c->store, &HUB_SCOPE_SYSTEM, sensor, &se) != CS_OK)
        return die("no sensor named '%s'", sensor);
    FILE *f = fopen(path, "rb");
    if (!f)
        return die("cannot open %s", path);
    size_t cap = 1 << 20, len = 0, n;
    char *buf = cs_malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *nb = cap < (1ull << 31) ? cs_realloc(buf, cap * 2) : NULL;
            if (!nb) {
                cs_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return die("%s: too large or out of memory", path);
    uint8_t digest[32];
    gm_sm3(buf, len, digest);
    struct hub_batch b;
    struct cs_err err = {0};
    hub_batch_init(&b);
    b.max_decoded = (size_t)1 << 31;
    int rc = hub_batch_decode(&b, fmt, HUB_ENC_IDENTITY, buf, len, &err);
    cs_free(buf);
    if (rc) {
        hub_batch_free(&b);
        return die("%s: %s", path, err.msg);
    }
    for (size_t i = 0; i < b.nerrors_kept && i < 5; i++)
        fprintf(stderr, "citysoc: %s:%u: %s\n", path, b.errors[i].line, b.errors[i].msg);
    /* Batches of 5000 events named after the file's SM3 and their index: importing the same
     * file again stores nothing twice. */
    size_t chunk = 5000, stored = 0, dup = 0;
    struct hub_store_event *ev = cs_malloc(chunk * sizeof(*ev));
    int64_t now = (int64_t)cs_time_now_us();
    for (size_t off = 0; ev && off < b.nevents; off += chunk) {
        size_t k = CS_MIN(chunk, b.nevents - off);
        for (size_t i = 0; i < k; i++)
            hub_event_to_store(&b.events[off + i], now, &ev[i]);
        char id[64];
        snprintf(id, sizeof(id), "import-%02x%02x%02x%02x%02x%02x%02x%02x-%zu", digest[0],
                 digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                 off / chunk);
        struct hub_store_batch sb = {.sensor_id = se.id, .org_id = se.org_id, .batch_id = id};
        struct hub_store_batch_result res;
        if ((rc = hub_store_batch_add(c->store, &sb, ev, k, &res)) != CS_OK)
            break;
        if (res.duplicate)
            dup += k;
        else
            stored += (size_t)res.stored;
    }
    cs_free(ev);
    size_t nerr = b.nerrors, nev = b.nevents;
    hub_batch_free(&b);
    if (rc)
        return die("storing failed: %s", cs_strerror(rc));
    char target[48];
    snprintf(target, sizeof(target), "sensor:%" PRId64, se.id);
    audit(c, "events.import", target, NULL);
    printf("%s: %zu events stored, %zu already there, %zu bad lines\n", path, stored, dup, nerr);
    return nev == 0 && nerr ? 1 : 0;
}

/* ---- sign (what a sensor's uploader does; for tests and scripts) -------------------- */

static int cmd_sign(int argc, char **argv)
{
    const char *key = opt(argc, argv, "--key"), *sensor = opt(argc, argv, "--sensor");
    const char *batch = opt(argc, argv, "--batch"), *ts = opt(argc, argv, "--ts");
    if (argc < 1 || !key || !sensor || !batch)
        return die("usage: citysoc sign FILE --key SENSOR.sm2.pem --sensor NAME --batch ID "
                   "[--ts UNIX]");
    struct gm_sm2_key *k = NULL;
    if (gm_sm2_key_load_pem_file(key, &k) != CS_OK)
        return die("cannot load the private key %s", key);
    FILE *f = fopen(argv[0], "rb");
    if (!f) {
        gm_sm2_key_free(k);
        return die("cannot open %s", argv[0]);
    }
    size_t cap = 1 << 20, len = 0, n;
    char *buf = cs_malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *nb = cs_realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    char hdr[HUB_SIG_HEADER_MAX];
    int64_t t = ts ? atoll(ts) : (int64_t)(cs_time_now_us() / 1000000);
    enum hub_sig_status st =
        buf ? hub_sig_sign(k, sensor, batch, t, buf, len, hdr, sizeof(hdr)) : HUB_SIG_ENOMEM;
    cs_free(buf);
    gm_sm2_key_free(k);
    if (st != HUB_SIG_OK)
        return die("signing failed: %s", hub_sig_status_str(st));
    printf("%s\n", hdr);
    return 0;
}

/* ---- demo --------------------------------------------------------------------------- */

static int cmd_demo(struct cli *c, int argc, char **argv)
{
    static const struct {
        const char *name, *kind, *parent, *tags;
    } orgs[] = {
        {"demo-city", "city", NULL, ""},
        {"district-east", "district", "demo-city", ""},
        {"district-west", "district", "demo-city", ""},
        {"east-water-works", "org", "district-east", "water,ics"},
        {"west-power-grid", "org", "district-west", "energy,ics"},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(orgs); i++) {
        struct hub_org o = {0};
        snprintf(o.name, sizeof(o.name), "%s", orgs[i].name);
        snprintf(o.kind, sizeof(o.kind), "%s", orgs[i].kind);
        snprintf(o.tags, sizeof(o.tags), "%s", orgs[i].tags);
        if (orgs[i].parent) {
            struct hub_org p;
            if (hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, orgs[i].parent, &p) != CS_OK)
                return die("demo: missing %s", orgs[i].parent);
            o.parent_id = p.id;
        }
        int rc = hub_store_org_add(c->store, &HUB_SCOPE_SYSTEM, &o);
        if (rc && rc != HUB_ECONFLICT)
            return die("demo: cannot add %s", o.name);
    }
    /* One password for the demo's users, printed once. */
    uint8_t rnd[9];
    char pw[32];
    gm_random(rnd, sizeof(rnd));
    snprintf(pw, sizeof(pw), "demo-%02x%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8]);
    static const struct {
        const char *name, *org, *role;
    } users[] = {
        {"city-admin", "demo-city", "admin"},
        {"east-analyst", "district-east", "analyst"},
        {"west-viewer", "district-west", "viewer"},
    };
    for (size_t i = 0; i < CS_ARRAY_LEN(users); i++) {
        struct hub_org o;
        const char *why;
        hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, users[i].org, &o);
        int rc = hub_admin_user_add(c->store, &HUB_SCOPE_SYSTEM, &c->cfg.api.pw, users[i].name, pw,
                                    hub_role_parse(users[i].role), o.id, NULL, &why);
        if (rc == CS_OK)
            printf("user %-13s role %-8s org %-14s password %s\n", users[i].name, users[i].role,
                   users[i].org, pw);
        else if (rc == HUB_ECONFLICT)
            printf("user %-13s exists (password unchanged)\n", users[i].name);
        else
            return die("demo: cannot add %s: %s", users[i].name, why ? why : cs_strerror(rc));
    }
    struct hub_sensor se;
    if (hub_store_sensor_find(c->store, &HUB_SCOPE_SYSTEM, "east-sensor-1", &se) != CS_OK) {
        struct hub_org o;
        char token[HUB_TOKEN_STR_LEN + 1], *priv = NULL;
        hub_store_org_find(c->store, &HUB_SCOPE_SYSTEM, "east-water-works", &o);
        if (hub_admin_sensor_add(c->store, &HUB_SCOPE_SYSTEM, c->tkey, c->tkeylen, "east-sensor-1",
                                 o.id, NULL, &se, token, &priv) != CS_OK)
            return die("demo: cannot add the sensor");
        gm_cleanse(priv, strlen(priv));
        cs_free(priv);
        printf("sensor east-sensor-1 token %s\n", token);
    }
    audit(c, "demo.setup", "demo", NULL);
    const char *eve = opt(argc, argv, "--eve");
    char evebuf[600];
    if (!eve) {
        /* No eve.json given: run citysoc-sensor (next to this program) over the captures. */
        const char *pcaps = opt(argc, argv, "--pcaps"), *out = opt(argc, argv, "--out");
        pcaps = pcaps ? pcaps : "tests/data/pcaps";
        out = out ? out : "demo-out";
        char sensor[600];
        snprintf(sensor, sizeof(sensor), "%s", c->argv0);
        char *slash = strrchr(sensor, '/');
        snprintf(slash ? slash + 1 : sensor,
                 sizeof(sensor) - (size_t)(slash ? slash + 1 - sensor : 0), "citysoc-sensor");
        mkdir(out, 0755);
        printf("== %s -r %s -l %s\n", sensor, pcaps, out);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            execl(sensor, sensor, "-r", pcaps, "-l", out, "-k", "none", (char *)NULL);
            _exit(127);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return die("demo: the sensor run failed");
        snprintf(evebuf, sizeof(evebuf), "%s/eve.json", out);
        eve = evebuf;
    }
    char *iargv[] = {"eve", (char *)eve, "--sensor", "east-sensor-1"};
    int rc = cmd_import(c, 4, iargv);
    if (rc)
        return rc;
    /* What each demo user would see through the API (the store applies their scope). */
    for (size_t i = 0; i < CS_ARRAY_LEN(users); i++) {
        struct hub_user u;
        int64_t n = 0;
        if (hub_store_user_find(c->store, &HUB_SCOPE_SYSTEM, users[i].name, &u) != CS_OK)
            continue;
        struct hub_scope sc = {.org_id = u.org_id};
        hub_store_event_count(c->store, &sc, &n);
        printf("%-13s sees %" PRId64 " events\n", users[i].name, n);
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: citysoc [-c hub.yaml] [--db PATH|URL] COMMAND\n"
            "  org add NAME --kind city|district|org [--parent NAME] [--tags a,b] | org list\n"
            "  user add NAME --org ORG --role admin|analyst|viewer | user passwd NAME | user list\n"
            "  token add USER [--label TEXT] [--ttl SECONDS] | token list [USER] [--all]\n"
            "  token revoke ID\n"
            "  sensor add NAME --org ORG [--key-out FILE]\n"
            "  audit verify [--sealed]\n"
            "  import eve|zeek|zeek-json|syslog|cef FILE --sensor NAME\n"
            "  demo [--eve EVE.JSON | --pcaps DIR --out DIR]\n"
            "  sign FILE --key SENSOR.sm2.pem --sensor NAME --batch ID [--ts UNIX]\n"
            "Passwords come from $CITYSOC_PASSWORD or the first line of stdin.\n");
}

int main(int argc, char **argv)
{
    struct cli c = {0};
    struct cs_err err = {0};
    hub_config_defaults(&c.cfg);
    c.argv0 = argv[0];
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            if (hub_config_load(&c.cfg, argv[++i], &err) != CS_OK)
                return die("%s", err.msg);
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            snprintf(c.cfg.database, sizeof(c.cfg.database), "%s", argv[++i]);
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[i++];
    if (!strcmp(cmd, "sign"))
        return cmd_sign(argc - i, argv + i);
    int (*fn)(struct cli *, int, char **) = !strcmp(cmd, "org")      ? cmd_org
                                            : !strcmp(cmd, "user")   ? cmd_user
                                            : !strcmp(cmd, "token")  ? cmd_token
                                            : !strcmp(cmd, "sensor") ? cmd_sensor
                                            : !strcmp(cmd, "audit")  ? cmd_audit
                                            : !strcmp(cmd, "import") ? cmd_import
                                            : !strcmp(cmd, "demo")   ? cmd_demo
                                                                     : NULL;
    if (!fn) {
        usage(stderr);
        return 2;
    }
    if (cli_open(&c)) {
        cli_close(&c);
        return 1;
    }
    int rc = fn(&c, argc - i, argv + i);
    cli_close(&c);
    return rc;
}
