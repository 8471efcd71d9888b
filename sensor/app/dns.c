/* dns.c — DNS over UDP (one message per datagram) and TCP (2-byte length prefix, any number
 * of messages per segment, messages split anywhere).
 *
 * Each message is one transaction, as in Suricata: it is copied into the flow's state for its
 * direction, indexed in one pass (questions, answers, authorities, additionals; names with
 * compression pointers followed under a step limit), logged as an EVE `dns` record in
 * Suricata 8's version 3 layout, and checked for the anomalies Suricata names
 * (dns.malformed_data, dns.not_request, dns.not_response, dns.z_flag_set,
 * dns.invalid_opcode, dns.name_too_long, dns.infinite_loop, dns.too_many_labels,
 * dns.invalid_additionals, dns.invalid_authorities). The last message of each direction
 * stays readable through dns.h for detection. */
#include "dns.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>
#include <strings.h>

#define DNS_HDR_LEN 12
#define DNS_MAX_STEPS 255        /* labels + pointers followed per name */
#define DNS_MAX_RR 4096          /* entries kept per message (more are checked, not kept) */
#define DNS_TCP_STATE_MAX (66u * 1024u) /* one whole TCP message (65535 + 2) fits */
#define DNS_TEXT_MAX 2048        /* CAA / SVCB presentation text */

enum {
    T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_NULL = 10, T_PTR = 12, T_MX = 15, T_TXT = 16,
    T_AAAA = 28, T_SRV = 33, T_OPT = 41, T_SSHFP = 44, T_SVCB = 64, T_HTTPS = 65, T_CAA = 257,
};

/* EVE options of the dns output (outputs.eve-log.types[dns]). */
struct dns_opts {
    bool requests, responses;
    bool detailed, grouped;
    bool all_types;
    uint64_t types[5];           /* bit per record type 0..319 when !all_types */
};

struct dns_state {
    struct sn_dns_msg msg[2];    /* last message per direction */
    uint64_t tx_count;
    bool gap[2];
    bool opts_loaded;
    bool decided;                /* the first message has set `swap` */
    bool swap;                   /* the flow's first packet was a response: roles reversed */
    struct dns_opts opts;
};

/* ---- names and types ------------------------------------------------------------------ */

static const char *const type_names_low[] = {
    [1] = "A",        [2] = "NS",     [3] = "MD",       [4] = "MF",     [5] = "CNAME",
    [6] = "SOA",      [7] = "MB",     [8] = "MG",       [9] = "MR",     [10] = "NULL",
    [11] = "WKS",     [12] = "PTR",   [13] = "HINFO",   [14] = "MINFO", [15] = "MX",
    [16] = "TXT",     [17] = "RP",    [18] = "AFSDB",   [19] = "X25",   [20] = "ISDN",
    [21] = "RT",      [22] = "NSAP",  [23] = "NSAPPTR", [24] = "SIG",   [25] = "KEY",
    [26] = "PX",      [27] = "GPOS",  [28] = "AAAA",    [29] = "LOC",   [30] = "NXT",
    [33] = "SRV",     [34] = "ATMA",  [35] = "NAPTR",   [36] = "KX",    [37] = "CERT",
    [38] = "A6",      [39] = "DNAME", [41] = "OPT",     [42] = "APL",   [43] = "DS",
    [44] = "SSHFP",   [45] = "IPSECKEY", [46] = "RRSIG", [47] = "NSEC", [48] = "DNSKEY",
    [49] = "DHCID",   [50] = "NSEC3", [51] = "NSEC3PARAM", [52] = "TLSA", [55] = "HIP",
    [59] = "CDS",     [60] = "CDNSKEY", [65] = "HTTPS", [99] = "SPF",
};

const char *sn_dns_type_name(uint16_t type)
{
    if (type < CS_ARRAY_LEN(type_names_low))
        return type_names_low[type];
    switch (type) {
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 254: return "MAILA";
    case 255: return "ANY";
    case 256: return "URI";
    default: return NULL;
    }
}

static const char *const rcode_names[] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

const char *sn_dns_rcode_name(unsigned rcode)
{
    return rcode < CS_ARRAY_LEN(rcode_names) ? rcode_names[rcode] : NULL;
}

/* Reads the name starting at *pos of message d (len bytes). Until the first compression
 * pointer the name must lie before `end` (the end of the enclosing field); pointers may
 * target any offset of the message. With out (SN_DNS_NAME_BUF bytes) the decoded name is
 * written there; *outlen gets its length. Returns false when the name is malformed; on
 * success *pos is just after the name (after the first pointer) and *nflags gains the
 * SN_DNS_NF_* flags of this name. */
static bool name_read(const uint8_t *d, uint32_t len, uint32_t *pos, uint32_t end, char *out,
                      uint32_t *outlen, uint8_t *nflags)
{
    uint32_t p = *pos, lim = end, after = 0, n = 0, steps = 0;
    bool jumped = false;
    uint8_t fl = 0;

    for (;;) {
        uint8_t c;
        if (p >= lim)
            break; /* the field ends: so does the name */
        c = d[p];
        if (c == 0) {
            p++;
            break;
        }
        if ((c & 0xc0) == 0) {
            if ((uint64_t)p + 1 + c > lim)
                return false;
            if (!(fl & SN_DNS_NF_TRUNC)) {
                if (n) {
                    if (out)
                        out[n] = '.';
                    n++;
                }
                if (out)
                    memcpy(out + n, d + p + 1, c);
                n += c;
            }
            p += 1u + c;
        } else if ((c & 0xc0) == 0xc0) {
            uint32_t off;
            if ((uint64_t)p + 2 > lim)
                return false;
            off = cs_get_be16(d + p) & 0x3fffu;
            if (off > len)
                return false;
            if (off == p) {
                /* a pointer to itself */
                if (!jumped)
                    return false;
                fl |= SN_DNS_NF_LOOP;
                break;
            }
            if (!jumped) {
                after = p + 2;
                jumped = true;
                lim = len;
            }
            p = off;
        } else {
            return false; /* extended label types */
        }
        if (++steps > DNS_MAX_STEPS) {
            fl |= SN_DNS_NF_LABELS;
            if (!jumped)
                return false;
            fl |= SN_DNS_NF_TRUNC;
            break;
        }
        if (n > SN_DNS_NAME_MAX) {
            n = SN_DNS_NAME_MAX;
            fl |= SN_DNS_NF_TRUNC;
            if (jumped)
                break;
        }
    }
    if (out)
        out[n] = 0;
    if (outlen)
        *outlen = n;
    *nflags |= fl;
    *pos = jumped ? after : p;
    return true;
}

