/* modbus.c — Modbus/TCP parser (MODBUS Application Protocol v1.1b3, Messaging on TCP/IP
 * v1.0b): MBAP header, request/response transactions matched by transaction id, function
 * codes with their addresses, quantities and values, exceptions, diagnostics and MEI. One EVE
 * `modbus` record per transaction, in Suricata's layout, written when the response arrives (or
 * when the flow ends for unanswered requests). */
#include "modbus.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>

#define MBAP_LEN 7
#define MB_MIN_LEN 2         /* MBAP length field: unit id + function code at least */
#define MB_MAX_LEN 254       /* unit id + 253-byte PDU */
#define MB_MAX_FRAME 1024    /* longer length fields are not believed: stop the direction */
#define MB_DEFAULT_FLOOD 500 /* app-layer.protocols.modbus.request-flood */
#define MB_MAX_EVENTS 256    /* anomaly records per flow at most */

struct mb_state {
    struct sn_modbus_tx *pend; /* unanswered requests, oldest first */
    uint32_t npend, cap;
    uint32_t flood_limit;
    uint32_t nevents;
    uint64_t next_id;
    bool cfg_read, flooded, srv_eof;
    uint8_t req_dir;          /* direction of requests: SN_TOCLIENT when the flow's first
                               * packet came from port 502 (capture started mid-flow) */
    bool dead[2];             /* direction no longer parseable (lying length) */
    struct sn_modbus_tx last; /* last finished transaction (for detection) */
};

static const char *const func_names[] = {
    [1] = "RdCoils",
    [2] = "RdDiscreteInputs",
    [3] = "RdHoldRegs",
    [4] = "RdInputRegs",
    [5] = "WrSingleCoil",
    [6] = "WrSingleReg",
    [7] = "RdExcStatus",
    [8] = "Diagnostic",
    [9] = "Program484",
    [10] = "Poll484",
    [11] = "GetCommEventCtr",
    [12] = "GetCommEventLog",
    [13] = "ProgramController",
    [14] = "PollController",
    [15] = "WrMultCoils",
    [16] = "WrMultRegs",
    [17] = "ReportServerID",
    [18] = "Program884",
    [19] = "ResetCommLink",
    [20] = "RdFileRec",
    [21] = "WrFileRec",
    [22] = "MaskWrReg",
    [23] = "RdWrMultRegs",
    [24] = "RdFIFOQueue",
    [43] = "MEI",
};

const char *sn_modbus_func_name(uint8_t func)
{
    const char *n = func < CS_ARRAY_LEN(func_names) ? func_names[func] : NULL;
    return n ? n : "Unknown";
}

static const char *exc_name(uint8_t c)
{
    switch (c) {
    case 1:
        return "IllegalFunction";
    case 2:
        return "IllegalDataAddr";
    case 3:
        return "IllegalDataValue";
    case 4:
        return "ServerDeviceFail";
    case 5:
        return "Ack";
    case 6:
        return "ServerDeviceBusy";
    case 8:
        return "MemParityErr";
    case 0x0a:
        return "GatewayPathUnavailable";
    case 0x0b:
        return "GatewayTargetFailToResp";
    default:
        return "Unknown";
    }
}

static const char *diag_name(uint16_t sub)
{
    switch (sub) {
    case 0:
        return "RetQueryData";
    case 1:
        return "RestartCommOpt";
    case 2:
        return "RetDiagReg";
    case 3:
        return "ChangeInputDelimiter";
    case 4:
        return "ForceListenOnlyMode";
    case 10:
        return "ClearCtrDiagReg";
    case 11:
        return "RetBusMsgCount";
    case 12:
        return "RetBusCommErrCount";
    case 13:
        return "RetBusExcErrCount";
    case 14:
        return "RetServerMsgCount";
    case 15:
        return "RetServerNoRespCount";
    case 16:
        return "RetServerNAKCount";
    case 17:
        return "RetServerBusyCount";
    case 18:
        return "RetBusCharOverrunCount";
    case 20:
        return "ClearOverrunCounterFlag";
    default:
        return "Reserved";
    }
}

