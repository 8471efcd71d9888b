/* kw_tls_issuerdn.c — tls.issuerdn:[!]"text": the server certificate's issuer contains text
 * (the legacy form; the sticky buffer is tls.cert_issuer). Shared code in kw_tls_subject.c. */
#include "detect.h"
#include "kw_app.h"

static bool tls_issuerdn_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return sn_kw_tls_str_match(t, inst->data, SN_KW_TLS_ISSUER);
}

const struct sn_kw sn_kw_tls_issuerdn = {
    .name = "tls.issuerdn",
    .desc = "TLS server certificate issuer contains a string (legacy form)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sn_kw_tls_str_setup,
    .free = sn_kw_tls_str_free,
    .match = tls_issuerdn_match,
};
