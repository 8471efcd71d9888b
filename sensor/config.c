/* config.c — the sensor's configuration: Suricata's stock defaults, a suricata.yaml file,
 * --set overrides. */
#include "config.h"

#include "../lib/cs_cfg.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct sn_flow_timeouts stock_timeouts[SN_FP_MAX] = {
    [SN_FP_DEFAULT] = {30, 300, 0, 100, 10, 100, 0, 50},
    [SN_FP_TCP] = {60, 600, 60, 100, 5, 100, 10, 50},
    [SN_FP_UDP] = {30, 300, 0, 100, 10, 100, 0, 50},
    [SN_FP_ICMP] = {30, 300, 0, 100, 10, 100, 0, 50},
};

void sn_config_defaults(struct sn_config *c)
{
    memset(c, 0, sizeof(*c));
    c->threads = 1;
    strcpy(c->log_dir, ".");
    c->csum = SN_CSUM_AUTO;
    c->teredo_enabled = true;
    c->teredo_port = 3544;
    c->vxlan_enabled = true;
    c->vxlan_port = 4789;
    c->max_layers = 16;
    c->defrag_memcap = 32ull << 20;
    c->defrag_max_frags = 65535;
    c->defrag_timeout_s = 60;
    c->flow_memcap = 128ull << 20;
    c->flow_hash_size = 65536;
    c->flow_prealloc = 10000;
    c->flow_emergency_recovery = 30;
    memcpy(c->timeouts, stock_timeouts, sizeof(stock_timeouts));
    c->midstream = false;
    c->async_oneside = false;
    c->stream_memcap = 64ull << 20;
    c->reassembly_memcap = 256ull << 20;
    c->reassembly_depth = 1ull << 20;
    c->raw_chunk[0] = c->raw_chunk[1] = 2560;
    c->overlap_policy = SN_OVERLAP_BSD;
    c->eve_enabled = true;
    strcpy(c->eve_filename, "eve.json");
    c->eve_types = SN_EVE_ALERT | SN_EVE_ANOMALY | SN_EVE_HTTP | SN_EVE_DNS | SN_EVE_TLS |
                   SN_EVE_SSH | SN_EVE_FLOW | SN_EVE_STATS | SN_EVE_FILES | SN_EVE_MODBUS |
                   SN_EVE_DNP3 | SN_EVE_ENIP | SN_EVE_ICS | SN_EVE_SMTP |
                   SN_EVE_FTP;
    c->eve_community_id = false;
    c->community_id_seed = 0;
    c->anomaly_decode = true; /* stock has decode off; we log decoder anomalies by default */
    c->anomaly_stream = false;
    c->anomaly_applayer = true;
    c->anomaly_packethdr = false;
    c->stats_totals = true;
    c->stats_threads = false;
    c->alert_metadata = true;
    c->alert_app_layer = true;
    c->alert_flow = true;
    c->alert_rule_raw = false;
    c->fastlog_enabled = true;
    strcpy(c->fastlog_filename, "fast.log");
    c->flow_enabled_in_eve = true;
    sn_config_hub_defaults(&c->hub);
}

void sn_config_hub_defaults(struct sn_hub_cfg *h)
{
    memset(h, 0, sizeof(*h));
    strcpy(h->spool_dir, "hub-spool");
    h->batch_events = 1000;
    h->batch_bytes = 1u << 20;
    h->flush_ms = 1000;
    h->compression = SN_HUB_ZSTD;
    h->spool_max_bytes = 1ull << 30;
    h->retry_max_ms = 60000;
    h->timeout_ms = 10000;
    h->drain_ms = 10000;
}

const struct sn_flow_timeouts *sn_config_timeouts(const struct sn_config *c, uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP:
        return &c->timeouts[SN_FP_TCP];
    case IPPROTO_UDP:
        return &c->timeouts[SN_FP_UDP];
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return &c->timeouts[SN_FP_ICMP];
    default:
        return &c->timeouts[SN_FP_DEFAULT];
    }
}

/* ---- loading --------------------------------------------------------------------------------- */

static void warn_stderr(const char *msg)
{
    fprintf(stderr, "citysoc-sensor: warning: %s\n", msg);
}

void (*sn_config_warn)(const char *msg) = warn_stderr;

struct loader {
    struct sn_config *c;
    struct cs_cfg *raw;
    const char *path; /* NULL when there is no file */
    struct cs_err *err;
};

/* Fills err with "path:line:col: key: message" (position of key when it came from the file,
 * "--set key: message" when it came from the command line) and returns CS_EINVAL. */
