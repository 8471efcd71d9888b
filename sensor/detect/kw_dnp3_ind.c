/* kw_dnp3_ind.c — dnp3_ind:<flag>[,<flag>…]: matches a DNP3 response whose internal
 * indications (IIN1 << 8 | IIN2) have any of the named bits set. */
#include "detect.h"
#include "kw.h"

#include "../app/dnp3.h"

static const struct {
    const char *name;
    uint16_t bit;
} ind_names[] = {
    {"device_restart", 0x8000},
    {"device_trouble", 0x4000},
    {"local_control", 0x2000},
    {"need_time", 0x1000},
    {"class_3_events", 0x0800},
    {"class_2_events", 0x0400},
    {"class_1_events", 0x0200},
    {"all_stations", 0x0100},
    {"reserved_1", 0x0080},
    {"reserved_2", 0x0040},
    {"config_corrupt", 0x0020},
    {"already_executing", 0x0010},
    {"event_buffer_overflow", 0x0008},
    {"parameter_error", 0x0004},
    {"object_unknown", 0x0002},
    {"no_func_code_support", 0x0001},
};

static int dnp3_ind_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);
    uint16_t *mask;
    uint16_t bits = 0;

    if (n <= 0)
        return sn_kw_error(c, "invalid dnp3_ind '%s'", opt);
    for (int i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < CS_ARRAY_LEN(ind_names); k++)
            if (strcmp(parts[i], ind_names[k].name) == 0)
                break;
        if (k == CS_ARRAY_LEN(ind_names))
            return sn_kw_error(c, "invalid dnp3_ind flag '%s'", parts[i]);
        bits |= ind_names[k].bit;
    }
    mask = cs_malloc(sizeof(*mask));
    if (!mask)
        return CS_ENOMEM;
    *mask = bits;
    return sn_kw_append(c, mask);
}

static bool dnp3_ind_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_dnp3_msg *m;

    if (!inst->data || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "dnp3") != 0 ||
        t->dir != SN_TOCLIENT)
        return false;
    m = t->tx;
    return m->valid && (m->iin & *(const uint16_t *)inst->data) != 0;
}

const struct sn_kw sn_kw_dnp3_ind = {
    .name = "dnp3_ind",
    .desc = "DNP3 internal indication flags of a response (any of a list)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dnp3_ind_setup,
    .free = cs_free,
    .match = dnp3_ind_match,
};
