/* kw_flow.c — flow:to_server,established; direction and state of the flow. */
#include "kw_flow.h"

#include "../stream/stream.h"
#include "detect.h"

#include <netinet/in.h>

static const struct {
    const char *name;
    uint32_t bit;
} flow_opts[] = {
    {"to_server", SN_FLOW_TO_SERVER},     {"from_client", SN_FLOW_TO_SERVER},
    {"to_client", SN_FLOW_TO_CLIENT},     {"from_server", SN_FLOW_TO_CLIENT},
    {"established", SN_FLOW_ESTABLISHED}, {"not_established", SN_FLOW_NOT_ESTABLISHED},
    {"stateless", SN_FLOW_STATELESS},     {"only_stream", SN_FLOW_ONLY_STREAM},
    {"no_stream", SN_FLOW_NO_STREAM},     {"only_frag", SN_FLOW_ONLY_FRAG},
    {"no_frag", SN_FLOW_NO_FRAG},
};

static const uint32_t conflicts[][2] = {
    {SN_FLOW_TO_SERVER, SN_FLOW_TO_CLIENT},   {SN_FLOW_ESTABLISHED, SN_FLOW_NOT_ESTABLISHED},
    {SN_FLOW_ESTABLISHED, SN_FLOW_STATELESS}, {SN_FLOW_NOT_ESTABLISHED, SN_FLOW_STATELESS},
    {SN_FLOW_ONLY_STREAM, SN_FLOW_NO_STREAM}, {SN_FLOW_ONLY_FRAG, SN_FLOW_NO_FRAG},
};

static int flow_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[256], *parts[8];
    uint32_t *bits;
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 8);

    if (sn_kw_last(c->rule, "flow"))
        return sn_kw_error(c, "'flow' given twice");
    if (n <= 0)
        return sn_kw_error(c, "too many flow options");
    bits = cs_calloc(1, sizeof(*bits));
    if (!bits)
        return CS_ENOMEM;
    for (int i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < CS_ARRAY_LEN(flow_opts); k++)
            if (strcmp(parts[i], flow_opts[k].name) == 0)
                break;
        if (k == CS_ARRAY_LEN(flow_opts)) {
            cs_free(bits);
            return sn_kw_error(c, "unknown flow option '%s'", parts[i]);
        }
        if (*bits & flow_opts[k].bit) {
            cs_free(bits);
            return sn_kw_error(c, "flow option '%s' given twice", parts[i]);
        }
        *bits |= flow_opts[k].bit;
    }
    for (size_t k = 0; k < CS_ARRAY_LEN(conflicts); k++)
        if ((*bits & conflicts[k][0]) && (*bits & conflicts[k][1])) {
            cs_free(bits);
            return sn_kw_error(c, "conflicting flow options in '%s'", opt);
        }
    return sn_kw_append(c, bits);
}

/* Suricata's "established": TCP once the session tracker saw the handshake complete (or
 * picked the session up midstream), also after it closed; other protocols once packets went
 * both ways (the flow table sets f->state then). */
static bool flow_established(const struct sn_flow *f)
{
    if (f->proto == IPPROTO_TCP)
        return f->tcp ? sn_stream_handshake_done(f) : f->state == SN_FLOW_ESTABLISHED;
    return f->state != SN_FLOW_NEW;
}

/* Whether what is inspected is stream data: a transaction or flow-end inspection (no
 * packet), or a TCP packet whose payload went into the session's reassembly. */
static bool is_stream(const struct sn_detect_thread *t)
{
    const struct sn_pkt *p = t->p;
    if (!p || t->in_stream)
        return true;
    return p->proto == IPPROTO_TCP && p->payload_len > 0 &&
           (p->stream_flags & SN_STREAM_PKT_IN_SESSION) &&
           !(p->stream_flags & (SN_STREAM_PKT_RETRANS | SN_STREAM_PKT_OUT_OF_WINDOW));
}

static bool flow_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    uint32_t m = *(const uint32_t *)inst->data;
    const struct sn_flow *f = t->f;

    if (m & (SN_FLOW_ONLY_FRAG | SN_FLOW_NO_FRAG)) {
        bool frag = t->p && (t->p->flags & SN_PKT_REBUILT);
        if ((m & SN_FLOW_ONLY_FRAG) ? !frag : frag)
            return false;
    }
    if (m & (SN_FLOW_ONLY_STREAM | SN_FLOW_NO_STREAM)) {
        bool st = is_stream(t);
        if ((m & SN_FLOW_ONLY_STREAM) ? !st : st)
            return false;
    }
    if (!(m & (SN_FLOW_TO_SERVER | SN_FLOW_TO_CLIENT | SN_FLOW_ESTABLISHED |
               SN_FLOW_NOT_ESTABLISHED)))
        return true; /* stateless and the stream/frag options need no flow */
    if (!f)
        return false;
    if ((m & SN_FLOW_TO_SERVER) && t->dir != SN_TOSERVER)
        return false;
    if ((m & SN_FLOW_TO_CLIENT) && t->dir != SN_TOCLIENT)
        return false;
    if ((m & SN_FLOW_ESTABLISHED) && !flow_established(f))
        return false;
    if ((m & SN_FLOW_NOT_ESTABLISHED) && flow_established(f))
        return false;
    return true;
}

const struct sn_kw sn_kw_flow = {
    .name = "flow",
    .desc = "flow direction and state (to_server, established, only_stream…)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = flow_setup,
    .free = cs_free,
    .match = flow_match,
};