/* ---- message indexing ---------------------------------------------------------------- */

/* Whether rdata of `type` at off..off+rdlen parses (as Suricata's per-type parsers do). */
static bool rdata_ok(const uint8_t *d, uint32_t len, uint16_t type, uint32_t off, uint32_t rdlen,
                     uint8_t *nf)
{
    uint32_t end = off + rdlen, q = off;

    switch (type) {
    case T_CNAME:
    case T_PTR:
    case T_NS:
        return name_read(d, len, &q, end, NULL, NULL, nf);
    case T_MX:
        q += 2;
        return rdlen >= 2 && name_read(d, len, &q, end, NULL, NULL, nf);
    case T_SRV:
        q += 6;
        return rdlen >= 6 && name_read(d, len, &q, end, NULL, NULL, nf);
    case T_SOA:
        return name_read(d, len, &q, end, NULL, NULL, nf) &&
               name_read(d, len, &q, end, NULL, NULL, nf) && (uint64_t)q + 20 <= end;
    case T_TXT:
        return 1u + d[off] <= rdlen;
    case T_SSHFP:
        return rdlen >= 2;
    case T_OPT:
        while (q < end) {
            if (q + 4 > end || q + 4u + cs_get_be16(d + q + 2) > end)
                return false;
            q += 4u + cs_get_be16(d + q + 2);
        }
        return true;
    default:
        return true;
    }
}

static void rr_keep(struct sn_dns_msg *m, const struct sn_dns_rr *rr)
{
    if (!m || m->nrr >= DNS_MAX_RR)
        return;
    if (m->nrr == m->rr_cap) {
        uint32_t cap = m->rr_cap ? m->rr_cap * 2 : 16;
        struct sn_dns_rr *n = cs_realloc(m->rr, cap * sizeof(*n));
        if (!n)
            return;
        m->rr = n;
        m->rr_cap = cap;
    }
    m->rr[m->nrr++] = *rr;
}

struct walk {
    uint8_t nflags;
    bool inv_auth, inv_add;
    uint32_t end;                /* offset after the last section parsed */
};

/* Checks the header's counts against the message length as Suricata's header validation
 * does: at least 2 bytes per declared record, no bytes after a record-less header, and a
 * request has a question. */
static bool header_ok(const uint8_t *d, uint32_t len)
{
    uint32_t n;

    if (len < DNS_HDR_LEN)
        return false;
    n = (uint32_t)cs_get_be16(d + 4) + cs_get_be16(d + 6) + cs_get_be16(d + 8) +
        cs_get_be16(d + 10);
    if (2 * n > len)
        return false;
    if (n == 0 && len > DNS_HDR_LEN)
        return false;
    if (!(d[2] & 0x80) && cs_get_be16(d + 4) == 0)
        return false;
    return true;
}

/* Walks every section of message d (header already checked); indexes the entries into m
 * when m is not NULL. Questions and answers must parse; a broken authority section drops it
 * (and skips the additionals), a broken additional section drops it. Returns false when the
 * message is malformed. */
static bool msg_walk(const uint8_t *d, uint32_t len, struct sn_dns_msg *m, struct walk *wk)
{
    uint32_t p = DNS_HDR_LEN;
    int s, last = SN_DNS_NSECTIONS - 1;

    memset(wk, 0, sizeof(*wk));
    wk->end = p;
    if (m)
        m->nrr = 0;
    for (s = 0; s < SN_DNS_NSECTIONS; s++) {
        uint32_t cnt = cs_get_be16(d + 4 + 2 * s), keep = m ? m->nrr : 0;
        bool ok = true;

        if (m)
            m->first[s] = m->nrr;
        if (s == SN_DNS_ADDITIONAL && wk->inv_auth) {
            last = s;
            break;
        }
        for (uint32_t i = 0; i < cnt && ok; i++) {
            struct sn_dns_rr rr = {.name_off = p, .section = (uint8_t)s};
            if (!name_read(d, len, &p, len, NULL, NULL, &wk->nflags)) {
                ok = false;
                break;
            }
            if (s == SN_DNS_QUERY) {
                if (p + 4 > len) {
                    ok = false;
                    break;
                }
                rr.type = cs_get_be16(d + p);
                rr.rclass = cs_get_be16(d + p + 2);
                p += 4;
                rr_keep(m, &rr);
                continue;
            }
            if (p + 10 > len) {
                ok = false;
                break;
            }
            rr.type = cs_get_be16(d + p);
            rr.rclass = cs_get_be16(d + p + 2);
            rr.ttl = cs_get_be32(d + p + 4);
            rr.rdlen = cs_get_be16(d + p + 8);
            rr.rdata_off = p + 10;
            if ((uint64_t)rr.rdata_off + rr.rdlen > len) {
                ok = false;
                break;
            }
            p = rr.rdata_off + rr.rdlen;
            if (!rr.rdlen)
                continue; /* no rdata: no entry (as Suricata) */
            if (!rdata_ok(d, len, rr.type, rr.rdata_off, rr.rdlen, &wk->nflags)) {
                ok = false;
                break;
            }
            rr_keep(m, &rr);
        }
        if (!ok) {
            if (s <= SN_DNS_ANSWER)
                return false;
            if (m)
                m->nrr = keep;
            if (s == SN_DNS_AUTHORITY)
                wk->inv_auth = true;
            else
                wk->inv_add = true;
            last = s;
            if (s == SN_DNS_AUTHORITY)
                continue; /* records the skipped additional section as empty */
            break;
        }
        wk->end = p;
    }
    /* sections not reached are empty */
    for (s = last + 1; m && s <= SN_DNS_NSECTIONS; s++)
        m->first[s] = m->nrr;
    return true;
}

