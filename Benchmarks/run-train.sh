#!/usr/bin/env bash
# Trains Model 1 and Model 3 with fashion and with PyTorch, 1 and 2 threads, in one run on
# this machine, and prints the comparison table. Peak memory is the process's maximum RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${BENCH_EPOCHS:-3}"
out="${OUT:-out}/bench-train"
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "Installing GNU time"; apt-get install -y -qq time >/dev/null; }
python=$(bash Benchmarks/peers/ensure-torch.sh)
measure() {  # name command...
  local name=$1; shift
  /usr/bin/time -f %M -o "$out/$name.rss" "$@" > "$out/$name"
}
for model in model1 model3; do
  for threads in 1 2; do
    measure "fashion-$model-$threads" .build/release/fashion-bench train "$model" "$threads" "$epochs"
    measure "torch-$model-$threads" "$python" Benchmarks/peers/train_torch.py "$model" "$threads" "$epochs"
  done
done
python3 Benchmarks/train-table.py "$out"
