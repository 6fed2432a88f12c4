"""cnnbp from Python: read case files as numpy arrays, ask the oracle, judge your results, and test with pytest.

    import cnnbp
    case = cnnbp.load_case("golden/conv2d_dilation.json")    # params in full, arrays float64, expected filled in
    verdict = cnnbp.check(case, my_conv2d(case), dtype="float32")
    print(verdict)                                            # the report of `cnnbp check`
    cnnbp.assert_matches(case, my_conv2d(case), dtype="float32")   # in a test: AssertionError with that report

and @cnnbp.golden_cases(op="conv2d") runs a pytest test once per golden conv2d case (pytest_plugin); cnnbp.serve(f)
makes f an implementation that `cnnbp suite` and `cnnbp hunt` drive (protocol).

The package drives the cnnbp program (found by program(): set_program(), CNNBP_PROGRAM, PATH, then the
source tree's build/cnnbp); it does not compute or judge anything itself. The tolerance model lives in C++ only: a
Python copy of it would be a second oracle to keep in agreement with the first, and binding the library with
pybind11 would need a C++ compiler, Armadillo and a compile of minutes when the package is installed. So the package
is pure Python over numpy, and a verdict here is the program's verdict, word for word.
"""
from .case import LOSSES, Case, evaluate, load_case, result_json
from .runner import CnnbpError, golden_dir, program, set_program
from .protocol import Unsupported, serve
from .pytest_plugin import case_files, golden_cases
from .verdict import TensorVerdict, Verdict, assert_matches, check

__version__ = "0.2.0"  # as project() in CMakeLists.txt; python/tests/test_program.py holds them equal

__all__ = ["Case", "CnnbpError", "LOSSES", "TensorVerdict", "Unsupported", "Verdict", "assert_matches", "case_files",
           "check", "evaluate", "golden_cases", "golden_dir", "load_case", "program", "result_json", "serve",
           "set_program"]
