#!/usr/bin/env bash
# The command line: help, version, unknown flags, bad files, bad values — one clear line and
# a non-zero exit for every mistake; a good run writes eve.json and fast.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# expect_fail NAME PATTERN ARGS... : non-zero exit, exactly one stderr line matching PATTERN
expect_fail() {
    local name=$1 pat=$2; shift 2
    "$S" "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ $rc -ne 0 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q -- "$pat" "$T/err"; then ok "$name"
    else bad "$name (rc=$rc, stderr: $(head -c 300 "$T/err"))"; fi
}

"$S" --help >"$T/out" 2>&1 && grep -q -- '-r FILE' "$T/out" && ok help || bad help
"$S" -V | grep -Eq '^citysoc-sensor [0-9]+\.[0-9]+' && ok version || bad version
expect_fail unknown-flag "unknown option '--bogus'" --bogus -r x
expect_fail no-source "exactly one of -r FILE or -i IFACE" -l "$T"
expect_fail missing-file "cannot open $T/nope.pcap" -r "$T/nope.pcap" -l "$T"
printf 'this is not a capture file at all' >"$T/junk.pcap"
expect_fail not-a-pcap "cannot read $T/junk.pcap" -r "$T/junk.pcap" -l "$T"
PCAP=tests/data/sv/bug-6733-syn-packet-flow-output/input.pcap
expect_fail bad-threads "--threads: expected a number" -r "$PCAP" --threads zero
expect_fail bad-k "-k: expected all, none or auto" -r "$PCAP" -k sometimes -l "$T"
expect_fail bad-logdir "log directory $T/none" -r "$PCAP" -l "$T/none"
expect_fail bad-bpf "invalid BPF filter" -r "$PCAP" -l "$T" "tcp port banana"
expect_fail bad-set "--set" -r "$PCAP" -l "$T" --set novalue
printf 'outputs: [\n  - eve-log: {\n' >"$T/bad.yaml"
expect_fail bad-yaml "$T/bad.yaml:[0-9]*:[0-9]*:" -r "$PCAP" -l "$T" -c "$T/bad.yaml"

# rules: -T reports each bad rule as file:line:col and fails; a clean set passes
printf 'alert tcp any any -> any 80 (msg:"x"; content:"a"; conten:"b"; sid:1;)\nalert tcp any any -> any 80 (msg:"ok"; content:"a"; sid:2;)\n' >"$T/bad.rules"
"$S" -T -S "$T/bad.rules" 2>"$T/err"; rc=$?
if [ $rc -ne 0 ] && grep -q "$T/bad.rules:1:52: unsupported keyword 'conten'" "$T/err" && grep -q 'loaded 1 rules, 1 skipped' "$T/err"; then ok test-rules-bad; else bad "test-rules-bad (rc=$rc: $(cat "$T/err"))"; fi
printf 'alert http any any -> any any (msg:"ok"; http.uri; content:"/a"; sid:2;)\n' >"$T/good.rules"
if "$S" -T -S "$T/good.rules" 2>"$T/err" && grep -q 'configuration and rules are valid' "$T/err"; then ok test-rules-good; else bad "test-rules-good: $(cat "$T/err")"; fi
n=$("$S" --list-keywords | grep -cE '^(content|pcre|flowbits|http\.uri|dns\.query|tls\.sni) ')
[ "$n" = 6 ] && ok list-keywords || bad "list-keywords ($n)"
expect_fail missing-rules "nope.rules: No such file" -r x -S "$T/nope.rules" -l "$T"

mkdir -p "$T/run"
if "$S" -r "$PCAP" -l "$T/run" -S /dev/null 2>"$T/err" && [ -s "$T/run/eve.json" ] && [ -f "$T/run/fast.log" ]; then
    ok good-run
else
    bad "good-run: $(cat "$T/err")"
fi
# stats record is the last line and counts the one packet
if tail -1 "$T/run/eve.json" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["event_type"]=="stats" and r["stats"]["decoder"]["pkts"]==1' 2>/dev/null; then
    ok stats-last
else
    bad stats-last
fi
# a BPF filter that matches nothing gives no flow
mkdir -p "$T/bpf"
"$S" -r "$PCAP" -l "$T/bpf" udp 2>/dev/null
if ! grep -q '"event_type":"flow"' "$T/bpf/eve.json"; then ok bpf-filter; else bad bpf-filter; fi
# a truncated capture: the packets before the damage are processed, warning, exit 0
head -c 5000 tests/data/sv/bug-5633-gre-02/gre-sample.pcap >"$T/trunc.pcap"
mkdir -p "$T/tr"
if "$S" -r "$T/trunc.pcap" -l "$T/tr" 2>"$T/err" && grep -q 'warning: .*trunc.pcap' "$T/err" && grep -q '"event_type":"flow"' "$T/tr/eve.json"; then
    ok truncated-pcap
else
    bad "truncated-pcap: $(cat "$T/err")"
fi
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
