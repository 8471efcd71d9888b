/* smtp.h — SMTP (RFC 5321) control channel: the transaction the parser hands to detection
 * and logs.
 *
 * Detection: the parser calls sn_detect_app_cb(w, f, SN_TOSERVER, tx, "smtp") with tx a
 * `struct sn_smtp_tx *` after HELO/EHLO, when the client sends DATA (the envelope is
 * complete) and when the transaction ends (the "." line, RSET, QUIT, a second MAIL FROM,
 * STARTTLS accepted, end of stream). Valid during the call only (freed once logged). */
#ifndef SN_APP_SMTP_H
#define SN_APP_SMTP_H

#include "../sn_types.h"

#define SN_SMTP_MAX_RCPT 32  /* RCPT TO arguments kept per transaction (more are counted) */
#define SN_SMTP_MAX_FIELD 1024 /* bytes kept of one argument or header value */

struct sn_smtp_str {
    char *p; /* NUL-terminated, NULL when absent */
    uint32_t n;
};

enum sn_smtp_hdr {
    SN_SMTP_HDR_FROM,
    SN_SMTP_HDR_TO,
    SN_SMTP_HDR_CC,
    SN_SMTP_HDR_SUBJECT,
    SN_SMTP_HDR_DATE,
    SN_SMTP_HDR_MESSAGE_ID,
    SN_SMTP_HDR_X_MAILER,
    SN_SMTP_HDR_N
};

struct sn_smtp_tx {
    uint64_t id;                 /* per flow, from 0 */
    const struct sn_smtp_str *helo; /* the session's HELO/EHLO argument (owned by the state) */
    struct sn_smtp_str mail_from;
    struct sn_smtp_str rcpt_to[SN_SMTP_MAX_RCPT];
    uint32_t nrcpt, rcpt_total;
    bool data;                   /* DATA sent: the message follows */
    bool body;                   /* the header/body separator was seen */
    bool done;                   /* the "." line ended the message */
    struct sn_smtp_str hdr[SN_SMTP_HDR_N]; /* first occurrence of each */
    uint64_t message_bytes;      /* lines of the message (dot-stuffing kept) */
};

#endif
