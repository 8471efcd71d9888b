/* kw_ssl_version.c — ssl_version:[!]sslv2|sslv3|tls1.0|tls1.1|tls1.2|tls1.3[,…]; and
 * tls.version:1.2 (one version, also 0xNNNN). */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

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

/* Index into versions[] of a wire version (TLS 1.3 drafts count as 1.3), -1 if none. */
static int version_index(uint16_t v)
{
    switch (v) {
    case SN_TLS_V_SSL2:
    case 0x0200:
        return 0;
    case SN_TLS_V_SSL3:
        return 1;
    case SN_TLS_V_TLS10:
        return 2;
    case SN_TLS_V_TLS11:
        return 3;
    case SN_TLS_V_TLS12:
        return 4;
    case SN_TLS_V_TLS13:
        return 5;
    }
    if ((v >> 8) == 0x7f || (v >> 8) == 0xfb) /* IETF and Facebook 1.3 drafts */
        return 5;
    return -1;
}

/* The version of direction t->dir: the ClientHello's to the server, the negotiated one (the
 * ServerHello's, supported_versions applied) to the client; -1 when not seen yet. */
static int tls_dir_version(const struct sn_detect_thread *t)
{
    const struct sn_tls_state *st;

    if (!t->tx || !t->tx_proto || strcmp(t->tx_proto, "tls") != 0)
        return -1;
    st = t->tx;
    if (t->dir == SN_TOSERVER)
        return st->client.seen ? version_index(st->client.version) : -1;
    return st->server.seen ? version_index(st->version) : -1;
}

/* A version listed without '!' matches; a version listed with '!' never does; a list of
 * negations only matches every other (known) version. */
static bool ssl_version_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_ssl_version *v = inst->data;
    int k = tls_dir_version(t);
    uint16_t bit, pos;

    if (!v || k < 0)
        return false;
    bit = (uint16_t)(1u << k);
    pos = v->versions & (uint16_t)~v->negated;
    if (v->negated & bit)
        return false;
    if (pos & bit)
        return true;
    return v->negated && !pos;
}

const struct sn_kw sn_kw_ssl_version = {
    .name = "ssl_version",
    .desc = "TLS/SSL version ([!]sslv2|sslv3|tls1.0|tls1.1|tls1.2|tls1.3, list)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ssl_version_setup,
    .free = cs_free,
    .match = ssl_version_match,
};

const struct sn_kw sn_kw_tls_version = {
    .name = "tls.version",
    .desc = "TLS version of the session (1.0, 1.1, 1.2, 1.3 or 0xNNNN)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = tls_version_setup,
    .free = cs_free,
    .match = ssl_version_match, /* one version, no negation: the same test */
};
