/* flowvar.h — storage of flow variables (flowbits, flowints), host / host-pair bits (xbits)
 * and the app-layer events detection can see, for the keyword match functions
 * (kw_flowbits.c, kw_flowint.c, kw_xbits.c, kw_app_layer_event.c) and sn_detect_postmatch().
 *
 * Flow variables live in f->detect->vars (allocated on first write), so they are only ever
 * touched by the flow's worker: no locking. xbits live in one process-wide table keyed by
 * (track, address or address pair, name) under a mutex, so every worker sees the bits of a
 * host whatever flow set them. */
#ifndef SN_DETECT_FLOWVAR_H
#define SN_DETECT_FLOWVAR_H

#include "detect.h"
#include "kw_flow.h"

/* ---- flowbits / flowints (per flow, the flow's worker only) ------------------------------ */

bool sn_flowbit_isset(const struct sn_flow *f, const char *name);
/* set / unset / toggle: CS_OK or CS_ENOMEM (f->detect or the variable could not be
 * allocated: the bit stays as it was). */
int sn_flowbit_set(struct sn_flow *f, const char *name);
int sn_flowbit_unset(struct sn_flow *f, const char *name);
int sn_flowbit_toggle(struct sn_flow *f, const char *name);

/* Value of flowint `name`: true and *out set when it is set. */
bool sn_flowint_get(const struct sn_flow *f, const char *name, uint32_t *out);
int sn_flowint_set(struct sn_flow *f, const char *name, uint32_t value);

/* ---- xbits (process-wide, thread-safe) --------------------------------------------------- */

#define SN_XBITS_EXPIRE_DEFAULT 30 /* seconds, when the rule gives no expire */

/* xbits with track tx are kept on the flow (see docs/internals/rules.md). */
bool sn_xbits_tx_isset(const struct sn_flow *f, const char *name);

/* Whether bit `name` is set (and not expired at now_us) for the key of `track`
 * (SN_TRACK_IP_SRC: a; SN_TRACK_IP_DST: b; SN_TRACK_IP_PAIR: the unordered pair a,b). */
bool sn_xbits_isset(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                    const char *name, uint64_t now_us);
/* Sets the bit to expire at now_us + expire_s seconds (refreshing an existing one). */
int sn_xbits_set(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                 const char *name, uint64_t now_us, uint32_t expire_s);
void sn_xbits_unset(enum sn_bits_track track, const struct sn_addr *a, const struct sn_addr *b,
                    const char *name);
/* Number of live entries (tests, stats). */
size_t sn_xbits_count(void);
/* Drops every xbit (shutdown, tests). */
void sn_xbits_clear(void);

/* ---- app-layer events of the packet at hand ---------------------------------------------- */

/* Whether app-layer event "module.name" was raised on f while the current packet (the flow's
 * latest) was processed. */
bool sn_flow_app_event_seen(const struct sn_flow *f, const char *module, const char *name);

/* ---- pending dataset writes (kw_dataset.c) ----------------------------------------------- */

/* Remembers value data[0..len) for instance `inst` (a dataset set/unset) of t->rule, applied
 * by sn_detect_postmatch() if the whole rule matches. CS_OK / CS_ENOMEM. */
int sn_detect_pending_add(struct sn_detect_thread *t, const struct sn_kw_inst *inst,
                          const uint8_t *data, uint32_t len);

/* Source and destination address of what t inspects: the packet's, or for flow/transaction
 * inspection the flow's in t->dir. False when there is neither. */
bool sn_detect_addrs(const struct sn_detect_thread *t, const struct sn_addr **src,
                     const struct sn_addr **dst);
/* Time of what t inspects (packet time, else the worker's clock, else the flow's last). */
uint64_t sn_detect_now(const struct sn_detect_thread *t);

#endif
