#!/usr/bin/env bash
# live_afpacket.sh — live capture through AF_PACKET, inside private network namespaces.
#
# 1. Namespace cs-test-$$ holds a veth pair csv0/csv1 (and a down pair csv2/csv3); the unit
#    test binary runs there with CS_AFP_IFACE=csv0 CS_AFP_PEER=csv1: it sends hand-made
#    frames on csv1 and checks what the capture on csv0 returns (payloads, VLAN tags, BPF,
#    fanout, stats).
# 2. If the sensor binary exists: namespaces cs-test-$$-a / -b joined by veth csva/csvb
#    (10.77.1.1 / 10.77.1.2, addresses that exist only there). The sensor captures on csva
#    with 2 threads while python3 exchanges TCP and UDP between the namespaces; after SIGINT,
#    eve.json must hold flow records for that traffic.
# Needs root and `ip netns`; otherwise it prints a skip reason and RESULT passed=0 failed=0.
# Nothing is sent outside the namespaces this script creates.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=$BUILD/tests/sensor/capture/afpacket_test
SENSOR=$BUILD/citysoc-sensor

skip() {
    echo "skip: $*"
    echo "RESULT passed=0 failed=0"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root"
command -v ip >/dev/null || skip "needs iproute2 (ip)"
[ -x "$BIN" ] || skip "$BIN not built"

NS=cs-test-$$
NSA=cs-test-$$-a
NSB=cs-test-$$-b
TMP=$(mktemp -d /tmp/cs-afp-e2e.XXXXXX)
SENSOR_PID=
cleanup() {
    [ -n "$SENSOR_PID" ] && kill -KILL "$SENSOR_PID" 2>/dev/null
    for n in "$NS" "$NSA" "$NSB"; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
X() { ip netns exec "$NS" "$@"; }
if ! X ip link add csv0 type veth peer name csv1 2>/dev/null; then
    skip "cannot create a veth pair"
fi
X ip link add csv2 type veth peer name csv3
for i in csv0 csv1; do
    X sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" 2>/dev/null
    X ip link set "$i" up
done

passed=0
failed=0
res() { # name, ok(0/1), detail
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
        echo "ok $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: $3"
    fi
}

# ---- 1. the unit test binary on the veth pair -----------------------------------------
X env CS_AFP_IFACE=csv0 CS_AFP_PEER=csv1 CS_AFP_DOWN=csv2 "$BIN" >"$TMP/unit.log" 2>&1
rc=$?
cat "$TMP/unit.log"
line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$TMP/unit.log" | tail -1)
up=$(echo "$line" | sed -nE 's/.*passed=([0-9]+).*/\1/p')
uf=$(echo "$line" | sed -nE 's/.*failed=([0-9]+).*/\1/p')
if grep -q '^# skipped' "$TMP/unit.log"; then
    res unit_live_tests_ran 1 "a live test was skipped inside the namespace"
fi
if [ -z "$line" ]; then
    res unit_binary 1 "no RESULT line (rc=$rc)"
else
    passed=$((passed + up))
    failed=$((failed + uf))
    [ "$rc" = 0 ] || [ "$uf" != 0 ] || res unit_binary 1 "exit status $rc"
fi

# ---- 2. the sensor on live traffic ----------------------------------------------------
if [ ! -x "$SENSOR" ] || [ "$("$SENSOR" --help 2>&1 | grep -c -- '--threads')" -eq 0 ]; then
    echo "note: $SENSOR not ready (no --threads in --help): sensor part skipped"
elif ! command -v python3 >/dev/null; then
    echo "note: python3 missing: sensor part skipped"
else
    ip netns add "$NSA" && ip netns add "$NSB"
    A() { ip netns exec "$NSA" "$@"; }
    B() { ip netns exec "$NSB" "$@"; }
    A ip link add csva type veth peer name csvb netns "$NSB"
    A ip addr add 10.77.1.1/24 dev csva
    B ip addr add 10.77.1.2/24 dev csvb
    A sysctl -qw net.ipv6.conf.csva.disable_ipv6=1 2>/dev/null
    B sysctl -qw net.ipv6.conf.csvb.disable_ipv6=1 2>/dev/null
    A ip link set lo up; B ip link set lo up
    A ip link set csva up; B ip link set csvb up
    # offloads off so the sensor sees MTU-sized segments as on a real wire
    A ethtool -K csva tso off gso off gro off tx off >/dev/null 2>&1 || true
    B ethtool -K csvb tso off gso off gro off tx off >/dev/null 2>&1 || true
    mkdir -p "$TMP/log"
    cat >"$TMP/server.py" <<'EOF'
import socket, threading, sys
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.77.1.1", 8080)); s.listen(16)
    while True:
        c, _ = s.accept()
        data = b""
        while not data.endswith(b"\r\n\r\n"):
            d = c.recv(4096)
            if not d: break
            data += d
        body = b"x" * 20000
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        c.close()
def udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.77.1.1", 5353))
    while True:
        d, a = u.recvfrom(2048); u.sendto(b"pong:" + d, a)
threading.Thread(target=tcp, daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
EOF
    cat >"$TMP/client.py" <<'EOF'
import socket
ok = 0
for i in range(5):
    c = socket.create_connection(("10.77.1.1", 8080), timeout=3)
    c.sendall(b"GET /live/%d HTTP/1.1\r\nHost: citysoc.test\r\n\r\n" % i)
    n = 0
    while True:
        d = c.recv(65536)
        if not d: break
        n += len(d)
    c.close(); ok += n > 20000
for i in range(5):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
    u.bind(("10.77.1.2", 41000 + i))
    u.sendto(b"ping %d" % i, ("10.77.1.1", 5353))
    try:
        ok += u.recvfrom(2048)[0].startswith(b"pong")
    except socket.timeout:
        pass
    u.close()
print("client ok=%d" % ok)
EOF
    A python3 "$TMP/server.py" >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do grep -q ready "$TMP/server.log" && break; sleep 0.1; done
    # job control on while starting it: a background job of a script otherwise starts with
    # SIGINT ignored. `ip netns exec` execs the sensor, so $! is the sensor itself.
    set -m
    ip netns exec "$NSA" "$SENSOR" -i csva -l "$TMP/log" --threads 2 >"$TMP/sensor.out" 2>&1 &
    SENSOR_PID=$!
    set +m
    sleep 2
    B python3 "$TMP/client.py" >"$TMP/client.log" 2>&1
    cat "$TMP/client.log"
    grep -q 'client ok=10' "$TMP/client.log"
    res live_traffic_exchanged $? "$(cat "$TMP/client.log")"
    sleep 1
    kill -INT "$SENSOR_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SENSOR_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SENSOR_PID" 2>/dev/null; then
        res sensor_stops_on_sigint 1 "still running 10 s after SIGINT"
        kill -KILL "$SENSOR_PID" 2>/dev/null
    else
        wait "$SENSOR_PID"
        res sensor_stops_on_sigint $? "exit status $? (output: $(tail -3 "$TMP/sensor.out"))"
    fi
    SENSOR_PID=
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    EVE=$TMP/log/eve.json
    if [ ! -s "$EVE" ]; then
        res eve_written 1 "no $EVE ($(tail -3 "$TMP/sensor.out"))"
    else
        res eve_written 0
        python3 - "$EVE" <<'EOF' >"$TMP/check.log" 2>&1
import json, sys
tcp = udp = 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event_type") != "flow":
        continue
    ips = {e.get("src_ip"), e.get("dest_ip")}
    if ips != {"10.77.1.1", "10.77.1.2"}:
        continue
    ports = {e.get("src_port"), e.get("dest_port")}
    if e.get("proto") == "TCP" and 8080 in ports:
        tcp += 1
    if e.get("proto") == "UDP" and 5353 in ports:
        udp += 1
print("tcp_flows=%d udp_flows=%d" % (tcp, udp))
sys.exit(0 if tcp >= 5 and udp >= 5 else 1)
EOF
        c=$?
        cat "$TMP/check.log"
        res eve_has_flows_for_live_traffic $c "$(cat "$TMP/check.log")"
    fi
fi

echo "RESULT passed=$passed failed=$failed"
[ "$failed" = 0 ]
