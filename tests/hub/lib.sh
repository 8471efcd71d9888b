# hub_lib.sh — helpers for the hub's end-to-end scripts (sourced, not run: no RESULT line).
# Starts build/citysoc-hub on a free 127.0.0.1 port with a throw-away database, and talks to
# it with curl. Every check prints "ok NAME" or "FAIL NAME: detail"; hub_done prints RESULT.
BUILD=${BUILD:-build}
HUB_BIN=$BUILD/citysoc-hub
CLI_BIN=$BUILD/citysoc
PASS=0
FAILN=0
HUB_PID=
WORK=$(mktemp -d /tmp/cs-hub-e2e.XXXXXX)
# HUB_DB=pg: the hub's database is PostgreSQL ($CS_PG_DSN, else scripts/pg.sh starts one), in a
# fresh schema of its own that hub_done drops; otherwise SQLite in $WORK/hub.db.
HUB_DB=${HUB_DB:-sqlite}
PG_SCHEMA=
DB_URL=$WORK/hub.db

ok() { echo "ok $1"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $1: $2"; FAILN=$((FAILN + 1)); }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected '$2', got '$3'"; fi; }

# j PYEXPR — evaluates PYEXPR over the JSON on stdin as d; prints the result ("" on error).
j() { python3 -c 'import json,sys
try:
    d = json.load(sys.stdin); r = eval(sys.argv[1])
    print(r if not isinstance(r, bool) else str(r).lower())
except Exception as e:
    print("")' "$1"; }

pg_setup() {
    if [ -z "${CS_PG_DSN:-}" ]; then
        CS_PG_DSN=$(scripts/pg.sh start 2>/dev/null | tail -1) || CS_PG_DSN=""
    fi
    [ -n "$CS_PG_DSN" ] || return 1
    PG_SCHEMA="e_$$_$RANDOM"
    psql -qAt "$CS_PG_DSN" -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null || return 1
    case "$CS_PG_DSN" in
    postgres://* | postgresql://*)
        case "$CS_PG_DSN" in *\?*) sep='&' ;; *) sep='?' ;; esac
        DB_URL="$CS_PG_DSN${sep}options=-csearch_path%3D$PG_SCHEMA" ;;
    *) DB_URL="pg:$CS_PG_DSN options='-c search_path=$PG_SCHEMA'" ;;
    esac
}

# pg_sql SQL — runs SQL in the test's PostgreSQL schema; rows on stdout, fields space-separated.
pg_sql() { PGOPTIONS="-c search_path=$PG_SCHEMA" psql -qAt -F ' ' "$CS_PG_DSN" -c "$1"; }

pg_drop() {
    [ -n "$PG_SCHEMA" ] && psql -qAt "$CS_PG_DSN" -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" \
        >/dev/null 2>&1
    PG_SCHEMA=
}

hub_config() { # extra YAML lines on stdin are appended
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ "$HUB_DB" = pg ] && ! pg_setup; then
        bad "PostgreSQL server (CS_PG_DSN or scripts/pg.sh)" "none available"
        rm -rf "$WORK"
        echo "RESULT passed=0 failed=1"
        exit 1
    fi
    cat > "$WORK/hub.yaml" <<YAML
database: "$DB_URL"
listen: 127.0.0.1:$PORT
threads: 2
limits: {max-body: 256kb, max-header: 16kb, timeout: 3}
auth:
  password: {memory: 8kb, iterations: 1, min-length: 12}
YAML
    cat >> "$WORK/hub.yaml"
    BASE=http://127.0.0.1:$PORT
    CLI="$CLI_BIN -c $WORK/hub.yaml"
}

hub_start() {
    "$HUB_BIN" -c "$WORK/hub.yaml" 2>>"$WORK/hub.log" &
    HUB_PID=$!
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "$BASE/api/v1/health" && return 0
        kill -0 $HUB_PID 2>/dev/null || break
        sleep 0.1
    done
    echo "hub did not start:"; cat "$WORK/hub.log"
    return 1
}

hub_stop() {
    [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null
    HUB_PID=
}

hub_alive() { curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/health"; }

# req METHOD PATH TOKEN [curl args...] — sets CODE and BODY
req() {
    local m=$1 p=$2 t=$3; shift 3
    local auth=()
    [ -n "$t" ] && auth=(-H "Authorization: Bearer $t")
    BODY=$(curl -s -X "$m" "${auth[@]}" -w '\n%{http_code}' "$@" "$BASE$p")
    CODE=${BODY##*$'\n'}
    BODY=${BODY%$'\n'*}
}

# post_json PATH TOKEN JSON
post_json() { req POST "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"; }

# ingest TOKEN BATCH_ID FILE [curl args]
ingest() {
    local t=$1 b=$2 f=$3; shift 3
    req POST /api/v1/events "$t" -H 'Content-Type: application/x-ndjson' \
        -H "X-Citysoc-Batch: $b" --data-binary @"$f" "$@"
}

login() { # USER PASSWORD -> prints the session token
    post_json /api/v1/auth/login "" "{\"username\":\"$1\",\"password\":\"$2\"}"
    echo "$BODY" | j 'd["token"]'
}

hub_done() {
    hub_stop
    if grep -qE 'ERROR: AddressSanitizer|LeakSanitizer|runtime error' "$WORK/hub.log" 2>/dev/null; then
        bad "hub ran clean under the sanitizers" "see the hub log"
    fi
    if [ "$FAILN" -gt 0 ]; then echo "--- hub log"; tail -20 "$WORK/hub.log"; fi
    pg_drop
    rm -rf "$WORK"
    echo "RESULT passed=$PASS failed=$FAILN"
    [ "$FAILN" -eq 0 ]
}
trap 'hub_stop; pg_drop; rm -rf "$WORK"' INT TERM
