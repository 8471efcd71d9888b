/* kw_content.c — content:[!]"text|41 42|text"; and uricontent (content in http.uri). */
#include "kw_content.h"

#include <ctype.h>
#include <stdio.h>

static void content_free(void *p)
{
    struct sn_content *ct = p;
    if (!ct)
        return;
    cs_free(ct->pat);
    cs_free(ct);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)tolower((unsigned char)ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

int sn_content_parse_string(struct sn_kw_ctx *c, const char *s, size_t n, uint8_t **out,
                            uint32_t *outlen)
{
    uint8_t *b = cs_malloc(n + 1);
    size_t j = 0;
    bool hex = false;
    int half = -1;

    *out = NULL;
    if (!b)
        return CS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (hex) {
            if (ch == '|') {
                if (half >= 0)
                    goto bad_hex_odd;
                hex = false;
            } else if (ch == ' ' || ch == '\t') {
                if (half >= 0)
                    goto bad_hex_odd;
            } else {
                int v = hexval(ch);
                if (v < 0) {
                    cs_free(b);
                    return sn_kw_error(c, "invalid hex character '%c' in '%s'", ch, c->kw->name);
                }
                if (half < 0) {
                    half = v;
                } else {
                    b[j++] = (uint8_t)(half << 4 | v);
                    half = -1;
                }
            }
            continue;
        }
        if (ch == '|') {
            hex = true;
        } else if (ch == '\\') {
            char e = i + 1 < n ? s[i + 1] : 0;
            if (e != '"' && e != '\\' && e != ';' && e != ':') {
                cs_free(b);
                return sn_kw_error(c, "invalid escape '\\%c' in '%s'", e ? e : ' ', c->kw->name);
            }
            b[j++] = (uint8_t)e;
            i++;
        } else if (ch == '"') {
            cs_free(b);
            return sn_kw_error(c, "unescaped '\"' inside the string of '%s'", c->kw->name);
        } else {
            b[j++] = (uint8_t)ch;
        }
    }
    if (hex) {
        cs_free(b);
        return sn_kw_error(c, "unterminated hex block ('|') in '%s'", c->kw->name);
    }
    if (j == 0) {
        cs_free(b);
        return sn_kw_error(c, "empty pattern in '%s'", c->kw->name);
    }
    *out = b;
    *outlen = (uint32_t)j;
    return CS_OK;
bad_hex_odd:
    cs_free(b);
    return sn_kw_error(c, "odd number of hex digits in '%s'", c->kw->name);
}

static int content_common(struct sn_kw_ctx *c, const char *opt, int buffer)
{
    struct sn_content *ct;
    const char *s = opt;
    size_t n;
    int rc;

    ct = cs_calloc(1, sizeof(*ct));
    if (!ct)
        return CS_ENOMEM;
    ct->depth.var = ct->offset.var = ct->distance.var = ct->within.var = -1;
    if (*s == '!') {
        ct->flags |= SN_CONTENT_NEGATED;
        s++;
        while (*s == ' ')
            s++;
    }
    n = strlen(s);
    if (n >= 1 && s[0] == '"') {
        size_t bs = 0;
        while (n >= 2 + bs + 1 && s[n - 2 - bs] == '\\')
            bs++;
        if (n < 2 || s[n - 1] != '"' || (bs & 1)) {
            cs_free(ct);
            return sn_kw_error(c, "unterminated string in '%s'", c->kw->name);
        }
        s++;
        n -= 2;
    }
    rc = sn_content_parse_string(c, s, n, &ct->pat, &ct->len);
    if (rc != CS_OK) {
        cs_free(ct);
        return rc;
    }
    if (ct->len > 65535) {
        content_free(ct);
        return sn_kw_error(c, "pattern too long (%u bytes)", ct->len);
    }
    if (buffer >= 0)
        c->buffer = buffer;
    return sn_kw_append(c, ct);
}

static int content_setup(struct sn_kw_ctx *c, const char *opt)
{
    return content_common(c, opt, -1);
}

/* uricontent is content in http.uri for this one pattern: the active buffer is restored. */
static int uricontent_setup(struct sn_kw_ctx *c, const char *opt)
{
    int saved = c->buffer, rc;
    rc = content_common(c, opt, SN_BUF_HTTP_URI);
    c->buffer = saved;
    return rc;
}

const struct sn_kw sn_kw_content = {
    .name = "content",
    .desc = "match a byte pattern ([!]\"text|41 42|\") in the current buffer",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = content_setup,
    .free = content_free,
};

const struct sn_kw sn_kw_uricontent = {
    .name = "uricontent",
    .desc = "old syntax: content in http.uri",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = uricontent_setup,
    .free = content_free,
};

bool sn_kw_is_content(const struct sn_kw_inst *i)
{
    return i->kw == &sn_kw_content || i->kw == &sn_kw_uricontent;
}

struct sn_kw_inst *sn_content_last(struct sn_rule *r)
{
    for (uint32_t i = r->nkw; i-- > 0;)
        if (sn_kw_is_content(&r->kw[i]))
            return &r->kw[i];
    return NULL;
}

struct sn_content *sn_content_for_modifier(struct sn_kw_ctx *c)
{
    struct sn_kw_inst *i = sn_content_last(c->rule);
    if (!i) {
        sn_kw_error(c, "'%s' needs a preceding content", c->kw->name);
        return NULL;
    }
    return i->data;
}
