#!/usr/bin/env bash
# Runs the whole test suite N times in a row beside BUSY busy processes (2 by default, one a
# core on a two-core machine), each run under the watchdog and beside its own throwaway
# PostgreSQL, and counts passes, failures and hangs (runs the watchdog stopped).
#
#   Scripts/soak-tests.sh N [BUSY]
#
# Needs the test build (make test's, in .build-test; SCRATCH names another, such as a copy kept
# apart while the code is rebuilt). Each run's output is kept in
# $OUT/soak/run-K.log (OUT defaults to out); the last line is the tally.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: Scripts/soak-tests.sh N [BUSY]}"
busy="${2:-2}"
out="${OUT:-out}/soak"
mkdir -p "$out"
swift="${SWIFT:-swift}"
limit="${TEST_LIMIT:-900}"
scratch="${SCRATCH:-.build-test}"

pids=()
stop_busy() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_busy EXIT
for _ in $(seq 1 "$busy"); do
  # A busy loop with a bound: it ends by itself after six hours even if this script is killed.
  python3 -c 'import time
end = time.time() + 6 * 3600
while time.time() < end: pass' &
  pids+=($!)
done

passed=0 failed=0 hung=0
for k in $(seq 1 "$runs"); do
  log="$out/run-$k.log"
  started=$(date +%s)
  if Scripts/with-postgres.sh Scripts/test-watchdog.py "$limit" \
    "$swift" test --skip-build -c release --scratch-path "$scratch" -Xswiftc -enable-testing >"$log" 2>&1; then
    passed=$((passed + 1)); verdict=passed
  elif grep -q "stopped by the watchdog" "$log"; then
    hung=$((hung + 1)); verdict=HUNG
  else
    failed=$((failed + 1)); verdict=FAILED
  fi
  seconds=$(($(date +%s) - started))
  summary=$(grep -E "^[✔✘] Test run with" "$log" | tail -1 || true)
  echo "run $k/$runs: $verdict in ${seconds} s beside $busy busy processes; $summary"
  [ "$verdict" = passed ] || grep -E "^✘ Test .* (recorded an issue|failed)" "$log" | head -5 | sed 's/^/    /'
done
echo "$passed passed, $failed failed, $hung hung"
[ "$failed" -eq 0 ] && [ "$hung" -eq 0 ]
