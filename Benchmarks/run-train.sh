#!/usr/bin/env bash
# Trains Model 1, Model 3 and the reference CNN with fashion and with PyTorch, 1 and 2 threads, in one run on
# this machine, and prints the comparison table. Peak memory is the process's maximum RSS.
# fashion-bench prints each epoch's seconds on stderr; they go to the terminal.
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
# The machine's multiply-add ceiling, measured in the same run, for the "of peak" column.
.build/release/fashion-bench peak > "$out/peak"
# BENCH_MODELS="" runs only the CNN. Each configuration runs ${BENCH_REPEATS:-2} times, the two tools alternating; the table keeps
# each one's fastest repeat, since this shared machine now and then slows a whole run down.
for repeat in $(seq "${BENCH_REPEATS:-2}"); do
  for model in ${BENCH_MODELS-model1 model3}; do
    for threads in 1 2; do
      measure "fashion-$model-$threads.$repeat" .build/release/fashion-bench train "$model" "$threads" "$epochs"
      measure "torch-$model-$threads.$repeat" "$python" Benchmarks/peers/train_torch.py "$model" "$threads" "$epochs"
    done
  done
  # The CNN's epochs take seconds, not fractions of one: ${BENCH_CNN_EPOCHS:-2} of them.
  cnn_epochs="${BENCH_CNN_EPOCHS:-2}"
  for threads in 1 2; do
    measure "fashion-cnn-reference-$threads.$repeat" \
      .build/release/fashion-bench train cnn-reference "$threads" "$cnn_epochs"
    # The fair peer is PyTorch's channels_last (its fast CPU layout); NCHW and torch.compile
    # (BENCH_COMPILE=0 skips it; its first epoch includes the compilation) beside it.
    for layout in channels_last nchw compile; do
      [ "$layout" = compile ] && [ "${BENCH_COMPILE:-1}" != 1 ] && continue
      name="torch-cnn-reference-$threads.$repeat"
      [ "$layout" = channels_last ] || name="torch-cnn-reference-$layout-$threads.$repeat"
      measure "$name" "$python" Benchmarks/peers/train_torch.py cnn-reference "$threads" "$cnn_epochs" "$layout" \
        2> "$out/torch-$layout.err" || {
        echo "PyTorch $layout did not run (see $out/torch-$layout.err)"
        rm -f "$out/$name"
      }
    done
  done
done
python3 Benchmarks/train-table.py "$out"
