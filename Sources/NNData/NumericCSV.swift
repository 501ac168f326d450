import Dispatch
import Foundation
import NNCore

/// The fast path of ``CSVFile``: an ASCII file whose every cell (label included) is a number,
/// parsed from its bytes on every core, without building a `String` or a cell array.
///
/// It reads exactly what the general path reads (the same header rule, label column, trimming
/// and quotes, each number rounded as `Double(text)` rounds it, then to `T`), or gives up and
/// returns `nil` at the first thing it does not handle — text labels, a bad cell, a short row,
/// a blank line between rows, non-ASCII bytes — so that the general path reads the file and
/// names the problem.
enum NumericCSV {
    /// The data set in `bytes`, or `nil` when the general path must read them.
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - options: the header, label column and delimiter, as for ``CSVFile/decode(_:path:options:as:)``.
    ///   - path: the file's name, for errors about the label column.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func decode<T: TensorScalar>(_ bytes: [UInt8], options: CSVFile.Options, path: String, as _: T.Type)
        throws(DataFileError) -> InMemoryDataset<T>?
    {
        var reading = Reading<T>(options: options, path: path)
        let consumed = try bytes.withUnsafeBufferPointer { buffer throws(DataFileError) in
            try reading.consume(UnsafeBufferPointer(rebasing: buffer[(buffer.starts(with: byteOrderMark) ? 3 : 0)...]), atEnd: true)
        }
        return consumed == nil ? nil : reading.dataset
    }

    /// The data set in the file at `path`, read a block at a time so that only the values and
    /// one block are in memory at once; `nil` when the general path must read it.
    /// - Parameters:
    ///   - path: the file.
    ///   - options: the header, label column and delimiter.
    ///   - blockSize: the bytes read at a time (more when a line is longer).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func load<T: TensorScalar>(_ path: String, options: CSVFile.Options, as _: T.Type, blockSize: Int = 8 << 20)
        throws(DataFileError) -> InMemoryDataset<T>?
    {
        guard let file = FileReader(path: path) else { return nil }
        defer { file.close() }
        var reading = Reading<T>(options: options, path: path)
        var pending: [UInt8] = []
        var first = true
        while true {
            guard let atEnd = file.append(upTo: blockSize, to: &pending) else { return nil }
            let skip = first && pending.starts(with: byteOrderMark) ? 3 : 0
            let consumed = try pending.withUnsafeBufferPointer { buffer throws(DataFileError) in
                try reading.consume(UnsafeBufferPointer(rebasing: buffer[skip...]), atEnd: atEnd)
            }
            guard let consumed else { return nil }
            if atEnd { return reading.dataset }
            if first && consumed > 0 {
                first = false
                // One block tells how many bytes a row takes: room for the whole file's rows,
                // so that the values are not copied as they grow.
                reading.reserve(rows: Int(Double(reading.rows) * Double(file.size) / Double(consumed + skip) * 1.05) + 16)
            }
            pending.removeFirst(consumed + skip)
        }
    }

    /// The UTF-8 byte order mark a file may start with.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// A read under way: the layout the first lines gave, and the values so far.
    private struct Reading<T: TensorScalar> {
        let options: CSVFile.Options
        let path: String
        var layout: (columns: Int, labelColumn: Int)?
        var features: [T] = [], targets: [T] = []
        /// Whether a blank line was met: only blank lines may follow it.
        var sawBlank = false

        init(options: CSVFile.Options, path: String) {
            (self.options, self.path) = (options, path)
        }

        var rows: Int { targets.count }

        mutating func reserve(rows: Int) {
            guard let layout else { return }
            features.reserveCapacity(rows * (layout.columns - 1))
            targets.reserveCapacity(rows)
        }

        /// The values read, as a data set (`nil` if there are none).
        var dataset: InMemoryDataset<T>? {
            guard let layout, rows > 0 else { return nil }
            return try? InMemoryDataset(
                features: Tensor(shape: [rows, layout.columns - 1], scalars: features), targets: Tensor(shape: [rows], scalars: targets))
        }

