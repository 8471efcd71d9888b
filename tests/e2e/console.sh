#!/usr/bin/env bash
# console.sh — the web console in Debian's chromium (playwright-core from web/node_modules):
# a hub on 127.0.0.1 serving web/, a city with two districts set up with the CLI, events
# ingested in the test (one district's batch signed with its sensor's SM2 key), then
# tests/web/console_e2e.mjs logs in and checks what the pages show: the overview fills, alerts
# filter, a detail opens, pivots to the flow and the DNS names, the language switches, a
# viewer has no edit controls, a district user sees only their district. Also the i18n
# check (tests/web/i18n_check.mjs) and the hub serving the console's files.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/hub/lib.sh
PW=correct-horse-battery

node tests/web/i18n_check.mjs web && ok "i18n messages and markup" || bad "i18n messages and markup" "see above"

if [ ! -x /usr/bin/chromium ] || [ ! -d web/node_modules/playwright-core ] || [ ! -f web/vendor/echarts.min.js ]; then
    bad "browser prerequisites" "needs /usr/bin/chromium, web/node_modules (scripts/deps.sh) and make (web/vendor)"
    hub_done
    exit 1
fi

hub_config <<YAML
web-root: $PWD/web
YAML
$CLI org add city --kind city >/dev/null
$CLI org add district-east --parent city --kind district >/dev/null
$CLI org add district-west --parent city --kind district >/dev/null
$CLI org add plant-east --parent district-east --kind org --tags water,ics >/dev/null
$CLI org add plant-west --parent district-west --kind org --tags energy >/dev/null
for u in "root-admin city admin" "east-analyst district-east analyst" "east-viewer district-east viewer"; do
    set -- $u
    CITYSOC_PASSWORD=$PW $CLI user add "$1" --org "$2" --role "$3" >/dev/null || bad "cli user add $1" "failed"
done
E_TOKEN=$($CLI sensor add east-1 --org plant-east --key-out "$WORK/east.pem" | awk '/^token:/{print $2}')
W_TOKEN=$($CLI sensor add west-1 --org plant-west --key-out "$WORK/west.pem" | awk '/^token:/{print $2}')
hub_start || { bad "hub starts" "see log"; hub_done; exit 1; }

python3 tests/web/gen_console.py 1 east > "$WORK/east.ndjson"
python3 tests/web/gen_console.py 2 west > "$WORK/west.ndjson"
SIG=$($CLI_BIN -c "$WORK/hub.yaml" sign "$WORK/east.ndjson" --key "$WORK/east.pem" --sensor east-1 --batch east-1)
ingest "$E_TOKEN" east-1 "$WORK/east.ndjson" -H "X-Citysoc-Signature: $SIG"
check "signed east batch stored" "200:12" "$CODE:$(echo "$BODY" | j 'd["stored"]')"
ingest "$W_TOKEN" west-1 "$WORK/west.ndjson"
check "west batch stored" "200:12" "$CODE:$(echo "$BODY" | j 'd["stored"]')"

# the hub serves the console (and still the API) from one origin
req GET / ""
check "index.html served" "200:1" "$CODE:$(echo "$BODY" | grep -c 'js/main.js')"
check "client route answers index.html" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/alerts/7")"
check "chart library served by the hub" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/vendor/echarts.min.js")"
check "npm tree beside the console not served" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/node_modules/echarts/package.json")"
check "no path out of the web root" "400" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$BASE/../hub.db")"
check "unknown API route is still JSON 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/nope")"

ROOT=$(login root-admin $PW)
req GET "/api/v1/events?event_type=alert&signature=WEST&limit=1" "$ROOT"
WEST_ALERT_ID=$(echo "$BODY" | j 'd["events"][0]["id"]')

BASE=$BASE PW=$PW WEST_ALERT_ID=$WEST_ALERT_ID E_TOKEN=$E_TOKEN node tests/web/console_e2e.mjs > "$WORK/browser.log" 2>&1
cat "$WORK/browser.log" | grep -v '^RESULT'
line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$WORK/browser.log" | tail -1)
if [ -n "$line" ]; then
    PASS=$((PASS + $(echo "$line" | sed -E 's/.*passed=([0-9]+).*/\1/')))
    FAILN=$((FAILN + $(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/')))
else
    bad "browser run" "no RESULT line"
fi
hub_done
