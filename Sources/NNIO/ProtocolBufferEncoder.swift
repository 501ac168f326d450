/// The protocol-buffer wire format, written by hand, as far as swift-nn's exports need it
/// (TensorBoard's event files, ONNX models): varints, 64- and 32-bit fixed fields and
/// length-delimited fields (strings, bytes, nested messages, packed repeated doubles).
/// Fields are written in the order they are added; a reader takes any order.
///
/// ```swift
/// var entry = ProtocolBufferEncoder()
/// entry.string(1, "key")        // field 1: a string
/// entry.string(2, "value")      // field 2: another
/// var message = ProtocolBufferEncoder()
/// message.bytes(14, entry.bytes) // an embedded message is its bytes, length-delimited
/// ```
public struct ProtocolBufferEncoder: Sendable {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty message.
    public init() {}

    /// Appends a varint: seven bits at a time, lowest first, the high bit marking "more".
    public mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func appendKey(_ field: Int, wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    /// An `int64` or `int32` field (wire type 0; negative values take ten bytes, as the
    /// format says).
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - value: the value.
    public mutating func int64(_ field: Int, _ value: Int64) {
        appendKey(field, wireType: 0)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `double` field (wire type 1: eight bytes, little-endian).
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - value: the value.
    public mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, wireType: 1)
        appendLittleEndian(value.bitPattern)
    }

    /// A `float` field (wire type 5: four bytes, little-endian).
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - value: the value.
    public mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, wireType: 5)
        appendLittleEndian(value.bitPattern)
    }

    /// A `bytes` or embedded-message field (wire type 2: the length, then the bytes).
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - value: the bytes (for a message, its encoder's ``bytes``).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A `string` field, in UTF-8.
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - value: the text.
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A packed `repeated double` field: one length-delimited run of eight-byte values.
    /// - Parameters:
    ///   - field: the field's number in the schema.
    ///   - values: the values, in order.
    public mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var packed = ProtocolBufferEncoder()
        for value in values { packed.appendLittleEndian(value.bitPattern) }
        bytes(field, packed.bytes)
    }

    private mutating func appendLittleEndian<Word: FixedWidthInteger>(_ word: Word) {
        withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
    }
}
