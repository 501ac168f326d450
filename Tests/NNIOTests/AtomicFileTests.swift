import Foundation
import Testing
import NNIO

@Suite struct AtomicFileTests {
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesAndReplacesLeavingNoTemporaryFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.bin")
        try AtomicFile.write(Data("first".utf8), to: file)
        try AtomicFile.write(Data("second, longer".utf8), to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "second, longer")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.bin"])
    }

    @Test func failureNamesTheFileAndKeepsTheOldOne() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no-such-folder/model.bin")
        #expect {
            try AtomicFile.write(Data("x".utf8), to: missing)
        } throws: { error in
            "\(error)".hasPrefix(missing.path + ": cannot create temporary file")
        }
        // A directory cannot be replaced by a file: the rename fails and the directory stays.
        let occupied = folder.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: occupied.appendingPathComponent("inside"))
        #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("x".utf8), to: occupied) }
        #expect(try String(contentsOf: occupied.appendingPathComponent("inside"), encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["occupied"])
    }
}
