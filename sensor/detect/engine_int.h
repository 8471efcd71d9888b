/* engine_int.h — private structures of the detection engine, shared by engine.c (build),
 * engine_run.c (matching), threshold.c and alert.c. Not for other modules. */
#ifndef SN_DETECT_ENGINE_INT_H
#define SN_DETECT_ENGINE_INT_H

#include "engine.h"
#include "kw.h"
#include "kw_flow.h"

#include <hs/hs.h>

/* Transport classes of packet groups */
enum { DE_L4_TCP = 0, DE_L4_UDP, DE_L4_ICMP, DE_L4_OTHER, DE_L4_MAX };

/* A run of consecutive payload instances over one buffer: kw[first..end) */
struct de_seg {
    uint32_t first, end;
    int buf;
    int dir; /* '=>' rules: the transaction side inspected (sn_kw_inst.dir) */
};

/* Engine-side view of one rule. */
struct de_rule {
    const struct sn_rule *r;
    uint32_t *conds; /* non-payload instances with a match function, in rule order */
    uint32_t nconds;
    struct de_seg *segs;
    uint32_t nsegs;
    const struct sn_threshold *thr; /* threshold / detection_filter keyword, or NULL */
    unsigned app_idx;               /* app-layer protocol the rule needs (0: none) */
    const char *app_name;           /* its name (rule proto or buffer proto) */
    bool tx;                        /* evaluated at transactions (inspects app buffers) */
    bool ip_only;
    bool flow_pass;              /* pass rule with flow context: passes the whole flow */
    bool stream;                 /* also inspected on the reassembled TCP stream */
    bool stream_only;            /* never on packets (tcp-stream) */
    uint32_t order;              /* position in evaluation order (lower first) */
    uint32_t src_list, dst_list; /* interned address lists (equal lists share an id) */
};

/* A prefilter database over one buffer kind. */
struct de_pf {
    int buf;
    hs_database_t *db;
    uint32_t *pat_rule; /* pattern id -> rule index */
    uint32_t npat;
};

struct de_group {
    struct de_pf *pf;
    uint32_t npf;
    uint32_t *always; /* rules without fast pattern (verified on every packet/tx) */
    uint32_t nalways;
};

/* Interval index for IP-only rules: disjoint segments [lo[i], lo[i+1]) each with the rules
 * whose address list covers it. Keys are 16 bytes, big-endian (IPv4 in the first 4). */
struct de_ipidx {
    uint8_t (*lo)[16];
    uint32_t *start; /* rules of segment i: ids[start[i] .. start[i+1]) */
    uint32_t *ids;
    uint32_t nseg;
};

/* threshold.config entries */
enum de_tc_kind { DE_TC_THRESHOLD, DE_TC_SUPPRESS, DE_TC_RATE };
struct de_tc {
    enum de_tc_kind kind;
    uint32_t gid, sid; /* sid 0: every rule of gid; gid 0 & sid 0: all */
    struct sn_threshold thr;
    bool track_set; /* suppress with track + ip list */
    struct sn_addr_list ips;
    int new_action; /* rate_filter: enum sn_action */
    uint32_t timeout;
};

struct sn_detect_engine {
    struct sn_ruleset *rs;
    struct de_rule *rules;
    uint32_t nrules;
    /* packet rules */
    struct de_group any[DE_L4_MAX];
    struct de_group *port_group[2][65536]; /* [tcp, udp][dst port], NULL: only `any` */
    struct de_group *port_groups;          /* storage */
    uint32_t nport_groups;
    /* app-layer rules by app index */
    struct de_group app[SN_APP_MAX];
    /* IP-only */
    struct de_ipidx ip_src[2], ip_dst[2]; /* [v4, v6] */
    uint32_t *ip_always;                  /* IP-only rules indexed by neither */
    uint32_t nip_always;
    /* threshold.config */
    struct de_tc *tc;
    uint32_t ntc;
    uint32_t nlists; /* distinct address lists */
    uint32_t nstream; /* rules with `stream` set: raw stream data is gathered when > 0 */
    uint32_t ntxraw;  /* transaction rules with packet-payload keywords: inspect it too */
    /* scratch prototype (each worker clones it) */
    hs_scratch_t *scratch;
    /* skipped by the engine */
    char **skipped; /* "file:line: sid N: reason" */
    uint32_t nskipped;
    struct sn_detect_stats stats;
    uint64_t gen;
    bool ips; /* inline mode: drop shows as "blocked" */
    const struct sn_config *cfg;
};

/* Raw stream inspection state of one direction of a TCP flow: the reassembled bytes
 * delivered since the last inspection (a chunk), as contiguous runs separated by gaps. */
#define DE_RAW_RUNS 16
struct de_raw {
    uint8_t *buf;
    uint32_t len, cap;
    uint32_t run_end[DE_RAW_RUNS]; /* end of run i in buf (runs are back to back) */
    uint32_t gap[DE_RAW_RUNS];     /* bytes missing before run i */
    uint32_t nrun;
    uint32_t pending_gap;          /* gap announced, no data after it yet */
    bool flush;                    /* EOF / depth / gap overflow: inspect at the next chance */
    /* stream-eligible rules that alerted on packets of this direction since the last
     * inspection: their stream match in the chunk is the same finding (no second alert) */
    uint32_t *pkt_alerted;
    uint32_t npkt, pkt_cap;
    /* what a TCP transaction rule's packet-payload keywords inspect: the bytes of the
     * transaction last reported in this direction, buf[tx_from..len) (engine_run.c,
     * tx_window) */
    uint32_t deliv_start; /* where the latest delivery begins in buf */
    uint32_t tx_from;     /* start of tx_key's bytes */
    uint32_t tx_seen;     /* len when a transaction of this direction was last reported */
    const void *tx_key;   /* that transaction (key only, never dereferenced) and its number */
    uint64_t tx_id;
    bool tx_set;
};

