/* tls.h — TLS 1.0–1.3, SSLv2/SSLv3 hellos and TLCP (GB/T 38636): parser state that the
 * detection engine inspects, and the helpers shared by tls.c, tls_cert.c and tls_fp.c.
 *
 * One state per flow (sn_app_state(f) of a flow whose app_proto is "tls"). Everything here is
 * owned by the state and lives until the flow is freed; all strings are NUL-terminated.
 * Thread-safety: a state is used by its flow's worker only. */
#ifndef SN_APP_TLS_H
#define SN_APP_TLS_H

#include "../../lib/cs.h"

#define SN_TLS_MAX_CERTS 16  /* certificates kept per direction (more are counted only) */
#define SN_TLS_MAX_ALPN 16   /* ALPN protocol names kept per hello */
#define SN_TLS_MAX_SAN 64    /* subjectAltName DNS names kept per certificate */

/* Protocol versions as they appear on the wire; TLCP is GB/T 38636's 0x0101. */
enum {
    SN_TLS_V_SSL2 = 0x0002,
    SN_TLS_V_TLCP = 0x0101,
    SN_TLS_V_SSL3 = 0x0300,
    SN_TLS_V_TLS10 = 0x0301,
    SN_TLS_V_TLS11 = 0x0302,
    SN_TLS_V_TLS12 = 0x0303,
    SN_TLS_V_TLS13 = 0x0304,
};

/* One X.509 certificate of a Certificate message. Text fields are NULL when the DER could not
 * be parsed (der is kept anyway). */
struct sn_tls_cert {
    uint8_t *der;
    uint32_t der_len;
    char *subject;           /* "C=HU, ST=Budapest, O=…, CN=…" (RDNs in certificate order) */
    char *issuer;
    char *serial;            /* "00:C7:D4:…" upper-case hex of the DER INTEGER content */
    char fingerprint[60];    /* SHA-1 of the DER, "06:39:f9:…" lower-case; "" if none */
    int64_t not_before, not_after; /* seconds since the epoch (UTC) */
    bool has_validity;
    bool sm2;                /* public key is an SM2 key (TLCP) */
    uint16_t nsan;
    char **san;              /* subjectAltName dNSName entries */
};

/* Parameters of a ClientHello or ServerHello (GREASE values kept: the fingerprints drop
 * them). Arrays are owned by the hello. */
struct sn_tls_hello {
    bool seen;
    uint16_t version;        /* legacy_version field */
    uint16_t max_version;    /* highest non-GREASE supported_versions value, 0 if none */
    uint16_t *ciphers;       /* ServerHello: exactly one */
    uint16_t nciphers;
    uint16_t *exts;
    uint16_t nexts;
    uint16_t *groups;
    uint16_t ngroups;
    uint8_t *point_formats;
    uint16_t npoint_formats;
    uint16_t *sigalgs;
    uint16_t nsigalgs;
    uint8_t session_id[32];
    uint8_t session_id_len;
    bool ticket;             /* a non-empty session_ticket extension */
    uint8_t nalpn;
    char *alpn[SN_TLS_MAX_ALPN];
};

/* Handshake message kinds for ssl_state (sn_tls_state.hs_current) */
#define SN_TLS_HS_CLIENT_HELLO 0x01
#define SN_TLS_HS_SERVER_HELLO 0x02
#define SN_TLS_HS_CLIENT_KEYX 0x04 /* ClientKeyExchange (16) */
#define SN_TLS_HS_SERVER_KEYX 0x08 /* ServerKeyExchange (12) */
#define SN_TLS_HS_UNKNOWN 0x10     /* any other handshake message */

/* Everything a rule may inspect. */
struct sn_tls_state {
    /* to-server */
    struct sn_tls_hello client;
    char *sni;               /* first host_name of the first server_name extension */
    char ja3_str[2048];      /* "" until a ClientHello was parsed (truncated if huge) */
    char ja3_hash[33];
    char ja4[40];            /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */
    struct sn_tls_cert client_certs[SN_TLS_MAX_CERTS];
    uint16_t nclient_certs;
    /* to-client */
    struct sn_tls_hello server;
    char ja3s_str[1024];
    char ja3s_hash[33];
    char ja4s[40];
    struct sn_tls_cert certs[SN_TLS_MAX_CERTS]; /* certs[0] is the server's own (for TLCP
                                                 * the signing one, certs[1] encryption) */
    uint16_t ncerts;
    uint16_t version;        /* negotiated version (server side), 0 = undetermined */
    bool hrr;                /* a HelloRetryRequest was seen */
    bool resumed;            /* session resumed without a full handshake */
    bool tls13;              /* TLS 1.3 (or a draft) negotiated: certificates are encrypted */
    bool tlcp;
    /* traffic after ChangeCipherSpec: counted, not parsed */
    uint64_t enc_records[2], enc_bytes[2];
    uint32_t heartbeats;

    /* The handshake message handled last (what ssl_state matches): one SN_TLS_HS_* bit,
     * 0 before the first. Set before each detection callback. */
    uint8_t hs_current;

    struct tls_parse *p;     /* private parse state (tls.c) */
};

/* Version text as Suricata prints it ("TLS 1.2", "TLS 1.3", "TLS 1.3 draft-28", "SSLv3",
 * "TLSv1", "UNDETERMINED" for 0, "TLCP", else "0x%04x"). out must hold 32 bytes. */
const char *sn_tls_version_str(uint16_t v, char out[32]);
/* Name of a TLCP / SM cipher suite ("ECC_SM4_CBC_SM3"), NULL when not one. */
const char *sn_tls_sm_cipher_name(uint16_t id);
/* True for the sixteen GREASE values 0x0a0a … 0xfafa (RFC 8701). */
static inline bool sn_tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* ---- tls_fp.c: fingerprints --------------------------------------------------------- */

/* Fills st->ja3_str/ja3_hash and st->ja4 from st->client (and st->sni, alpn). */
void sn_tls_fp_client(struct sn_tls_state *st);
/* Fills st->ja3s_str/ja3s_hash and st->ja4s from st->server. */
void sn_tls_fp_server(struct sn_tls_state *st);
/* JA4 from a hello: proto 't' (TCP), 'q' or 'd'; has_sni. out: 40 bytes. */
void sn_tls_ja4(const struct sn_tls_hello *h, char proto, bool has_sni, char out[40]);

/* ---- tls_cert.c: certificates (OpenSSL) --------------------------------------------- */

/* Parses DER into c (copies der). Returns CS_OK, CS_EINVAL when the DER is not a certificate
 * (c->der is kept, text fields stay NULL), CS_ENOMEM. */
int sn_tls_cert_parse(struct sn_tls_cert *c, const uint8_t *der, uint32_t len);
void sn_tls_cert_clear(struct sn_tls_cert *c);

#endif
