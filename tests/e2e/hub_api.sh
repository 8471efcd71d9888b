#!/usr/bin/env bash
# hub_api.sh — the hub's API over real HTTP: build/citysoc-hub on 127.0.0.1 driven with curl.
# Ingest (plain, gzip, zstd, retried batches, signed batches), query and filters, tenancy
# isolation through every route, roles, tokens and sessions, hostile input (each answered
# with a clear 4xx, nothing stored, hub alive), login throttling, audit log and its
# verification (also after tampering). HUB_DB=pg runs it all on PostgreSQL (hub_api_pg.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
GEN=tests/hub/gen_eve.py
PW=correct-horse-battery

hub_config <<'YAML'
audit: {checkpoint-every: 10}
YAML

# ---- tenancy set-up through the CLI -----------------------------------------------------
$CLI org add city --kind city >/dev/null
$CLI org add district-a --parent city --kind district >/dev/null
$CLI org add district-b --parent city --kind district >/dev/null
$CLI org add plant-a --parent district-a --kind org --tags water,ics >/dev/null
$CLI org add plant-b --parent district-b --kind org --tags energy >/dev/null
for u in "root-admin city admin" "a-admin district-a admin" "a-analyst district-a analyst" \
         "a-viewer plant-a viewer" "b-analyst district-b analyst"; do
    set -- $u
    CITYSOC_PASSWORD=$PW $CLI user add "$1" --org "$2" --role "$3" >/dev/null || bad "cli user add $1" "failed"
done
out=$(CITYSOC_PASSWORD=short $CLI user add weak --org city --role viewer 2>&1)
check "cli refuses a short password" "1" "$(echo "$out" | grep -c 'too short')"
SA_TOKEN=$($CLI sensor add sensor-a --org plant-a --key-out "$WORK/sa.pem" | awk '/^token:/{print $2}')
SB_TOKEN=$($CLI sensor add sensor-b --org plant-b --key-out "$WORK/sb.pem" | awk '/^token:/{print $2}')
check "sensor key file is private" "600" "$(stat -c %a "$WORK/sa.pem")"
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }

req GET /api/v1/health ""
check "health" "200" "$CODE"

# ---- sessions ---------------------------------------------------------------------------
ROOT=$(login root-admin $PW); AADM=$(login a-admin $PW); AAN=$(login a-analyst $PW)
AVW=$(login a-viewer $PW); BAN=$(login b-analyst $PW)
check "login gives a session id" "css_" "${AAN:0:4}"
post_json /api/v1/auth/login "" '{"username":"a-analyst","password":"wrong-password-x"}'
check "wrong password 401" "401:invalid_credentials" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
post_json /api/v1/auth/login "" '{"username":"nobody","password":"whatever-long"}'
check "unknown user 401 alike" "401:invalid_credentials" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
post_json /api/v1/auth/login "" '{"username":"a-analyst"'
check "malformed JSON 400" "400:invalid_json" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
post_json /api/v1/auth/login "" '{"username":"a-analyst"}'
check "missing field 400" "400:missing_field" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
post_json /api/v1/auth/login "" '{"username":"a-analyst","password":"x","admin":true}'
check "unknown field 400" "400:invalid_field" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
req POST /api/v1/auth/login "" -H 'Content-Type: text/plain' --data '{"username":"a","password":"b"}'
check "wrong content type 415" "415" "$CODE"
req GET /api/v1/me "$AAN"
check "me" "200:a-analyst:district-a" "$CODE:$(echo "$BODY" | j 'd["user"]["name"]'):$(echo "$BODY" | j 'd["org"]["name"]')"

