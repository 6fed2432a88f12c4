"""The program and the golden suite are found where the package says, and a missing one is named with what was tried."""
import re

import pytest

import cnnbp
from cnnbp import runner
from conftest import REPO


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No set_program, no CNNBP_PROGRAM, an empty PATH, and a source tree without a build."""
    monkeypatch.setattr(runner, "_program", None)
    monkeypatch.delenv("CNNBP_PROGRAM", raising=False)
    monkeypatch.delenv("CNNBP_GOLDEN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(runner, "SOURCE_TREE", tmp_path / "tree")
    return tmp_path


def test_a_missing_program_is_an_error_that_names_every_place_tried(nowhere):
    with pytest.raises(cnnbp.CnnbpError) as error:
        cnnbp.load_case(REPO / "golden" / "conv2d_basic.json")
    message = str(error.value)
    for tried in ("cnnbp.set_program(): not set", "CNNBP_PROGRAM: not set", "`cnnbp` on PATH: none",
                  str(nowhere / "tree" / "build" / "cnnbp")):
        assert tried in message


def test_a_given_program_that_is_not_there_is_an_error_not_a_reason_to_look_further(monkeypatch, tmp_path):
    monkeypatch.setattr(runner, "_program", None)
    monkeypatch.setenv("CNNBP_PROGRAM", str(tmp_path / "no_cnnbp"))
    with pytest.raises(cnnbp.CnnbpError, match=re.escape(f"CNNBP_PROGRAM is not an executable file: {tmp_path}")):
        cnnbp.program()
    cnnbp.set_program(tmp_path / "also_none")
    try:
        with pytest.raises(cnnbp.CnnbpError, match=r"given by cnnbp.set_program\(\)"):
            cnnbp.program()
    finally:
        cnnbp.set_program(None)


def test_the_order_is_set_program_then_the_environment_then_path_then_the_source_tree(nowhere, monkeypatch):
    real = REPO / "build" / "cnnbp"
    bin_dir = nowhere / "bin"
    bin_dir.mkdir()
    (bin_dir / "cnnbp").symlink_to(real)
    (nowhere / "tree" / "build").mkdir(parents=True)
    (nowhere / "tree" / "build" / "cnnbp").symlink_to(real)
    assert cnnbp.program() == str(nowhere / "tree" / "build" / "cnnbp")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert cnnbp.program() == str(bin_dir / "cnnbp")
    monkeypatch.setenv("CNNBP_PROGRAM", str(real))
    assert cnnbp.program() == str(real)
    monkeypatch.setattr(runner, "_program", str(nowhere / "tree" / "build" / "cnnbp"))
    assert cnnbp.program() == str(nowhere / "tree" / "build" / "cnnbp")


def test_the_golden_suite_is_found_beside_an_installed_program(nowhere, monkeypatch):
    prefix = nowhere / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "share" / "cnnbp").mkdir(parents=True)
    (prefix / "bin" / "cnnbp").symlink_to(REPO / "build" / "cnnbp")
    (prefix / "share" / "cnnbp" / "golden").symlink_to(REPO / "golden")
    monkeypatch.setenv("PATH", str(prefix / "bin"))
    assert cnnbp.golden_dir() == prefix / "share" / "cnnbp" / "golden"
    monkeypatch.setenv("CNNBP_GOLDEN", str(nowhere))
    assert cnnbp.golden_dir() == nowhere


def test_the_golden_suite_is_found_beside_the_build_folder_of_a_program_built_in_its_tree(nowhere, monkeypatch):
    (nowhere / "src" / "build").mkdir(parents=True)
    (nowhere / "src" / "golden").mkdir()
    (nowhere / "src" / "build" / "cnnbp").symlink_to(REPO / "build" / "cnnbp")
    monkeypatch.setenv("CNNBP_PROGRAM", str(nowhere / "src" / "build" / "cnnbp"))
    assert cnnbp.golden_dir() == nowhere / "src" / "golden"


def test_without_a_program_the_golden_suite_is_the_source_trees_and_else_an_error(nowhere):
    with pytest.raises(cnnbp.CnnbpError, match="the golden suite was not found; tried CNNBP_GOLDEN: not set"):
        cnnbp.golden_dir()
    (nowhere / "tree" / "golden").mkdir(parents=True)
    assert cnnbp.golden_dir() == nowhere / "tree" / "golden"


def test_the_version_is_the_one_of_cmakes_project():
    cmake = (REPO / "CMakeLists.txt").read_text()
    assert re.search(r"project\(cnnbp\s+VERSION\s+([\d.]+)", cmake).group(1) == cnnbp.__version__
