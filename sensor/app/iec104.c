/* iec104.c — IEC 60870-5-104 over TCP (IEC 60870-5-104 ed. 2, ASDUs of IEC 60870-5-101):
 * APCI frames (start 0x68, length, 4-octet control field: I frames with send/receive
 * sequence numbers, S frames, U frames STARTDT/STOPDT/TESTFR act/con) and the ASDU of I
 * frames (type identification, variable structure qualifier, cause of transmission with its
 * P/N and T bits, originator address, common address, information objects with their values,
 * quality descriptors and CP24/CP56Time2a time tags for the common types).
 *
 * One EVE `iec104` record per APDU (an I frame carries exactly one ASDU, so this is also one
 * record per ASDU; S and U frames are logged too: they are small and rare). Length fields are
 * never believed beyond the 253 octets the standard allows; a bad start byte or length makes
 * the parser resynchronise on the next 0x68. */
#include "iec104.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../detect/detect.h"
#include "../stream/stream.h"
#include "app.h"

#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define IEC104_PORT 2404
#define APCI_START 0x68
#define APCI_MIN_LEN 4   /* control field only (S and U frames) */
#define APCI_MAX_LEN 253 /* IEC 60870-5-104 §5: at most 253 octets after the length */
#define ASDU_HDR 6       /* type, VSQ, COT (2), common address (2) */
#define IOA_LEN 3
#define MAX_EVENTS 256 /* anomaly records per flow at most */

struct iec104_state {
    struct sn_iec104_apdu cur; /* the APDU being logged / inspected */
    uint16_t next_tx[2];       /* expected N(S) per direction */
    bool seq_known[2];
    bool resync[2]; /* looking for a start byte: one event per resync */
    uint32_t nevents;
};

/* ---- names ------------------------------------------------------------------------------ */

enum kind {
    K_RAW = 0, /* logged as hex */
    K_SIQ,     /* single-point information with quality */
    K_DIQ,     /* double-point information with quality */
    K_VTI,     /* step position + QDS */
    K_BSI,     /* bitstring of 32 bits + QDS */
    K_NVA,     /* normalised value + QDS */
    K_SVA,     /* scaled value + QDS */
    K_FLT,     /* short floating point + QDS */
    K_NVA_NQ,  /* normalised value without quality */
    K_BCR,     /* binary counter reading */
    K_SCO,     /* single command */
    K_DCO,     /* double command */
    K_RCO,     /* regulating step command */
    K_SE_NVA,  /* set-point normalised + QOS */
    K_SE_SVA,  /* set-point scaled + QOS */
    K_SE_FLT,  /* set-point short float + QOS */
    K_BO,      /* bitstring command */
    K_QUAL,    /* one qualifier octet (COI, QOI, QCC, QRP, QPA) */
    K_PM_NVA,  /* parameter normalised + QPM */
    K_PM_SVA,  /* parameter scaled + QPM */
    K_PM_FLT,  /* parameter short float + QPM */
    K_NONE,    /* no element besides the IOA (and the time tag) */
};

struct type_spec {
    uint8_t id;
    const char *name;
    uint8_t size; /* element octets after the IOA, without the time tag; 0xff: variable */
    uint8_t kind; /* enum kind */
    uint8_t time; /* 0, 3 (CP24Time2a) or 7 (CP56Time2a) */
    const char *qual; /* K_QUAL: EVE key of the qualifier */
};