# ---- ingest -----------------------------------------------------------------------------
python3 $GEN 1 200 1 > "$WORK/a1.ndjson"
python3 $GEN 2 120 2 > "$WORK/b1.ndjson"
ingest "$SA_TOKEN" a-1 "$WORK/a1.ndjson"
check "ingest batch" "200:200:false" "$CODE:$(echo "$BODY" | j 'd["stored"]'):$(echo "$BODY" | j 'd["duplicate"]')"
ingest "$SA_TOKEN" a-1 "$WORK/a1.ndjson"
check "retried batch not stored twice" "200:true" "$CODE:$(echo "$BODY" | j 'd["duplicate"]')"
ingest "$SB_TOKEN" a-1 "$WORK/b1.ndjson"
check "batch ids are per sensor" "200:120:false" "$CODE:$(echo "$BODY" | j 'd["stored"]'):$(echo "$BODY" | j 'd["duplicate"]')"
python3 $GEN 1 50 3 | gzip -c > "$WORK/a2.gz"
ingest "$SA_TOKEN" a-2 "$WORK/a2.gz" -H 'Content-Encoding: gzip'
check "gzip batch" "200:50" "$CODE:$(echo "$BODY" | j 'd["stored"]')"
python3 $GEN 1 50 4 | zstd -q -c > "$WORK/a3.zst"
ingest "$SA_TOKEN" a-3 "$WORK/a3.zst" -H 'Content-Encoding: zstd'
check "zstd batch" "200:50" "$CODE:$(echo "$BODY" | j 'd["stored"]')"
TOTAL_A=300; TOTAL=420

count_events() { # TOKEN QUERY -> number of events over all pages
    local t=$1 q=$2 n=0 cur="" page
    while :; do
        req GET "/api/v1/events?limit=1000${q}${cur:+&cursor=$cur}" "$t"
        [ "$CODE" = 200 ] || { echo "ERR$CODE"; return; }
        page=$(echo "$BODY" | j 'len(d["events"])'); n=$((n + page))
        cur=$(echo "$BODY" | j 'd["next_cursor"] or ""')
        [ -z "$cur" ] && break
    done
    echo $n
}
check "root sees all events" "$TOTAL" "$(count_events "$ROOT" "")"
if [ "$HUB_DB" = pg ]; then
    check "the events are in PostgreSQL, in day partitions" "$TOTAL:events_p20260612" \
        "$(pg_sql "SELECT count(*) FROM events"):$(pg_sql "SELECT DISTINCT tableoid::regclass FROM events")"
fi
check "district A analyst sees A's" "$TOTAL_A" "$(count_events "$AAN" "")"
check "district B analyst sees B's" "120" "$(count_events "$BAN" "")"
check "A's viewer (plant-a) sees plant-a's" "$TOTAL_A" "$(count_events "$AVW" "")"

# cursor pagination: pages of 7 cover everything once
req GET "/api/v1/events?limit=7" "$AAN"
ids=$(echo "$BODY" | j '" ".join(str(e["id"]) for e in d["events"])'); cur=$(echo "$BODY" | j 'd["next_cursor"]')
while [ -n "$cur" ] && [ "$cur" != "None" ]; do
    req GET "/api/v1/events?limit=7&cursor=$cur" "$AAN"
    ids="$ids $(echo "$BODY" | j '" ".join(str(e["id"]) for e in d["events"])')"
    cur=$(echo "$BODY" | j 'd["next_cursor"] or ""')
done
check "cursor pages: every event once" "$TOTAL_A $TOTAL_A" "$(echo $ids | tr ' ' '\n' | grep -c .) $(echo $ids | tr ' ' '\n' | sort -u | grep -c .)"

# filters
check "filter event_type" "76" "$(count_events "$AAN" "&event_type=alert")"
check "filter severity_max" "27" "$(count_events "$AAN" "&event_type=alert&severity_max=1")"
check "filter signature substring" "$(python3 -c 'print(sum(1 for n in range(0,200,4) if n%7==3)+sum(1 for n in range(0,50,4) if n%7==3)*2)')" "$(count_events "$AAN" "&signature=TEST%203")"
check "filter signature_id" "$(count_events "$AAN" "&signature=TEST%203")" "$(count_events "$AAN" "&signature_id=9000003")"
check "filter src_ip" "3" "$(count_events "$AAN" "&src_ip=10.1.0.1")"
check "filter ip (either side)" "$TOTAL_A" "$(count_events "$AAN" "&ip=192.0.2.2")"
check "filter time range" "$(count_events "$ROOT" "&from=2026-06-12T08:08:55Z&to=1781251745000000")" "$(count_events "$ROOT" "&from=1781251735000000&to=2026-06-12T08:09:05Z")"
req GET "/api/v1/events?from=2026-06-12T08:08:55Z&to=1781251745000000" "$ROOT"
check "time range is [from,to)" "40" "$(echo "$BODY" | j 'len(d["events"])')"
req GET "/api/v1/events?limit=1&event_type=alert" "$AAN"
check "event carries the original record" "alert:1" "$(echo "$BODY" | j 'd["events"][0]["record"]["event_type"]'):$(echo "$BODY" | j 'd["events"][0]["record"]["alert"]["gid"]')"
A_ID=$(echo "$BODY" | j 'd["events"][0]["id"]')
req GET "/api/v1/events?limit=1" "$BAN"
B_ID=$(echo "$BODY" | j 'd["events"][0]["id"]')
B_SENSOR=$(echo "$BODY" | j 'd["events"][0]["sensor_id"]')

