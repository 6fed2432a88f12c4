#!/usr/bin/python3
"""The bug zoo: examples/numpy_layers.py with one classic mistake each, made by changing exactly one line of it.

    /usr/bin/python3 tests/bug_zoo_layers.py MISTAKE [--dtype float32|float64]

speaks the JSON-lines protocol of `cnnbp suite` and `cnnbp hunt` with the wrong implementation named MISTAKE (see
ZOO). Each entry is the correct line and its wrong replacement, so the mistake reads as a one-line diff; if the
example changes so that the correct line is no longer there, loading the entry fails loudly instead of silently
testing nothing.
"""
import argparse
import pathlib
import sys
import types

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "numpy_layers.py"

# mistake: (op it shows in, what it is, the correct line, the wrong line)
ZOO = {
    "filter_not_rotated": ("conv2d", "dx correlates dout with the filter, not the rotated filter",
                           'contribution = np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, u, v])',
                           'contribution = np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, kh - 1 - u, kw - 1 - v])'),
    "dout_not_dilated": ("conv2d", "dx places dout as if the stride were 1",
                         "dxp[:, cs, rows, cols] += contribution",
                         "dxp[:, cs, u * dh:u * dh + ho, v * dw_:v * dw_ + wo] += contribution"),
    "windows_overwritten": ("conv2d", "overlapping windows overwrite dx instead of accumulating",
                            "dxp[:, cs, rows, cols] += contribution",
                            "dxp[:, cs, rows, cols] = contribution"),
    "padding_not_cropped": ("conv2d", "dx keeps the top-left corner of the padded gradient",
                            '"dx": dxp[:, :, t:t + h, l:l + wd]', '"dx": dxp[:, :, :h, :wd]'),
    "db_averaged": ("conv2d", "db averaged over the batch instead of summed",
                    'result["db"] = dout.sum(axis=(0, 2, 3), dtype=self.dt)',
                    'result["db"] = dout.sum(axis=(0, 2, 3), dtype=self.dt) / self.dt.type(n)'),
    "transposed_padding_not_cropped": ("conv_transpose2d", "out keeps the top-left corner of the scattered output",
                                       "out = outp[:, :, t:t + ho, l:l + wo]", "out = outp[:, :, :ho, :wo]"),
    "maxpool_spread": ("maxpool2d", "the gradient goes to every cell of the window, not only the winner",
                       "dx[:, :, hh, ww] += np.where(best == k, dout[:, :, i, j], self.dt.type(0))",
                       "dx[:, :, hh, ww] += dout[:, :, i, j]"),
    "ceil_mode_keeps_window_in_padding": ("maxpool2d", "ceil_mode keeps a last window that starts in the padding",
                                          "return count - 1 if (count - 1) * s >= n + lo else count", "return count"),
    "avgpool_not_divided": ("avgpool2d", "dx not divided by the window's divisor",
                            "dx[:, :, hh, ww] += dout[:, :, i, j] / self.dt.type(divisor)",
                            "dx[:, :, hh, ww] += dout[:, :, i, j]"),
    "avgpool_kernel_area": ("avgpool2d", "always divided by K_h K_w, even at the border without count_include_pad",
                            "divisor = (h1 - h0) * (w1 - w0) if include else len(cells)", "divisor = kh * kw"),
    "dw_transposed": ("linear", "dW = x^T dout, the transpose", '"dw": dout.T @ x', '"dw": x.T @ dout'),
    "linear_db_first_sample": ("linear", "db from the first sample only, the batch sum missing",
                               'result["db"] = dout.sum(axis=0, dtype=self.dt)', 'result["db"] = dout[0]'),
    "sigmoid_at_activation": ("sigmoid", "the derivative taken at the activation instead of the net input",
                              '"dx": dout * s * (1 - s)',
                              '"dx": dout * (1 / (1 + np.exp(-s))) * (1 - 1 / (1 + np.exp(-s)))'),
    "softmax_without_mean": ("softmax_cross_entropy", "dz without the 1/N of the batch mean",
                             '"dz": dloss * dz / self.dt.type(z.shape[0])', '"dz": dloss * dz'),
    "mse_without_mean": ("mse", "da without the 1/N", '"da": dloss * (a - y) / n', '"da": dloss * (a - y)'),
}


def wrong_module(mistake):
    """The example's module with the mistake's one line changed."""
    op, what, right, wrong = ZOO[mistake]
    source = EXAMPLE.read_text()
    if source.count(right) != 1:
        raise SystemExit(f"bug zoo: the line of {mistake} is not exactly once in {EXAMPLE}: {right}")
    module = types.ModuleType(f"numpy_layers_{mistake}")
    module.__file__ = str(EXAMPLE)  # as the example's own: it finds the cnnbp package of this source tree from there
    exec(compile(source.replace(right, wrong), f"{EXAMPLE} ({mistake})", "exec"), module.__dict__)
    return module


def wrong_layers(mistake, dtype):
    return wrong_module(mistake).Layers(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mistake", choices=sorted(ZOO))
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    args = parser.parse_args()
    module = wrong_module(args.mistake)
    module.serve(module.Layers(args.dtype))


if __name__ == "__main__":
    main()
