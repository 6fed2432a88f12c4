#!/usr/bin/python3
"""cnnbp's layers computed by PyTorch's autograd, in float64, float32 or bfloat16: an implementation for `cnnbp suite`
and `hunt`.

    build/cnnbp suite golden --impl "/usr/bin/python3 examples/torch_layers.py --dtype float32" --dtype float32
    build/cnnbp hunt --op avgpool2d --impl "/usr/bin/python3 examples/torch_layers.py --dtype float32" --dtype float32

It speaks the JSON-lines protocol (docs/protocol.md) through the cnnbp package (python/): one case per input line,
its params in full (stride and dilation as [h, w], padding as four sides, every parameter present), one answer per
output line. Ops PyTorch cannot express as cnnbp defines them (pooling with different padding at the two ends) are
answered "unsupported". Debian's python3-torch, run with /usr/bin/python3.
"""
import argparse
import pathlib
import sys

import torch
import torch.nn.functional as F

try:
    import cnnbp
except ImportError:  # not installed: the package of this source tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
    import cnnbp

Unsupported = cnnbp.Unsupported  # raised for what PyTorch cannot express; tools/crosscheck_torch.py catches it


def sides(p):
    """A padding in PyTorch's F.pad order for the last two dimensions: (left, right, top, bottom)."""
    return (p["left"], p["right"], p["top"], p["bottom"])


def apply(op, params, a, w=None, b=None):
    if op == "conv2d":
        return F.conv2d(F.pad(a, sides(params["padding"])), w, b, stride=params["stride"],
                        dilation=params["dilation"], groups=params["groups"])
    if op == "conv_transpose2d":
        # PyTorch crops the same padding from both ends. Its output with padding 0 is cnnbp's uncropped out_p, the
        # output_padding rows and columns last (U1), so any four sides are a slice of it (U2); symmetric padding is
        # left to PyTorch itself, which gives the same slice.
        left, right, top, bottom = sides(params["padding"])
        symmetric = left == right and top == bottom
        try:
            out = F.conv_transpose2d(a, w, b, stride=params["stride"], padding=(top, left) if symmetric else 0,
                                     output_padding=params["output_padding"], groups=params["groups"],
                                     dilation=params["dilation"])
        except RuntimeError as why:  # PyTorch 1.13's CPU bfloat16 transposed convolution mistakes the weight's shape
            if a.dtype != torch.bfloat16:
                raise
            raise Unsupported(f"PyTorch {torch.__version__} fails on conv_transpose2d in bfloat16 on the CPU: {why}")
        return out if symmetric else out[:, :, top:out.shape[2] - bottom, left:out.shape[3] - right]
    if op == "pad2d":
        return F.pad(a, sides(params["padding"]))
    if op in ("maxpool2d", "avgpool2d"):
        left, right, top, bottom = sides(params["padding"])
        if left != right or top != bottom:
            raise Unsupported("PyTorch pools with the same padding at both ends only")
        common = dict(kernel_size=params["kernel"], stride=params["stride"], padding=(top, left),
                      ceil_mode=params["ceil_mode"])
        if op == "maxpool2d":
            return F.max_pool2d(a, dilation=params["dilation"], **common)
        return F.avg_pool2d(a, count_include_pad=params["count_include_pad"], **common)
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
        """The op's outputs and gradients, as lists, for a cnnbp.Case, or for the JSON object of a case file cnnbp
        wrote (params in full, as in the golden suite)."""
        if isinstance(case, dict):
            case = cnnbp.Case.from_json(case)
        op, params, inputs = case.op, case.params, case.inputs
        if op == "mse":
            a = self.leaf(inputs["a"])
            loss = ((a - torch.tensor(inputs["y"], dtype=self.dtype)) ** 2).sum() / (2 * a.shape[0])
            return self.grads(loss * float(case.dout), {"a": a}, {"loss": loss})
        if op == "softmax_cross_entropy":
            z = self.leaf(inputs["z"])
            loss = F.cross_entropy(z, torch.tensor(inputs["labels"], dtype=torch.long))
            return self.grads(loss * float(case.dout), {"z": z}, {"loss": loss})
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
        dout = torch.tensor(case.dout, dtype=self.dtype)
        return self.grads((out * dout).sum(), leaves, {"out": out})

    @staticmethod
    def grads(objective, leaves, values):
        grads = torch.autograd.grad(objective, list(leaves.values()))
        result = {k: (v.item() if v.dim() == 0 else v.tolist()) for k, v in values.items()}
        result.update({"d" + k: g.tolist() for k, g in zip(leaves, grads)})
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtype", default="float64", choices=["bfloat16", "float32", "float64"],
                        help="the precision of every array (default float64, as cnnbp check assumes)")
    cnnbp.serve(Layers(parser.parse_args().dtype).run)


if __name__ == "__main__":
    main()
