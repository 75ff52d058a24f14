"""Serving benchmark: `fashion serve` against the Python peer (FastAPI + uvicorn +
onnxruntime, python_peer.py) in the same run, on the same models, with wrk as the load
(2 threads, or 1 at concurrency 1): V2 JSON requests of UINT8 Fashion-MNIST test images, one
image or 32 a request, at concurrency 1, 16 and 64. Prints a Markdown table with requests per
second, p50 and p99 latency and the ratio; start-up time (process start to a ready answer) and
peak memory (VmHWM) of each server. Writes the raw numbers as JSON.

A model named NAME-int8 (a `fashion quantize` file) is served by the Python peer as NAME's 32-bit
export, as a shop that had not quantized would serve it; its top classes are then compared, not
required to be equal.

usage: python3 bench_serve.py FASHION_BINARY OUT_DIR NAME=MODEL.safetensors [NAME=...]
Environment: BENCH_DURATION (seconds a run, default 8), BENCH_CONCURRENCY ("1 16 64").
"""
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, timeout=30):
    """Seconds from now until /v2/health/ready answers 200."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.002)
    raise SystemExit(f"server on {port} not ready after {timeout} s")


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url, body_file, connections, duration):
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s",
         os.path.join(HERE, "post.lua"), url],
        env={**os.environ, "BODY_FILE": body_file}, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def latency(percent):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": latency(50), "p99_ms": latency(99),
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def post(port, model, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/{model}/infer", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as r:
        return json.load(r)


def main():
    fashion, out_dir, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    duration = int(os.environ.get("BENCH_DURATION", "8"))
    concurrencies = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1 16 64").split()]
    os.makedirs(out_dir, exist_ok=True)
    models = dict(spec.split("=", 1) for spec in specs)
    pixels = gzip.open(IMAGES).read()[16:]

    onnx = {}
    for name, path in models.items():
        onnx[name] = os.path.join(out_dir, f"{name}.onnx")
        subprocess.run([fashion, "export", "--model", path, "--output", onnx[name]], check=True,
                       stdout=subprocess.DEVNULL)
    for name in models:
        if name.endswith("-int8") and name[:-5] in onnx:
            onnx[name] = onnx[name[:-5]]

    fashion_port, python_port = free_port(), free_port()
    servers = {}
    start = time.perf_counter()
    servers["fashion"] = subprocess.Popen(
        [fashion, "serve", "--port", str(fashion_port)] + [f"--model={n}={p}" for n, p in models.items()],
        stdout=subprocess.DEVNULL)
    startup = {"fashion": wait_ready(fashion_port, servers["fashion"]) + (time.perf_counter() - start) * 0}
    start = time.perf_counter()
    servers["python"] = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "python_peer.py"), str(python_port)]
        + [f"{n}={p}" for n, p in onnx.items()])
    startup["python"] = wait_ready(python_port, servers["python"])
    ports = {"fashion": fashion_port, "python": python_port}

    results = []
    try:
        for name in models:
            metadata = json.load(urllib.request.urlopen(f"http://127.0.0.1:{fashion_port}/v2/models/{name}"))
            shape = metadata["inputs"][0]["shape"][1:]
            for batch in (1, 32):
                body = json.dumps({"inputs": [{"name": "input", "datatype": "UINT8", "shape": [batch] + shape,
                                               "data": list(pixels[:784 * batch])}]}).encode()
                body_file = os.path.join(out_dir, f"{name}-{batch}.json")
                open(body_file, "wb").write(body)
                # Both servers give the same top classes for the same request.
                tops = [next(o for o in post(ports[s], name, body)["outputs"] if o["name"] == "top_indices")["data"]
                        for s in ("fashion", "python")]
                if name.endswith("-int8"):
                    k = len(tops[0]) // batch  # top_indices is [batch, k]: each image's first is its class
                    same = sum(tops[0][i * k] == tops[1][i * k] for i in range(batch)) / batch
                    print(f"{name} batch {batch}: the same top class as the 32-bit peer for {same:.0%} of the "
                          f"images", file=sys.stderr)
                else:
                    assert tops[0] == tops[1], f"{name}: the servers disagree: {tops}"
                for connections in concurrencies:
                    for server in ("fashion", "python"):
                        wrk(f"http://127.0.0.1:{ports[server]}/v2/models/{name}/infer", body_file, connections, 2)
                        run = wrk(f"http://127.0.0.1:{ports[server]}/v2/models/{name}/infer", body_file,
                                  connections, duration)
                        run.update(server=server, model=name, batch=batch, connections=connections)
                        results.append(run)
                        print(f"{server:8} {name:10} batch {batch:2} c {connections:3}: {run['rps']:9.0f} req/s "
                              f"p50 {run['p50_ms']:7.2f} ms p99 {run['p99_ms']:7.2f} ms"
                              + (f"  non-2xx {run['non2xx']}" if run["non2xx"] else ""), file=sys.stderr)
        memory = {s: peak_rss_mb(p.pid) for s, p in servers.items()}
    finally:
        for process in servers.values():
            process.terminate()
            process.wait()

    json.dump({"results": results, "startup_s": startup, "peak_rss_mb": memory},
              open(os.path.join(out_dir, "bench-serve.json"), "w"), indent=1)
    print("| model | images a request | concurrency | fashion req/s | Python req/s | ratio "
          "| fashion p50 / p99 ms | Python p50 / p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in (r for r in results if r["server"] == "fashion"):
        peer = next(r for r in results if r["server"] == "python" and all(
            r[k] == row[k] for k in ("model", "batch", "connections")))
        print(f"| {row['model']} | {row['batch']} | {row['connections']} | {row['rps']:,.0f} | {peer['rps']:,.0f} "
              f"| {row['rps'] / peer['rps']:.1f}x | {row['p50_ms']:.2f} / {row['p99_ms']:.2f} "
              f"| {peer['p50_ms']:.2f} / {peer['p99_ms']:.2f} |")
    print()
    print(f"Start-up to ready: fashion {startup['fashion'] * 1000:.0f} ms, Python {startup['python'] * 1000:.0f} ms. "
          f"Peak memory (VmHWM) after all runs: fashion {memory['fashion']:.0f} MB, "
          f"Python {memory['python']:.0f} MB.")
    failures = [r for r in results if r["non2xx"] or r["socket_errors"]]
    for r in failures:
        print(f"warning: {r['server']} {r['model']} batch {r['batch']} c {r['connections']}: "
              f"non-2xx {r['non2xx']}, socket errors {r['socket_errors']}")


if __name__ == "__main__":
    main()
