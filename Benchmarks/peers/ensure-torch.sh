#!/usr/bin/env bash
# Prints the path of a python3 that has PyTorch, creating a virtual environment with it from
# PyPI when none exists (the x86-64 wheel pulls several GB of CUDA libraries; it runs on the
# CPU all the same).
set -euo pipefail
venv="${TORCH_VENV:-$(cd "$(dirname "$0")/../.." && pwd)/.build-bench/venv}"
if python3 -c "import torch" 2>/dev/null; then command -v python3; exit 0; fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "Installing PyTorch into $venv (a few GB, once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet torch numpy >&2
fi
echo "$venv/bin/python"
