/// CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's mask of it.
enum CRC32C {
    /// The table of the reflected polynomial 0x82F63B78, one entry per byte value.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes` (`checksum("123456789") == 0xE3069283`).
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The checksum rotated right by 15 bits plus a constant, as TFRecord stores it (a CRC of
    /// data that itself holds CRCs is weak; the mask avoids that).
    static func masked(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
