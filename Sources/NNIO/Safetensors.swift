import Foundation
import NNCore

/// One tensor as stored in a safetensors file: element type, shape and little-endian bytes.
public struct StoredTensor: Sendable, Equatable {
    /// The element types swift-nn reads and writes.
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", f64 = "F64"
        /// Bytes per element.
        public var size: Int { self == .f32 ? 4 : 8 }
    }

    /// The element type.
    public var dtype: DType
    /// The shape.
    public var shape: [Int]
    /// `shape.product × dtype.size` bytes, little-endian.
    public var bytes: [UInt8]

    /// Stores a tensor in its own precision.
    public init<T: TensorScalar>(_ tensor: Tensor<T>) {
        shape = tensor.shape
        if let floats = tensor.scalars as? [Float] {
            dtype = .f32
            bytes = floats.flatMap { littleEndianBytes($0.bitPattern) }
        } else {
            dtype = .f64
            bytes = tensor.scalars.map(Double.init).flatMap { littleEndianBytes($0.bitPattern) }
        }
    }

    /// Stores `values` as F64 with the given shape.
    public init(float64 values: [Double], shape: [Int]) {
        dtype = .f64
        self.shape = shape
        bytes = values.flatMap { littleEndianBytes($0.bitPattern) }
    }

    /// The values as a tensor of `T`; the stored type must be `T`'s, so nothing is rounded.
    public func tensor<T: TensorScalar>(as _: T.Type, name: String, path: String) throws(ModelFileError) -> Tensor<T> {
        let expected: DType = T.self == Float.self ? .f32 : .f64
        guard dtype == expected else { throw .unsupportedDType(path: path, tensor: name, dtype: dtype.rawValue) }
        do { return try Tensor(shape: shape, scalars: float64OrFloat32Values().map { T($0) }) } catch {
            throw .mismatch(path: path, reason: "tensor '\(name)': \(error)")
        }
    }

    /// The values, widened to `Double` (exact for both types).
    public func float64OrFloat32Values() -> [Double] {
        let count = bytes.count / dtype.size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                dtype == .f32
                    ? Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                    : Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
        }
    }
}

private func littleEndianBytes<I: FixedWidthInteger>(_ value: I) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length `N`, `N`
/// bytes of JSON naming each tensor's `dtype`, `shape` and `data_offsets` (plus an optional
/// `__metadata__` object of strings), then the tensors' bytes, back to back.
///
/// Writing is deterministic: tensors in name order, JSON keys sorted, no timestamps — equal
/// models give byte-identical files. Reading checks every length and offset against the
/// file before using it.
public enum Safetensors {
    /// The largest header accepted (the reference implementation's limit).
    public static let maximumHeaderSize = 100_000_000

