/* enip.c — EtherNet/IP encapsulation parser (CIP Vol. 2 chapter 2) with a first look at the
 * CIP message carried by SendRRData / SendUnitData (service code, logical path, general and
 * extended status). TCP and UDP on port 44818 (UDP 2222 I/O data has no encapsulation
 * header: not parsed). Encapsulation messages are paired request/response in order; one EVE
 * `enip` record per pair in Suricata's layout, written when the response arrives (or when the
 * flow ends for unanswered requests). */
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"
#include "enip.h"

#include <netinet/in.h>
#include <stdio.h>

#define ENIP_HDR_LEN 24
#define ENIP_MAX_LEN 16384    /* longer length fields are not believed: stop the direction */
#define ENIP_MAX_PENDING 32   /* unanswered requests kept; beyond: too_many_transactions */
#define ENIP_MAX_EVENTS 64    /* anomaly records per flow at most */
#define ENIP_PORT 44818

enum {
    CMD_NOP = 0x00,
    CMD_LIST_SERVICES = 0x04,
    CMD_LIST_IDENTITY = 0x63,
    CMD_LIST_INTERFACES = 0x64,
    CMD_REGISTER_SESSION = 0x65,
    CMD_UNREGISTER_SESSION = 0x66,
    CMD_SEND_RR_DATA = 0x6f,
    CMD_SEND_UNIT_DATA = 0x70,
    CMD_INDICATE_STATUS = 0x72,
    CMD_CANCEL = 0x73,
};

struct enip_state {
    struct sn_enip_tx pend[ENIP_MAX_PENDING]; /* unanswered requests, oldest first */
    uint32_t npend;
    uint32_t nevents;
    bool init, srv_eof, too_many;
    uint8_t req_dir;  /* SN_TOCLIENT when the flow's first packet came from the ENIP port */
    bool dead[2];     /* direction no longer parseable (lying length) */
    struct sn_enip_tx last; /* last finished transaction (for detection) */
    uint64_t next_id;       /* id of the next transaction */
};

/* ---- names ----------------------------------------------------------------------------- */

static const char *cmd_name(uint16_t c)
{
    switch (c) {
    case CMD_NOP:
        return "nop";
    case CMD_LIST_SERVICES:
        return "list_services";
    case CMD_LIST_IDENTITY:
        return "list_identity";
    case CMD_LIST_INTERFACES:
        return "list_interfaces";
    case CMD_REGISTER_SESSION:
        return "register_session";
    case CMD_UNREGISTER_SESSION:
        return "unregister_session";
    case CMD_SEND_RR_DATA:
        return "send_rr_data";
    case CMD_SEND_UNIT_DATA:
        return "send_unit_data";
    case CMD_INDICATE_STATUS:
        return "indicate_status";
    case CMD_CANCEL:
        return "cancel";
    default:
        return NULL;
    }
}

int sn_enip_command_code(const char *name, size_t len)
{
    static const uint16_t codes[] = {CMD_NOP, CMD_LIST_SERVICES, CMD_LIST_IDENTITY,
                                     CMD_LIST_INTERFACES, CMD_REGISTER_SESSION,
                                     CMD_UNREGISTER_SESSION, CMD_SEND_RR_DATA,
                                     CMD_SEND_UNIT_DATA, CMD_INDICATE_STATUS, CMD_CANCEL};
    for (size_t i = 0; i < CS_ARRAY_LEN(codes); i++) {
        const char *n = cmd_name(codes[i]);
        if (strlen(n) == len && strncmp(n, name, len) == 0)
            return codes[i];
    }
    return -1;
}

static const char *status_name(uint32_t s)
{
    switch (s) {
    case 0:
        return "success";
    case 1:
        return "invalid_cmd";
    case 2:
        return "no_resources";
    case 3:
        return "incorrect_data";
    case 0x64:
        return "invalid_session";
    case 0x65:
        return "invalid_length";
    case 0x69:
        return "unsupported_prot_rev";
    case 0x6a:
        return "encap_header_error";
    default:
        return NULL;
    }
}

/* ODVA vendor ids: only the most common one is named; others are logged as numbers. */
static const char *vendor_name(uint16_t v)
{
    return v == 1 ? "Rockwell Automation/Allen-Bradley" : NULL;
}

