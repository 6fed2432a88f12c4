"""check and assert_matches give the program's verdict and report; wrong results fail, invalid ones raise."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import cnnbp
from conftest import GOLDEN, REPO, golden_of

sys.path.insert(0, str(REPO / "tests"))
import bug_zoo_layers  # noqa: E402  (the numpy example with one classic mistake each)


def float32(result):
    """A result rounded to float32, as a float32 implementation would give it."""
    if isinstance(result, list):
        return [float32(r) for r in result]
    return {k: float32(v) if isinstance(v, (dict, list)) else np.asarray(v, np.float32) for k, v in result.items()}


def test_the_oracles_own_outputs_pass_in_both_precisions():
    case = cnnbp.load_case(GOLDEN / "conv2d_groups.json")
    verdict = cnnbp.check(case, case.expected)
    assert verdict.passed and verdict and verdict.exit_status == 0 and not verdict.failed
    assert list(verdict.tensors) == ["out", "dx", "dw", "db"] and verdict.not_provided == []
    assert all(t.passed and t.difference == 0 for t in verdict.tensors.values())
    assert cnnbp.check(case, float32(case.expected), dtype="float32").passed


def test_a_network_result_with_layer_grads_passes():
    case = cnnbp.load_case(GOLDEN / "network_tanh_avgpool_mse.json")
    verdict = cnnbp.assert_matches(case, float32(case.expected), dtype="float32")
    assert "layer_grads[0].dw" in verdict.tensors


def test_the_report_is_the_one_the_command_prints(tmp_path):
    path = GOLDEN / "conv2d_asymmetric_padding.json"
    result = cnnbp.evaluate(path)
    result["dx"][0, 1, 2, 3] += 0.25
    del result["db"]
    verdict = cnnbp.check(path, result, dtype="float32")
    (tmp_path / "result.json").write_text(json.dumps(cnnbp.result_json(result)))
    printed = subprocess.run([cnnbp.program(), "check", str(path), "result.json", "--dtype", "float32"],
                             cwd=tmp_path, capture_output=True, text=True)
    assert str(verdict) == verdict.report == printed.stdout
    assert verdict.failed and verdict.exit_status == printed.returncode == 1
    assert verdict.not_provided == ["db"]
    dx = verdict.tensors["dx"]
    assert (dx.passed, dx.worst_index, dx.value - dx.expected) == (False, "(0,1,2,3)", 0.25)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=str)
def test_nan_and_infinity_in_a_result_fail(bad):
    case = cnnbp.load_case(GOLDEN / "relu_with_a_zero.json")
    out = case.expected["out"].astype(np.float32)
    out[1, 0, 2, 1] = bad
    verdict = cnnbp.check(case, {"out": out, "dx": case.expected["dx"]}, dtype="float32")
    assert verdict.failed and not verdict
    assert verdict.tensors["out"].worst_index == "(1,0,2,1)"
    assert str(verdict.tensors["out"].value) == str(bad)
    assert "FAIL" in verdict.report


def test_nothing_provided_is_no_pass():
    case = cnnbp.load_case(GOLDEN / "linear_basic.json")
    verdict = cnnbp.check(case, {})
    assert (verdict.passed, verdict.failed, verdict.exit_status) == (False, False, 4)
    with pytest.raises(AssertionError, match="nothing was judged"):
        cnnbp.assert_matches(case, {})


def test_a_result_of_the_wrong_shape_raises_with_the_programs_message():
    case = cnnbp.load_case(GOLDEN / "conv2d_basic.json")
    with pytest.raises(cnnbp.CnnbpError, match=r"out has shape \(.*\) but the expected out has shape"):
        cnnbp.check(case, {"out": case.expected["out"][0]})
    with pytest.raises(cnnbp.CnnbpError, match="dq is not an output of this conv2d case"):
        cnnbp.check(case, {"out": case.expected["out"], "dq": 1.0})


def test_float32_and_float16_results_reach_the_program_exactly():
    values = np.array([1 / 3, 1e-8, 65504.0, -2.5], np.float16)
    assert cnnbp.result_json({"out": values})["out"] == [float(v) for v in values]
    single = np.float32(1 / 3)
    assert cnnbp.result_json({"loss": single})["loss"] == float(single) != 1 / 3


@pytest.mark.parametrize("mistake", ["filter_not_rotated", "db_averaged"])
def test_a_classic_mistake_fails_with_the_report_in_the_message(mistake):
    op = bug_zoo_layers.ZOO[mistake][0]
    wrong = bug_zoo_layers.wrong_layers(mistake, "float32")
    caught = []
    for path in golden_of(op):
        case = cnnbp.load_case(path)
        try:
            cnnbp.assert_matches(case, wrong.run(case), dtype="float32")
        except AssertionError as failure:
            caught.append(str(failure))
    assert caught, f"{mistake} passes every golden {op} case"
    assert all("FAIL  worst element" in message and message.rstrip().endswith("FAIL") for message in caught)
    assert all(("dx" if mistake == "filter_not_rotated" else "db") + "   FAIL" in message for message in caught)
