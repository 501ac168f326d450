import NNCore

/// Comma-separated values as exported from a spreadsheet: one sample per line, numeric
/// feature columns and one label column.
///
/// ```swift
/// let data = try CSVFile.load("iris.csv", options: CSVFile.Options(label: .named("species")))
/// ```
///
/// Labels that are all numbers become numeric targets (class indices or regression values);
/// labels with any non-number become class indices, classes in natural order, with their
/// names kept. Every error names the file, the line and the column.
public enum CSVFile {
    /// Whether the first line names the columns.
    public enum Header: Sendable, Equatable {
        /// Decided from the first two lines: a header when a first-line cell is not a number
        /// while the cell below it is (or when no first-line cell is a number).
        case automatic
        /// The first line is a header.
        case present
        /// The first line is data.
        case absent
    }

    /// Which column holds the label.
    public enum LabelColumn: Sendable, Equatable {
        /// The column named `label` (any case) if there is a header with one, else the first.
        case automatic
        /// The first column.
        case first
        /// The last column.
        case last
        /// The column at this index, counting from 0.
        case index(Int)
        /// The column with this header name.
        case named(String)
    }

    /// How to read a file.
    public struct Options: Sendable, Equatable {
        /// Whether there is a header line.
        public var header: Header
        /// The label column.
        public var label: LabelColumn
        /// The separator between cells.
        public var delimiter: Character

        /// Creates options; the defaults detect the header and take `label` or the first column.
        public init(header: Header = .automatic, label: LabelColumn = .automatic, delimiter: Character = ",") {
            self.header = header
            self.label = label
            self.delimiter = delimiter
        }
    }

    /// Loads a CSV file: features `[rows, columns − 1]`, targets `[rows]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func load<T: TensorScalar>(_ path: String, options: Options = Options(), as _: T.Type = Float.self)
        throws(DataFileError) -> InMemoryDataset<T>
    {
        // A file of numbers streams through the fast path a block at a time; anything else is
        // read whole by the general path.
        if let numeric = try NumericCSV.load(path, options: options, as: T.self) { return numeric }
        return try decodeText(FileBytes.read(path), path: path, options: options, as: T.self)
    }

    /// Decodes the bytes of a CSV file.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func decode<T: TensorScalar>(_ bytes: [UInt8], path: String, options: Options = Options(), as _: T.Type = Float.self)
        throws(DataFileError) -> InMemoryDataset<T>
    {
        guard !bytes.isEmpty else { throw .empty(path: path) }
        // Most files are numbers only: read from the bytes on every core, or, at the first
        // thing that path does not handle, by the general path, where every error is named.
        if let numeric = try NumericCSV.decode(bytes, options: options, path: path, as: T.self) { return numeric }
        return try decodeText(bytes, path: path, options: options, as: T.self)
    }

