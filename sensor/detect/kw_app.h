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

#endif
