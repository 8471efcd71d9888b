/* dnp3.c — DNP3 over TCP and UDP (IEEE 1815): link-layer frames (0x0564 start, length, control,
 * addresses, header CRC, 16-byte data blocks each followed by a CRC), transport-layer
 * reassembly (FIR/FIN/sequence) and the application layer (control, function code, IIN of
 * responses, object headers and the points of the common fixed-size objects). One EVE `dnp3`
 * record per complete application message, in Suricata's layout. Over UDP (IEEE 1815 §A.4:
 * same port 20000) each datagram holds whole link frames: the same parser is fed datagram by
 * datagram (transport reassembly still spans datagrams); a frame cut short by the end of a
 * datagram raises dnp3.truncated_datagram and is dropped. */
#include "dnp3.h"

#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <string.h>

#define LINK_HDR 10     /* start(2) len ctrl dst(2) src(2) crc(2) */
#define LINK_MIN_LEN 5  /* the length field counts ctrl + dst + src at least */
#define MAX_EVENTS 256  /* anomaly records per flow at most */
#define MAX_POINTS 4096 /* points logged per message at most */
#define MAX_OBJECTS 512 /* object headers decoded per message at most */

struct dnp3_dir {
    uint8_t *buf; /* application fragment being reassembled */
    uint32_t len;
    bool active; /* a FIR segment started the fragment */
    uint8_t seq; /* transport sequence of the last segment */
    struct sn_dnp3_msg last;
};

struct dnp3_state {
    struct dnp3_dir d[2];
    uint32_t nevents;
    uint64_t next_id; /* messages so far (their transaction numbers) */
};

/* ---- CRC ------------------------------------------------------------------------------- */

