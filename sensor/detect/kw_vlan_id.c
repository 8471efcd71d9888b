/* kw_vlan_id.c — vlan.id:<cmp>[,<layer>]: VLAN ids of the packet. <cmp> is a numeric
 * comparison (N, !N, <N, >N, <=N, >=N, N<>M, N-M; decimal or 0x hex). Without a layer any tag
 * may match; layer 0, 1, 2 picks a tag counting from the outermost, -1, -2, -3 from the
 * innermost (a packet without that tag does not match); "all" requires every tag to match
 * (and at least one tag). As Suricata 8's vlan.id. */
#include "kw.h"

#include "detect.h"

#include <string.h>

#define VLAN_ANY 100 /* no layer given */
#define VLAN_ALL 101

struct vlan_id_kw {
    struct sn_u64cmp cmp;
    int layer; /* -SN_MAX_VLAN .. SN_MAX_VLAN-1, VLAN_ANY or VLAN_ALL */
};

static int vlan_id_setup(struct sn_kw_ctx *c, const char *opt)
{
    struct vlan_id_kw *k;
    char buf[128], *comma;
    int rc;

    if (!opt || strlen(opt) >= sizeof(buf))
        return sn_kw_error(c, "vlan.id: expected <value>[,<layer>]");
    snprintf(buf, sizeof(buf), "%s", opt);
    if (!(k = cs_calloc(1, sizeof(*k))))
        return CS_ENOMEM;
    k->layer = VLAN_ANY;
    comma = strrchr(buf, ',');
    if (comma) {
        char lb[32];
        const char *l = sn_kw_trim(comma + 1, strlen(comma + 1), lb, sizeof(lb));
        int64_t v;
        *comma = 0;
        if (strcmp(l, "all") == 0) {
            k->layer = VLAN_ALL;
        } else if (sn_kw_parse_i64(l, -SN_MAX_VLAN, SN_MAX_VLAN - 1, &v)) {
            k->layer = (int)v;
        } else {
            cs_free(k);
            return sn_kw_error(c, "vlan.id: layer '%s' is not 'all' or %d..%d", l,
                               -SN_MAX_VLAN, SN_MAX_VLAN - 1);
        }
    }
    if ((rc = sn_kw_parse_cmp(c, buf, 4095, &k->cmp)) != CS_OK) {
        cs_free(k);
        return rc;
    }
    return sn_kw_append(c, k);
}

static bool vlan_id_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct vlan_id_kw *k = inst->data;
    unsigned n;
    int i;

    if (!t->p || !k)
        return false;
    n = t->p->vlan_cnt < SN_MAX_VLAN ? t->p->vlan_cnt : SN_MAX_VLAN;
    if (k->layer == VLAN_ANY || k->layer == VLAN_ALL) {
        bool all = k->layer == VLAN_ALL;
        for (unsigned j = 0; j < n; j++)
            if (sn_u64cmp_eval(&k->cmp, t->p->vlan_id[j]) != all)
                return !all;
        return all && n > 0;
    }
    i = k->layer >= 0 ? k->layer : (int)n + k->layer;
    return i >= 0 && (unsigned)i < n && sn_u64cmp_eval(&k->cmp, t->p->vlan_id[i]);
}

const struct sn_kw sn_kw_vlan_id = {
    .name = "vlan.id",
    .desc = "VLAN id of the packet, optionally of one layer or of all",
    .flags = SN_KW_NEEDS_OPT,
    .setup = vlan_id_setup,
    .free = cs_free,
    .match = vlan_id_match,
};
