/* iec104.h — IEC 60870-5-104 (tcp/2404): the decoded APDU the parser hands to detection and
 * logs, one per APCI frame.
 *
 * Detection: for every APDU the parser calls sn_detect_app_cb(w, f, dir, tx, "iec104") (when
 * the hook is set) with tx a `struct sn_iec104_apdu *` that stays valid only for that call
 * (it lives in the parser state and is overwritten by the next APDU). The iec104.typeid,
 * iec104.cot and iec104.ioa keywords read it. */
#ifndef SN_APP_IEC104_H
#define SN_APP_IEC104_H

#include "../sn_types.h"

#define SN_IEC104_MAX_OBJS 127 /* the VSQ's 7-bit count: an ASDU cannot carry more */

enum sn_iec104_frame { SN_IEC104_I = 0, SN_IEC104_S = 1, SN_IEC104_U = 3 };

/* U-frame function bits (control field octet 1) */
enum {
    SN_IEC104_STARTDT_ACT = 0x07,
    SN_IEC104_STARTDT_CON = 0x0b,
    SN_IEC104_STOPDT_ACT = 0x13,
    SN_IEC104_STOPDT_CON = 0x23,
    SN_IEC104_TESTFR_ACT = 0x43,
    SN_IEC104_TESTFR_CON = 0x83,
};

struct sn_iec104_apdu {
    uint8_t frame;     /* enum sn_iec104_frame */
    uint8_t length;    /* APCI length field (control field + ASDU) */
    uint8_t u_func;    /* U frames: control octet 1 */
    uint16_t tx_seq;   /* I frames: N(S) */
    uint16_t rx_seq;   /* I and S frames: N(R) */
    bool has_asdu;     /* I frame with at least the 6-byte ASDU header */
    uint8_t type_id;   /* ASDU type identification */
    bool sq;           /* variable structure qualifier: objects in sequence */
    uint8_t num;       /* number of objects as announced */
    uint8_t cot;       /* cause of transmission (6 bits) */
    bool negative, test;
    uint8_t originator;
    uint16_t common_addr;
    uint8_t nioa;      /* information object addresses decoded (<= num) */
    uint32_t ioa[SN_IEC104_MAX_OBJS];
};

/* Names ("M_SP_NA_1", "spont", "STARTDT_ACT"), NULL when the value has none. */
const char *sn_iec104_type_name(uint8_t type_id);
const char *sn_iec104_cot_name(uint8_t cot);
/* Value of a type or cause name (case-insensitive), -1 when unknown. */
int sn_iec104_type_lookup(const char *name);
int sn_iec104_cot_lookup(const char *name);

#endif
