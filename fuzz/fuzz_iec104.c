/* fuzz_iec104.c — the IEC 60870-5-104 parser alone, through the shared driver (fuzz_app.h). */
#include "fuzz_app.h"

extern const struct sn_app_parser sn_app_iec104;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_app_run(&sn_app_iec104, 2404, data, size);
}
