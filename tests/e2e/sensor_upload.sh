#!/usr/bin/env bash
# sensor_upload.sh — the sensor's hub output against a real citysoc-hub on 127.0.0.1 (SQLite
# in a temporary directory, signatures required): the hub stores exactly the records of the
# sensor's eve.json; with the hub down the spool keeps everything and the sensor catches up
# when it returns; a sensor killed with SIGKILL mid-upload loses and duplicates nothing after
# a restart; a batch the hub refuses (400) is moved aside and the rest still arrives.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
SENSOR=$BUILD/citysoc-sensor
PW=correct-horse-battery
P1=tests/data/pcaps/decode/anomaly.pcap
P2=tests/data/pcaps/iec104/TestDissectIec104.pcap
P3=tests/data/pcaps/dnp3/DNP3-Malformed.pcap

hub_config </dev/null
sed -i 's/^auth:$/auth:\n  require-signatures: yes/' "$WORK/hub.yaml"
$CLI org add city --kind city >/dev/null
CITYSOC_PASSWORD=$PW $CLI user add admin --org city --role admin >/dev/null
$CLI sensor add edge-1 --org city --key-out "$WORK/edge-1.pem" | awk '/^token:/{print $2}' > "$WORK/token"
check "citysoc sensor add gives a token" "cst_" "$(head -c 4 "$WORK/token")"
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }
ADMIN=$(login admin $PW)

# sensor_cfg NAME SPOOL BATCH_EVENTS DRAIN [COMPRESSION] — writes $WORK/NAME.yaml
sensor_cfg() {
    cat > "$WORK/$1.yaml" <<YAML
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
  - hub:
      url: $BASE
      token-file: $WORK/token
      key: $WORK/edge-1.pem
      sensor-name: edge-1
      spool-dir: $2
      batch-events: $3
      flush-interval: 100ms
      retry-max: 300ms
      timeout: 2s
      drain-timeout: $4
      compression: ${5:-zstd}
YAML
}

# run_sensor CFG PCAP LOGDIR — runs the sensor in the foreground
run_sensor() {
    mkdir -p "$3"
    "$SENSOR" -c "$WORK/$1.yaml" -r "$2" -l "$3" -S /dev/null 2>"$3/stderr"
}

# all_records FILE — every event the hub holds, its original record normalised, one a line
all_records() {
    python3 - "$BASE" "$ADMIN" > "$1" <<'PY'
import json, sys, urllib.request
base, tok = sys.argv[1], sys.argv[2]
cur, out = None, []
while True:
    url = base + "/api/v1/events?limit=1000" + ("&cursor=" + cur if cur else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + tok})
    d = json.load(urllib.request.urlopen(req))
    for e in d["events"]:
        out.append(json.dumps(e.get("record", e.get("raw")), sort_keys=True))
    cur = d.get("next_cursor")
    if not cur:
        break
print("\n".join(sorted(out)))
PY
}

