/* main.c — citysoc-sensor: the command line (Suricata's flags where they overlap). */
#include "../lib/cs_time.h"
#include "config.h"
#include "detect/engine.h"
#include "detect/kw.h"
#include "detect/ruleset.h"
#include "output/eve.h"
#include "pkt.h"
#include "upload/upload.h"
#include "worker.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "citysoc-sensor"
#ifndef CITYSOC_VERSION
#define CITYSOC_VERSION "0.1.0"
#endif

static struct sn_engine *g_engine;

/* SIGUSR2 reloads the rules: a thread waits for the signal (blocked everywhere else) and
 * starts the background rebuild. */
struct reload_ctx {
    const struct sn_config *cfg;
    const char *const *files;
    size_t nfiles;
    volatile sig_atomic_t quit;
};

static void *reload_watch(void *arg)
{
    struct reload_ctx *rc = arg;
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    while (sigwait(&set, &sig) == 0 && !rc->quit) {
        fprintf(stderr, PROG ": SIGUSR2: reloading the rules\n");
        sn_detect_reload_wait();
        sn_detect_reload_async(rc->cfg, rc->files, rc->nfiles);
    }
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " [options] (-r FILE | -i IFACE) [BPF filter]\n"
            "\n"
            "  -r FILE             read a pcap or pcapng capture file\n"
            "  -i IFACE            capture live on IFACE (AF_PACKET, fanout per worker)\n"
            "  --pcap[=IFACE]      capture live through libpcap instead (one thread)\n"
            "  -l DIR              write logs to DIR (default: .)\n"
            "  -c FILE             configuration (YAML; a suricata.yaml is accepted)\n"
            "  --set KEY=VALUE     override a configuration key (repeatable)\n"
            "  -S FILE             rule file, exclusively (-S /dev/null: no rules)\n"
            "  -s FILE             additional rule file\n"
            "  -T                  test the configuration and rules, then exit\n"
            "  --list-keywords     list the rule keywords and exit\n"
            "  -k all|none|auto    checksum validation (default: auto)\n"
            "  -F FILE             read the BPF filter from FILE\n"
            "  --threads N         number of worker threads (default: 1)\n"
            "  --hub-url URL       also upload the EVE records to the hub at URL\n"
            "                      (http://HOST:PORT; outputs.hub in the configuration)\n"
            "  --hub-token-file F  the sensor's token (first line of F)\n"
            "  --hub-key FILE      the sensor's SM2 private key (signs every batch)\n"
            "  --hub-sensor NAME   the sensor's name on the hub (the signature key id)\n"
            "  --hub-spool DIR     spool directory (default: LOGDIR/hub-spool)\n"
            "  -v                  more verbose (repeatable)\n"
            "  -V                  print the version and exit\n"
            "  -h, --help          this help\n");
}

static void on_signal(int sig)
{
    (void)sig;
    if (g_engine)
        sn_engine_stop(g_engine);
}

static char *read_bpf_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0, len = 0, n;
    char tmp[4096];

    if (!f)
        return NULL;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (len + n + 1 > cap) {
            char *nb;
            cap = (len + n + 1) * 2;
            nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, tmp, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = 0;
    for (char *s = buf; s && *s; s++) /* comments and newlines as in Suricata's -F */
        if (*s == '#')
            while (*s && *s != '\n')
                *s++ = ' ';
    return buf;
}

static void print_summary(struct sn_engine *eng, const char *src, double secs,
                          const char *eve_path, const struct sn_config *cfg)
{
    uint64_t c[SN_CNT_MAX], ev[SN_EV_MAX], anomalies = 0;

    sn_engine_totals(eng, c, ev);
    for (int i = 0; i < SN_EV_MAX; i++)
        anomalies += ev[i];
    fprintf(stderr,
            PROG ": %s: %llu packets, %.1f MB in %.2f s (%.0f Mbit/s), %llu invalid\n", src,
            (unsigned long long)c[SN_CNT_DECODER_PKTS], (double)c[SN_CNT_DECODER_BYTES] / 1e6,
            secs, secs > 0 ? (double)c[SN_CNT_DECODER_BYTES] * 8 / secs / 1e6 : 0.0,
            (unsigned long long)c[SN_CNT_DECODER_INVALID]);
    fprintf(stderr,
            PROG ": flows: %llu (tcp %llu, udp %llu, icmp %llu, icmpv6 %llu); "
                 "ipv4 %llu, ipv6 %llu packets; %llu decoder/stream events\n",
            (unsigned long long)c[SN_CNT_FLOW_TOTAL], (unsigned long long)c[SN_CNT_FLOW_TCP],
            (unsigned long long)c[SN_CNT_FLOW_UDP], (unsigned long long)c[SN_CNT_FLOW_ICMPV4],
            (unsigned long long)c[SN_CNT_FLOW_ICMPV6], (unsigned long long)c[SN_CNT_DECODER_IPV4],
            (unsigned long long)c[SN_CNT_DECODER_IPV6], (unsigned long long)anomalies);
    if (cfg->eve_enabled)
        fprintf(stderr, PROG ": eve: %s\n", eve_path);
}

