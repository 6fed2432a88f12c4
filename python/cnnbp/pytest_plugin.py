"""pytest: one test per case file of the golden suite, or of any folder.

    @cnnbp.golden_cases(op="conv2d")
    def test_conv2d(case):
        cnnbp.assert_matches(case, my_conv2d(case), dtype="float32")

runs test_conv2d once per golden conv2d case, its id the file's name (test_conv2d[conv2d_dilation]); `case` is the
Case load_case reads. The folder is, in this order: golden_cases(folder=...), the command line's --cnnbp-cases DIR,
golden_dir(). pip install registers this module with pytest (the pytest11 entry point), which adds --cnnbp-cases;
without installing, `-p cnnbp.pytest_plugin` or `pytest_plugins = ["cnnbp.pytest_plugin"]` in a conftest.py does.
golden_cases itself works either way.
"""
import functools
import json
import pathlib

from .case import load_case
from .runner import CnnbpError, golden_dir

_cases_option = None  # --cnnbp-cases, set before test files are imported


def case_files(folder=None, op=None):
    """The case files (*.json) of `folder` (default golden_dir()), sorted, those of `op` only when given (a name, or
    a list of names; "sequential" for networks). CnnbpError when there is none: a test over no case is no test."""
    folder = pathlib.Path(folder) if folder is not None else golden_dir()
    ops = None if op is None else {op} if isinstance(op, str) else set(op)
    if not folder.is_dir():
        raise CnnbpError(f"no folder of cases at {folder}")
    paths = []
    for path in sorted(folder.glob("*.json")):
        try:
            case_op = json.loads(path.read_text()).get("op")
        except (ValueError, AttributeError):
            case_op = None  # not a case: kept when every file is asked for, so that its test shows the error
        if ops is None or case_op in ops:
            paths.append(path)
    if not paths:
        raise CnnbpError(f"no case file{'' if ops is None else ' of op ' + ', '.join(sorted(ops))} in {folder}")
    return paths


def golden_cases(op=None, folder=None, argname="case"):
    """A decorator that runs a test once per case file (case_files(folder, op)), passing the Case as `argname`. The
    file is read when its test runs, so a file the program refuses fails that test alone, with the program's
    message."""
    import pytest

    paths = case_files(folder if folder is not None else _cases_option, op)

    def decorate(test):
        @functools.wraps(test)  # pytest reads the test's own signature through __wrapped__
        def run_on_case(*args, **kwargs):
            kwargs[argname] = load_case(kwargs[argname])
            return test(*args, **kwargs)
        return pytest.mark.parametrize(argname, [pytest.param(p, id=p.stem) for p in paths])(run_on_case)
    return decorate


def pytest_addoption(parser):
    parser.addoption("--cnnbp-cases", metavar="DIR",
                     help="the folder of case files @cnnbp.golden_cases tests run over (default: the golden suite)")


def pytest_configure(config):
    global _cases_option
    _cases_option = config.getoption("--cnnbp-cases")