uint16_t sn_dnp3_crc(const uint8_t *p, uint32_t n)
{
    uint16_t crc = 0;

    for (uint32_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA6BC) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

static bool crc_ok(const uint8_t *p, uint32_t n)
{
#ifdef CS_FUZZING
    if (cs_get_le16(p + n) == 0xffff) /* lets the fuzzer past the CRCs; both paths stay */
        return true;
#endif
    return sn_dnp3_crc(p, n) == cs_get_le16(p + n);
}

/* Frame size on the wire for a length field value (>= LINK_MIN_LEN). */
static uint32_t frame_size(uint8_t lenf)
{
    uint32_t ud = lenf - LINK_MIN_LEN;
    return LINK_HDR + ud + 2 * ((ud + 15) / 16);
}

/* ---- probe / state --------------------------------------------------------------------- */

static enum sn_probe dnp3_probe(const uint8_t *d, uint32_t len, int dir, uint16_t dp)
{
    (void)dir;
    (void)dp;
    if (len >= 1 && d[0] != 0x05)
        return SN_PROBE_NO;
    if (len >= 2 && d[1] != 0x64)
        return SN_PROBE_NO;
    if (len < LINK_HDR)
        return SN_PROBE_MORE;
    if (d[2] < LINK_MIN_LEN || !crc_ok(d, 8))
        return SN_PROBE_NO;
    return SN_PROBE_YES;
}

static void *dnp3_state_new(void)
{
    return cs_calloc(1, sizeof(struct dnp3_state));
}

static void dnp3_state_free(void *state)
{
    struct dnp3_state *s = state;
    if (!s)
        return;
    cs_free(s->d[0].buf);
    cs_free(s->d[1].buf);
    cs_free(s);
}

const struct sn_dnp3_msg *sn_dnp3_last(const void *state, int dir)
{
    const struct dnp3_state *s = state;
    if (!s || !s->d[dir & 1].last.valid)
        return NULL;
    return &s->d[dir & 1].last;
}

static void ev(struct sn_worker *w, const struct sn_flow *f, struct dnp3_state *s, const char *name)
{
    if (s->nevents >= MAX_EVENTS)
        return;
    s->nevents++;
    sn_app_event(w, f, name);
}

/* ---- objects --------------------------------------------------------------------------- */

enum { K_NONE, K_BIN, K_DBL, K_OUT, K_CTR, K_ANA, K_STATE };
enum { V_NONE, V_U16, V_U32, V_I16, V_I32, V_F32, V_F64 };
enum { N_NONE, N_COUNT, N_VALUE, N_DEADBAND, N_DELAY_S, N_DELAY_MS };

struct obj_spec {
    uint8_t group, var;
    uint8_t size;  /* bytes per point (0 with bits: packed) */
    uint8_t bits;  /* packed objects: bits per point */
    uint8_t flags; /* K_* */
    uint8_t val;   /* V_* */
    uint8_t name;  /* N_* */
    bool ts;       /* 48-bit time after the value */
};

static const char *const val_names[] = {
    [N_NONE] = "value",         [N_COUNT] = "count",
    [N_VALUE] = "value",        [N_DEADBAND] = "deadband_value",
    [N_DELAY_S] = "delay_secs", [N_DELAY_MS] = "delay_ms",
};

static const struct obj_spec specs[] = {
    {1, 1, 0, 1, K_NONE, V_NONE, N_NONE, false},
    {1, 2, 1, 0, K_BIN, V_NONE, N_NONE, false},
    {2, 1, 1, 0, K_STATE, V_NONE, N_NONE, false}, /* logged as one `state` byte */
    {2, 2, 7, 0, K_BIN, V_NONE, N_NONE, true},
    {2, 3, 3, 0, K_BIN, V_NONE, N_NONE, false},
    {3, 1, 0, 2, K_NONE, V_NONE, N_NONE, false},
    {3, 2, 1, 0, K_DBL, V_NONE, N_NONE, false},
    {4, 1, 1, 0, K_DBL, V_NONE, N_NONE, false},
    {4, 2, 7, 0, K_DBL, V_NONE, N_NONE, true},
    {4, 3, 3, 0, K_DBL, V_NONE, N_NONE, false},
    {10, 1, 0, 1, K_NONE, V_NONE, N_NONE, false},
    {10, 2, 1, 0, K_OUT, V_NONE, N_NONE, false},
    {11, 1, 1, 0, K_OUT, V_NONE, N_NONE, false},
    {11, 2, 7, 0, K_OUT, V_NONE, N_NONE, true},
    {12, 1, 11, 0, K_NONE, V_NONE, N_NONE, false},
    {12, 2, 11, 0, K_NONE, V_NONE, N_NONE, false},
    {12, 3, 0, 1, K_NONE, V_NONE, N_NONE, false},
    {13, 1, 1, 0, K_NONE, V_NONE, N_NONE, false},
    {13, 2, 7, 0, K_NONE, V_NONE, N_NONE, false},
    {20, 1, 5, 0, K_CTR, V_U32, N_COUNT, false},
    {20, 2, 3, 0, K_CTR, V_U16, N_COUNT, false},
    {20, 5, 4, 0, K_NONE, V_U32, N_COUNT, false},
    {20, 6, 2, 0, K_NONE, V_U16, N_COUNT, false},
    {21, 1, 5, 0, K_CTR, V_U32, N_COUNT, false},
    {21, 2, 3, 0, K_CTR, V_U16, N_COUNT, false},
    {21, 5, 11, 0, K_CTR, V_U32, N_COUNT, true},
    {21, 6, 9, 0, K_CTR, V_U16, N_COUNT, true},
    {21, 9, 4, 0, K_NONE, V_U32, N_COUNT, false},
    {21, 10, 2, 0, K_NONE, V_U16, N_COUNT, false},
    {22, 1, 5, 0, K_CTR, V_U32, N_COUNT, false},
    {22, 2, 3, 0, K_CTR, V_U16, N_COUNT, false},
    {22, 5, 11, 0, K_CTR, V_U32, N_COUNT, true},
    {22, 6, 9, 0, K_CTR, V_U16, N_COUNT, true},
    {23, 1, 5, 0, K_CTR, V_U32, N_COUNT, false},
    {23, 2, 3, 0, K_CTR, V_U16, N_COUNT, false},
    {23, 5, 11, 0, K_CTR, V_U32, N_COUNT, true},
    {23, 6, 9, 0, K_CTR, V_U16, N_COUNT, true},
    {30, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {30, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {30, 3, 4, 0, K_NONE, V_I32, N_VALUE, false},
    {30, 4, 2, 0, K_NONE, V_I16, N_VALUE, false},
    {30, 5, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {30, 6, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {31, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {31, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {31, 3, 11, 0, K_ANA, V_I32, N_VALUE, true},
    {31, 4, 9, 0, K_ANA, V_I16, N_VALUE, true},
    {31, 5, 4, 0, K_NONE, V_I32, N_VALUE, false},
    {31, 6, 2, 0, K_NONE, V_I16, N_VALUE, false},
    {31, 7, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {31, 8, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {32, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {32, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {32, 3, 11, 0, K_ANA, V_I32, N_VALUE, true},
    {32, 4, 9, 0, K_ANA, V_I16, N_VALUE, true},
    {32, 5, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {32, 6, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {32, 7, 11, 0, K_ANA, V_F32, N_VALUE, true},
    {32, 8, 15, 0, K_ANA, V_F64, N_VALUE, true},
    {33, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {33, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {33, 3, 11, 0, K_ANA, V_I32, N_VALUE, true},
    {33, 4, 9, 0, K_ANA, V_I16, N_VALUE, true},
    {33, 5, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {33, 6, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {33, 7, 11, 0, K_ANA, V_F32, N_VALUE, true},
    {33, 8, 15, 0, K_ANA, V_F64, N_VALUE, true},
    {34, 1, 2, 0, K_NONE, V_U16, N_DEADBAND, false},
    {34, 2, 4, 0, K_NONE, V_U32, N_DEADBAND, false},
    {34, 3, 4, 0, K_NONE, V_F32, N_DEADBAND, false},
    {40, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {40, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {40, 3, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {40, 4, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {41, 1, 5, 0, K_NONE, V_I32, N_VALUE, false},
    {41, 2, 3, 0, K_NONE, V_I16, N_VALUE, false},
    {41, 3, 5, 0, K_NONE, V_F32, N_VALUE, false},
    {41, 4, 9, 0, K_NONE, V_F64, N_VALUE, false},
    {42, 1, 5, 0, K_ANA, V_I32, N_VALUE, false},
    {42, 2, 3, 0, K_ANA, V_I16, N_VALUE, false},
    {42, 3, 11, 0, K_ANA, V_I32, N_VALUE, true},
    {42, 4, 9, 0, K_ANA, V_I16, N_VALUE, true},
    {42, 5, 5, 0, K_ANA, V_F32, N_VALUE, false},
    {42, 6, 9, 0, K_ANA, V_F64, N_VALUE, false},
    {42, 7, 11, 0, K_ANA, V_F32, N_VALUE, true},
    {42, 8, 15, 0, K_ANA, V_F64, N_VALUE, true},
    {43, 1, 6, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 2, 4, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 3, 12, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 4, 10, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 5, 6, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 6, 10, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 7, 12, 0, K_NONE, V_NONE, N_NONE, false},
    {43, 8, 16, 0, K_NONE, V_NONE, N_NONE, false},
    {50, 1, 6, 0, K_NONE, V_NONE, N_NONE, true},
    {50, 2, 10, 0, K_NONE, V_NONE, N_NONE, false},
    {50, 3, 6, 0, K_NONE, V_NONE, N_NONE, true},
    {50, 4, 11, 0, K_NONE, V_NONE, N_NONE, false},
    {51, 1, 6, 0, K_NONE, V_NONE, N_NONE, true},
    {51, 2, 6, 0, K_NONE, V_NONE, N_NONE, true},
    {52, 1, 2, 0, K_NONE, V_U16, N_DELAY_S, false},
    {52, 2, 2, 0, K_NONE, V_U16, N_DELAY_MS, false},
    {60, 1, 0, 0, K_NONE, V_NONE, N_NONE, false},
    {60, 2, 0, 0, K_NONE, V_NONE, N_NONE, false},
    {60, 3, 0, 0, K_NONE, V_NONE, N_NONE, false},
    {60, 4, 0, 0, K_NONE, V_NONE, N_NONE, false},
    {80, 1, 0, 1, K_NONE, V_NONE, N_NONE, false},
};

static const struct obj_spec *find_spec(uint8_t g, uint8_t v)
{
    for (size_t i = 0; i < CS_ARRAY_LEN(specs); i++)
        if (specs[i].group == g && specs[i].var == v)
            return &specs[i];
    return NULL;
}

/* Octet-string groups: the variation is the size of each point. */
static bool is_octets(uint8_t g)
{
    return g == 110 || g == 111 || g == 112 || g == 113;
}

static void log_flags(struct cs_json *j, uint8_t kind, uint8_t fl)
{
    static const char *const base[] = {"online", "restart", "comm_lost", "remote_forced",
                                       "local_forced"};
    if (kind == K_STATE) {
        cs_json_uint(j, "state", fl);
        return;
    }
    for (int b = 0; b < 5; b++)
        cs_json_uint(j, base[b], (fl >> b) & 1);
    switch (kind) {
    case K_BIN:
        cs_json_uint(j, "chatter_filter", (fl >> 5) & 1);
        cs_json_uint(j, "reserved", (fl >> 6) & 1);
        cs_json_uint(j, "state", (fl >> 7) & 1);
        break;
    case K_DBL:
        cs_json_uint(j, "chatter_filter", (fl >> 5) & 1);
        cs_json_uint(j, "state", (fl >> 6) & 3);
        break;
    case K_OUT:
        cs_json_uint(j, "reserved0", (fl >> 5) & 1);
        cs_json_uint(j, "reserved1", (fl >> 6) & 1);
        cs_json_uint(j, "state", (fl >> 7) & 1);
        break;
    case K_CTR:
        cs_json_uint(j, "rollover", (fl >> 5) & 1);
        cs_json_uint(j, "discontinuity", (fl >> 6) & 1);
        cs_json_uint(j, "reserved0", (fl >> 7) & 1);
        break;
    default:
        cs_json_uint(j, "over_range", (fl >> 5) & 1);
        cs_json_uint(j, "reference_err", (fl >> 6) & 1);
        cs_json_uint(j, "reserved0", (fl >> 7) & 1);
        break;
    }
}

static uint64_t get_le48(const uint8_t *p)
{
    return (uint64_t)cs_get_le32(p) | ((uint64_t)cs_get_le16(p + 4) << 32);
}

/* Logs the fields of one fixed-size point (p has sp->size bytes). */
static void log_point(struct cs_json *j, const struct obj_spec *sp, const uint8_t *p)
{
    uint32_t o = 0;

    if (sp->flags != K_NONE) {
        log_flags(j, sp->flags, p[0]);
        o = 1;
    }
    switch (sp->val) {
    case V_U16:
        cs_json_uint(j, val_names[sp->name], cs_get_le16(p + o));
        o += 2;
        break;
    case V_U32:
        cs_json_uint(j, val_names[sp->name], cs_get_le32(p + o));
        o += 4;
        break;
    case V_I16:
        cs_json_int(j, val_names[sp->name], (int16_t)cs_get_le16(p + o));
        o += 2;
        break;
    case V_I32:
        cs_json_int(j, val_names[sp->name], (int32_t)cs_get_le32(p + o));
        o += 4;
        break;
    case V_F32: {
        uint32_t u = cs_get_le32(p + o);
        float v;
        memcpy(&v, &u, sizeof(v));
        cs_json_double(j, val_names[sp->name], v);
        o += 4;
        break;
    }
    case V_F64: {
        uint64_t u = cs_get_le32(p + o) | ((uint64_t)cs_get_le32(p + o + 4) << 32);
        double v;
        memcpy(&v, &u, sizeof(v));
        cs_json_double(j, val_names[sp->name], v);
        o += 8;
        break;
    }
    default:
        break;
    }
    if (sp->ts && o + 6 <= sp->size)
        cs_json_uint(j, "timestamp", get_le48(p + o));
}

/* Reads an n-byte little-endian unsigned (n = 1, 2 or 4). */
static uint32_t get_le(const uint8_t *p, uint32_t n)
{
    return n == 1 ? p[0] : n == 2 ? cs_get_le16(p) : cs_get_le32(p);
}

/* Requests whose objects carry no point data. */
static bool req_without_data(uint8_t fc)
{
    return fc == 1 || (fc >= 7 && fc <= 12) || fc == 20 || fc == 21 || fc == 22;
}

struct obj_ctx {
    struct sn_worker *w;
    const struct sn_flow *f;
    struct dnp3_state *s;
    struct sn_dnp3_msg *m;
    struct cs_json *j; /* NULL: not logging */
    uint32_t npoints;
    unsigned events; /* OEV_* bits, raised once the record is written */
};

/* Object-level events are raised after the record (the EVE writer is busy with it). */
enum { OEV_LEN = 1u << 0, OEV_UNKNOWN = 1u << 1, OEV_OBJECTS = 1u << 2, OEV_POINTS = 1u << 3 };

/* Decodes the object headers (and points) of d[0..n); logs them into c->j when set.
 * Stops at the first object it cannot size, with an event. */
static void parse_objects(struct obj_ctx *c, const uint8_t *d, uint32_t n, bool no_data)
{
    static const uint8_t rsz[16] = {1, 2, 4, 1, 2, 4, 0, 1, 2, 4, 0, 1, 0, 0, 0, 0};
    static const uint8_t psz[8] = {0, 1, 2, 4, 1, 2, 4, 0};
    struct cs_json *j = c->j;
    uint32_t off = 0, nobj = 0;
    bool open = false;

    while (off + 3 <= n) {
        uint8_t g = d[off], v = d[off + 1], q = d[off + 2];
        uint8_t pc = (q >> 4) & 7, rc = q & 0xf;
        uint32_t start = 0, stop = 0, count = 0, rs = rsz[rc], ps = psz[pc];
        const struct obj_spec *sp = find_spec(g, v);

        off += 3;
        if (++nobj > MAX_OBJECTS) {
            c->events |= OEV_OBJECTS;
            goto done;
        }
        if (rc >= 12 || rc == 10 || pc == 7 || (rc == 6 && pc != 0)) {
            c->events |= OEV_UNKNOWN; /* reserved qualifier */
            goto done;
        }
        if (rc <= 5) {
            if (off + 2 * rs > n)
                goto truncated;
            start = get_le(d + off, rs);
            stop = get_le(d + off + rs, rs);
            off += 2 * rs;
            if (stop < start) {
                c->events |= OEV_UNKNOWN;
                goto done;
            }
            count = stop - start + 1;
            if (count == 0) /* 0..0xffffffff */
                count = UINT32_MAX;
        } else if (rc != 6) {
            if (off + rs > n)
                goto truncated;
            count = get_le(d + off, rs);
            off += rs;
        }
        if (c->m->nobjs < SN_DNP3_MAX_OBJS) {
            struct sn_dnp3_obj *o = &c->m->objs[c->m->nobjs++];
            o->group = g;
            o->variation = v;
            o->qualifier = q;
        }
        if (j) {
            if (!open) {
                cs_json_open_arr(j, "objects");
                open = true;
            }
            cs_json_open(j, NULL);
            cs_json_uint(j, "group", g);
            cs_json_uint(j, "variation", v);
            cs_json_uint(j, "qualifier", q);
            cs_json_uint(j, "prefix_code", pc);
            cs_json_uint(j, "range_code", rc);
            cs_json_uint(j, "start", start);
            cs_json_uint(j, "stop", stop);
            cs_json_uint(j, "count", count);
        }
        if (no_data || rc == 6 || count == 0 || (sp && sp->size == 0 && sp->bits == 0)) {
            if (j)
                cs_json_close(j);
            continue;
        }
        if (!sp && !is_octets(g) && pc < 4) {
            if (j)
                cs_json_close(j);
            c->events |= OEV_UNKNOWN;
            goto done;
        }
        if (sp && sp->bits) { /* packed bits, no prefixes */
            uint64_t nbytes = ((uint64_t)count * sp->bits + 7) / 8;
            bool pts = false;
            if (pc != 0 || nbytes > n - off) {
                if (j)
                    cs_json_close(j);
                goto truncated;
            }
            for (uint32_t i = 0; j && i < count; i++) {
                uint64_t bit = (uint64_t)i * sp->bits;
                uint8_t st = (uint8_t)((d[off + bit / 8] >> (bit % 8)) & ((1u << sp->bits) - 1));
                if (c->npoints++ >= MAX_POINTS) {
                    c->events |= OEV_POINTS;
                    break;
                }
                if (!pts) {
                    cs_json_open_arr(j, "points");
                    pts = true;
                }
                cs_json_open(j, NULL);
                cs_json_uint(j, "prefix", 0);
                cs_json_uint(j, "index", start + i);
                cs_json_uint(j, "state", st);
                cs_json_close(j);
            }
            if (pts)
                cs_json_close_arr(j);
            off += (uint32_t)nbytes;
            if (j)
                cs_json_close(j);
            continue;
        }
        {
            bool pts = false, bad = false;
            for (uint32_t i = 0; i < count; i++) {
                uint32_t prefix = 0, index = start + i, size;
                if (off + ps > n) {
                    bad = true;
                    break;
                }
                if (ps)
                    prefix = get_le(d + off, ps);
                off += ps;
                if (pc >= 1 && pc <= 3)
                    index = prefix;
                size = pc >= 4 ? prefix : sp ? sp->size : v;
                if (size > n - off) {
                    bad = true;
                    break;
                }
                if (j && c->npoints < MAX_POINTS) {
                    if (!pts) {
                        cs_json_open_arr(j, "points");
                        pts = true;
                    }
                    cs_json_open(j, NULL);
                    cs_json_uint(j, "prefix", prefix);
                    cs_json_uint(j, "index", index);
                    if (sp && size == sp->size)
                        log_point(j, sp, d + off);
                    else if (!sp && is_octets(g))
                        cs_json_strn(j, "data", d + off, size);
                    cs_json_close(j);
                } else if (j && c->npoints == MAX_POINTS) {
                    c->events |= OEV_POINTS;
                }
                c->npoints++;
                off += size;
            }
            if (pts)
                cs_json_close_arr(j);
            if (j)
                cs_json_close(j);
            if (bad)
                goto truncated;
        }
    }
    if (off < n && off + 3 > n)
        goto truncated;
    goto done;
truncated:
    c->events |= OEV_LEN;
done:
    if (open)
        cs_json_close_arr(j);
}

/* ---- application layer ----------------------------------------------------------------- */

static const char *const iin_names[16] = {
    /* IIN1, bit 0 first */
    "all_stations",
    "class_1_events",
    "class_2_events",
    "class_3_events",
    "need_time",
    "local_control",
    "device_trouble",
    "device_restart",
    /* IIN2 */
    "no_func_code_support",
    "object_unknown",
    "parameter_error",
    "event_buffer_overflow",
    "already_executing",
    "config_corrupt",
    "reserved_2",
    "reserved_1",
};

/* Writes what Suricata's DNP3 record holds of one message (type, link control, addresses,
 * application header, objects, IIN) into the object open in j; a[0..n) is the application
 * data, hdr its header size (4 for responses). Decodes the objects into c->m as well. */
static void json_msg(struct obj_ctx *c, struct cs_json *j, const uint8_t *a, uint32_t n,
                     uint32_t hdr, bool resp)
{
    const struct sn_dnp3_msg *m = c->m;
    uint8_t lctrl = m->link_ctrl;

    cs_json_str(j, "type",
                !resp              ? "request"
                : m->func == 130   ? "unsolicited_response"
                                   : "response");
    cs_json_open(j, "control");
    cs_json_bool(j, "dir", lctrl & 0x80);
    cs_json_bool(j, "pri", lctrl & 0x40);
    cs_json_bool(j, "fcb", lctrl & 0x20);
    cs_json_bool(j, "fcv", lctrl & 0x10);
    cs_json_uint(j, "function_code", lctrl & 0x0f);
    cs_json_close(j);
    cs_json_uint(j, "src", m->src);
    cs_json_uint(j, "dst", m->dst);
    cs_json_open(j, "application");
    cs_json_open(j, "control");
    cs_json_bool(j, "fir", a[0] & 0x80);
    cs_json_bool(j, "fin", a[0] & 0x40);
    cs_json_bool(j, "con", a[0] & 0x20);
    cs_json_bool(j, "uns", a[0] & 0x10);
    cs_json_uint(j, "sequence", a[0] & 0x0f);
    cs_json_close(j);
    cs_json_uint(j, "function_code", m->func);
    c->j = j;
    parse_objects(c, a + hdr, n - hdr, !resp && req_without_data(m->func));
    cs_json_bool(j, "complete", true);
    cs_json_close(j);
    if (hdr == 4) {
        cs_json_open(j, "iin");
        if (m->iin) {
            cs_json_open_arr(j, "indicators");
            for (int b = 0; b < 16; b++) {
                unsigned byte = b < 8 ? a[2] : a[3];
                if (byte & (1u << (b & 7)))
                    cs_json_str(j, NULL, iin_names[b]);
            }
            cs_json_close_arr(j);
        }
        cs_json_close(j);
    }
}

/* Whether message a[0..n) of direction dir is a response: to-client over TCP; over UDP the
 * flow's client is whoever sent first (often an outstation's link-status request), so
 * responses are told by their function code (129, 130, 131) instead. */
static bool is_response(const struct sn_flow *f, int dir, const uint8_t *a, uint32_t n)
{
    if (f->proto == IPPROTO_UDP && n >= 2)
        return a[1] >= 129 && a[1] <= 131;
    return dir == SN_TOCLIENT;
}

static void on_message(struct sn_worker *w, struct sn_flow *f, struct dnp3_state *s, int dir,
                       uint8_t lctrl, uint16_t dst, uint16_t src)
{
    struct dnp3_dir *dd = &s->d[dir];
    struct sn_dnp3_msg *m = &dd->last;
    const uint8_t *a = dd->buf;
    uint32_t n = dd->len, hdr;
    struct obj_ctx c = {w, f, s, m, NULL, 0, 0};
    struct cs_json *j;
    bool resp = is_response(f, dir, dd->buf, n);

    hdr = resp ? 4 : 2;
    memset(m, 0, offsetof(struct sn_dnp3_msg, objs));
    if (n < hdr) {
        ev(w, f, s, "dnp3.len_too_small");
        return;
    }
    m->valid = true;
    m->id = ++s->next_id;
    m->link_ctrl = lctrl;
    m->dst = dst;
    m->src = src;
    m->app_ctrl = a[0];
    m->func = a[1];
    m->data = a;
    m->data_len = n;
    if (hdr == 4)
        m->iin = (uint16_t)(a[2] << 8 | a[3]);
    if (sn_detect_app_cb) {
        /* detection sees the decoded objects before the record is written: decode once
         * without logging (the logging pass below decodes again, events counted there) */
        struct obj_ctx pre = {w, f, s, m, NULL, 0, 0};
        parse_objects(&pre, a + hdr, n - hdr, dir == SN_TOSERVER && req_without_data(m->func));
        sn_app_detect(w, f, dir, m, "dnp3");
        m->nobjs = 0;
    }
    /* application confirms (function 0) are not logged, as in Suricata */
    j = m->func == 0 ? NULL : sn_app_eve_begin(w, f, SN_EVE_DNP3, "dnp3");
    if (j) {
        cs_json_open(j, "dnp3");
        json_msg(&c, j, a, n, hdr, resp);
        cs_json_close(j);
        sn_app_eve_end(w, j);
    } else {
        parse_objects(&c, a + hdr, n - hdr, !resp && req_without_data(m->func));
    }
    if (c.events & OEV_LEN)
        ev(w, f, s, "dnp3.len_too_small");
    if (c.events & OEV_UNKNOWN)
        ev(w, f, s, "dnp3.unknown_object");
    if (c.events & OEV_OBJECTS)
        ev(w, f, s, "dnp3.too_many_objects");
    if (c.events & OEV_POINTS)
        ev(w, f, s, "dnp3.too_many_points");
}

/* Alert metadata: tx_id (each message is a transaction, numbered from 0 in the flow) and
 * the `dnp3` object with the message under "request" or "response", as Suricata writes it
 * (the same fields as the dnp3 record). tx is the message handed to sn_app_detect(), its
 * data valid during that call. */
static void dnp3_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                           const void *tx, int dir, struct cs_json *j)
{
    const struct sn_dnp3_msg *m = tx;
    struct sn_dnp3_msg scratch; /* the objects decode into a copy: tx stays as it is */
    struct obj_ctx c = {w, f, NULL, &scratch, NULL, 0, 0};
    bool resp;

    (void)state;
    cs_json_uint(j, "tx_id", m->id ? m->id - 1 : 0);
    if (!m->valid || !m->data)
        return;
    resp = is_response(f, dir, m->data, m->data_len);
    if (m->data_len < (resp ? 4u : 2u))
        return;
    memcpy(&scratch, m, offsetof(struct sn_dnp3_msg, objs));
    scratch.data = m->data;
    scratch.data_len = m->data_len;
    cs_json_open(j, "dnp3");
    cs_json_open(j, resp ? "response" : "request");
    json_msg(&c, j, m->data, m->data_len, resp ? 4 : 2, resp);
    cs_json_close(j);
    cs_json_close(j);
}

static uint64_t dnp3_tx_id(const void *tx)
{
    return ((const struct sn_dnp3_msg *)tx)->id;
}

/* ---- link / transport ------------------------------------------------------------------ */

/* Handles one whole link frame fr[0..size) whose header CRC is good. */
static void on_frame(struct sn_worker *w, struct sn_flow *f, struct dnp3_state *s, int dir,
                     const uint8_t *fr, uint32_t size)
{
    struct dnp3_dir *dd = &s->d[dir];
    uint8_t ud[250], th, lctrl = fr[3];
    uint32_t nud = 0, off = LINK_HDR;

    while (off < size) {
        uint32_t blk = size - off - 2 < 16 ? size - off - 2 : 16;
        if (!crc_ok(fr + off, blk)) {
            ev(w, f, s, "dnp3.bad_transport_crc");
            return;
        }
        memcpy(ud + nud, fr + off, blk);
        nud += blk;
        off += blk + 2;
    }
    /* only primary frames carrying user data (confirmed or unconfirmed) reach transport */
    if (nud == 0 || !(lctrl & 0x40) || ((lctrl & 0x0f) != 3 && (lctrl & 0x0f) != 4))
        return;
    th = ud[0];
    if (th & 0x40) { /* FIR: a new fragment */
        dd->len = 0;
        dd->active = true;
        dd->last.valid = false; /* its data is being overwritten */
    } else if (!dd->active || (th & 0x3f) != ((dd->seq + 1) & 0x3f)) {
        dd->active = false; /* out of sequence or no start: drop the fragment */
        return;
    }
    dd->seq = th & 0x3f;
    if (!dd->buf) {
        dd->buf = cs_malloc(SN_DNP3_MAX_APDU);
        if (!dd->buf) {
            dd->active = false;
            return;
        }
    }
    if (nud - 1 > SN_DNP3_MAX_APDU - dd->len) {
        ev(w, f, s, "dnp3.too_long_reassembly");
        dd->active = false;
        dd->len = 0;
        return;
    }
    memcpy(dd->buf + dd->len, ud + 1, nud - 1);
    dd->len += nud - 1;
    if (th & 0x80) { /* FIN */
        dd->active = false;
        on_message(w, f, s, dir, lctrl, cs_get_le16(fr + 4), cs_get_le16(fr + 6));
    }
}

static int dnp3_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                      const uint8_t *data, uint32_t len, unsigned flags)
{
    struct dnp3_state *s = state;
    uint32_t off = 0;

    dir &= 1;
    if (!data) {
        len = 0;
        if (flags & SN_STREAM_GAP)
            s->d[dir].active = false;
    }
    while (off < len) {
        const uint8_t *d = data + off;
        uint32_t avail = len - off, size;

        if (d[0] != 0x05 || (avail >= 2 && d[1] != 0x64)) {
            /* not a frame start: resynchronise on the next 0x05 */
            const uint8_t *nx = memchr(d + 1, 0x05, avail - 1);
            off = nx ? (uint32_t)(nx - data) : len;
            continue;
        }
        if (avail < LINK_HDR) {
            if (data && (flags & SN_APP_DATAGRAM))
                ev(w, f, s, "dnp3.truncated_datagram");
            break;
        }
        if (!crc_ok(d, 8)) {
            ev(w, f, s, "dnp3.bad_link_crc");
            off += 2;
            continue;
        }
        if (d[2] < LINK_MIN_LEN) {
            ev(w, f, s, "dnp3.len_too_small");
            off += LINK_HDR;
            continue;
        }
        size = frame_size(d[2]);
        if (avail < size) {
            if (flags & SN_APP_DATAGRAM)
                ev(w, f, s, "dnp3.truncated_datagram");
            break;
        }
        on_frame(w, f, s, dir, d, size);
        off += size;
    }
    if (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH | SN_APP_DATAGRAM))
        off = len; /* a datagram is never continued by the next one */
    return (int)off;
}

const struct sn_app_parser sn_app_dnp3 = {
    .name = "dnp3",
    .ipproto = 0, /* TCP and UDP */
    .default_ports = "20000",
    .eve_type = SN_EVE_DNP3,
    .probe = dnp3_probe,
    .parse = dnp3_parse,
    .state_new = dnp3_state_new,
    .state_free = dnp3_state_free,
    .log_flow = NULL,
    .log_alert = dnp3_log_alert,
    .tx_id = dnp3_tx_id,
    .max_state_bytes = 4096,
};
