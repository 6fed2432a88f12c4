#!/usr/bin/python3
"""A float32 implementation passes `cnnbp check --dtype float32` on every golden case, and every classic mistake fails it.

Usage: /usr/bin/python3 tests/numpy_golden.py BUILD/cnnbp GOLDEN_DIR

The implementation is examples/numpy_layers.py (textbook numpy, every array in float32). Each wrong version of it in
the bug zoo (tests/bug_zoo_layers.py) must be rejected (exit status 1, or 2 for a result of the wrong shape) on at
least one golden case of its op.
Prints one line per finding and a closing "N passed, N failed" line; exit status 0 when all hold.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bug_zoo_layers  # noqa: E402
import numpy_layers  # noqa: E402

OP_OF_MISTAKE = {mistake: entry[0] for mistake, entry in bug_zoo_layers.ZOO.items()}


def check(cnnbp, case_path, case, mistake=None):
    try:
        layers = bug_zoo_layers.wrong_layers(mistake, "float32") if mistake else numpy_layers.Layers("float32")
        result = numpy_layers.as_json(layers.run(case))
    except Exception as crash:  # noqa: BLE001  (a mistake can make the implementation itself fail: that is a rejection)
        return 1, f"the implementation raised {crash!r}"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(result, f)
    run = subprocess.run([cnnbp, "check", str(case_path), f.name, "--dtype", "float32"], capture_output=True, text=True)
    pathlib.Path(f.name).unlink()
    return run.returncode, run.stdout + run.stderr


def main():
    cnnbp, folder = sys.argv[1], pathlib.Path(sys.argv[2])
    cases = {p: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
    passed, failed = 0, 0
    for path, case in cases.items():
        status, output = check(cnnbp, path, case)
        if status == 0:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: the correct float32 implementation is rejected on {path.name}:\n{output}")
    for mistake, op in OP_OF_MISTAKE.items():
        caught = [p.name for p, c in cases.items() if c["op"] == op and check(cnnbp, p, c, mistake)[0] in (1, 2)]
        if caught:
            passed += 1
            print(f"mistake {mistake} ({bug_zoo_layers.ZOO[mistake][1]}): rejected on {len(caught)} case(s), e.g. {caught[0]}")
        else:
            failed += 1
            print(f"FAILED: mistake {mistake} passes every golden {op} case")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