static const char *mei_name(uint16_t t)
{
    return t == 0x0d ? "CANOpenGenRefReqResp" : t == 0x0e ? "RdDevId" : "Unknown";
}

static uint8_t func_category(uint8_t f)
{
    switch (f) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 11:
    case 12:
    case 15:
    case 16:
    case 17:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 43:
        return SN_MB_CAT_PUBLIC_ASSIGNED;
    case 9:
    case 10:
    case 13:
    case 14:
    case 41:
    case 42:
    case 90:
    case 91:
    case 125:
    case 126:
    case 127:
        return SN_MB_CAT_RESERVED;
    default:
        break;
    }
    if ((f >= 65 && f <= 72) || (f >= 100 && f <= 110))
        return SN_MB_CAT_USER_DEFINED;
    if (f >= 1 && f <= 127)
        return SN_MB_CAT_PUBLIC_UNASSIGNED;
    return 0;
}

static uint8_t func_access(uint8_t f)
{
    switch (f) {
    case 1:
        return SN_MB_ACC_READ | SN_MB_ACC_COILS;
    case 2:
        return SN_MB_ACC_READ | SN_MB_ACC_DISCRETES;
    case 3:
        return SN_MB_ACC_READ | SN_MB_ACC_HOLDING;
    case 4:
        return SN_MB_ACC_READ | SN_MB_ACC_INPUT;
    case 5:
        return SN_MB_ACC_WRITE | SN_MB_ACC_COILS | SN_MB_ACC_SINGLE;
    case 6:
        return SN_MB_ACC_WRITE | SN_MB_ACC_HOLDING | SN_MB_ACC_SINGLE;
    case 15:
        return SN_MB_ACC_WRITE | SN_MB_ACC_COILS | SN_MB_ACC_MULTIPLE;
    case 16:
        return SN_MB_ACC_WRITE | SN_MB_ACC_HOLDING | SN_MB_ACC_MULTIPLE;
    case 22:
        return SN_MB_ACC_WRITE | SN_MB_ACC_HOLDING;
    case 23:
        return SN_MB_ACC_READ | SN_MB_ACC_WRITE | SN_MB_ACC_HOLDING | SN_MB_ACC_MULTIPLE;
    case 24:
        return SN_MB_ACC_READ | SN_MB_ACC_HOLDING;
    default:
        return 0;
    }
}

/* ---- probing --------------------------------------------------------------------------- */

/* Expected PDU length of a request with a fixed layout; 0 when variable or unknown. */
static uint32_t req_fixed_len(const uint8_t *pdu, uint32_t n)
{
    switch (pdu[0]) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
        return 5;
    case 7:
    case 11:
    case 12:
    case 17:
        return 1;
    case 22:
        return 7;
    case 15:
    case 16:
        return n >= 6 ? 6u + pdu[5] : 0;
    case 23:
        return n >= 10 ? 10u + pdu[9] : 0;
    default:
        return 0;
    }
}

static enum sn_probe modbus_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    uint16_t mlen;
    uint8_t fc;

    if (len < 8)
        return SN_PROBE_MORE;
    mlen = cs_get_be16(d + 4);
    fc = d[7];
    if (cs_get_be16(d + 2) != 0 || mlen < MB_MIN_LEN || mlen > MB_MAX_LEN)
        return SN_PROBE_NO;
    if (dp == 502) /* the Modbus port: the MBAP header is enough (odd function codes too) */
        return SN_PROBE_YES;
    if (fc == 0 || (dir == SN_TOSERVER && (fc & 0x80)))
        return SN_PROBE_NO;
    /* other ports: a whole request whose layout fits its function code (in either direction:
     * a capture that starts mid-flow with a server packet has the roles swapped) */
    if (func_category(fc) != SN_MB_CAT_PUBLIC_ASSIGNED)
        return SN_PROBE_NO;
    if (len < MBAP_LEN + (uint32_t)mlen - 1)
        return SN_PROBE_MORE;
    {
        uint32_t want = req_fixed_len(d + 7, mlen - 1u);
        if (want && want != mlen - 1u)
            return SN_PROBE_NO;
        if (!want && fc != 8 && fc != 43 && fc != 20 && fc != 21 && fc != 24)
            return SN_PROBE_NO;
    }
    return SN_PROBE_YES;
}

