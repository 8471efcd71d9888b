/* kw_cip_service.c — cip_service:<service>[,<class>[,<attribute>]]: the CIP request carried by
 * an EtherNet/IP transaction (or one service of a multiple service packet) has that service
 * code and, when given, a logical path with that class and attribute. */
#include "detect.h"
#include "kw_app.h"

#include "../app/enip.h"

static int cip_service_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[96], *parts[3];
    struct sn_kw_cip_service *s;
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
    uint64_t v[3] = {0};

    if (n < 1)
        return sn_kw_error(c, "invalid cip_service '%s'", opt);
    for (int i = 0; i < n; i++)
        if (!sn_kw_parse_u64(parts[i], 0, i == 0 ? 255 : UINT32_MAX, &v[i]))
            return sn_kw_error(c, "invalid cip_service value '%s'", parts[i]);
    s = cs_calloc(1, sizeof(*s));
    if (!s)
        return CS_ENOMEM;
    s->service = (uint8_t)(v[0] & 0x7f);
    s->nvals = (uint8_t)n;
    s->cls = (uint32_t)v[1];
    s->attr = (uint32_t)v[2];
    return sn_kw_append(c, s);
}

/* Whether the path has a segment of type `type` (enip.h: 0 class, 4 attribute) with value v. */
static bool path_has(const struct sn_enip_seg *segs, uint8_t n, uint8_t type, uint32_t v)
{
    for (uint8_t i = 0; i < n; i++)
        if (segs[i].type == type && segs[i].value == v)
            return true;
    return false;
}

static bool svc_match(const struct sn_kw_cip_service *s, uint8_t service,
                      const struct sn_enip_seg *segs, uint8_t nsegs)
{
    if (service != s->service)
        return false;
    if (s->nvals >= 2 && !path_has(segs, nsegs, 0, s->cls))
        return false;
    return s->nvals < 3 || path_has(segs, nsegs, 4, s->attr);
}

static bool cip_service_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_kw_cip_service *s = inst->data;
    const struct sn_enip_msg *m;

    if (!s || !t->tx || !t->tx_proto || strcmp(t->tx_proto, "enip") != 0)
        return false;
    if (!((const struct sn_enip_tx *)t->tx)->has_req)
        return false;
    m = &((const struct sn_enip_tx *)t->tx)->req;
    if (!m->has_cip)
        return false;
    if (svc_match(s, m->cip_service, m->segs, m->nsegs))
        return true;
    for (uint8_t i = 0; i < m->nmult; i++)
        if (svc_match(s, m->mult[i].service, m->mult[i].segs, m->mult[i].nsegs))
            return true;
    return false;
}

const struct sn_kw sn_kw_cip_service = {
    .name = "cip_service",
    .desc = "CIP service code[, class[, attribute]] of an EtherNet/IP request",
    .flags = SN_KW_NEEDS_OPT,
    .setup = cip_service_setup,
    .free = cs_free,
    .match = cip_service_match,
};
