#!/usr/bin/env bash
# Instructions executed per training step of the lesson networks, counted by valgrind's
# callgrind: unlike a timing, the count does not move with the host's load, so a change to
# the per-step overhead can be judged on a noisy machine. Each workload runs twice, for N and
# 2N epochs; the difference divided by the extra steps leaves out start-up and data set-up.
#
#   bash Benchmarks/instructions-per-step.sh [BINARY]   # default .build/release/NNBenchmark
#
# Where a step's instructions go: `valgrind --tool=callgrind --callgrind-out-file=F BINARY sin
# --threads 1 --epochs 40`, then `callgrind_annotate --inclusive=yes F` (divide by 18,000 steps).
#
# Needs valgrind (Debian: apt-get install valgrind). The binary is copied without its DWARF
# debug information (strip -g), which this valgrind cannot read; the symbols stay.
set -euo pipefail
binary=$(realpath -m "${1:-$(dirname "$0")/../.build/release/NNBenchmark}")
command -v valgrind >/dev/null || { echo "instructions-per-step: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -x "$binary" ] || { echo "instructions-per-step: $binary is missing (swift build -c release --product NNBenchmark)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip -g "$binary" -o "$work/NNBenchmark"
# Swift seeds its hashing per process; fixed, a run's instructions are the same every time.
export SWIFT_DETERMINISTIC_HASHING=1

count() {   # workload epochs -> instructions of the whole run
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$work/NNBenchmark" "$1" --threads 1 --epochs "$2" 2>&1 >/dev/null |
        sed -n 's/.*I *refs: *//p' | tr -d ','
}

# workload, epochs of the shorter run, steps per epoch
for spec in "sin 20 450" "mazur 20000 1"; do
    set -- $spec
    short=$(count "$1" "$2")
    long=$(count "$1" $(($2 * 2)))
    echo "$1: $(((long - short) / ($2 * $3))) instructions per step"
done
