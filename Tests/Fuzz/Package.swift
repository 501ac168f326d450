// swift-tools-version: 6.0
import PackageDescription

// libFuzzer harnesses for swift-nn's parsers, built against the real package (the C kernels
// included) with `swift build -c release --sanitize fuzzer --sanitize address`: run them with
// `bash Tests/Fuzz/run-fuzzer.sh FORMAT [SECONDS]`. A package of its own, so that the core
// package's `swift build` never builds an executable whose `main` libFuzzer provides.
let package = Package(
    name: "swift-nn-fuzz",
    platforms: [.macOS(.v15)],   // as swift-nn
    dependencies: [.package(name: "swift-nn", path: "../..")],
    targets: [
        .executableTarget(
            name: "nn-fuzz",
            dependencies: [
                .product(name: "NNData", package: "swift-nn"),
                .product(name: "NNIO", package: "swift-nn"),
                .product(name: "NNTraining", package: "swift-nn"),
                .product(name: "NNInterop", package: "swift-nn"),
            ],
            path: "Harness"
        )
    ]
)
