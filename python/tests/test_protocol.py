"""serve answers suite and hunt one line per case; the examples that use it pass suite."""
import io
import json
import subprocess
import sys

import numpy as np

import cnnbp
from conftest import GOLDEN, REPO
from relu_only import relu_only

RELU = {"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[-1.5, 0, 2]]}, "dout": [[1, 2, 3]]}


def test_serve_answers_each_line_with_one_json_line():
    lines = [json.dumps(RELU), "", json.dumps({**RELU, "op": "tanh"})]
    output = io.StringIO()
    cnnbp.serve(relu_only, io.StringIO("\n".join(lines) + "\n"), output)
    answers = [json.loads(line) for line in output.getvalue().splitlines()]
    assert answers == [{"out": [[0.0, 0.0, 2.0]], "dx": [[0.0, 0.0, 3.0]]}, {"unsupported": "only relu, not tanh"}]


def test_serve_takes_unsupported_returned_too_and_writes_nan_as_nan():
    output = io.StringIO()
    cnnbp.serve(lambda case: cnnbp.Unsupported("no"), io.StringIO(json.dumps(RELU) + "\n"), output)
    cnnbp.serve(lambda case: {"out": [[np.nan, np.inf, 0]]}, io.StringIO(json.dumps(RELU) + "\n"), output)
    assert output.getvalue() == '{"unsupported": "no"}\n{"out": [[NaN, Infinity, 0.0]]}\n'


def test_suite_drives_an_implementation_written_with_serve():
    script = REPO / "python" / "tests" / "relu_only.py"
    run = subprocess.run([cnnbp.program(), "suite", str(GOLDEN), "--impl", f"{sys.executable} {script}",
                          "--dtype", "float32"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    relu_cases = sum(json.loads(p.read_text())["op"] == "relu" for p in GOLDEN.glob("*.json"))
    assert f"{relu_cases} passed, 0 failed, {len(list(GOLDEN.glob('*.json'))) - relu_cases} unsupported" in run.stdout


def test_the_numpy_example_passes_suite_through_the_package():
    example = REPO / "examples" / "numpy_layers.py"
    run = subprocess.run([cnnbp.program(), "suite", str(GOLDEN), "--dtype", "float32",
                          "--impl", f"{sys.executable} {example} --dtype float32"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert ", 0 failed, 0 unsupported" in run.stdout


def test_the_numpy_example_reads_a_case_file_through_the_package(write_case):
    path = write_case("short", {"format": "cnnbp-case/1", "op": "avgpool2d", "params": {"kernel": 2, "padding": 1},
                                "inputs": {"x": [[[[1, 2, 3], [4, 5, 6]]]]}, "dout": [[[[1, 2], [3, 4]]]]})
    run = subprocess.run([sys.executable, str(REPO / "examples" / "numpy_layers.py"), str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert cnnbp.check(path, json.loads(run.stdout)).passed
