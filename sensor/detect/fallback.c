/* fallback.c — TEMPORARY weak stand-ins for functions other modules provide (inspect.c,
 * getbuf.c, flowvar.c) so the engine links and its tests run before those land. Each real
 * definition overrides its fallback; delete this file once all of them are on main.
 *
 * The stand-ins are deliberately small: sn_inspect_buffer() knows only plain content
 * (nocase, negation, offset/depth with literal values, distance/within) and refuses every
 * other payload keyword; sn_detect_get_buffer() gives only the packet payload. */
#include "detect.h"
#include "kw_content.h"

#include <ctype.h>
#include <string.h>

__attribute__((weak)) void sn_detect_postmatch(struct sn_detect_thread *t)
{
    (void)t;
}

__attribute__((weak)) void sn_flowvars_free(struct sn_flowvars *v)
{
    (void)v;
}

__attribute__((weak)) bool sn_detect_get_buffer(struct sn_detect_thread *t, int buf, uint32_t idx,
                                                const uint8_t **data, uint32_t *len)
{
    if (buf != SN_BUF_PKT || idx || !t->p)
        return false;
    *data = t->p->payload;
    *len = t->p->payload_len;
    return true;
}

static bool eq(const uint8_t *a, const uint8_t *b, uint32_t n, bool nocase)
{
    if (!nocase)
        return memcmp(a, b, n) == 0;
    for (uint32_t i = 0; i < n; i++)
        if (tolower(a[i]) != tolower(b[i]))
            return false;
    return true;
}

__attribute__((weak)) bool sn_inspect_buffer(struct sn_detect_thread *t, uint32_t first,
                                             uint32_t end)
{
    for (uint32_t i = first; i < end; i++) {
        const struct sn_kw_inst *in = &t->rule->kw[i];
        const struct sn_content *c;
        int64_t lo = 0, hi;
        bool found = false;
        uint32_t at = 0;
        if (!sn_kw_is_content(in))
            return false;
        c = in->data;
        if (c->depth.var >= 0 || c->offset.var >= 0 || c->distance.var >= 0 ||
            c->within.var >= 0)
            return false;
        hi = t->buf_len;
        if (c->flags & SN_CONTENT_DISTANCE)
            lo = (int64_t)t->cursor + c->distance.v;
        if (c->flags & SN_CONTENT_WITHIN)
            hi = CS_MIN(hi, (int64_t)t->cursor + (c->flags & SN_CONTENT_DISTANCE ? c->distance.v : 0) +
                                c->within.v);
        if (c->flags & SN_CONTENT_OFFSET)
            lo = c->offset.v;
        if (c->flags & SN_CONTENT_DEPTH)
            hi = CS_MIN(hi, lo + c->depth.v);
        if (c->flags & SN_CONTENT_STARTSWITH)
            hi = CS_MIN(hi, (int64_t)c->len);
        if (lo < 0)
            lo = 0;
        for (int64_t p = lo; p + c->len <= hi && !found; p++)
            if (eq(t->buf + p, c->pat, c->len, c->flags & SN_CONTENT_NOCASE)) {
                if ((c->flags & SN_CONTENT_ENDSWITH) && (uint32_t)p + c->len != t->buf_len)
                    continue;
                found = true;
                at = (uint32_t)p + c->len;
            }
        if (c->flags & SN_CONTENT_NEGATED) {
            if (found)
                return false;
        } else {
            if (!found)
                return false;
            t->cursor = at;
        }
    }
    return true;
}
