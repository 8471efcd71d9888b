/* engine.c — compiling a rule set into a struct sn_detect_engine: rule analysis, fast
 * patterns, port/protocol groups with Hyperscan prefilters, the IP-only interval index.
 * See engine.h. Publication and reload are in engine_reload.c, matching in engine_run.c. */
#include "engine_int.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_time.h"
#include "../app/app.h"
#include "../config.h"
#include "kw_content.h"
#include "kw_pcre.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule goes to per-port groups when its destination ports are at most this many. */
#define DE_PORTS_MAX 64
/* An IP-only range covering more index segments than this sends its rule to the
 * always-checked list instead (keeps the index linear in the number of ranges). */
#define DE_IP_SPAN_MAX 256

struct idlist {
    uint32_t *v;
    uint32_t n, cap;
};

static int idlist_add(struct idlist *l, uint32_t id)
{
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 8;
        uint32_t *nv = cs_realloc(l->v, nc * sizeof(*nv));
        if (!nv)
            return CS_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = id;
    return CS_OK;
}

/* ---- rule analysis ------------------------------------------------------------------------ */

/* Keywords that append an instance but have no per-packet condition: the engine handles
 * them itself (threshold, detection_filter) or they only tune behaviour. */
static bool kw_is_engine_only(const struct sn_kw *k)
{
    static const char *const names[] = {"threshold", "detection_filter", "tag", "prefilter",
                                        "target"};
    for (unsigned i = 0; i < CS_ARRAY_LEN(names); i++)
        if (strcmp(k->name, names[i]) == 0)
            return true;
    return false;
}

static bool kw_is_payload(const struct sn_kw *k)
{
    return (k->flags & (SN_KW_PAYLOAD | SN_KW_TRANSFORM)) || strcmp(k->name, "bsize") == 0 ||
           strcmp(k->name, "urilen") == 0;
}

/* Keywords that only make sense on an app-layer transaction (their match reads t->tx). */
static bool kw_is_tx(const struct sn_kw *k)
{
    static const char *const names[] = {
        "ssl_state",        "ssl_version",       "tls.version",        "urilen",
        "dce_iface",        "dce_opnum",         "cip_service",        "dnp3_func",
        "dnp3_ind",         "dnp3_obj",          "enip_command",       "modbus",
        "tls_cert_expired", "tls_cert_notafter", "tls_cert_notbefore", "tls_cert_valid",
        "dns.rrtype",       "tls.subject",       "tls.issuerdn",       "tls.fingerprint",
        "ftpbounce"};
    for (unsigned i = 0; i < CS_ARRAY_LEN(names); i++)
        if (strcmp(k->name, names[i]) == 0)
            return true;
    return false;
}

static bool kw_is_flowbits_setter(const struct sn_kw_inst *in)
{
    const struct sn_bits *b = in->data;
    if (strcmp(in->kw->name, "flowbits") != 0 || !b)
        return false;
    return b->cmd == SN_BITS_SET || b->cmd == SN_BITS_UNSET || b->cmd == SN_BITS_TOGGLE ||
           b->cmd == SN_BITS_NOALERT;
}

static bool kw_is_flowbits_reader(const struct sn_kw_inst *in)
{
    const struct sn_bits *b = in->data;
    if (strcmp(in->kw->name, "flowbits") != 0 || !b)
        return false;
    return b->cmd == SN_BITS_ISSET || b->cmd == SN_BITS_ISNOTSET;
}

static int add_skip(struct sn_detect_engine *de, const struct sn_rule *r, const char *why)
{
    char line[512];
    char **n = cs_realloc(de->skipped, (de->nskipped + 1) * sizeof(*n));
    if (!n)
        return CS_ENOMEM;
    de->skipped = n;
    snprintf(line, sizeof(line), "%s:%d: sid %u: %s", r->file ? r->file : "<string>", r->line,
             r->sid, why);
    if (!(de->skipped[de->nskipped] = cs_strdup(line)))
        return CS_ENOMEM;
    de->nskipped++;
    return CS_OK;
}

/* Whether a rule is also inspected on the reassembled TCP stream (Suricata's stream payload
 * inspection): a TCP rule (not tcp-pkt) whose payload keywords all inspect pkt_data and
 * whose other conditions do not read a packet header (dsize, flags, ttl… make a rule
 * packet-only, as in Suricata). */
static bool stream_eligible(const struct sn_rule *r, const struct de_rule *dr)
{
    static const char *const flow_level[] = {"flow",  "flowbits",           "flowint",
                                             "xbits", "app-layer-protocol", "stream_size"};
    if (!dr->nsegs || dr->tx || r->proto.l4 != SN_L4_TCP ||
        (r->proto.flags & SN_RULE_PROTO_TCP_PKT))
        return false;
    for (uint32_t i = 0; i < dr->nsegs; i++)
        if (dr->segs[i].buf != SN_BUF_PKT)
            return false;
    for (uint32_t i = 0; i < dr->nconds; i++) {
        const char *name = r->kw[dr->conds[i]].kw->name;
        bool ok = false;
        for (unsigned k = 0; k < CS_ARRAY_LEN(flow_level) && !ok; k++)
            ok = strcmp(name, flow_level[k]) == 0;
        if (!ok)
            return false;
    }
    return true;
}

