#!/usr/bin/env bash
# SMTP and FTP rules end to end: citysoc-sensor -r on a real STARTTLS session (tests/data/
# pcaps/smtp/smtp-starttls.pcap) with `alert smtp` rules: the smtp.helo buffer, a stream
# content rule on an smtp flow, rules that must not match, the alert's smtp metadata (tx_id,
# helo); on a made-here FTP session (tests/data/pcaps/ftp/ftp-session.pcap) with `alert ftp`
# rules: ftp.command + ftp.command_data, stream content + pcre as ET Open writes them, and
# the ftp records (commands in order, PASV port, 150 + 226 on one transaction).
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-smtpftp.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

cat >"$T/t.rules" <<'RULES'
alert smtp any any -> any any (msg:"helo"; flow:to_server; smtp.helo; content:"openssl.client"; sid:1;)
alert smtp any any -> any any (msg:"starttls"; flow:to_server,established; content:"STARTTLS"; sid:2;)
alert smtp any any -> any any (msg:"helo other"; smtp.helo; content:"example.org"; sid:3;)
alert smtp any any -> any any (msg:"mail from"; smtp.mail_from; content:"@"; sid:4;)
RULES
mkdir -p "$T/a"
if "$S" -k none -r tests/data/pcaps/smtp/smtp-starttls.pcap -S "$T/t.rules" -l "$T/a" 2>"$T/a/err"; then
    ok smtp-exit-status
else
    bad "smtp-exit-status: $(head -3 "$T/a/err")"
fi
grep -q 'rules: loaded 4, skipped 0' "$T/a/err" && ok smtp-load-line || bad "smtp-load-line: $(grep rules: "$T/a/err")"
python3 - "$T/a/eve.json" <<'PY' && ok smtp-alerts || bad smtp-alerts
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

cat >"$T/f.rules" <<'RULES'
alert ftp any any -> any any (msg:"retr readme"; ftp.command; content:"RETR"; ftp.command_data; content:"README"; sid:11;)
alert ftp any any -> any 21 (msg:"pass"; flow:to_server,established; content:"PASS"; nocase; pcre:"/^PASS\s[^\n]{10}/smi"; sid:12;)
alert ftp any any -> any any (msg:"stor"; ftp.command; content:"STOR"; sid:13;)
alert ftp any any -> any any (msg:"not smtp"; smtp.helo; content:"a"; sid:14;)
RULES
mkdir -p "$T/b"
if "$S" -r tests/data/pcaps/ftp/ftp-session.pcap -S "$T/f.rules" -l "$T/b" 2>"$T/b/err"; then
    ok ftp-exit-status
else
    bad "ftp-exit-status: $(head -3 "$T/b/err")"
fi
python3 - "$T/b/eve.json" <<'PY' && ok ftp-alerts-records || bad ftp-alerts-records
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
al = [r for r in recs if r['event_type'] == 'alert']
ftp = [r['ftp'] for r in recs if r['event_type'] == 'ftp']
sids = sorted(r['alert']['signature_id'] for r in al)
ok = sids == [11, 12]
for r in al:
    if r['alert']['signature_id'] == 11:
        ok = ok and r.get('app_proto') == 'ftp' and r.get('ftp', {}).get('command') == 'RETR'
cmds = [x.get('command') for x in ftp]
ok = ok and cmds == [None, 'USER', 'PASS', 'PASV', 'RETR', 'QUIT']
ok = ok and ftp[3].get('dynamic_port') == 195 * 256 + 81 and ftp[4]['completion_code'] == ['150', '226']
if not ok:
    print('# alerts %s, ftp %s' % (sids, ftp))
sys.exit(0 if ok else 1)
PY
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
