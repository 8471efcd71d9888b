/* registry.c — the keyword table: keywords.def (one kw_<name>.c each) plus the sticky
 * buffers, old-style modifiers and legacy sticky names generated from buffers.def. The
 * name index is built once (sorted array, binary search) and is read-only afterwards. */
#include "kw.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define KW(id) extern const struct sn_kw sn_kw_##id;
#include "keywords.def"
#undef KW

static const struct sn_kw *const kw_table[] = {
#define KW(id) &sn_kw_##id,
#include "keywords.def"
#undef KW
};

/* Sticky-buffer keywords, one per buffers.def line. */
static const struct sn_kw buf_sticky[] = {
#define BUF(id, nm, mod, leg, pr, ds)                                                              \
    {.name = nm,                                                                                   \
     .desc = "sticky buffer: " ds,                                                                 \
     .flags = SN_KW_NOOPT | SN_KW_STICKY,                                                          \
     .buffer = SN_BUF_##id},
#include "buffers.def"
#undef BUF
};

/* Old-style content modifiers (content:"x"; http_uri;); NULL names are skipped. */
static const struct sn_kw buf_modifier[] = {
#define BUF(id, nm, mod, leg, pr, ds)                                                              \
    {.name = mod,                                                                                  \
     .desc = "content modifier (old syntax of " nm "): " ds,                                       \
     .flags = SN_KW_NOOPT | SN_KW_MODIFIER,                                                        \
     .buffer = SN_BUF_##id},
#include "buffers.def"
#undef BUF
};

/* Old-style sticky names (dns_query; tls_sni; file_data;). */
static const struct sn_kw buf_legacy[] = {
#define BUF(id, nm, mod, leg, pr, ds)                                                              \
    {.name = leg,                                                                                  \
     .desc = "sticky buffer (old name of " nm "): " ds,                                            \
     .flags = SN_KW_NOOPT | SN_KW_STICKY,                                                          \
     .buffer = SN_BUF_##id},
#include "buffers.def"
#undef BUF
};

struct kw_entry {
    const char *name;
    const struct sn_kw *kw;
};

static struct kw_entry *index_v;
static size_t index_n;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kw_entry *)a)->name, ((const struct kw_entry *)b)->name);
}

static void index_add(const struct sn_kw *kw, size_t *n)
{
    if (!kw->name)
        return;
    index_v[(*n)++] = (struct kw_entry){kw->name, kw};
}

static void index_build(void)
{
    size_t cap = CS_ARRAY_LEN(kw_table) + CS_ARRAY_LEN(buf_sticky) * 3, n = 0;
    /* plain malloc: the index lives for the whole process and is not an input-driven
     * allocation (no fault injection) */
    index_v = calloc(cap, sizeof(*index_v));
    if (!index_v)
        return;
    for (size_t i = 0; i < CS_ARRAY_LEN(kw_table); i++)
        index_add(kw_table[i], &n);
    for (size_t i = 0; i < CS_ARRAY_LEN(buf_sticky); i++) {
        index_add(&buf_sticky[i], &n);
        index_add(&buf_modifier[i], &n);
        index_add(&buf_legacy[i], &n);
    }
    qsort(index_v, n, sizeof(*index_v), entry_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(index_v[i - 1].name, index_v[i].name) == 0) {
            /* a table error: report it loudly at start-up, keep the first */
            fprintf(stderr, "citysoc: keyword '%s' registered twice\n", index_v[i].name);
        }
    index_n = n;
}

const struct sn_kw *sn_kw_lookup(const char *name, size_t len)
{
    size_t lo = 0, hi;
    pthread_once(&index_once, index_build);
    hi = index_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *k = index_v[mid].name;
        int c = strncmp(k, name, len);
        if (c == 0)
            c = k[len] ? 1 : 0;
        if (c == 0)
            return index_v[mid].kw;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t sn_kw_count(void)
{
    pthread_once(&index_once, index_build);
    return index_n;
}

void sn_detect_list_keywords(FILE *f)
{
    pthread_once(&index_once, index_build);
    for (size_t i = 0; i < index_n; i++)
        fprintf(f, "%-24s %s\n", index_v[i].name, index_v[i].kw->desc ? index_v[i].kw->desc : "");
}