        /// Reads the complete lines of `block` (all of it at the end of the file).
        /// - Returns: the bytes consumed (0 when more are needed to make out the layout), or
        ///   `nil` at the first thing the fast path does not handle.
        mutating func consume(_ block: UnsafeBufferPointer<UInt8>, atEnd: Bool) throws(DataFileError) -> Int? {
            guard let delimiter = options.delimiter.asciiValue, let (found, consumed) = lineRanges(block, atEnd: atEnd) else { return nil }
            var lines = found[...]
            if layout == nil {
                guard lines.count >= 2 || atEnd else { return 0 }
                // The header rule and the label column come from the first two lines, as cells.
                let firstCells = lines.prefix(2).map { line in
                    CSVFile.splitCells(Substring(decoding: UnsafeBufferPointer(rebasing: block[line]), as: UTF8.self), options.delimiter)
                }
                guard let first = firstCells.first, first.count >= 2 else { return nil }
                let hasHeader: Bool
                switch options.header {
                case .present: hasHeader = true
                case .absent: hasHeader = false
                case .automatic: hasHeader = CSVFile.looksLikeHeader(firstCells)
                }
                layout = (first.count, try CSVFile.resolve(options.label, names: hasHeader ? first : nil, columns: first.count, path: path))
                if hasHeader { lines = lines.dropFirst() }
            }
            guard let (columns, labelColumn) = layout else { return nil }
            // Blank lines may end the file, nothing else may follow them (the general path
            // names a blank line between rows). A line that does not start with white space is
            // not blank, so only those that do are read through.
            var dataLines: [Range<Int>] = []
            dataLines.reserveCapacity(lines.count)
            for line in lines {
                let blank = line.isEmpty || (isSpace(block[line.lowerBound]) && block[line].allSatisfy(isSpace))
                if blank {
                    sawBlank = true
                } else {
                    guard !sawBlank else { return nil }
                    dataLines.append(line)
                }
            }
            let (oldRows, newRows) = (targets.count, dataLines.count)
            features.append(contentsOf: repeatElement(0, count: newRows * (columns - 1)))
            targets.append(contentsOf: repeatElement(0, count: newRows))
            let parsed = features.withUnsafeMutableBufferPointer { values in
                targets.withUnsafeMutableBufferPointer { labels in
                    parseRows(
                        block, dataLines[...], columns: columns, labelColumn: labelColumn, delimiter: delimiter,
                        into: UnsafeMutableBufferPointer(rebasing: values[(oldRows * (columns - 1))...]),
                        labels: UnsafeMutableBufferPointer(rebasing: labels[oldRows...]))
                }
            }
            return parsed ? consumed : nil
        }
    }