int main(int argc, char **argv)
{
    enum {
        OPT_SET = 256,
        OPT_THREADS,
        OPT_PCAP,
        OPT_AFPACKET,
        OPT_RUNMODE,
        OPT_INIT_ERRORS,
        OPT_LIST_KEYWORDS,
        OPT_HUB_URL,
        OPT_HUB_TOKEN_FILE,
        OPT_HUB_KEY,
        OPT_HUB_SENSOR,
        OPT_HUB_SPOOL
    };
    static const struct option longopts[] = {
        {"set", required_argument, NULL, OPT_SET},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"pcap", optional_argument, NULL, OPT_PCAP},
        {"af-packet", optional_argument, NULL, OPT_AFPACKET},
        {"runmode", required_argument, NULL, OPT_RUNMODE},
        {"init-errors-fatal", no_argument, NULL, OPT_INIT_ERRORS},
        {"list-keywords", optional_argument, NULL, OPT_LIST_KEYWORDS},
        {"hub-url", required_argument, NULL, OPT_HUB_URL},
        {"hub-token-file", required_argument, NULL, OPT_HUB_TOKEN_FILE},
        {"hub-key", required_argument, NULL, OPT_HUB_KEY},
        {"hub-sensor", required_argument, NULL, OPT_HUB_SENSOR},
        {"hub-spool", required_argument, NULL, OPT_HUB_SPOOL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct sn_config cfg;
    struct cs_err err = {0};
    const char *rfile = NULL, *iface = NULL, *cfile = NULL, *ldir = NULL, *kmode = NULL;
    const char *bpf_file = NULL;
    const char *hub_url = NULL, *hub_token_file = NULL, *hub_key = NULL, *hub_sensor = NULL;
    const char *hub_spool = NULL;
    struct sn_upload *upload = NULL;
    char **sets = NULL, **rule_files = NULL;
    int nsets = 0, nrules = 0, threads = 0, verbose = 0, opt, rc = 1;
    bool use_pcap = false, test_only = false;
    struct sn_ruleset *rules = NULL;
    char *bpf = NULL;
    char eve_path[8192];
    struct sn_eve_sink *sink = NULL;
    struct sn_engine *eng = NULL;
    struct reload_ctx rctx = {0};
    pthread_t rthread;
    bool rthread_started = false;
    uint64_t t0;

    {
        /* SIGUSR2 (reload) is taken by the watcher thread with sigwait(): blocked from the
         * start, so one that arrives while the rules load waits instead of killing us */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread */
    }
    sets = calloc((size_t)argc + 1, sizeof(*sets));
    rule_files = calloc((size_t)argc + 1, sizeof(*rule_files));
    if (!sets || !rule_files) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":r:i:l:c:S:s:k:F:vVhT", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': rfile = optarg; break;
        case 'i': iface = optarg; break;
        case 'l': ldir = optarg; break;
        case 'c': cfile = optarg; break;
        case 'S': nrules = 0; rule_files[nrules++] = optarg; break;
        case 's': rule_files[nrules++] = optarg; break;
        case 'k': kmode = optarg; break;
        case 'F': bpf_file = optarg; break;
        case 'v': verbose++; break;
        case 'V': printf(PROG " " CITYSOC_VERSION "\n"); rc = 0; goto out;
        case 'h': usage(stdout); rc = 0; goto out;
        case OPT_SET: sets[nsets++] = optarg; break;
        case OPT_HUB_URL: hub_url = optarg; break;
        case OPT_HUB_TOKEN_FILE: hub_token_file = optarg; break;
        case OPT_HUB_KEY: hub_key = optarg; break;
        case OPT_HUB_SENSOR: hub_sensor = optarg; break;
        case OPT_HUB_SPOOL: hub_spool = optarg; break;
        case OPT_THREADS: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, PROG ": --threads: expected a number from 1 to 256, got '%s'\n",
                        optarg);
                goto out;
            }
            threads = (int)v;
            break;
        }
        case OPT_PCAP:
        case OPT_AFPACKET:
            if (optarg)
                iface = optarg;
            use_pcap = opt == OPT_PCAP;
            break;
        case OPT_RUNMODE:
        case OPT_INIT_ERRORS: break; /* accepted for compatibility; workers run to completion */
        case 'T': test_only = true; break;
        case OPT_LIST_KEYWORDS:
            sn_detect_list_keywords(stdout);
            rc = 0;
            goto out;
        case ':':
            fprintf(stderr, PROG ": option '%s' needs an argument (see --help)\n",
                    argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, PROG ": unknown option '%s' (see --help)\n", argv[optind - 1]);
            goto out;
        }
    }
    if (!test_only && !rfile == !iface) {
        fprintf(stderr, PROG ": give exactly one of -r FILE or -i IFACE (see --help)\n");
        goto out;
    }
    /* trailing arguments form the BPF filter, as with tcpdump and Suricata */
    if (optind < argc) {
        size_t len = 0;
        for (int i = optind; i < argc; i++)
            len += strlen(argv[i]) + 1;
        bpf = calloc(1, len + 1);
        if (!bpf)
            goto out;
        for (int i = optind; i < argc; i++) {
            strcat(bpf, argv[i]);
            if (i + 1 < argc)
                strcat(bpf, " ");
        }
    } else if (bpf_file) {
        bpf = read_bpf_file(bpf_file);
        if (!bpf) {
            fprintf(stderr, PROG ": cannot read BPF filter file %s: %s\n", bpf_file,
                    strerror(errno));
            goto out;
        }
    }

    sn_config_defaults(&cfg);
    if (sn_config_load(&cfg, cfile, sets, nsets, &err) != CS_OK) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        goto out;
    }
    if (kmode) {
        if (strcmp(kmode, "all") == 0)
            cfg.csum = SN_CSUM_ALL;
        else if (strcmp(kmode, "none") == 0)
            cfg.csum = SN_CSUM_NONE;
        else if (strcmp(kmode, "auto") == 0)
            cfg.csum = SN_CSUM_AUTO;
        else {
            fprintf(stderr, PROG ": -k: expected all, none or auto, got '%s'\n", kmode);
            goto out_cfg;
        }
    }
    if (threads)
        cfg.threads = threads;
    if (ldir) {
        if (strlen(ldir) >= sizeof(cfg.log_dir)) {
            fprintf(stderr, PROG ": -l: path too long\n");
            goto out_cfg;
        }
        strcpy(cfg.log_dir, ldir);
    }
    cfg.verbose = verbose;
    {
        /* --hub-* flags enable the hub output and override its keys */
        struct {
            const char *v;
            char *dst;
            size_t cap;
            const char *flag;
        } hf[] = {
            {hub_url, cfg.hub.url, sizeof(cfg.hub.url), "--hub-url"},
            {hub_token_file, cfg.hub.token_file, sizeof(cfg.hub.token_file), "--hub-token-file"},
            {hub_key, cfg.hub.key_file, sizeof(cfg.hub.key_file), "--hub-key"},
            {hub_sensor, cfg.hub.sensor_name, sizeof(cfg.hub.sensor_name), "--hub-sensor"},
            {hub_spool, cfg.hub.spool_dir, sizeof(cfg.hub.spool_dir), "--hub-spool"},
        };
        for (size_t i = 0; i < CS_ARRAY_LEN(hf); i++) {
            if (!hf[i].v)
                continue;
            if (strlen(hf[i].v) >= hf[i].cap) {
                fprintf(stderr, PROG ": %s: too long\n", hf[i].flag);
                goto out_cfg;
            }
            strcpy(hf[i].dst, hf[i].v);
        }
        if (hub_token_file)
            cfg.hub.token[0] = 0; /* the flag wins over a token in the file */
        if (hub_url)
            cfg.hub.enabled = true;
    }
    {
        struct stat st;
        if (stat(cfg.log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, PROG ": log directory %s: %s\n", cfg.log_dir,
                    errno ? strerror(errno) : "not a directory");
            goto out_cfg;
        }
    }
    /* rules: the -S/-s files, or the configuration's rule-files */
    rules = sn_ruleset_new(cfg.raw);
    if (!rules) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out_cfg;
    }
    if (sn_ruleset_load_config(rules, &cfg, (const char *const *)rule_files, (size_t)nrules,
                               stderr, &err) != CS_OK) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        goto out_rules;
    }
    if (test_only || verbose)
        sn_ruleset_print_errors(rules, stderr);
    if (rules->nrules || rules->skipped) {
        fputs(PROG ": ", stderr);
        sn_ruleset_print_summary(rules, stderr);
    }
    if (test_only) {
        if (rules->skipped == 0) {
            fprintf(stderr, PROG ": configuration and rules are valid\n");
            rc = 0;
        }
        goto out_rules;
    }
    if (rules->nrules) {
        struct sn_detect_engine *de = sn_detect_engine_build(rules, &cfg, &err);
        const struct sn_detect_stats *st;
        rules = NULL; /* the engine owns the rule set now */
        if (!de) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_cfg;
        }
        if (verbose)
            sn_detect_engine_print_skipped(de, stderr);
        st = sn_detect_engine_stats(de);
        fprintf(stderr,
                PROG ": rules: loaded %u, skipped %u; compiled in %.2f s (parsed in %.2f s; "
                     "%u ip-only, %u prefiltered, %u databases)\n",
                st->rules_loaded, st->rules_skipped, st->compile_s, st->parse_s, st->ip_only,
                st->prefiltered, st->databases);
        sn_detect_engine_install(de);
    }

    if (cfg.eve_enabled) {
        if (cfg.eve_filename[0] == '/')
            snprintf(eve_path, sizeof(eve_path), "%s", cfg.eve_filename);
        else
            snprintf(eve_path, sizeof(eve_path), "%s/%s", cfg.log_dir, cfg.eve_filename);
        sink = sn_eve_sink_open(eve_path, rfile, &err);
        if (!sink) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_rules;
        }
    }
    if (cfg.hub.enabled && !test_only) {
        if (sn_upload_start(&cfg.hub, cfg.log_dir, &upload, &err) != CS_OK) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_sink;
        }
        if (!sink && !(sink = sn_eve_sink_open(NULL, rfile, &err))) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_sink;
        }
        sn_eve_sink_set_upload(sink, upload);
    }
    if (cfg.fastlog_enabled) {
        char fp[8192];
        if (cfg.fastlog_filename[0] == '/')
            snprintf(fp, sizeof(fp), "%s", cfg.fastlog_filename);
        else
            snprintf(fp, sizeof(fp), "%s/%s", cfg.log_dir, cfg.fastlog_filename);
        if (sn_fastlog_open(fp, &err) != CS_OK) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_sink;
        }
    }

    eng = sn_engine_new(&cfg, sink, &err);
    if (!eng) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        goto out_sink;
    }
    g_engine = eng;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    {
        rctx.cfg = &cfg;
        rctx.files = (const char *const *)rule_files;
        rctx.nfiles = (size_t)nrules;
        rthread_started = pthread_create(&rthread, NULL, reload_watch, &rctx) == 0;
    }
    t0 = cs_time_mono_us();
    if (rfile) {
        int r = sn_engine_run_file(eng, rfile, bpf, &err);
        if (r == CS_EIO && err.msg[0] && strstr(err.msg, "after ")) {
            /* damaged capture: what could be read was processed and logged */
            fprintf(stderr, PROG ": warning: %s\n", err.msg);
            rc = 0;
        } else if (r != CS_OK) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_engine;
        } else {
            rc = 0;
        }
    } else {
        if (sn_engine_run_live(eng, iface, bpf, use_pcap, &err) != CS_OK) {
            fprintf(stderr, PROG ": %s\n", err.msg);
            goto out_engine;
        }
        rc = 0;
    }
    {
        double secs = (double)(cs_time_mono_us() - t0) / 1e6;
        sn_engine_log_stats(eng, (uint64_t)secs);
        print_summary(eng, rfile ? rfile : iface, secs, eve_path, &cfg);
    }