# ---- tenancy isolation through every route ----------------------------------------------
PB=$(echo "$($CLI org list)" | awk '$3=="plant-b"{print $1}'); DB=$(echo "$($CLI org list)" | awk '$3=="district-b"{print $1}')
PA=$(echo "$($CLI org list)" | awk '$3=="plant-a"{print $1}')
req GET "/api/v1/events/$B_ID" "$AAN";               check "A cannot get B's event" "404" "$CODE"
req GET "/api/v1/events/$A_ID" "$AAN";               check "A gets its own event" "200" "$CODE"
check "A filtering on B's org sees nothing" "0" "$(count_events "$AAN" "&org_id=$DB")"
check "A filtering on B's sensor sees nothing" "0" "$(count_events "$AAN" "&sensor_id=$B_SENSOR")"
check "A filtering on B's addresses sees nothing" "0" "$(count_events "$AAN" "&ip=192.0.2.3")"
req GET /api/v1/orgs "$AAN"
check "A's org list has no B" "district-a,plant-a" "$(echo "$BODY" | j '",".join(o["name"] for o in d["orgs"])')"
req GET "/api/v1/orgs/$PB" "$AAN";                   check "A cannot get B's org" "404" "$CODE"
req GET /api/v1/sensors "$AAN"
check "A's sensor list has no B" "sensor-a" "$(echo "$BODY" | j '",".join(s["name"] for s in d["sensors"])')"
req GET /api/v1/users "$AADM"
check "A admin's user list has no B" "a-admin,a-analyst,a-viewer" "$(echo "$BODY" | j '",".join(sorted(u["name"] for u in d["users"]))')"
post_json /api/v1/users "$AADM" "{\"name\":\"sneak\",\"password\":\"$PW\",\"role\":\"admin\",\"org_id\":$PB}"
check "A admin cannot create a user in B" "404" "$CODE"
post_json /api/v1/orgs "$AADM" "{\"name\":\"sneak-org\",\"kind\":\"org\",\"parent_id\":$DB}"
check "A admin cannot create an org under B" "404" "$CODE"
post_json /api/v1/sensors "$AADM" "{\"name\":\"sneak-sensor\",\"org_id\":$PB}"
check "A admin cannot create a sensor in B" "404" "$CODE"
B_USER=$(echo "$($CLI user list)" | awk '$2=="b-analyst"{print $1}')
post_json "/api/v1/users/$B_USER/password" "$AADM" "{\"password\":\"$PW-new\"}"
check "A admin cannot set B's password" "404" "$CODE"
req GET /api/v1/audit "$AADM";                       check "district admin cannot read the audit log" "403" "$CODE"

# ---- roles ------------------------------------------------------------------------------
post_json /api/v1/orgs "$AADM" "{\"name\":\"plant-a2\",\"kind\":\"org\",\"parent_id\":$PA,\"tags\":\"water\"}"
check "admin creates an org in its subtree" "201:plant-a2" "$CODE:$(echo "$BODY" | j 'd["name"]')"
post_json /api/v1/users "$AADM" "{\"name\":\"a-new\",\"password\":\"$PW\",\"role\":\"viewer\",\"org_id\":$PA}"
check "admin creates a user in its subtree" "201" "$CODE"
post_json /api/v1/users "$AAN" "{\"name\":\"x1\",\"password\":\"$PW\",\"role\":\"viewer\",\"org_id\":$PA}"
check "analyst cannot create users" "403" "$CODE"
req GET /api/v1/users "$AAN";                        check "analyst cannot list users" "403" "$CODE"
post_json /api/v1/tokens "$AVW" '{"label":"v"}';     check "viewer cannot create tokens" "403" "$CODE"
post_json /api/v1/orgs "$AVW" '{"name":"v","kind":"org","parent_id":1}'; check "viewer cannot create orgs" "403" "$CODE"
req GET /api/v1/events "$SA_TOKEN";                  check "sensor token cannot query" "403" "$CODE"
ingest "$AAN" u-1 "$WORK/a1.ndjson";                 check "user cannot post events" "403" "$CODE"
post_json /api/v1/sensors "$AADM" "{\"name\":\"sensor-a2\",\"org_id\":$PA}"
check "admin creates a sensor (key pair and token returned)" "201:cst_:true" "$CODE:$(echo "$BODY" | j 'd["token"][:4]'):$(echo "$BODY" | j '"BEGIN PRIVATE KEY" in d["private_key"]')"

