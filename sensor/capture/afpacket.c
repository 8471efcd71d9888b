/* afpacket.c — Linux live capture: one AF_PACKET socket with a TPACKET_V3 receive ring.
 *
 * Set-up order matters: the socket is created with protocol 0 (it receives nothing), then the
 * BPF filter is attached and the ring mapped, and only then is it bound to the interface, so
 * no unfiltered packet ever reaches the ring. The fanout group is joined after bind (the
 * kernel requires a bound socket).
 *
 * The ring is a set of blocks that the kernel fills and hands over (block_status has
 * TP_STATUS_USER) when full or after the retire timeout. We walk the packets of the current
 * block and give the block back only on the call after its last packet, so the data handed
 * out stays valid until the next sn_afp_next() call.
 *
 * The kernel strips the outer 802.1Q/802.1ad tag into the packet header (tp_vlan_tci); for
 * Ethernet we put it back into a per-socket copy buffer so the decoder sees the frame as it
 * was on the wire. */
#include "afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define AFP_BLOCK_SIZE (1u << 20) /* 1 MiB: a multiple of the page size */
#define AFP_BLOCKS 64             /* 64 MiB ring per socket */
#define AFP_MIN_BLOCKS 4          /* we halve down to this when the kernel lacks memory */
#define AFP_FRAME_SIZE 2048       /* only used by the kernel to size frame_nr */
#define AFP_RETIRE_MS 10          /* a partly filled block is handed over after 10 ms */
#define AFP_POLL_MS 100           /* longest wait of one sn_afp_next() call */
#define AFP_VLAN_LEN 4
#define AFP_ETH_ADDRS 12 /* dst + src MAC: the tag goes after them */

struct sn_afp {
    int fd;
    int evfd; /* eventfd written by sn_afp_break() to wake poll() */
    atomic_int brk;
    int dlt;
    uint8_t *ring;
    size_t ring_len;
    uint32_t block_size;
    uint32_t nblocks;
    uint32_t cur;       /* index of the block being read (or waited for) */
    bool in_block;      /* block `cur` is ours: walking its packets */
    uint32_t pkts_left; /* packets of block `cur` not yet returned */
    uint32_t pkt_off;   /* offset in block `cur` of the next packet header */
    uint64_t received;  /* cumulative PACKET_STATISTICS (kernel resets on read) */
    uint64_t dropped;
    uint64_t ring_errors; /* malformed ring entries skipped (never seen in practice) */
    uint8_t *vbuf;        /* copy buffer for frames with a restored VLAN tag */
    size_t vbuf_len;
    char iface[IFNAMSIZ];
    char err[160];
};

static struct tpacket_block_desc *afp_block(const struct sn_afp *a, uint32_t i)
{
    /* The ring is page aligned and blocks are page multiples: the descriptor is aligned. */
    return (struct tpacket_block_desc *)(void *)(a->ring + (size_t)i * a->block_size);
}

/* Maps the interface's ARPHRD_* type to the DLT of the bytes a SOCK_RAW packet socket
 * delivers; -1 for link types this source does not handle. */
static int afp_dlt_for_hwtype(int hwtype)
{
    switch (hwtype) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK: /* Linux loopback carries a 14-byte Ethernet header of zeros */
        return DLT_EN10MB;
    case ARPHRD_NONE: /* tun: the data starts at the IP header */
#ifdef ARPHRD_RAWIP
    case ARPHRD_RAWIP:
#endif
        return DLT_RAW;
    default:
        return -1;
    }
}

/* Looks the interface up (index and hardware type) without needing privileges. */
static int afp_lookup_iface(const char *iface, int *ifindex, int *hwtype, bool *up,
                            struct cs_err *err)
{
    struct ifreq ifr;
    int s, rc = CS_OK;

    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, iface, strlen(iface));
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open AF_PACKET socket on %s: %s", iface,
                   strerror(errno));
        return CS_EIO;
    }
    if (ioctl(s, SIOCGIFINDEX, &ifr) != 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "cannot open AF_PACKET socket on %s: %s", iface,
                   strerror(errno));
        rc = CS_EINVAL;
        goto out_close;
    }
    *ifindex = ifr.ifr_ifindex;
    if (ioctl(s, SIOCGIFHWADDR, &ifr) != 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot open AF_PACKET socket on %s: %s", iface,
                   strerror(errno));
        rc = CS_EIO;
        goto out_close;
    }
    *hwtype = ifr.ifr_hwaddr.sa_family;
    *up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
out_close:
    close(s);
    return rc;
}

