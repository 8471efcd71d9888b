/* kw_tls_cert_expired.c — tls_cert_expired: the server certificate's notAfter is in the past
 * (relative to the time of the packet being inspected, as Suricata). */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

/* The server's own certificate (first of its chain) when the flow is TLS and it has a
 * validity period; NULL otherwise. *now_s gets the inspection time (seconds). */
const struct sn_tls_cert *sn_kw_tls_server_cert(const struct sn_detect_thread *t, int64_t *now_s)
{
    const struct sn_tls_state *st;
    uint64_t us;

    if (!t->tx || !t->tx_proto || strcmp(t->tx_proto, "tls") != 0)
        return NULL;
    st = t->tx;
    if (!st->ncerts || !st->certs[0].has_validity)
        return NULL;
    us = t->p ? t->p->ts_us : t->w ? t->w->now_us : 0;
    *now_s = (int64_t)(us / 1000000u);
    return &st->certs[0];
}

static int tls_cert_expired_setup(struct sn_kw_ctx *c, const char *opt)
{
    (void)opt;
    return sn_kw_append(c, NULL);
}

static bool tls_cert_expired_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    int64_t now;
    const struct sn_tls_cert *c = sn_kw_tls_server_cert(t, &now);

    (void)inst;
    return c && c->not_after < now;
}

const struct sn_kw sn_kw_tls_cert_expired = {
    .name = "tls_cert_expired",
    .desc = "the TLS server certificate has expired (notAfter before the packet time)",
    .flags = SN_KW_NOOPT,
    .setup = tls_cert_expired_setup,
    .match = tls_cert_expired_match,
};
