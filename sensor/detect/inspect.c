/* inspect.c — the payload inspector: evaluates the consecutive payload instances of a rule
 * (content, pcre, isdataat, bsize, urilen, byte_test/jump/extract/math, base64_decode, and
 * the transforms that open a sticky buffer's run) over one buffer, with Suricata's
 * relative matching, backtracking and recursion limit. docs/internals/inspect.md describes
 * the semantics; the rule data comes from kw_content.h, kw_pcre.h and kw_payload.h.
 *
 * Evaluation is a recursion over the instances, as in Suricata's content inspection: each
 * step returns MATCH (the rest of the run matched), NOMATCH (try the previous content or
 * pcre at its next occurrence, when a later keyword depends on where it matched) or GIVEUP
 * (nothing earlier can change the outcome). */
#include "detect.h"
#include "kw_content.h"
#include "kw_payload.h"
#include "kw_pcre.h"

#include <openssl/evp.h>

#define MATCH 1
#define NOMATCH 0
#define GIVEUP (-1)

extern const struct sn_kw sn_kw_content, sn_kw_uricontent, sn_kw_pcre, sn_kw_isdataat,
    sn_kw_bsize, sn_kw_urilen, sn_kw_byte_test, sn_kw_byte_jump, sn_kw_byte_extract,
    sn_kw_byte_math, sn_kw_base64_decode, sn_kw_to_lowercase, sn_kw_to_uppercase, sn_kw_to_md5,
    sn_kw_to_sha1, sn_kw_to_sha256, sn_kw_strip_whitespace, sn_kw_compress_whitespace,
    sn_kw_url_decode, sn_kw_dotprefix, sn_kw_header_lowercase, sn_kw_strip_pseudo_headers;

/* One evaluation over one buffer. */
struct insp {
    struct sn_detect_thread *t;
    const struct sn_rule *r;
    const uint8_t *buf;
    uint32_t len;
    uint32_t end;       /* one past the last instance of the run */
    uint32_t *rec;      /* recursion counter shared with nested (base64_data) runs */
};

static int eval(struct insp *c, uint32_t i);

/* ---- scratch ------------------------------------------------------------------------------ */

/* Scratch buffer k with room for n bytes (grown geometrically, kept for the thread's life),
 * or NULL when the allocation fails. */
static uint8_t *scratch(struct sn_detect_thread *t, int k, size_t n)
{
    if (n > UINT32_MAX)
        return NULL;
    if (t->scratch_cap[k] < n || !t->scratch[k]) {
        size_t cap = t->scratch_cap[k] ? t->scratch_cap[k] : 256;
        uint8_t *p;
        while (cap < n)
            cap *= 2;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        p = cs_realloc(t->scratch[k], cap);
        if (!p)
            return NULL;
        t->scratch[k] = p;
        t->scratch_cap[k] = (uint32_t)cap;
    }
    return t->scratch[k];
}

/* ---- values ------------------------------------------------------------------------------- */

static int64_t val_of(const struct sn_detect_thread *t, const struct sn_kw_val *v)
{
    if (v->var >= 0 && v->var < SN_DETECT_MAX_VARS)
        return t->vars[v->var];
    return v->v;
}

/* ---- content ------------------------------------------------------------------------------ */

static inline uint8_t fold(uint8_t ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
}

static bool eq_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return true;
}

/* First occurrence of p (pl >= 1) in h, case-folded for ASCII letters when nocase. No copy:
 * candidates for the first byte come from memchr on both of its cases. */
static const uint8_t *find(const uint8_t *h, size_t hl, const uint8_t *p, size_t pl, bool nocase)
{
    const uint8_t *s, *last, *lo = NULL, *up = NULL;
    uint8_t c_lo, c_up;

    if (pl == 0 || pl > hl)
        return NULL;
    if (!nocase)
        return memmem(h, hl, p, pl);
    c_lo = fold(p[0]);
    c_up = (c_lo >= 'a' && c_lo <= 'z') ? (uint8_t)(c_lo - 32) : c_lo;
    last = h + (hl - pl); /* last possible start */
    for (s = h; s <= last;) {
        size_t n = (size_t)(last - s) + 1;
        if (c_lo == c_up) {
            s = memchr(s, c_lo, n);
        } else {
            if (lo != last + 1 && (!lo || lo < s)) {
                lo = memchr(s, c_lo, n);
                if (!lo)
                    lo = last + 1;
            }
            if (up != last + 1 && (!up || up < s)) {
                up = memchr(s, c_up, n);
                if (!up)
                    up = last + 1;
            }
            s = lo < up ? lo : up;
            if (s > last)
                s = NULL;
        }
        if (!s)
            return NULL;
        if (eq_nocase(s + 1, p + 1, pl - 1))
            return s;
        s++;
    }
    return NULL;
}

