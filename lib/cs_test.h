/* cs_test.h — the unit-test harness. A test file defines tests with CS_TEST(name) and
 * includes this header once; CS_TEST_MAIN() runs them all. Each test prints one line
 * ("ok name" / "FAIL name: file:line: expr"); the binary ends with
 * "RESULT passed=N failed=M" which tests/run.sh adds up. Exit status is 1 on failure. */
#ifndef CS_TEST_H
#define CS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cs_test_case {
    const char *name;
    void (*fn)(void);
};

#define CS_TEST_MAX 512
static struct cs_test_case cs_test_cases[CS_TEST_MAX];
static int cs_test_ncases;
static int cs_test_failed_now;

#define CS_TEST(name)                                                                          \
    static void test_##name(void);                                                             \
    __attribute__((constructor)) static void reg_##name(void)                                  \
    {                                                                                          \
        if (cs_test_ncases < CS_TEST_MAX)                                                      \
            cs_test_cases[cs_test_ncases++] = (struct cs_test_case){#name, test_##name};       \
    }                                                                                          \
    static void test_##name(void)

#define CS_FAILF(...)                                                                          \
    do {                                                                                       \
        if (!cs_test_failed_now)                                                               \
            printf("FAIL %s: %s:%d: ", cs_test_current, __FILE__, __LINE__);                   \
        else                                                                                   \
            printf("     also %s:%d: ", __FILE__, __LINE__);                                   \
        printf(__VA_ARGS__);                                                                   \
        printf("\n");                                                                          \
        cs_test_failed_now = 1;                                                                \
    } while (0)

/* Soft checks: the test goes on after a failed check, so one run shows every failure. */
#define CHECK(expr)                                                                            \
    do {                                                                                       \
        if (!(expr))                                                                           \
            CS_FAILF("%s", #expr);                                                             \
    } while (0)
#define CHECK_EQ(a, b)                                                                         \
    do {                                                                                       \
        long long _a = (long long)(a), _b = (long long)(b);                                    \
        if (_a != _b)                                                                          \
            CS_FAILF("%s == %s (%lld != %lld)", #a, #b, _a, _b);                               \
    } while (0)
#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *_a = (a), *_b = (b);                                                       \
        if (!_a || !_b || strcmp(_a, _b) != 0)                                                 \
            CS_FAILF("%s == %s (\"%s\" != \"%s\")", #a, #b, _a ? _a : "(null)",                \
                     _b ? _b : "(null)");                                                      \
    } while (0)
/* Hard check: stops the test (use before dereferencing). */
#define REQUIRE(expr)                                                                          \
    do {                                                                                       \
        if (!(expr)) {                                                                         \
            CS_FAILF("required %s", #expr);                                                    \
            return;                                                                            \
        }                                                                                      \
    } while (0)

static const char *cs_test_current = "";

#define CS_TEST_MAIN()                                                                         \
    int main(int argc, char **argv)                                                            \
    {                                                                                          \
        int passed = 0, failed = 0;                                                            \
        for (int i = 0; i < cs_test_ncases; i++) {                                             \
            if (argc > 1 && !strstr(cs_test_cases[i].name, argv[1]))                          \
                continue;                                                                      \
            cs_test_current = cs_test_cases[i].name;                                           \
            cs_test_failed_now = 0;                                                            \
            cs_test_cases[i].fn();                                                             \
            if (cs_test_failed_now)                                                            \
                failed++;                                                                      \
            else {                                                                             \
                passed++;                                                                      \
                printf("ok %s\n", cs_test_cases[i].name);                                      \
            }                                                                                  \
            fflush(stdout);                                                                    \
        }                                                                                      \
        printf("RESULT passed=%d failed=%d\n", passed, failed);                                \
        return failed ? 1 : 0;                                                                 \
    }

/* Directory of test data, from $CS_TEST_DATA or "tests/data" (run from the repo root). */
static inline const char *cs_test_data_dir(void)
{
    const char *d = getenv("CS_TEST_DATA");
    return d ? d : "tests/data";
}

#endif