__attribute__((format(printf, 3, 4))) static int bad(struct loader *l, const char *key,
                                                     const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    int line = 0, col = 0;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (l->path && cs_cfg_pos(l->raw, key, &line, &col))
        cs_err_set(l->err, CS_EINVAL, line, col, "%s:%d:%d: %s: %s", l->path, line, col, key, msg);
    else
        cs_err_set(l->err, CS_EINVAL, 0, 0, "--set %s: %s", key, msg);
    return CS_EINVAL;
}

/* Formats a key path into buf; keys longer than the buffer come out truncated (and then
 * simply are not found). */
__attribute__((format(printf, 3, 4))) static void keyf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* Scalar at key: 1 with *out set, 0 when absent or empty (`key:` with no value), CS_EINVAL
 * when it is a list or a map. */
static int scalar(struct loader *l, const char *key, const char **out)
{
    if (!cs_cfg_has(l->raw, key))
        return 0;
    if (!cs_cfg_get_str(l->raw, key, out))
        return bad(l, key, "expected a value, found a list or a map");
    return **out ? 1 : 0;
}

static int get_bool(struct loader *l, const char *key, bool *out)
{
    const char *s;
    int rc = scalar(l, key, &s);
    if (rc <= 0)
        return rc;
    if (!cs_cfg_get_bool(l->raw, key, out))
        return bad(l, key, "expected yes or no, got '%s'", s);
    return CS_OK;
}

static int get_size(struct loader *l, const char *key, uint64_t *out)
{
    const char *s;
    int rc = scalar(l, key, &s);
    if (rc <= 0)
        return rc;
    if (!cs_cfg_get_size(l->raw, key, out))
        return bad(l, key, "expected a size such as 4096, 64kb or 128 MiB, got '%s'", s);
    return CS_OK;
}

static int get_u32(struct loader *l, const char *key, int64_t min, int64_t max, uint32_t *out)
{
    const char *s;
    int64_t v;
    int rc = scalar(l, key, &s);
    if (rc <= 0)
        return rc;
    if (!cs_cfg_get_int(l->raw, key, &v) || v < min || v > max)
        return bad(l, key, "expected a number from %lld to %lld, got '%s'", (long long)min,
                   (long long)max, s);
    *out = (uint32_t)v;
    return CS_OK;
}

static int get_name(struct loader *l, const char *key, char *out, size_t size)
{
    const char *s;
    int rc = scalar(l, key, &s);
    if (rc <= 0)
        return rc;
    if (strlen(s) >= size)
        return bad(l, key, "too long (at most %zu characters)", size - 1);
    strcpy(out, s);
    return CS_OK;
}

/* ---- decoder -----------------------------------------------------------------------------------
 */

/* Port spec of decoder.<x>.ports: "3544", "[4789, 8472]" (first port used), "any" (0), a
 * $VAR from vars.port-groups, or a YAML list. */
