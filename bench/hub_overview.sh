#!/usr/bin/env bash
# hub_overview.sh — benchmark (not a test): latency of GET /api/v1/stats/overview (and a few
# other console queries) on a SQLite hub holding N generated events.
#
#   bench/hub_overview.sh [EVENTS=10000000] [RUNS=30]
#
# Fills the database through `citysoc import` (the normaliser, hub_store_batch_add and its
# rollups, batches of 5000, synchronous=FULL), from bench/gen_city_eve.py: 20 sensors in 20
# plants under 4 districts of one city, events spread over the 7 days up to now. With
# BENCH_DIR set, an existing filled database there is reused (delete it to refill). Prints
# p50/p99/max of RUNS requests per query, measured by curl (time_total) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EVENTS=${1:-10000000}; RUNS=${2:-30}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/cs-hub-overview.XXXXXX)}
mkdir -p "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$DIR/hub.yaml" <<YAML
database: $DIR/hub.db
listen: 127.0.0.1:$PORT
threads: 2
auth: {password: {memory: 8kb, iterations: 1}}
YAML
CLI="$BUILD/citysoc -c $DIR/hub.yaml"
NS=20
END=$(date +%s); SPAN=$((7 * 86400))
if [ ! -s "$DIR/filled" ]; then
    rm -f "$DIR/hub.db" "$DIR/hub.db-wal" "$DIR/hub.db-shm"
    $CLI org add city --kind city >/dev/null
    for d in 1 2 3 4; do $CLI org add "district-$d" --parent city --kind district >/dev/null; done
    for k in $(seq 1 $NS); do
        $CLI org add "plant-$k" --parent "district-$(( (k - 1) / 5 + 1 ))" --kind org >/dev/null
        $CLI sensor add "sensor-$k" --org "plant-$k" --key-out "$DIR/s$k.pem" >/dev/null
    done
    CITYSOC_PASSWORD=bench-password-1 $CLI user add city-admin --org city --role admin >/dev/null
    CITYSOC_PASSWORD=bench-password-1 $CLI user add d1-analyst --org district-1 --role analyst >/dev/null
    PER=$((EVENTS / NS)); t0=$(date +%s.%N)
    python3 bench/gen_city_eve.py 1 $PER $END $SPAN > "$DIR/gen-1.ndjson"
    for k in $(seq 1 $NS); do
        # generate the next sensor's file while this one is imported
        [ $k -lt $NS ] && { python3 bench/gen_city_eve.py $((k + 1)) $PER $END $SPAN > "$DIR/gen-$((k + 1)).ndjson" & }
        $CLI import eve "$DIR/gen-$k.ndjson" --sensor "sensor-$k" | sed 's/^/  /'
        wait
        rm -f "$DIR/gen-$k.ndjson"
    done
    t1=$(date +%s.%N)
    python3 -c "import sys; n=$PER*$NS; s=$t1-$t0; print('filled: %d events in %.0f s (%.0f events/s, generation overlapped)' % (n, s, n/s))"
    echo "$END" > "$DIR/filled"
fi
END=$(cat "$DIR/filled")
$CLI org list >/dev/null # opens the database: pending migrations run here, not in the timing
python3 - "$DIR/hub.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for t in ("events", "ru_ev", "ru_ip"):
    print("  %-7s %10d rows" % (t, db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]))
print("  database %.0f MB" % (db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0] / 1e6))
PY
"$BUILD/citysoc-hub" -c "$DIR/hub.yaml" 2>"$DIR/hub.log" &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; [ -z "${BENCH_DIR:-}" ] && rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
login() { curl -s -H 'Content-Type: application/json' --data "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
CITY=$(login city-admin); D1=$(login d1-analyst)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
TO=$(iso "$END"); D24=$(iso $((END - 86400))); D7=$(iso $((END - 7 * 86400))); H1=$(iso $((END - 3600)))
measure() { # NAME TOKEN PATH
    local name=$1 tok=$2 path=$3 ts=() code
    code=$(curl -s -o "$DIR/last.json" -w '%{http_code}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT$path")
    [ "$code" = 200 ] || { echo "$name: HTTP $code $(head -c 200 "$DIR/last.json")"; return; }
    for _ in $(seq "$RUNS"); do
        ts+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT$path")")
    done
    python3 - "$name" "$DIR/last.json" "${ts[@]}" <<'PY'
import json, sys
name, body, t = sys.argv[1], json.load(open(sys.argv[2])), sorted(float(x) * 1000 for x in sys.argv[3:])
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
info = ""
if "totals" in body:
    info = "events=%d alerts=%d buckets=%d res=%ds" % (body["totals"]["events"], body["totals"]["alerts"], len(body["alerts_over_time"]), body["resolution_s"])
elif "rows" in body: info = "rows=%d" % len(body["rows"])
elif "events" in body: info = "events=%d" % len(body["events"])
elif "orgs" in body: info = "orgs=%d" % len(body["orgs"])
print("%-34s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d runs)  %s" % (name, p(0.5), p(0.99), t[-1], len(t), info))
PY
}
echo "queries (loopback, $RUNS runs each after one warm-up):"
measure "overview city 24h (default)" "$CITY" "/api/v1/stats/overview"
measure "overview city 24h hourly" "$CITY" "/api/v1/stats/overview?from=$D24&to=$TO&bucket=3600"
measure "overview district-1 24h" "$D1" "/api/v1/stats/overview?from=$D24&to=$TO"
measure "overview city 7d" "$CITY" "/api/v1/stats/overview?from=$D7&to=$TO"
measure "overview city 1h (minute buckets)" "$CITY" "/api/v1/stats/overview?from=$H1&to=$TO"
measure "overview city 24h 5-min buckets" "$CITY" "/api/v1/stats/overview?from=$D24&to=$TO&bucket=300"
measure "stats/orgs city 24h" "$CITY" "/api/v1/stats/orgs?from=$D24&to=$TO"
measure "events since_id (ticker poll)" "$CITY" "/api/v1/events?since_id=$(( EVENTS - 100 ))&severity_max=2&limit=100"
measure "agg by signature, alerts, 1h" "$CITY" "/api/v1/stats/agg?by=signature&event_type=alert&from=$H1&to=$TO"
