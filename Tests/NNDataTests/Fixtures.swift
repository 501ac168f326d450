import Foundation

@testable import NNData

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-data-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// gzip-compresses with the system's `gzip` (part of every Debian and macOS install).
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/bin/gzip") ? "/bin/gzip" : "/usr/bin/gzip")
    process.arguments = ["-c", "-n"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    // Written from another thread so that a full output pipe cannot block the input.
    let writer = input.fileHandleForWriting
    DispatchQueue.global().async {
        writer.write(Data(bytes))
        try? writer.close()
    }
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return [UInt8](compressed)
}

func bigEndian32(_ value: Int) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

func littleEndian(_ value: Int, bytes count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// An IDX file: header, then the payload as given.
func idx(type: UInt8, shape: [Int], payload: [UInt8]) -> [UInt8] {
    [0, 0, type, UInt8(shape.count)] + shape.flatMap(bigEndian32) + payload
}

/// A BMP file. `rows` are top-row-first pixel values: palette indices (8-bit) or
/// (red, green, blue) triples packed as 0xRRGGBB (24- and 32-bit).
func bmp(
    width: Int, rows: [[Int]], bitsPerPixel: Int, topDown: Bool = false, palette: [(r: UInt8, g: UInt8, b: UInt8)] = [],
    compression: Int = 0, headerSize: Int = 40, masks: [Int]? = nil
) -> [UInt8] {
    let height = rows.count
    let stride = (bitsPerPixel * width + 31) / 32 * 4
    let maskBytes = masks.map { $0.flatMap { littleEndian($0, bytes: 4) } } ?? []
    let extraHeader = headerSize == 40 ? maskBytes : []
    let paletteBytes: [UInt8] = palette.flatMap { entry -> [UInt8] in [entry.b, entry.g, entry.r, 0] }
    let offset = 14 + headerSize + extraHeader.count + paletteBytes.count
    var pixelData: [UInt8] = []
    for row in (topDown ? Array(rows) : rows.reversed()) {
        var line: [UInt8] = []
        for value in row {
            switch bitsPerPixel {
            case 8: line.append(UInt8(value))
            case 24: line += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF)]
            case 16: line += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
            default: line += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), 0xFF]
            }
        }
        line = Array(line.prefix(stride))   // 1- and 4-bit rows: one byte per pixel, cut to the stride
        pixelData += line + [UInt8](repeating: 0, count: stride - line.count)
    }
    var info = littleEndian(headerSize, bytes: 4) + littleEndian(width, bytes: 4) + littleEndian(topDown ? -height : height, bytes: 4)
    info += littleEndian(1, bytes: 2) + littleEndian(bitsPerPixel, bytes: 2) + littleEndian(compression, bytes: 4)
    info += littleEndian(pixelData.count, bytes: 4) + littleEndian(2835, bytes: 4) + littleEndian(2835, bytes: 4)
    info += littleEndian(palette.count, bytes: 4) + littleEndian(0, bytes: 4)
    if headerSize < 40 { info = Array(info.prefix(headerSize)) }   // e.g. a 12-byte OS/2 header
    if headerSize > 40 {
        var rest = [UInt8](repeating: 0, count: headerSize - 40)
        for (index, byte) in maskBytes.enumerated() where index < rest.count { rest[index] = byte }
        info += rest
    }
    var file: [UInt8] = [0x42, 0x4D]
    file += littleEndian(offset + pixelData.count, bytes: 4)
    file += [0, 0, 0, 0]
    file += littleEndian(offset, bytes: 4)
    file += info
    file += extraHeader
    file += paletteBytes
    file += pixelData
    return file
}

/// A 256-level grey palette.
let greyPalette = (0..<256).map { (r: UInt8($0), g: UInt8($0), b: UInt8($0)) }

/// Expects `body` to throw a `DataFileError` whose description contains every fragment.
/// Returns `nil` when it does, else what went wrong.
func dataError<R>(_ fragments: String..., in body: () throws -> R) -> String? {
    do {
        _ = try body()
        return "no error was thrown"
    } catch let error as DataFileError {
        let text = "\(error)"
        let missing = fragments.filter { !text.contains($0) }
        return missing.isEmpty ? nil : "'\(text)' lacks \(missing)"
    } catch {
        return "threw \(type(of: error)), not DataFileError: \(error)"
    }
}
