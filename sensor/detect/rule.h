/* rule.h — the representation of one parsed Suricata rule, and the rule-language parser.
 *
 *   alert http $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:"x"; http.uri; content:"a";
 *       nocase; pcre:"/b+/R"; sid:1; rev:2;)
 *
 * becomes a struct sn_rule: action, protocol, address/port lists (normalised to flat lists of
 * (range, negated) ready for a radix tree), direction, and the ordered list of keyword
 * instances. Each instance points at its keyword descriptor (struct sn_kw, one per
 * kw_<name>.c, listed in keywords.def; sticky buffers come from buffers.def) and carries the
 * keyword's parsed option struct and the buffer it inspects (SN_BUF_PKT unless a sticky
 * buffer or an old-style modifier such as http_uri said otherwise).
 *
 * Parsing is pure: nothing here touches packets. Matching comes later through
 * struct sn_kw.match. All functions are thread-safe on distinct objects; a parsed rule is
 * immutable once sn_rule_parse() returns. */
#ifndef SN_DETECT_RULE_H
#define SN_DETECT_RULE_H

#include "../sn_types.h"

#include <stdio.h>

struct cs_cfg;

/* ---- buffers ---------------------------------------------------------------------------- */

/* Inspection buffers. SN_BUF_PKT is the packet payload / reassembled stream (pkt_data). */
enum sn_buf {
    SN_BUF_PKT = 0,
#define BUF(id, name, modifier, legacy, proto, desc) SN_BUF_##id,
#include "buffers.def"
#undef BUF
    SN_BUF_MAX
};

/* Sticky name ("http.uri", "pkt" for SN_BUF_PKT), never NULL for a valid id. */
const char *sn_buf_name(int buf);
/* App-layer protocol a buffer belongs to ("http", "dns"…), NULL for packet-level buffers. */
const char *sn_buf_proto(int buf);

/* ---- addresses and ports ----------------------------------------------------------------- */

/* One address range [lo, hi] of one family (4 or 6), possibly negated. */
struct sn_addr_range {
    struct sn_addr lo, hi;
    uint8_t family;
    bool negated;
};

/* A normalised address list: nesting and negation are flattened, variables expanded.
 * Semantics: an address matches when it is inside some non-negated range (or `any` is set,
 * or there is no non-negated range at all) and inside no negated range. */
struct sn_addr_list {
    struct sn_addr_range *r;
    uint32_t n;
    bool any; /* `any` (possibly inside a list) */
};

struct sn_port_range {
    uint16_t lo, hi;
    bool negated;
};

/* A normalised port list, same semantics as struct sn_addr_list. */
struct sn_port_list {
    struct sn_port_range *r;
    uint32_t n;
    bool any;
};

/* Parse an address spec ("any", "$HOME_NET", "[10.0.0.0/8,!10.1.0.0/16]", "::1", "1.2.3.4-1.2.3.9",
 * "1.2.3.0/255.255.255.0") / a port spec ("any", "80", "1024:", ":1023", "[80,!81]",
 * "$HTTP_PORTS"). Variables are read from `vars` at vars.address-groups.NAME /
 * vars.port-groups.NAME, falling back to Suricata's stock values (sn_rule_default_var) when
 * `vars` lacks them; they may contain lists, negations and other variables (up to
 * SN_RULE_VAR_DEPTH levels). On success fills *out (caller frees with sn_*_list_free) and
 * returns CS_OK; on error returns CS_EINVAL / CS_ENOMEM with err->msg set (err->col is the
 * 1-based offset of the problem inside `spec` when known). */
#define SN_RULE_VAR_DEPTH 16
int sn_addr_list_parse(const char *spec, const struct cs_cfg *vars, struct sn_addr_list *out,
                       struct cs_err *err);
int sn_port_list_parse(const char *spec, const struct cs_cfg *vars, struct sn_port_list *out,
                       struct cs_err *err);
void sn_addr_list_free(struct sn_addr_list *l);
void sn_port_list_free(struct sn_port_list *l);
/* Suricata's stock value of a rule variable ("HOME_NET" → "[192.168.0.0/16,…]"), NULL if
 * it has none. `port` selects port-groups. */
const char *sn_rule_default_var(const char *name, bool port);
/* Membership test with the semantics above (for tests and, later, the engine's slow path). */
bool sn_addr_list_match(const struct sn_addr_list *l, const struct sn_addr *a, int family);
bool sn_port_list_match(const struct sn_port_list *l, uint16_t port);

/* ---- the rule ----------------------------------------------------------------------------- */

enum sn_action {
    SN_ACT_ALERT = 0,
    SN_ACT_PASS,
    SN_ACT_DROP,
    SN_ACT_REJECT,    /* reject: RST/ICMP unreachable towards the source */
    SN_ACT_REJECTSRC, /* same as reject */
    SN_ACT_REJECTDST,
    SN_ACT_REJECTBOTH,
};
const char *sn_action_name(enum sn_action a);
/* Suricata's default action-order: pass (0) before drop (1), reject (2), alert (3). Lower
 * values win when several rules match one packet. */