static int get_port(struct loader *l, const char *key, uint16_t *out)
{
    char buf[160], vkey[128];
    const char *s;
    int rc;

    if (cs_cfg_count(l->raw, key) > 0) { /* a YAML list: [4789, 8472] */
        s = cs_cfg_child_value(l->raw, key, 0);
        if (!s)
            return bad(l, key, "expected a port number");
    } else if ((rc = scalar(l, key, &s)) <= 0) {
        return rc;
    }
    if (s[0] == '$') {
        const char *v;
        keyf(vkey, sizeof(vkey), "vars.port-groups.%s", s + 1);
        if (!cs_cfg_get_str(l->raw, vkey, &v))
            return bad(l, key, "undefined port variable '%s'", s);
        s = v;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    char *p = buf, *end;
    while (*p == ' ' || *p == '[')
        p++;
    p[strcspn(p, ",] ")] = 0;
    if (strcasecmp(p, "any") == 0) {
        *out = 0;
        return CS_OK;
    }
    long v = strtol(p, &end, 10);
    if (!*p || *end || v < 1 || v > 65535)
        return bad(l, key, "expected a port, a list of ports or 'any', got '%s'", s);
    *out = (uint16_t)v;
    return CS_OK;
}

static int read_decoder(struct loader *l)
{
    struct sn_config *c = l->c;
    uint32_t layers = c->max_layers;
    int rc;

    if ((rc = get_bool(l, "decoder.teredo.enabled", &c->teredo_enabled)) ||
        (rc = get_port(l, "decoder.teredo.ports", &c->teredo_port)) ||
        (rc = get_bool(l, "decoder.vxlan.enabled", &c->vxlan_enabled)) ||
        (rc = get_port(l, "decoder.vxlan.ports", &c->vxlan_port)) ||
        (rc = get_u32(l, "decoder.max-layers", 1, 255, &layers)))
        return rc;
    c->max_layers = (uint8_t)layers;
    return CS_OK;
}

/* ---- flow, defrag, stream ----------------------------------------------------------------------
 */

static int read_flow(struct loader *l)
{
    static const char *const protos[SN_FP_MAX] = {"default", "tcp", "udp", "icmp"};
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"new", offsetof(struct sn_flow_timeouts, new_s)},
        {"established", offsetof(struct sn_flow_timeouts, est_s)},
        {"closed", offsetof(struct sn_flow_timeouts, closed_s)},
        {"bypassed", offsetof(struct sn_flow_timeouts, bypassed_s)},
        {"emergency-new", offsetof(struct sn_flow_timeouts, emerg_new_s)},
        {"emergency-established", offsetof(struct sn_flow_timeouts, emerg_est_s)},
        {"emergency-closed", offsetof(struct sn_flow_timeouts, emerg_closed_s)},
        {"emergency-bypassed", offsetof(struct sn_flow_timeouts, emerg_bypassed_s)},
    };
    struct sn_config *c = l->c;
    int rc;

    if ((rc = get_size(l, "defrag.memcap", &c->defrag_memcap)) ||
        (rc = get_u32(l, "defrag.max-frags", 1, UINT32_MAX, &c->defrag_max_frags)) ||
        (rc = get_u32(l, "defrag.timeout", 1, 86400, &c->defrag_timeout_s)) ||
        (rc = get_size(l, "flow.memcap", &c->flow_memcap)) ||
        (rc = get_u32(l, "flow.hash-size", 1, 1 << 30, &c->flow_hash_size)) ||
        (rc = get_u32(l, "flow.prealloc", 0, UINT32_MAX, &c->flow_prealloc)) ||
        (rc = get_u32(l, "flow.emergency-recovery", 1, 100, &c->flow_emergency_recovery)))
        return rc;
    for (int p = 0; p < SN_FP_MAX; p++) {
        for (size_t i = 0; i < CS_ARRAY_LEN(fields); i++) {
            char key[96];
            uint32_t *v = (uint32_t *)((char *)&c->timeouts[p] + fields[i].off);
            keyf(key, sizeof(key), "flow-timeouts.%s.%s", protos[p], fields[i].name);
            if ((rc = get_u32(l, key, 0, 365 * 86400, v)))
                return rc;
        }
    }
    return CS_OK;
}

static const struct {
    const char *name;
    enum sn_overlap_policy policy;
} os_policies[] = {
    {"bsd", SN_OVERLAP_BSD},
    {"bsd-right", SN_OVERLAP_BSD},
    {"hpux10", SN_OVERLAP_BSD},
    {"hpux11", SN_OVERLAP_BSD},
    {"irix", SN_OVERLAP_BSD},
    {"macos", SN_OVERLAP_BSD},
    {"linux", SN_OVERLAP_LINUX},
    {"old-linux", SN_OVERLAP_LINUX},
    {"solaris", SN_OVERLAP_SOLARIS},
    {"old-solaris", SN_OVERLAP_SOLARIS},
    {"windows", SN_OVERLAP_WINDOWS},
    {"vista", SN_OVERLAP_WINDOWS},
    {"windows2k3", SN_OVERLAP_WINDOWS},
    {"first", SN_OVERLAP_FIRST},
    {"last", SN_OVERLAP_LAST},
};

/* Addresses listed for one policy: a YAML list or a "[a, b]" string. Sets *global when one of
 * them is 0.0.0.0/0 or ::/0. Returns how many there are. */
static size_t policy_addrs(struct loader *l, const char *key, bool *global)
{
    size_t n = cs_cfg_count(l->raw, key), count = 0;
    const char *s;

    *global = false;
    if (n > 0) {
        for (size_t i = 0; i < n; i++) {
            const char *v = cs_cfg_child_value(l->raw, key, i);
            if (v && (strcmp(v, "0.0.0.0/0") == 0 || strcmp(v, "::/0") == 0))
                *global = true;
        }
        return n;
    }
    if (!cs_cfg_get_str(l->raw, key, &s))
        return 0;
    *global = strstr(s, "0.0.0.0/0") || strstr(s, "::/0");
    for (; *s; s++)
        if (*s != '[' && *s != ']' && *s != ' ' && *s != ',' && (s[1] == 0 || strchr("], ", s[1])))
            count++;
    return count;
}

/* The overlap policy: the policy given for 0.0.0.0/0 (or ::/0), else the only policy that has
 * addresses, else bsd. Per-host policies are not supported (one policy for all hosts). */
