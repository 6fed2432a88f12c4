#!/usr/bin/python3
"""Benchmark of `cnnbp hunt` against the numpy example: judged cases per second per op, and how long finding and
shrinking each classic mistake takes. A measurement, not a test: it prints figures and never fails on them.

Usage: /usr/bin/python3 tools/bench_hunt.py BUILD/cnnbp [CASES]
"""
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from numpy_golden import OP_OF_MISTAKE  # noqa: E402

EXAMPLE = f"/usr/bin/python3 {ROOT / 'examples' / 'numpy_layers.py'}"


def timed(args):
    start = time.perf_counter()
    run = subprocess.run(args, capture_output=True, text=True)
    return time.perf_counter() - start, run


def main():
    cnnbp = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    save = str(pathlib.Path(tempfile.mkdtemp()) / "case.json")
    print(f"hunt against the numpy example in float32, {cases} cases per op (wall time of the whole command,"
          " including the implementation's start-up):")
    for op in ["conv2d", "pad2d", "maxpool2d", "avgpool2d", "flatten", "linear", "relu", "sigmoid", "tanh", "mse",
               "softmax_cross_entropy"]:
        seconds, _ = timed([cnnbp, "hunt", "--op", op, "--impl", f"{EXAMPLE} --dtype float32", "--dtype", "float32",
                            "--cases", str(cases), "--save", save])
        print(f"  {op:24s} {cases / seconds:8.0f} cases/s  ({seconds:.2f} s)")
    print("finding and shrinking each classic mistake (wall time of the whole hunt):")
    for mistake, op in sorted(OP_OF_MISTAKE.items()):
        seconds, run = timed([cnnbp, "hunt", "--op", op, "--impl", f"/usr/bin/python3 {ROOT / 'tests' / 'bug_zoo_layers.py'} {mistake} --dtype float64", "--cases", "300",
                              "--save", save])
        print(f"  {mistake:24s} {seconds:6.2f} s  {run.stdout.splitlines()[1] if run.returncode == 1 else 'NOT FOUND'}")


if __name__ == "__main__":
    main()
