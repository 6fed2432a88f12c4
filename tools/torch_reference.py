#!/usr/bin/python3
"""PyTorch as an independent witness for cnnbp's layers.

Reads a JSON array of cases from standard input and writes a JSON array of results to standard output, one per
case, computed in float64 by PyTorch's autograd: the forward, then the gradient of <out, dout> with respect to each
input (what cnnbp calls backward). Tensors are nested lists in row-major order, (N, C, H, W) for images.

  {"op": "conv2d", "params": {"stride": [sh, sw], "padding": {"top": t, "bottom": b, "left": l, "right": r},
   "dilation": [dh, dw], "groups": g}, "x": ..., "w": ..., "b": ... (optional), "dout": ...}
      -> {"out": ..., "dx": ..., "dw": ..., "db": ... (with b)}
  {"op": "pad2d", "params": {"padding": {...}}, "x": ..., "dout": ...} -> {"out": ..., "dx": ...}
  {"op": "maxpool2d" | "avgpool2d", "params": {"kernel": [kh, kw], "stride": [sh, sw], "padding": {...},
   "dilation": [dh, dw], "ceil_mode": bool, "count_include_pad": bool}, "x": ..., "dout": ...} -> {"out", "dx"}
      (PyTorch pools only with symmetric padding: top = bottom and left = right)
  {"op": "linear", "x": ..., "w": ..., "b": ... (optional), "dout": ...} -> {"out", "dx", "dw", "db"}
  {"op": "relu" | "sigmoid" | "tanh" | "flatten", "x": ..., "dout": ...} -> {"out", "dx"}
  {"op": "mse", "a": ..., "y": ...} -> {"loss", "da"}: 1/(2N) sum ||a - y||^2
  {"op": "softmax_cross_entropy", "z": ..., "labels": [...]} -> {"loss", "dz"}: the batch mean
  {"op": "sequential", "params": {"layers": [...], "loss": ...}, "x": ..., "y" or "labels": ..., "layer_params": [...]}
      -> {"loss", "dx", "layer_grads": [{"dw", "db"} or {}, ...]}

Asymmetric padding is applied with torch.nn.functional.pad before a convolution with padding 0, which is how
PyTorch users write it. Run with Debian's Python (/usr/bin/python3), which has python3-torch.
"""
import json
import sys

import torch
import torch.nn.functional as F


def tensor(value):
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def weights(case, inputs):
    """The case's w and optional b as leaf tensors, recorded in inputs; b is None when the case has none."""
    inputs["w"] = tensor(case["w"])
    inputs["b"] = tensor(case["b"]) if "b" in case else None
    return inputs["w"], inputs["b"]


def padding_of(params):
    p = params.get("padding", {})
    if isinstance(p, int):
        p = {"top": p, "bottom": p, "left": p, "right": p}
    # F.pad takes (left, right, top, bottom) for the last two dimensions
    return (p.get("left", 0), p.get("right", 0), p.get("top", 0), p.get("bottom", 0))


def run_loss(case):
    if case["op"] == "mse":
        a, y = tensor(case["a"]), torch.tensor(case["y"], dtype=torch.float64)
        loss = F.mse_loss(a, y, reduction="sum") / (2 * a.shape[0])
        name, wrt = "da", a
    else:
        z, labels = tensor(case["z"]), torch.tensor(case["labels"], dtype=torch.long)
        loss = F.cross_entropy(z, labels)
        name, wrt = "dz", z
    (grad,) = torch.autograd.grad(loss, [wrt])
    return {"loss": loss.item(), name: grad.tolist()}


def layer(spec, a, params):
    """One layer of a network, in the case format's spec, applied to the activation a with its params ({} or w, b)."""
    op = spec["op"]
    w = params.get("w")
    if op in ("conv2d", "linear"):
        if op == "linear":
            return F.linear(a, w, params.get("b"))
        return F.conv2d(F.pad(a, padding_of(spec)), w, params.get("b"), stride=tuple(pair(spec.get("stride", 1))),
                        dilation=tuple(pair(spec.get("dilation", 1))), groups=spec.get("groups", 1))
    if op == "pad2d":
        return F.pad(a, padding_of(spec))
    if op in ("relu", "sigmoid", "tanh"):
        return getattr(torch, op)(a)
    if op == "flatten":
        return torch.flatten(a, 1)
    kernel = tuple(pair(spec["kernel"]))
    common = dict(kernel_size=kernel, stride=tuple(pair(spec.get("stride", spec["kernel"]))), ceil_mode=spec.get("ceil_mode", False))
    left, _, top, _ = padding_of(spec)  # PyTorch pools with symmetric padding: the top and left sides
    if op == "maxpool2d":
        return F.max_pool2d(a, padding=(top, left), dilation=tuple(pair(spec.get("dilation", 1))), **common)
    return F.avg_pool2d(a, padding=(top, left), count_include_pad=spec.get("count_include_pad", True), **common)


def pair(v):
    return v if isinstance(v, list) else [v, v]


def run_sequential(case):
    p = case["params"]
    x = tensor(case["x"])
    leaves = [x]
    layer_params = []
    for lp in case["layer_params"]:
        params = {k: tensor(v) for k, v in lp.items()}
        leaves.extend(params.values())
        layer_params.append(params)
    a = x
    for spec, params in zip(p["layers"], layer_params):
        a = layer(spec, a, params)
    if p["loss"] == "mse":
        y = torch.tensor(case["y"], dtype=torch.float64)
        loss = ((a - y) ** 2).sum() / (2 * a.shape[0])
    else:
        loss = F.cross_entropy(a, torch.tensor(case["labels"], dtype=torch.long))
    grads = iter(torch.autograd.grad(loss, leaves))
    result = {"loss": loss.item(), "dx": next(grads).tolist(), "layer_grads": []}
    for params in layer_params:
        result["layer_grads"].append({"d" + k: next(grads).tolist() for k in params})
    return result


def run(case):
    if case["op"] == "sequential":
        return run_sequential(case)
    if case["op"] in ("mse", "softmax_cross_entropy"):
        return run_loss(case)
    params = case.get("params", {})
    x = tensor(case["x"])
    inputs = {"x": x}
    if case["op"] == "pad2d":
        out = F.pad(x, padding_of(params))
    elif case["op"] == "conv2d":
        w, b = weights(case, inputs)
        out = F.conv2d(F.pad(x, padding_of(params)), w, b, stride=tuple(params["stride"]),
                       dilation=tuple(params["dilation"]), groups=params["groups"])
    elif case["op"] in ("maxpool2d", "avgpool2d"):
        p = params["padding"]
        if p["top"] != p["bottom"] or p["left"] != p["right"]:
            raise ValueError("PyTorch pools with symmetric padding only")
        common = dict(kernel_size=tuple(params["kernel"]), stride=tuple(params["stride"]),
                      padding=(p["top"], p["left"]), ceil_mode=params["ceil_mode"])
        if case["op"] == "maxpool2d":
            out = F.max_pool2d(x, dilation=tuple(params["dilation"]), **common)
        else:
            out = F.avg_pool2d(x, count_include_pad=params["count_include_pad"], **common)
    elif case["op"] == "linear":
        w, b = weights(case, inputs)
        out = F.linear(x, w, b)
    elif case["op"] in ("relu", "sigmoid", "tanh"):
        out = getattr(torch, case["op"])(x)
    elif case["op"] == "flatten":
        out = torch.flatten(x, 1)
    else:
        raise ValueError("unknown op " + case["op"])
    dout = torch.tensor(case["dout"], dtype=torch.float64)
    inputs = {name: t for name, t in inputs.items() if t is not None}
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
