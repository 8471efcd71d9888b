/* kw_byte.c — the option parser shared by byte_test, byte_jump, byte_extract and
 * byte_math, and their rule variables. */
#include "kw_payload.h"

#include <ctype.h>

int sn_byte_define_var(struct sn_kw_ctx *c, const char *name)
{
    struct sn_rule *r = c->rule;
    char **nv;
    if (!isalpha((unsigned char)name[0]) && name[0] != '_')
        return sn_kw_error(c, "invalid variable name '%s'", name), -1;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return sn_kw_error(c, "invalid variable name '%s'", name), -1;
    for (uint32_t i = 0; i < r->nvars; i++)
        if (strcmp(r->vars[i], name) == 0)
            return sn_kw_error(c, "variable '%s' defined twice", name), -1;
    nv = cs_realloc(r->vars, (r->nvars + 1) * sizeof(*nv));
    if (!nv)
        return -1;
    r->vars = nv;
    if (!(nv[r->nvars] = cs_strdup(name)))
        return -1;
    return (int)r->nvars++;
}

static bool set_base(const char *s, struct sn_byte *d)
{
    if (strcmp(s, "hex") == 0)
        d->base = 16;
    else if (strcmp(s, "dec") == 0)
        d->base = 10;
    else if (strcmp(s, "oct") == 0)
        d->base = 8;
    else
        return false;
    return true;
}

int sn_byte_opts(struct sn_kw_ctx *c, char **parts, int n, struct sn_byte *d, uint32_t allow)
{
    bool endian = false;
    for (int i = 0; i < n; i++) {
        char *p = parts[i], *arg = p;
        while (*arg && !isspace((unsigned char)*arg))
            arg++;
        if (*arg) {
            *arg++ = 0;
            while (isspace((unsigned char)*arg))
                arg++;
        }
        if (strcmp(p, "relative") == 0 && !*arg) {
            d->flags |= SN_BYTE_RELATIVE;
        } else if ((strcmp(p, "big") == 0 || strcmp(p, "little") == 0) && !*arg) {
            if (endian)
                return sn_kw_error(c, "'%s': endianness given twice", c->kw->name);
            endian = true;
            if (p[0] == 'l')
                d->flags |= SN_BYTE_LITTLE;
        } else if (strcmp(p, "endian") == 0 && (allow & SN_BYTE_OPT_KV_STRING)) {
            if (strcmp(arg, "little") == 0)
                d->flags |= SN_BYTE_LITTLE;
            else if (strcmp(arg, "big") != 0)
                return sn_kw_error(c, "'%s': invalid endian '%s'", c->kw->name, arg);
            endian = true;
        } else if (strcmp(p, "dce") == 0 && !*arg) {
            d->flags |= SN_BYTE_DCE;
        } else if (strcmp(p, "string") == 0) {
            d->flags |= SN_BYTE_STRING;
            d->base = 10;
            if (*arg && !set_base(arg, d))
                return sn_kw_error(c, "'%s': invalid number type '%s'", c->kw->name, arg);
        } else if (!*arg && (d->flags & SN_BYTE_STRING) && set_base(p, d)) {
            /* "string, hex" */
        } else if (strcmp(p, "align") == 0 && (allow & SN_BYTE_OPT_ALIGN) && !*arg) {
            d->flags |= SN_BYTE_ALIGN;
        } else if (strcmp(p, "align") == 0 && (allow & SN_BYTE_OPT_ALIGN_N)) {
            if (strcmp(arg, "2") != 0 && strcmp(arg, "4") != 0)
                return sn_kw_error(c, "'%s': align must be 2 or 4", c->kw->name);
            d->align = (uint8_t)(arg[0] - '0');
        } else if (strcmp(p, "from_beginning") == 0 && (allow & SN_BYTE_OPT_FROM) && !*arg) {
            d->flags |= SN_BYTE_FROM_BEGINNING;
        } else if (strcmp(p, "from_end") == 0 && (allow & SN_BYTE_OPT_FROM) && !*arg) {
            d->flags |= SN_BYTE_FROM_END;
        } else if (strcmp(p, "multiplier") == 0 && (allow & SN_BYTE_OPT_MULT)) {
            uint64_t v;
            if (!sn_kw_parse_u64(arg, 1, 65535, &v))
                return sn_kw_error(c, "'%s': invalid multiplier '%s'", c->kw->name, arg);
            d->multiplier = (uint32_t)v;
        } else if (strcmp(p, "post_offset") == 0 && (allow & SN_BYTE_OPT_POST)) {
            if (!sn_kw_parse_i64(arg, -65535, 65535, &d->post_offset))
                return sn_kw_error(c, "'%s': invalid post_offset '%s'", c->kw->name, arg);
        } else if (strcmp(p, "bitmask") == 0 && (allow & SN_BYTE_OPT_BITMASK)) {
            if (!sn_kw_parse_u64(arg, 1, UINT32_MAX, &d->bitmask))
                return sn_kw_error(c, "'%s': invalid bitmask '%s'", c->kw->name, arg);
            d->flags |= SN_BYTE_BITMASK;
        } else {
            return sn_kw_error(c, "'%s': unknown option '%s%s%s'", c->kw->name, p, *arg ? " " : "",
                               arg);
        }
    }
    if ((d->flags & SN_BYTE_FROM_BEGINNING) && (d->flags & SN_BYTE_FROM_END))
        return sn_kw_error(c, "'%s': from_beginning and from_end together", c->kw->name);
    if ((d->flags & SN_BYTE_DCE) && (endian || (d->flags & SN_BYTE_STRING)))
        return sn_kw_error(c, "'%s': dce cannot be combined with an endianness or string",
                           c->kw->name);
    /* 0 with string: the number runs to the end of the buffer (ET uses it on
     * http.content_len) */
    if ((d->nbytes < 1 && !(d->flags & SN_BYTE_STRING)) ||
        d->nbytes > ((d->flags & SN_BYTE_STRING) ? 10 : 8))
        return sn_kw_error(c, "'%s': %u bytes is out of range (1..%d)", c->kw->name, d->nbytes,
                           (d->flags & SN_BYTE_STRING) ? 10 : 8);
    return CS_OK;
}
