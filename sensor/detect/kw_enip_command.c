/* kw_enip_command.c — enip_command:<value>: the encapsulation command of the EtherNet/IP
 * transaction's request (its response when there was no request), e.g. 99 (ListIdentity),
 * 111 (SendRRData), or its name as EVE logs it (list_identity, send_rr_data; Suricata 8).
 * Comparisons as for other integers ("N", "<N", "A-B", …). */
#include "detect.h"
#include "kw.h"

#include "../app/enip.h"

#include <string.h>

static int enip_command_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct sn_u64cmp *m = cs_calloc(1, sizeof(*m));

    if (!m)
        return CS_ENOMEM;
    if (opt) {
        char name[64];
        const char *s = sn_kw_trim(opt, strlen(opt), name, sizeof(name));
        if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) {
            int code = sn_enip_command_code(s, strlen(s));
            if (code < 0) {
                cs_free(m);
                return sn_kw_error(c, "unknown enip_command '%s'", s);
            }
            m->op = SN_CMP_EQ;
            m->a = (uint64_t)code;
            return sn_kw_append(c, m);
        }
    }
    if (sn_kw_parse_cmp(c, opt, 65535, m) != CS_OK) {
        cs_free(m);
        return CS_EINVAL;
    }
    return sn_kw_append(c, m);
}

static bool enip_command_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_enip_tx *tx;

    if (!inst->data || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "enip") != 0)
        return false;
    tx = t->tx;
    if (!tx->has_req && !tx->has_resp)
        return false;
    return sn_u64cmp_eval(inst->data, tx->has_req ? tx->req.cmd : tx->resp.cmd);
}

const struct sn_kw sn_kw_enip_command = {
    .name = "enip_command",
    .desc = "EtherNet/IP encapsulation command",
    .flags = SN_KW_NEEDS_OPT,
    .setup = enip_command_setup,
    .free = cs_free,
    .match = enip_command_match,
};
