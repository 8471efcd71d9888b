/* kw_modbus.c — modbus: the request of a Modbus transaction, as Suricata's keyword:
 *   modbus: function 21 | function 8, subfunction 4 | function [!]assigned|unassigned|public|
 *           user|reserved|all
 *   modbus: access read|write [discretes|coils|input|holding][, address A[, value V]]
 *   modbus: unit U[, function …| access …]
 * Addresses, values and units are "N", "<N", ">N" or "A<>B" (exclusive). An address matches
 * when it meets the range of registers the request reads or writes; a value is the one the
 * request writes at that (exact) address. */
#include "detect.h"
#include "kw_app.h"

#include "../app/modbus.h"

#include <ctype.h>

static bool word_is(const char **s, const char *w)
{
    size_t n = strlen(w);

    if (strncmp(*s, w, n) != 0 || (*s)[n] == '_' || isalnum((unsigned char)(*s)[n]))
        return false;
    *s += n;
    while (**s == ' ' || **s == '\t')
        (*s)++;
    return true;
}

/* "N", "<N", ">N", "A<>B" */
static bool parse_range(const char *s, struct sn_mb_range *r)
{
    char a[16], b[16];
    const char *sep;
    uint64_t x, y;
    char sign = 0;

    if (*s == '<' || *s == '>')
        sign = *s++;
    sep = strstr(s, "<>");
    if (sep) {
        if (sign || (size_t)(sep - s) >= sizeof(a) || strlen(sep + 2) >= sizeof(b))
            return false;
        memcpy(a, s, (size_t)(sep - s));
        a[sep - s] = 0;
        snprintf(b, sizeof(b), "%s", sep + 2);
        if (!isdigit((unsigned char)a[0]) || !isdigit((unsigned char)b[0]) ||
            !sn_kw_parse_u64(a, 0, 65535, &x) || !sn_kw_parse_u64(b, 0, 65535, &y) || x > y)
            return false;
        r->lo = (uint16_t)x;
        r->hi = (uint16_t)y;
        return true;
    }
    if (!isdigit((unsigned char)*s) || !sn_kw_parse_u64(s, 0, 65535, &x))
        return false;
    r->lo = sign == '<' ? 0 : (uint16_t)x;
    r->hi = sign == '>' ? 65535 : (uint16_t)x;
    return true;
}

static bool range_has(const struct sn_mb_range *r, uint16_t v)
{
    if (r->lo == r->hi)
        return v == r->lo;
    if (r->lo == 0)
        return v < r->hi;
    if (r->hi == 65535)
        return v > r->lo;
    return r->lo < v && v < r->hi;
}

/* Whether the signature range r meets the request's register range [lo, hi]. */
static bool range_meets(const struct sn_mb_range *r, uint16_t lo, uint16_t hi)
{
    if (r->lo == r->hi)
        return lo <= r->lo && r->lo <= hi;
    if (r->lo == 0)
        return r->hi > lo;
    if (r->hi == 65535)
        return r->lo < hi;
    return r->lo < hi && lo < r->hi;
}

static int parse_function(struct sn_kw_ctx *c, struct sn_kw_modbus *m, char **parts, int n)
{
    static const struct {
        const char *name;
        uint8_t cat;
    } cats[] = {
        {"assigned", SN_MB_CAT_PUBLIC_ASSIGNED},
        {"unassigned", SN_MB_CAT_PUBLIC_UNASSIGNED},
        {"public", SN_MB_CAT_PUBLIC_ASSIGNED | SN_MB_CAT_PUBLIC_UNASSIGNED},
        {"user", SN_MB_CAT_USER_DEFINED},
        {"reserved", SN_MB_CAT_RESERVED},
        {"all", SN_MB_CAT_PUBLIC_ASSIGNED | SN_MB_CAT_PUBLIC_UNASSIGNED |
                    SN_MB_CAT_USER_DEFINED | SN_MB_CAT_RESERVED},
    };
    const char *s = parts[0];
    uint64_t v;

    if (!word_is(&s, "function") || !*s)
        return sn_kw_error(c, "modbus: expected 'function <code|category>'");
    if (isdigit((unsigned char)*s)) {
        if (!sn_kw_parse_u64(s, 1, 255, &v))
            return sn_kw_error(c, "modbus: invalid function code '%s'", s);
        m->mode = SN_MB_KW_FUNCTION;
        m->function = (uint8_t)v;
        if (n == 2) {
            const char *q = parts[1];
            if (!word_is(&q, "subfunction") || !sn_kw_parse_u64(q, 0, 65535, &v))
                return sn_kw_error(c, "modbus: invalid subfunction '%s'", parts[1]);
            m->has_sub = true;
            m->sub = (uint16_t)v;
        } else if (n > 2) {
            return sn_kw_error(c, "modbus: too many options after function");
        }
        return CS_OK;
    }
    {
        bool neg = *s == '!';
        size_t k;
        if (neg)
            s++;
        for (k = 0; k < CS_ARRAY_LEN(cats); k++)
            if (strcmp(s, cats[k].name) == 0)
                break;
        if (k == CS_ARRAY_LEN(cats) || n != 1)
            return sn_kw_error(c, "modbus: unknown function category '%s'", s);
        m->mode = SN_MB_KW_CATEGORY;
        m->category = neg ? (uint8_t)(~cats[k].cat & 0x0f) : cats[k].cat;
    }
    return CS_OK;
}

