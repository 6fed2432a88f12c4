#!/usr/bin/python3
"""The bug zoo: `cnnbp hunt` must catch every classic mistake and shrink it to a small case.

Usage: /usr/bin/python3 tests/bug_zoo.py BUILD/cnnbp

Each wrong implementation is examples/numpy_layers.py with one line changed (tests/bug_zoo_layers.py, 15 of them). For
each, `hunt` must report a wrong answer within 300 cases and save a shrunk case with at most 2 samples, 2 channels and
a 4 x 4 input. Also, the correct numpy and PyTorch examples must pass `hunt` (1000 cases per op, float32 and
float64) and `suite` on the golden cases with no false alarm. Prints one line per finding, the measured figures, and a closing
"N passed, N failed" line.
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from numpy_golden import OP_OF_MISTAKE  # noqa: E402

EXAMPLE = f"/usr/bin/python3 {ROOT / 'examples' / 'numpy_layers.py'}"
TORCH_EXAMPLE = f"/usr/bin/python3 {ROOT / 'examples' / 'torch_layers.py'}"


def hunt(cnnbp, op, impl, cases, dtype, save):
    return subprocess.run([cnnbp, "hunt", "--op", op, "--impl", impl, "--cases", str(cases), "--dtype", dtype,
                           "--save", save], capture_output=True, text=True)


def main():
    cnnbp = sys.argv[1]
    passed, failed = 0, 0
    work = pathlib.Path(tempfile.mkdtemp())  # removed at the end
    for mistake, op in sorted(OP_OF_MISTAKE.items()):
        save = str(work / f"{mistake}.json")
        run = hunt(cnnbp, op, f"/usr/bin/python3 {ROOT / 'tests' / 'bug_zoo_layers.py'} {mistake} --dtype float64", 300, "float64", save)
        found = re.search(r"wrong answer on case (\d+) of", run.stdout)
        if run.returncode != 1 or not found:
            failed += 1
            print(f"FAILED: hunt did not catch {mistake} in 300 {op} cases:\n{run.stdout}{run.stderr}")
            continue
        case = json.loads(pathlib.Path(save).read_text())
        first = next(iter(case["inputs"].values()))
        shape = []
        while isinstance(first, list):
            shape.append(len(first))
            first = first[0]
        n = shape[0]
        c = shape[1] if len(shape) == 4 else 1
        hw = shape[2:] if len(shape) == 4 else []
        small = n <= 2 and c <= 2 and all(e <= 4 for e in hw)
        line = f"{mistake} ({op}): caught on case {found.group(1)}, shrunk to input shape {tuple(shape)}"
        if small:
            passed += 1
            print(line)
        else:
            failed += 1
            print("FAILED (not shrunk enough): " + line)
    for name, command in (("numpy", EXAMPLE), ("PyTorch", TORCH_EXAMPLE)):
        for op in sorted(set(OP_OF_MISTAKE.values()) | {"pad2d", "flatten", "relu", "tanh"}):
            for dtype in ("float32", "float64"):
                run = hunt(cnnbp, op, f"{command} --dtype {dtype}", 1000, dtype, str(work / "false_alarm.json"))
                rate = re.search(r"\(seed \d+, ([\d.e+]+) cases/s\)", run.stdout)
                if run.returncode == 0:
                    passed += 1
                    print(f"correct {name} {dtype}, {op}: no false alarm in 1000 cases, {float(rate.group(1)):.0f} cases/s")
                else:
                    failed += 1
                    print(f"FAILED: false alarm on the correct {name} {dtype} implementation:\n{run.stdout}{run.stderr}")
        for dtype in ("float32", "float64"):
            run = subprocess.run([cnnbp, "suite", str(ROOT / "golden"), "--impl", f"{command} --dtype {dtype}", "--dtype", dtype],
                                 capture_output=True, text=True)
            if run.returncode == 0:
                passed += 1
                print(f"correct {name} {dtype}: suite passes every golden case")
            else:
                failed += 1
                print(f"FAILED: {name} suite in {dtype}:\n{run.stdout}")
    shutil.rmtree(work)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
