/* tls.c — the TLS/SSL/TLCP parser: records (SSLv2 hellos, SSLv3, TLS 1.0–1.3, TLCP record
 * version 0x0101), handshake messages reassembled across records and segments, hellos and
 * their extensions, certificate chains, session resumption; after ChangeCipherSpec the
 * records of a direction are counted, not parsed. One EVE `tls` record per session, in
 * Suricata's layout, when both directions finished their handshake or at the end of the flow.
 */
#include "tls.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#define REC_MAX (16384 + 2048)   /* longest legal TLSCiphertext fragment */
#define HS_MAX (256u << 10)      /* handshake bytes buffered per direction */
#define SNI_MAX 1024
#define HB_MIN_PAD 16

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24 };
enum {
    HT_CLIENT_HELLO = 1,
    HT_SERVER_HELLO = 2,
    HT_CERTIFICATE = 11,
    HT_SERVER_KEYX = 12,
    HT_CLIENT_KEYX = 16,
};

/* SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 4.1.3) */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct tls_dir {
    uint32_t skip;           /* body bytes of the current unparsed record still to pass */
    uint8_t *hs;             /* handshake reassembly */
    uint32_t hs_len, hs_cap;
    bool started;
    bool enc;                /* ChangeCipherSpec / application data seen: content encrypted */
    bool dead;               /* cannot follow the records any more: consume only */
    bool eof;
    bool skip_enc;           /* the record being skipped is encrypted: count it */
    bool v2;                 /* SSLv2 records in this direction */
};

struct tls_parse {
    struct tls_dir d[2];
    bool logged;
    bool sni_ext_seen;
    bool hb_event;
    bool events_cert;        /* a certificate event was raised (once per session) */
};

/* ---- state ------------------------------------------------------------------------- */

static void hello_clear(struct sn_tls_hello *h)
{
    cs_free(h->ciphers);
    cs_free(h->exts);
    cs_free(h->groups);
    cs_free(h->point_formats);
    cs_free(h->sigalgs);
    for (uint8_t i = 0; i < h->nalpn; i++)
        cs_free(h->alpn[i]);
    memset(h, 0, sizeof(*h));
}

static void *tls_state_new(void)
{
    struct sn_tls_state *st = cs_calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->p = cs_calloc(1, sizeof(*st->p));
    if (!st->p) {
        cs_free(st);
        return NULL;
    }
    return st;
}

static void tls_state_free(void *state)
{
    struct sn_tls_state *st = state;

    if (!st)
        return;
    hello_clear(&st->client);
    hello_clear(&st->server);
    cs_free(st->sni);
    for (uint16_t i = 0; i < st->ncerts; i++)
        sn_tls_cert_clear(&st->certs[i]);
    for (uint16_t i = 0; i < st->nclient_certs; i++)
        sn_tls_cert_clear(&st->client_certs[i]);
    if (st->p) {
        cs_free(st->p->d[0].hs);
        cs_free(st->p->d[1].hs);
        cs_free(st->p);
    }
    cs_free(st);
}

/* ---- bounded reader ---------------------------------------------------------------- */

struct rd {
    const uint8_t *p;
    uint32_t n, off;
    bool bad;
};

static bool rd_has(struct rd *r, uint32_t k)
{
    if (r->bad || r->n - r->off < k) {
        r->bad = true;
        return false;
    }
    return true;
}

static uint32_t rd_u8(struct rd *r)
{
    return rd_has(r, 1) ? r->p[r->off++] : 0;
}

static uint32_t rd_u16(struct rd *r)
{
    uint32_t v;

    if (!rd_has(r, 2))
        return 0;
    v = cs_get_be16(r->p + r->off);
    r->off += 2;
    return v;
}

static uint32_t rd_u24(struct rd *r)
{
    uint32_t v;

    if (!rd_has(r, 3))
        return 0;
    v = cs_get_be24(r->p + r->off);
    r->off += 3;
    return v;
}

static const uint8_t *rd_bytes(struct rd *r, uint32_t k)
{
    const uint8_t *q;

    if (!rd_has(r, k))
        return NULL;
    q = r->p + r->off;
    r->off += k;
    return q;
}

/* Sub-reader over the next k bytes (marks r bad if they are not there). */
static struct rd rd_sub(struct rd *r, uint32_t k)
{
    struct rd s = {0};
    const uint8_t *q = rd_bytes(r, k);

    s.p = q;
    s.n = q ? k : 0;
    s.bad = q == NULL;
    return s;
}

/* Reads n/2 u16 values into a new array. */
static bool rd_u16_list(struct rd *r, uint32_t bytes, uint16_t **out, uint16_t *n)
{
    const uint8_t *q = rd_bytes(r, bytes);
    uint16_t *v;

    if (!q || (bytes & 1))
        return false;
    if (*out) /* a repeated extension: keep the first */
        return true;
    v = cs_malloc(bytes / 2 * sizeof(uint16_t) + 1);
    if (!v)
        return false;
    for (uint32_t i = 0; i < bytes / 2; i++)
        v[i] = cs_get_be16(q + 2 * i);
    *out = v;
    *n = (uint16_t)(bytes / 2);
    return true;
}

