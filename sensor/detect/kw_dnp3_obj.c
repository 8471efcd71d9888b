/* kw_dnp3_obj.c — dnp3_obj:<group>,<variation>: the DNP3 message carries an object header of
 * that group and variation. */
#include "detect.h"
#include "kw_app.h"

#include "../app/dnp3.h"

static int dnp3_obj_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[64], *parts[2];
    struct sn_kw_dnp3_obj *o;
    uint64_t g, v;

    if (sn_kw_split(opt, buf, sizeof(buf), parts, 2) != 2 || !sn_kw_parse_u64(parts[0], 0, 255, &g) ||
        !sn_kw_parse_u64(parts[1], 0, 255, &v))
        return sn_kw_error(c, "invalid dnp3_obj '%s' (group,variation)", opt);
    o = cs_malloc(sizeof(*o));
    if (!o)
        return CS_ENOMEM;
    o->group = (uint8_t)g;
    o->variation = (uint8_t)v;
    return sn_kw_append(c, o);
}

static bool dnp3_obj_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_dnp3_obj *o = inst->data;
    const struct sn_dnp3_msg *m;

    if (!o || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "dnp3") != 0)
        return false;
    m = t->tx;
    for (uint32_t i = 0; m->valid && i < m->nobjs; i++)
        if (m->objs[i].group == o->group && m->objs[i].variation == o->variation)
            return true;
    return false;
}

const struct sn_kw sn_kw_dnp3_obj = {
    .name = "dnp3_obj",
    .desc = "DNP3 object group and variation present in the message",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dnp3_obj_setup,
    .free = cs_free,
    .match = dnp3_obj_match,
};
