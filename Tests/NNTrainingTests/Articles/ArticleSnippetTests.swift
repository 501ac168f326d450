import Foundation
import Testing

/// The Swift code of the documentation articles (`Sources/*/*.docc/*.md`) is the code the tests
/// run: every ```swift block of an article equals one snippet between `// docc snippet begins`
/// and `// docc snippet ends` in a test file, and every snippet is shown by an article.
@Suite struct ArticleSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func everySwiftBlockOfTheArticlesIsATestedSnippet() throws {
        let blocks = try Self.articleBlocks()
        let snippets = try Self.testedSnippets()
        #expect(blocks.count >= 6, "the articles should show their code")
        for block in blocks {
            #expect(snippets.contains { $0.code == block.code }, "\(block.place): this swift block is not a tested snippet")
        }
        for snippet in snippets {
            #expect(blocks.contains { $0.code == snippet.code }, "\(snippet.place): no article shows this snippet")
        }
    }

    /// A piece of code and where it was found.
    struct Code {
        var code: String
        var place: String
    }

    /// Every ```swift block of every catalog's markdown files.
    static func articleBlocks() throws -> [Code] {
        var blocks: [Code] = []
        for file in try files(under: "Sources", suffix: ".md") where file.path.contains(".docc/") {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            var current: [String]?
            var start = 0
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if current == nil, trimmed == "```swift" {
                    current = []
                    start = index + 1
                } else if let block = current, trimmed == "```" {
                    blocks.append(Code(code: dedented(block), place: "\(file.lastPathComponent):\(start)"))
                    current = nil
                } else if current != nil {
                    current?.append(line)
                }
            }
        }
        return blocks
    }

    /// Every marked snippet of every test file.
    static func testedSnippets() throws -> [Code] {
        var snippets: [Code] = []
        for file in try files(under: "Tests", suffix: ".swift") where file.lastPathComponent != "ArticleSnippetTests.swift" {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            var current: [String]?
            var start = 0
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed == "// docc snippet begins" {
                    current = []
                    start = index + 1
                } else if trimmed == "// docc snippet ends", let snippet = current {
                    snippets.append(Code(code: dedented(snippet), place: "\(file.lastPathComponent):\(start)"))
                    current = nil
                } else if current != nil {
                    current?.append(line)
                }
            }
        }
        return snippets
    }

    /// The lines without their common leading spaces, joined.
    static func dedented(_ lines: [String]) -> String {
        let indents = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix { $0 == " " }.count }
        let common = indents.min() ?? 0
        return lines.map { String($0.dropFirst(min(common, $0.prefix { $0 == " " }.count))) }.joined(separator: "\n")
    }

    /// The files below `folder` (relative to the repository) whose names end in `suffix`.
    static func files(under folder: String, suffix: String) throws -> [URL] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.path < $1.path }
    }
}
