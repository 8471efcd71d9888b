/* sn_types.h — the sensor's core data types (packets, flows, workers).
 *
 * Types live here, functions in each module's header (flow.h, stream.h, decode.h …),
 * so modules can see each other's structures without pulling in each other's API. */
#ifndef SN_TYPES_H
#define SN_TYPES_H

#include "../lib/cs.h"

/* ---- events and counters ------------------------------------------------------------- */

enum sn_event {
#define EV(id, name) SN_EV_##id,
#include "decode/events.def"
#undef EV
    SN_EV_MAX
};
#define SN_EV_STREAM_FIRST SN_EV_STREAM_3WHS_ACK_IN_WRONG_DIR

enum sn_counter {
#define CNT(id, name, kind) SN_CNT_##id,
#include "counters.def"
#undef CNT
    SN_CNT_MAX
};

/* ---- addresses ---------------------------------------------------------------------- */

/* An IPv4 or IPv6 address in network byte order. IPv4 uses bytes 0..3, the rest is zero. */
struct sn_addr {
    union {
        uint8_t u8[16];
        uint32_t u32[4];
        uint64_t u64[2];
    };
};

static inline bool sn_addr_eq(const struct sn_addr *a, const struct sn_addr *b)
{
    return a->u64[0] == b->u64[0] && a->u64[1] == b->u64[1];
}

/* ---- packet ------------------------------------------------------------------------- */

#define SN_MAX_VLAN 3
#define SN_MAX_PKT_EVENTS 16
#define SN_MAX_TCP_SACK 4

/* Packet flags */
#define SN_PKT_INVALID (1u << 0)     /* a decoder event marked the packet invalid */
#define SN_PKT_REBUILT (1u << 1)     /* data is a reassembled IP datagram (defrag) */
#define SN_PKT_TUNNEL (1u << 2)      /* L3/L4 fields describe the inner packet of a tunnel */
#define SN_PKT_HAS_L4 (1u << 3)      /* sp/dp (or icmp type/code) are valid */
#define SN_PKT_CSUM_BAD (1u << 4)    /* checksum validation on and L3/L4 checksum wrong */
#define SN_PKT_IS_FRAGMENT (1u << 5) /* an IP fragment: not given to flow/stream */
#define SN_PKT_WIRE_TRUNC (1u << 6)  /* caplen < wire length */

#define SN_TH_FIN 0x01
#define SN_TH_SYN 0x02
#define SN_TH_RST 0x04
#define SN_TH_PUSH 0x08
#define SN_TH_ACK 0x10
#define SN_TH_URG 0x20
#define SN_TH_ECN 0x40
#define SN_TH_CWR 0x80

struct sn_tcp_opts {
    uint16_t mss;
    uint8_t wscale;
    uint8_t sack_cnt;            /* SACK blocks (up to SN_MAX_TCP_SACK kept) */
    uint8_t tfo_len;             /* TCP Fast Open cookie length (0: none or request) */
    bool has_mss, has_wscale, sack_ok, has_ts, has_sack, has_tfo;
    uint32_t ts_val, ts_ecr;
    uint32_t sack[SN_MAX_TCP_SACK][2]; /* left, right edges */
};

struct sn_flow;

struct sn_pkt {
    /* capture: data points at link-layer bytes, valid until the packet is released */
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    uint64_t ts_us;              /* capture time, microseconds since the epoch */
    uint64_t pcap_cnt;           /* 1-based packet number in the capture (offline), 0 live */
    int datalink;                /* DLT_* of the capture */

    /* layer 2 */
    const uint8_t *eth;          /* Ethernet header (dst, src MAC) or NULL */
    uint16_t vlan_id[SN_MAX_VLAN];
    uint8_t vlan_cnt;

    /* layer 3 (innermost IP header when tunnelled) */
    uint8_t ip_ver;              /* 4, 6 or 0 when no IP layer */
    uint8_t proto;               /* transport protocol (after IPv6 extension headers) */
    uint8_t ttl;                 /* TTL / hop limit */
    uint8_t tos;
    uint16_t ip_id;
    uint16_t ip_hlen;            /* IPv4 header length incl. options; IPv6 40 + ext hdrs */
    uint32_t ip_len;             /* IP total length (header + payload) as decoded */
    const uint8_t *ip_hdr;
    struct sn_addr src, dst;
    uint16_t ip4_opts;           /* bit set of seen IPv4 options (SN_IPOPT_*) */
    uint8_t tunnel_depth;
    uint8_t layers;              /* decode recursion depth guard */
    /* start of the innermost tunnel's payload (after the GRE / VXLAN header, e.g. a PPP
     * header), NULL when none: what a tunnelled datagram's rebuilt packet starts with */
    const uint8_t *tun_payload;

    /* layer 4 */
    const uint8_t *l4_hdr;
    uint16_t l4_hlen;
    uint16_t sp, dp;             /* ports; for ICMP sp=type, dp=code as Suricata does */
    uint8_t tcp_flags;
    uint16_t tcp_win;
    uint32_t tcp_seq, tcp_ack;
    struct sn_tcp_opts tcpo;
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;
    const uint8_t *payload;
    uint32_t payload_len;

