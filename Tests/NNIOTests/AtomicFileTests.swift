import Foundation
import NNCore
import Testing

@testable import NNIO

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

    /// A writer killed mid-write leaves `.<name>.tmp-<pid>-*`; the next successful write of the
    /// same file removes it once that process is gone, and leaves a live writer's file alone.
    @Test func abandonedTemporaryFilesAreRemovedByTheNextWrite() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("run.ckpt")
        // A process id that does not exist: above the kernel's limit (pid_max is at most 2²²).
        let dead = ".run.ckpt.tmp-\(1 << 23)-AbCdEf", alive = ".run.ckpt.tmp-1-GhIjKl", other = ".other.tmp-\(1 << 23)-MnOpQr"
        for name in [dead, alive, other] { try Data("partial".utf8).write(to: folder.appendingPathComponent(name)) }
        try AtomicFile.write(Data("complete".utf8), to: file)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [other, alive, "run.ckpt"].sorted())
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

@Suite struct InterruptedSaveTests {
    struct Crash: Error {}

    /// A save interrupted at its worst moment — new bytes written and flushed, not yet renamed —
    /// leaves the previous model file byte for byte as it was.
    @Test func theOldFileSurvivesAnInterruptedSave() throws {
        let path = try temporaryPath("model.safetensors")
        try ModelFile.save(sampleModel(Float.self, seed: 1), to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var temporaryExisted = false
        let newBytes = Data(Safetensors.encode(tensors: ModelFile.tensors(of: sampleModel(Float.self, seed: 2)), metadata: [:]))
        #expect(throws: FileWriteError.self) {
            try AtomicFile.write(newBytes, to: URL(fileURLWithPath: path)) {
                let folder = (path as NSString).deletingLastPathComponent
                temporaryExisted = try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.hasPrefix(".model.safetensors.tmp-") }
                throw Crash()
            }
        }
        #expect(temporaryExisted)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try ModelFile.load(path, as: Float.self).model.stateDictionary == sampleModel(Float.self, seed: 1).stateDictionary)
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])
    }
}
