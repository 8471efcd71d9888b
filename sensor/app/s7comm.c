/* s7comm.c — S7comm over ISO-on-TCP on tcp/102: TPKT (RFC 1006), COTP (ISO 8073: connection
 * request/confirm with their TSAPs, data TPDUs reassembled up to EOT, disconnects) and the
 * S7comm PDU (protocol id 0x32: ROSCTR job/ack/ack_data/userdata, PDU reference, parameter
 * and data lengths, error class/code; function codes with the items of read/write var, the
 * PDU size of setup communication, block file names of download/upload, PI service names of
 * PLC control/stop; userdata function groups with the SZL id/index of SZL reads). S7comm-plus
 * (protocol id 0x72) is recognised by name and version only.
 *
 * One EVE `s7comm` record per S7 PDU (a job and its ack_data are two records, tied by
 * pdu_ref), and one per COTP connection request/confirm/disconnect. Lengths are never
 * believed: a TPKT longer than TPKT_MAX is skipped without buffering, reassembly stops at
 * SN_S7_MAX_PDU, items are read only within the parameter and data the header announces and
 * the TPDU holds. */
#include "s7comm.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../detect/detect.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define S7_PORT 102
#define TPKT_HDR 4
#define TPKT_MIN 7    /* TPKT + the shortest COTP DT header */
#define TPKT_MAX 8192 /* longer TPKTs are skipped, not buffered */
#define MAX_EVENTS 256

enum { COTP_CR = 0xe0, COTP_CC = 0xd0, COTP_DR = 0x80, COTP_DC = 0xc0, COTP_DT = 0xf0 };

/* Userdata data units of one message being reassembled (one per direction). */
struct s7_ud {
    uint8_t *buf; /* payloads so far (grows up to SN_S7_MAX_UD) */
    uint32_t len, cap;
    uint32_t nfrag;
    bool active;   /* a message is being collected; its key: */
    bool overflow; /* past SN_S7_MAX_UD: dropping until its last data unit */
    uint8_t group, subfunc, ref;
};

struct s7_dir {
    struct s7_ud ud;
    uint8_t *buf; /* COTP data being reassembled (SN_S7_MAX_PDU) */
    uint32_t len;
    bool overflow; /* dropping until the next EOT */
    bool dead;     /* lost framing: no more parsing in this direction */
    uint32_t skip; /* bytes of an oversized TPKT still to discard */
};

struct s7_state {
    struct s7_dir d[2];
    struct sn_s7comm_pdu cur;
    uint32_t nevents;
};

/* ---- names ------------------------------------------------------------------------------- */

static const struct {
    uint8_t v;
    const char *name;
} funcs[] = {
    {SN_S7_CPU_SERVICES, "cpu_services"},
    {SN_S7_READ_VAR, "read_var"},
    {SN_S7_WRITE_VAR, "write_var"},
    {SN_S7_REQUEST_DOWNLOAD, "request_download"},
    {SN_S7_DOWNLOAD_BLOCK, "download_block"},
    {SN_S7_DOWNLOAD_ENDED, "download_ended"},
    {SN_S7_START_UPLOAD, "start_upload"},
    {SN_S7_UPLOAD, "upload"},
    {SN_S7_END_UPLOAD, "end_upload"},
    {SN_S7_PLC_CONTROL, "plc_control"},
    {SN_S7_PLC_STOP, "plc_stop"},
    {SN_S7_SETUP_COMM, "setup_communication"},
};

const char *sn_s7comm_func_name(uint8_t func)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(funcs); i++)
        if (funcs[i].v == func)
            return funcs[i].name;
    return NULL;
}

int sn_s7comm_func_lookup(const char *name)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(funcs); i++)
        if (strcasecmp(funcs[i].name, name) == 0)
            return funcs[i].v;
    return -1;
}

const char *sn_s7comm_rosctr_name(uint8_t rosctr)
{
    switch (rosctr) {
    case SN_S7_JOB:
        return "job";
    case SN_S7_ACK:
        return "ack";
    case SN_S7_ACK_DATA:
        return "ack_data";
    case SN_S7_USERDATA:
        return "userdata";
    default:
        return NULL;
    }
}

