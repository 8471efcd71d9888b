#!/usr/bin/env bash
# sv-run.sh — runs the whole suricata-verify subset of ../shared/corpus through
# citysoc-sensor with the corpus's own runner (run_checks.py). Needs ../shared.
# Usage: scripts/sv-run.sh [BUILD] [TESTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}; shift || true
SV=../shared/corpus/suricata-verify
[ -d "$SV" ] || { echo "sv-run: $SV not found"; exit 2; }
OUT=${SV_OUT:-/tmp/citysoc-sv}
rm -rf "$OUT"
# features the sensor has, as Suricata builds report them (tests `requires` them):
# HAVE_JA3 — JA3/JA3S are computed for every TLS handshake (ja3.* / ja3s.* buffers, EVE tls)
FEATURES=HAVE_JA3
python3 "$SV/run_checks.py" --outdir "$OUT" -j 2 --features "$FEATURES" \
    --engine "$PWD/$BUILD/citysoc-sensor -c {config} --set classification-file={classification} --set reference-config-file={reference} -r {pcap} -S {rules} -l {outdir} {args}" "$@"
