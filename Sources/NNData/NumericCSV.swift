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
    static func decode<T: TensorScalar>(_ bytes: [UInt8], options: CSVFile.Options, path: String, as _: T.Type)
        throws(DataFileError) -> InMemoryDataset<T>?
    {
        guard let delimiter = options.delimiter.asciiValue else { return nil }
        return try bytes.withUnsafeBufferPointer { buffer throws(DataFileError) -> InMemoryDataset<T>? in
            let start = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            guard let lines = lineRanges(buffer, from: start) else { return nil }
            // The header rule and the label column come from the first two lines, as cells.
            let firstCells = lines.prefix(2).map { line in
                CSVFile.splitCells(Substring(decoding: UnsafeBufferPointer(rebasing: buffer[line]), as: UTF8.self), options.delimiter)
            }
            guard let first = firstCells.first, first.count >= 2 else { return nil }
            let hasHeader: Bool
            switch options.header {
            case .present: hasHeader = true
            case .absent: hasHeader = false
            case .automatic: hasHeader = CSVFile.looksLikeHeader(firstCells)
            }
            let labelColumn = try CSVFile.resolve(options.label, names: hasHeader ? first : nil, columns: first.count, path: path)
            let dataLines = lines[(hasHeader ? 1 : 0)...]
            guard !dataLines.isEmpty else { return nil }
            let (columns, rows) = (first.count, dataLines.count)
            var failed = false
            var targets = [T](repeating: 0, count: rows)
            let features = [T](unsafeUninitializedCapacity: rows * (columns - 1)) { values, initialized in
                targets.withUnsafeMutableBufferPointer { labels in
                    failed = !parseRows(
                        buffer, dataLines, columns: columns, labelColumn: labelColumn, delimiter: delimiter, into: values, labels: labels)
                }
                initialized = rows * (columns - 1)   // trivial values: fully written, or discarded
            }
            guard !failed else { return nil }
            do {
                return try InMemoryDataset(
                    features: Tensor(shape: [rows, columns - 1], scalars: features), targets: Tensor(shape: [rows], scalars: targets))
            } catch {
                return nil
            }
        }
    }

    /// The byte ranges of the lines (without `\n` or `\r\n`), trailing blank lines dropped;
    /// `nil` for a byte that is not ASCII (the general path validates UTF-8). The newlines are
    /// found on every core, a slice of the file each.
    private static func lineRanges(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> [Range<Int>]? {
        let slices = Swift.min(Swift.max((buffer.count - start) / (1 << 20), 1), ProcessInfo.processInfo.activeProcessorCount * 2)
        let found = NewlineSlots(count: slices)
        let shared = SharedBytes(bytes: buffer)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let bytes = shared.bytes, length = bytes.count - start
            let range = (start + length * slice / slices)..<(start + length * (slice + 1) / slices)
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
        var lineStart = start
        for newline in found.newlines {
            lines.append(lineStart..<(newline > lineStart && buffer[newline - 1] == 0x0D ? newline - 1 : newline))
            lineStart = newline + 1
        }
        if lineStart < buffer.count { lines.append(lineStart..<(buffer[buffer.count - 1] == 0x0D ? buffer.count - 1 : buffer.count)) }
        while let last = lines.last, buffer[last].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) {
            lines.removeLast()
        }
        return lines
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
