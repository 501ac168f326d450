import Foundation
import NNCore

/// A character-level language-modelling task over a text file of one sequence per line
/// (makemore's words): each line becomes the boundary token, its characters and the boundary
/// again, and the model predicts every token from those before it.
///
/// Samples are windows of `context` steps: the features are token ids, the targets the next
/// token at each step. A line longer than one window continues in the next window (which sees
/// only its own steps); the last window of a line is padded, its padded targets set to
/// ``ignoredTarget`` for ``/NNLosses/CrossEntropy``'s `ignoreIndex`. Every character and the final
/// boundary are predicted exactly once.
public enum CharacterCorpus {
    /// The target of a padded step.
    public static let ignoredTarget = -1
    /// The longest file read (1 GiB).
    public static let maximumFileSize = 1 << 30

    /// The non-empty lines of a UTF-8 text file (`\n`, `\r\n` or any other line end).
    /// - Throws: ``DataFileError`` for a file that cannot be read, is empty, too large, not
    ///   UTF-8, or has no line with a character in it.
    public static func lines(of path: String) throws(DataFileError) -> [String] {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumFileSize {
            throw .tooLarge(path: path, declared: "\(size) bytes", limit: "\(maximumFileSize) bytes")
        }
        let bytes = try FileBytes.read(path)
        guard !bytes.isEmpty else { throw .empty(path: path) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(path: path, position: "line \(firstInvalidLine(bytes) ?? 1)", reason: "not UTF-8 text")
        }
        // Any line end: "\r\n" is one Character, which a split on "\n" would not cut.
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw .malformed(path: path, position: "every line", reason: "no line has a character in it") }
        return lines
    }

    /// The line (1-based) of the first byte sequence that is not UTF-8.
    private static func firstInvalidLine(_ bytes: [UInt8]) -> Int? {
        var start = 0, line = 1
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            (start, line) = (index + 1, line + 1)
        }
        return String(validating: bytes[start...], as: UTF8.self) == nil ? line : nil
    }

    /// The windows of `lines` (already encoded, without boundaries): features `[windows,
    /// context]` of token ids, targets `[windows, context]` of next-token ids, padded steps
    /// with input ``CharacterVocabulary/boundary`` and target ``ignoredTarget``.
    /// - Parameters:
    ///   - lines: each line's character ids.
    ///   - context: the steps of a window (positive).
    public static func windows(of lines: [[Int]], context: Int) -> InMemoryDataset<Float> {
        precondition(context > 0, "CharacterCorpus.windows: the context must be positive, got \(context)")
        var features: [Float] = [], targets: [Float] = []
        for line in lines {
            let tokens = [CharacterVocabulary.boundary] + line + [CharacterVocabulary.boundary]
            for start in stride(from: 0, to: tokens.count - 1, by: context) {
                for step in 0..<context {
                    let position = start + step
                    let scored = position + 1 < tokens.count
                    features.append(Float(scored ? tokens[position] : CharacterVocabulary.boundary))
                    targets.append(Float(scored ? tokens[position + 1] : ignoredTarget))
                }
            }
        }
        let count = features.count / context
        // Shapes built from the counts just made: they fit.
        do {
            return try InMemoryDataset(
                features: Tensor(shape: [count, context], scalars: features), targets: Tensor(shape: [count, context], scalars: targets))
        } catch {
            preconditionFailure("CharacterCorpus.windows: \(error)")
        }
    }
}
