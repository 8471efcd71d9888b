/* fuzz_batch.c — batch decoding: first byte picks the encoding and the format, the rest is
 * the body (compressed streams under a 1 MiB cap). */
#include <stdlib.h>

#include "../hub/ingest/batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_batch b;
    struct cs_err err;
    enum hub_encoding enc;
    enum hub_fmt fmt;
    int rc;

    if (!size)
        return 0;
    enc = (enum hub_encoding)(data[0] % 3);
    fmt = (enum hub_fmt)(1 + (data[0] >> 2) % (HUB_FMT_COUNT - 1));
    hub_batch_init(&b);
    b.max_decoded = 1u << 20;
    rc = hub_batch_decode(&b, fmt, enc, data + 1, size - 1, &err);
    if (rc == CS_OK) {
        if (b.decoded_bytes > b.max_decoded || b.nerrors < b.nerrors_kept ||
            b.nevents + b.nerrors > b.nlines)
            abort();
        for (size_t i = 0; i < b.nevents; i++)
            if (!b.events[i].raw.p || b.events[i].line == 0 || b.events[i].line > b.nlines)
                abort();
    } else if (b.nevents != 0) {
        abort();
    }
    hub_batch_free(&b);
    return 0;
}
