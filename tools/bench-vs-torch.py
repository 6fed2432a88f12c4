#!/usr/bin/python3
"""cnnbp against PyTorch, side by side in one run: forward + backward of one layer, float64, like against like.

usage: /usr/bin/python3 tools/bench-vs-torch.py BUILD_DIR [--rounds R] [--reps K] [--threads T] [--only NAME,...]

Each case runs in its own process on each side (cnnbp: BUILD_DIR/tests/bench_layers; PyTorch: this script with
--torch-side), one untimed repetition and then K timed ones, measured as process CPU time (wall-clock time when T > 1,
where cnnbp is also run on one thread to print the speed-up its threads give); the rounds rotate over the
cases and alternate which side goes first, so that a change of load hits both. Printed per case: the median ratio
cnnbp / PyTorch over all rounds, both medians, cnnbp's share of the dgemm rate this machine reaches (measured here,
through the same Armadillo and BLAS), and the memory one call adds to its process (the peak after the first,
untimed, call minus the peak before it, with the inputs made; later calls may add what the allocator keeps). Ratios, not absolute times, are the result: they say
how far cnnbp's oracle path is from a framework's on the same machine. T threads (default 1) for both sides
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, torch.set_num_threads).

The cases (N, C, H x W -> F, kernel, stride, padding, dilation, groups) are realistic layers: ResNet-like shapes
B and E, a small first layer A, a 5x5 layer C, B with groups, depthwise, stride and dilation, B's forward and backward
in each readable form against PyTorch's forward or backward alone, two pools after a 112x112 stem and a classifier.
"""
import json
import os
import statistics
import subprocess
import sys
import time

CASES = [  # name, op, form, params
    ("A", "conv2d", "default", dict(n=2, c=3, h=32, w=32, f=8, k=3, stride=1, pad=0, dil=1, groups=1)),
    ("B", "conv2d", "default", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=1)),
    ("C", "conv2d", "default", dict(n=16, c=32, h=16, w=16, f=32, k=5, stride=1, pad=2, dil=1, groups=1)),
    ("E", "conv2d", "default", dict(n=4, c=128, h=28, w=28, f=128, k=3, stride=2, pad=1, dil=1, groups=1)),
    ("B groups 4", "conv2d", "default", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=4)),
    ("B depthwise", "conv2d", "default", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=64)),
    ("B stride 2", "conv2d", "default", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=2, pad=1, dil=1, groups=1)),
    ("B dilation 2", "conv2d", "default", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=2, dil=2, groups=1)),
    # the readable forms, like for like: the direct forward against PyTorch's forward, each backward against its backward
    ("B direct forward", "conv2d", "direct", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=1)),
    ("B scatter backward", "conv2d", "scatter", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=1)),
    ("B gather backward", "conv2d", "gather", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=1)),
    ("B closed backward", "conv2d", "closed", dict(n=8, c=64, h=56, w=56, f=64, k=3, stride=1, pad=1, dil=1, groups=1)),
    ("max pool", "maxpool2d", None, dict(n=8, c=64, h=112, w=112, k=3, stride=2, pad=1)),
    ("average pool", "avgpool2d", None, dict(n=8, c=64, h=112, w=112, k=3, stride=2, pad=1)),
    ("linear", "linear", None, dict(n=64, d=4096, m=1000)),
]
DGEMM_SIZE = 1024


def part(form):
    """What a form times: the default path forward + backward, the direct form its forward, the others a backward."""
    return "both" if form == "default" else "forward" if form == "direct" else "backward"


