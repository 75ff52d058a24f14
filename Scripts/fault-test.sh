#!/usr/bin/env bash
# make fault-test: several machines sharing one study, simulated. Eight `fashion tune` workers,
# each on a host of its own (a network namespace with its own hostname, reaching PostgreSQL over
# a veth link), share a 64-trial study. Ten times a random worker is killed with SIGKILL (its
# host starts it again, as a service manager would) and once a host's link is cut for 20 s.
# Then the study's invariants are checked in the database: no trial lost, none run twice,
# every finished trial's epochs present, the report written. The claims' times are reported.
#
# Needs root (network namespaces), iproute2, util-linux's unshare, PostgreSQL's programs and the
# real data; without them it says why and skips (fails under FASHION_REQUIRE_POSTGRES=1, as CI).
# One of the kills takes its host down for good: that worker's trial is taken over only once its
# heartbeat is older than the grace period, by a worker on another host.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-8}
TRIALS=${TRIALS:-64}
KILLS=${KILLS:-10}
CUT_SECONDS=${CUT_SECONDS:-20}
FASHION=${FASHION:-.build/release/fashion}

skip() {
  if [ "${FASHION_REQUIRE_POSTGRES:-}" = 1 ]; then
    echo "fault test: cannot run: $1" >&2
    exit 1
  fi
  echo "fault test: skipped: $1"
  exit 0
}

