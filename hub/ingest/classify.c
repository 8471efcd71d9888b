/* classify.c — industrial operation classes and stats counters from EVE records (see
 * classify.h for the rules). Function codes from the protocol specifications: Modbus
 * Application Protocol v1.1b3, IEEE 1815 (DNP3) application function codes, IEC 60870-5-101/104
 * type identifications, and the S7comm function codes the sensor logs (sensor/app/s7comm.c). */
#include "classify.h"

#include "../norm/json.h"

/* Integer member at path (NULL-terminated keys) from token obj; false if absent. */
static bool get_int(const struct hub_json_doc *d, uint32_t obj, const char *const *path,
                    int64_t *v)
{
    uint32_t t = obj;
    for (; *path; path++) {
        t = hub_json_get(d, t, *path, strlen(*path));
        if (!t)
            return false;
    }
    return d->toks[t].type == HUB_JSON_NUMBER && hub_json_int(d, t, v) == CS_OK;
}

static bool str_is(const struct hub_json_doc *d, uint32_t obj, const char *key, const char *want)
{
    uint32_t t = hub_json_get(d, obj, key, strlen(key));
    return t && d->toks[t].type == HUB_JSON_STRING && hub_json_str_eq(d, t, want, strlen(want));
}

static const char *modbus_op(const struct hub_json_doc *d, uint32_t m)
{
    static const char *const fc[] = {"request", "function_raw", NULL};
    static const char *const sub[] = {"request", "diagnostic", "raw", NULL};
    int64_t f, s;
    if (!get_int(d, m, fc, &f))
        return NULL;
    switch (f) {
    case 5:  /* write single coil */
    case 6:  /* write single register */
    case 15: /* write multiple coils */
    case 16: /* write multiple registers */
    case 22: /* mask write register */
    case 23: /* read/write multiple registers */
        return HUB_ICS_WRITE;
    case 8: /* diagnostics: 1 restart communications option, 4 force listen only mode */
        if (!get_int(d, m, sub, &s))
            return NULL;
        return s == 1 ? HUB_ICS_RESTART : s == 4 ? HUB_ICS_CONTROL : NULL;
    default:
        return NULL;
    }
}

static const char *dnp3_op(const struct hub_json_doc *d, uint32_t m)
{
    static const char *const fc[] = {"application", "function_code", NULL};
    int64_t f;
    if (!str_is(d, m, "type", "request") || !get_int(d, m, fc, &f))
        return NULL;
    switch (f) {
    case 2: /* WRITE */
        return HUB_ICS_WRITE;
    case 3:  /* SELECT */
    case 4:  /* OPERATE */
    case 5:  /* DIRECT_OPERATE */
    case 6:  /* DIRECT_OPERATE_NR */
    case 7:  /* IMMED_FREEZE */
    case 8:  /* IMMED_FREEZE_NR */
    case 9:  /* FREEZE_CLEAR */
    case 10: /* FREEZE_CLEAR_NR */
    case 11: /* FREEZE_AT_TIME */
    case 12: /* FREEZE_AT_TIME_NR */
    case 16: /* INITIALIZE_APPL */
    case 17: /* START_APPL */
        return HUB_ICS_CONTROL;
    case 13: /* COLD_RESTART */
    case 14: /* WARM_RESTART */
        return HUB_ICS_RESTART;
    case 18: /* STOP_APPL */
        return HUB_ICS_STOP;
    default:
        return NULL;
    }
}

static const char *iec104_op(const struct hub_json_doc *d, uint32_t m)
{
    static const char *const tid[] = {"asdu", "type_id", NULL};
    static const char *const cot[] = {"asdu", "cot", NULL};
    int64_t t, c;
    /* commands travel in the control direction as activation (6) or deactivation (8);
     * the outstation's confirmations (7, 9) and terminations (10) are not counted again */
    if (!get_int(d, m, tid, &t) || !get_int(d, m, cot, &c) || (c != 6 && c != 8))
        return NULL;
    if ((t >= 45 && t <= 47) || (t >= 58 && t <= 60)) /* single, double, step commands */
        return HUB_ICS_CONTROL;
    if (t >= 48 && t <= 69) /* set-points, bitstrings (and the reserved ids up to 69) */
        return HUB_ICS_WRITE;
    if (t == 105) /* C_RP_NA_1 reset process */
        return HUB_ICS_RESTART;
    return NULL;
}

static const char *s7comm_op(const struct hub_json_doc *d, uint32_t m)
{
    static const char *const fn[] = {"function_raw", NULL};
    int64_t f;
    if (!str_is(d, m, "rosctr", "job") || !get_int(d, m, fn, &f))
        return NULL;
    switch (f) {
    case 0x05: /* write_var */
        return HUB_ICS_WRITE;
    case 0x1a: /* request_download: once per block download */
        return HUB_ICS_PROGRAM;
    case 0x28: /* plc_control */
        return HUB_ICS_CONTROL;
    case 0x29: /* plc_stop */
        return HUB_ICS_STOP;
    default:
        return NULL;
    }
}

static const struct {
    const char *type;
    const char *(*op)(const struct hub_json_doc *d, uint32_t m);
} ics[] = {
    {"modbus", modbus_op},
    {"dnp3", dnp3_op},
    {"iec104", iec104_op},
    {"s7comm", s7comm_op},
};

const char *hub_ics_classify(struct hub_str event_type, const char *raw, size_t n)
{
    size_t k = 0;
    while (k < CS_ARRAY_LEN(ics) && !hub_str_eq(event_type, ics[k].type))
        k++;
    if (k == CS_ARRAY_LEN(ics) || !raw || n < 2 || raw[0] != '{')
        return NULL;
    struct hub_json_doc d;
    const char *op = NULL;
    hub_json_doc_init(&d);
    if (hub_json_parse(&d, raw, n, NULL, NULL) == CS_OK) {
        uint32_t m = hub_json_get(&d, 0, ics[k].type, strlen(ics[k].type));
        if (m && d.toks[m].type == HUB_JSON_OBJECT)
            op = ics[k].op(&d, m);
    }
    hub_json_doc_free(&d);
    return op;
}

bool hub_stats_counters(struct hub_str event_type, const char *raw, size_t n, int64_t *packets,
                        int64_t *drops)
{
    static const char *const kp[] = {"stats", "capture", "kernel_packets", NULL};
    static const char *const kd[] = {"stats", "capture", "kernel_drops", NULL};
    static const char *const dp[] = {"stats", "decoder", "pkts", NULL};
    if (!hub_str_eq(event_type, "stats") || !raw || n < 2 || raw[0] != '{')
        return false;
    struct hub_json_doc d;
    bool ok = false;
    hub_json_doc_init(&d);
    if (hub_json_parse(&d, raw, n, NULL, NULL) == CS_OK) {
        int64_t p = 0, dr = 0, dec = 0;
        bool hp = get_int(&d, 0, kp, &p), hd = get_int(&d, 0, kd, &dr),
             hdec = get_int(&d, 0, dp, &dec);
        if ((!hp || p == 0) && hdec)
            p = dec;
        ok = hp || hd || hdec;
        if (ok) {
            *packets = p < 0 ? 0 : p;
            *drops = hd && dr > 0 ? dr : 0;
        }
    }
    hub_json_doc_free(&d);
    return ok;
}
