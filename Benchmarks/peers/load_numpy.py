"""Peer for `fashion-bench load`: how Keras's fashion_mnist.load_data() reads the same files
(gzip + numpy.frombuffer). Prints `name <tab> median seconds <tab> runs`."""
import gzip, os, statistics, sys, time
import numpy as np

folder = os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"

def read(name, offset):
    with gzip.open(os.path.join(folder, name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)

def train():
    y = read("train-labels-idx1-ubyte.gz", 8)
    x = read("train-images-idx3-ubyte.gz", 16).reshape(len(y), 28, 28)
    return x, y

def everything():
    train()
    y = read("t10k-labels-idx1-ubyte.gz", 8)
    read("t10k-images-idx3-ubyte.gz", 16).reshape(len(y), 28, 28)

runs = 7
for name, body in (("load-train", train), ("load-all", everything)):
    times = []
    for _ in range(runs):
        start = time.perf_counter(); body(); times.append(time.perf_counter() - start)
    print(f"{name}\t{statistics.median(times)}\t{runs}")
