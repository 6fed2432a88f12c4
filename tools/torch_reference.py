#!/usr/bin/python3
"""PyTorch as an independent witness for cnnbp's layers.

Reads a JSON array of cases from standard input and writes a JSON array of results to standard output, one per
case, computed in float64 by PyTorch's autograd: the forward, then the gradient of <out, dout> with respect to each
input (what cnnbp calls backward). Tensors are nested lists in row-major order, (N, C, H, W) for images.

  {"op": "conv2d", "params": {"stride": [sh, sw], "padding": {"top": t, "bottom": b, "left": l, "right": r},
   "dilation": [dh, dw], "groups": g}, "x": ..., "w": ..., "b": ... (optional), "dout": ...}
      -> {"out": ..., "dx": ..., "dw": ..., "db": ... (with b)}
  {"op": "pad2d", "params": {"padding": {...}}, "x": ..., "dout": ...} -> {"out": ..., "dx": ...}

Asymmetric padding is applied with torch.nn.functional.pad before a convolution with padding 0, which is how
PyTorch users write it. Run with Debian's Python (/usr/bin/python3), which has python3-torch.
"""
import json
import sys

import torch
import torch.nn.functional as F


def tensor(value):
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def padding_of(params):
    p = params.get("padding", {})
    # F.pad takes (left, right, top, bottom) for the last two dimensions
    return (p.get("left", 0), p.get("right", 0), p.get("top", 0), p.get("bottom", 0))


def run(case):
    params = case.get("params", {})
    x = tensor(case["x"])
    inputs = {"x": x}
    if case["op"] == "pad2d":
        out = F.pad(x, padding_of(params))
    elif case["op"] == "conv2d":
        w = tensor(case["w"])
        inputs["w"] = w
        b = None
        if "b" in case:
            b = tensor(case["b"])
            inputs["b"] = b
        out = F.conv2d(F.pad(x, padding_of(params)), w, b, stride=tuple(params["stride"]),
                       dilation=tuple(params["dilation"]), groups=params["groups"])
    else:
        raise ValueError("unknown op " + case["op"])
    dout = torch.tensor(case["dout"], dtype=torch.float64)
    grads = torch.autograd.grad(out, list(inputs.values()), dout)
    result = {"out": out.detach().tolist()}
    for name, g in zip(inputs, grads):
        result["d" + name] = g.tolist()
    return result


def main():
    cases = json.load(sys.stdin)
    json.dump([run(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
