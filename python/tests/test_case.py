"""load_case writes any case's params in full and reads its tensors as numpy arrays; evaluate is the oracle's."""
import json

import numpy as np
import pytest

import cnnbp
from conftest import GOLDEN

X = [[[[1, 2, 0, 1, 2], [0, 1, 3, 1, 0], [2, 1, 1, 0, 1], [1, 0, 2, 3, 2]]]]  # (1, 1, 4, 5)
W = [[[[0.5, -1], [1, 0.25]]], [[[-0.5, 2], [0.75, 1]]]]                     # (2, 1, 2, 2)
SIDES = ("top", "bottom", "left", "right")


def same(a, b):
    """Equal arrays, or dicts and lists of them with the same keys and lengths."""
    if isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
    if isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


def test_load_case_writes_short_forms_in_full(write_case):
    path = write_case("short", {"format": "cnnbp-case/1", "op": "conv2d", "params": {"stride": 2, "padding": 1},
                                "inputs": {"x": X, "w": W, "b": [0.5, -1]}, "dout": np.ones((1, 2, 3, 3)).tolist()})
    case = cnnbp.load_case(path)
    assert case.params == {"stride": [2, 2], "padding": {"top": 1, "bottom": 1, "left": 1, "right": 1},
                           "dilation": [1, 1], "groups": 1}
    assert (case.op, case.name, case.path) == ("conv2d", "short", path)
    assert case.inputs["x"].dtype == np.float64 and case.inputs["x"].shape == (1, 1, 4, 5)
    assert np.array_equal(case.inputs["w"], np.array(W))
    assert {k: v.shape for k, v in case.expected.items()} == {"out": (1, 2, 3, 3), "dx": (1, 1, 4, 5),
                                                              "dw": (2, 1, 2, 2), "db": (2,)}


def test_load_case_reads_tensors_stored_as_npy_files_beside_the_case(write_case, tmp_path):
    np.save(tmp_path / "x.npy", np.array(X, dtype=np.float32))
    np.save(tmp_path / "w.npy", (np.array(W, dtype=np.float32).view(np.uint32) >> 16).astype("<u2"))  # bfloat16
    path = write_case("npy", {"format": "cnnbp-case/1", "op": "conv2d", "inputs": {"x": {"npy": "x.npy"},
                              "w": {"npy": "w.npy", "dtype": "bfloat16"}}, "dout": np.ones((1, 2, 3, 4)).tolist()})
    case = cnnbp.load_case(path)
    assert case.inputs["x"].dtype == np.float64 and np.array_equal(case.inputs["x"], np.array(X))
    assert np.array_equal(case.inputs["w"], np.array(W))  # every value of W is a bfloat16
    assert case.expected["out"].shape == (1, 2, 3, 4)


def test_load_case_gives_pooling_its_defaults_and_padding_its_missing_sides(write_case):
    path = write_case("pool", {"format": "cnnbp-case/1", "op": "maxpool2d",
                               "params": {"kernel": 2, "padding": {"top": 1}},
                               "inputs": {"x": X}, "dout": np.ones((1, 1, 2, 2)).tolist()})
    params = cnnbp.load_case(path).params
    assert params["kernel"] == [2, 2] and params["stride"] == [2, 2]  # the stride defaults to the kernel
    assert params["padding"] == {"top": 1, "bottom": 0, "left": 0, "right": 0}
    assert params["dilation"] == [1, 1] and params["ceil_mode"] is False


def test_load_case_writes_each_layer_of_a_network_in_full(write_case):
    path = write_case("net", {"format": "cnnbp-case/1", "op": "sequential",
                              "params": {"layers": [{"op": "conv2d", "stride": 2}, {"op": "relu"}, {"op": "flatten"},
                                                    {"op": "linear"}], "loss": "mse"},
                              "inputs": {"x": X, "y": [[1]],
                                         "layer_params": [{"w": [W[0]]}, {}, {}, {"w": [[1, -1, 0.5, 2]]}]}})
    case = cnnbp.load_case(path)
    conv = case.params["layers"][0]
    assert conv["stride"] == [2, 2] and set(conv["padding"]) == set(SIDES) and conv["dilation"] == [1, 1]
    assert case.dout is None
    assert [sorted(g) for g in case.inputs["layer_params"]] == [["w"], [], [], ["w"]]
    assert [sorted(g) for g in case.expected["layer_grads"]] == [["dw"], [], [], ["dw"]]


def test_a_loss_without_dout_has_dout_one_and_integer_labels(write_case):
    path = write_case("ce", {"format": "cnnbp-case/1", "op": "softmax_cross_entropy",
                             "inputs": {"z": [[1, 2, 0.5], [0, -1, 2]], "labels": [2, 0]}})
    case = cnnbp.load_case(path)
    assert case.dout == 1.0 and case.params == {}
    assert case.inputs["labels"].dtype == np.int64 and case.inputs["labels"].tolist() == [2, 0]
    assert case.expected["loss"].shape == ()


@pytest.mark.parametrize("name", ["conv2d_dilation", "network_tiny_cnn_part2", "softmax_cross_entropy"])
def test_evaluate_gives_what_the_golden_file_holds(name):
    path = GOLDEN / f"{name}.json"
    expected = cnnbp.Case.from_json(json.loads(path.read_text())).expected
    assert same(cnnbp.evaluate(path), expected)
    assert same(cnnbp.evaluate(cnnbp.load_case(path)), expected)


def test_evaluate_judges_the_case_as_its_fields_hold_it():
    case = cnnbp.load_case(GOLDEN / "relu_with_a_zero.json")
    case.inputs["x"] = -case.inputs["x"]
    assert np.array_equal(cnnbp.evaluate(case)["out"], np.maximum(case.inputs["x"], 0))


def test_a_case_the_program_refuses_raises_cnnbp_error_with_its_message(write_case):
    path = write_case("bad", {"format": "cnnbp-case/1", "op": "conv2d", "inputs": {"x": X, "w": W, "b": [1]},
                              "dout": np.ones((1, 2, 3, 4)).tolist()})
    with pytest.raises(cnnbp.CnnbpError, match="b has 1 elements but there are F = 2 filters"):
        cnnbp.load_case(path)


def test_to_json_and_from_json_give_the_same_case_back():
    case = cnnbp.load_case(GOLDEN / "network_relu_maxpool_cross_entropy.json")
    again = cnnbp.Case.from_json(json.loads(json.dumps(case.to_json())))
    assert (again.op, again.params, again.name) == (case.op, case.params, case.name)
    assert np.array_equal(again.inputs["x"], case.inputs["x"])
    assert np.array_equal(again.inputs["labels"], case.inputs["labels"])
    assert again.expected is None  # to_json leaves expected out: the oracle computes it
