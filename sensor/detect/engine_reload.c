/* engine_reload.c — publishing the current engine to the workers, reclaiming retired
 * engines once no worker uses them, and the background rebuild on SIGUSR2.
 *
 * Reclamation is epoch-based: every worker owns a slot holding the generation of the engine
 * it last switched to (published between packets, sn_detect_worker_sync()). A retired engine
 * of generation g is freed when every active slot shows a generation > g. */
#include "engine_int.h"

#include "../../lib/cs_time.h"
#include "../config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define DE_SLOTS 512
#define DE_RETIRED_MAX 8

static _Atomic(struct sn_detect_engine *) g_cur;
static _Atomic uint64_t g_gen;
static struct {
    _Atomic int active;
    _Atomic uint64_t seen;
} g_slots[DE_SLOTS];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER; /* installers and slot allocation */
static struct sn_detect_engine *g_retired[DE_RETIRED_MAX];

struct sn_detect_engine *de_current(void)
{
    return atomic_load(&g_cur);
}

uint64_t de_current_gen(void)
{
    return atomic_load(&g_gen);
}

bool sn_detect_enabled(void)
{
    return atomic_load_explicit(&g_cur, memory_order_relaxed) != NULL;
}

int de_slot_register(void)
{
    int s = -1;
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < DE_SLOTS; i++) {
        if (!atomic_load(&g_slots[i].active)) {
            atomic_store(&g_slots[i].seen, 0);
            atomic_store(&g_slots[i].active, 1);
            s = i;
            break;
        }
    }
    pthread_mutex_unlock(&g_mu);
    return s;
}

void de_slot_seen(int slot, uint64_t gen)
{
    if (slot >= 0)
        atomic_store(&g_slots[slot].seen, gen);
}

void de_slot_release(int slot)
{
    if (slot >= 0)
        atomic_store(&g_slots[slot].active, 0);
}

static bool unused(const struct sn_detect_engine *de)
{
    for (int i = 0; i < DE_SLOTS; i++)
        if (atomic_load(&g_slots[i].active) && atomic_load(&g_slots[i].seen) <= de->gen)
            return false;
    return true;
}

/* Frees retired engines nobody uses; with mu held. */
static void reap(void)
{
    for (int i = 0; i < DE_RETIRED_MAX; i++)
        if (g_retired[i] && unused(g_retired[i])) {
            sn_detect_engine_free(g_retired[i]);
            g_retired[i] = NULL;
        }
}

void sn_detect_engine_install(struct sn_detect_engine *de)
{
    struct sn_detect_engine *old;

    pthread_mutex_lock(&g_mu);
    if (de)
        de->gen = atomic_load(&g_gen) + 1;
    old = atomic_exchange(&g_cur, de);
    atomic_store(&g_gen, de ? de->gen : atomic_load(&g_gen) + 1);
    sn_detect_app_cb = de ? de_app_cb : NULL;
    if (old) {
        bool kept = false;
        for (int i = 0; i < DE_RETIRED_MAX && !kept; i++)
            if (!g_retired[i]) {
                g_retired[i] = old;
                kept = true;
            }
        if (!kept) { /* too many pending: wait for the workers to move on */
            while (!unused(old)) {
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
            sn_detect_engine_free(old);
        }
    }
    reap();
    pthread_mutex_unlock(&g_mu);
}

void sn_detect_shutdown(void)
{
    sn_detect_reload_wait();
    pthread_mutex_lock(&g_mu);
    sn_detect_engine_free(atomic_exchange(&g_cur, NULL));
    sn_detect_app_cb = NULL;
    for (int i = 0; i < DE_RETIRED_MAX; i++) {
        sn_detect_engine_free(g_retired[i]);
        g_retired[i] = NULL;
    }
    sn_detect_datasets_free();
    pthread_mutex_unlock(&g_mu);
}

/* ---- background reload ------------------------------------------------------------------ */

struct reload_job {
    const struct sn_config *cfg;
    const char *const *files;
    size_t nfiles;
};

static pthread_t g_reload_thread;
static _Atomic int g_reloading;
static struct reload_job g_job;

static void *reload_main(void *arg)
{
    struct reload_job *job = arg;
    struct cs_err err = {0};
    struct sn_ruleset *rs = sn_ruleset_new(job->cfg ? job->cfg->raw : NULL);
    struct sn_detect_engine *de;
    uint64_t t0 = cs_time_mono_us();

    if (!rs) {
        fprintf(stderr, "citysoc-sensor: reload: out of memory\n");
        return NULL;
    }
    if (sn_ruleset_load_config(rs, job->cfg, job->files, job->nfiles, stderr, &err) != CS_OK) {
        fprintf(stderr, "citysoc-sensor: reload failed, keeping the current rules: %s\n", err.msg);
        sn_ruleset_free(rs);
        return NULL;
    }
    de = sn_detect_engine_build(rs, job->cfg, &err);
    if (!de) {
        fprintf(stderr, "citysoc-sensor: reload failed, keeping the current rules: %s\n", err.msg);
        return NULL;
    }
    sn_detect_engine_install(de);
    fprintf(stderr, "citysoc-sensor: rules reloaded: loaded %u, skipped %u; in %.2f s\n",
            de->stats.rules_loaded, de->stats.rules_skipped,
            (double)(cs_time_mono_us() - t0) / 1e6);
    /* free the old engine as soon as the workers moved on */
    for (int i = 0; i < 5000; i++) {
        bool pending = false;
        pthread_mutex_lock(&g_mu);
        reap();
        for (int k = 0; k < DE_RETIRED_MAX; k++)
            pending |= g_retired[k] != NULL;
        pthread_mutex_unlock(&g_mu);
        if (!pending)
            break;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void sn_detect_reload_async(const struct sn_config *cfg, const char *const *rule_files,
                            size_t nfiles)
{
    if (atomic_exchange(&g_reloading, 1)) {
        fprintf(stderr, "citysoc-sensor: reload already running\n");
        return;
    }
    g_job.cfg = cfg;
    g_job.files = rule_files;
    g_job.nfiles = nfiles;
    if (pthread_create(&g_reload_thread, NULL, reload_main, &g_job) != 0) {
        fprintf(stderr, "citysoc-sensor: cannot start the reload thread\n");
        atomic_store(&g_reloading, 0);
    }
}

void sn_detect_reload_wait(void)
{
    if (atomic_load(&g_reloading)) {
        pthread_join(g_reload_thread, NULL);
        atomic_store(&g_reloading, 0);
    }
}