# ---- tokens -----------------------------------------------------------------------------
post_json /api/v1/tokens "$AAN" '{"label":"script"}'
API_TOK=$(echo "$BODY" | j 'd["token"]')
check "analyst creates an API token" "201:cst_" "$CODE:${API_TOK:0:4}"
check "API token works and keeps the scope" "$TOTAL_A" "$(count_events "$API_TOK" "")"
post_json /api/v1/tokens "$AAN" '{"label":"short","ttl_s":1}'
SHORT=$(echo "$BODY" | j 'd["token"]')
req GET /api/v1/me "$SHORT";                         check "short token works at first" "200" "$CODE"
sleep 1.2
req GET /api/v1/me "$SHORT";                         check "expired token 401" "401:invalid_token" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
FORGED="cst_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)"
req GET /api/v1/me "$FORGED";                        check "forged token 401" "401" "$CODE"
req GET /api/v1/me "cst_not-a-token";                check "malformed token 401" "401" "$CODE"
req GET /api/v1/me "" -H "Authorization: Basic YTpi"; check "wrong scheme 401" "401" "$CODE"
req GET /api/v1/me "";                               check "no token 401" "401" "$CODE"
req GET /api/v1/me "${AAN/css_/cst_}";               check "session id presented as API token 401" "401" "$CODE"
req POST /api/v1/auth/logout "$AVW";                 check "logout" "204" "$CODE"
req GET /api/v1/me "$AVW";                           check "session gone after logout" "401" "$CODE"
req POST /api/v1/auth/logout "$AVW";                 check "logout twice: the session is revoked" "401" "$CODE"