int sn_action_order(enum sn_action a);

/* Transport of a rule's protocol field. */
enum sn_rule_l4 {
    SN_L4_ANY = 0, /* ip, ipv4, ipv6 */
    SN_L4_TCP,
    SN_L4_UDP,
    SN_L4_ICMP, /* icmp: v4 and v6 */
    SN_L4_ICMPV4,
    SN_L4_ICMPV6,
    SN_L4_SCTP,
};

#define SN_RULE_PROTO_TCP_PKT 0x01    /* tcp-pkt: packets only, not the stream */
#define SN_RULE_PROTO_TCP_STREAM 0x02 /* tcp-stream: the reassembled stream only */

struct sn_rule_proto {
    const char *name;   /* as written, static storage ("tcp", "http", "tcp-pkt") */
    enum sn_rule_l4 l4; /* TCP for http, UDP for ntp…; SN_L4_ANY for app-layer over both */
    uint8_t ip_version; /* 0 any, 4, 6 (ipv4/ip4, ipv6/ip6) */
    uint8_t flags;      /* SN_RULE_PROTO_* */
    const char *app;    /* app-layer protocol name ("http", "dns"…) or NULL */
};

struct sn_kw;

/* One keyword occurrence in the rule's option list, in rule order. */
struct sn_kw_inst {
    const struct sn_kw *kw;
    void *data; /* the keyword's parsed options (kw->free releases it), may be NULL */
    int buffer; /* enum sn_buf this instance inspects */
    int col;    /* 1-based column of the option in the rule text */
    int dir;    /* '=>' rules: the side it inspects (SN_TOSERVER 0 / SN_TOCLIENT 1), else 0 */
};

struct sn_rule_ref {
    char *system; /* "url", "cve", … */
    char *id;
};

struct sn_rule_meta {
    char *key;
    char *value; /* "" when the metadata entry had no value */
};

/* Rule flags */
#define SN_RULE_NOALERT (1u << 0)
#define SN_RULE_BIDIR (1u << 1)        /* <> */
#define SN_RULE_TARGET_SRC (1u << 2)   /* target:src_ip */
#define SN_RULE_TARGET_DST (1u << 3)   /* target:dest_ip */
#define SN_RULE_HAS_PRIORITY (1u << 4) /* priority keyword given */
#define SN_RULE_HAS_SID (1u << 5)
#define SN_RULE_TXBOTH (1u << 6) /* => : one transaction, request and response keywords */

struct sn_rule {
    enum sn_action action;
    struct sn_rule_proto proto;
    struct sn_addr_list src, dst;
    struct sn_port_list sp, dp;
    uint32_t flags; /* SN_RULE_* */

    struct sn_kw_inst *kw; /* ordered keyword instances */
    uint32_t nkw, kw_cap;

    char *msg; /* NULL when the rule has none */
    uint32_t sid, gid, rev;
    char *classtype;  /* NULL when none */
    char *class_desc; /* from classification.config, NULL when unknown */
    int priority;     /* priority keyword, else the classtype's, else 3 */
    struct sn_rule_ref *refs;
    uint32_t nrefs;
    struct sn_rule_meta *meta;
    uint32_t nmeta;

    /* byte_extract / byte_math result names, in definition order (for later references) */
    char **vars;
    uint32_t nvars;

    const char *file; /* borrowed (the ruleset owns file names); NULL for strings */
    int line;
    char *text; /* the rule text as parsed (one logical line) */
};

/* What a rule is parsed against. All members optional (NULL). */
struct sn_class {
    char *name, *desc;
    int priority;
};
struct sn_refsys {
    char *name, *url;
};
struct sn_rule_env {
    const struct cs_cfg *vars;      /* the config tree holding vars.address-groups… */
    const struct sn_class *classes; /* classification.config; NULL: any classtype accepted */
    size_t nclasses;
    const struct sn_refsys *refsys; /* reference.config; NULL: any system accepted */
    size_t nrefsys;
};

/* Error classes: err->code is CS_EINVAL for malformed rules; SN_RULE_EUNSUPPORTED when the
 * rule is valid Suricata but uses a keyword we do not implement (err->msg then reads
 * "unsupported keyword 'x'"). */
#define SN_RULE_EUNSUPPORTED (-100)

/* Parses one rule (one logical line, no trailing newline needed; `len` bytes of `text`).
 * On success *out owns a new rule (sn_rule_free) and CS_OK is returned. On failure returns
 * CS_EINVAL / SN_RULE_EUNSUPPORTED / CS_ENOMEM, *out is NULL and err holds the message with
 * err->col the 1-based column of the offending element (err->line is left to the caller).
 * `env` may be NULL. */
int sn_rule_parse(const char *text, size_t len, const struct sn_rule_env *env, struct sn_rule **out,
                  struct cs_err *err);
void sn_rule_free(struct sn_rule *r);

/* First instance of keyword `name` in the rule at index >= from, or -1. */
int sn_rule_find_kw(const struct sn_rule *r, const char *name, uint32_t from);

#endif