static int read_os_policy(struct loader *l)
{
    size_t n = cs_cfg_count(l->raw, "host-os-policy");
    int chosen = -1, nonempty = 0, single = -1;

    for (size_t i = 0; i < n; i++) {
        const char *name = cs_cfg_child_key(l->raw, "host-os-policy", i);
        char key[128];
        bool global;
        int idx = -1;

        if (!name)
            break;
        for (size_t j = 0; j < CS_ARRAY_LEN(os_policies); j++)
            if (strcmp(name, os_policies[j].name) == 0)
                idx = (int)j;
        keyf(key, sizeof(key), "host-os-policy.%s", name);
        if (idx < 0)
            return bad(l, key,
                       "unknown policy (expected bsd, linux, windows, solaris, first, "
                       "last, ...)");
        if (policy_addrs(l, key, &global) == 0)
            continue;
        nonempty++;
        single = idx;
        if (global && chosen < 0)
            chosen = idx;
    }
    if (chosen < 0 && nonempty == 1)
        chosen = single;
    if (chosen < 0 && nonempty > 1)
        sn_config_warn("host-os-policy: per-host policies are not supported; using bsd for "
                       "all hosts");
    l->c->overlap_policy = chosen >= 0 ? os_policies[chosen].policy : SN_OVERLAP_BSD;
    return CS_OK;
}

static int read_stream(struct loader *l)
{
    struct sn_config *c = l->c;
    const char *s;
    bool b;
    int rc;

    if ((rc = scalar(l, "stream.checksum-validation", &s)) < 0)
        return rc;
    if (rc > 0) {
        if (!cs_cfg_get_bool(l->raw, "stream.checksum-validation", &b))
            return bad(l, "stream.checksum-validation", "expected yes or no, got '%s'", s);
        c->csum = b ? SN_CSUM_ALL : SN_CSUM_NONE;
    }
    /* pcap-file.checksum-checks: "no" turns validation off, "auto" asks for offload
     * detection; validation itself still needs stream.checksum-validation (as Suricata). */
    if ((rc = scalar(l, "pcap-file.checksum-checks", &s)) < 0)
        return rc;
    if (rc > 0) {
        if (cs_cfg_get_bool(l->raw, "pcap-file.checksum-checks", &b)) {
            if (!b)
                c->csum = SN_CSUM_NONE;
        } else if (strcasecmp(s, "auto") == 0) {
            if (c->csum == SN_CSUM_ALL)
                c->csum = SN_CSUM_AUTO;
        } else {
            return bad(l, "pcap-file.checksum-checks", "expected yes, no or auto, got '%s'", s);
        }
    }
    {
        const char *iv;
        if (cs_cfg_get_str(l->raw, "stream.inline", &iv) && strcmp(iv, "auto") == 0)
            c->stream_inline = false; /* auto: inline only in IPS mode; we are passive */
        else if ((rc = get_bool(l, "stream.inline", &c->stream_inline)))
            return rc;
    }
    if ((rc = get_bool(l, "stream.midstream", &c->midstream)) ||
        (rc = get_bool(l, "app-layer.one-byte-deliveries", &c->app_one_byte)) ||
        (rc = get_bool(l, "stream.async-oneside", &c->async_oneside)) ||
        (rc = get_size(l, "stream.memcap", &c->stream_memcap)) ||
        (rc = get_size(l, "stream.reassembly.memcap", &c->reassembly_memcap)) ||
        (rc = get_size(l, "stream.reassembly.depth", &c->reassembly_depth)) ||
        (rc = get_size(l, "stream.reassembly.toserver-chunk-size", &c->raw_chunk[0])) ||
        (rc = get_size(l, "stream.reassembly.toclient-chunk-size", &c->raw_chunk[1])))
        return rc;
    for (int i = 0; i < 2; i++)
        if (c->raw_chunk[i] < 1 || c->raw_chunk[i] > (1u << 20))
            return bad(l, i ? "stream.reassembly.toclient-chunk-size"
                            : "stream.reassembly.toserver-chunk-size",
                       "expected 1 .. 1mb");
    return read_os_policy(l);
}

/* ---- outputs -----------------------------------------------------------------------------------
 */

static const struct {
    const char *name;
    uint32_t bit;
} eve_type_names[] = {
    {"alert", SN_EVE_ALERT}, {"anomaly", SN_EVE_ANOMALY}, {"http", SN_EVE_HTTP},
    {"dns", SN_EVE_DNS},     {"tls", SN_EVE_TLS},         {"ssh", SN_EVE_SSH},
    {"flow", SN_EVE_FLOW},   {"stats", SN_EVE_STATS},     {"files", SN_EVE_FILES},
    {"file", SN_EVE_FILES},  {"netflow", SN_EVE_NETFLOW}, {"modbus", SN_EVE_MODBUS},
    {"dnp3", SN_EVE_DNP3},   {"enip", SN_EVE_ENIP},       {"iec104", SN_EVE_ICS},
    {"s7comm", SN_EVE_ICS},  {"smtp", SN_EVE_SMTP},       {"ftp", SN_EVE_FTP},
};

