#!/usr/bin/env python3
"""Where a training epoch's time goes: the shares of a perf profile's samples, grouped.

    perf record -g -F 4000 -o perf.data .build/release/fashion-bench train cnn-reference 1 2
    python3 Benchmarks/profile-shares.py perf.data

Only samples whose call chain runs through Trainer.fit and not through an evaluation count
(loading the data and the end-of-epoch validation are not the epoch's training). Each sample
goes to the group of its leaf function; "product" is the matrix product's kernel, all the
rest is what the issue calls "not a product".

    python3 Benchmarks/profile-shares.py perf.data --product-gflop 738

also prints the products' rate in the run: the GFLOP the recorded epochs' products do (the
reference CNN's are 369 an epoch with Winograd: its three 16-product passes of 25 tiles x 32
channels x 64 filters, 98.3 GFLOP each, the dense layer's three products of 24.6, the last
layer's 0.5) over the time its samples stand for (a cpu-clock recording, perf's default where
the machine has no hardware counters: each sample's period is nanoseconds).
"""
import collections
import re
import subprocess
import sys

GROUPS = [
    ("product (gemm kernel)", r"gemm_|sgemm"),
    ("first layer, forward (conv+pool kernel)", r"conv_pool2_(avx|base)"),
    ("first layer, kernel gradient", r"conv_pool2_gradient"),
    ("Winograd input transform", r"wino_in_"),
    ("Winograd pooled gradient transform", r"wino_pool_grad"),
    ("Winograd input-gradient transform", r"wino_dx"),
    ("Winograd output + pooling", r"wino_pool_|wino_out"),
    ("Winograd output-gradient transform", r"wino_grad"),
    ("Winograd glue, kernel transforms", r"winograd(Backward|Forward)|transformKernel|untransformKernel"),
    ("Adam", r"adam"),
    ("dropout and its random numbers", r"[Dd]ropout|SeededGenerator"),
    ("transposed copy for a product", r"pack_transposed"),
    ("memset / memcpy", r"mem(set|cpy|move)"),
    ("batch prefetch", r"prefetch"),
    ("bytes to floats", r"unit_"),
    ("threads waiting", r"spin|sched_yield"),
]


def main() -> None:
    arguments = sys.argv[1:]
    gflop = None
    if len(arguments) == 3 and arguments[1] == "--product-gflop":
        try:
            gflop = float(arguments[2])
        except ValueError:
            sys.exit(f"--product-gflop: expected a number of GFLOP, found '{arguments[2]}'")
        arguments = arguments[:1]
    if len(arguments) != 1:
        sys.exit("usage: profile-shares.py perf.data [--product-gflop GFLOP]")
    path = arguments[0]
    script = subprocess.Popen(["perf", "script", "-i", path, "-F", "period,ip,sym"], stdout=subprocess.PIPE, text=True)
    counts: collections.Counter = collections.Counter()
    others: collections.Counter = collections.Counter()
    total = counted = counted_ns = product_ns = 0
    stack: list = []

    def finish() -> None:
        nonlocal total, counted
        nonlocal counted_ns, product_ns
        period = 0
        if stack and stack[0].isdigit():  # the sample's period, before its call chain
            period = int(stack.pop(0))
        if not stack:
            return
        total += 1
        chain = " ".join(stack)
        if "Trainer" not in chain or "fit" not in chain or "evaluat" in chain.lower():
            return
        counted += 1
        counted_ns += period
        leaf = stack[0]
        for name, pattern in GROUPS:
            if re.search(pattern, leaf):
                counts[name] += 1
                if name == "product (gemm kernel)":
                    product_ns += period
                return
        counts["other"] += 1
        others[leaf[:100]] += 1

    assert script.stdout is not None
    for line in script.stdout:
        text = line.strip()
        if not text:
            finish()
            stack = []
            continue
        parts = text.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    finish()
    if script.wait() != 0 or counted == 0:
        sys.exit(f"{path}: no samples under Trainer.fit (was it recorded with -g?)")
    print(f"{counted} of {total} samples under Trainer.fit outside evaluation")
    for name, count in counts.most_common():
        print(f"  {100 * count / counted:6.2f}%  {name}")
    product = counts["product (gemm kernel)"]
    print(f"not a product: {100 * (counted - product) / counted:.1f}%")
    if gflop is not None:
        events = subprocess.run(["perf", "evlist", "-i", path], capture_output=True, text=True).stdout
        if "clock" not in events:
            print(f"products' rate: not reckoned (the samples are of {events.strip() or 'an unknown event'}, not a clock)")
        else:
            seconds = product_ns / 1e9
            print(
                f"products: {seconds:.2f} s of {counted_ns / 1e9:.2f} s under Trainer.fit; "
                f"{gflop:g} GFLOP in them: {gflop / seconds:.1f} GFLOP/s"
            )
    print("largest 'other' leaves:")
    for leaf, count in others.most_common(8):
        print(f"  {100 * count / counted:6.2f}%  {leaf}")


if __name__ == "__main__":
    main()
