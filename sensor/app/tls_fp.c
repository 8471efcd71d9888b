/* tls_fp.c — TLS client/server fingerprints: JA3 and JA3S (Salesforce: decimal fields joined
 * by '-', GREASE values dropped, MD5 of the string) and JA4/JA4S (FoxIO technical details,
 * JA4.md / JA4S.md), plus version and SM cipher-suite names. */
#include "tls.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

const char *sn_tls_version_str(uint16_t v, char out[32])
{
    switch (v) {
    case 0: return "UNDETERMINED";
    case SN_TLS_V_SSL2: return "SSLv2";
    case SN_TLS_V_SSL3: return "SSLv3";
    case SN_TLS_V_TLS10: return "TLSv1";
    case SN_TLS_V_TLS11: return "TLS 1.1";
    case SN_TLS_V_TLS12: return "TLS 1.2";
    case SN_TLS_V_TLS13: return "TLS 1.3";
    case SN_TLS_V_TLCP: return "TLCP";
    default: break;
    }
    if ((v >> 8) == 0x7f && (v & 0xff) >= 16) {
        snprintf(out, 32, "TLS 1.3 draft-%u", v & 0xffu);
        return out;
    }
    if ((v >> 8) == 0x7f && (v & 0xff) > 0)
        return "TLS 1.3 draft-<16";
    snprintf(out, 32, "0x%04x", v);
    return out;
}

/* GB/T 38636-2020 (TLCP) and RFC 8998 (TLS 1.3 SM) cipher suites */
static const struct {
    uint16_t id;
    const char *name;
} sm_suites[] = {
    {0x00c6, "TLS_SM4_GCM_SM3"},    {0x00c7, "TLS_SM4_CCM_SM3"},
    {0xe001, "ECDHE_SM1_SM3"},      {0xe003, "ECC_SM1_SM3"},
    {0xe005, "IBSDH_SM1_SM3"},      {0xe007, "IBC_SM1_SM3"},
    {0xe009, "RSA_SM1_SM3"},        {0xe00a, "RSA_SM1_SHA1"},
    {0xe011, "ECDHE_SM4_CBC_SM3"},  {0xe013, "ECC_SM4_CBC_SM3"},
    {0xe015, "IBSDH_SM4_CBC_SM3"},  {0xe017, "IBC_SM4_CBC_SM3"},
    {0xe019, "RSA_SM4_CBC_SM3"},    {0xe01a, "RSA_SM4_CBC_SHA1"},
    {0xe01c, "RSA_SM4_CBC_SHA256"}, {0xe051, "ECDHE_SM4_GCM_SM3"},
    {0xe053, "ECC_SM4_GCM_SM3"},    {0xe055, "IBSDH_SM4_GCM_SM3"},
    {0xe057, "IBC_SM4_GCM_SM3"},    {0xe059, "RSA_SM4_GCM_SM3"},
    {0xe05a, "RSA_SM4_GCM_SHA256"},
};

const char *sn_tls_sm_cipher_name(uint16_t id)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(sm_suites); i++)
        if (sm_suites[i].id == id)
            return sm_suites[i].name;
    return NULL;
}

/* Bounded string builder (truncates, never overflows). */
struct fbuf {
    char *s;
    size_t cap, len;
};

static void fb_printf(struct fbuf *b, const char *fmt, unsigned v)
{
    int n;

    if (b->len + 1 >= b->cap)
        return;
    n = snprintf(b->s + b->len, b->cap - b->len, fmt, v);
    if (n < 0)
        return;
    b->len = CS_MIN(b->len + (size_t)n, b->cap - 1);
}

static void fb_list16(struct fbuf *b, const uint16_t *v, uint16_t n)
{
    bool first = true;

    for (uint16_t i = 0; i < n; i++) {
        if (sn_tls_is_grease(v[i]))
            continue;
        fb_printf(b, first ? "%u" : "-%u", v[i]);
        first = false;
    }
}

static void md5_hex(const char *s, size_t n, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    out[0] = 0;
    if (!EVP_Digest(s, n, md, &len, EVP_md5(), NULL) || len != 16)
        return;
    for (unsigned i = 0; i < 16; i++)
        snprintf(out + i * 2, 3, "%02x", md[i]);
}

/* First 12 hex digits of SHA-256(s); "000000000000" when n == 0 (JA4's empty lists). */
static void sha256_12(const char *s, size_t n, char out[13])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    memcpy(out, "000000000000", 13);
    if (n == 0 || !EVP_Digest(s, n, md, &len, EVP_sha256(), NULL) || len < 6)
        return;
    for (unsigned i = 0; i < 6; i++)
        snprintf(out + i * 2, 3, "%02x", md[i]);
}

