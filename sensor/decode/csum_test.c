/* csum_test.c — the word-at-a-time Internet checksum equals the byte-pair definition
 * (RFC 1071) for every length and alignment, and known packets check out. */
#include "../../lib/cs_test.h"
#include "decode_int.h"

static uint32_t ref_sum(uint32_t sum, const uint8_t *d, uint32_t n)
{
    uint64_t s = sum;
    uint32_t i = 0;
    for (; i + 1 < n; i += 2)
        s += (uint32_t)d[i] << 8 | d[i + 1];
    if (i < n)
        s += (uint32_t)d[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

static uint32_t fold16(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

CS_TEST(csum_matches_definition)
{
    uint8_t buf[1600 + 8];
    uint32_t x = 12345;
    int bad = 0;

    for (int t = 0; t < 20000; t++) {
        uint32_t n, off, init;
        x = x * 1103515245u + 12345u;
        n = (x >> 8) % 1600;
        off = x % 8; /* unaligned starts too */
        init = (x >> 3) & 0xfffff;
        for (uint32_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[off + i] = (uint8_t)(x >> 16);
        }
        if (fold16(sn_csum_add(init, buf + off, n)) != fold16(ref_sum(init, buf + off, n)))
            bad++;
    }
    CHECK_EQ(bad, 0);
}

CS_TEST(csum_known_ipv4_header)
{
    /* a real IPv4 header (RFC 1071 style example) with checksum 0xb861 */
    static const uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    uint8_t z[20];
    CHECK_EQ(sn_csum_fold(sn_csum_add(0, h, 20)), 0);
    memcpy(z, h, 20);
    z[10] = z[11] = 0;
    CHECK_EQ(sn_csum_fold(sn_csum_add(0, z, 20)), 0xb861);
}

CS_TEST_MAIN()