/* ---- state ----------------------------------------------------------------------------- */

static void *modbus_state_new(void)
{
    struct mb_state *s = cs_calloc(1, sizeof(*s));
    if (s)
        s->flood_limit = MB_DEFAULT_FLOOD;
    return s;
}

static void modbus_state_free(void *state)
{
    struct mb_state *s = state;
    if (!s)
        return;
    cs_free(s->pend);
    cs_free(s);
}

static void read_cfg(const struct sn_worker *w, struct mb_state *s)
{
    const struct cs_cfg *raw = w->cfg ? w->cfg->raw : NULL;
    int64_t v;

    s->cfg_read = true;
    if (raw && cs_cfg_get_int(raw, "app-layer.protocols.modbus.request-flood", &v) && v > 0 &&
        v <= 100000)
        s->flood_limit = (uint32_t)v;
}

static void mb_event(struct sn_worker *w, const struct sn_flow *f, struct mb_state *s,
                     const char *name)
{
    if (s->nevents >= MB_MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

static void raise_errors(struct sn_worker *w, const struct sn_flow *f, struct mb_state *s,
                         uint8_t e)
{
    if (e & SN_MB_ERR_PROTO_ID)
        mb_event(w, f, s, "modbus.invalid_protocol_id");
    if (e & SN_MB_ERR_DATA_LENGTH)
        mb_event(w, f, s, "modbus.invalid_length");
    if (e & SN_MB_ERR_FUNC_CODE)
        mb_event(w, f, s, "modbus.invalid_function_code");
    if (e & SN_MB_ERR_DATA_VALUE)
        mb_event(w, f, s, "modbus.invalid_value");
    if (e & SN_MB_ERR_EXC_CODE)
        mb_event(w, f, s, "modbus.invalid_exception_code");
}

/* ---- EVE --------------------------------------------------------------------------------- */

static void flags_str(char *out, size_t size, uint8_t v, const char *const *names, int n)
{
    size_t len = 0;

    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (!(v & (1u << i)))
            continue;
        len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " | " : "", names[i]);
        if (len >= size)
            break;
    }
    if (!out[0])
        snprintf(out, size, "NONE");
}

