#!/usr/bin/env bash
# screenshots.sh — `make screenshots`: docs/screenshots/*.png, one per main screen of the
# console, from a hub filled with the demo data (scripts/demo.sh: the sensor over the bundled
# captures, then `citysoc demo`). Needs chromium and web/node_modules (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
WORK=$(mktemp -d /tmp/cs-shots.XXXXXX)
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill $HUB_PID 2>/dev/null; rm -rf "$WORK"' EXIT
DEMO_OUT=$WORK/demo scripts/demo.sh "$BUILD" > "$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; exit 1; }
PW=$(awk '/^user city-admin .*password/{print $NF}' "$WORK/demo.log")
[ -n "$PW" ] || { echo "screenshots: no demo password in the demo output"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD/citysoc-hub" --db "$WORK/demo/hub.db" --listen "127.0.0.1:$PORT" --web-root "$PWD/web" 2>"$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
mkdir -p docs/screenshots
BASE=http://127.0.0.1:$PORT USER_NAME=city-admin PW=$PW OUT=docs/screenshots node tests/web/screenshots.mjs
ls -la docs/screenshots