/* Compiles `bpf` for link type `dlt` into a kernel filter program (caller frees ->filter). */
static int afp_compile_bpf(const char *iface, int dlt, const char *bpf, struct sock_fprog *out,
                           struct cs_err *err)
{
    struct bpf_program prog;
    struct sock_filter *ins = NULL;
    pcap_t *dead;
    int rc = CS_OK;

    dead = pcap_open_dead(dlt, 262144);
    if (!dead) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot compile BPF filter for %s: out of memory", iface);
        return CS_ENOMEM;
    }
    if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        cs_err_set(err, CS_EINVAL, 0, 0, "invalid BPF filter '%s': %s", bpf, pcap_geterr(dead));
        rc = CS_EINVAL;
        goto out_close;
    }
    if (prog.bf_len == 0 || prog.bf_len > 0xffff) {
        cs_err_set(err, CS_EINVAL, 0, 0, "invalid BPF filter '%s': %u instructions", bpf,
                   prog.bf_len);
        rc = CS_EINVAL;
        goto out_free_code;
    }
    ins = cs_calloc(prog.bf_len, sizeof(*ins));
    if (!ins) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot compile BPF filter for %s: out of memory", iface);
        rc = CS_ENOMEM;
        goto out_free_code;
    }
    /* struct bpf_insn and the kernel's struct sock_filter have the same fields: copy each. */
    for (u_int i = 0; i < prog.bf_len; i++) {
        ins[i].code = prog.bf_insns[i].code;
        ins[i].jt = prog.bf_insns[i].jt;
        ins[i].jf = prog.bf_insns[i].jf;
        ins[i].k = prog.bf_insns[i].k;
    }
    out->len = (unsigned short)prog.bf_len;
    out->filter = ins;
out_free_code:
    pcap_freecode(&prog);
out_close:
    pcap_close(dead);
    return rc;
}

/* Sets up the TPACKET_V3 ring, halving the block count while the kernel has no memory. */
static int afp_setup_ring(struct sn_afp *a, struct cs_err *err)
{
    struct tpacket_req3 req;
    uint32_t nblocks = AFP_BLOCKS;

    for (;;) {
        memset(&req, 0, sizeof(req));
        req.tp_block_size = AFP_BLOCK_SIZE;
        req.tp_block_nr = nblocks;
        req.tp_frame_size = AFP_FRAME_SIZE;
        req.tp_frame_nr = (AFP_BLOCK_SIZE / AFP_FRAME_SIZE) * nblocks;
        req.tp_retire_blk_tov = AFP_RETIRE_MS;
        if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) == 0)
            break;
        if (errno != ENOMEM || nblocks / 2 < AFP_MIN_BLOCKS) {
            cs_err_set(err, CS_EIO, 0, 0, "cannot set up the AF_PACKET ring on %s: %s", a->iface,
                       strerror(errno));
            return CS_EIO;
        }
        nblocks /= 2;
    }
    a->block_size = AFP_BLOCK_SIZE;
    a->nblocks = nblocks;
    a->ring_len = (size_t)AFP_BLOCK_SIZE * nblocks;
    /* the kernel allocated the blocks already: mapping them needs no locking or populating */
    a->ring = mmap(NULL, a->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
    if (a->ring == MAP_FAILED) {
        a->ring = NULL;
        cs_err_set(err, CS_EIO, 0, 0, "cannot map the AF_PACKET ring on %s: %s", a->iface,
                   strerror(errno));
        return CS_EIO;
    }
    return CS_OK;
}

struct sn_afp *sn_afp_open(const char *iface, uint16_t fanout_id, bool fanout, const char *bpf,
                           struct cs_err *err)
{
    struct sock_fprog fprog = {0};
    struct sockaddr_ll sll;
    struct packet_mreq mr;
    struct sn_afp *a = NULL;
    int ifindex = 0, hwtype = 0, dlt, val;
    const char *step;
    bool up = false;

    if (!iface || !*iface || strlen(iface) >= IFNAMSIZ) {
        cs_err_set(err, CS_EINVAL, 0, 0, "cannot open AF_PACKET socket on '%s': %s",
                   iface ? iface : "", "invalid interface name");
        return NULL;
    }
    if (afp_lookup_iface(iface, &ifindex, &hwtype, &up, err) != CS_OK)
        return NULL;
    if (fanout && !up) { /* the kernel only lets a socket bound to a running device join */
        cs_err_set(err, CS_EINVAL, 0, 0, "cannot open AF_PACKET socket on %s: interface is down",
                   iface);
        return NULL;
    }
    dlt = afp_dlt_for_hwtype(hwtype);
    if (dlt < 0) {
        cs_err_set(err, CS_EINVAL, 0, 0,
                   "cannot capture on %s with AF_PACKET: link type %d not supported "
                   "(use the libpcap source)",
                   iface, hwtype);
        return NULL;
    }
    if (bpf && *bpf && afp_compile_bpf(iface, dlt, bpf, &fprog, err) != CS_OK)
        return NULL;

