#!/usr/bin/env bash
# console_overview.sh [EVENTS] [RUNS] — the console's overview render time with EVENTS
# (default 10,000,000) stored: a hub database filled by $BUILD/bench/hub_fill (kept in
# $CS_BENCH_DIR, default /tmp/citysoc-bench/console-<EVENTS>.db, and reused: the filler
# stores nothing twice), citysoc-hub serving web/ on loopback, Debian's chromium loading the
# overview RUNS times (default 7). The time is the browser's own: performance.mark
# "citysoc-overview-drawn" (set when the data is in and every chart has emitted "finished"),
# measured from the navigation's start. Prints each run, then min / median / max.
# RANGE (1h, 24h, 7d, 30d; default 24h) is the overview's range. DB=<file> measures an
# existing hub database instead (no fill; USER_NAME and CITYSOC_PASSWORD name its admin),
# e.g. the 7-day one of bench/hub_overview.sh:
#   DB=/tmp/cs-ov-10m/hub.db USER_NAME=city-admin CITYSOC_PASSWORD=bench-password-1 RANGE=7d bench/console_overview.sh
# A benchmark, not a test (no RESULT line).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-10000000}
RUNS=${2:-7}
DIR=${CS_BENCH_DIR:-/tmp/citysoc-bench}
FILL=1
if [ -n "${DB:-}" ]; then FILL=0; else DB=$DIR/console-$N.db; fi
[ -n "${DB:-}" ] || [ -x "$BUILD/bench/hub_fill" ] || { echo "console_overview: needs $BUILD/bench/hub_fill (bench/hub_fill.c)"; exit 1; }
[ -f web/vendor/echarts.min.js ] || { echo "console_overview: run make (web/vendor) after scripts/deps.sh"; exit 1; }
mkdir -p "$DIR"
export CITYSOC_PASSWORD=${CITYSOC_PASSWORD:-fill-password-1}
if [ $FILL = 1 ]; then
    echo "== filling $DB with $N events (reused when already there)"
    start=$(date +%s)
    "$BUILD/bench/hub_fill" --db "$DB" --events "$N" --days 1 --quiet
    echo "   fill: $(( $(date +%s) - start )) s, $(du -h "$DB" | cut -f1)"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD/citysoc-hub" --db "$DB" --listen "127.0.0.1:$PORT" --web-root "$PWD/web" 2>"$DIR/console-hub.log" &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
BASE=http://127.0.0.1:$PORT USER_NAME=${USER_NAME:-city-admin} PW=$CITYSOC_PASSWORD RUNS=$RUNS RANGE=${RANGE:-24h} node tests/web/bench_overview.mjs
