#include "cs_test.h"
#include "cs_time.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

CS_TEST(time_fmt_utc)
{
    char b[CS_TIME_BUFSZ];
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK_EQ(cs_time_fmt(1718162581540677ull, b), 31);
    CHECK_STR(b, "2024-06-12T03:23:01.540677+0000");
    CHECK_EQ(cs_time_fmt(1ull, b), 31);
    CHECK_STR(b, "1970-01-01T00:00:00.000001+0000");
    /* alternating seconds use the cache and stay right */
    for (int i = 0; i < 10; i++) {
        cs_time_fmt(1718162581000000ull + (uint64_t)(i % 5) * 1000000u, b);
        char want[40];
        snprintf(want, sizeof(want), "2024-06-12T03:23:0%d.000000+0000", 1 + i % 5);
        CHECK_STR(b, want);
    }
}

CS_TEST(time_fmt_offset)
{
    char b[CS_TIME_BUFSZ];
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    cs_time_fmt(1718162592000000ull, b); /* a second not in the cache */
    if (access("/usr/share/zoneinfo/Asia/Shanghai", R_OK) == 0)
        CHECK_STR(b, "2024-06-12T11:23:12.000000+0800");
    else
        CHECK(strlen(b) == 31);
    setenv("TZ", "UTC", 1);
    tzset();
}

CS_TEST_MAIN()