/* A payload run on the packet payload / stream (content, pcre… without a sticky buffer). */
static bool has_pkt_seg(const struct de_rule *dr)
{
    for (uint32_t i = 0; i < dr->nsegs; i++)
        if (dr->segs[i].buf == SN_BUF_PKT)
            return true;
    return false;
}

/* Fills dr from r; returns 1 when the rule can be matched, 0 when it is skipped (reason
 * recorded), <0 on allocation failure. */
static int analyse_rule(struct sn_detect_engine *de, const struct sn_rule *r, struct de_rule *dr)
{
    char why[160];
    bool payload = false, flowkw = false;
    const char *app = r->proto.app;

    memset(dr, 0, sizeof(*dr));
    dr->r = r;
    dr->conds = cs_calloc(r->nkw ? r->nkw : 1, sizeof(*dr->conds));
    dr->segs = cs_calloc(r->nkw ? r->nkw : 1, sizeof(*dr->segs));
    if (!dr->conds || !dr->segs)
        return CS_ENOMEM;
    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_kw_inst *in = &r->kw[i];
        const char *bp = sn_buf_proto(in->buffer);
        if (bp) {
            if (app && strcmp(app, bp) != 0 &&
                !(strncmp(app, "http", 4) == 0 && strncmp(bp, "http", 4) == 0)) {
                snprintf(why, sizeof(why), "buffers of two app-layer protocols");
                goto skip;
            }
            if (!app)
                app = bp;
            dr->tx = true;
        }
        if (kw_is_tx(in->kw))
            dr->tx = true;
        if (strcmp(in->kw->name, "ftpbounce") == 0 && !app)
            app = "ftp"; /* an FTP transaction's keyword in a plain tcp rule */
        /* file.data / file.name belong to no one protocol but exist only in transactions;
         * HTTP is the one parser that fills them, so a rule without an app-layer protocol
         * inspects them there. */
        if (in->buffer == SN_BUF_FILE_DATA || in->buffer == SN_BUF_FILE_NAME) {
            if (!app)
                app = "http";
            dr->tx = true;
        }
        if (kw_is_engine_only(in->kw)) {
            if (strcmp(in->kw->name, "threshold") == 0 ||
                strcmp(in->kw->name, "detection_filter") == 0)
                dr->thr = in->data;
            continue;
        }
        if (kw_is_payload(in->kw)) {
            payload = true;
            if (dr->nsegs && dr->segs[dr->nsegs - 1].end == i &&
                dr->segs[dr->nsegs - 1].buf == in->buffer &&
                dr->segs[dr->nsegs - 1].dir == in->dir) {
                dr->segs[dr->nsegs - 1].end = i + 1;
            } else {
                dr->segs[dr->nsegs].first = i;
                dr->segs[dr->nsegs].end = i + 1;
                dr->segs[dr->nsegs].buf = in->buffer;
                dr->segs[dr->nsegs].dir = in->dir;
                dr->nsegs++;
            }
            continue;
        }
        if (!in->kw->match) {
            snprintf(why, sizeof(why), "keyword '%s' cannot be matched yet", in->kw->name);
            goto skip;
        }
        if (!kw_is_flowbits_setter(in))
            flowkw = true;
        dr->conds[dr->nconds++] = i;
    }
    if (app) {
        dr->app_idx = sn_app_lookup(strcmp(app, "http2") == 0 ? "http2" : app);
        dr->app_name = app;
        if (!dr->app_idx) {
            snprintf(why, sizeof(why), "no parser for app-layer protocol '%s'", app);
            goto skip;
        }
        if (dr->app_idx >= SN_APP_MAX) {
            snprintf(why, sizeof(why), "app-layer protocol index out of range");
            goto skip;
        }
    }
    /* a '=>' rule is one request and its response: dns and dnp3 messages reach the engine
     * one by one, without a transaction that joins both sides */
    if (r->flags & SN_RULE_TXBOTH) {
        if (!app || strcmp(app, "dns") == 0 || strcmp(app, "dnp3") == 0) {
            snprintf(why, sizeof(why), "'=>' needs transactions of both directions, which '%s' "
                     "has not here", app ? app : r->proto.name);
            goto skip;
        }
        dr->tx = true;
    }
    dr->ip_only =
        !payload && !flowkw && !app && r->sp.any && r->dp.any && !(r->flags & SN_RULE_BIDIR);
    dr->stream = stream_eligible(r, dr);
    dr->stream_only = (r->proto.flags & SN_RULE_PROTO_TCP_STREAM) != 0;
    /* Suricata's default: a pass rule passes the whole flow */
    dr->flow_pass = r->action == SN_ACT_PASS;
    return 1;
skip:
    cs_free(dr->conds);
    cs_free(dr->segs);
    dr->conds = NULL;
    dr->segs = NULL;
    return add_skip(de, r, why) == CS_OK ? 0 : CS_ENOMEM;
}

static int fb_class(const struct sn_rule *r)
{
    bool set = false, read = false;
    for (uint32_t i = 0; i < r->nkw; i++) {
        set |= kw_is_flowbits_setter(&r->kw[i]);
        read |= kw_is_flowbits_reader(&r->kw[i]);
    }
    return set && !read ? 0 : set && read ? 1 : !set && !read ? 2 : 3;
}

