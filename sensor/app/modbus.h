/* modbus.h — the Modbus/TCP parser's messages and transactions, for detection and tests.
 *
 * A transaction is a request and its response (matched by transaction id). The parser keeps
 * unanswered requests (up to the request-flood limit) and the last transaction it finished
 * (`last`), which is what the detection engine inspects after each message. */
#ifndef SN_APP_MODBUS_H
#define SN_APP_MODBUS_H

#include "../sn_types.h"

/* access type bits (as Suricata's `modbus: access` keyword) */
enum {
    SN_MB_ACC_READ = 1 << 0,
    SN_MB_ACC_WRITE = 1 << 1,
    SN_MB_ACC_DISCRETES = 1 << 2,
    SN_MB_ACC_COILS = 1 << 3,
    SN_MB_ACC_INPUT = 1 << 4,
    SN_MB_ACC_HOLDING = 1 << 5,
    SN_MB_ACC_SINGLE = 1 << 6,
    SN_MB_ACC_MULTIPLE = 1 << 7,
};

/* function code category bits */
enum {
    SN_MB_CAT_PUBLIC_ASSIGNED = 1 << 0,
    SN_MB_CAT_PUBLIC_UNASSIGNED = 1 << 1,
    SN_MB_CAT_USER_DEFINED = 1 << 2,
    SN_MB_CAT_RESERVED = 1 << 3,
};

/* error flags of a message (each raises its event) */
enum {
    SN_MB_ERR_DATA_VALUE = 1 << 0,  /* modbus.invalid_value */
    SN_MB_ERR_DATA_LENGTH = 1 << 1, /* modbus.invalid_length */
    SN_MB_ERR_EXC_CODE = 1 << 2,    /* modbus.invalid_exception_code */
    SN_MB_ERR_FUNC_CODE = 1 << 3,   /* modbus.invalid_function_code */
    SN_MB_ERR_PROTO_ID = 1 << 4,    /* modbus.invalid_protocol_id */
};

/* what the PDU's data is */
enum sn_mb_kind {
    SN_MB_EMPTY = 0,
    SN_MB_BYTES,      /* data[] */
    SN_MB_EXCEPTION,  /* exc */
    SN_MB_DIAG,       /* sub + data[] */
    SN_MB_MEI,        /* sub (MEI type) + data[] */
    SN_MB_READ_REQ,   /* address, quantity */
    SN_MB_READ_RESP,  /* data[] */
    SN_MB_WRITE,      /* address, value (single write, or quantity in a multiple-write reply) */
    SN_MB_WRITE_MULT, /* address, quantity, data[] */
    SN_MB_WRITE_MASK, /* address, and_mask, or_mask */
    SN_MB_READ_WRITE, /* address, quantity (read) + waddress, wquantity, data[] (write) */
};

#define SN_MB_MAX_DATA 252

struct sn_modbus_msg {
    uint16_t tid, pid;
    uint8_t uid;
    uint8_t func_raw; /* the byte on the wire (0x80 set for exceptions) */
    uint8_t func;     /* func_raw & 0x7f */
    uint8_t access, category, errors;
    uint8_t kind; /* enum sn_mb_kind */
    uint8_t exc;  /* exception code */
    uint16_t sub; /* diagnostic sub-function / MEI type */
    uint16_t address, quantity, value, and_mask, or_mask;
    uint16_t waddress, wquantity;
    uint16_t data_len;
    uint8_t data[SN_MB_MAX_DATA];
};

struct sn_modbus_tx {
    uint64_t id; /* 1-based, per flow */
    bool has_req, has_resp;
    struct sn_modbus_msg req, resp;
};

/* Function code name as Suricata logs it ("RdHoldRegs"), "Unknown" when not named. */
const char *sn_modbus_func_name(uint8_t func);

#endif
