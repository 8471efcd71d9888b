#!/usr/bin/env bash
# hub_query.sh — benchmark (not a test): p50/p99 latency of the main event queries over HTTP
# against an existing hub database, typically one filled by hub_fill (bench/README.md).
#
#   bench/hub_query.sh DB [REPEAT=50]
#
# Starts $BUILD/citysoc-hub on DB (keys next to it, as hub_fill left them) on a free
# loopback port, logs in as $BENCH_USER (default city-admin) with $CITYSOC_PASSWORD (default
# fill-password-1) and, for each query, runs one untimed warm-up then REPEAT timed requests
# on one keep-alive connection. Parameters (an address, an org, a sensor, a time in the
# middle of the data) are taken from the data itself. Ids and cursors vary per request so
# the "by id" and "deep cursor" rows are not served from one hot page. A query stops early
# once it has used $BENCH_BUDGET seconds (default 60; column n says how many were timed).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DB=${1:?usage: bench/hub_query.sh DB [REPEAT]}
REPEAT=${2:-50}
DIR=$(mktemp -d /tmp/cs-hub-query.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$DIR/hub.yaml" <<YAML
database: $DB
listen: 127.0.0.1:$PORT
threads: 2
YAML
"$BUILD/citysoc-hub" -c "$DIR/hub.yaml" 2>"$DIR/hub.log" &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" || { cat "$DIR/hub.log"; exit 1; }
echo "database: $DB ($(du -sh "$DB" | cut -f1)); $REPEAT requests per query after one warm-up"
python3 -u - "$PORT" "$REPEAT" "${BENCH_USER:-city-admin}" "${CITYSOC_PASSWORD:-fill-password-1}" "${BENCH_BUDGET:-60}" <<'PY'
import http.client, json, random, sys, time
port, rep, user, pw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
budget = float(sys.argv[5])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

def get(path, tok):
    c.request("GET", path, headers={"Authorization": "Bearer " + tok})
    r = c.getresponse(); d = r.read()
    assert r.status == 200, (path, r.status, d[:200])
    return json.loads(d)

c.request("POST", "/api/v1/auth/login", json.dumps({"username": user, "password": pw}),
          {"Content-Type": "application/json"})
r = c.getresponse(); tok = json.loads(r.read())["token"]
newest = get("/api/v1/events?limit=1", tok)["events"][0]
maxid = newest["id"]
mid = get("/api/v1/events/%d" % (maxid // 2), tok)
orgs = get("/api/v1/orgs", tok)["orgs"]
district = [o for o in orgs if o["kind"] == "district"][0]
leaf = [o for o in orgs if o["kind"] == "org"][-1]
sensor = get("/api/v1/sensors", tok)["sensors"][0]
ip = mid.get("src_ip") or newest.get("src_ip") or "10.1.1.20"
t_mid = mid["ts_us"]
dst = mid.get("dest_ip") or newest.get("dest_ip") or "10.1.1.21"
flow = mid.get("flow_id") or newest.get("flow_id") or 1
hour = 3600 * 1000000
rnd = random.Random(7)

queries = [
    ("newest 100", lambda: "/api/v1/events?limit=100"),
    ("alerts, newest 100", lambda: "/api/v1/events?event_type=alert&limit=100"),
    ("severity 1 alerts", lambda: "/api/v1/events?severity_max=1&limit=100"),
    ("org subtree (district)", lambda: "/api/v1/events?org_id=%d&limit=100" % district["id"]),
    ("org (leaf)", lambda: "/api/v1/events?org_id=%d&limit=100" % leaf["id"]),
    ("org (leaf) alerts", lambda: "/api/v1/events?org_id=%d&event_type=alert&limit=100" % leaf["id"]),
    ("sensor", lambda: "/api/v1/events?sensor_id=%d&limit=100" % sensor["id"]),
    ("signature substring", lambda: "/api/v1/events?signature=EXPLOIT&limit=100"),
    ("signature_id", lambda: "/api/v1/events?signature_id=2001219&limit=100"),
    ("ip (either side)", lambda: "/api/v1/events?ip=%s&limit=100" % ip),
    ("src_ip", lambda: "/api/v1/events?src_ip=%s&limit=100" % ip),
    ("dest_ip", lambda: "/api/v1/events?dest_ip=%s&limit=100" % dst),
    ("flow_id", lambda: "/api/v1/events?flow_id=%d&limit=100" % flow),
    ("ip of a random event", lambda: "/api/v1/events?ip=%s&limit=100" % rnd_ip()),
    ("time range 1 h, middle", lambda: "/api/v1/events?from=%d&to=%d&limit=100" % (t_mid, t_mid + hour)),
    ("time 1 h + alerts", lambda: "/api/v1/events?event_type=alert&from=%d&to=%d&limit=100" % (t_mid, t_mid + hour)),
    ("event by id", lambda: "/api/v1/events/%d" % rnd.randint(1, maxid)),
    ("deep cursor page", None),
]

def rnd_ip():
    e = get("/api/v1/events/%d" % rnd.randint(1, maxid), tok)
    return e.get("dest_ip") or e.get("src_ip") or ip

def deep_cursor():
    e = get("/api/v1/events/%d" % rnd.randint(1, maxid), tok)
    return "/api/v1/events?limit=100&cursor=%d.%d" % (e["ts_us"], e["id"])

print("%-26s %9s %9s %9s %6s %4s" % ("query", "p50 ms", "p99 ms", "max ms", "rows", "n"))
for name, q in queries:
    lat = []
    rows = 0
    t0 = time.perf_counter()
    for i in range(rep + 1):
        if i > 1 and time.perf_counter() - t0 > budget:
            break
        path = q() if q else deep_cursor()
        t = time.perf_counter()
        d = get(path, tok)
        dt = (time.perf_counter() - t) * 1000
        if i:
            lat.append(dt)
        rows = len(d["events"]) if "events" in d else 1
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(round(len(lat) * 0.99)) - 1)]
    print("%-26s %9.2f %9.2f %9.2f %6d %4d" % (name, lat[len(lat) // 2], p99, lat[-1], rows, len(lat)))
PY
echo "hub peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$HUB/status)"
