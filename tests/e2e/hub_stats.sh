#!/usr/bin/env bash
# hub_stats.sh — the console's statistics over real HTTP: build/citysoc-hub on 127.0.0.1 with
# curl. Overview (totals, alerts over time, top signatures and addresses, protocols, ICS
# operations from real sensor EVE, sensor status, organisations), tenancy of every figure, the
# grouping route, the per-organisation counts, the event filters the console uses (flow_id,
# app_proto, proto, q, since_id) and bad input. Expected figures are computed from the
# generated batches by Python, independently of the hub.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
GEN=tests/hub/gen_eve.py
ICS=tests/data/hub/ics_eve.ndjson
PW=correct-horse-battery

hub_config </dev/null
$CLI org add city --kind city >/dev/null
$CLI org add district-a --parent city --kind district >/dev/null
$CLI org add district-b --parent city --kind district >/dev/null
$CLI org add plant-a --parent district-a --kind org >/dev/null
$CLI org add plant-b --parent district-b --kind org >/dev/null
for u in "root-admin city admin" "a-analyst district-a analyst" "b-analyst district-b analyst"; do
    set -- $u
    CITYSOC_PASSWORD=$PW $CLI user add "$1" --org "$2" --role "$3" >/dev/null || bad "user add $1" "failed"
done
SA_TOKEN=$($CLI sensor add sensor-a --org plant-a --key-out "$WORK/sa.pem" | awk '/^token:/{print $2}')
SB_TOKEN=$($CLI sensor add sensor-b --org plant-b --key-out "$WORK/sb.pem" | awk '/^token:/{print $2}')
PA=$($CLI org list | awk '$3=="plant-a"{print $1}')
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }
ROOT=$(login root-admin $PW); AAN=$(login a-analyst $PW); BAN=$(login b-analyst $PW)

python3 $GEN 1 200 1 > "$WORK/a.ndjson"
python3 $GEN 2 120 2 > "$WORK/b.ndjson"
ingest "$SA_TOKEN" a-1 "$WORK/a.ndjson";   check "ingest A" "200" "$CODE"
ingest "$SB_TOKEN" b-1 "$WORK/b.ndjson";   check "ingest B" "200" "$CODE"
ingest "$SA_TOKEN" a-ics "$ICS";           check "ingest A's ICS records" "200:51" "$CODE:$(echo "$BODY" | j 'd["stored"]')"
ingest "$SA_TOKEN" a-1 "$WORK/a.ndjson";   check "a retried batch" "true" "$(echo "$BODY" | j 'd["duplicate"]')"

# what the generated batches hold, computed from the files
expect() { python3 - "$@" <<'PY'
import collections, json, sys
what, files = sys.argv[1], sys.argv[2:]
recs = [json.loads(l) for f in files for l in open(f)]
al = [r for r in recs if "alert" in r]
sig = collections.Counter(r["alert"]["signature_id"] for r in al)
src = collections.Counter(r["src_ip"] for r in al)
if what == "totals": print("%d:%d" % (len(recs), len(al)))
if what == "sev":
    print(",".join(str(sum(1 for r in al if r["alert"]["severity"] == s)) for s in (1, 2, 3, 4)))
if what == "topsig":
    top = sorted(sig.items(), key=lambda kv: (-kv[1], kv[0]))[0]; print("%d:%d" % top)
if what == "topsrc":
    top = sorted(src.items(), key=lambda kv: (-kv[1], kv[0]))[0]; print("%s:%d" % top)
if what == "nsig": print(len(sig))
PY
}
DAY="from=2026-06-12T00:00:00Z&to=2026-06-13T00:00:00Z"

# ---- overview ------------------------------------------------------------------------------
req GET "/api/v1/stats/overview?$DAY&bucket=3600" "$ROOT"
check "overview 200" "200" "$CODE"
echo "$BODY" > "$WORK/ov.json"
check "totals (root)" "$(expect totals "$WORK/a.ndjson" "$WORK/b.ndjson")" "$(echo "$BODY" | j '"%d:%d" % (d["totals"]["events"], d["totals"]["alerts"])')"
check "breakdowns cover the same hours" "2026-06-12T00:00:00Z 2026-06-13T00:00:00Z" "$(echo "$BODY" | j 'd["breakdown_from"] + " " + d["breakdown_to"]')"
check "hourly buckets over the day" "24:3600:3600" "$(echo "$BODY" | j '"%d:%d:%d" % (len(d["alerts_over_time"]), d["bucket_s"], d["resolution_s"])')"
check "alerts over time by severity" "$(expect sev "$WORK/a.ndjson" "$WORK/b.ndjson")" \
    "$(echo "$BODY" | j '",".join(str(sum(p["by_severity"][s] for p in d["alerts_over_time"])) for s in "1234")')"