static void log_msg(struct cs_json *j, const struct sn_modbus_msg *m)
{
    static const char *const acc[] = {"READ",  "WRITE",   "DISCRETES", "COILS",
                                      "INPUT", "HOLDING", "SINGLE",    "MULTIPLE"};
    static const char *const cat[] = {"PUBLIC_ASSIGNED", "PUBLIC_UNASSIGNED", "USER_DEFINED",
                                      "RESERVED"};
    static const char *const err[] = {"DATA_VALUE", "DATA_LENGTH", "EXC_CODE", "FUNC_CODE",
                                      "PROTO_ID"};
    char buf[128];

    cs_json_uint(j, "transaction_id", m->tid);
    cs_json_uint(j, "protocol_id", m->pid);
    cs_json_uint(j, "unit_id", m->uid);
    cs_json_uint(j, "function_raw", m->func_raw);
    cs_json_str(j, "function_code", sn_modbus_func_name(m->func));
    flags_str(buf, sizeof(buf), m->access, acc, 8);
    cs_json_str(j, "access_type", buf);
    flags_str(buf, sizeof(buf), m->category, cat, 4);
    cs_json_str(j, "category", buf);
    flags_str(buf, sizeof(buf), m->errors, err, 5);
    cs_json_str(j, "error_flags", buf);
    switch (m->kind) {
    case SN_MB_BYTES:
        cs_json_strn(j, "data", m->data, m->data_len);
        break;
    case SN_MB_EXCEPTION:
        cs_json_open(j, "exception");
        cs_json_uint(j, "raw", m->exc);
        cs_json_str(j, "code", exc_name(m->exc));
        cs_json_close(j);
        break;
    case SN_MB_DIAG:
    case SN_MB_MEI:
        cs_json_open(j, m->kind == SN_MB_DIAG ? "diagnostic" : "mei");
        cs_json_uint(j, "raw", m->sub);
        cs_json_str(j, "code", m->kind == SN_MB_DIAG ? diag_name(m->sub) : mei_name(m->sub));
        cs_json_strn(j, "data", m->data, m->data_len);
        cs_json_close(j);
        break;
    case SN_MB_READ_REQ:
        cs_json_open(j, "read");
        cs_json_uint(j, "address", m->address);
        cs_json_uint(j, "quantity", m->quantity);
        cs_json_close(j);
        break;
    case SN_MB_READ_RESP:
        cs_json_open(j, "read");
        cs_json_strn(j, "data", m->data, m->data_len);
        cs_json_close(j);
        break;
    case SN_MB_WRITE:
        cs_json_open(j, "write");
        cs_json_uint(j, "address", m->address);
        cs_json_uint(j, "data", m->value);
        cs_json_close(j);
        break;
    case SN_MB_WRITE_MULT:
        cs_json_open(j, "write");
        cs_json_uint(j, "address", m->address);
        cs_json_uint(j, "quantity", m->quantity);
        cs_json_strn(j, "data", m->data, m->data_len);
        cs_json_close(j);
        break;
    case SN_MB_WRITE_MASK:
        cs_json_open(j, "write");
        cs_json_uint(j, "address", m->address);
        cs_json_uint(j, "and_mask", m->and_mask);
        cs_json_uint(j, "or_mask", m->or_mask);
        cs_json_close(j);
        break;
    case SN_MB_READ_WRITE:
        cs_json_open(j, "read");
        cs_json_uint(j, "address", m->address);
        cs_json_uint(j, "quantity", m->quantity);
        cs_json_close(j);
        cs_json_open(j, "write");
        cs_json_uint(j, "address", m->waddress);
        cs_json_uint(j, "quantity", m->wquantity);
        cs_json_strn(j, "data", m->data, m->data_len);
        cs_json_close(j);
        break;
    default:
        break;
    }
}

/* The `modbus` object: id, request and response as far as they are known. */
static void json_modbus(struct cs_json *j, const struct sn_modbus_tx *tx)
{
    cs_json_open(j, "modbus");
    cs_json_uint(j, "id", tx->id);
    if (tx->has_req) {
        cs_json_open(j, "request");
        log_msg(j, &tx->req);
        cs_json_close(j);
    }
    if (tx->has_resp) {
        cs_json_open(j, "response");
        log_msg(j, &tx->resp);
        cs_json_close(j);
    }
    cs_json_close(j);
}

/* Writes the record of tx and keeps it as the last finished transaction. */
static void finish_tx(struct sn_worker *w, struct sn_flow *f, struct mb_state *s,
                      const struct sn_modbus_tx *tx)
{
    struct cs_json *j;

    s->last = *tx;
    j = sn_app_eve_begin(w, f, SN_EVE_MODBUS, "modbus");
    if (!j)
        return;
    json_modbus(j, tx);
    sn_app_eve_end(w, j);
}

/* Alert metadata: tx_id (Suricata's, the 1-based id less one) and the `modbus` object. */
static void modbus_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                             const void *tx, int dir, struct cs_json *j)
{
    const struct sn_modbus_tx *t = tx;

    (void)w, (void)f, (void)state, (void)dir;
    cs_json_uint(j, "tx_id", t->id ? t->id - 1 : 0);
    json_modbus(j, t);
}

/* ---- PDU parsing ------------------------------------------------------------------------- */

static void set_bytes(struct sn_modbus_msg *m, enum sn_mb_kind kind, const uint8_t *p, uint32_t n)
{
    m->kind = (uint8_t)kind;
    m->data_len = (uint16_t)CS_MIN(n, (uint32_t)SN_MB_MAX_DATA);
    memcpy(m->data, p, m->data_len);
}

