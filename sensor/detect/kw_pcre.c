/* kw_pcre.c — pcre:[!]"/regex/flags"; compiled with PCRE2 so syntax errors are reported at
 * load time. Flags: i s m x A E G (PCRE options), R (relative), B (rawbytes), O (no match
 * limit), and buffer selectors U I P Q H D M C K S Y V W Z (the http buffer to inspect). */
#include "kw_pcre.h"

static void pcre_free_data(void *p)
{
    struct sn_pcre *x = p;
    if (!x)
        return;
    pcre2_code_free(x->re);
    cs_free(x->src);
    cs_free(x);
}

/* Buffer selected by a Suricata pcre flag, -1 when the flag is not a buffer flag. */
static int flag_buffer(char f)
{
    switch (f) {
    case 'U':
        return SN_BUF_HTTP_URI;
    case 'I':
        return SN_BUF_HTTP_URI_RAW;
    case 'P':
        return SN_BUF_HTTP_REQUEST_BODY;
    case 'Q':
        return SN_BUF_HTTP_RESPONSE_BODY;
    case 'H':
        return SN_BUF_HTTP_HEADER;
    case 'D':
        return SN_BUF_HTTP_HEADER_RAW;
    case 'M':
        return SN_BUF_HTTP_METHOD;
    case 'C':
        return SN_BUF_HTTP_COOKIE;
    case 'K':
        return SN_BUF_HTTP_COOKIE; /* raw cookie: same bytes here */
    case 'S':
        return SN_BUF_HTTP_STAT_CODE;
    case 'Y':
        return SN_BUF_HTTP_STAT_MSG;
    case 'V':
        return SN_BUF_HTTP_USER_AGENT;
    case 'W':
        return SN_BUF_HTTP_HOST;
    case 'Z':
        return SN_BUF_HTTP_HOST_RAW;
    default:
        return -1;
    }
}

static int pcre_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_pcre *x;
    const char *s = opt, *last;
    size_t n;
    int buf = -1, rc, errcode;
    PCRE2_SIZE erroff;
    int saved = c->buffer;

    x = cs_calloc(1, sizeof(*x));
    if (!x)
        return CS_ENOMEM;
    if (*s == '!') {
        x->flags |= SN_PCRE_NEGATED;
        s++;
    }
    n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    } else if (s[0] == '"') {
        rc = sn_kw_error(c, "unterminated string in 'pcre'");
        goto out_free;
    }
    if (n < 2 || s[0] != '/') {
        rc = sn_kw_error(c, "pcre must look like \"/regex/flags\"");
        goto out_free;
    }
    last = s + n - 1;
    while (last > s && *last != '/')
        last--;
    if (last == s) {
        rc = sn_kw_error(c, "pcre has no closing '/'");
        goto out_free;
    }
    for (const char *f = last + 1; f < s + n; f++) {
        int fb;
        switch (*f) {
        case 'i':
            x->opts |= PCRE2_CASELESS;
            break;
        case 's':
            x->opts |= PCRE2_DOTALL;
            break;
        case 'm':
            x->opts |= PCRE2_MULTILINE;
            break;
        case 'x':
            x->opts |= PCRE2_EXTENDED;
            break;
        case 'A':
            x->opts |= PCRE2_ANCHORED;
            break;
        case 'E':
            x->opts |= PCRE2_DOLLAR_ENDONLY;
            break;
        case 'G':
            x->opts |= PCRE2_UNGREEDY;
            break;
        case 'R':
            x->flags |= SN_PCRE_RELATIVE;
            break;
        case 'B':
            x->flags |= SN_PCRE_RAWBYTES;
            break;
        case 'O':
            x->flags |= SN_PCRE_NO_LIMIT;
            break;
        default:
            fb = flag_buffer(*f);
            if (fb < 0) {
                rc = sn_kw_error(c, "unknown pcre flag '%c'", *f);
                goto out_free;
            }
            if (buf >= 0 && buf != fb) {
                rc = sn_kw_error(c, "pcre flags select two buffers ('%s' and '%s')",
                                 sn_buf_name(buf), sn_buf_name(fb));
                goto out_free;
            }
            buf = fb;
        }
    }
    if (buf == SN_BUF_HTTP_RESPONSE_BODY && c->buffer == SN_BUF_FILE_DATA)
        buf = SN_BUF_FILE_DATA; /* file.data of HTTP is the response body */
    if (buf >= 0 && c->buffer != SN_BUF_PKT && c->buffer != buf) {
        rc = sn_kw_error(c, "pcre buffer flag selects '%s' inside sticky buffer '%s'",
                         sn_buf_name(buf), sn_buf_name(c->buffer));
        goto out_free;
    }
    if ((x->flags & SN_PCRE_RAWBYTES) && (buf >= 0 || c->buffer != SN_BUF_PKT)) {
        rc = sn_kw_error(c, "pcre flag 'B' (rawbytes) cannot apply to an app-layer buffer");
        goto out_free;
    }
    x->src = cs_malloc((size_t)(last - s));
    if (!x->src) {
        rc = CS_ENOMEM;
        goto out_free;
    }
    memcpy(x->src, s + 1, (size_t)(last - s - 1));
    x->src[last - s - 1] = 0;
    x->re = pcre2_compile((PCRE2_SPTR)x->src, (PCRE2_SIZE)(last - s - 1), x->opts, &errcode,
                          &erroff, NULL);
    if (!x->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        rc = sn_kw_error(c, "pcre compile error at offset %zu of \"%.60s\": %s", (size_t)erroff,
                         x->src, (const char *)msg);
        goto out_free;
    }
    if (buf >= 0)
        c->buffer = buf;
    rc = sn_kw_append(c, x);
    c->buffer = saved;
    return rc;

out_free:
    pcre_free_data(x);
    return rc;
}

const struct sn_kw sn_kw_pcre = {
    .name = "pcre",
    .desc = "match a Perl-compatible regex (\"/re/flags\", PCRE2) in the current buffer",
    .flags = SN_KW_NEEDS_OPT | SN_KW_PAYLOAD,
    .setup = pcre_setup,
    .free = pcre_free_data,
};