static const char *device_type_name(uint16_t t)
{
    switch (t) {
    case 0x00:
        return "generic_device";
    case 0x02:
        return "ac_drive";
    case 0x03:
        return "motor_overload";
    case 0x04:
        return "limit_switch";
    case 0x05:
        return "inductive_proximity_switch";
    case 0x06:
        return "photoelectric_sensor";
    case 0x07:
        return "general_purpose_discrete_io";
    case 0x09:
        return "resolver";
    case 0x0c:
        return "communications_adapter";
    case 0x0e:
        return "programmable_logic_controller";
    case 0x10:
        return "position_controller";
    case 0x13:
        return "dc_drive";
    case 0x15:
        return "contactor";
    case 0x16:
        return "motor_starter";
    case 0x17:
        return "soft_start";
    case 0x18:
        return "human_machine_interface";
    case 0x22:
        return "encoder";
    case 0x23:
        return "safety_discrete_io";
    case 0x25:
        return "cip_motion_drive";
    default:
        return NULL;
    }
}

static const char *cip_service_name(uint8_t s, const struct sn_enip_seg *segs, uint8_t nsegs)
{
    uint32_t cls = nsegs && segs[0].type == 0 ? segs[0].value : 0;

    switch (s) {
    case 0x01:
        return "get_attributes_all";
    case 0x02:
        return "set_attributes_all";
    case 0x03:
        return "get_attribute_list";
    case 0x04:
        return "set_attribute_list";
    case 0x05:
        return "reset";
    case 0x06:
        return "start";
    case 0x07:
        return "stop";
    case 0x08:
        return "create";
    case 0x09:
        return "delete";
    case 0x0a:
        return "multiple_service_packet";
    case 0x0d:
        return "apply_attributes";
    case 0x0e:
        return "get_attribute_single";
    case 0x10:
        return "set_attribute_single";
    case 0x11:
        return "find_next_object_instance";
    case 0x15:
        return "restore";
    case 0x16:
        return "save";
    case 0x17:
        return "nop";
    case 0x18:
        return "get_member";
    case 0x19:
        return "set_member";
    default:
        break;
    }
    if (cls == 0x06) { /* connection manager */
        switch (s) {
        case 0x4e:
            return "forward_close";
        case 0x52:
            return "unconnected_send";
        case 0x54:
            return "forward_open";
        case 0x5b:
            return "large_forward_open";
        default:
            break;
        }
    }
    return NULL;
}

static const char *cip_class_name(uint32_t c)
{
    switch (c) {
    case 0x01:
        return "identity";
    case 0x02:
        return "message_router";
    case 0x04:
        return "assembly";
    case 0x06:
        return "connection_manager";
    case 0x37:
        return "file";
    case 0x43:
        return "time_sync";
    case 0x67:
        return "pccc";
    case 0x6b:
        return "symbol";
    case 0x6c:
        return "template";
    case 0x8b:
        return "wall_clock_time";
    case 0xf4:
        return "port";
    case 0xf5:
        return "tcp_ip_interface";
    case 0xf6:
        return "ethernet_link";
    default:
        return NULL;
    }
}

static const char *cip_status_name(uint8_t s)
{
    static const char *const names[] = {
        [0x00] = "success",
        [0x01] = "connection_failure",
        [0x02] = "resource_unavailable",
        [0x03] = "invalid_parameter_value",
        [0x04] = "path_segment_error",
        [0x05] = "path_destination_unknown",
        [0x06] = "partial_transfer",
        [0x07] = "connection_lost",
        [0x08] = "service_not_supported",
        [0x09] = "invalid_attribute_value",
        [0x0a] = "attribute_list_error",
        [0x0b] = "already_in_requested_mode",
        [0x0c] = "object_state_conflict",
        [0x0d] = "object_already_exists",
        [0x0e] = "attribute_not_settable",
        [0x0f] = "privilege_violation",
        [0x10] = "device_state_conflict",
        [0x11] = "reply_data_too_large",
        [0x13] = "not_enough_data",
        [0x14] = "attribute_not_supported",
        [0x15] = "too_much_data",
        [0x16] = "object_does_not_exist",
        [0x1e] = "embedded_service_error",
        [0x26] = "path_size_invalid",
    };
    return s < CS_ARRAY_LEN(names) ? names[s] : NULL;
}