check "bucket timestamps" "2026-06-12T00:00:00Z 2026-06-12T23:00:00Z" "$(echo "$BODY" | j 'd["alerts_over_time"][0]["ts"] + " " + d["alerts_over_time"][-1]["ts"]')"
check "top signature" "$(expect topsig "$WORK/a.ndjson" "$WORK/b.ndjson")" "$(echo "$BODY" | j '"%d:%d" % (d["top_signatures"][0]["signature_id"], d["top_signatures"][0]["count"])')"
check "top signatures carry text and severity" "true" "$(echo "$BODY" | j 'all(s["signature"].startswith("CITYSOC TEST") and s["severity"] in (1,2,3) for s in d["top_signatures"])')"
check "top sources (10 at most)" "$(expect topsrc "$WORK/a.ndjson" "$WORK/b.ndjson"):10" "$(echo "$BODY" | j '"%s:%d:%d" % (d["top_src"][0]["ip"], d["top_src"][0]["count"], len(d["top_src"]))')"
check "top destinations" "192.0.2.2:50,192.0.2.3:30" "$(echo "$BODY" | j '",".join("%s:%d" % (x["ip"], x["count"]) for x in d["top_dest"])')"
check "protocols (none: EVE without app_proto)" "none:320" "$(echo "$BODY" | j '",".join("%s:%d" % (x["app_proto"], x["count"]) for x in d["protocols"])')"
check "sensors listed" "sensor-a,sensor-b" "$(echo "$BODY" | j '",".join(s["name"] for s in d["sensors"])')"
check "sensor last_seen is the last batch (today)" "$(date -u +%Y-%m-%d)" "$(echo "$BODY" | j 'd["sensors"][0]["last_seen"][:10]')"
check "sensor packets/drops from its stats record" "118:0" "$(echo "$BODY" | j '"%d:%d" % (d["sensors"][0]["packets"], d["sensors"][0]["drops"])')"
check "a sensor without stats" "None" "$(echo "$BODY" | j 'd["sensors"][1]["packets"]')"
check "orgs ranked by alerts" "plant-a:50,plant-b:30,city:0" "$(echo "$BODY" | j '",".join("%s:%d" % (o["name"], o["alerts"]) for o in d["orgs"][:3])')"
check "last_event_id" "true" "$(echo "$BODY" | j 'd["last_event_id"] > 300')"

# minute resolution: totals and chart to the minute, breakdowns over the whole hours around
req GET "/api/v1/stats/overview?from=2026-06-12T08:10:00Z&to=2026-06-12T08:11:00Z&bucket=60" "$ROOT"
check "a minute: totals" "$(python3 -c "
import json
n = a = 0
for f in ('$WORK/a.ndjson', '$WORK/b.ndjson'):
    for l in open(f):
        r = json.loads(l)
        if r['timestamp'].startswith('2026-06-12T08:10:'): n += 1; a += 'alert' in r
print('%d:%d' % (n, a))")" "$(echo "$BODY" | j '"%d:%d" % (d["totals"]["events"], d["totals"]["alerts"])')"
check "a minute: breakdowns hourly" "60:2026-06-12T08:00:00Z:2026-06-12T09:00:00Z" "$(echo "$BODY" | j '"%d:%s:%s" % (d["resolution_s"], d["breakdown_from"], d["breakdown_to"])')"

# ICS operations, classified at ingest from the sensor's records (captures of 2004..2020)
req GET "/api/v1/stats/overview?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z" "$ROOT"
check "long range: weekly buckets" "200:604800" "$CODE:$(echo "$BODY" | j 'd["bucket_s"]')"
check "ics operations" "dnp3:control:2,dnp3:restart:1,dnp3:write:1,iec104:control:5,modbus:control:3,modbus:restart:3,modbus:write:3,s7comm:control:1,s7comm:program:1" \
    "$(echo "$BODY" | j '",".join(sorted("%s:%s:%d" % (x["app_proto"], x["op"], x["count"]) for x in d["ics"]))')"
