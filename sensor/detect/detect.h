/* detect.h — the detection engine's run-time interface: what a keyword's match function,
 * the payload inspector and the buffer getters see, and the hooks the pipeline calls.
 *
 * Pieces (one module each):
 *   engine.c   rule groups, Hyperscan prefilter, IP-only radix, the per-packet / per-
 *              transaction loop, action precedence, alerts (EVE + fast.log)
 *   inspect.c  payload keywords over one buffer (content, pcre, byte_*, isdataat, bsize,
 *              transforms, base64) with Suricata's relative/backtracking semantics
 *   getbuf.c   sn_detect_get_buffer(): the bytes of each sticky buffer (buffers.def) for the
 *              packet, flow and transaction at hand
 *   flowvar.c  flowbits / flowint / xbits storage
 *   kw_*.c     .match of non-payload keywords (ttl, flags, flow, flowbits, …)
 *
 * Threading: one struct sn_detect_thread per worker; the compiled engine is shared
 * read-only between workers. */
#ifndef SN_DETECT_DETECT_H
#define SN_DETECT_DETECT_H

#include "rule.h"

struct sn_worker;
struct sn_detect_engine;
struct sn_flowvars;

#define SN_GETBUF_SCRATCH 3   /* scratch slot of sn_detect_get_buffer() (see below) */
#define SN_DETECT_MAX_VARS 16 /* byte_extract / byte_math variables per rule */

/* Per-flow detection state, f->detect (NULL until detection first needs it). */
struct sn_detect_flow {
    struct sn_flowvars *vars; /* flowbits, flowints (flowvar.c) */
    void *engine;             /* engine-private per-flow state (tx progress, tags) */
};

/* What is being inspected right now. Filled by the engine before it calls a keyword's
 * match() or the payload inspector. */
struct sn_detect_thread {
    struct sn_worker *w;
    const struct sn_detect_engine *de;
    const struct sn_pkt *p;     /* the packet, or NULL for transaction/flow-end inspection */
    struct sn_flow *f;          /* the packet's flow, or NULL */
    uint8_t dir;                /* SN_TOSERVER / SN_TOCLIENT (flow-relative) */
    bool in_stream;             /* inspecting a reassembled stream chunk (pkt_data is the
                                   chunk; p is the packet that triggered it, or NULL) */
    const struct sn_rule *rule; /* the rule under evaluation */
    uint32_t kw_idx;            /* index of the instance being evaluated in rule->kw */

    /* The app-layer transaction under inspection (parser-specific pointer) and its
     * protocol name, or NULL / NULL for packet inspection. */
    void *tx;
    const char *tx_proto;

    /* payload inspection: the current buffer */
    const uint8_t *buf;
    uint32_t buf_len;
    int buf_id;       /* enum sn_buf */
    uint32_t buf_idx; /* instance of a multi-buffer (dns.answer.name #i) */
    uint32_t cursor;  /* just past the previous payload match (relative keywords) */
    int64_t vars[SN_DETECT_MAX_VARS]; /* byte_extract / byte_math results */

    /* Scratch for transforms / base64_data / buffer assembly: owned, grown on demand.
     * scratch[SN_GETBUF_SCRATCH] (3) belongs to getbuf.c (assembled buffers); 0..2 to the
     * inspector (below). */
    uint8_t *scratch[4];
    uint32_t scratch_cap[4];

    /* Flowbits set by rules that matched but are not yet committed (Suricata applies
     * set/unset only when the whole rule matched): kept by flowvar.c. */
    void *pending;

    /* Payload inspector state (inspect.c). scratch[0..1] hold transformed buffers,
     * scratch[2] the bytes of the last successful base64_decode (b64_len of them), which the
     * SN_BUF_BASE64_DATA run inspects; scratch[3] is left to the buffer getters (t->buf may
     * point into it, never into scratch[0..2]). The PCRE2 match data / match contexts are created on
     * first use and released by sn_inspect_thread_free(). */
    void *pcre_md;        /* pcre2_match_data * */
    void *pcre_mctx[2];   /* pcre2_match_context *: [0] built-in limits, [1] 'O' (configured) */
    uint32_t b64_len;     /* bytes decoded into scratch[2] */
    uint64_t inspect_recursion_hits; /* evaluations cut by SN_INSPECT_RECURSION_LIMIT */
};

/* ---- buffers (getbuf.c) ------------------------------------------------------------------ */

