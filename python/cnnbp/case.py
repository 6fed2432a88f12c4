"""A case as numpy arrays: reading one (through `cnnbp eval --canonical`), evaluating one, and writing results.

A case's parameters are in full once the program has written them: every parameter present, stride, dilation,
kernel and output_padding as [h, w], padding as {"top", "bottom", "left", "right"}, each layer of a network likewise.
Every case cnnbp writes is so (the golden suite, and the cases suite and hunt send); load_case makes any case so.
"""
import dataclasses
import json
import pathlib
from typing import Any, Optional

import numpy as np

from .runner import CnnbpError, run

LOSSES = ("mse", "softmax_cross_entropy")  # their dout is the scalar dL/dloss, 1 when the file has none


def _arrays(value, dtype=np.float64):
    """JSON tensors as numpy arrays: a dict of them, a list of such dicts (layer_params, layer_grads), or one. A
    binary tensor, {"npy": PATH}, is loaded from PATH as the program wrote it (from the current folder)."""
    if isinstance(value, dict) and "npy" in value:
        array = np.load(value["npy"])
        if value.get("dtype") == "bfloat16":  # stored as uint16, the upper half of a float32
            array = (array.astype(np.uint32) << 16).view(np.float32)
        return array.astype(dtype)
    if isinstance(value, dict):
        return {k: _arrays(v, np.int64 if k == "labels" else dtype) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_arrays(v, dtype) for v in value]
    return np.asarray(value, dtype=dtype)


def _lists(value):
    """The inverse of _arrays: numpy arrays (or anything np.asarray reads) as nested lists, dtype kept."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_lists(v) for v in value]
    return np.asarray(value).tolist()


def result_json(result):
    """A result (a dict of numpy arrays, PyTorch tensors, nested lists or numbers; a network's `layer_grads` a list
    of such dicts) as JSON-ready nested lists of Python floats. float32 and float16 convert to float64 exactly; NaN
    and infinities stay, and json.dumps writes them as NaN, Infinity, -Infinity, which cnnbp reads as non-finite."""
    if not isinstance(result, dict):
        raise TypeError(f"a result is a dict of arrays such as {{'out': ..., 'dx': ...}}, got {type(result).__name__}")

    def convert(value):
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items() if v is not None}
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
            return [convert(v) for v in value]
        if hasattr(value, "detach"):  # a PyTorch tensor, which may require grad or live on a GPU
            value = value.detach().cpu().double().numpy()
        return np.asarray(value, dtype=np.float64).tolist()
    return convert(result)


@dataclasses.dataclass(eq=False)  # no ==: arrays have no single truth value
class Case:
    """One case (docs/case_format.md) as numpy arrays.

    op: "conv2d", ..., or "sequential" for a network. params: as in the file, in full when the file came from cnnbp
    or through load_case ({} for an op without parameters). inputs: float64 arrays by name (x, w, b, a, y, z);
    `labels` int64; a network's `layer_params` a list of dicts of arrays, one per layer ({} for a layer without
    parameters). dout: the upstream gradient shaped like out; for the losses a 0-d array, 1.0 when the file has none;
    None for a network. expected: what the oracle computes (load_case fills it in), arrays by output name, a network's
    `layer_grads` a list of dicts; None when unknown. name: the file's "name", else its file name without .json.
    path: the file it was read from, or None. document: the JSON object it was made from.
    """
    op: str
    params: dict = dataclasses.field(default_factory=dict)
    inputs: dict = dataclasses.field(default_factory=dict)
    dout: Optional[np.ndarray] = None
    expected: Optional[dict] = None
    name: Optional[str] = None
    path: Optional[pathlib.Path] = None
    document: Optional[dict] = dataclasses.field(default=None, repr=False)

    @classmethod
    def from_json(cls, doc: dict, path=None) -> "Case":
        """The case a parsed JSON object holds, taken as it is: no program is run, so params are in full only if
        the object's are (every case cnnbp writes or sends)."""
        path = None if path is None else pathlib.Path(path)
        dout = doc.get("dout", 1.0 if doc["op"] in LOSSES else None)
        return cls(op=doc["op"], params=doc.get("params", {}), inputs=_arrays(doc["inputs"]),
                   dout=None if dout is None else _arrays(dout),
                   expected=_arrays(doc["expected"]) if "expected" in doc else None,
                   name=doc.get("name") or (path.stem if path else None), path=path, document=doc)

    def __repr__(self):  # shapes, not numbers
        def shapes(arrays):
            if isinstance(arrays, list):
                return "[" + ", ".join("{" + shapes(a) + "}" for a in arrays) + "]"
            return ", ".join(f"{k}: {shapes(v) if isinstance(v, (dict, list)) else np.shape(v)}"
                             for k, v in arrays.items())
        dout = f", dout: {np.shape(self.dout)}" if self.dout is not None else ""
        inputs = "{" + shapes(self.inputs) + "}"
        return f"Case({self.name or self.op!r}: op={self.op!r}, params={self.params!r}, inputs={inputs}{dout})"

    def to_json(self) -> dict:
        """The case as a cnnbp-case/1 object, from these fields (the document's other top-level fields kept, its
        `expected` left out)."""
        doc: dict[str, Any] = {"format": "cnnbp-case/1"}
        doc.update({k: v for k, v in (self.document or {}).items() if k not in ("expected", "dout", "params")})
        doc.update(op=self.op, inputs=_lists(self.inputs))
        if self.name:
            doc["name"] = self.name
        if self.params:
            doc["params"] = self.params
        if self.dout is not None:
            doc["dout"] = _lists(self.dout)
        return doc


def _program_json(*args, stdin=None):
    """Runs the program, which writes one JSON document; CnnbpError with its message when it refuses."""
    done = run(*args, stdin=stdin)
    if done.returncode != 0:
        raise CnnbpError(done.stderr.strip() or f"cnnbp {args[0]} exited with status {done.returncode}")
    return json.loads(done.stdout)


def load_case(path) -> Case:
    """Reads the case file at `path` through `cnnbp eval --canonical`: params in full, `expected` computed by the
    oracle. CnnbpError with the program's message for a file that is not a valid case."""
    return Case.from_json(_program_json("eval", path, "--canonical"), path)


def evaluate(case) -> dict:
    """What the oracle computes for `case` (a Case, judged as its fields hold it, or a case file's path): a dict of
    float64 arrays by output name, a network's `layer_grads` a list of dicts."""
    if not isinstance(case, Case):
        return load_case(case).expected
    return _arrays(_program_json("eval", "-", "--canonical", stdin=json.dumps(case.to_json()))["expected"])
