"""Makes a small folder of colour JPEG "product photos" from Fashion-MNIST, for trying
`fashion train --data` on pictures as a shop has them: each item tinted a colour of its own,
upscaled to 64 to 112 pixels a side, a little off centre, on a light background with a soft
shadow, saved as JPEG (quality 88). Training photos come from the training split, test photos
from the test split. Seeded: the same seed makes the same files.

usage: python3 make_demo_photos.py OUT_DIR [--train N] [--test N] [--seed S]   (N per class)
Needs numpy and Pillow.
"""
import argparse
import colorsys
import gzip
import os

import numpy as np
from PIL import Image, ImageFilter

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def load(split):
    prefix = "train" if split == "train" else "t10k"
    images = np.frombuffer(gzip.open(f"{DATA}/{prefix}-images-idx3-ubyte.gz").read(), np.uint8, offset=16)
    labels = np.frombuffer(gzip.open(f"{DATA}/{prefix}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return images.reshape(-1, 28, 28), labels


def photo(item, rng):
    side = int(rng.integers(64, 113))
    background = np.array([rng.integers(228, 252)] * 3, float) + rng.integers(-6, 7, 3)
    hue, saturation, value = rng.random(), rng.uniform(0.35, 0.9), rng.uniform(0.35, 0.85)
    tint = np.array(colorsys.hsv_to_rgb(hue, saturation, value)) * 255
    scale = rng.uniform(0.75, 0.95)
    size = int(side * scale)
    alpha = np.asarray(Image.fromarray(item).resize((size, size), Image.BICUBIC), float) / 255
    canvas = np.ones((side, side, 3)) * background
    left = (side - size) // 2 + int(rng.integers(-side // 16, side // 16 + 1))
    top = (side - size) // 2 + int(rng.integers(-side // 16, side // 16 + 1))
    left, top = max(0, min(side - size, left)), max(0, min(side - size, top))
    # A soft shadow, then the item: its shading kept, in the tint.
    blurred = Image.fromarray((alpha * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(3))
    shadow = np.asarray(blurred, float) / 255
    region = canvas[top:top + size, left:left + size]
    region *= 1 - 0.25 * shadow[..., None]
    shade = 0.55 + 0.45 * alpha[..., None]
    region[:] = region * (1 - alpha[..., None]) + (tint * shade) * alpha[..., None]
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=300)
    parser.add_argument("--test", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for split, count in (("train", args.train), ("test", args.test)):
        images, labels = load(split)
        for label, name in enumerate(CLASSES):
            folder = os.path.join(args.out, split, name)
            os.makedirs(folder, exist_ok=True)
            for n, index in enumerate(np.flatnonzero(labels == label)[:count]):
                photo(images[index], rng).save(os.path.join(folder, f"{split}-{index:05d}.jpg"), quality=88)
    print(f"Wrote {args.train * 10} training and {args.test * 10} test photos into {args.out}")


if __name__ == "__main__":
    main()
