"""Judging a result: `cnnbp check --json`, read into a Verdict."""
import dataclasses
import json
import math
import os
import pathlib
import tempfile

from .case import Case, result_json
from .runner import CnnbpError, run


def _number(value):
    """A number of the program's JSON: "NaN", "Infinity" and "-Infinity" come as strings, no finite value as null."""
    return math.nan if value is None else float(value)


@dataclasses.dataclass(frozen=True)
class TensorVerdict:
    """One judged output: its worst element (index as the program writes it, "(n,c,h,w)"), that element's value, the
    expected value, their difference and the bound it is held to; how many elements were judged."""
    key: str
    passed: bool
    worst_index: str
    value: float
    expected: float
    difference: float
    bound: float
    elements: int
    judged: int
    unbounded: int
    mostly_zero: bool

    @classmethod
    def from_json(cls, t):
        return cls(key=t["key"], passed=t["pass"], worst_index=t["worst_index"], value=_number(t["value"]),
                   expected=_number(t["expected"]), difference=_number(t["difference"]), bound=_number(t["bound"]),
                   elements=t["elements"], judged=t["judged"], unbounded=t["unbounded"], mostly_zero=t["mostly_zero"])


@dataclasses.dataclass(frozen=True, repr=False)
class Verdict:
    """What `cnnbp check` says of a result. exit_status: 0 every provided output passes (passed), 1 a judged element
    is wrong (failed), 4 not everything could be judged (neither); meaning says it in words. tensors: a TensorVerdict
    per provided output, by key ("out", "dx", ..., "layer_grads[0].dw"). report: the text the command prints without
    --json, which str() gives. A Verdict is true only when it passed."""
    exit_status: int
    meaning: str
    report: str
    tensors: dict
    not_provided: list
    not_judged: str
    details: dict  # the whole JSON object `check --json` printed

    @property
    def passed(self):
        return self.exit_status == 0

    @property
    def failed(self):
        return self.exit_status == 1

    def __bool__(self):
        return self.passed

    def __str__(self):
        return self.report

    def __repr__(self):
        return f"<Verdict {self.meaning} ({', '.join(self.tensors) or 'nothing provided'})>"


def check(case, result, dtype="float64", ties="any") -> Verdict:
    """Judges `result`, what an implementation computed for `case`, as `cnnbp check --dtype DTYPE --ties TIES` does.

    case: a Case (judged as its fields hold it) or a case file's path. result: a dict of some of out, dx, dw, db,
    loss, da, dz (a network: loss, dx, layer_grads), as numpy arrays, PyTorch tensors or nested lists. dtype: the
    precision the implementation computed in, "float64" or "float32". ties: max-pool ties, "any" split among the
    tied maxima or "first" (PyTorch's rule). CnnbpError for invalid input (a wrong shape, an unknown key), with the
    program's message."""
    with tempfile.TemporaryDirectory(prefix="cnnbp-") as folder:
        if isinstance(case, Case):
            case_file = pathlib.Path(case.path).name if case.path else "case.json"
            case_file = "case.json" if case_file == "result.json" else case_file
            with open(os.path.join(folder, case_file), "w") as f:
                json.dump(case.to_json(), f)
        else:
            case_file = os.path.abspath(case)
        with open(os.path.join(folder, "result.json"), "w") as f:
            json.dump(result_json(result), f)
        # run in the folder, so that the report names the files by their names, not by temporary paths
        done = run("check", case_file, "result.json", "--dtype", dtype, "--ties", ties, "--json", cwd=folder)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        message = done.stderr.strip() or f"cnnbp check exited with status {done.returncode} and printed no JSON"
        raise CnnbpError(message) from None
    if "error" in answer:
        raise CnnbpError(answer["error"])
    if "report" not in answer:
        raise CnnbpError("cnnbp check --json gave no report: this program is older than the package (cnnbp 0.2.0)")
    return Verdict(exit_status=answer["exit_status"], meaning=answer["meaning"], report=answer["report"],
                   tensors={t["key"]: TensorVerdict.from_json(t) for t in answer["tensors"]},
                   not_provided=answer["not_provided"], not_judged=answer["not_judged"], details=answer)


def assert_matches(case, result, dtype="float64", ties="any") -> Verdict:
    """check(), for tests: returns the Verdict when every provided output passes, else raises AssertionError whose
    message is the report (a failure, or nothing judged: no pass either way)."""
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    verdict = check(case, result, dtype=dtype, ties=ties)
    if not verdict.passed:
        raise AssertionError("\n" + verdict.report.rstrip())
    return verdict
