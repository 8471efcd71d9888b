/* kw_hdr.h — data of the header keywords with their own syntax (flags, fragbits, ipopts,
 * ip_proto, tos). The plain numeric ones (ttl, itype…) use struct sn_u64cmp. */
#ifndef SN_DETECT_KW_HDR_H
#define SN_DETECT_KW_HDR_H

#include "kw.h"

enum sn_bits_mod {
    SN_BM_EXACT,
    SN_BM_PLUS /* these and others */,
    SN_BM_ANY /* any of */,
    SN_BM_NOT /* none of */
};

/* flags / tcp.flags: [!+*]FSRPAUCE0[,ignore-mask] */
struct sn_tcp_flags {
    enum sn_bits_mod mod;
    uint8_t flags;  /* SN_TH_* bits */
    uint8_t ignore; /* bits masked out before comparing */
};

/* fragbits:[!+*]MDR */
#define SN_FRAG_M 0x01
#define SN_FRAG_D 0x02
#define SN_FRAG_R 0x04
struct sn_fragbits {
    enum sn_bits_mod mod;
    uint8_t bits;
};

/* ip_proto:[!<>]N or a name */
struct sn_ip_proto {
    char op; /* '=', '!', '<', '>' */
    uint8_t proto;
};

/* tos:[!]N (decimal or xHH) */
struct sn_tos {
    bool negated;
    uint8_t tos;
};

/* ipopts: one option name */
enum sn_kw_ipopt {
    SN_KW_IPOPT_RR,
    SN_KW_IPOPT_EOL,
    SN_KW_IPOPT_NOP,
    SN_KW_IPOPT_TS,
    SN_KW_IPOPT_SEC,
    SN_KW_IPOPT_ESEC,
    SN_KW_IPOPT_LSRR,
    SN_KW_IPOPT_SSRR,
    SN_KW_IPOPT_SATID,
    SN_KW_IPOPT_ANY
};

#endif