if [ "${1:-}" != "--inner" ]; then
  [ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
  command -v ip >/dev/null && command -v unshare >/dev/null || skip "ip (iproute2) or unshare (util-linux) is missing"
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || skip "PostgreSQL's server programs are not installed"
  # The release build (claims are timed; a debug build's are several times slower).
  if [ "$FASHION" = .build/release/fashion ]; then
    ${SWIFT:-swift} build -c release --product fashion >/dev/null \
      || { echo "fault test: the release build failed" >&2; exit 1; }
  fi
  [ -x "$FASHION" ] || skip "$FASHION is not built"
  tag="f$$"
  tag="${tag:0:6}"
  cleanup() {
    for i in $(seq 1 "$WORKERS"); do ip netns del "$tag-$i" 2>/dev/null || true; done
  }
  trap cleanup EXIT
  listen=()
  for i in $(seq 1 "$WORKERS"); do
    ns="$tag-$i"
    ip netns add "$ns"
    ip link add "${tag}h$i" type veth peer name "${tag}n$i"
    ip link set "${tag}n$i" netns "$ns"
    ip addr add "10.213.$i.1/30" dev "${tag}h$i"
    ip link set "${tag}h$i" up
    ip netns exec "$ns" ip addr add "10.213.$i.2/30" dev "${tag}n$i"
    ip netns exec "$ns" ip link set "${tag}n$i" up
    ip netns exec "$ns" ip link set lo up
    listen+=("10.213.$i.1")
  done
  PG_LISTEN="$(IFS=,; echo "${listen[*]}")" PG_LISTEN_NET="10.213.0.0/16" TAG="$tag" \
    Scripts/with-postgres.sh "$0" --inner
  exit $?
fi

# Inside: the cluster runs; FASHION_TEST_POSTGRES is its loopback address.
work="$(mktemp -d /tmp/fashion-fault.XXXXXX)"
trap 'rm -rf "$work"' EXIT
port="$FASHION_TEST_POSTGRES_PORT"
psql=("$FASHION_TEST_POSTGRES_BIN/psql" -X -q -t -A "$FASHION_TEST_POSTGRES")
"${psql[@]}" -c "CREATE DATABASE fault" >/dev/null
local_db="postgresql://postgres@127.0.0.1:$port/fault"
q() { "$FASHION_TEST_POSTGRES_BIN/psql" -X -q -t -A "$local_db" -c "$1"; }

cat >"$work/space.json" <<'EOF'
{"name": "fault", "validationSplit": 0.1, "parameters": [
  {"name": "hidden_layers", "low": 1, "high": 2, "integer": true},
  {"name": "units", "values": [8, 16, 32]},
  {"name": "learning_rate", "low": 0.0005, "high": 0.01, "log": true},
  {"name": "batch_size", "value": 256},
  {"name": "epochs", "value": 6}
]}
EOF
# The schema exists before the workers race to it (they would manage, but the log is clearer).
"$FASHION" runs list --store "$local_db" >/dev/null

# Worker i: on host i, its address on the link, started again whenever it is killed; it ends
# when its tune exits normally (the study has nothing left for it).
worker() {
  local i=$1 n=0
  while :; do
    n=$((n + 1))
    set +e
    FASHION_CLAIM_LOG="$work/claims.txt" ip netns exec "$TAG-$i" \
      unshare --uts sh -c "hostname host$i; exec \"\$0\" \"\$@\"" \
      "$FASHION" tune "$work/space.json" --trials "$TRIALS" --workers 1 --threads 1 --sampler tpe \
      --startup-trials 8 --heartbeat 1 --grace 40 \
      --store "postgresql://postgres@10.213.$i.1:$port/fault" -o "$work/out-$i" \
      >"$work/worker-$i.$n.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$work/pid-$i"
    wait "$pid"
    local status=$?
    set -e
    if [ "$status" -eq 0 ]; then
      return 0
    fi
    if [ -e "$work/lost-$i" ]; then
      return 0
    fi
    if [ "$status" -ne 137 ]; then
      echo "fault test: worker $i exited with $status:" >&2
      tail -5 "$work/worker-$i.$n.log" >&2
      return 1
    fi
  done
}

started=$(date +%s)
for i in $(seq 1 "$WORKERS"); do worker "$i" & done

ended() { q "SELECT count(*) FROM trial WHERE status IN ('complete', 'pruned', 'failed')"; }
kills=0
cut=0
# Kill and cut while trials remain, never once the last ones are being finished. The kills are
# paced by the study's progress (kill n + 1 once n·(TRIALS − 16)/KILLS trials have ended), not by
# the clock: on a fast machine a study of quick trials would end before ten timed kills.
while [ $((kills)) -lt "$KILLS" ] || [ $cut -eq 0 ]; do
  sleep "0.$((RANDOM % 6 + 3))"
  done_trials=$(ended)
  [ "$done_trials" -lt $((TRIALS - 4)) ] || break
  if [ $cut -eq 0 ] && [ "$done_trials" -ge $((TRIALS / 4)) ]; then
    host=$(( (RANDOM % WORKERS) + 1 ))
    echo "fault test: cutting host $host's link for ${CUT_SECONDS} s ($done_trials trials ended)"
    ip link set "${TAG}h$host" down
    ( sleep "$CUT_SECONDS"; ip link set "${TAG}h$host" up; echo "fault test: host $host's link is back" ) &
    cut=1
    continue
  fi
  if [ "$kills" -lt "$KILLS" ] && [ "$done_trials" -ge $((kills * (TRIALS - 16) / KILLS)) ]; then
    lost=""
    if [ $((kills + 1)) -eq $((KILLS / 2)) ]; then
      # The middle kill takes down for good the host of a worker that is training a trial.
      holder=$(q "SELECT worker FROM trial WHERE status = 'running' ORDER BY random() LIMIT 1")
      victim=$(echo "$holder" | sed -n 's/^host\([0-9]*\):.*/\1/p')
      pid=$(echo "$holder" | sed -n 's/^host[0-9]*:\([0-9]*\)$/\1/p')
      [ -n "$victim" ] && [ "$(cat "$work/pid-$victim" 2>/dev/null)" = "$pid" ] || continue
      touch "$work/lost-$victim"
      lost=" (for good: its host is gone)"
    else
      # A victim among the hosts still up.
      living=()
      for i in $(seq 1 "$WORKERS"); do [ -e "$work/lost-$i" ] || living+=("$i"); done
      victim=${living[$((RANDOM % ${#living[@]}))]}
      pid=$(cat "$work/pid-$victim" 2>/dev/null || true)
    fi
    if [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; then
      kills=$((kills + 1))
      echo "fault test: SIGKILL to worker $victim (pid $pid)$lost, kill $kills of $KILLS ($done_trials trials ended)"
    fi
  fi
done
failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done
seconds=$(( $(date +%s) - started ))
[ $failed -eq 0 ] || { echo "fault test: a worker failed" >&2; exit 1; }

# The study's invariants, in the database.
problems=()
check() { [ "$2" = "$3" ] || problems+=("$1: expected $3, found $2"); }
check "trials that ended" "$(ended)" "$TRIALS"
check "trials still running" "$(q "SELECT count(*) FROM trial WHERE status = 'running'")" 0
check "numbers not 0..n-1" "$(q "SELECT count(*) FROM trial t WHERE t.number >= (SELECT count(*) FROM trial)")" 0
check "interrupted trials not run again" \
  "$(q "SELECT count(*) FROM trial i WHERE i.status = 'interrupted' AND
        NOT EXISTS (SELECT 1 FROM trial r WHERE r.requeued_from = i.id)")" 0
check "parameters finished twice in one chain" \
  "$(q "SELECT count(*) FROM trial r JOIN trial o ON r.requeued_from = o.id WHERE o.status <> 'interrupted'")" 0
check "complete trials missing epochs" "$(q "SELECT count(*) FROM trial t WHERE t.status = 'complete' AND
  (t.epochs <> 6 OR (SELECT count(*) FROM trial_step s WHERE s.trial_id = t.id AND s.step BETWEEN 1 AND 6) <> 6)")" 0
check "parameters completed twice" \
  "$(q "SELECT count(*) FROM (SELECT parameters FROM trial WHERE status = 'complete'
        GROUP BY parameters HAVING count(*) > 1) d")" 0
check "final report" "$(q "SELECT final_status FROM tuning_study")" done
check "kills" "$kills" "$KILLS"
check "link cuts" "$cut" 1
check "hosts lost for good" "$(ls "$work" | grep -c '^lost-')" 1
# The lost host's trial was taken over by a worker of another host, after the grace period.
lost_host=$(ls "$work" | sed -n 's/^lost-//p')
check "the lost host's trial taken over by another host" "$(q "SELECT count(*) FROM trial o JOIN trial r ON
  r.requeued_from = o.id WHERE split_part(o.worker, ':', 1) = 'host$lost_host' AND split_part(r.worker, ':', 1) <>
  'host$lost_host' AND o.ended_at - o.heartbeat_at >= interval '40 seconds'")" 1
interrupted=$(q "SELECT count(*) FROM trial WHERE status = 'interrupted'")
hosts=$(q "SELECT count(DISTINCT split_part(worker, ':', 1)) FROM trial")

# Claim times of every worker, killed ones included (FASHION_CLAIM_LOG: one line a claim).
read -r total_claims p50 p99 worst < <(sort -g "$work/claims.txt" | awk '{ v[NR] = $1 * 1000 } END {
  i50 = int(NR * 0.5 + 0.999); i99 = int(NR * 0.99 + 0.999); printf "%d %.1f %.1f %.1f\n", NR, v[i50], v[i99], v[NR] }')
echo "fault test: $WORKERS workers on $hosts hosts, $TRIALS trials in ${seconds} s;" \
  "$kills SIGKILLs, one ${CUT_SECONDS}-s cut;" \
  "$interrupted trials interrupted and run again; $total_claims claims: p50 $p50 ms, p99 $p99 ms, max $worst ms"
# The claim time is a measurement (the goal: p99 at most 50 ms), reported, not a pass
# or fail: timings depend on the machine and its neighbours.
if awk -v p="$p99" 'BEGIN { exit !(p <= 50) }'; then goal="met"; else goal="NOT met"; fi
echo "fault test: the goal of a claim p99 of at most 50 ms is $goal here"
if [ ${#problems[@]} -gt 0 ]; then
  printf 'fault test: FAILED: %s\n' "${problems[@]}" >&2
  for f in "$work"/worker-*.log; do echo "== $f" >&2; tail -3 "$f" >&2; done
  exit 1
fi
echo "fault test: passed (no trial lost, none run twice, every finished trial's epochs present, report written)"