static bool is_content(const struct sn_kw_inst *in)
{
    return in->kw == &sn_kw_content || in->kw == &sn_kw_uricontent;
}

/* Whether a keyword after the content/pcre at i depends on where it matched, so that a
 * failure there warrants retrying i at its next occurrence. As Suricata marks it at load
 * time: the relative keywords that follow i before the next content/pcre anchor on i;
 * byte_*, isdataat and pcre R mark it "relative next"; a content with within marks it
 * "within next"; a content with only distance marks "distance next" (or "relative next"
 * when it is negated), and "distance next" does not retry a content (Suricata's content
 * loop) but does retry a pcre. */
static bool retry_after(const struct insp *c, uint32_t i, bool for_pcre)
{
    for (uint32_t j = i + 1; j < c->end; j++) {
        const struct sn_kw_inst *in = &c->r->kw[j];
        if (is_content(in)) {
            const struct sn_content *ct = in->data;
            if (ct->flags & SN_CONTENT_WITHIN)
                return true;
            if (!(ct->flags & SN_CONTENT_DISTANCE))
                return false;
            /* distance on a negated content marks "relative next" */
            return for_pcre || (ct->flags & SN_CONTENT_NEGATED);
        }
        if (in->kw == &sn_kw_pcre)
            return (((const struct sn_pcre *)in->data)->flags & SN_PCRE_RELATIVE) != 0;
        if (in->kw == &sn_kw_isdataat) {
            if (((const struct sn_isdataat *)in->data)->relative)
                return true;
        } else if (in->kw == &sn_kw_byte_test || in->kw == &sn_kw_byte_jump ||
                   in->kw == &sn_kw_byte_extract || in->kw == &sn_kw_byte_math) {
            if (((const struct sn_byte *)in->data)->flags & SN_BYTE_RELATIVE)
                return true;
        }
    }
    return false;
}

static int next(struct insp *c, uint32_t i)
{
    if (i + 1 >= c->end)
        return MATCH;
    return eval(c, i + 1);
}

