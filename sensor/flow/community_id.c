/* community_id.c — Community ID v1 flow hashes
 * (https://github.com/corelight/community-id-spec).
 *
 * SHA-1 over: seed (2 bytes, big-endian), the two addresses, protocol (1 byte), a zero pad
 * byte and, for TCP/UDP/SCTP/ICMP/ICMPv6, the two 16-bit "ports" (big-endian); endpoints
 * are ordered so the smaller address (then port) comes first. For ICMP the ports are the type
 * and the counterpart type of request/reply pairs, or type and code for one-way messages,
 * which are not reordered. Output: "1:" + base64 of the digest. */
#include "flow.h"

#include <netinet/in.h>
#include <openssl/evp.h>

#define CID_LEN 30 /* "1:" + 28 base64 characters */

/* Two-way ICMP message types and their counterparts (request <-> reply). */
static const uint8_t icmp4_pairs[][2] = {
    {8, 0},   /* echo request / reply */
    {13, 14}, /* timestamp */
    {15, 16}, /* information */
    {10, 9},  /* router solicitation / advertisement */
    {17, 18}, /* address mask */
};
static const uint8_t icmp6_pairs[][2] = {
    {128, 129}, /* echo request / reply */
    {130, 131}, /* multicast listener query / report */
    {133, 134}, /* router solicitation / advertisement */
    {135, 136}, /* neighbor solicitation / advertisement */
    {139, 140}, /* node information query / response */
    {144, 145}, /* home agent address discovery request / reply */
};

/* Counterpart of a two-way ICMP (v6 when `v6`) type; -1 for one-way messages. */
static int icmp_counterpart(bool v6, uint8_t type)
{
    const uint8_t(*pairs)[2] = v6 ? icmp6_pairs : icmp4_pairs;
    size_t n = v6 ? CS_ARRAY_LEN(icmp6_pairs) : CS_ARRAY_LEN(icmp4_pairs);

    for (size_t i = 0; i < n; i++) {
        if (pairs[i][0] == type)
            return pairs[i][1];
        if (pairs[i][1] == type)
            return pairs[i][0];
    }
    return -1;
}

static void base64_encode(const uint8_t *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0, o = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = tab[v >> 6 & 63];
        out[o++] = tab[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = tab[v >> 6 & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

size_t sn_community_id(uint16_t seed, int ip_ver, const uint8_t *saddr, const uint8_t *daddr,
                       uint8_t proto, uint16_t sp, uint16_t dp, char *out, size_t outsz)
{
    uint8_t buf[2 + 16 + 16 + 2 + 4];
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    size_t alen, n = 0;
    bool ports = false, one_way = false;
    const uint8_t *a = saddr, *b = daddr;
    uint16_t pa = sp, pb = dp;

    if (outsz > 0)
        out[0] = '\0';
    if (outsz < CID_LEN + 1 || !saddr || !daddr || (ip_ver != 4 && ip_ver != 6))
        return 0;
    alen = ip_ver == 4 ? 4 : 16;

    switch (proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        ports = true;
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
        int cp = icmp_counterpart(proto == IPPROTO_ICMPV6, (uint8_t)sp);
        ports = true;
        if (cp < 0)
            one_way = true; /* type, code */
        else
            pb = (uint16_t)cp;
        break;
    }
    default:
        break;
    }

    if (!one_way) {
        int c = memcmp(a, b, alen);
        if (c > 0 || (c == 0 && ports && pa > pb)) {
            const uint8_t *ta = a;
            uint16_t tp = pa;
            a = b;
            b = ta;
            pa = pb;
            pb = tp;
        }
    }

    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a, alen);
    n += alen;
    memcpy(buf + n, b, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(pa >> 8);
        buf[n++] = (uint8_t)pa;
        buf[n++] = (uint8_t)(pb >> 8);
        buf[n++] = (uint8_t)pb;
    }

    if (!EVP_Digest(buf, n, digest, &dlen, EVP_sha1(), NULL) || dlen != 20)
        return 0;
    out[0] = '1';
    out[1] = ':';
    base64_encode(digest, dlen, out + 2);
    return CID_LEN;
}

size_t sn_flow_community_id(const struct sn_flow *f, uint16_t seed, char *out, size_t outsz)
{
    uint16_t sp = f->sp, dp = f->dp;

    if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
        sp = f->icmp_type[0];
        dp = f->icmp_code[0];
    }
    return sn_community_id(seed, f->ip_ver, f->src.u8, f->dst.u8, f->proto, sp, dp, out, outsz);
}
