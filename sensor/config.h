/* config.h — the sensor's effective configuration.
 *
 * Built from (in order) Suricata's stock defaults, the YAML file given with -c (a Suricata
 * suricata.yaml is accepted as it is), and --set key=value overrides. Keys we implement take
 * effect; other keys present in the file are reported once, in one warning line.
 * The struct is read-only after sn_config_load() and shared by all workers. */
#ifndef SN_CONFIG_H
#define SN_CONFIG_H

#include "sn_types.h"

struct cs_cfg;

enum sn_csum_mode { SN_CSUM_AUTO = 0, SN_CSUM_ALL, SN_CSUM_NONE };

/* TCP reassembly overlap policy (stream.reassembly... / host-os-policy) */
enum sn_overlap_policy {
    SN_OVERLAP_BSD = 0, /* Suricata's default: old data wins except fully-new-start cases */
    SN_OVERLAP_FIRST,   /* first data seen wins */
    SN_OVERLAP_LAST,    /* last data seen wins */
    SN_OVERLAP_LINUX,
    SN_OVERLAP_WINDOWS,
    SN_OVERLAP_SOLARIS,
};

enum sn_flow_proto { SN_FP_DEFAULT = 0, SN_FP_TCP, SN_FP_UDP, SN_FP_ICMP, SN_FP_MAX };

struct sn_flow_timeouts {
    uint32_t new_s, est_s, closed_s, bypassed_s;
    uint32_t emerg_new_s, emerg_est_s, emerg_closed_s, emerg_bypassed_s;
};

/* EVE record types (bit per type) */
enum {
    SN_EVE_ALERT = 1u << 0,
    SN_EVE_ANOMALY = 1u << 1,
    SN_EVE_HTTP = 1u << 2,
    SN_EVE_DNS = 1u << 3,
    SN_EVE_TLS = 1u << 4,
    SN_EVE_SSH = 1u << 5,
    SN_EVE_FLOW = 1u << 6,
    SN_EVE_STATS = 1u << 7,
    SN_EVE_FILES = 1u << 8,
    SN_EVE_NETFLOW = 1u << 9,
    SN_EVE_MODBUS = 1u << 10,
    SN_EVE_DNP3 = 1u << 11,
    SN_EVE_ENIP = 1u << 12,
    SN_EVE_ICS = 1u << 13, /* our own ICS types (iec104, s7comm) */
    SN_EVE_SMTP = 1u << 14,
    SN_EVE_FTP = 1u << 15,
};

/* outputs.hub: upload of the EVE records to the hub through an on-disk spool (see
 * sensor/upload/upload.h and docs/sensor.md). */
enum sn_hub_compression { SN_HUB_ZSTD = 0, SN_HUB_GZIP, SN_HUB_NONE };

struct sn_hub_cfg {
    bool enabled;
    char url[1024];           /* http://host:port[/path], path default /api/v1/events */
    char token[256];          /* the sensor's token, or: */
    char token_file[1024];    /* a file whose first line is the token */
    char key_file[1024];      /* the sensor's SM2 private key (PEM); empty: unsigned */
    char sensor_name[65];     /* the name given to `citysoc sensor add` (signature key id) */
    char spool_dir[1024];     /* relative to log_dir unless absolute; default hub-spool */
    uint32_t batch_events;    /* default 1000 */
    uint64_t batch_bytes;     /* uncompressed NDJSON per batch, default 1 MiB */
    uint32_t flush_ms;        /* flush-interval: a partial batch waits at most this, 1s */
    enum sn_hub_compression compression; /* default zstd */
    uint64_t spool_max_bytes; /* default 1 GiB */
    uint32_t retry_max_ms;    /* backoff cap, default 60s */
    uint32_t timeout_ms;      /* connect/send/receive, default 10s */
    uint32_t drain_ms;        /* at exit, wait this long for the spool to empty, 10s */
};

struct sn_config {
    /* run */
    int threads;                 /* --threads, default 1 */
    char log_dir[4096];          /* -l, default "." */
    int verbose;

    /* decoder */
    enum sn_csum_mode csum;      /* -k / stream.checksum-validation */
    bool teredo_enabled;
    uint16_t teredo_port;        /* 0: any */
    bool vxlan_enabled;
    uint16_t vxlan_port;         /* default 4789 */
    uint8_t max_layers;          /* decoder.max-layers, default 16 */

    /* defrag */
    uint64_t defrag_memcap;      /* bytes, default 32mb */
    uint32_t defrag_max_frags;   /* trackers, default 65535 */
    uint32_t defrag_timeout_s;   /* default 60 */

    /* flow */
    uint64_t flow_memcap;        /* bytes, default 128mb (per sensor; split across workers) */
    uint32_t flow_hash_size;     /* buckets, default 65536 */
    uint32_t flow_prealloc;      /* default 10000 */
    uint32_t flow_emergency_recovery; /* percent, default 30 */
    struct sn_flow_timeouts timeouts[SN_FP_MAX];