static const char *seg_type_name(uint8_t t)
{
    static const char *const names[] = {"class", "instance", "member", "connection_point",
                                        "attribute", "special", "service_id", "reserved"};
    return names[t & 7];
}

/* ---- state ------------------------------------------------------------------------------ */

static void *enip_state_new(void)
{
    return cs_calloc(1, sizeof(struct enip_state));
}

static void enip_state_free(void *state)
{
    cs_free(state);
}

static void enip_event(struct sn_worker *w, const struct sn_flow *f, struct enip_state *s,
                       const char *name)
{
    if (s->nevents >= ENIP_MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

/* ---- probe ------------------------------------------------------------------------------ */

static enum sn_probe enip_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    uint16_t cmd, mlen;
    uint32_t options;

    (void)dir;
    if (len < ENIP_HDR_LEN)
        return SN_PROBE_MORE;
    cmd = cs_get_le16(d);
    mlen = cs_get_le16(d + 2);
    options = cs_get_le32(d + 20);
    if (!cmd_name(cmd) || mlen > ENIP_MAX_LEN)
        return SN_PROBE_NO;
    if (cmd == CMD_REGISTER_SESSION && mlen != 4)
        return SN_PROBE_NO;
    if (dp == ENIP_PORT)
        return SN_PROBE_YES;
    /* elsewhere: a request-looking header (no status, no options) on a session command */
    if (options != 0 || cs_get_le32(d + 8) != 0 || cmd == CMD_NOP)
        return SN_PROBE_NO;
    return SN_PROBE_YES;
}

/* ---- EVE -------------------------------------------------------------------------------- */

static void json_name_or_num(struct cs_json *j, const char *key, const char *name, uint32_t v)
{
    char buf[16];

    if (!name) {
        snprintf(buf, sizeof(buf), "%u", v);
        name = buf;
    }
    cs_json_str(j, key, name);
}

static void log_service(struct cs_json *j, uint8_t service, const struct sn_enip_seg *segs,
                        uint8_t nsegs)
{
    const char *svc = cip_service_name(service, segs, nsegs);
    char buf[8];

    if (!svc) {
        snprintf(buf, sizeof(buf), "0x%02x", service);
        svc = buf;
    }
    cs_json_str(j, "service", svc);
}

static void log_path(struct cs_json *j, const struct sn_enip_seg *segs, uint8_t nsegs)
{
    if (nsegs && segs[0].type == 0 && cip_class_name(segs[0].value))
        cs_json_str(j, "class_name", cip_class_name(segs[0].value));
    if (!nsegs)
        return;
    cs_json_open_arr(j, "path");
    for (uint8_t i = 0; i < nsegs; i++) {
        cs_json_open(j, NULL);
        cs_json_str(j, "segment_type", seg_type_name(segs[i].type));
        cs_json_uint(j, "value", segs[i].value);
        cs_json_close(j);
    }
    cs_json_close_arr(j);
}

static void log_status(struct cs_json *j, uint8_t status, bool has_ext, uint16_t ext)
{
    char buf[16];

    json_name_or_num(j, "status", cip_status_name(status), status);
    if (has_ext) {
        snprintf(buf, sizeof(buf), "0x%04x", ext);
        cs_json_str(j, "status_extended", buf);
    }
}

static void log_cip(struct cs_json *j, const struct sn_enip_msg *m, bool req)
{
    cs_json_open(j, "cip");
    log_service(j, m->cip_service, m->segs, m->nsegs);
    if (req)
        log_path(j, m->segs, m->nsegs);
    else
        log_status(j, m->cip_status, m->cip_has_ext, m->cip_ext);
    if (m->nmult) {
        cs_json_open_arr(j, "multiple");
        for (uint8_t i = 0; i < m->nmult; i++) {
            const struct sn_enip_sub *e = &m->mult[i];
            cs_json_open(j, NULL);
            log_service(j, e->service, e->segs, e->nsegs);
            if (req)
                log_path(j, e->segs, e->nsegs);
            else
                log_status(j, e->status, e->has_ext, e->ext);
            cs_json_close(j);
        }
        cs_json_close_arr(j);
    }
    cs_json_close(j);
}

static void log_msg(struct cs_json *j, const struct sn_enip_msg *m, bool req)
{
    char buf[16];

    json_name_or_num(j, "command", cmd_name(m->cmd), m->cmd);
    json_name_or_num(j, "status", status_name(m->status), m->status);
    if (m->has_identity) {
        cs_json_open(j, "identity");
        cs_json_uint(j, "protocol_version", m->id_proto);
        snprintf(buf, sizeof(buf), "%u.%u", m->rev_major, m->rev_minor);
        cs_json_str(j, "revision", buf);
        json_name_or_num(j, "vendor_id", vendor_name(m->vendor), m->vendor);
        json_name_or_num(j, "device_type", device_type_name(m->dev_type), m->dev_type);
        cs_json_uint(j, "product_code", m->product_code);
        cs_json_uint(j, "status", m->id_status);
        cs_json_uint(j, "serial", m->serial);
        cs_json_strn(j, "product_name", m->name, m->name_len);
        cs_json_uint(j, "state", m->state);
        cs_json_close(j);
    }
    if (m->has_services) {
        cs_json_open(j, "list_services");
        cs_json_uint(j, "protocol_version", m->svc_proto);
        cs_json_uint(j, "capabilities", m->capabilities);
        cs_json_strn(j, "service_name", m->svc_name, m->svc_name_len);
        cs_json_close(j);
    }
    if (m->has_register) {
        cs_json_open(j, "register_session");
        cs_json_uint(j, "protocol_version", m->reg_proto);
        cs_json_uint(j, "options", m->reg_options);
        cs_json_close(j);
    }
    if (m->has_cip)
        log_cip(j, m, req);
}

/* The `enip` object: request and response as far as they are known. */
static void json_enip(struct cs_json *j, const struct sn_enip_tx *tx)
{
    cs_json_open(j, "enip");
    if (tx->has_req) {
        cs_json_open(j, "request");
        log_msg(j, &tx->req, true);
        cs_json_close(j);
    }
    if (tx->has_resp) {
        cs_json_open(j, "response");
        log_msg(j, &tx->resp, false);
        cs_json_close(j);
    }
    cs_json_close(j);
}

static void finish_tx(struct sn_worker *w, const struct sn_flow *f, struct enip_state *s,
                      const struct sn_enip_tx *tx)
{
    struct cs_json *j;

    s->last = *tx;
    j = sn_app_eve_begin(w, f, SN_EVE_ENIP, "enip");
    if (!j)
        return;
    json_enip(j, tx);
    sn_app_eve_end(w, j);
}

/* Alert metadata: tx_id and the `enip` object of the transaction as it stands. */
static void enip_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                           const void *tx, int dir, struct cs_json *j)
{
    const struct sn_enip_tx *t = tx;

    (void)w, (void)f, (void)state, (void)dir;
    cs_json_uint(j, "tx_id", t->id);
    json_enip(j, t);
}

