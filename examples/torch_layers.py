#!/usr/bin/python3
"""cnnbp's layers computed by PyTorch's autograd, in float32 or float64: an implementation for `cnnbp suite` and `hunt`.

    build/cnnbp suite golden --impl "/usr/bin/python3 examples/torch_layers.py --dtype float32" --dtype float32
    build/cnnbp hunt --op avgpool2d --impl "/usr/bin/python3 examples/torch_layers.py --dtype float32" --dtype float32

It speaks the JSON-lines protocol (docs/protocol.md): one case per input line, one answer per output line. Ops
PyTorch cannot express as cnnbp defines them (pooling with different padding at the two ends) are answered
"unsupported". Debian's python3-torch, run with /usr/bin/python3.
"""
import argparse
import json
import sys

import torch
import torch.nn.functional as F


def pair(v):
    return list(v) if isinstance(v, list) else [v, v]


def sides(p):
    """PyTorch's F.pad order for the last two dimensions: (left, right, top, bottom)."""
    p = p if isinstance(p, dict) else {"top": p or 0, "bottom": p or 0, "left": p or 0, "right": p or 0}
    return (p.get("left", 0), p.get("right", 0), p.get("top", 0), p.get("bottom", 0))


class Unsupported(Exception):
    pass


def apply(op, params, a, w=None, b=None):
    if op == "conv2d":
        return F.conv2d(F.pad(a, sides(params.get("padding", 0))), w, b, stride=pair(params.get("stride", 1)),
                        dilation=pair(params.get("dilation", 1)), groups=params.get("groups", 1))
    if op == "conv_transpose2d":
        # PyTorch crops the same padding from both ends. Its output with padding 0 is cnnbp's uncropped out_p, the
        # output_padding rows and columns last (U1), so any four sides are a slice of it (U2); symmetric padding is
        # left to PyTorch itself, which gives the same slice.
        left, right, top, bottom = sides(params.get("padding", 0))
        symmetric = left == right and top == bottom
        out = F.conv_transpose2d(a, w, b, stride=pair(params.get("stride", 1)),
                                 padding=(top, left) if symmetric else 0,
                                 output_padding=pair(params.get("output_padding", 0)),
                                 groups=params.get("groups", 1), dilation=pair(params.get("dilation", 1)))
        return out if symmetric else out[:, :, top:out.shape[2] - bottom, left:out.shape[3] - right]
    if op == "pad2d":
        return F.pad(a, sides(params.get("padding", 0)))
    if op in ("maxpool2d", "avgpool2d"):
        left, right, top, bottom = sides(params.get("padding", 0))
        if left != right or top != bottom:
            raise Unsupported("PyTorch pools with the same padding at both ends only")
        common = dict(kernel_size=pair(params["kernel"]), stride=pair(params.get("stride", params["kernel"])),
                      padding=(top, left), ceil_mode=params.get("ceil_mode", False))
        if op == "maxpool2d":
            return F.max_pool2d(a, dilation=pair(params.get("dilation", 1)), **common)
        return F.avg_pool2d(a, count_include_pad=params.get("count_include_pad", True), **common)
    if op == "linear":
        return F.linear(a, w, b)
    if op in ("relu", "sigmoid", "tanh"):
        return getattr(torch, op)(a)
    if op == "flatten":
        return torch.flatten(a, 1)
    raise Unsupported(f"unknown op {op}")


class Layers:
    def __init__(self, dtype):
        self.dtype = getattr(torch, dtype)

    def leaf(self, v):
        return torch.tensor(v, dtype=self.dtype, requires_grad=True)

    def run(self, case):
        op, params, inputs = case["op"], case.get("params", {}), case["inputs"]
        if op == "mse":
            a = self.leaf(inputs["a"])
            loss = ((a - torch.tensor(inputs["y"], dtype=self.dtype)) ** 2).sum() / (2 * a.shape[0])
            return self.grads(loss * case.get("dout", 1), {"a": a}, {"loss": loss})
        if op == "softmax_cross_entropy":
            z = self.leaf(inputs["z"])
            loss = F.cross_entropy(z, torch.tensor(inputs["labels"], dtype=torch.long))
            return self.grads(loss * case.get("dout", 1), {"z": z}, {"loss": loss})
        if op == "sequential":
            x = self.leaf(inputs["x"])
            layer_params = [{k: self.leaf(v) for k, v in lp.items()} for lp in inputs["layer_params"]]
            a = x
            for spec, p in zip(params["layers"], layer_params):
                a = apply(spec["op"], spec, a, p.get("w"), p.get("b"))
            if params["loss"] == "mse":
                loss = ((a - torch.tensor(inputs["y"], dtype=self.dtype)) ** 2).sum() / (2 * a.shape[0])
            else:
                loss = F.cross_entropy(a, torch.tensor(inputs["labels"], dtype=torch.long))
            leaves = [x] + [t for p in layer_params for t in p.values()]
            grads = iter(torch.autograd.grad(loss, leaves))
            result = {"loss": loss.item(), "dx": next(grads).tolist(), "layer_grads": []}
            for p in layer_params:
                result["layer_grads"].append({"d" + k: next(grads).tolist() for k in p})
            return result
        x = self.leaf(inputs["x"])
        leaves = {"x": x}
        for k in ("w", "b"):
            if k in inputs:
                leaves[k] = self.leaf(inputs[k])
        out = apply(op, params, x, leaves.get("w"), leaves.get("b"))
        dout = torch.tensor(case["dout"], dtype=self.dtype)
        return self.grads((out * dout).sum(), leaves, {"out": out})

    @staticmethod
    def grads(objective, leaves, values):
        grads = torch.autograd.grad(objective, list(leaves.values()))
        result = {k: (v.item() if v.dim() == 0 else v.tolist()) for k, v in values.items()}
        result.update({"d" + k: g.tolist() for k, g in zip(leaves, grads)})
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"],
                        help="the precision of every array (default float64, as cnnbp check assumes)")
    layers = Layers(parser.parse_args().dtype)
    for line in sys.stdin:
        case = json.loads(line)
        try:
            answer = layers.run(case)
        except Unsupported as why:
            answer = {"unsupported": str(why)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
