"""The Python peer of `fashion serve`: the same V2 JSON endpoint served the way a Python user
would, FastAPI on uvicorn (uvloop, httptools) in one process, the model run by onnxruntime on
one thread from the ONNX file that `fashion export` wrote.

usage: python3 python_peer.py PORT NAME=FILE.onnx [NAME=FILE.onnx ...]
"""
import json
import sys

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
models = {}


def load(name, path):
    card = json.load(open(path + ".json"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    shape = [int(d) for d in card["input"]["shape"][1:]]
    models[name] = (session, shape, card["classNames"])


@app.get("/v2/health/ready")
async def ready():
    return {"ready": True}


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    if name not in models:
        return JSONResponse({"error": f"unknown model '{name}'"}, status_code=404)
    session, shape, classes = models[name]
    body = await request.json()
    tensor = body["inputs"][0]
    x = np.asarray(tensor["data"], dtype=np.float32)
    if tensor["datatype"] == "UINT8":
        x /= 255.0
    x = x.reshape([-1] + shape)
    probabilities = session.run(None, {"input": x})[0]
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :3]
    n = len(x)
    return JSONResponse({
        "model_name": name, "id": body.get("id", ""),
        "outputs": [
            {"name": "probabilities", "datatype": "FP32", "shape": [n, len(classes)],
             "data": probabilities.reshape(-1).tolist()},
            {"name": "top_classes", "datatype": "BYTES", "shape": [n, 3],
             "data": [classes[i] for i in top.reshape(-1)]},
            {"name": "top_indices", "datatype": "INT32", "shape": [n, 3], "data": top.reshape(-1).tolist()},
        ],
    })


if __name__ == "__main__":
    port = int(sys.argv[1])
    for argument in sys.argv[2:]:
        name, path = argument.split("=", 1)
        load(name, path)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
