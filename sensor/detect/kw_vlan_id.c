/* kw_vlan_id.c — vlan.id:N (=N, !N, <N, >N, <=N, >=N, N<>M, N-M); VLAN id of the packet. */
#include "kw.h"

SN_KW_CMP_DEFINE(vlan_id, "vlan.id", "VLAN id of the packet", 4095);
