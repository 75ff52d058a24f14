"""Calls `fashion serve` with NVIDIA's tritonclient, the common V2 client, with its defaults
(the binary tensor extension, no Content-Type): health, metadata, inference. Prints one JSON
line with what it saw; exits non-zero on any failure.

usage: python3 check_triton_client.py PORT MODEL IDX_IMAGES[.gz] COUNT
"""
import gzip
import json
import sys

import numpy as np
import tritonclient.http as httpclient


def main():
    port, model, images_path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = httpclient.InferenceServerClient(url=f"127.0.0.1:{port}")
    assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(model)
    metadata = client.get_model_metadata(model)
    shape = [count] + [int(d) for d in metadata["inputs"][0]["shape"][1:]]
    data = open(images_path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    rows, columns = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    pixels = np.frombuffer(data[16 : 16 + rows * columns * count], dtype=np.uint8).reshape(shape)
    results = {}
    for datatype, array in (("UINT8", pixels), ("FP32", pixels.astype(np.float32) / 255)):
        tensor = httpclient.InferInput("input", shape, datatype)
        tensor.set_data_from_numpy(array)  # binary_data=True: the default
        answer = client.infer(model, [tensor])
        results[datatype] = answer.as_numpy("probabilities").astype(float).tolist()
        classes = [c.decode() for c in answer.as_numpy("top_classes").reshape(-1)]
        indices = answer.as_numpy("top_indices").reshape(-1).tolist()
        results[datatype + "_top"] = list(zip(classes, indices))
    # An error comes back as the client's exception with the server's message.
    try:
        client.infer("no-such-model", [tensor])
        results["error"] = None
    except Exception as error:  # tritonclient raises InferenceServerException
        results["error"] = str(error)
    print(json.dumps({"metadata": metadata, **results}))


if __name__ == "__main__":
    main()