/* ---- accessors (dns.h) --------------------------------------------------------------- */

const struct sn_dns_msg *sn_dns_last(const void *state, int dir)
{
    const struct dns_state *st = state;

    if (!st || (dir != SN_TOSERVER && dir != SN_TOCLIENT) || !st->msg[dir].valid)
        return NULL;
    return &st->msg[dir];
}

uint32_t sn_dns_count(const struct sn_dns_msg *m, enum sn_dns_section s)
{
    if (!m || (unsigned)s >= SN_DNS_NSECTIONS)
        return 0;
    return m->first[s + 1] - m->first[s];
}

const struct sn_dns_rr *sn_dns_entry(const struct sn_dns_msg *m, enum sn_dns_section s,
                                     uint32_t i)
{
    if (i >= sn_dns_count(m, s))
        return NULL;
    return &m->rr[m->first[s] + i];
}

uint32_t sn_dns_name(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, char *out)
{
    uint32_t pos = rr->name_off, n = 0;
    uint8_t fl = 0;

    out[0] = 0;
    if (!name_read(m->data, m->len, &pos, m->len, out, &n, &fl))
        return 0;
    return n;
}

int sn_dns_rdata_name(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, char *out)
{
    uint32_t pos = rr->rdata_off, n = 0;
    uint8_t fl = 0;

    out[0] = 0;
    switch (rr->type) {
    case T_CNAME: case T_NS: case T_PTR: case T_SOA: break;
    case T_MX: pos += 2; break;
    case T_SRV: pos += 6; break;
    default: return -1;
    }
    if (rr->section == SN_DNS_QUERY ||
        !name_read(m->data, m->len, &pos, rr->rdata_off + rr->rdlen, out, &n, &fl))
        return -1;
    return (int)n;
}

/* ---- configuration ------------------------------------------------------------------- */

static void type_enable(struct dns_opts *o, uint16_t t)
{
    if (t < 320)
        o->types[t / 64] |= 1ull << (t % 64);
}

static bool type_enabled(const struct dns_opts *o, uint16_t t)
{
    if (o->all_types)
        return true;
    return t < 320 && (o->types[t / 64] >> (t % 64) & 1);
}

/* Reads the dns element of outputs.eve-log.types (a name or a map with options). */
static void opts_load(struct dns_opts *o, const struct sn_config *cfg)
{
    const char *tkey = "outputs.eve-log.types";
    const struct cs_cfg *raw = cfg ? cfg->raw : NULL;
    size_t n;

    *o = (struct dns_opts){true, true, true, true, true, {0}};
    if (!raw)
        return;
    n = cs_cfg_count(raw, tkey);
    for (size_t i = 0; i < n; i++) {
        char ekey[96], k[160];
        const char *name = cs_cfg_child_value(raw, tkey, i);
        size_t nf, nt;
        bool b;

        snprintf(ekey, sizeof(ekey), "%s.%zu", tkey, i);
        if (name)
            continue; /* a plain "- dns": defaults */
        name = cs_cfg_child_key(raw, ekey, 0);
        if (!name || strcmp(name, "dns") != 0)
            continue;
        snprintf(k, sizeof(k), "%s.dns.requests", ekey);
        if (cs_cfg_get_bool(raw, k, &b))
            o->requests = b;
        snprintf(k, sizeof(k), "%s.dns.responses", ekey);
        if (cs_cfg_get_bool(raw, k, &b))
            o->responses = b;
        snprintf(k, sizeof(k), "%s.dns.formats", ekey);
        nf = cs_cfg_count(raw, k);
        if (nf) {
            o->detailed = o->grouped = false;
            for (size_t j = 0; j < nf; j++) {
                const char *v = cs_cfg_child_value(raw, k, j);
                if (v && strcasecmp(v, "detailed") == 0)
                    o->detailed = true;
                else if (v && strcasecmp(v, "grouped") == 0)
                    o->grouped = true;
            }
        }
        snprintf(k, sizeof(k), "%s.dns.types", ekey);
        nt = cs_cfg_count(raw, k);
        if (nt) {
            o->all_types = false;
            for (size_t j = 0; j < nt; j++) {
                const char *v = cs_cfg_child_value(raw, k, j);
                for (uint32_t t = 1; v && t < 320; t++) {
                    const char *tn = sn_dns_type_name((uint16_t)t);
                    if (tn && strcasecmp(tn, v) == 0)
                        type_enable(o, (uint16_t)t);
                }
            }
        }
        break;
    }
}

/* ---- EVE ----------------------------------------------------------------------------- */

/* Strict UTF-8 check (what Rust's from_utf8 accepts). */
static bool utf8_ok(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;

    while (i < n) {
        uint8_t c = s[i];
        uint32_t need, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + need >= n)
            return false;
        for (uint32_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += need + 1;
    }
    return true;
}

/* A byte string as Suricata writes one: as is when valid UTF-8, else bytes >= 0x80 as the
 * text "\xNN". */
