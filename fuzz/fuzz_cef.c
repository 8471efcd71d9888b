/* fuzz_cef.c — the CEF and syslog normalisers (first byte picks one) on arbitrary lines. */
#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    fuzz_norm_lines(data[0] & 1 ? HUB_FMT_SYSLOG : HUB_FMT_CEF, data + 1, size - 1);
    return 0;
}
