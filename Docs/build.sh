#!/usr/bin/env bash
# Builds the documentation site of every library module with the toolchain alone (no plugin):
# the modules' symbol graphs, one DocC archive per module (its links to the modules built
# before it resolved), then one merged static site. Fails if DocC prints any warning.
#
#   bash Docs/build.sh [OUT]      the site goes to OUT (default .build/docs/site)
#   python3 -m http.server --bind 127.0.0.1 --directory OUT 8000
#   then open http://127.0.0.1:8000/documentation/
#
# --skip-build uses the symbol graphs of the last run (for editing a catalog).
set -euo pipefail
cd "$(dirname "$0")/.."

skip_build=0
if [ "${1:-}" = "--skip-build" ]; then skip_build=1; shift; fi
out=${1:-.build/docs/site}
work=.build/docs
# In dependency order: each archive resolves links into the ones before it.
modules=(NNCore NNLosses NNOptimizers NNData NNIO NNTraining NN NNInterop NNONNX NNCommandLine)

graphs=$work/symbol-graphs
if [ "$skip_build" = 0 ]; then
    echo "== symbol graphs (swift package dump-symbol-graph: a debug build, then the public symbols)"
    log=$(swift package dump-symbol-graph --skip-synthesized-members --minimum-access-level public 2>&1) || {
        echo "$log" >&2; exit 1
    }
    written=$(echo "$log" | sed -n 's/^Files written to //p' | tail -1)
    [ -d "$written" ] || { echo "$log" >&2; echo "error: no symbol graphs were written" >&2; exit 1; }
    rm -rf "$graphs" && mkdir -p "$graphs"
    cp "$written"/*.symbols.json "$graphs"/
fi
[ -d "$graphs" ] || { echo "error: no symbol graphs in $graphs; run without --skip-build" >&2; exit 1; }

rm -rf "$work/archives" "$work/warnings.log"
mkdir -p "$work/archives"
dependencies=()
for module in "${modules[@]}"; do
    module_graphs=$work/module-graphs/$module
    rm -rf "$module_graphs" && mkdir -p "$module_graphs"
    # The module's own graph and its extensions of other modules' types (Module@Other).
    cp "$graphs/$module.symbols.json" "$module_graphs"/
    cp "$graphs/$module"@*.symbols.json "$module_graphs"/ 2>/dev/null || true
    echo "== docc convert $module"
    docc convert "Sources/$module/$module.docc" \
        --additional-symbol-graph-dir "$module_graphs" \
        --output-path "$work/archives/$module.doccarchive" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.swift-nn.$module" \
        --enable-experimental-external-link-support --transform-for-static-hosting \
        "${dependencies[@]}" 2>&1 | tee -a "$work/warnings.log"
    dependencies+=(--dependency "$work/archives/$module.doccarchive")
done

echo "== docc merge → $out"
rm -rf "$out" "$out.tmp" && mkdir -p "$(dirname "$out")"
archives=()
for module in "${modules[@]}"; do archives+=("$work/archives/$module.doccarchive"); done
docc merge "${archives[@]}" --output-path "$out.tmp" \
    --synthesized-landing-page-name swift-nn --synthesized-landing-page-kind Package \
    --synthesized-landing-page-topics-style list 2>&1 | tee -a "$work/warnings.log"
mv "$out.tmp" "$out"

count=$(grep -c "warning:" "$work/warnings.log" || true)
if [ "$count" -gt 0 ]; then
    echo "error: DocC printed $count warnings (above; all in $work/warnings.log)" >&2
    exit 1
fi
echo "documentation site: $out (0 DocC warnings); serve it with"
echo "  python3 -m http.server --bind 127.0.0.1 --directory $out 8000   # then open http://127.0.0.1:8000/documentation/"
