#!/usr/bin/env bash
# SMTP rules end to end: citysoc-sensor -r on a real STARTTLS session (tests/data/pcaps/smtp/
# smtp-starttls.pcap) with `alert smtp` rules: the smtp.helo buffer, a stream content rule on
# an smtp flow, a rule that must not match, and the alert's smtp metadata (tx_id, helo).
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-smtpdet.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

cat >"$T/t.rules" <<'EOF'
alert smtp any any -> any any (msg:"helo"; flow:to_server; smtp.helo; content:"openssl.client"; sid:1;)
alert smtp any any -> any any (msg:"starttls"; flow:to_server,established; content:"STARTTLS"; sid:2;)
alert smtp any any -> any any (msg:"helo other"; smtp.helo; content:"example.org"; sid:3;)
alert smtp any any -> any any (msg:"mail from"; smtp.mail_from; content:"@"; sid:4;)
EOF
mkdir -p "$T/a"
if "$S" -k none -r tests/data/pcaps/smtp/smtp-starttls.pcap -S "$T/t.rules" -l "$T/a" 2>"$T/a/err"; then
    ok exit-status
else
    bad "exit-status: $(head -3 "$T/a/err")"
fi
grep -q 'rules: loaded 4, skipped 0' "$T/a/err" && ok load-line || bad "load-line: $(grep rules: "$T/a/err")"
python3 - "$T/a/eve.json" <<'PY' && ok alerts || bad alerts
import json, sys
al = [json.loads(l) for l in open(sys.argv[1])]
al = [r for r in al if r['event_type'] == 'alert']
sids = sorted(r['alert']['signature_id'] for r in al)
ok = sids == [1, 2]
for r in al:
    if r['alert']['signature_id'] == 1:
        ok = ok and r.get('app_proto') == 'smtp' and r.get('smtp', {}).get('helo') == 'openssl.client.net' \
            and r.get('tx_id') == 0
if not ok:
    print('# alerts: %s' % [(r['alert']['signature_id'], r.get('smtp'), r.get('tx_id')) for r in al])
sys.exit(0 if ok else 1)
PY
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