static int order_cmp(const void *a, const void *b)
{
    const struct de_rule *x = a, *y = b;
    int ax = sn_action_order(x->r->action), ay = sn_action_order(y->r->action);
    if (ax != ay)
        return ax - ay;
    ax = fb_class(x->r);
    ay = fb_class(y->r);
    if (ax != ay)
        return ax - ay;
    if (x->r->priority != y->r->priority)
        return x->r->priority - y->r->priority;
    if (x->r->sid != y->r->sid)
        return x->r->sid < y->r->sid ? -1 : 1;
    return x->r->gid < y->r->gid ? -1 : x->r->gid > y->r->gid;
}

/* ---- fast patterns ------------------------------------------------------------------------ */

struct fp {
    const uint8_t *pat; /* a literal, or a NUL-terminated regex when hsflags is set */
    uint32_t len;
    bool nocase;
    int buf;
    unsigned hsflags; /* a regex prefilter: its Hyperscan flags (HS_FLAG_PREFILTER…) */
};

/* The transforms on buffer `buf` of rule r: 0 none, 1 only dotprefix, 2 any other. */
static int buf_transforms(const struct sn_rule *r, int buf)
{
    int t = 0;
    for (uint32_t i = 0; i < r->nkw; i++) {
        if (r->kw[i].buffer != buf || !(r->kw[i].kw->flags & SN_KW_TRANSFORM))
            continue;
        if (strcmp(r->kw[i].kw->name, "dotprefix") != 0)
            return 2;
        t = 1;
    }
    return t;
}

/* A content shorter than this, not chosen with fast_pattern, gives way to a regex prefilter
 * ("=" or "|0d 0a|" would make the rule a candidate in nearly every packet). */
#define DE_FP_SHORT 3

/* A regex prefilter for a rule without a usable content (ET Open 4.0 has hundreds of
 * pcre-only rules, such as the credit-card number patterns, which would otherwise be verified
 * on every packet): the first pcre that must match from the start of its buffer — positive,
 * not relative, on an untransformed buffer — compiled by Hyperscan in prefilter mode, which
 * reports every match PCRE would find (and maybe more: a superset, which verification then
 * decides). Flags that only narrow PCRE's matches (anchored, dollar-end-only) are left out,
 * ungreedy does not change whether there is a match; extended syntax is not prefiltered. A
 * pattern Hyperscan cannot take (or that matches the empty string) gives no prefilter. */
static bool pick_regex(const struct sn_rule *r, struct fp *out)
{
    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_kw_inst *in = &r->kw[i];
        const struct sn_pcre *x;
        hs_database_t *db = NULL;
        hs_compile_error_t *ce = NULL;
        unsigned fl = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH;
        if (strcmp(in->kw->name, "pcre") != 0 || !in->data)
            continue;
        x = in->data;
        if ((x->flags & (SN_PCRE_NEGATED | SN_PCRE_RELATIVE)) || (x->opts & PCRE2_EXTENDED) ||
            buf_transforms(r, in->buffer) != 0 ||
            strcmp(sn_buf_name(in->buffer), "base64_data") == 0)
            continue;
        fl |= (x->opts & PCRE2_CASELESS ? HS_FLAG_CASELESS : 0) |
              (x->opts & PCRE2_DOTALL ? HS_FLAG_DOTALL : 0) |
              (x->opts & PCRE2_MULTILINE ? HS_FLAG_MULTILINE : 0);
        if (hs_compile(x->src, fl, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
            hs_free_compile_error(ce);
            continue;
        }
        hs_free_database(db);
        out->pat = (const uint8_t *)x->src;
        out->len = (uint32_t)strlen(x->src);
        out->nocase = false;
        out->buf = in->buffer;
        out->hsflags = fl;
        return true;
    }
    return false;
}

/* The rule's fast pattern: the content flagged fast_pattern, else the longest content
 * (Suricata's choice among the rule's positive contents), else (or instead of a content
 * shorter than DE_FP_SHORT) a regex prefilter. False when the rule has none usable for
 * prefiltering (negated, transformed buffer, derived buffer).
 *
 * dotprefix is the one transform prefiltered (ET Open has ~1,100 `dns.query; dotprefix;`
 * and `tls.sni; dotprefix;` rules, otherwise verified on every DNS message and TLS record):
 * the database scans the raw buffer B, the rule inspects "." + B. A pattern P found in
 * "." + B at offset >= 1 is in B; at offset 0 it starts with the added '.', and P without
 * that first byte is at the start of B. So P, less a leading '.' when it begins the content,
 * is always in B: a superset of the rules that can match, which verification then decides. */
