/* kw_app.h — data of the app-layer / event / IOC keywords. */
#ifndef SN_DETECT_KW_APP_H
#define SN_DETECT_KW_APP_H

#include "kw.h"

/* app-layer-protocol, app-layer-event, decode-event, stream-event: a (possibly negated)
 * name; for events "module.event" split at the first dot. */
struct sn_kw_name {
    bool negated;
    char *module; /* "http" in app-layer-event:http.request_too_long; NULL otherwise */
    char *name;
    int event_id; /* decode-event / stream-event: the enum sn_event resolved at setup, -1 when
                     the sensor does not know the event (never matches) */
};
void sn_kw_name_free(void *p);
/* Option of decode-event / app-layer-event (module required) and stream-event (module
 * optional) into a struct sn_kw_name; CS_OK or an error reported through c. */
int sn_kw_event_name_setup(struct sn_kw_ctx *c, const char *opt, bool module_required);

/* tag:session|host[, count, packets|seconds|bytes[, src|dst]] */
struct sn_tag {
    bool host;
    uint32_t count; /* 0: defaults (256 packets for session) */
    char metric;    /* 'p' packets, 's' seconds, 'b' bytes */
    char dir;       /* 's' src, 'd' dst, 0 */
};

/* dataset:set|isset|isnotset|unset, name[, type T, load F, save F, state F, memcap M,
 * hashsize N, format F] */
enum sn_dataset_cmd { SN_DS_SET, SN_DS_ISSET, SN_DS_ISNOTSET, SN_DS_UNSET };
enum sn_dataset_type { SN_DS_STRING, SN_DS_MD5, SN_DS_SHA256, SN_DS_IPV4, SN_DS_IP };
struct sn_ds;
struct sn_dataset {
    enum sn_dataset_cmd cmd;
    enum sn_dataset_type type;
    char *name;
    char *load, *save, *state; /* file names, NULL when absent */
    uint64_t memcap;
    uint32_t hashsize;
    bool has_type;      /* "type" was given */
    struct sn_ds *set;  /* bound by sn_detect_datasets_load(); NULL before (looked up by name) */
};
void sn_dataset_free(void *p);

/* iprep:any|src|dst|both, category, op, value */
struct sn_iprep {
    uint8_t side; /* 0 any, 1 src, 2 dst, 3 both */
    char *category;
    char op;       /* '<' '>' '=' */
    uint8_t value; /* 0..127 */
    int cat;       /* category id bound by sn_detect_datasets_load(), -1 before */
};

/* ssl_state: bits, with a negation mask */
#define SN_SSL_CLIENT_HELLO 0x01
#define SN_SSL_SERVER_HELLO 0x02
#define SN_SSL_CLIENT_KEYX 0x04
#define SN_SSL_SERVER_KEYX 0x08
#define SN_SSL_UNKNOWN 0x10
struct sn_ssl_state {
    uint8_t flags, negated;
};

/* ssl_version / tls.version: bit per version (SSLv2 … TLS1.3), and negation */
struct sn_ssl_version {
    uint16_t versions, negated;
};

/* tls_cert_expired / tls_cert_valid (kw_tls_cert_expired.c): the server's own certificate
 * of a TLS transaction under inspection when it has a validity period, else NULL; *now_s
 * gets the inspection time (the packet's, else the worker's newest), in seconds. */
struct sn_detect_thread;
struct sn_tls_cert;
const struct sn_tls_cert *sn_kw_tls_server_cert(const struct sn_detect_thread *t, int64_t *now_s);

/* tls.subject / tls.issuerdn / tls.fingerprint (kw_tls_subject.c): the legacy string forms
 * `tls.subject:[!]"text"`, checked against the server's own certificate in the to-client
 * direction. subject and issuerdn match when the field contains text (case-sensitive);
 * fingerprint when it equals text ignoring case. '!' inverts (a certificate without the
 * field still does not match). */
enum sn_kw_tls_field { SN_KW_TLS_SUBJECT, SN_KW_TLS_ISSUER, SN_KW_TLS_FINGERPRINT };
struct sn_kw_tls_str {
    char *text;
    bool negated;
};
int sn_kw_tls_str_setup(struct sn_kw_ctx *c, const char *opt);
void sn_kw_tls_str_free(void *p);
bool sn_kw_tls_str_match(const struct sn_detect_thread *t, const struct sn_kw_tls_str *k,
                         enum sn_kw_tls_field field);

/* tls_cert_notbefore / tls_cert_notafter (kw_tls_cert_notbefore.c): op '=' (equal), '<',
 * '>' against a, or 'r' for a <= x <= b; epoch seconds (UTC). */
struct sn_kw_tls_date {
    char op;
    int64_t a, b;
};
int sn_kw_tls_date_setup(struct sn_kw_ctx *c, const char *opt);
bool sn_kw_tls_date_eval(const struct sn_kw_tls_date *d, int64_t v);

/* modbus: function F[, subfunction S] | function [!]category | access read|write [table]
 * [, address A[, value V]] | unit U[, function…|access…]. Ranges as Suricata: "N" exact,
 * "<N", ">N", "A<>B" (exclusive). */
struct sn_mb_range {
    uint16_t lo, hi; /* lo == hi: exact; lo == 0: < hi; hi == 65535: > lo; else lo < x < hi */
};
enum { SN_MB_KW_NONE = 0, SN_MB_KW_FUNCTION, SN_MB_KW_CATEGORY, SN_MB_KW_ACCESS };
struct sn_kw_modbus {
    uint8_t mode;     /* SN_MB_KW_* */
    uint8_t function; /* SN_MB_KW_FUNCTION */
    bool has_sub;
    uint16_t sub;
    uint8_t category; /* SN_MB_KW_CATEGORY: SN_MB_CAT_* bits (negation already applied) */
    uint8_t access;   /* SN_MB_KW_ACCESS: SN_MB_ACC_* bits */
    bool has_addr, has_value, has_unit;
    struct sn_mb_range addr, value, unit;
};

/* cip_service:service[,class[,attribute]] */
struct sn_kw_cip_service {
    uint8_t service; /* without the response bit */
    uint8_t nvals;   /* 1..3 values given */
    uint32_t cls, attr;
};

/* dnp3_obj:group,variation */
struct sn_kw_dnp3_obj {
    uint8_t group, variation;
};

#endif
