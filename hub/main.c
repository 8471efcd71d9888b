/* main.c — citysoc-hub: the platform server.
 *
 *   citysoc-hub [-c hub.yaml] [--listen ADDR]... [--db PATH|URL] [--tls-cert F --tls-key F]
 *               [--threads N] [--tail EVE.JSON --tail-sensor NAME] [--web-root DIR]
 *
 * Opens the store (applying migrations), loads or creates the token key and the hub's SM2
 * key, starts the HTTP server (/api/ to the API, every other path to the console's static
 * files), and runs until SIGINT/SIGTERM; then writes a final audit checkpoint and closes
 * the store. */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/cs_time.h"
#include "audit/audit.h"
#include "config.h"
#include "http/static.h"
#include "ingest/tail.h"
#include "store/store.h"

static volatile sig_atomic_t stop_flag;

/* The overview's address cache filled for the last 7 days while the hub already serves, so
 * that the console's first 7-day overview does not read them (store.h). */
static void *warm_main(void *arg)
{
    struct hub_store *store = arg;
    struct hub_stats_cache_info ci;
    uint64_t t0 = cs_time_mono_us();
    int rc = hub_store_stats_warm(store, (int64_t)cs_time_now_us());
    hub_store_stats_cache_info(store, &ci);
    if (rc == CS_OK)
        fprintf(stderr, "citysoc-hub: overview cache warmed: %zu hours, %zu rows in %.2f s\n",
                ci.hours, ci.rows, (double)(cs_time_mono_us() - t0) / 1e6);
    else
        fprintf(stderr, "citysoc-hub: overview cache warm-up failed (%d); first requests fill it\n",
                rc);
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct front {
    struct hub_api *api;
    struct hub_static *web; /* NULL: no console */
};

/* /api and /api/... go to the API; everything else is the console's files. */
static void front_handle(void *app, const struct hub_http_req *req, struct hub_http_resp *w)
{
    struct front *f = app;
    bool api = strncmp(req->path, "/api", 4) == 0 && (req->path[4] == 0 || req->path[4] == '/');
    if (api || !f->web)
        hub_api_handle(f->api, req, w);
    else
        hub_static_serve(f->web, req, w);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: citysoc-hub [-c hub.yaml] [--listen ADDR]... [--db PATH|URL]\n"
               "                   [--tls-cert FILE --tls-key FILE] [--threads N]\n"
               "                   [--tail EVE.JSON --tail-sensor NAME] [--web-root DIR]\n"
               "ADDR is HOST:PORT or [V6]:PORT (port 0 picks a free port).\n");
}

