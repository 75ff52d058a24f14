#!/usr/bin/env bash
# make cut-soak: CUTS (200) cuts of a PostgreSQL link at random moments during a two-worker
# tuning run. Each worker is a `fashion tune` on a host of its own (a network namespace with its
# own hostname, reaching the server over a veth link); a cut takes one host's link down for
# 0.2-3 s (packets dropped, nothing closed), at random moments of its queries. After each cut the
# script waits for that host's worker to write to the study again (a heartbeat, a step, a claim)
# and records the stall: from the link coming back to that write. Then the study's invariants:
# no worker hung or failed, no trial lost, none doubled, every finished trial's epochs present,
# and every store error a worker printed names the server.
#
# Needs root, iproute2, util-linux's unshare, PostgreSQL's programs, the real data and a release
# `fashion` (FASHION, default .build-test/release/fashion, make test's build).
set -euo pipefail
cd "$(dirname "$0")/.."

CUTS=${CUTS:-200}
FASHION=${FASHION:-.build-test/release/fashion}
TIMEOUT=${FASHION_STORE_TIMEOUT:-5}
# The study stops starting trials after this long; the cuts end before it.
LIMIT=${LIMIT:-$((CUTS * 4 + 60))}

if [ "${1:-}" != "--inner" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "cut soak: network namespaces need root" >&2; exit 1; }
  [ -x "$FASHION" ] || { echo "cut soak: $FASHION is not built (make test builds it)" >&2; exit 1; }
  tag="c$$"
  tag="${tag:0:6}"
  cleanup() { for i in 1 2; do ip netns del "$tag-$i" 2>/dev/null || true; done; }
  trap cleanup EXIT
  for i in 1 2; do
    ns="$tag-$i"
    ip netns add "$ns"
    ip link add "${tag}h$i" type veth peer name "${tag}n$i"
    ip link set "${tag}n$i" netns "$ns"
    ip addr add "10.214.$i.1/30" dev "${tag}h$i"
    ip link set "${tag}h$i" up
    ip netns exec "$ns" ip addr add "10.214.$i.2/30" dev "${tag}n$i"
    ip netns exec "$ns" ip link set "${tag}n$i" up
    ip netns exec "$ns" ip link set lo up
  done
  PG_LISTEN="10.214.1.1,10.214.2.1" PG_LISTEN_NET="10.214.0.0/16" TAG="$tag" \
    Scripts/with-postgres.sh "$0" --inner
  exit $?
fi

work="$(mktemp -d /tmp/fashion-cuts.XXXXXX)"
trap 'rm -rf "$work"' EXIT
port="$FASHION_TEST_POSTGRES_PORT"
"$FASHION_TEST_POSTGRES_BIN/psql" -X -q -t -A "$FASHION_TEST_POSTGRES" -c "CREATE DATABASE cuts" >/dev/null
local_db="postgresql://postgres@127.0.0.1:$port/cuts"
q() { "$FASHION_TEST_POSTGRES_BIN/psql" -X -q -t -A "$local_db" -c "$1"; }

cat >"$work/space.json" <<'EOF'
{"name": "cuts", "validationSplit": 0.1, "parameters": [
  {"name": "hidden_layers", "low": 1, "high": 2, "integer": true},
  {"name": "units", "values": [8, 16, 32]},
  {"name": "learning_rate", "low": 0.0005, "high": 0.01, "log": true},
  {"name": "batch_size", "value": 512},
  {"name": "epochs", "value": 3}
]}
EOF
"$FASHION" runs list --store "$local_db" >/dev/null

pids=()
for i in 1 2; do
  FASHION_STORE_TIMEOUT="$TIMEOUT" ip netns exec "$TAG-$i" \
    unshare --uts sh -c "hostname host$i; exec \"\$0\" \"\$@\"" \
    timeout --kill-after=30 $((LIMIT + 600)) \
    "$FASHION" tune "$work/space.json" --trials 100000 --time-limit "$LIMIT" --workers 1 --threads 1 \
    --sampler random --pruner none --heartbeat 1 --grace 60 \
    --store "postgresql://postgres@10.214.$i.1:$port/cuts" -o "$work/out-$i" >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
done

# The latest write of host N's worker to the study, on the database's clock.
last_write() {
  q "SELECT coalesce(extract(epoch FROM max(greatest(started_at, heartbeat_at, coalesce(ended_at, started_at)))), 0)
     FROM trial WHERE split_part(worker, ':', 1) = 'host$1'"
}
now_db() { q "SELECT extract(epoch FROM clock_timestamp())"; }

