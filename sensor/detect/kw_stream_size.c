/* kw_stream_size.c — stream_size:server|client|both|either, <op>, N; bytes seen in the
 * stream by side. */
#include "kw_flow.h"

#include "../stream/stream.h"
#include "detect.h"

static int stream_size_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const char *const sides[] = {"server", "client", "both", "either"};
    char buf[128], *parts[4], cmp[64];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 3);
    struct sn_stream_size *s;
    size_t k;

    if (n != 3)
        return sn_kw_error(c, "stream_size needs side, operator, value");
    for (k = 0; k < CS_ARRAY_LEN(sides); k++)
        if (strcmp(parts[0], sides[k]) == 0)
            break;
    if (k == CS_ARRAY_LEN(sides))
        return sn_kw_error(c, "stream_size: invalid side '%s'", parts[0]);
    if (strcmp(parts[1], "<") && strcmp(parts[1], ">") && strcmp(parts[1], "=") &&
        strcmp(parts[1], "!=") && strcmp(parts[1], "<=") && strcmp(parts[1], ">="))
        return sn_kw_error(c, "stream_size: invalid operator '%s'", parts[1]);
    snprintf(cmp, sizeof(cmp), "%s%s", strcmp(parts[1], "!=") == 0 ? "!" : parts[1], parts[2]);
    s = cs_calloc(1, sizeof(*s));
    if (!s)
        return CS_ENOMEM;
    s->side = (uint8_t)k;
    if (sn_kw_parse_cmp(c, cmp, UINT32_MAX, &s->cmp) != CS_OK) {
        cs_free(s);
        return CS_EINVAL;
    }
    return sn_kw_append(c, s);
}

/* TCP flows with a session. "server" is what the server sent (the to-client direction),
 * "client" what the client sent; "both" needs both sides to compare true, "either" one. */
static bool stream_size_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_stream_size *m = inst->data;
    uint64_t cs, ss;

    if (!t->f || !sn_stream_dir_bytes(t->f, SN_TOSERVER, &cs) ||
        !sn_stream_dir_bytes(t->f, SN_TOCLIENT, &ss))
        return false;
    switch (m->side) {
    case 0:
        return sn_u64cmp_eval(&m->cmp, ss);
    case 1:
        return sn_u64cmp_eval(&m->cmp, cs);
    case 2:
        return sn_u64cmp_eval(&m->cmp, ss) && sn_u64cmp_eval(&m->cmp, cs);
    default:
        return sn_u64cmp_eval(&m->cmp, ss) || sn_u64cmp_eval(&m->cmp, cs);
    }
}

const struct sn_kw sn_kw_stream_size = {
    .name = "stream_size",
    .desc = "stream bytes by side: server|client|both|either, op, N",
    .flags = SN_KW_NEEDS_OPT,
    .setup = stream_size_setup,
    .free = cs_free,
    .match = stream_size_match,
};
