#!/usr/bin/python3
"""A float32 implementation passes `cnnbp check --dtype float32` on every golden case, and every classic mistake fails it.

Usage: /usr/bin/python3 tests/numpy_golden.py BUILD/cnnbp GOLDEN_DIR

The implementation is examples/numpy_layers.py (textbook numpy, every array in float32). Each of its --mistake
variants must be rejected (exit status 1, or 2 for a result of the wrong shape) on at least one golden case of its op.
Prints one line per finding and a closing "N passed, N failed" line; exit status 0 when all hold.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import numpy_layers  # noqa: E402

OP_OF_MISTAKE = {
    "filter_not_rotated": "conv2d", "dout_not_dilated": "conv2d", "padding_not_cropped": "conv2d",
    "db_averaged": "conv2d", "windows_overwritten": "conv2d", "maxpool_spread": "maxpool2d",
    "avgpool_not_divided": "avgpool2d", "avgpool_kernel_area": "avgpool2d", "dw_transposed": "linear",
    "ceil_mode_keeps_window_in_padding": "maxpool2d",
    "linear_db_first_sample": "linear", "sigmoid_at_activation": "sigmoid", "softmax_without_mean": "softmax_cross_entropy",
    "mse_without_mean": "mse",
}


def check(cnnbp, case_path, case, mistake=None):
    try:
        result = numpy_layers.as_json(numpy_layers.Layers("float32", mistake).run(case))
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
    assert set(OP_OF_MISTAKE) == set(numpy_layers.MISTAKES), "every mistake of the example needs its op here"
    for mistake, op in OP_OF_MISTAKE.items():
        caught = [p.name for p, c in cases.items() if c["op"] == op and check(cnnbp, p, c, mistake)[0] in (1, 2)]
        if caught:
            passed += 1
            print(f"mistake {mistake} ({numpy_layers.MISTAKES[mistake]}): rejected on {len(caught)} case(s), e.g. {caught[0]}")
        else:
            failed += 1
            print(f"FAILED: mistake {mistake} passes every golden {op} case")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