int sn_s7comm_rosctr_lookup(const char *name)
{
    static const uint8_t v[] = {SN_S7_JOB, SN_S7_ACK, SN_S7_ACK_DATA, SN_S7_USERDATA};
    for (size_t i = 0; i < CS_ARRAY_LEN(v); i++)
        if (strcasecmp(sn_s7comm_rosctr_name(v[i]), name) == 0)
            return v[i];
    return -1;
}

static const char *area_name(uint8_t a)
{
    switch (a) {
    case 0x03:
        return "sysinfo";
    case 0x05:
        return "sysflags";
    case 0x06:
        return "analog_in";
    case 0x07:
        return "analog_out";
    case 0x1c:
        return "counter";
    case 0x1d:
        return "timer";
    case 0x1e:
        return "iec_counter";
    case 0x1f:
        return "iec_timer";
    case 0x80:
        return "peripheral";
    case 0x81:
        return "inputs";
    case 0x82:
        return "outputs";
    case 0x83:
        return "flags";
    case 0x84:
        return "db";
    case 0x85:
        return "di";
    case 0x86:
        return "local";
    case 0x87:
        return "v";
    default:
        return NULL;
    }
}

static const char *const group_names[16] = {
    [0] = "mode_transition", [1] = "programmer",     [2] = "cyclic_data",
    [3] = "block_functions", [4] = "cpu_functions",  [5] = "security",
    [6] = "pbc",             [7] = "time_functions", [15] = "nc_programming",
};

static const char *cotp_name(uint8_t t)
{
    switch (t) {
    case COTP_CR:
        return "CR";
    case COTP_CC:
        return "CC";
    case COTP_DR:
        return "DR";
    case COTP_DC:
        return "DC";
    case COTP_DT:
        return "DT";
    case 0x10:
        return "ED";
    case 0x20:
        return "EA";
    case 0x50:
        return "RJ";
    case 0x60:
        return "AK";
    case 0x70:
        return "ER";
    default:
        return NULL;
    }
}

/* ---- probe / state --------------------------------------------------------------------------- */

static enum sn_probe s7comm_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    uint16_t tl;
    uint8_t t;

    (void)dir;
    if (len >= 1 && d[0] != 3)
        return SN_PROBE_NO;
    if (len >= 2 && d[1] != 0)
        return SN_PROBE_NO;
    if (len < 6)
        return SN_PROBE_MORE;
    tl = cs_get_be16(d + 2);
    t = d[5] & 0xf0;
    if (tl < TPKT_MIN || d[4] < 2 || TPKT_HDR + 1u + d[4] > tl || !cotp_name(t))
        return SN_PROBE_NO;
    if (dp == S7_PORT)
        return SN_PROBE_YES;
    if (t == COTP_CR || t == COTP_CC)
        return d[4] >= 6 ? SN_PROBE_YES : SN_PROBE_NO;
    if (t != COTP_DT)
        return SN_PROBE_NO;
    if (len < TPKT_HDR + 2u + d[4])
        return SN_PROBE_MORE;
    t = d[TPKT_HDR + 1 + d[4]];
    return t == 0x32 || t == 0x72 ? SN_PROBE_YES : SN_PROBE_NO;
}

static void *s7comm_state_new(void)
{
    return cs_calloc(1, sizeof(struct s7_state));
}

static void s7comm_state_free(void *state)
{
    struct s7_state *s = state;
    if (!s)
        return;
    cs_free(s->d[0].buf);
    cs_free(s->d[1].buf);
    cs_free(s->d[0].ud.buf);
    cs_free(s->d[1].ud.buf);
    cs_free(s);
}