static int do_content(struct insp *c, uint32_t i)
{
    struct sn_detect_thread *t = c->t;
    const struct sn_content *ct = c->r->kw[i].data;
    const bool relative = (ct->flags & (SN_CONTENT_DISTANCE | SN_CONTENT_WITHIN)) != 0;
    const bool negated = (ct->flags & SN_CONTENT_NEGATED) != 0;
    const uint32_t prev = t->cursor;
    uint32_t retry_from = 0; /* start of the previous occurrence + 1 */

    for (;;) {
        int64_t off, depth = c->len;
        const uint8_t *found;

        if (relative) {
            int64_t dist = 0;
            off = prev;
            if (ct->flags & SN_CONTENT_DISTANCE) {
                dist = val_of(t, &ct->distance);
                off = (dist < 0 && -dist > off) ? 0 : off + dist;
            }
            if (ct->flags & SN_CONTENT_WITHIN) {
                int64_t lim = (int64_t)prev + dist + val_of(t, &ct->within);
                if (lim < depth)
                    depth = lim < 0 ? 0 : lim;
            }
        } else {
            off = (ct->flags & SN_CONTENT_OFFSET) ? val_of(t, &ct->offset) : 0;
            if (off < 0)
                off = 0;
            if (ct->flags & SN_CONTENT_DEPTH) {
                int64_t d = val_of(t, &ct->depth);
                depth = off + (d < 0 ? 0 : d); /* depth counts from offset */
            }
        }
        if (retry_from)
            off = retry_from;
        if (depth > c->len)
            depth = c->len;
        if (off > depth || depth == 0)
            return negated ? next(c, i) : NOMATCH;

        if (ct->flags & SN_CONTENT_ENDSWITH) {
            /* only one place can match: the end of the buffer */
            found = NULL;
            if (depth == c->len && ct->len <= depth - off) {
                const uint8_t *at = c->buf + c->len - ct->len;
                if ((ct->flags & SN_CONTENT_NOCASE) ? eq_nocase(at, ct->pat, ct->len)
                                                    : memcmp(at, ct->pat, ct->len) == 0)
                    found = at;
            }
        } else {
            found = find(c->buf + off, (size_t)(depth - off), ct->pat, ct->len,
                         (ct->flags & SN_CONTENT_NOCASE) != 0);
        }

        if (!found) {
            if (negated)
                return next(c, i);
            /* an independent pattern that is absent fails the whole run */
            return relative ? NOMATCH : GIVEUP;
        }
        if (negated) {
            /* single: not relative and nothing relative after it (Suricata's IS_SINGLE) */
            bool single = !relative && !(ct->flags & (SN_CONTENT_DEPTH | SN_CONTENT_OFFSET)) &&
                          !retry_after(c, i, true);
            return single ? GIVEUP : NOMATCH;
        }

        t->cursor = (uint32_t)(found - c->buf) + ct->len;
        if (i + 1 >= c->end)
            return MATCH;
        {
            int r = eval(c, i + 1);
            if (r != NOMATCH)
                return r;
        }
        if (!retry_after(c, i, false))
            return GIVEUP;
        retry_from = (uint32_t)(found - c->buf) + 1;
        t->cursor = prev;
    }
}

/* ---- pcre --------------------------------------------------------------------------------- */

static bool pcre_state(struct sn_detect_thread *t)
{
    if (t->pcre_md)
        return true;
    t->pcre_mctx[0] = pcre2_match_context_create(NULL);
    t->pcre_mctx[1] = pcre2_match_context_create(NULL);
    t->pcre_md = pcre2_match_data_create(1, NULL);
    if (!t->pcre_mctx[0] || !t->pcre_mctx[1] || !t->pcre_md) {
        sn_inspect_thread_free(t);
        return false;
    }
    /* [0]: Suricata's built-in limits; [1] ('O'): the configured pcre.match-limit and
     * pcre.match-limit-recursion, whose stock values are the same numbers (the sensor's
     * configuration does not carry them yet) */
    pcre2_set_match_limit(t->pcre_mctx[0], SN_INSPECT_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(t->pcre_mctx[0], SN_INSPECT_PCRE_DEPTH_LIMIT);
    pcre2_set_match_limit(t->pcre_mctx[1], SN_INSPECT_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(t->pcre_mctx[1], SN_INSPECT_PCRE_DEPTH_LIMIT);
    return true;
}

static int do_pcre(struct insp *c, uint32_t i)
{
    struct sn_detect_thread *t = c->t;
    const struct sn_pcre *pe = c->r->kw[i].data;
    const bool negated = (pe->flags & SN_PCRE_NEGATED) != 0;
    const uint32_t prev = t->cursor;
    const uint32_t base = (pe->flags & SN_PCRE_RELATIVE) ? prev : 0;
    uint32_t start = 0; /* absolute offset of the next attempt (0: from base) */
    bool retry = false, retry_known = false;

    if (!pcre_state(t))
        return NOMATCH;
    for (;;) {
        PCRE2_SIZE so = start ? start - base : 0;
        int rc = pcre2_match(pe->re, (PCRE2_SPTR)(c->buf + base), c->len - base, so, 0,
                             t->pcre_md, t->pcre_mctx[(pe->flags & SN_PCRE_NO_LIMIT) ? 1 : 0]);
        uint32_t next_start = 0;

        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!negated)
                return NOMATCH;
        } else if (rc >= 0) {
            PCRE2_SIZE *ov;
            if (negated)
                return NOMATCH;
            ov = pcre2_get_ovector_pointer(t->pcre_md);
            t->cursor = base + (uint32_t)ov[1];
            next_start = base + (uint32_t)ov[0] + 1;
        } else {
            return NOMATCH; /* match limit hit or other error: no match, as Suricata */
        }
        if (!retry_known) {
            retry = retry_after(c, i, true);
            retry_known = true;
        }
        if (!retry || i + 1 >= c->end)
            return next(c, i);
        {
            int r = eval(c, i + 1);
            if (r != NOMATCH)
                return r;
        }
        if (next_start == 0) /* negated: no other occurrence to try */
            return NOMATCH;
        t->cursor = prev;
        start = next_start;
        if (start > c->len)
            return NOMATCH;
    }
}