static void json_bytes(struct cs_json *j, const char *key, const void *data, uint32_t n)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *s = data;
    char stackbuf[4 * SN_DNS_NAME_BUF];
    char *buf = stackbuf;
    uint32_t o = 0;

    if (utf8_ok(s, n)) {
        cs_json_strn(j, key, s, n);
        return;
    }
    if ((uint64_t)n * 4 > sizeof(stackbuf)) {
        buf = cs_malloc((size_t)n * 4);
        if (!buf) {
            cs_json_str(j, key, "");
            return;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            buf[o++] = (char)s[i];
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[s[i] >> 4];
            buf[o++] = hex[s[i] & 15];
        }
    }
    cs_json_strn(j, key, buf, o);
    if (buf != stackbuf)
        cs_free(buf);
}

static const char *type_str(uint16_t type, char num[8]);

static void json_type(struct cs_json *j, const char *key, uint16_t type)
{
    char num[8];

    cs_json_str(j, key, type_str(type, num));
}

/* Writes the name at off (bounded by end until the first pointer) under key; returns true
 * when it was truncated. */
static bool json_name(struct cs_json *j, const char *key, const struct sn_dns_msg *m,
                      uint32_t *pos, uint32_t end)
{
    char name[SN_DNS_NAME_BUF];
    uint32_t n = 0;
    uint8_t fl = 0;

    if (!name_read(m->data, m->len, pos, end, name, &n, &fl))
        n = 0;
    json_bytes(j, key, name, n);
    return (fl & SN_DNS_NF_TRUNC) != 0;
}

static void addr_str(const uint8_t *a, uint32_t n, char out[48])
{
    out[0] = 0;
    if (n == 4) { /* "%u.%u.%u.%u" by hand: snprintf was 2% of a DNS-heavy capture */
        char *o = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = a[i];
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
            *o++ = i < 3 ? '.' : '\0';
        }
    } else if (n == 16)
        snprintf(out, 48, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
                 a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                 a[13], a[14], a[15]);
}

static void json_soa(struct cs_json *j, const char *key, const struct sn_dns_msg *m,
                     const struct sn_dns_rr *rr)
{
    uint32_t q = rr->rdata_off, end = rr->rdata_off + rr->rdlen;

    cs_json_open(j, key);
    if (json_name(j, "mname", m, &q, end))
        cs_json_bool(j, "mname_truncated", true);
    if (json_name(j, "rname", m, &q, end))
        cs_json_bool(j, "rname_truncated", true);
    if (q + 20 <= end) {
        static const char *const f[] = {"serial", "refresh", "retry", "expire", "minimum"};
        for (int i = 0; i < 5; i++)
            cs_json_uint(j, f[i], cs_get_be32(m->data + q + 4 * i));
    }
    cs_json_close(j);
}

static void json_srv(struct cs_json *j, const char *key, const struct sn_dns_msg *m,
                     const struct sn_dns_rr *rr)
{
    const uint8_t *r = m->data + rr->rdata_off;
    uint32_t q = rr->rdata_off + 6;

    cs_json_open(j, key);
    cs_json_uint(j, "priority", cs_get_be16(r));
    cs_json_uint(j, "weight", cs_get_be16(r + 2));
    cs_json_uint(j, "port", cs_get_be16(r + 4));
    json_name(j, "name", m, &q, rr->rdata_off + rr->rdlen);
    cs_json_close(j);
}

static void json_sshfp(struct cs_json *j, const char *key, const struct sn_dns_msg *m,
                       const struct sn_dns_rr *rr)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *r = m->data + rr->rdata_off;
    uint32_t n = rr->rdlen - 2u;
    char *s = cs_malloc(n ? (size_t)n * 3 : 1);

    cs_json_open(j, key);
    if (s) {
        uint32_t o = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                s[o++] = ':';
            s[o++] = hex[r[2 + i] >> 4];
            s[o++] = hex[r[2 + i] & 15];
        }
        cs_json_strn(j, "fingerprint", s, o);
        cs_free(s);
    }
    cs_json_uint(j, "algo", r[0]);
    cs_json_uint(j, "type", r[1]);
    cs_json_close(j);
}

static void json_opt(struct cs_json *j, const struct sn_dns_msg *m, const struct sn_dns_rr *rr)
{
    static const char hex[] = "0123456789abcdef";
    uint32_t q = rr->rdata_off, end = rr->rdata_off + rr->rdlen;

    cs_json_open_arr(j, "opt");
    while (q + 4 <= end) {
        uint32_t n = cs_get_be16(m->data + q + 2);
        char *s;
        if (q + 4 + n > end)
            break;
        cs_json_open(j, NULL);
        cs_json_uint(j, "code", cs_get_be16(m->data + q));
        s = cs_malloc(n ? (size_t)n * 2 : 1);
        if (s) {
            for (uint32_t i = 0; i < n; i++) {
                s[2 * i] = hex[m->data[q + 4 + i] >> 4];
                s[2 * i + 1] = hex[m->data[q + 4 + i] & 15];
            }
            cs_json_strn(j, "data", s, (size_t)n * 2);
            cs_free(s);
        }
        cs_json_close(j);
        q += 4 + n;
    }
    cs_json_close_arr(j);
}

/* Appends printf-style text to a bounded buffer. */
struct tbuf {
    char s[DNS_TEXT_MAX];
    uint32_t n;
};

static void tb_add(struct tbuf *t, const char *s, uint32_t n)
{
    if (n > sizeof(t->s) - 1 - t->n)
        n = (uint32_t)sizeof(t->s) - 1 - t->n;
    memcpy(t->s + t->n, s, n);
    t->n += n;
}

static void tb_fmt(struct tbuf *t, const char *fmt, unsigned v)
{
    char b[24];
    int k = snprintf(b, sizeof(b), fmt, v);
    if (k > 0)
        tb_add(t, b, (uint32_t)k);
}