    /* stream */
    bool midstream;              /* stream.midstream, default false */
    bool app_one_byte;           /* app-layer.one-byte-deliveries, default false: a testing
                                    aid, every TCP delivery reaches the parsers 1 byte at a
                                    time (tests/e2e/corpus_replay.sh CS_ONE_BYTE=1) */
    bool async_oneside;          /* stream.async-oneside, default false */
    bool stream_inline;          /* stream.inline (yes/no/auto, auto = no: a passive sensor):
                                    data reaches the app layer on arrival instead of when the
                                    receiver has acknowledged it (IDS mode) */
    uint64_t stream_memcap;      /* default 64mb */
    uint64_t reassembly_memcap;  /* default 256mb */
    uint64_t reassembly_depth;   /* stream.reassembly.depth, default 1mb; 0 = unlimited */
    uint64_t raw_chunk[2];       /* stream.reassembly.toserver-chunk-size / toclient-: bytes of
                                    reassembled stream gathered before raw stream inspection
                                    (default 2560 each) */
    enum sn_overlap_policy overlap_policy;

    /* output */
    bool eve_enabled;
    char eve_filename[256];      /* relative to log_dir unless absolute, default eve.json */
    uint32_t eve_types;          /* SN_EVE_* */
    bool eve_ethernet;           /* outputs.eve-log.ethernet: ether{src_mac,dest_mac} */
    bool eve_pcap_file;          /* outputs.eve-log.pcap-file: pcap_filename in records */
    bool eve_community_id;       /* outputs.eve-log.community-id, default false (stock) */
    uint16_t community_id_seed;
    bool anomaly_decode, anomaly_stream, anomaly_applayer, anomaly_packethdr;
    bool stats_totals, stats_threads;
    /* outputs.eve-log.types.alert: payload, payload-printable, packet (base64), metadata.
     * `metadata: yes|no` sets the three defaults below at once; as a map (Suricata's form)
     * it has app-layer, flow and rule.{metadata, raw}. */
    bool alert_payload, alert_payload_printable, alert_packet;
    bool alert_metadata;  /* rule metadata (alert.metadata), default on */
    bool alert_app_layer; /* tx_id and the transaction's app-layer object, default on */
    bool alert_flow;      /* the flow object, default on */
    bool alert_rule_raw;  /* alert.rule: the rule text (metadata.rule.raw), default off */
    bool alert_verdict;   /* the verdict object (alert.verdict), default off */
    bool fastlog_enabled;
    char fastlog_filename[256];
    bool flow_enabled_in_eve;    /* convenience: (eve_types & SN_EVE_FLOW) */
    struct sn_hub_cfg hub;       /* outputs.hub */

    /* app-layer.protocols.<name>.enabled / detection-ports by parser index, [0] TCP [1] UDP;
     * filled by sn_app_configure() (app/app.h) from `raw`; all zero = every parser on its
     * default ports */
    uint8_t app_mode[SN_APP_MAX][2];      /* enum sn_app_mode */
    char app_dports[SN_APP_MAX][2][128];  /* detection-ports.dp ("" = the parser's own) */
    struct cs_cfg *raw;          /* the merged configuration tree, for later modules */
};

/* app-layer.protocols.<name>.enabled (Suricata's semantics) */
enum sn_app_mode {
    SN_APP_ON = 0,          /* yes: detected and parsed */
    SN_APP_DETECT_ONLY = 1, /* detection-only: app_proto is detected, no parser runs */
    SN_APP_OFF = 2,         /* no: neither detected nor parsed */
};

/* Fills `c` with Suricata's stock defaults. */
void sn_config_defaults(struct sn_config *c);
/* Fills h with the hub output's defaults (disabled). */
void sn_config_hub_defaults(struct sn_hub_cfg *h);

/* Loads YAML file `path` (NULL: defaults only), then applies `sets` (n strings "key=value").
 * Warnings (unimplemented keys, one line) go to stderr. Returns CS_OK or a CS_* error with
 * `err` filled (file:line:col: message). On success the caller owns c->raw (sn_config_free). */
int sn_config_load(struct sn_config *c, const char *path, char *const *sets, int nsets,
                   struct cs_err *err);
void sn_config_free(struct sn_config *c);

/* Where sn_config_load() sends warnings (one line each, without prefix); the default prints
 * "citysoc-sensor: warning: <msg>" on stderr. Tests may redirect it. Not thread-safe. */
extern void (*sn_config_warn)(const char *msg);

/* Timeouts for an IP protocol number. */
const struct sn_flow_timeouts *sn_config_timeouts(const struct sn_config *c, uint8_t proto);

#endif
