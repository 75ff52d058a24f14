"""PyTorch peer of the outfit benchmark: the network of the model file fashion trains
(MODEL_JSON: conv2d, relu, max_pool2d, batch_norm, dropout, flatten, dense, and the final
sigmoid as binary cross-entropy from logits), initialised as ours (Glorot uniform, zero
biases; batch norm momentum 0.01 = Keras's 0.99, epsilon 1e-3),
Adam (epsilon 1e-7) with PyTorch's OneCycleLR (cosine, no momentum cycling, as ours), batch
64, 10% of the training outfits held out, channels_last, denormals flushed, tensors in memory.
With AUGMENT=1 in the environment, fashion's --flip 0.5 --crop-padding 2 (each image mirrored
with probability 0.5 and shifted by up to 2 pixels, zeros coming in), done on the batch tensor.

Usage: train_outfits_torch.py MODEL_JSON OUTFITS_DIR THREADS EPOCHS LEARNING_RATE
Prints `torch <tab> s/epoch <tab> total s <tab> mAP <tab> subset accuracy`, the test split's
mean average precision computed as scikit-learn's average_precision_score does."""
import csv, os, statistics, sys, time
import numpy as np
import torch
from PIL import Image

spec = __import__("json").load(open(sys.argv[1]))
folder, threads, epochs, rate = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
torch.set_num_threads(threads)
torch.set_flush_denormal(True)
torch.manual_seed(1)
tags = [line.strip() for line in open(os.path.join(folder, "classes.txt")) if line.strip()]


def load(split):
    rows = list(csv.reader(open(os.path.join(folder, f"{split}.csv"))))[1:]
    x = np.stack([np.asarray(Image.open(os.path.join(folder, r[0])), dtype=np.uint8) for r in rows])
    y = np.zeros((len(rows), len(tags)), np.float32)
    for i, r in enumerate(rows):
        for t in r[1].split("|"):
            y[i, tags.index(t)] = 1
    return torch.from_numpy(x.astype(np.float32) / 255).unsqueeze(1), torch.from_numpy(y)


x, y = load("train")
tx, ty = load("test")
order = torch.randperm(len(y), generator=torch.Generator().manual_seed(1))
held = len(y) // 10
x, y = x[order[held:]].contiguous(memory_format=torch.channels_last), y[order[held:]]
tx = tx.contiguous(memory_format=torch.channels_last)


def build(spec):
    """The layers of a fashion model specification, NCHW (channels_last in memory)."""
    layers, channels = [], spec["inputShape"][2]
    for layer in spec["layers"]:
        kind = layer["kind"]
        if kind == "conv2d":
            k = layer["kernelSize"]
            padding = k // 2 if layer.get("padding") == "same" else 0
            layers.append(
                torch.nn.Conv2d(channels, layer["filters"], k, stride=layer.get("stride", 1), padding=padding))
            channels = layer["filters"]
        elif kind == "relu":
            layers.append(torch.nn.ReLU())
        elif kind == "max_pool2d":
            layers.append(torch.nn.MaxPool2d(layer["kernelSize"], stride=layer.get("stride")))
        elif kind == "batch_norm":
            layers.append(torch.nn.BatchNorm2d(channels, momentum=1 - layer.get("momentum", 0.99),
                                               eps=layer.get("epsilon", 1e-3)))
        elif kind == "dropout":
            layers.append(torch.nn.Dropout(layer["rate"]))
        elif kind == "flatten":
            layers.append(torch.nn.Flatten())
        elif kind == "dense":
            layers.append(torch.nn.LazyLinear(layer["units"]))
        elif kind == "sigmoid":
            pass  # fused into the loss, as fashion's training fuses it
        else:
            raise SystemExit(f"layer kind {kind} is not in this peer")
    model = torch.nn.Sequential(*layers)
    model.eval()  # sizes the dense layers without touching batch norm's statistics
    model(torch.zeros(2, spec["inputShape"][2], *spec["inputShape"][:2]))
    for layer in model:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return model


model = build(spec)
model = model.to(memory_format=torch.channels_last)
batch = 64
steps = (len(y) + batch - 1) // batch
optimizer = torch.optim.Adam(model.parameters(), lr=rate, eps=1e-7)
schedule = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=rate, total_steps=steps * epochs, pct_start=0.3, cycle_momentum=False)
loss_fn = torch.nn.BCEWithLogitsLoss()

def augment(images):
    n, pad = len(images), 2
    flip = torch.rand(n) < 0.5
    images = torch.where(flip.view(n, 1, 1, 1), images.flip(3), images)
    padded = torch.nn.functional.pad(images, (pad, pad, pad, pad))
    dy, dx = torch.randint(0, 2 * pad + 1, (n,)), torch.randint(0, 2 * pad + 1, (n,))
    side = images.shape[2]
    rows = (dy.view(n, 1) + torch.arange(side)).view(n, 1, side, 1).expand(n, 1, side, side + 2 * pad)
    shifted = padded.gather(2, rows)
    columns = (dx.view(n, 1) + torch.arange(side)).view(n, 1, 1, side).expand(n, 1, side, side)
    return shifted.gather(3, columns).contiguous(memory_format=torch.channels_last)


augmenting = os.environ.get("AUGMENT") == "1"
times = []
for epoch in range(epochs):
    start = time.perf_counter()
    model.train()
    shuffle = torch.randperm(len(y))
    for i in range(0, len(y), batch):
        index = shuffle[i:i + batch]
        optimizer.zero_grad(set_to_none=True)
        batch_images = augment(x[index]) if augmenting else x[index]
        loss = loss_fn(model(batch_images), y[index])
        loss.backward()
        optimizer.step()
        schedule.step()
    times.append(time.perf_counter() - start)
    print(f"epoch {epoch + 1}: {times[-1]:.1f} s, loss {loss.item():.4f}", file=sys.stderr, flush=True)
model.eval()
with torch.no_grad():
    scores = torch.cat([torch.sigmoid(model(tx[i:i + 1000])) for i in range(0, len(tx), 1000)]).numpy()
truth = ty.numpy() > 0.5


def average_precision(positive, score):
    order = np.argsort(-score, kind="stable")
    positive, score = positive[order], score[order]
    distinct = np.r_[np.nonzero(np.diff(score))[0], len(score) - 1]
    tp = np.cumsum(positive)[distinct]
    precision, recall = tp / (distinct + 1), tp / positive.sum()
    return float(np.sum(np.diff(np.r_[0, recall]) * precision))


mean_ap = np.mean([average_precision(truth[:, t], scores[:, t]) for t in range(len(tags)) if truth[:, t].any()])
subset = float(np.mean(np.all((scores >= 0.5) == truth, axis=1)))
print(f"torch-{threads}t\t{statistics.median(times):.2f}\t{sum(times):.1f}\t{mean_ap:.4f}\t{subset:.4f}")
