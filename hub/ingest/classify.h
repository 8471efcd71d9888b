/* classify.h — what ingest derives from a record once, so queries never re-read records:
 * the class of an industrial operation (Modbus, DNP3, IEC 60870-5-104, S7comm) and the
 * capture counters of a sensor's stats record.
 *
 * Both read the original EVE record (JSON, as citysoc-sensor and Suricata write it); other
 * formats have neither. The functions are pure and thread-safe; they allocate only a
 * scratch token array that is freed before they return. */
#ifndef HUB_INGEST_CLASSIFY_H
#define HUB_INGEST_CLASSIFY_H

#include "../norm/event.h"

/* Operation classes (static strings): */
#define HUB_ICS_WRITE "write"     /* data written: Modbus write codes, DNP3 WRITE, IEC 104
                                   * set-points and bitstrings, S7 write_var */
#define HUB_ICS_CONTROL "control" /* commands: DNP3 SELECT/OPERATE/DIRECT_OPERATE(_NR), freeze,
                                   * START/INITIALIZE_APPL; IEC 104 single/double/step commands;
                                   * S7 plc_control (PI services such as a warm start); Modbus
                                   * diagnostics "force listen only mode" */
#define HUB_ICS_PROGRAM "program" /* logic downloaded: S7 request_download */
#define HUB_ICS_STOP "stop"       /* DNP3 STOP_APPL, S7 plc_stop */
#define HUB_ICS_RESTART "restart" /* DNP3 COLD/WARM_RESTART, Modbus diagnostics "restart
                                   * communications", IEC 104 reset process */

/* The class of the operation an ICS record carries, or NULL when it is none of the above
 * (reads, responses, confirmations, records of other protocols). Requests only: a response
 * or confirmation of the same operation is not counted again. `event_type` is the record's
 * event_type; `raw` its text (n bytes). */
const char *hub_ics_classify(struct hub_str event_type, const char *raw, size_t n);

/* For a stats record (event_type "stats"): packets seen (stats.capture.kernel_packets, or
 * stats.decoder.pkts when the capture has no kernel counter, as when reading a file) and
 * kernel drops (stats.capture.kernel_drops, 0 when absent). False if the record has neither
 * counter. */
bool hub_stats_counters(struct hub_str event_type, const char *raw, size_t n, int64_t *packets,
                        int64_t *drops);

#endif