    uint32_t flags;              /* SN_PKT_* */
    uint8_t nevents;
    uint16_t events[SN_MAX_PKT_EVENTS];

    /* set by flow handling */
    struct sn_flow *flow;
    uint8_t dir;                 /* SN_TOSERVER or SN_TOCLIENT relative to the flow */
    uint8_t stream_flags;        /* set by stream: SN_STREAM_PKT_* */

    /* defrag: a rebuilt datagram buffer owned by the packet (freed after processing) */
    uint8_t *owned;
};

enum { SN_TOSERVER = 0, SN_TOCLIENT = 1 };

/* IPv4 option bits for ip4_opts (ipopts keyword, later) */
enum {
    SN_IPOPT_RR = 1 << 0,
    SN_IPOPT_LSRR = 1 << 1,
    SN_IPOPT_EOL = 1 << 2,
    SN_IPOPT_NOP = 1 << 3,
    SN_IPOPT_TS = 1 << 4,
    SN_IPOPT_SEC = 1 << 5,
    SN_IPOPT_ESEC = 1 << 6,
    SN_IPOPT_SSRR = 1 << 7,
    SN_IPOPT_SATID = 1 << 8,
    SN_IPOPT_RTRALT = 1 << 9,
    SN_IPOPT_CIPSO = 1 << 10,
    SN_IPOPT_QS = 1 << 11,
};

/* ---- flow --------------------------------------------------------------------------- */

enum sn_flow_state { SN_FLOW_NEW = 0, SN_FLOW_ESTABLISHED, SN_FLOW_CLOSED };
enum sn_flow_end { SN_FLOW_END_TIMEOUT = 0, SN_FLOW_END_FORCED, SN_FLOW_END_SHUTDOWN };

#define SN_FLOW_F_ALERTED (1u << 0)
#define SN_FLOW_F_EMERG_EVICTED (1u << 1)
#define SN_FLOW_F_APP_FAILED (1u << 2) /* app-layer detection gave up */
#define SN_FLOW_F_APP_NO_TS (1u << 3)  /* no parser knows the start of the to-server side */
#define SN_FLOW_F_APP_NO_TC (1u << 4)  /* … of the to-client side */
#define SN_FLOW_F_REVERSE_PENDING (1u << 5) /* app-layer probing reversed the flow during this
                                               packet; stream directions follow (worker.c) */

struct sn_tcp_ssn; /* stream/stream.c */

/* One bidirectional flow. `src` is the side that sent the first packet (the client);
 * to-server means src -> dst. Owned by one worker's flow table; never shared. */
struct sn_flow {
    struct sn_flow *hnext;       /* hash chain */
    struct sn_flow *lprev, *lnext; /* per-table list ordered by last activity */
    struct sn_addr src, dst;
    uint16_t sp, dp;
    uint8_t proto;
    uint8_t ip_ver;
    uint8_t vlan_cnt;
    uint8_t state;               /* enum sn_flow_state */
    uint16_t vlan_id[SN_MAX_VLAN];
    uint16_t app_proto;          /* index into the app-layer table, 0 = unknown */
    uint32_t hash;
    uint8_t flags;               /* SN_FLOW_F_* */
    uint8_t tcp_flags[2];        /* TCP flags seen per direction */
    uint8_t icmp_type[2], icmp_code[2]; /* first ICMP type/code per direction */
    uint8_t end_reason;
    uint32_t pkts[2];
    uint64_t bytes[2];
    uint64_t start_us, last_us;
    uint64_t flow_id;
    struct sn_tcp_ssn *tcp;      /* TCP session state, NULL for other protocols */
    void *app_state;             /* owned by the app-layer parser */
    struct sn_detect_flow *detect; /* detection state (detect.h), NULL until needed */
};

/* ---- worker ------------------------------------------------------------------------- */

struct sn_config;
struct sn_flow_table;
struct sn_defrag;
struct sn_stream_ctx;
struct sn_eve;
struct sn_detect_thread;

/* Per-worker context: everything the pipeline touches for one shard. Only the worker's own
 * thread uses it (counters are read by the main thread after the worker has stopped). */
struct sn_worker {
    int id;
    const struct sn_config *cfg;
    uint64_t now_us;             /* time of the newest packet this worker has seen */
    uint64_t counters[SN_CNT_MAX];
    uint64_t event_counts[SN_EV_MAX];
    struct sn_flow_table *flows;
    struct sn_defrag *defrag;
    struct sn_stream_ctx *stream;
    struct sn_eve *eve;
    const struct sn_pkt *pkt;    /* packet being processed (NULL between packets) */
    struct sn_detect_thread *detect; /* detection state (detect/engine.h), NULL when off */
#define SN_APP_MAX 32
    uint64_t app_flows[SN_APP_MAX]; /* flows per detected app-layer protocol */
};

static inline void sn_count(struct sn_worker *w, enum sn_counter c, uint64_t n)
{
    w->counters[c] += n;
}

#endif