# ---- listing and revoking tokens ------------------------------------------------------
post_json /api/v1/tokens "$AAN" '{"label":"to-revoke"}'
REV_TOK=$(echo "$BODY" | j 'd["token"]')
post_json /api/v1/tokens "$BAN" '{"label":"b-script"}'
B_TOK=$(echo "$BODY" | j 'd["token"]')
req GET /api/v1/tokens "$AAN"
check "token list: own tokens by label" "200:script,to-revoke" "$CODE:$(echo "$BODY" | j '",".join(sorted(t["label"] for t in d["tokens"] if t["label"] != "short"))')"
check "token list never shows a secret" "0" "$(echo "$BODY" | grep -c -e 'cst_' -e '"hash"' -e "${REV_TOK:4:20}")"
REV_ID=$(echo "$BODY" | j '[t["id"] for t in d["tokens"] if t["label"]=="to-revoke"][0]')
B_ID=$(curl -s -H "Authorization: Bearer $BAN" "$BASE/api/v1/tokens" | j '[t["id"] for t in d["tokens"] if t["label"]=="b-script"][0]')
req GET /api/v1/tokens "$REV_TOK"
check "the token in use is marked current" "true" "$(echo "$BODY" | j '[t["current"] for t in d["tokens"] if t["id"]=='"$REV_ID"'][0]')"
req GET /api/v1/tokens "$AADM"
check "district admin lists the district's tokens, not district-b's" "1:0" "$(echo "$BODY" | j 'sum(t["id"]=='"$REV_ID"' for t in d["tokens"])'):$(echo "$BODY" | j 'sum(t["id"]=='"$B_ID"' for t in d["tokens"])')"
req GET /api/v1/tokens "$ROOT";                      check "city admin sees district-b's token" "1" "$(echo "$BODY" | j 'sum(t["id"]=='"$B_ID"' for t in d["tokens"])')"
req GET "/api/v1/tokens?kind=session" "$AAN";        check "own sessions listed" "200:true" "$CODE:$(echo "$BODY" | j 'any(t["current"] for t in d["tokens"])')"
req GET "/api/v1/tokens?kind=bogus" "$AAN";          check "bad kind 400" "400" "$CODE"
req GET "/api/v1/tokens?user_id=1" "$AAN";           check "analyst cannot list another user's tokens" "400" "$CODE"
req DELETE /api/v1/tokens/$B_ID "$AAN";             check "analyst cannot revoke another user's token" "404" "$CODE"
req DELETE /api/v1/tokens/$B_ID "$AADM";            check "district admin cannot revoke outside the district" "404" "$CODE"
req GET /api/v1/me "$B_TOK";                         check "that token still works" "200" "$CODE"
req GET /api/v1/me "$REV_TOK";                       check "token works before revocation" "200" "$CODE"
req DELETE /api/v1/tokens/$REV_ID "$AAN";           check "owner revokes a token" "204" "$CODE"
req GET /api/v1/me "$REV_TOK";                       check "revoked token 401 at once" "401:invalid_token" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
req DELETE /api/v1/tokens/$REV_ID "$AAN";           check "revoking twice 404" "404" "$CODE"
req DELETE /api/v1/tokens/$B_ID "$ROOT";            check "city admin revokes district-b's token" "204" "$CODE"
req GET /api/v1/events "$B_TOK";                     check "admin-revoked token 401" "401" "$CODE"
req DELETE /api/v1/tokens/0 "$AAN";                 check "token id 0 is no route" "404" "$CODE"
SC_TOK=$($CLI sensor add sensor-c --org plant-a --key-out "$WORK/sc.pem" | awk '/^token:/{print $2}')
SC_ID=$(curl -s -H "Authorization: Bearer $AADM" "$BASE/api/v1/tokens?kind=sensor" | j 'max(t["id"] for t in d["tokens"])')
python3 $GEN 1 5 9 > "$WORK/c1.ndjson"
ingest "$SC_TOK" c-1 "$WORK/c1.ndjson";              check "new sensor ingests" "200" "$CODE"
out=$($CLI token revoke "$SC_ID")
check "citysoc token revoke (a sensor's token)" "1" "$(echo "$out" | grep -c "^revoked $SC_ID")"
ingest "$SC_TOK" c-2 "$WORK/c1.ndjson";              check "revoked sensor token 401" "401" "$CODE"
out=$($CLI token list a-analyst)
check "citysoc token list USER" "1:0" "$(echo "$out" | grep -c ' script$'):$(echo "$out" | grep -c 'to-revoke')"
out=$($CLI token revoke 999999 2>&1); rc=$?
check "citysoc token revoke: unknown id" "1:1" "$rc:$(echo "$out" | grep -c 'no credential')"

# ---- hostile input ----------------------------------------------------------------------
COUNT0=$(count_events "$ROOT" "")
for q in "event_type=alert'%20OR%201=1--" "signature=%27%29%3B%20DROP%20TABLE%20events%3B--" \
         "src_ip=1.1.1.1'%20OR%20'1'='1" "dest_ip=%22%3B--" "ip=%25" "org_id=1%20OR%201=1" \
         "sensor_id=1;DELETE" "from=2026-01-01';--" "to=abc" "cursor=1.1%20OR%201=1" \
         "limit=1%3B" "severity_max=1%20OR%201" "signature_id=1)"; do
    req GET "/api/v1/events?$q" "$AAN"
    sig_rows=$(echo "$BODY" | j 'len(d.get("events", []))')
    if [ "$CODE" = 400 ] || { [ "$CODE" = 200 ] && [ "$sig_rows" = 0 ]; }; then ok "SQL metacharacters: $q"; else bad "SQL metacharacters: $q" "$CODE $sig_rows"; fi