/* ---- message bodies --------------------------------------------------------------------- */

/* Copies a printable-as-is counted string (n bytes at p) into out (cap bytes). */
static uint8_t copy_name(char *out, size_t cap, const uint8_t *p, uint32_t n)
{
    uint32_t k = n < cap ? n : (uint32_t)cap;

    memcpy(out, p, k);
    return (uint8_t)k;
}

/* ListIdentity response body: item count, then items; the first CIP identity item (0x0c)
 * is decoded. Returns false when the body is inconsistent. */
static bool parse_identity(struct sn_enip_msg *m, const uint8_t *p, uint32_t n)
{
    uint32_t off = 2, cnt;

    if (n < 2)
        return false;
    cnt = cs_get_le16(p);
    for (uint32_t i = 0; i < cnt; i++) {
        uint16_t type, ilen;
        const uint8_t *it;

        if (n - off < 4)
            return false;
        type = cs_get_le16(p + off);
        ilen = cs_get_le16(p + off + 2);
        off += 4;
        if (n - off < ilen)
            return false;
        it = p + off;
        off += ilen;
        /* version 2, sockaddr 16, vendor 2, type 2, code 2, rev 2, status 2, serial 4,
         * name length 1 = 33, then the name and the state byte */
        if (type != 0x0c || m->has_identity)
            continue;
        if (ilen < 33 || ilen < 33u + it[32] + 1u)
            return false;
        m->has_identity = true;
        m->id_proto = cs_get_le16(it);
        m->vendor = cs_get_le16(it + 18);
        m->dev_type = cs_get_le16(it + 20);
        m->product_code = cs_get_le16(it + 22);
        m->rev_major = it[24];
        m->rev_minor = it[25];
        m->id_status = cs_get_le16(it + 26);
        m->serial = cs_get_le32(it + 28);
        m->name_len = copy_name(m->name, sizeof(m->name), it + 33, it[32]);
        m->state = it[33 + it[32]];
    }
    return true;
}

