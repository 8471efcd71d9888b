#!/usr/bin/env bash
# hub_cli.sh — the citysoc command (org, user, token, import, demo, audit verify), the hub's
# IPv6 and TLS listeners, and following a growing eve.json (--tail), end to end.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
GEN=tests/hub/gen_eve.py
PW=correct-horse-battery
hub_config </dev/null

# ---- CLI administration -----------------------------------------------------------------
$CLI org add city --kind city >/dev/null
$CLI org add d1 --parent city --kind district --tags energy >/dev/null
out=$($CLI org add d1 --parent city --kind district 2>&1); rc=$?
check "org name taken" "1:1" "$rc:$(echo "$out" | grep -c exists)"
out=$($CLI org add x --parent nowhere 2>&1); rc=$?
check "unknown parent" "1" "$rc"
check "org list" "city d1" "$($CLI org list | awk 'NR>1{print $3}' | xargs)"
echo "$PW" | $CLI user add ann --org d1 --role analyst >/dev/null
check "user add reads the password from stdin" "ann analyst" "$($CLI user list | awk '{print $2, $3}')"
out=$(CITYSOC_PASSWORD=$PW $CLI user add bob --org d1 --role root 2>&1); rc=$?
check "bad role refused" "1" "$rc"
TOK=$($CLI token add ann --label ci)
check "token add prints a token" "cst_" "${TOK:0:4}"
$CLI sensor add s1 --org d1 --key-out "$WORK/s1.pem" >/dev/null
out=$($CLI sensor add s1 --org d1 --key-out "$WORK/s1b.pem" 2>&1); rc=$?
check "sensor name taken" "1" "$rc"

# ---- import (idempotent) ----------------------------------------------------------------
python3 $GEN 3 1200 1 > "$WORK/eve.json"
out=$($CLI import eve "$WORK/eve.json" --sensor s1)
check "import stores the file" "1200" "$(echo "$out" | awk '{print $2}')"
out=$($CLI import eve "$WORK/eve.json" --sensor s1)
check "importing again stores nothing" "0 1200" "$(echo "$out" | awk '{print $2, $5}')"
printf 'not json\n' >> "$WORK/eve.json"
out=$($CLI import eve "$WORK/eve.json" --sensor s1 2>&1)
check "bad lines are reported with their line number" "1" "$(echo "$out" | grep -c ':1201:')"
out=$($CLI import eve "$WORK/eve.json" --sensor nobody 2>&1); rc=$?
check "import needs a known sensor" "1" "$rc"

# ---- passwd, then the API sees the new password -----------------------------------------
echo "$PW-2" | $CLI user passwd ann >/dev/null
cat >> "$WORK/hub.yaml" <<YAML
listen: [127.0.0.1:$PORT, "[::1]:0"]
YAML
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }
check "old password refused" "" "$(login ann $PW)"
S=$(login ann "$PW-2")
check "new password works" "css_" "${S:0:4}"
req GET "/api/v1/events?limit=1000" "$TOK"
check "CLI token works; imported events visible" "200:1000" "$CODE:$(echo "$BODY" | j 'len(d["events"])')"
V6PORT=$(grep -o '\[::1\]:0 (port [0-9]*' "$WORK/hub.log" | grep -o '[0-9]*$')
check "IPv6 listener" "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$V6PORT/api/v1/health")"
hub_stop

# ---- TLS --------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.crt" \
    -days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1
cat >> "$WORK/hub.yaml" <<YAML
listen: 127.0.0.1:$PORT
tls: {certificate: $WORK/tls.crt, key: $WORK/tls.key}
YAML
hub_start_tls() {
    "$HUB_BIN" -c "$WORK/hub.yaml" 2>>"$WORK/hub.log" &
    HUB_PID=$!
    for _ in $(seq 1 50); do
        curl -sk -o /dev/null "https://127.0.0.1:$PORT/api/v1/health" && return 0
        sleep 0.1
    done
    return 1
}
hub_start_tls || bad "TLS hub starts" "$(tail -3 "$WORK/hub.log")"
check "HTTPS answers" "200" "$(curl -sk --cacert "$WORK/tls.crt" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/api/v1/health")"
check "plain HTTP on the TLS port fails" "000" "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health")"
hub_stop
sed -i '/^tls:/d' "$WORK/hub.yaml"

# ---- tail -------------------------------------------------------------------------------
python3 $GEN 4 1500 7 > "$WORK/tail.json"
"$HUB_BIN" -c "$WORK/hub.yaml" --tail "$WORK/tail.json" --tail-sensor s1 2>>"$WORK/hub.log" &
HUB_PID=$!
count_ip4() { # events of net 10.4 visible to ann
    local n=0 cur="" p
    while :; do
        req GET "/api/v1/events?limit=1000&dest_ip=192.0.2.5${cur:+&cursor=$cur}" "$TOK"
        p=$(echo "$BODY" | j 'len(d["events"])'); n=$((n + ${p:-0}))
        cur=$(echo "$BODY" | j 'd["next_cursor"] or ""'); [ -z "$cur" ] && break
    done
    echo $n
}
wait_count() { for _ in $(seq 1 60); do [ "$(count_ip4)" = "$1" ] && break; sleep 0.2; done; count_ip4; }
check "tail stores the file" "1500" "$(wait_count 1500)"
python3 $GEN 4 1600 7 | tail -100 | head -c -40 >> "$WORK/tail.json"   # 99 lines and a partial one
check "tail follows appended lines, keeps a partial line" "1599" "$(wait_count 1599)"
python3 $GEN 4 1600 7 | tail -1 | tail -c 40 >> "$WORK/tail.json"
check "the partial line completes" "1600" "$(wait_count 1600)"
hub_stop
"$HUB_BIN" -c "$WORK/hub.yaml" --tail "$WORK/tail.json" --tail-sensor s1 2>>"$WORK/hub.log" &
HUB_PID=$!
sleep 1.5
check "a restarted tail stores nothing twice" "1600" "$(wait_count 1600)"
hub_stop

# ---- demo and audit verify ----------------------------------------------------------------
out=$($CLI_BIN --db "$WORK/demo.db" demo --eve "$WORK/eve.json" 2>&1)
check "demo creates users and imports" "3:1200" "$(echo "$out" | grep -c '^user '):$(echo "$out" | awk '/events stored/{print $2}')"
out=$($CLI_BIN --db "$WORK/demo.db" audit verify --sealed); rc=$?
check "demo audit log verifies" "0" "$rc"
out=$($CLI audit verify --sealed); rc=$?
check "audit log verifies after CLI and hub runs" "0:1" "$rc:$(echo "$out" | grep -c OK)"
python3 - "$WORK/hub.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM audit WHERE seq=3"); db.commit()
PY
out=$($CLI audit verify); rc=$?
check "a deleted audit record is found" "3:1" "$rc:$(echo "$out" | grep -c BROKEN)"
hub_done
