/* kw_pkt_data.c — pkt_data; back to the packet payload / stream after a sticky buffer. */
#include "kw.h"

const struct sn_kw sn_kw_pkt_data = {
    .name = "pkt_data",
    .desc = "sticky buffer: back to the packet payload",
    .flags = SN_KW_NOOPT | SN_KW_STICKY,
    .buffer = SN_BUF_PKT,
};
