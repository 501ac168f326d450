import NNCore

/// The IDX format of the MNIST files: two zero bytes, an element-type byte, the rank, the
/// rank's dimensions as big-endian 32-bit integers, then the elements, big-endian, row-major.
/// Files may be gzip-compressed (recognised by their signature).
public enum IDXFile {
    /// The element types IDX defines.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        case unsignedByte = 0x08, signedByte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .unsignedByte, .signedByte: return 1
            case .short: return 2
            case .int, .float: return 4
            case .double: return 8
            }
        }
    }

    /// The largest file (decompressed), and the largest tensor it decodes to, that a loader
    /// accepts unless told otherwise: 4 GiB.
    public static let defaultLimit = 4 << 30

    /// Loads an IDX file (plain or `.gz`) as a tensor of its shape.
    /// - Throws: ``DataFileError`` for an empty, truncated, corrupt or oversized file, a wrong
    ///   signature, or an unknown element type. Sizes are checked before anything is allocated.
    public static func load<T: TensorScalar>(_ path: String, as _: T.Type = Float.self, limit: Int = defaultLimit) throws(DataFileError)
        -> (elementType: ElementType, tensor: Tensor<T>)
    {
        try decode(FileBytes.read(path), path: path, as: T.self, limit: limit)
    }

    /// Decodes the bytes of an IDX file, plain or gzip-compressed.
    public static func decode<T: TensorScalar>(_ input: [UInt8], path: String, as _: T.Type = Float.self, limit: Int = defaultLimit)
        throws(DataFileError) -> (elementType: ElementType, tensor: Tensor<T>)
    {
        let bytes = Gzip.isCompressed(input) ? try Gzip.decompress(input, path: path, limit: limit) : input
        guard !bytes.isEmpty else { throw .empty(path: path) }
        guard bytes.count >= 4 else { throw .truncated(path: path, expected: 4, actual: bytes.count) }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw .wrongMagic(path: path, found: hex(bytes.prefix(4)), expected: "an IDX file (00 00 type rank)")
        }
        guard let type = ElementType(rawValue: bytes[2]) else {
            throw .unsupported(path: path, variant: "IDX element type 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw .truncated(path: path, expected: headerSize, actual: bytes.count) }
        var shape: [Int] = []
        var count = 1, bound = 1
        // Each element takes type.size bytes in the file and MemoryLayout<T>.size in the
        // tensor: the limit holds for both. Zero dimensions count as one in the bound, so an
        // empty file cannot declare other dimensions whose product overflows.
        let elementLimit = limit / Swift.max(type.size, MemoryLayout<T>.size)
        for dimension in 0..<rank {
            let offset = 4 + 4 * dimension
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            shape.append(size)
            let (product, overflow) = bound.multipliedReportingOverflow(by: Swift.max(size, 1))
            guard !overflow, product <= elementLimit else {
                throw .tooLarge(path: path, declared: "shape \(shape.map(String.init).joined(separator: "×"))…", limit: byteCount(limit))
            }
            bound = product
            count *= size
        }
        let expected = headerSize + count * type.size
        guard bytes.count >= expected else { throw .truncated(path: path, expected: expected, actual: bytes.count) }
        guard bytes.count == expected else {
            throw .malformed(path: path, position: "byte \(expected)", reason: "\(bytes.count - expected) bytes after the data of shape \(shape)")
        }
        let scalars: [T] = bytes.withUnsafeBufferPointer { decodeElements(UnsafeRawBufferPointer($0), from: headerSize, count: count, type: type) }
        // Integer elements are finite in any T; a float element may be NaN, infinite, or a
        // double beyond Float's range.
        if type == .float || type == .double, let bad = scalars.firstIndex(where: { !$0.isFinite }) {
            throw .malformed(
                path: path, position: "element \(bad + 1) (byte \(headerSize + bad * type.size))",
                reason: "\(scalars[bad]) is not a finite number\(type == .double && T.self == Float.self ? " in Float's range" : "")")
        }
        return (type, try tensor(shape: shape, scalars: scalars, path: path))
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func decodeElements<T: TensorScalar>(_ raw: UnsafeRawBufferPointer, from start: Int, count: Int, type: ElementType) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let data = raw.baseAddress! + start
            switch type {
            case .unsignedByte:
                for i in 0..<count { buffer[i] = T(data.load(fromByteOffset: i, as: UInt8.self)) }
            case .signedByte:
                for i in 0..<count { buffer[i] = T(data.load(fromByteOffset: i, as: Int8.self)) }
            case .short:
                for i in 0..<count { buffer[i] = T(Int16(bigEndian: data.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
            case .int:
                for i in 0..<count { buffer[i] = T(Int32(bigEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
            case .float:
                for i in 0..<count {
                    buffer[i] = T(Float(bitPattern: UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                }
            case .double:
                for i in 0..<count {
                    buffer[i] = T(Double(bitPattern: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            }
            initialized = count
        }
    }
}

/// The first bytes of a file in hexadecimal, for messages.
func hex(_ bytes: some Collection<UInt8>) -> String {
    bytes.isEmpty ? "nothing" : bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
}
