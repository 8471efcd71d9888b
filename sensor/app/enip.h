/* enip.h — the EtherNet/IP parser's messages and transactions, for detection and tests.
 *
 * A transaction pairs an encapsulation request with its response (same command, in order).
 * The detection hook (app.h) gets a struct sn_enip_tx * for each request (to-server, while it
 * waits for its reply) and each response (to-client, before the record is written); it is
 * valid during the call only. Everything runs on the flow's worker. */
#ifndef SN_APP_ENIP_H
#define SN_APP_ENIP_H

#include "../sn_types.h"

#define SN_ENIP_NAME_MAX 32      /* product name bytes kept */
#define SN_ENIP_SVC_NAME_MAX 16  /* service name bytes kept */
#define SN_ENIP_MAX_SEGS 6       /* logical path segments kept */
#define SN_ENIP_MAX_MULT 8       /* services of a multiple service packet kept */
#define SN_ENIP_SUB_SEGS 3       /* logical path segments kept per embedded service */

/* one logical path segment: type 0 class, 1 instance, 2 member, 3 connection point,
 * 4 attribute */
struct sn_enip_seg {
    uint8_t type;
    uint32_t value;
};

/* one service embedded in a multiple service packet */
struct sn_enip_sub {
    uint8_t service;
    uint8_t status;
    bool has_ext;
    uint16_t ext;
    uint8_t nsegs;
    struct sn_enip_seg segs[SN_ENIP_SUB_SEGS];
};

/* One encapsulation message with what was decoded from it. The fields a rule inspects
 * (command, status, identity, protocol version, CIP service/class/instance/attribute and
 * status) are plain members here. */
struct sn_enip_msg {
    uint16_t cmd;
    uint16_t len;
    uint32_t session;
    uint32_t status;
    uint32_t options;
    bool has_identity, has_services, has_register, has_cip;
    /* ListIdentity response (first identity item) */
    uint16_t id_proto, vendor, dev_type, product_code, id_status;
    uint8_t rev_major, rev_minor, state;
    uint32_t serial;
    uint8_t name_len;
    char name[SN_ENIP_NAME_MAX];
    /* ListServices response (first item) */
    uint16_t svc_proto, capabilities;
    uint8_t svc_name_len;
    char svc_name[SN_ENIP_SVC_NAME_MAX];
    /* RegisterSession */
    uint16_t reg_proto, reg_options;
    /* CIP */
    uint8_t cip_service;  /* without the response bit */
    uint8_t cip_status;   /* general status (responses) */
    bool cip_has_ext;
    uint16_t cip_ext;     /* first extended status word */
    uint8_t nsegs;
    struct sn_enip_seg segs[SN_ENIP_MAX_SEGS];
    uint8_t nmult;        /* multiple service packet members (first SN_ENIP_MAX_MULT) */
    struct sn_enip_sub mult[SN_ENIP_MAX_MULT];
};

struct sn_enip_tx {
    uint64_t id; /* 0-based, per flow, in order of creation (Suricata's tx_id) */
    bool has_req, has_resp;
    struct sn_enip_msg req, resp;
};

/* Encapsulation command code of a name as Suricata logs it ("list_identity"), or -1. */
int sn_enip_command_code(const char *name, size_t len);

#endif
