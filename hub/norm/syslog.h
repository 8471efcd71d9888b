/* syslog.h — the syslog header parser shared by the syslog and CEF normalisers (internal). */
#ifndef HUB_NORM_SYSLOG_H
#define HUB_NORM_SYSLOG_H

#include "norm_int.h"

struct hub_syslog_hdr {
    bool have;        /* a header was recognised */
    bool rfc5424;
    const char *host; /* views into the line; len 0 = absent */
    size_t host_len;
    const char *app;
    size_t app_len;
    size_t tag_end;
    size_t msg_off; /* where MSG starts */
};

/* Parses the header at the start of s: sets ev->ts and PRI fields, fills h. CS_OK or
 * CS_EINVAL (no header recognised, or a malformed PRI/RFC 5424 header). */
int hub_syslog_header(struct hub_norm *n, const char *s, size_t len, struct hub_event *ev,
                      struct hub_syslog_hdr *h);

#endif
