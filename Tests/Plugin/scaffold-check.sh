#!/usr/bin/env bash
# Checks `swift package scaffold-layer` the way users run it, on copies (the checkout is not
# touched):
#   1. in swift-nn itself: generate a layer Foo and an activation Bar, then build and run
#      their generated tests; every refusal exits non-zero with its message and writes nothing;
#   2. in the downstream example Examples/CustomActivation (which depends on swift-nn by
#      path): it trains XOR, then `scaffold-layer Baz` writes into the example's own target
#      and the generated test passes with the example's tests;
#   3. in a downstream package that depends on NNCore alone: `scaffold-layer Gate --target
#      MyNet` writes a layer that compiles without NNIO and its tests pass (saving skipped,
#      saying why); a target without NNCore is refused before anything is written.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/nn-scaffold-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# A copy without build folders; symbolic links stay links.
(cd "$root" && tar --exclude='./.build' --exclude='./.build-*' --exclude='./Examples/CustomActivation/.build' --exclude='./nn-output' -cf - .) \
    | (cd "$work" && tar -xf -)
scaffold() { swift package --allow-writing-to-package-directory scaffold-layer "$@"; }
snapshot() { find Sources Tests -type f | sort | xargs md5sum | md5sum; }

echo "== swift-nn: scaffold-layer Foo, Bar --kind activation"
cd "$work"
scaffold Foo
scaffold Bar --kind activation
swift test --filter 'FooTests|BarTests' 2>&1 | tee "$work/generated-tests.log" | grep -E "Test run|error:" || true
grep -q "Test run with 6 tests in 2 suites passed" "$work/generated-tests.log" || { echo "error: the generated tests did not pass" >&2; exit 1; }

echo "== refusals: non-zero exit, a message, nothing written"
before=$(snapshot)
refuse() {
    local expected="$1"; shift
    local output status
    set +e; output=$(scaffold "$@" 2>&1); status=$?; set -e
    if [ "$status" -eq 0 ] || ! grep -qF -- "$expected" <<<"$output"; then
        echo "error: 'scaffold-layer $*' should fail with \"$expected\"; it exited $status with: $output" >&2; exit 1
    fi
    [ "$(snapshot)" = "$before" ] || { echo "error: 'scaffold-layer $*' wrote files" >&2; exit 1; }
    echo "refused as expected: scaffold-layer $* → $expected"
}
refuse "must start with a capital letter" lowercase
refuse "may hold only letters and digits" Bad-Name
refuse "no target 'Nope'" Baz --target Nope
refuse "already exists; pass --force" Foo
refuse "unknown option '--bogus'" Qux --bogus
refuse "--kind must be layer or activation" Qux --kind conv
scaffold Foo --force >/dev/null
echo "--force overwrote Foo"

echo "== downstream example: trains XOR, then scaffold-layer Baz writes into its own target"
cd "$work/Examples/CustomActivation"
swift run xor
scaffold Baz
[ -f Sources/CustomActivation/Baz.swift ] && [ -f Tests/CustomActivationTests/BazTests.swift ] \
    || { echo "error: Baz was not written into the example's target" >&2; exit 1; }
swift test 2>&1 | tee "$work/example-tests.log" | grep -E "Test run|error:" || true
grep -qE "Test run with [0-9]+ tests in 2 suites passed" "$work/example-tests.log" \
    || { echo "error: the example's tests (with the generated BazTests) did not pass" >&2; exit 1; }
echo "== downstream package on NNCore alone: scaffold-layer Gate --target MyNet"
core="$work/CoreOnly"
mkdir -p "$core/Sources/MyNet" "$core/Sources/Plain" "$core/Tests/MyNetTests"
cat > "$core/Package.swift" <<EOF
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "CoreOnly",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-nn", path: "$work")],
    targets: [
        .target(name: "MyNet", dependencies: [.product(name: "NNCore", package: "swift-nn")]),
        .target(name: "Plain"),
        .testTarget(name: "MyNetTests", dependencies: ["MyNet", .product(name: "NNCore", package: "swift-nn")]),
    ]
)
EOF
echo "import NNCore" > "$core/Sources/MyNet/MyNet.swift"
echo "public enum Plain {}" > "$core/Sources/Plain/Plain.swift"
cd "$core"
set +e; output=$(scaffold Gate --target Plain 2>&1); status=$?; set -e
if [ "$status" -eq 0 ] || ! grep -qF "does not depend on swift-nn's NNCore product" <<<"$output" || [ -e Sources/Plain/Gate.swift ]; then
    echo "error: scaffold-layer into a target without NNCore should be refused; it exited $status with: $output" >&2; exit 1
fi
echo "refused as expected: scaffold-layer Gate --target Plain"
scaffold Gate --target MyNet | tee "$work/core-scaffold.log"
grep -q "depends on NNCore only" "$work/core-scaffold.log" || { echo "error: scaffold-layer did not say the layer cannot be saved" >&2; exit 1; }
if grep -q "^import NNIO" Sources/MyNet/Gate.swift Tests/MyNetTests/GateTests.swift; then echo "error: the NNCore-only files import NNIO" >&2; exit 1; fi
swift test 2>&1 | tee "$work/core-tests.log" | grep -E "Test run|error:|skipped" || true
grep -qE "Test run with [0-9]+ tests in 1 suite passed" "$work/core-tests.log" \
    || { echo "error: the NNCore-only package's generated tests did not pass" >&2; exit 1; }
echo "scaffold-layer: all checks passed"
