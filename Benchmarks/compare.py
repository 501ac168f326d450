#!/usr/bin/env python3
"""Runs the benchmark workloads in swift-nn and its peers (PyTorch eager, NumPy, JAX)
side by side — interleaved, one process per run, each pinned to the same cores with the
same thread count — and prints one Markdown table of medians and ratios.

    python3 Benchmarks/compare.py [--install] [--rounds 3] [--threads 1,2]
                                  [--workloads sin,mazur,mlp,small-mlp,matmul,inference,cnn,csv,lstm]
                                  [--growth] [--json FILE]

--install   creates the throw-away virtual environment .build/bench-venv with NumPy, JAX and
            PyTorch's CPU wheel (pip, from PyPI); without it the peers found in that venv, or
            else in the running Python, are used, and missing ones are shown as —.
--growth    also measures how the time per epoch of the Fashion-MNIST MLP grows with the
            batch size and the hidden width (ours beside PyTorch and JAX), as a table and
            Benchmarks/growth.svg.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "bench-venv")
PEERS = os.path.join(ROOT, "Benchmarks", "peers", "peers.py")
SWIFT_BINARY = os.path.join(ROOT, ".build", "release", "NNBenchmark")
# PyPI's wheel: PyPI has no CPU-only build (that is on download.pytorch.org, which this project
# does not reach), so it brings CUDA libraries that a CPU run loads but does not use.
TORCH = "torch==2.15.0"

# Per workload: the figure compared, whether higher is better, and the run length per
# framework (PyTorch eager takes ~100× longer per tiny step, so it runs fewer epochs; the
# figure is per step, so lengths do not affect it).
WORKLOADS = {
    "sin": ("us_per_step", False, {"swift-nn": ["--epochs", "1000"], "numpy": ["--epochs", "100"], "torch": ["--epochs", "10"]}),
    "mazur": ("us_per_update", False, {}),
    "mlp": ("seconds_per_epoch", False, {}),
    "small-mlp": ("seconds_per_epoch", False, {}),
    "matmul": ("gflops", True, {}),
    "inference": ("us_per_call", False, {}),
    "cnn": ("seconds_per_epoch", False, {}),
    "csv": ("seconds", False, {}),
    # Five epochs, as the sequence issue compares the validation loss after them.
    "lstm": ("seconds_per_epoch", False, {"swift-nn": ["--epochs", "5"], "torch": ["--epochs", "5"]}),
}
WORKLOADS["peak"] = ("gflops", True, {})   # swift-nn only: the FMA peak the products are reported against
FRAMEWORKS = ["swift-nn", "torch", "numpy", "jax", "pandas"]
# Floating-point operations per unit of each product-heavy figure (multiply and add counted
# as two): an epoch of 60,000 samples (forward 2·P, backward 2·P for the weights and 2·P for
# the inputs of every layer but the first), or one inference call of a batch.
MLP_WEIGHTS = 784 * 256 + 256 * 128 + 128 * 10
SMALL_WEIGHTS = 784 * 64 + 64 * 10
CNN_MACS = 28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 3136 * 128 + 128 * 10   # per sample, forward
CNN_INPUT_MACS = 14 * 14 * 9 * 32 * 64 + 3136 * 128 + 128 * 10                  # dX of all but the first
FLOPS = {
    "mlp": 60_000 * (4 * MLP_WEIGHTS + 2 * (MLP_WEIGHTS - 784 * 256)),
    "small-mlp": 60_000 * (4 * SMALL_WEIGHTS + 2 * (SMALL_WEIGHTS - 784 * 64)),
    "cnn": 60_000 * (4 * CNN_MACS + 2 * CNN_INPUT_MACS),
}


def percent_of_peak(workload, name, value, peak):
    """The figure's achieved GFLOP/s as a percentage of the FMA peak, for product-heavy workloads."""
    if value is None or not peak:
        return None
    if workload == "matmul":
        gflops = value
    elif workload in FLOPS:
        gflops = FLOPS[workload] / value / 1e9
    elif workload == "inference":
        batch = int(name.split()[-1])
        gflops = 2 * MLP_WEIGHTS * batch / (value * 1e-6) / 1e9
    else:
        return None
    return 100 * gflops / peak
CSV_FILE = os.path.join(ROOT, ".build", "bench-data", "numeric-500000x31.csv")
# Every framework reads the same file (per framework, not "all": "all" extras tell growth runs apart).
WORKLOADS["csv"] = ("seconds", False, {framework: ["--data", CSV_FILE] for framework in FRAMEWORKS})


