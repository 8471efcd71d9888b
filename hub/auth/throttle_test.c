/* throttle_test.c — login throttling with an injected clock. */
#include "auth.h"

#include <pthread.h>
#include <stdio.h>

#include "../../lib/cs_test.h"

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

#define S 1000000ull

static struct hub_throttle *mk(uint32_t max_entries)
{
    struct hub_throttle_cfg c;

    hub_throttle_cfg_default(&c);
    c.max_entries = max_entries;
    fake_now = 1000 * S;
    return hub_throttle_new(&c, fake_clock, NULL);
}

CS_TEST(backoff_doubles_then_caps)
{
    struct hub_throttle *t = mk(64);
    uint64_t wait = 0;

    REQUIRE(t);
    /* 3 free failures. */
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(hub_throttle_check(t, "alice", "10.0.0.1", &wait), CS_OK);
        hub_throttle_fail(t, "alice", "10.0.0.1");
    }
    CHECK_EQ(hub_throttle_check(t, "alice", "10.0.0.1", &wait), CS_OK);
    hub_throttle_fail(t, "alice", "10.0.0.1"); /* 4th: 1 s */
    CHECK_EQ(hub_throttle_check(t, "alice", "10.0.0.1", &wait), CS_AGAIN);
    CHECK_EQ(wait, 1 * S);
    fake_now += S / 2;
    CHECK_EQ(hub_throttle_check(t, "alice", NULL, &wait), CS_AGAIN);
    CHECK_EQ(wait, S / 2);
    fake_now += S / 2;
    CHECK_EQ(hub_throttle_check(t, "alice", "10.0.0.1", &wait), CS_OK);
    hub_throttle_fail(t, "alice", "10.0.0.1"); /* 5th: 2 s */
    CHECK_EQ(hub_throttle_check(t, "alice", NULL, &wait), CS_AGAIN);
    CHECK_EQ(wait, 2 * S);
    fake_now += 2 * S;
    hub_throttle_fail(t, "alice", NULL); /* 6th: 4 s */
    CHECK_EQ(hub_throttle_check(t, "alice", NULL, &wait), CS_AGAIN);
    CHECK_EQ(wait, 4 * S);
    for (int i = 0; i < 40; i++)
        hub_throttle_fail(t, "alice", NULL);
    CHECK_EQ(hub_throttle_check(t, "alice", NULL, &wait), CS_AGAIN);
    CHECK_EQ(wait, 15 * 60 * S); /* capped: the lockout window */
    CHECK_EQ(hub_throttle_fails_user(t, "alice"), 46);
    /* Other users and the address are independent. */
    CHECK_EQ(hub_throttle_check(t, "bob", NULL, &wait), CS_OK);
    CHECK_EQ(hub_throttle_fails_addr(t, "10.0.0.1"), 5);
    /* The lockout ends after the window. */
    fake_now += 15 * 60 * S;
    CHECK_EQ(hub_throttle_check(t, "alice", NULL, &wait), CS_OK);
    CHECK_EQ(wait, 0);
    hub_throttle_free(t);
}

CS_TEST(address_blocks_every_user)
{
    struct hub_throttle *t = mk(64);
    uint64_t wait;
    char user[32];

    REQUIRE(t);
    /* Password spraying: one address, a different user each time. */
    for (int i = 0; i < 6; i++) {
        snprintf(user, sizeof(user), "user%d", i);
        hub_throttle_fail(t, user, "192.0.2.7");
    }
    CHECK_EQ(hub_throttle_check(t, "user99", "192.0.2.7", &wait), CS_AGAIN);
    CHECK_EQ(wait, 4 * S);
    CHECK_EQ(hub_throttle_check(t, "user99", "192.0.2.8", &wait), CS_OK);
    /* A success for one user does not reset the address. */
    hub_throttle_success(t, "user0");
    CHECK_EQ(hub_throttle_check(t, "user0", "192.0.2.7", NULL), CS_AGAIN);
    hub_throttle_free(t);
}