    a = cs_calloc(1, sizeof(*a));
    if (!a) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot open AF_PACKET socket on %s: out of memory",
                   iface);
        goto out_free_bpf;
    }
    a->fd = a->evfd = -1;
    a->dlt = dlt;
    memcpy(a->iface, iface, strlen(iface) + 1);
    atomic_init(&a->brk, 0);

    step = NULL; /* the plain "cannot open ...: <errno text>" for the socket itself */
    a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: nothing until bind */
    if (a->fd < 0)
        goto out_errno;
    step = "eventfd";
    a->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (a->evfd < 0)
        goto out_errno;
    step = "PACKET_VERSION";
    val = TPACKET_V3;
    if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &val, sizeof(val)) != 0)
        goto out_errno;
    if (fprog.filter) {
        step = "SO_ATTACH_FILTER";
        if (setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0)
            goto out_errno;
    }
    if (afp_setup_ring(a, err) != CS_OK)
        goto out_close;
    /* The copy buffer holds the largest frame a block can carry plus the tag. */
    a->vbuf_len = a->block_size + AFP_VLAN_LEN;
    a->vbuf = cs_malloc(a->vbuf_len);
    if (!a->vbuf) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "cannot open AF_PACKET socket on %s: out of memory",
                   iface);
        goto out_close;
    }

    step = "bind";
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
        goto out_errno;

    step = "promiscuous mode";
    memset(&mr, 0, sizeof(mr));
    mr.mr_ifindex = ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0)
        goto out_errno;

    if (fanout) {
        step = "PACKET_FANOUT";
        val = (int)((uint32_t)fanout_id | (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG)
                                              << 16);
        if (setsockopt(a->fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) != 0) {
            cs_err_set(err, CS_EIO, 0, 0, "cannot join AF_PACKET fanout group %u on %s: %s%s",
                       fanout_id, iface, strerror(errno),
                       errno == EINVAL || errno == EEXIST || errno == EBUSY
                           ? " (is the group in use with other settings? try another id)"
                           : "");
            goto out_close;
        }
    }
    cs_free(fprog.filter);
    return a;

out_errno:
    val = errno;
    cs_err_set(err, val == ENOMEM ? CS_ENOMEM : CS_EIO, 0, 0,
               "cannot open AF_PACKET socket on %s: %s%s%s", iface, step ? step : "",
               step ? ": " : "", strerror(val));
out_close:
    sn_afp_close(a);
out_free_bpf:
    cs_free(fprog.filter);
    return NULL;
}

/* Waits up to AFP_POLL_MS for the kernel to hand over a block. 0 when woken or timed out,
 * CS_EIO on a socket error (message in a->err). */
static int afp_wait(struct sn_afp *a)
{
    struct pollfd pfd[2] = {
        {.fd = a->fd, .events = POLLIN | POLLERR},
        {.fd = a->evfd, .events = POLLIN},
    };
    socklen_t len;
    int n, soerr = 0;

    n = poll(pfd, 2, AFP_POLL_MS);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        snprintf(a->err, sizeof(a->err), "poll on %s: %s", a->iface, strerror(errno));
        return CS_EIO;
    }
    if (n > 0 && (pfd[0].revents & (POLLERR | POLLNVAL))) {
        len = sizeof(soerr);
        if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        /* The interface went down: the socket rebinds by itself when it comes back up. */
        if (soerr == 0 || soerr == ENETDOWN)
            return 0;
        snprintf(a->err, sizeof(a->err), "AF_PACKET socket on %s: %s", a->iface, strerror(soerr));
        return CS_EIO;
    }
    return 0;
}

/* Copies the frame with its 802.1Q/802.1ad tag put back after the MAC addresses. */
static const uint8_t *afp_restore_vlan(struct sn_afp *a, const uint8_t *frame, uint32_t *caplen,
                                       uint32_t *wirelen, uint16_t tpid, uint16_t tci)
{
    uint32_t n = *caplen;

    if (a->dlt != DLT_EN10MB || n < AFP_ETH_ADDRS || (size_t)n + AFP_VLAN_LEN > a->vbuf_len)
        return frame;
    memcpy(a->vbuf, frame, AFP_ETH_ADDRS);
    a->vbuf[12] = (uint8_t)(tpid >> 8);
    a->vbuf[13] = (uint8_t)tpid;
    a->vbuf[14] = (uint8_t)(tci >> 8);
    a->vbuf[15] = (uint8_t)tci;
    memcpy(a->vbuf + AFP_ETH_ADDRS + AFP_VLAN_LEN, frame + AFP_ETH_ADDRS, n - AFP_ETH_ADDRS);
    *caplen = n + AFP_VLAN_LEN;
    *wirelen += AFP_VLAN_LEN;
    return a->vbuf;
}