static bool pick_fast_pattern(const struct sn_rule *r, struct fp *out)
{
    const struct sn_kw_inst *best = NULL;

    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_kw_inst *in = &r->kw[i];
        const struct sn_content *c;
        if (!sn_kw_is_content(in))
            continue;
        c = in->data;
        if (c->flags & SN_CONTENT_FAST_PATTERN) {
            best = in;
            break;
        }
        if ((c->flags & SN_CONTENT_NEGATED) || !c->len)
            continue;
        if (!best || c->len > ((const struct sn_content *)best->data)->len)
            best = in;
    }
    if (!best) {
        return pick_regex(r, out);
    } else {
        const struct sn_content *c = best->data;
        const char *bn = sn_buf_name(best->buffer);
        int tr = buf_transforms(r, best->buffer);
        bool at_start = true; /* out->pat begins where the content begins */
        if ((c->flags & SN_CONTENT_NEGATED) || !c->len || tr == 2 || strcmp(bn, "base64_data") == 0)
            return false;
        out->pat = c->pat;
        out->len = c->len;
        if ((c->flags & SN_CONTENT_FP_CHOP) && c->fp_len &&
            (uint32_t)c->fp_off + c->fp_len <= c->len) {
            out->pat = c->pat + c->fp_off;
            out->len = c->fp_len;
            at_start = c->fp_off == 0;
        }
        if (tr == 1 && at_start && out->pat[0] == '.') {
            out->pat++;
            out->len--;
        }
        if (!out->len)
            return false;
        out->nocase = c->flags & SN_CONTENT_NOCASE;
        out->buf = best->buffer;
        out->hsflags = 0;
        if (out->len < DE_FP_SHORT && !(c->flags & SN_CONTENT_FAST_PATTERN)) {
            struct fp re;
            if (pick_regex(r, &re))
                *out = re;
        }
        return true;
    }
}

/* ---- groups ------------------------------------------------------------------------------- */

struct pat_acc {
    int buf;
    bool regex;
    const char **pats;
    size_t *lens;
    unsigned *flags, *ids;
    uint32_t *rule;
    uint32_t n, cap;
};

static void group_free(struct de_group *g)
{
    for (uint32_t i = 0; i < g->npf; i++) {
        hs_free_database(g->pf[i].db);
        cs_free(g->pf[i].pat_rule);
    }
    cs_free(g->pf);
    cs_free(g->always);
    memset(g, 0, sizeof(*g));
}

/* Builds group g over the rules in `ids`. */
static int group_build(struct sn_detect_engine *de, struct de_group *g, const struct idlist *ids,
                       const struct fp *fps, const bool *has_fp, struct cs_err *err)
{
    struct pat_acc acc[SN_BUF_MAX];
    uint32_t nacc = 0;
    int rc = CS_OK;

    memset(g, 0, sizeof(*g));
    if (!ids->n)
        return CS_OK;
    g->always = cs_calloc(ids->n, sizeof(*g->always));
    if (!g->always)
        return CS_ENOMEM;
    for (uint32_t k = 0; k < ids->n; k++) {
        uint32_t id = ids->v[k];
        struct pat_acc *a = NULL;
        if (!has_fp[id]) {
            g->always[g->nalways++] = id;
            continue;
        }
        for (uint32_t i = 0; i < nacc; i++)
            if (acc[i].buf == fps[id].buf && acc[i].regex == (fps[id].hsflags != 0))
                a = &acc[i];
        if (!a) {
            a = &acc[nacc++];
            memset(a, 0, sizeof(*a));
            a->buf = fps[id].buf;
            a->regex = fps[id].hsflags != 0;
        }
        if (a->n == a->cap) {
            uint32_t nc = a->cap ? a->cap * 2 : 16;
            const char **p = cs_realloc(a->pats, nc * sizeof(*p));
            if (p)
                a->pats = p;
            size_t *l = cs_realloc(a->lens, nc * sizeof(*l));
            if (l)
                a->lens = l;
            unsigned *f = cs_realloc(a->flags, nc * sizeof(*f));
            if (f)
                a->flags = f;
            unsigned *d = cs_realloc(a->ids, nc * sizeof(*d));
            if (d)
                a->ids = d;
            uint32_t *r = cs_realloc(a->rule, nc * sizeof(*r));
            if (r)
                a->rule = r;
            if (!p || !l || !f || !d || !r) {
                rc = CS_ENOMEM;
                goto out;
            }
            a->cap = nc;
        }
        a->pats[a->n] = (const char *)fps[id].pat;
        a->lens[a->n] = fps[id].len;
        a->flags[a->n] = fps[id].hsflags
                             ? fps[id].hsflags
                             : HS_FLAG_SINGLEMATCH | (fps[id].nocase ? HS_FLAG_CASELESS : 0);
        a->ids[a->n] = a->n;
        a->rule[a->n] = id;
        a->n++;
    }
    if (nacc) {
        g->pf = cs_calloc(nacc, sizeof(*g->pf));
        if (!g->pf) {
            rc = CS_ENOMEM;
            goto out;
        }
    }
    for (uint32_t i = 0; i < nacc; i++) {
        struct de_pf *pf = &g->pf[g->npf];
        hs_compile_error_t *ce = NULL;
        hs_error_t he;
        if (acc[i].regex) {
            he = hs_compile_multi(acc[i].pats, acc[i].flags, acc[i].ids, acc[i].n, HS_MODE_BLOCK,
                                  NULL, &pf->db, &ce);
            if (he != HS_SUCCESS) { /* each compiled alone: should not happen; verify them all */
                hs_free_compile_error(ce);
                for (uint32_t k = 0; k < acc[i].n; k++)
                    g->always[g->nalways++] = acc[i].rule[k];
                continue;
            }
        } else {
            he = hs_compile_lit_multi(acc[i].pats, acc[i].flags, acc[i].ids, acc[i].lens, acc[i].n,
                                      HS_MODE_BLOCK, NULL, &pf->db, &ce);
        }
        if (he != HS_SUCCESS) {
            cs_err_set(err, CS_EINVAL, 0, 0, "hyperscan: %s", ce ? ce->message : "compile error");
            hs_free_compile_error(ce);
            rc = CS_EINVAL;
            goto out;
        }
        if (hs_alloc_scratch(pf->db, &de->scratch) != HS_SUCCESS) {
            hs_free_database(pf->db);
            rc = CS_ENOMEM;
            goto out;
        }
        pf->buf = acc[i].buf;
        pf->pat_rule = acc[i].rule;
        pf->npat = acc[i].n;
        acc[i].rule = NULL;
        g->npf++;
        de->stats.databases++;
    }
out:
    for (uint32_t i = 0; i < nacc; i++) {
        cs_free(acc[i].pats);
        cs_free(acc[i].lens);
        cs_free(acc[i].flags);
        cs_free(acc[i].ids);
        cs_free(acc[i].rule);
    }
    return rc;
}

