/* password.c — Argon2id password hashing in PHC string form, constant-time verification,
 * needs-rehash and the password policy (see auth.h). */
#include "auth.h"

#include <argon2.h>
#include <inttypes.h>
#include <stdio.h>

#include "../../lib/cs_cfg.h"
#include "b64.h"

#define PHC_PREFIX "$argon2id$v=19$"

void hub_pw_params_default(struct hub_pw_params *p)
{
    p->m_kib = HUB_PW_DEFAULT_M_KIB;
    p->t_cost = HUB_PW_DEFAULT_T_COST;
    p->parallelism = HUB_PW_DEFAULT_PARALLELISM;
    p->salt_len = HUB_PW_DEFAULT_SALT_LEN;
    p->hash_len = HUB_PW_DEFAULT_HASH_LEN;
    p->min_chars = HUB_PW_DEFAULT_MIN_CHARS;
    p->max_bytes = HUB_PW_DEFAULT_MAX_BYTES;
}

void hub_pw_params_test(struct hub_pw_params *p)
{
    hub_pw_params_default(p);
    p->m_kib = HUB_PW_MIN_M_KIB;
    p->t_cost = 1;
    p->parallelism = 1;
}

/* Bounds shared by the parameter check and the PHC parser. */
static bool cost_ok(uint32_t m, uint32_t t, uint32_t par)
{
    return par >= 1 && par <= HUB_PW_MAX_PARALLELISM && t >= 1 && t <= HUB_PW_MAX_T_COST &&
           m >= HUB_PW_MIN_M_KIB && m <= HUB_PW_MAX_M_KIB && m >= 8 * par;
}

int hub_pw_params_check(const struct hub_pw_params *p)
{
    if (!p || !cost_ok(p->m_kib, p->t_cost, p->parallelism))
        return CS_EINVAL;
    if (p->salt_len < HUB_PW_MIN_SALT_LEN || p->salt_len > HUB_PW_MAX_SALT_LEN ||
        p->hash_len < HUB_PW_MIN_HASH_LEN || p->hash_len > HUB_PW_MAX_HASH_LEN)
        return CS_EINVAL;
    if (p->min_chars < 1 || p->max_bytes < p->min_chars)
        return CS_EINVAL;
    return CS_OK;
}

/* Reads one unsigned cfg value into *out; false with err filled when present but bad. */
static bool cfg_u32(const struct cs_cfg *cfg, const char *prefix, const char *name, bool size,
                    uint32_t div, uint32_t *out, struct cs_err *err)
{
    char key[256];
    int line = 0, col = 0;

    snprintf(key, sizeof(key), "%s.%s", prefix, name);
    if (!cs_cfg_has(cfg, key))
        return true;
    cs_cfg_pos(cfg, key, &line, &col);
    if (size) {
        uint64_t v;
        if (cs_cfg_get_size(cfg, key, &v) && v / div <= UINT32_MAX) {
            *out = (uint32_t)(v / div);
            return true;
        }
    } else {
        int64_t v;
        if (cs_cfg_get_int(cfg, key, &v) && v >= 0 && v <= UINT32_MAX) {
            *out = (uint32_t)v;
            return true;
        }
    }
    cs_err_set(err, CS_EINVAL, line, col, "%s: not a valid %s", key, size ? "size" : "number");
    return false;
}

int hub_pw_params_from_cfg(struct hub_pw_params *p, const struct cs_cfg *cfg, const char *prefix,
                           struct cs_err *err)
{
    struct hub_pw_params n = *p;
    int line = 0, col = 0;

