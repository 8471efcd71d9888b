/* ftp.h — FTP control channel (RFC 959, 2428): the transaction the parser hands to detection
 * and logs.
 *
 * Detection: the parser calls sn_detect_app_cb(w, f, dir, tx, "ftp") with tx a
 * `struct sn_ftp_tx *` for each command (SN_TOSERVER, when its line is complete) and for its
 * final reply (SN_TOCLIENT). Valid during the call only. The ftp.command and ftp.command_data
 * buffers read it (to-server). */
#ifndef SN_APP_FTP_H
#define SN_APP_FTP_H

#include "../sn_types.h"

#define SN_FTP_MAX_CMD 16     /* bytes of a command verb kept */
#define SN_FTP_MAX_ARG 1024   /* bytes of a command argument kept */
#define SN_FTP_MAX_REPLIES 16 /* reply lines kept per transaction */

struct sn_ftp_tx {
    uint64_t id;
    char command[SN_FTP_MAX_CMD + 1]; /* "" for a reply without command (the greeting) */
    uint32_t command_len;
    char *arg; /* NUL-terminated, NULL when none */
    uint32_t arg_len;
    uint32_t nreply;                  /* reply lines kept (all lines of all its replies) */
    char *reply[SN_FTP_MAX_REPLIES];  /* a line's text after its code */
    uint32_t ncode;                   /* replies: preliminary (1xx) ones, then the final one */
    uint16_t code[SN_FTP_MAX_REPLIES];
    bool reply_done;                  /* a final (non-1xx) reply came */
    uint16_t dynamic_port;            /* PORT/EPRT argument, 227/229 reply: 0 when none */
    uint8_t mode;                     /* 0 none, 1 active (PORT/EPRT), 2 passive (227/229) */
};

#endif
