#!/usr/bin/env bash
# demo.sh — the main job on the embedded default: citysoc-sensor over the bundled sample
# captures, then a readable summary of what it saw. (The hub and its console join the demo
# when they exist.)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${DEMO_OUT:-demo-out}
rm -rf "$OUT"; mkdir -p "$OUT"
# the bundled captures (tests/data), plus the small city traffic mix when ../shared is there
mkdir -p "$OUT/input"
i=0
while IFS= read -r -d '' f; do
    i=$((i + 1)); ln -sf "$(realpath "$f")" "$OUT/input/$(printf '%03d' $i)-$(basename "$f")"
done < <(find tests/data/pcaps tests/data/sv -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
MIX=../shared/corpus/pcaps/bench/city-mix-small.pcap
[ -f "$MIX" ] && ln -sf "$(realpath "$MIX")" "$OUT/input/999-city-mix-small.pcap"
SRC=$OUT/input
echo "== citysoc-sensor -r $SRC -l $OUT --threads 2"
RULES=scripts/demo/demo.rules
ET=../shared/corpus/rules/et-open-5.0/all.rules
[ -f "$ET" ] && RULES="$ET"
echo "rules: $RULES"
"$BUILD/citysoc-sensor" -r "$SRC" -l "$OUT" --threads 2 -k none -S "$RULES"
echo
python3 - "$OUT/eve.json" <<'PY'
import collections, json, sys
flows = collections.Counter(); apps = collections.Counter(); anomalies = collections.Counter()
talkers = collections.Counter(); alerts = collections.Counter(); stats = None; pkts = 0
for line in open(sys.argv[1], 'rb'):
    r = json.loads(line)
    t = r.get('event_type')
    if t == 'flow':
        flows[r.get('proto', '?')] += 1
        apps[r.get('app_proto', '-')] += 1
        f = r['flow']
        talkers[r.get('src_ip')] += f['bytes_toserver'] + f['bytes_toclient']
    elif t == 'alert':
        alerts[r['alert']['signature']] += 1
    elif t == 'anomaly':
        anomalies[r['anomaly']['event']] += 1
    elif t == 'stats':
        stats = r['stats']
d = stats['decoder'] if stats else {}
print(f"packets     {d.get('pkts', 0):>10}   bytes {d.get('bytes', 0)}   invalid {d.get('invalid', 0)}")
print(f"flows       {sum(flows.values()):>10}   " + ', '.join(f'{k} {v}' for k, v in flows.most_common()))
print(f"anomalies   {sum(anomalies.values()):>10}")
for k, v in anomalies.most_common(8):
    print(f"    {v:>8}  {k}")
print(f"alerts      {sum(alerts.values()):>10}")
for k, v in alerts.most_common(8):
    print(f"    {v:>8}  {k}")
print("top sources by bytes:")
for k, v in talkers.most_common(5):
    print(f"    {v:>10}  {k}")
PY
echo
echo "EVE records: $OUT/eve.json  (alert, flow, app-layer, anomaly, stats)"
echo "fast.log:    $OUT/fast.log"
echo
echo "== the hub: citysoc demo — a demo city on SQLite ($OUT/hub.db), these events imported"
"$BUILD/citysoc" --db "$OUT/hub.db" demo --eve "$OUT/eve.json"
echo "serve it:    $BUILD/citysoc-hub --db $OUT/hub.db --listen 127.0.0.1:8443   (API: docs/hub.md)"