/* Request PDU (p[0] is the function code, n >= 1). */
static void parse_request(struct sn_modbus_msg *m, const uint8_t *p, uint32_t n)
{
    const uint8_t *d = p + 1;
    uint32_t dn = n - 1;
    uint8_t f = m->func;

    if (m->func_raw == 0 || (m->func_raw & 0x80))
        m->errors |= SN_MB_ERR_FUNC_CODE;
    switch (f) {
    case 1:
    case 2:
    case 3:
    case 4:
        if (dn != 4)
            goto bad_len;
        m->kind = SN_MB_READ_REQ;
        m->address = cs_get_be16(d);
        m->quantity = cs_get_be16(d + 2);
        if (m->quantity < 1 || m->quantity > (f <= 2 ? 2000 : 125))
            m->errors |= SN_MB_ERR_DATA_VALUE;
        return;
    case 5:
    case 6:
        if (dn != 4)
            goto bad_len;
        m->kind = SN_MB_WRITE;
        m->address = cs_get_be16(d);
        m->value = cs_get_be16(d + 2);
        if (f == 5 && m->value != 0 && m->value != 0xff00)
            m->errors |= SN_MB_ERR_DATA_VALUE;
        return;
    case 15:
    case 16:
        if (dn < 5 || dn != 5u + d[4])
            goto bad_len;
        m->address = cs_get_be16(d);
        m->quantity = cs_get_be16(d + 2);
        set_bytes(m, SN_MB_WRITE_MULT, d + 5, d[4]);
        if (f == 15 ? (m->quantity < 1 || m->quantity > 1968 || d[4] != (m->quantity + 7) / 8)
                    : (m->quantity < 1 || m->quantity > 123 || d[4] != 2 * m->quantity))
            m->errors |= SN_MB_ERR_DATA_VALUE;
        return;
    case 22:
        if (dn != 6)
            goto bad_len;
        m->kind = SN_MB_WRITE_MASK;
        m->address = cs_get_be16(d);
        m->and_mask = cs_get_be16(d + 2);
        m->or_mask = cs_get_be16(d + 4);
        return;
    case 23:
        if (dn < 9 || dn != 9u + d[8])
            goto bad_len;
        m->address = cs_get_be16(d);
        m->quantity = cs_get_be16(d + 2);
        m->waddress = cs_get_be16(d + 4);
        m->wquantity = cs_get_be16(d + 6);
        set_bytes(m, SN_MB_READ_WRITE, d + 9, d[8]);
        if (m->quantity < 1 || m->quantity > 125 || m->wquantity < 1 || m->wquantity > 121 ||
            d[8] != 2 * m->wquantity)
            m->errors |= SN_MB_ERR_DATA_VALUE;
        return;
    case 7:
    case 11:
    case 12:
    case 17:
        if (dn != 0)
            goto bad_len;
        m->kind = SN_MB_EMPTY;
        return;
    case 8:
        if (dn < 2)
            goto bad_len;
        m->sub = cs_get_be16(d);
        set_bytes(m, SN_MB_DIAG, d + 2, dn - 2);
        return;
    case 43:
        if (dn < 1)
            goto bad_len;
        m->sub = d[0];
        set_bytes(m, SN_MB_MEI, d + 1, dn - 1);
        return;
    default:
        if (dn)
            set_bytes(m, SN_MB_BYTES, d, dn);
        return;
    }
bad_len:
    m->errors |= SN_MB_ERR_DATA_LENGTH;
    if (dn)
        set_bytes(m, SN_MB_BYTES, d, dn);
}

