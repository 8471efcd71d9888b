/* kw_ssl_version.c — ssl_version:[!]sslv2|sslv3|tls1.0|tls1.1|tls1.2|tls1.3[,…]; and
 * tls.version:1.2 (one version, also 0xNNNN). */
#include "kw_app.h"

static const char *const versions[] = {"sslv2", "sslv3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};

static int ssl_version_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_ssl_version *v = cs_calloc(1, sizeof(*v));
    char buf[128], *parts[8];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 8);

    if (!v)
        return CS_ENOMEM;
    if (n <= 0)
        goto bad;
    for (int i = 0; i < n; i++) {
        const char *s = parts[i];
        bool neg = *s == '!';
        size_t k;
        if (neg)
            s++;
        for (k = 0; k < CS_ARRAY_LEN(versions); k++)
            if (strcasecmp(s, versions[k]) == 0)
                break;
        if (k == CS_ARRAY_LEN(versions))
            goto bad;
        v->versions |= (uint16_t)(1u << k);
        if (neg)
            v->negated |= (uint16_t)(1u << k);
    }
    return sn_kw_append(c, v);
bad:
    cs_free(v);
    return sn_kw_error(c, "invalid ssl_version '%s'", opt);
}

static int tls_version_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const char *const nums[] = {"2.0", "3.0", "1.0", "1.1", "1.2", "1.3"};
    static const uint64_t wire[] = {0x0200, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304};
    struct sn_ssl_version *v;
    uint64_t x;
    size_t k;

    for (k = 0; k < CS_ARRAY_LEN(nums); k++)
        if (strcmp(opt, nums[k]) == 0)
            break;
    if (k == CS_ARRAY_LEN(nums) && sn_kw_parse_u64(opt, 0, 0xffff, &x))
        for (k = 0; k < CS_ARRAY_LEN(wire) && wire[k] != x; k++)
            ;
    if (k == CS_ARRAY_LEN(nums))
        return sn_kw_error(c, "invalid tls.version '%s'", opt);
    v = cs_calloc(1, sizeof(*v));
    if (!v)
        return CS_ENOMEM;
    v->versions = (uint16_t)(1u << k);
    return sn_kw_append(c, v);
}

const struct sn_kw sn_kw_ssl_version = {
    .name = "ssl_version",
    .desc = "TLS/SSL version ([!]sslv2|sslv3|tls1.0|tls1.1|tls1.2|tls1.3, list)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ssl_version_setup,
    .free = cs_free,
};

const struct sn_kw sn_kw_tls_version = {
    .name = "tls.version",
    .desc = "TLS version of the session (1.0, 1.1, 1.2, 1.3 or 0xNNNN)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = tls_version_setup,
    .free = cs_free,
};
