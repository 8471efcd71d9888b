/* json.c — strict, bounded JSON tokenizer (see json.h). One pass over the text with an
 * explicit stack; strings are validated (escapes, UTF-8) but decoded only when asked. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define JSON_DEFAULT_MAX_LEN (1u << 20)
#define JSON_DEFAULT_DEPTH 64
#define JSON_HARD_DEPTH 1024
#define JSON_DEFAULT_TOKENS 65536u
#define JSON_DUP_PAIRWISE 16 /* objects up to this many members: pairwise key check */

void hub_json_doc_init(struct hub_json_doc *d)
{
    memset(d, 0, sizeof(*d));
}

void hub_json_doc_free(struct hub_json_doc *d)
{
    cs_free(d->toks);
    memset(d, 0, sizeof(*d));
}

/* Bytes that need no attention inside a string: not '"', '\\', control or non-ASCII. */
static const uint8_t plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' is 0x22 */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' is 0x5c */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0),
#undef R16
};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Four hex digits at s (caller checked 4 bytes are there); -1 if not hex. */
static long hex4(const char *s)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[k]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at s[0..avail) starting with a byte >= 0x80, or 0. */
size_t hub_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no UTF-16 surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else
        return 0;
    if (avail < n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

struct parser {
    const char *s;
    size_t n;
    size_t i;
    struct hub_json_doc *d;
    uint32_t max_tokens;
    struct hub_json_err *e;
};

static int fail(struct parser *p, int code, size_t off, const char *msg)
{
    if (p->e) {
        p->e->code = code;
        p->e->offset = off;
        p->e->msg = msg;
    }
    p->d->ntoks = 0;
    return code;
}

static inline size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i;
}

/* A new token at the end; NULL (and error set) past the cap or without memory. */
static struct hub_json_tok *tok_new(struct parser *p, int *rc)
{
    struct hub_json_doc *d = p->d;

    if (d->ntoks >= p->max_tokens) {
        *rc = fail(p, CS_ELIMIT, p->i, "too many values");
        return NULL;
    }
    if (d->ntoks == d->cap) {
        uint32_t ncap = d->cap ? d->cap * 2 : 256;
        struct hub_json_tok *t;
        if (ncap > p->max_tokens)
            ncap = p->max_tokens;
        t = cs_realloc(d->toks, (size_t)ncap * sizeof(*t));
        if (!t) {
            *rc = fail(p, CS_ENOMEM, p->i, "out of memory");
            return NULL;
        }
        d->toks = t;
        d->cap = ncap;
    }
    return &d->toks[d->ntoks++];
}

/* Parses the string whose opening quote is at p->i into token t. */
static int parse_string(struct parser *p, struct hub_json_tok *t)
{
    const char *s = p->s;
    size_t n = p->n, i = p->i + 1;

    t->type = HUB_JSON_STRING;
    t->flags = 0;
    t->start = (uint32_t)i;
    for (;;) {
        while (i < n && plain[(unsigned char)s[i]])
            i++;
        if (i >= n)
            return fail(p, CS_EINVAL, i, "unterminated string");
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            t->flags |= HUB_JSON_F_ESC;
            if (i + 1 >= n)
                return fail(p, CS_EINVAL, i, "unterminated string");
            c = (unsigned char)s[i + 1];
            if (c == 'u') {
                long cp;
                if (n - i < 6 || (cp = hex4(s + i + 2)) < 0)
                    return fail(p, CS_EINVAL, i, "bad \\u escape");
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return fail(p, CS_EINVAL, i, "lone low surrogate escape");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    long lo;
                    if (n - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' ||
                        (lo = hex4(s + i + 8)) < 0xdc00 || lo > 0xdfff)
                        return fail(p, CS_EINVAL, i, "unpaired surrogate escape");
                    i += 12;
                } else {
                    i += 6;
                }
                continue;
            }
            if (!strchr("\"\\/bfnrt", c) || c == 0)
                return fail(p, CS_EINVAL, i, "bad escape");
            i += 2;
            continue;
        }
        if (c < 0x20)
            return fail(p, CS_EINVAL, i, c ? "control character in string" : "NUL byte");
        size_t l = hub_utf8_seq((const unsigned char *)s + i, n - i);
        if (!l)
            return fail(p, CS_EINVAL, i, "invalid UTF-8");
        i += l;
    }
    t->len = (uint32_t)(i - t->start);
    p->i = i + 1;
    return CS_OK;
}

