"""Finding the cnnbp program and the golden suite, and running the program.

The program is looked up, in this order: the path given to set_program(), the environment variable CNNBP_PROGRAM,
`cnnbp` on PATH, and `build/cnnbp` of the source tree this package sits in (python/../build/cnnbp). The first of
these that is set is used; a set one that is not an executable file is an error, not a reason to look further.
"""
import os
import pathlib
import shutil
import subprocess

# the repository this package sits in (as python/cnnbp/), or None when the package is installed
_HERE = pathlib.Path(__file__).resolve().parent
SOURCE_TREE = _HERE.parents[1] if _HERE.parent.name == "python" else None

_program = None


class CnnbpError(Exception):
    """The program could not be found, or it refused its input (exit 2) or failed (exit 3): the message says which."""


CnnbpError.__module__ = "cnnbp"  # tracebacks name it as users spell it, cnnbp.CnnbpError


def set_program(path):
    """Use the cnnbp program at `path` from now on (None: look it up again)."""
    global _program
    _program = None if path is None else os.path.abspath(path)


def program():
    """The path of the cnnbp program, or CnnbpError naming every place that was tried."""
    tried = []
    for origin, path in (("cnnbp.set_program()", _program), ("CNNBP_PROGRAM", os.environ.get("CNNBP_PROGRAM"))):
        if path:
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                raise CnnbpError(f"the cnnbp program given by {origin} is not an executable file: {path}")
            return os.path.abspath(path)  # the program runs in other folders too (check writes in a scratch one)
        tried.append(f"{origin}: not set")
    on_path = shutil.which("cnnbp")
    if on_path:
        return on_path
    tried.append("`cnnbp` on PATH: none")
    if SOURCE_TREE is None:
        tried.append("a source tree's build: the package is installed, not in a source tree")
    else:
        built = SOURCE_TREE / "build" / "cnnbp"
        if built.is_file() and os.access(built, os.X_OK):
            return str(built)
        tried.append(f"the source tree's build: {built} does not exist")
    raise CnnbpError("the cnnbp program was not found; tried " + "; ".join(tried) +
                     ". Build it (cmake --build build) or install it, then call cnnbp.set_program(PATH) or set "
                     "CNNBP_PROGRAM if it is not found on its own.")


def golden_dir():
    """The golden suite's folder: CNNBP_GOLDEN, else <prefix>/share/cnnbp/golden next to <prefix>/bin/cnnbp (the
    program found), else golden/ beside the build folder of a program built in a source tree (build/cnnbp), else
    the golden/ of the source tree this package sits in; CnnbpError naming what was tried."""
    given = os.environ.get("CNNBP_GOLDEN")
    if given:
        if not os.path.isdir(given):
            raise CnnbpError(f"CNNBP_GOLDEN is not a folder: {given}")
        return pathlib.Path(given)
    tried = ["CNNBP_GOLDEN: not set"]
    candidates = []
    try:
        found = pathlib.Path(program())
        for p in dict.fromkeys((found, found.resolve())):
            candidates += [p.parent.parent / "share" / "cnnbp" / "golden", p.parent.parent / "golden"]
    except CnnbpError:
        tried.append("beside the program: no cnnbp program found (install it, or set CNNBP_PROGRAM)")
    if SOURCE_TREE is not None:
        candidates.append(SOURCE_TREE / "golden")
    for folder in dict.fromkeys(candidates):  # in order, each once
        if folder.is_dir():
            return folder
        tried.append(f"{folder}: no such folder")
    raise CnnbpError("the golden suite was not found; tried " + "; ".join(tried) + ". Set CNNBP_GOLDEN to its folder.")


def run(*args, stdin=None, cwd=None):
    """Runs `cnnbp ARGS...` and returns the finished process (text stdout and stderr); never raises on its status."""
    return subprocess.run([program(), *map(str, args)], input=stdin, cwd=cwd, capture_output=True, text=True)
