#!/usr/bin/env bash
# run.sh — sensor throughput and memory benchmarks (`make bench`). See bench/README.md.
#
# For each capture: the libpcap read-only baseline, then the sensor with 1 and 2 worker
# threads in three set-ups (no rules and no EVE; no rules and full protocol logging; full ET
# Open 5.0 and full logging); one table row per run (wall, packet-loop and CPU seconds,
# Mbit/s from the loop time and from CPU time, peak RSS, EVE records and records/s). Env:
# BUILD (default build), BENCH_PCAP, BENCH_GEN=1, BENCH_FLOWS (flows in the synthetic capture,
# default 1000000), BENCH_THREADS ("1 2"), BENCH_RULES (ET Open directory), BENCH_DIR
# (/tmp/citysoc-bench). A failing sensor run is reported and the script goes on.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH_DIR=${BENCH_DIR:-/tmp/citysoc-bench}
BENCH_PCAP=${BENCH_PCAP:-$BENCH_DIR/city-mix.pcap}
BENCH_FLOWS=${BENCH_FLOWS:-1000000}
BENCH_THREADS=${BENCH_THREADS:-1 2}
SENSOR=$BUILD/citysoc-sensor
BASELINE=$BUILD/bench/pcap_baseline
GEN_FLOWS=$BUILD/bench/gen_flows
SMALL=../shared/corpus/pcaps/bench/city-mix-small.pcap
GEN_TRAFFIC=../shared/tools/bench-pcap/gen_traffic.sh
RESULTS=$BUILD/bench/results.txt

mkdir -p "$BENCH_DIR" "$BUILD/bench"
for b in "$BASELINE" "$GEN_FLOWS"; do
    if [ ! -x "$b" ]; then
        echo "bench: $b is missing: run 'make' first" >&2
        exit 1
    fi
done
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time missing, installing the 'time' package"
    apt-get install -y time >/dev/null 2>&1 || true
fi
HAVE_TIME=0
[ -x /usr/bin/time ] && HAVE_TIME=1
[ "$HAVE_TIME" = 1 ] || echo "bench: no /usr/bin/time: peak RSS shown as '-'"

# ---- captures -----------------------------------------------------------------------------
captures=()
[ -f "$SMALL" ] && captures+=("$SMALL")
if [ ! -f "$BENCH_PCAP" ] && [ "${BENCH_GEN:-0}" = 1 ]; then
    if [ "$(id -u)" = 0 ] && [ -x "$GEN_TRAFFIC" ]; then
        echo "bench: generating $BENCH_PCAP (takes several minutes)"
        # the tool writes next to itself and ../shared is read-only: run a copy
        gen_dir=$BENCH_DIR/bench-pcap-tool
        rm -rf "$gen_dir"
        cp -r "$(dirname "$GEN_TRAFFIC")" "$gen_dir" && chmod -R u+w "$gen_dir"
        "$gen_dir/$(basename "$GEN_TRAFFIC")" "$BENCH_PCAP" 600 300 80 40000 7 \
            >"$BENCH_DIR/gen_traffic.log" 2>&1 ||
            echo "bench: gen_traffic.sh failed (log: $BENCH_DIR/gen_traffic.log)"
    else
        echo "bench: BENCH_GEN=1 needs root and $GEN_TRAFFIC"
    fi
fi
if [ -f "$BENCH_PCAP" ]; then
    captures+=("$BENCH_PCAP")
else
    echo "bench: $BENCH_PCAP not found (BENCH_GEN=1 as root makes it): skipped"
fi
FLOWS_PCAP=$BENCH_DIR/flows-$BENCH_FLOWS.pcap
[ "$BENCH_FLOWS" = 1000000 ] && FLOWS_PCAP=$BENCH_DIR/flows-1m.pcap
[ "$BENCH_FLOWS" = 0 ] && FLOWS_PCAP="" # BENCH_FLOWS=0: no synthetic flows capture
if [ -n "$FLOWS_PCAP" ] && [ ! -f "$FLOWS_PCAP" ]; then
    echo "bench: generating $FLOWS_PCAP"
    if ! "$GEN_FLOWS" "$FLOWS_PCAP.tmp" "$BENCH_FLOWS" || ! mv "$FLOWS_PCAP.tmp" "$FLOWS_PCAP"; then
        echo "bench: gen_flows failed"
        rm -f "$FLOWS_PCAP.tmp"
    fi
