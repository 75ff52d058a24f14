#!/usr/bin/env bash
# make bench-outfits: the multi-label outfit benchmark, measured side by side in one run.
#  1. the benchmark data (fashion data make-outfits, seed 0: 30,000 training and 5,000 test outfits);
#  2. fashion trains $MODEL (Benchmarks/outfits/outfit-cells.json; outfit-cnn.json is the first design)
#     for $EPOCHS epochs (17, inside the goal's 10 minutes here; outfit-cnn was run with 9), $THREADS
#     threads (2), Adam 0.003 one-cycle, batch 64, thresholds chosen on its 10% validation split, then
#     judged once on the test split;
#  3. PyTorch trains the same network the same way for the same epochs and threads (train_outfits_torch.py);
#  4. the oracle: the best single-label CNN (cnn-best, trained once on Fashion-MNIST) on each filled cell.
# Prints a Markdown table (also in $OUT/bench-outfits/table-<model>.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-out}/bench-outfits"
model="${MODEL:-Benchmarks/outfits/outfit-cells.json}"
name="$(basename "$model" .json)"
epochs="${EPOCHS:-17}"
threads="${THREADS:-2}"
mkdir -p "$out"
fashion=.build/release/fashion
bench=.build/release/fashion-bench
python3 -c "import PIL, numpy" 2>/dev/null || python3 -m pip install --quiet pillow numpy
torch_python="$(bash Benchmarks/peers/ensure-torch.sh)"
"$torch_python" -c "import PIL" 2>/dev/null || "$torch_python" -m pip install --quiet pillow
if [ ! -f "$out/outfits/test.csv" ]; then
  "$fashion" data make-outfits --output "$out/outfits" --seed 0 >/dev/null
fi
if [ ! -f "$out/cnn-best.safetensors" ]; then
  echo "Training cnn-best on Fashion-MNIST for the oracle (once)" >&2
  "$fashion" train --preset cnn-best --seed 1 --threads "$threads" --output "$out/cnn-best.safetensors" \
    --no-store >"$out/cnn-best.log"
fi
flags=(--model "$model" --epochs "$epochs" --batch-size 64 --learning-rate 0.003
  --schedule one_cycle --seed 1 --threads "$threads" --val-split 0.1 --no-store)
start=$(date +%s.%N)
"$fashion" train --data "$out/outfits" "${flags[@]}" --output "$out/$name.safetensors" >"$out/train-$name.log"
ours_seconds=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
"$fashion" evaluate --model "$out/$name.safetensors" --data "$out/outfits" --output "$out/evaluation-$name" \
  --predictions "$out/predictions-$name.csv" >"$out/evaluate-$name.txt"
ours=$(python3 - "$out/evaluation-$name/evaluation.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
print(f"{m['meanAveragePrecision']:.4f}\t{m['subsetAccuracy']:.4f}\t{m['microF1']:.4f}")
PY
)
oracle=$("$bench" outfit-oracle "$out/cnn-best.safetensors" "$out/outfits")
torch=$("$torch_python" Benchmarks/outfits/train_outfits_torch.py "$model" "$out/outfits" "$threads" "$epochs" \
  0.003 2>"$out/torch-$name.log")
python3 - "$ours_seconds" "$ours" "$oracle" "$torch" "$epochs" "$threads" "$out/train-$name.log" "$name" <<'PY' \
  | tee "$out/table-$name.md"
import re, sys
wall, ours, oracle, torch, epochs, threads, log, name = sys.argv[1:]
# The training loop's own time ("Trained N epochs in S s"), as the peer's is its loop's.
seconds = float(re.search(r"Trained \d+ epochs in ([0-9.]+) s", open(log).read()).group(1))
o_map, o_subset, o_micro = ours.split("\t")
r = oracle.split("\t")
r_map, r_subset, r_micro = r[1].split()[1], r[2].split()[2], r[3].split()[2]
t = torch.split("\t")
t_epoch, t_total, t_map, t_subset = float(t[1]), float(t[2]), t[3], t[4]
print(f"Outfit benchmark: 30,000 training outfits (10% held out), 5,000 test outfits; {epochs} epochs, "
      f"{threads} threads.\n")
print("| | test mAP | subset accuracy | micro F1 | training time |")
print("|---|---:|---:|---:|---:|")
print(f"| fashion, {name} | {o_map} | {o_subset} | {o_micro} | {seconds:.0f} s ({seconds / int(epochs):.1f} s an "
      f"epoch; {float(wall):.0f} s with loading and thresholds) |")
print(f"| PyTorch, the same CNN | {t_map} | {t_subset} (at 0.5) | | {t_total:.0f} s ({t_epoch:.1f} s an epoch) |")
print(f"| oracle: cnn-best on each filled cell | {r_map} | {r_subset} (at 0.5) | {r_micro} | |")
print(f"\nPyTorch's training time over fashion's: {t_total / seconds:.2f}x; "
      f"fashion's mAP minus the oracle's: {float(o_map) - float(r_map):+.4f}")
PY
