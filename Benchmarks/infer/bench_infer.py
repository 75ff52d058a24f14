"""make bench-infer: fashion's forward pass against onnxruntime's on the same model, in one run.

For each preset, an untrained model file (`fashion-bench infer-model`, weights from seed 1: the
arithmetic does not depend on them) and its ONNX export (`fashion export`, no flip averaging);
then images a second at batch 1 and 64 on 1 and 2 threads, fashion and onnxruntime taking turns
(REPEATS times each, the median kept), and the time of one image, p50 and p99 over CALLS calls on
one thread. Then the int8 model of each (`fashion quantize`, 256 calibration images of the
Fashion-MNIST training set) against onnxruntime on the fp32 export and on the int8 one (QDQ,
which onnxruntime fuses into its 8-bit products), batch 1 and 64 on one thread. Prints Markdown
tables with the machine, the date and onnxruntime's version.

usage: python3 bench_infer.py FASHION FASHION_BENCH OUT_DIR [PRESET ...]
environment: INFER_CALLS (10000), INFER_SECONDS (1 per round), INFER_REPEATS (3), INFER_INT8 (1; 0 skips)
"""
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command, timeout=900):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.exit(f"bench-infer: {' '.join(command)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def number(line, unit):
    match = re.search(r"([0-9.]+) " + re.escape(unit), line)
    if not match:
        sys.exit(f"bench-infer: expected a figure in {unit} in '{line}'")
    return float(match.group(1))


def machine():
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    extra = [name for name, flag in (("VNNI", "avx512_vnni"), ("BF16", "avx512_bf16")) if flag in flags]
    return f"{model}, {isa}{' (' + ', '.join(extra) + ')' if extra else ''}, {os.cpu_count()} cores"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    fashion, bench, out = sys.argv[1:4]
    presets = sys.argv[4:] or ["model3", "cnn-small", "cnn-reference", "cnn-best"]
    calls = os.environ.get("INFER_CALLS", "10000")
    seconds = os.environ.get("INFER_SECONDS", "1")
    repeats = int(os.environ.get("INFER_REPEATS", "3"))
    os.makedirs(out, exist_ok=True)
    import onnxruntime

    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}; onnxruntime {onnxruntime.__version__}")
    print()
    print("| model | batch | threads | fashion images/s | onnxruntime images/s | fashion / onnxruntime |")
    print("|---|---|---|---|---|---|")
    latencies = []
    int8_rows = []
    int8 = os.environ.get("INFER_INT8", "1") != "0"
    for preset in presets:
        model = os.path.join(out, preset + ".safetensors")
        onnx = os.path.join(out, preset + ".onnx")
        run([bench, "infer-model", preset, model])
        run([fashion, "export", "--model", model, "--output", onnx, "--no-flip-averaging"])
        for batch in (1, 64):
            for threads in (1, 2):
                ours, theirs = [], []
                for _ in range(repeats):
                    ours.append(number(run([bench, "infer", model, str(batch), str(threads), seconds]), "images/s"))
                    theirs.append(number(run([sys.executable, os.path.join(HERE, "ort_infer.py"), onnx, str(batch),
                                              str(threads), seconds]), "images/s"))
                a, b = statistics.median(ours), statistics.median(theirs)
                print(f"| {preset} | {batch} | {threads} | {a:,.0f} | {b:,.0f} | {a / b:.2f}x |", flush=True)
        if int8:
            quantized = os.path.join(out, preset + "-int8.safetensors")
            quantized_onnx = os.path.join(out, preset + "-int8.onnx")
            run([fashion, "quantize", "--model", model, "--calibration", "256", "--output", quantized])
            run([fashion, "export", "--model", quantized, "--output", quantized_onnx, "--no-flip-averaging"])
            for batch in (1, 64):
                ours, fp32, theirs = [], [], []
                for _ in range(repeats):
                    ours.append(number(run([bench, "infer", quantized, str(batch), "1", seconds]), "images/s"))
                    fp32.append(number(run([sys.executable, os.path.join(HERE, "ort_infer.py"), onnx, str(batch),
                                            "1", seconds]), "images/s"))
                    theirs.append(number(run([sys.executable, os.path.join(HERE, "ort_infer.py"), quantized_onnx,
                                              str(batch), "1", seconds]), "images/s"))
                int8_rows.append((preset, batch, statistics.median(ours), statistics.median(fp32),
                                  statistics.median(theirs)))
        ours = run([bench, "infer-latency", model, calls])
        theirs = run([sys.executable, os.path.join(HERE, "ort_infer.py"), onnx, "latency", calls])
        latencies.append((preset, number(ours, "us"), re.findall(r"p99 ([0-9.]+)", ours)[0],
                          number(theirs, "us"), re.findall(r"p99 ([0-9.]+)", theirs)[0]))
    print()
    print(f"One image a call on one thread, {int(calls):,} calls (microseconds):")
    print()
    print("| model | fashion p50 | fashion p99 | onnxruntime p50 | onnxruntime p99 | p50 ratio |")
    print("|---|---|---|---|---|---|")
    for preset, p50, p99, op50, op99 in latencies:
        print(f"| {preset} | {p50:.1f} | {float(p99):.1f} | {op50:.1f} | {float(op99):.1f} | {op50 / p50:.2f}x |")
    if int8_rows:
        print()
        print("int8 (convolutions and dense layers 8-bit) on one thread, images/s:")
        print()
        print("| model | batch | fashion int8 | onnxruntime fp32 | onnxruntime int8 (QDQ) "
              "| vs ort fp32 | vs ort int8 |")
        print("|---|---|---|---|---|---|---|")
        for preset, batch, a, b, c in int8_rows:
            print(f"| {preset} | {batch} | {a:,.0f} | {b:,.0f} | {c:,.0f} | {a / b:.2f}x | {a / c:.2f}x |")


if __name__ == "__main__":
    main()