static bool parse_services(struct sn_enip_msg *m, const uint8_t *p, uint32_t n)
{
    uint32_t off = 2, cnt;

    if (n < 2)
        return false;
    cnt = cs_get_le16(p);
    for (uint32_t i = 0; i < cnt; i++) {
        uint16_t type, ilen;
        const uint8_t *it;

        if (n - off < 4)
            return false;
        type = cs_get_le16(p + off);
        ilen = cs_get_le16(p + off + 2);
        off += 4;
        if (n - off < ilen)
            return false;
        it = p + off;
        off += ilen;
        if (type != 0x100 || m->has_services)
            continue;
        if (ilen < 4)
            return false;
        m->has_services = true;
        m->svc_proto = cs_get_le16(it);
        m->capabilities = cs_get_le16(it + 2);
        /* the name is a NUL-padded 16-byte field */
        {
            uint32_t k = 0, avail = ilen - 4u;
            while (k < avail && k < SN_ENIP_SVC_NAME_MAX && it[4 + k])
                k++;
            m->svc_name_len = copy_name(m->svc_name, sizeof(m->svc_name), it + 4, k);
        }
    }
    return true;
}

/* Logical path (size in 16-bit words already applied: n bytes). Stops at the first segment
 * that is not logical; returns false when a segment runs past the path. */
static bool parse_path(struct sn_enip_seg *segs, uint8_t cap, uint8_t *nsegs, const uint8_t *p,
                       uint32_t n)
{
    uint32_t off = 0;

    while (off < n) {
        uint8_t b = p[off];
        uint32_t v;

        if ((b & 0xe0) != 0x20)
            return true; /* port, symbolic, data… segments: not decoded */
        switch (b & 3) {
        case 0:
            if (n - off < 2)
                return false;
            v = p[off + 1];
            off += 2;
            break;
        case 1:
            if (n - off < 4)
                return false;
            v = cs_get_le16(p + off + 2);
            off += 4;
            break;
        case 2:
            if (n - off < 6)
                return false;
            v = cs_get_le32(p + off + 2);
            off += 6;
            break;
        default:
            return false;
        }
        if (*nsegs < cap) {
            segs[*nsegs].type = (uint8_t)((b >> 2) & 7);
            segs[*nsegs].value = v;
            (*nsegs)++;
        }
    }
    return true;
}

/* CIP message router request or response (n >= 1). */
/* One embedded request or response of a multiple service packet (n bytes at p). */
static bool parse_sub(struct sn_enip_sub *e, const uint8_t *p, uint32_t n, bool req)
{
    if (n < 2)
        return false;
    e->service = p[0] & 0x7f;
    if (req)
        return n - 2 >= 2u * p[1] && parse_path(e->segs, SN_ENIP_SUB_SEGS, &e->nsegs, p + 2,
                                                 2u * p[1]);
    if (n < 4)
        return false;
    e->status = p[2];
    if (p[3]) {
        if (n - 4 < 2u * p[3])
            return false;
        e->has_ext = true;
        e->ext = cs_get_le16(p + 4);
    }
    return true;
}

/* Multiple service packet data: count, offsets from the count field, the services. */
static bool parse_multiple(struct sn_enip_msg *m, const uint8_t *p, uint32_t n, bool req)
{
    uint32_t cnt;

    if (n < 2)
        return false;
    cnt = cs_get_le16(p);
    if (cnt == 0 || n < 2 + 2 * cnt)
        return false;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t start = cs_get_le16(p + 2 + 2 * i);
        uint32_t end = i + 1 < cnt ? cs_get_le16(p + 4 + 2 * i) : n;

        if (start < 2 + 2 * cnt || start >= end || end > n)
            return false;
        if (m->nmult < SN_ENIP_MAX_MULT) {
            if (!parse_sub(&m->mult[m->nmult], p + start, end - start, req))
                return false;
            m->nmult++;
        }
    }
    return true;
}