static int parse_access(struct sn_kw_ctx *c, struct sn_kw_modbus *m, char **parts, int n)
{
    const char *s = parts[0];

    if (!word_is(&s, "access"))
        return sn_kw_error(c, "modbus: expected 'access read|write'");
    if (word_is(&s, "read"))
        m->access = SN_MB_ACC_READ;
    else if (word_is(&s, "write"))
        m->access = SN_MB_ACC_WRITE;
    else
        return sn_kw_error(c, "modbus: access needs read or write");
    if (*s) {
        if (word_is(&s, "coils"))
            m->access |= SN_MB_ACC_COILS;
        else if (word_is(&s, "holding"))
            m->access |= SN_MB_ACC_HOLDING;
        else if (word_is(&s, "discretes"))
            m->access |= SN_MB_ACC_DISCRETES;
        else if (word_is(&s, "input"))
            m->access |= SN_MB_ACC_INPUT;
        else
            return sn_kw_error(c, "modbus: unknown access table '%s'", s);
        if (*s)
            return sn_kw_error(c, "modbus: unexpected '%s'", s);
        if ((m->access & SN_MB_ACC_WRITE) &&
            (m->access & (SN_MB_ACC_DISCRETES | SN_MB_ACC_INPUT)))
            return sn_kw_error(c, "modbus: discretes and input are read-only");
    }
    m->mode = SN_MB_KW_ACCESS;
    if (n >= 2) {
        const char *q = parts[1];
        if (!word_is(&q, "address") || !parse_range(q, &m->addr))
            return sn_kw_error(c, "modbus: invalid address '%s'", parts[1]);
        m->has_addr = true;
    }
    if (n >= 3) {
        const char *q = parts[2];
        if (!word_is(&q, "value") || !parse_range(q, &m->value))
            return sn_kw_error(c, "modbus: invalid value '%s'", parts[2]);
        if (m->addr.lo != m->addr.hi)
            return sn_kw_error(c, "modbus: value needs one exact address");
        if (!(m->access & SN_MB_ACC_WRITE))
            return sn_kw_error(c, "modbus: value only works with write access");
        m->has_value = true;
    }
    if (n > 3)
        return sn_kw_error(c, "modbus: too many options after access");
    return CS_OK;
}

static int modbus_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_kw_modbus *m = cs_calloc(1, sizeof(*m));
    char text[256], buf[256], *parts[8];
    size_t len;
    int n, rc = CS_OK, i = 0;

    if (!m)
        return CS_ENOMEM;
    /* the whole option may be quoted */
    sn_kw_trim(opt, strlen(opt), text, sizeof(text));
    len = strlen(text);
    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
        memmove(text, text + 1, len - 2);
        text[len - 2] = 0;
    }
    n = sn_kw_split(text, buf, sizeof(buf), parts, 8);
    if (n <= 0) {
        rc = sn_kw_error(c, "modbus: invalid option '%s'", opt);
        goto out;
    }
    {
        const char *s = parts[0];
        if (word_is(&s, "unit")) {
            if (!parse_range(s, &m->unit)) {
                rc = sn_kw_error(c, "modbus: invalid unit '%s'", s);
                goto out;
            }
            m->has_unit = true;
            i = 1;
        }
    }
    if (i < n) {
        const char *s = parts[i];
        if (strncmp(s, "function", 8) == 0)
            rc = parse_function(c, m, parts + i, n - i);
        else if (strncmp(s, "access", 6) == 0)
            rc = parse_access(c, m, parts + i, n - i);
        else
            rc = sn_kw_error(c, "modbus: unknown option '%s'", s);
    }
