import Foundation
import NNCore
import Testing

@testable import NNData

@Suite struct BMPImageTests {
    let rows = [[0, 64, 255], [10, 20, 30]]   // 3×2, top row first

    @Test func eightBitGreyPaletteBottomUpAndTopDown() throws {
        for topDown in [false, true] {
            let image = try BMPImage.decode(bmp(width: 3, rows: rows, bitsPerPixel: 8, topDown: topDown, palette: greyPalette), path: "g.bmp")
            #expect(image.width == 3 && image.height == 2)
            #expect(image.pixels == [0, 64, 255, 10, 20, 30])
        }
    }

    @Test func eightBitColourPaletteBecomesLuma() throws {
        let palette: [(r: UInt8, g: UInt8, b: UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (100, 100, 100)]
        let image = try BMPImage.decode(bmp(width: 4, rows: [[0, 1, 2, 3]], bitsPerPixel: 8, palette: palette), path: "c.bmp")
        #expect(zip(image.pixels, [0.299 * 255, 0.587 * 255, 0.114 * 255, 100]).allSatisfy { abs($0 - Float($1)) < 1e-3 })
    }

    @Test func twentyFourAndThirtyTwoBit() throws {
        let colour = [[0xFF0000, 0x00FF00, 0x808080], [0x0000FF, 0xFFFFFF, 0x000000]]
        let expected: [Float] = [0.299 * 255, 0.587 * 255, 128, 0.114 * 255, 255, 0]
        for (bits, topDown) in [(24, false), (24, true), (32, false), (32, true)] {
            let image = try BMPImage.decode(bmp(width: 3, rows: colour, bitsPerPixel: bits, topDown: topDown), path: "\(bits).bmp")
            #expect(zip(image.pixels, expected).allSatisfy { abs($0 - $1) < 1e-3 }, "\(bits)-bit topDown \(topDown)")
        }
        // 32-bit with bit-field masks (BGRA order named explicitly) in a V5 header.
        let masked = bmp(
            width: 3, rows: colour, bitsPerPixel: 32, compression: 3, headerSize: 124,
            masks: [0xFF0000, 0xFF00, 0xFF, 0xFF00_0000])
        #expect(zip(try BMPImage.decode(masked, path: "m.bmp").pixels, expected).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    @Test func unsupportedVariantsSayWhichVariant() {
        let cases: [([UInt8], String)] = [
            (bmp(width: 8, rows: [[0]], bitsPerPixel: 1, palette: [(0, 0, 0), (255, 255, 255)]), "1-bit BMP"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 4, palette: greyPalette.prefix(16).map { $0 }), "4-bit BMP"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 16), "16-bit BMP"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 8, palette: greyPalette, compression: 1), "RLE8-compressed BMP"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 4, palette: greyPalette.prefix(16).map { $0 }, compression: 2), "RLE4-compressed BMP"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 24, compression: 4), "BMP holding a JPEG image"),
            (bmp(width: 2, rows: [[0, 1]], bitsPerPixel: 24, headerSize: 12), "OS/2 BMP"),
        ]
        for (bytes, variant) in cases {
            #expect(dataError("v.bmp", "unsupported", variant) { try BMPImage.decode(bytes, path: "v.bmp") } == nil, "\(variant)")
        }
    }

    @Test func badFilesAreTypedErrors() {
        let good = bmp(width: 3, rows: rows, bitsPerPixel: 8, palette: greyPalette)
        var huge = good
        huge.replaceSubrange(18..<26, with: littleEndian(100_000, bytes: 4) + littleEndian(100_000, bytes: 4))
        var large = good
        large.replaceSubrange(18..<26, with: littleEndian(1000, bytes: 4) + littleEndian(1000, bytes: 4))
        var badIndex = bmp(width: 3, rows: [[0, 1, 2], [3, 2, 1]], bitsPerPixel: 8, palette: Array(greyPalette.prefix(4)))
        badIndex[badIndex.count - 2] = 200   // the top row is stored last (bottom-up): 0, 1, 2, padding
        var zeroWidth = good
        zeroWidth.replaceSubrange(18..<22, with: littleEndian(0, bytes: 4))
        let cases: [([UInt8], [String])] = [
            ([], ["empty"]),
            (Array("PNG?".utf8), ["not a BMP file", "50 4e 47 3f"]),
            (Array(good.prefix(16)), ["truncated"]),
            (Array(good.prefix(good.count - 5)), ["truncated", "expected"]),
            (huge, ["100000×100000 pixels", "limit"]),
            (large, ["truncated", "expected 1001078 bytes"]),
            (badIndex, ["pixel (2, 0)", "colour 200 is beyond the 4-colour palette"]),
            (zeroWidth, ["not positive"]),
        ]
        for (bytes, fragments) in cases {
            for fragment in fragments {
                #expect(dataError("bad.bmp", fragment) { try BMPImage.decode(bytes, path: "bad.bmp") } == nil, "\(fragment)")
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededRandomGenerator(seed: 2)
        let good = bmp(width: 5, rows: Array(repeating: [1, 2, 3, 4, 5], count: 4), bitsPerPixel: 8, palette: greyPalette)
        for trial in 0..<2000 {
            var bytes = good
            // Corrupt a few header or pixel bytes, or cut the file.
            for _ in 0..<(1 + trial % 4) { bytes[generator.nextIndex(below: 70)] = UInt8(truncatingIfNeeded: generator.next()) }
            if trial % 5 == 0 { bytes = Array(bytes.prefix(generator.nextIndex(below: bytes.count))) }
            _ = try? BMPImage.decode(bytes, path: "random.bmp")
        }
    }
}

@Suite struct BMPEncodingTests {
    @Test func encodedImagesDecodeToTheSamePixels() throws {
        let image = BMPImage(width: 5, height: 3, pixels: (0..<15).map { Float($0 * 17) })
        #expect(try BMPImage.decode(image.encoded(), path: "round-trip.bmp") == image)
    }
}
