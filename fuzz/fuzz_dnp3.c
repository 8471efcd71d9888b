/* fuzz_dnp3.c — the DNP3 parser alone, through the shared driver (fuzz_app.h). */
#include "fuzz_app.h"

extern const struct sn_app_parser sn_app_dnp3;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_app_run(&sn_app_dnp3, 20000, data, size);
}
