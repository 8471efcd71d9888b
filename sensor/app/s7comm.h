/* s7comm.h — S7comm over ISO-on-TCP (TPKT, RFC 1006; COTP, ISO 8073) on tcp/102: the
 * decoded PDU the parser hands to detection and logs.
 *
 * Detection: for every S7comm PDU (after COTP reassembly) the parser calls
 * sn_detect_app_cb(w, f, dir, tx, "s7comm") (when the hook is set) with tx a
 * `struct sn_s7comm_pdu *` valid only during that call (it lives in the parser state and is
 * overwritten by the next PDU). Userdata answers split into data units are reassembled: the
 * last data unit's PDU carries the whole payload (ud_payload). The s7comm.func and s7comm.rosctr keywords read it. COTP
 * connection requests/confirms and S7comm-plus PDUs are logged but not passed to detection. */
#ifndef SN_APP_S7COMM_H
#define SN_APP_S7COMM_H

#include "../sn_types.h"

#define SN_S7_MAX_ITEMS 32  /* read/write var items remembered per PDU */
#define SN_S7_MAX_PDU 65536 /* reassembled COTP data (one S7 PDU), bytes */
#define SN_S7_MAX_UD 65536  /* reassembled userdata (data units of one answer), bytes */

enum sn_s7_rosctr {
    SN_S7_JOB = 1,
    SN_S7_ACK = 2,
    SN_S7_ACK_DATA = 3,
    SN_S7_USERDATA = 7,
};

enum sn_s7_func {
    SN_S7_CPU_SERVICES = 0x00,
    SN_S7_READ_VAR = 0x04,
    SN_S7_WRITE_VAR = 0x05,
    SN_S7_REQUEST_DOWNLOAD = 0x1a,
    SN_S7_DOWNLOAD_BLOCK = 0x1b,
    SN_S7_DOWNLOAD_ENDED = 0x1c,
    SN_S7_START_UPLOAD = 0x1d,
    SN_S7_UPLOAD = 0x1e,
    SN_S7_END_UPLOAD = 0x1f,
    SN_S7_PLC_CONTROL = 0x28,
    SN_S7_PLC_STOP = 0x29,
    SN_S7_SETUP_COMM = 0xf0,
};

struct sn_s7_item {
    uint8_t syntax;    /* 0x10 S7ANY (the fields below are set only for it) */
    uint8_t tsize;     /* transport size */
    uint8_t area;      /* 0x84 DB, 0x81 inputs, 0x82 outputs, 0x83 flags, … */
    uint16_t count;    /* number of elements */
    uint16_t db;       /* DB number */
    uint32_t start;    /* byte address (timers and counters: their number) */
    uint8_t bit;       /* bit address */
};

struct sn_s7comm_pdu {
    uint8_t rosctr;      /* enum sn_s7_rosctr */
    uint16_t pdu_ref;
    uint16_t param_len, data_len;
    bool has_error;      /* ack / ack_data header */
    uint8_t err_class, err_code;
    bool has_func;       /* job / ack_data with a parameter: func is set */
    uint8_t func;        /* enum sn_s7_func */
    uint8_t item_count;  /* read/write var: as announced */
    /* userdata */
    uint8_t ud_method, ud_type, ud_group, ud_subfunc, ud_seq;
    bool has_dur;        /* 12-byte parameter: data unit reference, last data unit, error */
    bool ud_last;        /* this data unit ends the message (always true without has_dur) */
    uint8_t ud_ref;      /* data unit reference number */
    uint16_t ud_err;     /* userdata parameter error code */
    uint8_t ud_retcode;  /* data return code (0xff success; 0 when there is no data) */
    /* The userdata payload (after the 4-byte data header) of the whole message: this PDU's
     * own, or the data units of ud_frags PDUs reassembled when this PDU is the last of
     * several (NULL/0 on a data unit that is not the last one, and when the reassembly
     * overflowed SN_S7_MAX_UD). Valid only during the detection call. */
    const uint8_t *ud_payload;
    uint32_t ud_payload_len;
    uint32_t ud_frags;   /* data units reassembled (0: not reassembled) */
    bool ud_fragment;    /* a data unit held for reassembly (not the last one) */
    bool has_szl;        /* SZL read (CPU functions, subfunction 1) with an SZL header */
    uint16_t szl_id, szl_index;
    bool has_szl_list;   /* response: partial list length and count follow the header */
    uint16_t szl_list_len, szl_list_count;
    uint8_t nitems;      /* decoded into items[] */
    struct sn_s7_item items[SN_S7_MAX_ITEMS];
};

/* Names ("read_var", "job"), NULL when the value has none. */
const char *sn_s7comm_func_name(uint8_t func);
const char *sn_s7comm_rosctr_name(uint8_t rosctr);
/* Value of a name (case-insensitive), -1 when unknown. */
int sn_s7comm_func_lookup(const char *name);
int sn_s7comm_rosctr_lookup(const char *name);

#endif
