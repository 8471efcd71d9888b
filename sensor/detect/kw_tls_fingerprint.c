/* kw_tls_fingerprint.c — tls.fingerprint:[!]"aa:bb:…": the server certificate's SHA-1
 * fingerprint equals the value, letter case ignored (the legacy form; the sticky buffer is
 * tls.cert_fingerprint). Shared code in kw_tls_subject.c. */
#include "detect.h"
#include "kw_app.h"

static bool tls_fingerprint_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return sn_kw_tls_str_match(t, inst->data, SN_KW_TLS_FINGERPRINT);
}

const struct sn_kw sn_kw_tls_fingerprint = {
    .name = "tls.fingerprint",
    .desc = "TLS server certificate SHA-1 fingerprint equals a value (legacy form)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sn_kw_tls_str_setup,
    .free = sn_kw_tls_str_free,
    .match = tls_fingerprint_match,
};
