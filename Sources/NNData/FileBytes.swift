import Foundation
import NNCore

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
        // Foundation's reader leaks a 4 KiB buffer on an empty file (LeakSanitizer, Swift 6.3).
        if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.intValue == 0 { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or I/O error")
        }
        return [UInt8](data)
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