static void tb_hex(struct tbuf *t, const uint8_t *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        tb_fmt(t, "%02x", d[i]);
}

/* CAA (RFC 8659) in presentation form: flags tag "value". */
static void caa_text(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, struct tbuf *t)
{
    const uint8_t *r = m->data + rr->rdata_off;
    uint32_t taglen;

    t->n = 0;
    if (rr->rdlen < 2 || (taglen = r[1]) + 2u > rr->rdlen)
        return;
    tb_fmt(t, "%u ", r[0]);
    tb_add(t, (const char *)r + 2, taglen);
    tb_add(t, " \"", 2);
    tb_add(t, (const char *)r + 2 + taglen, rr->rdlen - 2u - taglen);
    tb_add(t, "\"", 1);
}

/* SVCB / HTTPS (RFC 9460) in presentation form: priority target key=value… */
static void svcb_text(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, struct tbuf *t)
{
    static const char *const keys[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                       "ipv4hint", "ech", "ipv6hint"};
    const uint8_t *d = m->data;
    uint32_t q = rr->rdata_off + 2, end = rr->rdata_off + rr->rdlen, n = 0;
    char name[SN_DNS_NAME_BUF];
    uint8_t fl = 0;

    t->n = 0;
    if (rr->rdlen < 3 || !name_read(d, m->len, &q, end, name, &n, &fl) || q > end)
        return;
    tb_fmt(t, "%u ", cs_get_be16(d + rr->rdata_off));
    tb_add(t, n ? name : ".", n ? n : 1);
    while (q + 4 <= end) {
        uint32_t key = cs_get_be16(d + q), vl = cs_get_be16(d + q + 2), v = q + 4;
        if (v + vl > end)
            break;
        tb_add(t, " ", 1);
        if (key < CS_ARRAY_LEN(keys))
            tb_add(t, keys[key], (uint32_t)strlen(keys[key]));
        else
            tb_fmt(t, "key%u", key);
        if (key == 2) {
            q = v + vl;
            continue;
        }
        tb_add(t, "=", 1);
        if (key == 0) {
            for (uint32_t i = 0; i + 2 <= vl; i += 2) {
                uint32_t k = cs_get_be16(d + v + i);
                if (i)
                    tb_add(t, ",", 1);
                if (k < CS_ARRAY_LEN(keys))
                    tb_add(t, keys[k], (uint32_t)strlen(keys[k]));
                else
                    tb_fmt(t, "key%u", k);
            }
        } else if (key == 1) {
            for (uint32_t i = 0; i < vl && i + 1u + d[v + i] <= vl; i += 1u + d[v + i]) {
                if (i)
                    tb_add(t, ",", 1);
                tb_add(t, (const char *)d + v + i + 1, d[v + i]);
            }
        } else if (key == 3 && vl == 2) {
            tb_fmt(t, "%u", cs_get_be16(d + v));
        } else if ((key == 4 && vl % 4 == 0) || (key == 6 && vl % 16 == 0)) {
            uint32_t step = key == 4 ? 4 : 16;
            for (uint32_t i = 0; i < vl; i += step) {
                char a[48];
                addr_str(d + v + i, step, a);
                if (i)
                    tb_add(t, ",", 1);
                tb_add(t, a, (uint32_t)strlen(a));
            }
        } else {
            tb_hex(t, d + v, vl);
        }
        q = v + vl;
    }
}

/* TXT: the k-th character-string of the rdata (false when there is none). */
static bool txt_string(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, uint32_t k,
                       uint32_t *off, uint32_t *n)
{
    uint32_t q = rr->rdata_off, end = rr->rdata_off + rr->rdlen;

    for (uint32_t i = 0; q < end; i++) {
        uint32_t l = m->data[q];
        if (q + 1 + l > end)
            return false;
        if (i == k) {
            *off = q + 1;
            *n = l;
            return true;
        }
        q += 1 + l;
    }
    return false;
}

/* One entry of answers / authorities / additionals (TXT string k). */
static void json_rr(struct cs_json *j, const struct sn_dns_msg *m, const struct sn_dns_rr *rr,
                    uint32_t k)
{
    const uint8_t *r = m->data + rr->rdata_off;
    uint32_t pos = rr->name_off, off, n;

    cs_json_open(j, NULL);
    if (json_name(j, "rrname", m, &pos, m->len))
        cs_json_bool(j, "rrname_truncated", true);
    json_type(j, "rrtype", rr->type);
    cs_json_uint(j, "ttl", rr->ttl);
    switch (rr->type) {
    case T_A:
    case T_AAAA: {
        char a[48];
        addr_str(r, rr->rdlen, a);
        cs_json_str(j, "rdata", a);
        break;
    }
    case T_CNAME:
    case T_NS:
    case T_PTR:
    case T_MX:
        pos = rr->rdata_off + (rr->type == T_MX ? 2 : 0);
        if (json_name(j, "rdata", m, &pos, rr->rdata_off + rr->rdlen))
            cs_json_bool(j, "rdata_truncated", true);
        break;
    case T_TXT:
        if (txt_string(m, rr, k, &off, &n))
            json_bytes(j, "rdata", m->data + off, n);
        break;
    case T_NULL:
        json_bytes(j, "rdata", r, rr->rdlen);
        break;
    case T_SOA: json_soa(j, "soa", m, rr); break;
    case T_SRV: json_srv(j, "srv", m, rr); break;
    case T_SSHFP: json_sshfp(j, "sshfp", m, rr); break;
    case T_OPT: json_opt(j, m, rr); break;
    case T_CAA:
    case T_SVCB:
    case T_HTTPS: {
        struct tbuf t;
        if (rr->type == T_CAA)
            caa_text(m, rr, &t);
        else
            svcb_text(m, rr, &t);
        if (t.n)
            json_bytes(j, "rdata", t.s, t.n);
        break;
    }
    default: break;
    }
    cs_json_close(j);
}