/* Destination ports of a rule when it may go to per-port groups: count, else 0. */
static uint32_t small_port_set(const struct sn_rule *r)
{
    uint32_t n = 0;
    if (r->dp.any || !r->dp.n || (r->flags & SN_RULE_BIDIR))
        return 0;
    for (uint32_t i = 0; i < r->dp.n; i++) {
        if (r->dp.r[i].negated)
            return 0;
        n += (uint32_t)r->dp.r[i].hi - r->dp.r[i].lo + 1;
        if (n > DE_PORTS_MAX)
            return 0;
    }
    return n;
}

static int build_groups(struct sn_detect_engine *de, const struct fp *fps, const bool *has_fp,
                        struct cs_err *err)
{
    struct idlist any[DE_L4_MAX] = {{0}}, app[SN_APP_MAX] = {{0}};
    struct idlist *ports = cs_calloc(2 * 65536, sizeof(*ports));
    uint32_t nport = 0;
    int rc = CS_OK;

    if (!ports)
        return CS_ENOMEM;
    for (uint32_t id = 0; id < de->nrules && rc == CS_OK; id++) {
        const struct de_rule *dr = &de->rules[id];
        const struct sn_rule *r = dr->r;
        bool cls[DE_L4_MAX] = {false};
        if (dr->ip_only)
            continue;
        if (dr->tx) {
            rc = idlist_add(&app[dr->app_idx], id);
            continue;
        }
        switch (r->proto.l4) {
        case SN_L4_TCP:
            cls[DE_L4_TCP] = true;
            break;
        case SN_L4_UDP:
            cls[DE_L4_UDP] = true;
            break;
        case SN_L4_ICMP:
        case SN_L4_ICMPV4:
        case SN_L4_ICMPV6:
            cls[DE_L4_ICMP] = true;
            break;
        case SN_L4_SCTP:
            cls[DE_L4_OTHER] = true;
            break;
        default:
            if (r->proto.app) { /* dns, enip…: both transports */
                cls[DE_L4_TCP] = cls[DE_L4_UDP] = true;
            } else {
                for (int c = 0; c < DE_L4_MAX; c++)
                    cls[c] = true;
            }
        }
        for (int c = 0; c < DE_L4_MAX && rc == CS_OK; c++) {
            if (!cls[c])
                continue;
            if (c <= DE_L4_UDP && small_port_set(r)) {
                for (uint32_t i = 0; i < r->dp.n && rc == CS_OK; i++)
                    for (uint32_t p = r->dp.r[i].lo; p <= r->dp.r[i].hi && rc == CS_OK; p++)
                        rc = idlist_add(&ports[c * 65536 + p], id);
            } else {
                rc = idlist_add(&any[c], id);
            }
        }
    }
    for (uint32_t i = 0; i < 2 * 65536; i++)
        nport += ports[i].n ? 1 : 0;
    if (rc == CS_OK && nport) {
        de->port_groups = cs_calloc(nport, sizeof(*de->port_groups));
        if (!de->port_groups)
            rc = CS_ENOMEM;
    }
    for (uint32_t i = 0; i < 2 * 65536 && rc == CS_OK; i++) {
        struct de_group *g;
        if (!ports[i].n)
            continue;
        g = &de->port_groups[de->nport_groups++];
        rc = group_build(de, g, &ports[i], fps, has_fp, err);
        de->port_group[i / 65536][i % 65536] = g;
    }
    for (int c = 0; c < DE_L4_MAX && rc == CS_OK; c++)
        rc = group_build(de, &de->any[c], &any[c], fps, has_fp, err);
    for (int a = 0; a < SN_APP_MAX && rc == CS_OK; a++)
        rc = group_build(de, &de->app[a], &app[a], fps, has_fp, err);
    for (uint32_t i = 0; i < 2 * 65536; i++)
        cs_free(ports[i].v);
    cs_free(ports);
    for (int c = 0; c < DE_L4_MAX; c++)
        cs_free(any[c].v);
    for (int a = 0; a < SN_APP_MAX; a++)
        cs_free(app[a].v);
    return rc;
}

/* ---- IP-only index ------------------------------------------------------------------------ */

struct iprange {
    uint8_t lo[16], hi1[16]; /* [lo, hi1); hi1 all-0xff-overflow marked by end_inf */
    bool end_inf;
    uint32_t id;
};

static void key_of(const struct sn_addr *a, int family, uint8_t out[16])
{
    memset(out, 0, 16);
    memcpy(out, a->u8, family == 4 ? 4 : 16);
}