count_hub() { all_records "$WORK/all.txt"; grep -c . "$WORK/all.txt"; }
# norm FILE... — eve.json lines normalised like all_records
norm() { python3 -c 'import json,sys
for f in sys.argv[1:]:
    for l in open(f):
        if l.strip(): print(json.dumps(json.loads(l), sort_keys=True))' "$@" | sort; }
stat_of() { sed -nE "s/.*hub: ([0-9]+) events in ([0-9]+) batches uploaded \(([0-9]+) retries, ([0-9]+) batches rejected, ([0-9]+) events dropped, ([0-9]+) left.*/\\$2/p" "$1"; }

# ---- 1. hub up: the hub holds exactly the sensor's eve.json --------------------------------
sensor_cfg up "$WORK/spool" 10 20s
run_sensor up "$P1" "$WORK/r1"
check "sensor exits 0 (hub up)" "0" "$?"
N1=$(grep -c . "$WORK/r1/eve.json")
check "hub has as many events as eve.json ($N1)" "$N1" "$(count_hub)"
norm "$WORK/r1/eve.json" > "$WORK/exp.txt"
if cmp -s "$WORK/exp.txt" "$WORK/all.txt"; then ok "hub records equal eve.json records"; else bad "hub records equal eve.json records" "$(diff "$WORK/exp.txt" "$WORK/all.txt" | head -3)"; fi
check "summary: all uploaded, none left" "$N1:0" "$(stat_of "$WORK/r1/stderr" 1):$(stat_of "$WORK/r1/stderr" 6)"
check "stats record carries the hub counters" "true" "$(grep '"event_type":"stats"' "$WORK/r1/eve.json" | j '"hub" in d["stats"] and "spool_bytes" in d["stats"]["hub"]')"
req GET "/api/v1/events?limit=1&event_type=stats" "$ADMIN"
check "event fields indexed (event_type)" "stats" "$(echo "$BODY" | j 'd["events"][0]["event_type"]')"

# ---- 2. hub down while the sensor runs: spooled, then caught up when it returns ------------
hub_stop
sensor_cfg down "$WORK/spool" 10 60s gzip
mkdir -p "$WORK/r2"
"$SENSOR" -c "$WORK/down.yaml" -r "$P2" -l "$WORK/r2" -S /dev/null 2>"$WORK/r2/stderr" &
SP=$!
for _ in $(seq 1 100); do grep -q "will retry" "$WORK/r2/stderr" 2>/dev/null && break; sleep 0.1; done
check "sensor notices the hub is down" "1" "$(grep -c 'will retry' "$WORK/r2/stderr")"
N2=$(grep -c . "$WORK/r2/eve.json")
SPOOLED=$(du -cb "$WORK"/spool/seg-*.spool 2>/dev/null | tail -1 | cut -f1)
check "records wait in the spool" "true" "$([ "${SPOOLED:-0}" -gt 0 ] && echo true || echo false)"
sleep 0.5
hub_start || bad "hub restarts" "see log"
wait $SP
check "sensor exits 0 after catching up" "0" "$?"
check "every record arrives once after the outage" "$((N1 + N2))" "$(count_hub)"
norm "$WORK/r1/eve.json" "$WORK/r2/eve.json" > "$WORK/exp.txt"
if cmp -s "$WORK/exp.txt" "$WORK/all.txt"; then ok "records after the outage equal eve.json"; else bad "records after the outage equal eve.json" "$(diff "$WORK/exp.txt" "$WORK/all.txt" | head -3)"; fi
check "retries were counted" "true" "$([ "$(stat_of "$WORK/r2/stderr" 3)" -gt 0 ] && echo true || echo false)"

# ---- 3. SIGKILL mid-upload, restart: no loss, no duplicate ---------------------------------
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' "$WORK/empty.pcap"
hub_stop
sensor_cfg fill "$WORK/spool" 1 0
run_sensor fill "$P3" "$WORK/r3"
N3=$(grep -c . "$WORK/r3/eve.json")
check "hub down, no drain: everything left in the spool" "$N3" "$(stat_of "$WORK/r3/stderr" 6)"
hub_start || bad "hub restarts" "see log"
BASE3=$((N1 + N2))
sensor_cfg drain "$WORK/spool" 1 60s
# The hub is stopped (SIGSTOP: its socket still accepts) while the sensor starts, so the
# sensor's first batch is on the wire, unanswered, when it is killed: the case of an answer
# lost to a crash, whatever the speed of the machine. The hub may store that batch when it
# resumes; the restarted sensor sends it again under the same id.
kill -STOP "$HUB_PID"
mkdir -p "$WORK/r4"
"$SENSOR" -c "$WORK/drain.yaml" -r "$WORK/empty.pcap" -l "$WORK/r4" -S /dev/null 2>"$WORK/r4/stderr" &
SP=$! # the sensor itself, not a subshell: kill -9 must hit it
sleep 1
{ kill -9 $SP; wait $SP; } 2>/dev/null
kill -CONT "$HUB_PID"
check "the sensor was killed, not finished" "0" "$(grep -c 'batches uploaded' "$WORK/r4/stderr")"
check "its first batch was in flight (cursor names it)" "true" "$(awk '{print ($5 != 0) ? "true" : "false"}' "$WORK/spool/cursor")"
MID=$(count_hub)
echo "# killed with $((MID - BASE3)) of $N3 records stored"
check "the kill came mid-upload" "true" "$([ "$MID" -lt $((BASE3 + N3)) ] && echo true || echo false)"
run_sensor drain "$WORK/empty.pcap" "$WORK/r5"
check "restarted sensor exits 0" "0" "$?"
N5=$(cat "$WORK/r4/eve.json" "$WORK/r5/eve.json" 2>/dev/null | grep -c .) # the restarts' own stats records
check "after kill -9 and restart: every record exactly once" "$((N1 + N2 + N3 + N5))" "$(count_hub)"
norm "$WORK/r1/eve.json" "$WORK/r2/eve.json" "$WORK/r3/eve.json" "$WORK/r4/eve.json" "$WORK/r5/eve.json" > "$WORK/exp.txt"
if cmp -s "$WORK/exp.txt" "$WORK/all.txt"; then ok "records after the kill equal eve.json"; else bad "records after the kill equal eve.json" "$(diff "$WORK/exp.txt" "$WORK/all.txt" | head -3)"; fi
check "resume reported on restart" "1" "$(grep -c 'resuming the spool' "$WORK/r5/stderr")"
check "spool empty at the end" "0" "$(stat_of "$WORK/r5/stderr" 6)"

# ---- 4. a poisoned batch is moved aside, the rest arrives ----------------------------------
mkdir -p "$WORK/spool4"
python3 - "$WORK/spool4/seg-0000000000000001.spool" <<'PY'
import struct, sys, zlib
lines = ['{"timestamp":"2026-06-12T08:00:0%d.000000+0000","event_type":"dns","src_ip":"10.9.9.%d","dest_ip":"10.9.9.254","proto":"UDP"}' % (i, i) for i in range(6)]
lines.insert(2, '{"timestamp":"2026-06-12T08:00:00.000000+0000","event_type": ')
with open(sys.argv[1], "wb") as f:
    for l in lines:
        b = l.encode()
        f.write(struct.pack("<II", len(b), zlib.crc32(b)) + b)
PY
BEFORE=$(count_hub)
sensor_cfg poison "$WORK/spool4" 2 20s none
run_sensor poison "$WORK/empty.pcap" "$WORK/r6"
check "sensor exits 0 with a poisoned batch" "0" "$?"
check "one batch rejected" "1" "$(stat_of "$WORK/r6/stderr" 4)"
check "rejected batch kept aside with the hub's answer" "1:1:2" "$(ls "$WORK"/spool4/rejected/*.ndjson | wc -l):$(grep -c '^HTTP 400' "$WORK"/spool4/rejected/*.response):$(cat "$WORK"/spool4/rejected/*.ndjson | wc -l)"
check "rejection logged" "1" "$(grep -c 'rejected by the hub' "$WORK/r6/stderr")"
check "the other batches arrive" "$((BEFORE + 5 + $(grep -c . "$WORK/r6/eve.json")))" "$(count_hub)"
req GET "/api/v1/events?src_ip=10.9.9.5" "$ADMIN"
check "an event after the poisoned batch is stored" "1" "$(echo "$BODY" | j 'len(d["events"])')"

# ---- 5. bad configuration is refused up front ----------------------------------------------
out=$("$SENSOR" -r "$P1" -l "$WORK/r1" -S /dev/null --hub-url https://127.0.0.1:1 --hub-token-file "$WORK/token" 2>&1)
check "https url refused with a reason" "1" "$(echo "$out" | grep -c 'https is not supported')"
out=$("$SENSOR" -r "$P1" -l "$WORK/r1" -S /dev/null --hub-url "$BASE" --hub-token-file "$WORK/token" --hub-key "$WORK/edge-1.pem" 2>&1)
check "a key without a sensor name is refused" "1" "$(echo "$out" | grep -c 'sensor-name')"

if grep -qE 'ERROR: AddressSanitizer|LeakSanitizer|runtime error' "$WORK"/r*/stderr 2>/dev/null; then
    bad "sensor ran clean under the sanitizers" "$(grep -hE 'ERROR: AddressSanitizer|LeakSanitizer|runtime error' "$WORK"/r*/stderr | head -3)"
fi
hub_done
