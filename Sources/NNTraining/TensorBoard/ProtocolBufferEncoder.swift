/// The protocol-buffer wire format, as far as TensorBoard's event files need it: varints,
/// 64- and 32-bit fixed fields and length-delimited fields (strings, bytes, nested
/// messages, packed repeated doubles). Fields are written in the order they are added.
struct ProtocolBufferEncoder {
    /// The encoded message so far.
    private(set) var bytes: [UInt8] = []

    /// Appends a varint: seven bits at a time, lowest first, the high bit marking "more".
    mutating func appendVarint(_ value: UInt64) {
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

    /// An `int64` field (wire type 0; negative values take ten bytes, as the format says).
    mutating func int64(_ field: Int, _ value: Int64) {
        appendKey(field, wireType: 0)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `double` field (wire type 1: eight bytes, little-endian).
    mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, wireType: 1)
        appendLittleEndian(value.bitPattern)
    }

    /// A `float` field (wire type 5: four bytes, little-endian).
    mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, wireType: 5)
        appendLittleEndian(value.bitPattern)
    }

    /// A `bytes` or embedded-message field (wire type 2: the length, then the bytes).
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A `string` field, in UTF-8.
    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A packed `repeated double` field: one length-delimited run of eight-byte values.
    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var packed = ProtocolBufferEncoder()
        for value in values { packed.appendLittleEndian(value.bitPattern) }
        bytes(field, packed.bytes)
    }

    private mutating func appendLittleEndian<Word: FixedWidthInteger>(_ word: Word) {
        withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
    }
}