static char *dup_n(const uint8_t *s, uint32_t n)
{
    char *d = cs_malloc((size_t)n + 1);

    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- hellos ------------------------------------------------------------------------ */

static void ev(struct sn_worker *w, struct sn_flow *f, const char *name)
{
    sn_app_event(w, f, name);
}

static void parse_alpn(struct sn_tls_hello *h, struct rd *e)
{
    struct rd l = rd_sub(e, rd_u16(e));

    while (!l.bad && l.off < l.n) {
        uint32_t k = rd_u8(&l);
        const uint8_t *s = rd_bytes(&l, k);
        if (!s || h->nalpn >= SN_TLS_MAX_ALPN)
            break;
        h->alpn[h->nalpn] = dup_n(s, k);
        if (h->alpn[h->nalpn])
            h->nalpn++;
    }
}

static void parse_sni(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                      struct rd *e)
{
    struct rd l;

    if (st->p->sni_ext_seen) {
        ev(w, f, "tls.multiple_sni_extensions");
        return;
    }
    st->p->sni_ext_seen = true;
    if (e->n == 0)
        return;
    l = rd_sub(e, rd_u16(e));
    if (l.bad) {
        ev(w, f, "tls.invalid_sni_length");
        return;
    }
    while (l.off < l.n) {
        uint32_t type = rd_u8(&l), k = rd_u16(&l);
        const uint8_t *s = rd_bytes(&l, k);
        if (!s) {
            ev(w, f, "tls.invalid_sni_length");
            return;
        }
        if (type != 0) {
            ev(w, f, "tls.invalid_sni_type");
            return;
        }
        if (!st->sni)
            st->sni = dup_n(s, CS_MIN(k, SNI_MAX));
    }
}

/* Extensions of a ClientHello (client) or ServerHello. Returns false when malformed. */
static bool parse_exts(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                       struct sn_tls_hello *h, struct rd *r, bool client)
{
    uint32_t total;
    struct rd x;
    uint16_t *exts;
    uint32_t cap;

    if (r->off == r->n)
        return true; /* no extensions */
    total = rd_u16(r);
    x = rd_sub(r, total);
    if (x.bad)
        return false;
    cap = total / 4 + 1;
    exts = cs_malloc(cap * sizeof(uint16_t));
    if (!exts)
        return false;
    h->exts = exts;
    while (x.off < x.n) {
        uint32_t type = rd_u16(&x), len = rd_u16(&x);
        struct rd e = rd_sub(&x, len);
        if (x.bad)
            return false;
        if (h->nexts < cap)
            h->exts[h->nexts++] = (uint16_t)type;
        switch (type) {
        case 0x0000: /* server_name */
            if (client)
                parse_sni(w, f, st, &e);
            break;
        case 0x0010: /* ALPN */
            parse_alpn(h, &e);
            break;
        case 0x000a: /* supported_groups */
            if (client)
                rd_u16_list(&e, rd_u16(&e), &h->groups, &h->ngroups);
            break;
        case 0x000b: /* ec_point_formats */
            if (client && !h->point_formats) {
                uint32_t k = rd_u8(&e);
                const uint8_t *q = rd_bytes(&e, k);
                if (q && k) {
                    h->point_formats = cs_malloc(k);
                    if (h->point_formats) {
                        memcpy(h->point_formats, q, k);
                        h->npoint_formats = (uint16_t)k;
                    }
                }
            }
            break;
        case 0x000d: /* signature_algorithms */
            if (client)
                rd_u16_list(&e, rd_u16(&e), &h->sigalgs, &h->nsigalgs);
            break;
        case 0x0023: /* session_ticket */
            h->ticket = len > 0;
            break;
        case 0x002b: /* supported_versions */
            if (client) {
                struct rd l = rd_sub(&e, rd_u8(&e));
                while (!l.bad && l.n - l.off >= 2) {
                    uint16_t v = (uint16_t)rd_u16(&l);
                    if (!sn_tls_is_grease(v) && v > h->max_version)
                        h->max_version = v;
                }
            } else {
                uint16_t v = (uint16_t)rd_u16(&e);
                if (!e.bad)
                    h->max_version = v;
            }
            break;
        default: break;
        }
    }
    return true;
}

static void parse_client_hello(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                               const uint8_t *b, uint32_t n)
{
    struct sn_tls_hello *h = &st->client;
    struct rd r = {b, n, 0, false};
    uint32_t k;
    const uint8_t *q;

    if (h->seen)
        return; /* second ClientHello (after a HelloRetryRequest): fingerprints stay */
    h->seen = true;
    h->version = (uint16_t)rd_u16(&r);
    rd_bytes(&r, 32);
    k = rd_u8(&r);
    q = rd_bytes(&r, k);
    if (q && k <= 32) {
        memcpy(h->session_id, q, k);
        h->session_id_len = (uint8_t)k;
    }
    if (!rd_u16_list(&r, rd_u16(&r), &h->ciphers, &h->nciphers))
        goto bad;
    rd_bytes(&r, rd_u8(&r)); /* compression methods */
    if (r.bad || !parse_exts(w, f, st, h, &r, true))
        goto bad;
    sn_tls_fp_client(st);
    return;
bad:
    ev(w, f, "tls.invalid_handshake_message");
    sn_tls_fp_client(st);
}

static bool is_tls13(uint16_t v)
{
    return v == SN_TLS_V_TLS13 || (v >> 8) == 0x7f || (v >> 8) == 0xfb;
}

static void parse_server_hello(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                               const uint8_t *b, uint32_t n)
{
    struct sn_tls_hello *h = &st->server;
    struct rd r = {b, n, 0, false};
    const uint8_t *rnd, *q;
    uint32_t k;
    uint16_t ver;
    bool hrr;

    if (h->seen && !st->hrr)
        return;
    hello_clear(h);
    h->seen = true;
    h->version = (uint16_t)rd_u16(&r);
    rnd = rd_bytes(&r, 32);
    hrr = rnd && memcmp(rnd, hrr_random, 32) == 0;
    /* TLS 1.3 drafts before 22 had no session id in the ServerHello */
    if (!((h->version >> 8) == 0x7f && (h->version & 0xff) < 22)) {
        k = rd_u8(&r);
        q = rd_bytes(&r, k);
        if (q && k <= 32) {
            memcpy(h->session_id, q, k);
            h->session_id_len = (uint8_t)k;
        }
    }
    h->ciphers = cs_malloc(sizeof(uint16_t));
    if (h->ciphers) {
        h->ciphers[0] = (uint16_t)rd_u16(&r);
        h->nciphers = 1;
    }
    if (!((h->version >> 8) == 0x7f && (h->version & 0xff) < 22))
        rd_u8(&r); /* compression */
    if (r.bad || !parse_exts(w, f, st, h, &r, false))
        ev(w, f, "tls.invalid_handshake_message");
    ver = h->max_version ? h->max_version : h->version;
    st->version = ver;
    st->hrr = st->hrr || hrr;
    if (ver == SN_TLS_V_TLCP)
        st->tlcp = true;
    if (is_tls13(ver)) {
        st->tls13 = true;
        if (!hrr)
            st->p->d[SN_TOCLIENT].enc = true; /* the rest of the server's flight is encrypted */
    } else if (h->session_id_len && h->session_id_len == st->client.session_id_len &&
               memcmp(h->session_id, st->client.session_id, h->session_id_len) == 0) {
        st->resumed = true;
    }
    sn_tls_fp_server(st);
}

/* Certificate message: TLS <= 1.2 and TLCP (list of DER), TLS 1.3 (context + per-entry
 * extensions). to_client: the server's chain, else the client's. */
static void parse_certificate(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                              int dir, const uint8_t *b, uint32_t n)
{
    struct sn_tls_cert *certs = dir == SN_TOCLIENT ? st->certs : st->client_certs;
    uint16_t *ncerts = dir == SN_TOCLIENT ? &st->ncerts : &st->nclient_certs;
    struct rd r = {b, n, 0, false};
    struct rd l;

    if (*ncerts)
        return; /* one chain per direction */
    if (st->tls13)
        rd_bytes(&r, rd_u8(&r)); /* certificate_request_context */
    l = rd_sub(&r, rd_u24(&r));
    if (r.bad || r.off != r.n) {
        ev(w, f, "tls.certificate_invalid_length");
        return;
    }
    while (l.off < l.n) {
        uint32_t k = rd_u24(&l);
        const uint8_t *der = rd_bytes(&l, k);
        if (!der) {
            ev(w, f, "tls.certificate_invalid_length");
            return;
        }
        if (st->tls13)
            rd_bytes(&l, rd_u16(&l)); /* extensions */
        if (*ncerts < SN_TLS_MAX_CERTS) {
            int rc = sn_tls_cert_parse(&certs[*ncerts], der, k);
            if (rc == CS_ENOMEM) {
                sn_tls_cert_clear(&certs[*ncerts]);
                return;
            }
            if (rc == CS_EINVAL && !st->p->events_cert) {
                st->p->events_cert = true;
                ev(w, f, "tls.certificate_invalid_der");
            }
            (*ncerts)++;
        }
    }
}

/* ---- records ------------------------------------------------------------------------ */

static void handshake_msg(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                          int dir, uint8_t type, const uint8_t *b, uint32_t n)
{
    if (dir == SN_TOSERVER && type == HT_CLIENT_HELLO)
        parse_client_hello(w, f, st, b, n);
    else if (dir == SN_TOCLIENT && type == HT_SERVER_HELLO)
        parse_server_hello(w, f, st, b, n);
    else if (type == HT_CERTIFICATE)
        parse_certificate(w, f, st, dir, b, n);
    st->hs_current = type == HT_CLIENT_HELLO   ? SN_TLS_HS_CLIENT_HELLO
                     : type == HT_SERVER_HELLO ? SN_TLS_HS_SERVER_HELLO
                     : type == HT_CLIENT_KEYX  ? SN_TLS_HS_CLIENT_KEYX
                     : type == HT_SERVER_KEYX  ? SN_TLS_HS_SERVER_KEYX
                                               : SN_TLS_HS_UNKNOWN;
    sn_app_detect(w, f, dir, st, "tls");
}

/* Appends a handshake record's payload and handles every complete message. */
static void handshake_data(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                           int dir, const uint8_t *d, uint32_t n)
{
    struct tls_dir *td = &st->p->d[dir];
    uint32_t off = 0;

    if (td->hs_len + n > td->hs_cap) {
        uint32_t cap = td->hs_cap ? td->hs_cap : 4096;
        uint8_t *nb;
        while (cap < td->hs_len + n)
            cap *= 2;
        if (cap > HS_MAX + REC_MAX)
            cap = HS_MAX + REC_MAX;
        if (td->hs_len + n > cap || !(nb = cs_realloc(td->hs, cap))) {
            ev(w, f, "tls.handshake_invalid_length");
            td->dead = true;
            return;
        }
        td->hs = nb;
        td->hs_cap = cap;
    }
    if (n)
        memcpy(td->hs + td->hs_len, d, n);
    td->hs_len += n;
    while (td->hs_len - off >= 4) {
        uint8_t type = td->hs[off];
        uint32_t len = cs_get_be24(td->hs + off + 1);
        if (len > HS_MAX) {
            ev(w, f, "tls.handshake_invalid_length");
            td->dead = true;
            return;
        }
        if (td->hs_len - off - 4 < len)
            break;
        handshake_msg(w, f, st, dir, type, td->hs + off + 4, len);
        off += 4 + len;
        if (td->enc) /* a ServerHello of TLS 1.3 ends the plaintext */
            break;
    }
    if (off && td->hs_len > off)
        memmove(td->hs, td->hs + off, td->hs_len - off);
    td->hs_len -= off;
    if (td->enc)
        td->hs_len = 0;
    if (!td->hs_len && td->hs_cap > 16384) {
        cs_free(td->hs);
        td->hs = NULL;
        td->hs_cap = 0;
    }
}

/* SSLv2 record (2-byte header): CLIENT-HELLO (1) or SERVER-HELLO (4). Returns bytes consumed,
 * 0 when more data is needed. */
static uint32_t sslv2_record(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st,
                             int dir, const uint8_t *d, uint32_t n)
{
    struct tls_dir *td = &st->p->d[dir];
    uint32_t len, k;
    struct rd r;

    if (n < 3)
        return 0;
    len = (uint32_t)(d[0] & 0x7f) << 8 | d[1];
    if (n - 2 < len)
        return 0;
    r = (struct rd){d + 2, len, 0, false};
    k = rd_u8(&r);
    if (k == 1 && dir == SN_TOSERVER && !st->client.seen) {
        struct sn_tls_hello *h = &st->client;
        uint32_t cs_len, sid_len, ch_len;
        const uint8_t *cs;
        h->seen = true;
        h->version = (uint16_t)rd_u16(&r);
        cs_len = rd_u16(&r);
        sid_len = rd_u16(&r);
        ch_len = rd_u16(&r);
        cs = rd_bytes(&r, cs_len);
        rd_bytes(&r, sid_len);
        rd_bytes(&r, ch_len);
        if (r.bad || cs_len % 3) {
            ev(w, f, "tls.invalid_sslv2_header");
        } else {
            /* keep the TLS-compatible suites (first byte 0) as 16-bit values */
            h->ciphers = cs_malloc(cs_len / 3 * sizeof(uint16_t) + 1);
            for (uint32_t i = 0; h->ciphers && i < cs_len / 3; i++)
                if (cs[3 * i] == 0)
                    h->ciphers[h->nciphers++] = cs_get_be16(cs + 3 * i + 1);
        }
        /* no JA3/JA4 for SSLv2 hellos */
        st->hs_current = SN_TLS_HS_CLIENT_HELLO;
        sn_app_detect(w, f, dir, st, "tls");
    } else if (k == 4 && dir == SN_TOCLIENT) {
        uint32_t cert_len;
        const uint8_t *cert;
        rd_u8(&r); /* session id hit */
        rd_u8(&r); /* certificate type */
        st->server.seen = true;
        st->server.version = (uint16_t)rd_u16(&r);
        st->version = SN_TLS_V_SSL2;
        cert_len = rd_u16(&r);
        rd_u16(&r);
        rd_u16(&r);
        cert = rd_bytes(&r, cert_len);
        if (cert && cert_len && !st->ncerts) {
            if (sn_tls_cert_parse(&st->certs[0], cert, cert_len) == CS_ENOMEM)
                sn_tls_cert_clear(&st->certs[0]);
            else
                st->ncerts = 1;
        }
        td->enc = true;
        st->p->d[SN_TOSERVER].enc = true;
        st->hs_current = SN_TLS_HS_SERVER_HELLO;
        sn_app_detect(w, f, dir, st, "tls");
    } else if (!td->started) {
        ev(w, f, "tls.invalid_sslv2_header");
        td->dead = true;
        return n;
    } else {
        td->enc = true; /* the rest of SSLv2 is encrypted */
    }
    td->started = true;
    return 2 + len;
}

/* Parses as many records as data holds; returns the bytes consumed. */
static uint32_t records(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st, int dir,
                        const uint8_t *data, uint32_t len)
{
    struct tls_dir *td = &st->p->d[dir];
    uint32_t pos = 0;

    while (pos < len) {
        const uint8_t *r = data + pos;
        uint32_t avail = len - pos, rlen;
        uint16_t ver;
        uint8_t type;

        if (td->dead)
            return len;
        if (td->v2 && td->enc) {
            /* SSLv2 after the hellos: encrypted, 2- and 3-byte headers; count only */
            st->enc_bytes[dir] += avail;
            return len;
        }
        if (td->skip) {
            uint32_t k = CS_MIN(td->skip, avail);
            if (td->skip_enc)
                st->enc_bytes[dir] += k;
            td->skip -= k;
            pos += k;
            continue;
        }
        if ((r[0] & 0x80) && (!td->started || td->v2)) {
            td->v2 = true;
            uint32_t k = sslv2_record(w, f, st, dir, r, avail);
            if (!k)
                break;
            pos += k;
            continue;
        }
        if (avail < 5)
            break;
        type = r[0];
        ver = cs_get_be16(r + 1);
        rlen = cs_get_be16(r + 3);
        if (type < CT_CCS || type > CT_HEARTBEAT) {
            ev(w, f, "tls.invalid_record_type");
            td->dead = true;
            continue;
        }
        if ((ver >> 8) != 3 && ver != SN_TLS_V_TLCP) {
            ev(w, f, "tls.invalid_record_version");
            td->dead = true;
            continue;
        }
        if (rlen > REC_MAX) {
            ev(w, f, "tls.invalid_tls_header");
            td->dead = true;
            continue;
        }
        if (!td->started) {
            td->started = true;
            if (dir == SN_TOCLIENT && !st->version)
                st->version = ver;
        }
        if (type == CT_HANDSHAKE && !td->enc) {
            if (avail - 5 < rlen)
                break; /* whole handshake records only */
            pos += 5 + rlen;
            handshake_data(w, f, st, dir, r + 5, rlen);
            continue;
        }
        if (type == CT_HEARTBEAT) {
            if (!st->p->hb_event) {
                st->p->hb_event = true;
                ev(w, f, "tls.heartbeat_message");
            }
            st->heartbeats++;
            if (!td->enc) {
                if (avail < 8)
                    break;
                if (rlen < 3 || cs_get_be16(r + 6) + 3u + HB_MIN_PAD > rlen)
                    ev(w, f, "tls.overflow_heartbeat_message");
            }
        }
        if (type == CT_ALERT && !td->enc && rlen != 2)
            ev(w, f, "tls.invalid_alert_message");
        if (type == CT_CCS || type == CT_APPDATA)
            td->enc = true;
        td->skip_enc = td->enc && type != CT_CCS;
        if (td->skip_enc)
            st->enc_records[dir]++;
        td->skip = rlen;
        pos += 5;
    }
    return pos;
}

/* ---- EVE ----------------------------------------------------------------------------- */

enum {
    F_VERSION = 1u << 0,
    F_SUBJECT = 1u << 1,
    F_ISSUER = 1u << 2,
    F_SERIAL = 1u << 3,
    F_FINGERPRINT = 1u << 4,
    F_NOTBEFORE = 1u << 5,
    F_NOTAFTER = 1u << 6,
    F_SNI = 1u << 7,
    F_CERTIFICATE = 1u << 8,
    F_CHAIN = 1u << 9,
    F_SESSION_RESUMED = 1u << 10,
    F_JA3 = 1u << 11,
    F_JA3S = 1u << 12,
    F_CLIENT = 1u << 13,
    F_CLIENT_CERT = 1u << 14,
    F_CLIENT_CHAIN = 1u << 15,
    F_JA4 = 1u << 16,
    F_SAN = 1u << 17,
    F_CLIENT_ALPNS = 1u << 18,
    F_SERVER_ALPNS = 1u << 19,
    F_CLIENT_HS = 1u << 20,
    F_SERVER_HS = 1u << 21,
    F_JA4S = 1u << 22,
};

#define F_BASIC (F_SUBJECT | F_ISSUER | F_SAN)
#define F_EXTENDED                                                                             \
    (F_BASIC | F_VERSION | F_SERIAL | F_FINGERPRINT | F_NOTBEFORE | F_NOTAFTER | F_JA3 |       \
     F_JA3S | F_JA4 | F_CLIENT | F_CLIENT_ALPNS | F_SERVER_ALPNS | F_SNI)

static const struct {
    const char *name;
    uint32_t bit;
} custom_names[] = {
    {"version", F_VERSION},
    {"subject", F_SUBJECT},
    {"issuer", F_ISSUER},
    {"serial", F_SERIAL},
    {"fingerprint", F_FINGERPRINT},
    {"not_before", F_NOTBEFORE},
    {"not_after", F_NOTAFTER},
    {"sni", F_SNI},
    {"certificate", F_CERTIFICATE},
    {"chain", F_CHAIN},
    {"session_resumed", F_SESSION_RESUMED},
    {"ja3", F_JA3},
    {"ja3s", F_JA3S},
    {"client", F_CLIENT},
    {"client_certificate", F_CLIENT_CERT | F_CLIENT},
    {"client_chain", F_CLIENT_CHAIN | F_CLIENT},
    {"ja4", F_JA4},
    {"ja4s", F_JA4S},
    {"subjectaltname", F_SAN},
    {"client_alpns", F_CLIENT_ALPNS},
    {"server_alpns", F_SERVER_ALPNS},
    {"client_handshake", F_CLIENT_HS},
    {"server_handshake", F_SERVER_HS},
};

#define OPT_LOG_RESUMED (1u << 31)

/* The eve-log tls options (outputs.eve-log.types[tls]: extended, custom, session-resumption;
 * app-layer.protocols.tls.ja3-fingerprints / ja4-fingerprints). Without a configuration
 * tree: Suricata's stock file (extended). Read once per worker thread and configuration. */
static uint32_t log_fields(const struct sn_config *cfg)
{
    static _Thread_local const struct sn_config *cached;
    static _Thread_local uint32_t fields;
    static const char base[] = "outputs.eve-log.types.tls";
    const struct cs_cfg *c = cfg ? cfg->raw : NULL;
    char key[128];
    bool b;

    if (!cfg)
        return F_EXTENDED | F_SESSION_RESUMED | OPT_LOG_RESUMED;
    if (cached == cfg && fields)
        return fields;
    fields = F_EXTENDED | F_SESSION_RESUMED | OPT_LOG_RESUMED;
    if (c) {
        size_t n;
        fields = F_BASIC;
        snprintf(key, sizeof(key), "%s.extended", base);
        if (cs_cfg_get_bool(c, key, &b) && b)
            fields = F_EXTENDED;
        snprintf(key, sizeof(key), "%s.custom", base);
        n = cs_cfg_count(c, key);
        if (n) {
            fields = 0;
            for (size_t i = 0; i < n; i++) {
                const char *v = cs_cfg_child_value(c, key, i);
                for (size_t k = 0; v && k < CS_ARRAY_LEN(custom_names); k++)
                    if (strcasecmp(v, custom_names[k].name) == 0)
                        fields |= custom_names[k].bit;
            }
        }
        snprintf(key, sizeof(key), "%s.session-resumption", base);
        if (!cs_cfg_get_bool(c, key, &b) || b)
            fields |= F_SESSION_RESUMED | OPT_LOG_RESUMED;
        if (cs_cfg_get_bool(c, "app-layer.protocols.tls.ja3-fingerprints", &b) && !b)
            fields &= ~(uint32_t)(F_JA3 | F_JA3S);
        if (cs_cfg_get_bool(c, "app-layer.protocols.tls.ja4-fingerprints", &b) && !b)
            fields &= ~(uint32_t)(F_JA4 | F_JA4S);
    }
    cached = cfg;
    return fields;
}

static void json_base64(struct cs_json *j, const char *key, const uint8_t *d, uint32_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t olen = ((size_t)n + 2) / 3 * 4;
    char *o = cs_malloc(olen + 1);
    size_t k = 0;

    if (!o)
        return;
    for (uint32_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        o[k++] = tbl[v >> 18 & 63];
        o[k++] = tbl[v >> 12 & 63];
        o[k++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
        o[k++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    cs_json_strn(j, key, o, k);
    cs_free(o);
}

static void json_time(struct cs_json *j, const char *key, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];

    if (!gmtime_r(&tt, &tm))
        return;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    cs_json_str(j, key, buf);
}

static void json_u16_arr(struct cs_json *j, const char *key, const uint16_t *v, uint16_t n)
{
    cs_json_open_arr(j, key);
    for (uint16_t i = 0; i < n; i++)
        if (!sn_tls_is_grease(v[i]))
            cs_json_uint(j, NULL, v[i]);
    cs_json_close_arr(j);
}

static void json_alpns(struct cs_json *j, const char *key, const struct sn_tls_hello *h)
{
    if (!h->nalpn)
        return;
    cs_json_open_arr(j, key);
    for (uint8_t i = 0; i < h->nalpn; i++)
        cs_json_str(j, NULL, h->alpn[i]);
    cs_json_close_arr(j);
}

/* subject … notafter of one certificate (client object, TLCP encryption certificate) */
static void json_cert_short(struct cs_json *j, const struct sn_tls_cert *c)
{
    if (c->subject)
        cs_json_str(j, "subject", c->subject);
    if (c->issuer)
        cs_json_str(j, "issuerdn", c->issuer);
    if (c->fingerprint[0])
        cs_json_str(j, "fingerprint", c->fingerprint);
    if (c->serial)
        cs_json_str(j, "serial", c->serial);
    if (c->has_validity) {
        json_time(j, "notbefore", c->not_before);
        json_time(j, "notafter", c->not_after);
    }
}

/* The `tls` object with the fields fl selects (log_fields()). */
static void json_tls(struct cs_json *j, const struct sn_tls_state *st, uint32_t fl)
{
    const struct sn_tls_cert *c0 = st->ncerts ? &st->certs[0] : NULL;
    char vbuf[32];

    cs_json_open(j, "tls");
    if ((fl & F_SUBJECT) && c0 && c0->subject)
        cs_json_str(j, "subject", c0->subject);
    if ((fl & F_ISSUER) && c0 && c0->issuer)
        cs_json_str(j, "issuerdn", c0->issuer);
    if ((fl & F_SAN) && c0 && c0->nsan) {
        cs_json_open_arr(j, "subjectaltname");
        for (uint16_t i = 0; i < c0->nsan; i++)
            cs_json_str(j, NULL, c0->san[i]);
        cs_json_close_arr(j);
    }
    if ((fl & F_SESSION_RESUMED) && st->resumed && !(c0 && (c0->subject || c0->issuer)) &&
        st->server.seen && !st->tls13)
        cs_json_bool(j, "session_resumed", true);
    if ((fl & F_SERIAL) && c0 && c0->serial)
        cs_json_str(j, "serial", c0->serial);
    if ((fl & F_FINGERPRINT) && c0 && c0->fingerprint[0])
        cs_json_str(j, "fingerprint", c0->fingerprint);
    if ((fl & F_SNI) && st->sni)
        cs_json_str(j, "sni", st->sni);
    if (fl & F_VERSION)
        cs_json_str(j, "version", sn_tls_version_str(st->version, vbuf));
    if ((fl & F_NOTBEFORE) && c0 && c0->has_validity)
        json_time(j, "notbefore", c0->not_before);
    if ((fl & F_NOTAFTER) && c0 && c0->has_validity)
        json_time(j, "notafter", c0->not_after);
    if ((fl & F_CERTIFICATE) && c0)
        json_base64(j, "certificate", c0->der, c0->der_len);
    if ((fl & F_CHAIN) && st->ncerts) {
        cs_json_open_arr(j, "chain");
        for (uint16_t i = 0; i < st->ncerts; i++)
            json_base64(j, NULL, st->certs[i].der, st->certs[i].der_len);
        cs_json_close_arr(j);
    }
    if ((fl & F_JA3) && st->client.seen && st->ja3_hash[0]) {
        cs_json_open(j, "ja3");
        cs_json_str(j, "hash", st->ja3_hash);
        cs_json_str(j, "string", st->ja3_str);
        cs_json_close(j);
    }
    if ((fl & F_JA3S) && st->server.seen && st->ja3s_hash[0] &&
        st->version != SN_TLS_V_SSL2) {
        cs_json_open(j, "ja3s");
        cs_json_str(j, "hash", st->ja3s_hash);
        cs_json_str(j, "string", st->ja3s_str);
        cs_json_close(j);
    }
    if ((fl & F_JA4) && st->client.seen && st->ja4[0])
        cs_json_str(j, "ja4", st->ja4);
    if ((fl & F_JA4S) && st->server.seen && st->ja4s[0])
        cs_json_str(j, "ja4s", st->ja4s);
    if (fl & F_CLIENT_ALPNS)
        json_alpns(j, "client_alpns", &st->client);
    if (fl & F_SERVER_ALPNS)
        json_alpns(j, "server_alpns", &st->server);
    if ((fl & F_CLIENT_HS) && st->client.seen) {
        const struct sn_tls_hello *h = &st->client;
        cs_json_open(j, "client_handshake");
        cs_json_str(j, "version",
                    sn_tls_version_str(h->max_version ? h->max_version : h->version, vbuf));
        if (h->nciphers)
            json_u16_arr(j, "ciphers", h->ciphers, h->nciphers);
        if (h->nexts)
            json_u16_arr(j, "exts", h->exts, h->nexts);
        if (h->nsigalgs)
            json_u16_arr(j, "sig_algs", h->sigalgs, h->nsigalgs);
        cs_json_close(j);
    }
    if ((fl & F_SERVER_HS) && st->server.seen) {
        const struct sn_tls_hello *h = &st->server;
        cs_json_open(j, "server_handshake");
        cs_json_str(j, "version",
                    sn_tls_version_str(h->max_version ? h->max_version : h->version, vbuf));
        if (h->nciphers)
            cs_json_uint(j, "cipher", h->ciphers[0]);
        if (h->nexts)
            json_u16_arr(j, "exts", h->exts, h->nexts);
        cs_json_close(j);
    }
    if ((fl & F_CLIENT) && st->nclient_certs &&
        (st->client_certs[0].subject || st->client_certs[0].issuer)) {
        cs_json_open(j, "client");
        json_cert_short(j, &st->client_certs[0]);
        if (fl & F_CLIENT_CERT)
            json_base64(j, "certificate", st->client_certs[0].der, st->client_certs[0].der_len);
        if (fl & F_CLIENT_CHAIN) {
            cs_json_open_arr(j, "chain");
            for (uint16_t i = 0; i < st->nclient_certs; i++)
                json_base64(j, NULL, st->client_certs[i].der, st->client_certs[i].der_len);
            cs_json_close_arr(j);
        }
        cs_json_close(j);
    }
    if (st->tlcp) {
        /* our own TLCP fields: the suite by name and the encryption certificate */
        const char *name = st->server.nciphers ? sn_tls_sm_cipher_name(st->server.ciphers[0])
                                               : NULL;
        if (name)
            cs_json_str(j, "cipher_suite", name);
        if (st->ncerts > 1) {
            cs_json_open(j, "encryption_cert");
            json_cert_short(j, &st->certs[1]);
            cs_json_close(j);
        }
    }
    cs_json_close(j);
}

static void tls_log(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st)
{
    uint32_t fl = log_fields(w->cfg);
    const struct sn_tls_cert *c0 = st->ncerts ? &st->certs[0] : NULL;
    bool have_cert = c0 && c0->subject && c0->issuer;
    struct cs_json *j;

    if (!have_cert && !(st->resumed && (fl & OPT_LOG_RESUMED)) && !st->tls13)
        return;
    j = sn_app_eve_begin(w, f, SN_EVE_TLS, "tls");
    if (!j)
        return;
    json_tls(j, st, fl);
    sn_app_eve_end(w, j);
}

/* Alert metadata: one transaction per flow (tx_id 0) and the `tls` object as it stands,
 * with the fields the tls record is configured with. */
static void tls_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                          const void *tx, int dir, struct cs_json *j)
{
    (void)f, (void)state, (void)dir;
    cs_json_uint(j, "tx_id", 0);
    json_tls(j, tx, log_fields(w->cfg));
}

/* Logs once: when both directions finished the handshake, or at the end of the flow. */
static void maybe_log(struct sn_worker *w, struct sn_flow *f, struct sn_tls_state *st)
{
    struct tls_parse *p = st->p;
    bool fin0 = p->d[0].enc || p->d[0].dead, fin1 = p->d[1].enc || p->d[1].dead;

    if (p->logged || !((fin0 && fin1) || (p->d[0].eof && p->d[1].eof)))
        return;
    p->logged = true;
    tls_log(w, f, st);
}

static int tls_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                     const uint8_t *data, uint32_t len, unsigned flags)
{
    struct sn_tls_state *st = state;
    struct tls_dir *td;
    uint32_t used = 0;

    if (!st || (dir != SN_TOSERVER && dir != SN_TOCLIENT))
        return CS_ERR;
    td = &st->p->d[dir];
    if (flags & SN_STREAM_GAP) {
        /* record boundaries are lost */
        td->dead = true;
        td->skip = 0;
    }
    if (data && len)
        used = records(w, f, st, dir, data, len);
    if (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) {
        td->eof = true;
        used = len; /* nothing more will complete what is left */
    }
    maybe_log(w, f, st);
    return (int)used;
}

/* First bytes: a TLS/TLCP handshake record (ClientHello to the server, ServerHello to the
 * client) or an SSLv2 CLIENT-HELLO. */
static enum sn_probe tls_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    if (len < 1)
        return SN_PROBE_MORE;
    if (d[0] == CT_HANDSHAKE) {
        uint16_t ver;
        if (len < 6)
            return SN_PROBE_MORE;
        ver = cs_get_be16(d + 1);
        if (((ver >> 8) != 3 || (ver & 0xff) > 4) && ver != SN_TLS_V_TLCP)
            return SN_PROBE_NO;
        if (cs_get_be16(d + 3) < 4)
            return SN_PROBE_NO;
        if (dir == SN_TOSERVER)
            return d[5] == HT_CLIENT_HELLO ? SN_PROBE_YES : SN_PROBE_NO;
        return d[5] == HT_SERVER_HELLO ? SN_PROBE_YES : SN_PROBE_NO;
    }
    if ((d[0] & 0x80) && dir == SN_TOSERVER) {
        if (len < 5)
            return SN_PROBE_MORE;
        /* 2-byte header, CLIENT-HELLO, version 2.0 / 3.x */
        if (d[2] == 1 && ((d[3] == 0 && d[4] == 2) || d[3] == 3) &&
            ((uint32_t)(d[0] & 0x7f) << 8 | d[1]) >= 9)
            return SN_PROBE_YES;
    }
    return SN_PROBE_NO;
}

const struct sn_app_parser sn_app_tls = {
    .name = "tls",
    .ipproto = IPPROTO_TCP,
    .default_ports = "443,465,636,853,989,990,992,993,994,995,8443",
    .eve_type = SN_EVE_TLS,
    .probe = tls_probe,
    .parse = tls_parse,
    .state_new = tls_state_new,
    .state_free = tls_state_free,
    .log_flow = NULL,
    .log_alert = tls_log_alert,
    .max_state_bytes = 64 * 1024,
};