    /// White space a blank line may hold.
    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C }

    /// The byte ranges of the complete lines of `buffer` (without `\n` or `\r\n`; at the end
    /// of the file, the last line too) and the bytes they take; `nil` for a byte that is not
    /// ASCII (the general path validates UTF-8). The newlines are found on every core, a slice
    /// of the buffer each.
    private static func lineRanges(_ buffer: UnsafeBufferPointer<UInt8>, atEnd: Bool) -> (lines: [Range<Int>], consumed: Int)? {
        let slices = Swift.min(Swift.max(buffer.count / (1 << 20), 1), ProcessInfo.processInfo.activeProcessorCount * 2)
        let found = NewlineSlots(count: slices)
        let shared = SharedBytes(bytes: buffer)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let bytes = shared.bytes
            let range = (bytes.count * slice / slices)..<(bytes.count * (slice + 1) / slices)
            var newlines: [Int] = []
            var bits: UInt8 = 0
            for index in range {
                let byte = bytes[index]
                bits |= byte
                if byte == 0x0A { newlines.append(index) }
            }
            found.set(slice, newlines, ascii: bits < 0x80)
        }
        guard found.allASCII else { return nil }
        var lines: [Range<Int>] = []
        var lineStart = 0
        for newline in found.newlines {
            lines.append(lineStart..<(newline > lineStart && buffer[newline - 1] == 0x0D ? newline - 1 : newline))
            lineStart = newline + 1
        }
        guard atEnd else { return (lines, lineStart) }
        if lineStart < buffer.count { lines.append(lineStart..<(buffer[buffer.count - 1] == 0x0D ? buffer.count - 1 : buffer.count)) }
        return (lines, buffer.count)
    }

    /// Parses every row into `values` (features, row-major) and `labels`, on every core.
    /// - Returns: `false` at the first row the fast path does not handle.
    private static func parseRows<T: TensorScalar>(
        _ buffer: UnsafeBufferPointer<UInt8>, _ lines: ArraySlice<Range<Int>>, columns: Int, labelColumn: Int, delimiter: UInt8,
        into values: UnsafeMutableBufferPointer<T>, labels: UnsafeMutableBufferPointer<T>
    ) -> Bool {
        let rows = lines.count, first = lines.startIndex
        let chunks = Swift.min(Swift.max(rows / 4096, 1), ProcessInfo.processInfo.activeProcessorCount * 4)
        let failures = FailureFlag()
        let shared = SharedBuffers(input: buffer, values: values, labels: labels)
        let powers = powersOfTen
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let (buffer, values, labels) = (shared.input, shared.values, shared.labels)
            let chunkRows = (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks)
            for row in chunkRows {
                // Another worker's failure ends this one too (checked now and then: the flag is a lock).
                guard row % 256 != 0 || !failures.isSet else { return }
                var cellStart = lines[first + row].lowerBound
                let end = lines[first + row].upperBound
                var column = 0, output = row * (columns - 1)
                while true {
                    var cellEnd = cellStart
                    while cellEnd < end && buffer[cellEnd] != delimiter { cellEnd += 1 }
                    guard column < columns, let value = number(buffer, cellStart..<cellEnd, powers), value.isFinite, T(value).isFinite else {
                        failures.set()
                        return
                    }
                    if column == labelColumn {
                        labels[row] = T(value)
                    } else {
                        values[output] = T(value)
                        output += 1
                    }
                    column += 1
                    if cellEnd == end { break }
                    cellStart = cellEnd + 1
                }
                guard column == columns else {
                    failures.set()
                    return
                }
            }
        }
        return !failures.isSet
    }

    /// The number in `cell` as `Double(text)` reads it (spaces and tabs around it and one pair
    /// of quotes removed, as ``CSVFile`` does), or `nil`.
    ///
    /// Decimal numbers whose significant digits fit 2⁵³ and whose power of ten is at most 22
    /// are exact in `Double` and so are computed directly (Clinger's fast path: one correctly
    /// rounded multiplication or division); everything else goes to `Double(text)`.
    /// - Parameters:
    ///   - buffer: the file's bytes.
    ///   - cell: the cell's bytes.
    ///   - powers: ``powersOfTen``, passed in so that the hot loop does not check a global's
    ///     initialisation on every cell.
    @inline(__always)
    private static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ cell: Range<Int>, _ powers: [Double]) -> Double? {
        var (start, end) = (cell.lowerBound, cell.upperBound)
        while start < end && (buffer[start] == 0x20 || buffer[start] == 0x09) { start += 1 }
        while end > start && (buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09) { end -= 1 }
        if end - start >= 2 && buffer[start] == 0x22 && buffer[end - 1] == 0x22 { (start, end) = (start + 1, end - 1) }
        guard start < end else { return nil }
        var index = start
        let negative = buffer[index] == 0x2D
        if negative || buffer[index] == 0x2B { index += 1 }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0, sawDigit = false
        // `digits` counts every significant digit; beyond 19 the mantissa stops (and the fast
        // path below does not apply).
        while index < end, case let digit = buffer[index] &- 0x30, digit < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit) } else { exponent += 1 }
            if mantissa != 0 || digits > 0 { digits += 1 }
            sawDigit = true
            index += 1
        }
        if index < end && buffer[index] == 0x2E {
            index += 1
            while index < end, case let digit = buffer[index] &- 0x30, digit < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    exponent -= 1
                }
                if mantissa != 0 || digits > 0 { digits += 1 }
                sawDigit = true
                index += 1
            }
        }
        if sawDigit && index < end && (buffer[index] | 0x20) == 0x65 {
            var e = index + 1
            let negativeExponent = e < end && buffer[e] == 0x2D
            if e < end && (buffer[e] == 0x2D || buffer[e] == 0x2B) { e += 1 }
            var value = 0, sawExponentDigit = false
            while e < end, case let digit = buffer[e] &- 0x30, digit < 10 {
                value = Swift.min(value * 10 + Int(digit), 100_000)
                sawExponentDigit = true
                e += 1
            }
            if sawExponentDigit {
                exponent += negativeExponent ? -value : value
                index = e
            }
        }
        if sawDigit && index == end && digits <= 19 && mantissa < 1 << 53 && abs(exponent) <= 22 {
            let magnitude = exponent < 0 ? Double(mantissa) / powers[-exponent] : Double(mantissa) * powers[exponent]
            return negative ? -magnitude : magnitude
        }
        // Long mantissas, large exponents, hexadecimal, nan and inf: as the general path reads them.
        return Double(Substring(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
    }

    /// 10⁰ … 10²², every one exact in `Double`.
    private static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }
}

