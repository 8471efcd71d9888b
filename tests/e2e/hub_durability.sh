#!/usr/bin/env bash
# hub_durability.sh — kill -9 the hub in the middle of a long ingest: every acknowledged
# batch is in the database after the restart, and none is stored twice (also after the
# client re-sends everything, as a sensor's spool does after an outage). HUB_DB=pg runs it on
# PostgreSQL (hub_durability_pg.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
hub_config </dev/null
$CLI org add city --kind city >/dev/null
TOKEN=$($CLI sensor add s1 --org city --key-out "$WORK/s1.pem" | awk '/^token:/{print $2}')
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }

NB=400; PER=250
cat > "$WORK/client.py" <<'PY'
import http.client, json, sys, time
port, token, nb, per, acked_path, mode = sys.argv[1:7]
nb, per = int(nb), int(per)
def body(b):
    lines = []
    for i in range(per):
        lines.append(json.dumps({"timestamp": "2026-06-12T03:23:01.000000+0000",
                                 "event_type": "flow", "flow_id": b * 100000 + i + 1,
                                 "src_ip": "10.0.%d.%d" % (b % 250, i % 250),
                                 "dest_ip": "192.0.2.1", "proto": "TCP"}))
    return ("\n".join(lines) + "\n").encode()
acked = open(acked_path, "a")
for b in range(nb):
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
            c.request("POST", "/api/v1/events", body(b), {
                "Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson",
                "X-Citysoc-Batch": "d-%d" % b})
            r = c.getresponse()
            data = r.read()
            if r.status == 200:
                acked.write("d-%d\n" % b); acked.flush()
                break
            print("status", r.status, data[:200], file=sys.stderr)
            sys.exit(2)
        except (ConnectionError, OSError, http.client.HTTPException):
            if mode == "once":
                sys.exit(0)   # the hub died: stop like a sensor that spools
            time.sleep(0.1)
PY
python3 "$WORK/client.py" "$PORT" "$TOKEN" $NB $PER "$WORK/acked1" once &
CLIENT=$!
# wait until some batches are acknowledged, then kill -9 mid-stream
for _ in $(seq 1 100); do
    [ -f "$WORK/acked1" ] && [ "$(wc -l < "$WORK/acked1")" -ge 20 ] && break
    sleep 0.05
done
kill -9 "$HUB_PID"; wait "$HUB_PID" 2>/dev/null; HUB_PID=
wait "$CLIENT"
N1=$(wc -l < "$WORK/acked1")
if [ "$N1" -ge 20 ] && [ "$N1" -lt $NB ]; then ok "killed mid-ingest after $N1 acknowledged batches"; else bad "kill mid-ingest" "$N1 acknowledged"; fi

verify() { # prints: acked_missing events distinct_flow batches sum_nevents
if [ "$HUB_DB" = pg ]; then
    local ids miss=0
    ids=$(pg_sql "SELECT batch_id FROM batches")
    while read -r a; do
        [ -n "$a" ] && ! grep -qx "$a" <<<"$ids" && miss=$((miss + 1))
    done <"$1"
    echo "$miss $(pg_sql "SELECT (SELECT count(*) FROM events),
        (SELECT count(DISTINCT convert_from(raw, 'UTF8')::json->>'flow_id') FROM events),
        count(*), coalesce(sum(nevents),0) FROM batches")"
    return
fi
python3 - "$WORK/hub.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = {r[0] for r in db.execute("SELECT batch_id FROM batches")}
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
missing = sum(1 for a in acked if a not in ids)
ev = db.execute("SELECT count(*) FROM events").fetchone()[0]
distinct = db.execute("SELECT count(DISTINCT json_extract(raw, '$.flow_id')) FROM events").fetchone()[0]
nb, tot = db.execute("SELECT count(*), coalesce(sum(nevents),0) FROM batches").fetchone()
print(missing, ev, distinct, nb, tot)
PY
}
read -r miss ev distinct nb tot < <(verify "$WORK/acked1")
check "every acknowledged batch survived kill -9" "0" "$miss"
check "no event stored twice" "$ev" "$distinct"
check "events match their batches" "$tot" "$ev"

hub_start || { bad "hub restarts" "see log"; hub_done; exit 1; }
# the sensor re-sends everything from its spool: duplicates are recognised
python3 "$WORK/client.py" "$PORT" "$TOKEN" $NB $PER "$WORK/acked2" retry
check "all batches acknowledged after restart" "$NB" "$(wc -l < "$WORK/acked2")"
read -r miss ev distinct nb tot < <(verify "$WORK/acked2")
check "all batches stored" "0:$NB" "$miss:$nb"
check "each event exactly once after the re-send" "$((NB * PER)):$((NB * PER))" "$ev:$distinct"
hub_done
