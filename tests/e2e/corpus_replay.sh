#!/usr/bin/env bash
# Every capture under tests/data (and every capture under $CS_CORPUS when set, e.g.
# ../shared/corpus/pcaps) runs through citysoc-sensor: exit status 0 (or the one-line
# error of a file that is not a capture), every eve.json line valid JSON, a stats record
# last, and — in the sanitizer build — no ASan/UBSan/LeakSanitizer report.
# CS_ONE_BYTE=1: every TCP delivery reaches the app-layer parsers 1 byte at a time
# (app-layer.one-byte-deliveries), e.g.
#   BUILD=build-san CS_CORPUS=../shared/corpus/pcaps CS_ONE_BYTE=1 bash tests/e2e/corpus_replay.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-corpus.XXXXXX)
trap 'rm -rf "$T"' EXIT
extra=()
[ "${CS_ONE_BYTE:-0}" = 1 ] && extra=(--set app-layer.one-byte-deliveries=yes)
roots=(tests/data)
[ -n "${CS_CORPUS:-}" ] && roots+=("$CS_CORPUS")
pass=0 fail=0 notpcap=0
while IFS= read -r -d '' p; do
    o=$T/o; rm -rf "$o"; mkdir -p "$o"
    "$S" "${extra[@]}" -r "$p" -l "$o" -S /dev/null >/dev/null 2>"$o/err"; rc=$?
    if grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|runtime error' "$o/err"; then
        echo "FAIL $p: sanitizer report"; grep -m3 -E 'ERROR|runtime error|SUMMARY' "$o/err" | sed 's/^/    /'
        fail=$((fail + 1)); continue
    fi
    if [ $rc -ne 0 ]; then
        if [ $rc -eq 1 ] && [ "$(wc -l <"$o/err")" -eq 1 ] && grep -qE 'cannot read|unsupported link type' "$o/err"; then
            notpcap=$((notpcap + 1)); pass=$((pass + 1)); continue
        fi
        echo "FAIL $p: exit $rc: $(head -3 "$o/err")"; fail=$((fail + 1)); continue
    fi
    if ! python3 - "$o/eve.json" <<'PY'
import json, sys
lines = open(sys.argv[1], 'rb').read().splitlines()
recs = [json.loads(l) for l in lines]
assert recs and recs[-1]['event_type'] == 'stats', 'stats record is not last'
PY
    then echo "FAIL $p: bad eve.json"; fail=$((fail + 1)); continue; fi
    pass=$((pass + 1))
done < <(find "${roots[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
echo "captures: $pass ok ($notpcap rejected cleanly as unreadable/unsupported), $fail failed"
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
