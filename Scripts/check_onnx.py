#!/usr/bin/env python3
"""Checks an exported ONNX file the way its users will run it.

    check_onnx.py MODEL.onnx INPUTS.f32 EXPECTED.f32 N,H,W,C|N,F [TOLERANCE [AGREEMENT]]

INPUTS.f32 holds the model's inputs and EXPECTED.f32 fashion's own probabilities, both raw
little-endian float32. The file must pass onnx.checker.check_model(full_check=True) and, run
in onnxruntime, give every probability within TOLERANCE (1e-5) of fashion's and the same top
class for at least the share AGREEMENT (1, every image) of the images. Prints one JSON line with
what it found; exits 1 if either check fails.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

path, inputs_path, expected_path, shape_text = sys.argv[1:5]
shape = [int(s) for s in shape_text.split(",")]
tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-5
least_agreement = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
model = onnx.load(path)
onnx.checker.check_model(model, full_check=True)
inputs = np.fromfile(inputs_path, dtype="<f4").reshape(shape)
expected = np.fromfile(expected_path, dtype="<f4").reshape(shape[0], -1)
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
(got,) = session.run(["probabilities"], {"input": inputs})
difference = float(np.abs(got - expected).max())
agreement = float((got.argmax(axis=1) == expected.argmax(axis=1)).mean())
meta = session.get_modelmeta().custom_metadata_map
report = {
    "max_abs_difference": difference,
    "top_class_agreement": agreement,
    "ir_version": model.ir_version,
    "opset": model.opset_import[0].version,
    "input": [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim],
    "class_names": json.loads(meta["class_names"]),
    "version": meta["version"],
    "onnxruntime": ort.__version__,
}
print(json.dumps(report))
sys.exit(0 if difference <= tolerance and agreement >= least_agreement else 1)
