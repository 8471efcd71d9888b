/* fuzz_json.c — the EVE JSON writer: arbitrary bytes as keys and string values must always
 * produce valid JSON text (checked by a small validator here). */
#include "../lib/cs_json.h"

#include <stdlib.h>

/* Minimal JSON string validator for what the writer emits: "..." with escapes, valid UTF-8,
 * no raw control characters. Returns pointer after the string or NULL. */
static const char *check_str(const char *s, const char *end)
{
    if (s >= end || *s != '"')
        return NULL;
    s++;
    while (s < end && *s != '"') {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            s++;
            if (s >= end)
                return NULL;
            if (*s == 'u') {
                if (end - s < 5)
                    return NULL;
                s += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *s))
                return NULL;
        }
        s++;
    }
    return s < end ? s + 1 : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cs_json j;
    size_t half = size / 2;
    char key[64];
    size_t kl = half < sizeof(key) - 1 ? half : sizeof(key) - 1;

    memcpy(key, data, kl);
    key[kl] = 0;
    cs_json_init(&j);
    cs_json_open(&j, NULL);
    cs_json_strn(&j, key, data + half, size - half);
    cs_json_int(&j, "n", (int64_t)size - 1000);
    cs_json_open_arr(&j, "a");
    cs_json_strn(&j, NULL, data, size);
    cs_json_close_arr(&j);
    cs_json_close(&j);
    if (cs_json_ok(&j)) {
        const char *s = j.buf, *end = j.buf + j.len;
        /* {"key":"value","n":…,"a":["…"]} */
        if (*s != '{')
            abort();
        s = check_str(s + 1, end);
        if (!s || *s != ':')
            abort();
        s = check_str(s + 1, end);
        if (!s || *s != ',')
            abort();
    }
    cs_json_free(&j);
    return 0;
}
