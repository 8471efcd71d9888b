/* fuzz_hub_http.c — the sensor's HTTP response parser (sensor/upload/http.c), which reads
 * whatever answers at the hub URL. First byte: bit 0 = the peer has closed (eof). Checks
 * the contract: consumed bytes within the input, a status in 200..599, the kept body
 * NUL-terminated and bounded, and the same answer when the input is cut where the response
 * ends. */
#include <stdlib.h>

#include "../sensor/upload/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sn_http_resp r, r2;
    bool eof;
    int n;

    if (!size)
        return 0;
    eof = data[0] & 1;
    data++;
    size--;
    n = sn_http_resp_parse((const char *)data, size, eof, &r);
    if (n == CS_AGAIN || n == CS_EINVAL)
        return 0;
    if (n <= 0 || (size_t)n > size || r.status < 200 || r.status > 599 ||
        strlen(r.body) > SN_HTTP_BODY_KEEP || strlen(r.body) > r.body_len)
        abort();
    /* a response delimited by its own framing parses the same without what follows */
    if (!eof || (size_t)n < size) {
        int m = sn_http_resp_parse((const char *)data, (size_t)n, eof, &r2);
        if (m != n || r2.status != r.status || r2.body_len != r.body_len)
            abort();
    }
    return 0;
}
