// swift-tools-version: 6.0
import PackageDescription

// swift-nn: modules that compose through protocols. Arrows point one way:
// NNCore ← NNLosses, NNOptimizers, NNData, NNIO ← NNTraining ← NN ← NNCommandLine ← NNMain (`nn`);
// NNInterop and NNONNX (other frameworks' files) on NNCore and NNIO, imported by NNCommandLine.
// No external packages and no unsafe flags, so any package can depend on any product.
let package = Package(
    name: "swift-nn",
    // NNCore's kernels use the Synchronization module (atomics), which Apple's platforms have
    // from macOS 15; Linux has no minimum. CI builds and tests Linux only.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NNCore", targets: ["NNCore"]),
        .library(name: "NNLosses", targets: ["NNLosses"]),
        .library(name: "NNOptimizers", targets: ["NNOptimizers"]),
        .library(name: "NNData", targets: ["NNData"]),
        .library(name: "NNIO", targets: ["NNIO"]),
        .library(name: "NNTraining", targets: ["NNTraining"]),
        .library(name: "NN", targets: ["NN"]),
        // Model files of other frameworks (PyTorch's state_dict): above NNIO, outside the umbrella.
        .library(name: "NNInterop", targets: ["NNInterop"]),
        // ONNX export (for ONNX Runtime and other runtimes): above NNIO, outside the umbrella.
        .library(name: "NNONNX", targets: ["NNONNX"]),
        // The commands of `nn`, for tools built on them (Distributed/'s `nn-distributed`).
        .library(name: "NNCommandLine", targets: ["NNCommandLine"]),
        .executable(name: "nn", targets: ["NNMain"]),
        .plugin(name: "scaffold-layer", targets: ["ScaffoldLayer"]),
    ],
    targets: [
        // Matrix-product micro-kernels and packing in C, compiled per instruction set and chosen
        // at run time (see Sources/NNCore/Kernels/PackedMatrixMultiply.swift for why C).
        .target(name: "CNNKernels"),
        .target(name: "NNCore", dependencies: ["CNNKernels"]),
        .target(name: "NNLosses", dependencies: ["NNCore"]),
        .target(name: "NNOptimizers", dependencies: ["NNCore", "CNNKernels"]),
        // The system zlib (for .gz files); Debian's zlib1g-dev provides the header.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "NNData", dependencies: ["NNCore", "CZlib"]),
        .target(name: "NNIO", dependencies: ["NNCore"]),
        .target(
            name: "NNTraining",
            dependencies: ["NNCore", "NNLosses", "NNOptimizers", "NNData", "NNIO"]
        ),
        .target(
            name: "NN",
            dependencies: ["NNCore", "NNLosses", "NNOptimizers", "NNData", "NNIO", "NNTraining"]
        ),
        .target(name: "NNInterop", dependencies: ["NNCore", "NNIO"]),
        .target(name: "NNONNX", dependencies: ["NNCore", "NNIO"]),
        .target(name: "NNCommandLine", dependencies: ["NN", "NNInterop", "NNONNX"]),
        .executableTarget(name: "NNMain", dependencies: ["NNCommandLine"]),
        // `swift package scaffold-layer`: fills Templates/ into a new layer or activation and its test.
        // Its logic is Sources/NNScaffold/Scaffold.swift, compiled into the plugin through a symbolic link.
        .plugin(
            name: "ScaffoldLayer",
            capability: .command(
                intent: .custom(verb: "scaffold-layer", description: "Generate a layer or activation and its test from Templates/"),
                permissions: [.writeToPackageDirectory(reason: "writes the new layer's source file and its test")]
            )
        ),
        .target(name: "NNScaffold"),
        // Benchmarks: executables that are not products, so packages depending on ours never build them.
        .executableTarget(name: "ActivationBenchmark", dependencies: ["NNCore"], path: "Benchmarks/ActivationBenchmark"),
        .executableTarget(name: "DataLoadingBenchmark", dependencies: ["NNData"], path: "Benchmarks/DataLoadingBenchmark"),
        .executableTarget(name: "NNBenchmark", dependencies: ["NN", "CNNKernels"], path: "Benchmarks/NNBenchmark"),
        .executableTarget(name: "MatrixMultiplyBenchmark", dependencies: ["NNCore"], path: "Benchmarks/MatrixMultiplyBenchmark"),

        .testTarget(name: "NNCoreTests", dependencies: ["NNCore", "CNNKernels"]),
        .testTarget(name: "NNLossesTests", dependencies: ["NNCore", "NNLosses"]),
        .testTarget(name: "NNOptimizersTests", dependencies: ["NNCore", "NNOptimizers", "CNNKernels"]),
        .testTarget(name: "NNDataTests", dependencies: ["NNCore", "NNData"]),
        .testTarget(name: "NNIOTests", dependencies: ["NNCore", "NNIO"]),
        .testTarget(name: "NNTrainingTests", dependencies: ["NN"]),
        // Depends on NNCore alone: proves a user can define an activation outside the library.
        .testTarget(name: "CustomActivationTests", dependencies: ["NNCore"]),
        .testTarget(name: "NNCommandLineTests", dependencies: ["NNCommandLine", "NN", "NNONNX", "CZlib"]),
        .testTarget(name: "NNScaffoldTests", dependencies: ["NNScaffold", "NN"]),
        .testTarget(name: "NNONNXTests", dependencies: ["NNONNX", "NN"]),
    ]
)
