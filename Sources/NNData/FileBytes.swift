import Foundation
import NNCore

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// Reading whole files, with errors that name the file.
enum FileBytes {
    /// The file's bytes.
    /// - Throws: ``DataFileError/unreadable(path:reason:)`` if it cannot be read.
    static func read(_ path: String) throws(DataFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a folder, not a file") }
        // Read straight into the array: through `Data` the bytes were copied once more (twice
        // the file in memory at once). (Foundation's reader also leaks 4 KiB on an empty file.)
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(status.st_size)
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = systemRead(descriptor, buffer.baseAddress! + initialized, size - initialized)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    failure = count < 0 ? errno : 0
                    break
                }
                initialized += count
            }
        }
        guard failure == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(failure))) }
        // A file that grew while it was read (a pipe, /proc) is read to its end.
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

/// Formats a byte count for messages.
func byteCount(_ count: Int) -> String {
    count >= 1 << 30 ? "\(count >> 30) GiB" : count >= 1 << 20 ? "\(count >> 20) MiB" : "\(count) bytes"
}

/// A tensor from a loader's decoded values (whose count the loader has checked).
func tensor<T: TensorScalar>(shape: [Int], scalars: [T], path: String) throws(DataFileError) -> Tensor<T> {
    do { return try Tensor(shape: shape, scalars: scalars) } catch {
        throw .inconsistent(path: path, reason: "\(error)")
    }
}
