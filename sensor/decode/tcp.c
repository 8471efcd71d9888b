/* tcp.c — TCP header, options (MSS, window scale, SACK, timestamps, TFO) and checksum. */
#include "decode_int.h"

#define TCP_HDR 20
#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACKOK 4
#define OPT_SACK 5
#define OPT_TS 8
#define OPT_TFO 34
#define OPT_EXP 254
#define TFO_EXP_MAGIC 0xf989

/* Seen-option bits for duplicate detection */
enum { SEEN_MSS = 1, SEEN_WS = 2, SEEN_SACKOK = 4, SEEN_SACK = 8, SEEN_TS = 16, SEEN_TFO = 32 };

static bool seen_once(struct sn_worker *w, struct sn_pkt *p, unsigned *seen, unsigned bit)
{
    if (*seen & bit) {
        sn_pkt_event(w, p, SN_EV_TCP_OPT_DUPLICATE, false);
        return false;
    }
    *seen |= bit;
    return true;
}

static void bad_len(struct sn_worker *w, struct sn_pkt *p)
{
    sn_pkt_event(w, p, SN_EV_TCP_OPT_INVALID_LEN, false);
}

static void decode_options(struct sn_worker *w, struct sn_pkt *p, const uint8_t *o,
                           uint32_t n)
{
    struct sn_tcp_opts *to = &p->tcpo;
    unsigned seen = 0;

    while (n > 0) {
        uint8_t type = o[0], len;

        if (type == OPT_EOL)
            break;
        if (type == OPT_NOP) {
            o++;
            n--;
            continue;
        }
        if (n < 2) {
            sn_pkt_set_invalid(w, p, SN_EV_TCP_OPT_INVALID_LEN);
            break;
        }
        len = o[1];
        if (len < 2 || len > n) {
            sn_pkt_set_invalid(w, p, SN_EV_TCP_OPT_INVALID_LEN);
            break;
        }
        switch (type) {
        case OPT_MSS:
            if (len != 4)
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_MSS)) {
                to->has_mss = true;
                to->mss = cs_get_be16(o + 2);
            }
            break;
        case OPT_WS:
            if (len != 3)
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_WS)) {
                to->has_wscale = true;
                to->wscale = o[2];
            }
            break;
        case OPT_SACKOK:
            if (len != 2)
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_SACKOK))
                to->sack_ok = true;
            break;
        case OPT_SACK:
            /* an empty SACK option (length 2) is tolerated, as Suricata does */
            if (len != 2 && (len < 10 || len > 34 || (len - 2) % 8))
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_SACK)) {
                unsigned nblk = (len - 2u) / 8;
                to->has_sack = nblk > 0;
                to->sack_cnt = 0;
                for (unsigned i = 0; i < nblk && i < SN_MAX_TCP_SACK; i++) {
                    to->sack[i][0] = cs_get_be32(o + 2 + i * 8);
                    to->sack[i][1] = cs_get_be32(o + 6 + i * 8);
                    to->sack_cnt++;
                }
            }
            break;
        case OPT_TS:
            if (len != 10)
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_TS)) {
                to->has_ts = true;
                to->ts_val = cs_get_be32(o + 2);
                to->ts_ecr = cs_get_be32(o + 6);
            }
            break;
        case OPT_TFO:
            /* cookie request (2) or a cookie of 4..16 bytes, even length */
            if (len != 2 && (len < 6 || len > 18 || len % 2))
                bad_len(w, p);
            else if (seen_once(w, p, &seen, SEEN_TFO)) {
                to->has_tfo = true;
                to->tfo_len = (uint8_t)(len - 2);
            }
            break;
        case OPT_EXP:
            if (len >= 4 && cs_get_be16(o + 2) == TFO_EXP_MAGIC) {
                if (len != 4 && (len < 8 || len > 20 || len % 2))
                    bad_len(w, p);
                else if (seen_once(w, p, &seen, SEEN_TFO)) {
                    to->has_tfo = true;
                    to->tfo_len = (uint8_t)(len - 4);
                }
            }
            break;
        default: break;
        }
        o += len;
        n -= len;
    }
}

int sn_decode_tcp(struct sn_worker *w, struct sn_pkt *p, const uint8_t *d, uint32_t n)
{
    uint32_t hlen;

    if (n < TCP_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_TCP_PKT_TOO_SMALL);
        return CS_ERR;
    }
    hlen = (uint32_t)(d[12] >> 4) * 4;
    if (hlen < TCP_HDR) {
        sn_pkt_set_invalid(w, p, SN_EV_TCP_HLEN_TOO_SMALL);
        return CS_ERR;
    }
    if (hlen > n) {
        sn_pkt_set_invalid(w, p, SN_EV_TCP_INVALID_OPTLEN);
        return CS_ERR;
    }
    sn_count(w, SN_CNT_DECODER_TCP, 1);
    p->l4_hdr = d;
    p->l4_hlen = (uint16_t)hlen;
    p->sp = cs_get_be16(d);
    p->dp = cs_get_be16(d + 2);
    p->tcp_seq = cs_get_be32(d + 4);
    p->tcp_ack = cs_get_be32(d + 8);
    p->tcp_flags = d[13];
    p->tcp_win = cs_get_be16(d + 14);
    memset(&p->tcpo, 0, sizeof(p->tcpo));
    if (hlen > TCP_HDR)
        decode_options(w, p, d + TCP_HDR, hlen - TCP_HDR);
    p->payload = d + hlen;
    p->payload_len = n - hlen;
    p->flags |= SN_PKT_HAS_L4;
    if (sn_csum_enabled(w, false) && !sn_csum_l4_ok(p, 6, d, n)) {
        p->flags |= SN_PKT_CSUM_BAD;
        sn_count(w, SN_CNT_TCP_INVALID_CHECKSUM, 1);
    }
    return CS_OK;
}
