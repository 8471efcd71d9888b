#!/usr/bin/env bash
# hub_ingest.sh — benchmark (not a test): events/s into the store through POST /api/v1/events
# from a loopback client, and p50/p99 latency of the main queries.
#
#   bench/hub_ingest.sh [BATCH_EVENTS=5000] [BATCHES=100] [CLIENTS=2]
#   HUB_DB=pg bench/hub_ingest.sh ...     # PostgreSQL ($CS_PG_DSN, else scripts/pg.sh)
#   HUB_THREADS=N (default: the hub's own, 4 per core; its HTTP pool serves a connection on
#   one thread, so with fewer threads than clients two batches can queue on one thread while
#   a core idles); BENCH_RATE=R events per second of event time (default 1: batch b covers
#   seconds [b*BATCH, (b+1)*BATCH), so 500,000 events span six days; 1000 puts them in 8 min)
#
# SQLite: the hub runs with its defaults (synchronous=FULL: each batch is fsync'ed before the
# acknowledgement) on a database in $BENCH_DIR (default a new /tmp directory). PostgreSQL:
# a fresh schema bench_<pid> (dropped at the end), each batch one COPY in one transaction,
# acknowledged after COMMIT (synchronous_commit on).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BATCH=${1:-5000}; NBATCH=${2:-100}; CLIENTS=${3:-2}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/cs-hub-bench.XXXXXX)}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB_DB=${HUB_DB:-sqlite}
SCHEMA=
if [ "$HUB_DB" = pg ]; then
    CS_PG_DSN=${CS_PG_DSN:-$(scripts/pg.sh start | tail -1)}
    SCHEMA=bench_$$
    psql -qAt "$CS_PG_DSN" -c "CREATE SCHEMA $SCHEMA" >/dev/null
    DB="pg:$CS_PG_DSN options='-c search_path=$SCHEMA'"
else
    DB=$DIR/hub.db
fi
cat > "$DIR/hub.yaml" <<YAML
database: "$DB"
listen: 127.0.0.1:$PORT
${HUB_THREADS:+threads: $HUB_THREADS}
limits: {max-body: 64mb}
auth: {password: {memory: 8kb, iterations: 1}}
YAML
CLI="$BUILD/citysoc -c $DIR/hub.yaml"
$CLI org add city --kind city >/dev/null
TOKEN=$($CLI sensor add bench --org city --key-out "$DIR/bench.pem" | awk '/^token:/{print $2}')
CITYSOC_PASSWORD=bench-password-1 $CLI user add bench --org city --role admin >/dev/null
"$BUILD/citysoc-hub" -c "$DIR/hub.yaml" 2>"$DIR/hub.log" &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; [ -z "${BENCH_DIR:-}" ] && rm -rf "$DIR";
      [ -n "$SCHEMA" ] && [ -z "${BENCH_KEEP:-}" ] && psql -qAt "$CS_PG_DSN" -c "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" || { cat "$DIR/hub.log"; exit 1; }
# every batch its own stretch of time (one event a second, batch b from b*BATCH on), as a
# sensor's consecutive batches are: resending one batch would put every batch's rows beside
# the same index keys, which no sensor does
RATE=${BENCH_RATE:-1}
python3 tests/hub/gen_eve.py 7 "$((BATCH * NBATCH))" 1 0 "$RATE" > "$DIR/batches.ndjson"
echo "store: $HUB_DB; batch: $BATCH events, $(( $(stat -c %s "$DIR/batches.ndjson") / NBATCH )) bytes; $NBATCH batches; $CLIENTS clients; $RATE events per second of event time"
python3 - "$PORT" "$TOKEN" "$DIR/batches.ndjson" "$NBATCH" "$CLIENTS" "$HUB" <<'PY'
import http.client, json, os, sys, threading, time
port, token, path, nb, nc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
hub = sys.argv[6]
def hub_cpu():
    # utime + stime of the hub in seconds: on a shared machine steadier than the wall clock
    f = open("/proc/%s/stat" % hub).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def server_cpu():
    # PostgreSQL on this machine (pg.sh): utime + stime of every postgres process (backends,
    # WAL writer, checkpointer); 0 when the server is elsewhere
    t = 0
    for pid in os.listdir("/proc"):
        try:
            st = open("/proc/%s/stat" % pid).read()
        except (OSError, ValueError):
            continue
        if not pid.isdigit() or "(postgres)" not in st:
            continue
        f = st.rsplit(")", 1)[1].split()
        t += int(f[11]) + int(f[12])
    return t / os.sysconf("SC_CLK_TCK")
cpu0 = hub_cpu()
srv0 = server_cpu()
lines = open(path, "rb").read().splitlines(keepends=True)
per = len(lines) // nb
bodies = [b"".join(lines[b * per:(b + 1) * per]) for b in range(nb)]
del lines
stored = [0] * nc
def worker(k):
    c = http.client.HTTPConnection("127.0.0.1", int(port))
    for b in range(k, nb, nc):
        c.request("POST", "/api/v1/events", bodies[b], {"Authorization": "Bearer " + token,
                  "Content-Type": "application/x-ndjson", "X-Citysoc-Batch": "bench-%d" % b})
        r = c.getresponse(); d = r.read()
        assert r.status == 200, d
        stored[k] += json.loads(d)["stored"]
t = time.time()
th = [threading.Thread(target=worker, args=(k,)) for k in range(nc)]
[x.start() for x in th]; [x.join() for x in th]
dt = time.time() - t
print("ingest: %d events in %.2f s = %.0f events/s (acknowledged after a durable commit)" % (sum(stored), dt, sum(stored) / dt))
cpu = hub_cpu() - cpu0
srv = server_cpu() - srv0
if srv:
    print("server cpu (all postgres processes on this machine): %.2f s = %.2f us/event" % (srv, srv * 1e6 / sum(stored)))
print("hub cpu: %.2f s = %.2f us/event (%.0f events per cpu-second)" % (cpu, cpu * 1e6 / sum(stored), sum(stored) / cpu if cpu else 0))
PY
python3 - "$PORT" <<'PY'
import http.client, json, sys, time
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("POST", "/api/v1/auth/login", json.dumps({"username": "bench", "password": "bench-password-1"}),
          {"Content-Type": "application/json"})
tok = json.loads(c.getresponse().read())["token"]
queries = {
    "latest 100": "/api/v1/events?limit=100",
    "alerts, 100": "/api/v1/events?event_type=alert&limit=100",
    "by address": "/api/v1/events?ip=10.7.0.1&limit=100",
    "signature substring": "/api/v1/events?signature=TEST%203&limit=100",
    "time range 1 h": "/api/v1/events?from=2026-06-12T08:00:00Z&to=2026-06-12T09:00:00Z&limit=100",
    "event by id": "/api/v1/events/1",
}
for name, q in queries.items():
    lat = []
    for _ in range(50):
        t = time.time()
        c.request("GET", q, headers={"Authorization": "Bearer " + tok})
        r = c.getresponse(); r.read()
        assert r.status == 200
        lat.append((time.time() - t) * 1000)
    lat.sort()
    print("query %-20s p50 %7.2f ms  p99 %7.2f ms" % (name, lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1 if len(lat) >= 100 else -1]))
PY
echo "hub peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$HUB/status)"
if [ "$HUB_DB" = pg ]; then
    echo "database: $(psql -qAt "$CS_PG_DSN" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid)))
        FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace
        WHERE n.nspname='$SCHEMA' AND c.relkind IN ('r','m')") (schema $SCHEMA, tables + indexes)"
else
    echo "database: $(du -sh "$DIR/hub.db" | cut -f1)"
fi
