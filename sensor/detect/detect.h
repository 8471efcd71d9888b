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

#define SN_GETBUF_SCRATCH 0     /* scratch slot of sn_detect_get_buffer() */
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
     * scratch[SN_GETBUF_SCRATCH] belongs to getbuf.c (assembled buffers); the others to
     * the inspector. */
    uint8_t *scratch[4];
    uint32_t scratch_cap[4];

    /* Flowbits set by rules that matched but are not yet committed (Suricata applies
     * set/unset only when the whole rule matched): kept by flowvar.c. */
    void *pending;
};

/* ---- buffers (getbuf.c) ------------------------------------------------------------------ */

/* Instance `idx` of inspection buffer `buf` for t's packet / flow / transaction / direction.
 * Single-value buffers have only idx 0; multi-buffers (dns.answer.name, tls.certs,
 * http.request_header, …) have 0..n-1. Returns true and sets *data and *len (which stay valid
 * until the engine moves to the next packet or transaction) when it exists. */
bool sn_detect_get_buffer(struct sn_detect_thread *t, int buf, uint32_t idx,
                          const uint8_t **data, uint32_t *len);

/* ---- payload inspection (inspect.c) ------------------------------------------------------ */

/* Evaluates rule->kw[first..end) — the consecutive payload instances (content, pcre,
 * byte_*, isdataat, bsize, transforms…) that all inspect buffer t->buf_id — against
 * t->buf/t->buf_len, with relative matching and backtracking as Suricata does. Returns
 * true when all of them hold. t->cursor and t->vars are updated. */
bool sn_inspect_buffer(struct sn_detect_thread *t, uint32_t first, uint32_t end);

/* ---- hooks for the pipeline (engine.c) -------------------------------------------------- */

/* App-layer parsers call this (through sn_detect_app_cb, NULL when detection is off) when
 * a transaction of flow f in direction dir has new inspectable data — before the
 * transaction is logged or freed. `tx` is the parser's transaction object, understood by
 * getbuf.c for that protocol. */
extern void (*sn_detect_app_cb)(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                                const char *proto);

/* Frees f->detect (called at flow end). */
void sn_detect_flow_free(struct sn_flow *f);

#endif