static int read_anomaly(struct loader *l, const char *key)
{
    struct sn_config *c = l->c;
    char k[160], tkey[160];
    int rc;

    keyf(k, sizeof(k), "%s.packethdr", key);
    if ((rc = get_bool(l, k, &c->anomaly_packethdr)))
        return rc;
    keyf(tkey, sizeof(tkey), "%s.types", key);
    if (cs_cfg_count(l->raw, tkey) == 0)
        return CS_OK; /* no types given: keep our defaults */
    /* a types section with entries: what it does not name is off, except applayer */
    c->anomaly_decode = false;
    c->anomaly_stream = false;
    c->anomaly_applayer = true;
    keyf(k, sizeof(k), "%s.decode", tkey);
    if ((rc = get_bool(l, k, &c->anomaly_decode)))
        return rc;
    keyf(k, sizeof(k), "%s.stream", tkey);
    if ((rc = get_bool(l, k, &c->anomaly_stream)))
        return rc;
    keyf(k, sizeof(k), "%s.applayer", tkey);
    if ((rc = get_bool(l, k, &c->anomaly_applayer)))
        return rc;
    keyf(k, sizeof(k), "%s.packethdr", tkey);
    return get_bool(l, k, &c->anomaly_packethdr);
}

/* The alert type's `metadata` option at key okey.metadata: a boolean for all of rule
 * metadata, app-layer and flow, or a map {app-layer, flow, rule: {metadata, raw}}. */
static int read_alert_metadata(struct loader *l, const char *okey)
{
    struct sn_config *c = l->c;
    char k[240];
    const char *s;
    bool all;
    int rc;

    keyf(k, sizeof(k), "%s.metadata", okey);
    if (!cs_cfg_has(l->raw, k))
        return CS_OK;
    if (cs_cfg_get_str(l->raw, k, &s)) {
        if ((rc = get_bool(l, k, &all)))
            return rc;
        c->alert_metadata = c->alert_app_layer = c->alert_flow = all;
        return CS_OK;
    }
    keyf(k, sizeof(k), "%s.metadata.app-layer", okey);
    if ((rc = get_bool(l, k, &c->alert_app_layer)))
        return rc;
    keyf(k, sizeof(k), "%s.metadata.flow", okey);
    if ((rc = get_bool(l, k, &c->alert_flow)))
        return rc;
    keyf(k, sizeof(k), "%s.metadata.rule.metadata", okey);
    if ((rc = get_bool(l, k, &c->alert_metadata)))
        return rc;
    keyf(k, sizeof(k), "%s.metadata.rule.raw", okey);
    return get_bool(l, k, &c->alert_rule_raw);
}

/* outputs.eve-log.types: the listed types replace the defaults. Each element is a name or a
 * one-key map `name: {options}`; `enabled: no` inside the options drops the type. */
static int read_eve_types(struct loader *l)
{
    const char *tkey = "outputs.eve-log.types";
    struct sn_config *c = l->c;
    size_t n = cs_cfg_count(l->raw, tkey);
    uint32_t types = 0;
    int rc;

    for (size_t i = 0; i < n; i++) {
        char ekey[96], okey[160];
        const char *name = cs_cfg_child_value(l->raw, tkey, i);
        bool on = true;

        keyf(ekey, sizeof(ekey), "%s.%zu", tkey, i);
        if (!name) /* a map element: its (first) key names the type */
            name = cs_cfg_child_key(l->raw, ekey, 0);
        if (!name || !*name)
            return bad(l, ekey, "expected an output type name");
        keyf(okey, sizeof(okey), "%s.%s.enabled", ekey, name);
        if (cs_cfg_count(l->raw, ekey) > 0 && (rc = get_bool(l, okey, &on)))
            return rc;
        for (size_t j = 0; j < CS_ARRAY_LEN(eve_type_names); j++) {
            if (strcmp(name, eve_type_names[j].name) != 0)
                continue;
            if (on)
                types |= eve_type_names[j].bit;
            keyf(okey, sizeof(okey), "%s.%s", ekey, name);
            if (eve_type_names[j].bit == SN_EVE_ANOMALY && (rc = read_anomaly(l, okey)))
                return rc;
            if (eve_type_names[j].bit == SN_EVE_ALERT) {
                static const char *const opts[] = {"payload", "payload-printable", "packet",
                                                   "verdict"};
                bool *dst[] = {&c->alert_payload, &c->alert_payload_printable,
                               &c->alert_packet, &c->alert_verdict};
                for (unsigned o = 0; o < CS_ARRAY_LEN(opts); o++) {
                    char k[200];
                    keyf(k, sizeof(k), "%s.%s", okey, opts[o]);
                    if ((rc = get_bool(l, k, dst[o])))
                        return rc;
                }
                if ((rc = read_alert_metadata(l, okey)))
                    return rc;
            }
            if (eve_type_names[j].bit == SN_EVE_STATS) {
                char k[200];
                keyf(k, sizeof(k), "%s.totals", okey);
                if ((rc = get_bool(l, k, &c->stats_totals)))
                    return rc;
                keyf(k, sizeof(k), "%s.threads", okey);
                if ((rc = get_bool(l, k, &c->stats_threads)))
                    return rc;
            }
            break;
        }
    }
    c->eve_types = types;
    return CS_OK;
}

