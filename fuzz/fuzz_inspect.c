/* fuzz_inspect.c — the payload inspector: the first line of the input is a rule, the rest
 * the buffer. Every run of consecutive instances of one buffer is evaluated on those bytes
 * (the base64_data run on the decoded bytes, as the engine does), with and without the
 * transforms' scratch already grown. Nothing may crash, leak or read out of bounds; the
 * cursor must stay inside the buffer after a match. */
#include "../sensor/detect/detect.h"
#include "../sensor/detect/kw.h"

#include <stdlib.h>

static void run_all(struct sn_detect_thread *t, const struct sn_rule *r, const uint8_t *buf,
                    uint32_t len)
{
    uint32_t i = 0;
    while (i < r->nkw) {
        uint32_t end = i;
        const struct sn_kw *kw = r->kw[i].kw;
        if ((kw->flags & SN_KW_STICKY) ||
            !(kw->flags & (SN_KW_PAYLOAD | SN_KW_TRANSFORM) || strcmp(kw->name, "bsize") == 0 ||
              strcmp(kw->name, "urilen") == 0)) {
            i++;
            continue;
        }
        while (end < r->nkw && r->kw[end].buffer == r->kw[i].buffer &&
               !(r->kw[end].kw->flags & SN_KW_STICKY))
            end++;
        t->buf_id = r->kw[i].buffer;
        t->buf = t->buf_id == SN_BUF_BASE64_DATA ? NULL : buf;
        t->buf_len = t->buf_id == SN_BUF_BASE64_DATA ? 0 : len;
        if (sn_inspect_buffer(t, i, end) && t->buf_id != SN_BUF_BASE64_DATA &&
            !(r->kw[i].kw->flags & SN_KW_TRANSFORM) && t->cursor > len)
            abort();
        i = end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t rl = nl ? (size_t)(nl - data) : size;
    struct sn_rule *r = NULL;
    struct cs_err err = {0};
    struct sn_detect_thread t;

    if (size > (1u << 20))
        return 0;
    if (sn_rule_parse((const char *)data, rl, NULL, &r, &err) != CS_OK)
        return 0;
    sn_inspect_prepare_rule(r);
    memset(&t, 0, sizeof(t));
    t.rule = r;
    {
        const uint8_t *buf = nl ? nl + 1 : data + size;
        uint32_t len = (uint32_t)(data + size - buf);
        run_all(&t, r, buf, len);
        run_all(&t, r, buf, len); /* again with grown scratch and live PCRE2 state */
        run_all(&t, r, buf, len > 0 ? len - 1 : 0);
    }
    sn_inspect_thread_free(&t);
    for (int k = 0; k < 4; k++)
        cs_free(t.scratch[k]);
    sn_rule_free(r);
    return 0;
}
