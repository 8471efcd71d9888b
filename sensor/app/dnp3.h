/* dnp3.h — DNP3 over TCP (IEEE 1815): what the parser keeps of the last application message
 * of each direction, for detection (dnp3_func, dnp3.iin, dnp3_obj, dnp3.data). */
#ifndef SN_APP_DNP3_H
#define SN_APP_DNP3_H

#include "../sn_types.h"

#define SN_DNP3_MAX_APDU 8192 /* reassembled application fragment, bytes */
#define SN_DNP3_MAX_OBJS 64   /* object headers remembered per message */

struct sn_dnp3_obj {
    uint8_t group, variation, qualifier;
};

/* The last complete application message of one direction. */
struct sn_dnp3_msg {
    bool valid;
    uint64_t id;       /* 1-based number of the message in the flow (both directions) */
    uint8_t link_ctrl; /* link-layer control byte */
    uint16_t src, dst; /* link-layer addresses */
    uint8_t app_ctrl;  /* application control byte (FIR, FIN, CON, UNS, SEQ) */
    uint8_t func;      /* application function code */
    uint16_t iin;      /* responses: IIN1 << 8 | IIN2 */
    uint32_t nobjs;
    struct sn_dnp3_obj objs[SN_DNP3_MAX_OBJS];
    const uint8_t *data; /* the application data (CRCs and transport headers removed) */
    uint32_t data_len;
};

/* The last message of direction dir (SN_TOSERVER/SN_TOCLIENT) of a DNP3 parser state
 * (sn_app_state() of a dnp3 flow), or NULL when none was complete yet. */
const struct sn_dnp3_msg *sn_dnp3_last(const void *state, int dir);

/* DNP3 link-layer CRC (polynomial 0x3D65, reflected, complemented) of n bytes. */
uint16_t sn_dnp3_crc(const uint8_t *p, uint32_t n);

#endif
