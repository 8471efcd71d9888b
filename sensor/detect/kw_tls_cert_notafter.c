/* kw_tls_cert_notafter.c — tls_cert_notafter:[<|>]DATE | DATE<>DATE: compares the server
 * certificate's notAfter with a UTC date (syntax as tls_cert_notbefore). */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

static bool tls_cert_notafter_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    int64_t now;
    const struct sn_tls_cert *c = sn_kw_tls_server_cert(t, &now);

    return c && inst->data && sn_kw_tls_date_eval(inst->data, c->not_after);
}

const struct sn_kw sn_kw_tls_cert_notafter = {
    .name = "tls_cert_notafter",
    .desc = "TLS server certificate notAfter (<|>DATE, DATE, DATE<>DATE)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sn_kw_tls_date_setup,
    .free = cs_free,
    .match = tls_cert_notafter_match,
};