    /// The general path: any UTF-8 file, text labels, and an error naming the line and the
    /// column of anything wrong.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func decodeText<T: TensorScalar>(_ bytes: [UInt8], path: String, options: Options, as _: T.Type) throws(DataFileError)
        -> InMemoryDataset<T>
    {
        guard let text = String(validating: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes, as: UTF8.self) else {
            throw .malformed(path: path, position: "line \(firstNonUTF8Line(bytes))", reason: "the file is not UTF-8 text")
        }
        // Split on the scalar "\n": as Characters, "\r\n" is one grapheme and would not match.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars in
            Substring(scalars.last == "\r" ? scalars.dropLast() : scalars)
        }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }   // trailing blank lines are fine
        guard !lines.isEmpty else { throw .malformed(path: path, position: "line 1", reason: "no data, only blank lines") }
        let rows = lines.map { splitCells($0, options.delimiter) }

        let hasHeader: Bool
        switch options.header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .automatic: hasHeader = looksLikeHeader(rows)
        }
        let columns = rows[0].count
        guard columns >= 2 else {
            throw .malformed(path: path, position: "line 1", reason: "found \(columns) column, expected features and a label")
        }
        let names = hasHeader ? rows[0] : nil
        let labelColumn = try resolve(options.label, names: names, columns: columns, path: path)
        let firstData = hasHeader ? 1 : 0
        guard rows.count > firstData else { throw .malformed(path: path, position: "line 2", reason: "a header but no data lines") }

        var features: [T] = []
        features.reserveCapacity((rows.count - firstData) * (columns - 1))
        var labels: [(text: Substring, line: Int)] = []
        for lineIndex in firstData..<rows.count {
            let cells = rows[lineIndex], line = lineIndex + 1
            if cells.count == 1 && cells[0].isEmpty {
                throw .malformed(path: path, position: "line \(line)", reason: "blank line between data lines")
            }
            guard cells.count == columns else {
                throw .malformed(path: path, position: "line \(line)", reason: "\(cells.count) columns, expected \(columns) like line 1")
            }
            for (column, cell) in cells.enumerated() {
                if column == labelColumn {
                    labels.append((cell, line))
                    continue
                }
                guard let value = Double(cell), value.isFinite else {
                    throw .malformed(
                        path: path, position: "line \(line), column \(column + 1)",
                        reason: cell.isEmpty ? "empty cell, expected a number" : "expected a number, found '\(cell)'")
                }
                features.append(try finite(value, as: T.self, cell: cell, path: path, position: "line \(line), column \(column + 1)"))
            }
        }
        let (targets, classNames) = try encodeLabels(labels, as: T.self, path: path, column: labelColumn)
        let count = labels.count
        return try dataset(
            features: tensor(shape: [count, columns - 1], scalars: features, path: path),
            targets: tensor(shape: [count], scalars: targets, path: path), classNames: classNames, path: path)
    }

    /// Cells of one line: split at the delimiter, trimmed, surrounding quotes removed.
    static func splitCells(_ line: Substring, _ delimiter: Character) -> [Substring] {
        line.split(separator: delimiter, omittingEmptySubsequences: false).map { cell in
            var trimmed = cell.drop { $0 == " " || $0 == "\t" }
            while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
            if trimmed.count >= 2, trimmed.first == "\"", trimmed.last == "\"" { trimmed = trimmed.dropFirst().dropLast() }
            return trimmed
        }
    }

    static func looksLikeHeader(_ rows: [[Substring]]) -> Bool {
        let first = rows[0]
        let numeric = first.map { Double($0) != nil }
        guard numeric.contains(false) else { return false }
        guard rows.count > 1, rows[1].count == first.count else { return !numeric.contains(true) }
        return zip(numeric, rows[1]).contains { !$0 && Double($1) != nil } || !numeric.contains(true)
    }

    static func resolve(_ label: LabelColumn, names: [Substring]?, columns: Int, path: String) throws(DataFileError) -> Int {
        switch label {
        case .first: return 0
        case .last: return columns - 1
        case .automatic: return names?.firstIndex { $0.lowercased() == "label" } ?? 0
        case .index(let index):
            guard (0..<columns).contains(index) else {
                throw .malformed(
                    path: path, position: "line 1", reason: "label column \(index) does not exist; there are \(columns) columns (0–\(columns - 1))")
            }
            return index
        case .named(let name):
            guard let names else { throw .malformed(path: path, position: "line 1", reason: "no header line, so no column is named '\(name)'") }
            guard let index = names.firstIndex(where: { $0 == name }) else {
                throw .malformed(
                    path: path, position: "line 1", reason: "no column named '\(name)'; the columns are \(names.joined(separator: ", "))")
            }
            return index
        }
    }

    /// Numbers if every label is a number; otherwise class indices and the class names.
    /// A label that reads as a number but is not a finite one in `T` (`nan`, `inf`, `1e39`
    /// for `Float`) is an error: it is neither a value to fit nor a class name.
    private static func encodeLabels<T: TensorScalar>(_ labels: [(text: Substring, line: Int)], as _: T.Type, path: String, column: Int)
        throws(DataFileError) -> ([T], [String]?)
    {
        var numbers: [T] = []
        numbers.reserveCapacity(labels.count)
        var allNumbers = true
        for (text, line) in labels {
            guard let value = Double(text) else {
                allNumbers = false
                continue
            }
            numbers.append(try finite(value, as: T.self, cell: text, path: path, position: "line \(line), column \(column + 1) (the label)"))
        }
        if allNumbers { return (numbers, nil) }
        let names = NaturalOrder.sorted(Array(Set(labels.map { String($0.text) })))
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return (labels.map { T(index[String($0.text), default: 0]) }, names)
    }

    /// `value` in `T`, which must hold it as a finite number (`1e39` is finite in `Double`
    /// but infinite in `Float`).
    private static func finite<T: TensorScalar>(_ value: Double, as _: T.Type, cell: Substring, path: String, position: String)
        throws(DataFileError) -> T
    {
        let converted = T(value)
        guard value.isFinite, converted.isFinite else {
            throw .malformed(
                path: path, position: position, reason: "'\(cell)' is not a finite number\(value.isFinite ? " in \(T.self)'s range" : "")")
        }
        return converted
    }

    /// The number of the first line that is not valid UTF-8.
    private static func firstNonUTF8Line(_ bytes: [UInt8]) -> Int {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        return (lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0) + 1
    }
}
