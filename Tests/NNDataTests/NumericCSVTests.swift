import Foundation
import NNCore
import Testing

@testable import NNData

/// The fast path for numeric CSV files reads exactly what the general path reads, bit for bit,
/// and leaves everything else to it.
@Suite struct NumericCSVTests {
    /// Numbers in the forms files hold them: fixed decimals, shortest round-trip, exponents,
    /// signs, leading zeros, quotes and spaces, subnormal and huge, hexadecimal.
    static func cell(_ generator: inout SeededRandomGenerator) -> String {
        let x = generator.nextUniform(in: -1000.0, 1000.0)
        switch generator.nextIndex(below: 14) {
        case 0: return String(format: "%.6f", x)
        case 1: return "\(x)"
        case 2: return String(format: "%.3e", x)
        case 3: return String(format: "%.17g", x * 1e-30)
        case 4: return "\(Int(x))"
        case 5: return "+\(String(format: "%.2f", abs(x)))"
        case 6: return "000\(Int(abs(x)))"
        case 7: return ".5"
        case 8: return "7."
        case 9: return " \(String(format: "%.4f", x))\t"
        case 10: return "\"\(String(format: "%.1f", x))\""
        case 11: return ["1e-320", "1e30", "-0.000000", "123456789012345678901234", "0.1234567890123456789", "0x1p3"][generator.nextIndex(below: 6)]
        case 12: return String(format: "%.22f", x / 7)
        default: return "\(Float(x))"
        }
    }

    @Test(arguments: 1...8)
    func fastAndGeneralPathsAgreeBitForBit(seed: UInt64) throws {
        var generator = SeededRandomGenerator(seed: seed)
        let header = seed % 2 == 0 ? "a,b,c,label\n" : ""
        let rows = (0..<(50 + Int(seed) * 300)).map { _ in (0..<4).map { _ in Self.cell(&generator) }.joined(separator: ",") }
        let bytes = Array((header + rows.joined(separator: seed % 3 == 0 ? "\r\n" : "\n") + "\n\n").utf8)
        let headerless = header.isEmpty ? [CSVFile.Options(header: .absent, label: .index(2))] : []
        for options in [CSVFile.Options(), CSVFile.Options(label: .last)] + headerless {
            let fast = try #require(try NumericCSV.decode(bytes, options: options, path: "x.csv", as: Float.self))
            let general = try CSVFile.decodeText(bytes, path: "x.csv", options: options, as: Float.self)
            #expect(fast.features.shape == general.features.shape && fast.targets.shape == general.targets.shape)
            #expect(fast.features.scalars.map(\.bitPattern) == general.features.scalars.map(\.bitPattern))
            #expect(fast.targets.scalars.map(\.bitPattern) == general.targets.scalars.map(\.bitPattern))
            let double = try #require(try NumericCSV.decode(bytes, options: options, path: "x.csv", as: Double.self))
            #expect(
                double.features.scalars.map(\.bitPattern)
                    == (try CSVFile.decodeText(bytes, path: "x.csv", options: options, as: Double.self)).features.scalars.map(\.bitPattern))
        }
    }

    /// A file read a block at a time (blocks of a few bytes here, so that lines, numbers and
    /// `\r\n` fall across their edges) gives what the whole bytes give.
    @Test(arguments: [7, 64, 1000, 1 << 20])
    func readingInBlocksGivesTheSameValues(blockSize: Int) throws {
        var generator = SeededRandomGenerator(seed: 11)
        let rows = (0..<400).map { _ in (0..<4).map { _ in Self.cell(&generator) }.joined(separator: ",") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-blocks-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for text in ["\u{FEFF}a,b,c,label\r\n" + rows.joined(separator: "\r\n") + "\r\n\r\n", rows.joined(separator: "\n")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let streamed = try #require(try NumericCSV.load(path, options: .init(), as: Float.self, blockSize: blockSize))
            let general = try CSVFile.decodeText(Array(text.utf8), path: path, options: .init(), as: Float.self)
            #expect(streamed.features.shape == general.features.shape)
            #expect(streamed.features.scalars.map(\.bitPattern) == general.features.scalars.map(\.bitPattern))
            #expect(streamed.targets.scalars.map(\.bitPattern) == general.targets.scalars.map(\.bitPattern))
        }
        try Data("a,b\n1,2\n\n3,4\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try NumericCSV.load(path, options: .init(), as: Float.self, blockSize: blockSize) == nil)   // a blank line between rows
        #expect(throws: DataFileError.self) { try CSVFile.load(path, as: Float.self) }
    }

    /// Text labels, bad cells, short rows, blank lines between rows and non-ASCII bytes are
    /// the general path's: the fast path declines, and the file still loads or fails as before.
    @Test(arguments: [
        "a,b\n1,cat\n2,dog\n", "a,b\n1,2\n3,x\n", "a,b\n1,2\n3\n", "a,b\n1,2\n\n3,4\n", "a,b\n1,2\n3,é\n", "a,b\n1,nan\n2,3\n", "a,b\n1,1e39\n2,3\n",
    ])
    func otherFilesAreLeftToTheGeneralPath(text: String) throws {
        #expect(try NumericCSV.decode(Array(text.utf8), options: .init(), path: "x.csv", as: Float.self) == nil)
        let viaDecode = Result { () throws(DataFileError) in try CSVFile.decode(Array(text.utf8), path: "x.csv", as: Float.self) }
        let viaText = Result { () throws(DataFileError) in try CSVFile.decodeText(Array(text.utf8), path: "x.csv", options: .init(), as: Float.self) }
        switch (viaDecode, viaText) {
        case (.success(let a), .success(let b)): #expect(a.features == b.features && a.targets == b.targets && a.classNames == b.classNames)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("the two paths disagree on \(text.debugDescription)")
        }
    }
}