/* A duration: "250ms", "1s", "2m", or a bare number of seconds. */
static int get_ms(struct loader *l, const char *key, uint32_t min, uint32_t max, uint32_t *out)
{
    const char *s;
    char *end;
    double v, mul = 1000;
    int rc = scalar(l, key, &s);

    if (rc <= 0)
        return rc;
    v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        mul = 60000;
    else if (*end && strcmp(end, "s") != 0)
        end = NULL;
    if (end == s || !end || !(v * mul >= min) || !(v * mul <= max))
        return bad(l, key, "expected a duration from %ums to %us such as 500ms or 2s, got '%s'",
                   min, max / 1000, s);
    *out = (uint32_t)(v * mul);
    return CS_OK;
}

/* outputs.hub (see struct sn_hub_cfg). */
static int read_hub(struct loader *l)
{
    struct sn_hub_cfg *h = &l->c->hub;
    const char *s;
    uint64_t v;
    int rc;

    h->enabled = true;
    if ((rc = get_bool(l, "outputs.hub.enabled", &h->enabled)) ||
        (rc = get_name(l, "outputs.hub.url", h->url, sizeof(h->url))) ||
        (rc = get_name(l, "outputs.hub.token", h->token, sizeof(h->token))) ||
        (rc = get_name(l, "outputs.hub.token-file", h->token_file, sizeof(h->token_file))) ||
        (rc = get_name(l, "outputs.hub.key", h->key_file, sizeof(h->key_file))) ||
        (rc = get_name(l, "outputs.hub.sensor-name", h->sensor_name, sizeof(h->sensor_name))) ||
        (rc = get_name(l, "outputs.hub.spool-dir", h->spool_dir, sizeof(h->spool_dir))) ||
        (rc = get_u32(l, "outputs.hub.batch-events", 1, 1000000, &h->batch_events)) ||
        (rc = get_ms(l, "outputs.hub.flush-interval", 1, 3600000, &h->flush_ms)) ||
        (rc = get_ms(l, "outputs.hub.retry-max", 100, 3600000, &h->retry_max_ms)) ||
        (rc = get_ms(l, "outputs.hub.timeout", 100, 600000, &h->timeout_ms)) ||
        (rc = get_ms(l, "outputs.hub.drain-timeout", 0, 3600000, &h->drain_ms)))
        return rc;
    v = h->batch_bytes;
    if ((rc = get_size(l, "outputs.hub.batch-bytes", &v)))
        return rc;
    if (v < 1024 || v > (256u << 20))
        return bad(l, "outputs.hub.batch-bytes", "expected a size from 1kb to 256mb");
    h->batch_bytes = v;
    v = h->spool_max_bytes;
    if ((rc = get_size(l, "outputs.hub.spool-max-bytes", &v)))
        return rc;
    if (v < (64u << 10))
        return bad(l, "outputs.hub.spool-max-bytes", "expected at least 64kb");
    h->spool_max_bytes = v;
    if (scalar(l, "outputs.hub.compression", &s) > 0) {
        if (strcmp(s, "zstd") == 0)
            h->compression = SN_HUB_ZSTD;
        else if (strcmp(s, "gzip") == 0)
            h->compression = SN_HUB_GZIP;
        else if (strcmp(s, "none") == 0)
            h->compression = SN_HUB_NONE;
        else
            return bad(l, "outputs.hub.compression", "expected zstd, gzip or none, got '%s'", s);
    }
    if (h->enabled && !h->url[0])
        return bad(l, "outputs.hub", "url is required (http://HUB:8443)");
    cs_cfg_mark_used(l->raw, "outputs.hub");
    return CS_OK;
}

