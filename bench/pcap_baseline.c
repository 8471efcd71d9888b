/* pcap_baseline.c — libpcap read-only baseline: reads every packet of a capture and touches
 * its bytes (sums them), nothing else. The sensor's throughput is compared against this.
 * Prints packets, bytes, seconds, packets/s and Mbit/s. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t pkts = 0, bytes = 0, sum = 0;
    struct timespec t0, t1;
    pcap_t *pc;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: pcap_baseline FILE\n");
        return 2;
    }
    pc = pcap_open_offline(argv[1], errbuf);
    if (!pc) {
        fprintf(stderr, "pcap_baseline: %s\n", errbuf);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
        pkts++;
        bytes += h->len;
        for (uint32_t i = 0; i < h->caplen; i += 64)
            sum += d[i];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pcap_close(pc);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("packets=%llu bytes=%llu seconds=%.3f pps=%.0f mbps=%.1f checksum=%llu\n",
           (unsigned long long)pkts, (unsigned long long)bytes, s, s > 0 ? (double)pkts / s : 0,
           s > 0 ? (double)bytes * 8 / s / 1e6 : 0, (unsigned long long)sum);
    return 0;
}
