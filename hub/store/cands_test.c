/* cands_test.c — candidates of a partitioned query: newest first, cut to the limit, floor. */
#include <stdlib.h>

#include "../../lib/cs.h"
#include "../../lib/cs_test.h"
#include "cands.h"

CS_TEST(cands_keep_the_newest_in_order)
{
    struct hub_cands c = {.limit = 5};
    CHECK(hub_cands_floor(&c) == NULL);
    /* two "partitions": ids 1..20 with times that repeat, then 100..103 newer */
    for (int i = 1; i <= 20; i++)
        REQUIRE(hub_cands_push(&c, 1000 + i / 3, i) == CS_OK);
    hub_cands_trim(&c);
    REQUIRE(c.n == 5);
    /* ts 1006 (ids 18,19,20), then 1005 (ids 17,16) */
    int64_t want1[5][2] = {{1006, 20}, {1006, 19}, {1006, 18}, {1005, 17}, {1005, 16}};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(c.v[i].ts, want1[i][0]);
        CHECK_EQ(c.v[i].id, want1[i][1]);
    }
    const struct hub_cand *fl = hub_cands_floor(&c);
    REQUIRE(fl != NULL);
    CHECK_EQ(fl->ts, 1005);
    CHECK_EQ(fl->id, 16);
    for (int i = 100; i < 104; i++)
        REQUIRE(hub_cands_push(&c, 2000, i) == CS_OK);
    hub_cands_trim(&c);
    CHECK_EQ(c.n, 5);
    CHECK_EQ(c.v[0].id, 103);
    CHECK_EQ(c.v[3].id, 100);
    CHECK_EQ(c.v[4].id, 20);
    cs_free(c.v);
}

CS_TEST(cands_not_full_has_no_floor)
{
    struct hub_cands c = {.limit = 100};
    for (int i = 0; i < 99; i++)
        REQUIRE(hub_cands_push(&c, i, i) == CS_OK);
    hub_cands_trim(&c);
    CHECK_EQ(c.n, 99);
    CHECK(hub_cands_floor(&c) == NULL);
    CHECK_EQ(c.v[0].ts, 98);
    cs_free(c.v);
}

CS_TEST_MAIN()