static int read_outputs(struct loader *l)
{
    struct sn_config *c = l->c;
    const char *s;
    uint32_t seed = c->community_id_seed;
    bool stats_on = true;
    int rc;

    if (cs_cfg_has(l->raw, "outputs.eve-log")) {
        if ((rc = get_bool(l, "outputs.eve-log.enabled", &c->eve_enabled)) ||
            (rc = get_name(l, "outputs.eve-log.filename", c->eve_filename,
                           sizeof(c->eve_filename))) ||
            (rc = get_bool(l, "outputs.eve-log.community-id", &c->eve_community_id)) ||
            (rc = get_bool(l, "outputs.eve-log.ethernet", &c->eve_ethernet)) ||
            (rc = get_bool(l, "outputs.eve-log.pcap-file", &c->eve_pcap_file)) ||
            (rc = get_u32(l, "outputs.eve-log.community-id-seed", 0, 65535, &seed)))
            return rc;
        c->community_id_seed = (uint16_t)seed;
        if (scalar(l, "outputs.eve-log.filetype", &s) > 0 && strcmp(s, "regular") != 0) {
            char msg[160];
            snprintf(msg, sizeof(msg),
                     "outputs.eve-log.filetype '%.60s' is not supported; writing a file", s);
            sn_config_warn(msg);
        }
        if (cs_cfg_has(l->raw, "outputs.eve-log.types") && (rc = read_eve_types(l)))
            return rc;
        cs_cfg_mark_used(l->raw, "outputs.eve-log");
    }
    if (cs_cfg_has(l->raw, "outputs.fast")) {
        if ((rc = get_bool(l, "outputs.fast.enabled", &c->fastlog_enabled)) ||
            (rc = get_name(l, "outputs.fast.filename", c->fastlog_filename,
                           sizeof(c->fastlog_filename))))
            return rc;
        cs_cfg_mark_used(l->raw, "outputs.fast");
    }
    if (cs_cfg_has(l->raw, "outputs.hub") && (rc = read_hub(l)))
        return rc;
    /* global stats switch */
    if ((rc = get_bool(l, "stats.enabled", &stats_on)))
        return rc;
    if (!stats_on)
        c->eve_types &= ~(uint32_t)SN_EVE_STATS;
    c->flow_enabled_in_eve = (c->eve_types & SN_EVE_FLOW) != 0;

    return CS_OK;
}

/* ---- the warning -------------------------------------------------------------------------------
 */

struct keylist {
    struct cs_cfg *raw;
    char *buf;
    size_t len, cap;
    bool oom;
    bool outputs; /* second pass: "outputs.<name>" keys */
};

static void add_key(const char *key, void *arg)
{
    struct keylist *k = arg;
    size_t n = strlen(key);

    if (k->outputs) {
        char ekey[300];
        bool on = true;
        if (strncmp(key, "outputs.", 8) != 0)
            return;
        /* an output that is switched off loses nothing by being ignored */
        keyf(ekey, sizeof(ekey), "%s.enabled", key);
        if (cs_cfg_get_bool(k->raw, ekey, &on) && !on)
            return;
    } else if (strcmp(key, "outputs") == 0 && cs_cfg_count(k->raw, "outputs") > 0) {
        return; /* listed output by output in the second pass */
    }
    if (k->len + n + 3 > k->cap) {
        size_t ncap = (k->cap + n + 3) * 2;
        char *b = cs_realloc(k->buf, ncap);
        if (!b) {
            k->oom = true;
            return;
        }
        k->buf = b;
        k->cap = ncap;
    }
    if (k->len) {
        memcpy(k->buf + k->len, ", ", 2);
        k->len += 2;
    }
    memcpy(k->buf + k->len, key, n + 1);
    k->len += n;
}

/* One warning line: unused top-level keys, and unused outputs as "outputs.<name>". */
static void warn_unused(struct loader *l)
{
    static const char head[] = "ignoring unsupported configuration keys: ";
    struct keylist k = {.raw = l->raw};

    cs_cfg_unused(l->raw, 1, add_key, &k);
    k.outputs = true;
    cs_cfg_unused(l->raw, 2, add_key, &k);
    if (k.len && !k.oom) {
        char *msg = cs_malloc(sizeof(head) + k.len);
        if (msg) {
            memcpy(msg, head, sizeof(head) - 1);
            memcpy(msg + sizeof(head) - 1, k.buf, k.len + 1);
            sn_config_warn(msg);
            cs_free(msg);
        }
    }
    cs_free(k.buf);
}

/* ---- entry point -------------------------------------------------------------------------------
 */

