/* pcap.c — capture sources: files through libpcap (pcap and pcapng), live interfaces through
 * AF_PACKET (afpacket.c) or libpcap as the fallback. */
#include "capture.h"

#include "afpacket.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <sys/stat.h>

struct sn_capture {
    pcap_t *pc;
    struct sn_afp *afp;
    int dlt;
    bool live;
    char err[PCAP_ERRBUF_SIZE + 64];
};

static int apply_bpf(pcap_t *pc, const char *bpf, struct cs_err *err)
{
    struct bpf_program prog;

    if (!bpf || !*bpf)
        return CS_OK;
    if (pcap_compile(pc, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "invalid BPF filter '%s': %s", bpf, pcap_geterr(pc));
        return CS_EINVAL;
    }
    if (pcap_setfilter(pc, &prog) != 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "cannot set BPF filter: %s", pcap_geterr(pc));
        pcap_freecode(&prog);
        return CS_EINVAL;
    }
    pcap_freecode(&prog);
    return CS_OK;
}

struct sn_capture *sn_capture_open_file(const char *path, const char *bpf, struct cs_err *err)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct sn_capture *c;
    struct stat st;

    if (stat(path, &st) != 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        cs_err_set(err, CS_EINVAL, 0, 0, "cannot open %s: is a directory", path);
        return NULL;
    }
    c = cs_calloc(1, sizeof(*c));
    if (!c) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    errbuf[0] = 0;
    c->pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!c->pc) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot read %s: %s", path,
                   errbuf[0] ? errbuf : "not a pcap or pcapng file");
        cs_free(c);
        return NULL;
    }
    c->dlt = pcap_datalink(c->pc);
    if (apply_bpf(c->pc, bpf, err) != CS_OK) {
        pcap_close(c->pc);
        cs_free(c);
        return NULL;
    }
    return c;
}

struct sn_capture *sn_capture_open_live(const char *iface, int worker, int nworkers,
                                        uint16_t fanout_id, const char *bpf, bool use_pcap,
                                        struct cs_err *err)
{
    struct sn_capture *c = cs_calloc(1, sizeof(*c));
    char errbuf[PCAP_ERRBUF_SIZE];

    (void)worker;
    if (!c) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return NULL;
    }
    c->live = true;
    if (!use_pcap) {
        c->afp = sn_afp_open(iface, fanout_id, nworkers > 1, bpf, err);
        if (!c->afp) {
            cs_free(c);
            return NULL;
        }
        c->dlt = sn_afp_datalink(c->afp);
        return c;
    }
    if (nworkers > 1) {
        cs_err_set(err, CS_EINVAL, 0, 0, "the libpcap live source supports one thread only");
        cs_free(c);
        return NULL;
    }
    errbuf[0] = 0;
    c->pc = pcap_create(iface, errbuf);
    if (!c->pc || pcap_set_snaplen(c->pc, 65535) != 0 || pcap_set_promisc(c->pc, 1) != 0 ||
        pcap_set_timeout(c->pc, 100) != 0 || pcap_set_buffer_size(c->pc, 64 << 20) != 0 ||
        pcap_activate(c->pc) < 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot capture on %s: %s", iface,
                   c->pc ? pcap_geterr(c->pc) : errbuf);
        if (c->pc)
            pcap_close(c->pc);
        cs_free(c);
        return NULL;
    }
    c->dlt = pcap_datalink(c->pc);
    if (apply_bpf(c->pc, bpf, err) != CS_OK) {
        pcap_close(c->pc);
        cs_free(c);
        return NULL;
    }
    return c;
}

int sn_capture_next(struct sn_capture *c, struct sn_capture_pkt *out)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;

    if (c->afp) {
        rc = sn_afp_next(c->afp, &out->data, &out->caplen, &out->wirelen, &out->ts_us);
        if (rc < 0) {
            snprintf(c->err, sizeof(c->err), "AF_PACKET read error");
            return CS_EIO;
        }
        return rc;
    }
    rc = pcap_next_ex(c->pc, &h, &d);
    switch (rc) {
    case 1:
        out->data = d;
        out->caplen = h->caplen;
        out->wirelen = h->len;
        out->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        return 1;
    case 0:
        return 0;
    case PCAP_ERROR_BREAK:
        return c->live ? 0 : -1;
    default:
        snprintf(c->err, sizeof(c->err), "%s", pcap_geterr(c->pc));
        /* a truncated file ends the capture with an error: report, but it is the end */
        return CS_EIO;
    }
}

int sn_capture_datalink(const struct sn_capture *c)
{
    return c->dlt;
}

void sn_capture_stats(struct sn_capture *c, uint64_t *received, uint64_t *dropped)
{
    struct pcap_stat ps;

    *received = *dropped = 0;
    if (c->afp) {
        sn_afp_stats(c->afp, received, dropped);
    } else if (c->live && pcap_stats(c->pc, &ps) == 0) {
        *received = ps.ps_recv;
        *dropped = ps.ps_drop + ps.ps_ifdrop;
    }
}

const char *sn_capture_error(const struct sn_capture *c)
{
    return c->err;
}

void sn_capture_break(struct sn_capture *c)
{
    if (c->afp)
        sn_afp_break(c->afp);
    else if (c->pc)
        pcap_breakloop(c->pc);
}

void sn_capture_close(struct sn_capture *c)
{
    if (!c)
        return;
    if (c->afp)
        sn_afp_close(c->afp);
    if (c->pc)
        pcap_close(c->pc);
    cs_free(c);
}
