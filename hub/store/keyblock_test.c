/* keyblock_test.c — the packed segment keys: the on-disk hash, the order of the entries,
 * buckets that cover every entry once, lookups. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/cs.h"
#include "../../lib/cs_test.h"
#include "keyblock.h"

CS_TEST(keyblock_hash_is_the_stored_one)
{
    /* values computed independently (a Python transcription of the format): the hash is on
     * disk, a change would make every sealed segment unreadable */
    CHECK_EQ(hub_kb_hash_text("10.0.0.1", 8), 0x2cb0bbf44409bf2aULL);
    CHECK_EQ(hub_kb_hash_flow(1234567890123ULL), 0x8b8ee1a7db3fa168ULL);
    /* an address and a flow id with the same bytes are different keys */
    unsigned char b[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    CHECK(hub_kb_hash_text((const char *)b, 8) != hub_kb_hash_flow(1));
}

CS_TEST(keyblock_build_sort_pack_find)
{
    struct hub_kb k;
    REQUIRE(hub_kb_init(&k) == CS_OK);
    enum { N = 3000 };
    char ip[N][24];
    for (int i = 0; i < N; i++) {
        snprintf(ip[i], sizeof(ip[i]), "10.0.%d.%d", i % 37, i % 11);
        /* every 5th event has the same address on both sides: one entry, not two */
        const char *dst = i % 5 ? "192.0.2.1" : ip[i];
        hub_kb_add(&k, (uint32_t)i, 1000 + i % 97, ip[i], strlen(ip[i]), dst, strlen(dst),
                   i % 3 ? 0 : 500 + (uint64_t)i / 3);
    }
    size_t want = N + (N - N / 5) + N / 3;
    CHECK_EQ(k.n, want);
    hub_kb_sort(&k);
    for (size_t i = 1; i < k.n; i++) {
        const struct hub_kb_ent *a = &k.v[i - 1], *b = &k.v[i];
        bool ordered = hub_kb_bucket_of(a->h) < hub_kb_bucket_of(b->h) || a->h < b->h ||
                       (a->h == b->h && (a->ts > b->ts || (a->ts == b->ts && a->off > b->off)));
        CHECK(ordered);
        if (!ordered)
            break;
    }
    /* the buckets cover every entry once, in increasing bucket order; lookups in them */
    size_t i = 0, len, total = 0;
    int b, last = -1, found = 0;
    uint64_t h77 = hub_kb_hash_text("10.0.3.0", 8); /* i % 37 == 3, i % 11 == 0 */
    while ((len = hub_kb_next_bucket(&k, &i, &b)) > 0) {
        CHECK(b > last);
        last = b;
        CHECK_EQ(len % HUB_KB_ENTRY, 0);
        total += len / HUB_KB_ENTRY;
        if (b != hub_kb_bucket_of(h77))
            continue;
        size_t n = len / HUB_KB_ENTRY;
        struct hub_kb_ent e, prev = {0};
        for (size_t j = hub_kb_find(k.buf, n, h77); j < n; j++) {
            hub_kb_get(k.buf, j, &e);
            if (e.h != h77)
                break;
            CHECK(e.off % 37 == 3 && e.off % 11 == 0);
            CHECK(e.ts == 1000 + (int64_t)e.off % 97);
            if (found)
                CHECK(e.ts < prev.ts || (e.ts == prev.ts && e.off < prev.off));
            prev = e;
            found++;
        }
    }
    CHECK_EQ(total, want);
    int expect = 0;
    for (int j = 0; j < N; j++)
        expect += j % 37 == 3 && j % 11 == 0;
    CHECK_EQ(found, expect);
    CHECK(expect > 0);
    hub_kb_free(&k);
    hub_kb_free(&k); /* twice: safe */
}

CS_TEST_MAIN()
