// How fast do the loaders read real data? Two workloads, each timed over several runs
// (median reported) in one process:
//
// 1. the 60,000 Fashion-MNIST training images and labels from their `.gz` IDX files
//    (Debian's dataset-fashion-mnist; skipped with a message when it is not installed);
// 2. an image folder shaped like the handwritten-characters lesson: 12 classes × 620 BMP
//    files of 28×28 (7,440 files), written to a temporary folder first (8-bit grey palette).
//
// Run: swift run -c release DataLoadingBenchmark [runs]
import Foundation
import NNData

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func time(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var seconds: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return median(seconds)
}

/// An 8-bit grey-palette BMP of 28×28 whose pixels depend on `seed`.
func bmpFile(seed: Int) -> [UInt8] {
    BMPImage(width: 28, height: 28, pixels: (0..<(28 * 28)).map { Float(($0 * 7 + seed * 13) % 256) }).encoded()
}

let runs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5
print("median of \(runs) runs, release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")

if FileManager.default.fileExists(atPath: FashionMNIST.defaultFolder + "/train-images-idx3-ubyte.gz") {
    let folder = FashionMNIST.defaultFolder
    var count = 0
    let seconds = try time(runs) {
        count = try FashionMNIST.labeledImages(
            images: folder + "/train-images-idx3-ubyte.gz",
            labels: folder + "/train-labels-idx1-ubyte.gz", as: Float.self
        ).count
    }
    print(String(format: "Fashion-MNIST training set (%d images, .gz IDX → Float tensor): %.3f s", count, seconds))
} else {
    print("Fashion-MNIST: skipped, not installed (apt-get install dataset-fashion-mnist)")
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-bench-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: root) }
for label in 1...12 {
    try FileManager.default.createDirectory(atPath: "\(root)/\(label)", withIntermediateDirectories: true)
    for index in 1...620 {
        try Data(bmpFile(seed: label * 1000 + index)).write(to: URL(fileURLWithPath: "\(root)/\(label)/\(index).bmp"))
    }
}
var count = 0
let seconds = try time(runs) { count = try ImageFolder.load(root, as: Float.self).count }
print(String(format: "image folder (12 classes × 620 BMP files of 28×28 = %d images): %.3f s", count, seconds))
