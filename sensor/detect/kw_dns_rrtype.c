/* kw_dns_rrtype.c — dns.rrtype:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M): the record type of
 * the questions of a DNS message (Suricata 7+). A message matches when one of its questions
 * does (a request in the to-server direction, a response to-client); no question: no match. */
#include "kw.h"

#include "detect.h"

#include "../app/dns.h"

#include <string.h>

static bool dns_rrtype_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_dns_msg *m;
    const struct sn_dns_rr *rr;

    if (!t->tx || !t->tx_proto || strcmp(t->tx_proto, "dns") != 0)
        return false;
    m = t->tx;
    for (uint32_t i = 0; (rr = sn_dns_entry(m, SN_DNS_QUERY, i)) != NULL; i++)
        if (sn_u64cmp_eval(inst->data, rr->type))
            return true;
    return false;
}

SN_KW_CMP_MATCH_DEFINE(dns_rrtype, "dns.rrtype", "DNS question record type", 65535,
                       dns_rrtype_match);
