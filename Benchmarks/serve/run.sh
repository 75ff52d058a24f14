#!/usr/bin/env bash
# make bench-serve: installs wrk and the Python peer's packages where missing, trains model3 and
# cnn-small once (kept in $OUT/bench-serve) and quantizes cnn-small, then runs bench_serve.py
# (BENCH_MODELS: the names to serve, default "model3 cnn-small cnn-small-int8").
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-out}/bench-serve"
mkdir -p "$out"
command -v wrk >/dev/null || { echo "Installing wrk"; apt-get install -y -qq wrk >/dev/null; }
python3 -c "import fastapi, uvicorn, uvloop, httptools, onnxruntime, numpy" 2>/dev/null || {
  echo "Installing fastapi, uvicorn[standard], onnxruntime and numpy with pip"
  python3 -m pip install --quiet fastapi "uvicorn[standard]" onnxruntime numpy
}
fashion=.build/release/fashion
for preset in model3 cnn-small; do
  if [ ! -f "$out/$preset.safetensors" ]; then
    echo "Training $preset for the benchmark (once)"
    "$fashion" train --preset "$preset" --seed 1 --threads 2 --output "$out/$preset.safetensors" >/dev/null
  fi
done
if [ ! -f "$out/cnn-small-int8.safetensors" ]; then
  "$fashion" quantize --model "$out/cnn-small.safetensors" --output "$out/cnn-small-int8.safetensors" >/dev/null
fi
specs=()
for name in ${BENCH_MODELS:-model3 cnn-small cnn-small-int8}; do specs+=("$name=$out/$name.safetensors"); done
python3 Benchmarks/serve/bench_serve.py "$fashion" "$out" "${specs[@]}" | tee "$out/table.md"