def conv_flops(p, form="default"):
    """Multiply-adds x 2 of forward + backward (out, dx, dw: three products of the same size), or of the part timed."""
    oh = (p["h"] + 2 * p["pad"] - p["dil"] * (p["k"] - 1) - 1) // p["stride"] + 1
    ow = (p["w"] + 2 * p["pad"] - p["dil"] * (p["k"] - 1) - 1) // p["stride"] + 1
    products = {"both": 3, "forward": 1, "backward": 2}[part(form)]
    return products * 2 * p["n"] * p["f"] * (p["c"] // p["groups"]) * p["k"] ** 2 * oh * ow


def cnnbp_command(build, op, form, p, reps):
    exe = os.path.join(build, "tests", "bench_layers")
    if op == "conv2d":
        args = [form] + [p[k] for k in ("n", "c", "h", "w", "f", "k", "stride", "pad", "dil", "groups")]
    elif op in ("maxpool2d", "avgpool2d"):
        args = [p[k] for k in ("n", "c", "h", "w", "k", "stride", "pad")]
    else:
        args = [p["n"], p["d"], p["m"]]
    return [exe, op] + [str(a) for a in args] + [str(reps)]


def torch_side(op, p, reps, timed):
    import resource
    import torch
    import torch.nn.functional as F
    torch.manual_seed(0)
    d = torch.float64
    if op == "conv2d":
        x = torch.randn(p["n"], p["c"], p["h"], p["w"], dtype=d, requires_grad=True)
        w = torch.randn(p["f"], p["c"] // p["groups"], p["k"], p["k"], dtype=d, requires_grad=True)
        b = torch.randn(p["f"], dtype=d, requires_grad=True)
        run = lambda: F.conv2d(x, w, b, p["stride"], p["pad"], p["dil"], p["groups"])
        inputs = (x, w, b)
    elif op == "maxpool2d":
        x = torch.randn(p["n"], p["c"], p["h"], p["w"], dtype=d, requires_grad=True)
        run = lambda: F.max_pool2d(x, p["k"], p["stride"], p["pad"])
        inputs = (x,)
    elif op == "avgpool2d":
        x = torch.randn(p["n"], p["c"], p["h"], p["w"], dtype=d, requires_grad=True)
        run = lambda: F.avg_pool2d(x, p["k"], p["stride"], p["pad"])
        inputs = (x,)
    else:
        x = torch.randn(p["n"], p["d"], dtype=d, requires_grad=True)
        w = torch.randn(p["m"], p["d"], dtype=d, requires_grad=True)
        b = torch.randn(p["m"], dtype=d, requires_grad=True)
        run = lambda: F.linear(x, w, b)
        inputs = (x, w, b)
    dout = torch.randn_like(run())

    graph = run() if timed == "backward" else None

    def once():
        if timed == "forward":
            with torch.no_grad():
                run()
        elif timed == "backward":
            torch.autograd.grad(graph, inputs, dout, retain_graph=True)
        else:
            torch.autograd.grad(run(), inputs, dout)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    once()
    one = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, wall = [], []
    for _ in range(reps):
        start, wall_start = time.process_time(), time.perf_counter()
        once()
        seconds.append(time.process_time() - start)
        wall.append(time.perf_counter() - wall_start)
    print(json.dumps({"seconds": seconds, "wall_seconds": wall, "inputs_rss_kb": before, "one_call_rss_kb": one,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def run_json(command, env):
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv):
    if argv[:1] == ["--torch-side"]:
        import torch
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        torch_side(argv[1], json.loads(argv[2]), int(argv[3]), argv[4])
        return 0
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    build, rest = argv[0], argv[1:]
    opts = {"--rounds": "5", "--reps": "3", "--threads": "1", "--only": ""}
    while rest:
        if rest[0] not in opts or len(rest) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        opts[rest[0]], rest = rest[1], rest[2:]
    rounds, reps, threads = int(opts["--rounds"]), int(opts["--reps"]), opts["--threads"]
    # one thread: process CPU time (steady under load); several: wall-clock time, which threads shorten
    clock = "seconds" if threads == "1" else "wall_seconds"
    only = set(filter(None, opts["--only"].split(",")))
    cases = [c for c in CASES if not only or c[0] in only]
    env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    exe = os.path.join(build, "tests", "bench_layers")
    dgemm = run_json([exe, "dgemm", str(DGEMM_SIZE), "5"], env)
    dgemm_rate = 2 * DGEMM_SIZE ** 3 / statistics.median(dgemm[clock])  # on as many threads, by the same clock
    times = {c[0]: {"cnnbp": [], "torch": [], "ratio": [], "rss": {}, "one": [], "gain": []} for c in cases}
    env_one = dict(env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for r in range(rounds):
        for i, (name, op, form, p) in enumerate(cases):
            sides = ["cnnbp", "torch"] if (r + i) % 2 == 0 else ["torch", "cnnbp"]
            medians = {}
            for side in sides:
                command = (cnnbp_command(build, op, form, p, reps) if side == "cnnbp" else
                           [sys.executable, os.path.abspath(__file__), "--torch-side", op, json.dumps(p), str(reps),
                            part(form)])
                result = run_json(command, env)
                medians[side] = statistics.median(result[clock])
                times[name][side].append(medians[side])
                # the memory one forward + backward adds to the program and its inputs (PyTorch's import alone is
                # 200 MB); later calls can add what each allocator keeps for reuse, which is not the computation's
                extra = result["one_call_rss_kb"] - result["inputs_rss_kb"]
                times[name]["rss"][side] = max(times[name]["rss"].get(side, 0), extra)
            times[name]["ratio"].append(medians["cnnbp"] / medians["torch"])
            if threads != "1":  # cnnbp on one thread too, for the speed-up its threads give (wall-clock)
                one = statistics.median(run_json(cnnbp_command(build, op, form, p, reps), env_one)["wall_seconds"])
                times[name]["gain"].append(one / medians["cnnbp"])
        print(f"round {r + 1} of {rounds} done", file=sys.stderr)
    print(f"forward + backward unless named, float64, {threads} thread(s), "
          f"{'process CPU' if clock == 'seconds' else 'wall-clock'} time, "
          f"median of {rounds} rotating rounds x {reps} repetitions; "
          f"dgemm {DGEMM_SIZE}^3 reaches {dgemm_rate / 1e9:.1f} GFLOP/s here")
    gain_head, gain_rule = (" cnnbp's speed-up over its one thread |", "---|") if threads != "1" else ("", "")
    print("| case | cnnbp / PyTorch | cnnbp | PyTorch | cnnbp % of dgemm rate | PyTorch % | "
          "MB added by one call, cnnbp / PyTorch |" + gain_head)
    print("|---|---|---|---|---|---|---|" + gain_rule)
    for name, op, form, p in cases:
        t = times[name]
        c, tt = statistics.median(t["cnnbp"]), statistics.median(t["torch"])
        flops = conv_flops(p, form) if op == "conv2d" else 0
        share = f"{100 * flops / c / dgemm_rate:.0f}% | {100 * flops / tt / dgemm_rate:.0f}%" if flops else " | "
        gain = f" {statistics.median(t['gain']):.2f}x |" if t["gain"] else ""
        print(f"| {name} | {statistics.median(t['ratio']):.2f} | {c * 1e3:.1f} ms | {tt * 1e3:.1f} ms | {share} | "
              f"{t['rss']['cnnbp'] / 1024:.0f} / {t['rss']['torch'] / 1024:.0f} |" + gain)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