/* How much of the address space the positive ranges of `l` cover, as a fraction of their
 * family's (an IPv4 /24 is 2^-24, all of IPv6 is 1): the index files a rule under its narrower
 * side, so that `$HOME_NET any -> [300 C2 addresses] any` is a candidate for traffic to those
 * addresses only, not for every packet from the home network. */
static double list_share(const struct sn_addr_list *l)
{
    double share = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const struct sn_addr_range *ar = &l->r[i];
        int w = ar->family == 4 ? 4 : 16;
        double lo = 0, hi = 0;
        if (ar->negated)
            continue;
        for (int k = 0; k < w; k++) {
            lo = lo * 256 + ar->lo.u8[k];
            hi = hi * 256 + ar->hi.u8[k];
        }
        share += (hi - lo + 1) / (w == 4 ? 4294967296.0 : 3.402823669209385e38);
    }
    return share;
}

/* out = in + 1 over `width` bytes; false on overflow */
static bool key_inc(uint8_t k[16], int width)
{
    for (int i = width - 1; i >= 0; i--)
        if (++k[i] != 0)
            return true;
    return false;
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static uint32_t seg_find(const struct de_ipidx *x, const uint8_t k[16])
{
    uint32_t lo = 0, hi = x->nseg;
    while (lo < hi) { /* first boundary > k */
        uint32_t mid = (lo + hi) / 2;
        if (memcmp(x->lo[mid], k, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo; /* segment lo-1 holds k (none when lo == 0) */
}

/* Rules indexed for address a: sets *ids, returns the count. */
uint32_t de_ipidx_lookup(const struct de_ipidx *x, const struct sn_addr *a, int family,
                         const uint32_t **ids);
uint32_t de_ipidx_lookup(const struct de_ipidx *x, const struct sn_addr *a, int family,
                         const uint32_t **ids)
{
    uint8_t k[16];
    uint32_t s;
    if (!x->nseg)
        return 0;
    key_of(a, family, k);
    s = seg_find(x, k);
    if (s == 0)
        return 0;
    *ids = x->ids + x->start[s - 1];
    return x->start[s] - x->start[s - 1];
}

static int ipidx_build(struct de_ipidx *x, struct iprange *rg, uint32_t n, int width, bool *wide)
{
    uint8_t(*b)[16];
    uint32_t nb = 0, m = 0;
    uint32_t *cnt;

    memset(x, 0, sizeof(*x));
    if (!n)
        return CS_OK;
    b = cs_malloc((size_t)n * 2 * 16);
    if (!b)
        return CS_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(b[nb++], rg[i].lo, 16);
        if (!rg[i].end_inf)
            memcpy(b[nb++], rg[i].hi1, 16);
    }
    qsort(b, nb, 16, key_cmp);
    for (uint32_t i = 0; i < nb; i++)
        if (!m || memcmp(b[m - 1], b[i], 16) != 0)
            memcpy(b[m++], b[i], 16);
    x->lo = b;
    x->nseg = m;
    /* spans: mark rules whose ranges cover too many segments */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s0 = seg_find(x, rg[i].lo) - 1;
        uint32_t s1 = rg[i].end_inf ? m : seg_find(x, rg[i].hi1) - 1;
        if (s1 - s0 > DE_IP_SPAN_MAX)
            wide[rg[i].id] = true;
    }
    cnt = cs_calloc(m + 1, sizeof(*cnt));
    x->start = cs_calloc(m + 1, sizeof(*x->start));
    if (!cnt || !x->start) {
        cs_free(cnt);
        return CS_ENOMEM;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            uint32_t tot = 0;
            for (uint32_t s = 0; s < m; s++) {
                x->start[s] = tot;
                tot += cnt[s];
                cnt[s] = 0;
            }
            x->start[m] = tot;
            x->ids = cs_calloc(tot ? tot : 1, sizeof(*x->ids));
            if (!x->ids) {
                cs_free(cnt);
                return CS_ENOMEM;
            }
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t s0, s1;
            if (wide[rg[i].id])
                continue;
            s0 = seg_find(x, rg[i].lo) - 1;
            s1 = rg[i].end_inf ? m : seg_find(x, rg[i].hi1) - 1;
            for (uint32_t s = s0; s < s1; s++) {
                if (pass == 1)
                    x->ids[x->start[s] + cnt[s]] = rg[i].id;
                cnt[s]++;
            }
        }
    }
    (void)width;
    cs_free(cnt);
    return CS_OK;
}

static int build_iponly(struct sn_detect_engine *de)
{
    struct iprange *rg[2][2] = {{NULL}}; /* [src/dst][v4/v6] */
    uint32_t n[2][2] = {{0}}, cap[2][2] = {{0}};
    bool *wide = cs_calloc(de->nrules ? de->nrules : 1, sizeof(*wide));
    bool *indexed = cs_calloc(de->nrules ? de->nrules : 1, sizeof(*indexed));
    struct idlist always = {0};
    int rc = CS_OK;

    if (!wide || !indexed) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (uint32_t id = 0; id < de->nrules && rc == CS_OK; id++) {
        const struct de_rule *dr = &de->rules[id];
        const struct sn_addr_list *l = NULL;
        int side = 0;
        bool pos_src = false, pos_dst = false;
        if (!dr->ip_only)
            continue;
        de->stats.ip_only++;
        for (uint32_t i = 0; i < dr->r->src.n; i++)
            pos_src |= !dr->r->src.r[i].negated;
        for (uint32_t i = 0; i < dr->r->dst.n; i++)
            pos_dst |= !dr->r->dst.r[i].negated;
        if (!dr->r->src.any && pos_src)
            l = &dr->r->src, side = 0;
        if (!dr->r->dst.any && pos_dst && (!l || list_share(&dr->r->dst) < list_share(l)))
            l = &dr->r->dst, side = 1;
        if (!l)
            continue;
        indexed[id] = true;
        for (uint32_t i = 0; i < l->n; i++) {
            const struct sn_addr_range *ar = &l->r[i];
            int fi = ar->family == 4 ? 0 : 1;
            struct iprange *e;
            if (ar->negated)
                continue;
            if (n[side][fi] == cap[side][fi]) {
                uint32_t nc = cap[side][fi] ? cap[side][fi] * 2 : 256;
                struct iprange *nr = cs_realloc(rg[side][fi], nc * sizeof(*nr));
                if (!nr) {
                    rc = CS_ENOMEM;
                    goto out;
                }
                rg[side][fi] = nr;
                cap[side][fi] = nc;
            }
            e = &rg[side][fi][n[side][fi]++];
            key_of(&ar->lo, ar->family, e->lo);
            key_of(&ar->hi, ar->family, e->hi1);
            e->end_inf = !key_inc(e->hi1, ar->family == 4 ? 4 : 16);
            e->id = id;
        }
    }
    for (int s = 0; s < 2 && rc == CS_OK; s++)
        for (int f = 0; f < 2 && rc == CS_OK; f++)
            rc = ipidx_build(s ? &de->ip_dst[f] : &de->ip_src[f], rg[s][f], n[s][f], f ? 16 : 4,
                             wide);
    for (uint32_t id = 0; id < de->nrules && rc == CS_OK; id++)
        if (de->rules[id].ip_only && (!indexed[id] || wide[id]))
            rc = idlist_add(&always, id);
    de->ip_always = always.v;
    de->nip_always = always.n;
    always.v = NULL;
out:
    for (int s = 0; s < 2; s++)
        for (int f = 0; f < 2; f++)
            cs_free(rg[s][f]);
    cs_free(always.v);
    cs_free(wide);
    cs_free(indexed);
    return rc;
}

static void ipidx_free(struct de_ipidx *x)
{
    cs_free(x->lo);
    cs_free(x->start);
    cs_free(x->ids);
    memset(x, 0, sizeof(*x));
}

/* ---- address-list interning -------------------------------------------------------------- */

/* Rules share their address lists' results within one packet when the lists are equal
 * ($HOME_NET, $EXTERNAL_NET in thousands of rules): each distinct list gets an id. */
static uint64_t list_hash(const struct sn_addr_list *l)
{
    uint64_t h = 1469598103934665603ull ^ l->any;
    const uint8_t *b = (const uint8_t *)l->r;
    for (size_t i = 0; i < (size_t)l->n * sizeof(*l->r); i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h ^ l->n;
}

static bool list_eq(const struct sn_addr_list *a, const struct sn_addr_list *b)
{
    if (a->any != b->any || a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (!sn_addr_eq(&a->r[i].lo, &b->r[i].lo) || !sn_addr_eq(&a->r[i].hi, &b->r[i].hi) ||
            a->r[i].family != b->r[i].family || a->r[i].negated != b->r[i].negated)
            return false;
    return true;
}

static int intern_lists(struct sn_detect_engine *de)
{
    uint32_t cap = 1;
    const struct sn_addr_list **slot;
    uint32_t *ids;

    while (cap < de->nrules * 4 + 4)
        cap <<= 1;
    slot = cs_calloc(cap, sizeof(*slot));
    ids = cs_calloc(cap, sizeof(*ids));
    if (!slot || !ids) {
        cs_free(slot);
        cs_free(ids);
        return CS_ENOMEM;
    }
    for (uint32_t i = 0; i < de->nrules; i++) {
        for (int side = 0; side < 2; side++) {
            const struct sn_addr_list *l = side ? &de->rules[i].r->dst : &de->rules[i].r->src;
            uint32_t k = (uint32_t)list_hash(l) & (cap - 1);
            while (slot[k] && !list_eq(slot[k], l))
                k = (k + 1) & (cap - 1);
            if (!slot[k]) {
                slot[k] = l;
                ids[k] = de->nlists++;
            }
            if (side)
                de->rules[i].dst_list = ids[k];
            else
                de->rules[i].src_list = ids[k];
        }
    }
    cs_free(slot);
    cs_free(ids);
    return CS_OK;
}

/* ---- build / free ------------------------------------------------------------------------- */

static int load_threshold_file(struct sn_detect_engine *de, const struct sn_config *cfg,
                               struct cs_err *err)
{
    const char *path = NULL;
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char tmp[8192];
    int rc;

    if (!cfg || !cfg->raw || !cs_cfg_get_str(cfg->raw, "threshold-file", &path) || !path[0])
        return CS_OK;
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "citysoc-sensor: warning: threshold-file %s: cannot read\n", path);
        return CS_OK;
    }
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (len + n > cap) {
            char *nb = cs_realloc(buf, cap = (len + n) * 2);
            if (!nb) {
                fclose(f);
                cs_free(buf);
                return CS_ENOMEM;
            }
            buf = nb;
        }
        memcpy(buf + len, tmp, n);
        len += n;
    }
    fclose(f);
    rc = de_thr_config_parse(de, path, buf ? buf : "", len, err);
    cs_free(buf);
    return rc;
}

