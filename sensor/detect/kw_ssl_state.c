/* kw_ssl_state.c — ssl_state:[!]client_hello|server_hello|client_keyx|server_keyx|unknown
 * (several with '|' or ','). */
#include "detect.h"
#include "kw_app.h"

#include "../app/tls.h"

static int ssl_state_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } states[] = {
        {"client_hello", SN_SSL_CLIENT_HELLO}, {"server_hello", SN_SSL_SERVER_HELLO},
        {"client_keyx", SN_SSL_CLIENT_KEYX},   {"server_keyx", SN_SSL_SERVER_KEYX},
        {"unknown", SN_SSL_UNKNOWN},
    };
    struct sn_ssl_state *s = cs_calloc(1, sizeof(*s));
    const char *p = opt;

    if (!s)
        return CS_ENOMEM;
    while (*p) {
        const char *end = p + strcspn(p, "|,");
        char name[32];
        bool neg = false;
        size_t k;
        sn_kw_trim(p, (size_t)(end - p), name, sizeof(name));
        char *nm = name;
        if (*nm == '!') {
            neg = true;
            nm++;
        }
        for (k = 0; k < CS_ARRAY_LEN(states); k++)
            if (strcmp(nm, states[k].name) == 0)
                break;
        if (k == CS_ARRAY_LEN(states)) {
            cs_free(s);
            return sn_kw_error(c, "invalid ssl_state '%s'", nm);
        }
        s->flags |= states[k].bit;
        if (neg)
            s->negated |= states[k].bit;
        p = *end ? end + 1 : end;
    }
    if (!s->flags) {
        cs_free(s);
        return sn_kw_error(c, "ssl_state needs a state");
    }
    return sn_kw_append(c, s);
}

/* Suricata's semantics: the state is the handshake message handled last; a rule matches
 * when (states & current) ^ negated is not empty. */
static bool ssl_state_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_ssl_state *s = inst->data;
    const struct sn_tls_state *st;
    uint8_t cur = 0;

    if (!s || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "tls") != 0)
        return false;
    st = t->tx;
    if (st->hs_current & SN_TLS_HS_CLIENT_HELLO)
        cur |= SN_SSL_CLIENT_HELLO;
    if (st->hs_current & SN_TLS_HS_SERVER_HELLO)
        cur |= SN_SSL_SERVER_HELLO;
    if (st->hs_current & SN_TLS_HS_CLIENT_KEYX)
        cur |= SN_SSL_CLIENT_KEYX;
    if (st->hs_current & SN_TLS_HS_SERVER_KEYX)
        cur |= SN_SSL_SERVER_KEYX;
    if (st->hs_current & SN_TLS_HS_UNKNOWN)
        cur |= SN_SSL_UNKNOWN;
    return ((s->flags & cur) ^ s->negated) != 0;
}

const struct sn_kw sn_kw_ssl_state = {
    .name = "ssl_state",
    .desc = "TLS handshake state ([!]client_hello|server_hello|client_keyx|server_keyx|unknown)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = ssl_state_setup,
    .free = cs_free,
    .match = ssl_state_match,
};
