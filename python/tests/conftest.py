"""The package's tests use this source tree's package and, unless CNNBP_PROGRAM says otherwise, its build/cnnbp."""
import json
import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
if (REPO / "build" / "cnnbp").is_file():
    os.environ.setdefault("CNNBP_PROGRAM", str(REPO / "build" / "cnnbp"))
GOLDEN = REPO / "golden"


def golden_of(op):
    """The golden case files of an op, sorted."""
    return [p for p in sorted(GOLDEN.glob("*.json")) if json.loads(p.read_text())["op"] == op]


@pytest.fixture
def write_case(tmp_path):
    """Writes a JSON object to tmp_path/NAME.json and returns the path."""
    def write(name, doc):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc))
        return path
    return write