/* Response PDU; req is the matching request or NULL. Returns true on a mismatch with it. */
static bool parse_response(struct sn_modbus_msg *m, const uint8_t *p, uint32_t n,
                           const struct sn_modbus_msg *req)
{
    const uint8_t *d = p + 1;
    uint32_t dn = n - 1;
    uint8_t f = m->func;
    bool mismatch = req && req->func != f;

    if (f == 0)
        m->errors |= SN_MB_ERR_FUNC_CODE;
    if (m->func_raw & 0x80) {
        if (dn != 1) {
            m->errors |= SN_MB_ERR_DATA_LENGTH;
            return mismatch;
        }
        m->kind = SN_MB_EXCEPTION;
        m->exc = d[0];
        if (!strcmp(exc_name(m->exc), "Unknown"))
            m->errors |= SN_MB_ERR_EXC_CODE;
        return mismatch;
    }
    switch (f) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 23:
    case 24:
        if (f == 24) {
            if (dn < 2)
                goto bad_len;
            set_bytes(m, SN_MB_READ_RESP, d, dn);
            return mismatch;
        }
        if (dn < 1 || dn != 1u + d[0])
            goto bad_len;
        set_bytes(m, SN_MB_READ_RESP, d + 1, d[0]);
        if (req && !mismatch) {
            uint32_t q = f == 23 ? req->quantity : req->quantity;
            uint32_t want = (f == 1 || f == 2) ? (q + 7) / 8 : 2 * q;
            if (req->kind != SN_MB_READ_REQ && req->kind != SN_MB_READ_WRITE)
                want = d[0];
            mismatch = d[0] != want;
        }
        return mismatch;
    case 5:
    case 6:
    case 15:
    case 16:
        if (dn != 4)
            goto bad_len;
        m->kind = SN_MB_WRITE;
        m->address = cs_get_be16(d);
        m->value = cs_get_be16(d + 2);
        if (req && !mismatch && (req->kind == SN_MB_WRITE || req->kind == SN_MB_WRITE_MULT))
            mismatch = req->address != m->address ||
                       (req->kind == SN_MB_WRITE ? req->value : req->quantity) != m->value;
        return mismatch;
    case 22:
        if (dn != 6)
            goto bad_len;
        m->kind = SN_MB_WRITE_MASK;
        m->address = cs_get_be16(d);
        m->and_mask = cs_get_be16(d + 2);
        m->or_mask = cs_get_be16(d + 4);
        if (req && !mismatch && req->kind == SN_MB_WRITE_MASK)
            mismatch = req->address != m->address || req->and_mask != m->and_mask ||
                       req->or_mask != m->or_mask;
        return mismatch;
    case 8:
        if (dn < 2)
            goto bad_len;
        m->sub = cs_get_be16(d);
        set_bytes(m, SN_MB_DIAG, d + 2, dn - 2);
        if (req && !mismatch && req->kind == SN_MB_DIAG)
            mismatch = req->sub != m->sub;
        return mismatch;
    case 43:
        if (dn < 1)
            goto bad_len;
        m->sub = d[0];
        set_bytes(m, SN_MB_MEI, d + 1, dn - 1);
        return mismatch;
    default:
        if (dn)
            set_bytes(m, SN_MB_BYTES, d, dn);
        return mismatch;
    }
bad_len:
    m->errors |= SN_MB_ERR_DATA_LENGTH;
    if (dn)
        set_bytes(m, SN_MB_BYTES, d, dn);
    return mismatch;
}

static void pend_remove(struct mb_state *s, uint32_t i)
{
    memmove(s->pend + i, s->pend + i + 1, (s->npend - i - 1) * sizeof(*s->pend));
    s->npend--;
}

static void on_request(struct sn_worker *w, struct sn_flow *f, struct mb_state *s,
                       const struct sn_modbus_msg *m)
{
    struct sn_modbus_tx *tx;

    raise_errors(w, f, s, m->errors);
    if (s->npend >= s->flood_limit) {
        if (!s->flooded) {
            s->flooded = true;
            mb_event(w, f, s, "modbus.flooded");
        }
        finish_tx(w, f, s, &s->pend[0]); /* the oldest is logged unanswered */
        pend_remove(s, 0);
    }
    if (s->npend == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        struct sn_modbus_tx *np;
        if (cap > s->flood_limit)
            cap = s->flood_limit;
        np = cs_realloc(s->pend, cap * sizeof(*np));
        if (!np)
            return;
        s->pend = np;
        s->cap = cap;
    }
    tx = &s->pend[s->npend];
    memset(tx, 0, offsetof(struct sn_modbus_tx, req));
    tx->id = ++s->next_id;
    tx->has_req = true;
    tx->has_resp = false;
    tx->req = *m;
    sn_app_detect(w, f, SN_TOSERVER, tx, "modbus");
    if (s->srv_eof) { /* no answer can come any more */
        finish_tx(w, f, s, tx);
        return;
    }
    s->npend++;
}