/* Per-flow engine state (f->detect->engine). */
#define DE_TX_SLOTS 8
struct de_flow {
    struct de_raw raw[2]; /* [SN_TOSERVER, SN_TOCLIENT] */
    uint64_t gen; /* engine generation the rule ids refer to */
    bool passed;  /* a pass rule matched: no more inspection */
    bool iponly_done[2];
    bool raw_turned; /* raw[] already follow a turn of the flow made during this packet */
    struct {
        const void *tx;
        uint64_t tx_id; /* the parser's number of tx (sn_app_tx_id), 0 without one */
        uint32_t *ids;
        uint32_t n, cap;
    } txs[DE_TX_SLOTS];
    uint32_t next_slot;
    /* Transaction alerts waiting for their packet (TCP): a transaction of direction d is
     * reported on the next packet of direction d, as Suricata inspects it then (the data
     * was parsed when the other side acknowledged it); at flow end at the latest. */
    struct de_pending *pend;
    uint32_t npend, pend_cap;
};

/* Threshold state table (threshold.c), shared by all workers (reference counted). */
struct de_thr_table;
struct de_thr_table *de_thr_new(void);
void de_thr_free(struct de_thr_table *t);
/* Decides whether a matching rule alerts: applies threshold.config suppress / threshold /
 * rate_filter and the rule's threshold / detection_filter. Returns false when the alert is
 * to be dropped; *action may be changed by a rate_filter. */
bool de_thr_check(const struct sn_detect_engine *de, struct de_thr_table *t,
                  const struct de_rule *dr, int ip_ver, const struct sn_addr *src,
                  const struct sn_addr *dst, uint64_t flow_id, uint64_t ts_us,
                  enum sn_action *action);
/* Parses a threshold.config text; entries appended to de->tc. CS_OK or CS_EINVAL (err has
 * the line). */
int de_thr_config_parse(struct sn_detect_engine *de, const char *name, const char *text, size_t len,
                        struct cs_err *err);

/* What the engine passes to alert output (alert.c). */
struct de_alert {
    const struct de_rule *dr;
    enum sn_action action;
    int ip_ver;
    uint8_t proto;
    struct sn_addr src, dst;
    uint16_t sp, dp;
    bool ports;
    int dir; /* flow direction of the match, -1 without flow */
    const char *tx_proto;
    /* stream match: the chunk as logged (runs joined by "[N bytes missing]") */
    bool stream;
    const uint8_t *stream_payload;
    uint32_t stream_len;
    /* a deferred transaction alert: its tx_id and app-layer object, pre-rendered as
     * `"tx_id":…,"http":{…}` (NULL: asked of the parser through t->tx, if any) */
    const char *app_json;
    size_t app_json_len;
};
void de_alert_emit(struct sn_detect_thread *t, const struct de_alert *a);
/* Renders what the parser of proto writes into an alert for transaction tx (direction dir)
 * of t->f — `"tx_id":…,"<proto>":{…}` without braces — into a new string (*len set), or
 * NULL when the alert object is off, the parser has nothing to write or memory is short.
 * The caller frees it with cs_free(). */
char *de_alert_app_render(struct sn_detect_thread *t, const char *proto, const void *tx, int dir,
                          size_t *len);

/* One deferred transaction alert (struct de_flow.pend). */
struct de_pending {
    struct de_alert a;    /* app_json owned */
    const void *tx;       /* key only, never dereferenced */
    uint64_t tx_id;       /* the parser's number of tx (when it has the hook) */
    bool has_id;
};

/* Per-worker thread state. */
struct de_thread {
    struct sn_detect_thread t;
    struct sn_detect_engine *de;
    uint64_t gen;
    hs_scratch_t *scratch;
    uint32_t *cand; /* candidate rule ids */
    uint32_t ncand, cand_cap;
    uint64_t *mark;   /* candidate bitmap, one bit per rule */
    uint32_t *words;  /* indexes of the non-zero words of mark, in the order first set */
    uint32_t nwords;
    /* per packet/tx memo of address-list results: [list*2 + (0: vs src, 1: vs dst)] */
    uint32_t *memo_stamp;
    uint8_t *memo_val;
    uint32_t memo_gen;
    struct de_thr_table *thr;
    struct {
        const struct de_rule *dr;
        enum sn_action action;
    } * hits;
    uint32_t nhits, hits_cap;
    const struct de_raw *sraw; /* stream chunk under inspection: pkt_data runs (or NULL) */
    uint32_t sraw_from;        /* ... from this offset on (a transaction's bytes) */
    uint8_t *spay;             /* that chunk as logged in alerts */
    uint32_t spay_len, spay_cap;
    int slot;    /* reclamation slot (engine_reload.c) */
    bool synced; /* has published its engine once */
};

/* Publication and reclamation (engine_reload.c). */
struct sn_detect_engine *de_current(void);
uint64_t de_current_gen(void);
int de_slot_register(void);
void de_slot_seen(int slot, uint64_t gen);
void de_slot_release(int slot);
void de_app_cb(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto);

#endif