void sn_tls_fp_client(struct sn_tls_state *st)
{
    const struct sn_tls_hello *h = &st->client;
    struct fbuf b = {st->ja3_str, sizeof(st->ja3_str), 0};

    st->ja3_str[0] = 0;
    fb_printf(&b, "%u,", h->version);
    fb_list16(&b, h->ciphers, h->nciphers);
    fb_printf(&b, ",", 0);
    fb_list16(&b, h->exts, h->nexts);
    fb_printf(&b, ",", 0);
    fb_list16(&b, h->groups, h->ngroups);
    fb_printf(&b, ",", 0);
    for (uint16_t i = 0; i < h->npoint_formats; i++)
        fb_printf(&b, i ? "-%u" : "%u", h->point_formats[i]);
    md5_hex(st->ja3_str, b.len, st->ja3_hash);
    sn_tls_ja4(h, 't', st->sni != NULL, st->ja4);
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case SN_TLS_V_TLS13: return "13";
    case SN_TLS_V_TLS12: return "12";
    case SN_TLS_V_TLS11: return "11";
    case SN_TLS_V_TLS10: return "10";
    case SN_TLS_V_SSL3: return "s3";
    case SN_TLS_V_SSL2: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* JA4's two ALPN characters: first and last of the value; when either end is not ASCII
 * alphanumeric, the first hex digit of the first byte and the last of the last byte. */
static void ja4_alpn(const char *a, char out[3])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = a ? strlen(a) : 0;

    if (n == 0) {
        memcpy(out, "00", 3);
        return;
    }
    if (is_alnum((uint8_t)a[0]) && is_alnum((uint8_t)a[n - 1])) {
        out[0] = a[0];
        out[1] = a[n - 1];
    } else {
        out[0] = hex[(uint8_t)a[0] >> 4];
        out[1] = hex[(uint8_t)a[n - 1] & 15];
    }
    out[2] = 0;
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

void sn_tls_ja4(const struct sn_tls_hello *h, char proto, bool has_sni, char out[40])
{
    uint16_t *tmp = cs_malloc(sizeof(uint16_t) * ((size_t)CS_MAX(h->nciphers, h->nexts) + 1));
    size_t strcap = (size_t)5 * ((size_t)h->nciphers + h->nexts + h->nsigalgs) + 2;
    char *s = cs_malloc(strcap);
    struct fbuf b = {s, strcap, 0};
    uint16_t nc = 0, ne = 0, ne_all = 0;
    uint16_t ver = h->max_version > h->version ? h->max_version : h->version;
    char hb[13], hc[13], alpn[3];

    out[0] = 0;
    if (!tmp || !s)
        goto out;
    if (h->max_version)
        ver = h->max_version;
    /* ciphers, sorted */
    for (uint16_t i = 0; i < h->nciphers; i++)
        if (!sn_tls_is_grease(h->ciphers[i]))
            tmp[nc++] = h->ciphers[i];
    qsort(tmp, nc, sizeof(uint16_t), cmp_u16);
    for (uint16_t i = 0; i < nc; i++)
        fb_printf(&b, i ? ",%04x" : "%04x", tmp[i]);
    sha256_12(s, b.len, hb);
    /* extensions without SNI and ALPN, sorted, then the signature algorithms in order */
    b.len = 0;
    s[0] = 0;
    for (uint16_t i = 0; i < h->nexts; i++) {
        uint16_t e = h->exts[i];
        if (sn_tls_is_grease(e))
            continue;
        ne_all++;
        if (e != 0x0000 && e != 0x0010)
            tmp[ne++] = e;
    }
    qsort(tmp, ne, sizeof(uint16_t), cmp_u16);
    for (uint16_t i = 0; i < ne; i++)
        fb_printf(&b, i ? ",%04x" : "%04x", tmp[i]);
    if (ne) {
        bool first = true;
        for (uint16_t i = 0; i < h->nsigalgs; i++) {
            if (sn_tls_is_grease(h->sigalgs[i]))
                continue;
            fb_printf(&b, first ? "_%04x" : ",%04x", h->sigalgs[i]);
            first = false;
        }
    }
    sha256_12(s, b.len, hc);
    ja4_alpn(h->nalpn ? h->alpn[0] : NULL, alpn);
    snprintf(out, 40, "%c%s%c%02u%02u%s_%s_%s", proto, ja4_version(ver), has_sni ? 'd' : 'i',
             (unsigned)CS_MIN(nc, 99), (unsigned)CS_MIN(ne_all, 99), alpn, hb, hc);
out:
    cs_free(tmp);
    cs_free(s);
}

void sn_tls_fp_server(struct sn_tls_state *st)
{
    const struct sn_tls_hello *h = &st->server;
    struct fbuf b = {st->ja3s_str, sizeof(st->ja3s_str), 0};
    size_t cap = (size_t)5 * h->nexts + 2;
    char *s = cs_malloc(cap);
    uint16_t ver = h->max_version ? h->max_version : h->version;
    char hc[13], alpn[3];

    st->ja3s_str[0] = 0;
    fb_printf(&b, "%u,", h->version);
    fb_list16(&b, h->ciphers, h->nciphers);
    fb_printf(&b, ",", 0);
    fb_list16(&b, h->exts, h->nexts);
    md5_hex(st->ja3s_str, b.len, st->ja3s_hash);
    /* JA4S: extensions in the server's order, GREASE never appears here */
    st->ja4s[0] = 0;
    if (!s)
        return;
    {
        struct fbuf e = {s, cap, 0};
        s[0] = 0;
        for (uint16_t i = 0; i < h->nexts; i++)
            fb_printf(&e, i ? ",%04x" : "%04x", h->exts[i]);
        sha256_12(s, e.len, hc);
    }
    ja4_alpn(h->nalpn ? h->alpn[0] : NULL, alpn);
    snprintf(st->ja4s, sizeof(st->ja4s), "t%s%02u%s_%04x_%s", ja4_version(ver),
             (unsigned)CS_MIN(h->nexts, 99), alpn, h->nciphers ? h->ciphers[0] : 0, hc);
    cs_free(s);
}
