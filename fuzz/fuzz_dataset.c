/* fuzz_dataset.c — the dataset and IP reputation file loaders. The first byte picks the
 * target: 0..4 a dataset of that type (string, md5, sha256, ipv4, ip) loaded from the rest,
 * 5 the reputation loader (categories file, then after the first '|' line a reputation
 * file). Loading must never crash, leak or accept what it then cannot look up; errors must
 * come with a message. */
#include "../sensor/detect/dataset.h"
#include "../sensor/detect/detect.h"
#include "../sensor/detect/iprep.h"

#include <stdlib.h>

static void fuzz_ds(enum sn_dataset_type type, const char *d, size_t n)
{
    struct sn_ds *ds;
    struct cs_err err = {0};
    bool created;
    uint8_t *key = malloc(SN_DS_MAX_KEY);
    int kl;

    if (!key)
        return;
    if (sn_ds_get_or_create("fuzz", type, 1u << 20, 64, &ds, &created, &err) != CS_OK)
        goto out;
    if (sn_ds_load_buffer(ds, d, n, "fuzz", &err) != CS_OK && !err.msg[0])
        abort();
    /* the input itself as a traffic value: a key made must be consistent */
    kl = sn_ds_key(type, (const uint8_t *)d, (uint32_t)(n > SN_DS_MAX_KEY ? SN_DS_MAX_KEY : n),
                   key);
    if (kl >= 0 && sn_ds_add(ds, key, (uint32_t)kl) >= 0 &&
        !sn_ds_contains(ds, key, (uint32_t)kl))
        abort();
out:
    free(key);
    sn_ds_free_all();
}

static void fuzz_iprep(const char *d, size_t n)
{
    const char *sep = memchr(d, '|', n);
    size_t clen = sep ? (size_t)(sep - d) : n;
    const char *rep = sep ? sep + 1 : "";
    size_t rlen = sep ? n - clen - 1 : 0;
    struct cs_err err = {0};
    struct sn_addr a;

    if (sn_iprep_load_buffers(d, clen, &rep, &rlen, NULL, 1, &err) != CS_OK) {
        if (!err.msg[0])
            abort();
        return;
    }
    memset(&a, 0, sizeof(a));
    for (int cat = 0; cat < SN_IPREP_MAX_CATS; cat++) {
        int s4, s6;
        a.u8[0] = (uint8_t)cat;
        s4 = sn_iprep_score(&a, 4, cat);
        s6 = sn_iprep_score(&a, 6, cat);
        if (s4 > 127 || s6 > 127)
            abort();
    }
    sn_iprep_free_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 6 == 5)
        fuzz_iprep((const char *)data + 1, size - 1);
    else
        fuzz_ds((enum sn_dataset_type)(data[0] % 6), (const char *)data + 1, size - 1);
    return 0;
}
