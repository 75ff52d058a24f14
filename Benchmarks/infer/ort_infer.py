"""onnxruntime's side of `make bench-infer`: the same measurements as `fashion-bench infer` and
`fashion-bench infer-latency`, on the ONNX file `fashion export` wrote of the same model file.

Graph optimisations on (ORT_ENABLE_ALL), intra_op_num_threads THREADS, inter_op 1, sequential
execution. The inputs follow the same formula as fashion-bench's: value i is ((i * 7919) % 256)
/ 255. Throughput: the median images a second of 5 rounds of SECONDS each, after a warm-up half
round. Latency: one image a call, after 200 warm-up calls.

usage: python3 ort_infer.py FILE.onnx BATCH THREADS [SECONDS]
       python3 ort_infer.py FILE.onnx latency CALLS
"""
import sys
import time

import numpy as np
import onnxruntime as ort


def session(path, threads):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def inputs(sess, count):
    shape = [count] + [int(d) for d in sess.get_inputs()[0].shape[1:]]
    size = int(np.prod(shape))
    values = ((np.arange(size, dtype=np.int64) * 7919) % 256).astype(np.float32) / 255
    return values.reshape(shape)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "latency":
        calls = int(sys.argv[3])
        sess = session(path, 1)
        name = sess.get_inputs()[0].name
        image = inputs(sess, 1)
        for _ in range(min(calls, 200)):
            sess.run(None, {name: image})
        times = []
        for _ in range(calls):
            start = time.perf_counter_ns()
            sess.run(None, {name: image})
            times.append((time.perf_counter_ns() - start) / 1e3)
        times.sort()
        p = lambda f: times[min(len(times) - 1, int(len(times) * f))]
        print(f"onnxruntime\tlatency\tp50 {p(0.5):.1f} us\tp99 {p(0.99):.1f} us")
        return
    batch, threads = int(mode), int(sys.argv[3])
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    sess = session(path, threads)
    name = sess.get_inputs()[0].name
    feed = {name: inputs(sess, batch)}

    def round_(length):
        start = time.perf_counter()
        calls = 0
        while True:
            sess.run(None, feed)
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= length:
                return calls * batch / elapsed

    round_(seconds / 2)
    rates = sorted(round_(seconds) for _ in range(5))
    print(f"onnxruntime\tbatch {batch}\t{threads} thread(s)\t{rates[2]:.1f} images/s")


if __name__ == "__main__":
    main()