/* ---- isdataat, bsize, urilen ---------------------------------------------------------------- */

static int do_isdataat(struct insp *c, uint32_t i)
{
    const struct sn_isdataat *d = c->r->kw[i].data;
    int64_t n = val_of(c->t, &d->n);
    bool from_var = d->n.var >= 0, present;

    if (from_var && (n < 0 || n >= 100000000)) /* absurd extracted value */
        return d->negated ? next(c, i) : NOMATCH;
    if (d->relative)
        present = (int64_t)c->t->cursor + n <= (int64_t)c->len;
    else
        present = n < (int64_t)c->len;
    if (present != d->negated)
        return next(c, i);
    /* Suricata gives up on the whole run unless a retry of the previous match could change
     * the outcome: a relative test that fails by negation, or a value from a variable */
    if (d->relative && present)
        return NOMATCH;
    return from_var ? NOMATCH : GIVEUP;
}

static int do_cmp_len(struct insp *c, uint32_t i, const struct sn_u64cmp *m, uint64_t v)
{
    (void)i;
    if (sn_u64cmp_eval(m, v))
        return next(c, i);
    return GIVEUP; /* the length does not depend on any match position */
}

/* ---- byte_* ------------------------------------------------------------------------------- */

static int hexv(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Parses up to n bytes of text as an unsigned number in base (8, 10, 16) as strtoull would
 * (leading white space skipped, "0x" accepted in base 16), into *v. Returns the bytes
 * consumed, 0 when there is no digit or the value overflows. */
static uint32_t parse_num(const uint8_t *p, uint32_t n, int base, uint64_t *v)
{
    uint32_t k = 0, digits = 0;
    uint64_t acc = 0;

    while (k < n && (p[k] == ' ' || (p[k] >= '\t' && p[k] <= '\r')))
        k++;
    if (k < n && p[k] == '+')
        k++;
    if (base == 16 && k + 2 < n && p[k] == '0' && (p[k + 1] | 0x20) == 'x' &&
        hexv(p[k + 2]) >= 0)
        k += 2;
    for (; k < n; k++) {
        int d;
        uint8_t ch = p[k];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
            d = (ch | 0x20) - 'a' + 10;
        else
            break;
        if (d >= base)
            break;
        if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return 0;
        acc = acc * (uint64_t)base + (uint64_t)d;
        digits++;
    }
    if (!digits)
        return 0;
    *v = acc;
    return k;
}

/* Reads the value of a byte_* keyword: *pos (absolute) is where it starts; returns the
 * bytes consumed (> 0) and *v, or 0 when the data is not there or not a number. */
static uint32_t byte_read(const struct insp *c, const struct sn_byte *d, int64_t *pos,
                          uint64_t *v)
{
    int64_t off = val_of(c->t, &d->offset), at, avail;
    uint32_t nb = d->nbytes;

    at = off + ((d->flags & SN_BYTE_RELATIVE) ? (int64_t)c->t->cursor : 0);
    avail = (int64_t)c->len - at;
    if (at < 0 || at > (int64_t)c->len)
        return 0;
    if ((d->flags & SN_BYTE_RELATIVE) && nb && avail <= 0)
        return 0;
    if ((d->flags & SN_BYTE_STRING) && nb == 0)
        nb = (uint32_t)avail; /* string to the end of the buffer */
    if ((int64_t)nb > avail || nb == 0)
        return 0;
    *pos = at;
    if (d->flags & SN_BYTE_STRING)
        return parse_num(c->buf + at, nb, d->base ? d->base : 10, v);
    {
        uint64_t x = 0;
        const uint8_t *p = c->buf + at;
        for (uint32_t k = 0; k < nb; k++) {
            if (d->flags & SN_BYTE_LITTLE)
                x |= (uint64_t)p[k] << (8 * k);
            else
                x = x << 8 | p[k];
        }
        *v = x;
    }
    return nb;
}

static uint64_t apply_bitmask(const struct sn_byte *d, uint64_t v)
{
    if (!(d->flags & SN_BYTE_BITMASK) || d->bitmask == 0)
        return v;
    v &= d->bitmask;
    if (v)
        v >>= __builtin_ctzll(d->bitmask);
    return v;
}

static int do_byte_test(struct insp *c, uint32_t i)
{
    const struct sn_byte *d = c->r->kw[i].data;
    int64_t pos;
    uint64_t v, want = (uint64_t)val_of(c->t, &d->value);
    bool m;

    if (!byte_read(c, d, &pos, &v))
        return NOMATCH;
    v = apply_bitmask(d, v);
    if (!strcmp(d->op, "<"))
        m = v < want;
    else if (!strcmp(d->op, ">"))
        m = v > want;
    else if (!strcmp(d->op, "="))
        m = v == want;
    else if (!strcmp(d->op, "<="))
        m = v <= want;
    else if (!strcmp(d->op, ">="))
        m = v >= want;
    else if (!strcmp(d->op, "&"))
        m = (v & want) != 0;
    else if (!strcmp(d->op, "^"))
        m = (v ^ want) != 0;
    else
        return NOMATCH;
    if (d->flags & SN_BYTE_NEGATED)
        m = !m;
    return m ? next(c, i) : NOMATCH;
}

static int do_byte_jump(struct insp *c, uint32_t i)
{
    const struct sn_byte *d = c->r->kw[i].data;
    int64_t pos, jump, to;
    uint64_t v;
    uint32_t ext = byte_read(c, d, &pos, &v);

    if (!ext)
        return NOMATCH;
    v = apply_bitmask(d, v);
    if (v > (uint64_t)INT32_MAX) /* beyond any buffer after the multiplier */
        return NOMATCH;
    jump = (int64_t)v * d->multiplier;
    if ((d->flags & SN_BYTE_ALIGN) && jump % 4)
        jump += 4 - jump % 4;
    jump += d->post_offset;
    if (d->flags & SN_BYTE_FROM_BEGINNING)
        to = jump;
    else if (d->flags & SN_BYTE_FROM_END)
        to = (int64_t)c->len + jump;
    else
        to = pos + ext + jump;
    if (to < 0)
        to = 0; /* Suricata clamps a jump before the start to the start */
    else if (to > (int64_t)c->len)
        return NOMATCH;
    c->t->cursor = (uint32_t)to;
    return next(c, i);
}

static int do_byte_extract(struct insp *c, uint32_t i)
{
    const struct sn_byte *d = c->r->kw[i].data;
    int64_t pos;
    uint64_t v;
    uint32_t ext = byte_read(c, d, &pos, &v);

    if (!ext || d->var < 0 || d->var >= SN_DETECT_MAX_VARS)
        return NOMATCH;
    v *= d->multiplier;
    if (d->align && v % d->align)
        v += d->align - v % d->align;
    c->t->vars[d->var] = (int64_t)v;
    c->t->cursor = (uint32_t)(pos + ext);
    return next(c, i);
}

static int do_byte_math(struct insp *c, uint32_t i)
{
    const struct sn_byte *d = c->r->kw[i].data;
    int64_t pos;
    uint64_t v, rv = (uint64_t)val_of(c->t, &d->rvalue);
    uint32_t ext = byte_read(c, d, &pos, &v);

    if (!ext || d->var < 0 || d->var >= SN_DETECT_MAX_VARS)
        return NOMATCH;
    v = apply_bitmask(d, v);
    switch (d->oper[0]) {
    case '+':
        v += rv;
        break;
    case '-':
        v -= rv;
        break;
    case '*':
        v *= rv;
        break;
    case '/':
        if (rv == 0)
            return NOMATCH;
        v /= rv;
        break;
    case '<':
        v = rv < 64 ? v << rv : 0;
        break;
    case '>':
        v = rv < 64 ? v >> rv : 0;
        break;
    default:
        return NOMATCH;
    }
    c->t->vars[d->var] = (int64_t)v;
    c->t->cursor = (uint32_t)(pos + ext);
    return next(c, i);
}

/* ---- base64 ------------------------------------------------------------------------------- */

static int b64val(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

static void b64_block(uint8_t *o, const uint8_t q[4])
{
    o[0] = (uint8_t)(q[0] << 2 | q[1] >> 4);
    o[1] = (uint8_t)(q[1] << 4 | q[2] >> 2);
    o[2] = (uint8_t)(q[2] << 6 | q[3]);
}

/* RFC 4648 decoding, lenient, as Suricata's base64_decode keyword does it: the first byte
 * outside the alphabet (other than '=') ends the data; '=' is padding that shortens its
 * block; a trailing partial block of k bytes yields 1 (k <= 2) or 2 (k == 3) bytes. Returns
 * the decoded length; out needs room for n / 4 * 3 + 6 bytes. */
static uint32_t b64_decode(const uint8_t *in, uint32_t n, uint8_t *out)
{
    uint8_t q[4] = {0};
    uint32_t o = 0, k = 0, pad = 0;

    for (uint32_t j = 0; j < n; j++) {
        int v = b64val(in[j]);
        if (v < 0) {
            if (in[j] != '=')
                break;
            pad++;
            v = 0;
        }
        q[k++] = (uint8_t)v;
        if (k == 4) {
            b64_block(out + o, q);
            o += 3 - (pad < 4 ? pad : 3);
            k = 0;
            pad = 0;
            memset(q, 0, sizeof(q));
        }
    }
    if (k > 0) {
        pad = k > 1 ? 4 - k : 2;
        b64_block(out + o, q);
        o += 3 - pad;
    }
    return o;
}

static int do_base64_decode(struct insp *c, uint32_t i)
{
    struct sn_detect_thread *t = c->t;
    const struct sn_base64 *b = c->r->kw[i].data;
    const uint8_t *p = c->buf;
    uint32_t n = c->len, b0, b1;
    uint8_t *out;
    struct insp sub;

    if (c->buf == t->scratch[2])
        return NOMATCH; /* base64_decode inside base64_data: the bytes would be overwritten */
    if (b->relative) {
        p += t->cursor;
        n -= t->cursor;
    }
    if (b->offset) {
        if (b->offset >= n)
            return NOMATCH;
        p += b->offset;
        n -= b->offset;
    }
    if (b->bytes && b->bytes < n)
        n = b->bytes;
    t->b64_len = 0;
    out = scratch(t, 2, (size_t)n / 4 * 3 + 6);
    if (!out)
        return NOMATCH;
    t->b64_len = b64_decode(p, n, out);
    if (t->b64_len == 0)
        return NOMATCH;
    /* The base64_data instances are evaluated here, as a terminal list (Suricata): when they
     * match, the rest of this run is not looked at; without any, base64_decode never
     * matches. */
    for (b0 = 0; b0 < c->r->nkw && c->r->kw[b0].buffer != SN_BUF_BASE64_DATA; b0++)
        ;
    if (b0 == c->r->nkw)
        return NOMATCH;
    for (b1 = b0; b1 < c->r->nkw && c->r->kw[b1].buffer == SN_BUF_BASE64_DATA; b1++)
        ;
    sub = (struct insp){.t = t, .r = c->r, .buf = out, .len = t->b64_len, .end = b1, .rec = c->rec};
    {
        uint32_t saved = t->cursor;
        int r;
        t->cursor = 0;
        r = eval(&sub, b0);
        t->cursor = saved;
        return r == MATCH ? MATCH : NOMATCH;
    }
}

/* ---- transforms --------------------------------------------------------------------------- */

static bool is_ws(uint8_t ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Applies transform `kw` to in[0..n) into scratch k; returns false on allocation failure. */
static bool transform(struct sn_detect_thread *t, const struct sn_kw *kw, const uint8_t *in,
                      uint32_t n, int k, const uint8_t **out, uint32_t *outlen)
{
    uint8_t *o;
    uint32_t m = 0;
    const EVP_MD *md = NULL;

    if (n == 0) { /* Suricata leaves an empty buffer as it is, whatever the transform */
        *out = in;
        *outlen = 0;
        return true;
    }
    if (kw == &sn_kw_to_md5)
        md = EVP_md5();
    else if (kw == &sn_kw_to_sha1)
        md = EVP_sha1();
    else if (kw == &sn_kw_to_sha256)
        md = EVP_sha256();
    if (md) {
        unsigned int dl = 0;
        o = scratch(t, k, EVP_MAX_MD_SIZE);
        if (!o || !EVP_Digest(in, n, o, &dl, md, NULL))
            return false;
        *out = o;
        *outlen = dl;
        return true;
    }
    o = scratch(t, k, (size_t)n + 1);
    if (!o)
        return false;
    if (kw == &sn_kw_to_lowercase) {
        for (uint32_t j = 0; j < n; j++)
            o[m++] = fold(in[j]);
    } else if (kw == &sn_kw_to_uppercase) {
        for (uint32_t j = 0; j < n; j++)
            o[m++] = (in[j] >= 'a' && in[j] <= 'z') ? (uint8_t)(in[j] - 32) : in[j];
    } else if (kw == &sn_kw_strip_whitespace) {
        for (uint32_t j = 0; j < n; j++)
            if (!is_ws(in[j]))
                o[m++] = in[j];
    } else if (kw == &sn_kw_compress_whitespace) {
        for (uint32_t j = 0; j < n; j++) {
            o[m++] = in[j]; /* the first white-space byte of a run stays, the rest go */
            if (is_ws(in[j]))
                while (j + 1 < n && is_ws(in[j + 1]))
                    j++;
        }
    } else if (kw == &sn_kw_url_decode) {
        /* %XX with two hex digits becomes the byte, '+' a space; a '%' that does not start a
         * valid escape is kept with what followed it, and that byte is not re-read as the
         * start of an escape or a '+' */
        for (uint32_t j = 0; j < n; j++) {
            int h, l;
            if (in[j] == '+') {
                o[m++] = ' ';
            } else if (in[j] != '%') {
                o[m++] = in[j];
            } else if (j + 1 >= n) {
                o[m++] = '%';
            } else if ((h = hexv(in[j + 1])) < 0) {
                o[m++] = '%';
                o[m++] = in[++j];
            } else if (j + 2 >= n) {
                o[m++] = '%';
                o[m++] = in[++j];
            } else if ((l = hexv(in[j + 2])) < 0) {
                o[m++] = '%';
                o[m++] = in[j + 1];
                o[m++] = in[j + 2];
                j += 2;
            } else {
                o[m++] = (uint8_t)(h << 4 | l);
                j += 2;
            }
        }
    } else if (kw == &sn_kw_dotprefix) {
        o[m++] = '.';
        if (n)
            memcpy(o + 1, in, n);
        m += n;
    } else if (kw == &sn_kw_header_lowercase) {
        /* "Name: value\n" lines: bytes up to the first ':' of a line are lower-cased */
        bool name = true;
        for (uint32_t j = 0; j < n; j++) {
            uint8_t ch = in[j];
            if (name) {
                o[m++] = fold(ch);
                if (ch == ':')
                    name = false;
            } else {
                o[m++] = ch;
                if (ch == '\n')
                    name = true;
            }
        }
    } else if (kw == &sn_kw_strip_pseudo_headers) {
        /* drops the lines that start with ':' (HTTP/2 pseudo headers), line end included */
        uint32_t j = 0;
        while (j < n) {
            uint32_t e = j;
            while (e < n && in[e] != '\n')
                e++;
            if (e < n)
                e++; /* keep the '\n' with its line */
            if (in[j] != ':') {
                memcpy(o + m, in + j, e - j);
                m += e - j;
            }
            j = e;
        }
    } else {
        memcpy(o, in, n); /* a transform we do not know: identity */
        m = n;
    }
    *out = o;
    *outlen = m;
    return true;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int eval(struct insp *c, uint32_t i)
{
    const struct sn_kw_inst *in = &c->r->kw[i];
    const struct sn_kw *kw = in->kw;

    if (++*c->rec >= SN_INSPECT_RECURSION_LIMIT) {
        if (*c->rec == SN_INSPECT_RECURSION_LIMIT)
            c->t->inspect_recursion_hits++;
        return GIVEUP;
    }
    if (kw == &sn_kw_content || kw == &sn_kw_uricontent)
        return do_content(c, i);
    if (kw == &sn_kw_pcre)
        return do_pcre(c, i);
    if (kw == &sn_kw_isdataat)
        return do_isdataat(c, i);
    if (kw == &sn_kw_byte_test)
        return do_byte_test(c, i);
    if (kw == &sn_kw_byte_jump)
        return do_byte_jump(c, i);
    if (kw == &sn_kw_byte_extract)
        return do_byte_extract(c, i);
    if (kw == &sn_kw_byte_math)
        return do_byte_math(c, i);
    if (kw == &sn_kw_bsize)
        return do_cmp_len(c, i, in->data, c->len);
    if (kw == &sn_kw_urilen) {
        const struct sn_urilen *u = in->data;
        return do_cmp_len(c, i, &u->cmp, c->len > 65535 ? 65535 : c->len);
    }
    if (kw == &sn_kw_base64_decode)
        return do_base64_decode(c, i);
    if (kw->flags & SN_KW_TRANSFORM) /* only at the start of a run; elsewhere ignored */
        return next(c, i);
    if (kw->match) {
        /* another module's keyword inside the run (dataset…): it sees the current bytes */
        struct sn_detect_thread *t = c->t;
        const uint8_t *sb = t->buf;
        uint32_t sl = t->buf_len;
        bool ok;
        t->buf = c->buf;
        t->buf_len = c->len;
        t->kw_idx = i;
        ok = kw->match(t, in);
        t->buf = sb;
        t->buf_len = sl;
        return ok ? next(c, i) : NOMATCH;
    }
    return GIVEUP; /* a keyword nobody evaluates cannot be assumed to hold */
}

bool sn_inspect_buffer(struct sn_detect_thread *t, uint32_t first, uint32_t end)
{
    const struct sn_rule *r = t->rule;
    struct insp c;
    uint32_t rec = 0, i = first;
    int k = 0;

    if (!r || end > r->nkw || first >= end)
        return false;
    c = (struct insp){.t = t, .r = r, .buf = t->buf, .len = t->buf_len, .end = end, .rec = &rec};
    if (t->buf_id == SN_BUF_BASE64_DATA) {
        c.buf = t->scratch[2];
        c.len = t->b64_len;
        if (!c.buf || !c.len)
            return false;
    }
    if (!c.buf)
        return false;
    t->cursor = 0;
    /* transforms open a run; base64_data has none (its bytes are not re-transformed, here
     * or in the evaluation inside base64_decode) */
    while (i < end && (r->kw[i].kw->flags & SN_KW_TRANSFORM) && t->buf_id != SN_BUF_BASE64_DATA) {
        const uint8_t *o;
        uint32_t ol;
        if (!transform(t, r->kw[i].kw, c.buf, c.len, k, &o, &ol))
            return false;
        c.buf = o;
        c.len = ol;
        k ^= 1;
        i++;
    }
    if (i == end)
        return true; /* only transforms */
    return eval(&c, i) == MATCH;
}

int sn_inspect_prepare_rule(struct sn_rule *r)
{
    for (uint32_t i = 0; i < r->nkw; i++) {
        const struct sn_pcre *pe;
        if (r->kw[i].kw != &sn_kw_pcre || !r->kw[i].data)
            continue;
        pe = r->kw[i].data;
        if (pe->re)
            (void)pcre2_jit_compile(pe->re, PCRE2_JIT_COMPLETE);
    }
    return CS_OK;
}

void sn_inspect_thread_free(struct sn_detect_thread *t)
{
    pcre2_match_data_free(t->pcre_md);
    pcre2_match_context_free(t->pcre_mctx[0]);
    pcre2_match_context_free(t->pcre_mctx[1]);
    t->pcre_md = NULL;
    t->pcre_mctx[0] = t->pcre_mctx[1] = NULL;
}