    /// The file's bytes for `tensors` and `metadata`.
    public static func encode(tensors: [String: StoredTensor], metadata: [String: String]) -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        var data: [UInt8] = []
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            entries.append(
                "\(jsonString(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}"
            )
            offset += tensor.bytes.count
            data += tensor.bytes
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }   // pad with spaces, as the reference writer does
        return littleEndianBytes(UInt64(header.count)) + header + data
    }

    /// Reads a file's tensors and metadata.
    /// - Throws: ``ModelFileError`` for anything that breaks the format: a short file, a header
    ///   length beyond the file, JSON that is not an object of tensor entries, unknown dtypes,
    ///   negative or absurd shapes, offsets out of range, overlapping or leaving gaps.
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError)
        -> (tensors: [String: StoredTensor], metadata: [String: String])
    {
        let (tensors, metadata, _) = try decode(bytes, path: path, skippingOtherDTypes: false)
        return (tensors, metadata)
    }

    /// The bytes per element of the safetensors dtypes swift-nn does not hold but can step
    /// over (a PyTorch `state_dict` has an I64 `num_batches_tracked` per batch norm).
    static let otherDTypeSizes: [String: Int] = [
        "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1,
        "BOOL": 1,
    ]

    /// Reads a safetensors file as ``read(_:)`` does, but steps over tensors of the other
    /// dtypes of the format (I64, F16, BOOL, …): their sizes and offsets are checked like any
    /// other's, and their names and dtypes are returned instead of their values.
    /// - Throws: ``ModelFileError`` as ``read(_:)``, and for a dtype the format does not have.
    public static func readSkippingOtherDTypes(_ path: String) throws(ModelFileError)
        -> (tensors: [String: StoredTensor], metadata: [String: String], skipped: [String: String])
    {
        try decode(try fileBytes(path), path: path, skippingOtherDTypes: true)
    }

    static func decode(_ bytes: [UInt8], path: String, skippingOtherDTypes: Bool) throws(ModelFileError)
        -> (tensors: [String: StoredTensor], metadata: [String: String], skipped: [String: String])
    {
        guard bytes.count >= 8 else { throw .malformed(path: path, reason: "\(bytes.count) bytes, too short for the 8-byte header length") }
        let declared = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(bytes.count - 8) else {
            throw .malformed(path: path, reason: "header length \(declared) goes beyond the end of the \(bytes.count)-byte file")
        }
        guard declared <= UInt64(maximumHeaderSize) else {
            throw .malformed(path: path, reason: "header length \(declared) exceeds the limit of \(maximumHeaderSize)")
        }
        let headerEnd = 8 + Int(declared)
        let parsed: JSONValue
        do { parsed = try JSONDecoder().decode(JSONValue.self, from: Data(bytes[8..<headerEnd])) } catch {
            throw .invalidHeader(path: path, reason: "not valid JSON")
        }
        guard case .object(let header) = parsed else { throw .invalidHeader(path: path, reason: "the JSON is not an object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard case .object(let values) = raw else { throw .invalidHeader(path: path, reason: "__metadata__ must map strings to strings") }
            for (key, value) in values {
                guard case .string(let text) = value else { throw .invalidHeader(path: path, reason: "__metadata__ must map strings to strings") }
                metadata[key] = text
            }
        }
        let bufferSize = bytes.count - headerEnd
        var tensors: [String: StoredTensor] = [:], skipped: [String: String] = [:]
        var ranges: [(name: String, start: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard case .object(let entry) = value else { throw .invalidHeader(path: path, reason: "entry '\(name)' is not an object") }
            guard case .string(let dtypeName)? = entry["dtype"] else { throw .invalidHeader(path: path, reason: "tensor '\(name)' has no dtype") }
            let dtype = StoredTensor.DType(rawValue: dtypeName)
            let otherSize = skippingOtherDTypes ? Self.otherDTypeSizes[dtypeName] : nil
            guard dtype != nil || otherSize != nil else { throw .unsupportedDType(path: path, tensor: name, dtype: dtypeName) }
            let elementSize = dtype?.size ?? otherSize ?? 1
            guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidHeader(
                    path: path, reason: "tensor '\(name)' has shape \(entry["shape"].map(compact) ?? "none"), expected non-negative integers")
            }
            guard let offsets = integers(entry["data_offsets"]), offsets.count == 2,
                offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= bufferSize
            else {
                throw .malformed(
                    path: path,
                    reason: "tensor '\(name)' has data_offsets \(entry["data_offsets"].map(compact) ?? "none") outside the \(bufferSize)-byte data")
            }
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= bufferSize else {
                    throw .malformed(path: path, reason: "tensor '\(name)' has shape \(shape), larger than the file")
                }
                elements = product
            }
            guard elements * elementSize == offsets[1] - offsets[0] else {
                throw .malformed(
                    path: path,
                    reason:
                        "tensor '\(name)' of shape \(shape) and dtype \(dtypeName) needs \(elements * elementSize) bytes, its offsets span \(offsets[1] - offsets[0])"
                )
            }
            ranges.append((name, offsets[0], offsets[1]))
            guard let dtype else {
                skipped[name] = dtypeName
                continue
            }
            tensors[name] = StoredTensor(dtype: dtype, shape: shape, bytes: Array(bytes[(headerEnd + offsets[0])..<(headerEnd + offsets[1])]))
        }
        var position = 0
        for range in ranges.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            guard range.start >= position else { throw .malformed(path: path, reason: "tensor '\(range.name)' overlaps the tensor before it") }
            guard range.start == position else {
                throw .malformed(path: path, reason: "a gap of \(range.start - position) bytes before tensor '\(range.name)'")
            }
            position = range.end
        }
        guard position == bufferSize else { throw .malformed(path: path, reason: "\(bufferSize - position) bytes after the last tensor") }
        return (tensors, metadata, skipped)
    }

    /// Reads a safetensors file.
    public static func read(_ path: String) throws(ModelFileError) -> (tensors: [String: StoredTensor], metadata: [String: String]) {
        try decode(try fileBytes(path), path: path)
    }

    private static func fileBytes(_ path: String) throws(ModelFileError) -> [UInt8] {
        // Foundation's reader leaks a 4 KiB buffer on an empty file (LeakSanitizer, Swift 6.3).
        if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.intValue == 0 { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return [UInt8](data)
    }

    /// Writes a safetensors file atomically.
    public static func write(tensors: [String: StoredTensor], metadata: [String: String], to path: String) throws(ModelFileError) {
        do { try AtomicFile.write(Data(encode(tensors: tensors, metadata: metadata)), to: URL(fileURLWithPath: path)) } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }
}

extension StoredTensor {
    init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }
}

/// JSON integers only: `1.5`, `true`, strings and numbers beyond `Int`'s range are not integers.
private func integers(_ value: JSONValue?) -> [Int]? {
    guard case .array(let elements)? = value else { return nil }
    var result: [Int] = []
    for element in elements {
        guard case .integer(let number) = element else { return nil }
        result.append(Int(number))
    }
    return result
}

/// A JSON value as compact text, for messages.
private func compact(_ value: JSONValue) -> String {
    (try? JSONFormat.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
