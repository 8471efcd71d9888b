#!/usr/bin/env bash
# Threshold and detection_filter state is shared by the workers: on traffic spread over many
# hosts (so over every worker), the number of alerts per rule is the same for --threads 1, 2
# and 3. The capture is written here: 240 TCP segments from 60 clients to 4 servers.
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-thrthr.XXXXXX)
trap 'rm -rf "$T"' EXIT
python3 - "$T/in.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
ts = 1700000000
for i in range(240):
    c, s = 1 + i % 60, 1 + i % 4
    src, dst = bytes([10, 0, 0, c]), bytes([10, 1, 0, s])
    pl = b'hello %03d' % i
    tcp = struct.pack('!HHIIBBHHH', 10000 + c, 80, 1000 + i, 1, 5 << 4, 0x18, 65535, 0, 0) + pl
    ph = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    fr = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00' + ip + tcp
    out.append(struct.pack('<IIII', ts + i // 10, (i % 10) * 1000, len(fr), len(fr)) + fr)
open(sys.argv[1], 'wb').write(b''.join(out))
PY
cat >"$T/t.rules" <<'R'
alert tcp any any -> any 80 (msg:"limit by_rule"; content:"hello"; threshold: type limit, track by_rule, count 5, seconds 3600; sid:1;)
alert tcp any any -> any 80 (msg:"threshold by_rule"; content:"hello"; threshold: type threshold, track by_rule, count 7, seconds 3600; sid:2;)
alert tcp any any -> any 80 (msg:"both by_dst"; content:"hello"; threshold: type both, track by_dst, count 3, seconds 3600; sid:3;)
alert tcp any any -> any 80 (msg:"df by_dst"; content:"hello"; detection_filter: track by_dst, count 50, seconds 3600; sid:4;)
alert tcp any any -> any 80 (msg:"limit by_src"; content:"hello"; threshold: type limit, track by_src, count 2, seconds 3600; sid:5;)
R
# expected with one process-wide state: 5; 240/7 = 34; one per server = 4; (60-50) x 4 = 40;
# two per client = 120
want='1:5 2:34 3:4 4:40 5:120'
pass=0 fail=0
for n in 1 2 3; do
    o=$T/$n; mkdir -p "$o"
    if ! "$S" -r "$T/in.pcap" -S "$T/t.rules" -l "$o" -k none --threads $n >/dev/null 2>"$o/err"; then
        echo "FAIL --threads $n: $(tail -1 "$o/err")"; fail=$((fail + 1)); continue
    fi
    got=$(python3 - "$o/eve.json" <<'PY'
import json, sys, collections
c = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get('event_type') == 'alert':
        c[r['alert']['signature_id']] += 1
print(' '.join('%d:%d' % kv for kv in sorted(c.items())))
PY
)
    if [ "$got" = "$want" ]; then
        echo "ok --threads $n ($got)"; pass=$((pass + 1))
    else
        echo "FAIL --threads $n: alerts per sid $got, want $want"; fail=$((fail + 1))
    fi
done
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
