/* ssh.h — the SSH parser's per-flow state, for detection buffers and tests.
 *
 * The parser (ssh.c) reads the identification line ("banner") of each side and the binary
 * packets up to NEWKEYS; KEXINIT gives the algorithm lists and the HASSH fingerprints. The
 * state belongs to the flow's worker; pointers stay valid until the flow is freed. */
#ifndef SN_APP_SSH_H
#define SN_APP_SSH_H

#include "../sn_types.h"

/* KEXINIT name-lists, in message order (RFC 4253 section 7.1) */
enum sn_ssh_list {
    SN_SSH_KEX = 0,
    SN_SSH_HOSTKEY,
    SN_SSH_ENC_CTS,
    SN_SSH_ENC_STC,
    SN_SSH_MAC_CTS,
    SN_SSH_MAC_STC,
    SN_SSH_COMP_CTS,
    SN_SSH_COMP_STC,
    SN_SSH_LANG_CTS,
    SN_SSH_LANG_STC,
    SN_SSH_NLISTS
};

/* What one side (index SN_TOSERVER = client, SN_TOCLIENT = server) announced. Strings
 * are NUL-terminated and NULL when not seen. */
struct sn_ssh_side {
    char *proto;    /* "2.0", "1.99" … (banner's protoversion) */
    char *software; /* "OpenSSH_8.9p1" (softwareversion, comment dropped) */
    char *lists;    /* KEXINIT name-lists, each NUL-terminated, NULL: no KEXINIT */
    uint32_t list_off[SN_SSH_NLISTS], list_len[SN_SSH_NLISTS];
    char *hassh_string; /* kex;enc;mac;comp of this side's sending direction */
    char hassh[33];     /* md5 hex of hassh_string, "" when none */
    bool newkeys;       /* SSH_MSG_NEWKEYS seen: the rest is encrypted */
    /* parser bookkeeping */
    uint8_t st;
    uint8_t events; /* events raised (bit per event) */
    bool eof;
    uint32_t skip;       /* bytes of the current record or line still to skip */
    uint32_t pre_banner; /* bytes of server lines before the banner */
};

struct sn_ssh_state {
    struct sn_ssh_side side[2];
    bool cfg_read;
    bool hassh_on;  /* compute HASSH (app-layer.protocols.ssh.hassh) */
    bool hassh_log; /* log it (outputs.eve-log.types.ssh.hassh) */
    bool logged;
};

/* Detection buffers (sticky buffers ssh.proto, ssh.software, ssh.hassh, ssh.hassh.string,
 * ssh.hassh.server, ssh.hassh.server.string). */
enum sn_ssh_buf {
    SN_SSH_BUF_PROTO,
    SN_SSH_BUF_SOFTWARE,
    SN_SSH_BUF_HASSH, /* client side only */
    SN_SSH_BUF_HASSH_STRING,
    SN_SSH_BUF_HASSH_SERVER, /* server side only */
    SN_SSH_BUF_HASSH_SERVER_STRING,
};

/* Points *p and *len at buffer `which` of side `dir` (ignored for the hassh buffers, whose side
 * is fixed) of an SSH state (sn_app_state() of an ssh flow). Returns false when the value
 * was not seen. Does not allocate; thread-safety is the flow's. */
bool sn_ssh_buffer(const void *state, int dir, enum sn_ssh_buf which, const uint8_t **p,
                   uint32_t *len);

#endif
