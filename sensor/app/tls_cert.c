/* tls_cert.c — X.509 certificates of TLS/TLCP Certificate messages, parsed with OpenSSL:
 * subject and issuer as "C=…, O=…, CN=…", serial, SHA-1 fingerprint, validity, dNSName
 * subjectAltNames, and whether the key is SM2. */
#include "tls.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <time.h>

/* Growable string for names. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        char *ns;
        while (cap < b->len + n + 1)
            cap *= 2;
        ns = cs_realloc(b->s, cap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

/* "C=HU, ST=Budapest, CN=x": entries in certificate order, ", " between RDNs, "+" inside a
 * multi-valued RDN; attribute short names, dotted OIDs for unknown ones; values as UTF-8. */
static char *name_str(const X509_NAME *n)
{
    struct sbuf b = {0};
    int cnt = X509_NAME_entry_count(n), prev_set = -1;

    sb_add(&b, "", 0);
    for (int i = 0; i < cnt; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
        const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        int nid = OBJ_obj2nid(o), set = X509_NAME_ENTRY_set(e);
        char oid[80];
        const char *key = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        unsigned char *utf = NULL;
        int ulen;

        if (!key) {
            OBJ_obj2txt(oid, sizeof(oid), o, 1);
            key = oid;
        }
        if (i > 0)
            sb_add(&b, set == prev_set ? "+" : ", ", set == prev_set ? 1 : 2);
        prev_set = set;
        sb_add(&b, key, strlen(key));
        sb_add(&b, "=", 1);
        ulen = ASN1_STRING_to_UTF8(&utf, v);
        if (ulen >= 0 && utf) {
            sb_add(&b, (const char *)utf, (size_t)ulen);
            OPENSSL_free(utf);
        }
    }
    if (b.oom) {
        cs_free(b.s);
        return NULL;
    }
    return b.s;
}

static char *serial_str(const X509 *x)
{
    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    unsigned char *der = NULL, *p;
    int n = i2d_ASN1_INTEGER(sn, &der);
    size_t hl, clen;
    char *out = NULL;

    if (n < 2 || !der)
        goto out;
    /* skip tag and length octets */
    p = der + 1;
    if (p[0] & 0x80) {
        hl = 2 + (size_t)(p[0] & 0x7f);
    } else {
        hl = 2;
    }
    if ((size_t)n <= hl)
        goto out;
    clen = (size_t)n - hl;
    out = cs_malloc(clen * 3 + 1);
    if (!out)
        goto out;
    for (size_t i = 0; i < clen; i++)
        snprintf(out + i * 3, 4, i + 1 < clen ? "%02X:" : "%02X", der[hl + i]);
out:
    OPENSSL_free(der);
    return out;
}

static bool asn1_time_epoch(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;

    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static void sans_get(struct sn_tls_cert *c, X509 *x)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int n;

    if (!gens)
        return;
    n = sk_GENERAL_NAME_num(gens);
    for (int i = 0; i < n && c->nsan < SN_TLS_MAX_SAN; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const ASN1_IA5STRING *s;
        char *v, **nv;
        if (g->type != GEN_DNS)
            continue;
        s = g->d.dNSName;
        v = cs_malloc((size_t)ASN1_STRING_length(s) + 1);
        if (!v)
            break;
        memcpy(v, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
        v[ASN1_STRING_length(s)] = 0;
        nv = cs_realloc(c->san, sizeof(char *) * (c->nsan + 1u));
        if (!nv) {
            cs_free(v);
            break;
        }
        c->san = nv;
        c->san[c->nsan++] = v;
    }
    GENERAL_NAMES_free(gens);
}

int sn_tls_cert_parse(struct sn_tls_cert *c, const uint8_t *der, uint32_t len)
{
    const unsigned char *p = der;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    X509 *x = NULL;
    int rc = CS_OK;

    memset(c, 0, sizeof(*c));
    c->der = cs_malloc(len ? len : 1);
    if (!c->der)
        return CS_ENOMEM;
    memcpy(c->der, der, len);
    c->der_len = len;
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha1(), NULL) && mdlen == 20)
        for (unsigned i = 0; i < mdlen; i++)
            snprintf(c->fingerprint + i * 3, 4, i + 1 < mdlen ? "%02x:" : "%02x", md[i]);
    x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        rc = CS_EINVAL;
        goto out;
    }
    c->subject = name_str(X509_get_subject_name(x));
    c->issuer = name_str(X509_get_issuer_name(x));
    c->serial = serial_str(x);
    c->has_validity = asn1_time_epoch(X509_get0_notBefore(x), &c->not_before) &&
                      asn1_time_epoch(X509_get0_notAfter(x), &c->not_after);
    {
        /* SM2 keys are id-ecPublicKey on the SM2 curve (or the SM2 OID itself) */
        const X509_ALGOR *alg = NULL;
        const ASN1_OBJECT *ko = NULL;
        const void *pval = NULL;
        int ptype = 0;
        X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
        if (pk && X509_PUBKEY_get0_param(NULL, NULL, NULL, (X509_ALGOR **)&alg, pk) && alg) {
            X509_ALGOR_get0(&ko, &ptype, &pval, alg);
            if (OBJ_obj2nid(ko) == NID_sm2)
                c->sm2 = true;
            else if (ptype == V_ASN1_OBJECT && pval && OBJ_obj2nid(pval) == NID_sm2)
                c->sm2 = true;
        }
    }
    sans_get(c, x);
    if (!c->subject || !c->issuer)
        rc = CS_ENOMEM;
out:
    X509_free(x);
    return rc;
}

void sn_tls_cert_clear(struct sn_tls_cert *c)
{
    cs_free(c->der);
    cs_free(c->subject);
    cs_free(c->issuer);
    cs_free(c->serial);
    for (uint16_t i = 0; i < c->nsan; i++)
        cs_free(c->san[i]);
    cs_free(c->san);
    memset(c, 0, sizeof(*c));
}
