#!/usr/bin/env bash
# make fuzz: runs each fuzz target for SECONDS on a copy of its committed corpus (new inputs it
# finds go to out/fuzz/<target>, not into git), crashes into Fuzz/Crashes/<target>/, and
# prints each target's last status line: executions, coverage (cov: edges, ft: features), exec/s.
# Leak detection is off: Foundation's FileManager.contents(atPath:) leaks 4 KB reading an empty file
# (FoundationEssentials readBytesFromFile, Swift 6.3.1), which is not the parsers' doing.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=$1; shift
status=0
for target in "$@"; do
  work="${OUT:-out}/fuzz/$target"
  mkdir -p "$work" "Fuzz/Crashes/$target"
  log="$work.log"
  ASAN_OPTIONS=detect_leaks=0 Fuzz/.build/debug/fuzz-"$target" "$work" "Fuzz/Corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="Fuzz/Crashes/$target/" > "$log" 2>&1
  code=$?
  line=$(grep -E "^#[0-9]+" "$log" | tail -1)
  runs=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}')
  speed=$(grep -E "stat::average_exec_per_sec" "$log" | awk '{print $2}')
  printf "%-11s exit %d  runs %s  exec/s %s  %s\n" "$target" "$code" "${runs:-?}" "${speed:-?}" \
    "$(echo "$line" | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
  [ "$code" -eq 0 ] || { status=1; grep -E "ERROR|error|SUMMARY|Fatal" "$log" | head -5; }
done
exit $status
