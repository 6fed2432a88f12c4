#!/usr/bin/python3
"""The layers of cnnbp written the textbook way in numpy, in float64, float32 or float16: an implementation for cnnbp
to judge.

    /usr/bin/python3 examples/numpy_layers.py [--dtype float16|float32|float64] CASE.json > RESULT.json
    build/cnnbp check CASE.json RESULT.json --dtype float32
    build/cnnbp suite golden --impl "/usr/bin/python3 examples/numpy_layers.py --dtype float32" --dtype float32
    build/cnnbp suite golden --impl "/usr/bin/python3 examples/numpy_layers.py --dtype float16" \
        --dtype float16 --accumulate float16

reads a cnnbp-case/1 file, computes the op's outputs and gradients with numpy in the chosen precision (every
intermediate array in that dtype: in float16 numpy rounds each elementwise operation to float16, and sums some
products in float32 inside its dot and sum loops, so cnnbp judges it with --accumulate float16, which bounds both),
and prints them as a result object; without a case file it speaks the JSON-lines
protocol of `cnnbp suite` and `cnnbp hunt` (docs/protocol.md). The cnnbp package (python/) reads the cases and speaks
the protocol; it hands every case over with its params in full (stride and dilation as [h, w], padding as four
sides, every parameter present), so nothing here fills in defaults. tests/bug_zoo_layers.py builds the classic wrong
versions of this file, one changed line each.
"""
import argparse
import json
import pathlib
import sys

import numpy as np

try:
    import cnnbp
except ImportError:  # not installed: the package of this source tree
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
    import cnnbp


def sides(padding):
    """A padding's four sides, in the order top, bottom, left, right."""
    return padding["top"], padding["bottom"], padding["left"], padding["right"]


