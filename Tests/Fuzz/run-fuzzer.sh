#!/usr/bin/env bash
# Fuzzes one of swift-nn's file parsers with libFuzzer (bundled with the Swift toolchain).
#
#   bash Tests/Fuzz/run-fuzzer.sh csv|idx|bmp [SECONDS]      (default 60 seconds)
#
# Builds NNCore, NNData and the harness with -sanitize=fuzzer,address into .build/fuzz,
# starts from the small seed corpus in Tests/Fuzz/corpus/<format>, and exits non-zero if
# libFuzzer finds a crash (the input is saved as .build/fuzz/crash-*).
set -euo pipefail
format="${1:?usage: run-fuzzer.sh csv|idx|bmp [seconds]}"
seconds="${2:-60}"
case "$format" in csv|idx|bmp) ;; *) echo "unknown format '$format' (csv, idx or bmp)" >&2; exit 2 ;; esac

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build/fuzz"
mkdir -p "$out/modules" "$out/corpus-$format"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -wmo -I "$out/modules")

swiftc "${flags[@]}" -module-name NNCore -emit-module -emit-module-path "$out/modules/NNCore.swiftmodule" \
    -emit-object -o "$out/NNCore.o" $(find "$root/Sources/NNCore" -name '*.swift')
swiftc "${flags[@]}" -I "$root/Sources/CZlib" -module-name NNData -emit-module -emit-module-path "$out/modules/NNData.swiftmodule" \
    -emit-object -o "$out/NNData.o" $(find "$root/Sources/NNData" -name '*.swift')
upper=$(echo "$format" | tr a-z A-Z)
swiftc "${flags[@]}" -I "$root/Sources/CZlib" -D "FUZZ_$upper" -module-name FuzzTarget \
    "$root/Tests/Fuzz/FuzzTarget.swift" "$out/NNCore.o" "$out/NNData.o" -lz -o "$out/fuzz-$format"

cp -n "$root/Tests/Fuzz/corpus/$format"/* "$out/corpus-$format/" 2>/dev/null || true
cd "$out"
"./fuzz-$format" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "corpus-$format"