started=$(date +%s)
# Wait for both workers to be training.
until [ "$(q "SELECT count(DISTINCT split_part(worker, ':', 1)) FROM trial")" = 2 ]; do
  sleep 0.2
  [ $(($(date +%s) - started)) -lt 300 ] || { echo "cut soak: the workers never started" >&2; exit 1; }
done

cuts=0 hangs=0
: >"$work/stalls.txt"
while [ "$cuts" -lt "$CUTS" ]; do
  kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null || break
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + r / 32767 * 1.2 }')"
  host=$((RANDOM % 2 + 1))
  down=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.2 + r / 32767 * 2.8 }')
  ip link set "${TAG}h$host" down
  sleep "$down"
  ip link set "${TAG}h$host" up
  back=$(now_db)
  cuts=$((cuts + 1))
  # The stall: until host's worker writes again (its heartbeat is every second).
  stall=""
  for _ in $(seq 1 1200); do
    if awk -v a="$(last_write "$host")" -v b="$back" 'BEGIN { exit !(a > b) }'; then
      stall=$(awk -v a="$(now_db)" -v b="$back" 'BEGIN { printf "%.2f", a - b }')
      break
    fi
    kill -0 "${pids[$((host - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$stall" ]; then
    hangs=$((hangs + 1))
    echo "cut soak: host $host's worker wrote nothing within 120 s of cut $cuts" >&2
  else
    echo "$stall $down $host" >>"$work/stalls.txt"
  fi
  [ $((cuts % 20)) -ne 0 ] || echo "cut soak: $cuts cuts, longest stall so far $(sort -g "$work/stalls.txt" | tail -1 | cut -d' ' -f1) s"
done

failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || { status=$?; echo "cut soak: a worker exited with $status" >&2; failed=$((failed + 1)); }
done
seconds=$(($(date +%s) - started))

problems=()
check() { [ "$2" = "$3" ] || problems+=("$1: expected $3, found $2"); }
check "workers that failed or were stopped" "$failed" 0
check "hangs" "$hangs" 0
check "cuts" "$cuts" "$CUTS"
check "trials still running" "$(q "SELECT count(*) FROM trial WHERE status = 'running'")" 0
check "interrupted trials not run again" \
  "$(q "SELECT count(*) FROM trial i WHERE i.status = 'interrupted' AND
        NOT EXISTS (SELECT 1 FROM trial r WHERE r.requeued_from = i.id)")" 0
check "numbers not 0..n-1" "$(q "SELECT count(*) FROM trial t WHERE t.number >= (SELECT count(*) FROM trial)")" 0
check "trials run twice (a requeued trial whose original did not end interrupted)" \
  "$(q "SELECT count(*) FROM trial r JOIN trial o ON r.requeued_from = o.id WHERE o.status <> 'interrupted'")" 0
check "complete trials missing epochs" "$(q "SELECT count(*) FROM trial t WHERE t.status = 'complete' AND
  (t.epochs <> 3 OR (SELECT count(*) FROM trial_step s WHERE s.trial_id = t.id AND s.step BETWEEN 1 AND 3) <> 3)")" 0
check "steps beyond a trial's epochs" "$(q "SELECT count(*) FROM trial_step WHERE step > 3")" 0
# Every message about the store names the server a worker reached it at.
unnamed=$(grep -h "run store\|database" "$work"/worker-*.log | grep -vc "postgresql://postgres@10.214" || true)
check "store messages that do not name the server" "$unnamed" 0

trials=$(q "SELECT count(*) FROM trial")
complete=$(q "SELECT count(*) FROM trial WHERE status = 'complete'")
interrupted=$(q "SELECT count(*) FROM trial WHERE status = 'interrupted'")
read -r count p50 p99 worst < <(sort -g "$work/stalls.txt" | awk '{ v[NR] = $1 } END {
  i50 = int(NR * 0.5 + 0.999); i99 = int(NR * 0.99 + 0.999); printf "%d %.2f %.2f %.2f\n", NR, v[i50], v[i99], v[NR] }')
echo "cut soak: $cuts cuts of 0.2-3 s over ${seconds} s, two workers on two hosts, queryTimeout ${TIMEOUT} s:" \
  "hangs $hangs, workers failed $failed; $trials trials ($complete complete, $interrupted interrupted and run again);" \
  "stall after a cut: p50 $p50 s, p99 $p99 s, longest $worst s"
grep -h "waiting for the run store" "$work"/worker-*.log | head -2 | sed 's/^/cut soak: a worker said: /' || true
if [ ${#problems[@]} -gt 0 ]; then
  printf 'cut soak: FAILED: %s\n' "${problems[@]}" >&2
  for f in "$work"/worker-*.log; do echo "== $f" >&2; tail -5 "$f" >&2; done
  exit 1
fi
echo "cut soak: passed (no hang, no trial lost or doubled, every store message names the server)"
