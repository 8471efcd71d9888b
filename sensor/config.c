/* config.c — the sensor's configuration: Suricata's stock defaults, a suricata.yaml file,
 * --set overrides. */
#include "config.h"

#include "../lib/cs_cfg.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

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
    c->overlap_policy = SN_OVERLAP_BSD;
    c->eve_enabled = true;
    strcpy(c->eve_filename, "eve.json");
    c->eve_types = SN_EVE_ALERT | SN_EVE_ANOMALY | SN_EVE_HTTP | SN_EVE_DNS | SN_EVE_TLS |
                   SN_EVE_SSH | SN_EVE_FLOW | SN_EVE_STATS | SN_EVE_FILES | SN_EVE_MODBUS |
                   SN_EVE_DNP3 | SN_EVE_ENIP | SN_EVE_ICS;
    c->eve_community_id = false;
    c->community_id_seed = 0;
    c->anomaly_decode = true; /* stock has decode off; we log decoder anomalies by default */
    c->anomaly_stream = false;
    c->anomaly_applayer = true;
    c->anomaly_packethdr = false;
    c->stats_totals = true;
    c->stats_threads = false;
    c->fastlog_enabled = true;
    strcpy(c->fastlog_filename, "fast.log");
    c->flow_enabled_in_eve = true;
}

const struct sn_flow_timeouts *sn_config_timeouts(const struct sn_config *c, uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP: return &c->timeouts[SN_FP_TCP];
    case IPPROTO_UDP: return &c->timeouts[SN_FP_UDP];
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: return &c->timeouts[SN_FP_ICMP];
    default: return &c->timeouts[SN_FP_DEFAULT];
    }
}

int sn_config_load(struct sn_config *c, const char *path, char *const *sets, int nsets,
                   struct cs_err *err)
{
    (void)c, (void)path, (void)sets, (void)nsets, (void)err;
    return CS_OK; /* replaced by the YAML loader */
}

void sn_config_free(struct sn_config *c)
{
    if (c->raw)
        cs_cfg_free(c->raw);
    c->raw = NULL;
}
