"""The pytest plugin: the 10-line example checks every golden conv2d case, a wrong conv2d fails with the report."""
import os
import shutil
import subprocess
import sys

from conftest import GOLDEN, REPO, golden_of

EXAMPLES = REPO / "python" / "examples"


def pytest_run(*args, cwd=None):
    """pytest in a process of its own, on this source tree's package."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "python"), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, args)],
                         cwd=cwd, env=env, capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def test_the_example_is_at_most_10_lines():
    assert len((EXAMPLES / "test_my_conv2d.py").read_text().splitlines()) <= 10


def test_the_example_runs_once_per_golden_conv2d_case_and_passes():
    status, output = pytest_run(EXAMPLES / "test_my_conv2d.py", "-q")
    assert status == 0, output
    assert f"{len(golden_of('conv2d'))} passed" in output


def test_each_case_file_is_one_test_named_after_it():
    status, output = pytest_run(EXAMPLES / "test_my_conv2d.py", "--collect-only", "-q")
    assert status == 0, output
    ids = {line.split("::")[1] for line in output.splitlines() if "::" in line}
    assert ids == {f"test_conv2d[{p.stem}]" for p in golden_of("conv2d")}


def test_a_wrong_conv2d_fails_with_the_report(tmp_path):
    right = (EXAMPLES / "my_layers.py").read_text()
    line = 'dxp[tap] += np.einsum("nfhw,fc->nchw", dout[:, fs], w[fs, :, u, v])'
    assert right.count(line) == 1
    # dx correlates dout with the filter as it is, not rotated by 180 degrees
    (tmp_path / "my_layers.py").write_text(right.replace(line, line.replace("u, v]", "kh - 1 - u, kw - 1 - v]")))
    shutil.copy(EXAMPLES / "test_my_conv2d.py", tmp_path)
    status, output = pytest_run(tmp_path / "test_my_conv2d.py", "-q")
    assert status == 1, output
    assert "test_conv2d[conv2d_dilation]" in output and "dx   FAIL  worst element" in output
    assert "passed" in output  # a 1 x 1 kernel is its own rotation: that case cannot tell


def test_cnnbp_cases_points_the_tests_at_another_folder(tmp_path):
    for name in ("conv2d_basic", "conv2d_groups", "relu_with_a_zero"):
        shutil.copy(GOLDEN / f"{name}.json", tmp_path)
    status, output = pytest_run("-p", "cnnbp.pytest_plugin", "--cnnbp-cases", tmp_path,
                                EXAMPLES / "test_my_conv2d.py", "-v")
    assert status == 0, output
    assert "2 passed" in output and "test_conv2d[conv2d_groups] PASSED" in output


def test_a_case_file_the_program_refuses_fails_its_test_alone(tmp_path):
    shutil.copy(GOLDEN / "conv2d_basic.json", tmp_path)
    (tmp_path / "conv2d_broken.json").write_text('{"format": "cnnbp-case/1", "op": "conv2d", "inputs": {"x": [1]}}')
    test = tmp_path / "test_folder.py"
    test.write_text(f"import cnnbp\nfrom my_layers import conv2d\n\n\n"
                    f"@cnnbp.golden_cases(op='conv2d', folder={str(tmp_path)!r})\n"
                    "def test_conv2d(case):\n    cnnbp.assert_matches(case, conv2d(case), dtype='float32')\n")
    shutil.copy(EXAMPLES / "my_layers.py", tmp_path)
    status, output = pytest_run(test, "-q")
    assert status == 1, output
    assert "1 failed, 1 passed" in output and "CnnbpError" in output


def test_an_op_without_cases_is_an_error_not_an_empty_pass(tmp_path):
    test = tmp_path / "test_none.py"
    test.write_text("import cnnbp\n\n\n@cnnbp.golden_cases(op='conv3d')\ndef test_conv3d(case):\n    pass\n")
    status, output = pytest_run(test, "-q")
    assert status == 2, output
    assert "no case file of op conv3d in" in output
