import Foundation
import NNCore
import Testing

@testable import NNData

/// A class folder layout whose every pixel holds `class·100 + file number`, so a test can
/// tell exactly which file each sample came from.
func makeImageFolder(classes: [String], filesPerClass: Int, width: Int = 4, height: Int = 3) throws -> String {
    let root = try temporaryFolder()
    for (classIndex, name) in classes.enumerated() {
        try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
        for file in 1...filesPerClass {
            let value = (classIndex + 1) * 100 + file
            let rows = Array(repeating: Array(repeating: value % 256, count: width), count: height)
            try write(bmp(width: width, rows: rows, bitsPerPixel: 8, palette: greyPalette), to: "\(root)/\(name)/\(file).bmp")
        }
    }
    return root
}

@Suite struct ImageFolderTests {
    @Test func classesAndFilesComeInNaturalOrder() throws {
        let root = try makeImageFolder(classes: ["1", "2", "10"], filesPerClass: 11)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("not an image", to: "\(root)/1/notes.txt")   // skipped: not .bmp
        try write(Array("junk".utf8), to: "\(root)/2/.hidden.bmp")   // skipped: hidden
        let data = try ImageFolder.load(root, as: Float.self)
        #expect(data.classNames == ["1", "2", "10"])
        #expect(data.count == 33 && data.featureShape == [3, 4])
        #expect(data.targets.scalars == (0..<3).flatMap { Array(repeating: Float($0), count: 11) })
        // Within a class: 1.bmp, 2.bmp, ..., 9.bmp, 10.bmp, 11.bmp.
        let firstPixels = (0..<33).map { Int(data.features[flat: $0 * 12]) }
        #expect(firstPixels == (1...3).flatMap { c in (1...11).map { (c * 100 + $0) % 256 } })
    }

    @Test func theOddSizedImageIsNamed() throws {
        let root = try makeImageFolder(classes: ["a", "b"], filesPerClass: 3)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(bmp(width: 5, rows: [[1, 2, 3, 4, 5]], bitsPerPixel: 8, palette: greyPalette), to: "\(root)/b/2.bmp")
        #expect(dataError("\(root)/b/2.bmp", "image is 5×1, expected 4×3", "\(root)/a/1.bmp") { try ImageFolder.load(root) } == nil)
    }

    @Test func badFoldersAndFilesAreNamed() throws {
        let root = try makeImageFolder(classes: ["a", "b"], filesPerClass: 2)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(Array("BM".utf8), to: "\(root)/b/3.bmp")
        #expect(dataError("\(root)/b/3.bmp", "truncated") { try ImageFolder.load(root) } == nil)
        try FileManager.default.removeItem(atPath: "\(root)/b/3.bmp")
        try FileManager.default.createDirectory(atPath: "\(root)/c", withIntermediateDirectories: false)
        #expect(dataError("\(root)/c", "class folder holds no .bmp images") { try ImageFolder.load(root) } == nil)
        #expect(dataError("\(root)/a", "no class sub-folders") { try ImageFolder.load("\(root)/a") } == nil)
        #expect(dataError("no such folder") { try ImageFolder.load("\(root)/missing") } == nil)
    }

    @Test func firstPerClassFollowsNaturalOrder() throws {
        let root = try makeImageFolder(classes: ["x", "y"], filesPerClass: 12)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (train, test) = try ImageFolder.load(root, as: Float.self).firstPerClass(10)
        #expect(train.count == 20 && test.count == 4)
        let files = { (data: InMemoryDataset<Float>) in (0..<data.count).map { Int(data.features[flat: $0 * 12]) % 100 } }
        #expect(files(train) == Array(1...10) + Array(1...10))   // 1…10, not 1, 10, 11, 12, 2, …
        #expect(files(test) == [11, 12, 11, 12])
        #expect(train.classNames == ["x", "y"])
        #expect(throws: DatasetError.notEnoughSamples(classIndex: 0, available: 10, requested: 13)) {
            try train.subset(Array(0..<20)).firstPerClass(13)
        }
    }
}

@Suite struct NaturalOrderTests {
    @Test func numbersCompareByValue() {
        #expect(
            NaturalOrder.sorted(["10.bmp", "9.bmp", "1.bmp", "100.bmp", "09.bmp", "a.bmp"])
                == ["1.bmp", "09.bmp", "9.bmp", "10.bmp", "100.bmp", "a.bmp"])   // equal values: plain order
        #expect(NaturalOrder.sorted(["class 12", "class 2", "class 1"]) == ["class 1", "class 2", "class 12"])
    }
}