static int apply_sets(struct loader *l, char *const *sets, int nsets)
{
    for (int i = 0; i < nsets; i++) {
        const char *eq = sets[i] ? strchr(sets[i], '=') : NULL;
        char key[256];
        int rc;

        if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof(key)) {
            cs_err_set(l->err, CS_EINVAL, 0, 0, "--set '%s': expected KEY=VALUE",
                       sets[i] ? sets[i] : "");
            return CS_EINVAL;
        }
        memcpy(key, sets[i], (size_t)(eq - sets[i]));
        key[eq - sets[i]] = 0;
        rc = cs_cfg_set(l->raw, key, eq + 1);
        if (rc == CS_EINVAL) {
            cs_err_set(l->err, CS_EINVAL, 0, 0,
                       "--set '%s': invalid key (dotted names like stream.memcap; a list "
                       "index may only append)",
                       sets[i]);
            return CS_EINVAL;
        }
        if (rc != CS_OK) {
            cs_err_set(l->err, rc, 0, 0, "--set '%s': %s", sets[i], cs_strerror(rc));
            return rc;
        }
    }
    return CS_OK;
}

/* Keys read by later modules (detection engine, app-layer) or with no effect to lose. */
static const char *const used_elsewhere[] = {
    "vars",           "app-layer.protocols", "default-rule-path",
    "rule-files",     "classification-file", "reference-config-file",
    "threshold-file", "suricata-version",    "runmode",
    "datasets",       "reputation-categories-file", "reputation-files",
    "default-reputation-path",
};

/* The configuration used without -c: the structure of Suricata's stock outputs section
 * (entry order kept, so index-based --set keys land where users expect), with the values of
 * sn_config_defaults(). Decoder anomalies are on: we log them by default. */
static const char default_yaml[] =
    "outputs:\n"
    "  - fast:\n"
    "      enabled: yes\n"
    "      filename: fast.log\n"
    "  - eve-log:\n"
    "      enabled: yes\n"
    "      filename: eve.json\n"
    "      types:\n"
    "        - alert\n"
    "        - frame:\n"
    "            enabled: no\n"
    "        - anomaly:\n"
    "            enabled: yes\n"
    "            types:\n"
    "              decode: yes\n"
    "              stream: no\n"
    "              applayer: yes\n"
    "        - http\n"
    "        - dns\n"
    "        - mdns\n"
    "        - tls:\n"
    "            extended: yes\n"
    "        - files\n"
    "        - smtp\n"
    "        - ftp\n"
    "        - ssh\n"
    "        - modbus\n"
    "        - dnp3\n"
    "        - enip\n"
    "        - iec104\n"
    "        - s7comm\n"
    "        - stats:\n"
    "            totals: yes\n"
    "            threads: no\n"
    "        - flow\n";

int sn_config_load(struct sn_config *c, const char *path, char *const *sets, int nsets,
                   struct cs_err *err)
{
    struct loader l = {.c = c, .path = path, .err = err};
    int rc;

    if (c->raw)
        cs_cfg_free(c->raw);
    c->raw = l.raw = cs_cfg_new();
    if (!l.raw) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    /* the stock layout first, so --set keys with list indexes (outputs.1.eve-log.types.2…)
     * address the same entries as with Suricata's default suricata.yaml; a file given
     * with -c is merged over it (its own `outputs` list replaces ours whole), so an empty
     * file (-c /dev/null) means the defaults */
    rc = cs_cfg_load_string(l.raw, default_yaml, strlen(default_yaml), err);
    if (rc != CS_OK)
        goto fail;
    if (path) {
        void (*saved)(const char *) = cs_cfg_warn;
        cs_cfg_warn = sn_config_warn; /* include warnings read like ours */
        rc = cs_cfg_load_file(l.raw, path, err);
        cs_cfg_warn = saved;
        if (rc != CS_OK) {
            char msg[sizeof(err->msg)];
            snprintf(msg, sizeof(msg), "%s", err->msg);
            if (err->line)
                cs_err_set(err, rc, err->line, err->col, "%s:%d:%d: %s", path, err->line, err->col,
                           msg);
            else
                cs_err_set(err, rc, 0, 0, "%s: %s", path, msg);
            goto fail;
        }
    }
    if ((rc = apply_sets(&l, sets, nsets)))
        goto fail;
    for (size_t i = 0; i < CS_ARRAY_LEN(used_elsewhere); i++)
        cs_cfg_mark_used(l.raw, used_elsewhere[i]);
    if ((rc = get_name(&l, "default-log-dir", c->log_dir, sizeof(c->log_dir))) ||
        (rc = read_decoder(&l)) || (rc = read_flow(&l)) || (rc = read_stream(&l)) ||
        (rc = read_outputs(&l)))
        goto fail;
    warn_unused(&l);
    return CS_OK;
fail:
    cs_cfg_free(c->raw);
    c->raw = NULL;
    return rc;
}

void sn_config_free(struct sn_config *c)
{
    if (c->raw)
        cs_cfg_free(c->raw);
    c->raw = NULL;
}