struct sn_detect_engine *sn_detect_engine_build(struct sn_ruleset *rs, const struct sn_config *cfg,
                                                struct cs_err *err)
{
    struct sn_detect_engine *de = cs_calloc(1, sizeof(*de));
    struct fp *fps = NULL;
    bool *has_fp = NULL;
    uint64_t t0 = cs_time_mono_us();
    uint32_t n = 0;

    if (!de) {
        sn_ruleset_free(rs);
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    de->rs = rs;
    de->cfg = cfg;
    de->rules = cs_calloc(rs->nrules ? rs->nrules : 1, sizeof(*de->rules));
    if (!de->rules)
        goto out_nomem;
    for (size_t i = 0; i < rs->nrules; i++) {
        int r = analyse_rule(de, rs->rules[i], &de->rules[n]);
        if (r < 0)
            goto out_nomem;
        if (r)
            sn_inspect_prepare_rule(rs->rules[i]); /* pcre JIT */
        n += (uint32_t)r;
    }
    de->nrules = n;
    for (uint32_t i = 0; i < n; i++) {
        de->nstream += de->rules[i].stream;
        de->ntxraw += de->rules[i].tx && has_pkt_seg(&de->rules[i]);
    }
    qsort(de->rules, n, sizeof(*de->rules), order_cmp);
    for (uint32_t i = 0; i < n; i++)
        de->rules[i].order = i;
    if (intern_lists(de) != CS_OK)
        goto out_nomem;
    fps = cs_calloc(n ? n : 1, sizeof(*fps));
    has_fp = cs_calloc(n ? n : 1, sizeof(*has_fp));
    if (!fps || !has_fp)
        goto out_nomem;
    for (uint32_t i = 0; i < n; i++) {
        if (de->rules[i].ip_only)
            continue;
        /* '=>' rules are verified at every response-side call of their protocol (no
         * prefilter: the request side's pattern is in a buffer that call does not scan) */
        has_fp[i] = !(de->rules[i].r->flags & SN_RULE_TXBOTH) &&
                    pick_fast_pattern(de->rules[i].r, &fps[i]);
        /* a packet rule's fast pattern must be in a buffer the packet path scans */
        if (has_fp[i] && !de->rules[i].tx && sn_buf_proto(fps[i].buf))
            has_fp[i] = false;
        de->stats.prefiltered += has_fp[i];
    }
    if (build_groups(de, fps, has_fp, err) != CS_OK)
        goto out_fail;
    if (sn_detect_datasets_load(rs, cfg, err) != CS_OK)
        goto out_fail;
    if (build_iponly(de) != CS_OK)
        goto out_nomem;
    if (load_threshold_file(de, cfg, err) != CS_OK)
        goto out_fail;
    cs_free(fps);
    cs_free(has_fp);
    de->stats.rules_loaded = n;
    de->stats.rules_skipped = (uint32_t)rs->skipped + de->nskipped;
    de->stats.parse_s = rs->parse_seconds;
    de->stats.compile_s = (double)(cs_time_mono_us() - t0) / 1e6;
    return de;

out_nomem:
    cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory compiling the rules");
out_fail:
    if (!err || !err->code)
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot compile the rules");
    cs_free(fps);
    cs_free(has_fp);
    de->nrules = n;
    sn_detect_engine_free(de);
    return NULL;
}

void sn_detect_engine_free(struct sn_detect_engine *de)
{
    if (!de)
        return;
    for (uint32_t i = 0; i < de->nport_groups; i++)
        group_free(&de->port_groups[i]);
    cs_free(de->port_groups);
    for (int c = 0; c < DE_L4_MAX; c++)
        group_free(&de->any[c]);
    for (int a = 0; a < SN_APP_MAX; a++)
        group_free(&de->app[a]);
    for (int f = 0; f < 2; f++) {
        ipidx_free(&de->ip_src[f]);
        ipidx_free(&de->ip_dst[f]);
    }
    cs_free(de->ip_always);
    for (uint32_t i = 0; i < de->nrules; i++) {
        cs_free(de->rules[i].conds);
        cs_free(de->rules[i].segs);
    }
    cs_free(de->rules);
    for (uint32_t i = 0; i < de->ntc; i++)
        sn_addr_list_free(&de->tc[i].ips);
    cs_free(de->tc);
    for (uint32_t i = 0; i < de->nskipped; i++)
        cs_free(de->skipped[i]);
    cs_free(de->skipped);
    if (de->scratch)
        hs_free_scratch(de->scratch);
    sn_ruleset_free(de->rs);
    cs_free(de);
}

const struct sn_detect_stats *sn_detect_engine_stats(const struct sn_detect_engine *de)
{
    return &de->stats;
}

const struct sn_ruleset *sn_detect_engine_ruleset(const struct sn_detect_engine *de)
{
    return de->rs;
}

void sn_detect_engine_print_skipped(const struct sn_detect_engine *de, FILE *f)
{
    for (uint32_t i = 0; i < de->nskipped; i++)
        fprintf(f, "%s\n", de->skipped[i]);
}
