/* kw_tls_cert_valid.c — tls_cert_valid: the packet time lies inside the server certificate's
 * validity period (notBefore <= now <= notAfter); the chain is not verified, as Suricata. */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

static int tls_cert_valid_setup(struct sn_kw_ctx *c, const char *opt)
{
    (void)opt;
    return sn_kw_append(c, NULL);
}

static bool tls_cert_valid_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    int64_t now;
    const struct sn_tls_cert *c = sn_kw_tls_server_cert(t, &now);

    (void)inst;
    return c && c->not_before <= now && now <= c->not_after;
}

const struct sn_kw sn_kw_tls_cert_valid = {
    .name = "tls_cert_valid",
    .desc = "the TLS server certificate is within its validity period at the packet time",
    .flags = SN_KW_NOOPT,
    .setup = tls_cert_valid_setup,
    .match = tls_cert_valid_match,
};
