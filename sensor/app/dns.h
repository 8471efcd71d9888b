/* dns.h — what the DNS parser keeps for detection: the last message parsed in each direction
 * of a flow, with an index of its entries, and helpers to read names and types from it.
 *
 * The state of a DNS flow is sn_app_state(f); sn_dns_last(state, dir) is the message the
 * parser handled last in that direction (valid until the next message in that direction or
 * the end of the flow). Names are decoded on demand (compression pointers followed with the
 * parser's limits). Everything runs on the flow's worker; nothing here is thread-safe. */
#ifndef SN_APP_DNS_H
#define SN_APP_DNS_H

#include "../sn_types.h"

#define SN_DNS_NAME_MAX 1025          /* longest decoded name kept (longer ones truncated) */
#define SN_DNS_NAME_BUF (SN_DNS_NAME_MAX + 72) /* buffer size for sn_dns_name() */

enum sn_dns_section {
    SN_DNS_QUERY = 0,
    SN_DNS_ANSWER,
    SN_DNS_AUTHORITY,
    SN_DNS_ADDITIONAL,
    SN_DNS_NSECTIONS
};

/* One question or resource record: offsets into sn_dns_msg.data. */
struct sn_dns_rr {
    uint32_t name_off;           /* owner name (compressed form) */
    uint32_t rdata_off;          /* resource records: rdata (0 for questions) */
    uint32_t ttl;
    uint16_t type, rclass, rdlen;
    uint8_t section;             /* enum sn_dns_section */
};

/* A parsed DNS message (without the TCP length prefix). */
struct sn_dns_msg {
    uint8_t *data;               /* copy of the message */
    uint32_t len, cap;
    uint64_t tx_id;              /* per-flow message number (Suricata's tx_id) */
    uint16_t id, flags;          /* header: transaction id, flags word */
    uint16_t count[SN_DNS_NSECTIONS]; /* counts declared in the header */
    struct sn_dns_rr *rr;        /* entries kept, in section order */
    uint32_t nrr, rr_cap;
    uint32_t first[SN_DNS_NSECTIONS + 1]; /* entries of section s: rr[first[s] .. first[s+1]) */
    uint8_t name_flags;          /* SN_DNS_NF_* seen while parsing */
    bool invalid_authorities, invalid_additionals;
    bool valid;                  /* a message is present */
};

#define SN_DNS_NF_LOOP 1u        /* a pointer to itself (dns.infinite_loop) */
#define SN_DNS_NF_TRUNC 2u       /* a name longer than SN_DNS_NAME_MAX (dns.name_too_long) */
#define SN_DNS_NF_LABELS 4u      /* more than 255 labels/pointers (dns.too_many_labels) */

static inline unsigned sn_dns_opcode(const struct sn_dns_msg *m)
{
    return (m->flags >> 11) & 0xf;
}
static inline unsigned sn_dns_rcode(const struct sn_dns_msg *m)
{
    return m->flags & 0xf;
}
static inline bool sn_dns_is_response(const struct sn_dns_msg *m)
{
    return (m->flags & 0x8000) != 0;
}

/* The last message parsed in direction dir of a DNS flow's parser state (NULL when none). */
const struct sn_dns_msg *sn_dns_last(const void *state, int dir);
/* Number of entries kept for section s, and entry i of it (NULL when out of range). */
uint32_t sn_dns_count(const struct sn_dns_msg *m, enum sn_dns_section s);
const struct sn_dns_rr *sn_dns_entry(const struct sn_dns_msg *m, enum sn_dns_section s,
                                     uint32_t i);
/* Decodes the owner name of rr into out (SN_DNS_NAME_BUF bytes, NUL-terminated, labels
 * joined with '.', bytes as they are on the wire); returns its length. */
uint32_t sn_dns_name(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, char *out);
/* Decodes the domain name carried in the rdata of rr (CNAME, NS, PTR: the name; MX: the
 * exchange; SRV: the target; SOA: mname) into out like sn_dns_name(); returns its length, or
 * -1 when the record type carries no name. For dns.response.rrname-style buffers. */
int sn_dns_rdata_name(const struct sn_dns_msg *m, const struct sn_dns_rr *rr, char *out);
/* Suricata's name of a record type ("A", "HTTPS"…), NULL when it has none (log the number). */
const char *sn_dns_type_name(uint16_t type);
/* Suricata's name of an rcode ("NXDOMAIN"…), NULL when it has none. */
const char *sn_dns_rcode_name(unsigned rcode);

#endif