/* CIP message router request or response (n >= 1). */
static bool parse_cip(struct sn_enip_msg *m, const uint8_t *p, uint32_t n, bool req)
{
    uint32_t hl;

    m->has_cip = true;
    m->cip_service = p[0] & 0x7f;
    if (req) {
        if (n < 2)
            return false;
        hl = 2u + 2u * p[1];
        if (n < hl || !parse_path(m->segs, SN_ENIP_MAX_SEGS, &m->nsegs, p + 2, hl - 2))
            return false;
    } else {
        if (n < 4)
            return false;
        m->cip_status = p[2];
        hl = 4u + 2u * p[3];
        if (n < hl)
            return false;
        if (p[3]) {
            m->cip_has_ext = true;
            m->cip_ext = cs_get_le16(p + 4);
        }
    }
    if (m->cip_service == 0x0a && (req || m->cip_status == 0 || m->cip_status == 0x1e))
        return parse_multiple(m, p + hl, n - hl, req);
    return true;
}

/* SendRRData / SendUnitData body: interface handle, timeout, common packet format items;
 * the data item (0xb2 unconnected, 0xb1 connected with its sequence count) holds CIP. */
static bool parse_cpf(struct sn_enip_msg *m, const uint8_t *p, uint32_t n, bool req)
{
    uint32_t off = 8, cnt;

    if (n < 8)
        return false;
    cnt = cs_get_le16(p + 6);
    for (uint32_t i = 0; i < cnt; i++) {
        uint16_t type, ilen;
        const uint8_t *it;

        if (n - off < 4)
            return false;
        type = cs_get_le16(p + off);
        ilen = cs_get_le16(p + off + 2);
        off += 4;
        if (n - off < ilen)
            return false;
        it = p + off;
        off += ilen;
        if (m->has_cip)
            continue;
        if (type == 0xb2 && ilen >= 1) {
            if (!parse_cip(m, it, ilen, req))
                return false;
        } else if (type == 0xb1 && ilen >= 3) {
            if (!parse_cip(m, it + 2, ilen - 2u, req))
                return false;
        }
    }
    return true;
}

/* Decodes the body of message m (n bytes at p). Returns false when malformed. */
static bool parse_body(struct sn_enip_msg *m, const uint8_t *p, uint32_t n, bool req)
{
    switch (m->cmd) {
    case CMD_LIST_IDENTITY:
        return req ? true : parse_identity(m, p, n);
    case CMD_LIST_SERVICES:
        return req ? true : parse_services(m, p, n);
    case CMD_REGISTER_SESSION:
        if (n != 4)
            return false;
        m->has_register = true;
        m->reg_proto = cs_get_le16(p);
        m->reg_options = cs_get_le16(p + 2);
        return true;
    case CMD_SEND_RR_DATA:
    case CMD_SEND_UNIT_DATA:
        if (m->status != 0 && n == 0)
            return true; /* error replies may carry no body */
        return parse_cpf(m, p, n, req);
    default:
        return true;
    }
}

/* ---- transactions ----------------------------------------------------------------------- */

static void on_request(struct sn_worker *w, struct sn_flow *f, struct enip_state *s,
                       const struct sn_enip_msg *m)
{
    struct sn_enip_tx *tx;

    if (s->srv_eof || m->cmd == CMD_UNREGISTER_SESSION || m->cmd == CMD_NOP) {
        struct sn_enip_tx one = {.id = s->next_id++, .has_req = true, .req = *m};
        sn_app_detect(w, f, SN_TOSERVER, &one, "enip");
        finish_tx(w, f, s, &one); /* no reply will come */
        return;
    }
    if (s->npend == ENIP_MAX_PENDING) {
        if (!s->too_many) {
            s->too_many = true;
            enip_event(w, f, s, "enip.too_many_transactions");
        }
        finish_tx(w, f, s, &s->pend[0]); /* the oldest is logged unanswered */
        memmove(s->pend, s->pend + 1, (s->npend - 1) * sizeof(*s->pend));
        s->npend--;
    }
    tx = &s->pend[s->npend++];
    tx->id = s->next_id++;
    tx->has_req = true;
    tx->has_resp = false;
    tx->req = *m;
    sn_app_detect(w, f, SN_TOSERVER, tx, "enip");
}