out:
    if (rc != CS_OK) {
        cs_free(m);
        return rc;
    }
    return sn_kw_append(c, m);
}

/* Registers the request reads or writes ([*lo, *hi]); false when it addresses none. For
 * read/write multiple registers (23) the write range counts when `write`. */
static bool req_range(const struct sn_modbus_msg *q, bool write, uint16_t *lo, uint16_t *hi)
{
    uint32_t a = q->address, cnt = 1;

    switch (q->kind) {
    case SN_MB_READ_REQ:
    case SN_MB_WRITE_MULT:
        cnt = q->quantity;
        break;
    case SN_MB_WRITE:
    case SN_MB_WRITE_MASK:
        break;
    case SN_MB_READ_WRITE:
        if (write) {
            a = q->waddress;
            cnt = q->wquantity;
        } else {
            cnt = q->quantity;
        }
        break;
    default:
        return false;
    }
    *lo = (uint16_t)a;
    *hi = (uint16_t)CS_MIN(a + (cnt ? cnt - 1 : 0), 65535u);
    return true;
}

/* The value the request writes at address `at`; false when it writes none there. */
static bool req_value(const struct sn_modbus_msg *q, uint16_t at, uint16_t *v)
{
    uint32_t base = q->kind == SN_MB_READ_WRITE ? q->waddress : q->address;
    uint32_t cnt = q->kind == SN_MB_READ_WRITE ? q->wquantity : q->quantity, off;

    switch (q->kind) {
    case SN_MB_WRITE:
        if (at != q->address)
            return false;
        *v = q->value;
        return true;
    case SN_MB_WRITE_MULT:
    case SN_MB_READ_WRITE:
        if (at < base || at - base >= cnt)
            return false;
        off = at - base;
        if (q->func == 15) { /* coils: one bit each, LSB first */
            if (off / 8 >= q->data_len)
                return false;
            *v = (q->data[off / 8] >> (off % 8)) & 1u;
            return true;
        }
        if (2 * off + 1 >= q->data_len)
            return false;
        *v = cs_get_be16(q->data + 2 * off);
        return true;
    default:
        return false;
    }
}

static bool modbus_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_modbus *m = inst->data;
    const struct sn_modbus_tx *tx;
    const struct sn_modbus_msg *q;

    if (!m || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "modbus") != 0)
        return false;
    tx = t->tx;
    /* request keywords: inspected in the request direction only (Suricata registers them
     * to-server), so a transaction alerts once, not again when its response arrives */
    if (!tx->has_req || t->dir != SN_TOSERVER)
        return false;
    q = &tx->req;
    if (m->has_unit && !range_has(&m->unit, q->uid))
        return false;
    switch (m->mode) {
    case SN_MB_KW_ACCESS: {
        uint8_t rw = m->access & (SN_MB_ACC_READ | SN_MB_ACC_WRITE);
        uint8_t tab = m->access & (SN_MB_ACC_DISCRETES | SN_MB_ACC_COILS | SN_MB_ACC_INPUT |
                                   SN_MB_ACC_HOLDING);
        uint16_t lo, hi, v;
        if (!(q->access & rw) || (tab && !(q->access & tab)))
            return false;
        if (!m->has_addr)
            return true;
        if (!req_range(q, (rw & SN_MB_ACC_WRITE) != 0, &lo, &hi) ||
            !range_meets(&m->addr, lo, hi))
            return false;
        if (!m->has_value)
            return true;
        return req_value(q, m->addr.lo, &v) && range_has(&m->value, v);
    }
    case SN_MB_KW_CATEGORY:
        return (q->category & m->category) != 0;
    case SN_MB_KW_FUNCTION:
        if (q->func != m->function)
            return false;
        return !m->has_sub || (q->kind == SN_MB_DIAG && q->sub == m->sub);
    }
    return true; /* unit only */
}

const struct sn_kw sn_kw_modbus = {
    .name = "modbus",
    .desc = "Modbus request: function [, subfunction] | access read|write … | unit",
    .flags = SN_KW_NEEDS_OPT,
    .setup = modbus_setup,
    .free = cs_free,
    .match = modbus_match,
};
