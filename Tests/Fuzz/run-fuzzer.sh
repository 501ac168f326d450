#!/usr/bin/env bash
# Fuzzes one of swift-nn's file parsers with libFuzzer (bundled with the Swift toolchain).
#
#   bash Tests/Fuzz/run-fuzzer.sh csv|idx|bmp|gzip|safetensors|checkpoint|architecture [SECONDS]   (default 60)
#   bash Tests/Fuzz/run-fuzzer.sh all [SECONDS]     every format in turn, SECONDS each
#
# Builds the harness package Tests/Fuzz (which depends on swift-nn by path, so the real target
# graph with its C kernels) with `--sanitize fuzzer --sanitize address`, starts from the seed
# corpus in Tests/Fuzz/corpus/<format> (a working copy in .build/fuzz/corpus-<format> grows),
# prints libFuzzer's final statistics and exits non-zero if it finds a crash, a leak or a
# timeout (the input is saved as .build/fuzz/crash-*, leak-* or timeout-*).
set -euo pipefail
formats=(csv idx bmp gzip safetensors checkpoint architecture pytorch)
format="${1:?usage: run-fuzzer.sh ${formats[*]// /|}|all [seconds]}"
seconds="${2:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "$format" = all ]; then
    for each in "${formats[@]}"; do bash "$0" "$each" "$seconds"; done
    exit 0
fi
[[ " ${formats[*]} " == *" $format "* ]] || { echo "unknown format '$format' (${formats[*]})" >&2; exit 2; }

# `--sanitize` instruments the harness package's own target and links libFuzzer; the -X flags
# give swift-nn's targets (Swift and C) the same coverage counters and AddressSanitizer,
# without which libFuzzer sees only the harness's branches and mutates blind.
swift build -c release --package-path "$root/Tests/Fuzz" --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address 2>&1 | grep -E "error|warning: [^C]|Build complete" | tail -3
binary="$root/Tests/Fuzz/.build/release/nn-fuzz"
out="$root/.build/fuzz"
mkdir -p "$out/corpus-$format"
cp -n "$root/Tests/Fuzz/corpus/$format"/* "$out/corpus-$format/" 2>/dev/null || true
cd "$out"
echo "== fuzzing $format for $seconds s"
set +e
NN_FUZZ_TARGET="$format" "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "corpus-$format" > "fuzz-$format.log" 2>&1
status=$?
set -e
runs=$(grep -E "^stat::number_of_executed_units" "fuzz-$format.log" | tail -1 | awk '{print $2}')
rss=$(grep -E "^stat::peak_rss_mb" "fuzz-$format.log" | tail -1 | awk '{print $2}')
added=$(grep -E "^stat::new_units_added" "fuzz-$format.log" | tail -1 | awk '{print $2}')
coverage=$(grep -oE "cov: [0-9]+" "fuzz-$format.log" | tail -1 | awk '{print $2}')
echo "$format: ${runs:-0} inputs in $seconds s, ${coverage:-?} edges covered, ${added:-0} new inputs kept, peak ${rss:-?} MB, exit status $status"
if [ "$status" -ne 0 ]; then
    grep -E "ERROR|Fatal|deadly|crash|timeout|leak" "fuzz-$format.log" | head -20 >&2
    echo "error: the $format fuzzer failed (log: $out/fuzz-$format.log)" >&2
    exit 1
fi