/* Number of EVE entries of rr: one per TXT string, else one. */
static uint32_t rr_entries(const struct sn_dns_msg *m, const struct sn_dns_rr *rr)
{
    uint32_t k = 0, off, n;

    if (rr->type != T_TXT)
        return 1;
    while (txt_string(m, rr, k, &off, &n))
        k++;
    return k;
}

static void json_section(struct cs_json *j, const char *key, const struct sn_dns_msg *m,
                         enum sn_dns_section s)
{
    bool open = false;

    for (uint32_t i = m->first[s]; i < m->first[s + 1]; i++) {
        const struct sn_dns_rr *rr = &m->rr[i];
        uint32_t ne = rr_entries(m, rr);
        if (rr->type == T_OPT && s == SN_DNS_ADDITIONAL && rr->rdlen < 4)
            continue; /* an OPT without options is not logged */
        if (!open) {
            cs_json_open_arr(j, key);
            open = true;
        }
        for (uint32_t k = 0; k < ne; k++)
            json_rr(j, m, rr, k);
    }
    if (open)
        cs_json_close_arr(j);
}

static bool groupable(uint16_t t)
{
    switch (t) {
    case T_A: case T_AAAA: case T_CNAME: case T_MX: case T_NS: case T_PTR: case T_TXT:
    case T_NULL: case T_SOA: case T_SSHFP: case T_SRV:
        return true;
    default:
        return false;
    }
}

static const char *type_str(uint16_t type, char num[8])
{
    const char *n = sn_dns_type_name(type);

    if (n)
        return n;
    snprintf(num, 8, "%u", type);
    return num;
}

/* The "grouped" object: answer data by record type, types in order of first appearance. */
static void json_grouped(struct cs_json *j, const struct sn_dns_msg *m)
{
    uint16_t seen[16];
    unsigned nseen = 0;
    uint32_t a0 = m->first[SN_DNS_ANSWER], a1 = m->first[SN_DNS_ANSWER + 1];

    for (uint32_t i = a0; i < a1; i++) {
        uint16_t t = m->rr[i].type;
        bool dup = false;
        if (!groupable(t))
            continue;
        for (unsigned k = 0; k < nseen; k++)
            dup |= seen[k] == t;
        if (!dup && nseen < CS_ARRAY_LEN(seen))
            seen[nseen++] = t;
    }
    cs_json_open(j, "grouped");
    for (unsigned k = 0; k < nseen; k++) {
        char num[8];
        cs_json_open_arr(j, type_str(seen[k], num));
        for (uint32_t i = a0; i < a1; i++) {
            const struct sn_dns_rr *rr = &m->rr[i];
            uint32_t pos, off, n;
            char a[48];
            if (rr->type != seen[k])
                continue;
            switch (rr->type) {
            case T_A:
            case T_AAAA:
                addr_str(m->data + rr->rdata_off, rr->rdlen, a);
                cs_json_str(j, NULL, a);
                break;
            case T_CNAME:
            case T_NS:
            case T_PTR:
            case T_MX:
                pos = rr->rdata_off + (rr->type == T_MX ? 2 : 0);
                json_name(j, NULL, m, &pos, rr->rdata_off + rr->rdlen);
                break;
            case T_TXT:
                for (uint32_t s = 0; txt_string(m, rr, s, &off, &n); s++)
                    json_bytes(j, NULL, m->data + off, n);
                break;
            case T_NULL: json_bytes(j, NULL, m->data + rr->rdata_off, rr->rdlen); break;
            case T_SOA: json_soa(j, NULL, m, rr); break;
            case T_SSHFP: json_sshfp(j, NULL, m, rr); break;
            case T_SRV: json_srv(j, NULL, m, rr); break;
            default: break;
            }
        }
        cs_json_close_arr(j);
    }
    cs_json_close(j);
}

/* The `dns` object (version 3) of message m of role dir (SN_TOSERVER: request side). */
static void json_dns(struct cs_json *j, const struct dns_opts *o, int dir,
                     const struct sn_dns_msg *m)
{
    char flags[8];
    const char *rc;

    cs_json_open(j, "dns");
    cs_json_int(j, "version", 3);
    cs_json_str(j, "type", dir == SN_TOSERVER ? "request" : "response");
    cs_json_uint(j, "tx_id", m->tx_id);
    cs_json_uint(j, "id", m->id);
    {   /* "%x" by hand: snprintf was 2.6% of a DNS-heavy capture with full logging */
        static const char hex[] = "0123456789abcdef";
        int k = 0;
        for (int sh = 12; sh >= 0; sh -= 4)
            if ((m->flags >> sh) & 0xf || k || !sh)
                flags[k++] = hex[(m->flags >> sh) & 0xf];
        cs_json_strn(j, "flags", flags, (size_t)k);
    }
    if (m->flags & 0x8000)
        cs_json_bool(j, "qr", true);
    if (m->flags & 0x0400)
        cs_json_bool(j, "aa", true);
    if (m->flags & 0x0200)
        cs_json_bool(j, "tc", true);
    if (m->flags & 0x0100)
        cs_json_bool(j, "rd", true);
    if (m->flags & 0x0080)
        cs_json_bool(j, "ra", true);
    if (m->flags & 0x0040)
        cs_json_bool(j, "z", true);
    cs_json_uint(j, "opcode", sn_dns_opcode(m));
    rc = sn_dns_rcode_name(sn_dns_rcode(m));
    if (rc) {
        cs_json_str(j, "rcode", rc);
    } else {
        char num[4];
        snprintf(num, sizeof(num), "%u", sn_dns_rcode(m));
        cs_json_str(j, "rcode", num);
    }
    cs_json_open_arr(j, "queries");
    for (uint32_t i = m->first[SN_DNS_QUERY]; i < m->first[SN_DNS_QUERY + 1]; i++) {
        const struct sn_dns_rr *q = &m->rr[i];
        uint32_t pos = q->name_off;
        bool trunc;
        if (!type_enabled(o, q->type))
            continue;
        cs_json_open(j, NULL);
        trunc = json_name(j, "rrname", m, &pos, m->len);
        json_type(j, "rrtype", q->type);
        if (trunc)
            cs_json_bool(j, "rrname_truncated", true);
        cs_json_close(j);
    }
    cs_json_close_arr(j);
    if (sn_dns_count(m, SN_DNS_ANSWER)) {
        if (o->detailed) {
            cs_json_open_arr(j, "answers");
            for (uint32_t i = m->first[SN_DNS_ANSWER]; i < m->first[SN_DNS_ANSWER + 1]; i++) {
                uint32_t ne = rr_entries(m, &m->rr[i]);
                for (uint32_t k = 0; k < ne; k++)
                    json_rr(j, m, &m->rr[i], k);
            }
            cs_json_close_arr(j);
        }
        if (o->grouped)
            json_grouped(j, m);
    }
    json_section(j, "authorities", m, SN_DNS_AUTHORITY);
    json_section(j, "additionals", m, SN_DNS_ADDITIONAL);
    cs_json_close(j);
}

