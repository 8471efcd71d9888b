#!/usr/bin/env bash
# Community ID v1 through the whole sensor (decode -> flow -> EVE): the flow records of the
# community-id traces carry the values Zeek's community-id plugin computed for them
# (seed 0; expected values from the spec's baselines, see sensor/flow/community_id_test.c).
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
T=$(mktemp -d /tmp/cs-cid.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { # pcap expected-id [seed]
    local p=tests/data/pcaps/community-id/$1 o=$T/$1
    mkdir -p "$o"
    "$S" -r "$p" -l "$o" -k none --set outputs.eve-log.community-id=true \
        --set outputs.eve-log.community-id-seed="${3:-0}" 2>/dev/null
    # no `grep -q` at the end of a pipe: under pipefail its early exit can fail the pipe
    if [ "$(grep '"event_type":"flow"' "$o/eve.json" | grep -cF "\"community_id\":\"$2\"")" -ge 1 ]; then
        echo "ok $1 $2"; pass=$((pass + 1))
    else
        echo "FAIL $1: no flow with community_id $2"
        grep -o '"community_id":"[^"]*"' "$o/eve.json" | sort -u | head -5 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}
check tcp.pcap "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
check udp.pcap "1:d/FP5EW3wiY1vCndhwleRRKHowQ="
check icmp.pcap "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
check ipv6.pcap "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="
check sctp.pcap "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="
check icmp6.pcap "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="
check tcp.pcap "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" 1
check udp.pcap "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" 1
# community ids are off by default, as in Suricata's stock configuration
"$S" -r tests/data/pcaps/community-id/tcp.pcap -l "$T" 2>/dev/null
if grep -q community_id "$T/eve.json"; then echo "FAIL default-off"; fail=$((fail + 1)); else echo "ok default-off"; pass=$((pass + 1)); fi
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
