/* kw_ics.h — data of the industrial-protocol keywords (kw_iec104.c, kw_s7comm.c). */
#ifndef SN_DETECT_KW_ICS_H
#define SN_DETECT_KW_ICS_H

#include "kw.h"

/* iec104.typeid, iec104.cot, iec104.ioa, s7comm.func, s7comm.rosctr: one comparison of the
 * field (a name stands for "=value"; "!name" for "!value"). */
struct sn_kw_ics {
    struct sn_u64cmp cmp;
};

/* Parses "name", "!name" (looked up with lookup(), -1 when unknown) or a numeric comparison
 * (sn_kw_parse_cmp with max) and appends the instance. CS_OK or an error through c. */
int sn_kw_ics_setup(struct sn_kw_ctx *c, const char *opt, uint64_t max,
                    int (*lookup)(const char *name));

#endif
