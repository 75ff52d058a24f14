#!/usr/bin/env bash
# Installs what building and testing need, where it is missing: the headers of zlib and
# libjpeg-turbo, pkg-config, PostgreSQL's server (the tests start a throwaway cluster of their
# own; Debian's package also starts a system one, which they do not use), iproute2 (the fault
# test's network namespaces), gdb (make test's watchdog prints every thread's backtrace of a stuck run),
# python3 (the tests' loopback HTTP server) and the real Fashion-MNIST data (Debian's
# dataset-fashion-mnist). Uses apt as root or through sudo; elsewhere says what to install.
set -euo pipefail

packages=(zlib1g-dev libopenblas-dev libsqlite3-dev libturbojpeg0-dev pkg-config python3 dataset-fashion-mnist
  chromium chromium-driver postgresql iproute2 gdb)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  [ -e /usr/include/zlib.h ] || missing+=("zlib (headers)")
  command -v python3 >/dev/null 2>&1 || missing+=("python3")
  [ -d /usr/share/datasets/fashion-mnist ] || [ -n "${FASHION_MNIST_DIR:-}" ] || missing+=("Fashion-MNIST data")
fi

# Python's safetensors library (a test checks that it opens the model files we write), onnx
# with onnxruntime (the export tests check and run every exported file with them), and for
# the serving tests NVIDIA's tritonclient (the common V2 client) and selenium (it drives
# headless Chromium through Debian's chromium-driver).
python_packages() {
  command -v python3 >/dev/null 2>&1 || return 0
  python3 -c "import safetensors, numpy, onnx, onnxruntime, tritonclient.http, selenium" 2>/dev/null && return 0
  echo "Installing the Python packages safetensors, numpy, onnx, onnxruntime, tritonclient[http] and selenium with pip"
  python3 -m pip install --quiet safetensors numpy onnx onnxruntime "tritonclient[http]" selenium \
    || echo "warning: pip could not install them; the tests that need them will fail or skip" >&2
}

if [ ${#missing[@]} -eq 0 ]; then python_packages; exit 0; fi

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing: ${missing[*]}." >&2
  echo "Install zlib's development files and python3 with your package manager; get the data with" >&2
  echo "'swift run fashion data fetch', or set FASHION_MNIST_DIR to a folder holding the four IDX files." >&2
  exit 1
fi
python_packages