check "protocols of the ICS records" "dnp3:7,iec104:7,modbus:18,s7comm:18" \
    "$(echo "$BODY" | j '",".join(sorted("%s:%d" % (x["app_proto"], x["count"]) for x in d["protocols"] if x["app_proto"] != "none"))')"

# ---- tenancy ---------------------------------------------------------------------------------
req GET "/api/v1/stats/overview?$DAY" "$AAN"
check "district A: its totals only" "$(expect totals "$WORK/a.ndjson")" "$(echo "$BODY" | j '"%d:%d" % (d["totals"]["events"], d["totals"]["alerts"])')"
check "district A: its sensors only" "sensor-a" "$(echo "$BODY" | j '",".join(s["name"] for s in d["sensors"])')"
check "district A: its orgs only" "district-a,plant-a" "$(echo "$BODY" | j '",".join(sorted(o["name"] for o in d["orgs"]))')"
check "district A: no B address" "false" "$(echo "$BODY" | j 'any(x["ip"].startswith("10.2.") for x in d["top_src"])')"
req GET "/api/v1/stats/overview?$DAY&org_id=$PA" "$BAN"
check "B asking for plant-a gets nothing" "200:0:0:0" "$CODE:$(echo "$BODY" | j '"%d:%d:%d" % (d["totals"]["events"], len(d["sensors"]), len(d["orgs"]))')"
req GET "/api/v1/stats/overview?$DAY&org_id=$PA" "$ROOT"
check "root filtered to plant-a" "$(expect totals "$WORK/a.ndjson")" "$(echo "$BODY" | j '"%d:%d" % (d["totals"]["events"], d["totals"]["alerts"])')"

# ---- grouping --------------------------------------------------------------------------------
req GET "/api/v1/stats/agg?by=signature&event_type=alert" "$ROOT"
check "agg by signature" "200:$(expect topsig "$WORK/a.ndjson" "$WORK/b.ndjson"):$(expect nsig "$WORK/a.ndjson" "$WORK/b.ndjson")" \
    "$CODE:$(echo "$BODY" | j '"%d:%d:%d" % (d["rows"][0]["key"], d["rows"][0]["count"], len(d["rows"]))')"
check "agg rows carry label and last" "true" "$(echo "$BODY" | j 'd["rows"][0]["label"].startswith("CITYSOC TEST") and d["rows"][0]["last"].startswith("2026-06-12T")')"
req GET "/api/v1/stats/agg?by=src_ip&event_type=alert&limit=5" "$ROOT"
check "agg limit" "5" "$(echo "$BODY" | j 'len(d["rows"])')"
req GET "/api/v1/stats/agg?by=org" "$AAN"
check "agg by org, district A" "plant-a:251" "$(echo "$BODY" | j '",".join("%s:%d" % (r["label"], r["count"]) for r in d["rows"])')"
req GET "/api/v1/stats/agg?by=app_proto&sensor_id=1" "$BAN"
check "agg: B filtering on A's sensor" "0" "$(echo "$BODY" | j 'len(d["rows"])')"
req GET "/api/v1/stats/agg?by=severity&event_type=alert&from=2026-06-12T00:00:00Z" "$AAN"
check "agg by severity" "$(expect sev "$WORK/a.ndjson" | sed 's/,0$//')" "$(echo "$BODY" | j '",".join(str(r["count"]) for r in sorted(d["rows"], key=lambda r: r["key"]))')"
req GET "/api/v1/stats/agg?by=colour" "$ROOT";       check "agg: unknown by" "400" "$CODE"
req GET "/api/v1/stats/agg" "$ROOT";                 check "agg: by is required" "400" "$CODE"
req GET "/api/v1/stats/agg?by=ip&since_id=3" "$ROOT"; check "agg: since_id refused" "400" "$CODE"

# ---- per-organisation counts -----------------------------------------------------------------
req GET "/api/v1/stats/orgs?$DAY" "$ROOT"
check "stats/orgs by path" "city:0:0:0,district-a:0:0:0,plant-a:1:200:50,district-b:0:0:0,plant-b:1:120:30" \
    "$(echo "$BODY" | j '",".join("%s:%d:%d:%d" % (o["name"], o["sensors"], o["events"], o["alerts"]) for o in d["orgs"])')"
