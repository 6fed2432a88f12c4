"""A user's own conv2d, textbook numpy in float32: what test_my_conv2d.py checks against every golden conv2d case.

    /usr/bin/python3 -m pytest python/examples      # with the cnnbp package installed, or PYTHONPATH=python
"""
import numpy as np


def conv2d(case):
    """Forward and backward of a 2-D cross-correlation for a cnnbp.Case of op conv2d, every array in float32.

    x (N,C,H,W), w (F,C/groups,KH,KW), b (F) optional, dout (N,F,H',W'); params in full: stride and dilation [h, w],
    padding {"top", "bottom", "left", "right"}, groups. H' = floor((H + top + bottom - dh (KH - 1) - 1) / sh) + 1.
    Returns out, and dx, dw, db: the gradients of <out, dout> (db only with a bias)."""
    f32 = np.float32
    x, w, dout = case.inputs["x"].astype(f32), case.inputs["w"].astype(f32), case.dout.astype(f32)
    p = case.params
    (sh, sw), (dh, dw_), groups, pad = p["stride"], p["dilation"], p["groups"], p["padding"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad["top"], pad["bottom"]), (pad["left"], pad["right"])))
    (n, _, hp, wp), (f, cg, kh, kw) = xp.shape, w.shape
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw_ * (kw - 1) - 1) // sw + 1
    out, dxp, dw = np.zeros((n, f, ho, wo), f32), np.zeros_like(xp), np.zeros_like(w)
    for g in range(groups):
        cs, fs = slice(g * cg, (g + 1) * cg), slice(g * f // groups, (g + 1) * f // groups)
        for u in range(kh):
            for v in range(kw):
                # the input cells that kernel tap (u, v) meets, one per output cell
                rows = slice(u * dh, u * dh + sh * (ho - 1) + 1, sh)
                tap = (slice(None), cs, rows, slice(v * dw_, v * dw_ + sw * (wo - 1) + 1, sw))
                out[:, fs] += np.einsum("nchw,fc->nfhw", xp[tap], w[fs, :, u, v])
                dw[fs, :, u, v] += np.einsum("nfhw,nchw->fc", dout[:, fs], xp[tap])
                dxp[tap] += np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, u, v])
    dx = dxp[:, :, pad["top"]:pad["top"] + x.shape[2], pad["left"]:pad["left"] + x.shape[3]]  # the padding cropped off
    result = {"out": out, "dx": dx, "dw": dw}
    if "b" in case.inputs:
        out += case.inputs["b"].astype(f32)[None, :, None, None]
        result["db"] = dout.sum(axis=(0, 2, 3))
    return result
