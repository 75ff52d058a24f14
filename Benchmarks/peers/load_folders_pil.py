"""The Python peer of `fashion-bench folders`: reads an image-folder dataset (train/ and test/
of class folders) the way a Python user without Keras would, Pillow in a loop into one numpy
array per split, in one process. Prints the seconds, best of 3.

usage: python3 load_folders_pil.py DIR
"""
import os
import sys
import time

import numpy as np
from PIL import Image


def load(root):
    images, labels = [], []
    classes = sorted(d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d)))
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith((".png", ".jpg", ".jpeg")):
                images.append(np.asarray(Image.open(os.path.join(folder, file)).convert("L")))
                labels.append(label)
    return np.stack(images), np.array(labels, np.uint8)


def main():
    root = sys.argv[1]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        count = sum(len(load(os.path.join(root, split))[1]) for split in ("train", "test"))
        times.append(time.perf_counter() - start)
    print(f"pil-loop\t{min(times)}\t{count} images")


if __name__ == "__main__":
    main()
