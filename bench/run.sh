#!/usr/bin/env bash
# run.sh — sensor throughput and memory benchmarks (`make bench`). See bench/README.md.
#
# For each capture: the libpcap read-only baseline, then the sensor with 1 and 2 worker
# threads; one table row per run (packets, seconds, Mbit/s, packets/s, peak RSS, time
# relative to the baseline). Env: BUILD (default build), BENCH_PCAP, BENCH_GEN=1,
# BENCH_FLOWS (flows in the synthetic capture, default 1000000), BENCH_THREADS ("1 2"),
# BENCH_DIR (/tmp/citysoc-bench). A failing sensor run is reported and the script goes on.
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
        "$GEN_TRAFFIC" "$BENCH_PCAP" 600 300 80 40000 7 >"$BENCH_DIR/gen_traffic.log" 2>&1 ||
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
if [ ! -f "$FLOWS_PCAP" ]; then
    echo "bench: generating $FLOWS_PCAP"
    if ! "$GEN_FLOWS" "$FLOWS_PCAP.tmp" "$BENCH_FLOWS" || ! mv "$FLOWS_PCAP.tmp" "$FLOWS_PCAP"; then
        echo "bench: gen_flows failed"
        rm -f "$FLOWS_PCAP.tmp"
    fi
fi
[ -f "$FLOWS_PCAP" ] && captures+=("$FLOWS_PCAP")
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
FMT='%-22s %-10s %10s %8s %9s %11s %8s %9s  %s\n'
row() { # capture run packets seconds bytes rss base_seconds note
    local mbps pps ratio
    mbps=$(awk -v b="$5" -v s="$4" 'BEGIN { printf "%.1f", (s > 0 ? b * 8 / s / 1e6 : 0) }')
    pps=$(awk -v p="$3" -v s="$4" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')
    ratio=$(awk -v s="$4" -v b="$7" 'BEGIN { printf "%.2fx", (b > 0 ? s / b : 0) }')
    printf "$FMT" "$1" "$2" "$3" "$4" "$mbps" "$pps" "$6" "$ratio" "$8" | tee -a "$RESULTS"
}

WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TIMEF=$WORK/time.txt
OUTF=$WORK/out.txt

{
    echo "# citysoc bench $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null)" \
        "$(nproc) cpus, $(uname -r)"
    printf "$FMT" capture run packets seconds Mbit/s packets/s "RSS MB" time/base note
} | tee "$RESULTS"

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
    row "$name" baseline "$pkts" "$base_s" "$bytes" "$(rss_mb "$TIMEF")" "$base_s" ""
    for t in $BENCH_THREADS; do
        out=$WORK/log-$t
        rm -rf "$out"
        mkdir -p "$out"
        if [ ! -x "$SENSOR" ]; then
            printf "$FMT" "$name" "sensor-${t}t" - - - - - - "no $SENSOR" | tee -a "$RESULTS"
            continue
        fi
        extra=()
        # a million concurrent flows do not fit the stock 128 MiB flow memcap (nor Suricata's):
        # raise the caps so the run measures holding them all, not emergency eviction
        [ "$cap" = "${FLOWS_PCAP:-}" ] && extra=(--set flow.memcap=1gb --set stream.memcap=1gb)
        timed "$SENSOR" -r "$cap" -l "$out" -S /dev/null --threads "$t" "${extra[@]}"
        note=""
        if [ "$RC" != 0 ]; then
            note="FAILED rc=$RC: $(grep -v '^\s*$' "$OUTF" | tail -1 | cut -c1-80)"
        elif [ -f "$out/eve.json" ]; then
            note="eve lines $(wc -l <"$out/eve.json")"
        else
            note="no eve.json written"
        fi
        row "$name" "sensor-${t}t" "$pkts" "$ELAPSED" "$bytes" "$(rss_mb "$TIMEF")" "$base_s" \
            "$note"
        if [ "$RC" != 0 ]; then
            sed 's/^/    | /' "$OUTF" | tail -5
        fi
    done
done
# ---- detection: the full ET Open 5.0 set ------------------------------------------------
# One worker over the city-mix capture (the big one when present, else the small one): rule
# load (parse + compile, from the sensor's own "rules:" line), Mbit/s, peak RSS, alerts.
ET=${BENCH_RULES:-../shared/corpus/rules/et-open-5.0}
det_cap=$BENCH_PCAP
[ -f "$det_cap" ] || det_cap=$SMALL
if [ -f "$ET/all.rules" ] && [ -f "$det_cap" ] && [ -x "$SENSOR" ]; then
    name=$(basename "$det_cap" .pcap)
    out=$WORK/log-et
    rm -rf "$out"
    mkdir -p "$out"
    timed "$SENSOR" -r "$det_cap" -l "$out" -S "$ET/all.rules" --threads 1 \
        --set classification-file="$ET/classification.config"
    load=$(sed -nE 's/.*rules: loaded ([0-9]+), skipped ([0-9]+); compiled in ([0-9.]+) s \(parsed in ([0-9.]+) s.*/\1 \2 \3 \4/p' "$OUTF")
    read -r nl ns cs ps <<<"${load:-0 0 0 0}"
    bytes=$(sed -nE 's/.*packets, ([0-9.]+) MB in.*/\1/p' "$OUTF" | head -1)
    secs=$(sed -nE 's/.* MB in ([0-9.]+) s .*/\1/p' "$OUTF" | head -1)
    alerts=0
    [ -f "$out/eve.json" ] && alerts=$(grep -c '"event_type":"alert"' "$out/eve.json")
    mbps=$(awk -v b="${bytes:-0}" -v s="${secs:-0}" 'BEGIN { printf "%.1f", (s > 0 ? b * 8 / s : 0) }')
    {
        echo
        echo "# detection: ET Open 5.0 ($ET/all.rules), 1 worker, $name"
        echo "rules loaded $nl, skipped $ns; parse ${ps} s + compile ${cs} s; packet loop ${secs:-?} s" \
             "($mbps Mbit/s per worker); wall ${ELAPSED} s; peak RSS $(rss_mb "$TIMEF") MB;" \
             "alerts $alerts; rc $RC"
    } | tee -a "$RESULTS"
else
    echo "bench: ET Open run skipped (needs $ET/all.rules, a capture and $SENSOR)"
fi
echo "bench: results in $RESULTS"
