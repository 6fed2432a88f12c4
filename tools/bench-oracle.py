#!/usr/bin/python3
"""The oracle at a realistic size: eval and check of one conv2d case from JSON and from .npy files, time and peak memory,
next to the time the math alone takes.

usage: /usr/bin/python3 tools/bench-oracle.py BUILD_DIR [--reps K] [--keep DIR]

The case is ResNet's first stage as a framework author would test it: N = 8, C = 64, 56 x 56 -> 64 filters 3 x 3,
padding 1, float32 values from a normal distribution, and PyTorch's float32 answer. It is written twice, once with
every tensor inline in the JSON and once with every tensor in a .npy file beside it (docs/case_format.md, "Binary
tensors"). Each command runs K times (default 3) under /usr/bin/time; printed are the median wall-clock time and the
largest peak resident memory. "math alone" is BUILD_DIR/tests/bench_layers timing cnnbp's conv2d forward + backward on
the same shape in one process (its median wall-clock time per call): what eval and check cost beyond it is reading,
the magnitudes and squares the bounds need, judging and writing. Needs numpy and torch (Debian's python3-torch).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import torch

N, C, H, W, F, K = 8, 64, 56, 56, 64, 3


def write_case(folder):
    """The case and PyTorch's float32 result, each as inline JSON and as JSON naming .npy files."""
    torch.manual_seed(0)
    t = {"x": torch.randn(N, C, H, W), "w": torch.randn(F, C, K, K) / 24, "b": torch.randn(F), "dout": torch.randn(N, F, H, W)}
    x, w, b = (t[k].clone().requires_grad_() for k in ("x", "w", "b"))
    out = torch.nn.functional.conv2d(x, w, b, padding=1)
    out.backward(t["dout"])
    result = {"out": out.detach(), "dx": x.grad, "dw": w.grad, "db": b.grad}
    head = {"format": "cnnbp-case/1", "op": "conv2d", "params": {"padding": 1}}
    for name, tensors in (("case", {"inputs": {k: t[k] for k in ("x", "w", "b")}, "dout": t["dout"]}), ("result", result)):
        inline, npy = dict(head) if name == "case" else {}, dict(head) if name == "case" else {}
        for key, value in tensors.items():
            if isinstance(value, dict):
                inline[key] = {k: v.double().tolist() for k, v in value.items()}
                npy[key] = {}
                for k, v in value.items():
                    np.save(os.path.join(folder, f"{name}.{k}.npy"), v.numpy())
                    npy[key][k] = {"npy": f"{name}.{k}.npy"}
            else:
                inline[key] = value.double().tolist()
                np.save(os.path.join(folder, f"{name}.{key}.npy"), value.numpy())
                npy[key] = {"npy": f"{name}.{key}.npy"}
        with open(os.path.join(folder, f"{name}.json"), "w") as f:
            json.dump(inline, f)
        with open(os.path.join(folder, f"{name}-npy.json"), "w") as f:
            json.dump(npy, f)


def timed(command, reps):
    """Median wall-clock seconds and largest peak RSS (MB) of `command` over `reps` runs under /usr/bin/time."""
    times, peaks = [], []
    for _ in range(reps):
        run = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + command, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"bench-oracle: {' '.join(command)} exited with {run.returncode}:\n{run.stdout}{run.stderr}")
        seconds, kb = run.stderr.strip().splitlines()[-1].split()
        times.append(float(seconds))
        peaks.append(int(kb) / 1024)
    return statistics.median(times), max(peaks)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    build, reps, keep = argv[0], 3, None
    rest = argv[1:]
    while rest:
        if rest[0] == "--reps":
            reps, rest = int(rest[1]), rest[2:]
        elif rest[0] == "--keep":
            keep, rest = rest[1], rest[2:]
        else:
            sys.exit(f"bench-oracle: unknown argument {rest[0]}")
    cnnbp = os.path.join(build, "cnnbp")
    folder = keep or tempfile.mkdtemp(prefix="bench-oracle-")
    os.makedirs(folder, exist_ok=True)
    write_case(folder)
    f = lambda name: os.path.join(folder, name)  # noqa: E731
    sizes = {kind: sum(os.path.getsize(f(p)) for p in os.listdir(folder) if p.endswith(ext) and p.startswith(("case", "result")))
             for kind, ext in (("json", ".json"), ("npy", ".npy"))}
    rows = [
        ("eval, JSON", [cnnbp, "eval", f("case.json"), "-o", f("eval-out.json")]),
        ("eval, .npy", [cnnbp, "eval", f("case-npy.json"), "-o", f("eval-npy-out.json"), "--npy"]),
        ("check float32, JSON", [cnnbp, "check", f("case.json"), f("result.json"), "--dtype", "float32"]),
        ("check float32, .npy", [cnnbp, "check", f("case-npy.json"), f("result-npy.json"), "--dtype", "float32"]),
    ]
    math = subprocess.run([os.path.join(build, "tests", "bench_layers"), "conv2d", "default", str(N), str(C), str(H), str(W),
                           str(F), str(K), "1", "1", "1", "1", str(max(reps, 3))], capture_output=True, text=True, check=True)
    report = json.loads(math.stdout.strip().splitlines()[-1])
    print(f"conv2d {N} x {C} x {H} x {W} -> {F}, {K}x{K}, padding 1 (float32 values, PyTorch's answer); "
          f"case + result: {sizes['json'] / 1e6:.0f} MB of JSON, {sizes['npy'] / 1e6:.0f} MB of .npy")
    print(f"{'':24}{'seconds':>10}{'peak MB':>10}")
    for name, command in rows:
        seconds, peak = timed(command, reps)
        print(f"{name:24}{seconds:10.2f}{peak:10.0f}")
    print(f"{'math alone (fwd + bwd)':24}{statistics.median(report['wall_seconds']):10.2f}{report['peak_rss_kb'] / 1024:10.0f}")
    if keep is None:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
