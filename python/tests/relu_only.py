"""An implementation of relu alone, written with cnnbp.serve: run as a program, it speaks the protocol."""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import cnnbp  # noqa: E402  (after the path is set)


def relu_only(case):
    """out and dx of relu in float32; any other op is unsupported."""
    if case.op != "relu":
        raise cnnbp.Unsupported(f"only relu, not {case.op}")
    x = case.inputs["x"].astype(np.float32)
    return {"out": np.maximum(x, 0), "dx": np.where(x > 0, case.dout, 0).astype(np.float32)}


if __name__ == "__main__":
    cnnbp.serve(relu_only)