/* Logs message m of role dir (SN_TOSERVER: request side) that travelled in flow direction
 * rawdir; the record names the sender of the message as its source. */
static void log_msg(struct sn_worker *w, const struct sn_flow *f, const struct dns_state *st,
                    int dir, int rawdir, const struct sn_dns_msg *m)
{
    const struct dns_opts *o = &st->opts;
    const struct sn_flow *hf = f;
    struct sn_flow rev;
    struct cs_json *j;
    bool any = false;

    if (!(dir == SN_TOSERVER ? o->requests : o->responses))
        return;
    for (uint32_t i = m->first[SN_DNS_QUERY]; i < m->first[SN_DNS_QUERY + 1]; i++)
        any |= type_enabled(o, m->rr[i].type);
    if (!any)
        return;
    if (rawdir == SN_TOCLIENT) {
        /* responses name the responder as the source */
        rev = *f;
        rev.src = f->dst;
        rev.dst = f->src;
        rev.sp = f->dp;
        rev.dp = f->sp;
        hf = &rev;
    }
    j = sn_app_eve_begin(w, hf, SN_EVE_DNS, "dns");
    if (!j)
        return;
    json_dns(j, o, dir, m);
    sn_app_eve_end(w, j);
}

/* Alert metadata: the message's tx_id and its `dns` object (the record's form). */
static void dns_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                          const void *tx, int dir, struct cs_json *j)
{
    const struct dns_state *st = state;
    const struct sn_dns_msg *m = tx;

    (void)w, (void)f;
    cs_json_uint(j, "tx_id", m->tx_id);
    if (st && st->opts_loaded)
        json_dns(j, &st->opts, dir, m);
}

/* ---- parsing ------------------------------------------------------------------------- */

static void raise(struct sn_worker *w, const struct sn_flow *f, const char *name)
{
    sn_app_event(w, f, name);
}

/* Handles one whole message of direction dir. Returns 0, or -1 when a TCP stream cannot be
 * parsed any more (Suricata stops a TCP DNS flow on the first bad message). */
static int handle_msg(struct sn_worker *w, struct sn_flow *f, struct dns_state *st, int rawdir,
                      const uint8_t *data, uint32_t len, bool tcp)
{
    struct sn_dns_msg *m;
    struct walk wk;
    int dir;

    if (!header_ok(data, len))
        return tcp ? -1 : 0; /* not DNS: ignored (UDP) or the end (TCP) */
    if (!st->decided) {
        /* a capture that starts with a response (or a request from the server side):
         * the roles are the other way round, as Suricata reverses such a flow */
        st->swap = ((data[2] & 0x80) != 0) == (rawdir == SN_TOSERVER);
        st->decided = true;
    }
    dir = rawdir ^ (int)st->swap;
    m = &st->msg[dir];
    m->valid = false;
    if (len > m->cap) {
        uint8_t *nb = cs_realloc(m->data, len);
        if (!nb)
            return tcp ? -1 : 0;
        m->data = nb;
        m->cap = len;
    }
    memcpy(m->data, data, len);
    m->len = len;
    m->id = cs_get_be16(data);
    m->flags = cs_get_be16(data + 2);
    for (int s = 0; s < SN_DNS_NSECTIONS; s++)
        m->count[s] = cs_get_be16(data + 4 + 2 * s);
    if (!msg_walk(m->data, len, m, &wk)) {
        raise(w, f, "dns.malformed_data");
        return tcp ? -1 : 0;
    }
    if (dir == SN_TOSERVER && (m->flags & 0x8000)) {
        raise(w, f, "dns.not_request");
        return tcp ? -1 : 0;
    }
    m->name_flags = wk.nflags;
    m->invalid_authorities = wk.inv_auth;
    m->invalid_additionals = wk.inv_add;
    m->tx_id = st->tx_count++;
    m->valid = true;
    sn_app_detect(w, f, dir, m, "dns");
    log_msg(w, f, st, dir, rawdir, m);
    if (wk.inv_add)
        raise(w, f, "dns.invalid_additionals");
    if (wk.inv_auth)
        raise(w, f, "dns.invalid_authorities");
    if (dir == SN_TOCLIENT && !(m->flags & 0x8000))
        raise(w, f, "dns.not_response");
    if (m->flags & 0x0040)
        raise(w, f, "dns.z_flag_set");
    if (sn_dns_opcode(m) >= 7)
        raise(w, f, "dns.invalid_opcode");
    if (wk.nflags & SN_DNS_NF_TRUNC)
        raise(w, f, "dns.name_too_long");
    if (wk.nflags & SN_DNS_NF_LOOP)
        raise(w, f, "dns.infinite_loop");
    if (wk.nflags & SN_DNS_NF_LABELS)
        raise(w, f, "dns.too_many_labels");
    return 0;
}

