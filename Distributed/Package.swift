// swift-tools-version: 6.0
import PackageDescription

// Data-parallel training over MPI: a package of its own, so that swift-nn itself never needs
// MPI. It depends on swift-nn by path (`name:` keeps the name stable whatever the checkout's
// folder is called) and on the system's Open MPI (Debian: libopenmpi-dev and openmpi-bin).
let package = Package(
    name: "swift-nn-distributed",
    platforms: [.macOS(.v15)],   // as swift-nn
    products: [
        .library(name: "NNDistributed", targets: ["NNDistributed"]),
        .executable(name: "nn-distributed", targets: ["NNDistributedCommand"]),
    ],
    dependencies: [.package(name: "swift-nn", path: "..")],
    targets: [
        // Open MPI's C interface; its handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are
        // macros, so a small header returns them from inline functions.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]),
        .target(name: "NNDistributed", dependencies: ["CMPI", .product(name: "NNTraining", package: "swift-nn")]),
        .executableTarget(
            name: "NNDistributedCommand",
            dependencies: ["NNDistributed", .product(name: "NNCommandLine", package: "swift-nn")]
        ),
        // Runs `mpirun` on the built `nn-distributed` and compares with `nn` (build both first:
        // see `.ci/run`).
        .testTarget(name: "NNDistributedTests", dependencies: ["NNDistributed", .product(name: "NN", package: "swift-nn")]),
    ]
)