int main(int argc, char **argv)
{
    struct hub_config cfg;
    struct cs_err err = {0};
    const char *cfg_path = NULL;
    const char *listen[HUB_HTTP_MAX_LISTEN];
    int nlisten = 0, rc = 1;
    const char *db = NULL, *cert = NULL, *key = NULL, *tail = NULL, *tail_sensor = NULL;
    const char *web_root = NULL;
    int threads = 0;
    /* An ingest request allocates a few MB (its body, its events, the COPY stream) and frees
     * them: glibc's default serves such blocks from fresh mmaps and gives the memory back to
     * the kernel on free, so every batch paid for page faults and zeroed pages (~20% of the
     * hub's CPU per event, docs/hub.md). Blocks up to 64 MB now come from the heap and stay
     * there for the next batch. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},  {"listen", required_argument, NULL, 'L'},
        {"db", required_argument, NULL, 'D'},      {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'}, {"threads", required_argument, NULL, 't'},
        {"tail", required_argument, NULL, 'T'},    {"tail-sensor", required_argument, NULL, 'S'},
        {"web-root", required_argument, NULL, 'W'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            cfg_path = optarg;
            break;
        case 'L':
            if (nlisten == HUB_HTTP_MAX_LISTEN) {
                fprintf(stderr, "citysoc-hub: at most %d --listen\n", HUB_HTTP_MAX_LISTEN);
                return 2;
            }
            listen[nlisten++] = optarg;
            break;
        case 'D':
            db = optarg;
            break;
        case 'C':
            cert = optarg;
            break;
        case 'K':
            key = optarg;
            break;
        case 't':
            threads = atoi(optarg);
            if (threads < 1 || threads > 64) {
                fprintf(stderr, "citysoc-hub: --threads must be 1..64\n");
                return 2;
            }
            break;
        case 'T':
            tail = optarg;
            break;
        case 'S':
            tail_sensor = optarg;
            break;
        case 'W':
            web_root = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    hub_config_defaults(&cfg);
    if (cfg_path && hub_config_load(&cfg, cfg_path, &err) != CS_OK) {
        fprintf(stderr, "citysoc-hub: %s\n", err.msg);
        return 2;
    }
    for (int i = 0; i < nlisten; i++) {
        snprintf(cfg.listen_buf[i], sizeof(cfg.listen_buf[i]), "%s", listen[i]);
        cfg.http.listen[i] = cfg.listen_buf[i];
    }
    if (nlisten)
        cfg.http.nlisten = nlisten;
    if (db)
        snprintf(cfg.database, sizeof(cfg.database), "%s", db);
    if (cert)
        snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "%s", cert);
    if (key)
        snprintf(cfg.tls_key, sizeof(cfg.tls_key), "%s", key);
    if (tail)
        snprintf(cfg.tail_file, sizeof(cfg.tail_file), "%s", tail);
    if (tail_sensor)
        snprintf(cfg.tail_sensor, sizeof(cfg.tail_sensor), "%s", tail_sensor);
    if (threads)
        cfg.http.threads = threads;
    if (web_root) {
        snprintf(cfg.web_root, sizeof(cfg.web_root), "%s", web_root);
        cfg.web_root_set = true;
    }
    hub_config_finish(&cfg);

    struct hub_store *store = NULL;
    struct hub_api *api = NULL;
    struct hub_http *http = NULL;
    struct hub_tail *tailer = NULL;
    struct front front = {0};
    struct gm_sm2_key *hub_key = NULL;
    pthread_t warm;
    bool warming = false;
    uint8_t tkey[HUB_TOKEN_KEY_MAX];
    size_t tkeylen = 0;
    /* readers: the HTTP threads (PostgreSQL: a pool of readers + 1, or database-pool) */
    int readers = cfg.db_pool ? cfg.db_pool - 1 : cfg.http.threads;
    if (hub_store_open(cfg.database, readers, &store, &err) != CS_OK) {
        fprintf(stderr, "citysoc-hub: %s\n", err.msg);
        goto out;
    }
    if (hub_token_key_load(cfg.token_key_file, tkey, sizeof(tkey), &tkeylen, &err) != CS_OK) {
        fprintf(stderr, "citysoc-hub: %s\n", err.msg);
        goto out;
    }
    if (hub_key_load_or_create(cfg.audit_key_file, NULL, &hub_key, NULL) != CS_OK) {
        fprintf(stderr, "citysoc-hub: cannot load or create the hub key %s\n", cfg.audit_key_file);
        goto out;
    }
    api = hub_api_new(store, &cfg.api, tkey, tkeylen, hub_key);
    gm_cleanse(tkey, sizeof(tkey));
    if (!api) {
        fprintf(stderr, "citysoc-hub: out of memory\n");
        goto out;
    }
    front.api = api;
    if (cfg.web_root[0] && hub_static_open(cfg.web_root, &front.web, &err) != CS_OK) {
        if (cfg.web_root_set) {
            fprintf(stderr, "citysoc-hub: %s\n", err.msg);
            goto out;
        }
        fprintf(stderr, "citysoc-hub: no console (%s)\n", err.msg);
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (hub_http_start(&cfg.http, front_handle, &front, &http, &err) != CS_OK) {
        fprintf(stderr, "citysoc-hub: %s\n", err.msg);
        goto out;
    }
    for (int i = 0; i < cfg.http.nlisten; i++)
        fprintf(stderr, "citysoc-hub: listening on %s (port %d)%s\n", cfg.http.listen[i],
                hub_http_port(http, i), cfg.http.tls_cert ? " with TLS" : "");
    if (front.web)
        fprintf(stderr, "citysoc-hub: console from %s\n", cfg.web_root);
    if (cfg.tail_file[0]) {
        if (hub_tail_start(store, cfg.tail_file, cfg.tail_sensor, cfg.tail_format, &tailer, &err) !=
            CS_OK) {
            fprintf(stderr, "citysoc-hub: tail: %s\n", err.msg);
            goto out;
        }
        fprintf(stderr, "citysoc-hub: tailing %s as sensor %s\n", cfg.tail_file, cfg.tail_sensor);
    }
    { /* the warm-up thread takes no signals: SIGINT/SIGTERM must end pause() below */
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        warming = pthread_create(&warm, NULL, warm_main, store) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    while (!stop_flag)
        pause();
    fprintf(stderr, "citysoc-hub: stopping\n");
    rc = 0;
out:
    hub_tail_stop(tailer);
    hub_http_stop(http);
    if (warming)
        pthread_join(warm, NULL);
    hub_static_free(front.web);
    if (api) {
        hub_api_audit_checkpoint(api);
        hub_api_free(api);
    }
    gm_sm2_key_free(hub_key);
    hub_store_close(store);
    return rc;
}
