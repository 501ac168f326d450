import Foundation
import NN

/// What a path holds, as `nn inspect`, `nn predict` and `nn evaluate` recognise it: by
/// content first (a folder's layout, then a file's first bytes), then by extension, so a
/// checkpoint named `run.ckpt` is a model file and a CSV named `data.txt` is text.
enum FileKind: String, CaseIterable {
    case csv, idx, bmp, imageFolder = "image-folder", fashionMNIST = "fashion-mnist", model

    /// The kind of the file or folder at `path`.
    static func detect(_ path: String) -> FileKind {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (try? FashionMNIST.find(FashionMNIST.fileNames.trainImages, in: path)) != nil ? .fashionMNIST : .imageFolder
        }
        let head = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 9) }.map { [UInt8]($0) } ?? []
        if let kind = byContent(head, fileSize: fileSize(path)) { return kind }
        let name = path.lowercased()
        if name.hasSuffix(".safetensors") || name.hasSuffix(".ckpt") { return .model }
        if name.hasSuffix(".bmp") { return .bmp }
        if name.hasSuffix(".gz") || name.hasSuffix("-ubyte") || name.hasSuffix(".idx") { return .idx }
        return .csv
    }

    /// The kind the first bytes of a file announce, if they announce one: safetensors (an
    /// 8-byte little-endian header length that fits the file, then `{`), gzip (`1f 8b`, which
    /// swift-nn reads for IDX files), IDX (`00 00`, a known element type, a rank), BMP (`BM`).
    static func byContent(_ head: [UInt8], fileSize: Int) -> FileKind? {
        if head.count >= 9, head[8] == UInt8(ascii: "{") {
            let length = head[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            if length <= UInt64(Swift.max(fileSize - 8, 0)) { return .model }
        }
        if head.starts(with: [0x1F, 0x8B]) { return .idx }
        if head.count >= 4, head[0] == 0, head[1] == 0, IDXFile.ElementType(rawValue: head[2]) != nil { return .idx }
        if head.starts(with: [0x42, 0x4D]) { return .bmp }
        return nil
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