static int parse_number(struct parser *p, struct hub_json_tok *t)
{
    const char *s = p->s;
    size_t n = p->n, i = p->i, st = i;
    bool integer = true;

    if (s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return fail(p, CS_EINVAL, i, "bad number");
    if (s[i] == '0') {
        i++;
    } else {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && s[i] == '.') {
        integer = false;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return fail(p, CS_EINVAL, i, "bad number fraction");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        integer = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return fail(p, CS_EINVAL, i, "bad number exponent");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    t->type = HUB_JSON_NUMBER;
    t->flags = integer ? HUB_JSON_F_INT : 0;
    t->start = (uint32_t)st;
    t->len = (uint32_t)(i - st);
    p->i = i;
    return CS_OK;
}

/* Decoding iterator over a validated string token: yields bytes of the decoded text. */
struct dec {
    const char *p, *end;
    unsigned char buf[4];
    int nb, ib;
};

static void dec_init(struct dec *it, const struct hub_json_doc *d, uint32_t t)
{
    it->p = d->text + d->toks[t].start;
    it->end = it->p + d->toks[t].len;
    it->nb = it->ib = 0;
}

static int dec_next(struct dec *it)
{
    unsigned char c;
    long cp;

    if (it->ib < it->nb)
        return it->buf[it->ib++];
    if (it->p >= it->end)
        return -1;
    c = (unsigned char)*it->p++;
    if (c != '\\')
        return c;
    c = (unsigned char)*it->p++;
    switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'u': break;
    default: return c;
    }
    cp = hex4(it->p);
    it->p += 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        long lo = hex4(it->p + 2);
        it->p += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (cp < 0x80) {
        return (int)cp;
    } else if (cp < 0x800) {
        it->buf[0] = (unsigned char)(0xc0 | cp >> 6);
        it->buf[1] = (unsigned char)(0x80 | (cp & 0x3f));
        it->nb = 2;
    } else if (cp < 0x10000) {
        it->buf[0] = (unsigned char)(0xe0 | cp >> 12);
        it->buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        it->buf[2] = (unsigned char)(0x80 | (cp & 0x3f));
        it->nb = 3;
    } else {
        it->buf[0] = (unsigned char)(0xf0 | cp >> 18);
        it->buf[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        it->buf[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        it->buf[3] = (unsigned char)(0x80 | (cp & 0x3f));
        it->nb = 4;
    }
    it->ib = 1;
    return it->buf[0];
}

static bool key_eq(const struct hub_json_doc *d, uint32_t a, uint32_t b)
{
    const struct hub_json_tok *ta = &d->toks[a], *tb = &d->toks[b];
    struct dec ia, ib;
    int ca, cb;

    if (!((ta->flags | tb->flags) & HUB_JSON_F_ESC))
        return ta->len == tb->len && memcmp(d->text + ta->start, d->text + tb->start, ta->len) == 0;
    dec_init(&ia, d, a);
    dec_init(&ib, d, b);
    do {
        ca = dec_next(&ia);
        cb = dec_next(&ib);
        if (ca != cb)
            return false;
    } while (ca >= 0);
    return true;
}

static uint64_t key_hash(const struct hub_json_doc *d, uint32_t k)
{
    struct dec it;
    uint64_t h = 1469598103934665603ull;
    int c;

    dec_init(&it, d, k);
    while ((c = dec_next(&it)) >= 0)
        h = (h ^ (uint64_t)c) * 1099511628211ull;
    return h;
}

struct keyh {
    uint64_t h;
    uint32_t k;
};

static int keyh_cmp(const void *a, const void *b)
{
    const struct keyh *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

/* Rejects an object with two equal (decoded) keys. */
static int check_dups(struct parser *p, uint32_t obj)
{
    const struct hub_json_doc *d = p->d;
    uint32_t m = d->toks[obj].len, k, j, i;

    if (m < 2)
        return CS_OK;
    if (m <= JSON_DUP_PAIRWISE) {
        uint32_t keys[JSON_DUP_PAIRWISE];
        for (i = 0, k = obj + 1; i < m; i++, k = d->toks[k + 1].next)
            keys[i] = k;
        for (i = 1; i < m; i++)
            for (j = 0; j < i; j++)
                if (key_eq(d, keys[i], keys[j]))
                    return fail(p, CS_EINVAL, d->toks[keys[i]].start - 1, "duplicate key");
        return CS_OK;
    }
    struct keyh *kh = cs_malloc((size_t)m * sizeof(*kh));
    if (!kh)
        return fail(p, CS_ENOMEM, p->i, "out of memory");
    for (i = 0, k = obj + 1; i < m; i++, k = d->toks[k + 1].next) {
        kh[i].h = key_hash(d, k);
        kh[i].k = k;
    }
    qsort(kh, m, sizeof(*kh), keyh_cmp);
    for (i = 1; i < m; i++) {
        for (j = i; j-- > 0 && kh[j].h == kh[i].h;) {
            if (key_eq(d, kh[i].k, kh[j].k)) {
                size_t off = d->toks[kh[i].k > kh[j].k ? kh[i].k : kh[j].k].start - 1;
                cs_free(kh);
                return fail(p, CS_EINVAL, off, "duplicate key");
            }
        }
    }
    cs_free(kh);
    return CS_OK;
}

int hub_json_parse(struct hub_json_doc *d, const char *s, size_t n,
                   const struct hub_json_limits *lim, struct hub_json_err *e)
{
    size_t max_len = lim && lim->max_len ? lim->max_len : JSON_DEFAULT_MAX_LEN;
    int max_depth = lim && lim->max_depth ? lim->max_depth : JSON_DEFAULT_DEPTH;
    bool dups_ok = lim && lim->allow_dup_keys;
    struct parser p = {.s = s, .n = n, .d = d, .e = e};
    uint32_t stack[JSON_HARD_DEPTH];
    int depth = 0, rc = CS_OK;
    struct hub_json_tok *t;

    p.max_tokens = lim && lim->max_tokens ? lim->max_tokens : JSON_DEFAULT_TOKENS;
    if (max_depth > JSON_HARD_DEPTH)
        max_depth = JSON_HARD_DEPTH;
    if (max_len > UINT32_MAX - 1)
        max_len = UINT32_MAX - 1;
    d->text = s;
    d->len = n;
    d->ntoks = 0;
    if (n > max_len)
        return fail(&p, CS_ELIMIT, max_len, "record too long");
    if (!s)
        return fail(&p, CS_EINVAL, 0, "empty input");

value:
    p.i = skip_ws(s, p.i, n);
    if (p.i >= n)
        return fail(&p, CS_EINVAL, p.i, depth ? "truncated" : "empty input");
    if (!(t = tok_new(&p, &rc)))
        return rc;
    switch (s[p.i]) {
    case '{':
    case '[':
        if (depth >= max_depth)
            return fail(&p, CS_ELIMIT, p.i, "nested too deeply");
        t->type = s[p.i] == '{' ? HUB_JSON_OBJECT : HUB_JSON_ARRAY;
        t->flags = 0;
        t->start = (uint32_t)p.i;
        t->len = 0;
        stack[depth++] = d->ntoks - 1;
        p.i = skip_ws(s, p.i + 1, n);
        if (p.i < n && s[p.i] == (t->type == HUB_JSON_OBJECT ? '}' : ']')) {
            t->next = d->ntoks;
            depth--;
            p.i++;
            goto after_value;
        }
        if (t->type == HUB_JSON_OBJECT)
            goto key;
        goto value;
    case '"':
        if ((rc = parse_string(&p, t)) < 0)
            return rc;
        break;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if ((rc = parse_number(&p, t)) < 0)
            return rc;
        break;
    case 't':
    case 'f':
    case 'n': {
        static const char *const lit[] = {"true", "false", "null"};
        static const uint8_t ty[] = {HUB_JSON_TRUE, HUB_JSON_FALSE, HUB_JSON_NULL};
        int which = s[p.i] == 't' ? 0 : s[p.i] == 'f' ? 1 : 2;
        size_t l = strlen(lit[which]);
        if (n - p.i < l || memcmp(s + p.i, lit[which], l) != 0)
            return fail(&p, CS_EINVAL, p.i, "bad literal");
        t->type = ty[which];
        t->flags = 0;
        t->start = (uint32_t)p.i;
        t->len = (uint32_t)l;
        p.i += l;
        break;
    }
    default:
        return fail(&p, CS_EINVAL, p.i, s[p.i] ? "unexpected character" : "NUL byte");
    }
    t->next = d->ntoks;

after_value:
    if (depth == 0) {
        p.i = skip_ws(s, p.i, n);
        if (p.i != n)
            return fail(&p, CS_EINVAL, p.i, s[p.i] ? "trailing data" : "NUL byte");
        return CS_OK;
    }
    {
        struct hub_json_tok *c = &d->toks[stack[depth - 1]];
        char close = c->type == HUB_JSON_OBJECT ? '}' : ']';
        c->len++;
        p.i = skip_ws(s, p.i, n);
        if (p.i >= n)
            return fail(&p, CS_EINVAL, p.i, "truncated");
        if (s[p.i] == ',') {
            p.i++;
            if (c->type == HUB_JSON_OBJECT)
                goto key;
            goto value;
        }
        if (s[p.i] != close)
            return fail(&p, CS_EINVAL, p.i,
                        close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        c->next = d->ntoks;
        p.i++;
        depth--;
        if (close == '}' && !dups_ok && (rc = check_dups(&p, stack[depth])) < 0)
            return rc;
        goto after_value;
    }

key:
    p.i = skip_ws(s, p.i, n);
    if (p.i >= n)
        return fail(&p, CS_EINVAL, p.i, "truncated");
    if (s[p.i] != '"')
        return fail(&p, CS_EINVAL, p.i, "expected a string key");
    if (!(t = tok_new(&p, &rc)))
        return rc;
    if ((rc = parse_string(&p, t)) < 0)
        return rc;
    t->next = d->ntoks;
    p.i = skip_ws(s, p.i, n);
    if (p.i >= n)
        return fail(&p, CS_EINVAL, p.i, "truncated");
    if (s[p.i] != ':')
        return fail(&p, CS_EINVAL, p.i, "expected ':'");
    p.i++;
    goto value;
}

bool hub_json_str_eq(const struct hub_json_doc *d, uint32_t t, const char *s, size_t n)
{
    const struct hub_json_tok *k = &d->toks[t];
    struct dec it;
    int c;

    if (k->type != HUB_JSON_STRING)
        return false;
    if (!(k->flags & HUB_JSON_F_ESC))
        return k->len == n && memcmp(d->text + k->start, s, n) == 0;
    dec_init(&it, d, t);
    for (size_t i = 0; i < n; i++)
        if (dec_next(&it) != (unsigned char)s[i])
            return false;
    c = dec_next(&it);
    return c < 0;
}

uint32_t hub_json_get(const struct hub_json_doc *d, uint32_t obj, const char *key, size_t klen)
{
    uint32_t k, end;

    if (obj >= d->ntoks || d->toks[obj].type != HUB_JSON_OBJECT)
        return 0;
    end = d->toks[obj].next;
    for (k = obj + 1; k < end; k = d->toks[k + 1].next)
        if (hub_json_str_eq(d, k, key, klen))
            return k + 1;
    return 0;
}

long hub_json_str_decode(const struct hub_json_doc *d, uint32_t t, char *out, size_t cap)
{
    const struct hub_json_tok *k = &d->toks[t];
    struct dec it;
    size_t n = 0;
    int c;

    if (t >= d->ntoks || k->type != HUB_JSON_STRING)
        return CS_EINVAL;
    if (!(k->flags & HUB_JSON_F_ESC)) {
        if (cap) {
            size_t m = k->len < cap - 1 ? k->len : cap - 1;
            memcpy(out, d->text + k->start, m);
            out[m] = 0;
        }
        return (long)k->len;
    }
    dec_init(&it, d, t);
    while ((c = dec_next(&it)) >= 0) {
        if (n + 1 < cap)
            out[n] = (char)c;
        n++;
    }
    if (cap)
        out[n < cap ? n : cap - 1] = 0;
    return (long)n;
}

int hub_json_int(const struct hub_json_doc *d, uint32_t t, int64_t *v)
{
    const struct hub_json_tok *k = &d->toks[t];
    const char *s, *end;
    bool neg = false;
    uint64_t acc = 0, lim;

    if (t >= d->ntoks || k->type != HUB_JSON_NUMBER || !(k->flags & HUB_JSON_F_INT))
        return CS_EINVAL;
    s = d->text + k->start;
    end = s + k->len;
    if (*s == '-') {
        neg = true;
        s++;
    }
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; s < end; s++) {
        unsigned dig = (unsigned)(*s - '0');
        if (acc > (lim - dig) / 10)
            return CS_ELIMIT;
        acc = acc * 10 + dig;
    }
    if (neg)
        *v = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    else
        *v = (int64_t)acc;
    return CS_OK;
}

int hub_json_double(const struct hub_json_doc *d, uint32_t t, double *v)
{
    const struct hub_json_tok *k = &d->toks[t];
    char buf[128];
    double x;

    if (t >= d->ntoks || k->type != HUB_JSON_NUMBER)
        return CS_EINVAL;
    if (k->len >= sizeof(buf))
        return CS_ELIMIT;
    memcpy(buf, d->text + k->start, k->len);
    buf[k->len] = 0;
    x = strtod(buf, NULL);
    if (isinf(x))
        return CS_ELIMIT;
    *v = x;
    return CS_OK;
}
