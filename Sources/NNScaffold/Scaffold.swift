import Foundation

/// Filling the files of `Templates/` for `swift package scaffold-layer`: validation, placeholder
/// substitution and the no-overwrite rule. The command plugin compiles this same file (a
/// plugin cannot depend on a library target), so unit tests reach exactly the plugin's logic.
///
/// Placeholders: `__NAME__` (the new type's name) and `__MODULE__` (the target it goes into).
/// Blocks between a line `// scaffold: with NNIO` or `// scaffold: without NNIO` and the line
/// `// scaffold: end` are kept only for a target that can (or cannot) import NNIO, the module
/// saving needs: a package that depends on NNCore alone gets a layer that compiles there.
public enum Scaffold {
    /// What to generate.
    public enum Kind: String, CaseIterable, Sendable {
        case layer, activation

        /// The template files: the source and its test.
        public var templates: (source: String, test: String) {
            switch self {
            case .layer: return ("Layer.swift.template", "LayerTests.swift.template")
            case .activation: return ("Activation.swift.template", "ActivationTests.swift.template")
            }
        }
    }

    /// Why nothing was generated.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidName(String, reason: String)
        case missingTemplate(String)
        case fileExists(String)
        case cannotWrite(String, reason: String)

        public var description: String {
            switch self {
            case .invalidName(let name, let reason):
                return "'\(name)' cannot name the new type: \(reason); use an UpperCamelCase Swift identifier such as ScaleAndShift"
            case .missingTemplate(let path): return "template \(path) not found"
            case .fileExists(let path): return "\(path) already exists; pass --force to overwrite it"
            case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// A file to write.
    public struct File: Equatable, Sendable {
        public var path: String
        public var contents: String
    }

    private static let keywords: Set<String> = ["Any", "Self", "Type", "Protocol", "Tensor", "Layer", "Activation", "Parameter"]

    /// Throws unless `name` is an UpperCamelCase Swift identifier that does not shadow a core type.
    public static func validate(name: String) throws(Failure) {
        guard let first = name.unicodeScalars.first else { throw .invalidName(name, reason: "it is empty") }
        guard ("A"..."Z").contains(first) else { throw .invalidName(name, reason: "it must start with a capital letter") }
        guard name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }) else {
            throw .invalidName(name, reason: "it may hold only letters and digits")
        }
        guard !keywords.contains(name) else { throw .invalidName(name, reason: "it would shadow a type of the framework") }
    }

    /// `template` with its placeholders replaced and the blocks for `serializable` kept.
    /// - Parameters:
    ///   - template: the template's text.
    ///   - name: the new type's name.
    ///   - module: the target it goes into.
    ///   - serializable: whether the target can import NNIO (the layer can then be saved).
    public static func fill(_ template: String, name: String, module: String, serializable: Bool = true) -> String {
        var kept: [Substring] = []
        var keeping = true
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            switch line.trimmingCharacters(in: .whitespaces) {
            case "// scaffold: with NNIO": keeping = serializable
            case "// scaffold: without NNIO": keeping = !serializable
            case "// scaffold: end": keeping = true
            default: if keeping { kept.append(line) }
            }
        }
        return kept.joined(separator: "\n").replacingOccurrences(of: "__NAME__", with: name).replacingOccurrences(of: "__MODULE__", with: module)
    }

    /// The files for a new type, checked but not written: the name is valid, the templates
    /// exist, and (unless `force`) neither destination exists.
    /// - Parameters:
    ///   - name: the new type's name.
    ///   - kind: a layer or an activation.
    ///   - module: the target it goes into.
    ///   - templates: the folder of the templates.
    ///   - sourceFolder: where the source file goes.
    ///   - testFolder: where its test goes.
    ///   - serializable: whether the target can import NNIO (see ``fill(_:name:module:serializable:)``).
    ///   - force: whether existing files may be overwritten.
    public static func plan(
        name: String, kind: Kind, module: String, templates: String, sourceFolder: String, testFolder: String,
        serializable: Bool = true, force: Bool
    ) throws(Failure) -> [File] {
        try validate(name: name)
        var files: [File] = []
        for (template, destination) in [
            (kind.templates.source, "\(sourceFolder)/\(name).swift"),
            (kind.templates.test, "\(testFolder)/\(name)Tests.swift"),
        ] {
            let path = "\(templates)/\(template)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .missingTemplate(path) }
            if !force && FileManager.default.fileExists(atPath: destination) { throw .fileExists(destination) }
            files.append(File(path: destination, contents: fill(text, name: name, module: module, serializable: serializable)))
        }
        return files
    }

    /// Writes planned files, each atomically, creating folders as needed.
    public static func write(_ files: [File]) throws(Failure) {
        for file in files {
            do {
                try FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: file.path).deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: file.path), options: .atomic)
            } catch {
                throw .cannotWrite(file.path, reason: error.localizedDescription)
            }
        }
    }
}
