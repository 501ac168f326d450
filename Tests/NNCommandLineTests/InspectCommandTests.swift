import Foundation
import NN
import Testing

@testable import NNCommandLine

@Suite struct InspectCommandTests {
    func folder() throws -> String { try makeTemporaryFolder("nn-inspect") }

    @Test func describesACSVFile() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n".utf8).write(to: URL(fileURLWithPath: "\(root)/pets.csv"))
        let result = nn("inspect", "\(root)/pets.csv")
        #expect(result.status == 0)
        #expect(
            result.output.lines == [
                "\(root)/pets.csv: CSV", "  samples: 3", "  feature shape: [2]", "  features: 1 … 6",
                "  classes: 2: cat (2), dog (1)",
            ])
    }

    @Test func detectsFormatsByContent() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 5, 9]).write(to: URL(fileURLWithPath: "\(root)/labels"))
        let result = nn("inspect", "\(root)/labels")
        #expect(result.status == 0 && result.output.lines == ["\(root)/labels: IDX, unsignedByte elements", "  shape: [2]", "  values: 5 … 9"])
        #expect(FileKind.detect(root) == .imageFolder)
        #expect(FileKind.detect("x.csv") == .csv && FileKind.detect("t10k-labels-idx1-ubyte.gz") == .idx)
    }

    @Test func badFilesGiveOneLineAndStatusOne() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("1,2\n3,x\n".utf8).write(to: URL(fileURLWithPath: "\(root)/bad.csv"))
        try Data([0x42, 0x4D, 1, 2]).write(to: URL(fileURLWithPath: "\(root)/bad.bmp"))
        let cases: [([String], String)] = [
            (["inspect", "\(root)/bad.csv"], "nn: \(root)/bad.csv: line 2, column 2: expected a number, found 'x'"),
            (["inspect", "\(root)/bad.bmp"], "nn: \(root)/bad.bmp: truncated: expected 18 bytes, the file has 4"),
            (["inspect", "\(root)/absent.idx"], "nn: \(root)/absent.idx: cannot read: no such file"),
            (["inspect", root, "--format", "fashion-mnist"], "nn: \(root): Fashion-MNIST not found"),
        ]
        for (arguments, message) in cases {
            let result = nn(arguments)
            #expect(result.status == 1 && result.output.errors.count == 1 && result.output.lines.isEmpty, "\(arguments)")
            #expect(result.output.errors.first?.hasPrefix(message) == true, "\(result.output.errors)")
        }
        #expect(nn("inspect").status == 2)
        #expect(
            nn("inspect", root, "--format", "jpeg").output.errors == [
                "nn: nn inspect: --format expects one of csv, idx, bmp, image-folder, fashion-mnist, model, got 'jpeg'"
            ])
    }
}