def write_numeric_csv(path=CSV_FILE, rows=500_000, features=30, seed=7):
    """Workload (g)'s file: a header, then a label 0–9 and 30 numbers of six decimals per row
    (143 MB), the same bytes for a given seed; written once."""
    if os.path.exists(path):
        return
    import random
    generator = random.Random(seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as handle:
        handle.write(",".join(["label"] + [f"x{i}" for i in range(features)]) + "\n")
        for _ in range(rows):
            handle.write(",".join([str(generator.randrange(10))] + ["%.6f" % generator.uniform(-10, 10) for _ in range(features)]) + "\n")
    os.replace(path + ".tmp", path)


def install():
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    pip = [os.path.join(VENV, "bin", "pip"), "install", "--quiet"]
    # safetensors too: the test of `nn import --from pytorch` looks for torch in this venv.
    subprocess.run(pip + ["numpy", "jax", "pandas", "safetensors", TORCH], check=True)


def python():
    candidate = os.path.join(VENV, "bin", "python")
    return candidate if os.path.exists(candidate) else sys.executable


def available_peers():
    found = []
    for name, module in (("torch", "torch"), ("numpy", "numpy"), ("jax", "jax"), ("pandas", "pandas")):
        if subprocess.run([python(), "-c", f"import {module}"], capture_output=True).returncode == 0:
            found.append(name)
        else:
            print(f"# {name}: not installed in {python()} (run with --install); shown as —", file=sys.stderr)
    return found


def pinned(threads):
    if shutil.which("taskset") and threads <= (os.cpu_count() or 1):
        return ["taskset", "-c", ",".join(str(i) for i in range(threads))]
    return []


def run(framework, workload, threads, extra):
    env = dict(os.environ, NN_THREADS=str(threads), OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads),
               XLA_FLAGS=f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} intra_op_parallelism_threads={threads}")
    if framework == "swift-nn":
        command = [SWIFT_BINARY, workload, "--threads", str(threads)]
    else:
        command = [python(), PEERS, framework, workload, "--threads", str(threads)]
    completed = subprocess.run(pinned(threads) + command + extra, capture_output=True, text=True, env=env)
    if completed.returncode == 3:
        return None
    if completed.returncode != 0:
        print(f"# {framework} {workload}: failed: {completed.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def variant(result):
    """What distinguishes results of one workload: the matrix size or the batch."""
    if result["workload"] == "matmul":
        return f"{result['size']}³"
    if result["workload"] == "inference":
        return f"batch {result['batch']}"
    return ""


def collect(plan, rounds, frameworks, results):
    for round_index in range(rounds):
        for workload, threads, extra_by_framework in plan:
            # Rotate the order each round so no framework always runs first.
            order = frameworks[round_index % len(frameworks):] + frameworks[:round_index % len(frameworks)]
            if workload == "peak":   # a property of the machine, measured by our binary only
                order = ["swift-nn"]
            for framework in order:
                extra = extra_by_framework.get(framework, []) + extra_by_framework.get("all", [])
                for result in run(framework, workload, threads, extra) or []:
                    key = (workload, variant(result), threads, framework, tuple(extra_by_framework.get("all", [])))
                    results.setdefault(key, []).append(result)
                    print(f"# round {round_index + 1}: {framework} {workload} {variant(result)} {threads}T: "
                          f"{result[WORKLOADS[workload][0]]:.4g}", file=sys.stderr)


def median(results, key, field):
    values = [r[field] for r in results.get(key, []) if r.get(field) is not None]
    return statistics.median(values) if values else None


def table(results, workloads, threads_list, frameworks):
    lines = ["| workload | figure | threads | swift-nn | PyTorch | NumPy | JAX | pandas | ours vs best peer |",
             "|---|---|---|---|---|---|---|---|---|"]
    for workload in workloads:
        field, higher_is_better, _ = WORKLOADS[workload]
        variants = sorted({k[1] for k in results if k[0] == workload}, key=lambda v: (len(v), v), reverse=workload == "matmul")
        for name in variants:
            for threads in threads_list:
                values = {f: median(results, (workload, name, threads, f, ()), field) for f in FRAMEWORKS}
                ours = values["swift-nn"]
                peers = [v for f, v in values.items() if f != "swift-nn" and v is not None]
                ratio = "—"
                if ours and peers:
                    best = max(peers) if higher_is_better else min(peers)
                    speedup = ours / best if higher_is_better else best / ours
                    ratio = f"{speedup:.2f}× faster" if speedup >= 1 else f"{1 / speedup:.2f}× slower"
                cells = [f"{v:.4g}" if v is not None else "—" for v in (values[f] for f in FRAMEWORKS)]
                label = f"{workload} {name}".strip()
                lines.append(f"| {label} | {field} | {threads} | " + " | ".join(cells) + f" | {ratio} |")
                if workload in ("mlp", "small-mlp", "cnn"):
                    accuracy = [median(results, (workload, name, threads, f, ()), "test_accuracy") for f in FRAMEWORKS]
                    lines.append(f"| {label} | test accuracy after 1 epoch | {threads} | " +
                                 " | ".join(f"{a:.4f}" if a is not None else "—" for a in accuracy) + " | |")
                peak = median(results, ("peak", "", threads, "swift-nn", ()), "gflops")
                if workload in ("mlp", "small-mlp", "cnn", "matmul", "inference") and peak:
                    shares = [percent_of_peak(workload, name, values[f], peak) for f in FRAMEWORKS]
                    lines.append(f"| {label} | % of the FMA peak ({peak:.0f} GFLOP/s) | {threads} | " +
                                 " | ".join(f"{p:.0f}%" if p is not None else "—" for p in shares) + " | |")
                if workload == "lstm":
                    losses = [median(results, (workload, name, threads, f, ()), "validation_loss") for f in FRAMEWORKS]
                    lines.append(f"| {label} | validation loss after 5 epochs, nats per character | {threads} | " +
                                 " | ".join(f"{v:.4f}" if v is not None else "—" for v in losses) + " | |")
                if workload in ("mlp", "csv"):
                    memory = [median(results, (workload, name, threads, f, ()), "peak_memory_mb") for f in FRAMEWORKS]
                    lines.append(f"| {label} | peak memory, MB (whole process) | {threads} | " +
                                 " | ".join(f"{m:.0f}" if m is not None else "—" for m in memory) + " | |")
    return "\n".join(lines)


GROWTH_PEERS = (("swift-nn", "swift-nn"), ("torch", "PyTorch"), ("jax", "JAX"))


def growth(rounds, threads, frameworks, results):
    """Time per epoch of the MLP against batch size and hidden width, ours beside PyTorch and JAX."""
    peers = [f for f, _ in GROWTH_PEERS if f in frameworks]
    batches = [1, 4, 16, 64, 256, 1024]
    widths = [64, 256, 1024, 2048]
    # Small batches take one step per sample or few: they train on a slice of the epoch and
    # report the time scaled to 60,000 samples (the figure is seconds per epoch either way).
    def samples(batch):
        return "3000" if batch == 1 else "6000" if batch < 64 else "12000"
    plan = [("mlp", threads, {"all": ["--batch", str(b), "--samples", samples(b)]}) for b in batches]
    plan += [("mlp", threads, {"all": ["--hidden", str(h), "--samples", "12000"]}) for h in widths]
    collect(plan, rounds, peers, results)
    rows = []
    for kind, values in (("batch", batches), ("hidden", widths)):
        for value in values:
            extra = ("--batch", str(value), "--samples", samples(value)) if kind == "batch" else ("--hidden", str(value), "--samples", "12000")
            times = {f: median(results, ("mlp", "", threads, f, extra), "seconds_per_epoch") for f, _ in GROWTH_PEERS}
            rows.append((kind, value, times))
    names = [name for _, name in GROWTH_PEERS]
    lines = ["| varied | value | " + " | ".join(f"{n} s/epoch" for n in names) + " | best peer / swift-nn |",
             "|---|---|" + "---|" * len(names) + "---|"]
    for kind, value, times in rows:
        cells = [f"{times[f]:.3g}" if times[f] else "—" for f, _ in GROWTH_PEERS]
        peer_times = [times[f] for f, _ in GROWTH_PEERS[1:] if times[f]]
        ratio = f"{min(peer_times) / times['swift-nn']:.2f}" if times["swift-nn"] and peer_times else "—"
        lines.append(f"| {'batch size' if kind == 'batch' else 'hidden width'} | {value} | " + " | ".join(cells) + f" | {ratio} |")
    write_growth_svg(rows, os.path.join(ROOT, "Benchmarks", "growth.svg"), threads)
    return "\n".join(lines)


def write_growth_svg(rows, path, threads):
    """Two log-log panels: seconds per epoch against batch size and against hidden width."""
    import math
    width, height, margin = 900, 380, 60
    panel = (width - 3 * margin) / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">Fashion-MNIST MLP: seconds per epoch ({threads} threads, log scales)</text>']
    colours = {"swift-nn": "#d62728", "torch": "#1f77b4", "jax": "#2ca02c"}
    for index, (kind, label) in enumerate((("batch", "batch size"), ("hidden", "hidden width (784-H-128-10, batch 64)"))):
        points = [(v, times) for k, v, times in rows if k == kind and times["swift-nn"]]
        series = [(f, name) for f, name in GROWTH_PEERS if all(times[f] for _, times in points) and points]
        if not points or not series:
            continue
        left, top, bottom = margin + index * (panel + margin), 40, height - margin
        xs = [math.log10(v) for v, _ in points]
        ys = [math.log10(times[f]) for _, times in points for f, _ in series]
        x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
        y0, y1 = math.floor(min(ys) * 2) / 2, math.ceil(max(ys) * 2) / 2
        if y1 == y0:
            y1 = y0 + 0.5
        sx = lambda x: left + (math.log10(x) - x0) / (x1 - x0) * panel
        sy = lambda y: bottom - (math.log10(y) - y0) / (y1 - y0) * (bottom - top)
        parts.append(f'<rect x="{left}" y="{top}" width="{panel}" height="{bottom - top}" fill="none" stroke="#999"/>')
        parts.append(f'<text x="{left + panel / 2}" y="{height - 20}" text-anchor="middle">{label}</text>')
        for v, _ in points:
            parts.append(f'<text x="{sx(v):.1f}" y="{bottom + 15}" text-anchor="middle">{v}</text>')
        tick = y0
        while tick <= y1 + 1e-9:
            parts.append(f'<line x1="{left}" x2="{left + panel}" y1="{sy(10 ** tick):.1f}" y2="{sy(10 ** tick):.1f}" stroke="#eee"/>')
            parts.append(f'<text x="{left - 5}" y="{sy(10 ** tick) + 4:.1f}" text-anchor="end">{10 ** tick:.3g}</text>')
            tick += 0.5
        for framework, _ in series:
            path_points = " ".join(f"{sx(v):.1f},{sy(times[framework]):.1f}" for v, times in points)
            parts.append(f'<polyline points="{path_points}" fill="none" stroke="{colours[framework]}" stroke-width="2"/>')
            for v, times in points:
                parts.append(f'<circle cx="{sx(v):.1f}" cy="{sy(times[framework]):.1f}" r="3" fill="{colours[framework]}"/>')
        for row, (framework, name) in enumerate(series):
            parts.append(f'<rect x="{left + 10}" y="{top + 8 + row * 18}" width="110" height="16" fill="white" opacity="0.85"/>')
            parts.append(f'<line x1="{left + 14}" x2="{left + 34}" y1="{top + 16 + row * 18}" y2="{top + 16 + row * 18}" stroke="{colours[framework]}" stroke-width="2"/>')
            parts.append(f'<text x="{left + 40}" y="{top + 20 + row * 18}">{name}</text>')
    parts.append("</svg>")
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write("\n".join(parts) + "\n")
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--growth", action="store_true")
    parser.add_argument("--growth-only", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.install:
        install()
    subprocess.run(["swift", "build", "-c", "release", "--product", "NNBenchmark"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    frameworks = ["swift-nn"] + available_peers()
    threads_list = [int(t) for t in args.threads.split(",")]
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            sys.exit(f"compare.py: unknown workload '{w}' (expected {', '.join(WORKLOADS)})")
    results = {}
    lscpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo; nproc"], capture_output=True, text=True).stdout.split("\n")
    print(f"Machine: {lscpu[0].split(':')[-1].strip()}, {lscpu[1]} processors; peers from {python()}; "
          f"{args.rounds} interleaved rounds, medians.\n")
    if "csv" in workloads:
        write_numeric_csv()
    if "lstm" in workloads:   # the words of wamerican, split once for both frameworks
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "words.py"), "--output", os.path.join(ROOT, ".build", "words")],
                       check=True)
    if not args.growth_only:
        if set(workloads) & {"mlp", "small-mlp", "cnn", "matmul", "inference"} and "peak" not in workloads:
            workloads.append("peak")
        plan = [(w, t, WORKLOADS[w][2]) for w in workloads for t in threads_list]
        collect(plan, args.rounds, frameworks, results)
        print(table(results, workloads, threads_list, frameworks))
    if args.growth or args.growth_only:
        print()
        print(growth(args.rounds, max(threads_list), frameworks, results))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump([r for values in results.values() for r in values], handle, indent=1)


if __name__ == "__main__":
    main()