static const struct type_spec types[] = {
    {1, "M_SP_NA_1", 1, K_SIQ, 0, NULL},     {2, "M_SP_TA_1", 1, K_SIQ, 3, NULL},
    {3, "M_DP_NA_1", 1, K_DIQ, 0, NULL},     {4, "M_DP_TA_1", 1, K_DIQ, 3, NULL},
    {5, "M_ST_NA_1", 2, K_VTI, 0, NULL},     {6, "M_ST_TA_1", 2, K_VTI, 3, NULL},
    {7, "M_BO_NA_1", 5, K_BSI, 0, NULL},     {8, "M_BO_TA_1", 5, K_BSI, 3, NULL},
    {9, "M_ME_NA_1", 3, K_NVA, 0, NULL},     {10, "M_ME_TA_1", 3, K_NVA, 3, NULL},
    {11, "M_ME_NB_1", 3, K_SVA, 0, NULL},    {12, "M_ME_TB_1", 3, K_SVA, 3, NULL},
    {13, "M_ME_NC_1", 5, K_FLT, 0, NULL},    {14, "M_ME_TC_1", 5, K_FLT, 3, NULL},
    {15, "M_IT_NA_1", 5, K_BCR, 0, NULL},    {16, "M_IT_TA_1", 5, K_BCR, 3, NULL},
    {17, "M_EP_TA_1", 3, K_RAW, 3, NULL},    {18, "M_EP_TB_1", 4, K_RAW, 3, NULL},
    {19, "M_EP_TC_1", 4, K_RAW, 3, NULL},    {20, "M_PS_NA_1", 5, K_RAW, 0, NULL},
    {21, "M_ME_ND_1", 2, K_NVA_NQ, 0, NULL}, {30, "M_SP_TB_1", 1, K_SIQ, 7, NULL},
    {31, "M_DP_TB_1", 1, K_DIQ, 7, NULL},    {32, "M_ST_TB_1", 2, K_VTI, 7, NULL},
    {33, "M_BO_TB_1", 5, K_BSI, 7, NULL},    {34, "M_ME_TD_1", 3, K_NVA, 7, NULL},
    {35, "M_ME_TE_1", 3, K_SVA, 7, NULL},    {36, "M_ME_TF_1", 5, K_FLT, 7, NULL},
    {37, "M_IT_TB_1", 5, K_BCR, 7, NULL},    {38, "M_EP_TD_1", 3, K_RAW, 7, NULL},
    {39, "M_EP_TE_1", 4, K_RAW, 7, NULL},    {40, "M_EP_TF_1", 4, K_RAW, 7, NULL},
    {45, "C_SC_NA_1", 1, K_SCO, 0, NULL},    {46, "C_DC_NA_1", 1, K_DCO, 0, NULL},
    {47, "C_RC_NA_1", 1, K_RCO, 0, NULL},    {48, "C_SE_NA_1", 3, K_SE_NVA, 0, NULL},
    {49, "C_SE_NB_1", 3, K_SE_SVA, 0, NULL}, {50, "C_SE_NC_1", 5, K_SE_FLT, 0, NULL},
    {51, "C_BO_NA_1", 4, K_BO, 0, NULL},     {58, "C_SC_TA_1", 1, K_SCO, 7, NULL},
    {59, "C_DC_TA_1", 1, K_DCO, 7, NULL},    {60, "C_RC_TA_1", 1, K_RCO, 7, NULL},
    {61, "C_SE_TA_1", 3, K_SE_NVA, 7, NULL}, {62, "C_SE_TB_1", 3, K_SE_SVA, 7, NULL},
    {63, "C_SE_TC_1", 5, K_SE_FLT, 7, NULL}, {64, "C_BO_TA_1", 4, K_BO, 7, NULL},
    {70, "M_EI_NA_1", 1, K_QUAL, 0, "coi"},  {100, "C_IC_NA_1", 1, K_QUAL, 0, "qoi"},
    {101, "C_CI_NA_1", 1, K_QUAL, 0, "qcc"}, {102, "C_RD_NA_1", 0, K_NONE, 0, NULL},
    {103, "C_CS_NA_1", 0, K_NONE, 7, NULL},  {104, "C_TS_NA_1", 2, K_RAW, 0, NULL},
    {105, "C_RP_NA_1", 1, K_QUAL, 0, "qrp"}, {106, "C_CD_NA_1", 2, K_RAW, 0, NULL},
    {107, "C_TS_TA_1", 2, K_RAW, 7, NULL},   {110, "P_ME_NA_1", 3, K_PM_NVA, 0, NULL},
    {111, "P_ME_NB_1", 3, K_PM_SVA, 0, NULL}, {112, "P_ME_NC_1", 5, K_PM_FLT, 0, NULL},
    {113, "P_AC_NA_1", 1, K_QUAL, 0, "qpa"}, {120, "F_FR_NA_1", 6, K_RAW, 0, NULL},
    {121, "F_SR_NA_1", 7, K_RAW, 0, NULL},   {122, "F_SC_NA_1", 4, K_RAW, 0, NULL},
    {123, "F_LS_NA_1", 5, K_RAW, 0, NULL},   {124, "F_AF_NA_1", 4, K_RAW, 0, NULL},
    {125, "F_SG_NA_1", 0xff, K_RAW, 0, NULL}, {126, "F_DR_TA_1", 6, K_RAW, 7, NULL},
    {127, "F_SC_NB_1", 16, K_RAW, 0, NULL},
};

