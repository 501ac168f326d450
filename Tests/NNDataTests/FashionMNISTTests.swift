import Foundation
import NNCore
import Testing

@testable import NNData

let fashionMNISTInstalled = FileManager.default.fileExists(atPath: FashionMNIST.defaultFolder + "/train-images-idx3-ubyte.gz")

@Suite struct FashionMNISTTests {
    @Test(
        .enabled(if: fashionMNISTInstalled, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist; .ci/run does this when it can)"))
    func loadsTheInstalledDataSet() throws {
        let (train, test) = try FashionMNIST.load(as: Float.self)
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.featureShape == [28, 28] && train.classNames?.count == 10)
        var counts = [Int](repeating: 0, count: 10)
        for label in train.targets.scalars { counts[Int(label)] += 1 }
        #expect(counts == Array(repeating: 6000, count: 10))
        #expect(train.features.scalars.max() == 255 && train.features.scalars.min() == 0)
    }

    @Test func aMissingDataSetSaysHowToGetIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            dataError(folder, "train-images-idx3-ubyte", "apt-get install dataset-fashion-mnist") { try FashionMNIST.load(folder: folder) } == nil)
    }

    @Test func labelsMustMatchTheImages() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write(idx(type: 0x08, shape: [3, 2, 2], payload: [UInt8](repeating: 7, count: 12)), to: "\(folder)/images")
        try write(idx(type: 0x08, shape: [2], payload: [0, 1]), to: "\(folder)/labels")
        #expect(
            dataError("\(folder)/labels", "[2] labels for 3 images") {
                try FashionMNIST.labeledImages(images: "\(folder)/images", labels: "\(folder)/labels")
            } == nil)
        try write(idx(type: 0x08, shape: [3], payload: [0, 1, 1]), to: "\(folder)/labels")
        let data = try FashionMNIST.labeledImages(images: "\(folder)/images", labels: "\(folder)/labels", as: Float.self)
        #expect(data.count == 3 && data.featureShape == [2, 2] && data.classNames == nil)
    }
}
