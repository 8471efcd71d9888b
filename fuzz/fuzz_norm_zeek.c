/* fuzz_norm_zeek.c — the Zeek normaliser: TSV (headers and data) or JSON, by the first byte. */
#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    fuzz_norm_lines(data[0] & 1 ? HUB_FMT_ZEEK_JSON : HUB_FMT_ZEEK_TSV, data + 1, size - 1);
    return 0;
}
