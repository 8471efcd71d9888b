/* kw_s7comm.c — S7comm keywords over the PDU the s7comm parser passes to detection
 * (struct sn_s7comm_pdu, sensor/app/s7comm.h):
 *   s7comm.func:<n | comparison | name>    parameter function code of job and ack_data PDUs
 *                                          (read_var, write_var, plc_stop, …); userdata and
 *                                          PDUs without a parameter never match
 *   s7comm.rosctr:<n | comparison | name>  job, ack, ack_data, userdata */
#include "../app/s7comm.h"
#include "detect.h"
#include "kw_ics.h"

#include <string.h>

static const struct sn_s7comm_pdu *pdu(const struct sn_detect_thread *t)
{
    if (!t->tx || !t->tx_proto || strcmp(t->tx_proto, "s7comm") != 0)
        return NULL;
    return t->tx;
}

static int func_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_ics_setup(c, opt, 255, sn_s7comm_func_lookup);
}

static bool func_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_s7comm_pdu *m = pdu(t);
    const struct sn_kw_ics *k = inst->data;
    return m && m->has_func && sn_u64cmp_eval(&k->cmp, m->func);
}

static int rosctr_setup(struct sn_kw_ctx *c, const char *opt)
{
    return sn_kw_ics_setup(c, opt, 255, sn_s7comm_rosctr_lookup);
}

static bool rosctr_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_s7comm_pdu *m = pdu(t);
    const struct sn_kw_ics *k = inst->data;
    return m && sn_u64cmp_eval(&k->cmp, m->rosctr);
}

const struct sn_kw sn_kw_s7comm_func = {
    .name = "s7comm.func",
    .desc = "S7comm function code (number, comparison or name like read_var, plc_stop)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = func_setup,
    .free = cs_free,
    .match = func_match,
};

const struct sn_kw sn_kw_s7comm_rosctr = {
    .name = "s7comm.rosctr",
    .desc = "S7comm PDU type (number or job, ack, ack_data, userdata)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = rosctr_setup,
    .free = cs_free,
    .match = rosctr_match,
};
