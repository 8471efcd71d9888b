/* fuzz_stream.c — TCP session tracking and reassembly: the input is a configuration byte
 * followed by synthetic packet descriptions fed to one flow, which is then ended. Checks
 * that delivery never happens after EOF, that data is never NULL with a length, and that
 * all reassembly memory is returned.
 *
 * Input: [cfg] then records [ctl][tcp flags][seq lo][seq hi][ack lo][ack hi][len][len bytes]
 *   cfg  bit0 midstream, bit1 async-oneside, bits2-4 overlap policy, bit5 depth 64,
 *        bit6 memcap 512 bytes, bit7 window scale offered
 *   ctl  bit0 direction (to-client), bit1 TFO option, bit2 timestamps, bit3 bad checksum,
 *        bits4-7 window (x 4096)
 *   seq/ack are little-endian signed offsets from each side's ISN (chosen near 2^32). */
#include "../sensor/config.h"
#include "../sensor/pkt.h"
#include "../sensor/stream/stream.h"

#include <stdlib.h>

static unsigned fz_eof[2];

static void fz_deliver(struct sn_worker *w, struct sn_flow *f, int dir, const uint8_t *data,
                       uint32_t len, unsigned flags)
{
    volatile uint8_t sink = 0;

    if (dir != SN_TOSERVER && dir != SN_TOCLIENT)
        abort();
    if (fz_eof[dir])
        abort(); /* nothing may follow EOF */
    if (!(flags & SN_STREAM_GAP) && len > 0 && !data)
        abort();
    if (data)
        for (uint32_t i = 0; i < len; i++)
            sink ^= data[i]; /* let ASan check the whole range */
    (void)sink;
    if (flags & SN_STREAM_EOF)
        fz_eof[dir]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t isn[2] = {0xFFFFFF00u, 0x7FFFFFF0u};
    struct sn_config cfg;
    struct sn_worker w;
    struct sn_flow f;
    size_t i = 1;

    if (size < 1)
        return 0;
    sn_config_defaults(&cfg);
    cfg.raw = NULL;
    cfg.midstream = data[0] & 1;
    cfg.async_oneside = (data[0] >> 1) & 1;
    cfg.overlap_policy = (enum sn_overlap_policy)(((data[0] >> 2) & 7) % 6);
    cfg.reassembly_depth = (data[0] & 0x20) ? 64 : 0;
    if (data[0] & 0x40)
        cfg.reassembly_memcap = 512;
    memset(&w, 0, sizeof(w));
    memset(&f, 0, sizeof(f));
    w.cfg = &cfg;
    w.stream = sn_stream_ctx_new(&cfg, 1);
    if (!w.stream)
        return 0;
    f.proto = 6;
    fz_eof[0] = fz_eof[1] = 0;
    sn_stream_deliver_cb = fz_deliver;

    while (i + 7 <= size) {
        struct sn_pkt p;
        uint8_t ctl = data[i];
        int dir = ctl & 1;
        uint32_t len = data[i + 6];

        memset(&p, 0, sizeof(p));
        p.proto = 6;
        p.flow = &f;
        p.dir = (uint8_t)dir;
        p.tcp_flags = data[i + 1];
        p.tcp_seq = isn[dir] + (uint32_t)(int32_t)(int16_t)cs_get_le16(data + i + 2);
        p.tcp_ack = isn[dir ^ 1] + (uint32_t)(int32_t)(int16_t)cs_get_le16(data + i + 4);
        p.tcp_win = (uint16_t)((ctl >> 4) * 4096u);
        p.tcpo.has_tfo = (ctl >> 1) & 1;
        p.tcpo.has_ts = (ctl >> 2) & 1;
        p.tcpo.ts_val = (uint32_t)i;
        p.tcpo.has_wscale = (data[0] >> 7) & 1;
        p.tcpo.wscale = 7;
        if (ctl & 8)
            p.flags |= SN_PKT_CSUM_BAD;
        i += 7;
        if (len > size - i)
            len = (uint32_t)(size - i);
        p.payload = len ? data + i : NULL;
        p.payload_len = len;
        i += len;
        sn_stream_packet(&w, &p);
    }
    sn_stream_flow_end(&w, &f);
    sn_stream_flow_free(&w, &f);
    if (f.tcp || sn_stream_memuse(w.stream) != 0)
        abort();
    sn_stream_ctx_free(w.stream);
    return 0;
}
