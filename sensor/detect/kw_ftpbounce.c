/* kw_ftpbounce.c — ftpbounce; an FTP PORT command naming a host other than the client (the
 * FTP bounce attack: the server is told to connect to a third host). Evaluated on the FTP
 * command transaction; the client is the flow's initiator. IPv4 only, as PORT is. */
#include "kw.h"

#include "../app/ftp.h"
#include "detect.h"

#include <string.h>

/* "h1,h2,h3,h4,p1,p2" (spaces allowed around numbers) into the 4 address bytes; false when
 * the argument is not that. */
static bool port_addr(const char *s, uint8_t a[4])
{
    unsigned v[6];
    int n = 0;
    while (n < 6) {
        unsigned x = 0;
        int digits = 0;
        while (*s == ' ')
            s++;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            x = x * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || x > 255)
            return false;
        v[n++] = x;
        while (*s == ' ')
            s++;
        if (n < 6 && *s++ != ',')
            return false;
    }
    if (*s && *s != '\r' && *s != '\n')
        return false;
    for (int i = 0; i < 4; i++)
        a[i] = (uint8_t)v[i];
    return true;
}

static bool ftpbounce_match(struct sn_detect_thread *t, const struct sn_kw_inst *inst)
{
    const struct sn_ftp_tx *tx = t->tx;
    uint8_t a[4];
    (void)inst;
    if (!tx || !t->tx_proto || strcmp(t->tx_proto, "ftp") != 0 || t->dir != SN_TOSERVER || !t->f ||
        t->f->ip_ver != 4)
        return false;
    if (strcasecmp(tx->command, "PORT") != 0 || !tx->arg || !port_addr(tx->arg, a))
        return false;
    return memcmp(a, t->f->src.u8, 4) != 0;
}

SN_KW_FLAG_MATCH_DEFINE(ftpbounce, "ftpbounce",
                        "FTP PORT command naming a host other than the client", ftpbounce_match);