/// The file's bytes and the outputs, shared by the workers: each reads every byte it likes
/// and writes only the values of its own rows.
private struct SharedBuffers<T>: @unchecked Sendable {
    let input: UnsafeBufferPointer<UInt8>
    let values: UnsafeMutableBufferPointer<T>
    let labels: UnsafeMutableBufferPointer<T>
}

/// A file read a block at a time.
private final class FileReader {
    private let descriptor: Int32
    /// The file's size when it was opened.
    let size: Int
    private var chunk: [UInt8] = []

    init?(path: String) {
        descriptor = open(path, O_RDONLY)
        var status = stat()
        guard descriptor >= 0, fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            if descriptor >= 0 { _ = systemClose(descriptor) }
            return nil
        }
        size = Int(status.st_size)
    }

    /// Appends up to `count` more bytes to `bytes`; returns whether the file has ended, or
    /// `nil` on a read error (the general path then reports it).
    func append(upTo count: Int, to bytes: inout [UInt8]) -> Bool? {
        if chunk.count != count { chunk = [UInt8](repeating: 0, count: count) }
        var filled = 0
        while filled < count {
            let read = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + filled, count - filled) }
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else { return nil }
            if read == 0 { break }
            filled += read
        }
        bytes.append(contentsOf: chunk[0..<filled])
        return filled < count
    }

    func close() { _ = systemClose(descriptor) }
}

#if canImport(Glibc)
    import Glibc
    private let (systemRead, systemClose) = (Glibc.read, Glibc.close)
#elseif canImport(Darwin)
    import Darwin
    private let (systemRead, systemClose) = (Darwin.read, Darwin.close)
#endif

/// The file's bytes, read by the workers that look for newlines.
private struct SharedBytes: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
}

/// The newlines each slice of the file holds, and whether it is ASCII, written by one worker each.
private final class NewlineSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [(newlines: [Int], ascii: Bool)]
    init(count: Int) { slots = Array(repeating: ([], true), count: count) }
    func set(_ slice: Int, _ newlines: [Int], ascii: Bool) { lock.withLock { slots[slice] = (newlines, ascii) } }
    var allASCII: Bool { lock.withLock { slots.allSatisfy(\.ascii) } }
    var newlines: [Int] { lock.withLock { slots.flatMap(\.newlines) } }
}

/// Set by any worker that meets a row the fast path does not handle.
private final class FailureFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
