/* fallback.c — TEMPORARY weak stand-in for sn_detect_get_buffer() (getbuf.c) so the engine
 * links and its tests run before getbuf.c lands: it gives only the packet payload. The real
 * definition overrides it; delete this file once getbuf.c is on main. */
#include "detect.h"

__attribute__((weak)) bool sn_detect_get_buffer(struct sn_detect_thread *t, int buf, uint32_t idx,
                                                const uint8_t **data, uint32_t *len)
{
    if (buf != SN_BUF_PKT || idx || !t->p)
        return false;
    *data = t->p->payload;
    *len = t->p->payload_len;
    return true;
}
