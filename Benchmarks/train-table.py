"""Prints the training comparison table from lines `name <tab> s/epoch <tab> epochs <tab>
accuracy` and peak-memory files written by Benchmarks/run-train.sh.
Usage: train-table.py RESULTS_DIR"""
import os, sys

folder = sys.argv[1]
# FLOPs per image of a dense network: forward 2 Σ in*out; backward the same for the kernels
# plus 2 Σ in*out for every layer's input gradient but the first.
def flops(sizes):
    pairs = list(zip(sizes, sizes[1:]))
    forward = sum(2 * a * b for a, b in pairs)
    return 2 * forward + sum(2 * a * b for a, b in pairs[1:])
sizes = {"model1": [784, 64, 10], "model3": [784, 128, 64, 10]}
# The reference CNN per image, as multiply-adds of each product (conv1 26·26·32·9, conv2
# 11·11·64·288, dense 1600·128 and 128·10): forward and kernel gradients for all four, input
# gradients for all but the first. Pooling, activations and im2col are not counted.
cnn_macs = [26 * 26 * 32 * 9, 11 * 11 * 64 * 288, 1600 * 128, 128 * 10]
cnn_flops = 2 * 2 * sum(cnn_macs) + 2 * sum(cnn_macs[1:])
# The FMA ceiling measured in the same run by `fashion-bench peak` (1 thread and all cores).
peaks = {}
for line in open(os.path.join(folder, "peak")):
    name, value, _ = line.strip().split("\t")
    peaks[name] = float(value) * 1e9

def read_one(path):
    parts = open(path).read().strip().split("\t")
    memory = open(path + ".rss").read().strip() if os.path.exists(path + ".rss") else "0"
    return float(parts[1]), parts[3].split()[-1] if len(parts) > 3 else "-", int(memory) / 1024

def read(name):
    """The fastest of the repeats name.1, name.2, ... (peak memory: the largest)."""
    repeats = sorted(f for f in os.listdir(folder) if f.startswith(name + ".") and not f.endswith(".rss"))
    runs = [read_one(os.path.join(folder, f)) for f in repeats]
    if not runs:
        return None
    best = min(runs, key=lambda r: r[0])
    return best[0], best[1], max(r[2] for r in runs)

print("FMA ceiling of this machine: " + ", ".join(f"{v / 1e9:.0f} GFLOP/s on {k[5:-1]} thread(s)" for k, v in sorted(peaks.items())))
print(f"{'model':<14}{'threads':>8}{'fashion s/epoch':>17}{'PyTorch s/epoch':>17}{'speed-up':>10}"
      f"{'GFLOP/s':>9}{'of peak':>9}{'fashion MB':>12}{'PyTorch MB':>12}{'acc fashion':>13}{'acc PyTorch':>13}")
for model in ("model1", "model3", "cnn-reference"):
    for threads in (1, 2):
        ours, peer = read(f"fashion-{model}-{threads}"), read(f"torch-{model}-{threads}")
        if not ours:
            continue
        rate = (cnn_flops if model == "cnn-reference" else flops(sizes[model])) * 60000 / ours[0] / 1e9
        peak = peaks.get(f"peak-{threads}t") or peaks["peak-1t"] * threads
        share = rate * 1e9 / peak
        peer_time = f"{peer[0]:.3f}" if peer else "-"
        ratio = f"{peer[0] / ours[0]:.1f}x" if peer else "-"
        print(f"{model:<14}{threads:>8}{ours[0]:>17.3f}{peer_time:>17}{ratio:>10}{rate:>9.0f}{share:>9.0%}"
              f"{ours[2]:>12.0f}{(peer[2] if peer else 0):>12.0f}{ours[1][:6]:>13}{(peer[1][:6] if peer else '-'):>13}")
# The CNN's peer is PyTorch with channels_last (above); its other layouts beside fashion's time.
for variant in ("nchw", "compile"):
    for threads in (1, 2):
        ours, other = read(f"fashion-cnn-reference-{threads}"), read(f"torch-cnn-reference-{variant}-{threads}")
        if ours and other:
            print(f"cnn-reference, PyTorch {variant}, {threads} thread(s): {other[0]:.3f} s/epoch, "
                  f"fashion {other[0] / ours[0]:.2f}x as fast, {other[2]:.0f} MB, accuracy {other[1][:6]}")
