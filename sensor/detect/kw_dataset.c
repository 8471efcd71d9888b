/* kw_dataset.c — dataset:set|isset|isnotset|unset, name[, type string|md5|sha256|ipv4|ip]
 * [, load file][, save file][, state file][, memcap N][, hashsize N][, format csv|json…];
 * set membership of the current sticky buffer (IOC lists). */
#include "kw_app.h"

#include "dataset.h"
#include "detect.h"
#include "flowvar.h"

#include <ctype.h>
#include <stdlib.h>

void sn_dataset_free(void *p)
{
    struct sn_dataset *d = p;
    if (!d)
        return;
    cs_free(d->name);
    cs_free(d->load);
    cs_free(d->save);
    cs_free(d->state);
    cs_free(d);
}

static int dataset_setup(struct sn_kw_ctx *c, const char *opt)
{
    static const char *const cmds[] = {"set", "isset", "isnotset", "unset"};
    static const char *const types[] = {"string", "md5", "sha256", "ipv4", "ip"};
    char buf[1024], *parts[12];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 12);
    struct sn_dataset *d;
    size_t k;

    if (n < 2)
        return sn_kw_error(c, "dataset needs command, name");
    for (k = 0; k < CS_ARRAY_LEN(cmds); k++)
        if (strcmp(parts[0], cmds[k]) == 0)
            break;
    if (k == CS_ARRAY_LEN(cmds))
        return sn_kw_error(c, "dataset: invalid command '%s'", parts[0]);
    d = cs_calloc(1, sizeof(*d));
    if (!d)
        return CS_ENOMEM;
    d->cmd = (enum sn_dataset_cmd)k;
    for (const char *p = parts[1]; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') {
            sn_kw_error(c, "dataset: invalid name '%s'", parts[1]);
            goto out_free;
        }
    if (!parts[1][0] || !(d->name = cs_strdup(parts[1]))) {
        if (!parts[1][0])
            sn_kw_error(c, "dataset needs a name");
        goto out_free;
    }
    for (int i = 2; i < n; i++) {
        char *key = parts[i], *v = key, **dst = NULL;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v) {
            *v++ = 0;
            while (isspace((unsigned char)*v))
                v++;
        }
        if (!*v) {
            sn_kw_error(c, "dataset: option '%s' needs a value", key);
            goto out_free;
        }
        if (strcmp(key, "type") == 0) {
            for (k = 0; k < CS_ARRAY_LEN(types); k++)
                if (strcmp(v, types[k]) == 0)
                    break;
            if (k == CS_ARRAY_LEN(types)) {
                sn_kw_error(c, "dataset: invalid type '%s'", v);
                goto out_free;
            }
            d->type = (enum sn_dataset_type)k;
            d->has_type = true;
        } else if (strcmp(key, "load") == 0) {
            dst = &d->load;
        } else if (strcmp(key, "save") == 0) {
            dst = &d->save;
        } else if (strcmp(key, "state") == 0) {
            dst = &d->state;
        } else if (strcmp(key, "memcap") == 0) {
            if (!sn_kw_parse_u64(v, 1, UINT64_MAX, &d->memcap)) {
                char *e;
                unsigned long long m = strtoull(v, &e, 10);
                if (!m || (strcasecmp(e, "kb") && strcasecmp(e, "mb") && strcasecmp(e, "gb"))) {
                    sn_kw_error(c, "dataset: invalid memcap '%s'", v);
                    goto out_free;
                }
                d->memcap = m << (tolower((unsigned char)e[0]) == 'k'   ? 10
                                  : tolower((unsigned char)e[0]) == 'm' ? 20
                                                                        : 30);
            }
        } else if (strcmp(key, "hashsize") == 0) {
            uint64_t h;
            if (!sn_kw_parse_u64(v, 1, UINT32_MAX, &h)) {
                sn_kw_error(c, "dataset: invalid hashsize '%s'", v);
                goto out_free;
            }
            d->hashsize = (uint32_t)h;
        } else if (strcmp(key, "format") == 0 || strcmp(key, "context_key") == 0 ||
                   strcmp(key, "value_key") == 0 || strcmp(key, "array_key") == 0 ||
                   strcmp(key, "enrichment_key") == 0) {
            /* formats of the load file: accepted, handled with the loader */
        } else {
            sn_kw_error(c, "dataset: unknown option '%s'", key);
            goto out_free;
        }
        if (dst) {
            if (*dst || (d->state && dst != &d->state && dst == &d->load)) {
                sn_kw_error(c, "dataset: '%s' given twice or with state", key);
                goto out_free;
            }
            if (!(*dst = cs_strdup(v)))
                goto out_free;
        }
    }
    if (d->state && (d->load || d->save)) {
        sn_kw_error(c, "dataset: 'state' cannot be combined with load or save");
        goto out_free;
    }
    return sn_kw_append(c, d);
out_free:
    sn_dataset_free(d);
    return c->err->code == CS_OK ? CS_ENOMEM : CS_EINVAL;
}

#define DS_MAX_INSTANCES 64 /* multi-buffer instances looked at per evaluation */

/* One value: isset / isnotset test membership; set matches when the value is new (and
 * unset when it is present), as Suricata — the change itself waits for the whole rule to
 * match (sn_detect_pending_add, applied by sn_detect_postmatch). */
static bool ds_value(struct sn_detect_thread *t, const struct sn_kw_inst *inst, struct sn_ds *ds,
                     const uint8_t *v, uint32_t len)
{
    const struct sn_dataset *d = inst->data;
    uint8_t tmp[SN_DS_FIXED_KEY];
    const uint8_t *key;
    bool in;
    int kl;

    if (!ds) /* no such set was ever loaded: it is empty */
        return d->cmd == SN_DS_ISNOTSET || d->cmd == SN_DS_SET;
    kl = sn_ds_key_ref(sn_ds_type(ds), v, len, tmp, &key);
    if (kl < 0)
        return false;
    in = sn_ds_contains(ds, key, (uint32_t)kl);
    switch (d->cmd) {
    case SN_DS_ISSET:
        return in;
    case SN_DS_ISNOTSET:
        return !in;
    case SN_DS_SET:
        return !in && sn_detect_pending_add(t, inst, v, len) == CS_OK;
    case SN_DS_UNSET:
        return in && sn_detect_pending_add(t, inst, v, len) == CS_OK;
    }
    return false;
}

/* The value is the instance's sticky buffer: the one the engine is inspecting when it is that
 * buffer, else the getter's (any instance of a multi-buffer may match); pkt_data is the
 * packet payload. */
static bool dataset_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_dataset *d = inst->data;
    struct sn_ds *ds = d->set ? d->set : sn_ds_find(d->name);
    const uint8_t *v;
    uint32_t len;
    bool m = false;

    if (t->buf && t->buf_id == inst->buffer) {
        m = ds_value(t, inst, ds, t->buf, t->buf_len);
    } else if (inst->buffer == SN_BUF_PKT) {
        m = t->p && ds_value(t, inst, ds, t->p->payload, t->p->payload_len);
    } else {
        for (uint32_t i = 0; !m && i < DS_MAX_INSTANCES; i++) {
            if (!sn_detect_get_buffer(t, inst->buffer, i, &v, &len))
                break;
            m = ds_value(t, inst, ds, v, len);
        }
    }
    return m;
}

const struct sn_kw sn_kw_dataset = {
    .name = "dataset",
    .desc = "membership of the sticky buffer in a named set (set/isset/isnotset/unset)",
    .flags = SN_KW_NEEDS_OPT,
    .setup = dataset_setup,
    .free = sn_dataset_free,
    .match = dataset_match,
};
