/* fuzz_norm_eve.c — the JSON tokenizer and the EVE normaliser on arbitrary lines. */
#include "fuzz_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hub_json_doc d;
    struct hub_json_limits lim = {.max_depth = 16, .max_tokens = 4096};

    hub_json_doc_init(&d);
    if (hub_json_parse(&d, (const char *)data, size, &lim, NULL) == CS_OK) {
        /* every token lies inside the text and `next` moves forward */
        for (uint32_t t = 0; t < d.ntoks; t++) {
            if (d.toks[t].next <= t || d.toks[t].next > d.ntoks)
                abort();
            if (d.toks[t].type == HUB_JSON_STRING) {
                char buf[64];
                long n = hub_json_str_decode(&d, t, buf, sizeof(buf));
                if (n < 0 || (size_t)n > d.toks[t].len)
                    abort();
            }
        }
    }
    hub_json_doc_free(&d);
    fuzz_norm_lines(HUB_FMT_SURICATA_EVE, data, size);
    return 0;
}
