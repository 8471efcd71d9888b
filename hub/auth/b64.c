/* b64.c — strict base64 encode/decode (see b64.h). */
#include "b64.h"

#include "../../lib/cs.h"

static const char alpha_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alpha_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t hub_b64_encoded_len(size_t n, bool pad)
{
    if (pad)
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t hub_b64_encode(const uint8_t *in, size_t n, char *out, int alphabet, bool pad)
{
    const char *a = alphabet == HUB_B64_URL ? alpha_url : alpha_std;
    size_t o = 0, i = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63];
        out[o++] = a[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_val(char c, int alphabet)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (alphabet == HUB_B64_URL)
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int hub_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen,
                   int alphabet, bool pad)
{
    size_t npad = 0, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (!s && len)
        return CS_EINVAL;
    if (pad) {
        if (len % 4)
            return CS_EINVAL;
        while (npad < 2 && len > 0 && s[len - 1] == '=') {
            len--;
            npad++;
        }
    }
    if (len % 4 == 1)
        return CS_EINVAL;
    if (pad && npad != (4 - len % 4) % 4)
        return CS_EINVAL;
    size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (need > cap)
        return CS_ELIMIT;
    for (size_t i = 0; i < len; i++) {
        int v = b64_val(s[i], alphabet);
        if (v < 0)
            return CS_EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* unused low bits of the last character must be zero */
        return CS_EINVAL;
    *outlen = o;
    return CS_OK;
}
