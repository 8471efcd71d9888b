#!/usr/bin/env bash
# run.sh — runs every test: unit test binaries, fuzz corpus replays, end-to-end scripts.
# Each piece ends its output with "RESULT passed=N failed=M"; a piece that crashes or
# prints no RESULT line counts as one failure. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export CS_TEST_DATA="$PWD/tests/data"
# The hub's PostgreSQL tests talk to a real server on loopback (scripts/pg.sh; .ci/run starts
# it too). Without PostgreSQL installed those tests report the missing server as a failure.
if [ -z "${CS_PG_DSN:-}" ]; then
    CS_PG_DSN=$(scripts/pg.sh start 2>"$BUILD/pg-start.log" | tail -1) || CS_PG_DSN=""
fi
export CS_PG_DSN
LOG=$BUILD/test-logs
rm -rf "$LOG"; mkdir -p "$LOG"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

total_pass=0
total_fail=0
failed_names=()

run_piece() { # name, command...
    local name=$1; shift
    local log="$LOG/$(echo "$name" | tr '/ ' '__').log"
    "$@" >"$log" 2>&1
    local rc=$?
    local line
    line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$log" | tail -1)
    local p=0 f=0
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/.*passed=([0-9]+).*/\1/')
        f=$(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/')
    fi
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ -z "$line" ] && [ $rc -eq 0 ]; then f=1; echo "no RESULT line" >>"$log"; fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name")
        printf '%-50s %4d passed, %d FAILED (log: %s)\n' "$name" "$p" "$f" "$log"
        grep -E '^(FAIL|     also)' "$log" | head -20 | sed 's/^/    /'
        grep -E 'ERROR: AddressSanitizer|runtime error|LeakSanitizer' "$log" | head -5 | sed 's/^/    /'
    else
        printf '%-50s %4d passed\n' "$name" "$p"
    fi
}

for t in $(find "$BUILD/tests" -type f -name '*_test' | sort); do
    run_piece "unit ${t#$BUILD/tests/}" "$t"
done

for r in $(find "$BUILD/fuzz" -type f -name 'replay_*' 2>/dev/null | sort); do
    target=${r##*/replay_}
    [ -d "fuzz/corpus/$target" ] || continue
    run_piece "fuzz-replay $target" "$r" "fuzz/corpus/$target"
done

for e in $(ls tests/e2e/*.sh 2>/dev/null | sort); do
    run_piece "e2e ${e#tests/e2e/}" bash "$e"
done

if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