static void afp_release_block(struct sn_afp *a)
{
    struct tpacket_block_desc *b = afp_block(a, a->cur);

    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    a->in_block = false;
    a->pkts_left = 0;
    a->cur = (a->cur + 1) % a->nblocks;
}

int sn_afp_next(struct sn_afp *a, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen,
                uint64_t *ts_us)
{
    struct tpacket_block_desc *b;
    struct tpacket3_hdr h;
    bool waited = false;
    uint32_t status;
    int rc;

    for (;;) {
        if (atomic_load_explicit(&a->brk, memory_order_relaxed))
            return 0;
        if (a->in_block && a->pkts_left == 0)
            afp_release_block(a); /* the previous call's data is no longer in use */
        if (!a->in_block) {
            b = afp_block(a, a->cur);
            status = __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
            if (!(status & TP_STATUS_USER)) {
                if (waited)
                    return 0;
                rc = afp_wait(a);
                if (rc < 0)
                    return rc;
                waited = true;
                continue;
            }
            a->in_block = true;
            a->pkts_left = b->hdr.bh1.num_pkts;
            a->pkt_off = b->hdr.bh1.offset_to_first_pkt;
            continue;
        }
        /* Ring entries come from the kernel; still, check every offset against the block. */
        if (a->pkt_off > a->block_size || a->block_size - a->pkt_off < sizeof(h))
            goto bad_entry;
        memcpy(&h, a->ring + (size_t)a->cur * a->block_size + a->pkt_off, sizeof(h));
        if (h.tp_mac > a->block_size - a->pkt_off ||
            h.tp_snaplen > a->block_size - a->pkt_off - h.tp_mac)
            goto bad_entry;
        {
            const uint8_t *frame = a->ring + (size_t)a->cur * a->block_size + a->pkt_off + h.tp_mac;
            uint32_t cl = h.tp_snaplen, wl = h.tp_len;

            if (h.tp_status & TP_STATUS_VLAN_VALID) {
                uint16_t tpid = (h.tp_status & TP_STATUS_VLAN_TPID_VALID) && h.hv1.tp_vlan_tpid
                                    ? h.hv1.tp_vlan_tpid
                                    : ETH_P_8021Q;
                frame = afp_restore_vlan(a, frame, &cl, &wl, tpid, (uint16_t)h.hv1.tp_vlan_tci);
            }
            *data = frame;
            *caplen = cl;
            *wirelen = wl < cl ? cl : wl;
            *ts_us = (uint64_t)h.tp_sec * 1000000u + h.tp_nsec / 1000u;
        }
        a->pkts_left--;
        if (a->pkts_left > 0) {
            if (h.tp_next_offset == 0)
                a->pkts_left = 0;
            else
                a->pkt_off += h.tp_next_offset;
        }
        return 1;
    bad_entry:
        a->ring_errors++;
        a->pkts_left = 0; /* skip the rest of this block */
    }
}

void sn_afp_stats(struct sn_afp *a, uint64_t *received, uint64_t *dropped)
{
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof(st);

    memset(&st, 0, sizeof(st));
    if (getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
        /* tp_packets already includes tp_drops; the kernel zeroes both on every read */
        a->received += st.tp_packets;
        a->dropped += st.tp_drops;
    }
    *received = a->received;
    *dropped = a->dropped;
}

int sn_afp_datalink(const struct sn_afp *a)
{
    return a->dlt;
}

const char *sn_afp_error(const struct sn_afp *a)
{
    return a->err;
}

void sn_afp_break(struct sn_afp *a)
{
    uint64_t one = 1;
    ssize_t n;

    atomic_store_explicit(&a->brk, 1, memory_order_relaxed);
    n = write(a->evfd, &one, sizeof(one)); /* async-signal-safe; EAGAIN if already woken */
    (void)n;
}

void sn_afp_close(struct sn_afp *a)
{
    if (!a)
        return;
    if (a->ring)
        munmap(a->ring, a->ring_len);
    if (a->fd >= 0)
        close(a->fd); /* also leaves promiscuous mode and the fanout group */
    if (a->evfd >= 0)
        close(a->evfd);
    cs_free(a->vbuf);
    cs_free(a);
}