static void on_response(struct sn_worker *w, struct sn_flow *f, struct mb_state *s,
                        struct sn_modbus_msg *m, const uint8_t *pdu, uint32_t n)
{
    struct sn_modbus_tx tx;
    uint32_t i;

    for (i = 0; i < s->npend && s->pend[i].req.tid != m->tid; i++)
        ;
    if (i == s->npend) {
        parse_response(m, pdu, n, NULL);
        raise_errors(w, f, s, m->errors);
        mb_event(w, f, s, "modbus.unsolicited_response");
        memset(&tx, 0, offsetof(struct sn_modbus_tx, req));
        tx.id = ++s->next_id;
        tx.has_req = false;
        tx.has_resp = true;
        tx.resp = *m;
        sn_app_detect(w, f, SN_TOCLIENT, &tx, "modbus");
        finish_tx(w, f, s, &tx);
        return;
    }
    if (parse_response(m, pdu, n, &s->pend[i].req))
        mb_event(w, f, s, "modbus.value_mismatch");
    raise_errors(w, f, s, m->errors);
    s->pend[i].resp = *m;
    s->pend[i].has_resp = true;
    sn_app_detect(w, f, SN_TOCLIENT, &s->pend[i], "modbus");
    finish_tx(w, f, s, &s->pend[i]);
    pend_remove(s, i);
}

static void flush_pending(struct sn_worker *w, struct sn_flow *f, struct mb_state *s)
{
    for (uint32_t i = 0; i < s->npend; i++)
        finish_tx(w, f, s, &s->pend[i]);
    s->npend = 0;
}

static int modbus_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                        const uint8_t *data, uint32_t len, unsigned flags)
{
    struct mb_state *s = state;
    uint32_t off = 0;

    dir &= 1;
    if (!s->cfg_read) {
        read_cfg(w, s);
        s->req_dir = f->sp == 502 && f->dp != 502 ? SN_TOCLIENT : SN_TOSERVER;
    }
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP)
            s->dead[dir] = false; /* the registry dropped partial bytes: next ADU is whole */
    }
    while (!s->dead[dir] && len - off >= MBAP_LEN + 1) {
        const uint8_t *d = data + off;
        struct sn_modbus_msg m;
        uint16_t mlen = cs_get_be16(d + 4);

        if (mlen < MB_MIN_LEN || mlen > MB_MAX_FRAME) {
            mb_event(w, f, s, "modbus.invalid_length");
            s->dead[dir] = true; /* cannot find the next ADU */
            break;
        }
        if (len - off < MBAP_LEN - 1u + mlen)
            break;
        memset(&m, 0, offsetof(struct sn_modbus_msg, data));
        m.tid = cs_get_be16(d);
        m.pid = cs_get_be16(d + 2);
        m.uid = d[6];
        m.func_raw = d[7];
        m.func = d[7] & 0x7f;
        m.access = func_access(m.func);
        m.category = func_category(m.func);
        if (m.pid != 0)
            m.errors |= SN_MB_ERR_PROTO_ID;
        if (mlen > MB_MAX_LEN) /* framed by its length, but longer than the standard allows */
            m.errors |= SN_MB_ERR_DATA_LENGTH;
        if (dir == s->req_dir) {
            parse_request(&m, d + 7, mlen - 1u);
            on_request(w, f, s, &m);
        } else {
            on_response(w, f, s, &m, d + 7, mlen - 1u);
        }
        off += MBAP_LEN - 1u + mlen;
    }
    if (s->dead[dir] || (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)))
        off = len;
    if ((flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) && dir != s->req_dir) {
        s->srv_eof = true;
        flush_pending(w, f, s);
    }
    return (int)off;
}

const struct sn_app_parser sn_app_modbus = {
    .name = "modbus",
    .ipproto = IPPROTO_TCP,
    .default_ports = "502",
    .eve_type = SN_EVE_MODBUS,
    .probe = modbus_probe,
    .parse = modbus_parse,
    .state_new = modbus_state_new,
    .state_free = modbus_state_free,
    .log_flow = NULL,
    .log_alert = modbus_log_alert,
    .max_state_bytes = 4096,
};