done
check "metacharacters changed nothing" "$COUNT0" "$(count_events "$ROOT" "")"
post_json /api/v1/orgs "$ROOT" "{\"name\":\"x'); DROP TABLE orgs;--\",\"kind\":\"org\",\"parent_id\":$PA}"
req GET /api/v1/orgs "$ROOT"
check "metacharacters in a name are only text" "true" "$(echo "$BODY" | j 'any(o["name"].startswith("x'"'"');") for o in d["orgs"])')"
printf '%s\n{"event_type":"alert",\n' "$(head -1 "$WORK/a1.ndjson")" > "$WORK/bad.ndjson"
ingest "$SA_TOKEN" bad-1 "$WORK/bad.ndjson"
check "malformed NDJSON line: 400, line named" "400:invalid_events:2" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]'):$(echo "$BODY" | j 'd["error"]["lines"][0]["line"]')"
req POST /api/v1/events "$SA_TOKEN" -H 'Content-Type: application/json' -H "X-Citysoc-Batch: bad-2" --data-binary @"$WORK/a1.ndjson"
check "ingest with wrong content type 415" "415" "$CODE"
ingest "$SA_TOKEN" "bad id;" "$WORK/a1.ndjson";     check "invalid batch id 400" "400" "$CODE"
req POST /api/v1/events "$SA_TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/a1.ndjson"
check "missing batch id 400" "400:missing_batch_id" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
ingest "$SA_TOKEN" bad-3 "$WORK/a1.ndjson" -H 'Content-Encoding: br'; check "unknown encoding 415" "415" "$CODE"
head -c 3000 /dev/urandom > "$WORK/junk.gz"
ingest "$SA_TOKEN" bad-4 "$WORK/junk.gz" -H 'Content-Encoding: gzip'; check "corrupt gzip 400" "400" "$CODE"
python3 -c 'import sys; sys.stdout.write("{\"a\":" * 5000)' > "$WORK/deep.ndjson"
ingest "$SA_TOKEN" bad-5 "$WORK/deep.ndjson";        check "deeply nested JSON 400" "400" "$CODE"
python3 $GEN 1 2000 9 > "$WORK/big.ndjson"             # ~600 KB > max-body 256 KB
ingest "$SA_TOKEN" bad-6 "$WORK/big.ndjson"
check "oversized body 413" "413:body_too_large" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
ingest "$SA_TOKEN" bad-7 "$WORK/big.ndjson" -H 'Transfer-Encoding: chunked'
check "oversized chunked body 413" "413" "$CODE"
python3 -c 'import sys; sys.stdout.write("\n" * 10)' > "$WORK/empty.ndjson"
ingest "$SA_TOKEN" bad-8 "$WORK/empty.ndjson";       check "empty batch 400" "400" "$CODE"
req GET /api/v1/me "$AAN" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
if [ "$CODE" = 431 ] || [ "$CODE" = 413 ] || [ "$CODE" = 400 ]; then ok "oversized header 4xx ($CODE)"; else bad "oversized header" "$CODE"; fi
req GET /api/v1/nowhere "$AAN";                      check "unknown route 404" "404:not_found" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
req DELETE /api/v1/events "$AAN";                    check "wrong method 405" "405" "$CODE"
req GET "/api/v1/events/0" "$AAN";                   check "id 0 is no route 404" "404" "$CODE"
req GET "/api/v1/events/99999999999999999999" "$AAN"; check "huge id 404" "404" "$CODE"
# slow client: sends half a request line and waits; the hub drops it after the timeout (3 s)
python3 - "$PORT" <<'PY' && ok "slow client disconnected" || bad "slow client" "still connected"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /api/v1/health HT")
s.settimeout(8)
t = time.time()
try:
    data = s.recv(100)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if time.time() - t < 7 else 1)
PY
check "nothing stored by hostile input" "$COUNT0" "$(count_events "$ROOT" "")"
check "hub alive after hostile input" "200" "$(hub_alive)"