CS_TEST(success_resets_user_and_forget)
{
    struct hub_throttle *t = mk(64);

    REQUIRE(t);
    for (int i = 0; i < 5; i++)
        hub_throttle_fail(t, "carol", "198.51.100.1");
    CHECK_EQ(hub_throttle_fails_user(t, "carol"), 5);
    hub_throttle_success(t, "carol");
    CHECK_EQ(hub_throttle_fails_user(t, "carol"), 0);
    CHECK_EQ(hub_throttle_fails_addr(t, "198.51.100.1"), 5);
    /* Forgotten an hour after the last failure. */
    fake_now += 3600 * S - 1;
    CHECK_EQ(hub_throttle_fails_addr(t, "198.51.100.1"), 5);
    fake_now += 1;
    CHECK_EQ(hub_throttle_fails_addr(t, "198.51.100.1"), 0);
    CHECK_EQ(hub_throttle_size(t), 0);
    hub_throttle_free(t);
}

CS_TEST(bounded_memory_evicts_oldest)
{
    struct hub_throttle *t = mk(16);
    char name[32];

    REQUIRE(t);
    hub_throttle_fail(t, "first", NULL);
    fake_now += 1;
    hub_throttle_fail(t, "second", NULL);
    for (int i = 0; i < 14; i++) {
        fake_now += 1;
        snprintf(name, sizeof(name), "filler%d", i);
        hub_throttle_fail(t, name, NULL);
    }
    CHECK_EQ(hub_throttle_size(t), 16);
    CHECK_EQ(hub_throttle_evictions(t), 0);
    fake_now += 1;
    hub_throttle_fail(t, "first", NULL); /* refreshed: now the newest */
    fake_now += 1;
    hub_throttle_fail(t, "newcomer", NULL); /* evicts the least recently failed: second */
    CHECK_EQ(hub_throttle_size(t), 16);
    CHECK_EQ(hub_throttle_evictions(t), 1);
    CHECK_EQ(hub_throttle_fails_user(t, "second"), 0);
    CHECK_EQ(hub_throttle_fails_user(t, "first"), 2);
    CHECK_EQ(hub_throttle_fails_user(t, "newcomer"), 1);
    /* A flood of 10,000 names stays within 16 entries. */
    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof(name), "flood%d", i);
        hub_throttle_fail(t, NULL, name);
    }
    CHECK_EQ(hub_throttle_size(t), 16);
    CHECK_EQ(hub_throttle_evictions(t), 10001);
    hub_throttle_free(t);
}

CS_TEST(bad_cfg_and_long_names)
{
    struct hub_throttle_cfg c;
    static char huge[100000];

    hub_throttle_cfg_default(&c);
    c.max_entries = 1;
    CHECK(hub_throttle_new(&c, NULL, NULL) == NULL);
    hub_throttle_cfg_default(&c);
    c.max_delay_us = c.base_delay_us - 1;
    CHECK(hub_throttle_new(&c, NULL, NULL) == NULL);
    struct hub_throttle *t = hub_throttle_new(NULL, NULL, NULL); /* real clock, defaults */
    REQUIRE(t);
    memset(huge, 'x', sizeof(huge) - 1);
    for (int i = 0; i < 4; i++)
        hub_throttle_fail(t, huge, NULL);
    CHECK_EQ(hub_throttle_fails_user(t, huge), 4);
    CHECK_EQ(hub_throttle_check(t, huge, NULL, NULL), CS_AGAIN);
    /* A user and an address with the same text are separate keys. */
    CHECK_EQ(hub_throttle_fails_addr(t, huge), 0);
    hub_throttle_free(t);
    hub_throttle_free(NULL);
}

static struct hub_throttle *shared;
static void *hammer(void *arg)
{
    char name[32];
    int id = (int)(intptr_t)arg;

    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof(name), "u%d-%d", id, i % 50);
        hub_throttle_fail(shared, name, "203.0.113.9");
        hub_throttle_check(shared, name, "203.0.113.9", NULL);
        if (i % 7 == 0)
            hub_throttle_success(shared, name);
    }
    return NULL;
}

CS_TEST(concurrent_use)
{
    pthread_t th[4];

    shared = mk(128);
    REQUIRE(shared);
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(hub_throttle_fails_addr(shared, "203.0.113.9"), 8000);
    CHECK(hub_throttle_size(shared) <= 128);
    hub_throttle_free(shared);
}

CS_TEST_MAIN()