static void on_response(struct sn_worker *w, struct sn_flow *f, struct enip_state *s,
                        const struct sn_enip_msg *m)
{
    uint32_t i;

    for (i = 0; i < s->npend && s->pend[i].req.cmd != m->cmd; i++)
        ;
    if (i == s->npend) {
        struct sn_enip_tx one = {.id = s->next_id++, .has_resp = true, .resp = *m};
        sn_app_detect(w, f, SN_TOCLIENT, &one, "enip");
        finish_tx(w, f, s, &one);
        return;
    }
    s->pend[i].resp = *m;
    s->pend[i].has_resp = true;
    sn_app_detect(w, f, SN_TOCLIENT, &s->pend[i], "enip");
    finish_tx(w, f, s, &s->pend[i]);
    memmove(s->pend + i, s->pend + i + 1, (s->npend - i - 1) * sizeof(*s->pend));
    s->npend--;
}

static void flush_pending(struct sn_worker *w, const struct sn_flow *f, struct enip_state *s)
{
    for (uint32_t i = 0; i < s->npend; i++)
        finish_tx(w, f, s, &s->pend[i]);
    s->npend = 0;
}

static int enip_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                      const uint8_t *data, uint32_t len, unsigned flags)
{
    struct enip_state *s = state;
    uint32_t off = 0;
    bool ending = (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) != 0;

    dir &= 1;
    if (!s->init) {
        s->init = true;
        s->req_dir = f->sp == ENIP_PORT && f->dp != ENIP_PORT
                         ? SN_TOCLIENT
                         : SN_TOSERVER;
    }
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP)
            s->dead[dir] = false; /* the registry dropped partial bytes: resynchronise */
    }
    while (!s->dead[dir] && len - off >= ENIP_HDR_LEN) {
        const uint8_t *d = data + off;
        struct sn_enip_msg m;
        bool req = dir == s->req_dir;

        memset(&m, 0, sizeof(m));
        m.cmd = cs_get_le16(d);
        m.len = cs_get_le16(d + 2);
        m.session = cs_get_le32(d + 4);
        m.status = cs_get_le32(d + 8);
        m.options = cs_get_le32(d + 20);
        if (m.len > ENIP_MAX_LEN || !cmd_name(m.cmd)) {
            enip_event(w, f, s, "enip.invalid_pdu");
            s->dead[dir] = true; /* cannot find the next message */
            break;
        }
        if (len - off < ENIP_HDR_LEN + (uint32_t)m.len)
            break;
        if (!parse_body(&m, d + ENIP_HDR_LEN, m.len, req))
            enip_event(w, f, s, "enip.invalid_pdu");
        if (req)
            on_request(w, f, s, &m);
        else
            on_response(w, f, s, &m);
        off += ENIP_HDR_LEN + (uint32_t)m.len;
    }
    if ((flags & SN_APP_DATAGRAM) && off < len && !s->dead[dir])
        enip_event(w, f, s, "enip.invalid_pdu"); /* truncated datagram */
    if (flags & SN_APP_DATAGRAM)
        s->dead[dir] = false; /* every datagram starts a message */
    if (s->dead[dir] || ending || (flags & SN_APP_DATAGRAM))
        off = len;
    if (ending && (int)dir != s->req_dir) {
        s->srv_eof = true;
        flush_pending(w, f, s);
    }
    if (ending && f->proto == IPPROTO_UDP)
        flush_pending(w, f, s);
    return (int)off;
}

const struct sn_app_parser sn_app_enip = {
    .name = "enip",
    .ipproto = 0,
    .default_ports = "44818",
    .eve_type = SN_EVE_ENIP,
    .probe = enip_probe,
    .parse = enip_parse,
    .state_new = enip_state_new,
    .state_free = enip_state_free,
    .log_flow = NULL,
    .log_alert = enip_log_alert,
    .max_state_bytes = ENIP_HDR_LEN + ENIP_MAX_LEN,
};