# ---- signed batches ---------------------------------------------------------------------
python3 $GEN 1 10 5 > "$WORK/s1.ndjson"
SIG=$($CLI_BIN sign "$WORK/s1.ndjson" --key "$WORK/sa.pem" --sensor sensor-a --batch s-1)
ingest "$SA_TOKEN" s-1 "$WORK/s1.ndjson" -H "X-Citysoc-Signature: $SIG"
check "signed batch accepted" "200:10" "$CODE:$(echo "$BODY" | j 'd["stored"]')"
python3 $GEN 1 10 6 > "$WORK/s2.ndjson"
SIG=$($CLI_BIN sign "$WORK/s2.ndjson" --key "$WORK/sb.pem" --sensor sensor-a --batch s-2)
ingest "$SA_TOKEN" s-2 "$WORK/s2.ndjson" -H "X-Citysoc-Signature: $SIG"
check "batch signed with another sensor's key 401" "401:invalid_signature" "$CODE:$(echo "$BODY" | j 'd["error"]["code"]')"
SIG=$($CLI_BIN sign "$WORK/s1.ndjson" --key "$WORK/sa.pem" --sensor sensor-a --batch s-3)
ingest "$SA_TOKEN" s-3 "$WORK/s2.ndjson" -H "X-Citysoc-Signature: $SIG"
check "tampered body 401" "401" "$CODE"
SIG=$($CLI_BIN sign "$WORK/s2.ndjson" --key "$WORK/sa.pem" --sensor sensor-a --batch s-4 --ts 1000000000)
ingest "$SA_TOKEN" s-4 "$WORK/s2.ndjson" -H "X-Citysoc-Signature: $SIG"
check "stale signature 401" "401" "$CODE"
SIG=$($CLI_BIN sign "$WORK/s2.ndjson" --key "$WORK/sa.pem" --sensor sensor-a --batch other)
ingest "$SA_TOKEN" s-5 "$WORK/s2.ndjson" -H "X-Citysoc-Signature: $SIG"
check "signature for another batch id 401" "401" "$CODE"
ingest "$SA_TOKEN" s-6 "$WORK/s2.ndjson" -H "X-Citysoc-Signature: v=1, garbage"
check "malformed signature header 401" "401" "$CODE"
check "rejected signed batches stored nothing" "$((${COUNT0//[^0-9]/} + 10))" "$(count_events "$ROOT" "")"

# ---- login throttling -------------------------------------------------------------------
codes=""
for i in 1 2 3 4 5; do
    post_json /api/v1/auth/login "" '{"username":"b-analyst","password":"not-the-password"}'
    codes="$codes$CODE "
done
check "repeated failures are throttled (429)" "1" "$(echo "$codes" | grep -c 429)"
req POST /api/v1/auth/login "" -H 'Content-Type: application/json' -D "$WORK/h.txt" \
    --data '{"username":"b-analyst","password":"correct-horse-battery"}'
check "throttled even with the right password, Retry-After given" "429:1" "$CODE:$(grep -ci '^Retry-After:' "$WORK/h.txt")"

# ---- audit ------------------------------------------------------------------------------
req GET "/api/v1/audit?limit=1000" "$ROOT"
check "audit log readable by the city admin" "200" "$CODE"
acts=$(echo "$BODY" | j '",".join(sorted(set(r["action"] for r in d["records"])))')
for a in org.create user.create sensor.create token.create token.revoke login login.fail logout; do
    check "audit has $a" "1" "$(echo "$acts" | tr ',' '\n' | grep -cx "$a")"
done
check "audit record says from where" "127.0.0.1" "$(echo "$BODY" | j '[r for r in d["records"] if r["action"]=="org.create" and r["actor"]=="a-admin"][0]["source"]')"
check "audit record has the after state" "plant-a2" "$(echo "$BODY" | j 'json.loads([r for r in d["records"] if r["action"]=="org.create" and r["actor"]=="a-admin"][0]["after"])["name"]')"
hub_stop
out=$($CLI audit verify --sealed); rc=$?
check "citysoc audit verify: intact" "0:1" "$rc:$(echo "$out" | grep -c 'audit log OK')"
if [ "$HUB_DB" = pg ]; then
    pg_sql "UPDATE audit SET actor='someone-else' WHERE seq=5" >/dev/null
else
python3 - "$WORK/hub.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE audit SET actor='someone-else' WHERE seq=5")
db.commit()
PY
fi
out=$($CLI audit verify); rc=$?
check "citysoc audit verify: an edited record is found" "3:1" "$rc:$(echo "$out" | grep -c 'record 5')"
[ -n "${KEEP:-}" ] && { echo "kept $WORK port $PORT"; trap - INT TERM; exit 0; }
hub_done
