"""Checks an ONNX file that `nn export` wrote: ONNX's own checker passes (full check, with
shape inference), and ONNX Runtime's outputs on the rows of a CSV file equal swift-nn's
(`nn predict --json` of the same rows), run one row at a time and in batches of 37.

    python onnx_check.py MODEL.onnx ROWS.csv PREDICTED.json

Prints one JSON object: the checker's verdict, the IR and opset versions, the metadata, the
graph's inputs and outputs (names and shapes, symbolic sizes by name), how many nodes of each
operator it has, and for each batch size the largest difference from swift-nn of every
output, relative to max(1, |swift-nn's value|). Needs the onnx, onnxruntime and numpy packages.
"""
import collections
import json
import sys

import numpy as np
import onnx
import onnxruntime


def dimensions(value):
    shape = value.type.tensor_type.shape.dim
    return [d.dim_param if d.dim_param else d.dim_value for d in shape]


def main(model_path, rows_path, predicted_path):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    with open(predicted_path) as handle:
        predicted = json.load(handle)
    rows = np.loadtxt(rows_path, delimiter=",", ndmin=2)
    session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    input_type = session.get_inputs()[0].type
    rows = rows.astype(np.float64 if input_type == "tensor(double)" else np.float32)
    names = [output.name for output in session.get_outputs()]
    differences = {}
    for batch in (1, 37):
        results = {name: [] for name in names}
        for start in range(0, len(rows), batch):
            for name, value in zip(names, session.run(names, {"input": rows[start:start + batch]})):
                results[name].append(value.reshape(value.shape[0], -1))
        worst = {}
        for name in names:
            ours = np.array(predicted[name], dtype=np.float64).reshape(len(rows), -1)
            theirs = np.concatenate(results[name]).astype(np.float64)
            worst[name] = float(np.max(np.abs(theirs - ours) / np.maximum(1.0, np.abs(ours))))
        differences[f"batch_{batch}"] = worst
    report = {
        "checker": "passed",
        "ir_version": model.ir_version,
        "opset": [{"domain": o.domain, "version": o.version} for o in model.opset_import],
        "metadata": {p.key: p.value for p in model.metadata_props},
        "inputs": [{"name": i.name, "shape": dimensions(i)} for i in model.graph.input],
        "outputs": [{"name": o.name, "shape": dimensions(o)} for o in model.graph.output],
        "operators": dict(collections.Counter(node.op_type for node in model.graph.node)),
        "rows": len(rows),
        "differences": differences,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:4])
