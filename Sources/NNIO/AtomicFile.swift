import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemWrite = Darwin.write
#endif

/// Writes files so that a reader sees either the old content or the new, never a mix:
/// the bytes go to a temporary file in the same folder, are flushed to disk, and the
/// temporary file is renamed over the destination. A process killed mid-write leaves the
/// previous file intact and a temporary `.<name>.tmp-<pid>-*` file, which the next
/// successful write of the same file removes once process `<pid>` no longer exists.
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `url` with `data`.
    /// - Throws: ``FileWriteError`` naming the file and the failing system call.
    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        try write(data, to: url, beforeRename: {})
    }

    /// The write, with a hook run after the new bytes are flushed and before the rename: the
    /// moment a crash would be worst. Tests use it to show the old file survives; a hook that
    /// throws leaves the destination untouched and removes the temporary file.
    static func write(_ data: Data, to url: URL, beforeRename: () throws -> Void) throws(FileWriteError) {
        let destination = url.path
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/\(temporaryPrefix(for: url.lastPathComponent))\(getpid())-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FileWriteError(path: destination, operation: "create temporary file", code: errno) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)

        func fail(_ operation: String) -> FileWriteError {
            let error = FileWriteError(path: destination, operation: operation, code: errno)
            close(descriptor)
            unlink(temporary)
            return error
        }
        var written = 0
        let failedWrite: Bool = data.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                written += result
            }
            return false
        }
        if failedWrite { throw fail("write") }
        guard fsync(descriptor) == 0 else { throw fail("flush") }
        guard fchmod(descriptor, 0o644) == 0 else { throw fail("set permissions") }
        guard close(descriptor) == 0 else {
            let error = FileWriteError(path: destination, operation: "close", code: errno)
            unlink(temporary)
            throw error
        }
        do { try beforeRename() } catch {
            unlink(temporary)
            throw FileWriteError(path: destination, operation: "finish (interrupted before the rename)", code: ECANCELED)
        }
        guard rename(temporary, destination) == 0 else {
            let error = FileWriteError(path: destination, operation: "rename into place", code: errno)
            unlink(temporary)
            throw error
        }
        removeAbandonedTemporaries(of: url.lastPathComponent, in: folder)
    }

    /// The start of every temporary file's name for `name`; the writer's process id follows.
    static func temporaryPrefix(for name: String) -> String { ".\(name).tmp-" }

    /// Deletes the temporary files of `name` left by writers that were killed: those whose
    /// process no longer exists. A live writer's file is never touched.
    private static func removeAbandonedTemporaries(of name: String, in folder: String) {
        let prefix = temporaryPrefix(for: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(folder)/\(entry)") }
        }
    }
}

/// A file could not be written; the previous file, if any, is unchanged.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file that was being written.
    public var path: String
    /// The step that failed.
    public var operation: String
    /// The system's error number.
    public var code: Int32

    public var description: String {
        "\(path): cannot \(operation): \(String(cString: strerror(code)))"
    }
}
