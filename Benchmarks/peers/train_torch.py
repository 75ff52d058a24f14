"""PyTorch peer of `fashion-bench train`: the identical model (Keras defaults: Glorot
uniform weights, zero biases, Adam 0.001 with epsilon 1e-7, cross-entropy; batch 32 for the
dense models, 64 for cnn-reference), data as in-memory tensors (no DataLoader), a fresh
shuffle each epoch.
Usage: train_torch.py model1|model3|cnn-reference THREADS EPOCHS [nchw|channels_last|compile];
prints `name <tab> median s/epoch <tab> epochs <tab> accuracy A`. The CNN's layout: nchw (PyTorch's
default), channels_last (NHWC in memory, PyTorch's fast CPU path, the default here) or compile
(channels_last under torch.compile). Denormals are flushed to zero, as fashion does."""
import gzip, os, statistics, sys, time
import numpy as np
import torch

preset, threads, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
layout = sys.argv[4] if len(sys.argv) > 4 else "channels_last"
if layout not in ("nchw", "channels_last", "compile"):
    sys.exit(f"train_torch.py: expected the layout nchw, channels_last or compile, found {layout!r}")
torch.set_num_threads(threads)
torch.set_flush_denormal(True)
torch.manual_seed(1)
folder = os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"

def read(name, offset):
    with gzip.open(os.path.join(folder, name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)

y = torch.from_numpy(read("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
x = torch.from_numpy(read("train-images-idx3-ubyte.gz", 16).reshape(len(y), 784).astype(np.float32) / 255)
ty = torch.from_numpy(read("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
tx = torch.from_numpy(read("t10k-images-idx3-ubyte.gz", 16).reshape(len(ty), 784).astype(np.float32) / 255)
batch = 32
if preset == "cnn-reference":
    # NCHW, PyTorch's layout; the same network and initialisation as ours (NHWC).
    batch = 64
    x, tx = x.view(-1, 1, 28, 28), tx.view(-1, 1, 28, 28)
    layers = [torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Flatten(), torch.nn.Linear(1600, 128), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(128, 10)]
    for layer in layers:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
else:
    sizes = {"model1": [784, 64, 10], "model2": [784, 64, 10], "model3": [784, 128, 64, 10]}[preset]
    layers = []
    for i in range(len(sizes) - 1):
        linear = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers += [linear] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
model = torch.nn.Sequential(*layers)
name = preset
if preset == "cnn-reference" and layout != "nchw":
    model = model.to(memory_format=torch.channels_last)
    x, tx = x.contiguous(memory_format=torch.channels_last), tx.contiguous(memory_format=torch.channels_last)
    name = f"{preset}-{layout}"
step_model = torch.compile(model) if layout == "compile" else model
optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()
times = []
for epoch in range(epochs):
    start = time.perf_counter()
    order = torch.randperm(len(y))
    model.train()
    for i in range(0, len(y), batch):
        index = order[i:i + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(step_model(x[index]), y[index])
        loss.backward()
        optimizer.step()
    times.append(time.perf_counter() - start)
model.eval()
with torch.no_grad():
    accuracy = (model(tx).argmax(1) == ty).float().mean().item()
print(f"train-{name}-{threads}t\t{statistics.median(times)}\t{epochs}\taccuracy {accuracy}")
