/* hubkey_test.c — loading and creating the hub's SM2 key pair. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/cs_test.h"

static char dir[64], priv[128], pub[128];

static bool setup(void)
{
    strcpy(dir, "/tmp/citysoc-hubkey-XXXXXX");
    if (!mkdtemp(dir))
        return false;
    snprintf(priv, sizeof(priv), "%s/hub.key", dir);
    snprintf(pub, sizeof(pub), "%s/hub.pub", dir);
    return true;
}

static void teardown(void)
{
    unlink(priv);
    unlink(pub);
    rmdir(dir);
}

static bool same_public(const struct gm_sm2_key *a, const struct gm_sm2_key *b)
{
    uint8_t ra[GM_SM2_PUB_RAW_LEN], rb[GM_SM2_PUB_RAW_LEN];

    return gm_sm2_key_public_raw(a, ra) == CS_OK && gm_sm2_key_public_raw(b, rb) == CS_OK &&
           memcmp(ra, rb, sizeof(ra)) == 0;
}

CS_TEST(create_then_load)
{
    struct gm_sm2_key *k1 = NULL, *k2 = NULL, *p = NULL;
    struct stat st;
    bool created = false;

    REQUIRE(setup());
    REQUIRE(hub_key_load_or_create(priv, pub, &k1, &created) == CS_OK);
    CHECK(created);
    CHECK(gm_sm2_key_has_private(k1));
    REQUIRE(stat(priv, &st) == 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    REQUIRE(stat(pub, &st) == 0);
    CHECK_EQ(st.st_mode & 0077 & ~0044, 0); /* world-readable at most */
    /* Second start: the same key is loaded, nothing created. */
    REQUIRE(hub_key_load_or_create(priv, pub, &k2, &created) == CS_OK);
    CHECK(!created);
    CHECK(same_public(k1, k2));
    /* The public file holds the matching public key. */
    REQUIRE(gm_sm2_key_load_pem_file(pub, &p) == CS_OK);
    CHECK(!gm_sm2_key_has_private(p));
    CHECK(same_public(k1, p));
    gm_sm2_key_free(p);
    p = NULL;
    /* A missing public file is rewritten from the private key. */
    unlink(pub);
    gm_sm2_key_free(k2);
    REQUIRE(hub_key_load_or_create(priv, pub, &k2, &created) == CS_OK);
    REQUIRE(gm_sm2_key_load_pem_file(pub, &p) == CS_OK);
    CHECK(same_public(k1, p));
    /* A checkpoint signed with one verifies with the other. */
    uint8_t h[32] = {1};
    struct hub_audit_ckpt ck;
    REQUIRE(hub_audit_ckpt_make(k2, 1, h, 0, &ck) == CS_OK);
    CHECK_EQ(hub_audit_ckpt_verify(p, &ck), CS_OK);
    gm_sm2_key_free(p);
    gm_sm2_key_free(k1);
    gm_sm2_key_free(k2);
    teardown();
}

CS_TEST(refuses_loose_permissions_and_garbage)
{
    struct gm_sm2_key *k = NULL;
    FILE *f;

    REQUIRE(setup());
    REQUIRE(hub_key_load_or_create(priv, NULL, &k, NULL) == CS_OK);
    gm_sm2_key_free(k);
    k = NULL;
    CHECK(access(pub, F_OK) != 0); /* no public path, no file */
    REQUIRE(chmod(priv, 0640) == 0);
    CHECK_EQ(hub_key_load_or_create(priv, NULL, &k, NULL), CS_EINVAL);
    CHECK(k == NULL);
    REQUIRE(chmod(priv, 0600) == 0);
    CHECK_EQ(hub_key_load_or_create(priv, NULL, &k, NULL), CS_OK);
    gm_sm2_key_free(k);
    k = NULL;
    /* Not a PEM key: refused, and not overwritten. */
    REQUIRE((f = fopen(priv, "w")) != NULL);
    fputs("not a key\n", f);
    fclose(f);
    CHECK_EQ(hub_key_load_or_create(priv, NULL, &k, NULL), CS_EINVAL);
    /* A public key where the private key should be: refused. */
    struct gm_sm2_key *g = NULL;
    REQUIRE(gm_sm2_key_generate(&g) == CS_OK);
    unlink(priv);
    REQUIRE(gm_sm2_key_save_public_pem_file(g, priv) == CS_OK);
    REQUIRE(chmod(priv, 0600) == 0);
    CHECK_EQ(hub_key_load_or_create(priv, NULL, &k, NULL), CS_EINVAL);
    gm_sm2_key_free(g);
    /* A symlink is not followed. */
    unlink(priv);
    REQUIRE(symlink("/etc/hostname", priv) == 0);
    CHECK(hub_key_load_or_create(priv, NULL, &k, NULL) != CS_OK);
    /* A directory that does not exist. */
    CHECK_EQ(hub_key_load_or_create("/nonexistent-dir/hub.key", NULL, &k, NULL), CS_EIO);
    CHECK_EQ(hub_key_load_or_create(NULL, NULL, &k, NULL), CS_EINVAL);
    teardown();
}

CS_TEST_MAIN()
