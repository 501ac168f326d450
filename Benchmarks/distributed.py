#!/usr/bin/env python3
"""The Fashion-MNIST MLP epoch (784-256-128-10, ReLU, Adam, global batch 64) as one process
with two kernel threads (`nn train`, pinned to cores 0 and 1) against two processes with one
thread each (`mpirun -np 2 nn-distributed train`, one core each), interleaved, and the share
of process 0's training time spent in MPI's collective operations.

    python3 Benchmarks/distributed.py [--rounds 3] [--epochs 1] [--json FILE]

Needs Open MPI (Debian: libopenmpi-dev openmpi-bin), Fashion-MNIST
(dataset-fashion-mnist) and, in Distributed/, `swift build -c release` and
`swift build -c release --product nn` (the `nn` built with the same flags, from the same
checkout). The time compared is the trainer's own epoch time ("trained N epochs in T s"),
without loading the data.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "Distributed", ".build", "release")
DATA = "/usr/share/datasets/fashion-mnist"
TRAIN = ["--format", "fashion-mnist", "--data", DATA, "--layers", "784,256,128,10", "--activation", "relu",
         "--optimizer", "adam", "--batch-size", "64", "--seed", "7"]


def epoch_seconds(text, epochs):
    found = re.search(r"trained (\d+) epochs in ([0-9.e+-]+) s", text)
    if not found:
        sys.exit("no 'trained … in … s' line in:\n" + text)
    return float(found.group(2)) / epochs


def one_process(epochs):
    environment = dict(os.environ, NN_THREADS="2")
    ran = subprocess.run(["taskset", "-c", "0,1", os.path.join(BUILD, "nn"), "train", *TRAIN, "--epochs", str(epochs)],
                         capture_output=True, text=True, env=environment, check=True)
    return {"seconds_per_epoch": epoch_seconds(ran.stdout, epochs)}


def two_processes(epochs):
    root = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    command = ["mpirun", *root, "--oversubscribe", "--bind-to", "core", "-x", "NN_THREADS=1", "-np", "2",
               os.path.join(BUILD, "nn-distributed"), "train", *TRAIN, "--epochs", str(epochs)]
    ran = subprocess.run(command, capture_output=True, text=True, check=True)
    shared = re.search(r"process 0 spent ([0-9.]+) s of ([0-9.]+) s \(([0-9.]+)%\) in (\d+) collective operations, (\d+) bytes",
                       ran.stderr)
    if not shared:
        sys.exit("no communication line from nn-distributed:\n" + ran.stderr)
    seconds = epoch_seconds(ran.stdout, epochs)
    communication = float(shared.group(1))
    return {"seconds_per_epoch": seconds, "collective_seconds_per_epoch": communication / epochs,
            "collective_share_of_training": communication / (seconds * epochs),
            "collective_operations": int(shared.group(4)), "bytes_reduced_per_process": int(shared.group(5))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--json")
    options = parser.parse_args()
    for needed in ["nn", "nn-distributed"]:
        if not os.access(os.path.join(BUILD, needed), os.X_OK):
            sys.exit(f"{os.path.join(BUILD, needed)} is not built (in Distributed/: swift build -c release; swift build -c release --product nn)")
    runs = {"1 process × 2 threads": [], "2 processes × 1 thread": []}
    for round_number in range(options.rounds):   # interleaved: one of each per round
        runs["1 process × 2 threads"].append(one_process(options.epochs))
        runs["2 processes × 1 thread"].append(two_processes(options.epochs))
        print(f"round {round_number + 1}: {runs['1 process × 2 threads'][-1]['seconds_per_epoch']:.3f} s, "
              f"{runs['2 processes × 1 thread'][-1]['seconds_per_epoch']:.3f} s", file=sys.stderr)
    alone = statistics.median(r["seconds_per_epoch"] for r in runs["1 process × 2 threads"])
    shared = statistics.median(r["seconds_per_epoch"] for r in runs["2 processes × 1 thread"])
    share = statistics.median(r["collective_share_of_training"] for r in runs["2 processes × 1 thread"])
    collective = statistics.median(r["collective_seconds_per_epoch"] for r in runs["2 processes × 1 thread"])
    steps = 938 * options.epochs
    print("| run | s/epoch (median of %d) | in collectives | per step |" % options.rounds)
    print("|---|---|---|---|")
    print(f"| 1 process × 2 threads (`nn train`) | {alone:.3f} | — | {1000 * alone / 938:.2f} ms |")
    print(f"| 2 processes × 1 thread (`mpirun -np 2 nn-distributed train`) | {shared:.3f} | {collective:.3f} s ({100 * share:.1f}%) | "
          f"{1000 * shared / 938:.2f} ms, of which {1000 * collective / 938:.2f} ms in collectives |")
    print(f"ratio (1 process / 2 processes): {alone / shared:.2f}")
    if options.json:
        with open(options.json, "w") as file:
            json.dump({"rounds": runs, "median_seconds_per_epoch": {"one_process_two_threads": alone, "two_processes_one_thread": shared},
                       "median_collective_share": share, "steps_per_epoch": steps // options.epochs}, file, indent=1)


if __name__ == "__main__":
    main()
