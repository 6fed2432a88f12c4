#!/usr/bin/python3
"""Recomputes every golden case with PyTorch's autograd in float64 and judges the result with `cnnbp check`.

Usage: /usr/bin/python3 tools/crosscheck_torch.py BUILD/cnnbp [GOLDEN_DIR]

For each case examples/torch_layers.py (the one PyTorch reference of the repository) computes in float64; PyTorch's outputs and gradients are written as a
result file and judged by `cnnbp check --dtype float64 --ties first` (PyTorch's tie rule is the first maximum), so
every element must lie within the float64 bound of the tolerance model. Cases PyTorch cannot express (pooling with
asymmetric padding) are listed as skipped. Exit status 0 when every case passes, 1 otherwise.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for this test: PyTorch is not installed

try:
    import torch  # noqa: F401
except ImportError:
    print("SKIPPED: PyTorch is not installed for this Python (Debian: apt-get install python3-torch, then run with "
          "/usr/bin/python3); the golden suite was not cross-checked")
    sys.exit(SKIPPED)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "examples"))
import torch_layers  # noqa: E402  (after the path is set)


def main():
    cnnbp = sys.argv[1]
    folder = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "golden")
    reference = torch_layers.Layers("float64")
    failed, skipped, passed = [], [], 0
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text())
        try:
            result = reference.run(case)
        except torch_layers.Unsupported as why:
            skipped.append(f"{path.name}: {why}")
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(result, f)
        run = subprocess.run([cnnbp, "check", str(path), f.name, "--dtype", "float64", "--ties", "first"],
                             capture_output=True, text=True)
        pathlib.Path(f.name).unlink()
        if run.returncode == 0:
            passed += 1
        else:
            failed.append(f"{path.name}:\n{run.stdout}{run.stderr}")
    for s in skipped:
        print("skipped", s)
    for f in failed:
        print("FAILED", f)
    print(f"{passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