req GET "/api/v1/stats/orgs?$DAY" "$BAN"
check "stats/orgs, district B" "district-b,plant-b" "$(echo "$BODY" | j '",".join(o["name"] for o in d["orgs"])')"

# ---- event filters for the console -----------------------------------------------------------
FLOW=$(head -5 "$WORK/a.ndjson" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["flow_id"])')
req GET "/api/v1/events?flow_id=$FLOW" "$AAN"
check "flow_id pivot" "1:$FLOW" "$(echo "$BODY" | j '"%d:%d" % (len(d["events"]), d["events"][0]["flow_id"])')"
req GET "/api/v1/events?flow_id=$FLOW" "$BAN";       check "flow_id: not across tenants" "0" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?app_proto=modbus&limit=100" "$AAN"
check "app_proto filter, with ics_op" "18:9" "$(echo "$BODY" | j '"%d:%d" % (len(d["events"]), sum(1 for e in d["events"] if "ics_op" in e))')"
req GET "/api/v1/events?app_proto=none&limit=1000" "$AAN"; check "app_proto=none" "201" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?proto=UDP" "$AAN";            check "proto filter" "0" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?q=RestartCommOpt" "$AAN"
check "q: substring of the record" "$(grep -c RestartCommOpt $ICS)" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?q=RestartCommOpt" "$BAN";     check "q: not across tenants" "0" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/stats/overview" "$AAN"; LAST=$(echo "$BODY" | j 'd["last_event_id"]')
req GET "/api/v1/events?since_id=$LAST" "$AAN"
check "since_id: nothing new yet" "0:$LAST" "$(echo "$BODY" | j '"%d:%d" % (len(d["events"]), d["last_id"])')"
python3 $GEN 1 8 7 > "$WORK/a2.ndjson"; ingest "$SA_TOKEN" a-2 "$WORK/a2.ndjson"
python3 $GEN 2 5 8 > "$WORK/b2.ndjson"; ingest "$SB_TOKEN" b-2 "$WORK/b2.ndjson"
req GET "/api/v1/events?since_id=$LAST" "$AAN"
check "since_id: A's new events, oldest first" "8:True" "$(echo "$BODY" | j '"%d:%s" % (len(d["events"]), [e["id"] for e in d["events"]] == sorted(e["id"] for e in d["events"]))')"
NEXT=$(echo "$BODY" | j 'd["last_id"]')
check "since_id: last_id is the newest seen" "$(echo "$BODY" | j 'd["events"][-1]["id"]')" "$NEXT"
req GET "/api/v1/events?since_id=$NEXT" "$AAN";       check "since_id: then nothing" "0" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?since_id=$LAST&severity_max=1&event_type=alert" "$AAN"
check "since_id with severity" "$(python3 -c 'import json; print(sum(1 for l in open("'$WORK/a2.ndjson'") if json.loads(l).get("alert",{}).get("severity")==1))')" "$(echo "$BODY" | j 'len(d["events"])')"

# ---- bad input -------------------------------------------------------------------------------
req GET "/api/v1/stats/overview?colour=red" "$ROOT";              check "overview: unknown parameter" "400" "$CODE"
req GET "/api/v1/stats/overview?from=yesterday" "$ROOT";          check "overview: bad time" "400" "$CODE"
req GET "/api/v1/stats/overview?$DAY&bucket=0" "$ROOT";           check "overview: bucket 0" "400" "$CODE"
req GET "/api/v1/stats/overview?from=2026-06-12T00:00:00Z&to=2026-06-11T00:00:00Z" "$ROOT"
check "overview: reversed range" "400" "$CODE"
req GET "/api/v1/stats/overview?from=2026-06-12T00:00:00Z&to=2026-06-14T00:00:00Z&bucket=60" "$ROOT"
check "overview: too many buckets" "400" "$CODE"
req GET "/api/v1/stats/overview?$DAY" "";                          check "overview: needs a login" "401" "$CODE"
req GET "/api/v1/events?since_id=-1" "$ROOT";                     check "events: since_id < 0" "400" "$CODE"
req GET "/api/v1/events?flow_id=abc" "$ROOT";                     check "events: flow_id text" "400" "$CODE"
check "hub alive" "200" "$(hub_alive)"
hub_done