    if (!cfg_u32(cfg, prefix, "memory", true, 1024, &n.m_kib, err) ||
        !cfg_u32(cfg, prefix, "iterations", false, 1, &n.t_cost, err) ||
        !cfg_u32(cfg, prefix, "parallelism", false, 1, &n.parallelism, err) ||
        !cfg_u32(cfg, prefix, "min-length", false, 1, &n.min_chars, err) ||
        !cfg_u32(cfg, prefix, "max-length", false, 1, &n.max_bytes, err))
        return CS_EINVAL;
    if (hub_pw_params_check(&n) != CS_OK) {
        cs_cfg_pos(cfg, prefix, &line, &col);
        cs_err_set(err, CS_EINVAL, line, col,
                   "%s: argon2id parameters out of bounds (memory %u KiB, iterations %u, "
                   "parallelism %u, length %u..%u)",
                   prefix, n.m_kib, n.t_cost, n.parallelism, n.min_chars, n.max_bytes);
        return CS_EINVAL;
    }
    *p = n;
    return CS_OK;
}

/* Decodes one UTF-8 sequence at s[0..len); returns its length (1..4) or 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). *cp receives the code point. */
static size_t utf8_next(const uint8_t *s, size_t len, uint32_t *cp)
{
    uint8_t c = s[0];
    size_t n;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

int hub_pw_policy_check(const struct hub_pw_params *p, const char *pw, size_t len,
                        const char **msg)
{
    const uint8_t *s = (const uint8_t *)pw;
    const char *dummy;
    size_t chars = 0;

    if (!msg)
        msg = &dummy;
    if (!p || (!pw && len)) {
        *msg = "invalid argument";
        return CS_EINVAL;
    }
    if (len > p->max_bytes) {
        *msg = "too long";
        return CS_ELIMIT;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        if (n == 0) {
            *msg = "not valid UTF-8";
            return CS_EINVAL;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            *msg = "contains a control character";
            return CS_EINVAL;
        }
        chars++;
        i += n;
    }
    if (chars < p->min_chars) {
        *msg = "too short";
        return CS_EINVAL;
    }
    *msg = "ok";
    return CS_OK;
}

static int argon2_to_cs(int rc)
{
    if (rc == ARGON2_OK)
        return CS_OK;
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return CS_ENOMEM;
    return CS_ERR;
}

int hub_pw_hash(const struct hub_pw_params *p, const char *pw, size_t len, char *out,
                size_t outcap)
{
    uint8_t salt[HUB_PW_MAX_SALT_LEN], hash[HUB_PW_MAX_HASH_LEN];
    char salt64[HUB_PW_MAX_SALT_LEN * 2], hash64[HUB_PW_MAX_HASH_LEN * 2];
    int rc;

    if (!p || !out || (!pw && len) || hub_pw_params_check(p) != CS_OK)
        return CS_EINVAL;
    if (len > p->max_bytes)
        return CS_ELIMIT;
    if (outcap)
        out[0] = '\0';
    rc = gm_random(salt, p->salt_len);
    if (rc != CS_OK)
        return CS_ERR;
    rc = argon2_to_cs(argon2id_hash_raw(p->t_cost, p->m_kib, p->parallelism, len ? pw : "", len,
                                        salt, p->salt_len, hash, p->hash_len));
    if (rc != CS_OK)
        goto out_wipe;
    hub_b64_encode(salt, p->salt_len, salt64, HUB_B64_STD, false);
    hub_b64_encode(hash, p->hash_len, hash64, HUB_B64_STD, false);
    int n = snprintf(out, outcap, PHC_PREFIX "m=%" PRIu32 ",t=%" PRIu32 ",p=%" PRIu32 "$%s$%s",
                     p->m_kib, p->t_cost, p->parallelism, salt64, hash64);
    if (n < 0 || (size_t)n >= outcap) {
        if (outcap)
            out[0] = '\0';
        rc = CS_ELIMIT;
    }
out_wipe:
    gm_cleanse(hash, sizeof(hash));
    gm_cleanse(hash64, sizeof(hash64));
    return rc;
}

/* Parses "<name>=<decimal>" at s[*i..len) followed by `end` (or the end when end == 0). No
 * sign, no leading zero, at most 10 digits, value <= UINT32_MAX. */
static bool phc_num(const char *s, size_t len, size_t *i, char name, char end, uint32_t *out)
{
    size_t j = *i, start;
    uint64_t v = 0;

    if (j + 2 > len || s[j] != name || s[j + 1] != '=')
        return false;
    j += 2;
    start = j;
    while (j < len && s[j] >= '0' && s[j] <= '9' && j - start < 11) {
        v = v * 10 + (uint64_t)(s[j] - '0');
        j++;
    }
    if (j == start || j - start > 10 || v > UINT32_MAX || (s[start] == '0' && j - start > 1))
        return false;
    if (j >= len || s[j] != end)
        return false;
    *i = j + 1;
    *out = (uint32_t)v;
    return true;
}

int hub_pw_phc_parse(const char *s, size_t len, struct hub_pw_phc *out)
{
    size_t i = sizeof(PHC_PREFIX) - 1, dollar;
    struct hub_pw_phc r;

    if (!out)
        return CS_EINVAL;
    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    if (!s || len < i || memcmp(s, PHC_PREFIX, i) != 0)
        return CS_EINVAL;
    r.version = 19;
    if (!phc_num(s, len, &i, 'm', ',', &r.m_kib) || !phc_num(s, len, &i, 't', ',', &r.t_cost) ||
        !phc_num(s, len, &i, 'p', '$', &r.parallelism))
        return CS_EINVAL;
    if (!cost_ok(r.m_kib, r.t_cost, r.parallelism))
        return CS_EINVAL;
    for (dollar = i; dollar < len && s[dollar] != '$'; dollar++)
        ;
    if (dollar >= len)
        return CS_EINVAL;
    if (hub_b64_decode(s + i, dollar - i, r.salt, sizeof(r.salt), &r.salt_len, HUB_B64_STD,
                       false) != CS_OK ||
        hub_b64_decode(s + dollar + 1, len - dollar - 1, r.hash, sizeof(r.hash), &r.hash_len,
                       HUB_B64_STD, false) != CS_OK)
        return CS_EINVAL;
    if (r.salt_len < HUB_PW_MIN_SALT_LEN || r.hash_len < HUB_PW_MIN_HASH_LEN)
        return CS_EINVAL;
    *out = r;
    return CS_OK;
}

int hub_pw_verify(const char *phc, const char *pw, size_t len)
{
    struct hub_pw_phc r;
    uint8_t hash[HUB_PW_MAX_HASH_LEN];
    int rc;

    if (!phc || (!pw && len))
        return CS_EINVAL;
    if (len > (size_t)HUB_PW_DEFAULT_MAX_BYTES * 4)
        return CS_ELIMIT;
    if (hub_pw_phc_parse(phc, strlen(phc), &r) != CS_OK)
        return CS_EINVAL;
    rc = argon2_to_cs(argon2id_hash_raw(r.t_cost, r.m_kib, r.parallelism, len ? pw : "", len,
                                        r.salt, r.salt_len, hash, r.hash_len));
    if (rc == CS_OK)
        rc = gm_mem_equal(hash, r.hash, r.hash_len) ? CS_OK : CS_ERR;
    gm_cleanse(hash, sizeof(hash));
    gm_cleanse(&r, sizeof(r));
    return rc;
}

void hub_pw_verify_dummy(const struct hub_pw_params *p, const char *pw, size_t len)
{
    static const uint8_t salt[HUB_PW_MAX_SALT_LEN] = "citysoc dummy salt for unknown users";
    uint8_t hash[HUB_PW_MAX_HASH_LEN];

    if (!p || hub_pw_params_check(p) != CS_OK || (!pw && len) ||
        len > (size_t)HUB_PW_DEFAULT_MAX_BYTES * 4)
        return;
    (void)argon2id_hash_raw(p->t_cost, p->m_kib, p->parallelism, len ? pw : "", len, salt,
                            p->salt_len, hash, p->hash_len);
    gm_cleanse(hash, sizeof(hash));
}

bool hub_pw_needs_rehash(const struct hub_pw_params *p, const char *phc)
{
    struct hub_pw_phc r;

    if (!p || !phc || hub_pw_phc_parse(phc, strlen(phc), &r) != CS_OK)
        return true;
    return r.m_kib != p->m_kib || r.t_cost != p->t_cost || r.parallelism != p->parallelism ||
           r.salt_len != p->salt_len || r.hash_len != p->hash_len;
}