/* Instance `idx` of inspection buffer `buf` for t's packet / flow / transaction / direction.
 * Single-value buffers have only idx 0; multi-buffers (dns.answer.name, tls.certs,
 * http.request_header, …) have 0..n-1. Returns true and sets *data and *len when it exists.
 * Buffers that point into parser memory stay valid until the engine moves to the next packet
 * or transaction; buffers getbuf.c assembles (http.header, http.start, http.header_names,
 * http.request_header/response_header, DNS names) live in t->scratch[SN_GETBUF_SCRATCH] and
 * stay valid only until the next sn_detect_get_buffer() call on t: inspect one buffer
 * instance at a time. */
bool sn_detect_get_buffer(struct sn_detect_thread *t, int buf, uint32_t idx,
                          const uint8_t **data, uint32_t *len);

/* ---- payload inspection (inspect.c) ------------------------------------------------------ */

/* Evaluates rule->kw[first..end) — the consecutive payload instances (content, pcre,
 * byte_*, isdataat, bsize, transforms…) that all inspect buffer t->buf_id — against
 * t->buf/t->buf_len, with relative matching and backtracking as Suricata does. Returns
 * true when all of them hold. t->cursor and t->vars are updated. */
bool sn_inspect_buffer(struct sn_detect_thread *t, uint32_t first, uint32_t end);

/* Suricata's defaults: detect.inspection-recursion-limit, pcre.match-limit and
 * pcre.match-limit-recursion (the latter is PCRE2's depth limit). */
#define SN_INSPECT_RECURSION_LIMIT 3000
#define SN_INSPECT_PCRE_MATCH_LIMIT 3500
#define SN_INSPECT_PCRE_DEPTH_LIMIT 1500

/* Called once per rule at load time (not thread-safe against inspection of the same rule):
 * JIT-compiles the rule's pcre patterns. A pattern the JIT refuses stays interpreted.
 * Returns CS_OK (JIT is an optimisation: failures are not errors). */
int sn_inspect_prepare_rule(struct sn_rule *r);

/* Releases the inspector's per-thread state (PCRE2 match data and contexts). The scratch
 * buffers belong to the owner of t (free them with cs_free). Safe on a zeroed struct. */
void sn_inspect_thread_free(struct sn_detect_thread *t);

/* ---- hooks for the pipeline (engine.c) -------------------------------------------------- */

/* App-layer parsers call this (through sn_detect_app_cb, NULL when detection is off) when
 * a transaction of flow f in direction dir has new inspectable data — before the
 * transaction is logged or freed. `tx` is the parser's transaction object, understood by
 * getbuf.c for that protocol. */
extern void (*sn_detect_app_cb)(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                                const char *proto);

/* Frees f->detect (called at flow end). */
void sn_detect_flow_free(struct sn_flow *f);

/* ---- flow variables, datasets, IP reputation (flowvar.c, dataset.c, iprep.c) ----------- */

struct sn_ruleset;
struct sn_config;

/* Frees the flow variables of a flow (f->detect->vars); NULL is fine. */
void sn_flowvars_free(struct sn_flowvars *v);

/* The engine calls this after the WHOLE rule t->rule matched (with t->p, t->f, t->dir as
 * during matching): applies the rule's flowbits set/unset/toggle, flowint =/+/-, xbits
 * set/unset/toggle and dataset set/unset, in rule order. The isset-style checks happen in the
 * keywords' match(). Allocates f->detect when needed; allocation failures leave the variable
 * unchanged. */
void sn_detect_postmatch(struct sn_detect_thread *t);

/* Frees what flowvar.c keeps in t->pending (call when the thread context goes away). */
void sn_detect_thread_vars_free(struct sn_detect_thread *t);

/* App-layer parsers' events (sn_app_event) are recorded on the flow through this when
 * detection is on (sn_detect_app_cb set), for the app-layer-event keyword: an event is
 * visible to the rules evaluated for the packet during which it was raised. */
void sn_detect_app_event(struct sn_flow *f, const char *name);

/* Load-time setup of datasets and IP reputation: creates the datasets of the `datasets:`
 * section of the configuration and of the rules' dataset keywords, reads their load/state
 * files, loads reputation-categories-file and reputation-files, and binds the rules'
 * dataset/iprep instances to them. Datasets are process-wide and survive a reload (a set
 * already known keeps its contents); the reputation data is replaced. cfg may be NULL.
 * Returns CS_OK, or CS_EINVAL / CS_EIO with err naming the file and line. Not thread-safe
 * against another load; safe while workers match. */
int sn_detect_datasets_load(const struct sn_ruleset *rs, const struct sn_config *cfg,
                            struct cs_err *err);
/* Writes the `save` and `state` files of every dataset (at shutdown). CS_OK, or CS_EIO with
 * err set for the first file that failed (the others are still written). */
int sn_detect_datasets_save(struct cs_err *err);
/* Frees every dataset, the reputation data and the xbits table (at exit, after the workers
 * stopped). */
void sn_detect_datasets_free(void);

#endif