out_engine:
    g_engine = NULL;
    if (rthread_started) {
        rctx.quit = 1;
        pthread_kill(rthread, SIGUSR2);
        pthread_join(rthread, NULL);
    }
    sn_engine_free(eng);
out_sink:
    sn_fastlog_close();
    if (upload) {
        struct sn_upload_stats us;
        sn_upload_stop(upload, cfg.hub.drain_ms, &us);
        fprintf(stderr,
                PROG ": hub: %llu events in %llu batches uploaded (%llu retries, %llu batches "
                     "rejected, %llu events dropped, %llu left in the spool)\n",
                (unsigned long long)us.uploaded_events, (unsigned long long)us.uploaded_batches,
                (unsigned long long)us.retries, (unsigned long long)us.rejected_batches,
                (unsigned long long)us.dropped_events, (unsigned long long)us.spool_pending);
    }
    sn_eve_sink_close(sink);
out_rules:
    if (sn_detect_enabled() && sn_detect_datasets_save(&err) != CS_OK)
        fprintf(stderr, PROG ": warning: %s\n", err.msg);
    sn_detect_shutdown();
    sn_ruleset_free(rules);
out_cfg:
    sn_config_free(&cfg);
out:
    free(bpf);
    free(sets);
    free(rule_files);
    return rc;
}
