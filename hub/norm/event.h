/* event.h — the hub's event model: one shape for every record a source sends.
 *
 * Every record the hub ingests (citysoc EVE, Suricata EVE, Zeek TSV/JSON, syslog, CEF) is
 * mapped by a normaliser (hub/norm/norm.h) into one struct hub_event. The event keeps the
 * original record verbatim (`raw`) and carries a compact JSON rendering of the model
 * (`norm`), so the store can index the fixed fields and still return what the source said.
 *
 * Ownership and lifetimes (the contract):
 *  - A hub_event owns nothing. Every hub_str in it points into the hub_arena that the
 *    normaliser was given (hub/norm/arena.h); the event is valid until that arena is reset
 *    or freed. Copy what you keep longer (the store copies into its own rows).
 *  - Every string is copied into the arena and NUL-terminated for convenience, but `len` is
 *    authoritative: a decoded JSON string may contain U+0000 ("\u0000" in an HTTP URL), so
 *    bind with the length (sqlite3_bind_text(..., s.p, s.len, ...)), not strlen().
 *  - An absent string field has p == NULL and len == 0 (hub_str_set() tells them apart from
 *    an empty string, which has p != NULL). Absent numbers are 0 and have a has_ flag where
 *    0 is a legal value.
 *  - All text is valid UTF-8 (the JSON parser validates; the line formats replace invalid
 *    bytes by U+FFFD in mapped fields). `raw` is the record byte-for-byte as received
 *    (without the line terminator) and is NOT guaranteed to be UTF-8.
 *  - A hub_event is plain data: copy it by value; no function is needed to free it.
 *  - Thread-safety: an event and its arena belong to one thread at a time.
 */
#ifndef HUB_NORM_EVENT_H
#define HUB_NORM_EVENT_H

#include "../../lib/cs.h"

/* A string view: `len` bytes at `p` (followed by a NUL that is not counted). */
struct hub_str {
    const char *p;
    uint32_t len;
};

static inline bool hub_str_set(struct hub_str s)
{
    return s.p != NULL;
}
/* True if `s` equals the C string `lit` byte for byte. */
static inline bool hub_str_eq(struct hub_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.p && s.len == n && memcmp(s.p, lit, n) == 0;
}

/* Where a record came from: the wire format, not the vendor. */
enum hub_fmt {
    HUB_FMT_NONE = 0,
    HUB_FMT_CITYSOC_EVE, /* "citysoc-eve": EVE JSON from citysoc-sensor */
    HUB_FMT_SURICATA_EVE, /* "suricata-eve": EVE JSON from Suricata (same schema) */
    HUB_FMT_ZEEK_TSV,     /* "zeek-tsv": Zeek ASCII logs with #fields/#types headers */
    HUB_FMT_ZEEK_JSON,    /* "zeek-json": Zeek logs with LogAscii::use_json=T */
    HUB_FMT_SYSLOG,       /* "syslog": RFC 3164 or RFC 5424 */
    HUB_FMT_CEF,          /* "cef": ArcSight CEF, bare or behind a syslog header */
    HUB_FMT_COUNT
};

/* "citysoc-eve", …; "none" for HUB_FMT_NONE or out of range. Static storage. */
const char *hub_fmt_name(enum hub_fmt f);
/* Parses a format name as above ("eve" is accepted for citysoc-eve). HUB_FMT_NONE if
 * unknown. `n` is the length of `s` (s need not be NUL-terminated). */
enum hub_fmt hub_fmt_parse(const char *s, size_t n);

/* A named value the fixed fields have no place for (CEF custom fields cs1..cs6 named by
 * their csNLabel, cn1.., flexString1..). */
struct hub_kv {
    struct hub_str key;
    struct hub_str value;
};

/* An IP address parsed from its text form. family 0: absent or unparsable. */
struct hub_ip {
    uint8_t family; /* 0, 4 or 6 */
    uint8_t addr[16]; /* v4: first 4 bytes, network order; v6: 16 bytes */
};

/* Alert fields (event_type "alert", Zeek notice, CEF, syslog with a severity). */
struct hub_alert {
    bool present;           /* the record carried an alert */
    uint32_t gid;
    uint32_t signature_id;  /* EVE alert.signature_id; CEF signatureId when numeric */
    uint32_t rev;
    uint8_t severity;       /* 1 (highest) .. 4 (lowest), EVE convention; 0 absent */
    struct hub_str signature; /* EVE alert.signature; Zeek notice msg; CEF name */
    struct hub_str category;  /* EVE alert.category; Zeek note; CEF deviceEventClassId */
    struct hub_str action;    /* "allowed" / "blocked" / source text (CEF act) */
};

struct hub_event {
    int64_t ts;                /* µs since the Unix epoch, UTC; 0 if the record had none */
    enum hub_fmt fmt;          /* source format */
    struct hub_str event_type; /* "alert", "flow", "dns", "http", "tls", "ssh", "anomaly",
                                * "fileinfo", "modbus", "dnp3", "iec104", "s7comm",
                                * "conn", "notice", "syslog", "cef", … (Zeek: log path) */
    struct hub_str sensor;     /* EVE host / sensor_name; Zeek _node/_path source; syslog
                                * HOSTNAME; CEF dvchost or device vendor|product */

    struct hub_str src_ip, dest_ip; /* text as the source wrote it */
    struct hub_ip src_addr, dest_addr; /* parsed; family 0 if absent or not an address */
    uint16_t src_port, dest_port;   /* 0 if absent */
    struct hub_str proto;           /* "TCP", "UDP", "ICMP", … upper case as EVE writes */
    struct hub_str app_proto;       /* "http", "dns", "modbus", … lower case */
    uint64_t flow_id;               /* EVE flow_id; 0 if absent */
    struct hub_str community_id;    /* "1:…" */
    struct hub_str uid;             /* Zeek connection uid ("C…"); absent elsewhere */

    struct hub_alert alert;

    /* A few common application fields, for indexing. */
    struct hub_str dns_rrname;    /* EVE dns.rrname / dns.queries[0].rrname; Zeek query */
    struct hub_str http_hostname; /* EVE http.hostname; Zeek host */
    struct hub_str http_url;      /* EVE http.url; Zeek uri; CEF request */
    struct hub_str tls_sni;       /* EVE tls.sni; Zeek ssl server_name */

    /* Syslog / CEF header fields. */
    struct hub_str app_name;  /* syslog APP-NAME / TAG; CEF device product */
    struct hub_str message;   /* syslog MSG; CEF name; Zeek notice msg */
    uint8_t syslog_facility;  /* 0..23 */
    uint8_t syslog_severity;  /* 0..7 */
    bool has_syslog_pri;

    struct hub_kv *labels; /* nlabels entries in the arena; NULL when none */
    uint16_t nlabels;

    uint32_t line;       /* 1-based line of the record in its batch or file; 0 unknown */
    struct hub_str raw;  /* the original record, verbatim (no line terminator) */
    struct hub_str norm; /* compact JSON of this model (see docs/hub-events.md) */
};

#endif