static const struct type_spec *type_spec(uint8_t id)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(types); i++)
        if (types[i].id == id)
            return &types[i];
    return NULL;
}

const char *sn_iec104_type_name(uint8_t type_id)
{
    const struct type_spec *t = type_spec(type_id);
    return t ? t->name : NULL;
}

int sn_iec104_type_lookup(const char *name)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(types); i++)
        if (strcasecmp(types[i].name, name) == 0)
            return types[i].id;
    return -1;
}

/* Causes of transmission by their IEC 60870-5-101 mnemonics, lower case. */
static const char *const cot_names[64] = {
    [1] = "percyc",    [2] = "back",      [3] = "spont",     [4] = "init",
    [5] = "req",       [6] = "act",       [7] = "actcon",    [8] = "deact",
    [9] = "deactcon",  [10] = "actterm",  [11] = "retrem",   [12] = "retloc",
    [13] = "file",     [20] = "inrogen",  [21] = "inro1",    [22] = "inro2",
    [23] = "inro3",    [24] = "inro4",    [25] = "inro5",    [26] = "inro6",
    [27] = "inro7",    [28] = "inro8",    [29] = "inro9",    [30] = "inro10",
    [31] = "inro11",   [32] = "inro12",   [33] = "inro13",   [34] = "inro14",
    [35] = "inro15",   [36] = "inro16",   [37] = "reqcogen", [38] = "reqco1",
    [39] = "reqco2",   [40] = "reqco3",   [41] = "reqco4",   [44] = "uknown_type",
    [45] = "uknown_cause", [46] = "uknown_asdu_address", [47] = "uknown_object_address",
};

const char *sn_iec104_cot_name(uint8_t cot)
{
    return cot < CS_ARRAY_LEN(cot_names) ? cot_names[cot] : NULL;
}

int sn_iec104_cot_lookup(const char *name)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(cot_names); i++)
        if (cot_names[i] && strcasecmp(cot_names[i], name) == 0)
            return (int)i;
    return -1;
}

static const char *u_name(uint8_t cf1)
{
    switch (cf1) {
    case SN_IEC104_STARTDT_ACT:
        return "STARTDT_ACT";
    case SN_IEC104_STARTDT_CON:
        return "STARTDT_CON";
    case SN_IEC104_STOPDT_ACT:
        return "STOPDT_ACT";
    case SN_IEC104_STOPDT_CON:
        return "STOPDT_CON";
    case SN_IEC104_TESTFR_ACT:
        return "TESTFR_ACT";
    case SN_IEC104_TESTFR_CON:
        return "TESTFR_CON";
    default:
        return NULL;
    }
}

/* ---- probe / state ---------------------------------------------------------------------- */

static enum sn_probe iec104_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    (void)dir;
    if (len >= 1 && d[0] != APCI_START)
        return SN_PROBE_NO;
    if (len >= 2 && (d[1] < APCI_MIN_LEN || d[1] > APCI_MAX_LEN))
        return SN_PROBE_NO;
    if (len < 6)
        return SN_PROBE_MORE;
    if ((d[2] & 3) == SN_IEC104_U) {
        if (d[1] != APCI_MIN_LEN || !u_name(d[2]) || d[3] || d[4] || d[5])
            return SN_PROBE_NO;
        return SN_PROBE_YES;
    }
    if ((d[2] & 3) == SN_IEC104_S) {
        if (d[1] != APCI_MIN_LEN || d[2] != 1 || d[3] || (d[4] & 1))
            return SN_PROBE_NO;
        return dp == IEC104_PORT ? SN_PROBE_YES : SN_PROBE_NO;
    }
    /* I frame: an ASDU header with a known type and a cause in range */
    if (d[1] < APCI_MIN_LEN + ASDU_HDR || (d[4] & 1))
        return SN_PROBE_NO;
    if (len < 9)
        return SN_PROBE_MORE;
    if (!type_spec(d[6]) || (d[8] & 0x3f) == 0)
        return dp == IEC104_PORT ? SN_PROBE_YES : SN_PROBE_NO;
    return SN_PROBE_YES;
}