static void ev(struct sn_worker *w, const struct sn_flow *f, struct s7_state *s, const char *name)
{
    if (s->nevents >= MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

static struct cs_json *begin(struct sn_worker *w, const struct sn_flow *f, int dir)
{
    struct cs_json *j = sn_app_eve_begin(w, f, SN_EVE_ICS, "s7comm");
    if (j) {
        cs_json_open(j, "s7comm");
        cs_json_str(j, "direction", dir == SN_TOSERVER ? "toserver" : "toclient");
    }
    return j;
}

static void end(struct sn_worker *w, struct cs_json *j)
{
    cs_json_close(j);
    sn_app_eve_end(w, j);
}

static void json_hex(struct cs_json *j, const char *key, const uint8_t *p, uint32_t n)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[2 * 32];

    n = CS_MIN(n, 32u);
    for (uint32_t i = 0; i < n; i++) {
        tmp[2 * i] = hx[p[i] >> 4];
        tmp[2 * i + 1] = hx[p[i] & 15];
    }
    cs_json_strn(j, key, tmp, 2 * (size_t)n);
}

/* ---- COTP connection TPDUs ---------------------------------------------------------------- */

/* CR / CC / DR / DC: c[0] is the length indicator, c[1] the type; c[0..1+c[0]). */
static void on_cotp_conn(struct sn_worker *w, const struct sn_flow *f, int dir, const uint8_t *c)
{
    uint8_t li = c[0], t = c[1] & 0xf0;
    struct cs_json *j = begin(w, f, dir);

    if (!j)
        return;
    cs_json_open(j, "cotp");
    cs_json_str(j, "type", cotp_name(t));
    if (li >= 6) {
        cs_json_uint(j, "dst_ref", cs_get_be16(c + 2));
        cs_json_uint(j, "src_ref", cs_get_be16(c + 4));
        if (t == COTP_DR)
            cs_json_uint(j, "reason", c[6]);
        else if (t == COTP_CR || t == COTP_CC)
            cs_json_uint(j, "class", c[6] >> 4);
    }
    if ((t == COTP_CR || t == COTP_CC) && li >= 6) {
        uint32_t o = 7;
        while (o + 2 <= 1u + li) {
            uint8_t code = c[o], pl = c[o + 1];
            const uint8_t *v = c + o + 2;
            if (o + 2 + pl > 1u + li)
                break;
            if (code == 0xc0 && pl == 1 && v[0] >= 7 && v[0] <= 13)
                cs_json_uint(j, "tpdu_size", 1u << v[0]);
            else if (code == 0xc1 && pl >= 1)
                json_hex(j, "src_tsap", v, pl);
            else if (code == 0xc2 && pl >= 1) {
                json_hex(j, "dst_tsap", v, pl);
                if (pl == 2) { /* S7: connection type, then rack * 32 + slot */
                    cs_json_uint(j, "rack", v[1] >> 5);
                    cs_json_uint(j, "slot", v[1] & 0x1fu);
                }
            }
            o += 2u + pl;
        }
    }
    cs_json_close(j);
    end(w, j);
}

/* ---- S7 PDU ------------------------------------------------------------------------------- */

enum { E_HDR = 1, E_LEN = 2, E_ITEM = 4 };

/* Read/write var request items (parameter p[0..n), p[0] the function, p[1] the count). */
static unsigned parse_items(struct sn_s7comm_pdu *m, const uint8_t *p, uint32_t n)
{
    uint32_t o = 2;

    if (n < 2)
        return E_ITEM;
    m->item_count = p[1];
    for (unsigned i = 0; i < m->item_count; i++) {
        uint8_t il;
        if (n - o < 2 || p[o] != 0x12)
            return E_ITEM;
        il = p[o + 1];
        if (n - o - 2 < il)
            return E_ITEM;
        if (m->nitems < SN_S7_MAX_ITEMS) {
            struct sn_s7_item *it = &m->items[m->nitems++];
            memset(it, 0, sizeof(*it));
            it->syntax = il >= 1 ? p[o + 2] : 0;
            if (it->syntax == 0x10 && il >= 10) {
                uint32_t addr = (uint32_t)p[o + 9] << 16 | (uint32_t)p[o + 10] << 8 | p[o + 11];
                it->tsize = p[o + 3];
                it->count = cs_get_be16(p + o + 4);
                it->db = cs_get_be16(p + o + 6);
                it->area = p[o + 8];
                if (it->area >= 0x1c && it->area <= 0x1f) { /* timers, counters: a number */
                    it->start = addr;
                } else {
                    it->start = addr >> 3;
                    it->bit = addr & 7;
                }
            }
        }
        o += 2u + il;
    }
    return 0;
}

/* Decodes the PDU p[0..n) (p[0] == 0x32) into m. Returns E_* bits. */
static unsigned parse_pdu(struct sn_s7comm_pdu *m, const uint8_t *p, uint32_t n)
{
    uint32_t hdr;
    const uint8_t *par;
    unsigned e = 0;

    memset(m, 0, offsetof(struct sn_s7comm_pdu, items));
    if (n < 10)
        return E_HDR;
    m->rosctr = p[1];
    m->pdu_ref = cs_get_be16(p + 4);
    m->param_len = cs_get_be16(p + 6);
    m->data_len = cs_get_be16(p + 8);
    hdr = m->rosctr == SN_S7_ACK || m->rosctr == SN_S7_ACK_DATA ? 12 : 10;
    if (!sn_s7comm_rosctr_name(m->rosctr))
        e |= E_HDR;
    if (n < hdr)
        return e | E_HDR;
    if (hdr == 12) {
        m->has_error = true;
        m->err_class = p[10];
        m->err_code = p[11];
    }
    if ((uint32_t)m->param_len + m->data_len != n - hdr)
        e |= E_LEN;
    if (m->param_len > n - hdr)
        return e; /* nothing in the parameter can be trusted */
    par = p + hdr;
    if (m->rosctr == SN_S7_USERDATA) {
        const uint8_t *dat = par + m->param_len;
        uint32_t dn = CS_MIN((uint32_t)m->data_len, n - hdr - m->param_len);
        if (m->param_len < 8) /* head 00 01 12 (01 00 10 in mode-transition pushes) */
            return e | E_ITEM;
        m->ud_method = par[4];
        m->ud_type = par[5] >> 4;
        m->ud_group = par[5] & 0x0f;
        m->ud_subfunc = par[6];
        m->ud_seq = par[7];
        m->ud_last = true;
        if (par[3] >= 8 && m->param_len >= 12) {
            m->has_dur = true;
            m->ud_ref = par[8];
            m->ud_last = par[9] == 0;
            m->ud_err = cs_get_be16(par + 10);
        }
        /* data: return code, transport size, length, then the payload */
        if (dn >= 1)
            m->ud_retcode = dat[0];
        if (dn >= 4) {
            m->ud_payload = dat + 4;
            m->ud_payload_len = CS_MIN((uint32_t)cs_get_be16(dat + 2), dn - 4);
        }
        return e;
    }
    if ((m->rosctr != SN_S7_JOB && m->rosctr != SN_S7_ACK_DATA) || m->param_len < 1)
        return e;
    m->has_func = true;
    m->func = par[0];
    if (m->func == SN_S7_READ_VAR || m->func == SN_S7_WRITE_VAR) {
        if (m->rosctr == SN_S7_JOB)
            e |= parse_items(m, par, m->param_len);
        else if (m->param_len >= 2)
            m->item_count = par[1];
    }
    return e;
}

/* Block file name of download/upload functions ("_0A00001P"): type and number. */
static void json_filename(struct cs_json *j, const uint8_t *fn, uint32_t n)
{
    static const struct {
        const char *code, *name;
    } bt[] = {{"08", "OB"}, {"0A", "DB"},  {"0B", "SDB"}, {"0C", "FC"},
              {"0D", "SFC"}, {"0E", "FB"}, {"0F", "SFB"}};
    uint32_t num = 0;

    cs_json_strn(j, "filename", fn, n);
    if (n != 9)
        return;
    for (size_t i = 0; i < CS_ARRAY_LEN(bt); i++)
        if (memcmp(fn + 1, bt[i].code, 2) == 0)
            cs_json_str(j, "block_type", bt[i].name);
    for (int i = 3; i < 8; i++) {
        if (fn[i] < '0' || fn[i] > '9')
            return;
        num = num * 10 + (uint32_t)(fn[i] - '0');
    }
    cs_json_uint(j, "block_number", num);
}

/* Bytes of a data item's value for its transport size and length field. */
static uint32_t item_bytes(uint8_t tsize, uint16_t len)
{
    return tsize == 3 || tsize == 4 || tsize == 5 ? (len + 7u) / 8u : len;
}

static void log_pdu(struct sn_worker *w, const struct sn_flow *f, int dir,
                    const struct sn_s7comm_pdu *m, const uint8_t *p, uint32_t n)
{
    uint32_t hdr = m->has_error ? 12 : 10;
    uint32_t pl = CS_MIN((uint32_t)m->param_len, n - hdr);
    uint32_t dl = CS_MIN((uint32_t)m->data_len, n - hdr - pl);
    const uint8_t *par = p + hdr, *dat = p + hdr + pl;
    const char *rn = sn_s7comm_rosctr_name(m->rosctr);
    struct cs_json *j = begin(w, f, dir);

    if (!j)
        return;
    cs_json_str(j, "protocol", "s7comm");
    if (rn)
        cs_json_str(j, "rosctr", rn);
    cs_json_uint(j, "rosctr_raw", m->rosctr);
    cs_json_uint(j, "pdu_ref", m->pdu_ref);
    cs_json_uint(j, "param_length", m->param_len);
    cs_json_uint(j, "data_length", m->data_len);
    if (m->has_error) {
        cs_json_uint(j, "error_class", m->err_class);
        cs_json_uint(j, "error_code", m->err_code);
    }
    if (m->has_func) {
        const char *fn = sn_s7comm_func_name(m->func);
        if (fn)
            cs_json_str(j, "function", fn);
        cs_json_uint(j, "function_raw", m->func);
    }
    if (m->has_func && m->func == SN_S7_SETUP_COMM && pl >= 8) {
        cs_json_uint(j, "max_amq_calling", cs_get_be16(par + 2));
        cs_json_uint(j, "max_amq_called", cs_get_be16(par + 4));
        cs_json_uint(j, "pdu_length", cs_get_be16(par + 6));
    }
    if (m->has_func && (m->func == SN_S7_READ_VAR || m->func == SN_S7_WRITE_VAR)) {
        cs_json_uint(j, "item_count", m->item_count);
        if (m->rosctr == SN_S7_JOB && m->nitems) {
            cs_json_open_arr(j, "items");
            for (unsigned i = 0; i < m->nitems; i++) {
                const struct sn_s7_item *it = &m->items[i];
                cs_json_open(j, NULL);
                cs_json_uint(j, "syntax_id", it->syntax);
                if (it->syntax == 0x10) {
                    const char *an = area_name(it->area);
                    if (an)
                        cs_json_str(j, "area", an);
                    cs_json_uint(j, "area_raw", it->area);
                    if (it->area == 0x84 || it->area == 0x85)
                        cs_json_uint(j, "db", it->db);
                    cs_json_uint(j, "start", it->start);
                    cs_json_uint(j, "bit", it->bit);
                    cs_json_uint(j, "count", it->count);
                    cs_json_uint(j, "transport_size", it->tsize);
                }
                cs_json_close(j);
            }
            cs_json_close_arr(j);
        }
        if (m->rosctr == SN_S7_ACK_DATA && dl) {
            /* read var: items of return code, transport size, length, value; write var:
             * one return code per item */
            uint32_t o = 0;
            cs_json_open_arr(j, "return_codes");
            for (unsigned i = 0; i < m->item_count && o < dl && i < 256; i++) {
                cs_json_uint(j, NULL, dat[o]);
                if (m->func == SN_S7_WRITE_VAR) {
                    o++;
                    continue;
                }
                if (dl - o < 4)
                    break;
                o += 4 + item_bytes(dat[o + 1], cs_get_be16(dat + o + 2));
                if (o & 1)
                    o++;
            }
            cs_json_close_arr(j);
        }
    }
    if (m->has_func && m->rosctr == SN_S7_JOB && m->func >= SN_S7_REQUEST_DOWNLOAD &&
        m->func <= SN_S7_END_UPLOAD && pl >= 9 && par[8] && 9u + par[8] <= pl)
        json_filename(j, par + 9, par[8]);
    if (m->has_func && m->rosctr == SN_S7_JOB && m->func == SN_S7_PLC_CONTROL && pl >= 10) {
        uint32_t o = 10u + cs_get_be16(par + 8);
        if (o < pl && par[o] && o + 1u + par[o] <= pl)
            cs_json_strn(j, "pi_service", par + o + 1, par[o]);
    }
    if (m->has_func && m->rosctr == SN_S7_JOB && m->func == SN_S7_PLC_STOP && pl >= 7 &&
        par[6] && 7u + par[6] <= pl)
        cs_json_strn(j, "pi_service", par + 7, par[6]);
    if (m->rosctr == SN_S7_USERDATA && pl >= 8) {
        const char *gn = group_names[m->ud_group];
        cs_json_open(j, "userdata");
        cs_json_str(j, "method", m->ud_method == 0x11   ? "request"
                                 : m->ud_method == 0x12 ? "response"
                                                        : "other");
        cs_json_str(j, "type", m->ud_type == 4   ? "request"
                               : m->ud_type == 8 ? "response"
                               : m->ud_type == 0 ? "push"
                                                 : "other");
        if (gn)
            cs_json_str(j, "group", gn);
        cs_json_uint(j, "group_raw", m->ud_group);
        cs_json_uint(j, "subfunction", m->ud_subfunc);
        cs_json_uint(j, "sequence", m->ud_seq);
        if (m->has_dur) {
            cs_json_uint(j, "data_unit_ref", m->ud_ref);
            cs_json_bool(j, "last_data_unit", m->ud_last);
            cs_json_uint(j, "error_code", m->ud_err);
        }
        if (dl >= 1)
            cs_json_uint(j, "return_code", dat[0]);
        if (m->ud_frags) {
            cs_json_uint(j, "fragments", m->ud_frags);
            cs_json_bool(j, "reassembled", m->ud_payload != NULL);
        }
        if (!m->ud_fragment && (m->ud_payload || !m->ud_frags))
            cs_json_uint(j, "length", m->ud_payload_len);
        if (m->has_szl) {
            cs_json_uint(j, "szl_id", m->szl_id);
            cs_json_uint(j, "szl_index", m->szl_index);
        }
        if (m->has_szl_list) {
            cs_json_uint(j, "szl_list_length", m->szl_list_len);
            cs_json_uint(j, "szl_list_count", m->szl_list_count);
        }
        cs_json_close(j);
    }
    end(w, j);
}

/* Userdata reassembly: a message split in data units (12-byte parameter, "last data unit"
 * no) is collected by (function group, subfunction, data unit reference) per direction; the
 * PDU with the last data unit gets the whole payload in m->ud_payload. Unrelated userdata
 * PDUs may come in between (the client asks for each next unit in the other direction).
 * A data unit of another reference while one is being collected drops the pending one
 * (s7comm.userdata_out_of_order); past SN_S7_MAX_UD the rest is dropped until the last unit
 * (s7comm.userdata_too_long). A last data unit whose first one was not seen (capture
 * started in between, a gap) is logged as it is. */
static void ud_collect(struct sn_worker *w, const struct sn_flow *f, struct s7_state *s, int dir,
                       struct sn_s7comm_pdu *m)
{
    struct s7_ud *u = &s->d[dir].ud;
    bool match;

    if (!m->has_dur)
        return;
    match = u->active && u->group == m->ud_group && u->subfunc == m->ud_subfunc &&
            u->ref == m->ud_ref;
    if (!match) {
        if (m->ud_last) {
            if (u->active && m->ud_ref != 0) {
                ev(w, f, s, "s7comm.userdata_out_of_order");
                u->active = false;
            }
            return;
        }
        if (u->active)
            ev(w, f, s, "s7comm.userdata_out_of_order");
        u->active = true;
        u->overflow = false;
        u->group = m->ud_group;
        u->subfunc = m->ud_subfunc;
        u->ref = m->ud_ref;
        u->len = 0;
        u->nfrag = 0;
    }
    if (u->nfrag < UINT32_MAX)
        u->nfrag++;
    if (!u->overflow && m->ud_payload_len) {
        if (m->ud_payload_len > SN_S7_MAX_UD - u->len) {
            ev(w, f, s, "s7comm.userdata_too_long");
            u->overflow = true;
        } else {
            if (u->len + m->ud_payload_len > u->cap) {
                uint32_t cap = CS_MAX(u->cap * 2, 1024u);
                uint8_t *nb;
                while (cap < u->len + m->ud_payload_len)
                    cap *= 2;
                cap = CS_MIN(cap, (uint32_t)SN_S7_MAX_UD);
                nb = cs_realloc(u->buf, cap);
                if (!nb) {
                    u->overflow = true; /* no memory: the message is lost, not the flow */
                    goto out;
                }
                u->buf = nb;
                u->cap = cap;
            }
            memcpy(u->buf + u->len, m->ud_payload, m->ud_payload_len);
            u->len += m->ud_payload_len;
        }
    }
out:
    if (!m->ud_last) {
        m->ud_fragment = true;
        m->ud_payload = NULL;
        m->ud_payload_len = 0;
        return;
    }
    u->active = false;
    m->ud_frags = u->nfrag;
    m->ud_payload = u->overflow ? NULL : u->buf;
    m->ud_payload_len = u->overflow ? 0 : u->len;
}

/* SZL reads (CPU functions, subfunction 1): the payload of a whole request or answer starts
 * with the SZL id and index; an answer's goes on with the partial list length and count. */
static void ud_szl(struct sn_s7comm_pdu *m)
{
    const uint8_t *p = m->ud_payload;

    if (m->rosctr != SN_S7_USERDATA || m->ud_group != 4 || m->ud_subfunc != 1 ||
        m->ud_fragment || m->ud_payload_len < 4)
        return;
    /* a last data unit whose first one was not seen starts in the middle of the list */
    if (m->has_dur && m->ud_ref != 0 && m->ud_frags == 0)
        return;
    m->has_szl = true;
    m->szl_id = cs_get_be16(p);
    m->szl_index = cs_get_be16(p + 2);
    if (m->ud_type == 8 && m->ud_payload_len >= 8) {
        m->has_szl_list = true;
        m->szl_list_len = cs_get_be16(p + 4);
        m->szl_list_count = cs_get_be16(p + 6);
    }
}

/* A whole reassembled COTP data unit p[0..n). */
static void on_data(struct sn_worker *w, struct sn_flow *f, struct s7_state *s, int dir,
                    const uint8_t *p, uint32_t n)
{
    unsigned e;

    if (n == 0)
        return;
    if (p[0] == 0x72) {
        struct cs_json *j = begin(w, f, dir);
        if (j) {
            cs_json_str(j, "protocol", "s7comm-plus");
            if (n >= 2)
                cs_json_uint(j, "version", p[1]);
            end(w, j);
        }
        return;
    }
    if (p[0] != 0x32) {
        ev(w, f, s, "s7comm.unknown_protocol");
        return;
    }
    e = parse_pdu(&s->cur, p, n);
    if (e & E_HDR)
        ev(w, f, s, "s7comm.invalid_header");
    if (e & E_LEN)
        ev(w, f, s, "s7comm.invalid_length");
    if (e & E_ITEM)
        ev(w, f, s, "s7comm.invalid_parameter");
    if (n < 10)
        return;
    if (s->cur.rosctr == SN_S7_USERDATA && s->cur.param_len >= 8 && !(e & E_ITEM)) {
        ud_collect(w, f, s, dir, &s->cur);
        ud_szl(&s->cur);
    }
    if (sn_detect_app_cb)
        sn_detect_app_cb(w, f, dir, &s->cur, "s7comm");
    log_pdu(w, f, dir, &s->cur, p, n);
}

/* One whole TPKT t[0..tl). */
static void on_tpkt(struct sn_worker *w, struct sn_flow *f, struct s7_state *s, int dir,
                    const uint8_t *t, uint32_t tl)
{
    struct s7_dir *d = &s->d[dir];
    const uint8_t *c = t + TPKT_HDR;
    uint32_t cl = tl - TPKT_HDR, pl;
    uint8_t type;

    if (c[0] < 1 || 1u + c[0] > cl) {
        ev(w, f, s, "s7comm.invalid_cotp");
        return;
    }
    type = c[1] & 0xf0;
    if (type == COTP_CR || type == COTP_CC || type == COTP_DR || type == COTP_DC) {
        on_cotp_conn(w, f, dir, c);
        return;
    }
    if (type != COTP_DT)
        return; /* expedited data, acknowledgements, errors: not used by S7 */
    if (c[0] < 2) {
        ev(w, f, s, "s7comm.invalid_cotp");
        return;
    }
    pl = cl - 1u - c[0];
    if (!d->overflow) {
        if (!d->buf) {
            d->buf = cs_malloc(SN_S7_MAX_PDU);
            if (!d->buf)
                return;
        }
        if (pl > SN_S7_MAX_PDU - d->len) {
            ev(w, f, s, "s7comm.reassembly_too_long");
            d->overflow = true;
            d->len = 0;
        } else {
            memcpy(d->buf + d->len, c + 1 + c[0], pl);
            d->len += pl;
        }
    }
    if (c[2] & 0x80) { /* EOT */
        if (!d->overflow)
            on_data(w, f, s, dir, d->buf, d->len);
        d->overflow = false;
        d->len = 0;
    }
}

static int s7comm_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                        const uint8_t *data, uint32_t len, unsigned flags)
{
    struct s7_state *s = state;
    struct s7_dir *d;
    uint32_t off = 0;

    dir &= 1;
    d = &s->d[dir];
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP) { /* the next TPKT starts whole: drop the partial PDU */
            d->dead = false;
            d->skip = 0;
            d->len = 0;
            d->overflow = false;
            d->ud.active = false; /* a message missing data units is not logged whole */
        }
    }
    if (d->skip) {
        uint32_t k = CS_MIN(d->skip, len);
        d->skip -= k;
        off = k;
    }
    while (!d->dead && len - off >= TPKT_HDR) {
        const uint8_t *t = data + off;
        uint32_t tl = cs_get_be16(t + 2);

        if (t[0] != 3 || t[1] != 0 || tl < TPKT_MIN) {
            ev(w, f, s, "s7comm.invalid_tpkt");
            d->dead = true; /* no marker to resynchronise on */
            break;
        }
        if (tl > TPKT_MAX) {
            ev(w, f, s, "s7comm.tpkt_too_long");
            d->len = 0;
            /* the PDU it belongs to is lost; the next one starts after it when it ends one */
            d->overflow = !(len - off >= TPKT_MIN && (t[5] & 0xf0) == COTP_DT && (t[6] & 0x80));
            if (len - off >= tl) {
                off += tl;
            } else {
                d->skip = tl - (len - off);
                off = len;
            }
            continue;
        }
        if (len - off < tl)
            break;
        on_tpkt(w, f, s, dir, t, tl);
        off += tl;
    }
    if (d->dead || (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)))
        off = len;
    return (int)off;
}

const struct sn_app_parser sn_app_s7comm = {
    .name = "s7comm",
    .ipproto = IPPROTO_TCP,
    .default_ports = "102",
    .eve_type = SN_EVE_ICS,
    .probe = s7comm_probe,
    .parse = s7comm_parse,
    .state_new = s7comm_state_new,
    .state_free = s7comm_state_free,
    .log_flow = NULL,
    .max_state_bytes = TPKT_MAX + 16,
};