fi
[ -n "$FLOWS_PCAP" ] && [ -f "$FLOWS_PCAP" ] && captures+=("$FLOWS_PCAP")
if [ ${#captures[@]} -eq 0 ]; then
    echo "bench: no capture to run"
    exit 1
fi

# ---- helpers ------------------------------------------------------------------------------
now() { echo "${EPOCHREALTIME/,/.}"; }
# peak RSS in MB from a `time -v` report, '-' when unknown
rss_mb() {
    local kb
    kb=$(sed -nE 's/^\s*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$1" 2>/dev/null)
    if [ -n "$kb" ]; then awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'; else echo -; fi
}
# user + system CPU seconds from a `time -v` report, '-' when unknown
cpu_s() {
    awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2; n++ }
        END { if (n == 2) printf "%.2f", s; else print "-" }' "$1" 2>/dev/null
}
# runs "$@" under time -v; report in $TIMEF, stdout/stderr in $OUTF; sets ELAPSED and RC
timed() {
    local t0 t1
    t0=$(now)
    if [ "$HAVE_TIME" = 1 ]; then
        /usr/bin/time -v -o "$TIMEF" "$@" >"$OUTF" 2>&1
    else
        : >"$TIMEF"
        "$@" >"$OUTF" 2>&1
    fi
    RC=$?
    t1=$(now)
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}
FMT='%-16s %-12s %8s %7s %7s %7s %9s %9s %7s %8s %9s  %s\n'
mbps() { # bytes seconds
    awk -v b="$1" -v s="$2" 'BEGIN { if (s + 0 > 0) printf "%.1f", b * 8 / s / 1e6; else print "-" }'
}
row() { # capture run packets wall loop cpu bytes rss records note
    local rps
    rps=$(awk -v r="$9" -v s="$5" 'BEGIN { if (s + 0 > 0 && r != "-") printf "%.0f", r / s; else print "-" }')
    printf "$FMT" "$1" "$2" "$3" "$4" "$5" "$6" "$(mbps "$7" "$5")" "$(mbps "$7" "$6")" "$8" \
        "$9" "$rps" "${10}" | tee -a "$RESULTS"
}

WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TIMEF=$WORK/time.txt
OUTF=$WORK/out.txt
ET=${BENCH_RULES:-../shared/corpus/rules/et-open-5.0}
HAVE_ET=0
[ -f "$ET/all.rules" ] && HAVE_ET=1
[ "$HAVE_ET" = 1 ] || echo "bench: $ET/all.rules not found: ET Open rows skipped"

{
    echo "# citysoc bench $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null)" \
        "$(nproc) cpus, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
    printf "$FMT" capture run packets wall_s loop_s cpu_s Mbps_loop Mbps_cpu RSS_MB records \
        records/s note
} | tee "$RESULTS"
# CPU seconds of start-up with the rule set (parse + compile) on a one-packet capture, so
# the ET rows can also give the packet loop's own CPU time (cpu_s minus this)
ET_LOAD_CPU=""
if [ "$HAVE_ET" = 1 ] && [ -x "$SENSOR" ] && [ -f "$SMALL" ] && command -v editcap >/dev/null &&
    editcap -r "$SMALL" "$WORK/one.pcap" 1 >/dev/null 2>&1; then
    mkdir -p "$WORK/log-load"
    timed "$SENSOR" -r "$WORK/one.pcap" -l "$WORK/log-load" -S "$ET/all.rules" \
        --set classification-file="$ET/classification.config"
    [ "$RC" = 0 ] && ET_LOAD_CPU=$(cpu_s "$TIMEF")
    [ "$ET_LOAD_CPU" = - ] && ET_LOAD_CPU=""
    [ -n "$ET_LOAD_CPU" ] && echo "# ET Open start-up (one-packet capture): $ET_LOAD_CPU CPU s" |
        tee -a "$RESULTS"
fi

# one sensor run: capture-name run-name capture bytes packets threads sensor-args...
sensor_row() {
    local name=$1 run=$2 cap=$3 bytes=$4 pkts=$5 t=$6 out loop recs note load alerts cpu lc
    shift 6
    out=$WORK/log-$run
    rm -rf "$out"
    mkdir -p "$out"
    timed "$SENSOR" -r "$cap" -l "$out" --threads "$t" "$@"
    loop=$(sed -nE 's/.* MB in ([0-9.]+) s .*/\1/p' "$OUTF" | head -1)
    recs=-
    [ -f "$out/eve.json" ] && recs=$(wc -l <"$out/eve.json")
    note=""
    if [ "$RC" != 0 ]; then
        note="FAILED rc=$RC: $(grep -v '^\s*$' "$OUTF" | tail -1 | cut -c1-80)"
    fi
    load=$(sed -nE 's/.*rules: loaded ([0-9]+), skipped [0-9]+; compiled in ([0-9.]+) s \(parsed in ([0-9.]+) s.*/rules \1, load \3+\2 s/p' "$OUTF")
    if [ -n "$load" ]; then
        alerts=0
        [ -f "$out/eve.json" ] && alerts=$(grep -c '"event_type":"alert"' "$out/eve.json")
        note="$note$load, alerts $alerts"
        cpu=$(cpu_s "$TIMEF")
        if [ -n "$ET_LOAD_CPU" ] && [ "$cpu" != - ]; then
            lc=$(awk -v a="$cpu" -v b="$ET_LOAD_CPU" 'BEGIN { printf "%.2f", a - b }')
            note="$note; loop cpu $lc s = $(mbps "$bytes" "$lc") Mbit/s"
        fi
    fi
    row "$name" "$run" "$pkts" "$ELAPSED" "${loop:--}" "$(cpu_s "$TIMEF")" "$bytes" \
        "$(rss_mb "$TIMEF")" "$recs" "$note"
    if [ "$RC" != 0 ]; then
        sed 's/^/    | /' "$OUTF" | tail -5
    fi
}

for cap in "${captures[@]}"; do
    name=$(basename "$cap" .pcap)
    cat "$cap" >/dev/null # warm the page cache
    timed "$BASELINE" "$cap"
    line=$(grep -E '^packets=' "$OUTF" | tail -1)
    if [ "$RC" != 0 ] || [ -z "$line" ]; then
        echo "bench: baseline failed on $cap: $(tail -2 "$OUTF")"
        continue
    fi
    pkts=$(echo "$line" | sed -E 's/.*packets=([0-9]+).*/\1/')
    bytes=$(echo "$line" | sed -E 's/.*bytes=([0-9]+).*/\1/')
    base_s=$(echo "$line" | sed -E 's/.*seconds=([0-9.]+).*/\1/')
    # the baseline times its own read loop; use that (process start-up excluded)
    row "$name" baseline "$pkts" "$ELAPSED" "$base_s" "$(cpu_s "$TIMEF")" "$bytes" \
        "$(rss_mb "$TIMEF")" - ""
    if [ ! -x "$SENSOR" ]; then
        printf "$FMT" "$name" sensor - - - - - - - - - "no $SENSOR" | tee -a "$RESULTS"
        continue
    fi
    for t in $BENCH_THREADS; do
        if [ "$cap" = "${FLOWS_PCAP:-}" ]; then
            # a million concurrent flows do not fit the stock 128 MiB flow memcap (nor
            # Suricata's): raise the caps so the run measures holding them all, not eviction
            sensor_row "$name" "fulllog-${t}t" "$cap" "$bytes" "$pkts" "$t" -S /dev/null \
                --set flow.memcap=1gb --set stream.memcap=1gb
            continue
        fi
        # decode, flows, streams, parsers; no rules, no EVE
        sensor_row "$name" "norules-${t}t" "$cap" "$bytes" "$pkts" "$t" -S /dev/null \
            --set outputs.1.eve-log.enabled=no
        # no rules, every protocol record (the default EVE types: flow, http, dns, tls, ssh,
        # files, modbus, dnp3, enip, iec104, s7comm, anomaly, stats)
        sensor_row "$name" "fulllog-${t}t" "$cap" "$bytes" "$pkts" "$t" -S /dev/null
        if [ "$HAVE_ET" = 1 ]; then
            sensor_row "$name" "etopen-${t}t" "$cap" "$bytes" "$pkts" "$t" -S "$ET/all.rules" \
                --set classification-file="$ET/classification.config"
        fi
    done
done
echo "bench: results in $RESULTS"