/* Whether message d looks like DNS. dlen is its full length, have how much of it is here.
 * strict (off port 53): the whole message must be present and plausible: one question, a
 * known opcode, no reserved bit, nothing after the last record (unless a trailing section
 * is broken). */
static enum sn_probe check_msg(const uint8_t *d, uint32_t dlen, uint32_t have, bool strict)
{
    struct walk wk;
    unsigned op;

    if (have < DNS_HDR_LEN)
        return have < dlen ? SN_PROBE_MORE : SN_PROBE_NO;
    if (dlen < DNS_HDR_LEN || !header_ok(d, dlen))
        return SN_PROBE_NO;
    if (have < dlen)
        return strict ? (have < 4096 - 2 ? SN_PROBE_MORE : SN_PROBE_NO) : SN_PROBE_YES;
    if (!msg_walk(d, dlen, NULL, &wk))
        return SN_PROBE_NO;
    if (!strict)
        return SN_PROBE_YES;
    op = (d[2] >> 3) & 0xf;
    if (cs_get_be16(d + 4) != 1 || op == 3 || op > 6 || (d[3] & 0x40) ||
        (wk.end != dlen && !wk.inv_auth && !wk.inv_add))
        return SN_PROBE_NO;
    return SN_PROBE_YES;
}

/* Probe: the data as a datagram, else as a TCP stream (length prefix). Not on the mDNS and
 * LLMNR ports, which carry their own protocols. */
static enum sn_probe dns_probe(const uint8_t *data, uint32_t len, int dir, uint16_t dp)
{
    bool strict = dp != 53;
    uint32_t dlen;

    (void)dir;
    if (dp == 5353 || dp == 5355)
        return SN_PROBE_NO;
    if (check_msg(data, len, len, strict) == SN_PROBE_YES)
        return SN_PROBE_YES;
    if (len < 2)
        return SN_PROBE_MORE;
    dlen = cs_get_be16(data);
    if (dlen < DNS_HDR_LEN)
        return SN_PROBE_NO;
    return check_msg(data + 2, dlen, CS_MIN(len - 2, dlen), strict);
}

static int parse_tcp(struct sn_worker *w, struct sn_flow *f, struct dns_state *st, int dir,
                     const uint8_t *data, uint32_t len)
{
    uint32_t off = 0;

    if (st->gap[dir]) {
        /* after lost data: resume only where a message plausibly starts */
        uint32_t dlen = len >= 2 ? cs_get_be16(data) : 0;
        if (len >= 2 &&
            check_msg(data + 2, dlen, CS_MIN(len - 2, dlen), false) == SN_PROBE_NO)
            return (int)len;
        st->gap[dir] = false;
    }
    while (len - off >= 2) {
        uint32_t n = cs_get_be16(data + off);
        if (n == 0) {
            off += 2;
            continue;
        }
        if (len - off - 2 < n)
            break; /* the rest comes later (the registry keeps it) */
        if (handle_msg(w, f, st, dir, data + off + 2, n, true) < 0)
            return -1;
        off += 2 + n;
    }
    return (int)off;
}

/* The options of w's configuration, read once per thread and configuration tree (reading
 * them costs ~30,000 instructions: paid per flow it was a fifth of a DNS-heavy capture). */
static void opts_init(struct dns_state *st, const struct sn_worker *w)
{
    static _Thread_local uint64_t cached_serial;
    static _Thread_local struct dns_opts cached;
    const struct cs_cfg *raw = w->cfg ? w->cfg->raw : NULL;

    if (st->opts_loaded)
        return;
    if (raw && cached_serial && cs_cfg_serial(raw) == cached_serial) {
        st->opts = cached;
    } else {
        opts_load(&st->opts, w->cfg);
        if (raw) {
            cached = st->opts;
            cached_serial = cs_cfg_serial(raw);
        }
    }
    st->opts_loaded = true;
}

static int dns_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                     const uint8_t *data, uint32_t len, unsigned flags)
{
    struct dns_state *st = state;

    if (dir != SN_TOSERVER && dir != SN_TOCLIENT)
        return 0;
    opts_init(st, w);
    if (flags & SN_APP_DATAGRAM) {
        if (data && len)
            handle_msg(w, f, st, dir, data, len, false);
        return (int)len;
    }
    if (flags & SN_STREAM_GAP) {
        st->gap[dir] = true;
        return 0;
    }
    if (!data || !len)
        return 0;
    return parse_tcp(w, f, st, dir, data, len);
}

static void *dns_state_new(void)
{
    return cs_calloc(1, sizeof(struct dns_state));
}

static void dns_state_free(void *state)
{
    struct dns_state *st = state;

    if (!st)
        return;
    for (int d = 0; d < 2; d++) {
        cs_free(st->msg[d].data);
        cs_free(st->msg[d].rr);
    }
    cs_free(st);
}

const struct sn_app_parser sn_app_dns = {
    .name = "dns",
    .ipproto = 0,
    .default_ports = "53",
    .eve_type = SN_EVE_DNS,
    .probe = dns_probe,
    .parse = dns_parse,
    .state_new = dns_state_new,
    .state_free = dns_state_free,
    .log_flow = NULL,
    .log_alert = dns_log_alert,
    .max_state_bytes = DNS_TCP_STATE_MAX,
};
