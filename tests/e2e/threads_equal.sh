#!/usr/bin/env bash
# The set of EVE records is the same for any number of workers (order aside): every
# capture under tests/data is run with --threads 1, 2 and 3 and the sorted records compared
# (the stats record without its run-dependent fields: uptime, memuse).
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-thr.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
norm() {
    python3 - "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], 'rb'):
    r = json.loads(line)
    if r.get('event_type') == 'stats':
        s = r['stats']
        s.pop('uptime', None)
        s.get('flow', {}).pop('memuse', None)
        s.get('flow', {}).pop('active', None)
        s.get('tcp', {}).pop('reassembly_memuse', None)
        s.get('decoder', {}).pop('max_pkt_size', None)
    out.append(json.dumps(r, sort_keys=True))
for l in sorted(out):
    print(l)
PY
}
mapfile -t pcaps < <(find tests/data -name '*.pcap' -o -name '*.pcapng' | sort)
for p in "${pcaps[@]}"; do
    ref=""
    okp=1
    for n in 1 2 3; do
        o=$T/$n; rm -rf "$o"; mkdir -p "$o"
        if ! "$S" -r "$p" -l "$o" -k none --threads $n >/dev/null 2>"$o/err"; then
            okp=0; echo "FAIL $p --threads $n: $(tail -1 "$o/err")"; break
        fi
        norm "$o/eve.json" >"$T/n$n"
        if [ -z "$ref" ]; then ref=$T/n1
        elif ! cmp -s "$ref" "$T/n$n"; then
            okp=0; echo "FAIL $p: --threads $n differs from --threads 1"
            diff "$ref" "$T/n$n" | head -6 | cut -c1-300 | sed 's/^/    /'
            break
        fi
    done
    if [ $okp = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
