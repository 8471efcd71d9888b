/* eve.h — EVE JSON output (Suricata's schema): flow, anomaly and stats records.
 *
 * A sink is one output file shared by all workers; each worker has its own `struct sn_eve`
 * that builds records into a private buffer and appends whole lines to the sink when the
 * buffer fills (one write() under the sink's lock), so lines never interleave.
 * Record content depends only on the traffic, never on the number of workers. */
#ifndef SN_EVE_H
#define SN_EVE_H

#include "../sn_types.h"

struct sn_config;
struct cs_json;
struct sn_eve_sink;

/* Opens (appends to) the EVE file; path NULL makes a sink without a file (records go only
 * to the hub upload, see sn_eve_sink_set_upload). NULL with err set on failure.
 * `pcap_filename` (may be NULL) is logged in packet records when cfg enables eve-log
 * pcap-file. */
struct sn_eve_sink *sn_eve_sink_open(const char *path, const char *pcap_filename,
                                     struct cs_err *err);
/* Number of records written and write errors so far. */
uint64_t sn_eve_sink_records(const struct sn_eve_sink *s);
void sn_eve_sink_close(struct sn_eve_sink *s);
/* Every line written to the sink is also appended to the hub upload's spool (u may be NULL:
 * no upload). Call before records are written; u must outlive the sink's writers. */
struct sn_upload;
void sn_eve_sink_set_upload(struct sn_eve_sink *s, struct sn_upload *u);

/* Per-worker writer. */
struct sn_eve *sn_eve_new(const struct sn_config *cfg, struct sn_eve_sink *sink);
void sn_eve_flush(struct sn_eve *e);
void sn_eve_free(struct sn_eve *e); /* flushes first */

/* Writes the flow record of f (if flow records are enabled). */
void sn_eve_log_flow(struct sn_worker *w, const struct sn_flow *f);
/* Writes one anomaly record per event of p whose type (decode/stream) is enabled. */
void sn_eve_log_anomalies(struct sn_worker *w, const struct sn_pkt *p);
/* Writes the stats record from merged counters, event counts and flows per app-layer
 * protocol (SN_APP_MAX entries, may be NULL) if stats records are enabled. */
void sn_eve_log_stats(struct sn_eve *e, const uint64_t *counters, const uint64_t *events,
                      const uint64_t *app_flows, uint64_t uptime_s, uint64_t ts_us);

/* Shared pieces for other record writers (alerts, app layer): the common header fields
 * (timestamp, flow_id, pcap_cnt, event_type, addresses, ports, proto, vlan, …) of a packet
 * or flow record. The object must be open; the caller adds its own fields and closes it. */
void sn_eve_header_pkt(struct sn_eve *e, struct cs_json *j, const struct sn_pkt *p,
                       const char *event_type);
void sn_eve_header_flow(struct sn_eve *e, struct cs_json *j, const struct sn_flow *f,
                        const char *event_type, uint64_t ts_us);
/* Header of a record about flow f (may be NULL) whose tuple is given explicitly (alerts
 * oriented on the direction of the match rather than of the packet at hand). */
void sn_eve_header_tuple(struct sn_eve *e, struct cs_json *j, uint64_t ts_us,
                         const struct sn_flow *f, uint64_t pcap_cnt, const char *event_type,
                         int ip_ver, const struct sn_addr *src, const struct sn_addr *dst,
                         uint16_t sp, uint16_t dp, uint8_t proto, bool rebuilt);
/* The configuration the writer was made with. */
const struct sn_config *sn_eve_config(const struct sn_eve *e);
/* Appends a finished record (one JSON object) as a line. */
void sn_eve_emit(struct sn_eve *e, struct cs_json *j);
struct cs_json *sn_eve_json(struct sn_eve *e);

/* IP protocol name as EVE writes it ("TCP", "UDP", "ICMP", "IPv6-ICMP", … or the number). */
const char *sn_eve_proto_name(uint8_t proto, char buf[8]);
/* Address text: IPv4 dotted, IPv6 in Suricata's full form (8 groups of 4 hex digits). */
void sn_eve_addr_str(int ip_ver, const struct sn_addr *a, char out[48]);

#endif
