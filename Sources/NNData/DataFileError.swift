/// Why a data file or folder cannot be loaded. Every case names the file; the description
/// is one line: `path: where: what was expected`.
public enum DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder cannot be read at all (missing, a directory, no permission).
    case unreadable(path: String, reason: String)
    /// The file has no bytes.
    case empty(path: String)
    /// The file ends before `expected` bytes; it has `actual`.
    case truncated(path: String, expected: Int, actual: Int)
    /// The file does not start with the format's signature.
    case wrongMagic(path: String, found: String, expected: String)
    /// A valid file of a variant this loader does not read, e.g. an RLE-compressed BMP.
    case unsupported(path: String, variant: String)
    /// A declared size is beyond what the loader will allocate.
    case tooLarge(path: String, declared: String, limit: String)
    /// Content that breaks the format's rules at a position (e.g. `line 3, column 2`).
    case malformed(path: String, position: String, reason: String)
    /// The compressed stream is corrupt or cut short.
    case corruptCompression(path: String, reason: String)
    /// Files that should agree do not (image sizes, sample counts).
    case inconsistent(path: String, reason: String)
    /// Expected files are missing; `hint` says how to get them.
    case missing(path: String, hint: String)

    /// The file or folder the error is about.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .empty(let path), .truncated(let path, _, _), .wrongMagic(let path, _, _),
            .unsupported(let path, _), .tooLarge(let path, _, _), .malformed(let path, _, _),
            .corruptCompression(let path, _), .inconsistent(let path, _), .missing(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .empty(let path): return "\(path): the file is empty"
        case .truncated(let path, let expected, let actual):
            return "\(path): truncated: expected \(expected) bytes, the file has \(actual)"
        case .wrongMagic(let path, let found, let expected): return "\(path): not \(expected) (starts with \(found))"
        case .unsupported(let path, let variant): return "\(path): unsupported \(variant)"
        case .tooLarge(let path, let declared, let limit): return "\(path): declares \(declared), more than the limit of \(limit)"
        case .malformed(let path, let position, let reason): return "\(path): \(position): \(reason)"
        case .corruptCompression(let path, let reason): return "\(path): corrupt compressed data: \(reason)"
        case .inconsistent(let path, let reason): return "\(path): \(reason)"
        case .missing(let path, let hint): return "\(path): \(hint)"
        }
    }
}