def out_size(n, k, s, lo, hi, d=1, ceil=False):
    """Output size along one axis: floor((n + lo + hi - d(k-1) - 1) / s) + 1, or ceil_mode's rule, which drops a last
    window that would start in the padding."""
    span = n + lo + hi - d * (k - 1) - 1
    if not ceil:
        return span // s + 1
    count = -(-span // s) + 1
    return count - 1 if (count - 1) * s >= n + lo else count


class Layers:
    def __init__(self, dtype):
        self.dt = np.dtype(dtype)

    def array(self, value):
        return np.asarray(value, dtype=self.dt)

    # ---- pad2d
    def upstream(self, case, shape):
        """dout, or zeros when the case has none (a network's forward pass)."""
        return self.array(case.dout) if case.dout is not None else np.zeros(shape, self.dt)

    def pad2d(self, case):
        x = self.array(case.inputs["x"])
        t, b, l, r = sides(case.params["padding"])
        out = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))
        dout = self.upstream(case, out.shape)
        return {"out": out, "dx": dout[:, :, t:t + x.shape[2], l:l + x.shape[3]]}

    # ---- conv2d: one strided slice per kernel tap
    def conv2d(self, case):
        p, inputs = case.params, case.inputs
        x, w = self.array(inputs["x"]), self.array(inputs["w"])
        b = self.array(inputs["b"]) if "b" in inputs else None
        (sh, sw), (dh, dw_), groups = p["stride"], p["dilation"], p["groups"]
        t, bt, l, r = sides(p["padding"])
        n, c, h, wd = x.shape
        f, cg, kh, kw = w.shape
        fg = f // groups
        xp = np.pad(x, ((0, 0), (0, 0), (t, bt), (l, r)))
        ho, wo = out_size(h, kh, sh, t, bt, dh), out_size(wd, kw, sw, l, r, dw_)
        dout = self.upstream(case, (n, f, ho, wo))
        out = np.zeros((n, f, ho, wo), self.dt)
        dxp = np.zeros_like(xp)
        dw = np.zeros_like(w)
        for g in range(groups):
            cs, fs = slice(g * cg, (g + 1) * cg), slice(g * fg, (g + 1) * fg)
            for u in range(kh):
                for v in range(kw):
                    rows = slice(u * dh, u * dh + sh * (ho - 1) + 1, sh)
                    cols = slice(v * dw_, v * dw_ + sw * (wo - 1) + 1, sw)
                    patch = xp[:, cs, rows, cols]                                  # (n, cg, ho, wo)
                    out[:, fs] += np.einsum("nchw,fc->nfhw", patch, w[fs, :, u, v])
                    dw[fs, :, u, v] += np.einsum("nfhw,nchw->fc", dout[:, fs], patch)
                    contribution = np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, u, v])
                    dxp[:, cs, rows, cols] += contribution  # windows overlap: accumulate
        if b is not None:
            out += b[None, :, None, None]
        result = {"out": out, "dx": dxp[:, :, t:t + h, l:l + wd], "dw": dw}
        if b is not None:
            result["db"] = dout.sum(axis=(0, 2, 3), dtype=self.dt)
        return result

    # ---- conv_transpose2d: each kernel tap scatters the input into a strided slice of the uncropped output
    def conv_transpose2d(self, case):
        p, inputs = case.params, case.inputs
        x, w = self.array(inputs["x"]), self.array(inputs["w"])
        b = self.array(inputs["b"]) if "b" in inputs else None
        (sh, sw), (dh, dw_), (oh, ow) = p["stride"], p["dilation"], p["output_padding"]
        t, bt, l, r = sides(p["padding"])
        groups = p["groups"]
        n, c, h, wd = x.shape
        _, fg, kh, kw = w.shape
        cg, f = c // groups, fg * groups
        hp, wp = (h - 1) * sh + dh * (kh - 1) + 1 + oh, (wd - 1) * sw + dw_ * (kw - 1) + 1 + ow  # before the crop
        ho, wo = hp - t - bt, wp - l - r
        dout = self.upstream(case, (n, f, ho, wo))
        doutp = np.pad(dout, ((0, 0), (0, 0), (t, bt), (l, r)))  # the cropped cells get no gradient
        outp = np.zeros((n, f, hp, wp), self.dt)
        dx, dw = np.zeros_like(x), np.zeros_like(w)
        for g in range(groups):
            cs, fs = slice(g * cg, (g + 1) * cg), slice(g * fg, (g + 1) * fg)
            for u in range(kh):
                for v in range(kw):
                    rows = slice(u * dh, u * dh + sh * (h - 1) + 1, sh)
                    cols = slice(v * dw_, v * dw_ + sw * (wd - 1) + 1, sw)
                    outp[:, fs, rows, cols] += np.einsum("nchw,cf->nfhw", x[:, cs], w[cs, :, u, v])
                    region = doutp[:, fs, rows, cols]                             # (n, fg, h, wd)
                    dx[:, cs] += np.einsum("nfhw,cf->nchw", region, w[cs, :, u, v])
                    dw[cs, :, u, v] += np.einsum("nchw,nfhw->cf", x[:, cs], region)
        out = outp[:, :, t:t + ho, l:l + wo]
        if b is not None:
            out = out + b[None, :, None, None]
        result = {"out": out, "dx": dx, "dw": dw}
        if b is not None:
            result["db"] = np.sum(dout, axis=(0, 2, 3), dtype=self.dt)
        return result

    # ---- pooling: loops over the windows
    def pool_shape(self, case, x_shape):
        p = case.params
        (kh, kw), (sh, sw), (dh, dw) = p["kernel"], p["stride"], p.get("dilation", (1, 1))  # avgpool2d has no dilation
        t, b, l, r = sides(p["padding"])
        ceil = p["ceil_mode"]
        return (x_shape[0], x_shape[1], out_size(x_shape[2], kh, sh, t, b, dh, ceil), out_size(x_shape[3], kw, sw, l, r, dw, ceil))

    def windows(self, case, x_shape, out_shape):
        p = case.params
        (kh, kw), (sh, sw), (dh, dw) = p["kernel"], p["stride"], p.get("dilation", (1, 1))
        t, b, l, r = sides(p["padding"])
        for i in range(out_shape[2]):
            for j in range(out_shape[3]):
                taps = [(i * sh + u * dh - t, j * sw + v * dw - l) for u in range(kh) for v in range(kw)]
                yield i, j, [(hh, ww) for hh, ww in taps if 0 <= hh < x_shape[2] and 0 <= ww < x_shape[3]], (t, b, l, r, kh, kw, sh, sw)

    def maxpool2d(self, case):
        x = self.array(case.inputs["x"])
        shape = self.pool_shape(case, x.shape)
        dout = self.upstream(case, shape)
        out, dx = np.zeros(shape, self.dt), np.zeros_like(x)
        for i, j, cells, _ in self.windows(case, x.shape, shape):
            values = np.stack([x[:, :, hh, ww] for hh, ww in cells], axis=-1)   # (n, c, cells)
            best = values.argmax(axis=-1)                                         # the first maximum
            out[:, :, i, j] = values.max(axis=-1)
            for k, (hh, ww) in enumerate(cells):
                dx[:, :, hh, ww] += np.where(best == k, dout[:, :, i, j], self.dt.type(0))
        return {"out": out, "dx": dx}

    def avgpool2d(self, case):
        x = self.array(case.inputs["x"])
        dout = self.upstream(case, self.pool_shape(case, x.shape))
        include = case.params["count_include_pad"]
        out, dx = np.zeros(dout.shape, self.dt), np.zeros_like(x)
        for i, j, cells, (t, b, l, r, kh, kw, sh, sw) in self.windows(case, x.shape, dout.shape):
            h0, w0 = i * sh - t, j * sw - l
            h1, w1 = min(h0 + kh, x.shape[2] + b), min(w0 + kw, x.shape[3] + r)
            divisor = (h1 - h0) * (w1 - w0) if include else len(cells)
            total = np.zeros(x.shape[:2], self.dt)
            for hh, ww in cells:
                total += x[:, :, hh, ww]
                dx[:, :, hh, ww] += dout[:, :, i, j] / self.dt.type(divisor)
            out[:, :, i, j] = total / self.dt.type(divisor)
        return {"out": out, "dx": dx}

    # ---- linear
    def linear(self, case):
        inputs = case.inputs
        x, w = self.array(inputs["x"]), self.array(inputs["w"])
        out = x @ w.T
        dout = self.upstream(case, out.shape)
        result = {"dx": dout @ w, "dw": dout.T @ x}
        if "b" in inputs:
            out = out + self.array(inputs["b"])
            result["db"] = dout.sum(axis=0, dtype=self.dt)
        result["out"] = out
        return result

    # ---- activations and flatten
    def elementwise(self, case):
        x = self.array(case.inputs["x"])
        dout = self.upstream(case, x.shape)
        op = case.op
        if op == "relu":
            return {"out": np.maximum(x, self.dt.type(0)), "dx": np.where(x > 0, dout, self.dt.type(0))}
        if op == "sigmoid":
            s = (1 / (1 + np.exp(-x))).astype(self.dt)
            return {"out": s, "dx": dout * s * (1 - s)}
        t = np.tanh(x)
        return {"out": t, "dx": dout * (1 - t * t)}

    def flatten(self, case):
        x = self.array(case.inputs["x"])
        dout = self.upstream(case, (x.shape[0], x[0].size))
        return {"out": x.reshape(x.shape[0], -1), "dx": dout.reshape(x.shape)}

    # ---- losses
    def mse(self, case):
        a, y = self.array(case.inputs["a"]), self.array(case.inputs["y"])
        dloss = self.dt.type(case.dout)
        n = self.dt.type(a.shape[0])
        return {"loss": ((a - y) ** 2).sum(dtype=self.dt) / (2 * n), "da": dloss * (a - y) / n}

    def softmax_cross_entropy(self, case):
        z, labels = self.array(case.inputs["z"]), np.asarray(case.inputs["labels"], dtype=int)
        dloss = self.dt.type(case.dout)
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        rows = np.arange(z.shape[0])
        loss = (np.log(total[:, 0]) - shifted[rows, labels]).mean(dtype=self.dt)
        dz = e / total
        dz[rows, labels] -= 1
        return {"loss": loss, "dz": dloss * dz / self.dt.type(z.shape[0])}

    # ---- a network: the forward pass layer by layer, the loss, then each layer's backward in reverse
    def sequential(self, case):
        layers, inputs = case.params["layers"], case.inputs
        subcases, a = [], self.array(inputs["x"])
        for spec, params in zip(layers, inputs["layer_params"]):
            sub = cnnbp.Case(spec["op"], {k: v for k, v in spec.items() if k != "op"}, {"x": a, **params})
            subcases.append(sub)
            a = self.run(sub)["out"]
        if case.params["loss"] == "mse":
            head = self.mse(cnnbp.Case("mse", inputs={"a": a, "y": inputs["y"]}, dout=1.0))
            loss, da = head["loss"], head["da"]
        else:
            head = cnnbp.Case("softmax_cross_entropy", inputs={"z": a, "labels": inputs["labels"]}, dout=1.0)
            head = self.softmax_cross_entropy(head)
            loss, da = head["loss"], head["dz"]
        grads = []
        for sub in reversed(subcases):
            sub.dout = da
            result = self.run(sub)
            da = result["dx"]
            grads.append({k: result[k] for k in ("dw", "db") if k in result})
        return {"loss": loss, "dx": da, "layer_grads": list(reversed(grads))}

    def run(self, case):
        """The op's outputs and gradients for a cnnbp.Case, or for the JSON object of a case file cnnbp wrote (params
        in full, as in the golden suite)."""
        if isinstance(case, dict):
            case = cnnbp.Case.from_json(case)
        op = case.op
        if op in ("relu", "sigmoid", "tanh"):
            return self.elementwise(case)
        return getattr(self, op)(case)


as_json = cnnbp.result_json  # a result as JSON-ready lists (tests/numpy_golden.py uses it)


def serve(layers):
    """The JSON-lines protocol of `cnnbp suite` and `cnnbp hunt`: one case per input line, one answer per line."""
    def answer(case):
        try:
            return layers.run(case)
        except (AttributeError, KeyError, NotImplementedError) as why:
            return cnnbp.Unsupported(f"{case.op}: {why!r}")
    cnnbp.serve(answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case", nargs="?", help="a case file; without it, speak the JSON-lines protocol on stdin/stdout")
    parser.add_argument("--dtype", default="float64", choices=["float16", "float32", "float64"],
                        help="the precision of every array (default float64, as cnnbp check assumes)")
    args = parser.parse_args()
    layers = Layers(args.dtype)
    if args.case is None:
        serve(layers)
        return
    json.dump(as_json(layers.run(cnnbp.load_case(args.case))), sys.stdout)
    print()


if __name__ == "__main__":
    main()
