/* kw_dnp3_func.c — dnp3_func:<code|name>: the application function code of the DNP3 message
 * under inspection (either direction), by number (0-255) or by name as Suricata lists them
 * ("read", "write", "direct_operate", "response", "unsolicited_response", …). */
#include "detect.h"
#include "kw.h"

#include "../app/dnp3.h"

static const char *const func_names[] = {
    [0] = "confirm",
    [1] = "read",
    [2] = "write",
    [3] = "select",
    [4] = "operate",
    [5] = "direct_operate",
    [6] = "direct_operate_nr",
    [7] = "immed_freeze",
    [8] = "immed_freeze_nr",
    [9] = "freeze_clear",
    [10] = "freeze_clear_nr",
    [11] = "freeze_at_time",
    [12] = "freeze_at_time_nr",
    [13] = "cold_restart",
    [14] = "warm_restart",
    [15] = "initialize_data",
    [16] = "initialize_appl",
    [17] = "start_appl",
    [18] = "stop_appl",
    [19] = "save_config",
    [20] = "enable_unsolicited",
    [21] = "disable_unsolicited",
    [22] = "assign_class",
    [23] = "delay_measure",
    [24] = "record_current_time",
    [25] = "open_file",
    [26] = "close_file",
    [27] = "delete_file",
    [28] = "get_file_info",
    [29] = "authenticate_file",
    [30] = "abort_file",
    [31] = "activate_config",
    [32] = "authenticate_req",
    [33] = "authenticate_err",
    [129] = "response",
    [130] = "unsolicited_response",
    [131] = "authenticate_resp",
};

static int dnp3_func_setup(struct sn_kw_ctx *c, const char *opt)
{
    uint8_t *code;
    uint64_t v;
    size_t k;

    if (sn_kw_parse_u64(opt, 0, 255, &v)) {
        k = (size_t)v;
    } else {
        for (k = 0; k < CS_ARRAY_LEN(func_names); k++)
            if (func_names[k] && strcasecmp(opt, func_names[k]) == 0)
                break;
        if (k == CS_ARRAY_LEN(func_names))
            return sn_kw_error(c, "invalid dnp3_func '%s'", opt);
    }
    code = cs_malloc(1);
    if (!code)
        return CS_ENOMEM;
    *code = (uint8_t)k;
    return sn_kw_append(c, code);
}

static bool dnp3_func_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_dnp3_msg *m;

    if (!inst->data || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "dnp3") != 0)
        return false;
    m = t->tx;
    return m->valid && m->func == *(const uint8_t *)inst->data;
}

const struct sn_kw sn_kw_dnp3_func = {
    .name = "dnp3_func",
    .desc = "DNP3 application function code (number or name)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dnp3_func_setup,
    .free = cs_free,
    .match = dnp3_func_match,
};
