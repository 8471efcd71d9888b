/* kw_tls_subject.c — tls.subject:[!]"text": the server certificate's subject contains text
 * (the legacy form; the sticky buffer is tls.cert_subject). Also the shared parts of
 * tls.issuerdn and tls.fingerprint (kw_app.h). */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

#include <string.h>
#include <strings.h>

int sn_kw_tls_str_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_kw_tls_str *k;
    char buf[1024];
    const char *s;
    int rc;

    if (!opt)
        return sn_kw_error(c, "%s needs a value", c->kw->name);
    s = sn_kw_trim(opt, strlen(opt), buf, sizeof(buf));
    if (!(k = cs_calloc(1, sizeof(*k))))
        return CS_ENOMEM;
    if (*s == '!') {
        k->negated = true;
        s++;
        while (*s == ' ')
            s++;
    }
    if ((rc = sn_kw_unquote(c, s, &k->text)) != CS_OK) {
        cs_free(k);
        return rc;
    }
    if (!k->text[0]) {
        sn_kw_tls_str_free(k);
        return sn_kw_error(c, "%s: empty value", c->kw->name);
    }
    return sn_kw_append(c, k);
}

void sn_kw_tls_str_free(void *p)
{
    struct sn_kw_tls_str *k = p;

    if (!k)
        return;
    cs_free(k->text);
    cs_free(k);
}

bool sn_kw_tls_str_match(const struct sn_detect_thread *t, const struct sn_kw_tls_str *k,
                         enum sn_kw_tls_field field)
{
    const struct sn_tls_state *st;
    const char *v = NULL;
    bool hit;

    if (!k || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "tls") != 0 ||
        t->dir != SN_TOCLIENT)
        return false;
    st = t->tx;
    if (!st->ncerts)
        return false;
    switch (field) {
    case SN_KW_TLS_SUBJECT:
        v = st->certs[0].subject;
        break;
    case SN_KW_TLS_ISSUER:
        v = st->certs[0].issuer;
        break;
    case SN_KW_TLS_FINGERPRINT:
        v = st->certs[0].fingerprint[0] ? st->certs[0].fingerprint : NULL;
        break;
    }
    if (!v)
        return false;
    hit = field == SN_KW_TLS_FINGERPRINT ? strcasecmp(v, k->text) == 0 : strstr(v, k->text) != NULL;
    return hit != k->negated;
}

static bool tls_subject_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    return sn_kw_tls_str_match(t, inst->data, SN_KW_TLS_SUBJECT);
}

const struct sn_kw sn_kw_tls_subject = {
    .name = "tls.subject",
    .desc = "TLS server certificate subject contains a string (legacy form)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = sn_kw_tls_str_setup,
    .free = sn_kw_tls_str_free,
    .match = tls_subject_match,
};
