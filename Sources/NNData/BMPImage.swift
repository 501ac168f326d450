/// A Windows bitmap decoded to greyscale: uncompressed 8-bit palette (grey or colour),
/// 24-bit and 32-bit, stored bottom-up or top-down.
///
/// Pixels are luma values in `[0, 255]` (`0.299 R + 0.587 G + 0.114 B`; a grey palette gives
/// its grey level exactly), row-major from the top-left. Other variants (1-, 4- and 16-bit,
/// RLE, JPEG or PNG inside BMP, OS/2 headers) are rejected with an error naming the variant.
public struct BMPImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width × height` grey levels in `[0, 255]`, top row first.
    public var pixels: [Float]

    /// Creates an image from grey levels, top row first.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "BMPImage: \(pixels.count) pixels for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The largest image accepted, in pixels, checked before anything is allocated.
    public static let pixelLimit = 1 << 26

    /// Loads and decodes a BMP file.
    public static func load(_ path: String) throws(DataFileError) -> BMPImage {
        try decode(FileBytes.read(path), path: path)
    }

    /// Decodes the bytes of a BMP file.
    public static func decode(_ bytes: [UInt8], path: String) throws(DataFileError) -> BMPImage {
        guard !bytes.isEmpty else { throw .empty(path: path) }
        guard bytes.count >= 2, bytes[0] == 0x42, bytes[1] == 0x4D else {
            throw .wrongMagic(path: path, found: hex(bytes.prefix(4)), expected: "a BMP file (\"BM\")")
        }
        guard bytes.count >= 18 else { throw .truncated(path: path, expected: 18, actual: bytes.count) }
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func u32(_ offset: Int) -> Int { u16(offset) | u16(offset + 2) << 16 }
        func i32(_ offset: Int) -> Int { Int(Int32(truncatingIfNeeded: u32(offset))) }

        let pixelOffset = u32(10), headerSize = u32(14)
        guard [40, 52, 56, 108, 124].contains(headerSize) else {
            let variant = headerSize == 12 ? "OS/2 BMP (12-byte BITMAPCOREHEADER)" : "BMP header of \(headerSize) bytes"
            throw .unsupported(path: path, variant: variant)
        }
        guard bytes.count >= 14 + headerSize else { throw .truncated(path: path, expected: 14 + headerSize, actual: bytes.count) }
        let width = i32(18), signedHeight = i32(22), bitsPerPixel = u16(28), compression = u32(30)
        let height = abs(signedHeight), topDown = signedHeight < 0

        switch compression {
        case 0, 3, 6: break
        case 1: throw .unsupported(path: path, variant: "RLE8-compressed BMP")
        case 2: throw .unsupported(path: path, variant: "RLE4-compressed BMP")
        case 4: throw .unsupported(path: path, variant: "BMP holding a JPEG image")
        case 5: throw .unsupported(path: path, variant: "BMP holding a PNG image")
        default: throw .unsupported(path: path, variant: "BMP compression type \(compression)")
        }
        switch bitsPerPixel {
        case 8 where compression == 0, 24 where compression == 0, 32: break
        case 1, 4, 16, 8, 24:
            throw .unsupported(path: path, variant: "\(bitsPerPixel)-bit BMP\(compression == 0 ? "" : " with bit-field masks")")
        default: throw .malformed(path: path, position: "byte 28", reason: "\(bitsPerPixel) bits per pixel is not a BMP depth")
        }
        guard width > 0, height > 0 else {
            throw .malformed(path: path, position: "byte 18", reason: "image size \(width)×\(signedHeight) is not positive")
        }
        guard width <= BMPImage.pixelLimit / height else {
            throw .tooLarge(path: path, declared: "\(width)×\(height) pixels", limit: "\(BMPImage.pixelLimit) pixels")
        }

        let stride = (bitsPerPixel * width + 31) / 32 * 4
        let needed = pixelOffset + stride * (height - 1) + (bitsPerPixel * width + 7) / 8
        guard pixelOffset >= 14 + headerSize else {
            throw .malformed(path: path, position: "byte 10", reason: "pixel data offset \(pixelOffset) lies inside the header")
        }
        guard bytes.count >= needed else { throw .truncated(path: path, expected: needed, actual: bytes.count) }

        var palette: [Float] = []
        if bitsPerPixel == 8 {
            let entries = u32(46) == 0 ? 256 : u32(46)
            let start = 14 + headerSize
            guard entries <= 256, start + 4 * entries <= pixelOffset else {
                throw .malformed(path: path, position: "byte 46", reason: "a palette of \(entries) colours does not fit before the pixels")
            }
            palette = (0..<entries).map { luma(blue: bytes[start + 4 * $0], green: bytes[start + 4 * $0 + 1], red: bytes[start + 4 * $0 + 2]) }
        }
        // 32-bit images with bit fields name where each channel sits; the usual layout is BGRA.
        var shifts = (red: 16, green: 8, blue: 0)
        if bitsPerPixel == 32 && compression != 0 {
            guard bytes.count >= 66 else { throw .truncated(path: path, expected: 66, actual: bytes.count) }
            func shift(_ mask: Int) throws(DataFileError) -> Int {
                guard [0xFF, 0xFF00, 0xFF_0000, 0xFF00_0000].contains(mask) else {
                    throw .unsupported(path: path, variant: "32-bit BMP with channel mask 0x\(String(mask, radix: 16))")
                }
                return mask.trailingZeroBitCount
            }
            shifts = (try shift(u32(54)), try shift(u32(58)), try shift(u32(62)))
        }

        var pixels = [Float](repeating: 0, count: width * height)
        for row in 0..<height {
            let source = pixelOffset + (topDown ? row : height - 1 - row) * stride
            let target = row * width
            switch bitsPerPixel {
            case 8:
                for x in 0..<width {
                    let index = Int(bytes[source + x])
                    guard index < palette.count else {
                        throw .malformed(
                            path: path, position: "pixel (\(x), \(row))", reason: "colour \(index) is beyond the \(palette.count)-colour palette")
                    }
                    pixels[target + x] = palette[index]
                }
            case 24:
                for x in 0..<width {
                    let p = source + 3 * x
                    pixels[target + x] = luma(blue: bytes[p], green: bytes[p + 1], red: bytes[p + 2])
                }
            default:
                for x in 0..<width {
                    let p = source + 4 * x
                    let value = u32(p)
                    pixels[target + x] = luma(
                        blue: UInt8(truncatingIfNeeded: value >> shifts.blue),
                        green: UInt8(truncatingIfNeeded: value >> shifts.green),
                        red: UInt8(truncatingIfNeeded: value >> shifts.red))
                }
            }
        }
        return BMPImage(width: width, height: height, pixels: pixels)
    }

    /// The image as an uncompressed 8-bit BMP with a 256-level grey palette (pixels rounded
    /// and clamped to 0...255), stored bottom-up as most writers do.
    public func encoded() -> [UInt8] {
        func le(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        let stride = (width + 3) / 4 * 4
        let offset = 14 + 40 + 1024
        var file: [UInt8] = [0x42, 0x4D] + le(offset + stride * height, 4) + le(0, 4) + le(offset, 4)
        file += le(40, 4) + le(width, 4) + le(height, 4) + le(1, 2) + le(8, 2) + le(0, 4) + le(stride * height, 4)
        file += le(2835, 4) + le(2835, 4) + le(256, 4) + le(0, 4)
        file += (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0), 0] }
        for row in (0..<height).reversed() {
            file += pixels[(row * width)..<((row + 1) * width)].map { UInt8(Swift.min(Swift.max($0.rounded(), 0), 255)) }
            file += [UInt8](repeating: 0, count: stride - width)
        }
        return file
    }

    /// ITU-R BT.601 luma; equal channels give exactly their value.
    private static func luma(blue: UInt8, green: UInt8, red: UInt8) -> Float {
        red == green && green == blue ? Float(red) : 0.299 * Float(red) + 0.587 * Float(green) + 0.114 * Float(blue)
    }
}