static void *iec104_state_new(void)
{
    return cs_calloc(1, sizeof(struct iec104_state));
}

static void iec104_state_free(void *state)
{
    cs_free(state);
}

static void ev(struct sn_worker *w, const struct sn_flow *f, struct iec104_state *s,
               const char *name)
{
    if (s->nevents >= MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

/* ---- EVE helpers -------------------------------------------------------------------------- */

static void json_float(struct cs_json *j, const char *key, float v)
{
    char tmp[32];
    int n;

    if (!isfinite(v)) {
        cs_json_null(j, key);
        return;
    }
    n = snprintf(tmp, sizeof(tmp), "%.7g", (double)v);
    if (n > 0 && (size_t)n < sizeof(tmp))
        cs_json_raw(j, key, tmp, (size_t)n);
}

static void json_hex(struct cs_json *j, const char *key, const uint8_t *p, uint32_t n)
{
    char tmp[2 * 256 + 1];
    static const char hx[] = "0123456789abcdef";

    n = CS_MIN(n, 256u);
    for (uint32_t i = 0; i < n; i++) {
        tmp[2 * i] = hx[p[i] >> 4];
        tmp[2 * i + 1] = hx[p[i] & 15];
    }
    cs_json_strn(j, key, tmp, 2 * (size_t)n);
}

/* Quality bits common to SIQ, DIQ and QDS (OV only in QDS). */
static void json_quality(struct cs_json *j, uint8_t q, bool has_ov)
{
    if (has_ov)
        cs_json_bool(j, "ov", q & 0x01);
    cs_json_bool(j, "bl", q & 0x10);
    cs_json_bool(j, "sb", q & 0x20);
    cs_json_bool(j, "nt", q & 0x40);
    cs_json_bool(j, "iv", q & 0x80);
}

/* CP56Time2a: ms (2, incl. seconds), minute (IV bit 7), hour (SU bit 7), day of month (day
 * of week in bits 5..7), month, year (0..99, taken as 20yy). */
static void json_cp56(struct cs_json *j, const uint8_t *p)
{
    char tmp[40];
    unsigned ms = cs_get_le16(p);

    snprintf(tmp, sizeof(tmp), "%04u-%02u-%02uT%02u:%02u:%02u.%03u", 2000u + (p[6] & 0x7f),
             p[5] & 0x0fu, p[4] & 0x1fu, p[3] & 0x1fu, p[2] & 0x3fu, ms / 1000, ms % 1000);
    cs_json_str(j, "time", tmp);
    if (p[2] & 0x80)
        cs_json_bool(j, "time_invalid", true);
    if (p[3] & 0x80)
        cs_json_bool(j, "time_summer", true);
}

static void json_cp24(struct cs_json *j, const uint8_t *p)
{
    cs_json_uint(j, "time_minute", p[2] & 0x3fu);
    cs_json_uint(j, "time_ms", cs_get_le16(p));
    if (p[2] & 0x80)
        cs_json_bool(j, "time_invalid", true);
}

static float get_float(const uint8_t *p)
{
    uint32_t u = cs_get_le32(p);
    float v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* One information element e[0..size+time) of type t. */
static void json_element(struct cs_json *j, const struct type_spec *t, const uint8_t *e)
{
    switch (t->kind) {
    case K_SIQ:
        cs_json_uint(j, "value", e[0] & 1u);
        json_quality(j, e[0], false);
        break;
    case K_DIQ:
        cs_json_uint(j, "value", e[0] & 3u);
        json_quality(j, e[0], false);
        break;
    case K_VTI:
        cs_json_int(j, "value", (int8_t)(uint8_t)(e[0] << 1) >> 1);
        cs_json_bool(j, "transient", e[0] & 0x80);
        json_quality(j, e[1], true);
        break;
    case K_BSI:
        cs_json_uint(j, "value", cs_get_le32(e));
        json_quality(j, e[4], true);
        break;
    case K_NVA:
    case K_NVA_NQ:
        cs_json_double(j, "value", (int16_t)cs_get_le16(e) / 32768.0);
        if (t->kind == K_NVA)
            json_quality(j, e[2], true);
        break;
    case K_SVA:
        cs_json_int(j, "value", (int16_t)cs_get_le16(e));
        json_quality(j, e[2], true);
        break;
    case K_FLT:
        json_float(j, "value", get_float(e));
        json_quality(j, e[4], true);
        break;
    case K_BCR:
        cs_json_int(j, "value", (int32_t)cs_get_le32(e));
        cs_json_uint(j, "sequence", e[4] & 0x1fu);
        cs_json_bool(j, "carry", e[4] & 0x20);
        cs_json_bool(j, "adjusted", e[4] & 0x40);
        cs_json_bool(j, "iv", e[4] & 0x80);
        break;
    case K_SCO:
    case K_DCO:
    case K_RCO:
        cs_json_uint(j, "value", e[0] & (t->kind == K_SCO ? 1u : 3u));
        cs_json_uint(j, "qu", (e[0] >> 2) & 0x1fu);
        cs_json_bool(j, "select", e[0] & 0x80);
        break;
    case K_SE_NVA:
    case K_SE_SVA:
    case K_SE_FLT:
    case K_PM_NVA:
    case K_PM_SVA:
    case K_PM_FLT: {
        uint8_t q = t->kind == K_SE_FLT || t->kind == K_PM_FLT ? e[4] : e[2];
        if (t->kind == K_SE_NVA || t->kind == K_PM_NVA)
            cs_json_double(j, "value", (int16_t)cs_get_le16(e) / 32768.0);
        else if (t->kind == K_SE_SVA || t->kind == K_PM_SVA)
            cs_json_int(j, "value", (int16_t)cs_get_le16(e));
        else
            json_float(j, "value", get_float(e));
        if (t->kind >= K_PM_NVA) {
            cs_json_uint(j, "qpm", q);
        } else {
            cs_json_uint(j, "ql", q & 0x7fu);
            cs_json_bool(j, "select", q & 0x80);
        }
        break;
    }
    case K_BO:
        cs_json_uint(j, "value", cs_get_le32(e));
        break;
    case K_QUAL:
        cs_json_uint(j, t->qual, e[0]);
        break;
    case K_NONE:
        break;
    default:
        if (t->size)
            json_hex(j, "raw", e, t->size);
        break;
    }
    if (t->time == 7)
        json_cp56(j, e + t->size);
    else if (t->time == 3)
        json_cp24(j, e + t->size);
}

/* ---- ASDU ----------------------------------------------------------------------------------- */

enum { E_COT = 1, E_TYPE = 2, E_ASDU_LEN = 4, E_CTRL = 8, E_SEQ = 16 };

/* Decodes the ASDU a[0..n) (n >= ASDU_HDR) into m (header, IOAs) and, when j is not NULL,
 * writes it into the record. Returns the E_* bits of its anomalies. */
static unsigned parse_asdu(struct sn_iec104_apdu *m, const uint8_t *a, uint32_t n,
                           struct cs_json *j)
{
    const struct type_spec *t;
    uint32_t esz, need, off = ASDU_HDR;
    unsigned e = 0;
    uint8_t nobj;

    m->has_asdu = true;
    m->nioa = 0;
    m->type_id = a[0];
    m->sq = a[1] & 0x80;
    m->num = a[1] & 0x7f;
    m->cot = a[2] & 0x3f;
    m->negative = a[2] & 0x40;
    m->test = a[2] & 0x80;
    m->originator = a[3];
    m->common_addr = cs_get_le16(a + 4);
    t = type_spec(m->type_id);
    if (j) {
        const char *cn = sn_iec104_cot_name(m->cot);
        cs_json_open(j, "asdu");
        cs_json_uint(j, "type_id", m->type_id);
        if (t)
            cs_json_str(j, "type", t->name);
        cs_json_bool(j, "sq", m->sq);
        cs_json_uint(j, "num_objects", m->num);
        cs_json_uint(j, "cot", m->cot);
        if (cn)
            cs_json_str(j, "cot_name", cn);
        cs_json_bool(j, "negative", m->negative);
        cs_json_bool(j, "test", m->test);
        cs_json_uint(j, "originator", m->originator);
        cs_json_uint(j, "common_address", m->common_addr);
    }
    if (!sn_iec104_cot_name(m->cot))
        e |= E_COT;
    if (!t) {
        e |= E_TYPE;
        goto out;
    }
    if (m->num == 0) {
        if (n != ASDU_HDR)
            e |= E_ASDU_LEN;
        goto out;
    }
    if (t->size == 0xff) { /* variable element: the first IOA is all we can frame */
        if (n >= ASDU_HDR + IOA_LEN) {
            m->ioa[0] = a[6] | (uint32_t)a[7] << 8 | (uint32_t)a[8] << 16;
            m->nioa = 1;
            if (j) {
                cs_json_open_arr(j, "objects");
                cs_json_open(j, NULL);
                cs_json_uint(j, "ioa", m->ioa[0]);
                json_hex(j, "raw", a + 9, n - 9);
                cs_json_close(j);
                cs_json_close_arr(j);
            }
        } else {
            e |= E_ASDU_LEN;
        }
        goto out;
    }
    esz = (uint32_t)t->size + t->time;
    need = m->sq ? IOA_LEN + m->num * esz : m->num * (IOA_LEN + esz);
    if (n - ASDU_HDR != need)
        e |= E_ASDU_LEN;
    if (j)
        cs_json_open_arr(j, "objects");
    for (nobj = 0; nobj < m->num; nobj++) {
        uint32_t ioa;
        if (!m->sq || nobj == 0) {
            if (n - off < IOA_LEN)
                break;
            ioa = a[off] | (uint32_t)a[off + 1] << 8 | (uint32_t)a[off + 2] << 16;
            off += IOA_LEN;
        } else {
            ioa = (m->ioa[0] + nobj) & 0xffffff;
        }
        if (n - off < esz)
            break;
        m->ioa[m->nioa++] = ioa;
        if (j) {
            cs_json_open(j, NULL);
            cs_json_uint(j, "ioa", ioa);
            json_element(j, t, a + off);
            cs_json_close(j);
        }
        off += esz;
    }
    if (j)
        cs_json_close_arr(j);
out:
    if (j)
        cs_json_close(j);
    return e;
}

/* ---- frames ------------------------------------------------------------------------------- */

/* Writes the record of APDU m (frame fr). */
static void log_apdu(struct sn_worker *w, const struct sn_flow *f, int dir,
                     struct sn_iec104_apdu *m, const uint8_t *fr)
{
    struct cs_json *j = sn_app_eve_begin(w, f, SN_EVE_ICS, "iec104");
    const char *un = u_name(m->u_func);

    if (!j)
        return;
    cs_json_open(j, "iec104");
    cs_json_str(j, "direction", dir == SN_TOSERVER ? "toserver" : "toclient");
    cs_json_open(j, "apci");
    cs_json_str(j, "type", m->frame == SN_IEC104_I ? "I" : m->frame == SN_IEC104_S ? "S" : "U");
    cs_json_uint(j, "length", m->length);
    if (m->frame == SN_IEC104_I)
        cs_json_uint(j, "tx_seq", m->tx_seq);
    if (m->frame != SN_IEC104_U)
        cs_json_uint(j, "rx_seq", m->rx_seq);
    if (m->frame == SN_IEC104_U) {
        if (un)
            cs_json_str(j, "function", un);
        else
            cs_json_uint(j, "function_raw", m->u_func);
    }
    cs_json_close(j);
    if (m->has_asdu)
        parse_asdu(m, fr + 6, m->length - APCI_MIN_LEN, j);
    cs_json_close(j);
    sn_app_eve_end(w, j);
}

/* One whole APDU fr[0..2+fr[1]): decode, events, detection, record. */
static void on_apdu(struct sn_worker *w, struct sn_flow *f, struct iec104_state *s, int dir,
                    const uint8_t *fr)
{
    struct sn_iec104_apdu *m = &s->cur;
    uint8_t len = fr[1];
    const uint8_t *cf = fr + 2;
    unsigned e = 0;

    memset(m, 0, offsetof(struct sn_iec104_apdu, ioa));
    m->length = len;
    if (!(cf[0] & 1)) {
        m->frame = SN_IEC104_I;
        m->tx_seq = (uint16_t)(cs_get_le16(cf) >> 1);
        m->rx_seq = (uint16_t)(cs_get_le16(cf + 2) >> 1);
        if (s->seq_known[dir] && m->tx_seq != s->next_tx[dir])
            e |= E_SEQ;
        s->seq_known[dir] = true;
        s->next_tx[dir] = (uint16_t)((m->tx_seq + 1) & 0x7fff);
        if (len < APCI_MIN_LEN + ASDU_HDR)
            e |= E_ASDU_LEN;
        else
            e |= parse_asdu(m, fr + 6, len - APCI_MIN_LEN, NULL);
    } else if ((cf[0] & 3) == SN_IEC104_S) {
        m->frame = SN_IEC104_S;
        m->rx_seq = (uint16_t)(cs_get_le16(cf + 2) >> 1);
        if (len != APCI_MIN_LEN || cf[0] != 1 || cf[1] != 0)
            e |= E_CTRL;
    } else {
        m->frame = SN_IEC104_U;
        m->u_func = cf[0];
        if (!u_name(cf[0]) || len != APCI_MIN_LEN || cf[1] || cf[2] || cf[3])
            e |= E_CTRL;
    }
    if (e & E_SEQ)
        ev(w, f, s, "iec104.sequence_gap");
    if (e & E_CTRL)
        ev(w, f, s, "iec104.invalid_control_field");
    if (e & E_ASDU_LEN)
        ev(w, f, s, "iec104.invalid_asdu_length");
    if (e & E_TYPE)
        ev(w, f, s, "iec104.unknown_type_id");
    if (e & E_COT)
        ev(w, f, s, "iec104.unknown_cot");
    if (sn_detect_app_cb)
        sn_detect_app_cb(w, f, dir, m, "iec104");
    log_apdu(w, f, dir, m, fr);
}

static int iec104_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                        const uint8_t *data, uint32_t len, unsigned flags)
{
    struct iec104_state *s = state;
    uint32_t off = 0;

    dir &= 1;
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP)
            s->seq_known[dir] = false;
    }
    while (off < len) {
        const uint8_t *d = data + off;
        uint32_t avail = len - off;

        if (d[0] != APCI_START) {
            const uint8_t *nx = memchr(d, APCI_START, avail);
            if (!s->resync[dir]) {
                s->resync[dir] = true;
                ev(w, f, s, "iec104.invalid_start_byte");
            }
            off = nx ? (uint32_t)(nx - data) : len;
            continue;
        }
        if (avail < 2)
            break;
        if (d[1] < APCI_MIN_LEN || d[1] > APCI_MAX_LEN) {
            ev(w, f, s, "iec104.invalid_length");
            s->resync[dir] = true; /* the bytes up to the next 0x68 are skipped silently */
            off += 1;
            continue;
        }
        if (avail < 2u + d[1])
            break;
        s->resync[dir] = false;
        on_apdu(w, f, s, dir, d);
        off += 2u + d[1];
    }
    if (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH))
        off = len;
    return (int)off;
}

const struct sn_app_parser sn_app_iec104 = {
    .name = "iec104",
    .ipproto = IPPROTO_TCP,
    .default_ports = "2404",
    .eve_type = SN_EVE_ICS,
    .probe = iec104_probe,
    .parse = iec104_parse,
    .state_new = iec104_state_new,
    .state_free = iec104_state_free,
    .log_flow = NULL,
    .max_state_bytes = 2 + APCI_MAX_LEN + 2,
};
