import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct IDXFileTests {
    @Test func readsUnsignedBytesOfAnyRankPlainAndCompressed() throws {
        let bytes = idx(type: 0x08, shape: [2, 2, 3], payload: (0..<12).map { UInt8($0 * 20) })
        let (type, tensor) = try IDXFile.decode(bytes, path: "x", as: Float.self)
        #expect(type == .unsignedByte && tensor.shape == [2, 2, 3])
        #expect(tensor.scalars == (0..<12).map { Float($0 * 20) })
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write(try gzip(bytes), to: "\(folder)/x.gz")
        #expect(try IDXFile.load("\(folder)/x.gz", as: Float.self).tensor == tensor)
    }

    @Test func readsBigEndianFloatsDoublesAndIntegers() throws {
        let floats: [Float] = [1.5, -2.25, 3e-3, 1e20]
        let payload = floats.flatMap { bigEndian32(Int($0.bitPattern)) }
        #expect(try IDXFile.decode(idx(type: 0x0D, shape: [2, 2], payload: payload), path: "f", as: Float.self).tensor.scalars == floats)
        let double = -1234.5678
        let doublePayload = (0..<8).map { UInt8(truncatingIfNeeded: double.bitPattern >> (56 - 8 * UInt64($0))) }
        #expect(try IDXFile.decode(idx(type: 0x0E, shape: [1], payload: doublePayload), path: "d", as: Double.self).tensor.scalars == [double])
        #expect(
            try IDXFile.decode(idx(type: 0x0C, shape: [1], payload: bigEndian32(-7 & 0xFFFF_FFFF)), path: "i", as: Double.self).tensor.scalars == [-7]
        )
        #expect(try IDXFile.decode(idx(type: 0x09, shape: [2], payload: [0xFF, 0x05]), path: "b", as: Double.self).tensor.scalars == [-1, 5])
        #expect(try IDXFile.decode(idx(type: 0x0B, shape: [1], payload: [0xFF, 0xFE]), path: "s", as: Double.self).tensor.scalars == [-2])
    }

    @Test func rejectsBadFilesWithTypedErrors() throws {
        let cases: [(String, [UInt8], [String])] = [
            ("empty", [], ["empty"]),
            ("three bytes", [0, 0, 8], ["truncated", "expected 4 bytes"]),
            ("wrong magic", Array("nope, not idx".utf8), ["not an IDX file", "6e 6f 70 65"]),
            ("unknown type", [0, 0, 0x07, 1] + bigEndian32(1) + [0], ["unsupported IDX element type 0x7"]),
            ("header cut short", [0, 0, 8, 3] + bigEndian32(2), ["truncated", "expected 16 bytes"]),
            (
                "declared size beyond the file", idx(type: 0x08, shape: [1000, 1000], payload: [1, 2, 3]),
                ["truncated", "expected 1000012 bytes", "has 15"]
            ),
            ("absurd shape", idx(type: 0x0D, shape: [65535, 65535, 65535], payload: []), ["declares shape 65535×65535", "limit"]),
            ("trailing bytes", idx(type: 0x08, shape: [2], payload: [1, 2, 3]), ["byte 10", "1 bytes after the data"]),
        ]
        for (name, bytes, fragments) in cases {
            for fragment in fragments {
                #expect(dataError(fragment) { try IDXFile.decode(bytes, path: "case.idx", as: Float.self) } == nil, "\(name): \(fragment)")
            }
        }
    }

    @Test func rejectsTruncatedAndOversizedGzip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let compressed = try gzip(idx(type: 0x08, shape: [100, 100], payload: (0..<10_000).map { UInt8($0 % 251) }))
        try write(Array(compressed.prefix(compressed.count / 2)), to: "\(folder)/cut.gz")
        #expect(dataError("cut.gz", "corrupt compressed data", "ends early") { try IDXFile.load("\(folder)/cut.gz") } == nil)
        var flipped = compressed
        flipped[20] ^= 0xFF
        flipped[21] ^= 0xFF
        try write(flipped, to: "\(folder)/flipped.gz")
        #expect(dataError("flipped.gz", "corrupt compressed data") { try IDXFile.load("\(folder)/flipped.gz") } == nil)
        // A "zip bomb": 10 MB of zeros compress to a few kB; a 1 MB limit stops it while inflating.
        try write(try gzip([UInt8](repeating: 0, count: 10_000_000)), to: "\(folder)/bomb.gz")
        #expect(dataError("bomb.gz", "more than 1 MiB once decompressed") { try IDXFile.load("\(folder)/bomb.gz", limit: 1 << 20) } == nil)
        #expect(dataError("no such file") { try IDXFile.load("\(folder)/absent.idx") } == nil)
        #expect(dataError("it is a folder") { try IDXFile.load(folder) } == nil)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededRandomGenerator(seed: 1)
        for length in 0..<400 {
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if length > 4 && length % 3 == 0 {
                bytes[0] = 0
                bytes[1] = 0
                bytes[2] = 0x08
                bytes[3] = UInt8(length % 4)
            }
            _ = try? IDXFile.decode(bytes, path: "random", as: Float.self)
        }
    }
}

@Suite struct GzipTests {
    /// A trailer that claims 4 GiB: zlib's length check rejects the stream, and the reader
    /// sizes its buffer by what deflate can expand to (≈1032:1), never by the claim.
    @Test func aForgedSizeFieldIsRejectedWithoutAllocatingByIt() throws {
        var compressed = try gzip(idx(type: 0x08, shape: [4], payload: [1, 2, 3, 4]))
        compressed.replaceSubrange((compressed.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(
            dataError("forged.gz", "corrupt compressed data", "incorrect length check") {
                try Gzip.decompress(compressed, path: "forged.gz", limit: 1 << 30)
            } == nil)
    }

    @Test func concatenatedMembersAreRead() throws {
        let first = try gzip([1, 2, 3]), second = try gzip([4, 5])
        #expect(try Gzip.decompress(first + second, path: "two.gz", limit: 1 << 20) == [1, 2, 3, 4, 5])
    }
}
