import CZlib
import Foundation

/// A PNG decoded to 8-bit pixels — enough of the format for browser screenshots (bit depth
/// 8, RGB or RGBA, not interlaced), so that tests can compare regions of two screenshots.
struct PNGImage {
    enum Failure: Error { case notPNG, unsupported(String), corrupt(String) }

    let width: Int, height: Int, channels: Int
    /// Row after row, `channels` bytes per pixel.
    let pixels: [UInt8]

    init(contentsOf path: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure.notPNG }
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8, compressed: [UInt8] = []
        var header: (width: Int, height: Int, depth: UInt8, color: UInt8, interlace: UInt8)?
        while offset + 12 <= bytes.count {
            let length = word(offset), type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= bytes.count else { throw Failure.corrupt("chunk \(type) runs past the end") }
            let data = bytes[offset + 8..<offset + 8 + length]
            switch type {
            case "IHDR":
                header = (word(offset + 8), word(offset + 12), data[data.startIndex + 8], data[data.startIndex + 9], data[data.startIndex + 12])
            case "IDAT": compressed += data
            default: break
            }
            offset += 12 + length
        }
        guard let header else { throw Failure.corrupt("no IHDR") }
        guard header.depth == 8, header.color == 2 || header.color == 6, header.interlace == 0 else {
            throw Failure.unsupported("bit depth \(header.depth), colour type \(header.color), interlace \(header.interlace)")
        }
        let channels = header.color == 2 ? 3 : 4, stride = header.width * channels
        var raw = [UInt8](repeating: 0, count: header.height * (stride + 1))
        var rawCount = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { source in uncompress(out.baseAddress, &rawCount, source.baseAddress, uLong(source.count)) }
        }
        guard status == Z_OK, Int(rawCount) == raw.count else { throw Failure.corrupt("zlib status \(status)") }
        // Undo the filters, row by row (PNG's None, Sub, Up, Average, Paeth).
        var pixels = [UInt8](repeating: 0, count: header.height * stride)
        for row in 0..<header.height {
            let filter = raw[row * (stride + 1)]
            for column in 0..<stride {
                let x = raw[row * (stride + 1) + 1 + column]
                let a = column >= channels ? Int(pixels[row * stride + column - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + column]) : 0
                let c = row > 0 && column >= channels ? Int(pixels[(row - 1) * stride + column - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw Failure.corrupt("filter \(filter) in row \(row)")
                }
                pixels[row * stride + column] = UInt8(truncatingIfNeeded: Int(x) + predicted)
            }
        }
        (width, height, self.channels, self.pixels) = (header.width, header.height, channels, pixels)
    }

    /// How many pixels differ between this image and `other` inside the rectangle.
    func differingPixels(from other: PNGImage, x: Range<Int>, y: Range<Int>) -> Int {
        var count = 0
        for row in y where row < height && row < other.height {
            for column in x where column < width && column < other.width {
                let here = Array(pixels[(row * width + column) * channels..<(row * width + column) * channels + 3])
                let there = Array(other.pixels[(row * other.width + column) * other.channels..<(row * other.width + column) * other.channels + 3])
                if here != there { count += 1 }
            }
        }
        return count
    }
}
