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

/* Every representable time gives a valid 4-digit-year timestamp: the end of year 9999 is
 * still exact, anything later is written as its last microsecond (UTC). */
CS_TEST(time_fmt_out_of_range_is_clamped_not_zeroed)
{
    char b[CS_TIME_BUFSZ];
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK_EQ(cs_time_fmt(253402300799000001ull, b), 31); /* 9999-12-31T23:59:59.000001Z */
    CHECK_STR(b, "9999-12-31T23:59:59.000001+0000");
    CHECK_EQ(cs_time_fmt(253402300800000000ull, b), 31); /* 10000-01-01: too far */
    CHECK_STR(b, "9999-12-31T23:59:59.999999+0000");
    CHECK_EQ(cs_time_fmt(UINT64_MAX, b), 31);
    CHECK_STR(b, "9999-12-31T23:59:59.999999+0000");
    CHECK_EQ(cs_time_fmt(0, b), 31);
    CHECK_STR(b, "1970-01-01T00:00:00.000000+0000");
    /* the cache does not carry the clamp over to ordinary times */
    cs_time_fmt(1718162581540677ull, b);
    CHECK_STR(b, "2024-06-12T03:23:01.540677+0000");
    for (uint64_t s = 1; s < (1ull << 45); s = s * 3 + 7) {
        cs_time_fmt(s * 1000000u, b);
        CHECK(strlen(b) == 31 && strncmp(b, "0000", 4) != 0 && b[4] == '-' && b[10] == 'T');
    }
    /* a zone east of UTC: 9999-12-31T20:00:00Z is already year 10000 in +0800 */
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    if (access("/usr/share/zoneinfo/Asia/Shanghai", R_OK) == 0) {
        cs_time_fmt(253402286400000000ull, b);
        CHECK_STR(b, "9999-12-31T23:59:59.999999+0000");
        cs_time_fmt(253402257600000000ull, b); /* 9999-12-31T12:00:00Z = 20:00 +0800 */
        CHECK_STR(b, "9999-12-31T20:00:00.000000+0800");
    }
    setenv("TZ", "UTC", 1);
    tzset();
}

CS_TEST_MAIN()
