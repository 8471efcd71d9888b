/* kw_flow.h — data of the flow-state keywords (flow, flowbits, flowint, xbits). */
#ifndef SN_DETECT_KW_FLOW_H
#define SN_DETECT_KW_FLOW_H

#include "kw.h"

/* flow: data is a uint32_t of these bits */
#define SN_FLOW_TO_SERVER (1u << 0)
#define SN_FLOW_TO_CLIENT (1u << 1)
#define SN_FLOW_ESTABLISHED (1u << 2)
#define SN_FLOW_NOT_ESTABLISHED (1u << 3)
#define SN_FLOW_STATELESS (1u << 4)
#define SN_FLOW_ONLY_STREAM (1u << 5)
#define SN_FLOW_NO_STREAM (1u << 6)
#define SN_FLOW_ONLY_FRAG (1u << 7)
#define SN_FLOW_NO_FRAG (1u << 8)

enum sn_bits_cmd {
    SN_BITS_SET,
    SN_BITS_UNSET,
    SN_BITS_TOGGLE,
    SN_BITS_ISSET,
    SN_BITS_ISNOTSET,
    SN_BITS_NOALERT
};
enum sn_bits_track {
    SN_TRACK_FLOW,
    SN_TRACK_IP_SRC,
    SN_TRACK_IP_DST,
    SN_TRACK_IP_PAIR,
    SN_TRACK_TX
};

/* flowbits / xbits */
struct sn_bits {
    enum sn_bits_cmd cmd;
    enum sn_bits_track track; /* SN_TRACK_FLOW for flowbits */
    char **names;             /* isset/isnotset may OR several names with '|' */
    uint32_t nnames;
    uint32_t expire; /* xbits expire seconds, 0 when not given */
};
void sn_bits_free(void *p);

enum sn_flowint_op {
    SN_FI_SET,
    SN_FI_ADD,
    SN_FI_SUB,
    SN_FI_EQ,
    SN_FI_NE,
    SN_FI_LT,
    SN_FI_GT,
    SN_FI_LE,
    SN_FI_GE,
    SN_FI_ISSET,
    SN_FI_NOTSET
};
struct sn_flowint {
    char *name;
    enum sn_flowint_op op;
    uint64_t value;
    char *value_var; /* the value is another flowint, or NULL */
};


/* threshold / detection_filter */
enum sn_thr_type { SN_THR_LIMIT, SN_THR_THRESHOLD, SN_THR_BOTH, SN_THR_DETECTION_FILTER };
enum sn_thr_track { SN_THR_BY_SRC, SN_THR_BY_DST, SN_THR_BY_RULE, SN_THR_BY_BOTH, SN_THR_BY_FLOW };
struct sn_threshold {
    enum sn_thr_type type;
    enum sn_thr_track track;
    uint32_t count, seconds;
};

/* stream_size:server|client|both|either, op, N */
struct sn_stream_size {
    uint8_t side; /* 0 server, 1 client, 2 both, 3 either */
    struct sn_u64cmp cmp;
};

#endif
